//! Exercises through the workspace: one made of the demo, opened in another workspace and done
//! only through a revision (not the console), its row checks, and every refusal of the engine,
//! each of which leaves the database as it was.

use super::tests::{demo_workspace, labels, rows, run, worked_on};
use super::*;
use crate::workspace::demo;
use crate::workspace::protocol::{Condition, Step};
use strata_core::exercise::{Exercise, RowCheck};
use strata_core::project::{ModelLanguage, Project};

/// The demo's model with a nickname column: the goal of the exercises here.
fn goal_model() -> String {
    demo::MODEL_SQL.replace(
        "display_name TEXT NOT NULL,",
        "display_name TEXT NOT NULL,\n    nickname TEXT,",
    )
}

fn make(engine: &mut Workspace, model: &str, checks: &str) -> Result<Exercise, String> {
    let reply = engine.handle(Request::MakeExercise {
        model: model.to_owned(),
        language: ModelLanguage::Sql,
        title: "Add a nickname".to_owned(),
        text: "Give `users` a **nickname**, through a revision.".to_owned(),
        checks: checks.to_owned(),
    });
    match reply.outcome {
        Ok(Outcome::ExerciseMade { exercise }) => Ok(*exercise),
        Ok(other) => panic!("{other:?}"),
        Err(failure) => Err(failure.message),
    }
}

fn made() -> Exercise {
    make(
        &mut demo_workspace(),
        &goal_model(),
        "SELECT count(*) FROM users => 4\nSELECT email FROM users ORDER BY id",
    )
    .unwrap()
}

fn open(engine: &mut Workspace, exercise: &Exercise) -> Result<Vec<String>, String> {
    let reply = engine.handle(Request::OpenExercise {
        exercise: Box::new(exercise.clone()),
        browse: None,
    });
    match reply.outcome {
        Ok(Outcome::ExerciseOpened { notes, .. }) => Ok(notes),
        Ok(other) => panic!("{other:?}"),
        Err(failure) => Err(failure.message),
    }
}

/// Which of the exercise's conditions hold, as the page asks.
fn passed(engine: &mut Workspace, exercise: &Exercise) -> Vec<bool> {
    let checks: Vec<Condition> = exercise.conditions().into_iter().map(|(_, c)| c).collect();
    match engine
        .handle(Request::Check {
            lesson: exercise.slug(),
            checks,
            browse: None,
        })
        .outcome
    {
        Ok(Outcome::Checked { passed, .. }) => passed,
        other => panic!("{other:?}"),
    }
}

fn save_and_upgrade(engine: &mut Workspace, model: &str) {
    let saved = engine.handle(Request::SaveRevision {
        model: model.to_owned(),
        renames: vec![],
        declined: vec![],
        message: "add nicknames".into(),
        browse: None,
        language: ModelLanguage::Sql,
        parent: None,
    });
    assert!(saved.outcome.is_ok(), "{:?}", saved.outcome);
    let upgraded = engine.handle(Request::Upgrade {
        target: "head".into(),
        browse: None,
        confirmed: false,
    });
    assert!(upgraded.outcome.is_ok(), "{:?}", upgraded.outcome);
}

/// What a refusal must leave as it was: tables and rows, revisions, backups, model.
type State = (Vec<(String, u64)>, Vec<String>, Vec<String>, Outcome);

fn state(engine: &Workspace) -> State {
    let snapshot = engine.snapshot(None).unwrap();
    (
        snapshot
            .tables
            .iter()
            .map(|t| (t.name.clone(), t.rows))
            .collect(),
        snapshot.revisions.iter().map(|r| r.id.clone()).collect(),
        labels(engine),
        engine.opened().unwrap(),
    )
}

