//! Rows as SQL, both ways: every row of a database's own tables dumped as `INSERT` statements
//! (then the AUTOINCREMENT counters), and such SQL loaded into another database with the
//! triggers set aside, so that what they wrote when the rows were first made is not written
//! twice. A project file's and a share link's data are this SQL.

use std::collections::BTreeSet;

use rusqlite::Connection;
use strata_core::sql::{self, quote as quote_ident};
use strata_core::statement::{self, Object, Verb};

use super::scratch::table_exists;
use crate::error::sqlite_message;

/// What a statement of a project's data is, as far as loading the rows cares. Names are
/// lower-cased, as SQLite compares them ignoring ASCII case.
#[derive(Debug, PartialEq)]
pub(crate) enum DataStatement {
    CreateTable(String),
    CreateTrigger(String),
    DropTrigger(String),
    /// `DROP TABLE` or `DROP VIEW`, which drops the triggers on it too.
    DropTable(String),
    /// An INSERT or REPLACE into the table, when the statement names it plainly.
    Rows(Option<String>),
    Other,
}

/// What a statement of a project's data is, read by the core's statement classifier, so
/// comments, quoted names and `schema.name` are read as SQLite reads them.
pub(crate) fn classify(text: &str) -> DataStatement {
    let c = statement::classify(text);
    let name = c.name.as_ref().map(|n| n.name.to_ascii_lowercase());
    match (c.verb, c.object, name) {
        (Verb::Create, Some(Object::Trigger), Some(n)) => DataStatement::CreateTrigger(n),
        (Verb::Create, Some(Object::Table), Some(n)) => DataStatement::CreateTable(n),
        (Verb::Drop, Some(Object::Trigger), Some(n)) => DataStatement::DropTrigger(n),
        (Verb::Drop, Some(Object::Table | Object::View), Some(n)) => DataStatement::DropTable(n),
        (Verb::Insert | Verb::Replace, _, n) => DataStatement::Rows(n),
        _ => DataStatement::Other,
    }
}

/// A trigger taken away while rows are loaded: its name, its table and its SQL.
struct SetAside {
    name: String,
    table: String,
    sql: String,
}

/// Runs a project's data (the drift SQL, then the rows, then the AUTOINCREMENT counters) on
/// the scratch database in statement order, in one transaction.
///
/// The rows already hold what triggers wrote when they were first made (an audit log, a
/// counter); firing the triggers again would write it twice. So before the first statement
/// that writes rows into a table the data did not create itself (only such a table can have a
/// trigger at that point), the triggers that exist then are set aside, and put back after the
/// last statement. Until then the data's statements see the triggers the revisions made, so
/// its drift can drop or change them. A set-aside trigger that a later statement drops, or
/// whose table it drops, is forgotten, as SQLite would drop it. `CREATE TRIGGER` statements
/// (made in the console, outside revisions) wait until after the rows too, and one of them
/// replaces a set-aside trigger of the same name.
pub fn add_data(scratch: &Connection, data: &str) -> Result<(), String> {
    if data.trim().is_empty() {
        return Ok(());
    }
    let scratch_failed = |e: rusqlite::Error| {
        format!(
            "cannot build the project ({}); nothing was changed",
            sqlite_message(&e)
        )
    };
    let tx = scratch.unchecked_transaction().map_err(scratch_failed)?;
    // Rows are exported table by table in name order, so a child may come before its
    // parent; foreign keys (when enforced) are checked once, at commit.
    tx.execute_batch("PRAGMA defer_foreign_keys = ON")
        .map_err(scratch_failed)?;
    let mut set_aside: Option<Vec<SetAside>> = None;
    let mut created_tables: BTreeSet<String> = BTreeSet::new();
    let mut created_triggers: Vec<(String, String)> = Vec::new();
    for statement in sql::split_statements(data) {
        match classify(&statement.text) {
            DataStatement::CreateTrigger(name) => {
                created_triggers.push((name, statement.text.clone()));
                continue;
            }
            DataStatement::DropTrigger(name) => {
                // A trigger that is set aside or still waiting does not exist at this point,
                // so dropping it means forgetting it rather than running the DROP.
                let waiting = |triggers: &Vec<SetAside>| triggers.iter().any(|t| t.name == name);
                if set_aside.as_ref().is_some_and(waiting)
                    || created_triggers.iter().any(|(n, _)| *n == name)
                {
                    if let Some(aside) = set_aside.as_mut() {
                        aside.retain(|t| t.name != name);
                    }
                    created_triggers.retain(|(n, _)| *n != name);
                    continue;
                }
            }
            DataStatement::DropTable(name) => {
                if let Some(aside) = set_aside.as_mut() {
                    aside.retain(|t| t.table != name);
                }
            }
            DataStatement::CreateTable(name) => {
                created_tables.insert(name);
            }
            DataStatement::Rows(table) => {
                let own = table.is_some_and(|t| created_tables.contains(&t));
                if set_aside.is_none() && !own {
                    set_aside = Some(set_triggers_aside(&tx).map_err(scratch_failed)?);
                }
            }
            DataStatement::Other => {}
        }
        tx.execute_batch(&statement.text).map_err(|e| {
            format!(
                "the project's data cannot be added (line {}: {}); nothing was changed",
                statement.line,
                sqlite_message(&e)
            )
        })?;
    }
    for trigger in set_aside.unwrap_or_default() {
        if created_triggers.iter().any(|(n, _)| *n == trigger.name) {
            continue;
        }
        tx.execute_batch(&trigger.sql).map_err(scratch_failed)?;
    }
    for (_, sql) in &created_triggers {
        tx.execute_batch(sql).map_err(scratch_failed)?;
    }
    tx.commit().map_err(scratch_failed)
}

