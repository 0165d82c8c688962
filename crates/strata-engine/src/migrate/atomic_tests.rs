//! One revision, one transaction, through `upgrade` and `downgrade`: every statement that would
//! break the transaction is refused before anything runs, `no-transaction` sections commit
//! statement by statement and say what committed, hand-written SQL is quick_checked, and each
//! revision's preconditions are checked again under the write lock.

use std::cell::Cell;

use super::*;
use strata_core::revision::SectionOptions;
use crate::test_support::{breaker, database, dump, BREAKERS};

struct Fixed(Cell<f64>);
impl Clock for Fixed {
    fn now(&self) -> Timestamp {
        Timestamp(1_767_225_600_000)
    }
    fn millis(&self) -> f64 {
        self.0.set(self.0.get() + 1.0);
        self.0.get()
    }
}

fn clock() -> Fixed {
    Fixed(Cell::new(0.0))
}

fn rev(id: &str, parents: &[&str], up: &str, down: &str) -> Revision {
    Revision::new(id, parents.iter().map(|s| s.to_string()).collect(), &format!("rev {id}"), id, up, down)
}

fn no_transaction(r: Revision, dir: Direction) -> Revision {
    r.with_options(dir, SectionOptions { no_transaction: true, ..SectionOptions::default() })
}

fn up(conn: &mut Connection, g: &Graph, target: &str) -> Result<Vec<String>> {
    upgrade(conn, g, &Target::parse(target), &Options::default(), &clock(), &mut |_| {})
}

fn down(conn: &mut Connection, g: &Graph, target: &str) -> Result<Vec<String>> {
    let opts = Options { allow_data_loss: true, ..Options::default() };
    downgrade(conn, g, &Target::parse(target), &opts, &clock(), &mut |_| {})
}

fn applied_ids(conn: &Connection) -> Vec<String> {
    applied(conn, DEFAULT_VERSION_TABLE).unwrap().into_iter().map(|r| r.version).collect()
}

fn column(conn: &Connection, sql: &str) -> Vec<Option<i64>> {
    conn.prepare(sql).unwrap().query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect()
}

/// A revision made through `Revision::new` is never checked on the way in: `upgrade` refuses
/// it before anything runs, in a transactional section and a no-transaction one alike, and in
/// either direction.
#[test]
fn each_breaking_statement_smuggled_into_a_revision_is_refused_before_anything_runs() {
    for template in BREAKERS {
        for batched in [false, true] {
            let (dir, mut conn) = database();
            let sql = breaker(template, dir.path());
            let base = rev("r1", &[], "CREATE TABLE a (y);", "DROP TABLE a;");
            let mut r2 = rev("r2", &["r1"], &format!("INSERT INTO t (x) VALUES (3);\nCREATE TABLE smuggled (z);\n{sql};\nINSERT INTO t (x) VALUES (4);"), "DROP TABLE smuggled;");
            if batched {
                r2 = no_transaction(r2, Direction::Up);
            }
            let g = Graph::new(vec![base.clone(), r2]).unwrap();
            // r1 is applied while the graph holds only it, so the database has a history.
            up(&mut conn, &Graph::new(vec![base]).unwrap(), "head").unwrap();
            let before = dump(&conn, dir.path());
            let e = up(&mut conn, &g, "head").unwrap_err();
            let message = e.to_string();
            assert!(matches!(e, MigrateError::UnsafeSql { .. }), "{sql}: {e:?}");
            assert!(message.starts_with("the revisions hold statements that would break a revision's transaction, so nothing was run:\n"), "{message}");
            assert!(message.contains(&format!("revision r2 line 10 (-- +up section): `{sql}`: ")), "{message}");
            assert_eq!(dump(&conn, dir.path()), before, "{sql} (no-transaction: {batched})");

            // The same statement in the down section of an applied revision stops a downgrade.
            let r3 = rev("r3", &["r1"], "CREATE TABLE b (w);", &format!("DROP TABLE b;\n{sql};"));
            let g = Graph::new(vec![g.get("r1").unwrap().clone(), r3.clone()]).unwrap();
            stamp(&mut conn, &g, &Target::Revision("r3".into()), &Options::default(), &clock()).unwrap();
            conn.execute_batch("CREATE TABLE b (w)").unwrap();
            let before = dump(&conn, dir.path());
            let e = down(&mut conn, &g, "-1").unwrap_err();
            assert!(e.to_string().contains(&format!("revision r3 line 12 (-- +down section): `{sql}`")), "{e}");
            assert_eq!(dump(&conn, dir.path()), before, "{sql}");
            assert_eq!(applied_ids(&conn), ["r1", "r3"]);
        }
    }
}

