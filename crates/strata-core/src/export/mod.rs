//! Exports of one revision for the tools our users already run: an Alembic revision script
//! ([`alembic`]), PostgreSQL SQL with notes where PostgreSQL behaves differently ([`postgres`]),
//! and plain up/down SQL files ([`sql_files`]); and of the whole history as a runnable Alembic
//! project ([`alembic_project`]). Pure functions of an [`ExportInput`]: the schemas
//! before and after the revision, the renames it performs, and its place in the graph.
//!
//! A revision file holds SQL, not changes, so [`ExportInput::for_revision`] has both schemas
//! rebuilt from the graph (by the caller's [`HeadSchema`]: strata-engine runs the revisions) and reads the renames back from the revision's own statements, then checks
//! that planning those schemas gives the revision's SQL again. When it does not (a hand-written
//! or edited revision), the exports say so and carry the statements verbatim instead of
//! inventing changes the revision never made.

pub mod alembic;
pub mod postgres;
pub mod project;

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::diff::{diff, Diff, Rename};
use crate::plan::{plan, Plan, PlanOptions};
use crate::revision::{Direction, Graph, Revision};
use crate::schema::Schema;
use crate::script::script_sql;
use crate::sql;
use crate::statement::{self, Alter, Object, Verb};

pub use alembic::alembic;
pub use postgres::{postgres, PostgresExport};
pub use project::{alembic_project, AlembicProject, ModelsFile};

/// Why an export could not be made. Nothing is written by the core either way.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    #[error("revision {id} is not in the graph")]
    UnknownRevision { id: String },
    /// The schema before or after the revision could not be rebuilt from the revisions.
    #[error("cannot rebuild the schema {which} revision {id}: {cause}")]
    Schema {
        id: String,
        which: &'static str,
        /// Part of the message, not `source()` (see strata-engine's `error.rs`).
        cause: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("cannot read the revision graph: {0}")]
    Graph(crate::revision::RevisionError),
}

impl From<crate::revision::RevisionError> for ExportError {
    fn from(e: crate::revision::RevisionError) -> Self {
        ExportError::Graph(e)
    }
}

/// What rebuilds the schema that a graph's single head produces. The core runs no SQL, so the
/// exports that start from revision files ask their caller: strata-engine runs the revisions in
/// a scratch database (`migrate::Replay`).
pub trait HeadSchema {
    /// The schema that `graph`'s single head and everything it builds on produce (empty for an
    /// empty graph).
    fn head_schema(&self, graph: &Graph) -> Result<Schema, Box<dyn std::error::Error + Send + Sync>>;
}

/// Everything an export needs about one revision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportInput {
    pub id: String,
    /// Empty for a base revision, two or more for a merge.
    pub parents: Vec<String>,
    pub message: String,
    /// Creation time as recorded in the revision (shown in the Alembic docstring).
    pub created: String,
    /// The schema before the revision (all parents applied) and after it.
    pub from: Schema,
    pub to: Schema,
    pub renames: Vec<Rename>,
    /// The revision's own statements, both ways, for exports that carry SQL as written.
    pub up_sql: String,
    pub down_sql: String,
    pub up_foreign_keys_off: bool,
    pub down_foreign_keys_off: bool,
    /// False when planning `from` → `to` does not give the revision's SQL back (the revision
    /// was written or edited by hand): the exports then run its statements verbatim.
    pub faithful: bool,
}

impl ExportInput {
    /// An input made from two schemas, as the playground and the CLI have them right after
    /// autogenerate; the SQL is strata's own plan, so it is faithful by construction.
    pub fn from_schemas(id: &str, parents: Vec<String>, message: &str, created: &str, from: Schema, to: Schema, renames: Vec<Rename>) -> ExportInput {
        let (up, down) = plans(&from, &to, &renames);
        ExportInput {
            id: id.into(),
            parents,
            message: message.into(),
            created: created.into(),
            up_sql: up.body_sql(),
            down_sql: down.body_sql(),
            up_foreign_keys_off: up.foreign_keys_off,
            down_foreign_keys_off: down.foreign_keys_off,
            from,
            to,
            renames,
            faithful: true,
        }
    }

