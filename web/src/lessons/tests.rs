//! The lessons' tests, run natively against the engine's workspace: every lesson parses, "show
//! me" completes it and setup does not, and steps, app writes and checks behave as the panel
//! expects.

use std::rc::Rc;

use strata_core::time::{Clock, Timestamp};
use strata_engine::workspace::Workspace;

use super::*;

/// 2026-01-01T00:00:00Z for ever: lessons do not depend on the time.
struct Fixed;

impl Clock for Fixed {
    fn now(&self) -> Timestamp {
        Timestamp(1_767_225_600_000)
    }

    fn millis(&self) -> f64 {
        0.0
    }
}
use crate::services::protocol::{Outcome, Request, Storage};

/// The playground's engine on the database at `path`, on the system clock.
fn open(path: &str) -> Workspace {
    Workspace::open_path(path, Storage::Opfs, Rc::new(Fixed)).unwrap()
}

fn steps(engine: &mut Workspace, steps: &[Step]) -> Vec<String> {
    let reply = engine.handle(Request::Steps {
        steps: steps.to_vec(),
        browse: None,
    });
    match reply.outcome {
        Ok(Outcome::Stepped {
            failed: None,
            notes,
            ..
        }) => notes,
        other => panic!("{other:?}"),
    }
}

fn check(engine: &mut Workspace, lesson: &Lesson) -> Vec<bool> {
    let reply = engine.handle(Request::Check {
        lesson: lesson.slug.clone(),
        checks: lesson.conditions(),
        browse: None,
    });
    match reply.outcome {
        Ok(Outcome::Checked { passed, .. }) => passed,
        other => panic!("{other:?}"),
    }
}

fn app_write(engine: &mut Workspace, lesson: &Lesson) {
    if let Some(app) = &lesson.app {
        let reply = engine.handle(Request::AppWrite {
            deployed: app.deployed.clone(),
            writes: app.writes.clone(),
            browse: None,
            run: 1,
        });
        assert!(
            matches!(reply.outcome, Ok(Outcome::AppWrote { error: None, .. })),
            "{}: {:?}",
            lesson.slug,
            reply.outcome
        );
    }
}

#[test]
fn every_lesson_parses_and_has_what_the_panel_needs() {
    let lessons = all();
    assert_eq!(lessons.len(), FILES.len());
    // One lesson per topic of the migration guide the issue lists.
    assert_eq!(lessons.len(), 13);
    for lesson in &lessons {
        assert!(
            !lesson.title.is_empty() && !lesson.task.trim().is_empty(),
            "{}",
            lesson.slug
        );
        assert!(!lesson.hint.trim().is_empty(), "{}", lesson.slug);
        for stage in lesson.stages() {
            assert!(
                !stage.show_me.is_empty() && !stage.checks.is_empty(),
                "{}: each stage can be shown and checked",
                lesson.slug
            );
        }
        assert!(
            lesson.body.split("\n\n").count() >= 2,
            "{}: a few paragraphs",
            lesson.slug
        );
        assert!(
            matches!(lesson.setup.first(), Some(Step::Clear {})),
            "{} starts from nothing",
            lesson.slug
        );
    }
}

/// The property that makes a lesson a lesson: its setup leaves something to do, and its
/// "show me" does it, on the very engine the worker runs, starting from the demo. A staged
/// lesson is shown stage by stage, with its checks evaluated after each, as the panel does.
#[test]
fn show_me_completes_every_lesson_and_setup_does_not() {
    for lesson in all() {
        let mut engine = open(":memory:");
        steps(&mut engine, &lesson.setup);
        app_write(&mut engine, &lesson);
        let passed = check(&mut engine, &lesson);
        assert_eq!(passed.len(), lesson.conditions().len());
        assert!(
            passed.iter().any(|p| !p),
            "{}: every check passes right after setup",
            lesson.slug
        );
        for (number, stage) in lesson.stages().iter().enumerate() {
            assert_eq!(lesson.stage_reached(&check(&mut engine, &lesson)), number);
            steps(&mut engine, stage.show_me);
            app_write(&mut engine, &lesson);
            let passed = check(&mut engine, &lesson);
            let failing: Vec<_> = stage
                .checks
                .iter()
                .zip(lesson.stage_passed(stage, &passed))
                .filter(|(_, p)| !*p)
                .map(|(c, _)| c.what.as_str())
                .collect();
            assert!(
                failing.is_empty(),
                "{} stage {}: after show me, {failing:?} fail",
                lesson.slug,
                number + 1
            );
        }
        assert!(
            check(&mut engine, &lesson).iter().all(|p| *p),
            "{}",
            lesson.slug
        );
        // Starting again puts the lesson back where it began.
        steps(&mut engine, &lesson.setup);
        let passed = check(&mut engine, &lesson);
        assert!(passed.iter().any(|p| !p), "{}: restart", lesson.slug);
        assert_eq!(lesson.stage_reached(&passed), 0, "{}: restart", lesson.slug);
    }
}

