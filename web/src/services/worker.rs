//! The dedicated worker that owns the database.
//!
//! The worker exists because OPFS sync access handles, which the sahpool VFS needs to keep the
//! database across reloads, are only available in dedicated workers. SQLite calls are
//! synchronous, so each request is answered in full before the next one is read.

use std::cell::RefCell;
use std::rc::Rc;

use sqlite_wasm_rs::WasmOsCallback;
use sqlite_wasm_vfs::sahpool::{install, OpfsSAHPoolCfg};
use strata_engine::rusqlite::Connection;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use strata_core::time::{Clock, Timestamp};
use strata_engine::workspace::protocol::{Envelope, Message, Request, Storage};
use strata_engine::workspace::Workspace;

/// The database file inside the OPFS pool.
const DATABASE: &str = "/strata.sqlite3";

/// The backups' own file in the same pool: apart from the database, so restoring one never
/// touches the others and a backup never contains the earlier ones.
const BACKUPS: &str = "/strata-backups.sqlite3";

/// How long the worker keeps asking for the saved database while another worker still holds
/// it (a crashed or cancelled one being torn down, or the previous page of a reload), before it
/// says so and works in memory.
const OPFS_PATIENCE_MS: i32 = 6_000;

/// Opens the database and answers requests until the page goes away.
pub fn run() {
    // A panic traps the module right after this hook; the page hears the trap as an error and
    // restarts the worker, and these last words tell it what went wrong.
    std::panic::set_hook(Box::new(|info| {
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        send(
            &scope,
            0,
            Message::Panicked {
                message: info.to_string(),
            },
        );
    }));
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
                Ok(Envelope {
                    body: Request::CrashForTest,
                    ..
                }) => panic!("a test asked the database worker to crash"),
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
/// example when another tab already holds it), saying why in the storage it reports. A database
/// that does not read opens damaged, with its repairs (the engine's `damaged.rs`); so does one
/// that stopped the previous worker while it opened it, which the page says by starting this
/// worker with `strataRescue` set to what went wrong: this worker then reads nothing from it.
async fn open() -> Result<Workspace, String> {
    let scope = js_sys::global();
    let flag = |name: &str| js_sys::Reflect::get(&scope, &name.into()).ok();
    let rescue = flag("strataRescue").and_then(|v| v.as_string());
    let (conn, storage) = match install_patiently().await {
        Ok(()) => (Connection::open(DATABASE), Storage::Opfs),
        Err(e) => (
            Connection::open_in_memory(),
            Storage::Memory {
                reason: format!("persistent storage is unavailable ({e})"),
            },
        ),
    };
    let persistent = storage == Storage::Opfs;
    if flag("strataPanicOnOpen").is_some_and(|v| v.is_truthy()) && rescue.is_none() {
        // Only with `?test-hooks=panic-on-open`: the browser tests' stand-in for a bug that
        // stops the worker while it reads the saved database.
        panic!("a test asked the database worker to panic while it opened the database");
    }
    let mut engine = conn
        .map_err(|e| e.to_string())
        .and_then(|conn| match rescue {
            Some(problem) => Workspace::rescue(conn, storage, Rc::new(BrowserClock), problem),
            None => Workspace::with_clock(conn, storage, Rc::new(BrowserClock)),
        })
        .map_err(|e| format!("cannot open the database: {e}"))?;
    // Work a link or an import starts is stopped when it runs too long; SQLite asks this clock.
    engine.set_stopwatch(js_sys::Date::now);
    if persistent {
        // Without the file, backups last as long as the tab, which is still useful; the
        // engine already keeps them in memory, so a failure here is not fatal.
        if let Ok(store) = Connection::open(BACKUPS) {
            let _ = engine.keep_backups_in(store);
        }
    }
    Ok(engine)
}

/// Installs the OPFS pool, asking again for a while when it is refused: the files' access
/// handles are released only when the worker that held them is gone, and a worker that was just
/// terminated (a crash, a cancel, the page before a reload) may not be gone yet. Giving up at
/// once would open an empty database in memory and tell the visitor their work is not saved.
async fn install_patiently() -> Result<(), String> {
    let mut waited = 0;
    let mut pause = 50;
    loop {
        match install::<WasmOsCallback>(&OpfsSAHPoolCfg::default(), true).await {
            Ok(_pool) => return Ok(()),
            Err(e) if waited >= OPFS_PATIENCE_MS => {
                return Err(format!(
                    "{e}; after {} s of waiting, another tab of the playground probably holds the saved database",
                    waited / 1000
                ))
            }
            Err(_) => {
                sleep(pause).await;
                waited += pause;
                pause = (pause * 2).min(500);
            }
        }
    }
}

/// Waits `millis` on the worker's event loop.
async fn sleep(millis: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let _ = scope.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, millis);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

fn send(scope: &DedicatedWorkerGlobalScope, id: u32, body: Message) {
    let text = serde_json::to_string(&Envelope { id, body })
        .expect("replies are plain data and always serialize");
    // The page can only be gone here, and then nobody is left to tell.
    let _ = scope.post_message(&JsValue::from_str(&text));
}

/// The browser's clock: wall time from `Date`, durations from the worker's `performance`.
struct BrowserClock;

impl Clock for BrowserClock {
    fn now(&self) -> Timestamp {
        Timestamp(js_sys::Date::now() as i64)
    }

    fn millis(&self) -> f64 {
        js_sys::global()
            .unchecked_into::<web_sys::WorkerGlobalScope>()
            .performance()
            .map_or_else(js_sys::Date::now, |p| p.now())
    }
}
