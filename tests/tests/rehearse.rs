//! `strata rehearse` on the real binary and populated databases: a clean revision, a down that
//! loses data it does not declare, a failing statement, an interrupted and a killed rehearsal,
//! and the duration estimate. Each test checks that the database itself is byte for byte what
//! it was, and that nothing is left beside it.

mod cli_support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cli_support::{versions, Project};

const USERS: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, code TEXT);";

/// A project at r1 with `rows` users; the revisions after r1 are the test's.
fn project(rows: i64) -> Project {
    let p = Project::init_in_memory_storage();
    p.revision("r1", &[], USERS, "DROP TABLE users;");
    p.strata(&["upgrade", "r1"]).ok();
    p.db()
        .execute_batch(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) INSERT INTO users (name, code) SELECT 'user number ' || i, printf('%05d', i) FROM n;"
        ))
        .unwrap();
    p
}

/// The database's bytes and the names of the files beside it: what a rehearsal must leave as
/// it found them.
fn state(p: &Project) -> (Vec<u8>, Vec<String>) {
    let mut names: Vec<String> = std::fs::read_dir(p.dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    (std::fs::read(p.db_path()).unwrap(), names)
}

#[test]
fn a_clean_revision_is_rehearsed_with_a_correct_report_and_exits_0() {
    let p = project(300);
    p.revision(
        "r2",
        &["r1"],
        "ALTER TABLE users ADD COLUMN phone TEXT;\nCREATE INDEX users_code ON users (code);",
        "DROP INDEX users_code;\nALTER TABLE users DROP COLUMN phone;",
    );
    let before = state(&p);
    let run = p.strata(&["rehearse", "--json"]);
    let report = run.json();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(state(&p), before, "the database and the files beside it are as they were");
    assert_eq!(versions(&p.db()), ["r1"]);
    let revisions = report["revisions"].as_array().unwrap();
    assert_eq!(revisions.len(), 1);
    assert_eq!(revisions[0]["id"], "r2");
    assert_eq!(revisions[0]["class"]["class"], "additive");
    let steps = report["steps"].as_array().unwrap();
    let passes: Vec<&str> = steps.iter().map(|s| s["pass"].as_str().unwrap()).collect();
    assert_eq!(passes, ["up", "down", "up_again"]);
    for s in steps {
        assert!(s["wall_ms"].as_f64().unwrap() > 0.0 && s["lock_ms"].as_f64().unwrap() > 0.0, "{s}");
        assert!(s["lock_ms"].as_f64().unwrap() <= s["wall_ms"].as_f64().unwrap(), "{s}");
        assert_eq!(s["integrity"], serde_json::json!(["ok"]));
        assert_eq!(s["foreign_key_violations"], 0);
        assert_eq!(s["rows"], serde_json::json!([{ "table": "users", "before": 300, "after": 300 }]));
        assert_eq!(s["mismatches"], serde_json::json!([]));
    }
    // The index takes room.
    assert!(steps[0]["size_after"].as_u64() > steps[0]["size_before"].as_u64(), "{}", steps[0]);
    assert_eq!(report["failure"], serde_json::Value::Null);
    assert_eq!(report["problems"], serde_json::json!([]));

    let text = p.strata(&["rehearse"]);
    let out = text.ok();
    for part in ["Rehearsed 1 revision on a copy of app.db", "r2 revision r2 [additive]", "down and up gave back every value and the schema", "Passed:"] {
        assert!(out.contains(part), "no {part:?} in:\n{out}");
    }
    assert_eq!(state(&p), before);
}

/// The down copies the names back truncated to six characters: every row is there, and no
/// statement says a value changes; only the content digests see it.
#[test]
fn a_down_that_loses_data_it_does_not_declare_is_caught_by_the_digests_and_exits_1() {
    let p = project(200);
    p.revision(
        "r2",
        &["r1"],
        "ALTER TABLE users ADD COLUMN nickname TEXT;",
        "CREATE TABLE users_old (id INTEGER PRIMARY KEY, name TEXT NOT NULL, code TEXT);\n\
         INSERT INTO users_old (id, name, code) SELECT id, substr(name, 1, 6), code FROM users;\n\
         DROP TABLE users;\nALTER TABLE users_old RENAME TO users;",
    );
    let before = state(&p);
    let run = p.strata(&["rehearse"]);
    let out = run.fails();
    assert!(out.contains("after down: users.name: its values differ (content digest) (declared by no statement)"), "{out}");
    assert!(
        out.contains("FAILED: 1 problem:\n  - down r2: after up and down, users.name: its values differ (content digest), and no statement of the revisions declares that loss"),
        "{out}"
    );
    assert!(out.contains("The rehearsal failed; app.db was not touched."), "{out}");
    assert_eq!(state(&p), before);
    // The same report as JSON.
    let json = p.strata(&["rehearse", "--json"]);
    assert_eq!(json.code, 1);
    let problems = json.json()["problems"].clone();
    assert_eq!(problems[0]["kind"], "undeclared_loss");
    assert_eq!(problems[0]["revision"], "r2");
    // An up that drops what its SQL says it drops passes: that loss is declared.
    let p = project(200);
    p.revision("r2", &["r1"], "ALTER TABLE users DROP COLUMN code;", "ALTER TABLE users ADD COLUMN code TEXT;");
    let out = p.strata(&["rehearse"]);
    let text = out.ok();
    assert!(text.contains("up throws away users.code: 200 non-NULL values (a real run asks for --allow-data-loss)"), "{text}");
    assert!(text.contains("after down: users.code: its values differ (content digest) (declared: r2 (up): drops column users.code and its values)"), "{text}");
}

#[test]
fn a_failing_statement_names_revision_statement_and_message_and_leaves_the_database_unchanged() {
    let p = project(100);
    p.revision("r2", &["r1"], "ALTER TABLE users ADD COLUMN phone TEXT;", "ALTER TABLE users DROP COLUMN phone;");
    p.revision("r3", &["r2"], "UPDATE users SET phone = code;\n-- fill the plans\nINSERT INTO plans (name) VALUES ('free');", "SELECT 1;");
    let before = state(&p);
    let run = p.strata(&["rehearse"]);
    let out = run.fails();
    assert!(
        out.contains("FAILED: up of r3 (revision r3) failed on the copy at statement 2 (fill the plans):\n  no such table: plans\n  statement: INSERT INTO plans (name) VALUES ('free')"),
        "{out}"
    );
    assert!(out.contains("app.db was not touched"), "{out}");
    assert_eq!(state(&p), before, "the real database is byte for byte as it was");
    assert_eq!(versions(&p.db()), ["r1"]);
    let json = p.strata(&["rehearse", "--json"]).json();
    assert_eq!(json["failure"]["revision"], "r3");
    assert_eq!(json["failure"]["statement"], "INSERT INTO plans (name) VALUES ('free')");
    assert_eq!(json["failure"]["error"], "no such table: plans");
    // r2 ran up before r3 failed; the rehearsal stopped there.
    assert_eq!(json["steps"].as_array().unwrap().len(), 1);
}

/// A table large enough that a rehearsal takes seconds in a debug build, so a signal or a kill
/// lands in its middle.
const LARGE: i64 = 60_000;

fn large_rebuild(p: &Project) {
    p.revision(
        "r2",
        &["r1"],
        "CREATE TABLE \"_strata_new_users\" (id INTEGER PRIMARY KEY, name TEXT NOT NULL, code TEXT NOT NULL DEFAULT '');\n\
         INSERT INTO \"_strata_new_users\" (id, name, code) SELECT id, name, coalesce(code, '') FROM users;\nDROP TABLE users;\n\
         ALTER TABLE \"_strata_new_users\" RENAME TO users;",
        "CREATE TABLE \"_strata_new_users\" (id INTEGER PRIMARY KEY, name TEXT NOT NULL, code TEXT);\n\
         INSERT INTO \"_strata_new_users\" (id, name, code) SELECT id, name, code FROM users;\nDROP TABLE users;\n\
         ALTER TABLE \"_strata_new_users\" RENAME TO users;",
    );
}

/// Starts `strata ARGS` with stderr (where the rehearsal's progress goes) read line by line.
fn spawn(p: &Project, args: &[&str]) -> (Child, std::sync::mpsc::Receiver<String>) {
    let mut child = p.command(args).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let err = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines() {
            if tx.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

fn wait_for(rx: &std::sync::mpsc::Receiver<String>, starts: &str) {
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut seen = Vec::new();
    loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) if line.starts_with(starts) => return,
            Ok(line) => seen.push(line),
            Err(e) => panic!("no line starting with {starts:?} ({e}); saw {seen:?}"),
        }
    }
}

