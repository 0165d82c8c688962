//! Nothing that reaches the workspace leaves it unusable (issue 17 §1 and §2, natively): the
//! live connection is defensive and gets its settings back with every replacement, TEMP
//! objects never outlive their request, a saved file that does not read as a database opens
//! damaged with its repairs, and the work a link starts has a time budget.

use std::rc::Rc;

use rusqlite::config::DbConfig;
use strata_core::project::{ModelLanguage, Project};

use super::protocol::{Condition, Outcome, Request, Storage};
use super::*;
use crate::clock::SystemClock;

const ENDLESS: &str =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) AS n FROM c";

fn demo() -> Workspace {
    Workspace::open(Connection::open_in_memory().unwrap(), Storage::Opfs).unwrap()
}

fn at(path: &std::path::Path) -> Workspace {
    let mut engine = Workspace::open_path(
        path.to_str().unwrap(),
        Storage::Opfs,
        Rc::new(SystemClock::new()),
    )
    .unwrap();
    let backups = Connection::open(path.with_extension("backups")).unwrap();
    engine.keep_backups_in(backups).unwrap();
    engine
}

fn run(engine: &mut Workspace, sql: &str) -> Result<Outcome, String> {
    engine
        .handle(Request::Execute {
            sql: sql.into(),
            browse: None,
        })
        .outcome
        .map_err(|f| f.message)
}

fn count(engine: &Workspace, table: &str) -> i64 {
    engine
        .conn
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn the_live_connection_is_defensive_even_where_the_console_is_bypassed() {
    let engine = demo();
    assert!(engine
        .conn
        .db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE)
        .unwrap());
    // Straight on the connection, past the console's refusal of the pragma: SQLite itself
    // refuses to write the schema's text.
    let error = engine
        .conn
        .execute_batch(
            "PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = 'CREATE TABLE users (broken' WHERE name = 'users';",
        )
        .unwrap_err();
    assert!(error.to_string().contains("may not be modified"), "{error}");
    // And nothing can be attached.
    assert!(engine
        .conn
        .execute_batch("ATTACH ':memory:' AS other")
        .is_err());
}

#[test]
fn a_setting_left_on_the_connection_does_not_outlive_a_reset() {
    let mut engine = demo();
    engine
        .conn
        .execute_batch("PRAGMA query_only = ON; PRAGMA ignore_check_constraints = ON; PRAGMA recursive_triggers = ON")
        .unwrap();
    assert!(run(&mut engine, "DELETE FROM identities").is_err());
    let reply = engine.handle(Request::Reset);
    assert!(reply.outcome.is_ok(), "{:?}", reply.outcome);
    for pragma in [
        "query_only",
        "ignore_check_constraints",
        "recursive_triggers",
        "writable_schema",
    ] {
        let on: bool = engine
            .conn
            .query_row(&format!("PRAGMA {pragma}"), [], |r| r.get(0))
            .unwrap();
        assert!(!on, "{pragma} outlived the reset");
    }
    run(&mut engine, "DELETE FROM identities").unwrap();
    assert_eq!(count(&engine, "identities"), 0);
}

/// TEMP objects last for the console script that made them: inside it a TEMP table works as
/// scratch space, after it nothing of it is left, and a TEMP trigger on a main table never
/// fires in a later migration (it once emptied a table during the next upgrade).
#[test]
fn temp_objects_made_in_the_console_never_reach_a_migration() {
    let mut engine = demo();
    let users = count(&engine, "users");
    run(
        &mut engine,
        "CREATE TEMP TRIGGER wipe AFTER DELETE ON main.schema_version BEGIN DELETE FROM main.users; END;",
    )
    .unwrap();
    let reply = engine.handle(Request::Downgrade {
        target: "-1".into(),
        browse: None,
        confirmed: true,
    });
    assert!(
        matches!(reply.outcome, Ok(Outcome::Migrated { .. })),
        "{:?}",
        reply.outcome
    );
    assert_eq!(count(&engine, "users"), users);

    let outcome = run(
        &mut engine,
        "CREATE TEMP TABLE keep AS SELECT id FROM users ORDER BY id LIMIT 1; \
         CREATE TEMP VIEW kept AS SELECT * FROM keep; \
         DELETE FROM users WHERE id NOT IN (SELECT id FROM kept); SELECT count(*) AS n FROM kept",
    )
    .unwrap();
    assert!(
        matches!(outcome, Outcome::Rows(ref grid) if grid.total == 1),
        "{outcome:?}"
    );
    assert_eq!(count(&engine, "users"), 1);
    assert_eq!(count(&engine, "sqlite_temp_master"), 0);
    // A script that fails leaves no TEMP object either.
    assert!(run(&mut engine, "CREATE TEMP TABLE half (x); SELEC 1").is_err());
    assert_eq!(count(&engine, "sqlite_temp_master"), 0);
}