    /// The input for revision `id` of `graph`: the schema its parents produce, the schema it
    /// produces (each built by `schemas`), and the renames its SQL performs.
    pub fn for_revision(graph: &Graph, id: &str, schemas: &dyn HeadSchema) -> Result<ExportInput, ExportError> {
        let rev = graph.get(id).ok_or_else(|| ExportError::UnknownRevision { id: id.into() })?;
        let schema_err = |which| move |cause| ExportError::Schema { id: id.to_string(), which, cause };
        let to = schemas.head_schema(&sub_graph(graph, id, None)?).map_err(schema_err("after"))?;
        let from = match rev.parents.len() {
            0 => Schema::default(),
            1 => schemas.head_schema(&sub_graph(graph, &rev.parents[0], None)?).map_err(schema_err("before"))?,
            // A merge starts from all of its parents applied: a stand-in revision with the same
            // parents and no statements gives the graph the single head head_schema wants.
            _ => schemas.head_schema(&sub_graph(graph, id, Some(rev))?).map_err(schema_err("before"))?,
        };
        let renames = renames_in_sql(&rev.up);
        let (up, _) = plans(&from, &to, &renames);
        let faithful = same_statements(&up.body_sql(), &rev.up) || creates_only(&rev.up, &rev.down);
        Ok(ExportInput {
            id: rev.id.clone(),
            parents: rev.parents.clone(),
            message: rev.message.clone(),
            created: rev.created.clone(),
            from,
            to,
            renames,
            up_sql: rev.up.clone(),
            down_sql: rev.down.clone(),
            up_foreign_keys_off: rev.up_options.foreign_keys_off,
            down_foreign_keys_off: rev.down_options.foreign_keys_off,
            faithful,
        })
    }

    /// The diff and plan of the upgrade, as strata computes them.
    pub fn up(&self) -> (Diff, Plan) {
        let d = diff(&self.from, &self.to, &self.renames);
        let p = plan(&self.from, &self.to, &d, &PlanOptions::default());
        (d, p)
    }

    /// The diff and plan of the downgrade: the reverse diff with the renames reversed.
    pub fn down(&self) -> (Diff, Plan) {
        let back: Vec<Rename> = self.renames.iter().map(Rename::reversed).collect();
        let d = diff(&self.to, &self.from, &back);
        let p = plan(&self.to, &self.from, &d, &PlanOptions::default());
        (d, p)
    }
}

fn plans(from: &Schema, to: &Schema, renames: &[Rename]) -> (Plan, Plan) {
    let opts = PlanOptions::default();
    let up = plan(from, to, &diff(from, to, renames), &opts);
    let back: Vec<Rename> = renames.iter().map(Rename::reversed).collect();
    let down = plan(to, from, &diff(to, from, &back), &opts);
    (up, down)
}

/// The revisions `head` builds on (with `head` itself unless `stand_in` replaces it by an empty
/// revision with the same parents).
fn sub_graph(graph: &Graph, head: &str, stand_in: Option<&Revision>) -> Result<Graph, ExportError> {
    let keep = graph.ancestors(head);
    let mut revs: Vec<Revision> = graph.revisions().filter(|r| keep.contains(&r.id)).cloned().collect();
    if let Some(r) = stand_in {
        revs.retain(|x| x.id != r.id);
        revs.push(Revision::new(&r.id, r.parents.clone(), "parents of a merge", &r.created, "", ""));
    }
    Ok(Graph::new(revs)?)
}

