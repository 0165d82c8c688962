//! The lessons in the team's stack: the SQLModel lessons start in the SQLModel tab and are
//! checked as before, the newest revision comes with its Alembic script, and lesson 12's
//! rollback file is written by the learner and judged by running it.

use super::*;

/// The SQLModel lessons' setup leaves a SQLModel model for the editor's SQLModel tab, and
/// their show me saves from SQLModel too (the SQL tab's text would describe another schema).
#[test]
fn the_sqlmodel_lessons_start_in_the_sqlmodel_tab() {
    let lessons = all();
    let sqlmodel: Vec<&str> = lessons
        .iter()
        .filter(|l| l.model_language == ModelLanguage::Sqlmodel)
        .map(|l| l.slug.as_str())
        .collect();
    for slug in ["autogenerate", "rename", "data-migrations"] {
        assert!(sqlmodel.contains(&slug), "{slug}: {sqlmodel:?}");
    }
    for lesson in lessons
        .iter()
        .filter(|l| l.model_language == ModelLanguage::Sqlmodel)
    {
        let stages = lesson.stages();
        let all_steps = lesson
            .setup
            .iter()
            .chain(stages.iter().flat_map(|s| s.show_me.iter()));
        assert!(
            all_steps.clone().all(|s| !matches!(s, Step::Model(_))),
            "{}: a model step left in SQL",
            lesson.slug
        );
        assert!(all_steps.clone().any(|s| matches!(s, Step::Sqlmodel(_))));
        let mut engine = fresh();
        let reply = engine.handle(Request::Steps {
            steps: lesson.setup.clone(),
            browse: None,
        });
        match reply.outcome {
            Ok(Outcome::Stepped {
                model: Some(model),
                language,
                failed: None,
                ..
            }) => {
                assert_eq!(language, ModelLanguage::Sqlmodel, "{}", lesson.slug);
                assert!(model.contains("(SQLModel, table=True)"), "{model}");
            }
            other => panic!("{}: {other:?}", lesson.slug),
        }
    }
    // A lesson that does not say so stays in SQL.
    let create_all = lessons.iter().find(|l| l.slug == "create-all").unwrap();
    assert_eq!(create_all.model_language, ModelLanguage::Sql);
    assert!(matches!(create_all.setup[1], Step::Model(_)));
}

fn commit_of(engine: &mut Workspace, lesson: &str) -> strata_core::export::lesson::Commit {
    let reply = engine.handle(Request::LessonCommit {
        lesson: lesson.into(),
        browse: None,
    });
    match reply.outcome {
        Ok(Outcome::LessonCommit {
            commit: Some(commit),
            error: None,
            ..
        }) => *commit,
        other => panic!("{other:?}"),
    }
}

/// The newest revision comes with the Alembic script the learner would commit, named as it
/// sits in `alembic/versions/`, and follows the learner's revision once it is saved.
#[test]
fn the_newest_revision_comes_with_its_alembic_script() {
    let lesson = lesson("rename");
    assert!(lesson.show_commit);
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    let before = commit_of(&mut engine, &lesson.slug);
    assert_eq!(before.message, "create users");
    assert!(before.applied);
    steps(&mut engine, &rename_by_hand());
    let commit = commit_of(&mut engine, &lesson.slug);
    assert_eq!(commit.message, "rename email");
    assert!(commit.applied && commit.faithful);
    assert_eq!(
        commit.path,
        format!("alembic/versions/{}_rename_email.py", commit.id)
    );
    assert!(
        commit
            .up
            .contains("RENAME COLUMN \"email\" TO \"email_address\""),
        "{}",
        commit.up
    );
    assert!(
        commit
            .alembic
            .contains("op.alter_column(\"users\", \"email\", new_column_name=\"email_address\")")
            && commit
                .alembic
                .contains(&format!("revision: str = \"{}\"", commit.id))
            && commit.alembic.contains(&format!(
                "down_revision: Union[str, Sequence[str], None] = \"{}\"",
                before.id
            )),
        "{}",
        commit.alembic
    );
    // Rolled back, it is still the newest revision, now pending.
    steps(&mut engine, &[Step::Downgrade("-1".into())]);
    let pending = commit_of(&mut engine, &lesson.slug);
    assert_eq!(pending.id, commit.id);
    assert!(!pending.applied);

    // A project without revisions has nothing to commit, and says so without an error.
    let mut engine = fresh();
    steps(&mut engine, &[Step::Clear {}]);
    let reply = engine.handle(Request::LessonCommit {
        lesson: "x".into(),
        browse: None,
    });
    assert_eq!(
        reply.outcome,
        Ok(Outcome::LessonCommit {
            lesson: "x".into(),
            commit: None,
            error: None
        })
    );
}

const SCRIPT: &str = "./migrate.sh";
const IMPORT: &str = "Import 002_add_user_phone.sql as revision 002";
const RIGHT_ROLLBACK: &str =
    "ALTER TABLE usertable DROP COLUMN address;\nALTER TABLE usertable DROP COLUMN phone;\n";
const RUNS_IT: &str = "your rollback, run on the database";

