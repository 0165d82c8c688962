//! The live connection's guard rails, so nothing typed into the playground can make its saved
//! database unreadable or leave a setting behind: SQLite's defensive mode and no attached
//! databases (as the scratch connections have), the connection's settings put back by every
//! replacement of the database, TEMP objects dropped after each request, and the two ways out of
//! a saved file that no longer reads as a database: its raw bytes, and an empty database in
//! its place.

use std::ffi::{c_int, c_void};

use rusqlite::config::DbConfig;
use rusqlite::limits::Limit;
use rusqlite::{ffi, Connection};
use strata_core::sql::quote as quote_ident;

use crate::transfer::scratch;

/// Settings a statement can change that would outlive it, each with the value the playground
/// runs with. The console and revisions refuse statements that change them
/// (`statement::breaks_transaction`); every replacement of the database (Reset, a load, an
/// import, a restore) also puts them back, so even a way around that refusal ends there.
const SETTINGS: [(&str, &str); 6] = [
    ("query_only", "OFF"),
    ("writable_schema", "OFF"),
    ("ignore_check_constraints", "OFF"),
    ("recursive_triggers", "OFF"),
    ("legacy_alter_table", "OFF"),
    ("defer_foreign_keys", "OFF"),
];

/// Makes a connection as defensive as a scratch one: SQLite's DEFENSIVE mode (no
/// `writable_schema`, no writes to `sqlite_dbpage` or to shadow tables, so no statement can
/// corrupt the file on purpose) and no attached databases (the console refuses ATTACH too; this
/// holds whatever reaches the connection).
pub(super) fn harden(conn: &Connection) -> rusqlite::Result<()> {
    scratch::harden(conn)
}

/// Puts back the settings of [`SETTINGS`] and hardens the connection again. Foreign-key
/// enforcement is left as it is: the workspace itself decides it (the browser's SQLite leaves
/// it off, the native one on), and every replacement keeps it (`scratch::like_live`).
pub(super) fn restore_settings(conn: &Connection) -> rusqlite::Result<()> {
    harden(conn)?;
    for (name, value) in SETTINGS {
        conn.execute_batch(&format!("PRAGMA {name} = {value}"))?;
    }
    Ok(())
}

/// Drops every TEMP trigger, view and table (their indexes go with them). TEMP objects belong to
/// the connection, not the database: the panels cannot show them, a reload or a restarted worker
/// loses them, and a TEMP trigger on a main table would fire inside a later migration. So they
/// last for the request (a console script) that made them and no longer.
pub(super) fn drop_temp_objects(conn: &Connection) -> rusqlite::Result<usize> {
    let objects: Vec<(String, String)> = {
        let mut stmt = conn.prepare(
            "SELECT type, name FROM sqlite_temp_master \
             WHERE type IN ('trigger', 'view', 'table') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
             ORDER BY CASE type WHEN 'trigger' THEN 0 WHEN 'view' THEN 1 ELSE 2 END",
        )?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (kind, name) in &objects {
        conn.execute_batch(&format!(
            "DROP {} IF EXISTS temp.{}",
            kind.to_uppercase(),
            quote_ident(name)
        ))?;
    }
    Ok(objects.len())
}

/// The main database file's bytes exactly as stored, read through the connection's own VFS
/// file (so it works for the browser's OPFS pool as for a file on disk) without asking SQLite
/// to understand them: this is how a file that no longer reads as a database is handed to the
/// visitor. A database in memory has no file; its image is serialized instead.
pub(super) fn raw_file_bytes(conn: &Connection) -> Result<Vec<u8>, String> {
    let mut file: *mut ffi::sqlite3_file = std::ptr::null_mut();
    // SAFETY: `handle` is the live connection's own pointer, used only while `conn` is
    // borrowed; FILE_POINTER writes the main database's `sqlite3_file` into `file`, which
    // SQLite keeps open (and valid) for as long as the connection is, and no other call runs
    // on this connection meanwhile (the workspace is single-threaded).
    let code = unsafe {
        ffi::sqlite3_file_control(
            conn.handle(),
            c"main".as_ptr(),
            ffi::SQLITE_FCNTL_FILE_POINTER,
            (&raw mut file).cast::<c_void>(),
        )
    };
    if code != ffi::SQLITE_OK {
        return Err(format!("SQLite did not hand out the file (code {code})"));
    }
    // SAFETY: as above; a file SQLite has not opened has no methods, checked before use.
    let methods = unsafe { file.as_ref().and_then(|f| f.pMethods.as_ref()) };
    let (Some(methods), false) = (methods, file.is_null()) else {
        return Err("the database has no file".to_owned());
    };
    let (Some(size_of), Some(read)) = (methods.xFileSize, methods.xRead) else {
        return Err("the database's file cannot be read".to_owned());
    };
    let mut size: ffi::sqlite3_int64 = 0;
    // SAFETY: `file` is open (above) and `size` outlives the call.
    let code = unsafe { size_of(file, &raw mut size) };
    if code != ffi::SQLITE_OK || size < 0 {
        return Err(format!(
            "the database file's size cannot be read (code {code})"
        ));
    }
    let mut bytes = vec![0u8; usize::try_from(size).unwrap_or(0)];
    let mut offset = 0usize;
    while offset < bytes.len() {
        let chunk = (bytes.len() - offset).min(1 << 20);
        // SAFETY: the destination holds `chunk` writable bytes at `offset`, and `file` is
        // open. SQLite's xRead fills a short read with zeros and says so, which is not an
        // error here: the bytes past the end are the file's end.
        let code = unsafe {
            read(
                file,
                bytes.as_mut_ptr().add(offset).cast::<c_void>(),
                chunk as c_int,
                offset as ffi::sqlite3_int64,
            )
        };
        if code != ffi::SQLITE_OK && code != ffi::SQLITE_IOERR_SHORT_READ {
            return Err(format!(
                "the database file cannot be read at byte {offset} (code {code})"
            ));
        }
        offset += chunk;
    }
    Ok(bytes)
}

/// Empties a database however damaged its file is, in place (SQLite's documented way:
/// `SQLITE_DBCONFIG_RESET_DATABASE`, then `VACUUM`), so a replacement can then be copied over
/// it. Only a replacement calls this, once the replacement has been built and checked.
pub(super) fn wipe(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_RESET_DATABASE, true)?;
    let vacuumed = vacuum(conn);
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_RESET_DATABASE, false)?;
    vacuumed
}

/// `VACUUM`, which builds its copy in a database SQLite attaches for the purpose, so the limit
/// of no attached databases is lifted for it alone (the statement is strata's, not the
/// visitor's).
pub(super) fn vacuum(conn: &Connection) -> rusqlite::Result<()> {
    let limit = conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 1)?;
    let vacuumed = conn.execute_batch("VACUUM");
    conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, limit)?;
    vacuumed
}