fn rehearsal_dirs(p: &Project) -> Vec<String> {
    state(p).1.into_iter().filter(|n| n.contains(".rehearsal-")).collect()
}

/// Ctrl-C and SIGTERM in the middle of the rehearsal (during the down pass's rebuild): the
/// command says so, exits 128 + the signal, and leaves nothing behind; the database is as it was.
#[test]
fn an_interrupted_rehearsal_leaves_nothing_behind() {
    let p = project(LARGE);
    large_rebuild(&p);
    let before = state(&p);
    for (name, code) in [("INT", 130), ("TERM", 143)] {
        let (child, lines) = spawn(&p, &["rehearse"]);
        wait_for(&lines, "[2/3] down r2");
        assert_eq!(rehearsal_dirs(&p).len(), 1, "the copy is beside the database while it runs");
        std::thread::sleep(Duration::from_millis(20));
        let ok = Command::new("sh").arg("-c").arg(format!("kill -{name} {}", child.id())).status().unwrap();
        assert!(ok.success());
        let out = child.wait_with_output().unwrap();
        // Every line up to the end of stderr.
        let rest: Vec<String> = lines.iter().collect();
        assert_eq!(out.status.code(), Some(code), "SIG{name}: {rest:?}");
        assert!(
            rest.iter().any(|l| l.contains("stopped the rehearsal; its copy") && l.contains("was removed, and app.db was not touched")),
            "SIG{name}: {rest:?}"
        );
        assert_eq!(state(&p), before, "SIG{name}: nothing left behind, and the database as it was");
    }
}