/// Lesson 12 after the script ran (stage 1 passed), revision 002 imported and given `down`.
fn lesson_12_with_rollback(down: &str) -> (Workspace, Lesson) {
    let lesson = lesson("migrate-script");
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    steps(&mut engine, &tool(&lesson, SCRIPT));
    assert_eq!(lesson.stage_reached(&check(&mut engine, &lesson)), 1);
    steps(&mut engine, &tool(&lesson, IMPORT));
    steps(
        &mut engine,
        &[Step::Down {
            revision: "002".into(),
            sql: down.into(),
        }],
    );
    (engine, lesson)
}

#[test]
fn lesson_12_is_done_by_a_rollback_the_learner_wrote_and_tested() {
    let (mut engine, lesson) = lesson_12_with_rollback(RIGHT_ROLLBACK);
    let stage = lesson.stages()[1];
    assert_eq!(
        stage.rollback.map(|r| r.file.as_str()),
        Some("002_add_user_phone_rollback.sql")
    );
    // Not applied yet: a rollback of nothing proves nothing.
    assert!(!passes(&mut engine, &lesson, RUNS_IT));
    steps(&mut engine, &[Step::Upgrade("head".into())]);
    assert_eq!(
        failing(&mut engine, &lesson),
        ["you tested it: a downgrade ran it"]
    );
    steps(&mut engine, &[Step::Downgrade("-1".into())]);
    assert!(
        !complete(&mut engine, &lesson),
        "rolled back, not applied again"
    );
    steps(&mut engine, &[Step::Upgrade("head".into())]);
    assert!(
        complete(&mut engine, &lesson),
        "{:?}",
        failing(&mut engine, &lesson)
    );
}

/// Each wrong rollback is refused by running it, while everything else about the stage is
/// right; and running it in the check changes nothing.
#[test]
fn lesson_12_refuses_a_rollback_that_does_nothing_too_little_or_too_much() {
    for (how, down) in [
        ("nothing at all", "-- 002_add_user_phone_rollback.sql\n"),
        ("the whole table dropped", "DROP TABLE usertable;\n"),
        ("one column left", "ALTER TABLE usertable DROP COLUMN phone;\n"),
        (
            "the users deleted",
            "DELETE FROM usertable;\nALTER TABLE usertable DROP COLUMN address;\nALTER TABLE usertable DROP COLUMN phone;\n",
        ),
        (
            "the index lost in a rebuild",
            "CREATE TABLE old_users AS SELECT id, first_name, last_name, email, created_at, updated_at FROM usertable;\nDROP TABLE usertable;\nALTER TABLE old_users RENAME TO usertable;\n",
        ),
    ] {
        let (mut engine, lesson) = lesson_12_with_rollback(down);
        steps(&mut engine, &[Step::Upgrade("head".into())]);
        steps(&mut engine, &[Step::Downgrade("-1".into())]);
        // A rollback that dropped the table leaves nothing for 002 to apply to again.
        let _ = engine.handle(Request::Upgrade {
            target: "head".into(),
            browse: None,
            confirmed: true,
        });
        // Where 002 could not be applied again, put the state right by hand so that only the
        // rollback is wrong.
        if !passes(&mut engine, &lesson, "002 is applied again") {
            let (mut fixed, lesson) = lesson_12_with_rollback(down);
            steps(&mut fixed, &[Step::Upgrade("head".into())]);
            assert!(!passes(&mut fixed, &lesson, RUNS_IT), "{how}");
            continue;
        }
        assert_eq!(failing(&mut engine, &lesson), [RUNS_IT.to_owned()
            + ", leaves exactly the schema before 002, with Ada and Zoe still there"], "{how}");
        // The check ran the rollback and left nothing of it behind.
        assert!(passes(&mut engine, &lesson, "002 is applied again"), "{how}");
    }
}

#[test]
fn lesson_12_refuses_a_down_written_after_the_upgrade_or_one_that_breaks_the_transaction() {
    let (mut engine, twelve) = lesson_12_with_rollback(RIGHT_ROLLBACK);
    steps(&mut engine, &[Step::Upgrade("head".into())]);
    let reply = engine.handle(Request::Steps {
        steps: vec![Step::Down {
            revision: "002".into(),
            sql: "SELECT 1;".into(),
        }],
        browse: None,
    });
    let Ok(Outcome::Stepped {
        failed: Some(failed),
        ..
    }) = reply.outcome
    else {
        panic!("{:?}", reply.outcome)
    };
    assert!(failed.contains("revision 002 is applied"), "{failed}");
    // The down SQL is still the one written before the upgrade.
    assert!(passes(&mut engine, &twelve, RUNS_IT));

    let lesson = lesson("migrate-script");
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    steps(&mut engine, &tool(&lesson, IMPORT));
    let reply = engine.handle(Request::Steps {
        steps: vec![Step::Down {
            revision: "002".into(),
            sql: "ALTER TABLE usertable DROP COLUMN phone;\nCOMMIT;\n".into(),
        }],
        browse: None,
    });
    assert!(
        matches!(&reply.outcome, Ok(Outcome::Stepped { failed: Some(f), .. }) if f.contains("was not saved")),
        "{:?}",
        reply.outcome
    );
}
