//! History validation: a pure comparison of the version rows a database holds with the revision
//! files on disk, returning typed findings, plus the statements a revision file may not contain
//! ([`atomicity`]). The migrate module runs it before every upgrade and downgrade (and the part
//! that depends on the rows again inside the write-locked transaction); `strata verify` prints
//! it. The version table's name and shape are here too, since its rows are what this reads.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::atomicity::{self, Violation};
use crate::revision::Graph;
use crate::sql::quote;

/// The version table's name unless configured otherwise.
pub const DEFAULT_VERSION_TABLE: &str = "schema_version";

/// The version table: one row per applied revision.
pub fn version_table_ddl(table: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {} (\n  version TEXT PRIMARY KEY NOT NULL,\n  applied_at TEXT NOT NULL,\n  description TEXT NOT NULL DEFAULT '',\n  checksum TEXT NOT NULL,\n  execution_ms REAL\n)",
        quote(table)
    )
}

/// One row of the version table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppliedRow {
    pub version: String,
    /// UTC, as the clock of the process that applied it wrote it.
    pub applied_at: String,
    pub description: String,
    pub checksum: String,
    /// Milliseconds the revision took; `None` when it was stamped or applied by another tool.
    pub execution_ms: Option<f64>,
}

/// Something wrong (or worth knowing) about a database's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// Applied to the database, but no revision file has this id.
    Unknown { version: String },
    /// A revision file whose descendant is applied while it is not: the database skipped it.
    Missing { version: String, needed_by: String },
    /// The file of an applied revision was edited after it was applied (line endings aside).
    ChangedChecksum { version: String, recorded: String, on_disk: String },
    /// A revision file holds a statement that would break its transaction (see [`atomicity`]).
    BreaksTransaction { violation: Violation },
    /// The revisions have more than one head; `upgrade head` needs them merged.
    MultipleHeads { heads: Vec<String> },
}

impl Finding {
    /// Whether the finding forbids running revisions. Several heads only forbid `head` targets,
    /// which the graph itself refuses, so they are reported but do not block.
    pub fn is_error(&self) -> bool {
        !matches!(self, Finding::MultipleHeads { .. })
    }

    /// One line for people.
    pub fn describe(&self) -> String {
        match self {
            Finding::Unknown { version } => {
                format!("revision {version} is applied to the database but is not among the revisions; bring the revision back, or record the database as being at a revision you have")
            }
            Finding::Missing { version, needed_by } => {
                format!("revision {version} is not applied although {needed_by}, which builds on it, is; downgrade below it and upgrade again")
            }
            Finding::ChangedChecksum { version, recorded, on_disk } => format!(
                "revision {version} was edited after it was applied (checksum {} in the database, {} in the revision now); undo the edit and put the change in a new revision",
                short(recorded),
                short(on_disk)
            ),
            Finding::BreaksTransaction { violation } => {
                format!("{violation}; remove it (work that must commit in batches goes in a `no-transaction` section)")
            }
            Finding::MultipleHeads { heads } => {
                format!("the revisions have {} heads ({}); join them with a merge revision", heads.len(), heads.join(", "))
            }
        }
    }
}

fn short(sum: &str) -> &str {
    &sum[..sum.len().min(12)]
}

/// Compares applied rows with the revisions on disk and checks the revisions' SQL. Findings come
/// in a stable order: unknown, changed, missing, statements that break a transaction, then
/// heads.
pub fn validate(applied: &[AppliedRow], graph: &Graph) -> Vec<Finding> {
    let mut out = validate_rows(applied, graph);
    let heads = out.iter().position(|f| matches!(f, Finding::MultipleHeads { .. })).unwrap_or(out.len());
    out.splice(heads..heads, unsafe_sql(graph));
    out
}

/// The statements in any revision of the graph that would break its transaction. Depends on
/// the files only, so a command checks it once, not once per revision it runs.
pub fn unsafe_sql(graph: &Graph) -> Vec<Finding> {
    graph.revisions().flat_map(atomicity::check).map(|violation| Finding::BreaksTransaction { violation }).collect()
}

/// The findings that depend on the applied rows (unknown, changed, missing), then heads.
pub fn validate_rows(applied: &[AppliedRow], graph: &Graph) -> Vec<Finding> {
    let mut out = Vec::new();
    let ids: BTreeSet<String> = applied.iter().map(|r| r.version.clone()).collect();
    for row in applied {
        if graph.get(&row.version).is_none() {
            out.push(Finding::Unknown { version: row.version.clone() });
        }
    }
    for row in applied {
        if let Some(rev) = graph.get(&row.version) {
            if rev.checksum != row.checksum {
                out.push(Finding::ChangedChecksum { version: row.version.clone(), recorded: row.checksum.clone(), on_disk: rev.checksum.clone() });
            }
        }
    }
    for rev in graph.revisions() {
        if ids.contains(&rev.id) {
            continue;
        }
        // The first applied descendant (in graph order) names the revision that needed it.
        let desc = graph.descendants(&rev.id);
        if let Some(needed_by) = graph.revisions().find(|r| desc.contains(&r.id) && ids.contains(&r.id)) {
            out.push(Finding::Missing { version: rev.id.clone(), needed_by: needed_by.id.clone() });
        }
    }
    let heads = graph.heads();
    if heads.len() > 1 {
        out.push(Finding::MultipleHeads { heads: heads.iter().map(|s| s.to_string()).collect() });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::revision::Revision;

    fn rev(id: &str, parents: &[&str]) -> Revision {
        Revision::new(id, parents.iter().map(|s| s.to_string()).collect(), id, id, "SELECT 1;", "")
    }

    fn row(r: &Revision) -> AppliedRow {
        AppliedRow { version: r.id.clone(), applied_at: "t".into(), description: r.message.clone(), checksum: r.checksum.clone(), execution_ms: Some(1.0) }
    }

    #[test]
    fn clean_history_has_no_findings() {
        let (a, b) = (rev("a", &[]), rev("b", &["a"]));
        let g = Graph::new(vec![a.clone(), b.clone()]).unwrap();
        assert!(validate(&[row(&a)], &g).is_empty());
        assert!(validate(&[row(&a), row(&b)], &g).is_empty());
    }

    #[test]
    fn every_kind_of_finding() {
        let (a, b, c, d) = (rev("a", &[]), rev("b", &["a"]), rev("c", &["b"]), rev("d", &["a"]));
        let g = Graph::new(vec![a.clone(), b.clone(), c.clone(), d.clone()]).unwrap();
        let mut changed = row(&a);
        changed.checksum = "0".repeat(64);
        let ghost = AppliedRow { version: "zz".into(), ..row(&a) };
        let found = validate(&[changed, row(&c), ghost], &g);
        assert_eq!(
            found,
            vec![
                Finding::Unknown { version: "zz".into() },
                Finding::ChangedChecksum { version: "a".into(), recorded: "0".repeat(64), on_disk: a.checksum.clone() },
                Finding::Missing { version: "b".into(), needed_by: "c".into() },
                Finding::MultipleHeads { heads: vec!["c".into(), "d".into()] },
            ]
        );
        assert_eq!(found.iter().filter(|f| f.is_error()).count(), 3);
        assert!(found[1].describe().starts_with("revision a was edited after it was applied (checksum 000000000000 in the database"));
    }
}
