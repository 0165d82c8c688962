//! Projects through the workspace: loading one (from a file, a share link, the demo) replaces
//! the database atomically or changes nothing, an exported project loads back with its
//! revisions, applied state, model and rows, and rows come back without firing the triggers
//! that first wrote them.

use super::tests::{demo_workspace, rows, run, snapshot_versions, worked_on};
use super::*;
use crate::workspace::demo;
use crate::workspace::protocol::{Request, Storage};
use rusqlite::OptionalExtension;
use strata_core::project::{ModelLanguage, Project};

fn project_with_data(data: &str) -> Project {
    let mut project = demo::project();
    project.data.push_str(data);
    project
}

fn trigger_sql(engine: &Workspace, name: &str) -> Option<String> {
    engine
        .conn
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?1",
            [name],
            |r| r.get(0),
        )
        .optional()
        .unwrap()
}

fn audit_rows(engine: &Workspace) -> i64 {
    engine
        .conn
        .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
        .unwrap()
}

/// The demo plus a saved and applied revision that makes an audit table and its trigger.
fn audited() -> Workspace {
    let mut engine = demo_workspace();
    let model = format!(
        "{}\nCREATE TABLE audit (what TEXT);\n\
         CREATE TRIGGER users_audit AFTER INSERT ON users BEGIN INSERT INTO audit VALUES (new.email); END;\n",
        demo::MODEL_SQL
    );
    let reply = engine.handle(Request::SaveRevision {
        model,
        renames: vec![],
        declined: Vec::new(),
        message: "audit users".into(),
        browse: None,
        language: ModelLanguage::Sql,
        parent: None,
    });
    assert!(reply.outcome.is_ok(), "{:?}", reply.outcome);
    let reply = engine.handle(Request::Upgrade {
        target: "head".into(),
        confirmed: false,
        browse: None,
    });
    assert!(reply.outcome.is_ok(), "{:?}", reply.outcome);
    run(
        &mut engine,
        "INSERT INTO users (email, display_name) VALUES ('a@example.com', 'A')",
    );
    assert_eq!(audit_rows(&engine), 1);
    engine
}

#[test]
fn loading_rows_does_not_fire_the_triggers_that_first_wrote_them_again() {
    let mut engine = demo_workspace();
    engine
        .handle(Request::Execute {
            sql: "CREATE TABLE audit (what TEXT); \
                  CREATE TRIGGER users_audit AFTER INSERT ON users BEGIN INSERT INTO audit VALUES (new.email); END; \
                  INSERT INTO users (email, display_name) VALUES ('t@example.com', 'T');"
                .into(),
            browse: None,
        })
        .outcome
        .unwrap();
    let project = engine
        .export_project(demo::MODEL_SQL, ModelLanguage::Sql)
        .unwrap();
    let mut other = demo_workspace();
    other
        .handle(Request::Load {
            project,
            browse: None,
            link: false,
        })
        .outcome
        .unwrap();
    let audit: i64 = other
        .conn
        .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
        .unwrap();
    assert_eq!(audit, 1, "the audit row came with the data, and only once");
    let trigger: i64 = other
        .conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name = 'users_audit'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(trigger, 1, "the trigger is back after the load");
}

#[test]
fn loading_the_demo_project_gives_the_demo() {
    let mut engine = demo_workspace();
    engine
        .handle(Request::Execute {
            sql: "DELETE FROM identities; DROP TABLE users".into(),
            browse: None,
        })
        .outcome
        .unwrap();
    let reply = engine.handle(Request::Load {
        project: demo::project(),
        browse: Some("users".into()),
        link: false,
    });
    assert_eq!(
        reply.outcome,
        Ok(Outcome::Loaded {
            model: demo::MODEL_SQL.to_owned(),
            language: ModelLanguage::Sql,
            notes: vec!["The database it replaced is kept as backup 1 (before import).".into()],
        })
    );
    assert_eq!(snapshot_versions(&reply.snapshot), ["0001", "0002"]);
    assert_eq!(rows(&engine, "users"), 4);
    assert_eq!(rows(&engine, "identities"), 5);
    assert!(reply.snapshot.browsed.is_some());
}