/// Drops every trigger of the database and returns what it takes to make them again.
fn set_triggers_aside(conn: &Connection) -> rusqlite::Result<Vec<SetAside>> {
    let triggers: Vec<SetAside> = {
        let mut stmt = conn.prepare(
            "SELECT name, tbl_name, sql FROM sqlite_schema WHERE type = 'trigger' AND sql IS NOT NULL",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok(SetAside {
                name: row.get::<_, String>(0)?.to_ascii_lowercase(),
                table: row.get::<_, String>(1)?.to_ascii_lowercase(),
                sql: row.get(2)?,
            })
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for trigger in &triggers {
        conn.execute_batch(&format!("DROP TRIGGER {}", quote_ident(&trigger.name)))?;
    }
    Ok(triggers)
}

/// One INSERT statement per row of every table of the visitor's (strata's own tables, SQLite's
/// internal ones and virtual tables left out), then the AUTOINCREMENT counters of those tables.
/// Generated columns are left out: SQLite computes them again.
pub fn data_sql(conn: &Connection, skip: &[&str]) -> rusqlite::Result<String> {
    let tables = own_tables(conn, skip)?;
    let mut out = String::new();
    for table in &tables {
        let columns: Vec<String> = {
            let mut stmt = conn.prepare(&format!("PRAGMA table_xinfo({})", quote_ident(table)))?;
            let rows = stmt.query_map([], |row| {
                Ok((row.get::<_, String>("name")?, row.get::<_, i64>("hidden")?))
            })?;
            rows.filter_map(|r| match r {
                Ok((name, 0)) => Some(Ok(name)),
                Ok(_) => None,
                Err(e) => Some(Err(e)),
            })
            .collect::<rusqlite::Result<_>>()?
        };
        if columns.is_empty() {
            continue;
        }
        let list = columns.iter().map(|c| quote_ident(c)).collect::<Vec<_>>();
        let head = format!(
            "INSERT INTO {} ({}) VALUES (",
            quote_ident(table),
            list.join(", ")
        );
        let mut stmt = conn.prepare(&format!(
            "SELECT {} FROM {}",
            list.join(", "),
            quote_ident(table)
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            out.push_str(&head);
            for i in 0..columns.len() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&literal(row.get_ref(i)?));
            }
            out.push_str(");\n");
        }
    }
    // An AUTOINCREMENT counter can be ahead of the largest rowid (the newest row was deleted),
    // and the inserts above only bring it up to that rowid; without it, new rows would reuse
    // ids the original database never gives out again. It comes after the rows, which set it
    // too, and as DELETE + INSERT since sqlite_sequence has no key to upsert on.
    if table_exists(conn, "sqlite_sequence")? {
        let mut stmt = conn.prepare("SELECT name, seq FROM sqlite_sequence ORDER BY name")?;
        let rows = stmt.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, rusqlite::types::Value>(1)?,
            ))
        })?;
        for row in rows {
            let (name, seq) = row?;
            let rusqlite::types::Value::Integer(seq) = seq else {
                continue;
            };
            if !tables.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
                continue;
            }
            let name = strata_core::sql::quote_str(&name);
            out.push_str(&format!(
                "DELETE FROM sqlite_sequence WHERE name = {name};\n\
                 INSERT INTO sqlite_sequence (name, seq) VALUES ({name}, {seq});\n"
            ));
        }
    }
    Ok(out)
}

