//! The Alembic revision script of a revision: `revision`/`down_revision` following strata's
//! graph, `upgrade()`/`downgrade()` made of `op.*` calls, and `op.batch_alter_table` exactly
//! where strata's plan rebuilds a table on SQLite.
//!
//! The script follows strata's plan step by step, so both tools order the work the same way
//! (views that read a rebuilt table are dropped before it and created after it, for instance).
//! A rebuild passes the table's new shape as `copy_from`, so Alembic neither reflects the old
//! table (reflection forgets unnamed CHECK constraints) nor needs constraint names to drop
//! SQLModel's unnamed constraints. What `op.*` cannot say (views, triggers, keys with COLLATE or
//! DESC, implicit foreign key targets) runs as `op.execute` of strata's SQLite statement, with a
//! comment saying so.

use std::collections::BTreeSet;

use crate::diff::{Change, TableChange, TableDiff};
use crate::export::{py_str, ExportInput};
use crate::plan::{Plan, RebuildPart, Step, StepKind};
use crate::schema::*;
use crate::sql;

/// The whole revision script.
pub fn alembic(input: &ExportInput) -> String {
    let mut w = Writer::default();
    let (up, down) = if input.faithful {
        let (_, up_plan) = input.up();
        let (_, down_plan) = input.down();
        (w.plan_body(&up_plan, &input.from, &input.to), w.plan_body(&down_plan, &input.to, &input.from))
    } else {
        (verbatim(&input.up_sql, input.up_foreign_keys_off), verbatim(&input.down_sql, input.down_foreign_keys_off))
    };

    let mut out = String::new();
    out.push_str(&format!("\"\"\"{}\n\n", docstring_safe(if input.message.is_empty() { "strata revision" } else { &input.message })));
    out.push_str(&format!("Revision ID: {}\n", input.id));
    out.push_str(&format!("Revises: {}\n", input.parents.join(", ")));
    out.push_str(&format!("Create Date: {}\n\n", docstring_safe(&input.created)));
    out.push_str("Exported by strata from its revision of the same id.\n");
    if !input.faithful {
        out.push_str(
            "This revision's SQL was written or edited by hand, so it runs here as written\n(op.execute); it is SQLite SQL and may need changes for another database.\n",
        );
    }
    out.push_str("\"\"\"\n");
    out.push_str("from typing import Sequence, Union\n\nfrom alembic import op\nimport sqlalchemy as sa\n");
    if w.uses_sqlmodel {
        out.push_str("import sqlmodel\n");
    }
    out.push_str("\n# revision identifiers, used by Alembic.\n");
    out.push_str(&format!("revision: str = {}\n", py_str(&input.id)));
    let down_revision = match input.parents.as_slice() {
        [] => "None".to_string(),
        [one] => py_str(one),
        many => format!("({},)", many.iter().map(|p| py_str(p)).collect::<Vec<_>>().join(", ")),
    };
    out.push_str(&format!("down_revision: Union[str, Sequence[str], None] = {down_revision}\n"));
    out.push_str("branch_labels: Union[str, Sequence[str], None] = None\n");
    out.push_str("depends_on: Union[str, Sequence[str], None] = None\n");
    if w.uses_raw_type {
        out.push_str(RAW_TYPE);
    }
    out.push_str("\n\ndef upgrade() -> None:\n");
    out.push_str(&indent_body(&up));
    out.push_str("\n\ndef downgrade() -> None:\n");
    out.push_str(&indent_body(&down));
    out
}

const RAW_TYPE: &str = r#"

class RawType(sa.types.UserDefinedType):
    """A column type written exactly as strata's SQLite schema has it."""

    cache_ok = True

    def __init__(self, spec: str) -> None:
        self.spec = spec

    def get_col_spec(self, **kw) -> str:
        return self.spec
"#;

fn docstring_safe(s: &str) -> String {
    s.replace('\\', "\\\\").replace("\"\"\"", "\\\"\\\"\\\"")
}

fn indent_body(lines: &[String]) -> String {
    if lines.iter().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
        let mut out: String = lines.iter().map(|l| format!("    {l}\n")).collect();
        out.push_str("    pass\n");
        return out;
    }
    lines.iter().map(|l| if l.is_empty() { "\n".to_string() } else { format!("    {l}\n") }).collect()
}

