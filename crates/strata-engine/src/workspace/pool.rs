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
use crate::transfer::scratch;

/// Where a pool file's own bytes begin: its header fills the first 4096.
pub const SLOT_HEADER: usize = 4096;

/// The part of the header that holds the file's name, NUL-terminated and NUL-padded.
const NAME_FIELD: usize = 512;

/// The first 16 bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// What could be read back from a pool that does not install.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Salvage {
    /// The saved database's bytes, if a file of the pool holds them.
    pub database: Option<Vec<u8>>,
    /// The backup store's bytes, if its file's header still names it.
    pub backups: Option<Vec<u8>>,
    /// How many of the pool's files have a header that does not read.
    pub damaged_files: usize,
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
/// named `database`, else the first file whose header does not read but whose bytes begin as a
/// SQLite database does (the database whose header was damaged), and the file named `backups`.
pub fn salvage(files: &[Vec<u8>], database: &str, backups: &str) -> Salvage {
    let mut salvage = Salvage::default();
    let mut unnamed_database = None;
    for file in files {
        let body = || file.get(SLOT_HEADER..).unwrap_or_default().to_vec();
        match header_name(file) {
            Ok(Some(name)) if name == database => salvage.database = Some(body()),
            Ok(Some(name)) if name == backups => salvage.backups = Some(body()),
            Ok(_) => {}
            Err(()) => {
                salvage.damaged_files += 1;
                if unnamed_database.is_none() && body().starts_with(SQLITE_MAGIC) {
                    unnamed_database = Some(body());
                }
            }
        }
    }
    if salvage.database.is_none() {
        salvage.database = unnamed_database;
    }
    salvage
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
        let in_memory = |bytes: &Option<Vec<u8>>| -> rusqlite::Result<Connection> {
            let mut conn = Connection::open_in_memory()?;
            if let Some(bytes) = bytes.as_deref().filter(|b| !b.is_empty()) {
                conn.deserialize_read_exact(MAIN_DB, bytes, bytes.len(), false)?;
            }
            Ok(conn)
        };
        let conn = in_memory(&salvage.database).map_err(|e| sqlite_message(&e))?;
        let mut engine = Workspace::rescue(conn, storage, clock, problem)?;
        if salvage.backups.is_some() {
            // A backup store that does not read either is simply not offered.
            if let Ok(store) = in_memory(&salvage.backups) {
                let _ = engine.keep_backups_in(store);
            }
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
