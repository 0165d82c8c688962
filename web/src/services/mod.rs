//! Everything the page asks of the outside world goes through here: the database worker and,
//! through it, strata-core. Components never touch a connection or the core directly.

pub mod client;
pub mod demo;
pub mod download;
pub mod engine;
pub mod project;
pub mod protocol;
#[cfg(target_arch = "wasm32")]
pub mod worker;
pub mod zip;

pub use client::DbClient;