#[test]
fn an_exercise_made_of_the_project_starts_where_the_database_is_and_aims_at_the_model() {
    let exercise = made();
    // The start is the demo as it is (its revisions, applied, its rows), with the live schema
    // as its model; the goal is the editor's model, as SQL.
    assert_eq!(exercise.start.revisions.len(), 2);
    assert_eq!(exercise.start.applied, "0002");
    assert!(
        exercise.start.data.contains("ada@example.com"),
        "{}",
        exercise.start.data
    );
    assert!(
        !exercise.start.model.contains("nickname"),
        "{}",
        exercise.start.model
    );
    assert!(
        exercise.goal.contains("\"nickname\" TEXT"),
        "{}",
        exercise.goal
    );
    // A check written without => expects what it gives now; one with => what it says.
    assert_eq!(
        exercise.checks[0],
        RowCheck {
            sql: "SELECT count(*) FROM users".into(),
            expect: vec![vec!["4".into()]]
        }
    );
    assert_eq!(
        exercise.checks[1].expect[0],
        vec!["ada@example.com".to_owned()]
    );
    assert_eq!(exercise.checks[1].expect.len(), 4);
    assert_eq!(exercise.validate(), Ok(()));
    // A SQLModel goal is made into SQL too.
    let mut engine = demo_workspace();
    let sqlmodel = engine.handle(Request::MakeExercise {
        model: demo::MODEL_SQLMODEL.replace(
            "    display_name: str = Field(sa_type=Text)\n",
            "    display_name: str = Field(sa_type=Text)\n    nickname: Optional[str] = Field(default=None, sa_type=Text)\n",
        ),
        language: ModelLanguage::Sqlmodel,
        title: "t".into(),
        text: String::new(),
        checks: String::new(),
    });
    let Ok(Outcome::ExerciseMade { exercise }) = sqlmodel.outcome else {
        panic!("{:?}", sqlmodel.outcome)
    };
    assert!(
        exercise.goal.contains("\"nickname\" TEXT"),
        "{}",
        exercise.goal
    );
    assert!(
        exercise.goal.starts_with("CREATE TABLE"),
        "{}",
        exercise.goal
    );
}

#[test]
fn an_opened_exercise_is_done_through_a_revision_and_not_through_the_console() {
    let exercise = made();
    let mut engine = worked_on();
    let notes = open(&mut engine, &exercise).unwrap();
    // What it replaced (the visitor's own row) is kept first.
    assert_eq!(labels(&engine), vec!["before exercise"]);
    assert!(notes[0].contains("(before exercise)"), "{notes:?}");
    assert_eq!(rows(&engine, "users"), 4);
    assert_eq!(
        passed(&mut engine, &exercise),
        vec![false, true, true, true]
    );

    // The console reaches the goal schema, but outside a revision: not done.
    run(&mut engine, "ALTER TABLE users ADD COLUMN nickname TEXT");
    assert_eq!(
        passed(&mut engine, &exercise),
        vec![true, false, true, true]
    );

    // Restart (the exercise's setup is one Load step): the start again, the console's change gone.
    let reply = engine.handle(Request::Steps {
        steps: vec![Step::Load(Box::new(exercise.start.clone()))],
        browse: None,
    });
    assert!(
        matches!(reply.outcome, Ok(Outcome::Stepped { failed: None, .. })),
        "{:?}",
        reply.outcome
    );
    assert_eq!(
        passed(&mut engine, &exercise),
        vec![false, true, true, true]
    );

    // Through a revision: done.
    save_and_upgrade(&mut engine, &goal_model());
    assert_eq!(passed(&mut engine, &exercise), vec![true; 4]);

    // A row check holds the rows to what it expects: a user deleted breaks both.
    run(
        &mut engine,
        "DELETE FROM identities WHERE user_id = 4; DELETE FROM users WHERE id = 4",
    );
    assert_eq!(
        passed(&mut engine, &exercise),
        vec![true, true, false, false]
    );
}

#[test]
fn a_wrong_schema_does_not_pass_the_goal() {
    let exercise = made();
    let mut engine = demo_workspace();
    open(&mut engine, &exercise).unwrap();
    // A nickname that must not be NULL is another schema.
    save_and_upgrade(
        &mut engine,
        &goal_model().replace("nickname TEXT,", "nickname TEXT NOT NULL DEFAULT '',"),
    );
    assert_eq!(
        passed(&mut engine, &exercise),
        vec![false, true, true, true]
    );
}

#[test]
fn every_refusal_of_the_engine_names_the_problem_and_changes_nothing() {
    let exercise = made();
    let mut engine = worked_on();
    let before = state(&engine);
    let refused = |engine: &mut Workspace, change: &dyn Fn(&mut Exercise)| {
        let mut bad = exercise.clone();
        change(&mut bad);
        open(engine, &bad).unwrap_err()
    };
    for (change, says) in [
        (
            &(|e: &mut Exercise| e.goal = "CREATE TABLE users (id INTEGER PRIMARY KEY,".into())
                as &dyn Fn(&mut Exercise),
            "the exercise's goal schema does not read (",
        ),
        (
            &|e: &mut Exercise| e.goal = e.start.model.clone(),
            "the exercise's start already has the goal schema",
        ),
        (
            &|e: &mut Exercise| {
                e.start
                    .data
                    .push_str("\nALTER TABLE users ADD COLUMN secret TEXT;")
            },
            "the exercise's start was changed outside its revisions (",
        ),
        (
            &|e: &mut Exercise| e.checks[0].sql = "DELETE FROM users".into(),
            "row check 1 is a DELETE statement",
        ),
        (
            &|e: &mut Exercise| e.format = "strata-exercise/2".into(),
            "the exercise has format \"strata-exercise/2\"",
        ),
        (
            &|e: &mut Exercise| e.start.applied = "9999".into(),
            "the exercise's starting project is refused",
        ),
        (
            &|e: &mut Exercise| e.start.data.push_str("\nINSERT INTO nowhere VALUES (1);"),
            "the exercise's start cannot be built",
        ),
    ] {
        let message = refused(&mut engine, change);
        assert!(message.starts_with(says), "{says}: {message}");
        assert!(message.ends_with("nothing was changed"), "{message}");
        assert_eq!(state(&engine), before, "{says}");
    }
}

