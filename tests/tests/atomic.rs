//! One revision, one transaction, through the real `strata` binary: statements that would break
//! a revision's transaction are refused by `verify`, `upgrade` and `import-sql` with the file and
//! line; `no-transaction` revisions commit statement by statement, are marked as not atomic and
//! say what committed when they fail; and `upgrade --sql` scripts are as strict as the runner
//! when the real `sqlite3` shell runs them with `-bail`.

mod cli_support;

use std::path::Path;
use std::process::{Command, Stdio};

use cli_support::{dump, versions, Project};
use strata_core::revision::{Direction, Revision, SectionOptions};

/// One statement of each kind a revision may not contain.
const BREAKERS: &[&str] = &[
    "BEGIN",
    "COMMIT",
    "END",
    "ROLLBACK",
    "SAVEPOINT sneak",
    "RELEASE sneak",
    "ATTACH DATABASE 'other.db' AS other",
    "DETACH DATABASE other",
    "VACUUM",
    "PRAGMA writable_schema = ON",
    "PRAGMA journal_mode = WAL",
    "PRAGMA locking_mode = EXCLUSIVE",
    "PRAGMA synchronous = OFF",
];

/// Writes a revision file as given (options included) and returns its path in the project.
fn write_revision(p: &Project, rev: &Revision) -> String {
    let rel = format!("migrations/{}", rev.file_name());
    p.write(&rel, &rev.render());
    rel
}

fn revision(id: &str, parents: &[&str], created: &str, up: &str, down: &str) -> Revision {
    Revision::new(id, parents.iter().map(|s| s.to_string()).collect(), &format!("revision {id}"), created, up, down)
}

fn no_transaction(r: Revision) -> Revision {
    r.with_options(Direction::Up, SectionOptions { no_transaction: true, ..SectionOptions::default() })
}

/// The `sqlite3` shell; scripts/tools.sh installs Debian's package when it is missing.
fn sqlite3() -> Command {
    let probe = Command::new("sqlite3").arg("-version").output();
    assert!(probe.is_ok_and(|o| o.status.success()), "the sqlite3 shell is needed (scripts/tools.sh installs Debian's sqlite3 package)");
    Command::new("sqlite3")
}

/// Runs `script` with `sqlite3 -bail DATABASE`, as the script's header says to.
fn run_script(db: &Path, script: &str) -> (i32, String) {
    let mut child = sqlite3().arg("-bail").arg(db).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), script.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn verify_and_upgrade_refuse_each_statement_that_breaks_a_revision_with_its_line() {
    for stmt in BREAKERS {
        let p = Project::init();
        p.revision("r1", &[], "CREATE TABLE t (x);\nINSERT INTO t VALUES (1);", "DROP TABLE t;");
        p.strata(&["upgrade"]).ok();
        p.revision("r2", &["r1"], &format!("INSERT INTO t VALUES (2);\n{stmt};\nCREATE TABLE u (y);"), "DROP TABLE u;");
        let before = dump(&p.db());
        let where_ = format!("revision r2 line 9 (-- +up section): `{stmt}`");
        let verify = p.strata(&["verify"]).fails();
        assert!(verify.contains(&where_), "{stmt}: {verify}");
        let up = p.strata(&["upgrade", "head"]).fails();
        assert!(up.contains("would break a revision's transaction, so nothing was run") && up.contains(&where_), "{stmt}: {up}");
        let script = p.strata(&["upgrade", "head", "--sql"]).fails();
        assert!(script.contains(&where_), "{stmt}: {script}");
        assert_eq!(dump(&p.db()), before, "{stmt}");
        assert!(!p.path("other.db").exists());
    }
}

#[test]
fn import_sql_refuses_a_file_that_breaks_the_transaction_and_writes_nothing() {
    let p = Project::init();
    p.write("legacy/001_init.sql", "BEGIN;\nCREATE TABLE t (x);\nCOMMIT;\n");
    p.write("legacy/002_tune.sql", "-- make it fast\nPRAGMA journal_mode = WAL;\nCREATE INDEX i ON t (x);\n");
    let out = p.strata(&["import-sql", "legacy"]).fails();
    assert!(
        out.contains("002_tune.sql line 2: `PRAGMA journal_mode = WAL`: this pragma changes how the whole database file is written, not the schema"),
        "{out}"
    );
    assert!(out.contains("nothing was imported"), "{out}");
    assert!(p.revision_files().is_empty(), "{:?}", p.revision_files());
}

