//! The rehearsal on real SQLite databases in memory: what it reports for a clean revision, a
//! silent loss, a declared one, a down that forgets part of the schema, a cascade, a failing
//! statement, and the estimate.

use std::time::Instant;

use rusqlite::Connection;

use super::*;
use crate::migrate::{self, Clock, DEFAULT_VERSION_TABLE};
use strata_core::time::Timestamp;
use strata_core::revision::{Graph, Revision, Target};

struct Wall(Instant);
impl Clock for Wall {
    fn now(&self) -> Timestamp {
        // 2026-01-01T00:00:00Z: the rehearsal times with `millis`, the moment is only recorded.
        Timestamp(1_767_225_600_000)
    }
    fn millis(&self) -> f64 {
        self.0.elapsed().as_secs_f64() * 1000.0
    }
}

fn rev(id: &str, parent: Option<&str>, up: &str, down: &str) -> Revision {
    Revision::new(id, parent.into_iter().map(String::from).collect(), &format!("rev {id}"), id, up, down)
}

const USERS: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, code TEXT);";

/// A database at r1 with users, and the copy the rehearsal runs on.
fn setup(graph: &Graph) -> (Connection, Connection) {
    let mut real = Connection::open_in_memory().unwrap();
    let clock = Wall(Instant::now());
    migrate::upgrade(&mut real, graph, &Target::Revision("r1".into()), &migrate::Options::default(), &clock, &mut |_| {}).unwrap();
    real.execute_batch("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50) INSERT INTO users (name, code) SELECT 'user ' || i, printf('%03d', i) FROM n;")
        .unwrap();
    let mut copy = Connection::open_in_memory().unwrap();
    super::copy(&real, &mut copy, &|| false).unwrap();
    copy.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    (real, copy)
}

fn rehearse_all(graph: &Graph, copy: &mut Connection, size: Option<Size>) -> Report {
    let opts = Options { version_table: DEFAULT_VERSION_TABLE.into(), size };
    let clock = Wall(Instant::now());
    let mut scratch = || Ok(Connection::open_in_memory()?);
    rehearse(copy, graph, &Target::Head, &opts, &clock, &mut scratch, &mut |_| {}).unwrap()
}

/// Each step starts where the one before it left the database (its size and rows).
fn steps_follow_each_other(report: &Report) {
    for pair in report.steps.windows(2) {
        assert_eq!(pair[1].size_before, pair[0].size_after, "{pair:?}");
        assert_eq!(pair[1].rows.iter().map(|r| r.before).collect::<Vec<_>>(), pair[0].rows.iter().map(|r| r.after).collect::<Vec<_>>());
    }
}

fn dump(conn: &Connection) -> String {
    let s = snapshot(conn, DEFAULT_VERSION_TABLE).unwrap();
    format!("{:?}", s.tables)
}

#[test]
fn a_clean_revision_passes_with_times_rows_and_checks() {
    let g = Graph::new(vec![
        rev("r1", None, USERS, "DROP TABLE users;"),
        rev(
            "r2",
            Some("r1"),
            "ALTER TABLE users ADD COLUMN phone TEXT;\nCREATE INDEX users_name ON users (name);",
            "DROP INDEX users_name;\nALTER TABLE users DROP COLUMN phone;",
        ),
    ])
    .unwrap();
    let (real, mut copy) = setup(&g);
    let before = dump(&real);
    let report = rehearse_all(&g, &mut copy, None);
    assert!(report.passed(), "{report:#?}");
    assert_eq!(report.revisions.len(), 1);
    assert_eq!(report.revisions[0].class.class, strata_core::classify::Class::Additive);
    let passes: Vec<(String, Pass)> = report.steps.iter().map(|s| (s.revision.clone(), s.pass)).collect();
    assert_eq!(passes, [("r2".into(), Pass::Up), ("r2".into(), Pass::Down), ("r2".into(), Pass::UpAgain)]);
    for s in &report.steps {
        assert!(s.wall_ms > 0.0 && s.lock_ms > 0.0 && s.lock_ms <= s.wall_ms, "{s:?}");
        assert_eq!(s.integrity, ["ok"]);
        assert!(s.mismatches.is_empty(), "{s:?}");
        let users = s.rows.iter().find(|r| r.table == "users").unwrap();
        assert_eq!((users.before, users.after), (Some(50), Some(50)));
    }
    // The index makes the database grow; each step starts at the size the one before left.
    assert!(report.steps[0].size_after > report.steps[0].size_before, "{:?}", report.steps[0]);
    steps_follow_each_other(&report);
    assert_eq!(dump(&real), before, "the real database is untouched");
    assert_eq!(migrate::applied(&real, DEFAULT_VERSION_TABLE).unwrap().len(), 1);
}

