//! The dedicated worker that owns the database.
//!
//! The worker exists because OPFS sync access handles, which the sahpool VFS needs to keep the
//! database across reloads, are only available in dedicated workers. SQLite calls are
//! synchronous, so each request is answered in full before the next one is read.
//!
//! The pool of OPFS files is told apart in three ways when it does not install: held by another
//! worker (another tab, or one being torn down: its files are locked, so it is asked again for
//! a while), not offered by the browser (the database lives in memory), or damaged (its files
//! do not read: then they are read by hand, the workspace opens damaged over what they still
//! hold, and the pool is wiped and installed again only when the visitor chooses a repair).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, IteratorNext, Uint8Array};
use sqlite_wasm_rs::vfs::transfer::DbTransfer;
use sqlite_wasm_rs::vfs::VfsFilesManager;
use sqlite_wasm_rs::WasmOsCallback;
use sqlite_wasm_vfs::sahpool::{install, OpfsSAHError, OpfsSAHPoolCfg, OpfsSAHPoolUtil};
use strata_engine::rusqlite::Connection;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DedicatedWorkerGlobalScope, FileSystemDirectoryHandle, FileSystemFileHandle,
    FileSystemRemoveOptions, MessageEvent,
};

use strata_core::time::{Clock, Timestamp};
use strata_engine::workspace::pool::{self, Salvage};
use strata_engine::workspace::protocol::{Envelope, Failure, Message, Request, Storage};
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

/// The pool's directory in the origin private file system, and the folder inside it that holds
/// its files (sqlite-wasm-vfs's defaults, which `OpfsSAHPoolCfg::default()` uses).
const POOL_DIRECTORY: &str = ".opfs-sahpool";
const POOL_FILES: &str = ".opaque";

/// Why the OPFS pool did not install.
enum PoolTrouble {
    /// Another worker holds its files: their access handles are locked.
    Held(String),
    /// The browser offers no synchronous access handles here.
    Unsupported(String),
    /// Its files are there but do not read as the pool's (a damaged header, …).
    Damaged(String),
}

/// The worker's state: the workspace, and whether it was opened over a damaged pool (what is
/// wrong with it) until a repair has been moved into the pool installed afresh.
struct State {
    engine: Workspace,
    damaged_pool: Option<String>,
    /// The backup store does not exist yet and is to be created after the first answer (see
    /// `open`).
    store_later: bool,
    /// Requests that arrived while a repair wiped and installed the pool again, answered in
    /// order after it.
    waiting: Option<Vec<Envelope<Request>>>,
}

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
        let state = match open().await {
            Ok(state) => state,
            Err(message) => {
                send(&scope, 0, Message::Fatal { message });
                return;
            }
        };
        let state = Rc::new(RefCell::new(state));
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let text = event.data().as_string().unwrap_or_default();
            match serde_json::from_str::<Envelope<Request>>(&text) {
                Ok(envelope) => receive(&state, envelope),
                Err(e) => send(
                    &worker_scope(),
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

impl State {
    /// Opens the backup store if `open` left it for later (see there); after that it is a
    /// no-op.
    fn keep_backups_now(&mut self) {
        if std::mem::take(&mut self.store_later) {
            keep_backups(&mut self.engine);
        }
    }
}

/// Answers one request, or keeps it for later while a repair installs the pool again.
fn receive(state: &Rc<RefCell<State>>, envelope: Envelope<Request>) {
    let mut current = state.borrow_mut();
    if let Some(waiting) = current.waiting.as_mut() {
        waiting.push(envelope);
        return;
    }
    let Envelope { id, body } = envelope;
    if matches!(body, Request::CrashForTest) {
        panic!("a test asked the database worker to crash");
    }
    // A new backup store (see `open`) is empty, so the first Open's panels are true without
    // it; any other request may keep a backup, so it waits for the store.
    if !matches!(body, Request::Open { .. }) {
        current.keep_backups_now();
    }
    let repair = current.damaged_pool.is_some() && pool::is_repair(&body);
    let reply = current.engine.handle(body);
    if !repair || reply.outcome.is_err() || current.engine.is_damaged() {
        // Over a damaged pool a refused repair leaves the pool as it was, untouched.
        send(&worker_scope(), id, Message::Reply(Box::new(reply)));
        current.keep_backups_now();
        return;
    }
    // The repair was made in memory over the salvage; now the pool is wiped, installed again
    // and given the repaired database and the backups, before the page hears of it.
    current.waiting = Some(Vec::new());
    drop(current);
    let state = state.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let mut reply = reply;
        let fresh = reinstall().await;
        {
            let mut current = state.borrow_mut();
            let moved = fresh.and_then(|conn| {
                current
                    .engine
                    .moved_to(conn, open_backups(), Storage::Opfs)
                    .map_err(|e| format!("the browser storage could not take it ({e})"))
            });
            match moved {
                Ok(engine) => {
                    current.engine = engine;
                    current.damaged_pool = None;
                }
                Err(why) => {
                    let reason = format!("the repair was made in this tab only: {why}");
                    let storage = Storage::Memory {
                        reason: reason.clone(),
                    };
                    current.engine.set_storage(storage.clone());
                    reply.snapshot.storage = storage;
                    reply.outcome = Err(Failure::from(format!(
                        "{reason}; export the project or download the database before you leave"
                    )));
                }
            }
        }
        send(&worker_scope(), id, Message::Reply(Box::new(reply)));
        let waiting = state.borrow_mut().waiting.take().unwrap_or_default();
        for envelope in waiting {
            receive(&state, envelope);
        }
    });
}

