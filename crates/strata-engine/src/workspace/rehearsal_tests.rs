//! Tests of the playground's "before production" requests and of what its answers claim: the
//! rehearsal on a scratch copy (the live database byte for byte unchanged), the classes in the
//! snapshot, Discard of a pending revision (and the refusals that keep applied work), Open's
//! quiet answer, and messages that name only what the playground has.

use rusqlite::Connection;
use strata_core::classify::Class;
use strata_core::project::ModelLanguage;
use strata_core::rehearse::{Pass, ProblemKind};

use super::protocol::Step;
use super::tests::{demo_workspace, run};
use super::*;
use crate::workspace::demo;

fn ok(reply: Reply) -> Outcome {
    match reply.outcome {
        Ok(outcome) => outcome,
        Err(e) => panic!("request failed: {e}"),
    }
}

/// A hand-written revision on top of the head, as a lesson (or an imported numbered file)
/// adds one.
fn add(engine: &mut Workspace, id: &str, up: &str, down: &str) {
    let outcome = ok(engine.handle(Request::Steps {
        steps: vec![Step::Revision {
            id: id.into(),
            message: format!("revision {id}"),
            up: up.into(),
            down: down.into(),
        }],
        browse: None,
    }));
    assert!(
        matches!(outcome, Outcome::Stepped { failed: None, .. }),
        "{outcome:?}"
    );
}

/// The demo with a table of notes applied: revisions built on it rehearse on real rows.
fn with_notes() -> Workspace {
    let mut engine = demo_workspace();
    add(
        &mut engine,
        "0003",
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);",
        "DROP TABLE notes;",
    );
    ok(engine.handle(Request::Upgrade {
        target: "head".into(),
        browse: None,
        confirmed: false,
    }));
    run(
        &mut engine,
        "INSERT INTO notes (body) VALUES ('remember the milk'), ('call grace'), ('ship it');",
    );
    engine
}

/// The database as bytes: what "unchanged" means.
fn image(engine: &mut Workspace) -> Vec<u8> {
    engine.file_bytes().unwrap()
}

fn rehearse(engine: &mut Workspace) -> Reply {
    engine.handle(Request::Rehearse {
        target: "head".into(),
    })
}

#[test]
fn a_rehearsal_reports_every_step_and_leaves_the_database_as_it_was() {
    let mut engine = with_notes();
    add(
        &mut engine,
        "0004",
        "ALTER TABLE notes ADD COLUMN tag TEXT;",
        "ALTER TABLE notes DROP COLUMN tag;",
    );
    let before = image(&mut engine);
    let shown = engine.snapshot(None).unwrap();
    let reply = rehearse(&mut engine);
    let Ok(Outcome::Rehearsed(report)) = reply.outcome else {
        panic!("{:?}", reply.outcome)
    };
    assert!(report.passed(), "{:?}", report.problems);
    assert_eq!(report.revisions.len(), 1);
    assert_eq!(report.revisions[0].id, "0004");
    assert_eq!(report.revisions[0].class.class, Class::Additive);
    let passes: Vec<(&str, Pass)> = report
        .steps
        .iter()
        .map(|s| (s.revision.as_str(), s.pass))
        .collect();
    assert_eq!(
        passes,
        [
            ("0004", Pass::Up),
            ("0004", Pass::Down),
            ("0004", Pass::UpAgain)
        ]
    );
    for step in &report.steps {
        assert_eq!(step.integrity, ["ok"]);
        let tables: Vec<&str> = step.rows.iter().map(|r| r.table.as_str()).collect();
        assert_eq!(tables, ["identities", "notes", "users"], "strata's own tables are left out");
        let notes = step.rows.iter().find(|r| r.table == "notes").unwrap();
        assert_eq!((notes.before, notes.after), (Some(3), Some(3)));
        assert!(step.wall_ms >= 0.0 && step.lock_ms >= 0.0);
    }
    // The copy ran it; the database did not, and the reply's panels say so.
    assert_eq!(image(&mut engine), before);
    assert_eq!(reply.snapshot, shown);
    assert!(!reply.snapshot.revisions[3].applied);
}

#[test]
fn a_down_that_silently_truncates_values_fails_the_rehearsal_and_changes_nothing() {
    let mut engine = with_notes();
    add(
        &mut engine,
        "0004",
        "ALTER TABLE notes ADD COLUMN tag TEXT;",
        "CREATE TABLE notes_old (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n\
         INSERT INTO notes_old (id, body) SELECT id, substr(body, 1, 4) FROM notes;\n\
         DROP TABLE notes;\nALTER TABLE notes_old RENAME TO notes;",
    );
    let before = image(&mut engine);
    let Outcome::Rehearsed(report) = ok(rehearse(&mut engine)) else {
        panic!()
    };
    assert!(!report.passed());
    let found: Vec<(ProblemKind, Pass)> =
        report.problems.iter().map(|p| (p.kind, p.pass)).collect();
    assert_eq!(found, [(ProblemKind::UndeclaredLoss, Pass::Down)]);
    assert!(
        report.problems[0].message.contains("notes.body"),
        "{}",
        report.problems[0].message
    );
    assert_eq!(image(&mut engine), before);
}

