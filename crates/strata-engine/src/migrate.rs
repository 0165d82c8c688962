//! Versioned migrations on a live database: the version table, upgrade, downgrade and stamp,
//! and autogenerate (the schema the revisions produce, diffed against the model).
//!
//! Every revision runs through [`runner::run`] in its own `BEGIN IMMEDIATE` transaction together
//! with its version row, and what is applied is read again inside that transaction, after the
//! write lock is taken: two processes upgrading one database at once apply each revision exactly
//! once, and a failure leaves the database at the last revision that committed. Time comes from a
//! [`Clock`] the caller passes in, so this module builds for wasm32 and tests are deterministic.
//!
//! The path (which revisions to run) is chosen before the lock, from what was applied then;
//! under the lock each revision's preconditions are checked again against the rows as they are
//! now: an upgrade needs every parent applied and the revision not yet applied, a downgrade
//! needs the revision applied and none of its children. When another process changed the
//! database in between so that a precondition fails, the command stops there with
//! [`MigrateError::Changed`] (nothing of that revision runs; what this command already did
//! stays) rather than recomputing a path the user did not ask for: running it again decides
//! afresh. A revision that is already done is skipped, as before.

use std::cell::Cell;
use std::collections::BTreeSet;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use strata_core::answers::Decline;
use strata_core::diff::{diff, Diff, Rename, RenameCandidate};
use crate::error::Error;
use strata_core::history::{self, AppliedRow, Finding};
use crate::runner::RunEvent;
use crate::introspect::introspect_excluding;
use strata_core::lint;
use strata_core::Model;
use strata_core::plan::{plan, Plan, PlanOptions};
use strata_core::revision::{Direction, Graph, Revision, RevisionError, Target};
use crate::runner::{self, Script, ScriptStep};
use strata_core::schema::Schema;
use strata_core::sql::quote;

/// The data-loss gate: what a run would throw away, counted, and the refusals.
mod gate;
pub use gate::{data_loss, data_risks, refuse_data_loss, LossInPath, RevisionLoss};
pub use strata_core::history::{version_table_ddl, DEFAULT_VERSION_TABLE};
pub use strata_core::time::{Clock, Timestamp};
pub use strata_core::script::script_sql;

pub use crate::build::store::{use_schema_store, KeptSchema, SchemaStore};

/// What a migration run reports as it goes.
#[derive(Debug)]
pub enum Event<'a> {
    /// A revision is about to run (its transaction is not open yet).
    Begin { revision: &'a Revision, direction: Direction, index: usize, total: usize, steps: usize },
    /// Statement `done` of `total` of the current revision is starting.
    Step { done: usize, total: usize, label: &'a str },
    /// A `-- @repeat` statement of a `no-transaction` section committed run `runs`, which
    /// changed `rows` rows (`total` over all its runs so far).
    Repeat { revision: &'a Revision, label: &'a str, runs: u64, rows: u64, total: u64 },
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
    #[error("the database's history does not match the revisions, so nothing was run:\n{}", bullet(findings.iter().map(Finding::describe)))]
    History { findings: Vec<Finding> },
    /// A revision file holds statements that would break a revision's transaction (with any
    /// other history findings).
    #[error("the revisions hold statements that would break a revision's transaction, so nothing was run:\n{}", bullet(findings.iter().map(Finding::describe)))]
    UnsafeSql { findings: Vec<Finding> },
    /// A revision failed; it was rolled back and those before it stay applied.
    #[error("revision {id} ({message}) failed and was rolled back; the database stays at {at}\n{cause}\ncorrect revision {id} (or the rows it trips over), then try again")]
    Failed {
        id: String,
        message: String,
        /// The revisions the database is at after the failure (`base` when none).
        at: String,
        /// Part of the message, not `source()` (see `error.rs`).
        cause: Box<Error>,
    },
    /// Running the revisions would throw data away and neither the caller nor the revisions
    /// allow it. Counted before anything ran.
    #[error(
        "this {} would throw data away, so nothing was run:\n{}\nmake a backup, then allow the data loss to go ahead; a revision meant to lose it can say so in its file ({})",
        verb(*direction), bullet(losses.iter().map(ToString::to_string)), accept_marker(*direction)
    )]
    DataLoss { direction: Direction, losses: Vec<RevisionLoss> },
    /// A revision in the middle of a run would throw away data that only the revisions before
    /// it put there (so the count before the run could not see it). It was rolled back; the
    /// revisions this run applied before it stay applied.
    #[error(transparent)]
    DataLossInPath(Box<LossInPath>),
    /// A revision that does not run in one transaction (or whose transaction a statement
    /// ended) failed; `cause` says what committed. It is not recorded.
    #[error("revision {revision} failed and is not recorded as applied; the version table says the database is at {at}\n{cause}")]
    FailedPartly {
        /// The revision as `id (message)`; one field, so this variant stays smaller than
        /// `Failed` and the error type does not grow.
        revision: String,
        at: String,
        /// Part of the message, not `source()` (see `error.rs`).
        cause: Box<Error>,
    },
    /// Under the write lock, a revision's precondition no longer held: another process changed
    /// the database after this command chose what to run.
    #[error("revision {id} was not {}: {reason}; another process changed the database after this command chose what to run, so nothing of {id} was run; run the command again to decide afresh", if *.upgrade { "applied" } else { "reverted" })]
    Changed { id: String, upgrade: bool, reason: String },
    /// A revision does not run on an empty database, so the schema of the head cannot be built.
    #[error("revision {id} does not build on an empty database: {cause}")]
    Build {
        id: String,
        /// Part of the message, not `source()` (see `error.rs`).
        cause: Box<Error>,
    },
    /// The version table exists but was made by something else (such as the guide's shell
    /// script, which has no checksum column).
    #[error("table {table} exists but is not a strata version table (it lacks {missing}); rename it (ALTER TABLE {table} RENAME TO {table}_old), then record the revision the database is at; nothing was run")]
    ForeignVersionTable { table: String, missing: String },
    /// Boxed: the core's error is large and this one travels through every `?`.
    #[error(transparent)]
    Core(Box<Error>),
}

