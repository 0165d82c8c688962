//! The page's handle on the database worker: it starts the worker and carries requests to it.
//!
//! The worker runs the same wasm module as the page. The page hands it the compiled
//! `WebAssembly.Module` and the URL of the wasm-bindgen glue, so the browser neither downloads
//! nor compiles the module twice, and no second bundle has to be built.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, MessageEvent, Url, Worker, WorkerOptions, WorkerType};
use yew::Callback;

use super::protocol::{Envelope, Message, Request};

/// The worker's first script: it loads the glue, instantiates the module it was sent and lets
/// the module's `main` see that it runs in a worker.
const BOOTSTRAP: &str = r#"
self.onmessage = async ({ data }) => {
  self.onmessage = null;
  try {
    const glue = await import(data.glue);
    await glue.default({ module_or_path: data.module });
  } catch (e) {
    self.postMessage(JSON.stringify({ id: 0, body: { Fatal: { message: "the database worker did not start: " + e } } }));
  }
};
"#;

#[wasm_bindgen]
extern "C" {
    // The glue module's own URL, read at run time, so the hashed file name Trunk gives the
    // glue never has to be known in advance.
    #[wasm_bindgen(thread_local_v2, js_namespace = ["import", "meta"], js_name = url)]
    static GLUE_URL: String;
}

/// A function the worker's events call.
type Handler = Closure<dyn FnMut(JsValue)>;

/// A running database worker. Cloning shares the same worker.
#[derive(Clone)]
pub struct DbClient {
    shared: Rc<Shared>,
}

struct Shared {
    worker: Worker,
    /// Requests wait here until the worker has opened the database and says so.
    queue: RefCell<Vec<String>>,
    booted: Cell<bool>,
    next_id: Cell<u32>,
    /// Kept alive for as long as the worker may call them.
    handlers: RefCell<Vec<Handler>>,
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
            worker,
            queue: RefCell::default(),
            booted: Cell::new(false),
            next_id: Cell::new(1),
            handlers: RefCell::default(),
        });

        let weak = Rc::downgrade(&shared);
        let on_reply = on_message.clone();
        let message = Handler::new(move |event: JsValue| {
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
            if message == Message::Booted {
                if let Some(shared) = weak.upgrade() {
                    shared.booted.set(true);
                    for request in shared.queue.take() {
                        post(&shared.worker, &request);
                    }
                }
            }
            on_reply.emit(message);
        });
        let error = Handler::new(move |event: JsValue| {
            let detail = js_sys::Reflect::get(&event, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_else(|| "unknown error".to_owned());
            on_message.emit(Message::Fatal {
                message: format!("the database worker failed: {detail}"),
            });
        });
        shared
            .worker
            .set_onmessage(Some(message.as_ref().unchecked_ref()));
        shared
            .worker
            .set_onerror(Some(error.as_ref().unchecked_ref()));
        shared.handlers.borrow_mut().extend([message, error]);

        let init = js_sys::Object::new();
        let glue = GLUE_URL.with(String::clone);
        js_sys::Reflect::set(&init, &"glue".into(), &glue.into()).map_err(|e| format!("{e:?}"))?;
        js_sys::Reflect::set(&init, &"module".into(), &wasm_bindgen::module())
            .map_err(|e| format!("{e:?}"))?;
        shared
            .worker
            .post_message(&init)
            .map_err(|e| format!("cannot reach the worker: {e:?}"))?;
        Ok(DbClient { shared })
    }

    /// Sends a request; its reply arrives through the callback given to [`DbClient::spawn`].
    pub fn send(&self, request: Request) {
        let id = self.shared.next_id.get();
        self.shared.next_id.set(id.wrapping_add(1));
        let text = serde_json::to_string(&Envelope { id, body: request })
            .expect("requests are plain data and always serialize");
        if self.shared.booted.get() {
            post(&self.shared.worker, &text);
        } else {
            self.shared.queue.borrow_mut().push(text);
        }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        self.worker.terminate();
    }
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
    let parts = js_sys::Array::of1(&JsValue::from_str(BOOTSTRAP));
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = Url::create_object_url_with_blob(&blob)?;
    let worker_options = WorkerOptions::new();
    worker_options.set_type(WorkerType::Module);
    worker_options.set_name("strata-db");
    let worker = Worker::new_with_options(&url, &worker_options);
    Url::revoke_object_url(&url)?;
    worker
}
