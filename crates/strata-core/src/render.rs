//! Renders schema objects back to SQLite DDL. Output is deterministic and always quotes names,
//! so the same schema gives byte-identical SQL.

use crate::schema::*;
use crate::sql::{self, quote};

/// What a column definition may carry inline when it stands alone (`ALTER TABLE ADD COLUMN`).
#[derive(Default)]
pub struct Inline<'a> {
    pub primary_key: Option<&'a PrimaryKey>,
    pub foreign_key: Option<&'a ForeignKey>,
    pub checks: Vec<&'a Check>,
}

pub fn column_def(c: &Column, inline: &Inline) -> String {
    let mut s = quote(&c.name);
    if !c.decl_type.is_empty() {
        s.push(' ');
        s.push_str(c.decl_type.as_str().trim());
    }
    if let Some(pk) = inline.primary_key {
        if let Some(n) = &pk.name {
            s.push_str(&format!(" CONSTRAINT {}", quote(n)));
        }
        s.push_str(" PRIMARY KEY");
        if pk.columns[0].desc {
            s.push_str(" DESC");
        }
        if let Some(oc) = &pk.on_conflict {
            s.push_str(&format!(" ON CONFLICT {oc}"));
        }
        if pk.autoincrement {
            s.push_str(" AUTOINCREMENT");
        }
    }
    if c.not_null {
        s.push_str(" NOT NULL");
    }
    if let Some(d) = &c.default {
        s.push_str(&format!(" DEFAULT {}", d.as_str().trim()));
    }
    if let Some(coll) = &c.collate {
        s.push_str(&format!(" COLLATE {}", coll.as_str()));
    }
    if let Some(g) = &c.generated {
        s.push_str(&format!(" GENERATED ALWAYS AS ({}) {}", g.expr.as_str().trim(), if g.stored { "STORED" } else { "VIRTUAL" }));
    }
    for ch in &inline.checks {
        s.push(' ');
        s.push_str(&check(ch));
    }
    if let Some(fk) = inline.foreign_key {
        if let Some(n) = &fk.name {
            s.push_str(&format!(" CONSTRAINT {}", quote(n)));
        }
        s.push(' ');
        s.push_str(&references(fk));
    }
    s
}

