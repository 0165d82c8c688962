//! The migration workbench: Autogenerate (the model against the head's schema, with the
//! diagram of both and lint findings counted on the live rows), Save revision and Merge heads
//! (through `store::create_revision`), Upgrade and Downgrade behind the core's data-loss gate
//! (a refusal becomes the page's question), Discard of a pending revision, create_all() and the
//! exports of one revision or the whole history.

use strata_core::answers::Decline;
use strata_core::project::ModelLanguage;
use strata_core::revision::{Direction, Revision, Target};
use strata_core::{export, Rename};

use super::protocol::Failure;
use super::protocol::{
    CreateAllReport, Diagram, ExportFile, ExportFormat, ExportView, LintBadge, Migration, Outcome,
};
use super::snapshot::diagram;
use super::{options, Workspace, ALEMBIC_FOLDER, STRATA_TABLES, VERSION_TABLE};
use crate::error::sqlite_message;
use crate::migrate::{self, Autogen, Options};
use crate::store::{create_revision, Draft, Parents, RevisionStore, TableStore};

impl Workspace {
    /// Parses the model and diffs the head's schema against it; also returns the milliseconds
    /// that took, measured in the worker.
    pub fn autogenerate(&self, model: &str, renames: &[Rename]) -> Result<(Autogen, f64), Failure> {
        self.autogenerate_with_diagram(model, ModelLanguage::Sql, renames, None)
            .map(|(autogen, millis, _)| (autogen, millis))
    }

    /// [`Workspace::autogenerate`] (`migrate::autogenerate`: the head's schema built in a scratch
    /// database, diffed against the model) plus the diagram of both schemas.
    pub(super) fn autogenerate_with_diagram(
        &self,
        model: &str,
        language: ModelLanguage,
        renames: &[Rename],
        parent: Option<&str>,
    ) -> Result<(Autogen, f64, Diagram), Failure> {
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
    ) -> Result<String, Failure> {
        self.save_revision_on(model, ModelLanguage::Sql, renames, message, None)
    }

    /// Save revision as the page asks for it: refused, with nothing saved, while a rename
    /// question has neither a yes (`answers.0`) nor a no (`answers.1`), since saving a drop and
    /// an add of what was a rename would throw the column's values away.
    pub(super) fn save_answered(
        &mut self,
        model: &str,
        language: ModelLanguage,
        answers: (&[Rename], &[Decline]),
        message: &str,
        parent: Option<&str>,
    ) -> Result<String, Failure> {
        let (renames, declined) = answers;
        let (autogen, _, _) = self.autogenerate_with_diagram(model, language, renames, parent)?;
        let open = autogen.unanswered(declined);
        if !open.is_empty() {
            let questions: Vec<&str> = open.iter().map(|c| c.question.as_str()).collect();
            return Err(format!(
                "answer the rename question{} first ({}): Yes keeps the values, No drops them; nothing was saved",
                if open.len() == 1 { "" } else { "s" },
                questions.join(" ")
            )
            .into());
        }
        self.save_revision_on(model, language, renames, message, parent)
    }

    /// [`Workspace::save_revision`] for a model in either language, on the single head or, to start
    /// a branch, on the revision `parent`.
    pub fn save_revision_on(
        &mut self,
        model: &str,
        language: ModelLanguage,
        renames: &[Rename],
        message: &str,
        parent: Option<&str>,
    ) -> Result<String, Failure> {
        let message = message.trim();
        if message.is_empty() {
            return Err(
                "give the revision a message first: it says what the revision is for"
                    .to_owned()
                    .into(),
            );
        }
        let (autogen, _, _) = self.autogenerate_with_diagram(model, language, renames, parent)?;
        if autogen.is_empty() {
            let what = parent.map_or("the head revision".to_owned(), |p| format!("revision {p}"));
            return Err(format!("nothing to save: the model already matches {what}").into());
        }
        let parents = parent.map_or(Parents::Head, Parents::On);
        Ok(
            self.new_revision(parents, message, None, |parents, created| {
                autogen.revision("new", parents, message, created)
            })?,
        )
    }

