//! The strata playground: a Yew app over strata-core and a SQLite database inside the browser.
//!
//! The same wasm module runs twice: on the page, where it renders the app, and in a dedicated
//! worker, where it owns the database (see `services::worker` for why).

pub mod components;
pub mod graph;
pub mod lessons;
pub mod services;
pub mod state;

/// Starts whichever half of the playground belongs in the current JavaScript context.
pub fn start() {
    use wasm_bindgen::JsCast;

    if js_sys::global().dyn_ref::<web_sys::Window>().is_some() {
        yew::Renderer::<components::app::App>::new().render();
    } else {
        #[cfg(target_arch = "wasm32")]
        services::worker::run();
    }
}
