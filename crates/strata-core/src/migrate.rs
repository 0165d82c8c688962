//! Versioned migrations on a live database: the version table, upgrade, downgrade and stamp,
//! and autogenerate (the schema the revisions produce, diffed against the model).
//!
//! Every revision runs through [`runner::run`] in its own `BEGIN IMMEDIATE` transaction together
//! with its version row, and what is applied is read again inside that transaction, after the
//! write lock is taken: two processes upgrading one database at once apply each revision exactly
//! once, and a failure leaves the database at the last revision that committed. Time comes from a
//! [`Clock`] the caller passes in, so this module builds for wasm32 and tests are deterministic.

use std::cell::Cell;
use std::collections::BTreeSet;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::diff::{diff, Diff};
use crate::error::Error;
use crate::history::{self, AppliedRow, Finding};
use crate::introspect::introspect_excluding;
use crate::lint;
use crate::model::{Model, Rename};
use crate::plan::{plan, Plan, PlanOptions};
use crate::revision::{Direction, Graph, Revision, RevisionError, Target};
use crate::runner::{self, Script, ScriptStep};
use crate::schema::Schema;
use crate::sql::{quote, quote_str};

pub use crate::build::store::{use_schema_store, KeptSchema, SchemaStore};

/// The version table's name unless configured otherwise.
pub const DEFAULT_VERSION_TABLE: &str = "schema_version";

/// Where the caller's time comes from: the CLI reads the system clock, the playground the
/// browser's, tests a fixed value.
pub trait Clock {
    /// The current UTC time as it should be stored in `applied_at`.
    fn now_utc(&self) -> String;
    /// A monotonic reading in milliseconds, for execution times.
    fn millis(&self) -> f64;
}