#[test]
fn a_project_whose_data_fails_leaves_the_database_unchanged() {
    let mut engine = demo_workspace();
    let before = engine.snapshot(Some("users")).unwrap();
    let mut project = demo::project();
    project.data.push_str("\nINSERT INTO nowhere VALUES (1);");
    let line = project.data.lines().count();
    let reply = engine.handle(Request::Load {
        project,
        browse: Some("users".into()),
        link: false,
    });
    let message = reply.outcome.unwrap_err().message;
    assert!(
        message.starts_with(&format!(
            "the project's data cannot be added (line {line}: no such table: nowhere)"
        )),
        "{message}"
    );
    assert!(message.ends_with("nothing was changed"), "{message}");
    assert_eq!(reply.snapshot, before);
}

#[test]
fn a_project_whose_revision_fails_leaves_the_database_unchanged() {
    let mut engine = demo_workspace();
    let before = engine.snapshot(None).unwrap();
    let mut project = Project::empty("");
    project.revisions = vec![Revision::new(
        "r1",
        vec![],
        "broken",
        "2026-01-01T00:00:00Z",
        "CREATE TABLE (",
        "",
    )
    .render()];
    project.applied = "head".into();
    let message = engine.load(&project, false).unwrap_err();
    assert!(
        message.starts_with("the project's revisions cannot be applied"),
        "{message}"
    );
    assert_eq!(engine.snapshot(None).unwrap(), before);
    assert_eq!(engine.revisions.len(), 2);
}

#[test]
fn an_empty_project_empties_the_database() {
    let mut engine = demo_workspace();
    engine
        .load(&Project::empty("CREATE TABLE t (x);"), false)
        .unwrap();
    let snapshot = engine.snapshot(None).unwrap();
    assert!(snapshot.tables.is_empty(), "{:?}", snapshot.tables);
    assert!(snapshot.revisions.is_empty());
    assert_eq!(
        engine.opened(),
        Ok(Outcome::Opened {
            model: "CREATE TABLE t (x);".into(),
            language: ModelLanguage::Sql,
        })
    );
}

#[test]
fn an_exported_project_loads_back_with_its_rows_and_revisions() {
    let mut engine = demo_workspace();
    engine
        .handle(Request::Execute {
            sql: "INSERT INTO users (email, display_name) VALUES ('o''brien@example.com', 'O''Brien'); \
                  CREATE TABLE odd (r REAL, b BLOB, n, big REAL); \
                  INSERT INTO odd VALUES (0.1, x'00ff', NULL, 1e308), (3.0, x'', 'text', -9e999);"
                .into(),
            browse: None,
        })
        .outcome
        .unwrap();
    engine
        .handle(Request::Downgrade {
            target: "0001".into(),
            browse: None,
            confirmed: true,
        })
        .outcome
        .unwrap();
    let project = engine
        .export_project("-- my model", ModelLanguage::Sql)
        .unwrap();
    assert_eq!(project.applied, "0001");
    assert_eq!(project.revisions.len(), 2);
    assert!(!project.data.contains("_strata"), "{}", project.data);
    assert!(!project.data.contains("schema_version"), "{}", project.data);
    assert!(
        project
            .data
            .starts_with("-- changed outside revisions\n-- create table odd\nCREATE TABLE \"odd\""),
        "{}",
        project.data
    );

    let json = project.to_json();
    let mut other = Workspace::open(Connection::open_in_memory().unwrap(), Storage::Opfs).unwrap();
    let reply = other.handle(Request::Load {
        project: Project::from_json(&json).unwrap(),
        browse: Some("odd".into()),
        link: false,
    });
    assert!(reply.outcome.is_ok(), "{:?}", reply.outcome);
    assert_eq!(snapshot_versions(&reply.snapshot), ["0001"]);
    let applied: Vec<_> = reply
        .snapshot
        .revisions
        .iter()
        .map(|r| (r.id.as_str(), r.applied))
        .collect();
    assert_eq!(applied, [("0001", true), ("0002", false)]);
    let same = |e: &Workspace, table: &str| e.snapshot(Some(table)).unwrap().browsed.unwrap().grid;
    for table in ["users", "odd"] {
        assert_eq!(same(&engine, table), same(&other, table), "{table}");
    }
    let typed: Vec<String> = other
        .conn
        .prepare("SELECT typeof(r) || typeof(b) || typeof(n) || typeof(big) FROM odd")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(typed, ["realblobnullreal", "realblobtextreal"]);
}