/// The down truncates the names it copies back: no statement says so, and only the digests
/// can see it (the rows are all there).
#[test]
fn a_down_that_silently_changes_values_is_caught_by_the_digests() {
    let g = Graph::new(vec![
        rev("r1", None, USERS, "DROP TABLE users;"),
        rev(
            "r2",
            Some("r1"),
            "ALTER TABLE users ADD COLUMN nickname TEXT;",
            "CREATE TABLE users_old (id INTEGER PRIMARY KEY, name TEXT NOT NULL, code TEXT);\n\
             INSERT INTO users_old (id, name, code) SELECT id, substr(name, 1, 6), code FROM users;\n\
             DROP TABLE users;\nALTER TABLE users_old RENAME TO users;",
        ),
    ])
    .unwrap();
    let (_real, mut copy) = setup(&g);
    let report = rehearse_all(&g, &mut copy, None);
    assert!(!report.passed());
    let down = report.steps.iter().find(|s| s.pass == Pass::Down).unwrap();
    let m: Vec<String> = down.mismatches.iter().map(|m| format!("{} {:?}", m.describe(), m.declared_by)).collect();
    assert_eq!(m, ["users.name: its values differ (content digest) None"]);
    let problems: Vec<String> = report.problems.iter().map(|p| format!("{} {:?} {:?}: {}", p.revision, p.pass, p.kind, p.message)).collect();
    assert_eq!(
        problems,
        [
            "r2 Down UndeclaredLoss: after up and down, users.name: its values differ (content digest), and no statement of the revisions declares that loss",
            // After up again the difference is still there: inherited, so not said twice.
        ]
    );
    let again = report.steps.iter().find(|s| s.pass == Pass::UpAgain).unwrap();
    assert!(again.mismatches.iter().all(|m| m.inherited), "{:?}", again.mismatches);
    // The down's copy left the file larger; the up again starts from there.
    steps_follow_each_other(&report);
}

/// The up drops a column that holds values: its SQL says so, so the values missing after down
/// and up are a declared loss, counted before the up ran, and the rehearsal passes.
#[test]
fn a_declared_loss_is_reported_and_passes() {
    let g = Graph::new(vec![
        rev("r1", None, USERS, "DROP TABLE users;"),
        rev("r2", Some("r1"), "ALTER TABLE users DROP COLUMN code;", "ALTER TABLE users ADD COLUMN code TEXT;"),
    ])
    .unwrap();
    let (_real, mut copy) = setup(&g);
    let report = rehearse_all(&g, &mut copy, None);
    assert!(report.passed(), "{:#?}", report.problems);
    let up = &report.steps[0];
    assert_eq!(up.losses.iter().map(|l| l.loss.to_string()).collect::<Vec<_>>(), ["users.code: 50 non-NULL values"]);
    let down = &report.steps[1];
    assert_eq!(down.mismatches.len(), 1, "{:?}", down.mismatches);
    assert_eq!(down.mismatches[0].declared_by.as_deref(), Some("r2 (up): drops column users.code and its values"));
    assert_eq!(report.revisions[0].declares_up, ["drops column users.code and its values"]);
}

