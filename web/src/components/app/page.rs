//! The page's dealings with the browser outside the database worker: the model text an
//! earlier build kept in localStorage, whether a database was saved here before (so a first
//! visit can be drawn from the build's answer), exported files handed to the browser's
//! download, the share link read from (and taken out of) the address, the exercise last
//! opened, and the browser tests' hooks.

use crate::services::download;
use crate::services::protocol::{Message, Outcome, Request, Storage};
use crate::services::DbClient;
use crate::state::ALEMBIC_ZIP;

/// Where an earlier build kept the model text. The database keeps it now (`_strata_meta`); this
/// is only read, for a database of that build that has no model of its own yet.
const MODEL_KEY: &str = "strata.model";

/// With `?test-hooks` in the address, the browser tests get `window.strataCrashWorker()`, which
/// makes the database worker panic, to check that the page survives it.
pub(super) fn expose_test_hooks(client: &DbClient) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if !window
        .location()
        .search()
        .unwrap_or_default()
        .contains("test-hooks")
    {
        return;
    }
    let client = client.clone();
    let crash = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
        client.send(Request::CrashForTest);
    });
    let _ = js_sys::Reflect::set(&window, &"strataCrashWorker".into(), crash.as_ref());
    // The page lives as long as the hook may be called.
    crash.forget();
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub(super) fn load_model() -> Option<String> {
    local_storage()?.get_item(MODEL_KEY).ok()?
}

/// Set once the worker has said the database lives in the browser's storage: a later visit
/// finds that database, not the demo, so it must wait for the worker to read it.
const SAVED_KEY: &str = "strata.saved";

/// Whether this browser has, as far as the page can tell, no database of the playground yet:
/// no earlier page heard that one was saved here, and no model of an older build is kept.
/// Without localStorage the page cannot tell, and waits for the worker.
pub(super) fn first_visit() -> bool {
    let Some(storage) = local_storage() else {
        return false;
    };
    matches!(storage.get_item(SAVED_KEY), Ok(None))
        && matches!(storage.get_item(MODEL_KEY), Ok(None))
}

/// Notes that the database lives in the browser's storage, the first time a reply says so.
pub(super) fn remember_storage(message: &Message) {
    let Message::Reply(reply) = message else {
        return;
    };
    if reply.snapshot.storage != Storage::Opfs {
        return;
    }
    if let Some(storage) = local_storage() {
        if matches!(storage.get_item(SAVED_KEY), Ok(None)) {
            let _ = storage.set_item(SAVED_KEY, "1");
        }
    }
}

/// Hands an exported file to the browser's download, the moment the worker's reply arrives.
pub(super) fn deliver(message: &Message) -> Result<(), String> {
    let Message::Reply(reply) = message else {
        return Ok(());
    };
    match &reply.outcome {
        Ok(Outcome::ProjectExported {
            project,
            share: false,
        }) => download::download_text(
            "strata-project.json",
            &project.to_json(),
            "application/json",
        ),
        Ok(Outcome::AlembicProjectExported { base64, .. }) => {
            use base64::Engine as _;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(base64)
                .map_err(|e| {
                    format!("the Alembic project arrived damaged ({e}); nothing was downloaded")
                })?;
            download::download_bytes(ALEMBIC_ZIP, &bytes, "application/zip")
        }
        Ok(Outcome::SqliteExported { base64 }) => {
            use base64::Engine as _;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(base64)
                .map_err(|e| {
                    format!("the database file arrived damaged ({e}); nothing was downloaded")
                })?;
            download::download_bytes("strata.sqlite", &bytes, "application/vnd.sqlite3")
        }
        _ => Ok(()),
    }
}

/// The share link's fragment (a project's or an exercise's), if the page was opened with one;
/// the address keeps the rest.
pub(super) fn take_share_link() -> Option<String> {
    let window = web_sys::window()?;
    let hash = window.location().hash().ok()?;
    if !hash.starts_with("#project=") && !hash.starts_with(strata_core::exercise::PREFIX) {
        return None;
    }
    let rest = format!(
        "{}{}",
        window.location().pathname().unwrap_or_default(),
        window.location().search().unwrap_or_default()
    );
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&rest));
    }
    Some(hash)
}

/// The page's address without its fragment, which a share link's fragment is appended to.
pub(super) fn page_url() -> String {
    let href = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    match href.find('#') {
        Some(at) => href[..at].to_owned(),
        None => href,
    }
}

/// Where the exercise last opened from a link is kept, beside the lessons' progress.
const EXERCISE_KEY: &str = "strata.exercise";

/// The exercise kept from an earlier visit (the worker checked it when it was opened); one that
/// no longer reads, or whose text the page would not show, is dropped.
pub(super) fn load_exercise() -> Option<strata_core::exercise::Exercise> {
    let text = local_storage()?.get_item(EXERCISE_KEY).ok()??;
    let exercise = strata_core::exercise::Exercise::read_json(&text).ok()?;
    exercise.check_text().ok().map(|()| exercise)
}

/// Keeps the exercise (or forgets it); storage that is full or disabled keeps it for the page's life.
pub(super) fn save_exercise(exercise: Option<&strata_core::exercise::Exercise>) {
    if let Some(storage) = local_storage() {
        let _ = match exercise {
            Some(exercise) => storage.set_item(EXERCISE_KEY, &exercise.to_json()),
            None => storage.remove_item(EXERCISE_KEY),
        };
    }
}