fn key_parts(parts: &[KeyPart]) -> String {
    parts
        .iter()
        .map(|p| {
            let mut s = quote(&p.name);
            if let Some(c) = &p.collate {
                s.push_str(&format!(" COLLATE {}", c.as_str()));
            }
            if p.desc {
                s.push_str(" DESC");
            }
            s
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A parenthesis-free list of quoted names.
pub(crate) fn names(list: &[Name]) -> String {
    list.iter().map(|n| quote(n)).collect::<Vec<_>>().join(", ")
}

/// `CONSTRAINT "name" ` when the constraint is named, else nothing.
pub(crate) fn constraint_name(name: &Option<Name>) -> String {
    name.as_ref().map(|n| format!("CONSTRAINT {} ", quote(n))).unwrap_or_default()
}

pub fn check(c: &Check) -> String {
    format!("{}CHECK ({})", constraint_name(&c.name), c.expr.as_str().trim())
}

/// `REFERENCES parent (cols) [ON DELETE ..] [ON UPDATE ..] [DEFERRABLE INITIALLY DEFERRED]`,
/// which SQLite and PostgreSQL both read the same way.
pub(crate) fn references(fk: &ForeignKey) -> String {
    let mut s = format!("REFERENCES {}", quote(&fk.ref_table));
    if !fk.ref_columns.is_empty() {
        s.push_str(&format!(" ({})", names(&fk.ref_columns)));
    }
    if fk.on_delete != FkAction::NoAction {
        s.push_str(&format!(" ON DELETE {}", fk.on_delete.sql()));
    }
    if fk.on_update != FkAction::NoAction {
        s.push_str(&format!(" ON UPDATE {}", fk.on_update.sql()));
    }
    if fk.deferred {
        s.push_str(" DEFERRABLE INITIALLY DEFERRED");
    }
    s
}

/// Whether the primary key is written on its column: for one plain column, which is the only
/// way to write AUTOINCREMENT, except a DESC key written on the table, which must stay there to
/// keep aliasing the rowid.
fn pk_inline(pk: &PrimaryKey) -> bool {
    pk.columns.len() == 1 && pk.columns[0].collate.is_none() && (!pk.columns[0].desc || pk.desc_on_column)
}

/// `CREATE TABLE` for `t`, under the name `name` (a rebuild creates the table under a
/// temporary name first).
pub fn create_table(t: &Table, name: &str) -> String {
    let mut lines = Vec::new();
    let inline_pk = t.primary_key.as_ref().filter(|pk| pk_inline(pk));
    for c in &t.columns {
        let pk = inline_pk.filter(|pk| pk.columns[0].name.eq_ignore_ascii_case(&c.name));
        lines.push(column_def(c, &Inline { primary_key: pk, ..Default::default() }));
    }
    if let Some(pk) = t.primary_key.as_ref().filter(|pk| !pk_inline(pk)) {
        let mut s = format!("{}PRIMARY KEY ({})", constraint_name(&pk.name), key_parts(&pk.columns));
        if let Some(oc) = &pk.on_conflict {
            s.push_str(&format!(" ON CONFLICT {oc}"));
        }
        lines.push(s);
    }
    for u in &t.uniques {
        let mut s = format!("{}UNIQUE ({})", constraint_name(&u.name), key_parts(&u.columns));
        if let Some(oc) = &u.on_conflict {
            s.push_str(&format!(" ON CONFLICT {oc}"));
        }
        lines.push(s);
    }
    for c in &t.checks {
        lines.push(check(c));
    }
    for fk in &t.foreign_keys {
        lines.push(format!("{}FOREIGN KEY ({}) {}", constraint_name(&fk.name), names(&fk.columns), references(fk)));
    }
    let mut opts = Vec::new();
    if t.without_rowid {
        opts.push("WITHOUT ROWID");
    }
    if t.strict {
        opts.push("STRICT");
    }
    let opts = if opts.is_empty() { String::new() } else { format!(" {}", opts.join(", ")) };
    format!("CREATE TABLE {} (\n  {}\n){}", quote(name), lines.join(",\n  "), opts)
}

fn index_term(e: &Sql) -> String {
    let toks: Vec<_> = sql::tokenize(e.as_str()).into_iter().filter(|t| !t.is_trivia()).collect();
    if toks.len() == 1 && toks[0].is_name() {
        quote(&sql::unquote(e.as_str().trim()))
    } else {
        e.as_str().trim().to_string()
    }
}

pub fn create_index(i: &Index) -> String {
    let parts = i
        .parts
        .iter()
        .map(|p| {
            let mut s = index_term(&p.expr);
            if let Some(c) = &p.collate {
                s.push_str(&format!(" COLLATE {}", c.as_str()));
            }
            if p.desc {
                s.push_str(" DESC");
            }
            s
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut s = format!(
        "CREATE {}INDEX {} ON {} ({})",
        if i.unique { "UNIQUE " } else { "" },
        quote(&i.name),
        quote(&i.table),
        parts
    );
    if let Some(w) = &i.where_clause {
        s.push_str(&format!(" WHERE {}", w.as_str().trim()));
    }
    s
}

pub fn create_view(v: &View) -> String {
    let cols = if v.columns.is_empty() { String::new() } else { format!(" ({})", names(&v.columns)) };
    format!("CREATE VIEW {}{} AS {}", quote(&v.name), cols, v.select.as_str().trim())
}

pub fn create_trigger(t: &Trigger) -> String {
    t.sql.as_str().trim().to_string()
}

/// The whole schema as one script, in an order SQLite accepts.
pub fn schema_sql(s: &Schema) -> String {
    let mut out = Vec::new();
    for t in s.tables.values() {
        out.push(create_table(t, &t.name));
    }
    for i in s.indexes.values() {
        out.push(create_index(i));
    }
    for v in views_in_dependency_order(s.views.values().collect()) {
        out.push(create_view(v));
    }
    for t in s.triggers.values() {
        out.push(create_trigger(t));
    }
    out.iter().map(|s| format!("{s};\n")).collect()
}