/// Every check of a lesson beside its answer's place in [`Lesson::conditions`].
fn numbered(lesson: &Lesson) -> Vec<(usize, &Check)> {
    lesson
        .stages()
        .into_iter()
        .flat_map(|stage| {
            let offset = stage.offset;
            stage
                .checks
                .iter()
                .enumerate()
                .map(move |(i, c)| (offset + i, c))
        })
        .collect()
}

fn lesson(slug: &str) -> Lesson {
    all().into_iter().find(|l| l.slug == slug).unwrap()
}

/// Whether the check whose description starts with `what` passes now.
fn passes(engine: &mut Workspace, lesson: &Lesson, what: &str) -> bool {
    let index = numbered(lesson)
        .into_iter()
        .find(|(_, c)| c.what.starts_with(what))
        .unwrap_or_else(|| panic!("{}: no check {what:?}", lesson.slug))
        .0;
    check(engine, lesson)[index]
}

fn tool(lesson: &Lesson, label: &str) -> Vec<Step> {
    let tool = lesson.tools.iter().find(|t| t.label.starts_with(label));
    tool.unwrap_or_else(|| panic!("{}: no tool {label:?}", lesson.slug))
        .steps
        .clone()
}

fn fresh() -> Workspace {
    open(":memory:")
}

#[test]
fn an_app_write_that_cannot_run_is_still_answered_as_an_app_write() {
    // The page counts only AppWrote answers off its background requests, so an Err here
    // would be taken off `pending` instead and leave the simulated app held back.
    let lesson = lesson("expand-contract");
    let app = lesson.app.clone().unwrap();
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    steps(
        &mut engine,
        &[Step::Sql("UPDATE app_deploy SET version = 5;".into())],
    );
    let reply = engine.handle(Request::AppWrite {
        deployed: app.deployed.clone(),
        writes: app.writes.clone(),
        browse: None,
        run: 1,
    });
    assert_eq!(
        reply.outcome,
        Ok(Outcome::AppWrote {
            run: 1,
            version: 5,
            error: Some("the app has no version 5".into())
        })
    );
    // v2 before the expand: the write fails, is recorded, and is still an AppWrote.
    steps(
        &mut engine,
        &[Step::Sql("UPDATE app_deploy SET version = 2;".into())],
    );
    let reply = engine.handle(Request::AppWrite {
        deployed: app.deployed,
        writes: app.writes,
        browse: None,
        run: 1,
    });
    assert!(
        matches!(&reply.outcome, Ok(Outcome::AppWrote { version: 2, error: Some(e), run: 1 }) if e.contains("phone")),
        "{:?}",
        reply.outcome
    );
    assert!(!passes(&mut engine, &lesson, "the app never failed"));
}

#[test]
fn an_app_write_step_writes_once_and_fails_the_steps_when_the_write_fails() {
    let lesson = lesson("expand-contract");
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    // Deploying v2 before the expand: the deploy's own write fails and stops the tool.
    let reply = engine.handle(Request::Steps {
        steps: tool(&lesson, "Deploy app v2"),
        browse: None,
    });
    let Ok(Outcome::Stepped {
        failed: Some(failed),
        ..
    }) = reply.outcome
    else {
        panic!("{:?}", reply.outcome)
    };
    assert!(
        failed.starts_with("step 2 (app write) failed: app v2 failed: "),
        "{failed}"
    );
    // The step is filled in from the lesson's [app]; a lesson without one cannot use it.
    let front = r#"{"title":"t","task":"t","hint":"h","setup":[{"app_write":{}}],
        "checks":[{"what":"w","sql":"SELECT 1"}],"show_me":[]}"#;
    assert!(parse("99-x", front, "").is_err());
}

/// Whether every check of `lesson` passes now.
fn complete(engine: &mut Workspace, lesson: &Lesson) -> bool {
    check(engine, lesson).iter().all(|p| *p)
}

/// The checks that fail now, by their text.
fn failing(engine: &mut Workspace, lesson: &Lesson) -> Vec<String> {
    let passed = check(engine, lesson);
    numbered(lesson)
        .into_iter()
        .filter(|(i, _)| !passed[*i])
        .map(|(_, c)| c.what.clone())
        .collect()
}

/// A model step, then a save and an upgrade: what a learner does with the three buttons.
fn migrate(model: &str, message: &str) -> Vec<Step> {
    vec![
        Step::Model(model.into()),
        Step::Save {
            message: message.into(),
            renames: vec![],
            parent: None,
        },
        Step::Upgrade("head".into()),
    ]
}

fn sql(text: &str) -> Step {
    Step::Sql(text.into())
}

const USERS_RENAMED: &str = "CREATE TABLE users (\n    id INTEGER PRIMARY KEY,\n    email_address TEXT NOT NULL,\n    name TEXT NOT NULL\n);\n";