fn verbatim(text: &str, foreign_keys_off: bool) -> Vec<String> {
    let mut out = Vec::new();
    if foreign_keys_off {
        out.push("# These statements drop or rebuild tables: run them with foreign keys off (SQLite's default for a".into());
        out.push("# new connection unless the application's engine turns them on).".into());
    }
    for st in sql::split_statements(text) {
        out.push(format!("op.execute({})", py_str(st.text.trim())));
    }
    out
}

#[derive(Default)]
struct Writer {
    uses_sqlmodel: bool,
    uses_raw_type: bool,
}

impl Writer {
    /// The body of `upgrade()` or `downgrade()` for a plan from `from` to `to`.
    fn plan_body(&mut self, p: &Plan, from: &Schema, to: &Schema) -> Vec<String> {
        let mut out = Vec::new();
        if p.steps.is_empty() {
            out.push("# nothing to do: the schemas are the same".to_string());
            return out;
        }
        if p.foreign_keys_off {
            out.push("# This step drops or rebuilds tables: on SQLite run it with foreign keys off (the default for".into());
            out.push("# a new connection), or a rebuild's DROP TABLE can cascade into child rows.".into());
        }
        let mut last_comment: Option<&str> = None;
        for step in &p.steps {
            let change = &p.changes[step.change];
            if let StepKind::Rebuild { table, temp, part } = &step.kind {
                // A rebuild is one batch block, written where its temporary table is created;
                // its other statements are in the block.
                if *part != RebuildPart::CreateTemp {
                    continue;
                }
                let steps: Vec<&Step> = p.steps.iter().filter(|s| matches!(&s.kind, StepKind::Rebuild { temp: t, .. } if t == temp)).collect();
                out.push(String::new());
                out.push(format!("# {}", step.comment));
                last_comment = Some(&step.comment);
                match change {
                    Change::ModifyTable(d) if key(&d.to.name) == key(table) => {
                        // Renames the plan does inside the copy (not as a native RENAME COLUMN
                        // step, which SQLite refuses for some tables) happen in the batch.
                        let native: Vec<(String, String)> = p
                            .steps
                            .iter()
                            .filter(|s| s.change == step.change)
                            .filter_map(|s| if let StepKind::RenameColumn { from, to, .. } = &s.kind { Some((key(from), key(to))) } else { None })
                            .collect();
                        let in_copy: Vec<(String, String)> = d
                            .changes
                            .iter()
                            .filter_map(|c| if let TableChange::RenameColumn { from, to } = c { Some((from.clone(), to.clone())) } else { None })
                            .filter(|(a, b)| !native.contains(&(key(a), key(b))))
                            .collect();
                        self.batch(d, &steps, &in_copy, &mut out);
                    }
                    // A table rebuilt because of another one's change (its foreign key follows a
                    // renamed parent column): recreated in its new shape.
                    _ => match (from.table(table), to.table(table)) {
                        (Some(f), Some(t)) => {
                            let d = TableDiff { from: f.clone(), to: t.clone(), changes: Vec::new() };
                            self.batch(&d, &steps, &[], &mut out);
                        }
                        _ => {
                            for s in &steps {
                                out.push(self.execute(&s.sql));
                            }
                        }
                    },
                }
                continue;
            }
            if last_comment != Some(step.comment.as_str()) {
                out.push(String::new());
                out.push(format!("# {}", step.comment));
                last_comment = Some(&step.comment);
            }
            if let Some(loss) = &step.data_loss {
                out.push(format!("# data loss: {loss}"));
            }
            match (&step.kind, change) {
                (StepKind::DropIndex { index: name, .. }, _) => match from.indexes.get(&key(name)) {
                    Some(i) => out.push(format!("op.drop_index({}, table_name={})", py_str(&i.name), py_str(&i.table))),
                    None => out.push(self.execute(&step.sql)),
                },
                (StepKind::DropTable { table: name }, Change::DropTable(_)) => out.push(format!("op.drop_table({})", py_str(name))),
                (StepKind::RenameTable { from: a, to: b }, Change::RenameTable { .. }) => {
                    out.push(format!("op.rename_table({}, {})", py_str(a), py_str(b)))
                }
                (StepKind::CreateTable { .. }, Change::AddTable(t)) => match self.table_parts(t) {
                    Some(parts) => {
                        out.push("op.create_table(".into());
                        out.push(format!("    {},", py_str(&t.name)));
                        out.extend(parts.into_iter().map(|p| format!("    {p},")));
                        out.push(")".into());
                    }
                    None => {
                        out.push("# written as SQLite SQL: the table uses key options op.create_table cannot express".into());
                        out.push(self.execute(&step.sql));
                    }
                },
                (StepKind::CreateIndex { index: name, .. }, _) => match to.indexes.get(&key(name)) {
                    Some(i) => out.push(self.create_index(i)),
                    None => out.push(self.execute(&step.sql)),
                },
                (StepKind::DropColumn { table: t, column: c }, Change::ModifyTable(_)) => out.push(format!("op.drop_column({}, {})", py_str(t), py_str(c))),
                (StepKind::RenameColumn { table: t, from: a, to: b }, Change::ModifyTable(_)) => {
                    out.push(format!("op.alter_column({}, {}, new_column_name={})", py_str(t), py_str(a), py_str(b)))
                }
                (StepKind::AddColumn { table: t, column: c }, Change::ModifyTable(d)) => {
                    let col = d.to.column(c);
                    let fk = d.to.foreign_keys.iter().find(|f| f.columns.len() == 1 && f.columns[0].eq_ignore_ascii_case(c));
                    let inline_check = d.changes.iter().any(|x| matches!(x, TableChange::AddCheck(ch) if sql::mentions(ch.expr.as_str(), c)));
                    match (col, inline_check) {
                        (Some(col), false) if fk.is_none_or(fk_expressible) => {
                            let column = self.column(col, fk, false);
                            let inline = if fk.is_some() { ", inline_references=True" } else { "" };
                            out.push(format!("op.add_column({}, {column}{inline})", py_str(t)));
                        }
                        _ => {
                            out.push("# written as SQLite SQL: op.add_column cannot put this column's CHECK in the ALTER".into());
                            out.push(self.execute(&step.sql));
                        }
                    }
                }
                // Views and triggers have no op.* of their own; everything else is SQLite-only.
                _ => out.push(self.execute(&step.sql)),
            }
        }
        while out.first().is_some_and(|l| l.is_empty()) {
            out.remove(0);
        }
        out
    }