#[test]
fn a_query_sqlite_calls_a_write_is_never_run_as_a_check() {
    let mut engine = demo_workspace();
    // Past the page's classifier (a request made by hand), SQLite's own read-only flag stops
    // it: nothing is deleted, and the check does not pass.
    for sql in [
        "DELETE FROM users",
        "SELECT 1; DELETE FROM users",
        "WITH x AS (SELECT 1) DELETE FROM users",
    ] {
        let checks = vec![Condition::Rows {
            sql: sql.into(),
            expect: vec![],
        }];
        let reply = engine.handle(Request::Check {
            lesson: "x".into(),
            checks,
            browse: None,
        });
        assert!(
            matches!(reply.outcome, Ok(Outcome::Checked { ref passed, .. }) if passed == &[false]),
            "{sql}: {:?}",
            reply.outcome
        );
        assert_eq!(rows(&engine, "users"), 4, "{sql}");
    }
    // And opening an exercise with such a check is refused by SQLite's flag too: a check the
    // classifier reads as a SELECT but that writes cannot be written in SQL, so the engine's
    // own check is fed the statement directly.
    assert_eq!(
        super::exercise::rows_of(&engine.conn, "DELETE FROM users"),
        Err("it would write to the database".to_owned())
    );
    assert_eq!(
        super::exercise::rows_of(&engine.conn, "SELECT count(*) FROM users"),
        Ok(vec![vec!["4".to_owned()]])
    );
    assert_eq!(rows(&engine, "users"), 4);
}

#[test]
fn making_an_exercise_is_refused_when_there_is_nothing_to_do_or_a_check_cannot_run() {
    let mut engine = demo_workspace();
    let before = state(&engine);
    let same = make(&mut engine, demo::MODEL_SQL, "").unwrap_err();
    assert!(
        same.starts_with("the exercise's start already has the goal schema"),
        "{same}"
    );
    let broken = make(&mut engine, "CREATE TABLE (", "").unwrap_err();
    assert!(
        broken.starts_with("the goal (the model in the editor) does not read: "),
        "{broken}"
    );
    let later = make(&mut engine, &goal_model(), "SELECT nickname FROM users").unwrap_err();
    assert_eq!(later, "row check 1 does not run on the database as it is now (no such column: nickname): write the rows it must give after =>; nothing was made");
    let writes = make(&mut engine, &goal_model(), "UPDATE users SET email = ''").unwrap_err();
    assert!(
        writes.starts_with("row check 1 is an UPDATE statement"),
        "{writes}"
    );
    // Making reads only: the database is as it was.
    assert_eq!(state(&engine), before);
    run(&mut engine, "CREATE TABLE scratch (x)");
    let drift = make(&mut engine, &goal_model(), "").unwrap_err();
    assert!(
        drift.starts_with(
            "the exercise's start was changed outside its revisions (create table scratch"
        ),
        "{drift}"
    );
    assert_eq!(labels(&engine), Vec::<String>::new());
}

#[test]
fn an_exercise_link_round_trips_through_the_engine() {
    // The link the page makes of the made exercise reads back as the same exercise, and opens.
    let exercise = made();
    let back = Exercise::from_fragment(&exercise.share_fragment()).unwrap();
    assert_eq!(back, exercise);
    let mut engine = demo_workspace();
    open(&mut engine, &back).unwrap();
    // A fresh demo holds nothing of the visitor's, so nothing needed keeping.
    assert_eq!(labels(&engine), Vec::<String>::new());
    let _: &Project = &back.start;
}

#[test]
fn the_conditions_are_the_goal_through_revisions_and_each_row_check() {
    let exercise = made();
    let conditions = exercise.conditions();
    assert_eq!(conditions.len(), 4);
    assert_eq!(
        conditions[0].1,
        Condition::Schema {
            model: exercise.goal.clone()
        }
    );
    assert_eq!(conditions[1].1, Condition::NoDrift { except: vec![] });
    assert_eq!(
        conditions[2],
        (
            "SELECT count(*) FROM users gives 4".to_owned(),
            Condition::Rows {
                sql: "SELECT count(*) FROM users".to_owned(),
                expect: vec![vec!["4".to_owned()]]
            }
        )
    );
}
