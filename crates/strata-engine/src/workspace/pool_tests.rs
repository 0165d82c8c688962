//! A browser storage pool whose file headers are damaged, natively: the pool's files are built
//! as sqlite-wasm-vfs's `sahpool` writes them (a 4096-byte header naming the file, then its
//! bytes), a header is overwritten, and what the worker does is done here in the same order:
//! salvage, open damaged over the salvage, then on a repair a fresh file with the backups moved
//! into it.

use std::path::Path;
use std::rc::Rc;

use base64::Engine as _;

use super::pool::{self, Salvage, SLOT_HEADER};
use super::protocol::{Outcome, Request, Storage};
use super::*;
use crate::clock::SystemClock;

/// A pool file as the VFS keeps it: `name` NUL-padded in the header, the flags after it, then
/// the bytes.
fn slot(name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut file = vec![0u8; SLOT_HEADER];
    file[..name.len()].copy_from_slice(name.as_bytes());
    file[512..516].copy_from_slice(&0x100u32.to_be_bytes());
    file.extend_from_slice(bytes);
    file
}

fn clock() -> Rc<SystemClock> {
    Rc::new(SystemClock::new())
}

fn count(engine: &Workspace, table: &str) -> i64 {
    engine
        .conn
        .query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |row| {
            row.get(0)
        })
        .unwrap()
}

/// A saved database with one row of the visitor's and a backup taken of it, as the pool's
/// files: the database, its backup store, and an unused file.
fn saved_pool(dir: &Path) -> (Vec<Vec<u8>>, String) {
    let path = dir.join("strata.sqlite3");
    let mut engine = Workspace::open_path(path.to_str().unwrap(), Storage::Opfs, clock()).unwrap();
    engine
        .keep_backups_in(Connection::open(dir.join("backups.sqlite3")).unwrap())
        .unwrap();
    engine
        .handle(Request::Execute {
            sql: "INSERT INTO users (email, display_name) VALUES ('kept@example.com', 'Kept')"
                .into(),
            browse: None,
        })
        .outcome
        .unwrap();
    let Ok(Outcome::BackedUp { id }) = engine
        .handle(Request::Backup {
            label: "mine".into(),
        })
        .outcome
    else {
        panic!("no backup")
    };
    drop(engine);
    let files = vec![
        slot("/strata.sqlite3", &std::fs::read(&path).unwrap()),
        slot(
            "/strata-backups.sqlite3",
            &std::fs::read(dir.join("backups.sqlite3")).unwrap(),
        ),
        vec![0u8; SLOT_HEADER],
    ];
    (files, id)
}

#[test]
fn a_sound_pool_salvages_each_file_by_its_name_and_counts_no_damage() {
    let dir = tempfile::tempdir().unwrap();
    let (files, _) = saved_pool(dir.path());
    let salvage = pool::salvage(&files, "/strata.sqlite3", "/strata-backups.sqlite3");
    assert_eq!(salvage.damaged_files, 0);
    assert_eq!(salvage.database.as_deref(), Some(&files[0][SLOT_HEADER..]));
    assert_eq!(salvage.backups.as_deref(), Some(&files[1][SLOT_HEADER..]));
}

#[test]
fn a_header_with_garbage_is_damage_and_the_database_behind_it_is_still_found() {
    let dir = tempfile::tempdir().unwrap();
    let (mut files, _) = saved_pool(dir.path());
    let database = files[0][SLOT_HEADER..].to_vec();
    files[0][..SLOT_HEADER].copy_from_slice(&b"garbage!".repeat(SLOT_HEADER / 8));
    let salvage = pool::salvage(&files, "/strata.sqlite3", "/strata-backups.sqlite3");
    assert_eq!(salvage.damaged_files, 1);
    assert_eq!(
        salvage.database,
        Some(database),
        "found by its SQLite header"
    );
    assert!(salvage.backups.is_some());

    // A name followed by anything but zeros is damage too, as the VFS reads it.
    let mut files = vec![slot("/strata.sqlite3", b"x")];
    files[0][100] = 1;
    let salvage = pool::salvage(&files, "/strata.sqlite3", "/strata-backups.sqlite3");
    assert_eq!((salvage.damaged_files, salvage.database), (1, None));
}

