//! The browser's storage read by hand when it cannot be opened: sqlite-wasm-vfs's `sahpool`
//! keeps each file of its pool in an OPFS file of its own whose first 4096 bytes are a header
//! (the file's name, NUL-terminated in 512 bytes, then its open flags) and whose database bytes
//! follow. When a header is damaged the pool refuses to install at all, and then neither the
//! saved database nor the backups can be opened through SQLite. The worker then reads the pool's
//! files itself and hands their bytes here: what can still be recognised (the database's bytes,
//! the backup store) is salvaged, and the workspace opens damaged over them, with the same
//! repairs as a damaged database (`damaged.rs`). A repair the visitor chooses ([`is_repair`])
//! runs there, in memory, first: only once it has succeeded does the worker wipe the pool,
//! install it again and move the repaired database and the backups into it
//! ([`Workspace::moved_to`]), so a refused repair changes nothing.

use std::rc::Rc;

use rusqlite::{Connection, MAIN_DB};

use super::protocol::{Request, Storage};
use super::Workspace;
use crate::error::sqlite_message;
use crate::migrate::Clock;
use crate::transfer::{backups, scratch};

/// Where a pool file's own bytes begin: its header fills the first 4096.
pub const SLOT_HEADER: usize = 4096;

/// The part of the header that holds the file's name, NUL-terminated and NUL-padded.
const NAME_FIELD: usize = 512;

/// The first 16 bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// The label of a database found in a pool file whose name does not read, offered as a backup.
pub const UNNAMED_LABEL: &str = "backup, name unreadable";

/// What could be read back from a pool that does not install.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Salvage {
    /// The saved database's bytes, if a file of the pool holds them.
    pub database: Option<Vec<u8>>,
    /// The backup store's bytes: the file its header names, else a file whose header does not
    /// read but whose database has the backup store's table.
    pub backups: Option<Vec<u8>>,
    /// More backup stores found behind headers that do not read (when the named one is there
    /// too); their backups join the store with their own labels.
    pub more_backup_stores: Vec<Vec<u8>>,
    /// Intact databases (`integrity_check` ok) found behind headers that do not read, beside
    /// the database: each is offered as a backup labelled [`UNNAMED_LABEL`].
    pub unnamed: Vec<Vec<u8>>,
    /// How many of the pool's files have a header that does not read.
    pub damaged_files: usize,
}

/// What a file of the pool whose header does not read holds, told by its bytes.
#[derive(Debug, PartialEq)]
enum Unnamed {
    /// A backup store: a database with strata's `backup` table.
    BackupStore,
    /// Any other database; `intact` when SQLite's `integrity_check` finds nothing wrong.
    Database { intact: bool },
}

/// Reads `body` (a pool file's bytes after its header) as a database, if it begins as one.
fn identify(body: &[u8]) -> Option<Unnamed> {
    if !body.starts_with(SQLITE_MAGIC) {
        return None;
    }
    let Ok(conn) = deserialized(body) else {
        return Some(Unnamed::Database { intact: false });
    };
    let intact = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get::<_, String>(0))
        .is_ok_and(|answer| answer == "ok");
    let store = intact
        && conn
            .query_row(
                "SELECT count(*) = 4 FROM pragma_table_info('backup') \
                 WHERE name IN ('id', 'label', 'created', 'image')",
                [],
                |row| row.get::<_, bool>(0),
            )
            .unwrap_or(false);
    Some(if store {
        Unnamed::BackupStore
    } else {
        Unnamed::Database { intact }
    })
}

/// An in-memory database holding a copy of `bytes`.
fn deserialized(bytes: &[u8]) -> rusqlite::Result<Connection> {
    let mut conn = Connection::open_in_memory()?;
    if !bytes.is_empty() {
        conn.deserialize_read_exact(MAIN_DB, bytes, bytes.len(), false)?;
    }
    Ok(conn)
}

/// The name a pool file's header gives it: `Ok(Some(name))`, `Ok(None)` for an unused file
/// (empty, or a header without a name), and `Err(())` for a header that does not read.
fn header_name(file: &[u8]) -> Result<Option<&str>, ()> {
    if file.is_empty() {
        return Ok(None);
    }
    if file.len() < SLOT_HEADER {
        // An interrupted start leaves zeros only; anything else is damage.
        return if file.iter().all(|&b| b == 0) {
            Ok(None)
        } else {
            Err(())
        };
    }
    let field = &file[..NAME_FIELD];
    let end = field.iter().position(|&b| b == 0).ok_or(())?;
    if field[end..].iter().any(|&b| b != 0) {
        return Err(());
    }
    if end == 0 {
        return Ok(None);
    }
    std::str::from_utf8(&field[..end]).map(Some).map_err(|_| ())
}

