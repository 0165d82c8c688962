//! The playground's engine: it owns the browser's database (natively, any SQLite connection)
//! and answers the page's requests (`protocol`), each with a fresh snapshot of what the database
//! holds. The web worker only opens the database and forwards messages here: a message in,
//! [`Workspace::handle`], a reply out. Everything else lives in this module's parts, one concept
//! each: the console (`console`), the snapshot (`snapshot`), the migration workbench
//! (`workbench`: autogenerate, save, merge, upgrade and downgrade, create_all, exports), whole
//! databases in and out (`transfer`, over the crate's `transfer` module), the rehearsal and the
//! revisions' classes (`rehearsal`, over the crate's `rehearse` and `revision_class`) and the
//! lesson runner (`lesson`). Natively it runs in `cargo test` on the same SQLite, so all of it is tested
//! without a browser.
//!
//! The project (its revisions, as strata revision files) is kept in the same database, in the
//! strata-owned table [`PROJECT_TABLE`] (a [`TableStore`]), so one OPFS file holds everything a
//! reload must find.

use std::cell::RefCell;
use std::rc::Rc;

use rusqlite::Connection;
use strata_core::revision::{Graph, Revision};

use crate::budget;
use crate::error::sqlite_message;
use crate::migrate::{self, Clock, Options};
use crate::store::{RevisionStore, TableStore};
pub use crate::store::{PROJECT_DDL, PROJECT_TABLE};
use crate::transfer::scratch;
pub use crate::transfer::{BASELINE_ID, META_TABLE};
use protocol::{Failure, Outcome, Reply, Request, Snapshot, Storage};
use workbench::migration;

// The messages and the demo project are values and text, kept in strata-core so the page's
// module can hold them without SQLite; this module is the one that answers them.
pub use strata_core::playground::{demo, protocol};

mod console;
/// What a damaged saved database allows, and the answers it gets.
mod damaged;
/// Exercises a teacher makes and shares as links.
mod exercise;
#[cfg(not(target_arch = "wasm32"))]
pub mod demo_image;
/// The live connection's guard rails (defensive mode, settings, TEMP objects) and the ways out
/// of a damaged file.
mod live;
/// Lesson steps, checks and the simulated app, on top of the workspace's own methods.
mod lesson;
/// The browser's storage read by hand when its pool does not install.
pub mod pool;
/// The rehearsal on a scratch copy and the revisions' additive/breaking classes.
mod rehearsal;
mod snapshot;
/// Loading, exporting and importing whole databases, the model text, and backups.
mod transfer;
mod workbench;

#[cfg(test)]
mod backup_tests;
#[cfg(test)]
mod demo_tests;
#[cfg(test)]
mod exercise_tests;
#[cfg(test)]
mod guard_tests;
#[cfg(test)]
mod loss_tests;
#[cfg(test)]
mod pool_tests;
#[cfg(test)]
mod rehearsal_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod transfer_tests;
#[cfg(test)]
mod workbench_tests;

/// The folder the Alembic project's zip unpacks into.
pub const ALEMBIC_FOLDER: &str = "strata-alembic";

/// The name of the table that records applied revisions.
pub const VERSION_TABLE: &str = migrate::DEFAULT_VERSION_TABLE;

/// Tables that belong to strata, not to the visitor's schema.
pub const STRATA_TABLES: [&str; 3] = [VERSION_TABLE, PROJECT_TABLE, META_TABLE];

/// How long a share link's or an imported file's work may take before it is stopped
/// (`budget`): nobody asked for that work by hand, so a query in it that never ends must not
/// hold the playground. Generous, since a big project really does take seconds in the browser.
pub const LINK_BUDGET_MS: f64 = 10_000.0;