/// Whether a hand-written revision only creates new tables, indexes, views and triggers, and
/// its down only drops what the up created. Such a revision does nothing beyond the schema
/// change (no rows are written, none can be lost on the way up), so strata's own plan between
/// the two schemas is equivalent to it, however the SQL is spelled.
fn creates_only(up: &str, down: &str) -> bool {
    // The kind and name of a `CREATE` or `DROP` of a table, index, view or trigger of the main
    // database, read by the one statement classifier.
    let object = |text: &str, verb: Verb| -> Option<(statement::Classified, String)> {
        let c = statement::classify(text);
        let plain = c.verb == verb && !c.temp && matches!(c.object, Some(Object::Table | Object::Index | Object::View | Object::Trigger));
        let name = c.name.as_ref().filter(|n| n.is_main())?.name.to_ascii_lowercase();
        plain.then_some((c, name))
    };
    let mut created = Vec::new();
    for st in sql::split_statements(up) {
        match object(&st.text, Verb::Create) {
            // CREATE TABLE ... AS SELECT writes rows.
            Some((c, _)) if c.as_select => return false,
            Some((_, name)) => created.push(name),
            None if sql::normalize(&st.text).is_empty() => {}
            None => return false,
        }
    }
    !created.is_empty()
        && sql::split_statements(down).iter().all(|st| {
            sql::normalize(&st.text).is_empty() || object(&st.text, Verb::Drop).is_some_and(|(_, name)| created.contains(&name))
        })
}

/// Whether two scripts hold the same statements, ignoring comments, spacing and keyword case.
fn same_statements(a: &str, b: &str) -> bool {
    let norm = |s: &str| sql::split_statements(s).iter().map(|st| sql::normalize(&st.text)).filter(|n| !n.is_empty()).collect::<Vec<_>>();
    norm(a) == norm(b)
}