impl MigrateError {
    /// SQLite's result code when SQLite refused something (see [`Error::sqlite_code`]); a
    /// revision that met a lock held past the busy timeout answers `DatabaseBusy`.
    pub fn sqlite_code(&self) -> Option<rusqlite::ErrorCode> {
        match self {
            MigrateError::Core(e) | MigrateError::Failed { cause: e, .. } | MigrateError::Build { cause: e, .. } => e.sqlite_code(),
            _ => None,
        }
    }
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

fn verb(dir: Direction) -> &'static str {
    match dir {
        Direction::Up => "upgrade",
        Direction::Down => "downgrade",
    }
}

/// How a revision file records that its author accepts one direction's loss.
fn accept_marker(dir: Direction) -> &'static str {
    match dir {
        Direction::Up => "-- +up data-loss=accepted",
        Direction::Down => "-- +down data-loss=accepted",
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

/// The history findings that forbid running anything, the revisions' SQL included.
fn blocking(rows: &[AppliedRow], graph: &Graph) -> Result<()> {
    refuse(history::validate(rows, graph))
}

fn refuse(findings: Vec<Finding>) -> Result<()> {
    let findings: Vec<Finding> = findings.into_iter().filter(Finding::is_error).collect();
    if findings.is_empty() {
        Ok(())
    } else if findings.iter().any(|f| matches!(f, Finding::BreaksTransaction { .. })) {
        Err(MigrateError::UnsafeSql { findings })
    } else {
        Err(MigrateError::History { findings })
    }
}

/// Why `rev` cannot run `dir` on a database where `have` is applied, or `None` when it can:
/// an upgrade needs every parent applied, a downgrade needs no child applied.
fn precondition(graph: &Graph, rev: &Revision, dir: Direction, have: &BTreeSet<String>) -> Option<MigrateError> {
    let (which, ids): (&str, Vec<&String>) = match dir {
        Direction::Up => ("parent", rev.parents.iter().filter(|p| !have.contains(*p)).collect()),
        Direction::Down => ("child", graph.children(&rev.id).iter().filter(|c| have.contains(*c)).collect()),
    };
    if ids.is_empty() {
        return None;
    }
    let names = ids.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
    let (s, is) = if ids.len() == 1 { ("", "is") } else { ("s", "are") };
    let state = if dir == Direction::Up { "not applied" } else { "applied" };
    Some(MigrateError::Changed { id: rev.id.clone(), upgrade: dir == Direction::Up, reason: format!("its {which}{s} {names} {is} {state}") })
}

/// The script that runs one direction of a revision: its statements (with `-- @repeat`), its
/// section options, and `PRAGMA quick_check` before commit unless strata generated the SQL.
pub fn revision_script(rev: &Revision, dir: Direction) -> Script {
    let options = rev.options(dir);
    Script {
        steps: rev.section(dir).into_iter().map(|s| ScriptStep { sql: s.sql, label: s.label, repeat: s.repeat }).collect(),
        foreign_keys_off: options.foreign_keys_off,
        no_transaction: options.no_transaction,
        quick_check: !rev.is_generated(),
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
/// Refuses, before running anything, when the revisions would throw away data the database
/// holds and neither `opts.allow_data_loss` nor the revisions themselves allow it; each
/// revision is counted again under the write lock just before it runs (see [`DataLoss`]).
///
/// [`DataLoss`]: MigrateError::DataLoss
pub fn upgrade(
    conn: &mut Connection,
    graph: &Graph,
    target: &Target,
    opts: &Options,
    clock: &dyn Clock,
    observer: &mut dyn FnMut(Event),
) -> Result<Vec<String>> {
    let path = upgrade_path(conn, graph, target, opts)?;
    refuse_data_loss(conn, &path, Direction::Up, opts)?;
    run_path(conn, graph, &path, Direction::Up, opts, clock, observer)
}

/// Reverts revisions down to `target`, children before parents, each in its own transaction.
/// Refuses as [`upgrade`] does when the down SQL would throw data away.
pub fn downgrade(
    conn: &mut Connection,
    graph: &Graph,
    target: &Target,
    opts: &Options,
    clock: &dyn Clock,
    observer: &mut dyn FnMut(Event),
) -> Result<Vec<String>> {
    let path = downgrade_path(conn, graph, target, opts)?;
    refuse_data_loss(conn, &path, Direction::Down, opts)?;
    run_path(conn, graph, &path, Direction::Down, opts, clock, observer)
}

/// Runs one revision one way through the same loop as [`upgrade`] and [`downgrade`]: its
/// preconditions, the data-loss recount and the version row, all under the write lock, in
/// its own transaction. Returns whether it ran (`false`: it was done already). The history
/// is not validated here; callers choose the revision from a path that was (the rehearsal
/// steps through one revision at a time with it).
pub fn apply_revision(
    conn: &mut Connection,
    graph: &Graph,
    rev: &Revision,
    dir: Direction,
    opts: &Options,
    clock: &dyn Clock,
    observer: &mut dyn FnMut(Event),
) -> Result<bool> {
    Ok(!run_path(conn, graph, &[rev], dir, opts, clock, observer)?.is_empty())
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
        let script = revision_script(rev, dir);
        observer(Event::Begin { revision: rev, direction: dir, index: i, total: path.len(), steps: script.steps.len() });
        match apply_one(conn, graph, rev, dir, &script, opts, clock, observer) {
            Ok(Some(ms)) => {
                observer(Event::Done { revision: rev, direction: dir, millis: ms });
                done.push(rev.id.clone());
            }
            Ok(None) => observer(Event::Skipped { revision: rev, direction: dir }),
            Err(MigrateError::DataLossInPath(mut refused)) => {
                refused.applied = done;
                return Err(MigrateError::DataLossInPath(refused));
            }
            Err(MigrateError::Core(source)) => {
                let at = applied(conn, &opts.version_table).map(|rows| graph.current(&ids(&rows))).unwrap_or_default();
                let at = if at.is_empty() { "base".to_string() } else { at.join(", ") };
                let (id, message) = (rev.id.clone(), rev.message.clone());
                // Only a rollback of the whole revision may be called one.
                return Err(match *source {
                    Error::PartlyCommitted { .. } | Error::NotRecorded { .. } | Error::TransactionEnded { .. } => {
                        MigrateError::FailedPartly { revision: format!("{id} ({message})"), at, cause: source }
                    }
                    _ => MigrateError::Failed { id, message, at, cause: source },
                });
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
    let started: Cell<Option<f64>> = Cell::new(None);
    let elapsed = Cell::new(0.0);
    let ran = runner::run(
        conn,
        script,
        &mut |e| match e {
            RunEvent::Step { done, total, label } => observer(Event::Step { done, total, label }),
            RunEvent::Repeat { label, runs, rows, total, .. } => observer(Event::Repeat { revision: rev, label, runs, rows, total }),
        },
        // Runs under the write lock before the statements, and for a no-transaction section
        // once more before the version row: everything it decides is read from the rows as
        // they are now, not as they were when the path was chosen.
        |tx| {
            refusal = None;
            tx.execute_batch(&version_table_ddl(table))?;
            let rows = match applied(tx, table) {
                Ok(r) => r,
                Err(MigrateError::Core(e)) => return Err(*e),
                Err(e) => {
                    refusal = Some(e);
                    return Ok(false);
                }
            };
            // The revisions' SQL was checked before the lock (it does not depend on the rows).
            if let Err(e) = refuse(history::validate_rows(&rows, graph)) {
                refusal = Some(e);
                return Ok(false);
            }
            let have = ids(&rows);
            let done = match dir {
                Direction::Up => have.contains(&rev.id),
                Direction::Down => !have.contains(&rev.id),
            };
            if done {
                return Ok(false);
            }
            if let Some(e) = precondition(graph, rev, dir, &have) {
                refusal = Some(e);
                return Ok(false);
            }
            if let Some(e) = gate::recount(tx, graph, &rows, rev, dir, opts)? {
                refusal = Some(e);
                return Ok(false);
            }
            if started.get().is_none() {
                started.set(Some(clock.millis()));
            }
            Ok(true)
        },
        |tx| {
            elapsed.set(clock.millis() - started.get().unwrap_or_default());
            match dir {
                Direction::Up => {
                    tx.execute(
                        &format!("INSERT INTO {} (version, applied_at, description, checksum, execution_ms) VALUES (?1, ?2, ?3, ?4, ?5)", quote(table)),
                        rusqlite::params![rev.id, clock.now().rfc3339(), rev.message, rev.checksum, (elapsed.get() * 1000.0).round() / 1000.0],
                    )?;
                }
                Direction::Down => {
                    tx.execute(&format!("DELETE FROM {} WHERE version = ?1", quote(table)), [&rev.id])?;
                }
            }
            Ok(())
        },
    );
    let ran = match ran {
        // A no-transaction section committed its statements, and under the lock it could not
        // be recorded: say why, with what committed.
        Err(Error::NotRecorded { committed, why }) if script.no_transaction => {
            let why = match refusal {
                Some(MigrateError::Changed { reason, .. }) => {
                    format!("under the write lock it could no longer be recorded: {reason} (another process changed the database while this command ran the statements)")
                }
                Some(e) => format!("under the write lock it could no longer be recorded: {e}"),
                None if why == runner::NOT_CONFIRMED => "another process recorded or reverted this revision while this command ran its statements".into(),
                None => why,
            };
            return Err(Error::NotRecorded { committed, why }.into());
        }
        other => other?,
    };
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
        Target::Relative(_) => return Err(RevisionError::BadTarget { spec: target.to_string(), verb: "stamp (use a revision, head or base)" }.into()),
    };
    let table = &opts.version_table;
    let mut added = Vec::new();
    let mut removed = Vec::new();
    let now = clock.now().rfc3339();
    runner::run(
        conn,
        &Script::default(),
        &mut |_| {},
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

/// Runs `work` (reading and building the model, for `revision --autogenerate` and `check`)
/// while [`head_schema`] is built on a thread of its own, and returns both. The two share
/// nothing and each is mostly SQLite's work in scratch databases of its own, so where a core is
/// free they take the time of the longer one instead of the sum. Where no thread can be made
/// (the browser's wasm32), the head is built after `work`, on this thread.
pub fn with_head_schema<T>(graph: &Graph, version_table: &str, work: impl FnOnce() -> T) -> (T, Result<Schema>) {
    std::thread::scope(|s| match std::thread::Builder::new().spawn_scoped(s, || head_schema(graph, version_table)) {
        Ok(head) => {
            let done = work();
            // The head's thread only returns a value; should it ever panic, the panic goes on here.
            (done, head.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
        }
        Err(_) => (work(), head_schema(graph, version_table)),
    })
}

/// The schema the revisions up to the single head produce, built by running them in scratch
/// in-memory databases (no live database needed). An empty graph gives an empty schema.
pub fn head_schema(graph: &Graph, version_table: &str) -> Result<Schema> {
    if graph.is_empty() {
        return Ok(Schema::default());
    }
    schema_at(graph, graph.single_head()?, version_table)
}

/// The schemas revisions produce, built as [`head_schema`] builds them (in a scratch in-memory
/// database, `version_table` left out): what the core's exports ask for when they start from
/// revision files (`strata_core::export::HeadSchema`).
pub struct Replay<'a> {
    pub version_table: &'a str,
}

impl strata_core::export::HeadSchema for Replay<'_> {
    fn head_schema(&self, graph: &Graph) -> std::result::Result<Schema, Box<dyn std::error::Error + Send + Sync>> {
        Ok(head_schema(graph, self.version_table)?)
    }
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
        // A scratch database has nothing worth a quick_check.
        let script = Script { quick_check: false, ..revision_script(rev, Direction::Up) };
        runner::run(&mut conn, &script, &mut |_| {}, |_| Ok(true), |_| Ok(()))
            .map_err(|cause| MigrateError::Build { id: rev.id.clone(), cause: Box::new(cause) })?;
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

    /// The rename questions no answer covers yet (see [`strata_core::answers`]): while there is
    /// one, no revision may be written from this migration.
    pub fn unanswered(&self, declined: &[Decline]) -> Vec<&RenameCandidate> {
        strata_core::answers::unanswered(&self.diff.rename_candidates, declined)
    }

    /// The revision that records this migration.
    pub fn revision(&self, id: &str, parents: Vec<String>, message: &str, created: &str) -> Revision {
        Revision::new(id, parents, message, created, &self.up.body_sql(), &self.down.body_sql())
            .with_foreign_keys_off(self.up.foreign_keys_off, self.down.foreign_keys_off)
            .mark_generated()
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

/// How the live schema differs from the schema that the revisions `applied` (and everything
/// they build on) produce: the migration from that schema to the live one, empty when nobody
/// changed the schema outside revisions. `exclude` names tables left out of the live schema
/// (the version table, strata's own). [`check`] reports the changes that would undo it as
/// drift; the playground's project export carries its up SQL, so that the rows it exports fit
/// the schema they come from. One definition for both.
pub fn drift(conn: &Connection, graph: &Graph, applied: &[String], version_table: &str, exclude: &[&str]) -> Result<Autogen> {
    drift_from(conn, &schema_at_all(graph, applied, version_table)?, exclude)
}

/// [`drift`] from the schema of what is applied, already built.
pub fn drift_from(conn: &Connection, expected: &Schema, exclude: &[&str]) -> Result<Autogen> {
    let live = introspect_excluding(conn, exclude)?;
    Ok(between(expected, &Model { schema: live, renames: Vec::new() }, &[]))
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
    /// Changes that would turn the database's schema into the schema of the revisions its
    /// version rows record as applied (someone changed it by hand, or stamped the wrong revision).
    pub drift: Vec<String>,
}

impl CheckReport {
    pub fn ok(&self) -> bool {
        self.model_changes.is_empty() && self.pending.is_empty() && self.findings.is_empty() && self.drift.is_empty()
    }
}

/// Compares the model with the revisions and, when a database is given, the database with both.
pub fn check(conn: Option<&Connection>, graph: &Graph, model: &Model, version_table: &str) -> Result<CheckReport> {
    check_against(conn, graph, model, head_schema(graph, version_table), version_table)
}

/// [`check`] with the head's schema already built (or its failure), as [`with_head_schema`]
/// gives it.
pub fn check_against(conn: Option<&Connection>, graph: &Graph, model: &Model, head: Result<Schema>, version_table: &str) -> Result<CheckReport> {
    let mut report = CheckReport { findings: history::validate(&[], graph), ..CheckReport::default() };
    let head = match head {
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
        // The live schema is compared with the schema of what the version rows say is applied,
        // behind head as much as at it: a database changed by hand, or stamped at the wrong
        // revision, shows here. Rows naming revisions that have no file, or skipping one, are
        // findings already, and leave no schema to compare with.
        let broken = report.findings.iter().any(|f| matches!(f, Finding::Unknown { .. } | Finding::Missing { .. }));
        if !graph.is_empty() && !broken {
            let current = graph.current(&have);
            // A database at head is compared with the head's schema already built; rebuilding
            // it was a tenth of a check.
            let at_head = graph.single_head().is_ok_and(|h| current.len() == 1 && current[0] == h);
            let drifted = match &head {
                Some(head) if at_head => drift_from(conn, head, &[version_table])?,
                _ => drift(conn, graph, &current, version_table, &[version_table])?,
            };
            report.drift = drifted.down.changes.iter().map(|c| c.describe()).collect();
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(Cell<f64>);
    impl Clock for Fixed {
        fn now(&self) -> Timestamp {
            Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").unwrap()
        }
        fn millis(&self) -> f64 {
            self.0.set(self.0.get() + 1.5);
            self.0.get()
        }
    }

    fn rev(id: &str, parent: Option<&str>, up: &str, down: &str) -> Revision {
        Revision::new(id, parent.into_iter().map(String::from).collect(), &format!("rev {id}"), id, up, down)
    }

    /// The head's schema built beside other work is the one `head_schema` gives, and its
    /// failure comes back as a value beside the work's result.
    #[test]
    fn the_head_schema_built_beside_other_work_is_the_head_schema() {
        let g = Graph::new(vec![rev("r1", None, "CREATE TABLE a (x INTEGER);", ""), rev("r2", Some("r1"), "CREATE INDEX ax ON a (x);", "")]).unwrap();
        let (work, head) = with_head_schema(&g, DEFAULT_VERSION_TABLE, || "model");
        assert_eq!(work, "model");
        assert_eq!(format!("{:?}", head.unwrap()), format!("{:?}", head_schema(&g, DEFAULT_VERSION_TABLE).unwrap()));
        let two_heads = Graph::new(vec![rev("r1", None, "CREATE TABLE a (x);", ""), rev("r2", Some("r1"), "", ""), rev("r3", Some("r1"), "", "")]).unwrap();
        let (work, head) = with_head_schema(&two_heads, DEFAULT_VERSION_TABLE, || 7);
        assert_eq!(work, 7);
        assert!(matches!(head, Err(MigrateError::Revision(RevisionError::MultipleHeads { .. }))), "{head:?}");
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
        conn.execute("INSERT INTO b VALUES ('kept')", []).unwrap();
        let e = downgrade(&mut conn, &g, &Target::Relative(-1), &Options::default(), &clock, &mut |_| {}).unwrap_err();
        let MigrateError::DataLoss { losses, direction: Direction::Down } = &e else { panic!("{e}") };
        assert_eq!(losses.iter().map(ToString::to_string).collect::<Vec<_>>(), ["r2 (rev r2): drops table b: 1 row"]);
        assert!(e.to_string().starts_with("this downgrade would throw data away, so nothing was run:\n  - r2 (rev r2): drops table b: 1 row\nmake a backup"), "{e}");
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
    fn check_finds_drift_behind_head_when_the_stamp_is_wrong() {
        let g = Graph::new(vec![
            rev("r1", None, "CREATE TABLE a (x INTEGER);", "DROP TABLE a;"),
            rev("r2", Some("r1"), "CREATE TABLE b (y TEXT);", "DROP TABLE b;"),
            rev("r3", Some("r2"), "CREATE TABLE c (z);", "DROP TABLE c;"),
        ])
        .unwrap();
        let model = crate::model::from_sql("CREATE TABLE a (x INTEGER); CREATE TABLE b (y TEXT); CREATE TABLE c (z);").unwrap();
        let mut conn = Connection::open_in_memory().unwrap();
        let clock = Fixed(Cell::new(0.0));
        upgrade(&mut conn, &g, &Target::Revision("r2".into()), &Options::default(), &clock, &mut |_| {}).unwrap();
        // Honestly behind head: pending, but no drift.
        let honest = check(Some(&conn), &g, &model, DEFAULT_VERSION_TABLE).unwrap();
        assert_eq!((honest.pending.clone(), honest.drift.clone()), (vec!["r3".to_string()], vec![]));
        // Stamped back to r1 although r2's table is there: the database is behind head either
        // way, and the stamp is wrong.
        stamp(&mut conn, &g, &Target::Revision("r1".into()), &Options::default(), &clock).unwrap();
        let wrong = check(Some(&conn), &g, &model, DEFAULT_VERSION_TABLE).unwrap();
        assert_eq!(wrong.pending, ["r2", "r3"]);
        assert_eq!(wrong.drift.len(), 1, "{:?}", wrong.drift);
        assert!(wrong.drift[0].contains('b'), "{:?}", wrong.drift);
        // Stamped to base with tables present is caught too.
        stamp(&mut conn, &g, &Target::Base, &Options::default(), &clock).unwrap();
        assert_eq!(check(Some(&conn), &g, &model, DEFAULT_VERSION_TABLE).unwrap().drift.len(), 2);
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

#[cfg(test)]
mod atomic_tests;
