//! `strata backups` and `strata restore` on the real binary: the list with each backup's
//! revision and check, a restore that keeps the current database first and leaves `current`
//! at the backup's revision, refusals that change nothing (a damaged backup, the database
//! itself, a lock held by another process), and kill -9 in the middle of a restore, which
//! leaves the old database or the new one, never a mix.

mod cli_support;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use cli_support::{versions, Project};
use sha2::{Digest, Sha256};

const USERS: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, code TEXT);";

fn fill(p: &Project, from: i64, to: i64) {
    p.db()
        .execute_batch(&format!(
            "WITH RECURSIVE n(i) AS (SELECT {from} UNION ALL SELECT i + 1 FROM n WHERE i < {to}) INSERT INTO users (id, name, code) SELECT i, 'user number ' || i, printf('%06d', i) FROM n;"
        ))
        .unwrap();
}

/// The rows of `users` and a SHA-256 of them in id order, with the applied versions.
fn content(db: &Path) -> (i64, String, Vec<String>) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut hash = Sha256::new();
    let mut n = 0;
    {
        let mut stmt = conn.prepare("SELECT * FROM users ORDER BY id").unwrap();
        let cols = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            for i in 0..cols {
                hash.update(format!("{:?}\u{1f}", r.get::<_, rusqlite::types::Value>(i).unwrap()).as_bytes());
            }
            n += 1;
        }
    }
    (n, format!("{:x}", hash.finalize()), versions(&conn))
}

fn backup_names(p: &Project) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(p.dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).filter(|n| n.ends_with(".bak")).collect();
    v.sort();
    v
}

/// Overwrites the middle of a file, where the table's pages are, with garbage.
fn damage(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let at = bytes.len() / 2;
    for b in &mut bytes[at..at + 512] {
        *b = 0x5a;
    }
    std::fs::write(path, bytes).unwrap();
}

/// A project with r1 (users) and r2 (adds phone); a backup at r1 holding rows 1-100, and the
/// database at r2 holding rows 1-150.
fn project_with_a_backup() -> (Project, String) {
    let p = Project::init();
    p.revision("r1", &[], USERS, "DROP TABLE users;");
    p.revision("r2", &["r1"], "ALTER TABLE users ADD COLUMN phone TEXT;", "ALTER TABLE users DROP COLUMN phone;");
    p.strata(&["upgrade", "r1"]).ok();
    fill(&p, 1, 100);
    p.strata(&["upgrade", "head", "--backup"]).ok();
    fill(&p, 101, 150);
    let names = backup_names(&p);
    assert_eq!(names.len(), 1, "{names:?}");
    (p, names[0].clone())
}

#[test]
fn backups_lists_each_backup_with_its_time_revision_size_and_check() {
    let p = Project::init();
    p.revision("r1", &[], USERS, "DROP TABLE users;");
    p.revision("r2", &["r1"], "ALTER TABLE users ADD COLUMN phone TEXT;", "ALTER TABLE users DROP COLUMN phone;");
    assert!(p.strata(&["backups"]).ok().starts_with("No backups of app.db yet"));
    p.strata(&["upgrade", "r1"]).ok();
    p.strata(&["upgrade", "head", "--backup"]).ok();
    // A second backup, of the database at r2, after a restore of the first one.
    let first = backup_names(&p)[0].clone();
    p.strata(&["restore", &first]).ok();
    let out = p.strata(&["backups"]);
    let text = out.ok();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Backups of app.db, newest first:");
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[1].contains("at r2 (revision r2)") && lines[1].contains("KiB") && lines[1].contains("checked when written"), "{text}");
    assert!(lines[2].contains(&first) && lines[2].contains("at r1 (revision r1)") && lines[2].contains(" UTC"), "{text}");
    let json = p.strata(&["backups", "--verify", "--json"]).json();
    assert_eq!(json[0]["at"], serde_json::json!(["r2"]));
    assert_eq!(json[1]["at"], serde_json::json!(["r1"]));
    assert_eq!(json[1]["integrity_now"], serde_json::json!(["ok"]));
    assert!(json[1]["size"].as_u64().unwrap() > 0);
    // A damaged backup is found out by --verify, which then exits 1.
    damage(&p.path(&first));
    let verify = p.strata(&["backups", "--verify"]);
    let said = verify.fails();
    assert!(said.contains("DAMAGED"), "{said}");
    // An unfinished copy is not listed as a backup, and is named as what it is.
    p.write("app.db.backup-in-progress-999.tmp", "partial");
    let listed = p.strata(&["backups"]);
    assert_eq!(listed.ok().lines().count(), 3);
    assert!(listed.stderr.contains("app.db.backup-in-progress-999.tmp is an unfinished copy"), "{}", listed.stderr);
}

