//! Interruption, on the real `strata` binary: a write killed outright (kill -9) leaves every
//! command working, Ctrl-C and SIGTERM roll the running revision back and say what committed,
//! `--backup` never leaves a partial file under a backup's name, and a lock wait that runs out
//! names the process holding the lock.

mod cli_support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cli_support::{versions, Project};
use sha2::{Digest, Sha256};

/// Rows of the large table; enough that its rebuild takes a good part of a second in a debug
/// build, so a signal or a kill lands in the middle of it.
const ROWS: i64 = 300_000;

const REBUILD_UP: &str = "CREATE TABLE \"_strata_new_items\" (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER NOT NULL CHECK (qty >= 0));\n\
INSERT INTO \"_strata_new_items\" (id, name, qty) SELECT id, name, qty FROM items;\n\
DROP TABLE items;\n\
ALTER TABLE \"_strata_new_items\" RENAME TO items;";
const REBUILD_DOWN: &str = "CREATE TABLE \"_strata_new_items\" (id INTEGER PRIMARY KEY, name TEXT, qty INTEGER);\n\
INSERT INTO \"_strata_new_items\" (id, name, qty) SELECT id, name, qty FROM items;\n\
DROP TABLE items;\n\
ALTER TABLE \"_strata_new_items\" RENAME TO items;";
const ADD_NOTE_UP: &str =
    "CREATE TABLE \"_strata_new_items\" (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER NOT NULL CHECK (qty >= 0), note TEXT NOT NULL DEFAULT '');\n\
INSERT INTO \"_strata_new_items\" (id, name, qty) SELECT id, name, qty FROM items;\n\
DROP TABLE items;\n\
ALTER TABLE \"_strata_new_items\" RENAME TO items;\n\
CREATE INDEX items_name ON items (name);";
const ADD_NOTE_DOWN: &str = "DROP INDEX items_name;\nALTER TABLE items DROP COLUMN note;";
/// The schema the four revisions build, so that `strata check` at head finds nothing.
const HEAD_MODEL: &str =
    "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER NOT NULL CHECK (qty >= 0), note TEXT NOT NULL DEFAULT '');\n\
CREATE INDEX items_name ON items (name);\n\
CREATE TABLE audit (at TEXT);\n";

/// A project with four revisions over one large table: r1 creates `items`, r2 rebuilds it, r3
/// adds a small table, r4 rebuilds `items` again and indexes it. The database is at r1 and
/// `items` holds ROWS rows (filled by the test, not by r1, so that the schema builds of
/// `strata check` stay quick).
fn large_project() -> Project {
    let p = Project::init_in_memory_storage();
    p.write("schema.sql", HEAD_MODEL);
    p.revision("r1", &[], "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, qty INTEGER);", "DROP TABLE items;");
    p.revision("r2", &["r1"], REBUILD_UP, REBUILD_DOWN);
    p.revision("r3", &["r2"], "CREATE TABLE audit (at TEXT);", "DROP TABLE audit;");
    p.revision("r4", &["r3"], ADD_NOTE_UP, ADD_NOTE_DOWN);
    p.strata(&["upgrade", "r1"]).ok();
    p.db()
        .execute_batch(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS}) INSERT INTO items SELECT i, 'item number ' || i, i % 97 FROM n;"
        ))
        .unwrap();
    p
}

/// The number of rows of `items` and a SHA-256 of all of them in id order: what must survive.
fn rows(db: &Path) -> (i64, String) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare("SELECT id, name, qty FROM items ORDER BY id").unwrap();
    let mut hash = Sha256::new();
    let mut n = 0;
    let mut it = stmt.query([]).unwrap();
    while let Some(r) = it.next().unwrap() {
        let (id, name, qty): (i64, String, i64) = (r.get(0).unwrap(), r.get(1).unwrap(), r.get(2).unwrap());
        hash.update(format!("{id}\u{1f}{name}\u{1f}{qty}\n").as_bytes());
        n += 1;
    }
    (n, format!("{:x}", hash.finalize()))
}

fn journal(p: &Project) -> PathBuf {
    p.path("app.db-journal")
}

/// Sends a signal by name (INT, TERM) with the shell's `kill`.
fn signal(child: &Child, name: &str) {
    let ok = Command::new("sh").arg("-c").arg(format!("kill -{name} {}", child.id())).status().unwrap();
    assert!(ok.success(), "kill -{name} failed");
}