/// The rename, as a learner makes it: the model edited and the rename question answered yes.
fn rename_by_hand() -> Vec<Step> {
    vec![
        Step::Model(USERS_RENAMED.into()),
        Step::Save {
            message: "rename email".into(),
            renames: vec![strata_core::Rename::Column {
                table: "users".into(),
                from: "email".into(),
                to: "email_address".into(),
            }],
            parent: None,
        },
        Step::Upgrade("head".into()),
    ]
}

#[test]
fn every_tool_of_every_lesson_parses_into_steps() {
    for lesson in all() {
        for tool in &lesson.tools {
            assert!(
                !tool.label.is_empty() && !tool.steps.is_empty(),
                "{}",
                lesson.slug
            );
        }
    }
}

#[test]
fn a_failing_step_stops_the_rest_and_says_which() {
    let mut engine = open(":memory:");
    let reply = engine.handle(Request::Steps {
        steps: vec![
            Step::Sql("CREATE TABLE t (x);".into()),
            Step::Upgrade("nope".into()),
            Step::Sql("CREATE TABLE u (x);".into()),
        ],
        browse: None,
    });
    let Ok(Outcome::Stepped {
        failed: Some(failed),
        ..
    }) = reply.outcome
    else {
        panic!("{:?}", reply.outcome)
    };
    assert!(
        failed.starts_with("step 2 (upgrade nope) failed: "),
        "{failed}"
    );
    let names: Vec<_> = reply
        .snapshot
        .tables
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert!(names.contains(&"t") && !names.contains(&"u"), "{names:?}");
}

#[test]
fn a_cleared_database_is_not_reseeded_on_reopen() {
    let dir = std::env::temp_dir().join(format!("strata-lessons-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("lesson.sqlite3");
    let _ = std::fs::remove_file(&path);
    {
        let mut engine = open(path.to_str().unwrap());
        steps(&mut engine, &[Step::Clear {}]);
    }
    let engine = open(path.to_str().unwrap());
    let snapshot = engine.snapshot(None).unwrap();
    assert!(
        snapshot.tables.is_empty() && snapshot.revisions.is_empty(),
        "{snapshot:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_backfill_goes_batch_by_batch_and_says_so() {
    let mut engine = open(":memory:");
    let notes = steps(
        &mut engine,
        &[
            Step::Clear {},
            Step::Sql(
                "CREATE TABLE t (n INTEGER, twice INTEGER); \
                 WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 25) \
                 INSERT INTO t (n) SELECT n FROM c;"
                    .into(),
            ),
            Step::Backfill {
                table: "t".into(),
                set: "twice = n * 2".into(),
                filter: "twice IS NULL".into(),
                batch: 10,
            },
        ],
    );
    assert_eq!(
        &notes[1..],
        [
            "batch 1: 10 rows, 10 of 25 done",
            "batch 2: 10 rows, 20 of 25 done",
            "batch 3: 5 rows, 25 of 25 done",
            "backfill finished: 25 rows updated"
        ]
    );
}

#[test]
fn checks_never_write_and_a_broken_check_just_fails() {
    let mut engine = open(":memory:");
    let reply = engine.handle(Request::Check {
        lesson: "x".into(),
        checks: vec![
            Condition::Sql("SELECT 1".into()),
            Condition::Sql("SELECT count(*) FROM no_such_table".into()),
            Condition::Sql("DELETE FROM users".into()),
            Condition::Sql("SELECT NULL".into()),
        ],
        browse: None,
    });
    assert_eq!(
        reply.outcome,
        Ok(Outcome::Checked {
            lesson: "x".into(),
            passed: vec![true, false, false, false]
        })
    );
    assert!(reply
        .snapshot
        .tables
        .iter()
        .any(|t| t.name == "users" && t.rows > 0));
}

#[test]
fn every_lesson_is_in_exactly_one_world_and_every_world_names_real_lessons() {
    let lessons = all();
    for lesson in &lessons {
        let homes: Vec<&str> = WORLDS
            .iter()
            .filter(|w| w.lessons.contains(&lesson.slug.as_str()))
            .map(|w| w.id)
            .collect();
        assert_eq!(homes.len(), 1, "{} is in worlds {homes:?}", lesson.slug);
    }
    for world in WORLDS {
        assert!(!world.lessons.is_empty(), "world {} is empty", world.id);
        for slug in world.lessons {
            assert!(
                lessons.iter().any(|l| l.slug == *slug),
                "world {} names {slug}, which no lesson file has",
                world.id
            );
        }
    }
    let grouped: usize = by_world(&lessons).iter().map(|(_, l)| l.len()).sum();
    assert_eq!(grouped, lessons.len(), "the list shows every lesson once");
}

mod migrate_script_tests;

mod sqlite_rebuild_tests;

mod stage_tests;

mod wrong_way_tests;
