//! Before production, in the playground: the Rehearse button and the additive/breaking badge.
//! Both are the CLI's own code: the rehearsal is the crate's `rehearse` (what `strata rehearse`
//! runs) on a scratch copy of the live database, and the class is `revision_class`'s (what
//! `strata history` prints). This file only makes the copy and keeps the classes between
//! snapshots.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::Connection;
use strata_core::classify::Classification;
use strata_core::revision::Target;

use super::protocol::Outcome;
use super::{Workspace, STRATA_TABLES, VERSION_TABLE};
use crate::error::sqlite_message;
use crate::rehearse::{self, Options, TableRows};
use crate::revision_class::classify_revisions;
use crate::transfer::scratch;

/// The classes of the project's revisions, and the revisions (ids and checksums) they were
/// worked out for: a class depends on the revision and those before it, never on the rows, so
/// it is worked out again only when the project changes, not on every snapshot.
#[derive(Default)]
pub(super) struct Classes {
    of: Vec<(String, String)>,
    classes: BTreeMap<String, Classification>,
}

impl Workspace {
    /// Rehearses the upgrade to `target` on a copy of the database, as `strata rehearse` does
    /// (every pending revision up, back down and up again, each timed, counted, digested and
    /// checked). The live database is only read, once, to copy it; whatever happens on the copy
    /// (a failing statement, a silent loss) is the report's, and the copy is dropped after.
    pub(super) fn rehearse(&mut self, target: &str) -> Result<Outcome, String> {
        let graph = self.graph()?;
        let parsed = Target::parse(target);
        let heads = graph.heads();
        if parsed == Target::Head && heads.len() > 1 {
            return Err(format!(
                "there are {} heads ({}): join them with Merge heads first, or rehearse one branch; nothing was run",
                heads.len(),
                heads.join(", ")
            ));
        }
        let mut copy = self.scratch_copy().map_err(|e| {
            format!("cannot copy the database to rehearse on it ({e}); nothing was run")
        })?;
        let opts = Options {
            version_table: VERSION_TABLE.to_owned(),
            size: None,
        };
        // Estimates on generated rows are the CLI's `--rows` / `--scale`; a browser tab has
        // neither the time nor the memory to spare for them, so no scratch database is needed.
        let mut no_scratch = || -> Result<Connection, crate::error::Error> {
            Err(rusqlite::Error::InvalidQuery.into())
        };
        let mut report = rehearse::rehearse(
            &mut copy,
            &graph,
            &parsed,
            &opts,
            &*self.clock,
            &mut no_scratch,
            &mut |_| {},
        )
        .map_err(|e| {
            // A refusal before the copy ran anything (a history problem) says so already.
            let message = e.to_string();
            if message.contains("nothing was run") {
                message
            } else {
                format!("{message}; nothing was run on the copy, and the database did not change")
            }
        })?;
        // The project's own tables ride along in the copy but are no part of the visitor's
        // schema: the report leaves them out, as the snapshot's table list does.
        let ours = |rows: &TableRows| {
            STRATA_TABLES
                .iter()
                .any(|t| t.eq_ignore_ascii_case(&rows.table))
        };
        report.rows_before.retain(|rows| !ours(rows));
        for step in &mut report.steps {
            step.rows.retain(|rows| !ours(rows));
        }
        Ok(Outcome::Rehearsed(Box::new(report)))
    }

    /// An in-memory copy of the live database, made with SQLite's backup API as the CLI's
    /// rehearsal makes its copy, hardened as every scratch database is (the revisions are the
    /// visitor's SQL), and enforcing foreign keys as the live connection does.
    fn scratch_copy(&self) -> Result<Connection, String> {
        let failed = |e: rusqlite::Error| sqlite_message(&e);
        let mut copy = scratch::scratch().map_err(failed)?;
        // The backup API cannot change an in-memory destination's page size, so the empty copy
        // takes the live one's before the first page arrives.
        let page_size: i64 = self
            .conn
            .query_row("PRAGMA page_size", [], |row| row.get(0))
            .map_err(failed)?;
        copy.execute_batch(&format!("PRAGMA page_size = {page_size}"))
            .map_err(failed)?;
        rehearse::copy(&self.conn, &mut copy, &|| false).map_err(|e| e.to_string())?;
        let enforced: bool = self
            .conn
            .query_row("PRAGMA foreign_keys", [], |row| row.get(0))
            .map_err(failed)?;
        copy.execute_batch(&format!(
            "PRAGMA foreign_keys = {}",
            if enforced { "ON" } else { "OFF" }
        ))
        .map_err(failed)?;
        Ok(copy)
    }

    /// The class of each revision of the project, worked out again only when the revisions
    /// changed since the last time. A project whose revisions do not form a graph has none.
    pub(super) fn classes(&self) -> BTreeMap<String, Classification> {
        let of: Vec<(String, String)> = self
            .revisions
            .iter()
            .map(|r| (r.id.clone(), r.checksum.clone()))
            .collect();
        let mut cache = self.classes.borrow_mut();
        if cache.of != of {
            let ids: BTreeSet<String> = of.iter().map(|(id, _)| id.clone()).collect();
            let classes = self
                .graph()
                .ok()
                .and_then(|graph| classify_revisions(&graph, &ids, VERSION_TABLE).ok())
                .unwrap_or_default();
            *cache = Classes { of, classes };
        }
        cache.classes.clone()
    }
}
