//! The demo as a first visit finds it, drawn before the database worker is up.
//!
//! On a first visit the worker imports the demo's database image and answers Open over it; that
//! answer depends on nothing but the build, so the build makes it natively (web/build.rs,
//! strata-engine's `demo_image::first_open`) and the page embeds it. The page draws it the
//! moment its own module runs, while the worker's module (SQLite and the engine, three times the
//! page's bytes) is still downloading: the visitor reads the demo's schema, diagram, revisions
//! and rows, edits the model, and presses buttons, whose requests wait in the client until the
//! worker has booted. The worker's own answer replaces this one when it comes (see the
//! reducer's `seed`). Only the storage is left unknown: the worker alone finds out whether the
//! database lives in the browser's storage.

use super::protocol::{Outcome, Reply};

/// The worker's answer to a first visit's Open, as web/build.rs made it.
const FIRST_OPEN: &str = include_str!(concat!(env!("OUT_DIR"), "/first_open.json"));

/// The worker's answer to a first visit's Open, if the embedded one reads as an Open's answer
/// (it always does; a page that cannot read it waits for the worker as on later visits).
pub fn first_open() -> Option<Reply> {
    let reply: Reply = serde_json::from_str(FIRST_OPEN).ok()?;
    matches!(reply.outcome, Ok(Outcome::Opened { .. })).then_some(reply)
}
