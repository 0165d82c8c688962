//! PostgreSQL SQL for a revision's changes, with notes wherever PostgreSQL differs from SQLite.
//!
//! PostgreSQL alters in place what SQLite must rebuild: `ALTER COLUMN ... TYPE ... USING`,
//! `SET/DROP NOT NULL`, `SET/DROP DEFAULT`, and constraints added and dropped by name. Types are
//! mapped the way SQLAlchemy maps the same model on PostgreSQL (DATETIME → TIMESTAMP, BLOB →
//! BYTEA, CHAR(32) → UUID, an INTEGER PRIMARY KEY → an identity column). Constraints the model
//! leaves unnamed get PostgreSQL's own default names when created, and are found by their
//! columns in `pg_constraint` when dropped, since a database made by SQLModel or by an earlier
//! rename may hold any name. The script runs in one transaction with a lock timeout.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::diff::{Change, Diff, TableChange, TableDiff};
use crate::export::alembic::split_type;
use crate::export::ExportInput;
use crate::render;
use crate::schema::*;
use crate::sql::{self, quote, quote_str};

/// Both directions of a revision as PostgreSQL scripts, and the notes that apply to them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostgresExport {
    pub up: String,
    pub down: String,
    /// Where PostgreSQL behaves differently or something needs a person's attention; each note
    /// is also written as a comment in the script it concerns.
    pub notes: Vec<String>,
}

/// The revision's changes as PostgreSQL SQL.
pub fn postgres(input: &ExportInput) -> PostgresExport {
    let mut notes = Vec::new();
    let (up, down) = if input.faithful {
        let (d_up, _) = input.up();
        let (d_down, _) = input.down();
        (script(input, "upgrade", &d_up, &input.from, &input.to, &mut notes), script(input, "downgrade", &d_down, &input.to, &input.from, &mut notes))
    } else {
        let note = "this revision's SQL was written or edited by hand; it is copied as written and is SQLite SQL, so review it for PostgreSQL".to_string();
        notes.push(note.clone());
        let wrap = |body: &str| format!("-- NOTE: {note}\nBEGIN;\n{body}COMMIT;\n");
        (wrap(&input.up_sql), wrap(&input.down_sql))
    };
    notes.dedup();
    PostgresExport { up, down, notes }
}

struct Out<'a> {
    lines: Vec<String>,
    notes: &'a mut Vec<String>,
}

impl Out<'_> {
    fn stmt(&mut self, s: String) {
        self.lines.push(format!("{s};"));
    }
    fn comment(&mut self, s: &str) {
        self.lines.push(format!("-- {s}"));
    }
    fn note(&mut self, s: String) {
        self.lines.push(format!("-- NOTE: {s}"));
        if !self.notes.contains(&s) {
            self.notes.push(s);
        }
    }
    fn blank(&mut self) {
        if self.lines.last().is_some_and(|l| !l.is_empty()) {
            self.lines.push(String::new());
        }
    }
}

