//! The workspace's basics through its requests: opening (the demo seeded into an empty
//! database, a database with tables kept), the console, Reset, and the migration loop from
//! Autogenerate to Downgrade on the demo.

use super::protocol::{Cell, Mark};
use super::*;
use strata_core::error::Position;
use strata_core::project::ModelLanguage;

fn demo() -> Workspace {
    Workspace::open(Connection::open_in_memory().unwrap(), Storage::Opfs).unwrap()
}

fn count(engine: &Workspace, table: &str) -> u64 {
    let snapshot = engine.snapshot(None).unwrap();
    snapshot
        .tables
        .iter()
        .find(|t| t.name == table)
        .map_or(0, |t| t.rows)
}

#[test]
fn opening_an_empty_database_seeds_the_demo() {
    let engine = demo();
    let snapshot = engine.snapshot(Some("users")).unwrap();
    let names: Vec<_> = snapshot.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["identities", "schema_version", "users"]);
    let versions = snapshot.schema_version.unwrap();
    assert_eq!(versions.rows.len(), 2);
    assert!(snapshot.browsed.unwrap().grid.total >= 3);
}

#[test]
fn opening_a_database_that_has_tables_keeps_it_as_it_is() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE t(x)").unwrap();
    let engine = Workspace::open(conn, Storage::Opfs).unwrap();
    let names: Vec<_> = engine
        .snapshot(None)
        .unwrap()
        .tables
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["t"]);
}

#[test]
fn a_console_write_is_kept_and_counted() {
    let mut engine = demo();
    let before = count(&engine, "users");
    let reply = engine.handle(Request::Execute {
        sql: "INSERT INTO users(email, display_name) VALUES ('x@example.com', 'X');".into(),
        browse: Some("users".into()),
    });
    assert_eq!(
        reply.outcome,
        Ok(Outcome::Changed {
            statements: 1,
            rows: 1
        })
    );
    assert_eq!(count(&engine, "users"), before + 1);
    assert_eq!(reply.snapshot.browsed.unwrap().grid.total, before + 1);
}

#[test]
fn a_console_query_returns_the_rows_of_its_last_statement() {
    let mut engine = demo();
    let reply = engine.handle(Request::Execute {
        sql: "SELECT 1; SELECT 'a' AS letter, NULL AS empty".into(),
        browse: None,
    });
    let Ok(Outcome::Rows(grid)) = reply.outcome else {
        panic!("{:?}", reply.outcome)
    };
    assert_eq!(grid.columns, ["letter", "empty"]);
    assert_eq!(grid.rows, [[Cell::Text("a".into()), Cell::Null]]);
}

#[test]
fn a_failing_script_changes_nothing_and_says_which_statement_failed() {
    let mut engine = demo();
    let before = engine.snapshot(Some("users")).unwrap();
    let reply = engine.handle(Request::Execute {
        sql: "DELETE FROM users; SELEC nonsense".into(),
        browse: Some("users".into()),
    });
    let message = reply.outcome.unwrap_err().message;
    assert!(
        message.starts_with("statement 2: near \"SELEC\": syntax error"),
        "{message}"
    );
    assert!(message.ends_with("no changes were applied"), "{message}");
    assert_eq!(reply.snapshot, before);
}

#[test]
fn a_constraint_violation_is_an_error_not_a_crash() {
    let mut engine = demo();
    let reply = engine.handle(Request::Execute {
        sql: "INSERT INTO users(id, email, display_name) VALUES (1, 'dup@example.com', 'D')".into(),
        browse: None,
    });
    assert!(reply
        .outcome
        .unwrap_err()
        .message
        .contains("UNIQUE constraint failed"));
}

#[test]
fn an_empty_script_is_refused() {
    let mut engine = demo();
    let reply = engine.handle(Request::Execute {
        sql: "  \n ".into(),
        browse: None,
    });
    assert!(reply
        .outcome
        .unwrap_err()
        .message
        .starts_with("nothing to run"));
}

#[test]
fn reset_returns_to_the_demo() {
    let mut engine = demo();
    let fresh = engine.snapshot(Some("users")).unwrap();
    let reply = engine.handle(Request::Execute {
        sql: "DROP TABLE identities; CREATE TABLE extra(x); CREATE VIEW v AS SELECT 1; \
              DELETE FROM users"
            .into(),
        browse: None,
    });
    assert!(reply.outcome.is_ok(), "{:?}", reply.outcome);
    let reply = engine.handle(Request::Reset);
    // The answer carries the demo's model and names the backup, so the page can say so.
    match reply.outcome {
        Ok(Outcome::Loaded {
            model,
            language: ModelLanguage::Sql,
            notes,
        }) => {
            assert_eq!(model, demo::MODEL_SQL);
            assert_eq!(notes.len(), 1, "{notes:?}");
            assert!(notes[0].contains("(before reset)"), "{notes:?}");
        }
        other => panic!("{other:?}"),
    }
    let mut after = engine.snapshot(Some("users")).unwrap();
    // What Reset replaced is kept as a backup; everything else is the fresh demo.
    let labels: Vec<_> = after.backups.drain(..).map(|b| b.label).collect();
    assert_eq!(labels, ["before reset"]);
    assert_eq!(after, fresh);
}