#[test]
fn a_down_that_forgets_an_index_does_not_give_back_the_schema() {
    let g = Graph::new(vec![
        rev("r1", None, &format!("{USERS}\nCREATE INDEX users_code ON users (code);"), "DROP TABLE users;"),
        rev("r2", Some("r1"), "DROP INDEX users_code;", "SELECT 1;"),
    ])
    .unwrap();
    let (_real, mut copy) = setup(&g);
    let report = rehearse_all(&g, &mut copy, None);
    let kinds: Vec<(Pass, ProblemKind)> = report.problems.iter().map(|p| (p.pass, p.kind)).collect();
    assert_eq!(kinds, [(Pass::Down, ProblemKind::SchemaNotRestored)], "{:#?}", report.problems);
    assert!(report.problems[0].message.contains("users_code"), "{}", report.problems[0].message);
}

/// Dropping a parent with foreign keys on deletes the children through ON DELETE CASCADE:
/// the up's SQL only declares the parent, so the children's rows are a silent loss.
#[test]
fn rows_that_vanish_without_a_statement_declaring_it_fail_the_first_pass() {
    let g = Graph::new(vec![
        rev(
            "r1",
            None,
            &format!("{USERS}\nCREATE TABLE notes (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id) ON DELETE CASCADE);"),
            "DROP TABLE notes;\nDROP TABLE users;",
        ),
        rev("r2", Some("r1"), "DELETE FROM users WHERE id <= 2;", "SELECT 1;"),
    ])
    .unwrap();
    let (real, mut copy) = setup(&g);
    drop(real);
    copy.execute_batch("INSERT INTO notes (user_id) VALUES (1), (2), (3);").unwrap();
    let report = rehearse_all(&g, &mut copy, None);
    let first: Vec<String> = report.problems.iter().filter(|p| p.pass == Pass::Up).map(|p| p.message.clone()).collect();
    assert_eq!(first, ["notes: 1 rows instead of 3, and no statement of the revision declares it (a cascade or a trigger?)"]);
}

#[test]
fn a_failing_statement_names_the_revision_the_statement_and_sqlites_message() {
    let g = Graph::new(vec![
        rev("r1", None, USERS, "DROP TABLE users;"),
        rev("r2", Some("r1"), "ALTER TABLE users ADD COLUMN phone TEXT;", "DROP TABLE users;"),
        rev("r3", Some("r2"), "-- fill the plans\nINSERT INTO plans VALUES (1);", "SELECT 1;"),
    ])
    .unwrap();
    let (real, mut copy) = setup(&g);
    let before = dump(&real);
    let report = rehearse_all(&g, &mut copy, None);
    let f = report.failure.as_ref().unwrap();
    assert_eq!((f.revision.as_str(), f.pass, f.step, f.label.as_deref()), ("r3", Pass::Up, Some(1), Some("fill the plans")));
    assert_eq!(f.statement.as_deref(), Some("INSERT INTO plans VALUES (1)"));
    assert_eq!(f.error, "no such table: plans");
    assert_eq!(report.steps.len(), 1, "r2 ran, then r3 failed and the rehearsal stopped");
    assert_eq!(dump(&real), before);
}

#[test]
fn an_estimate_fits_a_line_through_runs_on_generated_rows() {
    let g = Graph::new(vec![
        rev("r1", None, USERS, "DROP TABLE users;"),
        rev("r2", Some("r1"), "CREATE INDEX users_code ON users (code);", "DROP INDEX users_code;"),
        rev("r3", Some("r2"), "CREATE TABLE other (x);", "DROP TABLE other;"),
    ])
    .unwrap();
    let (_real, mut copy) = setup(&g);
    let report = rehearse_all(&g, &mut copy, Some(Size::Rows(40_000)));
    assert!(report.passed(), "{:#?}", report.problems);
    let e = report.revisions[0].estimate.as_ref().unwrap_or_else(|| panic!("{:?}", report.revisions[0].estimate_note));
    assert_eq!((e.tables.clone(), e.rows.clone()), (vec!["users".to_string()], vec![40_000]));
    assert_eq!(e.samples.iter().map(|s| s.rows).collect::<Vec<_>>(), [2500, 10000, 40000]);
    assert!(e.millis > 0.0 && e.per_row_ms > 0.0, "{e:?}");
    assert!(report.revisions[1].estimate.is_none());
    assert!(report.revisions[1].estimate_note.as_deref().unwrap().contains("changes no table that holds rows"));
}
