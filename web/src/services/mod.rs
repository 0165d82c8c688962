//! Everything the page asks of the outside world goes through here: the database worker and,
//! through it, strata-engine's workspace. Components never touch a connection or the engine.
//! The messages (`protocol`) and the demo project are the engine's; they are re-exported here
//! so components name them in one place.

pub mod client;
pub mod download;
pub mod project;
#[cfg(target_arch = "wasm32")]
pub mod worker;

pub use client::DbClient;
pub use strata_engine::workspace::{demo, protocol};