/// What a migration run reports as it goes.
#[derive(Debug)]
pub enum Event<'a> {
    /// A revision is about to run (its transaction is not open yet).
    Begin { revision: &'a Revision, direction: Direction, index: usize, total: usize, steps: usize },
    /// Statement `done` of `total` of the current revision is starting.
    Step { done: usize, total: usize, label: &'a str },
    /// The revision and its version row committed.
    Done { revision: &'a Revision, direction: Direction, millis: f64 },
    /// Another process had already done it (seen under the write lock); nothing ran.
    Skipped { revision: &'a Revision, direction: Direction },
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrateError {
    #[error(transparent)]
    Revision(#[from] RevisionError),
    /// The database's history disagrees with the revision files.
    #[error("the database's history does not match the revision files, so nothing was run:\n{}", bullet(findings.iter().map(Finding::describe)))]
    History { findings: Vec<Finding> },
    /// A revision failed; it was rolled back and those before it stay applied.
    #[error("revision {id} ({message}) failed and was rolled back; the database stays at {at}\n{source}")]
    Failed {
        id: String,
        message: String,
        /// The revisions the database is at after the failure (`base` when none).
        at: String,
        #[source]
        source: Box<Error>,
    },
    /// Running the revisions would throw data away and the caller did not allow it.
    #[error("this downgrade throws data away, so nothing was run:\n{}\nmake a backup, then allow data loss (--allow-data-loss) to go ahead", bullet(losses.iter().cloned()))]
    DataLoss { losses: Vec<String> },
    /// A revision does not run on an empty database, so the schema of the head cannot be built.
    #[error("revision {id} does not build on an empty database: {source}")]
    Build {
        id: String,
        #[source]
        source: Box<Error>,
    },
    /// The version table exists but was made by something else (such as the guide's shell
    /// script, which has no checksum column).
    #[error("table {table} exists but is not a strata version table (it lacks {missing}); rename it (ALTER TABLE {table} RENAME TO {table}_old), then `strata stamp` the revision the database is at, or configure another version_table")]
    ForeignVersionTable { table: String, missing: String },
    /// Boxed: the core's error is large and this one travels through every `?`.
    #[error(transparent)]
    Core(Box<Error>),
}

impl From<Error> for MigrateError {
    fn from(e: Error) -> Self {
        MigrateError::Core(Box::new(e))
    }
}

impl From<rusqlite::Error> for MigrateError {
    fn from(e: rusqlite::Error) -> Self {
        MigrateError::Core(Box::new(Error::Sqlite(e)))
    }
}

fn bullet(lines: impl Iterator<Item = String>) -> String {
    lines.map(|l| format!("  - {l}")).collect::<Vec<_>>().join("\n")
}

pub type Result<T, E = MigrateError> = std::result::Result<T, E>;

/// Settings of a migration run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    pub version_table: String,
    /// Let a downgrade run although it throws data away.
    pub allow_data_loss: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { version_table: DEFAULT_VERSION_TABLE.into(), allow_data_loss: false }
    }
}

/// The version table: one row per applied revision.
pub fn version_table_ddl(table: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {} (\n  version TEXT PRIMARY KEY NOT NULL,\n  applied_at TEXT NOT NULL,\n  description TEXT NOT NULL DEFAULT '',\n  checksum TEXT NOT NULL,\n  execution_ms REAL\n)",
        quote(table)
    )
}

/// The rows of the version table in the order they were applied; none when it does not exist.
pub fn applied(conn: &Connection, table: &str) -> Result<Vec<AppliedRow>> {
    let exists: bool = conn.query_row(
        "SELECT count(*) > 0 FROM main.sqlite_schema WHERE type = 'table' AND name = ?1 COLLATE NOCASE",
        [table],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(Vec::new());
    }
    let columns: Vec<String> = {
        let mut stmt = conn.prepare(&format!("PRAGMA table_info({})", quote(table)))?;
        let v = stmt.query_map([], |r| r.get::<_, String>(1))?.collect::<rusqlite::Result<Vec<_>>>()?;
        v
    };
    let missing: Vec<&str> = ["version", "applied_at", "description", "checksum", "execution_ms"]
        .into_iter()
        .filter(|c| !columns.iter().any(|x| x.eq_ignore_ascii_case(c)))
        .collect();
    if !missing.is_empty() {
        return Err(MigrateError::ForeignVersionTable { table: table.to_string(), missing: missing.join(", ") });
    }
    let mut stmt = conn.prepare(&format!(
        "SELECT version, applied_at, description, checksum, execution_ms FROM {} ORDER BY applied_at, rowid",
        quote(table)
    ))?;
    let rows = stmt
        .query_map([], |r| {
            Ok(AppliedRow { version: r.get(0)?, applied_at: r.get(1)?, description: r.get(2)?, checksum: r.get(3)?, execution_ms: r.get(4)? })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

fn ids(rows: &[AppliedRow]) -> BTreeSet<String> {
    rows.iter().map(|r| r.version.clone()).collect()
}

/// The history findings that forbid running anything.
fn blocking(rows: &[AppliedRow], graph: &Graph) -> Result<()> {
    let findings: Vec<Finding> = history::validate(rows, graph).into_iter().filter(Finding::is_error).collect();
    if findings.is_empty() {
        Ok(())
    } else {
        Err(MigrateError::History { findings })
    }
}

/// The revisions an upgrade to `target` would apply, after checking the history.
pub fn upgrade_path<'g>(conn: &Connection, graph: &'g Graph, target: &Target, opts: &Options) -> Result<Vec<&'g Revision>> {
    let rows = applied(conn, &opts.version_table)?;
    blocking(&rows, graph)?;
    Ok(graph.upgrade_path(&ids(&rows), target)?)
}

/// The revisions a downgrade to `target` would revert, after checking the history.
pub fn downgrade_path<'g>(conn: &Connection, graph: &'g Graph, target: &Target, opts: &Options) -> Result<Vec<&'g Revision>> {
    let rows = applied(conn, &opts.version_table)?;
    blocking(&rows, graph)?;
    Ok(graph.downgrade_path(&ids(&rows), target)?)
}

/// Applies the revisions needed to reach `target`, each in its own transaction with its version
/// row. Returns the ids that this call applied (not those another process applied meanwhile).
pub fn upgrade(
    conn: &mut Connection,
    graph: &Graph,
    target: &Target,
    opts: &Options,
    clock: &dyn Clock,
    observer: &mut dyn FnMut(Event),
) -> Result<Vec<String>> {
    let path = upgrade_path(conn, graph, target, opts)?;
    run_path(conn, graph, &path, Direction::Up, opts, clock, observer)
}

/// Reverts revisions down to `target`, children before parents, each in its own transaction.
/// Refuses, before running anything, when a revision's down SQL throws data away and
/// `opts.allow_data_loss` is off.
pub fn downgrade(
    conn: &mut Connection,
    graph: &Graph,
    target: &Target,
    opts: &Options,
    clock: &dyn Clock,
    observer: &mut dyn FnMut(Event),
) -> Result<Vec<String>> {
    let path = downgrade_path(conn, graph, target, opts)?;
    let losses = data_loss(&path);
    if !losses.is_empty() && !opts.allow_data_loss {
        return Err(MigrateError::DataLoss { losses });
    }
    run_path(conn, graph, &path, Direction::Down, opts, clock, observer)
}

/// What reverting `path` throws away, one line per loss, each naming its revision.
pub fn data_loss(path: &[&Revision]) -> Vec<String> {
    path.iter().flat_map(|r| r.data_loss(Direction::Down).into_iter().map(move |l| format!("{}: {l}", r.id))).collect()
}

fn run_path(
    conn: &mut Connection,
    graph: &Graph,
    path: &[&Revision],
    dir: Direction,
    opts: &Options,
    clock: &dyn Clock,
    observer: &mut dyn FnMut(Event),
) -> Result<Vec<String>> {
    let mut done = Vec::new();
    for (i, rev) in path.iter().enumerate() {
        let statements = rev.statements(dir);
        observer(Event::Begin { revision: rev, direction: dir, index: i, total: path.len(), steps: statements.len() });
        let script = Script {
            steps: statements.into_iter().map(|(sql, label)| ScriptStep { sql, label }).collect(),
            foreign_keys_off: rev.foreign_keys_off(dir),
        };
        match apply_one(conn, graph, rev, dir, &script, opts, clock, observer) {
            Ok(Some(ms)) => {
                observer(Event::Done { revision: rev, direction: dir, millis: ms });
                done.push(rev.id.clone());
            }
            Ok(None) => observer(Event::Skipped { revision: rev, direction: dir }),
            Err(MigrateError::Core(source)) => {
                let at = applied(conn, &opts.version_table).map(|rows| graph.current(&ids(&rows))).unwrap_or_default();
                let at = if at.is_empty() { "base".to_string() } else { at.join(", ") };
                return Err(MigrateError::Failed { id: rev.id.clone(), message: rev.message.clone(), at, source });
            }
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// Runs one revision one way. `Ok(None)` when, under the write lock, it turned out to be done
/// already; `Ok(Some(ms))` with its execution time when it ran.
#[allow(clippy::too_many_arguments)]
fn apply_one(
    conn: &mut Connection,
    graph: &Graph,
    rev: &Revision,
    dir: Direction,
    script: &Script,
    opts: &Options,
    clock: &dyn Clock,
    observer: &mut dyn FnMut(Event),
) -> Result<Option<f64>> {
    let table = &opts.version_table;
    // `before` can only return the core's error type; our own refusals travel through here.
    let mut refusal: Option<MigrateError> = None;
    let started = Cell::new(0.0);
    let elapsed = Cell::new(0.0);
    let ran = runner::run(
        conn,
        script,
        &mut |done, total, label| observer(Event::Step { done, total, label }),
        |tx| {
            tx.execute_batch(&version_table_ddl(table))?;
            let rows = match applied(tx, table) {
                Ok(r) => r,
                Err(MigrateError::Core(e)) => return Err(*e),
                Err(e) => {
                    refusal = Some(e);
                    return Ok(false);
                }
            };
            if let Err(e) = blocking(&rows, graph) {
                refusal = Some(e);
                return Ok(false);
            }
            let have = ids(&rows);
            let go = match dir {
                Direction::Up => !have.contains(&rev.id),
                Direction::Down => have.contains(&rev.id),
            };
            started.set(clock.millis());
            Ok(go)
        },
        |tx| {
            elapsed.set(clock.millis() - started.get());
            match dir {
                Direction::Up => {
                    tx.execute(
                        &format!("INSERT INTO {} (version, applied_at, description, checksum, execution_ms) VALUES (?1, ?2, ?3, ?4, ?5)", quote(table)),
                        rusqlite::params![rev.id, clock.now_utc(), rev.message, rev.checksum, (elapsed.get() * 1000.0).round() / 1000.0],
                    )?;
                }
                Direction::Down => {
                    tx.execute(&format!("DELETE FROM {} WHERE version = ?1", quote(table)), [&rev.id])?;
                }
            }
            Ok(())
        },
    )?;
    if let Some(e) = refusal {
        return Err(e);
    }
    Ok(ran.then_some(elapsed.get()))
}

/// Makes the version table say the database is at `target` without running any SQL: rows are
/// added for the target and its ancestors, and removed for everything else. Returns the ids
/// added and removed.
pub fn stamp(conn: &mut Connection, graph: &Graph, target: &Target, opts: &Options, clock: &dyn Clock) -> Result<(Vec<String>, Vec<String>)> {
    let want: BTreeSet<String> = match target {
        Target::Base => BTreeSet::new(),
        Target::Head => graph.ancestors(graph.single_head()?),
        Target::Heads => graph.revisions().map(|r| r.id.clone()).collect(),
        Target::Revision(s) => graph.ancestors(&graph.resolve(s)?),
        Target::Relative(_) => return Err(RevisionError::BadTarget { spec: format!("{target:?}"), verb: "stamp (use a revision, head or base)" }.into()),
    };
    let table = &opts.version_table;
    let mut added = Vec::new();
    let mut removed = Vec::new();
    let now = clock.now_utc();
    runner::run(
        conn,
        &Script::default(),
        &mut |_, _, _| {},
        |tx| {
            tx.execute_batch(&version_table_ddl(table))?;
            Ok(true)
        },
        |tx| {
            let have: Vec<String> = {
                let mut stmt = tx.prepare(&format!("SELECT version FROM {}", quote(table)))?;
                let v = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
                v
            };
            for v in &have {
                if !want.contains(v) {
                    tx.execute(&format!("DELETE FROM {} WHERE version = ?1", quote(table)), [v])?;
                    removed.push(v.clone());
                }
            }
            for rev in graph.revisions().filter(|r| want.contains(&r.id) && !have.contains(&r.id)) {
                tx.execute(
                    &format!("INSERT INTO {} (version, applied_at, description, checksum, execution_ms) VALUES (?1, ?2, ?3, ?4, NULL)", quote(table)),
                    rusqlite::params![rev.id, now, rev.message, rev.checksum],
                )?;
                added.push(rev.id.clone());
            }
            Ok(())
        },
    )?;
    Ok((added, removed))
}

/// A script for the `sqlite3` shell that does what `upgrade`/`downgrade` would do for `path`,
/// version rows included, one transaction per revision. Pure: the `--sql` output.
pub fn script_sql(path: &[&Revision], dir: Direction, version_table: &str) -> String {
    if path.is_empty() {
        return "-- nothing to do: the database is already there\n".into();
    }
    let table = quote(version_table);
    let mut out = String::new();
    out.push_str(&format!("{};\n", version_table_ddl(version_table)));
    for rev in path {
        let fk = rev.foreign_keys_off(dir);
        let verb = match dir {
            Direction::Up => "upgrade",
            Direction::Down => "downgrade",
        };
        out.push_str(&format!("\n-- {verb} {}: {}\n", rev.id, rev.message));
        if fk {
            out.push_str("PRAGMA foreign_keys = OFF;\n");
        }
        out.push_str("BEGIN;\n");
        for (sql, label) in rev.statements(dir) {
            out.push_str(&format!("-- {label}\n{sql};\n"));
        }
        match dir {
            Direction::Up => out.push_str(&format!(
                "INSERT INTO {table} (version, applied_at, description, checksum, execution_ms) VALUES ({}, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), {}, {}, NULL);\n",
                quote_str(&rev.id),
                quote_str(&rev.message),
                quote_str(&rev.checksum)
            )),
            Direction::Down => out.push_str(&format!("DELETE FROM {table} WHERE version = {};\n", quote_str(&rev.id))),
        }
        if fk {
            out.push_str("PRAGMA foreign_key_check;\n");
        }
        out.push_str("COMMIT;\n");
        if fk {
            out.push_str("PRAGMA foreign_keys = ON;\n");
        }
    }
    out
}

/// The schema the revisions up to the single head produce, built by running them in scratch
/// in-memory databases (no live database needed). An empty graph gives an empty schema.
pub fn head_schema(graph: &Graph, version_table: &str) -> Result<Schema> {
    if graph.is_empty() {
        return Ok(Schema::default());
    }
    schema_at(graph, graph.single_head()?, version_table)
}

/// The schema that revision `id` and everything it builds on produce, built the same way as
/// [`head_schema`]; this is where a revision on a side branch starts from.
pub fn schema_at(graph: &Graph, id: &str, version_table: &str) -> Result<Schema> {
    schema_at_all(graph, &[id.to_owned()], version_table)
}

/// The schema that the revisions `ids` and everything they build on produce together: several
/// unmerged branches applied side by side, as a database can hold them. No ids give the empty
/// schema.
///
/// Each revision runs in small scratch databases holding only the objects its statements can
/// reach (`build::replay_onto`), so the cost grows with the history's size and not with the
/// square of the schema's; a history that cannot be replayed that way exactly, and any failure,
/// is replayed into one database as by [`schema_at_all_in_one_database`], which gives the same
/// schema and the errors.
///
/// With a [`SchemaStore`] installed, what a history builds is kept: the same history again is
/// not replayed, and one that grew is replayed from the last revision kept.
pub fn schema_at_all(graph: &Graph, ids: &[String], version_table: &str) -> Result<Schema> {
    let revisions = history(graph, ids)?;
    crate::build::store::history_schema(crate::build::store::installed(), &revisions, version_table, || replay_in_one_database(&revisions))
}

/// [`schema_at_all`] by the grouped replay alone, without a store: `None` where it would fall
/// back to one database. For tests and benchmarks that need to know which path answered.
#[doc(hidden)]
pub fn schema_at_all_grouped(graph: &Graph, ids: &[String], version_table: &str) -> Result<Option<Schema>> {
    Ok(crate::build::replay(&history(graph, ids)?, version_table).ok())
}

/// [`schema_at_all`] by running every revision, in order, into one scratch database: the
/// reference the faster replay is checked against, and the path its errors come from.
pub fn schema_at_all_in_one_database(graph: &Graph, ids: &[String], version_table: &str) -> Result<Schema> {
    let conn = replay_in_one_database(&history(graph, ids)?)?;
    Ok(introspect_excluding(&conn, &[version_table])?)
}

pub(crate) fn replay_in_one_database(revisions: &[&Revision]) -> Result<Connection> {
    let mut conn = Connection::open_in_memory()?;
    for rev in revisions {
        let script = Script {
            steps: rev.statements(Direction::Up).into_iter().map(|(sql, label)| ScriptStep { sql, label }).collect(),
            foreign_keys_off: rev.up_options.foreign_keys_off,
        };
        runner::run(&mut conn, &script, &mut |_, _, _| {}, |_| Ok(true), |_| Ok(()))
            .map_err(|source| MigrateError::Build { id: rev.id.clone(), source: Box::new(source) })?;
    }
    Ok(conn)
}

/// The revisions `ids` and everything they build on, in replay order.
fn history<'g>(graph: &'g Graph, ids: &[String]) -> Result<Vec<&'g Revision>> {
    let keep = ancestors_of_all(graph, ids)?;
    Ok(graph.revisions().filter(|r| keep.contains(&r.id)).collect())
}

fn ancestors_of_all(graph: &Graph, ids: &[String]) -> Result<BTreeSet<String>> {
    let mut keep = BTreeSet::new();
    for id in ids {
        keep.extend(graph.ancestors(&graph.resolve(id)?));
    }
    Ok(keep)
}

/// An autogenerated migration: the up plan from the head's schema to the model, the down plan
/// back, and what lint and the diff have to say about them.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Autogen {
    /// The schema the migration starts from (the head's, or the live database's).
    pub from: Schema,
    pub diff: Diff,
    pub up: Plan,
    pub down: Plan,
    pub findings: Vec<lint::Finding>,
}

impl Autogen {
    pub fn is_empty(&self) -> bool {
        self.up.is_empty()
    }

    /// The revision that records this migration.
    pub fn revision(&self, id: &str, parents: Vec<String>, message: &str, created: &str) -> Revision {
        Revision::new(id, parents, message, created, &self.up.body_sql(), &self.down.body_sql())
            .with_foreign_keys_off(self.up.foreign_keys_off, self.down.foreign_keys_off)
    }
}

/// Diffs the schema the revisions produce against the model, with the model's rename
/// annotations and the caller's confirmed renames.
pub fn autogenerate(graph: &Graph, model: &Model, renames: &[Rename], version_table: &str) -> Result<Autogen> {
    let from = head_schema(graph, version_table)?;
    Ok(between(&from, model, renames))
}

/// Like [`autogenerate`], but from the schema of revision `parent` instead of the head: the
/// first step of a branch (a second developer's change made beside the first one).
pub fn autogenerate_on(graph: &Graph, parent: &str, model: &Model, renames: &[Rename], version_table: &str) -> Result<Autogen> {
    let from = schema_at(graph, parent, version_table)?;
    Ok(between(&from, model, renames))
}

/// The migration (both ways) from `from` to the model's schema.
pub fn between(from: &Schema, model: &Model, renames: &[Rename]) -> Autogen {
    let mut all: Vec<Rename> = model.renames.clone();
    all.extend(renames.iter().cloned());
    let opts = PlanOptions::default();
    let d = diff(from, &model.schema, &all);
    let up = plan(from, &model.schema, &d, &opts);
    let back: Vec<Rename> = all.iter().map(Rename::reversed).collect();
    let dd = diff(&model.schema, from, &back);
    let down = plan(&model.schema, from, &dd, &opts);
    let findings = lint::lint(&up);
    Autogen { from: from.clone(), diff: d, up, down, findings }
}

/// What it takes to make a live database match the model right now (version table left out).
pub fn live_diff(conn: &Connection, model: &Model, renames: &[Rename], version_table: &str) -> Result<Autogen> {
    let live = introspect_excluding(conn, &[version_table])?;
    Ok(between(&live, model, renames))
}

/// The answer of `strata check`: every way the model, the revisions and the database disagree.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CheckReport {
    /// Changes the model has that no revision makes (empty when they agree).
    pub model_changes: Vec<String>,
    /// Revisions the database has not applied.
    pub pending: Vec<String>,
    /// History findings (edited, unknown, skipped revisions; several heads).
    pub findings: Vec<Finding>,
    /// Changes between the database and the head's schema when the database claims to be at
    /// head (someone changed it by hand).
    pub drift: Vec<String>,
}