/// Sorts the pool's files (each as read, header included) into what they still hold: the file
/// named `database` and the file named `backups`; then the files whose header does not read,
/// by their bytes: a backup store (strata's `backup` table) stands in for a missing named one,
/// the first other database for a missing database (whole or not: its bytes are offered for
/// download either way), and every further intact database is kept to be offered as a backup.
/// Nothing that begins as a database is left behind, since a repair wipes the pool.
pub fn salvage(files: &[Vec<u8>], database: &str, backups: &str) -> Salvage {
    let mut salvage = Salvage::default();
    let mut stores = Vec::new();
    let mut databases = Vec::new();
    for file in files {
        let body = || file.get(SLOT_HEADER..).unwrap_or_default().to_vec();
        match header_name(file) {
            Ok(Some(name)) if name == database => salvage.database = Some(body()),
            Ok(Some(name)) if name == backups => salvage.backups = Some(body()),
            Ok(_) => {}
            Err(()) => {
                salvage.damaged_files += 1;
                match identify(&body()) {
                    Some(Unnamed::BackupStore) => stores.push(body()),
                    Some(Unnamed::Database { intact }) => databases.push((body(), intact)),
                    None => {}
                }
            }
        }
    }
    let mut stores = stores.into_iter();
    if salvage.backups.is_none() {
        salvage.backups = stores.next();
    }
    salvage.more_backup_stores = stores.collect();
    let mut databases = databases.into_iter();
    if salvage.database.is_none() {
        salvage.database = databases.next().map(|(bytes, _)| bytes);
    }
    salvage.unnamed = databases
        .filter_map(|(bytes, intact)| intact.then_some(bytes))
        .collect();
    salvage
}

/// When the database in `bytes` was last migrated, as people read it, from its newest
/// `schema_version` row: the time a backup of it was taken is no earlier.
fn last_migrated(bytes: &[u8]) -> Option<String> {
    let conn = deserialized(bytes).ok()?;
    let newest: String = conn
        .query_row("SELECT max(applied_at) FROM schema_version", [], |row| {
            row.get(0)
        })
        .ok()?;
    strata_core::time::Timestamp::parse_rfc3339(&newest)?;
    Some(super::snapshot::readable_time(&newest))
}

/// What the damaged panel says of a pool that does not install because of `error` (the VFS's
/// own words).
pub fn problem(error: &str, salvage: &Salvage) -> String {
    let found = if salvage.database.is_some() {
        "its bytes were read back and can be downloaded"
    } else {
        "its bytes were not found in it"
    };
    format!("the browser storage that holds it is damaged: {error}; {found}")
}

/// Whether `request` replaces the database, and so is a repair a damaged database allows (the
/// worker wipes a damaged pool and installs it again before it hands one over).
pub fn is_repair(request: &Request) -> bool {
    matches!(
        request,
        Request::Reset
            | Request::Restore { .. }
            | Request::Load { .. }
            | Request::ImportSqlite { .. }
    )
}

impl Workspace {
    /// A workspace over what a damaged pool still holds: the database's bytes in memory, read as
    /// damaged (nothing is read from them but their raw bytes, for the download), and the
    /// salvaged backups, so they are listed and can be restored. `storage` is where the repairs
    /// will put the database.
    pub fn salvaged(
        salvage: &Salvage,
        storage: Storage,
        clock: Rc<dyn Clock>,
        problem: String,
    ) -> Result<Workspace, String> {
        let conn = deserialized(salvage.database.as_deref().unwrap_or_default())
            .map_err(|e| sqlite_message(&e))?;
        let mut engine = Workspace::rescue(conn, storage, clock, problem)?;
        if let Some(bytes) = &salvage.backups {
            // A backup store that does not read either is simply not offered.
            if let Ok(store) = deserialized(bytes) {
                let _ = engine.keep_backups_in(store);
            }
        }
        // Backups found behind headers that do not read join the store (in memory, like it,
        // until a repair moves them into the pool), each saying what is known of it.
        for bytes in &salvage.more_backup_stores {
            let Ok(store) = deserialized(bytes) else {
                continue;
            };
            for row in backups::list(&store).unwrap_or_default() {
                if let Ok(Some(image)) = backups::image(&store, row.id) {
                    let _ = backups::store(
                        &mut engine.backups,
                        &row.label,
                        &row.created,
                        &image,
                        false,
                    );
                }
            }
        }
        for bytes in &salvage.unnamed {
            let created = last_migrated(bytes)
                .map_or_else(|| "time unknown".to_owned(), |t| format!("taken after {t}"));
            let _ = backups::store(&mut engine.backups, UNNAMED_LABEL, &created, bytes, false);
        }
        Ok(engine)
    }

    /// The workspace over `conn` (the database's file in the pool once the pool was wiped and
    /// installed again) holding this workspace's database, repaired in memory, and over
    /// `backups` (the backup store's new file) holding its backups.
    pub fn moved_to(
        &self,
        mut conn: Connection,
        backups: Connection,
        storage: Storage,
    ) -> Result<Workspace, String> {
        scratch::copy_over(&self.conn, &mut conn)?;
        let mut engine = Workspace::with_clock(conn, storage, self.clock.clone())?;
        engine.stopwatch = self.stopwatch;
        if let Some(problem) = &engine.damaged {
            return Err(format!(
                "the repaired database does not read back ({problem})"
            ));
        }
        engine.take_backups_from(self, backups)?;
        Ok(engine)
    }

    /// Says where the database lives from now on (a repair that could not be moved into the
    /// browser's storage stays in memory).
    pub fn set_storage(&mut self, storage: Storage) {
        self.storage = storage;
    }

    /// Takes the backups of `old` into `store`, a new and empty backup store, and keeps them
    /// there from now on.
    fn take_backups_from(&mut self, old: &Workspace, mut store: Connection) -> Result<(), String> {
        let failed =
            |e: rusqlite::Error| format!("cannot keep the backups: {}", sqlite_message(&e));
        let copied = rusqlite::backup::Backup::new(&old.backups, &mut store)
            .and_then(|copy| copy.step(-1))
            .map_err(failed)?;
        if copied != rusqlite::backup::StepResult::Done {
            return Err(format!(
                "cannot keep the backups: the copy stopped ({copied:?})"
            ));
        }
        self.keep_backups_in(store)
    }
}
