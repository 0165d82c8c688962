//! The worker's side of the guided lessons: running a lesson's steps, evaluating its checks,
//! and one write of a lesson's simulated app.
//!
//! Everything here goes through the same workspace methods the playground's buttons use (save,
//! upgrade, downgrade, the console), so a lesson's setup and "show me" do nothing a visitor
//! could not do by hand.

use crate::store::Parents;
use strata_core::revision::Revision;

use super::{sqlite_message, Workspace, PROJECT_DDL};
use crate::workspace::protocol::{Event, Outcome, Step};
use strata_core::project::ModelLanguage;

/// The conditions of "done" and the lesson's journal they read.
pub mod checks;
/// The lesson's newest revision beside its Alembic script, and a revision's down SQL rewritten.
mod commit;
/// A lesson's goal, drawn with what the live database still lacks or has too much of.
mod goal;
#[cfg(test)]
mod record_tests;
#[cfg(test)]
mod tests;

/// A backfill stops after this many batches, so a filter its SET never satisfies cannot spin
/// the worker for ever.
const MAX_BATCHES: u32 = 10_000;

impl Workspace {
    /// Runs steps in order and stops at the first that fails, naming it. Steps that already ran
    /// stay done: each migration commits on its own, as it would outside a lesson, so the
    /// failure is part of the outcome rather than an error (which promises an unchanged
    /// database).
    pub(super) fn run_steps(&mut self, steps: &[Step]) -> Result<Outcome, String> {
        let mut model: Option<(String, ModelLanguage)> = None;
        let mut notes = Vec::new();
        let mut failed = None;
        for (number, step) in steps.iter().enumerate() {
            if let Err(e) = self.run_step(step, &mut model, &mut notes) {
                self.record(Event::StepFailed, &e);
                failed = Some(format!(
                    "step {} ({}) failed: {e}",
                    number + 1,
                    describe(step)
                ));
                break;
            }
        }
        let language = model.as_ref().map_or(ModelLanguage::Sql, |(_, l)| *l);
        Ok(Outcome::Stepped {
            model: model.map(|(text, _)| text),
            language,
            notes,
            failed,
        })
    }