    fn execute(&mut self, sql_text: &str) -> String {
        format!("op.execute({})", py_str(sql_text.trim()))
    }

    /// A rebuild as `op.batch_alter_table(recreate="always", copy_from=<new shape>)`.
    ///
    /// Alembic copies every column of `copy_from` from the old table by name. Columns with
    /// nothing to copy (new ones, and generated ones, which refuse INSERT) are therefore dropped
    /// from the copy and added back empty; constraints that mention them stay in `copy_from`,
    /// which keeps them unnamed where the model has them unnamed (batch operations insist on
    /// names). Dropped columns are listed with their old definition and dropped, which reads as
    /// what happens.
    ///
    /// `renames` are done by the batch itself: `copy_from` names those columns as the old table
    /// does (expressions already use the new names) and `alter_column` renames them.
    fn batch(&mut self, d: &TableDiff, steps: &[&Step], renames: &[(String, String)], out: &mut Vec<String>) {
        let name = d.to.name.to_string();
        let added: BTreeSet<String> =
            d.changes.iter().filter_map(|c| if let TableChange::AddColumn(c) = c { Some(key(&c.name)) } else { None }).collect();
        let fresh: Vec<&Column> = d.to.columns.iter().filter(|c| added.contains(&key(&c.name)) || c.generated.is_some()).collect();
        let dropped: Vec<&Column> = d
            .changes
            .iter()
            .filter_map(|c| if let TableChange::DropColumn(c) = c { Some(c) } else { None })
            .collect();
        let mut shape = d.to.clone();
        for (old, new) in renames {
            let back = |n: &mut Name| {
                if n.eq_ignore_ascii_case(new) {
                    *n = Name(old.clone());
                }
            };
            shape.columns.iter_mut().for_each(|c| back(&mut c.name));
            if let Some(pk) = &mut shape.primary_key {
                pk.columns.iter_mut().for_each(|p| back(&mut p.name));
            }
            shape.uniques.iter_mut().for_each(|u| u.columns.iter_mut().for_each(|p| back(&mut p.name)));
            shape.foreign_keys.iter_mut().for_each(|f| f.columns.iter_mut().for_each(back));
        }
        let Some(mut parts) = self.table_parts(&shape) else {
            out.push("# written as SQLite SQL: the table uses key options batch_alter_table cannot express".into());
            for s in steps {
                out.push(self.execute(&s.sql));
            }
            return;
        };
        if steps.iter().any(|s| matches!(s.kind, StepKind::Rebuild { part: RebuildPart::Sequence, .. })) {
            out.push("# Alembic's copy does not carry the AUTOINCREMENT counter over; strata's does.".into());
        }
        // A column made NOT NULL with a default gets the default where it was NULL, as strata's
        // copy does with COALESCE.
        for c in &d.changes {
            if let TableChange::ModifyColumn { from, to, changed } = c {
                if changed.not_null && to.not_null && !from.not_null && to.generated.is_none() {
                    if let Some(def) = &to.default {
                        let now = renames.iter().find(|(_, n)| n.eq_ignore_ascii_case(&to.name)).map_or(&*to.name, |(o, _)| o.as_str());
                        let q = sql::quote(now);
                        out.push(format!(
                            "op.execute({})",
                            py_str(&format!("UPDATE {} SET {q} = {} WHERE {q} IS NULL", sql::quote(&name), def.as_str().trim()))
                        ));
                    }
                }
            }
        }
        for c in dropped.iter().rev() {
            parts.insert(0, self.column(c, None, false));
        }
        out.push(format!("with op.batch_alter_table({}, recreate=\"always\", copy_from=sa.Table(", py_str(&name)));
        out.push(format!("    {},", py_str(&name)));
        out.push("    sa.MetaData(),".into());
        out.extend(parts.iter().map(|p| format!("    {p},")));
        out.push(")) as batch_op:".into());
        let mut ops = Vec::new();
        for (old, new) in renames {
            ops.push(format!("batch_op.alter_column({}, new_column_name={})", py_str(old), py_str(new)));
        }
        for c in &dropped {
            ops.push(format!("batch_op.drop_column({})", py_str(&c.name)));
        }
        if !fresh.is_empty() {
            ops.push("# new and generated columns have nothing to copy: take them out of the copy, add them empty".into());
        }
        for c in &fresh {
            ops.push(format!("batch_op.drop_column({})", py_str(&c.name)));
        }
        // Dropping a column takes it out of the primary key too; adding it back with the flag
        // puts it back.
        let in_pk = |c: &Column| d.to.primary_key.as_ref().is_some_and(|pk| pk.columns.iter().any(|p| p.name == c.name));
        for c in &fresh {
            ops.push(format!("batch_op.add_column({})", self.column(c, None, in_pk(c))));
        }
        if ops.is_empty() {
            ops.push("pass  # the new shape above is the whole change".into());
        }
        out.extend(ops.into_iter().map(|o| format!("    {o}")));
    }