#[test]
fn a_failing_statement_is_the_reports_and_the_database_keeps_its_state() {
    let mut engine = with_notes();
    // Two notes with the same first word: the unique index cannot be made.
    run(&mut engine, "INSERT INTO notes (body) VALUES ('call ada');");
    add(
        &mut engine,
        "0004",
        "CREATE UNIQUE INDEX notes_first ON notes (substr(body, 1, 4));",
        "DROP INDEX notes_first;",
    );
    let before = image(&mut engine);
    let Outcome::Rehearsed(report) = ok(rehearse(&mut engine)) else {
        panic!()
    };
    let failure = report.failure.as_ref().expect("the step failed");
    assert_eq!(
        (failure.revision.as_str(), failure.pass),
        ("0004", Pass::Up)
    );
    assert!(failure.error.contains("UNIQUE"), "{}", failure.error);
    assert!(failure
        .statement
        .as_deref()
        .unwrap()
        .contains("notes_first"));
    assert_eq!(image(&mut engine), before);
}

#[test]
fn a_rehearsal_of_two_unmerged_heads_is_refused_before_anything_runs() {
    let mut engine = demo_workspace();
    let model = demo::MODEL_SQL.replace(
        "display_name TEXT NOT NULL,",
        "display_name TEXT NOT NULL,\n    phone TEXT,",
    );
    for parent in [None, Some("0001")] {
        ok(engine.handle(Request::SaveRevision {
            model: model.clone(),
            renames: vec![],
            declined: vec![],
            message: "phone".into(),
            browse: None,
            language: ModelLanguage::Sql,
            parent: parent.map(Into::into),
        }));
    }
    let message = rehearse(&mut engine).outcome.unwrap_err().message;
    assert!(
        message.starts_with("there are 2 heads") && message.ends_with("nothing was run"),
        "{message}"
    );
}

#[test]
fn every_revision_in_the_snapshot_carries_its_class_and_why() {
    let mut engine = with_notes();
    add(
        &mut engine,
        "0004",
        "DROP TABLE notes;",
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);",
    );
    let revisions = engine.snapshot(None).unwrap().revisions;
    let classes: Vec<(&str, Option<Class>)> = revisions
        .iter()
        .map(|r| (r.id.as_str(), r.class.as_ref().map(|c| c.class)))
        .collect();
    assert_eq!(
        classes,
        [
            ("0001", Some(Class::Additive)),
            ("0002", Some(Class::Additive)),
            ("0003", Some(Class::Additive)),
            ("0004", Some(Class::Breaking)),
        ]
    );
    let breaking = revisions[3].class.as_ref().unwrap();
    let reason = breaking.breaking().next().unwrap();
    assert!(reason.what.contains("notes"), "{reason:?}");
    assert!(
        !reason.why.is_empty() && reason.instead.is_some(),
        "{reason:?}"
    );
    // Discarding the revision changes the project, and the classes follow it.
    ok(engine.handle(Request::DiscardRevision {
        id: "0004".into(),
        browse: None,
    }));
    assert_eq!(engine.snapshot(None).unwrap().revisions.len(), 4 - 1);
}

#[test]
fn a_revision_that_fails_to_apply_is_discarded_and_the_visitor_can_go_on() {
    let mut engine = demo_workspace();
    // Every display name is unique today; a duplicate makes the new index fail.
    run(
        &mut engine,
        "UPDATE users SET display_name = 'Ada Lovelace' WHERE id = 2;",
    );
    let model = format!(
        "{}CREATE UNIQUE INDEX users_display_name ON users (display_name);\n",
        demo::MODEL_SQL
    );
    let Outcome::Saved { id } = ok(engine.handle(Request::SaveRevision {
        model,
        renames: vec![],
        declined: vec![],
        message: "unique names".into(),
        browse: None,
        language: ModelLanguage::Sql,
        parent: None,
    })) else {
        panic!()
    };
    let failed = engine
        .handle(Request::Upgrade {
            target: "head".into(),
            browse: None,
            confirmed: false,
        })
        .outcome
        .unwrap_err()
        .message;
    assert!(
        failed.ends_with(&format!(
            "to write it again, discard revision {id} (Discard, on its card) and save a new one"
        )),
        "{failed}"
    );
    assert!(!failed.contains("command"), "{failed}");

    let discarded = ok(engine.handle(Request::DiscardRevision {
        id: id.clone(),
        browse: None,
    }));
    let Outcome::Discarded { id: gone, up, .. } = discarded else {
        panic!("{discarded:?}")
    };
    assert_eq!(gone, id);
    assert!(up.contains("users_display_name"), "{up}");
    let ids: Vec<String> = engine
        .snapshot(None)
        .unwrap()
        .revisions
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(ids, ["0001", "0002"]);
    // The project table forgot it too: a reopened workspace does not find it.
    let conn = std::mem::replace(&mut engine.conn, Connection::open_in_memory().unwrap());
    let mut engine = Workspace::open(conn, Storage::Opfs).unwrap();
    assert_eq!(engine.snapshot(None).unwrap().revisions.len(), 2);
    // And a new revision is saved and applied as usual.
    let model = demo::MODEL_SQL.replace(
        "display_name TEXT NOT NULL,",
        "display_name TEXT NOT NULL,\n    phone TEXT,",
    );
    ok(engine.handle(Request::SaveRevision {
        model,
        renames: vec![],
        declined: vec![],
        message: "phone".into(),
        browse: None,
        language: ModelLanguage::Sql,
        parent: None,
    }));
    assert!(matches!(
        ok(engine.handle(Request::Upgrade {
            target: "head".into(),
            browse: None,
            confirmed: false,
        })),
        Outcome::Migrated { .. }
    ));
}