#[test]
fn garbage_in_the_saved_file_opens_damaged_with_the_repairs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("strata.sqlite3");
    let id = {
        let mut engine = at(&path);
        run(
            &mut engine,
            "INSERT INTO users (email, display_name) VALUES ('kept@example.com', 'Kept')",
        )
        .unwrap();
        match engine
            .handle(Request::Backup {
                label: "mine".into(),
            })
            .outcome
        {
            Ok(Outcome::BackedUp { id }) => id,
            other => panic!("{other:?}"),
        }
    };
    let garbage = b"this is not a database, only a note written over it. ".repeat(200);
    std::fs::write(&path, &garbage).unwrap();

    let mut engine = at(&path);
    assert!(engine.is_damaged());
    let open = engine.handle(Request::Open { browse: None });
    let message = open.outcome.unwrap_err().message;
    assert!(
        message.starts_with(
            "the saved database cannot be opened (file is not a database); download it"
        ),
        "{message}"
    );
    assert_eq!(open.snapshot.damaged.as_deref(), Some(message.as_str()));
    assert_eq!(open.snapshot.backups.len(), 1, "the backups are offered");
    // Everything but the repairs is refused, and says why.
    for request in [
        Request::Execute {
            sql: "SELECT 1".into(),
            browse: None,
        },
        Request::Backup { label: "x".into() },
        Request::Upgrade {
            target: "head".into(),
            browse: None,
            confirmed: true,
        },
    ] {
        let reply = engine.handle(request);
        assert_eq!(reply.outcome.unwrap_err().message, message);
    }
    // The raw file, byte for byte.
    let Ok(Outcome::SqliteExported { base64 }) = engine.handle(Request::ExportSqlite).outcome
    else {
        panic!("no raw file")
    };
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(base64)
        .unwrap();
    assert_eq!(raw, garbage);
    // Nothing was written by any of that.
    assert_eq!(std::fs::read(&path).unwrap(), garbage);

    // A backup brings the work back, and it is a database again after a reopen.
    let restored = engine.handle(Request::Restore { id });
    assert!(restored.outcome.is_ok(), "{:?}", restored.outcome);
    assert_eq!(restored.snapshot.damaged, None);
    assert_eq!(count(&engine, "users"), 5);
    drop(engine);
    let engine = at(&path);
    assert!(!engine.is_damaged());
    assert_eq!(count(&engine, "users"), 5);
    drop(engine);

    // Damaged again, Reset starts over from the demo.
    std::fs::write(&path, &garbage).unwrap();
    let mut engine = at(&path);
    assert!(engine.is_damaged());
    let reset = engine.handle(Request::Reset);
    assert!(
        matches!(reset.outcome, Ok(Outcome::Loaded { .. })),
        "{:?}",
        reset.outcome
    );
    assert_eq!(count(&engine, "users"), 4);
    drop(engine);
    assert_eq!(count(&at(&path), "users"), 4);
}

/// The console edit that once bricked the playground, done on a connection without the guard
/// rails (as an earlier build allowed): the schema no longer reads, and the workspace opens
/// damaged instead of failing, and Reset repairs it.
#[test]
fn a_schema_made_unreadable_opens_damaged_and_reset_repairs_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("strata.sqlite3");
    drop(at(&path));
    let raw = Connection::open(&path).unwrap();
    raw.execute_batch(
        "PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = 'CREATE TABLE users (broken' WHERE name = 'users';",
    )
    .unwrap();
    drop(raw);
    let mut engine = at(&path);
    assert!(engine.is_damaged());
    let message = engine
        .handle(Request::Open { browse: None })
        .outcome
        .unwrap_err()
        .message;
    assert!(message.contains("malformed database schema"), "{message}");
    assert!(engine.handle(Request::Reset).outcome.is_ok());
    drop(engine);
    let mut engine = at(&path);
    assert!(!engine.is_damaged());
    assert!(run(&mut engine, "SELECT * FROM users").is_ok());
}

/// After a worker stopped while it opened the database, the next one takes it over without
/// reading it: the repairs work, the rest is refused.
#[test]
fn a_rescued_workspace_reads_nothing_and_offers_the_repairs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("strata.sqlite3");
    drop(at(&path));
    let mut engine = Workspace::rescue(
        Connection::open(&path).unwrap(),
        Storage::Opfs,
        Rc::new(SystemClock::new()),
        "the worker stopped while it opened the database".into(),
    )
    .unwrap();
    let message = engine
        .handle(Request::Open { browse: None })
        .outcome
        .unwrap_err()
        .message;
    assert!(
        message.contains("(the worker stopped while it opened the database)"),
        "{message}"
    );
    let Ok(Outcome::SqliteExported { base64 }) = engine.handle(Request::ExportSqlite).outcome
    else {
        panic!("no raw file")
    };
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(base64)
        .unwrap();
    assert_eq!(raw, std::fs::read(&path).unwrap());
    assert!(raw.starts_with(b"SQLite format 3\0"));
    let checked = engine.handle(Request::Check {
        lesson: "l".into(),
        checks: vec![Condition::Sql("SELECT 1".into()), Condition::Sql("SELECT 1".into())],
        browse: None,
    });
    assert_eq!(
        checked.outcome,
        Ok(Outcome::Checked {
            lesson: "l".into(),
            passed: vec![false, false]
        })
    );
    assert!(engine.handle(Request::Reset).outcome.is_ok());
    assert!(!engine.is_damaged());
    assert_eq!(count(&engine, "users"), 4);
}

