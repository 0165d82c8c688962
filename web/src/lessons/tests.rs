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
    assert_eq!(lessons.len(), 11);
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

#[test]
fn lesson_9_cannot_skip_a_phase_and_waits_for_v4_to_write() {
    let lesson = lesson("expand-contract");
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    app_write(&mut engine, &lesson);
    // Expand, then straight to v4: deployed, but it has not written yet.
    steps(&mut engine, &lesson.show_me[..3]);
    steps(&mut engine, &[sql("UPDATE app_deploy SET version = 4;")]);
    assert!(!passes(&mut engine, &lesson, "app v4 is deployed"));
    app_write(&mut engine, &lesson);
    assert!(passes(&mut engine, &lesson, "app v4 is deployed"));
    // Backfill and contract: no write ever failed, and still the lesson is not done, because
    // no row shows that v2 or v3 ran.
    steps(&mut engine, &tool(&lesson, "Backfill"));
    steps(&mut engine, &lesson.show_me[lesson.show_me.len() - 3..]);
    app_write(&mut engine, &lesson);
    let failing = failing(&mut engine, &lesson);
    assert_eq!(failing.len(), 2, "{failing:?}");
    assert!(failing[0].starts_with("app v2 ran"), "{failing:?}");
    assert!(failing[1].starts_with("app v3 ran"), "{failing:?}");
}

#[test]
fn lesson_9_v2_to_v4_without_v3_is_refused() {
    // The gap the lesson warns about: from v2 straight to a version that writes only phone,
    // a rollback to v2 would find no legacy_phone for v4's signups.
    let lesson = lesson("expand-contract");
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    steps(&mut engine, &lesson.show_me[..6]);
    steps(&mut engine, &tool(&lesson, "Deploy app v4"));
    steps(&mut engine, &lesson.show_me[lesson.show_me.len() - 3..]);
    app_write(&mut engine, &lesson);
    assert_eq!(failing(&mut engine, &lesson).len(), 1);
    assert!(!passes(&mut engine, &lesson, "app v3 ran"));
}

#[test]
fn lesson_9_contracting_while_v3_still_writes_legacy_phone_fails_the_app() {
    let lesson = lesson("expand-contract");
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    // Everything up to v3's deploy and write, then the contract while v3 runs.
    steps(&mut engine, &lesson.show_me[..8]);
    steps(&mut engine, &lesson.show_me[lesson.show_me.len() - 3..]);
    let app = lesson.app.clone().unwrap();
    let reply = engine.handle(Request::AppWrite {
        deployed: app.deployed,
        writes: app.writes,
        browse: None,
        run: 1,
    });
    assert!(
        matches!(&reply.outcome, Ok(Outcome::AppWrote { version: 3, error: Some(e), .. }) if e.contains("legacy_phone")),
        "{:?}",
        reply.outcome
    );
    steps(&mut engine, &tool(&lesson, "Deploy app v4"));
    assert!(!passes(&mut engine, &lesson, "the app never failed"));
    assert!(!complete(&mut engine, &lesson));
}

#[test]
fn lesson_9_columns_changed_in_the_console_are_refused() {
    let lesson = lesson("expand-contract");
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    steps(
        &mut engine,
        &[sql("ALTER TABLE users ADD COLUMN phone TEXT;")],
    );
    steps(&mut engine, &lesson.show_me[3..10]);
    steps(
        &mut engine,
        &[sql("ALTER TABLE users DROP COLUMN legacy_phone;")],
    );
    app_write(&mut engine, &lesson);
    assert_eq!(
        failing(&mut engine, &lesson),
        ["the revisions made the change, not the console"]
    );
}

#[test]
fn lesson_2_is_not_done_by_upgrade_head_alone() {
    let lesson = lesson("version-table");
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    steps(&mut engine, &[Step::Upgrade("head".into())]);
    assert!(!complete(&mut engine, &lesson));
    // The second press, and still the script's way has not been tried.
    steps(&mut engine, &[Step::Upgrade("head".into())]);
    assert_eq!(
        failing(&mut engine, &lesson),
        ["you ran migrate.sh's way and saw 001 run again, and fail"]
    );
    // The naive check alone is not the re-run.
    steps(&mut engine, &tool(&lesson, "migrate.sh: is 001"));
    assert!(!complete(&mut engine, &lesson));
    let reply = engine.handle(Request::Steps {
        steps: tool(&lesson, "migrate.sh: so run"),
        browse: None,
    });
    assert!(matches!(
        reply.outcome,
        Ok(Outcome::Stepped {
            failed: Some(_),
            ..
        })
    ));
    assert!(complete(&mut engine, &lesson));
}

