//! The strata playground: a Yew app over strata-core and a SQLite database inside the browser.
//!
//! The playground is two wasm modules built from this crate. The page's (`strata-web`, feature
//! `page`) renders the app; the database worker's (`strata-worker`, feature `worker`) owns the
//! database and the engine (see `services::worker` for why it is a worker). The page draws as
//! soon as its own small module has arrived, while the worker's, which carries SQLite, is still
//! streaming in; the two share only the protocol types and the demo project's text.

#[cfg(feature = "page")]
pub mod components;
#[cfg(feature = "page")]
pub mod graph;
#[cfg(feature = "page")]
pub mod lessons;
pub mod services;
#[cfg(feature = "page")]
pub mod state;

/// Renders the app into the page; the page's binary calls it.
#[cfg(feature = "page")]
pub fn start_page() {
    yew::Renderer::<components::app::App>::new().render();
}

/// Opens the database and answers the page's requests; the worker's binary calls it.
#[cfg(all(feature = "worker", target_arch = "wasm32"))]
pub fn start_worker() {
    services::worker::run();
}
