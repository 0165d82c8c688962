//! The dedicated worker that owns the database.
//!
//! The worker exists because OPFS sync access handles, which the sahpool VFS needs to keep the
//! database across reloads, are only available in dedicated workers. SQLite calls are
//! synchronous, so each request is answered in full before the next one is read.

use std::cell::RefCell;

use rusqlite::Connection;
use sqlite_wasm_rs::WasmOsCallback;
use sqlite_wasm_vfs::sahpool::{install, OpfsSAHPoolCfg};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use super::engine::Engine;
use super::protocol::{Envelope, Message, Request, Storage};

/// The database file inside the OPFS pool.
const DATABASE: &str = "/strata.sqlite3";

/// The backups' own file in the same pool: apart from the database, so restoring one never
/// touches the others and a backup never contains the earlier ones.
const BACKUPS: &str = "/strata-backups.sqlite3";

/// Opens the database and answers requests until the page goes away.
pub fn run() {
    wasm_bindgen_futures::spawn_local(async {
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let engine = match open().await {
            Ok(engine) => engine,
            Err(message) => {
                send(&scope, 0, Message::Fatal { message });
                return;
            }
        };
        let engine = RefCell::new(engine);
        let reply_scope = scope.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let text = event.data().as_string().unwrap_or_default();
            match serde_json::from_str::<Envelope<Request>>(&text) {
                Ok(Envelope { id, body }) => {
                    let reply = engine.borrow_mut().handle(body);
                    send(&reply_scope, id, Message::Reply(Box::new(reply)));
                }
                Err(e) => send(
                    &reply_scope,
                    0,
                    Message::Fatal {
                        message: format!("unreadable request from the page: {e}"),
                    },
                ),
            }
        });
        scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // The handler must outlive this task; the worker lives as long as the page.
        on_message.forget();
        send(&scope, 0, Message::Booted);
    });
}

/// Opens the database in OPFS, or in memory when the browser refuses persistent storage (for
/// example when another tab already holds it), saying why in the storage it reports.
async fn open() -> Result<Engine, String> {
    let (conn, storage) = match install::<WasmOsCallback>(&OpfsSAHPoolCfg::default(), true).await {
        Ok(_pool) => (Connection::open(DATABASE), Storage::Opfs),
        Err(e) => (
            Connection::open_in_memory(),
            Storage::Memory {
                reason: format!("persistent storage is unavailable ({e})"),
            },
        ),
    };
    let persistent = storage == Storage::Opfs;
    let mut engine = conn
        .map_err(|e| e.to_string())
        .and_then(|conn| Engine::open(conn, storage))
        .map_err(|e| format!("cannot open the database: {e}"))?;
    if persistent {
        // Without the file, backups last as long as the tab, which is still useful; the
        // engine already keeps them in memory, so a failure here is not fatal.
        if let Ok(store) = Connection::open(BACKUPS) {
            let _ = engine.keep_backups_in(store);
        }
    }
    Ok(engine)
}

fn send(scope: &DedicatedWorkerGlobalScope, id: u32, body: Message) {
    let text = serde_json::to_string(&Envelope { id, body })
        .expect("replies are plain data and always serialize");
    // The page can only be gone here, and then nobody is left to tell.
    let _ = scope.post_message(&JsValue::from_str(&text));
}
