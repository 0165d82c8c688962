//! The database side of the playground: it owns the SQLite connection and answers requests.
//!
//! In the browser the engine runs inside the dedicated worker (see `worker.rs`); natively it
//! runs in `cargo test`, on the same SQLite, so everything it does is tested without a browser.
//! Migration work (parse the model, autogenerate, upgrade, downgrade) is delegated to
//! strata-core from here, so that this module stays the only place of the web crate that
//! touches a connection.
//!
//! The project (its revisions, as strata revision files) is kept in the same database, in the
//! strata-owned table [`PROJECT_TABLE`], so one OPFS file holds everything a reload must find.

use std::cell::RefCell;
use std::rc::Rc;

use rusqlite::fallible_iterator::FallibleIterator;
use rusqlite::{types::ValueRef, Connection};
use strata_core::answers::Decline;
use strata_core::revision::{Direction, Graph, Revision, Target};
use strata_core::schema::Schema;
use strata_core::time::Timestamp;
use strata_core::{export, Rename};
use crate::migrate::{self, Autogen, Clock, Options};
use crate::store::{create_revision, Draft, Parents, RevisionStore, TableStore};
pub use crate::store::{PROJECT_DDL, PROJECT_TABLE};


pub mod demo;
/// Lesson steps, checks and the simulated app, on top of this engine's own methods.
mod lesson;
#[cfg(test)]
mod loss_tests;
pub mod protocol;
/// Loading, exporting and importing whole databases, the model text, and backups.
mod transfer;
#[cfg(test)]
mod workbench_tests;
use strata_core::project::ModelLanguage;
use protocol::{
    Browsed, Cell, CreateAllReport, Diagram, DiagramColumn, DiagramTable, ExportFile, ExportFormat,
    ExportView, Grid, LintBadge, Mark, Migration, Outcome, Reply, Request, RevisionView, Snapshot,
    Storage, TableSummary, GRID_ROW_LIMIT,
};
pub use transfer::{BASELINE_ID, META_TABLE};

/// The folder the Alembic project's zip unpacks into.
pub const ALEMBIC_FOLDER: &str = "strata-alembic";

/// The name of the table that records applied revisions.
pub const VERSION_TABLE: &str = migrate::DEFAULT_VERSION_TABLE;

/// Tables that belong to strata, not to the visitor's schema.
pub const STRATA_TABLES: [&str; 3] = [VERSION_TABLE, PROJECT_TABLE, META_TABLE];

/// An open database, where it lives, and the project's revisions.
pub struct Engine {
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
}