fn script(input: &ExportInput, verb: &str, d: &Diff, from: &Schema, to: &Schema, notes: &mut Vec<String>) -> String {
    let mut o = Out { lines: Vec::new(), notes };
    o.comment(&format!("strata revision {} ({verb}): {}", input.id, input.message));
    o.comment("PostgreSQL runs DDL inside the transaction: the whole revision commits or none of it does.");
    o.comment("ALTER TABLE takes an ACCESS EXCLUSIVE lock on its table; the lock timeout makes a migration");
    o.comment("that waits behind a long query fail quickly instead of stalling every query queued behind it.");
    o.comment("CHECK, generated column, view and index expressions are copied as SQLite has them; SQLite's loose");
    o.comment("typing accepts some that PostgreSQL rejects (length() of a number, text compared with a number).");
    o.lines.push("BEGIN;".into());
    o.lines.push("SET LOCAL lock_timeout = '5s';".into());
    if d.changes.is_empty() {
        o.comment("nothing to do: the schemas are the same");
    }

    let modified: Vec<&TableDiff> = d.changes.iter().filter_map(|c| if let Change::ModifyTable(t) = c { Some(t) } else { None }).collect();
    let dropped: Vec<&Table> = d.changes.iter().filter_map(|c| if let Change::DropTable(t) = c { Some(t) } else { None }).collect();
    let added: Vec<&Table> = d.changes.iter().filter_map(|c| if let Change::AddTable(t) = c { Some(t) } else { None }).collect();
    let renames: Vec<(&String, &String)> = d.changes.iter().filter_map(|c| if let Change::RenameTable { from, to } = c { Some((from, to)) } else { None }).collect();

    // Triggers are SQLite programs; PostgreSQL triggers call a function written in PL/pgSQL.
    for c in &d.changes {
        match c {
            Change::DropTrigger(t) => o.note(format!("trigger {} is SQLite SQL and is not translated; drop its PostgreSQL counterpart by hand if you made one", t.name)),
            Change::AddTrigger(t) => o.note(format!("trigger {} is SQLite SQL and is not translated; write it as a PL/pgSQL function and CREATE TRIGGER", t.name)),
            _ => {}
        }
    }

    // Views that read a table whose columns change are dropped first and created again last, as
    // PostgreSQL refuses to drop or retype a column a view uses.
    let mut touched: BTreeSet<String> = dropped.iter().map(|t| key(&t.name)).collect();
    for t in &modified {
        touched.insert(key(&t.from.name));
    }
    for (a, _) in &renames {
        touched.insert(key(a));
    }
    let mut views_drop: BTreeSet<String> =
        d.changes.iter().filter_map(|c| if let Change::DropView(v) = c { Some(key(&v.name)) } else { None }).collect();
    loop {
        let before = views_drop.len();
        for (k, v) in &from.views {
            let ids = sql::identifiers(v.select.as_str());
            if !views_drop.contains(k) && touched.iter().chain(views_drop.iter()).any(|n| ids.contains(n)) {
                views_drop.insert(k.clone());
            }
        }
        if views_drop.len() == before {
            break;
        }
    }
    let mut views_create: BTreeSet<String> =
        d.changes.iter().filter_map(|c| if let Change::AddView(v) = c { Some(key(&v.name)) } else { None }).collect();
    views_create.extend(views_drop.iter().filter(|k| to.views.contains_key(*k)).cloned());
    for v in views_in_dependency_order(views_drop.iter().map(|k| &from.views[k]).collect()).into_iter().rev() {
        o.blank();
        o.stmt(format!("DROP VIEW {}", quote(&v.name)));
    }

    let dropped_keys: BTreeSet<String> = dropped.iter().map(|t| key(&t.name)).collect();
    for c in &d.changes {
        if let Change::DropIndex(i) = c {
            if !dropped_keys.contains(&key(&i.table)) {
                o.blank();
                o.stmt(format!("DROP INDEX {}", quote(&i.name)));
            }
        }
    }

    // A table dropped to free its name for a renamed one ("rename a to b, add a new a" on the
    // way down) must be gone before the rename.
    let rename_targets: BTreeSet<String> = renames.iter().map(|(_, b)| key(b)).collect();
    let (displaced, dropped): (Vec<&Table>, Vec<&Table>) = dropped.into_iter().partition(|t| rename_targets.contains(&key(&t.name)));
    for t in displaced {
        o.blank();
        o.comment(&format!("drop table {}: every row of it is deleted, and its name is taken next", t.name));
        o.stmt(format!("DROP TABLE {}", quote(&t.name)));
    }
    for (a, b) in &renames {
        o.blank();
        o.comment(&format!("rename table {a} to {b}: PostgreSQL keeps the names of its constraints and sequences"));
        o.stmt(format!("ALTER TABLE {} RENAME TO {}", quote(a), quote(b)));
    }

    // Constraints go before columns and tables, since a column or table cannot be dropped while
    // a constraint of another table still needs it.
    for t in &modified {
        drop_constraints(&mut o, t);
    }

    for t in tables_in_dependency_order(dropped).into_iter().rev() {
        o.blank();
        o.comment(&format!("drop table {}: every row of it is deleted", t.name));
        o.stmt(format!("DROP TABLE {}", quote(&t.name)));
    }

    for t in tables_in_dependency_order(added) {
        o.blank();
        create_table(&mut o, t);
    }

    for t in &modified {
        alter_table(&mut o, t);
    }

    for c in &d.changes {
        if let Change::AddIndex(i) = c {
            o.blank();
            create_index(&mut o, i);
        }
    }
    for v in views_in_dependency_order(views_create.iter().map(|k| &to.views[k]).collect()) {
        o.blank();
        let cols = if v.columns.is_empty() {
            String::new()
        } else {
            format!(" ({})", v.columns.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", "))
        };
        o.stmt(format!("CREATE VIEW {}{cols} AS {}", quote(&v.name), v.select.as_str().trim()));
    }
    o.blank();
    o.lines.push("COMMIT;".into());
    o.lines.join("\n") + "\n"
}