#[test]
fn restore_keeps_the_current_database_first_and_current_shows_the_backups_revision() {
    let (p, backup) = project_with_a_backup();
    let live = content(&p.db_path());
    let old = content(&p.path(&backup));
    assert_eq!((live.0, old.0), (150, 100));
    let out = p.strata(&["restore", &backup]);
    let text = out.ok();
    assert!(text.contains("kept the database as it was, in app.db."), "{text}");
    assert!(text.contains(&format!("restored app.db from {backup} (it passed PRAGMA integrity_check first), holding the write lock throughout")), "{text}");
    assert!(text.ends_with("The database is at r1 (revision r1).\n"), "{text}");
    assert!(p.strata(&["current"]).ok().starts_with("r1 revision r1"));
    assert_eq!(content(&p.db_path()), old, "the backup's rows and versions");
    assert!(!p.path("app.db-journal").exists());
    // The database as it was is the newest backup, and restoring it goes back.
    let kept: Vec<String> = backup_names(&p).into_iter().filter(|n| *n != backup).collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(content(&p.path(&kept[0])), live);
    p.strata(&["restore", &p.path(&kept[0]).display().to_string()]).ok();
    assert_eq!(content(&p.db_path()), live);
    assert_eq!(backup_names(&p).len(), 3);
}

#[test]
fn a_restore_that_cannot_be_used_changes_nothing() {
    let (p, backup) = project_with_a_backup();
    let bytes = std::fs::read(p.db_path()).unwrap();
    damage(&p.path(&backup));
    let out = p.strata(&["restore", &backup]).fails();
    assert!(out.contains("the backup fails PRAGMA integrity_check") && out.contains("the database was not changed"), "{out}");
    p.write("notes.txt", "not a database at all, just some text that is long enough to fill the header of a file ......................");
    let out = p.strata(&["restore", "notes.txt"]).fails();
    assert!(out.contains("nothing was changed"), "{out}");
    let out = p.strata(&["restore", "missing.bak"]).fails();
    assert!(out.contains("there is no backup missing.bak") && out.contains("nothing was changed"), "{out}");
    assert!(p.strata(&["restore", "app.db"]).usage().contains("is the database itself, not a backup of it"));
    assert_eq!(std::fs::read(p.db_path()).unwrap(), bytes, "the database is byte for byte as it was");
    assert_eq!(backup_names(&p), [backup], "no backup of the current database was kept for a restore that did not happen");
}

/// Another connection holds the write lock past a short busy timeout: the restore names the
/// process, says nothing changed, and keeps no backup (the lock comes first).
#[test]
fn a_restore_waits_for_the_write_lock_and_names_who_holds_it() {
    let (p, backup) = project_with_a_backup();
    let config = p.read("strata.toml");
    p.write("strata.toml", &config.replace("busy_timeout_ms = 30000", "busy_timeout_ms = 300"));
    let before = content(&p.db_path());
    let holder = p.db();
    holder.execute_batch("BEGIN IMMEDIATE; INSERT INTO users (id, name) VALUES (1000, 'pending');").unwrap();
    let out = p.strata(&["restore", &backup]).fails();
    for part in
        [format!("is locked by process {} (", std::process::id()).as_str(), "still locked after 0.3 s", "nothing was restored and the database was not changed"]
    {
        assert!(out.contains(part), "no {part:?} in:\n{out}");
    }
    holder.execute_batch("ROLLBACK").unwrap();
    assert_eq!(content(&p.db_path()), before);
    assert_eq!(backup_names(&p), std::slice::from_ref(&backup));
    // A connection that stays open (without a transaction) sees the restored database next.
    let reader = p.db();
    let n: i64 = reader.query_row("SELECT count(*) FROM users", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 150);
    p.strata(&["restore", &backup]).ok();
    let n: i64 = reader.query_row("SELECT count(*) FROM users", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 100);
}