#[test]
fn a_no_transaction_backfill_runs_in_batches_and_is_recorded_after_its_last_statement() {
    let (dir, mut conn) = database();
    conn.execute_batch("WITH RECURSIVE n(i) AS (SELECT 3 UNION ALL SELECT i + 1 FROM n WHERE i < 25) INSERT INTO t (x) SELECT i FROM n").unwrap();
    let backfill = no_transaction(
        rev(
            "b1",
            &[],
            "CREATE TABLE IF NOT EXISTS audit (n INTEGER);\n-- fill c in batches of ten\n-- @repeat\nUPDATE t SET c = x * 2 WHERE rowid IN (SELECT rowid FROM t WHERE c IS NULL LIMIT 10);",
            "UPDATE t SET c = NULL;",
        ),
        Direction::Up,
    );
    assert!(!backfill.is_atomic());
    let g = Graph::new(vec![backfill]).unwrap();
    let mut seen = Vec::new();
    let done = upgrade(&mut conn, &g, &Target::Head, &Options::default(), &clock(), &mut |e| match e {
        Event::Repeat { label, runs, rows, total, .. } => seen.push(format!("{label}: run {runs}, {rows} rows, {total} in all")),
        Event::Done { .. } => seen.push("done".into()),
        _ => {}
    })
    .unwrap();
    assert_eq!(done, ["b1"]);
    assert_eq!(
        seen,
        [
            "fill c in batches of ten: run 1, 10 rows, 10 in all",
            "fill c in batches of ten: run 2, 10 rows, 20 in all",
            "fill c in batches of ten: run 3, 5 rows, 25 in all",
            "fill c in batches of ten: run 4, 0 rows, 25 in all",
            "done",
        ]
    );
    assert_eq!(column(&conn, "SELECT count(*) FROM t WHERE c IS NOT x * 2"), [Some(0)], "{}", dump(&conn, dir.path()));
    assert_eq!(applied_ids(&conn), ["b1"]);
}