fn versions(engine: &Workspace) -> Vec<String> {
    let grid = engine.snapshot(None).unwrap().schema_version.unwrap();
    grid.column("version")
        .unwrap()
        .into_iter()
        .map(Cell::display)
        .collect()
}

fn with_phone() -> String {
    demo::MODEL_SQL.replace(
        "display_name TEXT NOT NULL,",
        "display_name TEXT NOT NULL,\n    phone TEXT,",
    )
}

#[test]
fn the_demo_is_applied_by_the_runner_and_kept_as_a_project() {
    let engine = demo();
    assert_eq!(versions(&engine), ["0001", "0002"]);
    let snapshot = engine.snapshot(None).unwrap();
    let ids: Vec<_> = snapshot
        .revisions
        .iter()
        .map(|r| (r.id.as_str(), r.applied))
        .collect();
    assert_eq!(ids, [("0001", true), ("0002", true)]);
    assert!(!snapshot.tables.iter().any(|t| t.name == PROJECT_TABLE));
    let grid = snapshot.schema_version.unwrap();
    assert_eq!(
        grid.column("checksum").unwrap()[0],
        &Cell::Text(demo::revisions()[0].checksum.clone())
    );
}

#[test]
fn the_demo_model_autogenerates_nothing() {
    let mut engine = demo();
    let reply = engine.handle(Request::Autogenerate {
        language: ModelLanguage::Sql,
        parent: None,
        model: demo::MODEL_SQL.into(),
        renames: vec![],
        browse: None,
    });
    let Ok(Outcome::Autogenerated(m)) = reply.outcome else {
        panic!("{:?}", reply.outcome)
    };
    assert!(m.changes.is_empty(), "{m:?}");
}

#[test]
fn autogenerate_save_upgrade_and_downgrade_a_new_column() {
    let conn = Connection::open_in_memory().unwrap();
    let mut engine = Workspace::open(conn, Storage::Opfs).unwrap();
    let reply = engine.handle(Request::Autogenerate {
        language: ModelLanguage::Sql,
        parent: None,
        model: with_phone(),
        renames: vec![],
        browse: None,
    });
    let Ok(Outcome::Autogenerated(m)) = reply.outcome else {
        panic!("{:?}", reply.outcome)
    };
    assert_eq!(m.changes, ["alter table users: add column phone"]);
    assert!(m.up_sql.contains("ADD COLUMN \"phone\""), "{}", m.up_sql);
    assert!(m.down_sql.contains("phone"), "{}", m.down_sql);
    let users = m.diagram.tables.iter().find(|t| t.name == "users").unwrap();
    assert_eq!(users.status, Mark::Changed);
    let marks: Vec<_> = users
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.status))
        .collect();
    assert!(marks.contains(&("phone", Mark::Added)), "{marks:?}");
    assert!(marks.contains(&("email", Mark::Same)), "{marks:?}");
    let identities = m
        .diagram
        .tables
        .iter()
        .find(|t| t.name == "identities")
        .unwrap();
    assert_eq!(
        (identities.status, identities.refs.clone()),
        (Mark::Same, vec!["users".to_owned()])
    );

    let reply = engine.handle(Request::SaveRevision {
        language: ModelLanguage::Sql,
        parent: None,
        model: with_phone(),
        renames: vec![],
        declined: Vec::new(),
        message: "add phone to users".into(),
        browse: None,
    });
    let Ok(Outcome::Saved { id }) = reply.outcome else {
        panic!("{:?}", reply.outcome)
    };
    let last = reply.snapshot.revisions.last().unwrap();
    assert_eq!((last.id.as_str(), last.applied), (id.as_str(), false));
    assert_eq!(last.parents, ["0002"]);

    let reply = engine.handle(Request::Upgrade {
        target: "head".into(),
        confirmed: false,
        browse: Some("users".into()),
    });
    assert_eq!(
        reply.outcome,
        Ok(Outcome::Migrated {
            up: true,
            ids: vec![id.clone()],
            losses: vec![]
        })
    );
    assert_eq!(versions(&engine), ["0001", "0002", id.as_str()]);
    assert!(reply
        .snapshot
        .browsed
        .unwrap()
        .grid
        .columns
        .contains(&"phone".to_owned()));

    let reply = engine.handle(Request::Downgrade {
        confirmed: true,
        target: "-1".into(),
        browse: Some("users".into()),
    });
    let Ok(Outcome::Migrated { up: false, ids, .. }) = reply.outcome else {
        panic!("{:?}", reply.outcome)
    };
    assert_eq!(ids, std::slice::from_ref(&id));
    assert_eq!(versions(&engine), ["0001", "0002"]);
    assert!(!reply
        .snapshot
        .browsed
        .unwrap()
        .grid
        .columns
        .contains(&"phone".to_owned()));
    assert_eq!(count(&engine, "users"), 4);
}

