//! The page's handle on the database worker: it starts the worker, carries requests to it, and
//! restarts it when it dies.
//!
//! A worker that dies after it opened the database (a panic traps the wasm module, which then
//! cannot be trusted with another request) is replaced by a fresh one that opens the database
//! again, as it was last committed, and reads it once more for the page; the page is told with
//! [`Message::Restarted`], so it shows an error instead of waiting for replies that will never
//! come. A worker that keeps dying restarts only a few times; then the page says so for good.
//! One that panics while it opens the database is followed by a rescue worker, which opens it
//! without reading it, so the page can offer the repairs (the engine's `damaged.rs`) instead of
//! a dead screen. Cancel ([`DbClient::cancel`]) stops long work the same way: the busy worker
//! is terminated and a new one opens the database, whose unfinished transaction SQLite rolls
//! back.
//!
//! The worker runs a module of its own (`strata-worker`, which carries SQLite and the engine),
//! so the page can draw before it has arrived. The page compiles that module once, streaming
//! it as it downloads (index.html's script starts the download: on a first visit once the
//! page's own module has arrived, on a later one at once), and hands the compiled
//! `WebAssembly.Module` to each worker it starts, so a restarted worker neither downloads nor
//! compiles anything again.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, MessageEvent, Url, Worker, WorkerOptions, WorkerType};
use yew::Callback;

use super::protocol::{Envelope, Message, Request};

/// The worker module's wasm-bindgen glue and the module, as Trunk names them in dist/ (worker
/// outputs are named after the binary, without a content hash).
const WORKER_GLUE: &str = "strata-worker.js";
const WORKER_WASM: &str = "strata-worker_bg.wasm";

/// The worker's first script. It starts loading the glue (`GLUE`, written in when the script is
/// made) at once, waits for the compiled module from the page, and instantiates it; the
/// module's `main` then opens the database.
const BOOTSTRAP: &str = r#"
const glue = import(GLUE);
glue.catch(() => {});
self.onmessage = async ({ data }) => {
  self.onmessage = null;
  self.strataRescue = data.rescue;
  self.strataPanicOnOpen = data.panicOnOpen;
  self.strataReinstallFails = data.reinstallFails;
  try {
    await (await glue).default({ module_or_path: data.module });
  } catch (e) {
    self.postMessage(JSON.stringify({ id: 0, body: { Fatal: { message: "the database worker did not start: " + e } } }));
  }
};
"#;

#[wasm_bindgen]
extern "C" {
    // The page glue's own URL, read at run time: the worker's files sit beside it, and the
    // hashed file name Trunk gives the page's glue never has to be known in advance.
    #[wasm_bindgen(thread_local_v2, js_namespace = ["import", "meta"], js_name = url)]
    static GLUE_URL: String;
}

/// A function the worker's events call.
type Handler = Closure<dyn FnMut(JsValue)>;

/// At most this many restarts within [`RESTART_WINDOW_MS`]; a worker that dies more often than
/// that dies of something a restart does not mend.
const MAX_RESTARTS: usize = 3;
const RESTART_WINDOW_MS: f64 = 60_000.0;

/// A running database worker. Cloning shares the same worker.
#[derive(Clone)]
pub struct DbClient {
    shared: Rc<Shared>,
}

struct Shared {
    worker: RefCell<Worker>,
    /// Requests wait here until the worker has opened the database and says so.
    queue: RefCell<Vec<String>>,
    booted: Cell<bool>,
    next_id: Cell<u32>,
    /// Kept alive for as long as the worker may call them.
    handlers: RefCell<Vec<Handler>>,
    /// Where the worker's messages go, and the restart notices.
    on_message: Callback<Message>,
    /// The first `Open` the page sent: a restarted worker is asked it again, so the page's
    /// panels are filled from the database as it is after the restart.
    open: RefCell<Option<String>>,
    /// What the worker said about its panic, if it said anything before it died.
    last_words: RefCell<Option<String>>,
    /// When the recent restarts happened (milliseconds on the page's clock).
    restarts: RefCell<Vec<f64>>,
    /// The worker's compiled module, once it has arrived; every worker started is handed it.
    module: RefCell<Option<JsValue>>,
    /// Why the next worker is started to rescue the database (the previous one stopped while
    /// it opened it), if it is: it opens the database without reading it.
    rescue: RefCell<Option<String>>,
    /// Whether a worker has been started yet: the test hook that makes a worker panic while it
    /// opens the database applies to the first one only.
    started: Cell<bool>,
}

impl PartialEq for DbClient {
    fn eq(&self, other: &DbClient) -> bool {
        Rc::ptr_eq(&self.shared, &other.shared)
    }
}

