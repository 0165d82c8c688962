//! Reads the schema of a live SQLite connection into a `Schema`.
//!
//! Everything comes from `sqlite_schema` in one query: its `sql` column is the text SQLite
//! itself derives its PRAGMA answers from, and the only place that holds CHECK, column COLLATE,
//! generated expressions, partial-index WHERE and expression indexes. One query keeps a
//! 1000-table database fast to read; `tests/` cross-checks the result against
//! `PRAGMA table_xinfo`, `foreign_key_list` and `index_xinfo`.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use strata_core::schema::{self, Schema};
use strata_core::{parse, statement};

use crate::error::{Error, Result};

/// Reads every table, index, view and trigger of the `main` schema, leaving out SQLite's own
/// `sqlite_*` objects and the tables named in `ignore` (such as the version table).
pub fn introspect_excluding(conn: &Connection, ignore: &[&str]) -> Result<Schema> {
    let mut schema = Schema::default();
    for row in stored(conn)? {
        if ignore.iter().any(|i| i.eq_ignore_ascii_case(&row.table)) {
            continue;
        }
        parse_stored(&row)?.add_to(&mut schema);
    }
    Ok(schema)
}

/// Reads the whole `main` schema (SQLite's internal objects excluded).
pub fn introspect(conn: &Connection) -> Result<Schema> {
    introspect_excluding(conn, &[])
}

/// The four kinds of object `sqlite_schema` holds, in an order they can be created in: a table
/// before the indexes and triggers on it, a view before the triggers on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Kind {
    Table,
    View,
    Index,
    Trigger,
}

/// One row of `sqlite_schema`: an object as SQLite stores it. Running `sql` again in another
/// database stores exactly the same text, since SQLite keeps a statement from its object's name
/// on (without `IF NOT EXISTS`, `TEMP` or a schema name).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Stored {
    pub kind: Kind,
    pub name: String,
    /// The table an index or trigger is on; the object's own name for tables and views.
    pub table: String,
    pub sql: String,
}

/// A stored object read into the schema's types.
#[derive(Clone, Debug)]
pub(crate) enum Parsed {
    Table(schema::Table),
    Index(schema::Index),
    View(schema::View),
    Trigger(schema::Trigger),
}

impl Parsed {
    pub(crate) fn add_to(self, schema: &mut Schema) {
        match self {
            Parsed::Table(t) => schema.add_table(t),
            Parsed::Index(i) => schema.add_index(i),
            Parsed::View(v) => schema.add_view(v),
            Parsed::Trigger(t) => schema.add_trigger(t),
        }
    }
}

/// The rows of `main.sqlite_schema` that describe user objects, in the order they were stored.
pub(crate) fn stored(conn: &Connection) -> Result<Vec<Stored>> {
    let mut stmt = conn.prepare(
        "SELECT type, name, tbl_name, sql FROM main.sqlite_schema \
         WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let kind: String = row.get(0)?;
        let kind = match kind.as_str() {
            "table" => Kind::Table,
            "view" => Kind::View,
            "index" => Kind::Index,
            "trigger" => Kind::Trigger,
            _ => continue,
        };
        out.push(Stored { kind, name: row.get(1)?, table: row.get(2)?, sql: row.get(3)? });
    }
    Ok(out)
}

/// Reads one stored object with strata's parsers.
pub(crate) fn parse_stored(row: &Stored) -> Result<Parsed> {
    let kind = match row.kind {
        Kind::Table => "table",
        Kind::View => "view",
        Kind::Index => "index",
        Kind::Trigger => "trigger",
    };
    let wrap = |cause| Error::Parse { object: format!("{kind} {}", row.name), cause };
    Ok(match row.kind {
        Kind::Table => {
            if statement::classify(&row.sql).object == Some(statement::Object::VirtualTable) {
                return Err(Error::Unsupported(format!("virtual table `{}`", row.name)));
            }
            Parsed::Table(parse::parse_create_table(&row.sql).map_err(wrap)?)
        }
        Kind::Index => Parsed::Index(parse::parse_create_index(&row.sql).map_err(wrap)?),
        Kind::View => Parsed::View(parse::parse_create_view(&row.sql).map_err(wrap)?),
        Kind::Trigger => Parsed::Trigger(parse::parse_create_trigger(&row.sql).map_err(wrap)?),
    })
}