/// Starts `strata ARGS` with stdout read line by line on a thread, so the test can wait for a
/// line; returns the child and a receiver of the lines.
fn spawn_reading(p: &Project, args: &[&str]) -> (Child, std::sync::mpsc::Receiver<String>) {
    let mut child = p.command(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let out = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            if tx.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

fn wait_for_line(rx: &std::sync::mpsc::Receiver<String>, starts: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) if line.starts_with(starts) => return,
            Ok(_) => {}
            Err(e) => panic!("no line starting with {starts:?}: {e}"),
        }
    }
}

fn stderr_of(child: Child) -> (Option<i32>, String) {
    let out = child.wait_with_output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Kills `strata upgrade head` once the rebuild of r2 has written pages into the database file
/// (the file grew), so the journal beside it is hot: only a connection that can write may read
/// the database until the journal is rolled back. Every read command must still work.
#[test]
fn read_commands_work_after_a_write_was_killed_mid_transaction() {
    let p = large_project();
    let before = rows(&p.db_path());
    let size = std::fs::metadata(p.db_path()).unwrap().len();
    let mut child = p.command(&["upgrade", "head"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::metadata(p.db_path()).unwrap().len() == size {
        assert!(Instant::now() < deadline, "the upgrade never wrote to the database");
        std::thread::sleep(Duration::from_micros(200));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let hot = std::fs::metadata(journal(&p)).map(|m| m.len()).unwrap_or(0);
    assert!(hot > 0, "the kill left no journal: the upgrade committed before it (make the table larger)");

    let current = p.strata(&["current"]);
    assert!(current.ok().starts_with("r1 "), "{}", current.stdout);
    assert!(!journal(&p).exists(), "reading rolled the hot journal back");
    p.strata(&["history"]).ok();
    p.strata(&["heads"]).ok();
    p.strata(&["verify"]).ok();
    let check = p.strata(&["check", "--json"]).json();
    assert_eq!((check["drift"].as_array().unwrap().len(), check["findings"].as_array().unwrap().len()), (0, 0), "{check}");
    assert_eq!(check["pending"], serde_json::json!(["r2", "r3", "r4"]));
    p.strata(&["diff"]).ok();
    p.strata(&["upgrade", "head", "--dry-run"]).ok();
    assert_eq!(rows(&p.db_path()), before, "every row is there, as before the upgrade");
    p.strata(&["upgrade", "head"]).ok();
    assert_eq!(rows(&p.db_path()), before);
    assert_eq!(versions(&p.db()), ["r1", "r2", "r3", "r4"]);
}

/// Ctrl-C and SIGTERM in the middle of the large rebuild: the revision running is rolled back,
/// the one that committed before it stays, the command says both and exits 128 + the signal.
#[test]
fn ctrl_c_and_sigterm_roll_back_the_running_revision_and_say_so() {
    for (name, code) in [("INT", 130), ("TERM", 143)] {
        let p = large_project();
        // r2 is now small, so it commits before the signal; the rebuild is r4's.
        p.strata(&["upgrade", "r2"]).ok();
        let before = rows(&p.db_path());
        let (child, lines) = spawn_reading(&p, &["upgrade", "head"]);
        wait_for_line(&lines, "Running upgrade r3 -> r4");
        std::thread::sleep(Duration::from_millis(30));
        signal(&child, name);
        let (status, stderr) = stderr_of(child);
        assert_eq!(status, Some(code), "SIG{name}: {stderr}");
        let said = |s: &str| assert!(stderr.contains(s), "SIG{name}: no {s:?} in:\n{stderr}");
        said(if name == "INT" { "interrupted: SIGINT (Ctrl-C) stopped the upgrade." } else { "interrupted: SIGTERM stopped the upgrade." });
        said("revision r4 (revision r4) did not complete and nothing of it was kept (its transaction was rolled back); it is not applied");
        said("applied: r3 (revision r3) (committed before the stop, and kept)");
        said("the database is at r3");
        assert_eq!(versions(&p.db()), ["r1", "r2", "r3"], "SIG{name}");
        assert!(!journal(&p).exists(), "SIG{name}: the rollback finished");
        assert_eq!(rows(&p.db_path()), before, "SIG{name}: every row is there");
        let columns: i64 = p.db().query_row("SELECT count(*) FROM pragma_table_info('items')", [], |r| r.get(0)).unwrap();
        assert_eq!(columns, 3, "SIG{name}: the rebuild was undone");
        p.strata(&["upgrade", "head"]).ok();
        assert_eq!(rows(&p.db_path()), before);
    }
}

/// A small deterministic generator, so each seed's kill time can be reported and replayed.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// kill -9 at random moments of `upgrade head` over the large table (seeds 1 to 8), then
/// `current`, `verify`, `check` and a second `upgrade head` all work and every row is there.
/// Each seed prints where its kill landed.
#[test]
fn kill_9_at_random_moments_of_a_large_upgrade_loses_no_row() {
    let p = large_project();
    let template = p.path("template.db");
    std::fs::copy(p.db_path(), &template).unwrap();
    let before = rows(&template);
    assert_eq!(before.0, ROWS);
    // How long a whole upgrade takes here, to spread the kills over it.
    let started = Instant::now();
    p.strata(&["upgrade", "head"]).ok();
    let whole = started.elapsed();
    eprintln!("a whole upgrade r1 -> r4 of {ROWS} rows takes {} ms here", whole.as_millis());

    for seed in 1..=8u64 {
        std::fs::copy(&template, p.db_path()).unwrap();
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let delay = Duration::from_micros(next(&mut state) % (whole.as_micros() as u64).max(1));
        let mut child = p.command(&["upgrade", "head"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(delay);
        child.kill().unwrap();
        let status = child.wait().unwrap();
        let hot = journal(&p).exists();

        let current = p.strata(&["current", "--json"]).json();
        let at: Vec<String> = current["current"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect();
        let verify = p.strata(&["verify"]);
        verify.ok();
        let check = p.strata(&["check", "--json"]);
        assert!(check.code == 0 || check.code == 1, "seed {seed}: check failed to run:\n{}", check.stderr);
        let report = check.json();
        assert!(report["drift"].as_array().unwrap().is_empty(), "seed {seed}: drift {report}");
        assert!(report["findings"].as_array().unwrap().is_empty(), "seed {seed}: findings {report}");
        assert!(report["model_changes"].as_array().unwrap().is_empty(), "seed {seed}: {report}");
        assert_eq!(rows(&p.db_path()), before, "seed {seed}: rows after the kill");
        p.strata(&["upgrade", "head"]).ok();
        assert_eq!(rows(&p.db_path()), before, "seed {seed}: rows after the second upgrade");
        assert_eq!(versions(&p.db()), ["r1", "r2", "r3", "r4"], "seed {seed}");
        assert!(p.strata(&["check"]).ok().contains("agree"), "seed {seed}");
        eprintln!(
            "seed {seed}: killed after {} ms ({}), journal left: {hot}, database was at {}",
            delay.as_millis(),
            if status.success() { "it had finished" } else { "mid-run" },
            if at.is_empty() { "base".into() } else { at.join(", ") }
        );
    }
}

/// The files beside the database whose names say "backup", finished or not.
fn backup_files(p: &Project) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(p.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".bak") || n.contains("backup"))
        .collect();
    v.sort();
    v
}

/// A full disk, simulated with a file size limit (`ulimit -f`, RLIMIT_FSIZE) well below the
/// database's size: the copy's writes fail with EFBIG as they would with ENOSPC. The command
/// fails before any revision runs, and no file is left, under a backup's name or the temporary
/// one.
#[test]
fn a_backup_that_cannot_be_written_leaves_no_file_and_changes_nothing() {
    let p = large_project();
    let size = std::fs::metadata(p.db_path()).unwrap().len();
    assert!(size > 1_000_000, "{size}");
    let out = Command::new("sh")
        .arg("-c")
        // SIGXFSZ would kill the process at the limit; ignored, the write fails instead.
        .arg("trap '' XFSZ; ulimit -f 200; exec \"$0\" \"$@\"")
        .arg(cli_support::strata_bin())
        .args(["upgrade", "head", "--backup"])
        .current_dir(p.dir.path())
        .env_remove("STRATA_DATABASE")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot write the backup") && stderr.contains("no backup was kept and the database was not changed"), "{stderr}");
    assert_eq!(backup_files(&p), Vec::<String>::new());
    assert_eq!(versions(&p.db()), ["r1"]);
}

/// Ctrl-C while the copy is being written: no backup, no temporary file, nothing changed.
#[test]
fn an_interrupted_backup_leaves_no_file_and_changes_nothing() {
    let p = large_project();
    let mut child = p.command(&["upgrade", "head", "--backup"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    // Whatever the copy is called while it is written, it is a new file beside the database.
    while backup_files(&p).is_empty() {
        assert!(Instant::now() < deadline, "the copy never started");
        assert!(child.try_wait().unwrap().is_none(), "strata finished before the copy was seen");
        std::thread::sleep(Duration::from_micros(200));
    }
    signal(&child, "INT");
    let (status, stderr) = stderr_of(child);
    assert_eq!(status, Some(130), "{stderr}");
    assert!(stderr.contains("no revision had started; nothing was changed"), "{stderr}");
    assert!(stderr.contains("the backup was not finished, and nothing of it was kept"), "{stderr}");
    assert_eq!(backup_files(&p), Vec::<String>::new());
    assert_eq!(versions(&p.db()), ["r1"]);
}

/// `--backup` on a command that is refused, or that has nothing to do, writes no backup.
#[test]
fn no_backup_is_written_when_the_command_is_refused_or_has_nothing_to_do() {
    let p = Project::init();
    p.revision("r1", &[], "CREATE TABLE a (x);\nINSERT INTO a VALUES (1);", "DROP TABLE a;");
    p.strata(&["upgrade", "head"]).ok();
    let nothing = p.strata(&["upgrade", "head", "--backup"]);
    assert!(nothing.ok().contains("nothing to do, so no backup was written"), "{}", nothing.stdout);
    assert_eq!(backup_files(&p), Vec::<String>::new());
    // Refused: the downgrade would drop a table holding a row.
    p.strata(&["downgrade", "base", "--backup"]).fails();
    assert_eq!(backup_files(&p), Vec::<String>::new());
    // Refused: the applied revision's file was edited.
    let file = p.revision_files().into_iter().next().unwrap();
    let text = p.read(&format!("migrations/{file}")).replace("VALUES (1)", "VALUES (2)");
    p.write(&format!("migrations/{file}"), &text);
    p.revision("r2", &["r1"], "CREATE TABLE b (y);", "DROP TABLE b;");
    p.strata(&["upgrade", "head", "--backup"]).fails();
    assert_eq!(backup_files(&p), Vec::<String>::new());
    // A backup that is taken is checked and leaves no temporary file.
    p.write(&format!("migrations/{file}"), &text.replace("VALUES (2)", "VALUES (1)"));
    let taken = p.strata(&["upgrade", "head", "--backup"]);
    assert!(taken.ok().contains("backup written to"), "{}", taken.stdout);
    let files = backup_files(&p);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].starts_with("app.db.") && files[0].ends_with(".bak"), "{files:?}");
}

/// Another connection holds the write lock (BEGIN IMMEDIATE) past a short busy timeout: the
/// upgrade says which process holds it and what to do, says nothing of it ran, and does not
/// call it a failed revision. A read command blocked by an exclusive lock says the same.
#[test]
fn a_lock_wait_that_runs_out_names_the_holder_and_what_to_do() {
    let p = Project::init();
    let config = p.read("strata.toml");
    p.write("strata.toml", &config.replace("busy_timeout_ms = 30000", "busy_timeout_ms = 300"));
    assert!(p.read("strata.toml").contains("busy_timeout_ms = 300\n"));
    p.revision("r1", &[], "CREATE TABLE a (x);", "DROP TABLE a;");
    p.revision("r2", &["r1"], "CREATE TABLE b (y);", "DROP TABLE b;");
    p.strata(&["upgrade", "r1"]).ok();

    let holder = p.db();
    holder.execute_batch("BEGIN IMMEDIATE; INSERT INTO a VALUES (1);").unwrap();
    let started = Instant::now();
    let run = p.strata(&["upgrade", "head"]);
    let waited = started.elapsed();
    let msg = run.fails();
    let me = format!("is locked by process {} (", std::process::id());
    for part in [
        me.as_str(),
        "still locked after 0.3 s (busy_timeout_ms = 300)",
        "revision r2 (revision r2) did not complete and nothing of it was kept",
        "the database is at r1",
        "Wait for that process to finish",
    ] {
        assert!(msg.contains(part), "no {part:?} in:\n{msg}");
    }
    assert!(!msg.contains("failed and was rolled back") && !msg.contains("database is locked"), "{msg}");
    assert!(waited >= Duration::from_millis(300), "it waited the busy timeout ({waited:?})");
    assert_eq!(msg.matches("error:").count(), 1, "{msg}");

    // A reader meets an exclusive lock (a writer committing) the same way.
    holder.execute_batch("COMMIT; BEGIN EXCLUSIVE; INSERT INTO a VALUES (2);").unwrap();
    let read = p.strata(&["current"]).fails();
    assert!(read.contains(&me) && read.contains("nothing was changed") && read.contains("busy_timeout_ms"), "{read}");
    holder.execute_batch("ROLLBACK").unwrap();
    p.strata(&["upgrade", "head"]).ok();
    assert_eq!(versions(&p.db()), ["r1", "r2"]);
}