/// An open database, where it lives, and the project's revisions.
pub struct Workspace {
    conn: Connection,
    storage: Storage,
    /// Parents before children, as stored in [`PROJECT_TABLE`].
    revisions: Vec<Revision>,
    /// Where backups are kept: a database of its own (see `transfer.rs`).
    backups: Connection,
    /// The table the data grid showed last, for requests that do not say.
    last_browse: Option<String>,
    /// Why the saved revisions could not be read when the database was opened, if they could
    /// not: the database still opens (so Reset, Import and Restore can repair it) and Open
    /// says what is wrong.
    unreadable: Option<String>,
    /// Where time comes from: the browser's clock in the worker, the system's natively.
    clock: Rc<dyn Clock>,
    /// Why the saved database cannot be used at all (its file is not a database, or reading
    /// it stopped the worker), when it cannot: every request but the repairs is then refused
    /// (see `damaged.rs`).
    damaged: Option<String>,
    /// The clock time budgets are read on (`budget`); without one, nothing has a budget.
    stopwatch: Option<budget::Stopwatch>,
    /// The budget of work a link or an import starts, in milliseconds.
    budget_ms: f64,
    /// The revisions' classes, kept until the revisions change (see `rehearsal.rs`).
    classes: RefCell<rehearsal::Classes>,
}

