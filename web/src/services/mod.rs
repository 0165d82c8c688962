//! Everything the page asks of the outside world goes through here: the database worker and,
//! through it, strata-core. Components never touch a connection or the core directly.
//!
//! `protocol`, `project` and `demo` are shared by both modules; `client` and `download` are the
//! page's, `engine`, `worker` and `zip` the worker's.

#[cfg(feature = "page")]
pub mod client;
pub mod demo;
#[cfg(feature = "page")]
pub mod download;
#[cfg(feature = "worker")]
pub mod engine;
pub mod project;
pub mod protocol;
#[cfg(all(feature = "worker", target_arch = "wasm32"))]
pub mod worker;
#[cfg(feature = "worker")]
pub mod zip;

#[cfg(feature = "page")]
pub use client::DbClient;
