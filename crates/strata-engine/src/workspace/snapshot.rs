//! What the live panels show after every request: the tables and their row counts, the version
//! table, the browsed table's rows, the project's revisions (applied or not), the live schema as
//! a diagram and the stored backups. Only reads.

use strata_core::schema::Schema;
use strata_core::sql::quote as quote_ident;

use super::console::read_grid;
use super::protocol::{
    BackupView, Browsed, Diagram, DiagramColumn, DiagramTable, Grid, Mark, RevisionView, Snapshot,
    TableSummary,
};
use super::{Workspace, META_TABLE, PROJECT_TABLE, STRATA_TABLES, VERSION_TABLE};
use crate::migrate;
use crate::transfer::backups;

impl Workspace {
    /// Reads what the live panels show.
    pub fn snapshot(&self, browse: Option<&str>) -> rusqlite::Result<Snapshot> {
        let names: Vec<String> = {
            let mut stmt = self.conn.prepare(
                "SELECT name FROM sqlite_schema \
                 WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
                 AND name NOT IN (?1, ?2) ORDER BY name",
            )?;
            let rows = stmt.query_map([PROJECT_TABLE, META_TABLE], |row| row.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut tables = Vec::with_capacity(names.len());
        for name in &names {
            let rows: i64 = self.conn.query_row(
                &format!("SELECT count(*) FROM {}", quote_ident(name)),
                [],
                |row| row.get(0),
            )?;
            tables.push(TableSummary {
                name: name.clone(),
                rows: rows.unsigned_abs(),
            });
        }
        let schema_version = if names.iter().any(|n| n == VERSION_TABLE) {
            Some(self.table_grid(VERSION_TABLE)?)
        } else {
            None
        };
        // A table that is gone (dropped, or not in a freshly loaded project) gives way to the
        // first of the visitor's tables, so the grid never stays on an empty "no such table".
        let shown = browse
            .filter(|table| names.iter().any(|n| n == table))
            .or_else(|| {
                names
                    .iter()
                    .map(String::as_str)
                    .find(|n| *n != VERSION_TABLE)
            })
            .or_else(|| names.first().map(String::as_str));
        let browsed = match shown {
            Some(table) => Some(Browsed {
                table: table.to_owned(),
                grid: self.table_grid(table)?,
            }),
            None => None,
        };
        // A version table strata cannot read (made by another tool) shows nothing as applied.
        let applied: Vec<String> = migrate::applied(&self.conn, VERSION_TABLE)
            .map(|rows| rows.into_iter().map(|r| r.version).collect())
            .unwrap_or_default();
        let mut classes = self.classes();
        let revisions = self
            .revisions
            .iter()
            .map(|r| RevisionView {
                id: r.id.clone(),
                parents: r.parents.clone(),
                message: r.message.clone(),
                up: r.up.clone(),
                down: r.down.clone(),
                applied: applied.contains(&r.id),
                atomic: r.is_atomic(),
                class: classes.remove(&r.id),
            })
            .collect();
        // The diagram is a picture: a schema strata cannot read leaves it empty, not the page.
        let live = crate::introspect_excluding(&self.conn, &STRATA_TABLES)
            .map(|schema| diagram(&schema, &schema))
            .unwrap_or_default();
        Ok(Snapshot {
            storage: self.storage.clone(),
            tables,
            schema_version,
            browsed,
            revisions,
            diagram: live,
            // The backup store is apart from the database; if it cannot be read the panels
            // still show the database.
            backups: self.backup_views().unwrap_or_default(),
            damaged: None,
        })
    }

    pub(super) fn table_grid(&self, table: &str) -> rusqlite::Result<Grid> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT * FROM {}", quote_ident(table)))?;
        read_grid(&mut stmt)
    }

    /// The backups, newest first, for the snapshot.
    pub(super) fn backup_views(&self) -> rusqlite::Result<Vec<BackupView>> {
        Ok(backups::list(&self.backups)?
            .into_iter()
            .map(|b| BackupView {
                id: b.id.to_string(),
                label: b.label,
                created: readable_time(&b.created),
                bytes: b.bytes,
                automatic: b.automatic,
            })
            .collect())
    }
}

/// An RFC 3339 time as people read it, `2026-11-02 09:14:05 UTC`; anything else as it is.
fn readable_time(rfc3339: &str) -> String {
    match strata_core::time::Timestamp::parse_rfc3339(rfc3339) {
        Some(_) => match rfc3339.strip_suffix('Z') {
            Some(utc) => format!("{} UTC", utc.replacen('T', " ", 1)),
            None => rfc3339.replacen('T', " ", 1),
        },
        None => rfc3339.to_owned(),
    }
}

/// The tables of `to`, and those of `from` that `to` drops, each part marked by how it compares
/// with `from`. A renamed column shows as removed and added.
pub(super) fn diagram(from: &Schema, to: &Schema) -> Diagram {
    let columns = |t: &strata_core::schema::Table, mark: Mark| -> Vec<DiagramColumn> {
        t.columns
            .iter()
            .map(|c| DiagramColumn {
                name: c.name.to_string(),
                decl_type: c.decl_type.to_string(),
                status: mark,
            })
            .collect()
    };
    let refs = |t: &strata_core::schema::Table| -> Vec<String> {
        let mut refs: Vec<String> = t
            .foreign_keys
            .iter()
            .map(|f| f.ref_table.to_string())
            .collect();
        refs.dedup();
        refs
    };
    let mut tables = Vec::new();
    for t in to.tables.values() {
        let (status, cols) = match from.table(t.name.as_str()) {
            None => (Mark::Added, columns(t, Mark::Added)),
            Some(old) => {
                let mut cols: Vec<DiagramColumn> = t
                    .columns
                    .iter()
                    .map(|c| {
                        let status = match old.columns.iter().find(|o| o.name == c.name) {
                            None => Mark::Added,
                            Some(o) if o != c => Mark::Changed,
                            Some(_) => Mark::Same,
                        };
                        DiagramColumn {
                            name: c.name.to_string(),
                            decl_type: c.decl_type.to_string(),
                            status,
                        }
                    })
                    .collect();
                for o in &old.columns {
                    if !t.columns.iter().any(|c| c.name == o.name) {
                        cols.push(DiagramColumn {
                            name: o.name.to_string(),
                            decl_type: o.decl_type.to_string(),
                            status: Mark::Removed,
                        });
                    }
                }
                let status = if old == t { Mark::Same } else { Mark::Changed };
                (status, cols)
            }
        };
        tables.push(DiagramTable {
            name: t.name.to_string(),
            status,
            columns: cols,
            refs: refs(t),
        });
    }
    for t in from.tables.values() {
        if to.table(t.name.as_str()).is_none() {
            tables.push(DiagramTable {
                name: t.name.to_string(),
                status: Mark::Removed,
                columns: columns(t, Mark::Removed),
                refs: refs(t),
            });
        }
    }
    Diagram { tables }
}