impl Workspace {
    /// [`Workspace::with_clock`] on the system clock (natively: tests, the CLI).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn open(conn: Connection, storage: Storage) -> Result<Workspace, String> {
        Workspace::with_clock(conn, storage, Rc::new(crate::clock::SystemClock::new()))
    }

    /// Opens the database file at `path` (`":memory:"` for one in memory) and takes it over, as
    /// [`Workspace::with_clock`] does.
    pub fn open_path(
        path: &str,
        storage: Storage,
        clock: Rc<dyn Clock>,
    ) -> Result<Workspace, String> {
        let conn = Connection::open(path)
            .map_err(|e| format!("cannot open {path}: {}", sqlite_message(&e)))?;
        Workspace::with_clock(conn, storage, clock)
    }

    /// Takes over a connection, seeding the demo project if the database is empty and reading
    /// the project's revisions otherwise. `clock` is where time comes from (the browser's in
    /// the worker). A database that cannot be read does not fail this: the workspace opens
    /// damaged and offers the repairs (see `damaged.rs`), so the page always has something to
    /// show and a way out.
    pub fn with_clock(
        conn: Connection,
        storage: Storage,
        clock: Rc<dyn Clock>,
    ) -> Result<Workspace, String> {
        let mut engine = Workspace::taking(conn, storage, clock)?;
        let opened = engine.is_empty().map_err(|e| sqlite_message(&e)).and_then(|empty| {
            if empty {
                engine.seed().map(|_| ())
            } else {
                // Opening reads only the schema and strata's own tables; garbage deep in a
                // table's pages would meet each later request as "malformed", one by one. The
                // check reads every page once (benches/open_check.rs: milliseconds for the
                // playground's sizes) and sends a damaged file to the repairs at once.
                scratch::sound(&engine.conn, "quick_check")?;
                match engine.load_project() {
                    Ok(revisions) => engine.revisions = revisions,
                    Err(e) => engine.unreadable = Some(e),
                }
                Ok(())
            }
        });
        if let Err(problem) = opened {
            engine.damaged = Some(problem);
        }
        Ok(engine)
    }

    /// Takes over a connection without reading anything from it, as damaged for `problem`: what
    /// the browser's worker does after an earlier worker stopped while it opened the same
    /// database, so the visitor gets the repairs instead of another stop.
    pub fn rescue(
        conn: Connection,
        storage: Storage,
        clock: Rc<dyn Clock>,
        problem: String,
    ) -> Result<Workspace, String> {
        let mut engine = Workspace::taking(conn, storage, clock)?;
        engine.damaged = Some(problem);
        Ok(engine)
    }

    /// The workspace over `conn`, hardened (`live::harden`), before anything is read.
    fn taking(
        conn: Connection,
        storage: Storage,
        clock: Rc<dyn Clock>,
    ) -> Result<Workspace, String> {
        live::harden(&conn).map_err(|e| sqlite_message(&e))?;
        Ok(Workspace {
            conn,
            storage,
            revisions: Vec::new(),
            backups: Connection::open_in_memory().map_err(|e| e.to_string())?,
            last_browse: None,
            unreadable: None,
            clock,
            damaged: None,
            #[cfg(not(target_arch = "wasm32"))]
            stopwatch: Some(budget::system_millis),
            #[cfg(target_arch = "wasm32")]
            stopwatch: None,
            budget_ms: LINK_BUDGET_MS,
            classes: RefCell::default(),
        })
    }

    /// Gives the workspace the clock its time budgets are read on (the browser's, in the
    /// worker: a plain function, since SQLite's progress handler asks it).
    pub fn set_stopwatch(&mut self, now: budget::Stopwatch) {
        self.stopwatch = Some(now);
    }

    /// Runs `work` within the budget of work a link or an import starts. When the budget runs
    /// out, the failure says so in words (`what` names the work) rather than as SQLite's
    /// "interrupted".
    pub(super) fn budgeted<T>(
        &mut self,
        what: &str,
        work: impl FnOnce(&mut Workspace) -> Result<T, String>,
    ) -> Result<T, String> {
        let Some(now) = self.stopwatch else {
            return work(self);
        };
        let millis = self.budget_ms;
        let (result, spent) = budget::within(millis, now, || work(self));
        match result {
            Err(_) if spent => Err(format!(
                "{what} took longer than {} s and was stopped (a query in it may never end); nothing was changed",
                (millis / 1000.0).round()
            )),
            other => other,
        }
    }

    pub(super) fn load_project(&self) -> Result<Vec<Revision>, String> {
        TableStore::new(&self.conn).load().map_err(|e| {
            format!(
                "a saved revision cannot be read ({e}); the database opened without its \
                     revisions: Reset, Import project or Restore a backup to go on"
            )
        })
    }

    pub(super) fn graph(&self) -> Result<Graph, String> {
        Graph::new(self.revisions.clone()).map_err(|e| e.to_string())
    }

    /// Answers one request. Never panics on bad input: a failure becomes an `Err` outcome and
    /// leaves the database as it was.
    pub fn handle(&mut self, request: Request) -> Reply {
        // Keeping the model text is sent while the visitor types, so its reply skips the
        // snapshot (the reducer keeps the one it has).
        let quiet = matches!(request, Request::SaveModel { .. });
        // A lesson can be about an upgrade that failed (and left nothing behind), so its
        // journal records what each upgrade came to.
        let upgrade = matches!(request, Request::Upgrade { .. });
        let downgrade = matches!(request, Request::Downgrade { .. });
        let refused = match (self.damaged.clone(), request.model()) {
            (Some(problem), _) => self.refuse_while_damaged(&request, &problem),
            (None, Some(model)) => strata_core::project::check_model_size(model)
                .err()
                .map(|e| (Err(Failure::from(e.to_string())), None)),
            (None, None) => None,
        };
        let (outcome, browse) = match refused {
            Some(answer) => answer,
            None => self.carry_out(request),
        };
        if upgrade {
            self.record_upgrade(outcome.as_ref().map_err(|f| f.message.as_str()));
        }
        if downgrade {
            self.record_downgrade(outcome.as_ref().map_err(|f| f.message.as_str()));
        }
        // TEMP objects last for the request that made them (see `live::drop_temp_objects`).
        if let Err(e) = live::drop_temp_objects(&self.conn) {
            if self.damaged.is_none() {
                let problem = format!("cannot drop the TEMP objects the request made: {}", sqlite_message(&e));
                return self.answer(Err(problem.into()), None, quiet);
            }
        }
        self.answer(outcome, browse, quiet)
    }

    /// Carries out one request on a usable database.
    fn carry_out(&mut self, request: Request) -> (Result<Outcome, Failure>, Option<String>) {
        match request {
            Request::Open { browse } => match self.unreadable.take() {
                Some(problem) => (Err(problem.into()), browse),
                None => (self.opened().map_err(Failure::from), browse),
            },
            Request::Browse { table } => (Ok(Outcome::Done), Some(table)),
            Request::Execute { sql, browse } => {
                (self.execute(&sql).map_err(|e| e.to_string().into()), browse)
            }
            Request::Reset => (
                self.reset()
                    .map_err(|e| format!("cannot reset: {e}").into()),
                None,
            ),
            Request::Autogenerate {
                model,
                renames,
                browse,
                language,
                parent,
            } => (
                self.autogenerate_with_diagram(&model, language, &renames, parent.as_deref())
                    .map(|(autogen, millis, diagram)| {
                        let mut m = migration(&autogen, millis);
                        // A counted finding replaces the uncounted one of the same kind.
                        let counted = self.data_findings(&autogen);
                        m.findings.retain(|f| {
                            !counted
                                .iter()
                                .any(|c| c.kind == f.kind && c.change == f.change)
                        });
                        m.findings.extend(counted);
                        m.diagram = diagram;
                        Outcome::Autogenerated(m)
                    }),
                browse,
            ),
            Request::SaveRevision {
                model,
                renames,
                declined,
                message,
                browse,
                language,
                parent,
            } => (
                self.save_answered(
                    &model,
                    language,
                    (&renames, &declined),
                    &message,
                    parent.as_deref(),
                )
                .map(|id| Outcome::Saved { id }),
                browse,
            ),
            Request::Upgrade {
                target,
                browse,
                confirmed,
            } => (
                self.upgrade_checked(&target, confirmed)
                    .map_err(Failure::from),
                browse,
            ),
            Request::Downgrade {
                target,
                browse,
                confirmed,
            } => (
                self.downgrade_checked(&target, confirmed)
                    .map_err(Failure::from),
                browse,
            ),
            Request::Merge { message, browse } => (
                self.merge(&message)
                    .map(|id| Outcome::Saved { id })
                    .map_err(Failure::from),
                browse,
            ),
            Request::CreateAll {
                model,
                language,
                apply,
                browse,
            } => (self.create_all(&model, language, apply), browse),
            Request::Export { id, format } => (
                self.export(&id, format).map_err(Failure::from),
                self.last_browse.clone(),
            ),
            Request::ExportAlembicProject { model, language } => (
                self.export_alembic_project(&model, language)
                    .map_err(Failure::from),
                self.last_browse.clone(),
            ),
            Request::Steps { steps, browse } => {
                (self.run_steps(&steps).map_err(Failure::from), browse)
            }
            Request::Check {
                lesson,
                checks,
                browse,
            } => (
                Ok(Outcome::Checked {
                    passed: self.check(&lesson, &checks),
                    lesson,
                }),
                browse,
            ),
            Request::LessonGoal {
                lesson,
                model,
                versions,
                browse,
            } => (Ok(self.lesson_goal(lesson, &model, &versions)), browse),
            Request::LessonCommit { lesson, browse } => (Ok(self.lesson_commit(lesson)), browse),
            Request::AppWrite {
                deployed,
                writes,
                browse,
                run,
            } => (
                self.app_write(&deployed, &writes, run)
                    .map_err(Failure::from),
                browse,
            ),
            Request::Load {
                project,
                browse,
                link,
            } => {
                let what = if link {
                    "the share link's project"
                } else {
                    "the project file"
                };
                let loaded = self.budgeted(what, |engine| engine.load(&project, link));
                (loaded.map_err(Failure::from), browse)
            }
            Request::OpenExercise { exercise, browse } => {
                let opened = self.budgeted("the exercise link's project", |engine| {
                    engine.open_exercise(&exercise)
                });
                (opened.map_err(Failure::from), browse)
            }
            Request::MakeExercise {
                model,
                language,
                title,
                text,
                checks,
            } => {
                let made = self.budgeted("making the exercise", |engine| {
                    engine.make_exercise(&model, language, &title, &text, &checks)
                });
                (made.map_err(Failure::from), self.last_browse.clone())
            }
            Request::SaveModel { model, language } => (
                self.save_model(&model, language).map_err(Failure::from),
                None,
            ),
            Request::ExportProject {
                model,
                language,
                share,
            } => (
                self.export_project(&model, language)
                    .map(|project| Outcome::ProjectExported { project, share })
                    .map_err(Failure::from),
                self.last_browse.clone(),
            ),
            Request::ExportSqlite => (
                self.export_sqlite().map_err(Failure::from),
                self.last_browse.clone(),
            ),
            Request::ImportSqlite {
                name,
                base64,
                browse,
            } => {
                let imported =
                    self.budgeted(&name.clone(), |engine| engine.import_sqlite(&name, &base64));
                (imported.map_err(Failure::from), browse)
            }
            Request::Backup { label } => (
                self.backup(&label).map_err(Failure::from),
                self.last_browse.clone(),
            ),
            Request::Restore { id } => (
                self.restore(&id).map_err(Failure::from),
                self.last_browse.clone(),
            ),
            Request::Rehearse { target } => (
                self.rehearse(&target).map_err(Failure::from),
                self.last_browse.clone(),
            ),
            Request::DiscardRevision { id, browse } => {
                (self.discard(&id).map_err(Failure::from), browse)
            }
            // The worker panics on it before it gets here (see `worker.rs`).
            Request::CrashForTest => (
                Err("only the browser's database worker crashes on request"
                    .to_owned()
                    .into()),
                None,
            ),
        }
    }

    /// The reply to a request: its outcome and the snapshot of the database after it.
    fn answer(
        &mut self,
        outcome: Result<Outcome, Failure>,
        browse: Option<String>,
        quiet: bool,
    ) -> Reply {
        if quiet {
            // A failure to keep the model is reported without a snapshot too, so the panels
            // keep showing the database, which did not change.
            let outcome = outcome.or_else(|e| Ok(Outcome::ModelNotKept(e.message)));
            return Reply {
                outcome,
                snapshot: Snapshot {
                    storage: self.storage.clone(),
                    ..Snapshot::default()
                },
            };
        }
        if browse.is_some() {
            self.last_browse.clone_from(&browse);
        }
        if let Some(problem) = &self.damaged {
            let snapshot = self.damaged_snapshot(problem);
            return Reply { outcome, snapshot };
        }
        let snapshot = match self.snapshot(browse.as_deref()) {
            Ok(snapshot) => snapshot,
            Err(e) => {
                // A snapshot only reads, so failing here means the database itself is
                // unreadable; the page still gets an answer it can show, which says whether the
                // request itself was carried out.
                let outcome = match outcome {
                    // A background answer keeps its kind, so the page counts it off as
                    // background work; what went wrong travels inside it.
                    Ok(done) if done.is_background() => {
                        Ok(done.failed(format!("the database cannot be read: {e}")))
                    }
                    Ok(_) => Err(format!("the request was carried out, but the database cannot be read afterwards: {e}").into()),
                    Err(failed) => Err(Failure {
                        message: format!("{}; the database cannot be read either: {e}", failed.message),
                        at: failed.at,
                    }),
                };
                return Reply {
                    outcome,
                    snapshot: Snapshot {
                        storage: self.storage.clone(),
                        ..Snapshot::default()
                    },
                };
            }
        };
        Reply { outcome, snapshot }
    }

    pub(super) fn is_empty(&self) -> rusqlite::Result<bool> {
        self.conn
            .query_row("SELECT count(*) = 0 FROM sqlite_schema", [], |row| {
                row.get(0)
            })
    }
}

fn options() -> Options {
    Options {
        version_table: VERSION_TABLE.to_owned(),
        allow_data_loss: true,
    }
}