/// The PostgreSQL type for a SQLite declared type, and a note when the mapping is a choice.
pub fn pg_type(decl: &str, column: &str) -> (String, Option<String>) {
    let (base, args) = split_type(decl.trim());
    let with = |name: &str| -> String {
        if args.is_empty() {
            name.to_string()
        } else {
            format!("{name}({})", args.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", "))
        }
    };
    let t = match base.as_str() {
        "" if decl.trim().is_empty() => return ("TEXT".into(), Some(format!("column {column} has no type in SQLite; TEXT was chosen"))),
        "INTEGER" | "INT" | "MEDIUMINT" | "INT4" => "INTEGER".into(),
        "BIGINT" | "INT8" | "UNSIGNED BIG INT" => "BIGINT".into(),
        "SMALLINT" | "TINYINT" | "INT2" => "SMALLINT".into(),
        "VARCHAR" | "NVARCHAR" | "VARYING CHARACTER" | "CHARACTER VARYING" => with("VARCHAR"),
        "CHAR" | "NCHAR" | "CHARACTER" | "NATIVE CHARACTER" if args == [32] => {
            return ("UUID".into(), Some(format!("column {column} is CHAR(32), SQLAlchemy's SQLite form of uuid.UUID; PostgreSQL has a native UUID type")))
        }
        "CHAR" | "NCHAR" | "CHARACTER" | "NATIVE CHARACTER" => with("CHAR"),
        "TEXT" | "CLOB" => "TEXT".into(),
        "FLOAT" | "DOUBLE" | "DOUBLE PRECISION" => "DOUBLE PRECISION".into(),
        "REAL" => "REAL".into(),
        "BOOLEAN" | "BOOL" => "BOOLEAN".into(),
        "DATETIME" => "TIMESTAMP WITHOUT TIME ZONE".into(),
        "TIMESTAMP" => "TIMESTAMP".into(),
        "DATE" => "DATE".into(),
        "TIME" => "TIME".into(),
        "BLOB" => "BYTEA".into(),
        "NUMERIC" | "DECIMAL" => with("NUMERIC"),
        "JSON" => "JSON".into(),
        "UUID" => "UUID".into(),
        _ => return (decl.trim().to_string(), Some(format!("column {column}'s type {} is kept as written; check that PostgreSQL knows it", decl.trim()))),
    };
    (t, None)
}

