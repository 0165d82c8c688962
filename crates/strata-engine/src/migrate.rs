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

use crate::error::Error;
use strata_core::history::{self, AppliedRow, Finding};
use crate::runner::RunEvent;
use strata_core::revision::{Direction, Graph, Revision, RevisionError, Target};
use crate::runner::{self, Script, ScriptStep};
use strata_core::sql::quote;

/// Autogenerate, drift and `check`, diffing what the revisions build against the model.
mod autogen;
/// The data-loss gate: what a run would throw away, counted, and the refusals.
mod gate;
/// The schemas revisions produce, replayed in scratch databases.
mod replay;
pub use autogen::{autogenerate, autogenerate_on, between, check, check_against, drift, drift_from, live_diff, Autogen, CheckReport};
pub use gate::{data_loss, data_risks, refuse_data_loss, LossInPath, RevisionLoss};
pub use strata_core::history::{version_table_ddl, DEFAULT_VERSION_TABLE};
pub use strata_core::time::{Clock, Timestamp};
pub use strata_core::script::script_sql;

pub use replay::{head_schema, schema_at, schema_at_all, schema_at_all_grouped, schema_at_all_in_one_database, with_head_schema, Replay};
#[cfg(test)]
pub(crate) use replay::replay_in_one_database;
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

#[cfg(test)]
mod tests;

#[cfg(test)]
mod atomic_tests;