#[test]
fn a_no_transaction_failure_says_what_committed_records_nothing_and_can_run_again() {
    let (dir, mut conn) = database();
    let broken = no_transaction(
        rev(
            "b1",
            &[],
            "CREATE TABLE IF NOT EXISTS audit (n INTEGER);\n-- copy x to c, a row at a time\n-- @repeat\nUPDATE t SET c = x WHERE rowid IN (SELECT rowid FROM t WHERE c IS NULL LIMIT 1);\nINSERT INTO nowhere VALUES (1);",
            "",
        ),
        Direction::Up,
    );
    let e = up(&mut conn, &Graph::new(vec![broken]).unwrap(), "head").unwrap_err();
    let message = e.to_string();
    assert!(matches!(e, MigrateError::FailedPartly { .. }), "{e:?}");
    assert!(message.starts_with("revision b1 (rev b1) failed and is not recorded as applied; the version table says the database is at base\nstep 3 (INSERT INTO nowhere VALUES (1)) failed: no such table: nowhere"), "{message}");
    assert!(
        message.contains("step 1 (CREATE TABLE IF NOT EXISTS audit (n INTEGER)), step 2 (copy x to c, a row at a time) in 3 runs changing 2 rows committed before this step and stay committed; the revision is NOT recorded as applied"),
        "{message}"
    );
    assert!(!message.contains("rolled back"), "{message}");
    // What the message says committed did, and nothing else.
    assert!(dump(&conn, dir.path()).contains("table audit"));
    assert_eq!(column(&conn, "SELECT c FROM t ORDER BY x"), [Some(1), Some(2)]);
    assert!(applied_ids(&conn).is_empty());

    // Fixed, it runs again from its first statement (each safe to repeat) and is recorded.
    let fixed = no_transaction(
        rev(
            "b1",
            &[],
            "CREATE TABLE IF NOT EXISTS audit (n INTEGER);\n-- @repeat\nUPDATE t SET c = x WHERE rowid IN (SELECT rowid FROM t WHERE c IS NULL LIMIT 1);\nINSERT INTO audit VALUES (1);",
            "",
        ),
        Direction::Up,
    );
    assert_eq!(up(&mut conn, &Graph::new(vec![fixed]).unwrap(), "head").unwrap(), ["b1"]);
    assert_eq!(column(&conn, "SELECT n FROM audit"), [Some(1)]);
    assert_eq!(applied_ids(&conn), ["b1"]);
}

#[test]
fn a_no_transaction_revision_whose_parent_was_reverted_meanwhile_is_not_recorded() {
    let (dir, mut conn) = database();
    let r1 = rev("r1", &[], "CREATE TABLE a (y);", "DROP TABLE a;");
    let b2 = no_transaction(rev("b2", &["r1"], "-- copy x to c\n-- @repeat\nUPDATE t SET c = x WHERE rowid IN (SELECT rowid FROM t WHERE c IS NULL LIMIT 1);", ""), Direction::Up);
    let g = Graph::new(vec![r1, b2]).unwrap();
    up(&mut conn, &g, "r1").unwrap();
    // Another process reverts r1 between two batches of b2 (nobody holds the lock then).
    let other = Connection::open(dir.path().join("app.db")).unwrap();
    let mut reverted = false;
    let e = upgrade(&mut conn, &g, &Target::Head, &Options::default(), &clock(), &mut |e| {
        if let Event::Repeat { runs: 1, .. } = e {
            other.execute_batch("BEGIN IMMEDIATE; DROP TABLE a; DELETE FROM schema_version WHERE version = 'r1'; COMMIT;").unwrap();
            reverted = true;
        }
    })
    .unwrap_err();
    assert!(reverted);
    let message = e.to_string();
    assert!(matches!(e, MigrateError::FailedPartly { .. }), "{e:?}");
    assert!(
        message.contains("every statement of this no-transaction section committed (step 1 (copy x to c) in 3 runs changing 2 rows), but under the write lock it could no longer be recorded: its parent r1 is not applied (another process changed the database while this command ran the statements); the revision is NOT recorded as applied"),
        "{message}"
    );
    assert!(applied_ids(&conn).is_empty(), "b2 recorded without its parent");
}

#[test]
fn hand_written_revisions_are_quick_checked_before_commit_and_generated_ones_are_not() {
    // The database already breaks a CHECK constraint; quick_check finds it before the commit
    // of hand-written SQL, which is then rolled back.
    let damaged = || {
        let (dir, conn) = database();
        conn.execute_batch("CREATE TABLE checked (n INTEGER CHECK (n > 0)); PRAGMA ignore_check_constraints = ON; INSERT INTO checked VALUES (-1); PRAGMA ignore_check_constraints = OFF;").unwrap();
        (dir, conn)
    };
    let written = rev("r1", &[], "CREATE TABLE a (y);", "DROP TABLE a;");
    let generated = written.clone().mark_generated();
    let edited = Revision::parse(&generated.render().replace("CREATE TABLE a (y);", "CREATE TABLE a (y, z);")).unwrap();
    assert!(!written.is_generated() && generated.is_generated() && !edited.is_generated());
    for (r, checked) in [(written, true), (generated, false), (edited, true)] {
        let (dir, mut conn) = damaged();
        let before = dump(&conn, dir.path());
        let result = up(&mut conn, &Graph::new(vec![r.clone()]).unwrap(), "head");
        if checked {
            let message = result.unwrap_err().to_string();
            assert!(message.contains("PRAGMA quick_check reports problems in the database after the statements ran (CHECK constraint failed in checked); the transaction was rolled back and no changes were applied"), "{message}");
            assert_eq!(dump(&conn, dir.path()), before);
        } else {
            assert_eq!(result.unwrap(), ["r1"]);
        }
    }
}

