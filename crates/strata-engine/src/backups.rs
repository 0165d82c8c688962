//! Connection side: backups checked, read and put back. Where backups live is the caller's
//! business (files beside the database in the CLI, a store of images in the playground); this
//! module works on open connections.
//!
//! **A restore replaces the whole database in one write transaction, or not at all.** It
//! checks the backup with `PRAGMA integrity_check` first, then takes the write lock on the
//! live database and keeps it for the whole restore (`locking_mode = EXCLUSIVE`: other
//! connections wait, readers too, and none can write between the two next steps), lets the
//! caller keep the current database as a backup, and copies the backup over it with SQLite's
//! backup API. That copy is one transaction of the live database: its journal (or its WAL)
//! holds what it replaces until it commits, so a process killed in the middle leaves a hot
//! journal that the next connection rolls back, and the database is the old one; after the
//! commit it is the new one. Nothing else touches the files beside the database. Other
//! processes that keep the database open see the restored one from their next transaction.
//! In WAL mode the exclusive lock also waits for every other connection that has read the
//! database to close (such a connection keeps a shared lock while it is open): a restore of a
//! WAL database needs the app stopped, and says so when the wait runs out.

use rusqlite::backup::{Backup, StepResult};
use rusqlite::Connection;

use crate::migrate::{self, MigrateError};
use crate::error::sqlite_message;
use strata_core::revision::Graph;

/// Why a restore did not happen. Every message says that the database is as it was.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RestoreError {
    #[error("the backup fails PRAGMA integrity_check ({details}), so it was not used and the database was not changed")]
    Damaged { details: String },
    #[error("cannot take the write lock on the database ({cause}), so nothing was restored and the database was not changed")]
    Locked { cause: String, code: Option<rusqlite::ErrorCode> },
    #[error("the current database could not be kept as a backup ({cause}), so nothing was restored and the database was not changed")]
    Keep { cause: String },
    #[error("copying the backup into the database failed ({cause}); SQLite rolled the copy back, so the database is as it was")]
    Copy { cause: String },
    #[error("the restore was stopped before the copy committed; SQLite rolled it back, so the database is as it was")]
    Interrupted,
    #[error("cannot read the database or the backup: {cause}; nothing was changed")]
    Read { cause: String },
}

impl RestoreError {
    /// SQLite's code when the write lock could not be taken (`DatabaseBusy`: another process
    /// held it past the busy timeout).
    pub fn sqlite_code(&self) -> Option<rusqlite::ErrorCode> {
        match self {
            RestoreError::Locked { code, .. } => *code,
            _ => None,
        }
    }
}

/// `PRAGMA integrity_check`: `["ok"]` for a sound database, else one line per problem.
pub fn integrity(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let lines = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(lines)
}

/// The revisions a database (a backup) is at, as `current` says it: the applied revisions
/// nothing applied builds on, then applied versions no revision file knows. Empty at base.
pub fn revisions_at(conn: &Connection, graph: &Graph, version_table: &str) -> Result<Vec<String>, MigrateError> {
    let ids: std::collections::BTreeSet<String> = migrate::applied(conn, version_table)?.into_iter().map(|r| r.version).collect();
    let mut at = graph.current(&ids);
    at.extend(ids.iter().filter(|id| graph.get(id).is_none()).cloned());
    Ok(at)
}

