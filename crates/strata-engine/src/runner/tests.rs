//! The runner against real database files: nothing a script holds ends its transaction early,
//! and every message says what happened to the database.

use super::*;
use crate::test_support::{breaker, database, dump, BREAKERS};

fn script(steps: &[&str], no_transaction: bool) -> Script {
    Script {
        steps: steps.iter().enumerate().map(|(i, s)| ScriptStep::new(*s, format!("statement {}", i + 1))).collect(),
        no_transaction,
        ..Script::default()
    }
}

fn run_script(conn: &mut Connection, s: &Script) -> Result<bool> {
    run(conn, s, &mut |_| {}, |_| Ok(true), |tx| tx.execute_batch("INSERT INTO t (x) VALUES (100)").map_err(Error::from))
}

#[test]
fn each_breaking_statement_is_refused_before_the_script_runs() {
    for template in BREAKERS {
        for no_transaction in [false, true] {
            let (dir, mut conn) = database();
            let sql = breaker(template, dir.path());
            let before = dump(&conn, dir.path());
            let s = script(&["INSERT INTO t (x) VALUES (3)", "CREATE TABLE smuggled (y)", &sql, "INSERT INTO t (x) VALUES (4)"], no_transaction);
            let e = run_script(&mut conn, &s).unwrap_err();
            assert!(matches!(&e, Error::Refused { step: 3, sql: s, .. } if *s == sql), "{sql}: {e:?}");
            let message = e.to_string();
            assert!(message.starts_with("step 3 (statement 3) was not run: ") && message.contains("; no changes were applied"), "{message}");
            assert_eq!(dump(&conn, dir.path()), before, "{sql} (no_transaction: {no_transaction})");
        }
    }
}

/// `CREATE TABLE trigger (begin); X` once read to the tokenizer as one CREATE statement (a
/// trigger body starting at `begin`) while SQLite runs two. The tokenizer now reads it as SQLite
/// does, and the runner classifies each statement again as SQLite splits the step, so the
/// breaking statement is refused before anything of the step runs, in either mode.
#[test]
fn a_breaking_statement_behind_another_in_one_step_is_refused_before_anything_runs() {
    for template in BREAKERS {
        let (dir, mut conn) = database();
        let sql = breaker(template, dir.path());
        let before = dump(&conn, dir.path());
        let hidden = format!("CREATE TABLE trigger (begin); {sql}");
        for no_transaction in [false, true] {
            let e = run_script(&mut conn, &script(&["INSERT INTO t (x) VALUES (3)", &hidden], no_transaction)).unwrap_err();
            assert!(matches!(&e, Error::Refused { step: 2, sql: s, .. } if *s == sql), "{sql}: {e:?}");
            assert!(e.to_string().contains("no changes were applied"), "{e}");
            assert_eq!(dump(&conn, dir.path()), before, "{sql}");
        }
    }
}

#[test]
fn a_conflict_that_rolls_back_by_itself_is_reported_as_a_rollback() {
    let (dir, mut conn) = database();
    let before = dump(&conn, dir.path());
    let s = script(&["CREATE TABLE u (a UNIQUE)", "INSERT INTO u VALUES (1)", "INSERT OR ROLLBACK INTO u VALUES (1)"], false);
    let e = run_script(&mut conn, &s).unwrap_err();
    assert!(matches!(&e, Error::Statement { step: 3, .. }), "{e:?}");
    assert!(e.to_string().contains("the transaction was rolled back and no changes were applied"), "{e}");
    assert_eq!(dump(&conn, dir.path()), before);
}

