//! The page: three columns (Model, Migration, Database) over one state and one database worker.

use yew::prelude::*;

use super::console::Console;
use super::data_grid::DataGrid;
use super::header::Header;
use super::migration_panel::MigrationPanel;
use super::model_panel::ModelPanel;
use super::revisions_panel::RevisionsPanel;
use super::version_panel::VersionPanel;
use crate::services::demo;
use crate::services::protocol::{Message, Request};
use crate::services::DbClient;
use crate::state::{Action, AppState, Phase, Place};

/// Where the model text is kept between visits; the database keeps itself (see the worker).
const MODEL_KEY: &str = "strata.model";

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| AppState {
        model: load_model().unwrap_or_else(|| demo::MODEL_SQL.to_owned()),
        ..AppState::default()
    });

    // One worker for the life of the page. Its replies arrive as actions, and its first act once
    // booted is to read the database, so the panels fill in without a click.
    let client = {
        let dispatcher = state.dispatcher();
        let browse = state.browse.clone();
        use_memo((), move |()| {
            let on_message = {
                let dispatcher = dispatcher.clone();
                Callback::from(move |message| dispatcher.dispatch(Action::Received(message)))
            };
            match DbClient::spawn(on_message) {
                Ok(client) => {
                    dispatcher.dispatch(Action::Sent {
                        clears_output: false,
                    });
                    client.send(Request::Open {
                        browse: Some(browse),
                    });
                    Some(client)
                }
                Err(message) => {
                    dispatcher.dispatch(Action::Received(Message::Fatal { message }));
                    None
                }
            }
        })
    };

    {
        let model = state.model.clone();
        use_effect_with(model, |model| save_model(model));
    }

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
    let on_autogenerate = {
        let send_migration = send_migration.clone();
        let (model, renames, browse) = (
            state.model.clone(),
            state.renames.clone(),
            state.browse.clone(),
        );
        Callback::from(move |()| {
            send_migration(Request::Autogenerate {
                model: model.clone(),
                renames: renames.clone(),
                browse: Some(browse.clone()),
            })
        })
    };
    let on_confirm = {
        let send_migration = send_migration.clone();
        let dispatcher = state.dispatcher();
        let (model, renames, browse) = (
            state.model.clone(),
            state.renames.clone(),
            state.browse.clone(),
        );
        Callback::from(move |rename: strata_core::Rename| {
            dispatcher.dispatch(Action::ConfirmRename(rename.clone()));
            let mut renames = renames.clone();
            renames.push(rename);
            send_migration(Request::Autogenerate {
                model: model.clone(),
                renames,
                browse: Some(browse.clone()),
            })
        })
    };
    let on_save = {
        let send_migration = send_migration.clone();
        let (model, renames, message, browse) = (
            state.model.clone(),
            state.renames.clone(),
            state.message.clone(),
            state.browse.clone(),
        );
        Callback::from(move |()| {
            send_migration(Request::SaveRevision {
                model: model.clone(),
                renames: renames.clone(),
                message: message.clone(),
                browse: Some(browse.clone()),
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
            })
        })
    };
    let on_downgrade = {
        let browse = state.browse.clone();
        Callback::from(move |target: String| {
            send_migration(Request::Downgrade {
                target,
                browse: Some(browse.clone()),
            })
        })
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
            .then(|| state.error.clone().map(AttrValue::from))
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
        Phase::Ready => html! {
            <>
                <VersionPanel grid={state.snapshot.schema_version.clone()} />
                <DataGrid tables={state.snapshot.tables.clone()} selected={state.browse.clone()}
                    browsed={state.snapshot.browsed.clone()} on_select={on_select} />
                <Console sql={state.console.clone()} result={state.result.clone()}
                    error={error_in(Place::Console)} busy={state.busy()}
                    on_edit={on_console} on_run={on_run} />
            </>
        },
    };

    html! {
        <div class="app" data-ready={(state.phase == Phase::Ready && state.pending == 0).to_string()}>
            <Header storage={state.snapshot.storage.clone()} busy={state.busy()} on_reset={on_reset} />
            <main class="columns">
                <ModelPanel text={state.model.clone()} on_edit={on_model}
                    diagram={state.migration.as_ref().map_or_else(|| state.snapshot.diagram.clone(), |m| m.diagram.clone())}
                    compared={state.migration.is_some()} />
                <section class="column migration">
                    <div class="column-head"><h2>{ "Migration" }</h2></div>
                    <MigrationPanel migration={state.migration.clone()} message={state.message.clone()}
                        error={error_in(Place::Migration)} notice={state.notice.clone().map(AttrValue::from)}
                        busy={state.busy()} on_autogenerate={on_autogenerate} on_confirm={on_confirm}
                        on_message={on_message} on_save={on_save} />
                    <RevisionsPanel revisions={state.snapshot.revisions.clone()} busy={state.busy()}
                        on_upgrade={on_upgrade} on_downgrade={on_downgrade} />
                </section>
                <section class="column database">
                    <div class="column-head"><h2>{ "Database" }</h2></div>
                    { database }
                </section>
            </main>
        </div>
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn load_model() -> Option<String> {
    local_storage()?.get_item(MODEL_KEY).ok()?
}

fn save_model(model: &str) {
    // Storage can be full or disabled; the model then simply lasts as long as the page.
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(MODEL_KEY, model);
    }
}