/// Puts `backup` in place of the database `live` has open (see the module documentation).
/// `keep` is called under the write lock, before anything changes, to keep the current
/// database as a backup; its value is returned. `stop` is asked between chunks of the copy
/// (Ctrl-C): a stop rolls the copy back.
pub fn restore<K>(
    live: &mut Connection,
    backup: &Connection,
    keep: impl FnOnce(&Connection) -> Result<K, String>,
    stop: &dyn Fn() -> bool,
) -> Result<K, RestoreError> {
    // A backup damaged beyond what the check can walk makes the check itself fail.
    let verdict = integrity(backup).map_err(|e| RestoreError::Damaged { details: sqlite_message(&e) })?;
    if verdict != ["ok"] {
        return Err(RestoreError::Damaged { details: verdict.join("; ") });
    }
    // Opening a database rolls back a hot journal a killed writer left; the first read here
    // does it before the lock is taken for the restore.
    live.query_row("SELECT count(*) FROM main.sqlite_schema", [], |r| r.get::<_, i64>(0)).map_err(|e| RestoreError::Read { cause: sqlite_message(&e) })?;
    let wal = live.query_row("PRAGMA journal_mode", [], |r| r.get::<_, String>(0)).map(|m| m.eq_ignore_ascii_case("wal")).unwrap_or(false);
    let locked = live.execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;").map_err(|e| {
        let mut cause = sqlite_message(&e);
        if wal {
            // In WAL mode a connection that has read the database keeps a shared lock on it
            // while it stays open, so the exclusive lock waits for every one to close.
            cause.push_str("; the database is in WAL mode, where every connection that has read it keeps it locked while it stays open, so stop the processes that use it (the app) first");
        }
        RestoreError::Locked { cause, code: e.sqlite_error_code() }
    });
    let result = locked.and_then(|()| {
        let kept = keep(live).map_err(|cause| RestoreError::Keep { cause })?;
        copy_in(live, backup, stop)?;
        Ok(kept)
    });
    // Back to normal locking; the next read releases the lock.
    let _ = live.execute_batch("PRAGMA locking_mode = NORMAL;");
    if !live.is_autocommit() {
        let _ = live.execute_batch("ROLLBACK");
    }
    let _ = live.query_row("SELECT count(*) FROM main.sqlite_schema", [], |r| r.get::<_, i64>(0));
    result
}