impl CheckReport {
    pub fn ok(&self) -> bool {
        self.model_changes.is_empty() && self.pending.is_empty() && self.findings.is_empty() && self.drift.is_empty()
    }
}

/// Compares the model with the revisions and, when a database is given, the database with both.
pub fn check(conn: Option<&Connection>, graph: &Graph, model: &Model, version_table: &str) -> Result<CheckReport> {
    let mut report = CheckReport { findings: history::validate(&[], graph), ..CheckReport::default() };
    let head = match head_schema(graph, version_table) {
        Ok(s) => Some(s),
        // Several heads are already a finding; there is no single head schema to compare.
        Err(MigrateError::Revision(RevisionError::MultipleHeads { .. })) => None,
        Err(e) => return Err(e),
    };
    if let Some(head) = &head {
        let d = diff(head, &model.schema, &model.renames);
        report.model_changes = d.changes.iter().map(|c| c.describe()).collect();
    }
    if let Some(conn) = conn {
        let rows = applied(conn, version_table)?;
        report.findings = history::validate(&rows, graph);
        let have = ids(&rows);
        report.pending = graph.pending(&have).into_iter().map(|r| r.id.clone()).collect();
        if let (true, Some(head)) = (report.pending.is_empty() && !graph.is_empty(), &head) {
            let live = introspect_excluding(conn, &[version_table])?;
            report.drift = diff(&live, head, &[]).changes.iter().map(|c| c.describe()).collect();
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(Cell<f64>);
    impl Clock for Fixed {
        fn now_utc(&self) -> String {
            "2026-01-01T00:00:00Z".into()
        }
        fn millis(&self) -> f64 {
            self.0.set(self.0.get() + 1.5);
            self.0.get()
        }
    }

    fn rev(id: &str, parent: Option<&str>, up: &str, down: &str) -> Revision {
        Revision::new(id, parent.into_iter().map(String::from).collect(), &format!("rev {id}"), id, up, down)
    }

    fn graph() -> Graph {
        Graph::new(vec![
            rev("r1", None, "CREATE TABLE a (x INTEGER);\nINSERT INTO a VALUES (1);", "DROP TABLE a;"),
            rev("r2", Some("r1"), "CREATE TABLE b (y TEXT);", "DROP TABLE b;"),
            rev("r3", Some("r2"), "CREATE TABLE c (z);\nINSERT INTO nowhere VALUES (1);", "DROP TABLE c;"),
        ])
        .unwrap()
    }

    fn tables(conn: &Connection) -> Vec<String> {
        let mut s = conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").unwrap();
        s.query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
    }

    #[test]
    fn upgrade_stops_at_the_failing_revision_and_names_it() {
        let mut conn = Connection::open_in_memory().unwrap();
        let clock = Fixed(Cell::new(0.0));
        let mut events = Vec::new();
        let e = upgrade(&mut conn, &graph(), &Target::Heads, &Options::default(), &clock, &mut |e| {
            if let Event::Done { revision, .. } = e {
                events.push(revision.id.clone())
            }
        })
        .unwrap_err();
        assert_eq!(events, ["r1", "r2"]);
        let msg = e.to_string();
        assert!(msg.starts_with("revision r3 (rev r3) failed and was rolled back; the database stays at r2\nstep 2"), "{msg}");
        assert!(msg.contains("no such table: nowhere") && msg.contains("INSERT INTO nowhere VALUES (1)"), "{msg}");
        assert_eq!(tables(&conn), ["a", "b", "schema_version"]);
        let rows = applied(&conn, "schema_version").unwrap();
        assert_eq!(rows.iter().map(|r| r.version.as_str()).collect::<Vec<_>>(), ["r1", "r2"]);
        assert_eq!(rows[0].applied_at, "2026-01-01T00:00:00Z");
        assert_eq!(rows[0].execution_ms, Some(1.5));
    }

    #[test]
    fn downgrade_needs_permission_to_lose_data_and_stamp_rewrites_rows() {
        let mut conn = Connection::open_in_memory().unwrap();
        let clock = Fixed(Cell::new(0.0));
        let g = graph();
        upgrade(&mut conn, &g, &Target::Revision("r2".into()), &Options::default(), &clock, &mut |_| {}).unwrap();
        let e = downgrade(&mut conn, &g, &Target::Relative(-1), &Options::default(), &clock, &mut |_| {}).unwrap_err();
        assert!(matches!(&e, MigrateError::DataLoss { losses } if losses == &["r2: drops table b and its rows"]), "{e}");
        assert_eq!(tables(&conn), ["a", "b", "schema_version"]);
        let opts = Options { allow_data_loss: true, ..Options::default() };
        assert_eq!(downgrade(&mut conn, &g, &Target::Relative(-1), &opts, &clock, &mut |_| {}).unwrap(), ["r2"]);
        assert_eq!(tables(&conn), ["a", "schema_version"]);
        assert_eq!(stamp(&mut conn, &g, &Target::Revision("r3".into()), &opts, &clock).unwrap(), (vec!["r2".into(), "r3".into()], vec![]));
        assert_eq!(stamp(&mut conn, &g, &Target::Base, &opts, &clock).unwrap(), (vec![], vec!["r1".into(), "r2".into(), "r3".into()]));
    }

    #[test]
    fn edited_revision_blocks_everything() {
        let mut conn = Connection::open_in_memory().unwrap();
        let clock = Fixed(Cell::new(0.0));
        let g = graph();
        upgrade(&mut conn, &g, &Target::Revision("r1".into()), &Options::default(), &clock, &mut |_| {}).unwrap();
        let mut revs: Vec<Revision> = g.revisions().cloned().collect();
        revs[0] = rev("r1", None, "CREATE TABLE a (x INTEGER, extra);", "DROP TABLE a;");
        let edited = Graph::new(revs).unwrap();
        let e = upgrade(&mut conn, &edited, &Target::Revision("r2".into()), &Options::default(), &clock, &mut |_| {}).unwrap_err();
        assert!(e.to_string().contains("revision r1 was edited after it was applied"), "{e}");
        assert_eq!(tables(&conn), ["a", "schema_version"]);
    }

    #[test]
    fn autogenerate_diffs_the_head_schema_against_the_model() {
        let g = Graph::new(vec![rev("r1", None, "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);", "DROP TABLE users;")]).unwrap();
        let model = crate::model::from_sql("CREATE TABLE users (id INTEGER PRIMARY KEY, email_address TEXT, phone TEXT);").unwrap();
        let hint = Rename::parse_hint("users.email=email_address").unwrap();
        let a = autogenerate(&g, &model, &[hint], DEFAULT_VERSION_TABLE).unwrap();
        let r = a.revision("r2", vec!["r1".into()], "rename email, add phone", "t");
        assert!(r.up.contains("RENAME COLUMN \"email\" TO \"email_address\""), "{}", r.up);
        assert!(r.down.contains("RENAME COLUMN \"email_address\" TO \"email\""), "{}", r.down);
        let g2 = Graph::new(vec![g.get("r1").unwrap().clone(), r]).unwrap();
        assert!(autogenerate(&g2, &model, &[], DEFAULT_VERSION_TABLE).unwrap().is_empty());
        let report = check(None, &g2, &model, DEFAULT_VERSION_TABLE).unwrap();
        assert!(report.ok(), "{report:?}");
    }

    #[test]
    fn autogenerate_on_a_parent_starts_a_branch_from_that_revision() {
        let r1 = rev("r1", None, "CREATE TABLE a (x INTEGER);", "DROP TABLE a;");
        let r2 = rev("r2", Some("r1"), "CREATE TABLE b (y INTEGER);", "DROP TABLE b;");
        let g = Graph::new(vec![r1, r2]).unwrap();
        let model = crate::model::from_sql("CREATE TABLE a (x INTEGER); CREATE TABLE c (z INTEGER);").unwrap();
        let side = autogenerate_on(&g, "r1", &model, &[], DEFAULT_VERSION_TABLE).unwrap();
        assert_eq!(side.up.body_sql().matches("CREATE TABLE").count(), 1, "{}", side.up.body_sql());
        assert!(!side.up.body_sql().contains("DROP TABLE"), "{}", side.up.body_sql());
        let head = autogenerate(&g, &model, &[], DEFAULT_VERSION_TABLE).unwrap();
        assert!(head.up.body_sql().contains("DROP TABLE \"b\""), "{}", head.up.body_sql());
        assert!(schema_at(&g, "nope", DEFAULT_VERSION_TABLE).is_err());
    }

    #[test]
    fn script_sql_wraps_each_revision_with_its_version_row() {
        let g = graph();
        let path: Vec<&Revision> = g.revisions().take(1).collect();
        let sql = script_sql(&path, Direction::Up, "schema_version");
        assert!(sql.contains("BEGIN;\n-- CREATE TABLE a (x INTEGER)\nCREATE TABLE a (x INTEGER);\n"), "{sql}");
        assert!(sql.contains("INSERT INTO \"schema_version\" (version, applied_at, description, checksum, execution_ms) VALUES ('r1'"), "{sql}");
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(&sql).unwrap();
        assert_eq!(applied(&conn, "schema_version").unwrap()[0].checksum, g.get("r1").unwrap().checksum);
    }
}