impl DbClient {
    /// Starts the worker; every message it sends back is passed to `on_message`.
    pub fn spawn(on_message: Callback<Message>) -> Result<DbClient, String> {
        mark("strata:spawn");
        let worker =
            start_worker().map_err(|e| format!("cannot start the database worker: {e:?}"))?;
        let shared = Rc::new(Shared {
            worker: RefCell::new(worker),
            queue: RefCell::default(),
            booted: Cell::new(false),
            next_id: Cell::new(1),
            handlers: RefCell::default(),
            on_message,
            open: RefCell::default(),
            last_words: RefCell::default(),
            restarts: RefCell::default(),
            module: RefCell::default(),
            rescue: RefCell::default(),
            started: Cell::new(false),
        });

        let weak = Rc::downgrade(&shared);
        let message = Handler::new(move |event: JsValue| {
            let Some(shared) = weak.upgrade() else { return };
            let event: MessageEvent = event.unchecked_into();
            let text = event.data().as_string().unwrap_or_default();
            let message = match serde_json::from_str::<Envelope<Message>>(&text) {
                Ok(envelope) => envelope.body,
                Err(e) => Message::Fatal {
                    message: format!("unreadable reply from the worker: {e}"),
                },
            };
            mark(match &message {
                Message::Booted => "strata:booted",
                _ => "strata:reply",
            });
            match &message {
                Message::Booted => {
                    shared.booted.set(true);
                    for request in shared.queue.take() {
                        post(&shared.worker.borrow(), &request);
                    }
                }
                // The worker's panic hook speaks just before the module traps; the trap
                // itself arrives as an error event, which restarts the worker.
                Message::Panicked { message } => {
                    *shared.last_words.borrow_mut() = Some(message.clone());
                    return;
                }
                _ => {}
            }
            shared.on_message.emit(message);
        });
        let weak = Rc::downgrade(&shared);
        let error = Handler::new(move |event: JsValue| {
            let Some(shared) = weak.upgrade() else { return };
            let detail = js_sys::Reflect::get(&event, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_else(|| "unknown error".to_owned());
            let last_words = shared.last_words.take();
            let panicked = last_words.is_some();
            let detail = last_words.unwrap_or(detail);
            restart_or_give_up(&shared, &detail, panicked);
        });
        shared.handlers.borrow_mut().extend([message, error]);
        attach(&shared)?;
        // The worker has started loading its glue meanwhile; it gets its module when the
        // download (begun by index.html's script, or by `compile_worker_module`) is compiled.
        let weak = Rc::downgrade(&shared);
        wasm_bindgen_futures::spawn_local(async move {
            let module = compile_worker_module().await;
            let Some(shared) = weak.upgrade() else { return };
            match module {
                Ok(module) => {
                    mark("strata:worker-module");
                    *shared.module.borrow_mut() = Some(module);
                    if let Err(e) = hand_module(&shared) {
                        shared.on_message.emit(Message::Fatal { message: e });
                    }
                }
                Err(e) => shared.on_message.emit(Message::Fatal {
                    message: format!(
                        "the database worker's module could not be loaded ({}); reload the page to try again",
                        describe(&e)
                    ),
                }),
            }
        });
        Ok(DbClient { shared })
    }

    /// Sends a request; its reply arrives through the callback given to [`DbClient::spawn`].
    pub fn send(&self, request: Request) {
        let id = self.shared.next_id.get();
        self.shared.next_id.set(id.wrapping_add(1));
        let opens = matches!(request, Request::Open { .. });
        let text = serde_json::to_string(&Envelope { id, body: request })
            .expect("requests are plain data and always serialize");
        if opens && self.shared.open.borrow().is_none() {
            *self.shared.open.borrow_mut() = Some(text.clone());
        }
        if self.shared.booted.get() {
            post(&self.shared.worker.borrow(), &text);
        } else {
            self.shared.queue.borrow_mut().push(text);
        }
    }
}

impl DbClient {
    /// Stops what the worker is doing: the busy worker is terminated (SQLite offers no way to
    /// reach into it while it runs a statement, and without cross-origin isolation there is no
    /// shared memory to signal it through), and a new one opens the database as last committed;
    /// SQLite rolls back the transaction the old one left unfinished. The page is told with
    /// [`Message::Cancelled`]. A cancel is the visitor's choice, so it does not count as one of
    /// the restarts that end in giving up.
    pub fn cancel(&self) {
        let shared = &self.shared;
        shared.booted.set(false);
        shared.last_words.take();
        shared.worker.borrow().terminate();
        match start_worker() {
            Ok(worker) => *shared.worker.borrow_mut() = worker,
            Err(e) => {
                shared.on_message.emit(Message::Fatal {
                    message: format!("the work was stopped, but a new database worker could not be started: {e:?}; reload the page"),
                });
                return;
            }
        }
        shared
            .queue
            .replace(shared.open.borrow().iter().cloned().collect());
        shared.on_message.emit(Message::Cancelled {
            message: "Cancelled: the work was stopped before it finished, and what it had not committed was rolled back; the panels show the database as it is now".to_owned(),
        });
        if let Err(e) = attach(shared) {
            shared.on_message.emit(Message::Fatal {
                message: format!(
                    "the work was stopped, but a new database worker could not be started: {e}; reload the page"
                ),
            });
        }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        self.worker.borrow().terminate();
    }
}

/// Gives the current worker its handlers, and its module if that has arrived already (a
/// restart); the first worker is handed it when the compile finishes.
fn attach(shared: &Shared) -> Result<(), String> {
    {
        let worker = shared.worker.borrow();
        let handlers = shared.handlers.borrow();
        worker.set_onmessage(Some(handlers[0].as_ref().unchecked_ref()));
        worker.set_onerror(Some(handlers[1].as_ref().unchecked_ref()));
    }
    hand_module(shared)
}

/// Sends the compiled module to the current worker, which instantiates it, with what this
/// worker is started for (a rescue, a test hook); nothing happens while the module is still on
/// its way.
fn hand_module(shared: &Shared) -> Result<(), String> {
    let module = shared.module.borrow();
    let Some(module) = module.as_ref() else {
        return Ok(());
    };
    let init = js_sys::Object::new();
    let set = |key: &str, value: &JsValue| {
        js_sys::Reflect::set(&init, &key.into(), value)
            .map(drop)
            .map_err(|e| format!("{e:?}"))
    };
    set("module", module)?;
    // A rescue is for one worker: if a later one dies while opening, it is rescued again,
    // within the restart limit.
    if let Some(problem) = shared.rescue.take() {
        set("rescue", &problem.into())?;
    }
    if !shared.started.replace(true) && test_hook("panic-on-open") {
        set("panicOnOpen", &true.into())?;
    }
    if test_hook("reinstall-fails") {
        set("reinstallFails", &true.into())?;
    }
    shared
        .worker
        .borrow()
        .post_message(&init)
        .map_err(|e| format!("cannot reach the database worker: {}", describe(&e)))
}

/// The address of a file of the build, which sits beside the page's glue.
fn beside_glue(name: &str) -> Result<String, JsValue> {
    let glue = GLUE_URL.with(String::clone);
    Ok(Url::new_with_base(name, &glue)?.href())
}

/// Downloads and compiles the worker's module, compiling while the bytes stream in. A server
/// that does not say `application/wasm` defeats streaming; then the whole file is compiled
/// once it has arrived, as wasm-bindgen's own loader does.
async fn compile_worker_module() -> Result<JsValue, JsValue> {
    use js_sys::WebAssembly;
    use wasm_bindgen_futures::JsFuture;

    let url = beside_glue(WORKER_WASM)?;
    let window = web_sys::window().ok_or("the page has no window")?;
    // index.html starts this fetch once the page's own module has arrived; if the page gets
    // here first, it starts it and leaves it where index.html's script looks, so the module is
    // never downloaded twice.
    let key = JsValue::from_str("strataWorkerFetch");
    let started = js_sys::Reflect::get(&window, &key)
        .ok()
        .and_then(|fetch| fetch.dyn_into::<js_sys::Promise>().ok());
    let fetch = match started {
        Some(fetch) => fetch,
        None => {
            let fetch = window.fetch_with_str(&url);
            js_sys::Reflect::set(&window, &key, &fetch)?;
            fetch
        }
    };
    let streamed = WebAssembly::compile_streaming(&fetch);
    match JsFuture::from(streamed).await {
        Ok(module) => Ok(module),
        Err(_) => {
            let response: web_sys::Response = JsFuture::from(window.fetch_with_str(&url))
                .await?
                .dyn_into()?;
            if !response.ok() {
                return Err(format!("{url} answered {}", response.status()).into());
            }
            let bytes = JsFuture::from(response.array_buffer()?).await?;
            JsFuture::from(WebAssembly::compile(&bytes)).await
        }
    }
}

/// A JavaScript error as one readable line.
fn describe(error: &JsValue) -> String {
    error
        .as_string()
        .or_else(|| {
            error
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{error:?}"))
}

/// The worker died. One that had opened the database is replaced by a fresh one, which opens it
/// again as last committed and is asked the page's `Open` again; one that died before it ever
/// opened the database (or dies again and again) is not, since a restart would only repeat it.
fn restart_or_give_up(shared: &Shared, detail: &str, panicked: bool) {
    let now = js_sys::Date::now();
    let recent = {
        let mut restarts = shared.restarts.borrow_mut();
        restarts.retain(|t| now - t < RESTART_WINDOW_MS);
        restarts.push(now);
        restarts.len()
    };
    let was_open = shared.booted.replace(false);
    shared.worker.borrow().terminate();
    // A worker that panicked while it opened the database may have been stopped by what the
    // database holds; the next one opens it without reading it, so the page can offer the
    // repairs (download, restore, Reset) instead of ending in a dead screen. A rescue worker
    // that dies too is given up on.
    if !was_open && panicked && recent <= MAX_RESTARTS {
        *shared.rescue.borrow_mut() = Some(format!(
            "the database worker stopped while it opened it: {detail}"
        ));
        // Only the page's `Open` goes to the rescue worker: a share link's project waiting in
        // the queue would replace the database before the visitor chose what to do with it.
        shared
            .queue
            .replace(shared.open.borrow().iter().cloned().collect());
        match start_worker() {
            Ok(worker) => *shared.worker.borrow_mut() = worker,
            Err(e) => {
                shared.on_message.emit(Message::Fatal {
                    message: format!("the database worker stopped ({detail}) and a new one could not be started: {e:?}"),
                });
                return;
            }
        }
        if let Err(e) = attach(shared) {
            shared.on_message.emit(Message::Fatal {
                message: format!("the database worker stopped ({detail}) and a new one could not be started: {e}"),
            });
        }
        return;
    }
    if !was_open || recent > MAX_RESTARTS {
        let why = if was_open {
            "it failed again each time it was restarted"
        } else {
            "it failed before it opened the database"
        };
        shared.on_message.emit(Message::Fatal {
            message: format!(
                "the database worker stopped ({detail}) and {why}; reload the page to try again"
            ),
        });
        return;
    }
    match start_worker() {
        Ok(worker) => *shared.worker.borrow_mut() = worker,
        Err(e) => {
            shared.on_message.emit(Message::Fatal {
                message: format!("the database worker stopped ({detail}) and a new one could not be started: {e:?}"),
            });
            return;
        }
    }
    // Requests that were in flight die with the old worker; the page is told to stop waiting
    // for them. The only one sent again is `Open`, which reads the database for the panels.
    shared
        .queue
        .replace(shared.open.borrow().iter().cloned().collect());
    shared.on_message.emit(Message::Restarted {
        message: format!(
            "the database worker crashed ({detail}) and was restarted on the database as it was last saved; what was running may not have been done, so check the panels, which show the database as it is now"
        ),
    });
    if let Err(e) = attach(shared) {
        shared.on_message.emit(Message::Fatal {
            message: format!(
                "the database worker stopped ({detail}) and a new one could not be started: {e}"
            ),
        });
    }
}

/// Whether the page was opened with `?test-hooks=NAME` (among other hooks).
fn test_hook(name: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|search| {
            search
                .trim_start_matches('?')
                .split('&')
                .filter_map(|pair| pair.strip_prefix("test-hooks="))
                .any(|hooks| hooks.split(',').any(|hook| hook == name))
        })
}

/// Leaves a named point on the page's performance timeline, so start-up can be taken apart in
/// the browser's tools and in the tests (`performance.getEntriesByName`).
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

fn post(worker: &Worker, text: &str) {
    // A worker that has died reports through `onerror`, so a failed post needs no second report.
    let _ = worker.post_message(&JsValue::from_str(text));
}

fn start_worker() -> Result<Worker, JsValue> {
    let options = BlobPropertyBag::new();
    options.set_type("text/javascript");
    // A blob's script has no base to resolve a relative address against, so the glue's address
    // is written in whole, as a JSON string (which JavaScript reads as a string literal).
    let glue =
        serde_json::to_string(&beside_glue(WORKER_GLUE)?).expect("a string always serializes");
    let script = BOOTSTRAP.replacen("GLUE", &glue, 1);
    let parts = js_sys::Array::of1(&JsValue::from_str(&script));
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = Url::create_object_url_with_blob(&blob)?;
    let worker_options = WorkerOptions::new();
    worker_options.set_type(WorkerType::Module);
    worker_options.set_name("strata-db");
    let worker = Worker::new_with_options(&url, &worker_options);
    Url::revoke_object_url(&url)?;
    worker
}