    /// The arguments of `op.create_table` / `sa.Table` after the name: columns, then
    /// constraints, then SQLite table options. None when a key cannot be written with
    /// SQLAlchemy.
    fn table_parts(&mut self, t: &Table) -> Option<Vec<String>> {
        let mut parts = Vec::new();
        for c in &t.columns {
            parts.push(self.column(c, None, false));
        }
        if let Some(pk) = &t.primary_key {
            if pk.on_conflict.is_some() || pk.columns.iter().any(|p| p.collate.is_some() || p.desc) {
                return None;
            }
            let cols: Vec<&str> = pk.columns.iter().map(|p| &*p.name).collect();
            parts.push(format!("sa.PrimaryKeyConstraint({}{})", py_args(&cols), name_kw(&pk.name)));
        }
        for u in &t.uniques {
            if u.columns.iter().any(|p| p.collate.is_some() || p.desc) {
                return None;
            }
            let cols: Vec<&str> = u.columns.iter().map(|p| &*p.name).collect();
            let oc = u.on_conflict.as_ref().map(|o| format!(", sqlite_on_conflict={}", py_str(o))).unwrap_or_default();
            parts.push(format!("sa.UniqueConstraint({}{}{oc})", py_args(&cols), name_kw(&u.name)));
        }
        for ch in &t.checks {
            parts.push(format!("sa.CheckConstraint({}{})", py_str(ch.expr.as_str().trim()), name_kw(&ch.name)));
        }
        for fk in &t.foreign_keys {
            if !fk_expressible(fk) {
                return None;
            }
            let cols: Vec<&str> = fk.columns.iter().map(|c| &**c).collect();
            let refs: Vec<String> = fk.ref_columns.iter().map(|c| format!("{}.{}", fk.ref_table, c)).collect();
            let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
            parts.push(format!("sa.ForeignKeyConstraint({}, {}{}{})", py_list(&cols), py_list(&refs), fk_options(fk), name_kw(&fk.name)));
        }
        if t.primary_key.as_ref().is_some_and(|pk| pk.autoincrement) {
            parts.push("sqlite_autoincrement=True".into());
        }
        if t.without_rowid {
            parts.push("sqlite_with_rowid=False".into());
        }
        if t.strict {
            parts.push("sqlite_strict=True".into());
        }
        Some(parts)
    }