#[test]
fn a_no_transaction_backfill_commits_in_batches_and_is_shown_as_not_atomic() {
    let p = Project::init();
    p.revision("r1", &[], "CREATE TABLE t (x INTEGER, c INTEGER);\nWITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 25) INSERT INTO t (x) SELECT i FROM n;", "DROP TABLE t;");
    write_revision(
        &p,
        &no_transaction(revision(
            "b2",
            &["r1"],
            "2026-01-01T00:00:09Z",
            "-- fill c\n-- @repeat\nUPDATE t SET c = x * 2 WHERE rowid IN (SELECT rowid FROM t WHERE c IS NULL LIMIT 10);",
            "UPDATE t SET c = NULL;",
        )),
    );
    let history = p.strata(&["history"]);
    assert!(history.ok().contains("r1 -> b2 (head) (not atomic), revision b2"), "{}", history.stdout);
    assert!(!history.stdout.contains("-> r1 (not atomic)"), "{}", history.stdout);
    let json = p.strata(&["history", "--json"]).json();
    assert_eq!((json[0]["id"].as_str(), json[0]["atomic"].as_bool(), json[1]["atomic"].as_bool()), (Some("b2"), Some(false), Some(true)));
    let show = p.strata(&["show", "b2"]);
    assert!(show.ok().contains("Atomic: no (no-transaction: up commits statement by statement"), "{}", show.stdout);
    assert_eq!(p.strata(&["show", "b2", "--json"]).json()["atomic"], false);

    let up = p.strata(&["upgrade", "head"]);
    let out = up.ok();
    assert!(out.contains("note: not atomic: each statement commits on its own"), "{out}");
    for line in ["fill c: run 1 changed 10 rows (10 in all)", "fill c: run 3 changed 5 rows (25 in all)", "fill c: run 4 changed 0 rows (25 in all)"] {
        assert!(out.contains(line), "{line}:\n{out}");
    }
    let left: i64 = p.db().query_row("SELECT count(*) FROM t WHERE c IS NOT x * 2", [], |r| r.get(0)).unwrap();
    assert_eq!(left, 0);
    assert_eq!(versions(&p.db()), ["r1", "b2"]);
    assert!(p.strata(&["verify"]).ok().contains("2 applied revision(s) match their files"));
}

#[test]
fn a_failing_no_transaction_revision_says_what_committed_and_is_not_recorded() {
    let p = Project::init();
    p.revision("r1", &[], "CREATE TABLE t (x INTEGER, c INTEGER);\nINSERT INTO t (x) VALUES (1), (2), (3);", "DROP TABLE t;");
    let rel = write_revision(
        &p,
        &no_transaction(revision(
            "b2",
            &["r1"],
            "2026-01-01T00:00:09Z",
            "-- fill c\n-- @repeat\nUPDATE t SET c = x WHERE rowid IN (SELECT rowid FROM t WHERE c IS NULL LIMIT 2);\n-- check the result\nINSERT INTO missing_table VALUES (1);",
            "",
        )),
    );
    p.strata(&["upgrade", "r1"]).ok();
    let out = p.strata(&["upgrade", "head"]).fails();
    assert!(out.contains("revision b2 (revision b2) failed and is not recorded as applied; the version table says the database is at r1"), "{out}");
    assert!(out.contains("step 2 (check the result) failed: no such table: missing_table"), "{out}");
    assert!(out.contains("step 1 (fill c) in 3 runs changing 3 rows committed before this step and stay committed; the revision is NOT recorded as applied"), "{out}");
    assert!(!out.contains("rolled back"), "{out}");
    assert_eq!(versions(&p.db()), ["r1"]);
    let filled: i64 = p.db().query_row("SELECT count(*) FROM t WHERE c = x", [], |r| r.get(0)).unwrap();
    assert_eq!(filled, 3, "what the message says committed is in the database");
    // Fixed (not applied, so the edit is allowed), it runs again and is recorded.
    p.write(&rel, &p.read(&rel).replace("INSERT INTO missing_table VALUES (1);", "SELECT 1;"));
    p.strata(&["upgrade", "head"]).ok();
    assert_eq!(versions(&p.db()), ["r1", "b2"]);
}