/// The worker's global scope, which messages are posted to.
fn worker_scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
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
/// A pool whose files do not read opens damaged over what they still hold (the engine's
/// `pool.rs`), and the state keeps the problem so that a repair, once made, is moved into the
/// pool installed again. On a first visit (a pool without a database) the demo's image is put
/// in place first; the backup store, if it does not exist yet, is left for later: creating it
/// (a transaction synced to OPFS) waits until the page has had its first answer.
async fn open() -> Result<State, String> {
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
        Err(PoolTrouble::Damaged(error)) => {
            let salvage = match pool_files().await {
                Ok(files) => pool::salvage(&files, DATABASE, BACKUPS),
                Err(_) => Salvage::default(),
            };
            let problem = pool::problem(&error, &salvage);
            let mut engine = Workspace::salvaged(
                &salvage,
                Storage::Opfs,
                Rc::new(BrowserClock),
                problem.clone(),
            )
            .map_err(|e| format!("cannot open the database: {e}"))?;
            engine.set_stopwatch(js_sys::Date::now);
            mark("strata-worker:opened");
            // The salvaged backups are kept in memory until a repair moves them into the
            // pool's new backup file, so there is no store to open later.
            return Ok(State {
                engine,
                damaged_pool: Some(problem),
                store_later: false,
                waiting: None,
            });
        }
        Err(PoolTrouble::Held(e) | PoolTrouble::Unsupported(e)) => (
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
    Ok(State {
        engine,
        damaged_pool: None,
        store_later: persistent && !store_exists,
        waiting: None,
    })
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
/// the database opens empty and the workspace seeds the demo itself, as before. A pool that a
/// repair wiped and installed again does not get it: the repaired database is moved into its
/// new file instead.
fn start_from_demo(pool: &OpfsSAHPoolUtil) {
    if matches!(pool.contains(DATABASE), Ok(false)) {
        let _ = pool.import_db(DATABASE, DEMO_IMAGE);
    }
    mark("strata-worker:demo");
}

/// The backup store's file in the pool; an in-memory one if it cannot be opened (the backups
/// then last as long as the tab).
fn open_backups() -> Connection {
    Connection::open(BACKUPS)
        .or_else(|_| Connection::open_in_memory())
        .expect("SQLite opens an in-memory database")
}

/// Wipes a damaged pool (every one of its files: what they held was salvaged when the worker
/// opened, and the visitor's repair has been made from it) and installs it again, empty;
/// returns the connection to its new database file.
async fn reinstall() -> Result<Connection, String> {
    let directory = pool_directory()
        .await
        .map_err(|e| format!("the browser storage cannot be reached ({e})"))?;
    let options = FileSystemRemoveOptions::new();
    options.set_recursive(true);
    JsFuture::from(directory.remove_entry_with_options(POOL_FILES, &options))
        .await
        .map_err(|e| {
            format!(
                "the browser storage's damaged files cannot be removed ({})",
                js_text(&e)
            )
        })?;
    install::<WasmOsCallback>(&OpfsSAHPoolCfg::default(), true)
        .await
        .map_err(|e| format!("the browser storage cannot be started again ({e})"))?;
    Connection::open(DATABASE).map_err(|e| e.to_string())
}

/// The pool's directory in the origin private file system.
async fn pool_directory() -> Result<FileSystemDirectoryHandle, String> {
    let storage = worker_scope().navigator().storage();
    let root: FileSystemDirectoryHandle = JsFuture::from(storage.get_directory())
        .await
        .map_err(|e| js_text(&e))?
        .unchecked_into();
    Ok(JsFuture::from(root.get_directory_handle(POOL_DIRECTORY))
        .await
        .map_err(|e| js_text(&e))?
        .unchecked_into())
}

/// Every file of the pool, header and all, read without the pool (which did not install).
async fn pool_files() -> Result<Vec<Vec<u8>>, String> {
    let files: FileSystemDirectoryHandle =
        JsFuture::from(pool_directory().await?.get_directory_handle(POOL_FILES))
            .await
            .map_err(|e| js_text(&e))?
            .unchecked_into();
    let entries = files.entries();
    let mut read = Vec::new();
    loop {
        let next: IteratorNext = JsFuture::from(entries.next().map_err(|e| js_text(&e))?)
            .await
            .map_err(|e| js_text(&e))?
            .unchecked_into();
        if next.done() {
            return Ok(read);
        }
        let handle = Array::from(&next.value()).get(1);
        let kind = js_sys::Reflect::get(&handle, &"kind".into())
            .ok()
            .and_then(|k| k.as_string());
        if kind.as_deref() != Some("file") {
            continue;
        }
        let handle: FileSystemFileHandle = handle.unchecked_into();
        let file: web_sys::File = JsFuture::from(handle.get_file())
            .await
            .map_err(|e| js_text(&e))?
            .unchecked_into();
        let buffer = JsFuture::from(file.array_buffer())
            .await
            .map_err(|e| js_text(&e))?;
        read.push(Uint8Array::new(&buffer).to_vec());
    }
}

/// A JavaScript error's name and message.
fn js_text(value: &JsValue) -> String {
    let property = |name: &str| {
        js_sys::Reflect::get(value, &name.into())
            .ok()
            .and_then(|v| v.as_string())
    };
    match (property("name"), property("message")) {
        (Some(name), Some(message)) => format!("{name}: {message}"),
        (_, Some(message)) => message,
        _ => format!("{value:?}"),
    }
}

/// Installs the OPFS pool, asking again for a while when another worker holds it: the files'
/// access handles are released only when the worker that held them is gone, and a worker that
/// was just terminated (a crash, a cancel, the page before a reload) may not be gone yet. Giving
/// up at once would open an empty database in memory and tell the visitor their work is not
/// saved. A pool that fails in any other way is not asked again: waiting would not mend it.
async fn install_patiently() -> Result<OpfsSAHPoolUtil, PoolTrouble> {
    let mut waited = 0;
    let mut pause = 50;
    loop {
        let error = match install::<WasmOsCallback>(&OpfsSAHPoolCfg::default(), true).await {
            Ok(pool) => return Ok(pool),
            Err(e) => e,
        };
        match trouble(&error) {
            PoolTrouble::Held(e) if waited >= OPFS_PATIENCE_MS => {
                return Err(PoolTrouble::Held(format!(
                    "{e}; after {} s of waiting, another tab of the playground probably holds the saved database",
                    waited / 1000
                )))
            }
            PoolTrouble::Held(_) => {
                sleep(pause).await;
                waited += pause;
                pause = (pause * 2).min(500);
            }
            other => return Err(other),
        }
    }
}

/// Sorts a failed install: a file whose access handle another worker holds (the browser's
/// `NoModificationAllowedError`) or a pool busy with another install is held; a browser without
/// OPFS access handles is unsupported; anything else (a header that does not read, two files
/// of one name, a read that comes back short) is damage.
fn trouble(error: &OpfsSAHError) -> PoolTrouble {
    let text = error.to_string();
    match error {
        OpfsSAHError::Opfs { value, .. }
            if js_sys::Reflect::get(value, &"name".into())
                .ok()
                .and_then(|name| name.as_string())
                .as_deref()
                == Some("NoModificationAllowedError") =>
        {
            PoolTrouble::Held(text)
        }
        OpfsSAHError::Busy => PoolTrouble::Held(text),
        OpfsSAHError::NotSupported => PoolTrouble::Unsupported(text),
        _ => PoolTrouble::Damaged(text),
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