/// The tables whose rows [`data_sql`] dumps, in name order: not SQLite's own, not virtual
/// ones, and none of `skip` (strata's tables).
fn own_tables(conn: &Connection, skip: &[&str]) -> rusqlite::Result<Vec<String>> {
    let tables: Vec<String> = {
        let mut stmt = conn.prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
             AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL%' ORDER BY name",
        )?;
        let rows = stmt.query_map([], |row| row.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    Ok(tables
        .into_iter()
        .filter(|t| !skip.iter().any(|s| s.eq_ignore_ascii_case(t)))
        .collect())
}

/// How many rows [`data_sql`] would dump, and from how many tables that hold any.
pub fn row_count(conn: &Connection, skip: &[&str]) -> rusqlite::Result<(u64, usize)> {
    let (mut rows, mut tables) = (0, 0);
    for table in own_tables(conn, skip)? {
        let n: i64 = conn.query_row(
            &format!("SELECT count(*) FROM {}", quote_ident(&table)),
            [],
            |row| row.get(0),
        )?;
        if n > 0 {
            rows += n as u64;
            tables += 1;
        }
    }
    Ok((rows, tables))
}

/// A value as a SQL literal that reads back as the same value and type.
pub fn literal(value: rusqlite::types::ValueRef<'_>) -> String {
    use rusqlite::types::ValueRef;
    match value {
        ValueRef::Null => "NULL".to_owned(),
        ValueRef::Integer(i) => i.to_string(),
        // Debug prints the shortest text that reads back as the same double; SQLite reads a
        // literal too large for a double as infinity.
        ValueRef::Real(r) if r.is_infinite() => if r > 0.0 { "9e999" } else { "-9e999" }.to_owned(),
        ValueRef::Real(r) => {
            let text = format!("{r:?}");
            if text.contains(['.', 'e']) {
                text
            } else {
                format!("{text}.0")
            }
        }
        ValueRef::Text(t) => format!("'{}'", String::from_utf8_lossy(t).replace('\'', "''")),
        ValueRef::Blob(b) => {
            let hex: String = b.iter().map(|byte| format!("{byte:02X}")).collect();
            format!("X'{hex}'")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_statements_are_read_as_sqlite_reads_them() {
        use DataStatement::*;
        for (text, expected) in [
            (
                "-- note\nCREATE TRIGGER \"T\" AFTER INSERT ON t BEGIN SELECT 1; END",
                CreateTrigger("t".into()),
            ),
            (
                "CREATE TEMP TRIGGER IF NOT EXISTS main.x AFTER INSERT ON t BEGIN SELECT 1; END",
                CreateTrigger("x".into()),
            ),
            (
                "DROP TRIGGER IF EXISTS \"Users_Audit\"",
                DropTrigger("users_audit".into()),
            ),
            ("DROP VIEW v", DropTable("v".into())),
            (
                "CREATE TABLE IF NOT EXISTS \"_strata_new_t\" (x)",
                CreateTable("_strata_new_t".into()),
            ),
            (
                "INSERT OR REPLACE INTO main.\"t\" (x) VALUES (1)",
                Rows(Some("t".into())),
            ),
            ("REPLACE INTO t VALUES (1)", Rows(Some("t".into()))),
            (
                "WITH a AS (SELECT 1) INSERT INTO t SELECT * FROM a",
                Rows(Some("t".into())),
            ),
            ("DELETE FROM sqlite_sequence WHERE name = 't'", Other),
        ] {
            assert_eq!(classify(text), expected, "{text}");
        }
    }
}