#[test]
fn the_project_survives_reopening_the_database() {
    let dir = std::env::temp_dir().join(format!("strata-web-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("project.sqlite3");
    let _ = std::fs::remove_file(&path);
    let id = {
        let mut engine = Workspace::open(Connection::open(&path).unwrap(), Storage::Opfs).unwrap();
        engine
            .save_revision(&with_phone(), &[], "add phone")
            .unwrap()
    };
    let engine = Workspace::open(Connection::open(&path).unwrap(), Storage::Opfs).unwrap();
    let ids: Vec<_> = engine
        .snapshot(None)
        .unwrap()
        .revisions
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(ids, ["0001", "0002", id.as_str()]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_failing_revision_leaves_the_database_unchanged() {
    let mut engine = demo();
    // Ada has two identities, so a unique index on user_id cannot be built.
    let model = format!(
        "{}\nCREATE UNIQUE INDEX one_identity ON identities (user_id);",
        demo::MODEL_SQL
    );
    let id = engine
        .save_revision(&model, &[], "one identity per user")
        .unwrap();
    let before = engine.snapshot(Some("identities")).unwrap();
    let reply = engine.handle(Request::Upgrade {
        target: "head".into(),
        confirmed: false,
        browse: Some("identities".into()),
    });
    let message = reply.outcome.unwrap_err().message;
    assert!(
        message.contains(&format!("revision {id} (one identity per user) failed")),
        "{message}"
    );
    assert!(
        message.contains("UNIQUE constraint failed: identities.user_id"),
        "{message}"
    );
    assert!(message.contains("CREATE UNIQUE INDEX"), "{message}");
    assert_eq!(reply.snapshot, before);
    assert_eq!(versions(&engine), ["0001", "0002"]);
}

#[test]
fn a_bad_model_gives_a_line_numbered_error_and_changes_nothing() {
    let mut engine = demo();
    let before = engine.snapshot(None).unwrap();
    let model = format!(
        "{}\nCREATE TABLE broken (id INTEGER PRIMARY KEY,,);",
        demo::MODEL_SQL
    );
    let line = model.lines().count();
    for request in [
        Request::Autogenerate {
            language: ModelLanguage::Sql,
            parent: None,
            model: model.clone(),
            renames: vec![],
            browse: None,
        },
        Request::SaveRevision {
            language: ModelLanguage::Sql,
            parent: None,
            model: model.clone(),
            renames: vec![],
            declined: Vec::new(),
            message: "x".into(),
            browse: None,
        },
    ] {
        let reply = engine.handle(request);
        let failure = reply.outcome.unwrap_err();
        assert!(
            failure.message.starts_with(&format!("model line {line}: ")),
            "{failure}"
        );
        // The page marks the line from the value, the column at the second comma SQLite names.
        assert_eq!(failure.at, Some(Position { line, column: 45 }), "{failure}");
        assert_eq!(reply.snapshot, before);
    }
    // The SQLModel front-end's errors carry their position the same way.
    let reply = engine.handle(Request::Autogenerate {
        language: ModelLanguage::Sqlmodel,
        parent: None,
        model: "from sqlmodel import SQLModel, Field\n\nclass A(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n    x: list[int]\n".into(),
        renames: vec![],
        browse: None,
    });
    let failure = reply.outcome.unwrap_err();
    assert_eq!(failure.at.map(|at| at.line), Some(5), "{failure}");
    // A failure that is not the model's points nowhere.
    let reply = engine.handle(Request::Upgrade {
        target: "nope".into(),
        browse: None,
        confirmed: false,
    });
    assert_eq!(reply.outcome.unwrap_err().at, None);
}

#[test]
fn a_confirmed_rename_becomes_a_rename_not_a_drop() {
    let mut engine = demo();
    let model = demo::MODEL_SQL.replace("email TEXT", "email_address TEXT");
    let reply = engine.handle(Request::Autogenerate {
        language: ModelLanguage::Sql,
        parent: None,
        model: model.clone(),
        renames: vec![],
        browse: None,
    });
    let Ok(Outcome::Autogenerated(m)) = reply.outcome else {
        panic!("{:?}", reply.outcome)
    };
    let candidate = m.candidates.first().expect("a rename prompt");
    assert!(
        candidate
            .question
            .contains("users.email to users.email_address"),
        "{}",
        candidate.question
    );
    let reply = engine.handle(Request::Autogenerate {
        language: ModelLanguage::Sql,
        parent: None,
        model,
        renames: vec![candidate.rename.clone()],
        browse: None,
    });
    let Ok(Outcome::Autogenerated(m)) = reply.outcome else {
        panic!("{:?}", reply.outcome)
    };
    assert!(m.up_sql.contains("RENAME COLUMN"), "{}", m.up_sql);
    assert!(
        m.findings.iter().any(|f| f.kind == "rename"),
        "{:?}",
        m.findings
    );
}

#[test]
fn a_twenty_table_change_autogenerates_and_applies() {
    let mut engine = demo();
    let mut model = demo::MODEL_SQL.to_owned();
    for n in 1..=20 {
        model.push_str(&format!(
            "\nCREATE TABLE t{n:02} (id INTEGER PRIMARY KEY, \
             user_id INTEGER NOT NULL REFERENCES users (id), name TEXT NOT NULL, \
             score REAL DEFAULT 0);\nCREATE INDEX t{n:02}_user ON t{n:02} (user_id);"
        ));
    }
    let (autogen, _) = engine.autogenerate(&model, &[]).unwrap();
    assert_eq!(autogen.up.changes.len(), 40);
    let id = engine.save_revision(&model, &[], "twenty tables").unwrap();
    assert!(engine.upgrade("head").is_ok());
    assert_eq!(versions(&engine), ["0001", "0002", id.as_str()]);
}

#[test]
fn saving_needs_a_message_and_a_change() {
    let mut engine = demo();
    assert!(engine
        .save_revision(&with_phone(), &[], "  ")
        .unwrap_err()
        .message
        .contains("message"));
    assert!(engine
        .save_revision(demo::MODEL_SQL, &[], "noop")
        .unwrap_err()
        .message
        .starts_with("nothing to save"));
}

#[test]
fn browsing_a_missing_table_shows_the_first_table_instead() {
    let mut engine = demo();
    let reply = engine.handle(Request::Browse {
        table: "nope".into(),
    });
    assert_eq!(reply.outcome, Ok(Outcome::Done));
    assert_eq!(reply.snapshot.browsed.unwrap().table, "identities");
    engine
        .handle(Request::Execute {
            sql: "DROP TABLE identities; DROP TABLE users; DROP TABLE schema_version;".into(),
            browse: None,
        })
        .outcome
        .unwrap();
    assert_eq!(engine.snapshot(Some("users")).unwrap().browsed, None);
}

// Helpers the transfer and backup tests share.

pub(super) fn demo_workspace() -> Workspace {
    Workspace::open(Connection::open_in_memory().unwrap(), Storage::Opfs).unwrap()
}

pub(super) fn snapshot_versions(snapshot: &Snapshot) -> Vec<String> {
    snapshot
        .schema_version
        .as_ref()
        .map_or_else(Vec::new, |grid| {
            grid.column("version")
                .unwrap()
                .into_iter()
                .map(Cell::display)
                .collect()
        })
}

pub(super) fn rows(engine: &Workspace, table: &str) -> u64 {
    let snapshot = engine.snapshot(None).unwrap();
    snapshot
        .tables
        .iter()
        .find(|t| t.name == table)
        .map_or(0, |t| t.rows)
}

pub(super) fn run(engine: &mut Workspace, sql: &str) {
    let reply = engine.handle(Request::Execute {
        sql: sql.into(),
        browse: None,
    });
    assert!(reply.outcome.is_ok(), "{sql}: {:?}", reply.outcome);
}

/// The demo with a row of the visitor's added, so replacing it keeps a backup.
pub(super) fn worked_on() -> Workspace {
    let mut engine = demo_workspace();
    run(
        &mut engine,
        "INSERT INTO users (email, display_name) VALUES ('mine@example.com', 'Mine')",
    );
    engine
}

pub(super) fn labels(engine: &Workspace) -> Vec<String> {
    engine
        .backup_views()
        .unwrap()
        .into_iter()
        .map(|b| b.label)
        .collect()
}