/// A DEFAULT expression that means the same on PostgreSQL for a column of type `pg`.
fn pg_default(def: &Sql, pg: &str) -> String {
    let d = def.as_str().trim();
    let bare = d.trim_start_matches('(').trim_end_matches(')').trim();
    if pg == "BOOLEAN" {
        match bare.to_ascii_lowercase().as_str() {
            "0" | "'0'" | "false" | "'f'" | "'false'" => return "FALSE".into(),
            "1" | "'1'" | "true" | "'t'" | "'true'" => return "TRUE".into(),
            _ => {}
        }
    }
    d.to_string()
}

fn column_def(o: &mut Out, t: &Table, c: &Column) -> String {
    let name = format!("{}.{}", t.name, c.name);
    let (ty, note) = pg_type(c.decl_type.as_str(), &name);
    if let Some(n) = note {
        o.note(n);
    }
    let mut s = format!("{} {ty}", quote(&c.name));
    let is_rowid = t.rowid_alias().is_some_and(|r| r.name == c.name);
    if is_rowid {
        let auto = t.primary_key.as_ref().is_some_and(|pk| pk.autoincrement);
        o.note(format!(
            "{name} is SQLite's INTEGER PRIMARY KEY{}, which hands out ids by itself; on PostgreSQL it is an identity column",
            if auto { " AUTOINCREMENT" } else { "" }
        ));
        s.push_str(" GENERATED BY DEFAULT AS IDENTITY");
    }
    if let Some(coll) = &c.collate {
        collation_note(o, &name, coll);
    }
    if let Some(g) = &c.generated {
        if !g.stored {
            o.note(format!("generated column {name} is VIRTUAL in SQLite; PostgreSQL before 18 only has STORED, so it is STORED here"));
        }
        s.push_str(&format!(" GENERATED ALWAYS AS ({}) STORED", g.expr.as_str().trim()));
    }
    if c.not_null {
        s.push_str(" NOT NULL");
    }
    if let Some(d) = &c.default {
        if c.generated.is_none() && !is_rowid {
            s.push_str(&format!(" DEFAULT {}", pg_default(d, &ty)));
        }
    }
    s
}

fn collation_note(o: &mut Out, what: &str, coll: &Sql) {
    if !coll.as_str().eq_ignore_ascii_case("binary") {
        o.note(format!(
            "{what} uses SQLite's COLLATE {}, which PostgreSQL lacks; it is left out (compare lower() values, or use a nondeterministic ICU collation or citext)",
            coll.as_str()
        ));
    }
}

fn key_cols(parts: &[KeyPart]) -> String {
    parts.iter().map(|p| quote(&p.name)).collect::<Vec<_>>().join(", ")
}

fn named(n: &Option<Name>) -> String {
    render::constraint_name(n)
}

fn fk_clause(fk: &ForeignKey) -> String {
    format!("FOREIGN KEY ({}) {}", render::names(&fk.columns), render::references(fk))
}

fn create_table(o: &mut Out, t: &Table) {
    let mut lines = Vec::new();
    for c in &t.columns {
        lines.push(column_def(o, t, c));
    }
    if let Some(pk) = &t.primary_key {
        lines.push(format!("{}PRIMARY KEY ({})", named(&pk.name), key_cols(&pk.columns)));
    }
    for u in &t.uniques {
        lines.push(format!("{}UNIQUE ({})", named(&u.name), key_cols(&u.columns)));
    }
    for ch in &t.checks {
        lines.push(format!("{}CHECK ({})", named(&ch.name), ch.expr.as_str().trim()));
    }
    for fk in &t.foreign_keys {
        lines.push(format!("{}{}", named(&fk.name), fk_clause(fk)));
    }
    table_options_note(o, t);
    o.stmt(format!("CREATE TABLE {} (\n  {}\n)", quote(&t.name), lines.join(",\n  ")));
}

fn table_options_note(o: &mut Out, t: &Table) {
    if t.strict {
        o.note(format!("table {} is STRICT in SQLite; PostgreSQL always enforces column types", t.name));
    }
    if t.without_rowid {
        o.note(format!("table {} is WITHOUT ROWID in SQLite; PostgreSQL tables have no rowid either way", t.name));
    }
}

