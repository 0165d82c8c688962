//! Reads the schema of a live SQLite connection into a `Schema`.
//!
//! Everything comes from `sqlite_schema` in one query: its `sql` column is the text SQLite
//! itself derives its PRAGMA answers from, and the only place that holds CHECK, column COLLATE,
//! generated expressions, partial-index WHERE and expression indexes. One query keeps a
//! 1000-table database fast to read; `tests/` cross-checks the result against
//! `PRAGMA table_xinfo`, `foreign_key_list` and `index_xinfo`.

use rusqlite::Connection;

use crate::error::{Error, Result};
use strata_core::{parse, statement};
use strata_core::schema::Schema;

/// Reads every table, index, view and trigger of the `main` schema, leaving out SQLite's own
/// `sqlite_*` objects and the tables named in `ignore` (such as the version table).
pub fn introspect_excluding(conn: &Connection, ignore: &[&str]) -> Result<Schema> {
    let mut stmt = conn.prepare(
        "SELECT type, name, tbl_name, sql FROM main.sqlite_schema \
         WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid",
    )?;
    let mut rows = stmt.query([])?;
    let mut schema = Schema::default();
    let ignored = |t: &str| ignore.iter().any(|i| i.eq_ignore_ascii_case(t));
    while let Some(row) = rows.next()? {
        let kind: String = row.get(0)?;
        let name: String = row.get(1)?;
        let tbl_name: String = row.get(2)?;
        let sql: String = row.get(3)?;
        if ignored(&tbl_name) {
            continue;
        }
        let wrap = |cause| Error::Parse { object: format!("{kind} {name}"), cause };
        match kind.as_str() {
            "table" => {
                if statement::classify(&sql).object == Some(statement::Object::VirtualTable) {
                    return Err(Error::Unsupported(format!("virtual table `{name}`")));
                }
                schema.add_table(parse::parse_create_table(&sql).map_err(wrap)?);
            }
            "index" => schema.add_index(parse::parse_create_index(&sql).map_err(wrap)?),
            "view" => schema.add_view(parse::parse_create_view(&sql).map_err(wrap)?),
            "trigger" => schema.add_trigger(parse::parse_create_trigger(&sql).map_err(wrap)?),
            _ => {}
        }
    }
    Ok(schema)
}

/// Reads the whole `main` schema (SQLite's internal objects excluded).
pub fn introspect(conn: &Connection) -> Result<Schema> {
    introspect_excluding(conn, &[])
}