#[test]
fn a_damaged_pool_opens_damaged_offers_its_bytes_and_backups_and_a_restore_repairs_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut files, id) = saved_pool(dir.path());
    let database = files[0][SLOT_HEADER..].to_vec();
    files[0][..64].copy_from_slice(&[0xAB; 64]);
    let salvage = pool::salvage(&files, "/strata.sqlite3", "/strata-backups.sqlite3");
    let problem = pool::problem(
        "invalid header in OPFS file \"x\": filename is not NUL-terminated",
        &salvage,
    );
    let mut engine =
        Workspace::salvaged(&salvage, Storage::Opfs, clock(), problem.clone()).unwrap();

    let open = engine.handle(Request::Open { browse: None });
    let message = open.outcome.unwrap_err().message;
    assert!(
        message.contains("the browser storage that holds it is damaged: invalid header"),
        "{message}"
    );
    assert!(message.contains("can be downloaded"), "{message}");
    assert!(!message.contains("another tab"), "{message}");
    assert_eq!(open.snapshot.storage, Storage::Opfs);
    assert_eq!(
        open.snapshot.backups.len(),
        1,
        "the salvaged backups are offered"
    );
    let Ok(Outcome::SqliteExported { base64 }) = engine.handle(Request::ExportSqlite).outcome
    else {
        panic!("no raw bytes")
    };
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(base64)
            .unwrap(),
        database
    );
    // Nothing else runs.
    let refused = engine.handle(Request::Execute {
        sql: "SELECT 1".into(),
        browse: None,
    });
    assert!(refused.outcome.is_err());
    assert!(pool::is_repair(&Request::Restore { id: id.clone() }));
    assert!(!pool::is_repair(&Request::Execute {
        sql: "SELECT 1".into(),
        browse: None
    }));

    // A repair that is refused leaves everything as it was: the worker then wipes nothing.
    let refused = engine.handle(Request::Restore { id: "99".into() });
    assert!(refused.outcome.is_err());
    assert!(engine.is_damaged());

    // The repair runs in memory first, then moves, as the worker does it once the pool is
    // wiped and installed again: the database and the backups into their fresh files.
    let restored = engine.handle(Request::Restore { id });
    assert!(restored.outcome.is_ok(), "{:?}", restored.outcome);
    assert_eq!(restored.snapshot.damaged, None);
    assert_eq!(count(&engine, "users"), 5);
    let fresh = dir.path().join("fresh.sqlite3");
    let moved = engine
        .moved_to(
            Connection::open(&fresh).unwrap(),
            Connection::open(dir.path().join("fresh-backups.sqlite3")).unwrap(),
            Storage::Opfs,
        )
        .unwrap();
    assert!(!moved.is_damaged());
    assert_eq!(count(&moved, "users"), 5);
    drop((engine, moved));

    // A reopen finds a working saved database, and the backups in their new file.
    let mut engine = Workspace::open_path(fresh.to_str().unwrap(), Storage::Opfs, clock()).unwrap();
    engine
        .keep_backups_in(Connection::open(dir.path().join("fresh-backups.sqlite3")).unwrap())
        .unwrap();
    assert!(!engine.is_damaged());
    assert_eq!(count(&engine, "users"), 5);
    assert_eq!(
        engine
            .handle(Request::Open { browse: None })
            .snapshot
            .backups
            .len(),
        1
    );
}

#[test]
fn a_pool_without_the_database_bytes_says_so_and_reset_starts_again() {
    let salvage = Salvage {
        database: None,
        backups: None,
        damaged_files: 1,
    };
    let problem = pool::problem("duplicate filename in pool headers", &salvage);
    assert!(
        problem.ends_with("its bytes were not found in it"),
        "{problem}"
    );
    let mut engine = Workspace::salvaged(&salvage, Storage::Opfs, clock(), problem).unwrap();
    let reset = engine.handle(Request::Reset);
    assert!(
        matches!(reset.outcome, Ok(Outcome::Loaded { .. })),
        "{:?}",
        reset.outcome
    );
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh.sqlite3");
    let backups = Connection::open(dir.path().join("fresh-backups.sqlite3")).unwrap();
    let moved = engine
        .moved_to(Connection::open(&fresh).unwrap(), backups, Storage::Opfs)
        .unwrap();
    drop((engine, moved));
    let engine = Workspace::open_path(fresh.to_str().unwrap(), Storage::Opfs, clock()).unwrap();
    assert!(!engine.is_damaged());
    assert_eq!(count(&engine, "users"), 4);
}