/// A small deterministic generator, so each seed's kill time can be reported and replayed.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// kill -9 once the restore's copy has started writing into the database (its journal is
/// there), then at random moments over a whole restore (seeds 1 to 8): afterwards every
/// command works, the database passes its integrity check, and it holds exactly the old
/// content or exactly the backup's, with the versions that go with it.
#[test]
fn kill_9_in_the_middle_of_a_restore_leaves_the_old_or_the_new_database() {
    let p = Project::init_in_memory_storage();
    p.revision("r1", &[], USERS, "DROP TABLE users;");
    p.revision("r2", &["r1"], "ALTER TABLE users ADD COLUMN phone TEXT;\nUPDATE users SET phone = code;", "ALTER TABLE users DROP COLUMN phone;");
    p.strata(&["upgrade", "r1"]).ok();
    fill(&p, 1, 120_000);
    p.strata(&["upgrade", "head", "--backup", "--allow-data-loss"]).ok();
    fill(&p, 120_001, 200_000);
    let backup = backup_names(&p)[0].clone();
    let template = p.path("template.db");
    std::fs::copy(p.db_path(), &template).unwrap();
    let old = content(&template);
    let new = content(&p.path(&backup));
    assert_ne!(old, new);
    let reset = |p: &Project| {
        let _ = std::fs::remove_file(p.path("app.db-journal"));
        std::fs::copy(&template, p.db_path()).unwrap();
        for name in backup_names(p).into_iter().filter(|n| *n != backup) {
            std::fs::remove_file(p.path(&name)).unwrap();
        }
    };
    let check = |p: &Project, what: &str| -> &'static str {
        p.strata(&["current"]).ok();
        p.strata(&["verify"]).ok();
        let conn = p.db();
        let verdict: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(verdict, "ok", "{what}");
        drop(conn);
        let now = content(&p.db_path());
        if now == old {
            "the old database"
        } else if now == new {
            "the backup"
        } else {
            panic!("{what}: a mix of the two: {} rows, versions {:?}", now.0, now.2)
        }
    };

    // Killed while the copy's journal is still being written (its header not yet valid, the
    // database file not yet touched), then once the copy has started writing into the database
    // file itself (the journal's header is valid: the journal is hot). The old database both
    // times: a journal that is not hot is ignored, a hot one is rolled back by the next command.
    const MAGIC: [u8; 8] = [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];
    let head = |p: &Project| -> Option<bool> {
        let mut first = [0u8; 8];
        let mut file = std::fs::File::open(p.path("app.db-journal")).ok()?;
        std::io::Read::read_exact(&mut file, &mut first).ok()?;
        Some(first == MAGIC)
    };
    for (moment, wanted) in [("while its journal is written", Some(false)), ("with a hot journal", Some(true))] {
        reset(&p);
        let mut child = p.command(&["restore", &backup]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while head(&p) != wanted {
            assert!(Instant::now() < deadline, "{moment}: never seen");
            assert!(child.try_wait().unwrap().is_none(), "{moment}: the restore finished first");
            std::thread::sleep(Duration::from_micros(50));
        }
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(head(&p).is_some(), "{moment}: the kill left the journal");
        assert_eq!(check(&p, moment), "the old database", "{moment}");
        if wanted == Some(true) {
            assert!(!p.path("app.db-journal").exists(), "the next command rolled the hot journal back and removed it");
        }
    }

    // How long a whole restore takes here, and how large its journal grows (the copy writes
    // what it replaces there as it goes).
    reset(&p);
    let started = Instant::now();
    let mut child = p.command(&["restore", &backup]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let mut largest = 0;
    while child.try_wait().unwrap().is_none() {
        largest = largest.max(std::fs::metadata(p.path("app.db-journal")).map(|m| m.len()).unwrap_or(0));
        std::thread::sleep(Duration::from_micros(50));
    }
    let whole = started.elapsed();
    assert_eq!(check(&p, "a whole restore"), "the backup");
    eprintln!("a whole restore of {} rows over {} takes {} ms here; its journal grows to {largest} bytes", new.0, old.0, whole.as_millis());
    assert!(largest > 0);

    // Killed at points of the copy: once its journal holds 10%, 30%, ... 90% of what it grows to.
    for tenths in [1u64, 3, 5, 7, 9] {
        reset(&p);
        let mut child = p.command(&["restore", &backup]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        let mut finished = false;
        while std::fs::metadata(p.path("app.db-journal")).map(|m| m.len()).unwrap_or(0) < largest * tenths / 10 {
            if child.try_wait().unwrap().is_some() {
                finished = true;
                break;
            }
            std::thread::sleep(Duration::from_micros(20));
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let hot = head(&p);
        let outcome = check(&p, &format!("{}0% of the journal", tenths));
        eprintln!("killed at {tenths}0% of the journal ({}), journal header valid: {hot:?}: {outcome}", if finished { "it had finished" } else { "mid-copy" });
    }

    // And at random moments of the whole command (seeds 1 to 8), the check and the kept
    // backup included.
    for seed in 1..=8u64 {
        reset(&p);
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let delay = Duration::from_micros(next(&mut state) % (whole.as_micros() as u64).max(1));
        let mut child = p.command(&["restore", &backup]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(delay);
        child.kill().unwrap();
        let status = child.wait().unwrap();
        let journal = p.path("app.db-journal").exists();
        let outcome = check(&p, &format!("seed {seed}"));
        eprintln!(
            "seed {seed}: killed after {} ms ({}), journal left: {journal}: {outcome}",
            delay.as_millis(),
            if status.success() { "it had finished" } else { "mid-run" }
        );
    }
}