/// The race of issue 11: a path chosen before the lock, and another process changing the
/// database before this one takes it. Each revision's preconditions are read again under the
/// lock, and the command stops instead of applying a child without its parent.
#[test]
fn preconditions_are_checked_again_under_the_write_lock() {
    let (dir, mut conn) = database();
    let path = dir.path().join("app.db");
    let g = Graph::new(vec![
        rev("r1", &[], "CREATE TABLE a (y);", "DROP TABLE a;"),
        rev("r2", &["r1"], "CREATE TABLE b (y);", "DROP TABLE b;"),
        rev("r3", &["r2"], "CREATE TABLE c (y);", "DROP TABLE c;"),
    ])
    .unwrap();
    up(&mut conn, &g, "r1").unwrap();
    // An `upgrade head` chose [r2, r3]; before it takes the lock, a `downgrade -1` reverts r1.
    let other = Connection::open(&path).unwrap();
    let e = upgrade(&mut conn, &g, &Target::Head, &Options::default(), &clock(), &mut |e| {
        if let Event::Begin { revision, .. } = e {
            if revision.id == "r2" {
                other.execute_batch("BEGIN IMMEDIATE; DROP TABLE a; DELETE FROM schema_version WHERE version = 'r1'; COMMIT;").unwrap();
            }
        }
    })
    .unwrap_err();
    assert!(matches!(e, MigrateError::Changed { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "revision r2 was not applied: its parent r1 is not applied; another process changed the database after this command chose what to run, so nothing of r2 was run; run the command again to decide afresh"
    );
    assert!(applied_ids(&conn).is_empty());
    assert!(!dump(&conn, dir.path()).contains("table b"));

    // A downgrade that chose [r2, r1] while another process applies r2's sibling on r1.
    let g = Graph::new(vec![
        rev("r1", &[], "CREATE TABLE a (y);", "DROP TABLE a;"),
        rev("r2", &["r1"], "CREATE TABLE b (y);", "DROP TABLE b;"),
        rev("s2", &["r1"], "CREATE TABLE s (y);", "DROP TABLE s;"),
    ])
    .unwrap();
    up(&mut conn, &g, "r2").unwrap();
    let s2 = g.get("s2").unwrap().checksum.clone();
    let e = downgrade(&mut conn, &g, &Target::Base, &Options { allow_data_loss: true, ..Options::default() }, &clock(), &mut |e| {
        if let Event::Begin { revision, .. } = e {
            if revision.id == "r1" {
                other
                    .execute_batch(&format!("BEGIN IMMEDIATE; CREATE TABLE s (y); INSERT INTO schema_version VALUES ('s2', 'now', 'rev s2', '{s2}', 1); COMMIT;"))
                    .unwrap();
            }
        }
    })
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "revision r1 was not reverted: its child s2 is applied; another process changed the database after this command chose what to run, so nothing of r1 was run; run the command again to decide afresh"
    );
    assert_eq!(applied_ids(&conn), ["r1", "s2"]);
    assert!(!history::validate(&applied(&conn, DEFAULT_VERSION_TABLE).unwrap(), &g).iter().any(Finding::is_error));
}