/// Item 4 of issue 11: the script used to print `PRAGMA foreign_key_check` and COMMIT anyway,
/// keeping orphaned rows that `strata upgrade` refuses.
#[test]
fn an_upgrade_script_stops_before_commit_on_an_orphan_under_sqlite3_bail() {
    let p = Project::init();
    p.revision(
        "r1",
        &[],
        "CREATE TABLE parent (id INTEGER PRIMARY KEY);\nCREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id));\nINSERT INTO parent VALUES (1), (2);\nINSERT INTO child VALUES (10, 1), (20, 2);",
        "DROP TABLE child;\nDROP TABLE parent;",
    );
    let orphaning = revision("r2", &["r1"], "2026-01-01T00:00:05Z", "DELETE FROM parent WHERE id = 1;", "INSERT INTO parent VALUES (1);").with_foreign_keys_off(true, false);
    write_revision(&p, &orphaning);
    p.strata(&["upgrade", "r1"]).ok();
    let before = dump(&p.db());
    // The DELETE loses a row, which the data-loss gate would refuse first; allowed here so
    // that the foreign-key check is what stops it.
    let refused = p.strata(&["upgrade", "head", "--allow-data-loss"]).fails();
    assert!(refused.contains("child row 10 has no parent in parent"), "{refused}");
    assert_eq!(dump(&p.db()), before);

    let script = p.strata(&["upgrade", "head", "--sql"]).ok().to_string();
    assert!(script.contains("sqlite3 -bail"), "{script}");
    let (code, out) = run_script(&p.db_path(), &script);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("CHECK constraint failed: revision r2: PRAGMA foreign_key_check finds rows without a parent; its transaction was not committed"), "{out}");
    assert_eq!(dump(&p.db()), before, "the script committed something:\n{script}");

    // Without the orphan, the script does what `strata upgrade` does.
    let fixed = revision("r2", &["r1"], "2026-01-01T00:00:05Z", "DELETE FROM child WHERE parent_id = 1;\nDELETE FROM parent WHERE id = 1;", "INSERT INTO parent VALUES (1);").with_foreign_keys_off(true, false);
    write_revision(&p, &fixed);
    let script = p.strata(&["upgrade", "head", "--sql"]).ok().to_string();
    std::fs::copy(p.db_path(), p.path("copy.db")).unwrap();
    let (code, out) = run_script(&p.db_path(), &script);
    assert_eq!(code, 0, "{out}\n{script}");
    p.strata(&["--database", "copy.db", "upgrade", "head", "--allow-data-loss"]).ok();
    assert_eq!(dump(&p.db()), dump(&rusqlite::Connection::open(p.path("copy.db")).unwrap()));
    assert_eq!(versions(&p.db()), ["r1", "r2"]);
    assert!(p.strata(&["verify"]).ok().contains("ok:"));
}

#[test]
fn a_script_runs_hand_written_sql_through_quick_check() {
    let p = Project::init();
    p.revision("r1", &[], "CREATE TABLE checked (n INTEGER CHECK (n > 0));", "DROP TABLE checked;");
    p.revision("r2", &["r1"], "CREATE TABLE u (y);", "DROP TABLE u;");
    p.strata(&["upgrade", "r1"]).ok();
    // Damage of the kind quick_check finds: a row that breaks its CHECK constraint.
    p.db().execute_batch("PRAGMA ignore_check_constraints = ON; INSERT INTO checked VALUES (-1);").unwrap();
    let before = dump(&p.db());
    assert!(p.strata(&["upgrade", "head"]).fails().contains("PRAGMA quick_check reports problems in the database"));
    let script = p.strata(&["upgrade", "head", "--sql"]).ok().to_string();
    let (code, out) = run_script(&p.db_path(), &script);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("revision r2: PRAGMA quick_check reports problems after its hand-written SQL; its transaction was not committed"), "{out}");
    assert_eq!(dump(&p.db()), before);
}

#[test]
fn a_script_runs_a_repeated_statement_once_and_stops_if_rows_are_left() {
    let p = Project::init();
    p.revision("r1", &[], "CREATE TABLE t (x INTEGER, c INTEGER);\nINSERT INTO t (x) VALUES (1), (2), (3);", "DROP TABLE t;");
    write_revision(
        &p,
        &no_transaction(revision(
            "b2",
            &["r1"],
            "2026-01-01T00:00:09Z",
            "-- @repeat\nUPDATE t SET c = x WHERE rowid IN (SELECT rowid FROM t WHERE c IS NULL LIMIT 5);",
            "UPDATE t SET c = NULL;",
        )),
    );
    p.strata(&["upgrade", "r1"]).ok();
    // Three rows fit in one batch: the one run the script makes does it all.
    let script = p.strata(&["upgrade", "head", "--sql"]).ok().to_string();
    assert!(script.contains("-- not atomic (no-transaction)"), "{script}");
    let (code, out) = run_script(&p.db_path(), &script);
    assert_eq!(code, 0, "{out}\n{script}");
    assert_eq!(versions(&p.db()), ["r1", "b2"]);

    // Twelve rows do not: the script stops after the first batch, which stays committed,
    // without recording the revision; `strata upgrade` finishes it.
    // The down section's UPDATE overwrites the backfilled values, which is what it is for.
    p.strata(&["downgrade", "r1", "--allow-data-loss"]).ok();
    p.db().execute_batch("WITH RECURSIVE n(i) AS (SELECT 4 UNION ALL SELECT i + 1 FROM n WHERE i < 12) INSERT INTO t (x) SELECT i FROM n").unwrap();
    let script = p.strata(&["upgrade", "head", "--sql"]).ok().to_string();
    let (code, out) = run_script(&p.db_path(), &script);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("revision b2: the -- @repeat statement at line 9 still changes rows; this script runs it once"), "{out}");
    let filled: i64 = p.db().query_row("SELECT count(*) FROM t WHERE c IS NOT NULL", [], |r| r.get(0)).unwrap();
    assert_eq!(filled, 5);
    assert_eq!(versions(&p.db()), ["r1"]);
    p.strata(&["upgrade", "head"]).ok();
    let filled: i64 = p.db().query_row("SELECT count(*) FROM t WHERE c = x", [], |r| r.get(0)).unwrap();
    assert_eq!(filled, 12);
    assert_eq!(versions(&p.db()), ["r1", "b2"]);
}
