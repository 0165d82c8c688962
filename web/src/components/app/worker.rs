//! The page's one database worker: spawned once for the life of the page, its replies turned
//! into actions, its first requests sent (Open, then a share or exercise link found in the
//! address); and the model text kept in the database once the editor is left alone.

use std::rc::Rc;

use yew::prelude::*;

use super::page::{deliver, expose_test_hooks, remember_storage, take_share_link};
use crate::services::project::{ModelLanguage, Project};
use crate::services::protocol::{Message, Request};
use crate::services::DbClient;
use crate::state::{Action, AppState};
use strata_core::exercise::Exercise;

/// How long the model editor must be left alone before its text is kept in the database.
const MODEL_SAVE_DELAY_MS: i32 = 300;

/// Spawns the worker once. Its replies arrive as actions, and its first act once booted is to
/// read the database, so the panels fill in without a click. `seeded` says the first visit is
/// already drawn from the build's answer to Open, so the page does not wait for the worker's.
/// `None` when the worker could not start (the page shows why).
#[hook]
pub(super) fn use_worker(
    dispatcher: UseReducerDispatcher<AppState>,
    browse: String,
    seeded: bool,
) -> Rc<Option<DbClient>> {
    use_memo((), move |()| {
        // A share link in the address is read once, and taken out of the address so a reload
        // does not load it again over what the visitor did since.
        let link = take_share_link();
        let link_error = std::rc::Rc::new(std::cell::RefCell::new(None::<String>));
        let on_message = {
            let dispatcher = dispatcher.clone();
            let link_error = link_error.clone();
            Callback::from(move |message: Message| {
                remember_storage(&message);
                let delivered = deliver(&message);
                let first_reply = matches!(message, Message::Reply(_));
                dispatcher.dispatch(Action::Received(message));
                if let Err(e) = delivered {
                    dispatcher.dispatch(Action::ProjectFailed(e));
                }
                // A bad link is reported after Open's reply, which would otherwise clear it.
                if first_reply {
                    if let Some(e) = link_error.borrow_mut().take() {
                        dispatcher.dispatch(Action::ProjectFailed(e));
                    }
                }
            })
        };
        match DbClient::spawn(on_message) {
            Ok(client) => {
                // A first visit drawn from the build's answer does not wait for Open's.
                if !seeded {
                    dispatcher.dispatch(Action::Sent {
                        clears_output: false,
                    });
                }
                client.send(Request::Open {
                    browse: Some(browse.clone()),
                });
                // An exercise link is unpacked and its text checked on the page (only the
                // page renders it); the worker checks the rest (`check_data`, then what
                // needs SQLite) before it replaces anything.
                let (exercise, link) = match link {
                    Some(fragment) if fragment.starts_with(strata_core::exercise::PREFIX) => {
                        let read =
                            Exercise::unpack(&fragment).and_then(|e| e.check_text().map(|()| e));
                        (Some(read), None)
                    }
                    other => (None, other),
                };
                match exercise {
                    Some(Ok(exercise)) => {
                        dispatcher.dispatch(Action::SentProject);
                        client.send(Request::OpenExercise {
                            exercise: Box::new(exercise),
                            browse: Some(browse.clone()),
                        });
                    }
                    Some(Err(e)) => *link_error.borrow_mut() = Some(e.to_string()),
                    None => {}
                }
                match link.map(|fragment| Project::from_share_fragment(&fragment)) {
                    Some(Ok(project)) => {
                        dispatcher.dispatch(Action::SentProject);
                        client.send(Request::Load {
                            project,
                            browse: Some(browse),
                            link: true,
                        });
                    }
                    Some(Err(e)) => *link_error.borrow_mut() = Some(e.to_string()),
                    None => {}
                }
                expose_test_hooks(&client);
                Some(client)
            }
            Err(message) => {
                dispatcher.dispatch(Action::Received(Message::Fatal { message }));
                None
            }
        }
    })
}

/// Keeps the model text in the database once the editor has been left alone for a moment
/// (`due` says there is something to keep and nothing else running), so typing sends one
/// request per pause rather than one per key.
#[hook]
pub(super) fn use_model_keeper(
    client: Rc<Option<DbClient>>,
    dispatcher: UseReducerDispatcher<AppState>,
    text: String,
    language: ModelLanguage,
    due: bool,
) {
    let key = (text, language, due);
    use_effect_with(key, move |(text, language, due)| {
        let timer = due
            .then(|| {
                let (text, language) = (text.clone(), *language);
                let keep = wasm_bindgen::closure::Closure::once(move || {
                    if let Some(client) = client.as_ref() {
                        dispatcher.dispatch(Action::ModelKept(text.clone(), language));
                        dispatcher.dispatch(Action::Sent {
                            clears_output: false,
                        });
                        client.send(Request::SaveModel {
                            model: text,
                            language,
                        });
                    }
                });
                use wasm_bindgen::JsCast;
                let handle = web_sys::window()?
                    .set_timeout_with_callback_and_timeout_and_arguments_0(
                        keep.as_ref().unchecked_ref(),
                        MODEL_SAVE_DELAY_MS,
                    )
                    .ok()?;
                Some((handle, keep))
            })
            .flatten();
        move || {
            if let (Some((handle, _keep)), Some(window)) = (timer, web_sys::window()) {
                window.clear_timeout_with_handle(handle);
            }
        }
    });
}