fn create_index(o: &mut Out, i: &Index) {
    let parts: Vec<String> = i
        .parts
        .iter()
        .map(|p| {
            let toks: Vec<_> = sql::tokenize(p.expr.as_str()).into_iter().filter(|t| !t.is_trivia()).collect();
            let mut s = if toks.len() == 1 && toks[0].is_name() { quote(&sql::unquote(p.expr.as_str().trim())) } else { format!("({})", p.expr.as_str().trim()) };
            if let Some(c) = &p.collate {
                collation_note(o, &format!("index {}", i.name), c);
            }
            if p.desc {
                s.push_str(" DESC");
            }
            s
        })
        .collect();
    o.comment("on a large table in use, run this as CREATE INDEX CONCURRENTLY, outside the transaction: it then");
    o.comment("does not block writes while it builds");
    let mut s = format!("CREATE {}INDEX {} ON {} ({})", if i.unique { "UNIQUE " } else { "" }, quote(&i.name), quote(&i.table), parts.join(", "));
    if let Some(w) = &i.where_clause {
        s.push_str(&format!(" WHERE {}", w.as_str().trim()));
    }
    o.stmt(s);
}

/// `ALTER TABLE t DROP CONSTRAINT name`, or for an unnamed constraint a lookup of the name
/// PostgreSQL holds for it, by kind and columns.
fn drop_constraint(o: &mut Out, table: &str, name: &Option<Name>, contype: char, cols: &[&str], what: &str) {
    o.comment(&format!("drop {what} on {table}"));
    if let Some(n) = name {
        o.stmt(format!("ALTER TABLE {} DROP CONSTRAINT {}", quote(table), quote(n)));
        return;
    }
    let cols_sql = cols.iter().map(|c| quote_str(c)).collect::<Vec<_>>().join(", ");
    let cols_match = if contype == 'p' {
        String::new()
    } else {
        format!(
            "\n     AND (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)\n          JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) = ARRAY[{cols_sql}]::text[]"
        )
    };
    let rel = quote_str(&quote(table));
    o.stmt(format!(
        "DO $$\nDECLARE found text;\nBEGIN\n  -- the model leaves this constraint unnamed, so its PostgreSQL name is looked up; STRICT fails\n  -- the migration if none or several match\n  SELECT con.conname INTO STRICT found FROM pg_constraint con\n   WHERE con.conrelid = {rel}::regclass AND con.contype = '{contype}'{cols_match};\n  EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', {}, found);\nEND $$",
        quote_str(table)
    ));
}

fn drop_constraints(o: &mut Out, t: &TableDiff) {
    let name = t.from.name.to_string();
    let mut first = true;
    let mut head = |o: &mut Out| {
        if first {
            o.blank();
            first = false;
        }
    };
    for c in &t.changes {
        match c {
            TableChange::DropForeignKey(fk) => {
                head(o);
                let cols: Vec<&str> = fk.columns.iter().map(|c| &**c).collect();
                drop_constraint(o, &name, &fk.name, 'f', &cols, &format!("foreign key ({})", cols.join(", ")));
            }
            TableChange::DropUnique(u) => {
                head(o);
                let cols: Vec<&str> = u.columns.iter().map(|p| &*p.name).collect();
                drop_constraint(o, &name, &u.name, 'u', &cols, &format!("unique ({})", cols.join(", ")));
            }
            TableChange::DropCheck(ch) => {
                head(o);
                let mut cols: Vec<&str> = t.from.columns.iter().filter(|c| sql::mentions(ch.expr.as_str(), &c.name)).map(|c| &*c.name).collect();
                // pg_constraint lists a check's columns in table order.
                cols.sort_by_key(|c| t.from.columns.iter().position(|x| x.name == **c));
                drop_constraint(o, &name, &ch.name, 'c', &cols, &format!("check ({})", ch.expr.as_str().trim()));
            }
            TableChange::SetPrimaryKey { from: Some(pk), .. } => {
                head(o);
                drop_constraint(o, &name, &pk.name, 'p', &[], "the primary key");
            }
            _ => {}
        }
    }
}

