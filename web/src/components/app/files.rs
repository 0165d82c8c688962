//! The files a visitor picks to import (a project file, a `.sqlite` database): refused when too
//! large before any of it is read, then read in the browser and sent to the worker.

use yew::prelude::*;

use crate::services::project::Project;
use crate::services::protocol::Request;
use crate::state::{Action, AppState};

/// The largest `.sqlite` file the playground imports: it travels to the worker as base64 text
/// and is copied in memory a few times on its way, so a bigger one would exhaust the tab.
const SQLITE_IMPORT_LIMIT: usize = 64 << 20;

/// Refuses a chosen file larger than `limit` before any of it is read.
fn within_limit(file: &web_sys::File, limit: usize) -> Result<(), String> {
    let size = file.size();
    if size > limit as f64 {
        return Err(format!(
            "{} is too large ({:.1} MiB; the playground imports at most {} MiB); nothing was changed",
            file.name(),
            size / f64::from(1 << 20),
            limit >> 20
        ));
    }
    Ok(())
}

/// Import project: the chosen file is read as text and loaded when it is a project file.
pub(super) fn import_project(
    send_project: impl Fn(Request) + Clone + 'static,
    dispatcher: UseReducerDispatcher<AppState>,
    browse: String,
) -> Callback<web_sys::File> {
    Callback::from(move |file: web_sys::File| {
        let (send_project, dispatcher, browse) =
            (send_project.clone(), dispatcher.clone(), browse.clone());
        if let Err(e) = within_limit(&file, strata_core::project::SHARE_LIMIT) {
            dispatcher.dispatch(Action::ProjectFailed(e));
            return;
        }
        wasm_bindgen_futures::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|text| text.as_string());
            let Some(text) = text else {
                let message = format!("{} cannot be read; nothing was changed", file.name());
                dispatcher.dispatch(Action::ProjectFailed(message));
                return;
            };
            match Project::from_json(&text) {
                Ok(project) => send_project(Request::Load {
                    project,
                    browse: Some(browse),
                    link: false,
                }),
                Err(e) => dispatcher.dispatch(Action::ProjectFailed(e.to_string())),
            }
        });
    })
}

/// Import .sqlite: the chosen file's bytes travel to the worker, which builds a baseline from it.
pub(super) fn import_sqlite(
    send_project: impl Fn(Request) + Clone + 'static,
    dispatcher: UseReducerDispatcher<AppState>,
    browse: String,
) -> Callback<web_sys::File> {
    Callback::from(move |file: web_sys::File| {
        let (send_project, dispatcher, browse) =
            (send_project.clone(), dispatcher.clone(), browse.clone());
        if let Err(e) = within_limit(&file, SQLITE_IMPORT_LIMIT) {
            dispatcher.dispatch(Action::ProjectFailed(e));
            return;
        }
        wasm_bindgen_futures::spawn_local(async move {
            let Ok(buffer) = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await else {
                let message = format!("{} cannot be read; nothing was changed", file.name());
                dispatcher.dispatch(Action::ProjectFailed(message));
                return;
            };
            use base64::Engine as _;
            let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
            send_project(Request::ImportSqlite {
                name: file.name(),
                base64: base64::engine::general_purpose::STANDARD.encode(bytes),
                browse: Some(browse),
            });
        });
    })
}