impl Engine {
    /// [`Engine::with_clock`] on the system clock (natively: tests, the CLI).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn open(conn: Connection, storage: Storage) -> Result<Engine, String> {
        Engine::with_clock(conn, storage, Rc::new(crate::clock::SystemClock::new()))
    }

    /// Opens the database file at `path` (`":memory:"` for one in memory) and takes it over, as
    /// [`Engine::with_clock`] does.
    pub fn open_path(path: &str, storage: Storage, clock: Rc<dyn Clock>) -> Result<Engine, String> {
        let conn = Connection::open(path).map_err(|e| format!("cannot open {path}: {}", sqlite_message(&e)))?;
        Engine::with_clock(conn, storage, clock)
    }

    /// Takes over a connection, seeding the demo project if the database is empty and reading
    /// the project's revisions otherwise. `clock` is where time comes from (the browser's in
    /// the worker).
    pub fn with_clock(conn: Connection, storage: Storage, clock: Rc<dyn Clock>) -> Result<Engine, String> {
        let mut engine = Engine {
            conn,
            storage,
            revisions: Vec::new(),
            backups: Connection::open_in_memory().map_err(|e| e.to_string())?,
            last_browse: None,
            unreadable: None,
            clock,
        };
        if engine.is_empty().map_err(|e| e.to_string())? {
            engine.seed()?;
        } else {
            match engine.load_project() {
                Ok(revisions) => engine.revisions = revisions,
                Err(e) => engine.unreadable = Some(e),
            }
        }
        Ok(engine)
    }

    fn load_project(&self) -> Result<Vec<Revision>, String> {
        TableStore::new(&self.conn).load().map_err(|e| {
            format!(
                "a saved revision cannot be read ({e}); the database opened without its \
                     revisions: Reset, Import project or Restore a backup to go on"
            )
        })
    }

    fn graph(&self) -> Result<Graph, String> {
        Graph::new(self.revisions.clone()).map_err(|e| e.to_string())
    }

    /// Answers one request. Never panics on bad input: a failure becomes an `Err` outcome and
    /// leaves the database as it was.
    pub fn handle(&mut self, request: Request) -> Reply {
        // Keeping the model text is sent while the visitor types, so its reply skips the
        // snapshot (the reducer keeps the one it has).
        let quiet = matches!(request, Request::SaveModel { .. });
        let (outcome, browse) = match request {
            Request::Open { browse } => match self.unreadable.take() {
                Some(problem) => (Err(problem), browse),
                None => (self.opened(), browse),
            },
            Request::Browse { table } => (Ok(Outcome::Done), Some(table)),
            Request::Execute { sql, browse } => {
                (self.execute(&sql).map_err(|e| e.to_string()), browse)
            }
            Request::Reset => (self.reset().map_err(|e| format!("cannot reset: {e}")), None),
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
            } => (self.upgrade_checked(&target, confirmed), browse),
            Request::Downgrade {
                target,
                browse,
                confirmed,
            } => (self.downgrade_checked(&target, confirmed), browse),
            Request::Merge { message, browse } => {
                (self.merge(&message).map(|id| Outcome::Saved { id }), browse)
            }
            Request::CreateAll {
                model,
                language,
                apply,
                browse,
            } => (self.create_all(&model, language, apply), browse),
            Request::Export { id, format } => (self.export(&id, format), self.last_browse.clone()),
            Request::ExportAlembicProject { model, language } => (
                self.export_alembic_project(&model, language),
                self.last_browse.clone(),
            ),
            Request::Steps { steps, browse } => (self.run_steps(&steps), browse),
            Request::Check {
                lesson,
                checks,
                browse,
            } => (
                Ok(Outcome::Checked {
                    lesson,
                    passed: self.check(&checks),
                }),
                browse,
            ),
            Request::AppWrite {
                deployed,
                writes,
                browse,
                run,
            } => (self.app_write(&deployed, &writes, run), browse),
            Request::Load {
                project,
                browse,
                link,
            } => (self.load(&project, link), browse),
            Request::SaveModel { model, language } => (self.save_model(&model, language), None),
            Request::ExportProject {
                model,
                language,
                share,
            } => (
                self.export_project(&model, language)
                    .map(|project| Outcome::ProjectExported { project, share }),
                self.last_browse.clone(),
            ),
            Request::ExportSqlite => (self.export_sqlite(), self.last_browse.clone()),
            Request::ImportSqlite {
                name,
                base64,
                browse,
            } => (self.import_sqlite(&name, &base64), browse),
            Request::Backup { label } => (self.backup(&label), self.last_browse.clone()),
            Request::Restore { id } => (self.restore(&id), self.last_browse.clone()),
            // The worker panics on it before it gets here (see `worker.rs`).
            Request::CrashForTest => (
                Err("only the browser's database worker crashes on request".to_owned()),
                None,
            ),
        };
        if quiet {
            // A failure to keep the model is reported without a snapshot too, so the panels
            // keep showing the database, which did not change.
            let outcome = outcome.or_else(|e| Ok(Outcome::ModelNotKept(e)));
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
                    Ok(_) => Err(format!("the request was carried out, but the database cannot be read afterwards: {e}")),
                    Err(failed) => Err(format!("{failed}; the database cannot be read either: {e}")),
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

    /// Runs a console script statement by statement inside one savepoint, so a failing
    /// statement undoes the ones before it and the database is left unchanged.
    fn execute(&mut self, sql: &str) -> Result<Outcome, ConsoleError> {
        if sql.trim().is_empty() {
            return Err(ConsoleError::Empty);
        }
        // A script that ends the console's own transaction would keep half of itself, and one
        // that attaches a file could reach the backups; both are refused before anything runs.
        for (n, statement) in strata_core::sql::split_statements(sql).iter().enumerate() {
            let word = leading_keyword(&statement.text);
            if matches!(
                word.as_str(),
                "BEGIN"
                    | "COMMIT"
                    | "END"
                    | "ROLLBACK"
                    | "SAVEPOINT"
                    | "RELEASE"
                    | "ATTACH"
                    | "DETACH"
            ) {
                return Err(ConsoleError::Refused {
                    statement: n + 1,
                    keyword: word,
                });
            }
        }
        self.conn.execute_batch("SAVEPOINT console")?;
        // The script may have touched strata's own project table; what it left must still read
        // as a project, or the panel and the next visit would disagree with the database.
        let outcome = run_script(&self.conn, sql).and_then(|outcome| {
            let revisions = self.load_project().map_err(ConsoleError::Project)?;
            Graph::new(revisions.clone()).map_err(|e| ConsoleError::Project(e.to_string()))?;
            Ok((outcome, revisions))
        });
        match outcome {
            Ok((outcome, revisions)) => {
                self.conn.execute_batch("RELEASE console")?;
                self.revisions = revisions;
                Ok(outcome)
            }
            Err(e) => {
                self.conn
                    .execute_batch("ROLLBACK TO console; RELEASE console")?;
                Err(e)
            }
        }
    }

    /// Parses the model and diffs the head's schema against it; also returns the milliseconds
    /// that took, measured in the worker.
    pub fn autogenerate(&self, model: &str, renames: &[Rename]) -> Result<(Autogen, f64), String> {
        self.autogenerate_with_diagram(model, ModelLanguage::Sql, renames, None)
            .map(|(autogen, millis, _)| (autogen, millis))
    }

    /// [`Engine::autogenerate`] (`migrate::autogenerate`: the head's schema built in a scratch
    /// database, diffed against the model) plus the diagram of both schemas.
    fn autogenerate_with_diagram(
        &self,
        model: &str,
        language: ModelLanguage,
        renames: &[Rename],
        parent: Option<&str>,
    ) -> Result<(Autogen, f64, Diagram), String> {
        let clock = &self.clock;
        let started = clock.millis();
        let model = parse_model(model, language)?;
        let graph = self.graph()?;
        let autogen = match parent {
            None => migrate::autogenerate(&graph, &model, renames, VERSION_TABLE),
            Some(parent) => {
                migrate::autogenerate_on(&graph, parent, &model, renames, VERSION_TABLE)
            }
        }
        .map_err(|e| e.to_string())?;
        let millis = clock.millis() - started;
        let diagram = diagram(&autogen.from, &model.schema);
        Ok((autogen, millis, diagram))
    }

    /// Records the migration from the head to the model as a new revision whose parent is the
    /// head. The id is derived from the parent, the message, the time and the SQL.
    pub fn save_revision(
        &mut self,
        model: &str,
        renames: &[Rename],
        message: &str,
    ) -> Result<String, String> {
        self.save_revision_on(model, ModelLanguage::Sql, renames, message, None)
    }

    /// Save revision as the page asks for it: refused, with nothing saved, while a rename
    /// question has neither a yes (`answers.0`) nor a no (`answers.1`), since saving a drop and
    /// an add of what was a rename would throw the column's values away.
    fn save_answered(
        &mut self,
        model: &str,
        language: ModelLanguage,
        answers: (&[Rename], &[Decline]),
        message: &str,
        parent: Option<&str>,
    ) -> Result<String, String> {
        let (renames, declined) = answers;
        let (autogen, _, _) = self.autogenerate_with_diagram(model, language, renames, parent)?;
        let open = autogen.unanswered(declined);
        if !open.is_empty() {
            let questions: Vec<&str> = open.iter().map(|c| c.question.as_str()).collect();
            return Err(format!(
                "answer the rename question{} first ({}): Yes keeps the values, No drops them; nothing was saved",
                if open.len() == 1 { "" } else { "s" },
                questions.join(" ")
            ));
        }
        self.save_revision_on(model, language, renames, message, parent)
    }

    /// [`Engine::save_revision`] for a model in either language, on the single head or, to start
    /// a branch, on the revision `parent`.
    pub fn save_revision_on(
        &mut self,
        model: &str,
        language: ModelLanguage,
        renames: &[Rename],
        message: &str,
        parent: Option<&str>,
    ) -> Result<String, String> {
        let message = message.trim();
        if message.is_empty() {
            return Err(
                "give the revision a message first: it says what the revision is for".into(),
            );
        }
        let (autogen, _, _) = self.autogenerate_with_diagram(model, language, renames, parent)?;
        if autogen.is_empty() {
            let what = parent.map_or("the head revision".to_owned(), |p| format!("revision {p}"));
            return Err(format!("nothing to save: the model already matches {what}"));
        }
        let parents = parent.map_or(Parents::Head, Parents::On);
        self.new_revision(parents, message, None, |parents, created| {
            autogen.revision("new", parents, message, created)
        })
    }

    /// Records a merge revision joining every head: it has no SQL, only parents, so applying
    /// it just records that both branches are in.
    fn merge(&mut self, message: &str) -> Result<String, String> {
        let message = message.trim();
        let message = if message.is_empty() {
            "merge heads"
        } else {
            message
        };
        let heads = ["heads".to_owned()];
        self.new_revision(Parents::Merge(&heads), message, None, |parents, created| {
            Revision::new("merge", parents, message, created, "", "")
        })
    }

    /// Makes and keeps a new revision through the engine's `create_revision` (the id rule, the
    /// parents, and every check a stored revision passes), in the project table.
    fn new_revision(
        &mut self,
        parents: Parents<'_>,
        message: &str,
        id: Option<&str>,
        make: impl FnOnce(Vec<String>, &str) -> Revision,
    ) -> Result<String, String> {
        let graph = self.graph()?;
        let draft = Draft {
            message,
            parents,
            now: self.clock.now(),
            id,
        };
        let (rev, _) = create_revision(&mut TableStore::new(&self.conn), &graph, draft, make)
            .map_err(|e| e.to_string())?;
        let id = rev.id.clone();
        self.revisions.push(rev);
        Ok(id)
    }

    /// Applies revisions up to `target`, each in its own transaction with its version row.
    /// Lesson steps call it directly: they are scripted, so data loss is theirs to decide.
    fn upgrade(&mut self, target: &str) -> Result<Outcome, String> {
        self.migrate(target, Direction::Up, &options())
    }

    /// Reverts revisions down to `target`. Lesson steps call it directly, as for upgrade.
    fn downgrade(&mut self, target: &str) -> Result<Outcome, String> {
        self.migrate(target, Direction::Down, &options())
    }

    /// An upgrade that asks first: unless the visitor has agreed, it runs through the core's
    /// data-loss gate, and a refusal becomes the question [`Outcome::ConfirmUpgrade`] (nothing
    /// ran). What loses nothing in this database (an all-NULL column, an empty table) runs.
    fn upgrade_checked(&mut self, target: &str, confirmed: bool) -> Result<Outcome, String> {
        self.migrate_checked(target, Direction::Up, confirmed)
    }

    /// A downgrade that asks first, as [`Engine::upgrade_checked`] does.
    fn downgrade_checked(&mut self, target: &str, confirmed: bool) -> Result<Outcome, String> {
        self.migrate_checked(target, Direction::Down, confirmed)
    }

    fn migrate_checked(
        &mut self,
        target: &str,
        dir: Direction,
        confirmed: bool,
    ) -> Result<Outcome, String> {
        let gate = Options {
            allow_data_loss: confirmed,
            ..options()
        };
        match self.migrate_with(target, dir, &gate) {
            Err(Refusal::Loss(losses)) => {
                let mut ids: Vec<String> = Vec::new();
                for l in &losses {
                    if !ids.contains(&l.revision) {
                        ids.push(l.revision.clone());
                    }
                }
                let (target, losses) = (
                    target.to_owned(),
                    losses.iter().map(ToString::to_string).collect(),
                );
                Ok(match dir {
                    Direction::Up => Outcome::ConfirmUpgrade {
                        target,
                        ids,
                        losses,
                    },
                    Direction::Down => Outcome::ConfirmDowngrade {
                        target,
                        ids,
                        losses,
                    },
                })
            }
            Err(Refusal::Other(e)) => Err(e),
            Ok(outcome) => Ok(outcome),
        }
    }

    fn migrate(&mut self, target: &str, dir: Direction, opts: &Options) -> Result<Outcome, String> {
        self.migrate_with(target, dir, opts).map_err(|e| match e {
            Refusal::Loss(losses) => migrate::MigrateError::DataLoss {
                direction: dir,
                losses,
            }
            .to_string(),
            Refusal::Other(e) => e,
        })
    }

    /// Runs revisions one way through the core; what they throw away (counted before they
    /// run) comes back in [`Outcome::Migrated`].
    fn migrate_with(
        &mut self,
        target: &str,
        dir: Direction,
        opts: &Options,
    ) -> Result<Outcome, Refusal> {
        let graph = self.graph().map_err(Refusal::Other)?;
        let parsed = Target::parse(target);
        // As in Alembic, "head" has no answer while two branches are unmerged; the page's way
        // out is its Merge heads button, not the CLI command the core's message names.
        let heads = graph.heads();
        if dir == Direction::Up && parsed == Target::Head && heads.len() > 1 {
            return Err(Refusal::Other(format!(
                "there are {} heads ({}): join them with Merge heads first, or apply one branch with its Upgrade to here; nothing was applied",
                heads.len(),
                heads.join(", ")
            )));
        }
        let other = |e: migrate::MigrateError| Refusal::Other(e.to_string());
        let path = match dir {
            Direction::Up => migrate::upgrade_path(&self.conn, &graph, &parsed, opts),
            Direction::Down => migrate::downgrade_path(&self.conn, &graph, &parsed, opts),
        }
        .map_err(other)?;
        let losses: Vec<String> = migrate::data_loss(&self.conn, &path, dir)
            .map_err(other)?
            .iter()
            .map(ToString::to_string)
            .collect();
        let ran = match dir {
            Direction::Up => migrate::upgrade(
                &mut self.conn,
                &graph,
                &parsed,
                opts,
                &*self.clock,
                &mut |_| {},
            ),
            Direction::Down => migrate::downgrade(
                &mut self.conn,
                &graph,
                &parsed,
                opts,
                &*self.clock,
                &mut |_| {},
            ),
        };
        let ids = match ran {
            Ok(ids) => ids,
            Err(migrate::MigrateError::DataLoss { losses, .. }) => {
                return Err(Refusal::Loss(losses))
            }
            Err(e) => return Err(other(e)),
        };
        Ok(Outcome::Migrated {
            up: dir == Direction::Up,
            ids,
            losses,
        })
    }

    /// The findings that depend on the rows (NOT NULL, UNIQUE, CHECK, foreign keys over
    /// existing data), counted against the live database when it is where the migration
    /// starts; elsewhere its rows say nothing about the migration, so nothing is counted.
    fn data_findings(&self, autogen: &Autogen) -> Vec<LintBadge> {
        let live = match crate::introspect_excluding(&self.conn, &STRATA_TABLES) {
            Ok(live) if live == autogen.from => live,
            _ => return Vec::new(),
        };
        let checks = strata_core::data_checks(&autogen.up, &live);
        crate::runner::check_data(&self.conn, &checks)
            .unwrap_or_default()
            .iter()
            .map(badge)
            .collect()
    }

    /// What SQLModel's `create_all()` would do to the live database; with `apply`, does it (the
    /// tables it creates, in one transaction) so the visitor sees exactly what it leaves alone.
    fn create_all(
        &mut self,
        model: &str,
        language: ModelLanguage,
        apply: bool,
    ) -> Result<Outcome, String> {
        let model = parse_model(model, language)?;
        let live = crate::introspect_excluding(&self.conn, &STRATA_TABLES)
            .map_err(|e| e.to_string())?;
        let sim = strata_core::sqlmodel::create_all(&live, &model.schema);
        if apply && !sim.statements.is_empty() {
            let tx = self.conn.transaction().map_err(|e| sqlite_message(&e))?;
            for statement in &sim.statements {
                tx.execute_batch(statement).map_err(|e| {
                    format!(
                        "create_all() failed at `{statement}`: {}; no changes were applied",
                        sqlite_message(&e)
                    )
                })?;
            }
            tx.commit().map_err(|e| sqlite_message(&e))?;
        }
        Ok(Outcome::CreateAll(CreateAllReport {
            created: sim.created_tables.clone(),
            statements: sim.statements.clone(),
            skipped: sim.skipped.iter().map(|s| s.describe()).collect(),
            applied: apply,
        }))
    }

    /// One revision in another tool's format, made by strata-core's exporters.
    fn export(&self, id: &str, format: ExportFormat) -> Result<Outcome, String> {
        let graph = self.graph()?;
        let id = graph.resolve(id).map_err(|e| e.to_string())?;
        let file = |name: String, text: String| ExportFile { name, text };
        let (files, notes) = match format {
            ExportFormat::Sql => {
                let rev = graph.get(&id).ok_or_else(|| format!("no revision {id}"))?;
                let f = export::sql_files(rev, VERSION_TABLE);
                (
                    vec![file(f.up_name, f.up), file(f.down_name, f.down)],
                    Vec::new(),
                )
            }
            ExportFormat::Alembic | ExportFormat::Postgres => {
                let input = export::ExportInput::for_revision(
                    &graph,
                    &id,
                    &migrate::Replay {
                        version_table: VERSION_TABLE,
                    },
                )
                .map_err(|e| e.to_string())?;
                if format == ExportFormat::Alembic {
                    (
                        vec![file(format!("{id}.py"), export::alembic(&input))],
                        Vec::new(),
                    )
                } else {
                    let pg = export::postgres(&input);
                    (
                        vec![
                            file(format!("{id}.postgres.up.sql"), pg.up),
                            file(format!("{id}.postgres.down.sql"), pg.down),
                        ],
                        pg.notes,
                    )
                }
            }
        };
        Ok(Outcome::Exported(ExportView {
            id,
            format,
            files,
            notes,
        }))
    }

    /// Every revision as a runnable Alembic project (strata-core's `alembic_project`), zipped
    /// under one folder so it unpacks as one. A SQLModel model is the models file of the project.
    fn export_alembic_project(
        &self,
        model: &str,
        language: ModelLanguage,
    ) -> Result<Outcome, String> {
        use base64::Engine as _;
        let graph = self.graph()?;
        let models = (language == ModelLanguage::Sqlmodel).then_some(export::ModelsFile {
            name: "models.py",
            text: model,
        });
        let project = export::alembic_project(
            &graph,
            &migrate::Replay {
                version_table: VERSION_TABLE,
            },
            export::project::DEFAULT_DATABASE,
            models,
        )
        .map_err(|e| e.to_string())?;
        let files: Vec<(String, Vec<u8>)> = project
            .files
            .into_iter()
            .map(|(path, text)| (format!("{ALEMBIC_FOLDER}/{path}"), text.into_bytes()))
            .collect();
        let zip = strata_core::zip::write(&files).map_err(|e| e.to_string())?;
        Ok(Outcome::AlembicProjectExported {
            base64: base64::engine::general_purpose::STANDARD.encode(zip),
            revisions: graph.len(),
            verbatim: project.verbatim,
        })
    }

    /// Replaces the database with the demo again (atomically, as any project load).
    /// Returns to the demo; the answer carries the demo's model and names the backup of what
    /// was replaced.
    fn reset(&mut self) -> Result<Outcome, String> {
        self.seed()
    }

    /// Drops every table and view. Dropping a parent before its children is refused while
    /// foreign keys are enforced (rusqlite's bundled SQLite enforces them by default, the
    /// browser's does not), so enforcement is off for the drop and put back as it was after.
    fn drop_all(&mut self) -> rusqlite::Result<()> {
        let enforced: bool = self
            .conn
            .query_row("PRAGMA foreign_keys", [], |row| row.get(0))?;
        self.conn.execute_batch("PRAGMA foreign_keys = OFF")?;
        let dropped = self.drop_all_objects();
        if enforced {
            self.conn.execute_batch("PRAGMA foreign_keys = ON")?;
        }
        dropped
    }

    fn drop_all_objects(&mut self) -> rusqlite::Result<()> {
        let tx = self.conn.transaction()?;
        let objects: Vec<(String, String)> = {
            let mut stmt = tx.prepare(
                "SELECT type, name FROM sqlite_schema \
                 WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
            )?;
            let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for (kind, name) in objects {
            let kind = if kind == "view" { "VIEW" } else { "TABLE" };
            tx.execute_batch(&format!("DROP {kind} IF EXISTS {}", quote_ident(&name)))?;
        }
        tx.commit()?;
        // Reclaims the pages of the dropped tables; outside the transaction, as SQLite requires.
        self.conn.execute_batch("VACUUM")
    }

    /// Loads the demo project: its revisions saved in the project table, applied by strata's
    /// runner (so `schema_version` holds real rows), then its rows. Each revision is stamped
    /// with its creation time, so a first visit and every Reset give the same database.
    fn seed(&mut self) -> Result<Outcome, String> {
        let clock = SeedClock(RefCell::new(
            demo::revisions()
                .iter()
                .map(|r| Timestamp::parse_rfc3339(&r.created).unwrap_or_default())
                .collect(),
        ));
        self.load_with(&demo::project(), &clock, transfer::BEFORE_RESET)
    }

    fn is_empty(&self) -> rusqlite::Result<bool> {
        self.conn
            .query_row("SELECT count(*) = 0 FROM sqlite_schema", [], |row| {
                row.get(0)
            })
    }

    /// Reads what the live panels show.
    pub fn snapshot(&self, browse: Option<&str>) -> rusqlite::Result<Snapshot> {
        let names: Vec<String> = {
            let mut stmt = self.conn.prepare(
                "SELECT name FROM sqlite_schema \
                 WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
                 AND name NOT IN (?1, ?2) ORDER BY name",
            )?;
            let rows = stmt.query_map([PROJECT_TABLE, META_TABLE], |row| row.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut tables = Vec::with_capacity(names.len());
        for name in &names {
            let rows: i64 = self.conn.query_row(
                &format!("SELECT count(*) FROM {}", quote_ident(name)),
                [],
                |row| row.get(0),
            )?;
            tables.push(TableSummary {
                name: name.clone(),
                rows: rows.unsigned_abs(),
            });
        }
        let schema_version = if names.iter().any(|n| n == VERSION_TABLE) {
            Some(self.table_grid(VERSION_TABLE)?)
        } else {
            None
        };
        // A table that is gone (dropped, or not in a freshly loaded project) gives way to the
        // first of the visitor's tables, so the grid never stays on an empty "no such table".
        let shown = browse
            .filter(|table| names.iter().any(|n| n == table))
            .or_else(|| {
                names
                    .iter()
                    .map(String::as_str)
                    .find(|n| *n != VERSION_TABLE)
            })
            .or_else(|| names.first().map(String::as_str));
        let browsed = match shown {
            Some(table) => Some(Browsed {
                table: table.to_owned(),
                grid: self.table_grid(table)?,
            }),
            None => None,
        };
        // A version table strata cannot read (made by another tool) shows nothing as applied.
        let applied: Vec<String> = migrate::applied(&self.conn, VERSION_TABLE)
            .map(|rows| rows.into_iter().map(|r| r.version).collect())
            .unwrap_or_default();
        let revisions = self
            .revisions
            .iter()
            .map(|r| RevisionView {
                id: r.id.clone(),
                parents: r.parents.clone(),
                message: r.message.clone(),
                up: r.up.clone(),
                down: r.down.clone(),
                applied: applied.contains(&r.id),
                atomic: r.is_atomic(),
            })
            .collect();
        // The diagram is a picture: a schema strata cannot read leaves it empty, not the page.
        let live = crate::introspect_excluding(&self.conn, &STRATA_TABLES)
            .map(|schema| diagram(&schema, &schema))
            .unwrap_or_default();
        Ok(Snapshot {
            storage: self.storage.clone(),
            tables,
            schema_version,
            browsed,
            revisions,
            diagram: live,
            // The backup store is apart from the database; if it cannot be read the panels
            // still show the database.
            backups: self.backup_views().unwrap_or_default(),
        })
    }

    fn table_grid(&self, table: &str) -> rusqlite::Result<Grid> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT * FROM {}", quote_ident(table)))?;
        read_grid(&mut stmt)
    }
}

/// The tables of `to`, and those of `from` that `to` drops, each part marked by how it compares
/// with `from`. A renamed column shows as removed and added.
fn diagram(from: &Schema, to: &Schema) -> Diagram {
    let columns = |t: &strata_core::schema::Table, mark: Mark| -> Vec<DiagramColumn> {
        t.columns
            .iter()
            .map(|c| DiagramColumn {
                name: c.name.to_string(),
                decl_type: c.decl_type.to_string(),
                status: mark,
            })
            .collect()
    };
    let refs = |t: &strata_core::schema::Table| -> Vec<String> {
        let mut refs: Vec<String> = t
            .foreign_keys
            .iter()
            .map(|f| f.ref_table.to_string())
            .collect();
        refs.dedup();
        refs
    };
    let mut tables = Vec::new();
    for t in to.tables.values() {
        let (status, cols) = match from.table(t.name.as_str()) {
            None => (Mark::Added, columns(t, Mark::Added)),
            Some(old) => {
                let mut cols: Vec<DiagramColumn> = t
                    .columns
                    .iter()
                    .map(|c| {
                        let status = match old.columns.iter().find(|o| o.name == c.name) {
                            None => Mark::Added,
                            Some(o) if o != c => Mark::Changed,
                            Some(_) => Mark::Same,
                        };
                        DiagramColumn {
                            name: c.name.to_string(),
                            decl_type: c.decl_type.to_string(),
                            status,
                        }
                    })
                    .collect();
                for o in &old.columns {
                    if !t.columns.iter().any(|c| c.name == o.name) {
                        cols.push(DiagramColumn {
                            name: o.name.to_string(),
                            decl_type: o.decl_type.to_string(),
                            status: Mark::Removed,
                        });
                    }
                }
                let status = if old == t { Mark::Same } else { Mark::Changed };
                (status, cols)
            }
        };
        tables.push(DiagramTable {
            name: t.name.to_string(),
            status,
            columns: cols,
            refs: refs(t),
        });
    }
    for t in from.tables.values() {
        if to.table(t.name.as_str()).is_none() {
            tables.push(DiagramTable {
                name: t.name.to_string(),
                status: Mark::Removed,
                columns: columns(t, Mark::Removed),
                refs: refs(t),
            });
        }
    }
    Diagram { tables }
}

/// Reads the model editor's text in its language.
fn parse_model(text: &str, language: ModelLanguage) -> Result<strata_core::Model, String> {
    match language {
        ModelLanguage::Sql => crate::from_sql(text).map_err(|e| e.to_string()),
        ModelLanguage::Sqlmodel => {
            strata_core::sqlmodel::from_sqlmodel(text).map_err(|e| format!("model {e}"))
        }
    }
}

/// Why a migration did not run: the data-loss gate, whose losses become the page's question,
/// or anything else, as its message.
enum Refusal {
    Loss(Vec<migrate::RevisionLoss>),
    Other(String),
}

fn options() -> Options {
    Options {
        version_table: VERSION_TABLE.to_owned(),
        allow_data_loss: true,
    }
}

/// One lint finding as the change list shows it.
fn badge(f: &strata_core::Finding) -> LintBadge {
    LintBadge {
        kind: f.kind.label().to_owned(),
        change: f.change,
        message: f.message.clone(),
        advice: f.advice.clone(),
        rows: f.rows,
    }
}

/// An autogenerated migration as the page shows it.
fn migration(autogen: &Autogen, millis: f64) -> Migration {
    Migration {
        changes: autogen.up.changes.iter().map(|c| c.describe()).collect(),
        findings: autogen.findings.iter().map(badge).collect(),
        candidates: autogen.diff.rename_candidates.clone(),
        up_sql: autogen.up.body_sql(),
        down_sql: autogen.down.body_sql(),
        millis,
        diagram: Diagram::default(),
    }
}

/// The clock the demo is seeded with: each revision applied at its creation time, in no time,
/// so the demo is the same on every first visit and after every reset.
struct SeedClock(RefCell<Vec<Timestamp>>);

impl Clock for SeedClock {
    fn now(&self) -> Timestamp {
        let mut times = self.0.borrow_mut();
        if times.is_empty() {
            Timestamp::default()
        } else {
            times.remove(0)
        }
    }

    fn millis(&self) -> f64 {
        0.0
    }
}

/// Why a console script failed. The message is what the page shows.
#[derive(Debug)]
enum ConsoleError {
    Empty,
    Sql {
        statement: usize,
        source: rusqlite::Error,
    },
    /// A statement the console does not run (transaction control, ATTACH).
    Refused {
        statement: usize,
        keyword: String,
    },
    /// The script left strata's project table unreadable.
    Project(String),
}

impl std::fmt::Display for ConsoleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConsoleError::Empty => write!(f, "nothing to run: type a SQL statement first"),
            ConsoleError::Sql { statement, source } => write!(
                f,
                "statement {statement}: {}; no changes were applied",
                sqlite_message(source)
            ),
            ConsoleError::Refused { statement, keyword } if keyword == "ATTACH" || keyword == "DETACH" => write!(
                f,
                "statement {statement}: {keyword} is not available in the console (the playground's files are its own); nothing was run"
            ),
            ConsoleError::Refused { statement, keyword } => write!(
                f,
                "statement {statement}: {keyword} is not needed here: every console script already runs in one transaction, kept whole or not at all; nothing was run"
            ),
            ConsoleError::Project(problem) => write!(
                f,
                "the script would leave strata's project table unreadable ({problem}); no changes were applied"
            ),
        }
    }
}