const ORDERS_HEAD: &str = "CREATE TABLE customers (\n    id INTEGER PRIMARY KEY,\n    email TEXT NOT NULL UNIQUE\n);\n\
    CREATE TABLE coupons (\n    code TEXT PRIMARY KEY,\n    percent_off INTEGER NOT NULL\n);\n\
    CREATE TABLE orders (\n    id INTEGER PRIMARY KEY,\n    customer_id INTEGER NOT NULL REFERENCES customers (id),\n    total_cents INTEGER NOT NULL";

/// Lesson 3 after the model `orders_tail` (what follows `total_cents` in orders) was saved
/// and applied, and then `console` ran.
fn lesson_3_with(orders_tail: &str, console: &str) -> (Workspace, Lesson) {
    let lesson = lesson("autogenerate");
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    steps(
        &mut engine,
        &migrate(
            &format!("{ORDERS_HEAD}{orders_tail}"),
            "add status to orders",
        ),
    );
    if !console.is_empty() {
        steps(&mut engine, &[sql(console)]);
    }
    (engine, lesson)
}

#[test]
fn lesson_3_refuses_each_wrong_way() {
    let index = "CREATE INDEX orders_status ON orders (status);";
    let right = format!(",\n    status TEXT NOT NULL DEFAULT 'new'\n);\n{index}\n");
    let (mut engine, done) = lesson_3_with(&right, "");
    assert!(
        complete(&mut engine, &done),
        "{:?}",
        failing(&mut engine, &done)
    );
    let wrong = [
        (
            "the wrong type",
            format!(",\n    status INTEGER NOT NULL DEFAULT 'new'\n);\n{index}\n"),
            "",
            "orders.status is TEXT NOT NULL",
        ),
        (
            "nullable",
            format!(",\n    status TEXT DEFAULT 'new'\n);\n{index}\n"),
            "",
            "orders.status is TEXT NOT NULL",
        ),
        (
            "another default",
            format!(",\n    status TEXT NOT NULL DEFAULT 'open'\n);\n{index}\n"),
            "",
            "orders.status is TEXT NOT NULL",
        ),
        (
            "an extra column",
            format!(",\n    status TEXT NOT NULL DEFAULT 'new',\n    note TEXT\n);\n{index}\n"),
            "",
            "orders has no other new column",
        ),
        (
            "an index with another name",
            ",\n    status TEXT NOT NULL DEFAULT 'new'\n);\nCREATE INDEX idx_orders_status ON orders (status);\n".into(),
            "",
            "one index on orders",
        ),
        (
            "an index on more than status",
            ",\n    status TEXT NOT NULL DEFAULT 'new'\n);\nCREATE INDEX orders_status ON orders (status, total_cents);\n".into(),
            "",
            "one index on orders",
        ),
        (
            "a unique index",
            ",\n    status TEXT NOT NULL DEFAULT 'new'\n);\nCREATE UNIQUE INDEX orders_status ON orders (id, status);\n".into(),
            "",
            "one index on orders",
        ),
        (
            "no index",
            ",\n    status TEXT NOT NULL DEFAULT 'new'\n);\n".into(),
            "",
            "one index on orders",
        ),
        (
            "the index made in the console",
            ",\n    status TEXT NOT NULL DEFAULT 'new'\n);\n".into(),
            index,
            "the revision made it all",
        ),
    ];
    for (how, tail, console, refused_by) in wrong {
        let (mut engine, wrong) = lesson_3_with(&tail, console);
        let failing = failing(&mut engine, &wrong);
        assert!(
            failing.iter().any(|f| f.starts_with(refused_by)),
            "{how}: {failing:?}"
        );
    }
    // Forgetting coupons drops it with its rows, even when the rest is right.
    let lesson = lesson("autogenerate");
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    let without_coupons = format!(
        "CREATE TABLE customers (\n    id INTEGER PRIMARY KEY,\n    email TEXT NOT NULL UNIQUE\n);\n\
         CREATE TABLE orders (\n    id INTEGER PRIMARY KEY,\n    customer_id INTEGER NOT NULL REFERENCES customers (id),\n    total_cents INTEGER NOT NULL{right}"
    );
    steps(&mut engine, &migrate(&without_coupons, "add status"));
    assert!(!passes(&mut engine, &lesson, "coupons is still there"));
}

