//! The page: three columns (Model, Migration, Database) over one state and one database worker.

use yew::prelude::*;

use super::console::Console;
use super::damaged_panel::DamagedPanel;
use super::exercise_dialog::{Draft, ExerciseDialog};
use super::data_grid::DataGrid;
use super::header::Header;
use super::lesson_panel::{load_progress, use_lesson_watch, LessonPanel};
use super::migration_panel::MigrationPanel;
use super::model_panel::ModelPanel;
use super::project_panel::ProjectPanel;
use super::question_dialog::QuestionDialog;
use super::rehearsal_dialog::RehearsalDialog;
use super::revisions_panel::RevisionsPanel;
use super::version_panel::VersionPanel;
use crate::lessons::progress::LessonAction;
use crate::services::demo;
use crate::services::first_visit::first_open;
use crate::services::protocol::{ExportFormat, Request, Step};
use crate::state::{Action, AppState, Phase, Place, Question};
use page::{first_visit, load_exercise, load_model, page_url, save_exercise};

mod files;
mod page;
mod worker;

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| {
        let state = AppState {
            model: load_model().unwrap_or_else(|| demo::MODEL_SQL.to_owned()),
            lessons: {
                let mut lessons = load_progress();
                lessons.exercise = load_exercise().map(Box::new);
                lessons
            },
            ..AppState::default()
        };
        // A first visit shows the demo at once, from the build's answer to Open, while the
        // worker's module is still on its way (see services::first_visit).
        match first_open().filter(|_| first_visit()) {
            Some(reply) => state.seeded(reply),
            None => state,
        }
    });
    let seeded = state.seed.is_some();

    // One worker for the life of the page (see worker.rs).
    let client = worker::use_worker(state.dispatcher(), state.browse.clone(), seeded);
    let due = state.phase == Phase::Ready && state.pending == 0 && state.model_unsaved();
    worker::use_model_keeper(
        client.clone(),
        state.dispatcher(),
        state.model_text().to_owned(),
        state.language,
        due,
    );

    // Project requests: their errors and notices show in the Database column's backups box.
    let send_project = {
        let client = client.clone();
        let dispatcher = state.dispatcher();
        move |request: Request| {
            if let Some(client) = client.as_ref() {
                dispatcher.dispatch(Action::SentProject);
                client.send(request);
            }
        }
    };
    // The project file and the share link carry the same project; only where it goes differs.
    let export_project = |share: bool| {
        let send_project = send_project.clone();
        let (model, language) = (state.model_text().to_owned(), state.language);
        Callback::from(move |()| {
            send_project(Request::ExportProject {
                model: model.clone(),
                language,
                share,
            })
        })
    };
    let on_export_project = export_project(false);
    let on_share = export_project(true);
    let on_export_sqlite = {
        let send_project = send_project.clone();
        Callback::from(move |()| send_project(Request::ExportSqlite))
    };
    let on_import_project = files::import_project(
        send_project.clone(),
        state.dispatcher(),
        state.browse.clone(),
    );
    let on_import_sqlite = files::import_sqlite(
        send_project.clone(),
        state.dispatcher(),
        state.browse.clone(),
    );
    let on_backup = {
        let send_project = send_project.clone();
        Callback::from(move |()| {
            send_project(Request::Backup {
                label: "taken by hand".to_owned(),
            })
        })
    };
    // A restore asks first, as it replaces the database (whose state is kept as a backup).
    let on_restore = {
        let dispatcher = state.dispatcher();
        let backups = state.snapshot.backups.clone();
        Callback::from(move |id: String| {
            let (label, created) = backups
                .iter()
                .find(|b| b.id == id)
                .map(|b| (b.label.clone(), b.created.clone()))
                .unwrap_or_default();
            dispatcher.dispatch(Action::Ask(Some(Question::Restore { id, label, created })));
        })
    };

    let send = {
        let client = client.clone();
        let dispatcher = state.dispatcher();
        move |request: Request, clears_output: bool| {
            if let Some(client) = client.as_ref() {
                dispatcher.dispatch(Action::Sent { clears_output });
                client.send(request);
            }
        }
    };
    // Lessons: the panel dispatches lesson actions and asks for steps; checks and the simulated
    // app run on their own while a lesson is started (see lesson_panel.rs).
    // The built-in lessons, and the exercise last opened from a link after them.
    let lessons = use_memo(state.lessons.exercise.clone(), |exercise| {
        let mut lessons = crate::lessons::all();
        if let Some(exercise) = exercise {
            lessons.push(crate::lessons::exercise::lesson(exercise));
        }
        lessons
    });
    use_effect_with(state.lessons.exercise.clone(), |exercise| {
        save_exercise(exercise.as_deref())
    });
    let on_make_exercise = {
        let dispatcher = state.dispatcher();
        Callback::from(move |()| dispatcher.dispatch(Action::MakeExercise(true)))
    };
    let on_close_exercise = {
        let dispatcher = state.dispatcher();
        Callback::from(move |()| dispatcher.dispatch(Action::MakeExercise(false)))
    };
    let on_exercise = {
        let (client, dispatcher) = (client.clone(), state.dispatcher());
        let (model, language) = (state.model_text().to_owned(), state.language);
        Callback::from(move |draft: Draft| {
            if let Some(client) = client.as_ref() {
                dispatcher.dispatch(Action::SentExercise);
                client.send(Request::MakeExercise {
                    model: model.clone(),
                    language,
                    title: draft.title,
                    text: draft.text,
                    checks: draft.checks,
                });
            }
        })
    };
    let on_lesson = {
        let dispatcher = state.dispatcher();
        Callback::from(move |action| dispatcher.dispatch(Action::Lesson(action)))
    };
    let on_lesson_steps = {
        let (send, on_lesson, browse) = (send.clone(), on_lesson.clone(), state.browse.clone());
        Callback::from(move |(action, steps): (LessonAction, Vec<Step>)| {
            on_lesson.emit(action);
            send(
                Request::Steps {
                    steps,
                    browse: Some(browse.clone()),
                },
                false,
            );
        })
    };
    {
        let client = client.clone();
        let on_lesson = on_lesson.clone();
        use_lesson_watch(
            lessons.clone(),
            &state.lessons,
            &state.snapshot,
            &state.browse,
            Callback::from(move |request| {
                if let Some(client) = client.as_ref() {
                    on_lesson.emit(LessonAction::BackgroundSent);
                    client.send(request);
                }
            }),
        );
    }
    let on_run = {
        let send = send.clone();
        let (sql, browse) = (state.console.clone(), state.browse.clone());
        Callback::from(move |()| {
            send(
                Request::Execute {
                    sql: sql.clone(),
                    browse: Some(browse.clone()),
                },
                true,
            )
        })
    };
    let on_select = {
        let send = send.clone();
        let dispatcher = state.dispatcher();
        Callback::from(move |table: String| {
            dispatcher.dispatch(Action::Browse(table.clone()));
            send(Request::Browse { table }, false);
        })
    };
    // Stops what the worker is doing (see `DbClient::cancel`).
    let on_cancel = {
        let client = client.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(client) = client.as_ref() {
                client.cancel();
            }
        })
    };
    let on_reset = {
        let dispatcher = state.dispatcher();
        Callback::from(move |()| {
            dispatcher.dispatch(Action::Reset);
            send(Request::Reset, true);
            send(
                Request::Browse {
                    table: crate::state::FIRST_TABLE.to_owned(),
                },
                false,
            );
        })
    };
    // Migration requests: the state only records that one left; the worker does the work.
    let send_migration = {
        let client = client.clone();
        let dispatcher = state.dispatcher();
        move |request: Request| {
            if let Some(client) = client.as_ref() {
                dispatcher.dispatch(Action::SentMigration);
                client.send(request);
            }
        }
    };
    let (language, parent) = (state.language, state.parent.clone());
    let on_autogenerate = {
        let send_migration = send_migration.clone();
        let (model, renames, browse, parent) = (
            state.model_text().to_owned(),
            state.renames.clone(),
            state.browse.clone(),
            parent.clone(),
        );
        Callback::from(move |()| {
            send_migration(Request::Autogenerate {
                model: model.clone(),
                renames: renames.clone(),
                browse: Some(browse.clone()),
                language,
                parent: parent.clone(),
            })
        })
    };
    let on_confirm = {
        let send_migration = send_migration.clone();
        let dispatcher = state.dispatcher();
        let (model, renames, browse, parent) = (
            state.model_text().to_owned(),
            state.renames.clone(),
            state.browse.clone(),
            parent.clone(),
        );
        Callback::from(move |rename: strata_core::Rename| {
            dispatcher.dispatch(Action::ConfirmRename(rename.clone()));
            let mut renames = renames.clone();
            renames.push(rename);
            send_migration(Request::Autogenerate {
                model: model.clone(),
                renames,
                browse: Some(browse.clone()),
                language,
                parent: parent.clone(),
            })
        })
    };
    let on_decline = {
        let dispatcher = state.dispatcher();
        Callback::from(move |rename: strata_core::Rename| {
            dispatcher.dispatch(Action::DeclineRename(rename))
        })
    };
    let on_save = {
        let send_migration = send_migration.clone();
        let (model, renames, declined, message, browse, parent) = (
            state.model_text().to_owned(),
            state.renames.clone(),
            state.declined.clone(),
            state.message.clone(),
            state.browse.clone(),
            parent.clone(),
        );
        Callback::from(move |()| {
            send_migration(Request::SaveRevision {
                model: model.clone(),
                renames: renames.clone(),
                declined: declined.clone(),
                message: message.clone(),
                browse: Some(browse.clone()),
                language,
                parent: parent.clone(),
            })
        })
    };
    let on_upgrade = {
        let send_migration = send_migration.clone();
        let browse = state.browse.clone();
        Callback::from(move |target: String| {
            send_migration(Request::Upgrade {
                target,
                browse: Some(browse.clone()),
                confirmed: false,
            })
        })
    };
    let on_downgrade = {
        let send_migration = send_migration.clone();
        let browse = state.browse.clone();
        Callback::from(move |target: String| {
            send_migration(Request::Downgrade {
                target,
                browse: Some(browse.clone()),
                confirmed: false,
            })
        })
    };
    // The visitor's answer to "this upgrade (or downgrade) throws data away": yes sends it
    // again, confirmed.
    let on_confirm_downgrade = {
        let send_migration = send_migration.clone();
        let dispatcher = state.dispatcher();
        let browse = state.browse.clone();
        let up = state.confirm.as_ref().is_some_and(|c| c.up);
        Callback::from(move |target: Option<String>| {
            dispatcher.dispatch(Action::DismissConfirm);
            if let Some(target) = target {
                let browse = Some(browse.clone());
                send_migration(if up {
                    Request::Upgrade {
                        target,
                        browse,
                        confirmed: true,
                    }
                } else {
                    Request::Downgrade {
                        target,
                        browse,
                        confirmed: true,
                    }
                })
            }
        })
    };
    let on_rehearse = {
        let (client, dispatcher) = (client.clone(), state.dispatcher());
        Callback::from(move |()| {
            if let Some(client) = client.as_ref() {
                dispatcher.dispatch(Action::SentRehearsal);
                client.send(Request::Rehearse {
                    target: "head".to_owned(),
                });
            }
        })
    };
    let on_close_rehearsal = {
        let dispatcher = state.dispatcher();
        Callback::from(move |()| dispatcher.dispatch(Action::CloseRehearsal))
    };
    let on_discard = {
        let dispatcher = state.dispatcher();
        Callback::from(move |(id, message): (String, String)| {
            dispatcher.dispatch(Action::Ask(Some(Question::Discard { id, message })))
        })
    };
    // The visitor's answer to the question the page asked: yes sends the request.
    let on_answer = {
        let dispatcher = state.dispatcher();
        let (send_project, send_migration) = (send_project.clone(), send_migration.clone());
        let (question, browse) = (state.question.clone(), state.browse.clone());
        Callback::from(move |yes: bool| {
            dispatcher.dispatch(Action::Ask(None));
            match (&question, yes) {
                (Some(Question::Restore { id, .. }), true) => {
                    send_project(Request::Restore { id: id.clone() })
                }
                (Some(Question::Discard { id, .. }), true) => {
                    send_migration(Request::DiscardRevision {
                        id: id.clone(),
                        browse: Some(browse.clone()),
                    })
                }
                _ => {}
            }
        })
    };
    let on_merge = {
        let send_migration = send_migration.clone();
        let (message, browse) = (state.message.clone(), state.browse.clone());
        Callback::from(move |()| {
            send_migration(Request::Merge {
                message: message.clone(),
                browse: Some(browse.clone()),
            })
        })
    };
    let on_build_on = {
        let dispatcher = state.dispatcher();
        Callback::from(move |parent: Option<String>| dispatcher.dispatch(Action::BuildOn(parent)))
    };
    let on_export = {
        let send_migration = send_migration.clone();
        Callback::from(move |(id, format): (String, ExportFormat)| {
            send_migration(Request::Export { id, format })
        })
    };
    let on_export_alembic_project = {
        let send_migration = send_migration.clone();
        let (model, language) = (state.model_text().to_owned(), state.language);
        Callback::from(move |()| {
            send_migration(Request::ExportAlembicProject {
                model: model.clone(),
                language,
            })
        })
    };
    let on_close_export = {
        let dispatcher = state.dispatcher();
        Callback::from(move |()| dispatcher.dispatch(Action::CloseExport))
    };
    let on_create_all = {
        let send_migration = send_migration.clone();
        let (model, browse) = (state.model_text().to_owned(), state.browse.clone());
        Callback::from(move |apply: bool| {
            send_migration(Request::CreateAll {
                model: model.clone(),
                language,
                apply,
                browse: Some(browse.clone()),
            })
        })
    };
    let on_close_create_all = {
        let dispatcher = state.dispatcher();
        Callback::from(move |()| dispatcher.dispatch(Action::CloseCreateAll))
    };
    let on_language = {
        let dispatcher = state.dispatcher();
        Callback::from(move |language| dispatcher.dispatch(Action::SetLanguage(language)))
    };
    let on_message = {
        let dispatcher = state.dispatcher();
        Callback::from(move |text| dispatcher.dispatch(Action::EditMessage(text)))
    };
    let on_console = {
        let dispatcher = state.dispatcher();
        Callback::from(move |text| dispatcher.dispatch(Action::EditConsole(text)))
    };
    let on_model = {
        let dispatcher = state.dispatcher();
        Callback::from(move |text| dispatcher.dispatch(Action::EditModel(text)))
    };

    let error_in = |place: Place| {
        (state.place == place)
            .then(|| state.error_message().map(|m| AttrValue::from(m.to_owned())))
            .flatten()
    };

    let database = match &state.phase {
        Phase::Failed(message) => html! {
            <div class="fatal">
                <h3>{ "The database could not be opened" }</h3>
                <p class="error" role="alert" data-testid="error">{ message }</p>
                <p class="muted">{ "Reload the page to try again. If another tab has the playground open, close it first: only one tab at a time can hold the saved database." }</p>
            </div>
        },
        Phase::Booting => {
            html! { <p class="muted loading" data-testid="loading">{ "Opening the database…" }</p> }
        }
        Phase::Ready if state.snapshot.damaged.is_some() => html! {
            <>
                <DamagedPanel message={AttrValue::from(state.snapshot.damaged.clone().unwrap_or_default())}
                    busy={state.busy()} on_download={on_export_sqlite.clone()} on_reset={on_reset.clone()} />
                <ProjectPanel backups={state.snapshot.backups.clone()} share_link={None::<AttrValue>}
                    error={error_in(Place::Project)} notice={state.project_notice.clone().map(AttrValue::from)}
                    busy={state.busy()} on_backup={on_backup} on_restore={on_restore} />
            </>
        },
        Phase::Ready => html! {
            <>
                <VersionPanel grid={state.snapshot.schema_version.clone()} />
                <ProjectPanel backups={state.snapshot.backups.clone()}
                    share_link={state.share_link.as_ref().map(|fragment| AttrValue::from(format!("{}{fragment}", page_url())))}
                    error={error_in(Place::Project)} notice={state.project_notice.clone().map(AttrValue::from)}
                    busy={state.busy()} on_backup={on_backup} on_restore={on_restore} />
                <DataGrid tables={state.snapshot.tables.clone()} selected={state.browse.clone()}
                    browsed={state.snapshot.browsed.clone()} on_select={on_select} />
                <Console sql={state.console.clone()} result={state.result.clone()}
                    error={error_in(Place::Console)} busy={state.busy()}
                    on_edit={on_console} on_run={on_run} />
            </>
        },
    };

    html! {
        <div class="app" data-interactive={state.interactive().to_string()} data-ready={state.settled().to_string()}>
            <Header storage={state.snapshot.storage.clone()} busy={state.busy()} on_reset={on_reset}
                on_export_project={on_export_project} on_import_project={on_import_project}
                on_export_sqlite={on_export_sqlite} on_import_sqlite={on_import_sqlite} on_share={on_share}
                on_lessons={on_lesson.reform(|()| LessonAction::Toggle)} lessons_open={state.lessons.progress.open} />
            <main class={classes!("columns", state.lessons.progress.open.then_some("with-lessons"))}>
                if state.lessons.progress.open {
                    <LessonPanel lessons={lessons.clone()} state={state.lessons.clone()} busy={state.busy()}
                        on_action={on_lesson} on_steps={on_lesson_steps} on_make_exercise={on_make_exercise} />
                }
                <ModelPanel text={AttrValue::from(state.model_text().to_owned())} on_edit={on_model}
                    language={state.language} on_language={on_language}
                    error_line={state.model_error_line()}
                    error={state.model_error_line().and(state.error_message()).map(|m| AttrValue::from(m.to_owned()))}
                    diagram={state.migration.as_ref().map_or_else(|| state.snapshot.diagram.clone(), |m| m.diagram.clone())}
                    compared={state.migration.is_some()} />
                <section class="column migration">
                    <div class="column-head"><h2>{ "Migration" }</h2></div>
                    <MigrationPanel migration={state.migration.clone()} message={state.message.clone()}
                        error={error_in(Place::Migration)} notice={state.notice.clone().map(AttrValue::from)}
                        busy={state.busy()} on_autogenerate={on_autogenerate} on_confirm={on_confirm}
                        on_decline={on_decline} declined={state.declined.clone()} can_save={state.can_save()}
                        on_message={on_message} on_save={on_save}
                        parent={state.parent.clone().map(AttrValue::from)}
                        on_cancel_branch={on_build_on.reform(|()| None)}
                        create_all={state.create_all.clone()} on_create_all={on_create_all}
                        on_close_create_all={on_close_create_all} />
                    <RevisionsPanel revisions={state.snapshot.revisions.clone()} busy={state.busy()}
                        on_upgrade={on_upgrade} on_downgrade={on_downgrade}
                        parent={state.parent.clone()} on_branch={on_build_on}
                        on_merge={on_merge} on_export={on_export} export={state.export.clone()}
                        on_export_alembic_project={on_export_alembic_project}
                        on_close_export={on_close_export} confirm={state.confirm.clone()}
                        on_confirm_downgrade={on_confirm_downgrade}
                        on_rehearse={on_rehearse} on_discard={on_discard} />
                </section>
                <section class="column database">
                    <div class="column-head"><h2>{ "Database" }</h2></div>
                    { database }
                </section>
            </main>
            // Long work shows that it runs and can be stopped. It appears only after a moment
            // (styles/app.css), so quick requests do not flash it.
            if state.phase == Phase::Ready && state.pending > 0 {
                <div class="running" role="status" data-testid="running">
                    <span class="spinner" aria-hidden="true"></span>
                    <span>{ "Running…" }</span>
                    <button class="button small" data-testid="cancel" onclick={on_cancel}
                        title="Stop the work: the database goes back to where it was before it started">
                        { "Cancel" }
                    </button>
                </div>
            }
            if let Some(report) = &state.rehearsal {
                <RehearsalDialog report={report.clone()} on_close={on_close_rehearsal} />
            }
            if state.making_exercise {
                <ExerciseDialog link={state.exercise_link.as_ref().map(|fragment| AttrValue::from(format!("{}{fragment}", page_url())))}
                    error={error_in(Place::Exercise)} busy={state.busy()}
                    on_make={on_exercise} on_close={on_close_exercise} />
            }
            if let Some(question) = &state.question {
                <QuestionDialog question={question.clone()} on_answer={on_answer} />
            }
        </div>
    }
}
