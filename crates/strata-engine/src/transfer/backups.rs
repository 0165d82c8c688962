//! The backup store: whole database images in a database of their own (never the live one: a
//! backup kept inside the database would be copied into every later backup), each with a label
//! and its time. Backups taken before a request replaced the database are `automatic`, and only
//! those are ever dropped: of each label, the oldest first beyond [`AUTOMATIC_BACKUPS`].

use rusqlite::{Connection, OptionalExtension};

/// The table of the backup store (a database of its own, never the live one: a backup kept
/// inside the database would be copied into every later backup). `automatic` marks the
/// backups taken before a request replaced the database, the only ones ever dropped.
const BACKUP_DDL: &str = "CREATE TABLE IF NOT EXISTS backup (\n  \
    id INTEGER PRIMARY KEY AUTOINCREMENT,\n  label TEXT NOT NULL,\n  \
    created TEXT NOT NULL,\n  image BLOB NOT NULL,\n  \
    automatic INTEGER NOT NULL DEFAULT 0\n)";

/// How many automatic backups of each label are kept ("before share link", "before lesson 3",
/// …): enough to step back over a few replacements of each kind, few enough that the store does
/// not grow with every share link opened or lesson restarted, and one kind (many restarts of a
/// lesson) never pushes out the only backup of another (the share link that replaced the
/// visitor's work). Backups the visitor took by hand (or a lesson took by name) are never
/// dropped.
pub const AUTOMATIC_BACKUPS: i64 = 3;

/// Creates the backup store's table, and gives a store made by an earlier build the
/// `automatic` column (its backups were all taken by hand or by a lesson, so 0 is right).
pub fn prepare_store(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(BACKUP_DDL)?;
    let has_column: bool = conn.query_row(
        "SELECT count(*) > 0 FROM pragma_table_info('backup') WHERE name = 'automatic'",
        [],
        |row| row.get(0),
    )?;
    if !has_column {
        conn.execute_batch("ALTER TABLE backup ADD COLUMN automatic INTEGER NOT NULL DEFAULT 0")?;
    }
    Ok(())
}

/// One stored backup, without its image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupRow {
    pub id: i64,
    pub label: String,
    /// When it was taken, RFC 3339 UTC.
    pub created: String,
    /// The size of the database image it holds.
    pub bytes: u64,
    /// Taken before a request replaced the database, so it may be dropped (see [`store`]).
    pub automatic: bool,
}

/// Stores `image` under `label` at `created` and returns its id. An automatic backup also drops
/// the automatic ones of the same label beyond [`AUTOMATIC_BACKUPS`], in the same transaction,
/// so the store never loses an old backup without having gained the new one.
pub fn store(
    conn: &mut Connection,
    label: &str,
    created: &str,
    image: &[u8],
    automatic: bool,
) -> rusqlite::Result<i64> {
    prepare_store(conn)?;
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO backup (label, created, image, automatic) VALUES (?1, ?2, ?3, ?4)",
        rusqlite::params![label, created, image, automatic],
    )?;
    let id = tx.last_insert_rowid();
    if automatic {
        tx.execute(
            "DELETE FROM backup WHERE automatic AND label = ?1 AND id NOT IN \
             (SELECT id FROM backup WHERE automatic AND label = ?1 ORDER BY id DESC LIMIT ?2)",
            rusqlite::params![label, AUTOMATIC_BACKUPS],
        )?;
    }
    tx.commit()?;
    Ok(id)
}

/// The backups, newest first.
pub fn list(conn: &Connection) -> rusqlite::Result<Vec<BackupRow>> {
    prepare_store(conn)?;
    let mut stmt = conn.prepare(
        "SELECT id, label, created, length(image), automatic FROM backup ORDER BY id DESC",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok(BackupRow {
            id: row.get(0)?,
            label: row.get(1)?,
            created: row.get(2)?,
            bytes: row.get::<_, i64>(3)?.unsigned_abs(),
            automatic: row.get(4)?,
        })
    })?;
    rows.collect()
}

/// The image of backup `id`, if there is one.
pub fn image(conn: &Connection, id: i64) -> rusqlite::Result<Option<Vec<u8>>> {
    prepare_store(conn)?;
    conn.query_row("SELECT image FROM backup WHERE id = ?1", [id], |row| {
        row.get(0)
    })
    .optional()
}

/// The newest backup labelled `label`, if there is one.
pub fn newest_labelled(conn: &Connection, label: &str) -> rusqlite::Result<Option<i64>> {
    prepare_store(conn)?;
    conn.query_row(
        "SELECT id FROM backup WHERE label = ?1 ORDER BY id DESC LIMIT 1",
        [label],
        |row| row.get(0),
    )
    .optional()
}
