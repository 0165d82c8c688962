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
        checks: lesson.check_queries(),
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
    assert_eq!(lessons.len(), 11);
    for lesson in &lessons {
        assert!(
            !lesson.title.is_empty() && !lesson.task.trim().is_empty(),
            "{}",
            lesson.slug
        );
        assert!(
            !lesson.hint.trim().is_empty() && !lesson.show_me.is_empty(),
            "{}",
            lesson.slug
        );
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
/// "show me" does it, on the very engine the worker runs, starting from the demo.
#[test]
fn show_me_completes_every_lesson_and_setup_does_not() {
    for lesson in all() {
        let mut engine = open(":memory:");
        steps(&mut engine, &lesson.setup);
        app_write(&mut engine, &lesson);
        let passed = check(&mut engine, &lesson);
        assert_eq!(passed.len(), lesson.checks.len());
        assert!(
            passed.iter().any(|p| !p),
            "{}: every check passes right after setup",
            lesson.slug
        );
        steps(&mut engine, &lesson.show_me);
        app_write(&mut engine, &lesson);
        let passed = check(&mut engine, &lesson);
        let failing: Vec<_> = lesson
            .checks
            .iter()
            .zip(&passed)
            .filter(|(_, p)| !**p)
            .map(|(c, _)| c.what.as_str())
            .collect();
        assert!(
            failing.is_empty(),
            "{}: after show me, {failing:?} fail",
            lesson.slug
        );
        // Starting again puts the lesson back where it began.
        steps(&mut engine, &lesson.setup);
        assert!(
            check(&mut engine, &lesson).iter().any(|p| !p),
            "{}: restart",
            lesson.slug
        );
    }
}

fn lesson(slug: &str) -> Lesson {
    all().into_iter().find(|l| l.slug == slug).unwrap()
}

/// Whether the check whose description starts with `what` passes now.
fn passes(engine: &mut Workspace, lesson: &Lesson, what: &str) -> bool {
    let index = lesson
        .checks
        .iter()
        .position(|c| c.what.starts_with(what))
        .unwrap_or_else(|| panic!("{}: no check {what:?}", lesson.slug));
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
        &[Step::Sql("UPDATE app_deploy SET version = 4;".into())],
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
            version: 4,
            error: Some("the app has no version 4".into())
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

#[test]
fn lesson_9_cannot_skip_the_dual_write_phase_and_waits_for_v3_to_write() {
    let lesson = lesson("expand-contract");
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    app_write(&mut engine, &lesson);
    // Expand, then straight to v3: deployed, but it has not written yet.
    steps(&mut engine, &lesson.show_me[..3]);
    steps(
        &mut engine,
        &[Step::Sql("UPDATE app_deploy SET version = 3;".into())],
    );
    assert!(!passes(&mut engine, &lesson, "app v3 is deployed"));
    app_write(&mut engine, &lesson);
    assert!(passes(&mut engine, &lesson, "app v3 is deployed"));
    // Backfill and contract: no write ever failed, and still the lesson is not done,
    // because no row shows that v2 ran.
    steps(&mut engine, &tool(&lesson, "Backfill"));
    steps(&mut engine, &lesson.show_me[lesson.show_me.len() - 3..]);
    app_write(&mut engine, &lesson);
    let passed = check(&mut engine, &lesson);
    let failing: Vec<_> = lesson
        .checks
        .iter()
        .zip(&passed)
        .filter(|(_, p)| !**p)
        .map(|(c, _)| c.what.as_str())
        .collect();
    assert_eq!(failing.len(), 1, "{failing:?}");
    assert!(failing[0].starts_with("app v2 ran"), "{failing:?}");
}

#[test]
fn lesson_1_wants_phone_from_an_applied_revision_not_the_console() {
    let lesson = lesson("create-all");
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    // The column added by hand, and some other revision applied.
    steps(
        &mut engine,
        &[
            Step::Sql("ALTER TABLE users ADD COLUMN phone TEXT;".into()),
            Step::Model(
                "CREATE TABLE users (\n    id INTEGER PRIMARY KEY,\n    email TEXT NOT NULL\n);\n\
                 CREATE TABLE notes (id INTEGER PRIMARY KEY);\n"
                    .into(),
            ),
            Step::Save {
                message: "add notes".into(),
                renames: vec![],
                parent: None,
            },
            Step::Upgrade("head".into()),
        ],
    );
    assert!(passes(&mut engine, &lesson, "users has a phone column"));
    assert!(!passes(
        &mut engine,
        &lesson,
        "an applied revision adds phone"
    ));
}

#[test]
fn lesson_8_wants_the_original_notes_not_just_some_notes() {
    let lesson = lesson("backups");
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    steps(
        &mut engine,
        &[
            Step::Downgrade("-1".into()),
            Step::Sql("UPDATE orders SET note = 'x';".into()),
        ],
    );
    assert!(passes(&mut engine, &lesson, "orders.note is back"));
    assert!(!passes(&mut engine, &lesson, "the three original notes"));
}

/// Restore keeps the revisions saved after the backup as pending; lesson 8 is built on
/// that, and on the next upgrade running the harmful one again.
#[test]
fn lesson_8_restore_leaves_the_harmful_revision_pending_and_upgrade_runs_it_again() {
    let lesson = lesson("backups");
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    steps(&mut engine, &lesson.show_me);
    assert!(check(&mut engine, &lesson).iter().all(|p| *p));
    let snapshot = engine.snapshot(None).unwrap();
    assert!(
        snapshot
            .revisions
            .iter()
            .any(|r| r.message == "drop note from orders" && !r.applied),
        "{:?}",
        snapshot.revisions
    );
    steps(&mut engine, &[Step::Upgrade("head".into())]);
    assert!(!passes(&mut engine, &lesson, "orders.note is back"));
    assert!(!passes(
        &mut engine,
        &lesson,
        "drop note from orders is still"
    ));
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
            "SELECT 1".into(),
            "SELECT count(*) FROM no_such_table".into(),
            "DELETE FROM users".into(),
            "SELECT NULL".into(),
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