const USERS_RENAMED: &str = "CREATE TABLE users (\n    id INTEGER PRIMARY KEY,\n    email_address TEXT NOT NULL,\n    name TEXT NOT NULL\n);\n";

#[test]
fn lesson_5_refuses_a_drop_and_an_add_and_a_console_rename() {
    let lesson = lesson("rename");
    // Through a revision, with the rename confirmed: the first stage passes.
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    steps(&mut engine, lesson.stages()[0].show_me);
    assert_eq!(lesson.stage_reached(&check(&mut engine, &lesson)), 1);

    // The rename answered "no": a drop and an add. The new column is nullable so the add can
    // run at all; the addresses are gone.
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    let nullable = USERS_RENAMED.replace("email_address TEXT NOT NULL", "email_address TEXT");
    steps(&mut engine, &migrate(&nullable, "rename email"));
    let failing = failing(&mut engine, &lesson);
    assert!(
        failing
            .iter()
            .any(|f| f.starts_with("all three users kept"))
            && failing
                .iter()
                .any(|f| f.starts_with("an applied revision renames")),
        "{failing:?}"
    );

    // A drop and an add, with the addresses copied back by hand in the console: the rows are
    // right, the revision is still not a rename.
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    steps(
        &mut engine,
        &[sql("CREATE TABLE kept AS SELECT id, email FROM users;")],
    );
    steps(&mut engine, &migrate(&nullable, "rename email"));
    steps(
        &mut engine,
        &[sql(
            "UPDATE users SET email_address = (SELECT email FROM kept WHERE kept.id = users.id); DROP TABLE kept;",
        )],
    );
    assert!(passes(&mut engine, &lesson, "all three users kept"));
    assert!(!passes(&mut engine, &lesson, "an applied revision renames"));
    assert!(!complete(&mut engine, &lesson));

    // The rename made in the console, beside an unrelated revision.
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    steps(
        &mut engine,
        &[sql(
            "ALTER TABLE users RENAME COLUMN email TO email_address;",
        )],
    );
    let unrelated = "CREATE TABLE users (\n    id INTEGER PRIMARY KEY,\n    email TEXT NOT NULL,\n    name TEXT NOT NULL\n);\nCREATE TABLE notes (id INTEGER PRIMARY KEY);\n";
    steps(&mut engine, &migrate(unrelated, "add notes"));
    assert!(passes(&mut engine, &lesson, "users has email_address"));
    assert!(passes(&mut engine, &lesson, "all three users kept"));
    assert!(!passes(&mut engine, &lesson, "nothing was renamed by hand"));
    assert!(!passes(&mut engine, &lesson, "an applied revision renames"));
}

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
fn lesson_5_is_done_by_the_rename_and_then_its_rollback_in_that_order() {
    let lesson = lesson("rename");
    assert_eq!(lesson.stages().len(), 2);
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    assert_eq!(lesson.stage_reached(&check(&mut engine, &lesson)), 0);
    steps(&mut engine, &rename_by_hand());
    assert_eq!(lesson.stage_reached(&check(&mut engine, &lesson)), 1);
    assert!(
        !complete(&mut engine, &lesson),
        "the rollback is still to do"
    );
    steps(&mut engine, &[Step::Downgrade("-1".into())]);
    assert!(complete(&mut engine, &lesson));
    assert!(passes(&mut engine, &lesson, "all three users still have"));
}

#[test]
fn lesson_5_refuses_a_rollback_before_the_rename_passed_and_one_faked_in_the_console() {
    let lesson = lesson("rename");
    // Renamed and rolled back before the checks saw the rename: the second stage's state is
    // the start's, and it does not count.
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    steps(&mut engine, &rename_by_hand());
    steps(&mut engine, &[Step::Downgrade("-1".into())]);
    let passed = check(&mut engine, &lesson);
    assert_eq!(lesson.stage_reached(&passed), 0);
    assert!(!passed.iter().all(|p| *p));

    // Renamed, seen, then put back in the console (version row deleted, column renamed back):
    // the state looks rolled back, but no downgrade did it and the schema is not the
    // revisions'.
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    steps(&mut engine, &rename_by_hand());
    assert_eq!(lesson.stage_reached(&check(&mut engine, &lesson)), 1);
    steps(
        &mut engine,
        &[sql(
            "DELETE FROM schema_version WHERE description = 'rename email'; ALTER TABLE users RENAME COLUMN email_address TO email;",
        )],
    );
    assert!(passes(&mut engine, &lesson, "all three users still have"));
    assert!(passes(
        &mut engine,
        &lesson,
        "the rename is no longer applied"
    ));
    assert!(!passes(&mut engine, &lesson, "a downgrade rolled it back"));
    assert!(!complete(&mut engine, &lesson));

    // Rolled back by a new revision that renames the column back: the rename is still
    // applied, so it was not rolled back.
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    steps(&mut engine, &rename_by_hand());
    check(&mut engine, &lesson);
    let original = USERS_RENAMED.replace("email_address", "email");
    steps(
        &mut engine,
        &[
            Step::Model(original),
            Step::Save {
                message: "rename back".into(),
                renames: vec![strata_core::Rename::Column {
                    table: "users".into(),
                    from: "email_address".into(),
                    to: "email".into(),
                }],
                parent: None,
            },
            Step::Upgrade("head".into()),
        ],
    );
    assert!(passes(&mut engine, &lesson, "all three users still have"));
    assert!(!passes(
        &mut engine,
        &lesson,
        "the rename is no longer applied"
    ));
    assert!(!complete(&mut engine, &lesson));
}

