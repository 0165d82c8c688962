//! Everything the page asks of the outside world goes through here: the database worker and,
//! through it, strata-engine's workspace. Components never touch a connection or the engine.
//! The messages (`protocol`) and the demo project are strata-core's `playground`, values and
//! text without SQLite; they are re-exported here so components name them in one place.
//!
//! `protocol`, `project` and `demo` are shared by both modules; `client`, `download` and
//! `first_visit` are the page's, `worker` (with `pool_files`) the worker's.

#[cfg(feature = "page")]
pub mod client;
#[cfg(feature = "page")]
pub mod download;
#[cfg(feature = "page")]
pub mod first_visit;
pub mod project;
#[cfg(all(feature = "worker", target_arch = "wasm32"))]
mod pool_files;
#[cfg(all(feature = "worker", target_arch = "wasm32"))]
pub mod worker;

#[cfg(feature = "page")]
pub use client::DbClient;
pub use strata_core::playground::{demo, protocol};