    pub(super) fn run_step(
        &mut self,
        step: &Step,
        model: &mut Option<(String, ModelLanguage)>,
        notes: &mut Vec<String>,
    ) -> Result<(), String> {
        match step {
            Step::Clear {} => {
                self.drop_all().map_err(|e| sqlite_message(&e))?;
                self.revisions.clear();
                // An empty project table keeps the database from looking brand new, which
                // would make the next reload seed the demo over the lesson.
                self.conn
                    .execute_batch(PROJECT_DDL)
                    .map_err(|e| sqlite_message(&e))?;
                // Every lesson starts here, so this is where its journal starts too.
                self.start_journal().map_err(|e| sqlite_message(&e))?;
            }
            Step::Model(text) => *model = Some((text.clone(), ModelLanguage::Sql)),
            Step::Sqlmodel(text) => *model = Some((text.clone(), ModelLanguage::Sqlmodel)),
            Step::Down { revision, sql } => {
                let id = self.revision_named(revision);
                self.rewrite_down(&id, sql)?;
            }
            Step::Save {
                message,
                renames,
                parent,
            } => {
                let (text, language) = model
                    .as_ref()
                    .ok_or("no model to save: a model step must come first")?;
                let parent = parent.as_deref().map(|p| self.revision_named(p));
                self.save_revision_on(text, *language, renames, message, parent.as_deref())?;
            }
            Step::Revision {
                id,
                message,
                up,
                down,
            } => {
                self.new_revision(Parents::Head, message, Some(id), |parents, created| {
                    Revision::new(id, parents, message, created, up, down)
                })?;
            }
            Step::Upgrade(target) => {
                let outcome = self.upgrade(target);
                self.record_upgrade(outcome.as_ref().map_err(String::as_str));
                outcome?;
            }
            Step::Try(step) => {
                if let Err(e) = self.run_step(step, model, notes) {
                    self.record(Event::StepFailed, &e);
                    notes.push(format!(
                        "{} failed, as it was meant to: {e}",
                        describe(step)
                    ));
                }
            }
            Step::Psql(sql) => {
                let mut said = Vec::new();
                match self.run_step(&Step::Sql(sql.clone()), model, &mut said) {
                    Ok(()) => notes.extend(said.into_iter().map(|n| format!("psql: {n}"))),
                    Err(e) => {
                        self.record(Event::StepFailed, &e);
                        notes.push(format!(
                            "psql: ERROR: {e} (psql still exits 0, so the script goes on)"
                        ));
                    }
                }
            }
            Step::Load(project) => {
                if let Outcome::Loaded {
                    model: kept,
                    language,
                    ..
                } = self.load_start(project)?
                {
                    *model = Some((kept, language));
                }
            }
            Step::Echo(line) => notes.push(line.clone()),
            Step::Discard(name) => {
                let id = self.revision_named(name);
                self.discard(&id)?;
                notes.push(format!("discarded revision {id} ({name})"));
            }
            Step::Rehearse(target) => {
                if let Outcome::Rehearsed(report) = self.rehearse(target)? {
                    notes.extend(super::rehearsal::summary(&report));
                }
            }
            Step::Deploy(version) => {
                self.deploy(*version).map_err(|e| sqlite_message(&e))?;
                notes.push(match version {
                    0 => "the app is stopped: it sends no requests".to_owned(),
                    v => format!("app v{v} is deployed and running"),
                });
            }
            Step::Downgrade(target) => {
                let outcome = self.downgrade(target);
                self.record_downgrade(outcome.as_ref().map_err(String::as_str));
                outcome?;
            }
            Step::Sql(sql) => match self.execute(sql).map_err(|e| e.to_string())? {
                Outcome::Changed { statements, rows } => notes.push(format!(
                    "{statements} statement{} ran, {rows} row{} changed",
                    plural(statements as u64),
                    plural(rows)
                )),
                // A single value is the answer to a question (a script's check), so say it.
                Outcome::Rows(grid) if grid.columns.len() == 1 && grid.rows.len() == 1 => notes
                    .push(format!(
                        "{} = {}",
                        grid.columns[0],
                        grid.rows[0][0].display()
                    )),
                Outcome::Rows(grid) => notes.push(format!(
                    "the last statement returned {} row{}",
                    grid.total,
                    plural(grid.total)
                )),
                _ => {}
            },
            Step::Backfill {
                table,
                set,
                filter,
                batch,
            } => self.backfill(table, set, filter, *batch, notes)?,
            Step::Merge { message } => {
                self.merge(message)?;
            }
            Step::Backup { label } => {
                self.backup(label)?;
            }
            Step::KeepBefore { label } => {
                self.keep_as_automatic(label)?;
            }
            Step::AppWrite { deployed, writes } => {
                // The same write the page's timer asks for, so a step that deploys a version
                // can show it working (or failing) at once; a failure is in app_errors too.
                if let Outcome::AppWrote { version, error, .. } =
                    self.app_write(deployed, writes, 0)?
                {
                    match error {
                        None if version == 0 => notes.push("the app is stopped".to_owned()),
                        None => notes.push(format!("app v{version} wrote once")),
                        Some(error) => return Err(format!("app v{version} failed: {error}")),
                    }
                }
            }
            Step::Restore { label } => {
                // Lessons name backups by label; restarting a lesson takes another one with the
                // same label, and the newest is the one that lesson run made.
                let id = crate::transfer::backups::newest_labelled(&self.backups, label)
                    .ok()
                    .flatten()
                    .ok_or_else(|| format!("there is no backup called {label:?}"))?;
                if let Outcome::Loaded {
                    model: kept,
                    language,
                    ..
                } = self.restore(&id.to_string())?
                {
                    *model = Some((kept, language));
                }
            }
        }
        Ok(())
    }

    /// The id of the revision whose id or message is `name`, so lesson files can name
    /// revisions by message (their ids depend on the time they were saved).
    pub(super) fn revision_named(&self, name: &str) -> String {
        self.revisions
            .iter()
            .find(|r| r.message == name)
            .map_or_else(|| name.to_owned(), |r| r.id.clone())
    }

    /// Updates `table` a batch at a time, each batch committed on its own so a long backfill
    /// never holds the write lock for long, with one progress note per batch.
    pub(super) fn backfill(
        &mut self,
        table: &str,
        set: &str,
        filter: &str,
        batch: u32,
        notes: &mut Vec<String>,
    ) -> Result<(), String> {
        let batch = batch.max(1);
        let table = strata_core::sql::quote(table);
        let total: i64 = self
            .conn
            .query_row(
                &format!("SELECT count(*) FROM {table} WHERE {filter}"),
                [],
                |row| row.get(0),
            )
            .map_err(|e| sqlite_message(&e))?;
        let update = format!(
            "UPDATE {table} SET {set} WHERE rowid IN \
             (SELECT rowid FROM {table} WHERE {filter} LIMIT {batch})"
        );
        let mut done = 0i64;
        for number in 1..=MAX_BATCHES {
            let tx = self.conn.transaction().map_err(|e| sqlite_message(&e))?;
            let changed = tx.execute(&update, []).map_err(|e| sqlite_message(&e))?;
            tx.commit().map_err(|e| sqlite_message(&e))?;
            if changed == 0 {
                break;
            }
            done += changed as i64;
            notes.push(format!(
                "batch {number}: {changed} rows, {done} of {total} done"
            ));
        }
        notes.push(format!("backfill finished: {done} rows updated"));
        Ok(())
    }

