//! The dedicated worker that owns the database.
//!
//! The worker exists because OPFS sync access handles, which the sahpool VFS needs to keep the
//! database across reloads, are only available in dedicated workers. SQLite calls are
//! synchronous, so each request is answered in full before the next one is read.

use std::cell::RefCell;
use std::rc::Rc;

use sqlite_wasm_rs::vfs::transfer::DbTransfer;
use sqlite_wasm_rs::vfs::VfsFilesManager;
use sqlite_wasm_rs::WasmOsCallback;
use sqlite_wasm_vfs::sahpool::{install, OpfsSAHPoolCfg, OpfsSAHPoolUtil};
use strata_engine::rusqlite::Connection;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use strata_core::time::{Clock, Timestamp};
use strata_engine::workspace::protocol::{Envelope, Message, Request, Storage};
use strata_engine::workspace::Workspace;

/// The database file inside the OPFS pool.
const DATABASE: &str = "/strata.sqlite3";

/// The demo's database as a first visit seeds it, built natively when the playground was built
/// (web/build.rs, strata-engine's `demo_image`).
const DEMO_IMAGE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/demo.sqlite3"));

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
    mark("strata-worker:started");
    wasm_bindgen_futures::spawn_local(async {
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let (engine, store_later) = match open().await {
            Ok(opened) => opened,
            Err(message) => {
                send(&scope, 0, Message::Fatal { message });
                return;
            }
        };
        let engine = RefCell::new(engine);
        let store_later = std::cell::Cell::new(store_later);
        let reply_scope = scope.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let text = event.data().as_string().unwrap_or_default();
            match serde_json::from_str::<Envelope<Request>>(&text) {
                Ok(Envelope {
                    body: Request::CrashForTest,
                    ..
                }) => panic!("a test asked the database worker to crash"),
                Ok(Envelope { id, body }) => {
                    // A new backup store (see `open`) is empty, so the first Open's panels
                    // are true without it; any other request may keep a backup, so it waits.
                    if !matches!(body, Request::Open { .. }) && store_later.replace(false) {
                        keep_backups(&mut engine.borrow_mut());
                    }
                    let reply = engine.borrow_mut().handle(body);
                    send(&reply_scope, id, Message::Reply(Box::new(reply)));
                    if store_later.replace(false) {
                        keep_backups(&mut engine.borrow_mut());
                    }
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
        mark("strata-worker:booted");
        send(&scope, 0, Message::Booted);
    });
}

/// Leaves a named point on the worker's performance timeline (its own, which starts when the
/// worker does), so its start-up can be taken apart in the browser's tools and the tests.
fn mark(name: &str) {
    let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    if let Some(performance) = scope.performance() {
        let _ = performance.mark(name);
    }
}

/// Opens the database in OPFS, or in memory when the browser refuses persistent storage (for
/// example when another tab already holds it), saying why in the storage it reports. A database
/// that does not read opens damaged, with its repairs (the engine's `damaged.rs`); so does one
/// that stopped the previous worker while it opened it, which the page says by starting this
/// worker with `strataRescue` set to what went wrong: this worker then reads nothing from it.
/// The second value says the backup store is still to be opened: on a first visit it does not
/// exist yet, and creating it (a transaction synced to OPFS) waits until the page has had its
/// first answer.
async fn open() -> Result<(Workspace, bool), String> {
    let scope = js_sys::global();
    let flag = |name: &str| js_sys::Reflect::get(&scope, &name.into()).ok();
    let rescue = flag("strataRescue").and_then(|v| v.as_string());
    let installed = install_patiently().await;
    mark("strata-worker:storage");
    let mut store_exists = false;
    let (conn, storage) = match installed {
        Ok(pool) => {
            start_from_demo(&pool);
            store_exists = !matches!(pool.contains(BACKUPS), Ok(false));
            (Connection::open(DATABASE), Storage::Opfs)
        }
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
    mark("strata-worker:opened");
    if persistent && store_exists {
        keep_backups(&mut engine);
    }
    Ok((engine, persistent && !store_exists))
}

/// Keeps backups in their own OPFS file from now on. Without the file, backups last as long
/// as the tab, which is still useful; the engine already keeps them in memory, so a failure
/// here is not fatal.
fn keep_backups(engine: &mut Workspace) {
    if let Ok(store) = Connection::open(BACKUPS) {
        let _ = engine.keep_backups_in(store);
    }
}

/// On a first visit (the pool holds no database yet) puts the demo's database file in place.
/// The pool publishes an imported file under its name only once all of it is written, so a
/// visit cut short leaves no database rather than part of one. Writing the finished file once
/// costs a few milliseconds, where building the demo in OPFS (a transaction per revision, each
/// synced to disk) took 100-250 ms before the page could show anything. If the import fails,
/// the database opens empty and the workspace seeds the demo itself, as before.
fn start_from_demo(pool: &OpfsSAHPoolUtil) {
    if matches!(pool.contains(DATABASE), Ok(false)) {
        let _ = pool.import_db(DATABASE, DEMO_IMAGE);
    }
    mark("strata-worker:demo");
}

/// Installs the OPFS pool, asking again for a while when it is refused: the files' access
/// handles are released only when the worker that held them is gone, and a worker that was just
/// terminated (a crash, a cancel, the page before a reload) may not be gone yet. Giving up at
/// once would open an empty database in memory and tell the visitor their work is not saved.
async fn install_patiently() -> Result<OpfsSAHPoolUtil, String> {
    let mut waited = 0;
    let mut pause = 50;
    loop {
        match install::<WasmOsCallback>(&OpfsSAHPoolCfg::default(), true).await {
            Ok(pool) => return Ok(pool),
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