#[test]
fn a_share_link_carries_the_project_into_another_database() {
    let engine = demo_workspace();
    let project = engine
        .export_project(demo::MODEL_SQL, ModelLanguage::Sql)
        .unwrap();
    let fragment = project.share_fragment();
    let mut other = Workspace::open(Connection::open_in_memory().unwrap(), Storage::Opfs).unwrap();
    other
        .load(&Project::from_share_fragment(&fragment).unwrap(), true)
        .unwrap();
    assert_eq!(
        other.snapshot(Some("identities")).unwrap().browsed,
        engine.snapshot(Some("identities")).unwrap().browsed
    );
    let garbled = format!("{}x{}", &fragment[..40], &fragment[41..]);
    let message = Project::from_share_fragment(&garbled)
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with("the share link is damaged"),
        "{message}"
    );
}

#[test]
fn the_model_is_kept_in_the_database_and_read_on_open() {
    let dir = std::env::temp_dir().join(format!("strata-web-model-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("db.sqlite3");
    {
        let mut engine = Workspace::open(Connection::open(&path).unwrap(), Storage::Opfs).unwrap();
        let reply = engine.handle(Request::SaveModel {
            model: "CREATE TABLE kept (x);".into(),
            language: ModelLanguage::Sqlmodel,
        });
        assert_eq!(reply.outcome, Ok(Outcome::ModelSaved));
        assert!(
            reply.snapshot.tables.is_empty(),
            "a quiet reply carries no snapshot"
        );
    }
    let mut engine = Workspace::open(Connection::open(&path).unwrap(), Storage::Opfs).unwrap();
    let reply = engine.handle(Request::Open { browse: None });
    assert_eq!(
        reply.outcome,
        Ok(Outcome::Opened {
            model: "CREATE TABLE kept (x);".into(),
            language: ModelLanguage::Sqlmodel,
        })
    );
    let names: Vec<_> = reply
        .snapshot
        .tables
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(names, ["identities", "schema_version", "users"]);
    assert!(reply
        .snapshot
        .diagram
        .tables
        .iter()
        .all(|t| !t.name.starts_with("_strata")));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn databases_of_an_earlier_build_open_with_their_data() {
    // Only the visitor's tables: no project, no meta, no version table.
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('a'), ('b');").unwrap();
    let mut engine = Workspace::open(conn, Storage::Opfs).unwrap();
    let reply = engine.handle(Request::Open {
        browse: Some("notes".into()),
    });
    assert_eq!(reply.outcome, Ok(Outcome::Done));
    assert!(reply.snapshot.revisions.is_empty());
    assert_eq!(reply.snapshot.browsed.unwrap().grid.total, 2);

    // The earlier build's demo: a project table and a version table, but no meta table.
    let conn = Connection::open_in_memory().unwrap();
    {
        let mut seeded = Workspace::open(conn, Storage::Opfs).unwrap();
        seeded
            .conn
            .execute_batch("DROP TABLE _strata_meta")
            .unwrap();
        let mut engine = Workspace::open(
            std::mem::replace(&mut seeded.conn, Connection::open_in_memory().unwrap()),
            Storage::Opfs,
        )
        .unwrap();
        let reply = engine.handle(Request::Open { browse: None });
        assert_eq!(reply.outcome, Ok(Outcome::Done));
        assert_eq!(snapshot_versions(&reply.snapshot), ["0001", "0002"]);
        assert_eq!(reply.snapshot.revisions.len(), 2);
        // Saving the model then creates the meta table.
        engine.save_model("-- m", ModelLanguage::Sql).unwrap();
        assert!(matches!(engine.opened(), Ok(Outcome::Opened { .. })));
    }
}

#[test]
fn a_project_that_attaches_a_file_is_refused_and_changes_nothing() {
    let dir = std::env::temp_dir().join(format!("strata-web-attach-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let victim = dir.join("victim.sqlite3");
    let attach = format!(
        "ATTACH '{}' AS b; CREATE TABLE b.stolen (x);",
        victim.display()
    );
    let mut engine = worked_on();
    let before = engine.snapshot(Some("users")).unwrap();
    let in_data = project_with_data(&format!("\n{attach}"));
    let mut in_revision = demo::project();
    in_revision.revisions.push(
        Revision::new(
            "r3",
            vec!["0002".into()],
            "attach",
            "2026-12-01T00:00:00Z",
            &attach,
            "",
        )
        .render(),
    );
    // Rows run with ATTACH forbidden; a revision is refused before it runs.
    for (project, why) in [
        (in_data, "too many attached databases"),
        (in_revision, "ATTACH and DETACH reach other database files"),
    ] {
        let reply = engine.handle(Request::Load {
            project,
            browse: Some("users".into()),
            link: true,
        });
        let message = reply.outcome.unwrap_err().message;
        assert!(message.contains(why), "{message}");
        assert!(message.ends_with("nothing was changed"), "{message}");
        assert_eq!(
            reply.snapshot, before,
            "no backup either: nothing was replaced"
        );
        assert!(!victim.exists(), "the attached file was never made");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_project_whose_data_breaks_strata_s_own_tables_is_refused_and_changes_nothing() {
    let mut engine = worked_on();
    let before = engine.snapshot(Some("users")).unwrap();
    for (data, why) in [
        (
            "UPDATE _strata_project SET file = 'x';",
            "its revision 1 cannot be read",
        ),
        (
            "DELETE FROM _strata_project WHERE id = '0001';",
            "its revisions do not form a valid graph",
        ),
        (
            "UPDATE schema_version SET version = 'ghost' WHERE version = '0002';",
            "schema_version says revision ghost is applied",
        ),
        (
            "PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = 'garbage' WHERE name = 'users';",
            "may not be modified",
        ),
    ] {
        let reply = engine.handle(Request::Load {
            project: project_with_data(&format!("\n{data}")),
            browse: Some("users".into()),
            link: true,
        });
        let message = reply.outcome.unwrap_err().message;
        assert!(message.contains(why), "{data}: {message}");
        assert!(message.ends_with("nothing was changed"), "{message}");
        assert_eq!(reply.snapshot, before, "{data}");
        assert_eq!(engine.revisions.len(), 2);
    }
}

#[test]
fn two_applied_unmerged_heads_export_and_import_both_applied() {
    let mut project = demo::project();
    project.revisions.extend([
        Revision::new(
            "alice1",
            vec!["0002".into()],
            "alice: add nickname",
            "2026-12-01T00:00:00Z",
            "ALTER TABLE users ADD COLUMN nickname TEXT;",
            "ALTER TABLE users DROP COLUMN nickname;",
        )
        .render(),
        Revision::new(
            "bob1",
            vec!["0002".into()],
            "bob: add teams",
            "2026-12-01T00:00:01Z",
            "CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT);",
            "DROP TABLE teams;",
        )
        .render(),
    ]);
    project.applied = "heads".into();
    let mut engine = demo_workspace();
    engine.load(&project, false).unwrap();
    run(
        &mut engine,
        "INSERT INTO teams (name) VALUES ('blue'); UPDATE users SET nickname = 'ada' WHERE id = 1",
    );
    let exported = engine
        .export_project(demo::MODEL_SQL, ModelLanguage::Sql)
        .unwrap();
    assert_eq!(exported.applied, "alice1,bob1");
    assert!(
        !exported.data.contains("changed outside revisions"),
        "{}",
        exported.data
    );

    let mut other = demo_workspace();
    let reply = other.handle(Request::Load {
        project: Project::from_json(&exported.to_json()).unwrap(),
        browse: Some("teams".into()),
        link: false,
    });
    assert!(reply.outcome.is_ok(), "{:?}", reply.outcome);
    assert!(
        reply.snapshot.revisions.iter().all(|r| r.applied),
        "{:?}",
        reply.snapshot.revisions
    );
    assert_eq!(
        snapshot_versions(&reply.snapshot),
        ["0001", "0002", "alice1", "bob1"]
    );
    assert_eq!(reply.snapshot.browsed.unwrap().grid.total, 1);
    let reply = other.handle(Request::Upgrade {
        target: "heads".into(),
        confirmed: false,
        browse: None,
    });
    assert_eq!(
        reply.outcome,
        Ok(Outcome::Migrated {
            up: true,
            ids: vec![],
            losses: vec![]
        })
    );
    let nickname: String = other
        .conn
        .query_row("SELECT nickname FROM users WHERE id = 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(nickname, "ada");
}

#[test]
fn a_trigger_dropped_in_the_console_stays_gone_after_export_and_import() {
    let mut engine = audited();
    run(
        &mut engine,
        "DROP TRIGGER users_audit; INSERT INTO users (email, display_name) VALUES ('b@example.com', 'B')",
    );
    let project = engine
        .export_project(demo::MODEL_SQL, ModelLanguage::Sql)
        .unwrap();
    assert!(
        project.data.contains("DROP TRIGGER \"users_audit\""),
        "{}",
        project.data
    );
    let mut other = demo_workspace();
    let reply = other.handle(Request::Load {
        project,
        browse: None,
        link: false,
    });
    assert!(reply.outcome.is_ok(), "{:?}", reply.outcome);
    assert_eq!(trigger_sql(&other, "users_audit"), None);
    assert_eq!(audit_rows(&other), 1);
    assert_eq!(rows(&other, "users"), 6);
}

#[test]
fn a_trigger_changed_in_the_console_comes_back_changed_and_fires_only_for_new_rows() {
    let mut engine = audited();
    run(
        &mut engine,
        "DROP TRIGGER users_audit; \
         CREATE TRIGGER users_audit AFTER INSERT ON users BEGIN INSERT INTO audit VALUES ('changed ' || new.email); END; \
         INSERT INTO users (email, display_name) VALUES ('b@example.com', 'B')",
    );
    assert_eq!(audit_rows(&engine), 2);
    let project = engine
        .export_project(demo::MODEL_SQL, ModelLanguage::Sql)
        .unwrap();
    let mut other = demo_workspace();
    other.load(&project, false).unwrap();
    assert_eq!(
        audit_rows(&other),
        2,
        "the rows' audit came with the data, once"
    );
    assert!(trigger_sql(&other, "users_audit")
        .unwrap()
        .contains("'changed '"));
    run(
        &mut other,
        "INSERT INTO users (email, display_name) VALUES ('c@example.com', 'C')",
    );
    assert_eq!(audit_rows(&other), 3);
}

#[test]
fn autoincrement_counters_survive_export_and_import() {
    let mut engine = demo_workspace();
    run(
        &mut engine,
        "CREATE TABLE tickets (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT); \
         CREATE TABLE gone (id INTEGER PRIMARY KEY AUTOINCREMENT); \
         INSERT INTO tickets (title) VALUES ('a'), ('b'), ('c'); DELETE FROM tickets WHERE id = 3; \
         INSERT INTO gone DEFAULT VALUES; INSERT INTO gone DEFAULT VALUES; DELETE FROM gone",
    );
    let project = engine
        .export_project(demo::MODEL_SQL, ModelLanguage::Sql)
        .unwrap();
    assert!(
        project
            .data
            .ends_with("INSERT INTO sqlite_sequence (name, seq) VALUES ('tickets', 3);\n"),
        "{}",
        project.data
    );
    let mut other = demo_workspace();
    other.load(&project, false).unwrap();
    run(
        &mut other,
        "INSERT INTO tickets (title) VALUES ('d'); INSERT INTO gone DEFAULT VALUES",
    );
    let ids: (i64, i64) = other
        .conn
        .query_row(
            "SELECT (SELECT max(id) FROM tickets), (SELECT max(id) FROM gone)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(ids, (4, 3), "no id handed out before is handed out again");
}