impl From<rusqlite::Error> for ConsoleError {
    fn from(source: rusqlite::Error) -> ConsoleError {
        ConsoleError::Sql {
            statement: 0,
            source,
        }
    }
}

/// Runs every statement of a script and reports on the last one that returned rows, or else
/// on how many rows the script changed.
fn run_script(conn: &Connection, sql: &str) -> Result<Outcome, ConsoleError> {
    let mut batch = rusqlite::Batch::new(conn, sql);
    let mut statements = 0;
    let mut last_rows = None;
    let changes_before = conn.total_changes();
    loop {
        let next = batch.next().map_err(|source| ConsoleError::Sql {
            statement: statements + 1,
            source,
        })?;
        let Some(mut stmt) = next else { break };
        statements += 1;
        let failed = |source| ConsoleError::Sql {
            statement: statements,
            source,
        };
        if stmt.column_count() > 0 {
            last_rows = Some(read_grid(&mut stmt).map_err(failed)?);
        } else {
            stmt.raw_execute().map_err(failed)?;
        }
    }
    let rows = conn.total_changes() - changes_before;
    Ok(match last_rows {
        Some(grid) => Outcome::Rows(grid),
        None => Outcome::Changed { statements, rows },
    })
}

/// The first keyword of a statement, upper-cased, after any comments before it (read by the
/// core's tokenizer, so comments and quoting are understood the way SQLite reads them).
fn leading_keyword(text: &str) -> String {
    strata_core::sql::words(text)
        .first()
        .map(|word| word.to_ascii_uppercase())
        .unwrap_or_default()
}

