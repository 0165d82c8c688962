//! Scratch databases: in-memory connections that untrusted SQL (a project's revisions and
//! rows, an imported file, a backup) runs in before anything live is touched, kept from other
//! files and from corrupting themselves, and checked before they may replace a live database.

use rusqlite::backup::{Backup, StepResult};
use rusqlite::config::DbConfig;
use rusqlite::limits::Limit;
use rusqlite::{Connection, MAIN_DB};

use crate::error::sqlite_message;

/// Limits what the SQL run on a scratch connection (a project's revisions and data, or a file
/// or backup being read) can reach: DEFENSIVE mode refuses the features that corrupt a database
/// on purpose (`writable_schema`, `sqlite_dbpage` writes), and no database may be attached, so
/// the SQL cannot reach the live database's file or the backup store through the default VFS.
pub fn harden(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 0)?;
    Ok(())
}

/// Gives `scratch` the live connection's settings: the attach limit and DEFENSIVE mode that
/// [`harden`] changed, and whether foreign keys are enforced.
pub fn like_live(scratch: &Connection, live: &Connection) -> rusqlite::Result<()> {
    scratch.set_limit(
        Limit::SQLITE_LIMIT_ATTACHED,
        live.limit(Limit::SQLITE_LIMIT_ATTACHED)?,
    )?;
    scratch.set_db_config(
        DbConfig::SQLITE_DBCONFIG_DEFENSIVE,
        live.db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE)?,
    )?;
    let enforced: bool = live.query_row("PRAGMA foreign_keys", [], |row| row.get(0))?;
    scratch.execute_batch(&format!(
        "PRAGMA foreign_keys = {}",
        if enforced { "ON" } else { "OFF" }
    ))
}

/// Runs SQLite's `quick_check` or `integrity_check` and says what it found first, unless the
/// database is sound.
pub fn sound(conn: &Connection, pragma: &str) -> Result<(), String> {
    let verdict: Vec<String> = (|| {
        let mut stmt = conn.prepare(&format!("PRAGMA {pragma}"))?;
        let rows = stmt.query_map([], |row| row.get(0))?;
        rows.collect::<rusqlite::Result<_>>()
    })()
    .map_err(|e| format!("it is damaged ({})", sqlite_message(&e)))?;
    if verdict == ["ok"] {
        return Ok(());
    }
    let first = verdict.first().cloned().unwrap_or_default();
    Err(format!(
        "it is damaged ({}: {first})",
        pragma.replace('_', " ")
    ))
}

pub fn table_exists(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = ?1",
        [name],
        |row| row.get(0),
    )
}

/// A writable in-memory copy of a database file's bytes, [`harden`]ed, and stopped by a running
/// time budget (`budget::within`).
pub fn scratch_from(bytes: &[u8]) -> rusqlite::Result<Connection> {
    let mut conn = Connection::open_in_memory()?;
    harden(&conn)?;
    crate::budget::watch(&mut conn)?;
    conn.deserialize_read_exact(MAIN_DB, bytes, bytes.len(), false)?;
    Ok(conn)
}

/// An empty scratch database, [`harden`]ed, and stopped by a running time budget.
pub fn scratch() -> rusqlite::Result<Connection> {
    let mut conn = Connection::open_in_memory()?;
    harden(&conn)?;
    crate::budget::watch(&mut conn)?;
    Ok(conn)
}

/// Copies `scratch` over `live` with SQLite's backup API, all pages in one step: one write
/// transaction on `live`, committed whole or not at all, so a failure leaves it as it was. A
/// file destination takes the scratch database's page size with the pages.
pub fn copy_over(scratch: &Connection, live: &mut Connection) -> Result<(), String> {
    let failed = |e: rusqlite::Error| {
        format!(
            "cannot replace the database ({}); nothing was changed",
            sqlite_message(&e)
        )
    };
    let copy = Backup::new(scratch, live).map_err(failed)?;
    match copy.step(-1).map_err(failed)? {
        StepResult::Done => Ok(()),
        other => Err(format!(
            "cannot replace the database: it is in use ({other:?}); nothing was changed"
        )),
    }
}

/// The database file `conn` holds, as bytes. `sqlite3_serialize` reads a database on any VFS
/// page by page through its pager, so this works on the browser's OPFS file too.
pub fn file_bytes(conn: &mut Connection) -> rusqlite::Result<Vec<u8>> {
    Ok(conn.serialize(MAIN_DB)?.to_vec())
}