    /// `sa.Column(...)`, with a column-level foreign key or primary key flag when asked.
    fn column(&mut self, c: &Column, fk: Option<&ForeignKey>, primary_key: bool) -> String {
        let positional: Vec<String> = fk.map(|f| self.inline_fk(f)).into_iter().collect();
        let keywords: Vec<String> = if primary_key { vec!["primary_key=True".into()] } else { Vec::new() };
        self.column_with(c, &positional, &keywords)
    }

    /// `sa.Column(name, type, *positional, ..., *keywords, nullable=, server_default=)`.
    fn column_with(&mut self, c: &Column, positional: &[String], keywords: &[String]) -> String {
        let mut s = format!("sa.Column({}, {}", py_str(&c.name), self.sa_type(c));
        for p in positional {
            s.push_str(&format!(", {p}"));
        }
        if let Some(g) = &c.generated {
            s.push_str(&format!(", sa.Computed({}, persisted={})", py_str(g.expr.as_str().trim()), if g.stored { "True" } else { "False" }));
        }
        for k in keywords {
            s.push_str(&format!(", {k}"));
        }
        s.push_str(&format!(", nullable={}", if c.not_null { "False" } else { "True" }));
        if let Some(d) = &c.default {
            s.push_str(&format!(", server_default=sa.text({})", py_str(d.as_str().trim())));
        }
        s.push(')');
        s
    }

    fn inline_fk(&mut self, fk: &ForeignKey) -> String {
        format!("sa.ForeignKey({}{}{})", py_str(&format!("{}.{}", fk.ref_table, fk.ref_columns[0])), fk_options(fk), name_kw(&fk.name))
    }

    fn create_index(&mut self, i: &Index) -> String {
        let parts: Vec<String> = i
            .parts
            .iter()
            .map(|p| {
                let toks: Vec<_> = sql::tokenize(p.expr.as_str()).into_iter().filter(|t| !t.is_trivia()).collect();
                let bare = toks.len() == 1 && toks[0].is_name();
                if bare && p.collate.is_none() && !p.desc {
                    py_str(&sql::unquote(p.expr.as_str().trim()))
                } else {
                    let mut e = if bare { sql::quote(&sql::unquote(p.expr.as_str().trim())) } else { p.expr.as_str().trim().to_string() };
                    if let Some(c) = &p.collate {
                        e.push_str(&format!(" COLLATE {}", c.as_str()));
                    }
                    if p.desc {
                        e.push_str(" DESC");
                    }
                    format!("sa.text({})", py_str(&e))
                }
            })
            .collect();
        let mut s = format!("op.create_index({}, {}, [{}], unique={}", py_str(&i.name), py_str(&i.table), parts.join(", "), if i.unique { "True" } else { "False" });
        if let Some(w) = &i.where_clause {
            let w = py_str(w.as_str().trim());
            s.push_str(&format!(", sqlite_where=sa.text({w}), postgresql_where=sa.text({w})"));
        }
        s.push(')');
        s
    }

