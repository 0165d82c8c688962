//! Connection side (scratch in-memory databases): the class of revisions of a graph, additive
//! or breaking (see [`strata_core::classify`]).
//!
//! A revision whose SQL is strata's own (`Revision::is_generated`) is classified from the
//! changes of its plan, recovered by building the schema before and after it in a scratch
//! database and diffing the two with the renames its SQL makes; the tables its SQL rebuilds
//! are read from the SQL. Hand-written SQL is classified from its statements. Revisions are
//! built in graph order on one connection, so a straight history of n revisions costs n
//! builds, not n².

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::Connection;

use strata_core::classify::{self, Classification};
use strata_core::diff::diff;
use crate::introspect::introspect_excluding;
use crate::migrate::{revision_script, MigrateError};
use strata_core::revision::{Direction, Graph, Revision};
use crate::runner::{self, Script};

/// The classification of each revision in `ids` (unknown ids are left out). A revision that
/// does not build on an empty database (its SQL needs rows, say) leaves the generated
/// revisions after it to be read from their statements, which is never less careful.
pub fn classify_revisions(graph: &Graph, ids: &BTreeSet<String>, version_table: &str) -> Result<BTreeMap<String, Classification>, MigrateError> {
    let mut out = BTreeMap::new();
    let mut scratch = Scratch { conn: Connection::open_in_memory()?, at: BTreeSet::new(), broken: BTreeSet::new() };
    for rev in graph.revisions().filter(|r| ids.contains(&r.id)) {
        let class = if rev.is_generated() {
            match scratch.changes_of(graph, rev, version_table)? {
                Some(c) => c,
                None => classify::from_sql(&rev.up),
            }
        } else {
            classify::from_sql(&rev.up)
        };
        out.insert(rev.id.clone(), class);
    }
    Ok(out)
}

/// The classification of one revision (see [`classify_revisions`]).
pub fn classify_revision(graph: &Graph, rev: &Revision, version_table: &str) -> Result<Classification, MigrateError> {
    let ids = BTreeSet::from([rev.id.clone()]);
    Ok(classify_revisions(graph, &ids, version_table)?.remove(&rev.id).unwrap_or_else(|| classify::from_sql(&rev.up)))
}

/// A scratch database and the revisions applied to it.
struct Scratch {
    conn: Connection,
    at: BTreeSet<String>,
    /// Revisions that failed to build; nothing after them can be built.
    broken: BTreeSet<String>,
}

impl Scratch {
    /// The changes of `rev`'s plan, classified; `None` when the schema before it cannot be built.
    fn changes_of(&mut self, graph: &Graph, rev: &Revision, version_table: &str) -> Result<Option<Classification>, MigrateError> {
        let mut before_ids = graph.ancestors(&rev.id);
        before_ids.remove(&rev.id);
        if !self.reach(graph, &before_ids)? {
            return Ok(None);
        }
        let before = introspect_excluding(&self.conn, &[version_table])?;
        if !self.apply(rev) {
            return Ok(None);
        }
        let after = introspect_excluding(&self.conn, &[version_table])?;
        let changes = diff(&before, &after, &classify::renames(&rev.up)).changes;
        Ok(Some(classify::from_changes(&changes, &classify::rebuilt_tables(&rev.up))))
    }

    /// Brings the scratch database to exactly the revisions `want`: by applying what is
    /// missing when it is on the way there, else from an empty database. `false` when a
    /// revision on the way does not build.
    fn reach(&mut self, graph: &Graph, want: &BTreeSet<String>) -> Result<bool, MigrateError> {
        if want.iter().any(|id| self.broken.contains(id)) {
            return Ok(false);
        }
        if !self.at.is_subset(want) {
            self.conn = Connection::open_in_memory()?;
            self.at.clear();
        }
        let missing: Vec<&Revision> = graph.revisions().filter(|r| want.contains(&r.id) && !self.at.contains(&r.id)).collect();
        for rev in missing {
            if !self.apply(rev) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn apply(&mut self, rev: &Revision) -> bool {
        // A scratch database has nothing worth a quick_check.
        let script = Script { quick_check: false, ..revision_script(rev, Direction::Up) };
        match runner::run(&mut self.conn, &script, &mut |_| {}, |_| Ok(true), |_| Ok(())) {
            Ok(_) => {
                self.at.insert(rev.id.clone());
                true
            }
            Err(_) => {
                self.broken.insert(rev.id.clone());
                // What the failed run left is rolled back; the database is still at `at`.
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_core::classify::{Basis, Class};
    use crate::migrate::DEFAULT_VERSION_TABLE;
    use crate::model::from_sql;
    use strata_core::Rename;

    fn generated(graph: &Graph, id: &str, model: &str, renames: &[Rename]) -> Revision {
        let a = crate::migrate::autogenerate(graph, &from_sql(model).unwrap(), renames, DEFAULT_VERSION_TABLE).unwrap();
        a.revision(id, graph.next_parents().unwrap(), id, id)
    }

    #[test]
    fn generated_revisions_are_classified_from_their_changes_and_hand_written_ones_from_their_sql() {
        let mut g = Graph::default();
        let mut revs = Vec::new();
        let mut add = |rev: Revision, g: &mut Graph| {
            revs.push(rev);
            *g = Graph::new(revs.clone()).unwrap();
        };
        add(generated(&g, "r1", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);", &[]), &mut g);
        add(generated(&g, "r2", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, phone TEXT);", &[]), &mut g);
        let rename = Rename::parse_hint("users.email=email_address").unwrap();
        add(generated(&g, "r3", "CREATE TABLE users (id INTEGER PRIMARY KEY, email_address TEXT, phone TEXT);", &[rename]), &mut g);
        add(Revision::new("r4", vec!["r3".into()], "by hand", "r4", "ALTER TABLE users ADD COLUMN note TEXT;", "ALTER TABLE users DROP COLUMN note;"), &mut g);
        let all: BTreeSet<String> = g.revisions().map(|r| r.id.clone()).collect();
        let classes = classify_revisions(&g, &all, DEFAULT_VERSION_TABLE).unwrap();
        let line = |id: &str| {
            let c = &classes[id];
            format!("{:?} {}", c.basis, c.summary())
        };
        assert_eq!(line("r1"), "Changes additive");
        assert_eq!(line("r2"), "Changes additive");
        // The rename was confirmed, so it is a rename and not a drop and an add.
        assert_eq!(line("r3"), "Changes breaking: renames column users.email to email_address");
        assert_eq!(line("r4"), "Statements additive");
        let one = classify_revision(&g, g.get("r3").unwrap(), DEFAULT_VERSION_TABLE).unwrap();
        assert_eq!(one, classes["r3"]);
    }

    #[test]
    fn a_generated_revision_after_one_that_does_not_build_is_read_from_its_sql() {
        let r1 = Revision::new("r1", vec![], "needs rows", "1", "CREATE TABLE a (x);\nINSERT INTO a SELECT * FROM nowhere;", "DROP TABLE a;");
        let r2 = Revision::new("r2", vec!["r1".into()], "drop", "2", "DROP TABLE \"a\";", "CREATE TABLE \"a\" (\"x\");").mark_generated();
        let g = Graph::new(vec![r1, r2]).unwrap();
        let c = classify_revision(&g, g.get("r2").unwrap(), DEFAULT_VERSION_TABLE).unwrap();
        assert_eq!((c.basis, c.class), (Basis::Statements, Class::Breaking));
    }
}