fn endless_project(applied: &str) -> Project {
    let model = "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);";
    let first = strata_core::revision::Revision::new(
        "0001",
        vec![],
        "notes",
        "2026-02-01T10:00:00Z",
        model,
        "DROP TABLE notes;",
    );
    let second = strata_core::revision::Revision::new(
        "0002",
        vec!["0001".into()],
        "count forever",
        "2026-02-01T10:00:00Z",
        &format!("INSERT INTO notes (body) SELECT n FROM ({ENDLESS});"),
        "DELETE FROM notes;",
    );
    Project {
        revisions: vec![first.render(), second.render()],
        applied: applied.into(),
        data: "INSERT INTO notes (body) VALUES ('kept');".into(),
        ..Project::empty(model)
    }
}

#[test]
fn an_endless_revision_in_a_link_runs_out_of_time_and_changes_nothing() {
    let mut engine = demo();
    engine.budget_ms = 1_000.0;
    let before = engine.snapshot(Some("users")).unwrap();
    let reply = engine.handle(Request::Load {
        project: endless_project("head"),
        browse: Some("users".into()),
        link: true,
    });
    assert_eq!(
        reply.outcome.unwrap_err().message,
        "the share link's project took longer than 1 s and was stopped (a query in it may never end); nothing was changed"
    );
    assert_eq!(reply.snapshot, before);
    // Pending, it loads at once; its upgrade is the visitor's to start (and cancel).
    let reply = engine.handle(Request::Load {
        project: endless_project("0001"),
        browse: None,
        link: false,
    });
    assert!(reply.outcome.is_ok(), "{:?}", reply.outcome);
    assert_eq!(count(&engine, "notes"), 1);
}

#[test]
fn a_model_past_the_limit_is_refused_before_anything_reads_it() {
    let mut engine = demo();
    let model = "\n".repeat(11_000);
    for request in [
        Request::Autogenerate {
            model: model.clone(),
            renames: vec![],
            browse: None,
            language: ModelLanguage::Sql,
            parent: None,
        },
        Request::SaveModel {
            model: model.clone(),
            language: ModelLanguage::Sql,
        },
    ] {
        let outcome = engine.handle(request).outcome;
        let message = match outcome {
            Err(failure) => failure.message,
            Ok(Outcome::ModelNotKept(reason)) => reason,
            other => panic!("{other:?}"),
        };
        assert!(
            message.starts_with("the model is too large (11,001 lines"),
            "{message}"
        );
    }
}

/// Garbage over a page deep in the file, where opening reads nothing (the schema on page 1 and
/// the project's tables are sound): the workspace must still open damaged with the repairs, not
/// answer every later request with SQLite's "malformed" as a dead end.
#[test]
fn garbage_deep_in_the_saved_file_opens_damaged_with_the_repairs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("strata.sqlite3");
    {
        let mut engine = at(&path);
        // A table of many pages, written last, so the file's last pages are its leaves.
        run(
            &mut engine,
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) \
             INSERT INTO notes (body) SELECT printf('%.200c', 'x') || i FROM n",
        )
        .unwrap();
    }
    let mut file = std::fs::read(&path).unwrap();
    let page = 4096;
    let at_page = file.len() - 3 * page;
    file[at_page..at_page + page].copy_from_slice(&b"deep garbage".repeat(page / 12 + 1)[..page]);
    std::fs::write(&path, &file).unwrap();

    let mut engine = at(&path);
    assert!(
        engine.is_damaged(),
        "the damage is found when the database opens"
    );
    let open = engine.handle(Request::Open { browse: None });
    let message = open.outcome.unwrap_err().message;
    assert!(
        message.starts_with("the saved database cannot be opened (it is damaged"),
        "{message}"
    );
    assert_eq!(open.snapshot.damaged.as_deref(), Some(message.as_str()));
    let reset = engine.handle(Request::Reset);
    assert!(
        matches!(reset.outcome, Ok(Outcome::Loaded { .. })),
        "{:?}",
        reset.outcome
    );
    drop(engine);
    let engine = at(&path);
    assert!(!engine.is_damaged());
    assert_eq!(count(&engine, "users"), 4);
}

/// The check on open finds no damage in a sound database of the same shape (the wrong way
/// must not pass: a check that always failed would make every database damaged).
#[test]
fn a_sound_database_of_many_pages_does_not_open_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("strata.sqlite3");
    {
        let mut engine = at(&path);
        run(
            &mut engine,
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) \
             INSERT INTO notes (body) SELECT printf('%.200c', 'x') || i FROM n",
        )
        .unwrap();
    }
    let engine = at(&path);
    assert!(!engine.is_damaged());
    assert_eq!(count(&engine, "notes"), 2000);
}
