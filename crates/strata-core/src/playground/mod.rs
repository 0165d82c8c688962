//! What the playground's page and its database worker share: the messages between them
//! (`protocol`, which re-exports the panels' values from `views` and the lessons' vocabulary
//! from `lesson_steps`) and the demo project a first visit shows (`demo`). Both are values and text, so
//! the page's wasm module holds them without linking SQLite; strata-engine's `Workspace` is the
//! one place that answers the requests (it re-exports both as `workspace::{protocol, demo}`).

pub mod demo;
pub mod lesson_steps;
pub mod protocol;
pub mod views;
