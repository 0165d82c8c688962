//! Helpers shared by the engine's unit tests that run migrations on real database files.

use std::path::Path;

use rusqlite::Connection;

/// Every statement a revision may not contain, one of each kind (and each spelling that matters),
/// with `{dir}` standing for a temporary folder so ATTACH and VACUUM INTO would leave a file
/// there if they ran.
pub const BREAKERS: &[&str] = &[
    "BEGIN",
    "BEGIN IMMEDIATE TRANSACTION",
    "COMMIT",
    "END TRANSACTION",
    "ROLLBACK",
    "SAVEPOINT sneak",
    "RELEASE sneak",
    "ROLLBACK TO sneak",
    "ATTACH DATABASE '{dir}/other.db' AS other",
    "DETACH DATABASE other",
    "VACUUM",
    "VACUUM INTO '{dir}/copy.db'",
    "PRAGMA writable_schema = ON",
    "PRAGMA journal_mode = WAL",
    "PRAGMA journal_mode = OFF",
    "PRAGMA locking_mode = EXCLUSIVE",
    "PRAGMA synchronous = OFF",
    "PRAGMA foreign_keys = OFF",
    "PRAGMA schema_version = 1",
    "PRAGMA ignore_check_constraints = ON",
];

/// A breaking statement with its placeholder filled in.
pub fn breaker(template: &str, dir: &Path) -> String {
    template.replace("{dir}", &dir.display().to_string())
}

/// Everything a statement could have changed: the schema, every row of every table (the
/// version table without its clock columns), the attached databases, the journal mode, the
/// connection's foreign key and CHECK settings, and the files in `dir`.
pub fn dump(conn: &Connection, dir: &Path) -> String {
    let mut out = String::new();
    let mut objects: Vec<(String, String, Option<String>)> = Vec::new();
    {
        let mut s = conn.prepare("SELECT type, name, sql FROM sqlite_schema ORDER BY type, name").unwrap();
        let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
        for row in rows {
            objects.push(row.unwrap());
        }
    }
    for (kind, name, sql) in &objects {
        out.push_str(&format!("{kind} {name}: {}\n", sql.as_deref().unwrap_or("")));
        if kind == "table" {
            let cols = if name == "schema_version" { "version, description, checksum" } else { "*" };
            let mut q = conn.prepare(&format!("SELECT {cols} FROM \"{name}\" ORDER BY 1")).unwrap();
            let n = q.column_count();
            let rows = q
                .query_map([], |r| (0..n).map(|i| r.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}"))).collect::<rusqlite::Result<Vec<_>>>())
                .unwrap();
            for row in rows {
                out.push_str(&format!("  {}\n", row.unwrap().join(" | ")));
            }
        }
    }
    let databases: Vec<String> = {
        let mut s = conn.prepare("SELECT name FROM pragma_database_list ORDER BY seq").unwrap();
        let v = s.query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap();
        v
    };
    out.push_str(&format!("databases: {}\n", databases.join(", ")));
    for pragma in ["journal_mode", "locking_mode", "synchronous", "foreign_keys", "ignore_check_constraints", "writable_schema"] {
        let v: rusqlite::types::Value = conn.query_row(&format!("PRAGMA {pragma}"), [], |r| r.get(0)).unwrap();
        out.push_str(&format!("{pragma}: {v:?}\n"));
    }
    let mut files: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    files.sort();
    out.push_str(&format!("files: {}\n", files.join(", ")));
    out
}

/// A database file in a fresh folder, opened as the CLI opens it (foreign keys on), holding a
/// table `t` with two rows.
pub fn database() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("app.db")).unwrap();
    conn.execute_batch("PRAGMA foreign_keys = ON; CREATE TABLE t (x INTEGER, c INTEGER); INSERT INTO t (x) VALUES (1), (2);").unwrap();
    (dir, conn)
}