    /// Records a merge revision joining every head: it has no SQL, only parents, so applying
    /// it just records that both branches are in.
    pub(super) fn merge(&mut self, message: &str) -> Result<String, String> {
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
    pub(super) fn new_revision(
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

    /// Forgets revision `id`, which must be pending (the database has not applied it, so no
    /// data depends on it) and have no children (nothing else names it as a parent). A revision
    /// that fails to apply is thus never a dead end: the visitor discards it and saves a better
    /// one. The answer carries its SQL, so nothing the visitor wrote is lost unseen.
    pub(super) fn discard(&mut self, id: &str) -> Result<Outcome, String> {
        let rev = self
            .revisions
            .iter()
            .find(|r| r.id == id)
            .cloned()
            .ok_or_else(|| format!("there is no revision {id}; nothing was changed"))?;
        let applied = migrate::applied(&self.conn, VERSION_TABLE).map_err(|e| {
            format!("cannot read what the database has applied ({e}); nothing was changed")
        })?;
        if applied.iter().any(|row| row.version == rev.id) {
            return Err(format!(
                "revision {id} is applied: downgrade it first, then discard it; nothing was changed"
            ));
        }
        let children: Vec<&str> = self
            .revisions
            .iter()
            .filter(|r| r.parents.contains(&rev.id))
            .map(|r| r.id.as_str())
            .collect();
        if !children.is_empty() {
            return Err(format!(
                "revision {id} has revisions built on it ({}): discard those first; nothing was changed",
                children.join(", ")
            ));
        }
        TableStore::new(&self.conn)
            .remove(&rev.id)
            .map_err(|e| format!("cannot discard revision {id} ({e}); nothing was changed"))?;
        self.revisions.retain(|r| r.id != rev.id);
        Ok(Outcome::Discarded {
            id: rev.id,
            up: rev.up,
            down: rev.down,
        })
    }

    /// Applies revisions up to `target`, each in its own transaction with its version row.
    /// Lesson steps call it directly: they are scripted, so data loss is theirs to decide.
    pub(super) fn upgrade(&mut self, target: &str) -> Result<Outcome, String> {
        self.migrate(target, Direction::Up, &options())
    }

    /// Reverts revisions down to `target`. Lesson steps call it directly, as for upgrade.
    pub(super) fn downgrade(&mut self, target: &str) -> Result<Outcome, String> {
        self.migrate(target, Direction::Down, &options())
    }

    /// An upgrade that asks first: unless the visitor has agreed, it runs through the core's
    /// data-loss gate, and a refusal becomes the question [`Outcome::ConfirmUpgrade`] (nothing
    /// ran). What loses nothing in this database (an all-NULL column, an empty table) runs.
    pub(super) fn upgrade_checked(
        &mut self,
        target: &str,
        confirmed: bool,
    ) -> Result<Outcome, String> {
        self.migrate_checked(target, Direction::Up, confirmed)
    }

    /// A downgrade that asks first, as [`Workspace::upgrade_checked`] does.
    pub(super) fn downgrade_checked(
        &mut self,
        target: &str,
        confirmed: bool,
    ) -> Result<Outcome, String> {
        self.migrate_checked(target, Direction::Down, confirmed)
    }

    pub(super) fn migrate_checked(
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

    pub(super) fn migrate(
        &mut self,
        target: &str,
        dir: Direction,
        opts: &Options,
    ) -> Result<Outcome, String> {
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
            Err(e) => {
                // A revision cannot be edited in the playground: the way to correct one that
                // fails is to discard it (it is pending) and save it again.
                let failed = match &e {
                    migrate::MigrateError::Failed { id, .. } if dir == Direction::Up => {
                        Some(id.clone())
                    }
                    _ => None,
                };
                let mut message = e.to_string();
                if let Some(id) = failed {
                    if self.revisions.iter().any(|r| r.parents.contains(&id)) {
                        message.push_str(&format!("\nto write it again, discard the pending revisions built on {id}, then {id} itself, and save a new one"));
                    } else {
                        message.push_str(&format!("\nto write it again, discard revision {id} (Discard, on its card) and save a new one"));
                    }
                }
                return Err(Refusal::Other(message));
            }
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
    pub(super) fn data_findings(&self, autogen: &Autogen) -> Vec<LintBadge> {
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
    pub(super) fn create_all(
        &mut self,
        model: &str,
        language: ModelLanguage,
        apply: bool,
    ) -> Result<Outcome, Failure> {
        let model = parse_model(model, language)?;
        let live =
            crate::introspect_excluding(&self.conn, &STRATA_TABLES).map_err(|e| e.to_string())?;
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
    pub(super) fn export(&self, id: &str, format: ExportFormat) -> Result<Outcome, String> {
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
    pub(super) fn export_alembic_project(
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
}

/// Reads the model editor's text in its language.
pub(super) fn parse_model(
    text: &str,
    language: ModelLanguage,
) -> Result<strata_core::Model, Failure> {
    match language {
        ModelLanguage::Sql => crate::from_sql(text).map_err(|e| Failure {
            message: e.to_string(),
            at: e.position(),
        }),
        ModelLanguage::Sqlmodel => {
            strata_core::sqlmodel::from_sqlmodel(text).map_err(|e| Failure {
                message: format!("model {e}"),
                at: Some(e.position()),
            })
        }
    }
}

/// Why a migration did not run: the data-loss gate, whose losses become the page's question,
/// or anything else, as its message.
enum Refusal {
    Loss(Vec<migrate::RevisionLoss>),
    Other(String),
}

/// One lint finding as the change list shows it.
pub(super) fn badge(f: &strata_core::Finding) -> LintBadge {
    LintBadge {
        kind: f.kind.label().to_owned(),
        change: f.change,
        message: f.message.clone(),
        advice: f.advice.clone(),
        rows: f.rows,
    }
}

/// An autogenerated migration as the page shows it.
pub(super) fn migration(autogen: &Autogen, millis: f64) -> Migration {
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
