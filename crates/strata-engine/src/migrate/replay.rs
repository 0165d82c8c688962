//! The schemas revisions produce, built without a live database: each history replayed in
//! scratch in-memory databases (grouped, or into one database as the reference), the head's
//! beside other work on a thread of its own, and what a `SchemaStore` keeps of them.

use std::collections::BTreeSet;

use rusqlite::Connection;
use strata_core::revision::{Direction, Graph, Revision};
use strata_core::schema::Schema;

use super::{revision_script, MigrateError, Result};
use crate::introspect::introspect_excluding;
use crate::runner::{self, Script};

/// Runs `work` (reading and building the model, for `revision --autogenerate` and `check`)
/// while [`head_schema`] is built on a thread of its own, and returns both. The two share
/// nothing and each is mostly SQLite's work in scratch databases of its own, so where a core is
/// free they take the time of the longer one instead of the sum. Where no thread can be made
/// (the browser's wasm32), the head is built after `work`, on this thread.
pub fn with_head_schema<T>(graph: &Graph, version_table: &str, work: impl FnOnce() -> T) -> (T, Result<Schema>) {
    std::thread::scope(|s| match std::thread::Builder::new().spawn_scoped(s, || head_schema(graph, version_table)) {
        Ok(head) => {
            let done = work();
            // The head's thread only returns a value; should it ever panic, the panic goes on here.
            (done, head.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
        }
        Err(_) => (work(), head_schema(graph, version_table)),
    })
}

/// The schema the revisions up to the single head produce, built by running them in scratch
/// in-memory databases (no live database needed). An empty graph gives an empty schema.
pub fn head_schema(graph: &Graph, version_table: &str) -> Result<Schema> {
    if graph.is_empty() {
        return Ok(Schema::default());
    }
    schema_at(graph, graph.single_head()?, version_table)
}

/// The schemas revisions produce, built as [`head_schema`] builds them (in a scratch in-memory
/// database, `version_table` left out): what the core's exports ask for when they start from
/// revision files (`strata_core::export::HeadSchema`).
pub struct Replay<'a> {
    pub version_table: &'a str,
}

impl strata_core::export::HeadSchema for Replay<'_> {
    fn head_schema(&self, graph: &Graph) -> std::result::Result<Schema, Box<dyn std::error::Error + Send + Sync>> {
        Ok(head_schema(graph, self.version_table)?)
    }
}

/// The schema that revision `id` and everything it builds on produce, built the same way as
/// [`head_schema`]; this is where a revision on a side branch starts from.
pub fn schema_at(graph: &Graph, id: &str, version_table: &str) -> Result<Schema> {
    schema_at_all(graph, &[id.to_owned()], version_table)
}

/// The schema that the revisions `ids` and everything they build on produce together: several
/// unmerged branches applied side by side, as a database can hold them. No ids give the empty
/// schema.
///
/// Each revision runs in small scratch databases holding only the objects its statements can
/// reach (`build::replay_onto`), so the cost grows with the history's size and not with the
/// square of the schema's; a history that cannot be replayed that way exactly, and any failure,
/// is replayed into one database as by [`schema_at_all_in_one_database`], which gives the same
/// schema and the errors.
///
/// With a [`SchemaStore`] installed, what a history builds is kept: the same history again is
/// not replayed, and one that grew is replayed from the last revision kept.
pub fn schema_at_all(graph: &Graph, ids: &[String], version_table: &str) -> Result<Schema> {
    let revisions = history(graph, ids)?;
    crate::build::store::history_schema(crate::build::store::installed(), &revisions, version_table, || replay_in_one_database(&revisions))
}

/// [`schema_at_all`] by the grouped replay alone, without a store: `None` where it would fall
/// back to one database. For tests and benchmarks that need to know which path answered.
#[doc(hidden)]
pub fn schema_at_all_grouped(graph: &Graph, ids: &[String], version_table: &str) -> Result<Option<Schema>> {
    Ok(crate::build::replay(&history(graph, ids)?, version_table).ok())
}

/// [`schema_at_all`] by running every revision, in order, into one scratch database: the
/// reference the faster replay is checked against, and the path its errors come from.
pub fn schema_at_all_in_one_database(graph: &Graph, ids: &[String], version_table: &str) -> Result<Schema> {
    let conn = replay_in_one_database(&history(graph, ids)?)?;
    Ok(introspect_excluding(&conn, &[version_table])?)
}

pub(crate) fn replay_in_one_database(revisions: &[&Revision]) -> Result<Connection> {
    let mut conn = Connection::open_in_memory()?;
    for rev in revisions {
        // A scratch database has nothing worth a quick_check.
        let script = Script { quick_check: false, ..revision_script(rev, Direction::Up) };
        runner::run(&mut conn, &script, &mut |_| {}, |_| Ok(true), |_| Ok(()))
            .map_err(|cause| MigrateError::Build { id: rev.id.clone(), cause: Box::new(cause) })?;
    }
    Ok(conn)
}

/// The revisions `ids` and everything they build on, in replay order.
fn history<'g>(graph: &'g Graph, ids: &[String]) -> Result<Vec<&'g Revision>> {
    let keep = ancestors_of_all(graph, ids)?;
    Ok(graph.revisions().filter(|r| keep.contains(&r.id)).collect())
}

fn ancestors_of_all(graph: &Graph, ids: &[String]) -> Result<BTreeSet<String>> {
    let mut keep = BTreeSet::new();
    for id in ids {
        keep.extend(graph.ancestors(&graph.resolve(id)?));
    }
    Ok(keep)
}