fn alter_table(o: &mut Out, t: &TableDiff) {
    let tn = quote(&t.to.name);
    let name = t.to.name.to_string();
    o.blank();
    o.comment(&format!(
        "alter table {name} in place ({}); SQLite rebuilds it or alters it natively",
        t.changes.iter().map(|c| c.describe()).collect::<Vec<_>>().join("; ")
    ));
    // A column dropped to free its name for a renamed one goes before the renames; the other
    // drops follow them.
    let renamed_onto = |n: &str| t.changes.iter().any(|c| matches!(c, TableChange::RenameColumn { to, .. } if to.eq_ignore_ascii_case(n)));
    let drop_column = |o: &mut Out, col: &Column| {
        o.comment(&format!("data loss: the values of column {name}.{} are deleted", col.name));
        o.stmt(format!("ALTER TABLE {tn} DROP COLUMN {}", quote(&col.name)));
    };
    for c in &t.changes {
        if let TableChange::DropColumn(col) = c {
            if renamed_onto(&col.name) {
                drop_column(o, col);
            }
        }
    }
    for c in &t.changes {
        if let TableChange::RenameColumn { from, to } = c {
            o.stmt(format!("ALTER TABLE {tn} RENAME COLUMN {} TO {}", quote(from), quote(to)));
        }
    }
    for c in &t.changes {
        if let TableChange::DropColumn(col) = c {
            if !renamed_onto(&col.name) {
                drop_column(o, col);
            }
        }
    }
    for c in &t.changes {
        if let TableChange::AddColumn(col) = c {
            let def = column_def(o, &t.to, col);
            o.stmt(format!("ALTER TABLE {tn} ADD COLUMN {def}"));
        }
    }
    for c in &t.changes {
        if let TableChange::ModifyColumn { from, to, changed } = c {
            let cn = quote(&to.name);
            let what = format!("{name}.{}", to.name);
            if changed.generated || from.generated.is_some() != to.generated.is_some() {
                // A generated column holds no data of its own: drop it and add the new one.
                o.stmt(format!("ALTER TABLE {tn} DROP COLUMN {cn}"));
                let def = column_def(o, &t.to, to);
                o.stmt(format!("ALTER TABLE {tn} ADD COLUMN {def}"));
                continue;
            }
            let (ty, note) = pg_type(to.decl_type.as_str(), &what);
            if changed.decl_type {
                if let Some(n) = note {
                    o.note(n);
                }
                let (old_ty, _) = pg_type(from.decl_type.as_str(), &what);
                if old_ty != ty {
                    if from.default.is_some() {
                        // The old default may not convert to the new type.
                        o.stmt(format!("ALTER TABLE {tn} ALTER COLUMN {cn} DROP DEFAULT"));
                    }
                    o.comment(&format!("converts every value of {what}; a value that does not convert fails the migration"));
                    o.stmt(format!("ALTER TABLE {tn} ALTER COLUMN {cn} TYPE {ty} USING {cn}::{ty}"));
                }
            }
            if changed.default || (changed.decl_type && from.default.is_some()) {
                match &to.default {
                    Some(d) => o.stmt(format!("ALTER TABLE {tn} ALTER COLUMN {cn} SET DEFAULT {}", pg_default(d, &ty))),
                    None if from.default.is_some() && !changed.decl_type => o.stmt(format!("ALTER TABLE {tn} ALTER COLUMN {cn} DROP DEFAULT")),
                    None => {}
                }
            }
            if changed.not_null {
                if to.not_null {
                    if let Some(d) = &to.default {
                        o.stmt(format!("UPDATE {tn} SET {cn} = {} WHERE {cn} IS NULL", pg_default(d, &ty)));
                    }
                    o.comment("SET NOT NULL reads the whole table under its lock; on a big table add CHECK (col IS NOT NULL)");
                    o.comment("NOT VALID, VALIDATE it, and SET NOT NULL then skips the scan");
                    o.stmt(format!("ALTER TABLE {tn} ALTER COLUMN {cn} SET NOT NULL"));
                } else {
                    o.stmt(format!("ALTER TABLE {tn} ALTER COLUMN {cn} DROP NOT NULL"));
                }
            }
            if changed.collate {
                match &to.collate {
                    Some(coll) => collation_note(o, &format!("column {what}"), coll),
                    None => o.comment(&format!("column {what} drops its SQLite collation; nothing to do on PostgreSQL")),
                }
            }
        }
    }
    for c in &t.changes {
        match c {
            TableChange::SetPrimaryKey { to: Some(pk), .. } => {
                o.stmt(format!("ALTER TABLE {tn} ADD {}PRIMARY KEY ({})", named(&pk.name), key_cols(&pk.columns)));
            }
            TableChange::AddUnique(u) => {
                o.comment("builds a unique index under the table's lock; on a busy table build it first with CREATE UNIQUE");
                o.comment("INDEX CONCURRENTLY and then ADD CONSTRAINT ... UNIQUE USING INDEX");
                o.stmt(format!("ALTER TABLE {tn} ADD {}UNIQUE ({})", named(&u.name), key_cols(&u.columns)));
            }
            TableChange::AddCheck(ch) => {
                o.stmt(format!("ALTER TABLE {tn} ADD {}CHECK ({})", named(&ch.name), ch.expr.as_str().trim()));
            }
            TableChange::AddForeignKey(fk) => {
                o.comment("checks every row under lock; on a big table add it NOT VALID, then VALIDATE CONSTRAINT separately");
                o.stmt(format!("ALTER TABLE {tn} ADD {}{}", named(&fk.name), fk_clause(fk)));
            }
            TableChange::SetStrict(_) | TableChange::SetWithoutRowid(_) => table_options_note(o, &t.to),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (SQLite declared type, PostgreSQL type, whether a note comes with it)
    #[test]
    fn types_map_as_sqlalchemy_maps_the_same_model() {
        let cases: &[(&str, &str, bool)] = &[
            ("INTEGER", "INTEGER", false),
            ("int", "INTEGER", false),
            ("BIGINT", "BIGINT", false),
            ("VARCHAR", "VARCHAR", false),
            ("VARCHAR(255)", "VARCHAR(255)", false),
            ("CHAR(32)", "UUID", true),
            ("CHAR(2)", "CHAR(2)", false),
            ("TEXT", "TEXT", false),
            ("FLOAT", "DOUBLE PRECISION", false),
            ("REAL", "REAL", false),
            ("BOOLEAN", "BOOLEAN", false),
            ("DATETIME", "TIMESTAMP WITHOUT TIME ZONE", false),
            ("DATE", "DATE", false),
            ("BLOB", "BYTEA", false),
            ("NUMERIC(10, 2)", "NUMERIC(10, 2)", false),
            ("DECIMAL(8,3)", "NUMERIC(8, 3)", false),
            ("", "TEXT", true),
            ("MYSTERY", "MYSTERY", true),
        ];
        for (decl, want, noted) in cases {
            let (got, note) = pg_type(decl, "t.c");
            assert_eq!((got.as_str(), note.is_some()), (*want, *noted), "{decl}");
        }
    }

    #[test]
    fn boolean_defaults_become_true_and_false() {
        assert_eq!(pg_default(&Sql::new("0"), "BOOLEAN"), "FALSE");
        assert_eq!(pg_default(&Sql::new("'1'"), "BOOLEAN"), "TRUE");
        assert_eq!(pg_default(&Sql::new("0"), "INTEGER"), "0");
    }
}