/// Reads up to [`GRID_ROW_LIMIT`] rows of a statement and counts the rest.
fn read_grid(stmt: &mut rusqlite::Statement<'_>) -> rusqlite::Result<Grid> {
    let columns: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    let width = columns.len();
    let mut rows = Vec::new();
    let mut total = 0u64;
    let mut cursor = stmt.raw_query();
    while let Some(row) = cursor.next()? {
        total += 1;
        if rows.len() < GRID_ROW_LIMIT {
            let cells = (0..width)
                .map(|i| row.get_ref(i).map(cell))
                .collect::<rusqlite::Result<_>>()?;
            rows.push(cells);
        }
    }
    Ok(Grid {
        columns,
        rows,
        total,
    })
}

fn cell(value: ValueRef<'_>) -> Cell {
    match value {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(i) => Cell::Integer(i),
        ValueRef::Real(r) => Cell::Real(r),
        ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Cell::Blob(b.len()),
    }
}

/// SQLite's own message, without rusqlite's wrapping, because that is what users search for.
fn sqlite_message(error: &rusqlite::Error) -> String {
    match error {
        rusqlite::Error::SqliteFailure(_, Some(message)) => message.clone(),
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        other => other.to_string(),
    }
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Engine {
        Engine::open(Connection::open_in_memory().unwrap(), Storage::Opfs).unwrap()
    }

    fn count(engine: &Engine, table: &str) -> u64 {
        let snapshot = engine.snapshot(None).unwrap();
        snapshot
            .tables
            .iter()
            .find(|t| t.name == table)
            .map_or(0, |t| t.rows)
    }

    #[test]
    fn opening_an_empty_database_seeds_the_demo() {
        let engine = demo();
        let snapshot = engine.snapshot(Some("users")).unwrap();
        let names: Vec<_> = snapshot.tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["identities", "schema_version", "users"]);
        let versions = snapshot.schema_version.unwrap();
        assert_eq!(versions.rows.len(), 2);
        assert!(snapshot.browsed.unwrap().grid.total >= 3);
    }

    #[test]
    fn opening_a_database_that_has_tables_keeps_it_as_it_is() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t(x)").unwrap();
        let engine = Engine::open(conn, Storage::Opfs).unwrap();
        let names: Vec<_> = engine
            .snapshot(None)
            .unwrap()
            .tables
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(names, ["t"]);
    }

    #[test]
    fn a_console_write_is_kept_and_counted() {
        let mut engine = demo();
        let before = count(&engine, "users");
        let reply = engine.handle(Request::Execute {
            sql: "INSERT INTO users(email, display_name) VALUES ('x@example.com', 'X');".into(),
            browse: Some("users".into()),
        });
        assert_eq!(
            reply.outcome,
            Ok(Outcome::Changed {
                statements: 1,
                rows: 1
            })
        );
        assert_eq!(count(&engine, "users"), before + 1);
        assert_eq!(reply.snapshot.browsed.unwrap().grid.total, before + 1);
    }

    #[test]
    fn a_console_query_returns_the_rows_of_its_last_statement() {
        let mut engine = demo();
        let reply = engine.handle(Request::Execute {
            sql: "SELECT 1; SELECT 'a' AS letter, NULL AS empty".into(),
            browse: None,
        });
        let Ok(Outcome::Rows(grid)) = reply.outcome else {
            panic!("{:?}", reply.outcome)
        };
        assert_eq!(grid.columns, ["letter", "empty"]);
        assert_eq!(grid.rows, [[Cell::Text("a".into()), Cell::Null]]);
    }

    #[test]
    fn a_failing_script_changes_nothing_and_says_which_statement_failed() {
        let mut engine = demo();
        let before = engine.snapshot(Some("users")).unwrap();
        let reply = engine.handle(Request::Execute {
            sql: "DELETE FROM users; SELEC nonsense".into(),
            browse: Some("users".into()),
        });
        let message = reply.outcome.unwrap_err();
        assert!(
            message.starts_with("statement 2: near \"SELEC\": syntax error"),
            "{message}"
        );
        assert!(message.ends_with("no changes were applied"), "{message}");
        assert_eq!(reply.snapshot, before);
    }

    #[test]
    fn a_constraint_violation_is_an_error_not_a_crash() {
        let mut engine = demo();
        let reply = engine.handle(Request::Execute {
            sql: "INSERT INTO users(id, email, display_name) VALUES (1, 'dup@example.com', 'D')"
                .into(),
            browse: None,
        });
        assert!(reply
            .outcome
            .unwrap_err()
            .contains("UNIQUE constraint failed"));
    }

    #[test]
    fn an_empty_script_is_refused() {
        let mut engine = demo();
        let reply = engine.handle(Request::Execute {
            sql: "  \n ".into(),
            browse: None,
        });
        assert!(reply.outcome.unwrap_err().starts_with("nothing to run"));
    }

    #[test]
    fn reset_returns_to_the_demo() {
        let mut engine = demo();
        let fresh = engine.snapshot(Some("users")).unwrap();
        let reply = engine.handle(Request::Execute {
            sql: "DROP TABLE identities; CREATE TABLE extra(x); CREATE VIEW v AS SELECT 1; \
                  DELETE FROM users"
                .into(),
            browse: None,
        });
        assert!(reply.outcome.is_ok(), "{:?}", reply.outcome);
        let reply = engine.handle(Request::Reset);
        // The answer carries the demo's model and names the backup, so the page can say so.
        match reply.outcome {
            Ok(Outcome::Loaded {
                model,
                language: ModelLanguage::Sql,
                notes,
            }) => {
                assert_eq!(model, demo::MODEL_SQL);
                assert_eq!(notes.len(), 1, "{notes:?}");
                assert!(notes[0].contains("(before reset)"), "{notes:?}");
            }
            other => panic!("{other:?}"),
        }
        let mut after = engine.snapshot(Some("users")).unwrap();
        // What Reset replaced is kept as a backup; everything else is the fresh demo.
        let labels: Vec<_> = after.backups.drain(..).map(|b| b.label).collect();
        assert_eq!(labels, ["before reset"]);
        assert_eq!(after, fresh);
    }

    fn versions(engine: &Engine) -> Vec<String> {
        let grid = engine.snapshot(None).unwrap().schema_version.unwrap();
        grid.column("version")
            .unwrap()
            .into_iter()
            .map(Cell::display)
            .collect()
    }

    fn with_phone() -> String {
        demo::MODEL_SQL.replace(
            "display_name TEXT NOT NULL,",
            "display_name TEXT NOT NULL,\n    phone TEXT,",
        )
    }

    #[test]
    fn the_demo_is_applied_by_the_runner_and_kept_as_a_project() {
        let engine = demo();
        assert_eq!(versions(&engine), ["0001", "0002"]);
        let snapshot = engine.snapshot(None).unwrap();
        let ids: Vec<_> = snapshot
            .revisions
            .iter()
            .map(|r| (r.id.as_str(), r.applied))
            .collect();
        assert_eq!(ids, [("0001", true), ("0002", true)]);
        assert!(!snapshot.tables.iter().any(|t| t.name == PROJECT_TABLE));
        let grid = snapshot.schema_version.unwrap();
        assert_eq!(
            grid.column("checksum").unwrap()[0],
            &Cell::Text(demo::revisions()[0].checksum.clone())
        );
    }

    #[test]
    fn the_demo_model_autogenerates_nothing() {
        let mut engine = demo();
        let reply = engine.handle(Request::Autogenerate {
            language: ModelLanguage::Sql,
            parent: None,
            model: demo::MODEL_SQL.into(),
            renames: vec![],
            browse: None,
        });
        let Ok(Outcome::Autogenerated(m)) = reply.outcome else {
            panic!("{:?}", reply.outcome)
        };
        assert!(m.changes.is_empty(), "{m:?}");
    }

    #[test]
    fn autogenerate_save_upgrade_and_downgrade_a_new_column() {
        let conn = Connection::open_in_memory().unwrap();
        let mut engine = Engine::open(conn, Storage::Opfs).unwrap();
        let reply = engine.handle(Request::Autogenerate {
            language: ModelLanguage::Sql,
            parent: None,
            model: with_phone(),
            renames: vec![],
            browse: None,
        });
        let Ok(Outcome::Autogenerated(m)) = reply.outcome else {
            panic!("{:?}", reply.outcome)
        };
        assert_eq!(m.changes, ["alter table users: add column phone"]);
        assert!(m.up_sql.contains("ADD COLUMN \"phone\""), "{}", m.up_sql);
        assert!(m.down_sql.contains("phone"), "{}", m.down_sql);
        let users = m.diagram.tables.iter().find(|t| t.name == "users").unwrap();
        assert_eq!(users.status, Mark::Changed);
        let marks: Vec<_> = users
            .columns
            .iter()
            .map(|c| (c.name.as_str(), c.status))
            .collect();
        assert!(marks.contains(&("phone", Mark::Added)), "{marks:?}");
        assert!(marks.contains(&("email", Mark::Same)), "{marks:?}");
        let identities = m
            .diagram
            .tables
            .iter()
            .find(|t| t.name == "identities")
            .unwrap();
        assert_eq!(
            (identities.status, identities.refs.clone()),
            (Mark::Same, vec!["users".to_owned()])
        );

        let reply = engine.handle(Request::SaveRevision {
            language: ModelLanguage::Sql,
            parent: None,
            model: with_phone(),
            renames: vec![],
            declined: Vec::new(),
            message: "add phone to users".into(),
            browse: None,
        });
        let Ok(Outcome::Saved { id }) = reply.outcome else {
            panic!("{:?}", reply.outcome)
        };
        let last = reply.snapshot.revisions.last().unwrap();
        assert_eq!((last.id.as_str(), last.applied), (id.as_str(), false));
        assert_eq!(last.parents, ["0002"]);

        let reply = engine.handle(Request::Upgrade {
            target: "head".into(),
            confirmed: false,
            browse: Some("users".into()),
        });
        assert_eq!(
            reply.outcome,
            Ok(Outcome::Migrated {
                up: true,
                ids: vec![id.clone()],
                losses: vec![]
            })
        );
        assert_eq!(versions(&engine), ["0001", "0002", id.as_str()]);
        assert!(reply
            .snapshot
            .browsed
            .unwrap()
            .grid
            .columns
            .contains(&"phone".to_owned()));

        let reply = engine.handle(Request::Downgrade {
            confirmed: true,
            target: "-1".into(),
            browse: Some("users".into()),
        });
        let Ok(Outcome::Migrated { up: false, ids, .. }) = reply.outcome else {
            panic!("{:?}", reply.outcome)
        };
        assert_eq!(ids, std::slice::from_ref(&id));
        assert_eq!(versions(&engine), ["0001", "0002"]);
        assert!(!reply
            .snapshot
            .browsed
            .unwrap()
            .grid
            .columns
            .contains(&"phone".to_owned()));
        assert_eq!(count(&engine, "users"), 4);
    }

    #[test]
    fn the_project_survives_reopening_the_database() {
        let dir = std::env::temp_dir().join(format!("strata-web-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("project.sqlite3");
        let _ = std::fs::remove_file(&path);
        let id = {
            let mut engine = Engine::open(Connection::open(&path).unwrap(), Storage::Opfs).unwrap();
            engine
                .save_revision(&with_phone(), &[], "add phone")
                .unwrap()
        };
        let engine = Engine::open(Connection::open(&path).unwrap(), Storage::Opfs).unwrap();
        let ids: Vec<_> = engine
            .snapshot(None)
            .unwrap()
            .revisions
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(ids, ["0001", "0002", id.as_str()]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failing_revision_leaves_the_database_unchanged() {
        let mut engine = demo();
        // Ada has two identities, so a unique index on user_id cannot be built.
        let model = format!(
            "{}\nCREATE UNIQUE INDEX one_identity ON identities (user_id);",
            demo::MODEL_SQL
        );
        let id = engine
            .save_revision(&model, &[], "one identity per user")
            .unwrap();
        let before = engine.snapshot(Some("identities")).unwrap();
        let reply = engine.handle(Request::Upgrade {
            target: "head".into(),
            confirmed: false,
            browse: Some("identities".into()),
        });
        let message = reply.outcome.unwrap_err();
        assert!(
            message.contains(&format!("revision {id} (one identity per user) failed")),
            "{message}"
        );
        assert!(
            message.contains("UNIQUE constraint failed: identities.user_id"),
            "{message}"
        );
        assert!(message.contains("CREATE UNIQUE INDEX"), "{message}");
        assert_eq!(reply.snapshot, before);
        assert_eq!(versions(&engine), ["0001", "0002"]);
    }

    #[test]
    fn a_bad_model_gives_a_line_numbered_error_and_changes_nothing() {
        let mut engine = demo();
        let before = engine.snapshot(None).unwrap();
        let model = format!(
            "{}\nCREATE TABLE broken (id INTEGER PRIMARY KEY,,);",
            demo::MODEL_SQL
        );
        let line = model.lines().count();
        for request in [
            Request::Autogenerate {
                language: ModelLanguage::Sql,
                parent: None,
                model: model.clone(),
                renames: vec![],
                browse: None,
            },
            Request::SaveRevision {
                language: ModelLanguage::Sql,
                parent: None,
                model: model.clone(),
                renames: vec![],
                declined: Vec::new(),
                message: "x".into(),
                browse: None,
            },
        ] {
            let reply = engine.handle(request);
            let message = reply.outcome.unwrap_err();
            assert!(
                message.starts_with(&format!("model line {line}: ")),
                "{message}"
            );
            assert_eq!(reply.snapshot, before);
        }
    }

    #[test]
    fn a_confirmed_rename_becomes_a_rename_not_a_drop() {
        let mut engine = demo();
        let model = demo::MODEL_SQL.replace("email TEXT", "email_address TEXT");
        let reply = engine.handle(Request::Autogenerate {
            language: ModelLanguage::Sql,
            parent: None,
            model: model.clone(),
            renames: vec![],
            browse: None,
        });
        let Ok(Outcome::Autogenerated(m)) = reply.outcome else {
            panic!("{:?}", reply.outcome)
        };
        let candidate = m.candidates.first().expect("a rename prompt");
        assert!(
            candidate
                .question
                .contains("users.email to users.email_address"),
            "{}",
            candidate.question
        );
        let reply = engine.handle(Request::Autogenerate {
            language: ModelLanguage::Sql,
            parent: None,
            model,
            renames: vec![candidate.rename.clone()],
            browse: None,
        });
        let Ok(Outcome::Autogenerated(m)) = reply.outcome else {
            panic!("{:?}", reply.outcome)
        };
        assert!(m.up_sql.contains("RENAME COLUMN"), "{}", m.up_sql);
        assert!(
            m.findings.iter().any(|f| f.kind == "rename"),
            "{:?}",
            m.findings
        );
    }

    #[test]
    fn a_twenty_table_change_autogenerates_and_applies() {
        let mut engine = demo();
        let mut model = demo::MODEL_SQL.to_owned();
        for n in 1..=20 {
            model.push_str(&format!(
                "\nCREATE TABLE t{n:02} (id INTEGER PRIMARY KEY, \
                 user_id INTEGER NOT NULL REFERENCES users (id), name TEXT NOT NULL, \
                 score REAL DEFAULT 0);\nCREATE INDEX t{n:02}_user ON t{n:02} (user_id);"
            ));
        }
        let (autogen, _) = engine.autogenerate(&model, &[]).unwrap();
        assert_eq!(autogen.up.changes.len(), 40);
        let id = engine.save_revision(&model, &[], "twenty tables").unwrap();
        assert!(engine.upgrade("head").is_ok());
        assert_eq!(versions(&engine), ["0001", "0002", id.as_str()]);
    }

    #[test]
    fn saving_needs_a_message_and_a_change() {
        let mut engine = demo();
        assert!(engine
            .save_revision(&with_phone(), &[], "  ")
            .unwrap_err()
            .contains("message"));
        assert!(engine
            .save_revision(demo::MODEL_SQL, &[], "noop")
            .unwrap_err()
            .starts_with("nothing to save"));
    }

    #[test]
    fn browsing_a_missing_table_shows_the_first_table_instead() {
        let mut engine = demo();
        let reply = engine.handle(Request::Browse {
            table: "nope".into(),
        });
        assert_eq!(reply.outcome, Ok(Outcome::Done));
        assert_eq!(reply.snapshot.browsed.unwrap().table, "identities");
        engine
            .handle(Request::Execute {
                sql: "DROP TABLE identities; DROP TABLE users; DROP TABLE schema_version;".into(),
                browse: None,
            })
            .outcome
            .unwrap();
        assert_eq!(engine.snapshot(Some("users")).unwrap().browsed, None);
    }
}
