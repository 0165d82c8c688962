//! The demo database as a file image. A first visit to the playground starts from the demo
//! (two revisions applied, seed rows, the project table filled); the playground's build makes
//! that database here, natively, so the browser's worker can put the finished file in place in
//! one write instead of running the demo's revisions through the runner, on a slow storage,
//! before the page can show anything.

use std::rc::Rc;

use rusqlite::Connection;

use super::protocol::{Reply, Request, Storage};
use super::Workspace;
use crate::error::sqlite_message;
use crate::transfer::scratch;

/// The demo's database file exactly as [`Workspace::with_clock`] seeds an empty database: the
/// same project loaded through the same path (so the same revision files, version rows stamped
/// with each revision's creation time, rows and kept model). Only the page size is this
/// SQLite's default, which a database keeps as it is copied or imported.
pub fn demo_image() -> Result<Vec<u8>, String> {
    let conn = Connection::open_in_memory().map_err(|e| sqlite_message(&e))?;
    // In memory, seeding makes the checked scratch database the workspace's own connection.
    let storage = Storage::Memory {
        reason: "the demo image is built in memory".into(),
    };
    let mut workspace = Workspace::with_clock(conn, storage, Rc::new(NoClock))?;
    if workspace.revisions.is_empty() || workspace.unreadable.is_some() {
        return Err("the demo did not seed".into());
    }
    scratch::file_bytes(&mut workspace.conn).map_err(|e| sqlite_message(&e))
}

/// The worker's answer to a first visit's `Open { browse }` over the demo's image, except that
/// the storage is [`Storage::Unknown`]: only the worker finds out whether the database will
/// live in the browser's storage or in memory. The page's build embeds it, so a first visit
/// draws the demo (schema, diagram, revisions, rows) before the worker's module has even
/// arrived; the worker's own answer replaces it when it comes.
pub fn first_open(browse: &str) -> Result<Reply, String> {
    let conn = Connection::open_in_memory().map_err(|e| sqlite_message(&e))?;
    let mut workspace = Workspace::with_clock(conn, Storage::Unknown, Rc::new(NoClock))?;
    if workspace.revisions.is_empty() || workspace.unreadable.is_some() {
        return Err("the demo did not seed".into());
    }
    Ok(workspace.handle(Request::Open {
        browse: Some(browse.to_owned()),
    }))
}

/// Seeding keeps its own clock (each revision applied at its creation time); nothing else
/// that runs while the image is made asks for the time.
struct NoClock;

impl strata_core::time::Clock for NoClock {
    fn now(&self) -> strata_core::time::Timestamp {
        strata_core::time::Timestamp::default()
    }

    fn millis(&self) -> f64 {
        0.0
    }
}