    /// One write of the simulated app. `deployed` answers which version of the app is
    /// running; that version's write runs like a console script, and a failure is recorded in
    /// `app_errors`, where the lesson's checks can see it.
    ///
    /// This never answers `Err`: the page counts an app write as a background request only
    /// when its answer is [`Outcome::AppWrote`], so every failure (an unknown version, a write
    /// the schema refuses, an `app_errors` that cannot be written) is reported inside it.
    pub(super) fn app_write(
        &mut self,
        deployed: &str,
        writes: &[String],
        run: u32,
    ) -> Result<Outcome, String> {
        // Not knowing the version is the app failing too (its table was dropped, say), and it
        // is reported the same way rather than as a failed request.
        let version: i64 = match self.conn.query_row(deployed, [], |row| row.get(0)) {
            Ok(version) => version,
            Err(e) => {
                return Ok(Outcome::AppWrote {
                    run,
                    version: 0,
                    error: Some(format!(
                        "cannot tell which app version is deployed: {}",
                        sqlite_message(&e)
                    )),
                })
            }
        };
        // Version 0 is an app that is stopped: it sends nothing, so nothing can fail.
        if version == 0 {
            return Ok(Outcome::AppWrote {
                run,
                version: 0,
                error: None,
            });
        }
        let index = usize::try_from(version).unwrap_or(0);
        let Some(write) = index.checked_sub(1).and_then(|i| writes.get(i)) else {
            // A version the lesson does not define (the console set it, say) is a deploy that
            // went wrong; it is not recorded in `app_errors`, because no write was attempted.
            return Ok(Outcome::AppWrote {
                run,
                version: index,
                error: Some(format!("the app has no version {version}")),
            });
        };
        let error = match self.execute(write) {
            Ok(_) => None,
            Err(e) => {
                let mut message = e.to_string();
                let recorded = self.conn.execute_batch(APP_ERRORS_DDL).and_then(|()| {
                    self.conn.execute(
                        "INSERT INTO app_errors (version, message) VALUES (?1, ?2)",
                        (version, &message),
                    )
                });
                if let Err(e) = recorded {
                    message.push_str(&format!(
                        " (and the failure could not be recorded in app_errors: {})",
                        sqlite_message(&e)
                    ));
                }
                Some(message)
            }
        };
        Ok(Outcome::AppWrote {
            run,
            version: index,
            error,
        })
    }
}

/// The `_strata_meta` key that holds which version of the lesson's simulated app is deployed
/// (0: stopped), for lessons whose app must outlive a restore (a lesson's `[app]` reads it with
/// `deployed = "SELECT value FROM _strata_meta WHERE key = 'lesson app'"`).
pub const APP_KEY: &str = "lesson app";

impl Workspace {
    /// Deploys `version` of the lesson's simulated app (0 stops it). It is kept beside the
    /// lesson's journal, outside the visitor's tables, because which code runs is not part of
    /// the data: a restore puts the data back and leaves the running code as it was.
    fn deploy(&self, version: u32) -> rusqlite::Result<()> {
        self.conn.execute_batch(crate::transfer::META_DDL)?;
        self.conn.execute(
            "INSERT INTO _strata_meta (key, value) VALUES (?1, ?2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (APP_KEY, version.to_string()),
        )?;
        Ok(())
    }
}

const APP_ERRORS_DDL: &str = "CREATE TABLE IF NOT EXISTS app_errors (\n  \
    id INTEGER PRIMARY KEY,\n  version INTEGER NOT NULL,\n  message TEXT NOT NULL\n)";

/// A step in a few words, for the error that names a failing step.
fn describe(step: &Step) -> String {
    match step {
        Step::Clear {} => "clear".into(),
        Step::Model(_) | Step::Sqlmodel(_) => "model".into(),
        Step::Down { revision, .. } => format!("down SQL of {revision}"),
        Step::Save { message, .. } => format!("save \"{message}\""),
        Step::Revision { id, .. } => format!("revision {id}"),
        Step::Upgrade(target) => format!("upgrade {target}"),
        Step::Downgrade(target) => format!("downgrade {target}"),
        Step::Sql(_) => "sql".into(),
        Step::Backfill { table, .. } => format!("backfill {table}"),
        Step::Merge { .. } => "merge".into(),
        Step::Backup { label } => format!("backup {label:?}"),
        Step::KeepBefore { label } => format!("backup {label:?}"),
        Step::Restore { label } => format!("restore {label:?}"),
        Step::AppWrite { .. } => "app write".into(),
        Step::Psql(_) => "psql".into(),
        Step::Echo(_) => "echo".into(),
        Step::Discard(name) => format!("discard {name:?}"),
        Step::Rehearse(target) => format!("rehearse {target}"),
        Step::Deploy(0) => "stop the app".into(),
        Step::Deploy(version) => format!("deploy app v{version}"),
        Step::Load(_) => "load the exercise's start".into(),
        Step::Try(step) => describe(step),
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