#[test]
fn a_stage_is_reached_only_through_the_stages_before_it() {
    let lesson = lesson("rename");
    let stages = lesson.stages();
    let (first, second) = (stages[0], stages[1]);
    let total = lesson.conditions().len();
    assert_eq!(total, first.checks.len() + 1 + second.checks.len());
    assert_eq!(second.offset, first.checks.len() + 1);
    assert!(matches!(
        lesson.conditions()[second.offset - 1],
        Condition::Stage {}
    ));
    let mut passed = vec![true; total];
    assert_eq!(lesson.stage_reached(&passed), 1);
    assert_eq!(
        lesson.stage_passed(&second, &passed),
        vec![true; second.checks.len()]
    );
    passed[second.offset - 1] = false;
    assert_eq!(lesson.stage_reached(&passed), 0);
    assert_eq!(lesson.stage_reached(&[]), 0, "no answer yet");
    // A lesson of one stage is its own only stage.
    let plain = all().into_iter().find(|l| l.slug == "backups").unwrap();
    assert_eq!(plain.stages().len(), 1);
    assert_eq!(plain.conditions().len(), plain.checks.len());
    assert_eq!(plain.stage_reached(&vec![true; plain.checks.len()]), 0);
}

#[test]
fn a_staged_lesson_file_keeps_its_checks_in_its_stages() {
    let front =
        |extra: &str| format!(r#"{{"title":"t","task":"t","hint":"h","setup":[],{extra}}}"#);
    let stage = r#"{"title":"s","task":"t","checks":[{"what":"w","sql":"SELECT 1"}],"show_me":[]}"#;
    assert!(parse(
        "09-x",
        &front(&format!(r#""stages":[{stage},{stage}]"#)),
        ""
    )
    .is_ok());
    let mixed = front(&format!(
        r#""stages":[{stage}],"checks":[{{"what":"w","sql":"SELECT 1"}}]"#
    ));
    assert!(parse("09-x", &mixed, "").is_err());
    let empty = front(r#""stages":[{"title":"s","task":"t","checks":[],"show_me":[]}]"#);
    assert!(parse("09-x", &empty, "").is_err());
    assert!(parse("09-x", &front(r#""checks":[]"#), "").is_err());
}

/// How many parts of the database differ from `model`, as the panel's goal says.
fn goal_differs(engine: &mut Workspace, lesson: &Lesson, model: &str) -> usize {
    match engine
        .handle(Request::LessonGoal {
            lesson: lesson.slug.clone(),
            model: model.into(),
            browse: None,
        })
        .outcome
    {
        Ok(Outcome::LessonGoal {
            differs,
            error: None,
            ..
        }) => differs,
        other => panic!("{}: {other:?}", lesson.slug),
    }
}

/// A goal is what the lesson ends with: it differs from the database at the start of its
/// stage and matches it once "show me" has done the stage.
#[test]
fn every_goal_differs_before_its_stage_and_is_reached_by_show_me() {
    let mut goals = 0;
    for lesson in all() {
        let mut engine = fresh();
        steps(&mut engine, &lesson.setup);
        for stage in lesson.stages() {
            check(&mut engine, &lesson);
            if let Some(goal) = stage.goal {
                goals += 1;
                assert!(
                    goal_differs(&mut engine, &lesson, goal) > 0,
                    "{}",
                    lesson.slug
                );
            }
            steps(&mut engine, stage.show_me);
            check(&mut engine, &lesson);
            if let Some(goal) = stage.goal {
                assert_eq!(
                    goal_differs(&mut engine, &lesson, goal),
                    0,
                    "{}",
                    lesson.slug
                );
            }
        }
    }
    assert!(goals >= 5, "lessons 1, 3 and 6 and each stage of 5 draw a goal");
}

#[test]
fn lesson_7_needs_the_failure_to_have_happened() {
    let lesson = lesson("transactions");
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    // The fix first: the upgrade never fails, so the lesson's point was never seen.
    steps(
        &mut engine,
        &[
            sql("DELETE FROM accounts WHERE id = 4;"),
            Step::Upgrade("head".into()),
        ],
    );
    assert_eq!(
        failing(&mut engine, &lesson),
        ["you saw the upgrade fail on the duplicate email"]
    );
    // Deleting the wrong duplicate (the pro account) is refused too.
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    steps(
        &mut engine,
        &[
            Step::Try(Box::new(Step::Upgrade("head".into()))),
            sql("DELETE FROM accounts WHERE id = 1;"),
            Step::Upgrade("head".into()),
        ],
    );
    assert_eq!(
        failing(&mut engine, &lesson),
        ["only the duplicate is gone: the other three accounts are untouched"]
    );
    // Or the column and the index made in the console after the failure.
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    steps(
        &mut engine,
        &[
            Step::Try(Box::new(Step::Upgrade("head".into()))),
            sql("DELETE FROM accounts WHERE id = 4; ALTER TABLE accounts ADD COLUMN referral_code TEXT; CREATE UNIQUE INDEX accounts_email ON accounts (email);"),
        ],
    );
    assert!(!complete(&mut engine, &lesson));
}

#[test]
fn lesson_10_wants_the_merge_applied_not_columns_from_the_console() {
    let lesson = lesson("two-heads");
    // The merge saved but not applied.
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    steps(&mut engine, &lesson.show_me[..1]);
    assert!(passes(&mut engine, &lesson, "one merge revision"));
    assert!(!complete(&mut engine, &lesson));
    // One branch upgraded, the other column added by hand: no merge, and drift.
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    let alice = engine
        .snapshot(None)
        .unwrap()
        .revisions
        .iter()
        .find(|r| r.message == "alice: add phone")
        .unwrap()
        .id
        .clone();
    steps(
        &mut engine,
        &[
            Step::Upgrade(alice),
            sql("ALTER TABLE users ADD COLUMN nickname TEXT;"),
        ],
    );
    assert!(passes(&mut engine, &lesson, "users has exactly"));
    let failing = failing(&mut engine, &lesson);
    assert_eq!(failing.len(), 3, "{failing:?}");
}

#[test]
fn lesson_11_refuses_the_restore_and_a_console_drop() {
    let lesson = lesson("rollback-strategies");
    // The restore loses Zoe.
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    steps(&mut engine, &tool(&lesson, "Restore"));
    assert_eq!(
        failing(&mut engine, &lesson),
        ["Zoe, Ada and Grace are all still users, and nobody else"]
    );
    // Dropping the column in the console leaves 002 recorded as applied.
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    steps(&mut engine, &[sql("ALTER TABLE users DROP COLUMN phone;")]);
    let failing = failing(&mut engine, &lesson);
    assert!(
        failing.iter().any(|f| f.starts_with("002 is not applied"))
            && failing
                .iter()
                .any(|f| f.starts_with("the schema is exactly")),
        "{failing:?}"
    );
    // The rollback script and the downgrade both keep everyone.
    for way in [tool(&lesson, "Run 002"), lesson.show_me.clone()] {
        let mut engine = fresh();
        steps(&mut engine, &lesson.setup);
        steps(&mut engine, &way);
        assert!(complete(&mut engine, &lesson));
    }
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
    assert!(passes(&mut engine, &lesson, "users has a nullable phone"));
    assert!(!passes(
        &mut engine,
        &lesson,
        "an applied revision's SQL adds"
    ));
    assert!(!passes(&mut engine, &lesson, "nothing was changed outside"));
    // A phone column of the wrong type, through a revision.
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    steps(
        &mut engine,
        &migrate(
            "CREATE TABLE users (\n    id INTEGER PRIMARY KEY,\n    email TEXT NOT NULL,\n    phone INTEGER\n);\n",
            "add phone",
        ),
    );
    assert!(!passes(&mut engine, &lesson, "users has a nullable phone"));
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
