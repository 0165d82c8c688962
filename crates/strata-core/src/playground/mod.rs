//! What the playground's page and its database worker share: the messages between them
//! (`protocol`) and the demo project a first visit shows (`demo`). Both are values and text, so
//! the page's wasm module holds them without linking SQLite; strata-engine's `Workspace` is the
//! one place that answers the requests (it re-exports both as `workspace::{protocol, demo}`).

pub mod demo;
pub mod protocol;