/// The backup API's copy into `live`, in chunks so that `stop` is asked between them; the
/// live database's write transaction spans every chunk and commits with the last one.
fn copy_in(live: &mut Connection, backup: &Connection, stop: &dyn Fn() -> bool) -> Result<(), RestoreError> {
    let copy = Backup::new(backup, live).map_err(|e| RestoreError::Copy { cause: sqlite_message(&e) })?;
    loop {
        if stop() {
            // Dropping the backup ends it; SQLite rolls back the live database's transaction.
            return Err(RestoreError::Interrupted);
        }
        match copy.step(256).map_err(|e| RestoreError::Copy { cause: sqlite_message(&e) })? {
            StepResult::Done => return Ok(()),
            StepResult::Busy | StepResult::Locked => return Err(RestoreError::Copy { cause: "the backup file is locked by another process".into() }),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db(dir: &std::path::Path, name: &str, sql: &str) -> Connection {
        let c = Connection::open(dir.join(name)).unwrap();
        c.execute_batch(sql).unwrap();
        c
    }

    fn rows(c: &Connection) -> Vec<i64> {
        let mut s = c.prepare("SELECT x FROM t ORDER BY x").unwrap();
        s.query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
    }

    #[test]
    fn a_restore_keeps_the_current_database_first_and_holds_the_lock_throughout() {
        let dir = tempfile::tempdir().unwrap();
        let mut live = db(dir.path(), "app.db", "CREATE TABLE t (x); INSERT INTO t VALUES (1), (2);");
        let backup = db(dir.path(), "old.bak", "CREATE TABLE t (x); INSERT INTO t VALUES (9);");
        let other = Connection::open(dir.path().join("app.db")).unwrap();
        other.busy_timeout(std::time::Duration::ZERO).unwrap();
        let kept_path = dir.path().join("kept.bak");
        let kept = restore(
            &mut live,
            &backup,
            |conn| {
                // Under the lock, another connection can neither read nor write.
                assert!(other.query_row("SELECT count(*) FROM t", [], |r| r.get::<_, i64>(0)).is_err());
                conn.execute("VACUUM INTO ?1", [kept_path.to_string_lossy()]).map_err(|e| e.to_string())?;
                Ok("kept")
            },
            &|| false,
        )
        .unwrap();
        assert_eq!(kept, "kept");
        assert_eq!(rows(&live), [9]);
        assert_eq!(rows(&other), [9], "other connections see the restored database");
        assert_eq!(rows(&Connection::open(&kept_path).unwrap()), [1, 2]);
        assert!(!dir.path().join("app.db-journal").exists());
        other.execute("INSERT INTO t VALUES (10)", []).unwrap();
    }

    #[test]
    fn a_database_in_wal_mode_is_restored_once_no_other_connection_holds_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut live = db(dir.path(), "app.db", "PRAGMA journal_mode = WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1), (2);");
        live.busy_timeout(std::time::Duration::ZERO).unwrap();
        let backup = db(dir.path(), "old.bak", "CREATE TABLE t (x); INSERT INTO t VALUES (9);");
        let app = Connection::open(dir.path().join("app.db")).unwrap();
        assert_eq!(rows(&app), [1, 2]);
        let e = restore(&mut live, &backup, |_| Ok(()), &|| false).unwrap_err();
        assert!(matches!(e, RestoreError::Locked { code: Some(rusqlite::ErrorCode::DatabaseBusy), .. }), "{e}");
        assert!(e.to_string().contains("WAL mode") && e.to_string().contains("the database was not changed"), "{e}");
        assert_eq!(rows(&app), [1, 2]);
        drop(app);
        restore(&mut live, &backup, |_| Ok(()), &|| false).unwrap();
        let mode: String = live.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        drop(live);
        let reopened = Connection::open(dir.path().join("app.db")).unwrap();
        assert_eq!(rows(&reopened), [9]);
        assert_eq!(integrity(&reopened).unwrap(), ["ok"]);
    }

    #[test]
    fn a_damaged_backup_or_a_failed_keep_or_a_stop_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut live = db(dir.path(), "app.db", "CREATE TABLE t (x); INSERT INTO t VALUES (1);");
        let backup = db(dir.path(), "old.bak", "CREATE TABLE t (x); INSERT INTO t VALUES (9);");
        let e = restore(&mut live, &backup, |_| Err::<(), _>("disk full".into()), &|| false).unwrap_err();
        assert_eq!(e.to_string(), "the current database could not be kept as a backup (disk full), so nothing was restored and the database was not changed");
        let e = restore(&mut live, &backup, |_| Ok(()), &|| true).unwrap_err();
        assert!(matches!(e, RestoreError::Interrupted), "{e}");
        assert_eq!(rows(&live), [1]);
        // Damage the backup's only table page: the check refuses it.
        drop(backup);
        let path = dir.path().join("old.bak");
        let mut bytes = std::fs::read(&path).unwrap();
        let page = bytes.len() / 2;
        for b in &mut bytes[page + 8..page + 64] {
            *b = 0xff;
        }
        std::fs::write(&path, bytes).unwrap();
        let damaged = Connection::open(&path).unwrap();
        let e = restore(&mut live, &damaged, |_| Ok(()), &|| false).unwrap_err();
        assert!(matches!(e, RestoreError::Damaged { .. }), "{e}");
        assert_eq!(rows(&live), [1]);
        // The lock is given back whatever happened.
        Connection::open(dir.path().join("app.db")).unwrap().execute("INSERT INTO t VALUES (2)", []).unwrap();
    }

    #[test]
    fn the_revisions_a_backup_is_at_come_from_its_version_table() {
        let conn = Connection::open_in_memory().unwrap();
        let g = Graph::default();
        assert!(revisions_at(&conn, &g, "schema_version").unwrap().is_empty());
        conn.execute_batch(&migrate::version_table_ddl("schema_version")).unwrap();
        conn.execute("INSERT INTO schema_version (version, applied_at, checksum) VALUES ('gone', 't', 'c')", []).unwrap();
        assert_eq!(revisions_at(&conn, &g, "schema_version").unwrap(), ["gone"]);
    }
}
