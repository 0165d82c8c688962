//! How the playground's state changes: the reducer that turns each [`Action`] (a click, a reply
//! from the worker) into the next [`AppState`].

use std::rc::Rc;

use yew::Reducible;

use strata_core::answers::Decline;

use crate::lessons::progress::{Goal, LessonAction, LessonCommit};
use crate::services::project::ModelLanguage;
use crate::services::protocol::{Message, Outcome, Reply};

use super::{Action, AppState, PendingMigration, Phase, Place, ALEMBIC_ZIP};

impl AppState {
    /// A lesson's Start or Restart: what the page says about earlier work (notices, errors,
    /// console text and results, a migration in progress, open dialogs) belongs to what the
    /// lesson replaces, so none of it may stay beside the lesson's fresh state.
    fn lesson_started(&mut self) {
        self.notice = None;
        self.project_notice = None;
        self.error = None;
        self.result = None;
        self.console.clear();
        self.migration = None;
        self.create_all = None;
        self.export = None;
        self.confirm = None;
        self.rehearsal = None;
        self.question = None;
        self.share_link = None;
        self.renames.clear();
        self.declined.clear();
        self.message.clear();
        self.parent = None;
    }

    /// What follows a replaced database whatever its model: the work in progress on the old
    /// one is dropped, and what the replacement kept (a backup, pending revisions) is said
    /// where the visitor is looking.
    fn replaced(&mut self, notes: &[String], model_too: bool) {
        self.lessons.reduce(LessonAction::Replaced);
        self.migration = None;
        self.create_all = None;
        self.renames.clear();
        self.declined.clear();
        self.parent = None;
        self.confirm = None;
        self.export = None;
        self.message.clear();
        self.notice = None;
        self.error = None;
        if self.place == Place::Project {
            self.project_notice = Some(if model_too {
                "Loaded: the database, its revisions and the model were replaced.".to_owned()
            } else {
                "Loaded: the database and its revisions were replaced; the editor keeps its model."
                    .to_owned()
            });
        }
        if !notes.is_empty() {
            let notes = notes.join(" ");
            match &mut self.project_notice {
                Some(notice) if self.place == Place::Project => {
                    notice.push(' ');
                    notice.push_str(&notes);
                }
                _ => self.notice = Some(notes),
            }
        }
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Sent { clears_output } => {
                next.pending += 1;
                if clears_output {
                    next.result = None;
                    next.error = None;
                    next.place = Place::Console;
                }
            }
            Action::SentMigration => {
                next.pending += 1;
                next.error = None;
                next.notice = None;
                next.place = Place::Migration;
            }
            Action::SentRehearsal => {
                next.pending += 1;
                // An error shown in another place would otherwise move into the Migration
                // column; one shown there is still true, as is its notice.
                if next.place != Place::Migration {
                    next.error = None;
                }
                next.place = Place::Migration;
            }
            Action::Received(Message::Booted) => next.phase = Phase::Ready,
            Action::Received(Message::Fatal { message }) => {
                next.phase = Phase::Failed(message);
                next.pending = 0;
            }
            // The client swallows these; the worker's last words reach the page inside the
            // restart notice.
            Action::Received(Message::Panicked { .. }) => {}
            Action::Received(Message::Restarted { message }) => {
                // Nothing that was in flight will be answered: stop waiting for it. The new
                // worker is asked to read the database again, and that reply fills the panels.
                next.pending = 0;
                next.lessons.background = 0;
                next.phase = Phase::Booting;
                next.error = Some(message.into());
                next.place = Place::Migration;
                next.interrupted = next.error.clone().map(|e| (e, next.place));
            }
            Action::Received(Message::Cancelled { message }) => {
                // As for a restart, but the visitor asked for it; the sentence shows where the
                // cancelled request came from.
                next.pending = 0;
                next.lessons.background = 0;
                next.phase = Phase::Booting;
                next.error = Some(message.into());
                next.interrupted = next.error.clone().map(|e| (e, next.place));
            }
            Action::Received(Message::Reply(reply)) => {
                let Reply { outcome, snapshot } = *reply;
                // On a first visit drawn from the build's answer, the worker answers Open before
                // anything else (the client sends it first); that Open was not counted.
                let seed = next.seed.take();
                // A lesson's checks and its simulated app run in the background: they are not
                // counted as pending, so they never make the page busy.
                if outcome.as_ref().is_ok_and(Outcome::is_background) {
                    next.lessons.background = next.lessons.background.saturating_sub(1);
                } else if seed.is_none() {
                    next.pending = next.pending.saturating_sub(1);
                }
                // Keeping the model is answered without a snapshot; the last one still holds.
                if !matches!(outcome, Ok(Outcome::ModelSaved | Outcome::ModelNotKept(_))) {
                    // The worker may show another table than the one asked for (it was gone).
                    if let Some(browsed) = &snapshot.browsed {
                        next.browse.clone_from(&browsed.table);
                    }
                    next.snapshot = snapshot;
                }
                match outcome {
                    Ok(Outcome::Done) => {}
                    Ok(Outcome::ModelSaved) => {}
                    Ok(Outcome::ModelNotKept(reason)) => {
                        next.place = Place::Migration;
                        next.error = Some(
                            format!(
                                "the model text was not kept in the database ({reason}); the database is unchanged, and the text stays in the editor"
                            )
                            .into(),
                        );
                    }
                    Ok(Outcome::Loaded {
                        model,
                        language,
                        notes,
                    }) => {
                        // The database was replaced (or opened): its model goes in the editor.
                        match language {
                            ModelLanguage::Sql => next.model = model.clone(),
                            ModelLanguage::Sqlmodel => next.sqlmodel = model.clone(),
                        }
                        next.language = language;
                        next.saved_model = Some((model, language));
                        next.replaced(&notes, true);
                    }
                    Ok(Outcome::ExerciseOpened { exercise, notes }) => {
                        // The start replaced the database, as a share link's project does; the
                        // exercise becomes the open lesson, started.
                        let (model, language) =
                            (exercise.start.model.clone(), exercise.start.language);
                        match language {
                            ModelLanguage::Sql => next.model = model.clone(),
                            ModelLanguage::Sqlmodel => next.sqlmodel = model.clone(),
                        }
                        next.language = language;
                        next.saved_model = Some((model, language));
                        next.lesson_started();
                        next.replaced(&[], true);
                        let mut notice = format!(
                            "Exercise \u{201c}{}\u{201d} opened: its start replaced the database; its text, goal and checks are in the Lessons panel.",
                            exercise.title
                        );
                        for note in notes {
                            notice.push(' ');
                            notice.push_str(&note);
                        }
                        next.project_notice = Some(notice);
                        next.lessons.reduce(LessonAction::Exercise(exercise));
                    }
                    Ok(Outcome::ExerciseMade { exercise }) => {
                        // The worker checked the rest, but never reads the text as markdown; the
                        // page, which renders it, refuses what its filter would drop before it
                        // hands out a link.
                        match exercise.check_text() {
                            Ok(()) => {
                                next.error = None;
                                next.exercise_link = Some(exercise.share_fragment());
                            }
                            Err(e) => next.error = Some(e.to_string().into()),
                        }
                    }
                    Ok(Outcome::Replaced { notes }) => next.replaced(&notes, false),
                    // What the visitor typed (or the tab chosen) while the page showed the
                    // build's answer stays in the editor; it is kept by the next SaveModel.
                    Ok(Outcome::Opened { .. })
                        if seed.as_ref().is_some_and(|(text, language)| {
                            (text.as_str(), *language) != (next.model_text(), next.language)
                        }) => {}
                    Ok(Outcome::Opened { model, language }) => {
                        // The database was opened, not replaced: its model goes in the editor
                        // and nothing is announced.
                        match language {
                            ModelLanguage::Sql => next.model = model.clone(),
                            ModelLanguage::Sqlmodel => next.sqlmodel = model.clone(),
                        }
                        next.language = language;
                        next.saved_model = Some((model, language));
                    }
                    Ok(Outcome::Rehearsed(report)) => next.rehearsal = Some(report),
                    Ok(Outcome::Discarded { id, .. }) => {
                        next.error = None;
                        next.migration = None;
                        if next.parent.as_deref() == Some(id.as_str()) {
                            next.parent = None;
                        }
                        next.notice = Some(format!(
                            "Discarded revision {id}: it was pending, so the database did not change. The model stays in the editor: change it, Autogenerate and save a new revision."
                        ));
                    }
                    Ok(Outcome::ProjectExported { project, share }) => {
                        next.error = None;
                        if share {
                            next.share_link = Some(project.share_fragment());
                            next.project_notice = Some("Share link made: it carries the models, the revisions and the rows.".to_owned());
                        } else {
                            next.project_notice = Some("Exported strata-project.json.".to_owned());
                        }
                    }
                    Ok(Outcome::SqliteExported { .. }) => {
                        next.error = None;
                        next.project_notice = Some("Exported strata.sqlite.".to_owned());
                    }
                    Ok(Outcome::BackedUp { id }) => {
                        next.error = None;
                        next.project_notice = Some(format!("Backup {id} taken."));
                    }
                    Ok(Outcome::Autogenerated(migration)) => {
                        next.notice = migration.changes.is_empty().then(|| {
                            "The model matches the head revision: nothing to migrate.".to_owned()
                        });
                        next.migration = Some(migration);
                        next.error = None;
                    }
                    Ok(Outcome::Saved { id }) => {
                        next.migration = None;
                        next.parent = None;
                        next.renames.clear();
                        next.declined.clear();
                        next.message.clear();
                        next.error = None;
                        next.notice = Some(format!("Saved revision {id}. Upgrade to apply it."));
                    }
                    Ok(Outcome::Migrated { up, ids, losses }) => {
                        next.error = None;
                        next.notice = Some(migrated(up, &ids, &losses));
                    }
                    Ok(Outcome::ConfirmDowngrade {
                        target,
                        ids,
                        losses,
                    }) => {
                        next.error = None;
                        next.confirm = Some(PendingMigration {
                            up: false,
                            target,
                            ids,
                            losses,
                        });
                    }
                    Ok(Outcome::ConfirmUpgrade {
                        target,
                        ids,
                        losses,
                    }) => {
                        next.error = None;
                        next.confirm = Some(PendingMigration {
                            up: true,
                            target,
                            ids,
                            losses,
                        });
                    }
                    Ok(Outcome::CreateAll(report)) => {
                        next.error = None;
                        next.notice = report.applied.then(|| {
                            format!(
                                "create_all() ran: {} table{} created, {} difference{} left alone.",
                                report.created.len(),
                                if report.created.len() == 1 { "" } else { "s" },
                                report.skipped.len(),
                                if report.skipped.len() == 1 { "" } else { "s" },
                            )
                        });
                        next.create_all = Some(report);
                    }
                    Ok(Outcome::Exported(export)) => {
                        next.error = None;
                        next.export = Some(export);
                    }
                    Ok(Outcome::AlembicProjectExported {
                        revisions,
                        verbatim,
                        ..
                    }) => {
                        next.error = None;
                        let mut notice = format!(
                            "Exported {ALEMBIC_ZIP}: {revisions} revision{} as an Alembic project. Unzip it and run alembic upgrade head.",
                            if revisions == 1 { "" } else { "s" }
                        );
                        if !verbatim.is_empty() {
                            notice.push_str(&format!(
                                " Written or edited by hand, so their scripts run the SQLite SQL as written: {}.",
                                verbatim.join(", ")
                            ));
                        }
                        next.notice = Some(notice);
                    }
                    Ok(Outcome::Stepped {
                        model,
                        language,
                        notes,
                        failed,
                    }) => {
                        // A lesson's steps leave their model in the editor, as if typed, in the
                        // tab of the language it is written in.
                        if let Some(model) = model {
                            match language {
                                ModelLanguage::Sql => next.model = model,
                                ModelLanguage::Sqlmodel => next.sqlmodel = model,
                            }
                            next.language = language;
                            next.migration = None;
                            next.create_all = None;
                            next.renames.clear();
                            next.declined.clear();
                            next.parent = None;
                        }
                        next.lessons.reduce(LessonAction::Stepped { notes, failed });
                    }
                    Ok(Outcome::Checked { lesson, passed }) => {
                        next.lessons
                            .reduce(LessonAction::Checked { lesson, passed });
                    }
                    Ok(Outcome::LessonGoal {
                        lesson,
                        diagram,
                        differs,
                        error,
                        versions,
                    }) => {
                        next.lessons.reduce(LessonAction::Goal(Goal {
                            lesson,
                            diagram,
                            differs,
                            error,
                            versions,
                        }));
                    }
                    Ok(Outcome::LessonCommit {
                        lesson,
                        commit,
                        error,
                    }) => {
                        next.lessons.reduce(LessonAction::Commit(LessonCommit {
                            lesson,
                            commit,
                            error,
                        }));
                    }
                    Ok(Outcome::AppWrote {
                        run,
                        version,
                        error,
                    }) => {
                        next.lessons.reduce(LessonAction::AppWrote {
                            run,
                            version,
                            error,
                        });
                    }
                    Ok(outcome) => {
                        next.result = Some(outcome);
                        next.error = None;
                    }
                    Err(failure) => {
                        next.result = None;
                        next.error = Some(failure);
                        // A success notice of the same place would contradict the error beside
                        // it (a link that was refused did not load anything).
                        match next.place {
                            Place::Project => next.project_notice = None,
                            Place::Migration => next.notice = None,
                            Place::Console | Place::Exercise => {}
                        }
                    }
                }
                // The reply that follows a restart or a cancel reads the database again; what
                // stopped the work stays in view unless that reply has a failure of its own.
                if let Some((error, place)) = next.interrupted.take() {
                    if next.error.is_none() {
                        next.error = Some(error);
                        next.place = place;
                    }
                }
            }
            Action::Browse(table) => next.browse = table,
            Action::EditConsole(text) => next.console = text,
            Action::EditModel(text) => {
                // The shown migration was made from the old text; a stale one would mislead.
                match next.language {
                    ModelLanguage::Sql => next.model = text,
                    ModelLanguage::Sqlmodel => next.sqlmodel = text,
                }
                next.migration = None;
                next.create_all = None;
            }
            Action::SetLanguage(language) => {
                if next.language != language {
                    next.language = language;
                    next.migration = None;
                    next.create_all = None;
                    next.renames.clear();
                    next.declined.clear();
                }
            }
            Action::BuildOn(parent) => {
                next.parent = parent;
                next.migration = None;
            }
            Action::DismissConfirm => next.confirm = None,
            Action::CloseExport => next.export = None,
            Action::CloseCreateAll => next.create_all = None,
            Action::Lesson(action) => {
                if action == LessonAction::Started {
                    next.lesson_started();
                }
                next.lessons.reduce(action);
            }
            Action::Ask(question) => next.question = question,
            Action::CloseRehearsal => next.rehearsal = None,
            Action::MakeExercise(open) => {
                next.making_exercise = open;
                next.exercise_link = None;
                if next.place == Place::Exercise {
                    next.error = None;
                }
            }
            Action::SentExercise => {
                next.pending += 1;
                next.error = None;
                next.exercise_link = None;
                next.place = Place::Exercise;
            }

            Action::ConfirmRename(rename) => {
                // A yes replaces an earlier no to the same question.
                next.declined.retain(|d| !d.answers(&rename));
                if !next.renames.contains(&rename) {
                    next.renames.push(rename);
                }
            }
            Action::DeclineRename(rename) => {
                if let Some(decline) = Decline::of(&rename) {
                    if !next.declined.contains(&decline) {
                        next.declined.push(decline);
                    }
                }
            }
            Action::EditMessage(text) => next.message = text,
            Action::SentProject => {
                next.pending += 1;
                next.error = None;
                next.project_notice = None;
                next.place = Place::Project;
            }
            Action::ProjectFailed(message) => {
                next.error = Some(message.into());
                next.project_notice = None;
                next.place = Place::Project;
            }
            Action::ModelKept(model, language) => next.saved_model = Some((model, language)),
            Action::Reset => {
                // What the database holds (the model, revisions, the work on them) comes back
                // with Reset's answer, as for any replaced database; the texts the database does
                // not keep go back to the demo's here.
                let fresh = AppState::default();
                next.browse = fresh.browse;
                next.console = fresh.console;
                next.sqlmodel = fresh.sqlmodel;
            }
        }
        Rc::new(next)
    }
}

/// What an upgrade or downgrade did, in words.
fn migrated(up: bool, ids: &[String], losses: &[String]) -> String {
    let verb = if up { "Applied" } else { "Reverted" };
    let mut text = if ids.is_empty() {
        "Nothing to do: the database is already there.".to_owned()
    } else {
        format!("{verb} {}.", ids.join(", "))
    };
    if !losses.is_empty() {
        text.push_str(&format!(" Data thrown away: {}.", losses.join("; ")));
    }
    text
}