    /// The SQLAlchemy type that renders as `c`'s declared type on SQLite. VARCHAR becomes
    /// SQLModel's AutoString (what Alembic autogenerate writes for SQLModel `str` fields) and
    /// CHAR(32) becomes `sa.Uuid()` (SQLAlchemy's SQLite form of `uuid.UUID`, and UUID on
    /// PostgreSQL); a type with no SQLAlchemy spelling is written as is through `RawType`.
    fn sa_type(&mut self, c: &Column) -> String {
        let decl = c.decl_type.as_str().trim();
        let (base, args) = split_type(decl);
        let coll = c.collate.as_ref().map(|x| x.as_str().to_string());
        let coll_kw = |first: bool| coll.as_ref().map(|x| format!("{}collation={}", if first { "" } else { ", " }, py_str(x))).unwrap_or_default();
        let stringy = matches!(base.as_str(), "VARCHAR" | "TEXT" | "CHAR");
        if let Some(coll) = coll.as_ref().filter(|_| !stringy) {
            self.uses_raw_type = true;
            return format!("RawType({})", py_str(&format!("{decl} COLLATE {coll}")));
        }
        let t = match (base.as_str(), args.as_slice()) {
            ("INTEGER", []) => "sa.Integer()".to_string(),
            ("BIGINT", []) => "sa.BigInteger()".into(),
            ("SMALLINT", []) => "sa.SmallInteger()".into(),
            ("VARCHAR", []) => {
                self.uses_sqlmodel = true;
                format!("sqlmodel.sql.sqltypes.AutoString({})", coll_kw(true))
            }
            ("VARCHAR", [n]) => {
                self.uses_sqlmodel = true;
                format!("sqlmodel.sql.sqltypes.AutoString(length={n}{})", coll_kw(false))
            }
            ("TEXT", []) => format!("sa.Text({})", coll_kw(true)),
            ("CHAR", [n]) if *n == 32 && coll.is_none() => "sa.Uuid()".into(),
            ("CHAR", [n]) => format!("sa.CHAR(length={n}{})", coll_kw(false)),
            ("FLOAT", []) => "sa.Float()".into(),
            ("REAL", []) => "sa.REAL()".into(),
            ("BOOLEAN", []) => "sa.Boolean()".into(),
            ("DATETIME", []) => "sa.DateTime()".into(),
            ("DATE", []) => "sa.Date()".into(),
            ("TIME", []) => "sa.Time()".into(),
            ("TIMESTAMP", []) => "sa.TIMESTAMP()".into(),
            ("BLOB", []) => "sa.LargeBinary()".into(),
            ("JSON", []) => "sa.JSON()".into(),
            ("NUMERIC", []) => "sa.Numeric()".into(),
            ("NUMERIC", [p]) => format!("sa.Numeric(precision={p})"),
            ("NUMERIC", [p, s]) => format!("sa.Numeric(precision={p}, scale={s})"),
            ("DECIMAL", [p, s]) => format!("sa.DECIMAL(precision={p}, scale={s})"),
            _ => {
                self.uses_raw_type = true;
                format!("RawType({})", py_str(decl))
            }
        };
        t
    }
}

/// `VARCHAR(20)` → ("VARCHAR", [20]); anything not of the form `WORDS[(n[, m])]` → ("", []).
pub(crate) fn split_type(decl: &str) -> (String, Vec<u32>) {
    let (head, args) = match decl.find('(') {
        Some(i) if decl.ends_with(')') => (&decl[..i], Some(&decl[i + 1..decl.len() - 1])),
        Some(_) => return (String::new(), Vec::new()),
        None => (decl, None),
    };
    let base = head.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_uppercase();
    if base.is_empty() || !base.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '_') {
        return (String::new(), Vec::new());
    }
    let nums: Option<Vec<u32>> = match args {
        None => Some(Vec::new()),
        Some(a) => a.split(',').map(|x| x.trim().parse().ok()).collect(),
    };
    match nums {
        Some(n) => (base, n),
        None => (String::new(), Vec::new()),
    }
}

/// SQLAlchemy names a foreign key's target as "table.column", so names with dots, and foreign
/// keys that leave the target columns implicit, are written as SQL instead.
fn fk_expressible(fk: &ForeignKey) -> bool {
    !fk.ref_columns.is_empty() && !fk.ref_table.contains('.') && fk.ref_columns.iter().all(|c| !c.contains('.'))
}

fn fk_options(fk: &ForeignKey) -> String {
    let mut s = String::new();
    if fk.on_delete != FkAction::NoAction {
        s.push_str(&format!(", ondelete={}", py_str(fk.on_delete.sql())));
    }
    if fk.on_update != FkAction::NoAction {
        s.push_str(&format!(", onupdate={}", py_str(fk.on_update.sql())));
    }
    if fk.deferred {
        s.push_str(", deferrable=True, initially=\"DEFERRED\"");
    }
    s
}

fn name_kw(n: &Option<Name>) -> String {
    n.as_ref().map(|n| format!(", name={}", py_str(n))).unwrap_or_default()
}

fn py_args(items: &[&str]) -> String {
    items.iter().map(|s| py_str(s)).collect::<Vec<_>>().join(", ")
}

fn py_list(items: &[&str]) -> String {
    format!("[{}]", py_args(items))
}