/// The renames a plan's SQL performs: `ALTER TABLE a RENAME TO b` (through a temporary name
/// when tables swap), `ALTER TABLE t RENAME COLUMN a TO b`, and columns a rebuild copies under
/// a new name (`INSERT INTO tmp (new) SELECT old`). Renamed columns are reported under the
/// table's final name, as the diff expects them.
pub fn renames_in_sql(text: &str) -> Vec<Rename> {
    let temp_prefix = PlanOptions::default().temp_prefix;
    let mut tables: Vec<(String, String)> = Vec::new();
    let mut columns: Vec<(String, String, String)> = Vec::new();
    for st in sql::split_statements(text) {
        let c = statement::classify(&st.text);
        let name = c.name.as_ref().map(|n| n.name.clone()).unwrap_or_default();
        match (&c.verb, &c.alter) {
            (Verb::Alter, Some(Alter::RenameTo(to))) => tables.push((name.clone(), to.clone())),
            (Verb::Alter, Some(Alter::RenameColumn { from, to })) => columns.push((name.clone(), from.clone(), to.clone())),
            _ => {}
        }
        // INSERT INTO tmp (a, b) SELECT x, y FROM t: a bare name x copied into a differently
        // named column a is a rename. The part after the table's name is read on here.
        let toks = sql::words(&st.text[c.rest..]);
        if c.verb == Verb::Insert && name.starts_with(&temp_prefix) && toks.first().is_some_and(|t| t == "(") {
            let table = name[temp_prefix.len()..].to_string();
            let close = toks.iter().position(|t| t == ")").unwrap_or(0);
            let targets: Vec<String> = toks.get(1..close).unwrap_or_default().iter().filter(|t| *t != ",").map(|t| sql::unquote(t)).collect();
            if toks.get(close + 1).is_some_and(|t| t.eq_ignore_ascii_case("select")) {
                let mut items: Vec<Vec<&String>> = vec![Vec::new()];
                let mut depth = 0;
                for t in &toks[close + 2..] {
                    if depth == 0 && t.eq_ignore_ascii_case("from") {
                        break;
                    }
                    match t.as_str() {
                        "(" => depth += 1,
                        ")" => depth -= 1,
                        "," if depth == 0 => {
                            items.push(Vec::new());
                            continue;
                        }
                        _ => {}
                    }
                    items.last_mut().unwrap().push(t);
                }
                for (target, item) in targets.iter().zip(items) {
                    // `COALESCE(old, default)` copies `old` too.
                    let src = match item.as_slice() {
                        [one] => Some(sql::unquote(one)),
                        [f, open, inner, ..] if f.eq_ignore_ascii_case("coalesce") && open.as_str() == "(" => Some(sql::unquote(inner)),
                        _ => None,
                    };
                    if let Some(src) = src {
                        let is_rowid = ["rowid", "_rowid_", "oid"].iter().any(|r| src.eq_ignore_ascii_case(r));
                        if !src.eq_ignore_ascii_case(target) && !is_rowid {
                            columns.push((table.clone(), src, target.clone()));
                        }
                    }
                }
            }
        }
    }
    // Resolve chains through temporary names: a -> tmp, tmp -> b is a -> b.
    let mut out = Vec::new();
    let mut done: BTreeSet<usize> = BTreeSet::new();
    for (i, (a, b)) in tables.iter().enumerate() {
        if done.contains(&i) || a.starts_with(&temp_prefix) {
            continue;
        }
        let mut end = b.clone();
        while end.starts_with(&temp_prefix) {
            match tables.iter().position(|(x, _)| *x == end) {
                Some(j) => {
                    done.insert(j);
                    end = tables[j].1.clone();
                }
                None => break,
            }
        }
        out.push(Rename::Table { from: a.clone(), to: end });
    }
    for (t, a, b) in columns {
        let r = Rename::Column { table: t, from: a, to: b };
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

/// Plain SQL files for one revision, in the numbered-file style of the migration guide: each
/// file is a complete script for the `sqlite3` shell, with its transaction, the foreign key
/// handling it needs and the version table row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SqlFiles {
    pub up_name: String,
    pub up: String,
    pub down_name: String,
    pub down: String,
}

/// The up and down files of `rev` (`<id>_<slug>.sql` and `<id>_<slug>_rollback.sql`).
pub fn sql_files(rev: &Revision, version_table: &str) -> SqlFiles {
    let stem = rev.file_name();
    let stem = stem.trim_end_matches(".sql");
    let header = |dir: &str| {
        format!(
            "-- strata revision {} ({dir})\n-- message: {}\n-- parents: {}\n-- created: {}\n",
            rev.id,
            rev.message,
            if rev.parents.is_empty() { "(none)".to_string() } else { rev.parents.join(", ") },
            rev.created
        )
    };
    SqlFiles {
        up_name: format!("{stem}.sql"),
        up: format!("{}{}", header("upgrade"), script_sql(&[rev], Direction::Up, version_table)),
        down_name: format!("{stem}_rollback.sql"),
        down: format!("{}{}", header("downgrade"), script_sql(&[rev], Direction::Down, version_table)),
    }
}

/// A Python string literal holding `s` exactly.
pub(crate) fn py_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (plan SQL, renames it performs)
    #[test]
    fn renames_are_read_back_from_plan_sql() {
        let cases: &[(&str, Vec<Rename>)] = &[
            ("ALTER TABLE \"a\" RENAME TO \"b\";", vec![Rename::Table { from: "a".into(), to: "b".into() }]),
            (
                "ALTER TABLE \"a\" RENAME TO \"_strata_new_a\";\nALTER TABLE \"b\" RENAME TO \"a\";\nALTER TABLE \"_strata_new_a\" RENAME TO \"b\";",
                vec![Rename::Table { from: "a".into(), to: "b".into() }, Rename::Table { from: "b".into(), to: "a".into() }],
            ),
            ("ALTER TABLE \"t\" RENAME COLUMN \"x\" TO \"y\";", vec![Rename::Column { table: "t".into(), from: "x".into(), to: "y".into() }]),
            (
                "CREATE TABLE \"_strata_new_t\" (\"k\" INT, \"v2\" TEXT NOT NULL DEFAULT '');\nINSERT INTO \"_strata_new_t\" (rowid, \"k\", \"v2\") SELECT rowid, \"k\", COALESCE(\"v\", '') FROM \"t\";",
                vec![Rename::Column { table: "t".into(), from: "v".into(), to: "v2".into() }],
            ),
            ("INSERT INTO \"_strata_new_t\" (\"k\") SELECT upper(\"j\") FROM \"t\";", vec![]),
            ("CREATE INDEX \"i\" ON \"t\" (\"x\");", vec![]),
        ];
        for (sql, want) in cases {
            assert_eq!(&renames_in_sql(sql), want, "{sql}");
        }
    }

    #[test]
    fn python_strings_escape_what_python_needs() {
        assert_eq!(py_str("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
    }
}