#[test]
fn quick_check_stops_hand_written_sql_before_it_commits() {
    // A row that breaks its table's CHECK constraint, stored while the connection skipped
    // CHECKs: the kind of damage quick_check finds, and that no statement of the script may
    // commit on top of.
    let damaged = || {
        let (dir, conn) = database();
        conn.execute_batch("CREATE TABLE checked (n INTEGER CHECK (n > 0)); PRAGMA ignore_check_constraints = ON; INSERT INTO checked VALUES (-1); PRAGMA ignore_check_constraints = OFF;").unwrap();
        (dir, conn)
    };
    for no_transaction in [false, true] {
        let (dir, mut conn) = damaged();
        let before = dump(&conn, dir.path());
        let mut s = script(&["INSERT INTO t (x) VALUES (5)"], no_transaction);
        s.quick_check = true;
        let e = run_script(&mut conn, &s).unwrap_err();
        let message = e.to_string();
        assert!(message.contains("quick_check") && message.contains("CHECK constraint failed in checked"), "{message}");
        if no_transaction {
            assert!(matches!(&e, Error::NotRecorded { committed, .. } if committed == &["step 1 (statement 1)"]), "{e:?}");
            assert!(message.contains("the revision is NOT recorded as applied"), "{message}");
            let after = dump(&conn, dir.path());
            assert!(after.contains("Integer(5)") && !after.contains("Integer(100)"), "{after}");
        } else {
            assert!(matches!(&e, Error::QuickCheck { .. }), "{e:?}");
            assert!(message.ends_with("the transaction was rolled back and no changes were applied"), "{message}");
            assert_eq!(dump(&conn, dir.path()), before);
        }
        // Without the check (strata's own SQL), the same script commits.
        let (dir, mut conn) = damaged();
        run_script(&mut conn, &script(&["INSERT INTO t (x) VALUES (5)"], no_transaction)).unwrap();
        assert!(dump(&conn, dir.path()).contains("Integer(5)"));
    }
}

#[test]
fn repeat_runs_until_a_run_changes_nothing_each_run_committed() {
    let (dir, mut conn) = database();
    conn.execute_batch("WITH RECURSIVE n(i) AS (SELECT 3 UNION ALL SELECT i + 1 FROM n WHERE i < 25) INSERT INTO t (x) SELECT i FROM n").unwrap();
    let mut s = script(&["UPDATE t SET c = x * 2 WHERE rowid IN (SELECT rowid FROM t WHERE c IS NULL LIMIT 10)"], true);
    s.steps[0].repeat = true;
    let mut runs = Vec::new();
    run(&mut conn, &s, &mut |e| if let RunEvent::Repeat { runs: n, rows, total, .. } = e { runs.push((n, rows, total)) }, |_| Ok(true), |_| Ok(())).unwrap();
    assert_eq!(runs, [(1, 10, 10), (2, 10, 20), (3, 5, 25), (4, 0, 25)]);
    let left: i64 = conn.query_row("SELECT count(*) FROM t WHERE c IS NOT x * 2", [], |r| r.get(0)).unwrap();
    assert_eq!(left, 0, "{}", dump(&conn, dir.path()));
    // Repeating needs a no-transaction script.
    s.no_transaction = false;
    let e = run_script(&mut conn, &s).unwrap_err();
    assert!(e.to_string().contains("works only in a `no-transaction` section"), "{e}");
}

#[test]
fn a_repeat_that_never_runs_out_of_rows_stops_and_says_what_committed() {
    // In memory: a hundred thousand commits to a file would spend the test's time in fsync.
    let mut conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE t (x INTEGER, c INTEGER); INSERT INTO t (x) VALUES (1), (2);").unwrap();
    // Each run changes the same row again: it never runs out of work.
    let mut s = script(&["INSERT INTO t (x) VALUES (0)", "UPDATE t SET c = coalesce(c, 0) + 1 WHERE x = 1"], true);
    s.steps[1].repeat = true;
    let e = run_script(&mut conn, &s).unwrap_err();
    let message = e.to_string();
    assert!(message.contains(&format!("it still changed rows after {MAX_REPEATS} runs")), "{message}");
    assert!(message.contains(&format!("step 1 (statement 1), {MAX_REPEATS} runs of step 2 (statement 2) changing {MAX_REPEATS} rows committed before this step")), "{message}");
    let c: i64 = conn.query_row("SELECT c FROM t WHERE x = 1", [], |r| r.get(0)).unwrap();
    assert_eq!(c as u64, MAX_REPEATS);
}