/// kill -9 cannot be cleaned up after by the process itself: its folder stays, the database is
/// untouched, and the next rehearsal removes the folder and says so.
#[test]
fn a_rehearsal_killed_outright_is_cleaned_up_by_the_next_one() {
    let p = project(LARGE);
    large_rebuild(&p);
    let before = state(&p);
    let (mut child, lines) = spawn(&p, &["rehearse"]);
    wait_for(&lines, "[1/3] up r2");
    std::thread::sleep(Duration::from_millis(50));
    child.kill().unwrap();
    child.wait().unwrap();
    let left = rehearsal_dirs(&p);
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(std::fs::read(p.db_path()).unwrap(), before.0, "the database is untouched");
    let next = p.strata(&["rehearse"]);
    next.ok();
    assert!(next.stderr.contains(&left[0]) && next.stderr.contains("which a rehearsal that was killed left behind"), "{}", next.stderr);
    assert_eq!(state(&p), before);
}

#[test]
fn an_estimate_for_more_rows_says_how_it_was_measured() {
    let p = project(500);
    p.revision("r2", &["r1"], "CREATE INDEX users_name ON users (name);", "DROP INDEX users_name;");
    p.revision("r3", &["r2"], "CREATE TABLE audit (at TEXT);", "DROP TABLE audit;");
    let run = p.strata(&["rehearse", "--rows", "40000", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    let e = &report["revisions"][0]["estimate"];
    assert_eq!(e["tables"], serde_json::json!(["users"]));
    assert_eq!(e["rows"], serde_json::json!([40000]));
    let samples: Vec<u64> = e["samples"].as_array().unwrap().iter().map(|s| s["rows"].as_u64().unwrap()).collect();
    assert_eq!(samples, [2500, 10000, 40000]);
    assert!(e["millis"].as_f64().unwrap() > 0.0);
    assert!(e["trust"].as_str().unwrap().starts_with("timed on generated rows of the same columns"), "{e}");
    assert_eq!(report["revisions"][1]["estimate"], serde_json::Value::Null);
    assert!(report["revisions"][1]["estimate_note"].as_str().unwrap().contains("changes no table that holds rows"));
    let scaled = p.strata(&["rehearse", "--scale", "10"]);
    let text = scaled.ok();
    assert!(text.contains("estimate  about ") && text.contains("at 5,000 rows of users"), "{text}");
    assert_eq!(p.strata(&["rehearse", "--scale", "-1"]).code, 2);
    assert_eq!(p.strata(&["rehearse", "--rows", "0"]).code, 2);
}