#[test]
fn an_applied_revision_or_one_with_children_is_not_discarded() {
    let mut engine = with_notes();
    add(
        &mut engine,
        "0004",
        "ALTER TABLE notes ADD COLUMN a TEXT;",
        "ALTER TABLE notes DROP COLUMN a;",
    );
    add(
        &mut engine,
        "0005",
        "ALTER TABLE notes ADD COLUMN b TEXT;",
        "ALTER TABLE notes DROP COLUMN b;",
    );
    let before = engine.snapshot(None).unwrap();
    for (id, expected) in [
        ("0003", "revision 0003 is applied: downgrade it first, then discard it; nothing was changed"),
        ("0004", "revision 0004 has revisions built on it (0005): discard those first; nothing was changed"),
        ("nope", "there is no revision nope; nothing was changed"),
    ] {
        let reply = engine.handle(Request::DiscardRevision {
            id: id.into(),
            browse: None,
        });
        assert_eq!(reply.outcome, Err(expected.into()));
        assert_eq!(engine.snapshot(None).unwrap(), before);
    }
}

#[test]
fn open_answers_the_kept_model_without_claiming_a_replacement() {
    let mut engine = demo_workspace();
    engine.save_model("-- mine", ModelLanguage::Sql).unwrap();
    let conn = std::mem::replace(&mut engine.conn, Connection::open_in_memory().unwrap());
    let mut engine = Workspace::open(conn, Storage::Opfs).unwrap();
    assert_eq!(
        engine.handle(Request::Open { browse: None }).outcome,
        Ok(Outcome::Opened {
            model: "-- mine".into(),
            language: ModelLanguage::Sql,
        })
    );
}

#[test]
fn history_and_version_table_problems_name_nothing_the_playground_lacks() {
    let mut engine = demo_workspace();
    add(
        &mut engine,
        "0003",
        "CREATE TABLE notes (id INTEGER PRIMARY KEY);",
        "DROP TABLE notes;",
    );
    // A version row of no revision, and an applied revision whose checksum was changed.
    run(
        &mut engine,
        "INSERT INTO schema_version (version, applied_at, description, checksum, execution_ms) \
         VALUES ('zz', '2026-01-01T00:00:00Z', '', '', 0); \
         UPDATE schema_version SET checksum = 'forged' WHERE version = '0001';",
    );
    let unknown = engine
        .handle(Request::Upgrade {
            target: "head".into(),
            browse: None,
            confirmed: false,
        })
        .outcome
        .unwrap_err()
        .message;
    // A version table another tool made.
    let mut foreign = demo_workspace();
    run(
        &mut foreign,
        "DROP TABLE schema_version; CREATE TABLE schema_version (version INTEGER);",
    );
    add(
        &mut foreign,
        "0003",
        "CREATE TABLE notes (id INTEGER PRIMARY KEY);",
        "DROP TABLE notes;",
    );
    let other_tool = foreign
        .handle(Request::Upgrade {
            target: "head".into(),
            browse: None,
            confirmed: false,
        })
        .outcome
        .unwrap_err()
        .message;
    assert!(unknown.contains("revision zz is applied"), "{unknown}");
    assert!(unknown.contains("revision 0001 was edited"), "{unknown}");
    assert!(
        other_tool.contains("not a strata version table"),
        "{other_tool}"
    );
    for message in [&unknown, &other_tool] {
        for word in [
            "stamp",
            "on disk",
            "file",
            "configure",
            "command",
            "`strata",
        ] {
            assert!(!message.contains(word), "{word:?} in: {message}");
        }
    }
}
