//! The production runbook lesson, stage by stage: done by backing up, rehearsing, stopping
//! the app for the breaking rename, applying, starting v2, and restoring the backup with the
//! app stopped; refused when the upgrade runs before the rehearsal or under the running app,
//! when the rename is typed in the console, when a downgrade stands in for the restore, and
//! when the restore runs under app v2.

use super::*;

fn set_up() -> (Workspace, Lesson) {
    let lesson = lesson("production-runbook");
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    (engine, lesson)
}

/// One request of the simulated app, as its timer sends it; the error it met, if any.
fn app_request(engine: &mut Workspace, lesson: &Lesson) -> Option<String> {
    let app = lesson.app.clone().unwrap();
    let reply = engine.handle(Request::AppWrite {
        deployed: app.deployed,
        writes: app.writes,
        browse: None,
        run: 1,
    });
    match reply.outcome {
        Ok(Outcome::AppWrote { error, .. }) => error,
        other => panic!("{other:?}"),
    }
}

fn stage_steps(lesson: &Lesson, stage: usize) -> Vec<Step> {
    lesson.stages()[stage].show_me.to_vec()
}

/// Does stage `stage` as "show me" does, then checks, as the panel does after every reply;
/// the check is what keeps a passed stage passed.
fn do_stage(engine: &mut Workspace, lesson: &Lesson, stage: usize) {
    steps(engine, &stage_steps(lesson, stage));
    assert_eq!(
        reached(engine, lesson),
        stage + 1,
        "{:?}",
        failing(engine, lesson)
    );
}

/// The stage the lesson is at now (0 for the first).
fn reached(engine: &mut Workspace, lesson: &Lesson) -> usize {
    lesson.stage_reached(&check(engine, lesson))
}

#[test]
fn the_runbook_is_done_stage_by_stage_with_the_app_never_failing() {
    let (mut engine, lesson) = set_up();
    assert_eq!(
        app_request(&mut engine, &lesson),
        None,
        "v1 runs at the start"
    );
    let notes = steps(&mut engine, &stage_steps(&lesson, 0));
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("rename users.email to email_address (")
                && n.contains(": breaking, upgrade took ")),
        "{notes:?}"
    );
    assert_eq!(reached(&mut engine, &lesson), 1);
    // The app goes on between the stages, as its timer would.
    assert_eq!(app_request(&mut engine, &lesson), None);
    steps(&mut engine, &stage_steps(&lesson, 1));
    assert_eq!(
        app_request(&mut engine, &lesson),
        None,
        "v2 runs on the new schema"
    );
    assert_eq!(
        reached(&mut engine, &lesson),
        2,
        "{:?}",
        failing(&mut engine, &lesson)
    );
    steps(&mut engine, &stage_steps(&lesson, 2));
    assert_eq!(
        app_request(&mut engine, &lesson),
        None,
        "v1 runs on the restored schema"
    );
    assert!(
        complete(&mut engine, &lesson),
        "{:?}",
        failing(&mut engine, &lesson)
    );
}

#[test]
fn a_stopped_app_sends_nothing_and_fails_nothing() {
    let (mut engine, lesson) = set_up();
    let before = users(&mut engine);
    let notes = steps(&mut engine, &[Step::Deploy(0)]);
    assert_eq!(notes, ["the app is stopped: it sends no requests"]);
    assert_eq!(app_request(&mut engine, &lesson), None);
    assert_eq!(users(&mut engine), before, "a stopped app signs nobody up");
    steps(&mut engine, &[Step::Deploy(1)]);
    assert_eq!(app_request(&mut engine, &lesson), None);
    assert_eq!(users(&mut engine), before + 1);
}

fn users(engine: &mut Workspace) -> i64 {
    let reply = engine.handle(Request::Execute {
        sql: "SELECT count(*) FROM users".into(),
        browse: None,
    });
    match reply.outcome {
        Ok(Outcome::Rows(grid)) => match &grid.rows[0][0] {
            crate::services::protocol::Cell::Integer(n) => *n,
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_runbook_refuses_an_upgrade_before_the_rehearsal() {
    let (mut engine, lesson) = set_up();
    steps(
        &mut engine,
        &[
            Step::Backup {
                label: "taken by hand".into(),
            },
            Step::Deploy(0),
            Step::Upgrade("head".into()),
            Step::Rehearse("head".into()),
        ],
    );
    assert_eq!(reached(&mut engine, &lesson), 0);
    assert_eq!(
        failing(&mut engine, &lesson)
            .into_iter()
            .filter(|w| !w.starts_with("you took a backup"))
            .take(3)
            .collect::<Vec<_>>(),
        [
            "you rehearsed the rename on a copy",
            "the rehearsal said breaking",
            "the live database is untouched: only create users applied, users still has email"
        ]
    );
}

#[test]
fn the_runbook_refuses_a_rehearsal_without_a_backup() {
    let (mut engine, lesson) = set_up();
    steps(&mut engine, &[Step::Rehearse("head".into())]);
    assert_eq!(reached(&mut engine, &lesson), 0);
    assert_eq!(failing(&mut engine, &lesson)[0], "you took a backup");
}

#[test]
fn the_runbook_refuses_the_breaking_upgrade_under_the_running_app() {
    let (mut engine, lesson) = set_up();
    do_stage(&mut engine, &lesson, 0);
    // Upgrade with v1 still running: its next request meets no `email` column.
    steps(&mut engine, &[Step::Upgrade("head".into())]);
    let error = app_request(&mut engine, &lesson).expect("v1 fails after the rename");
    assert!(error.contains("no such column: email"), "{error}");
    steps(
        &mut engine,
        &[
            Step::Deploy(2),
            Step::AppWrite {
                deployed: lesson.app.clone().unwrap().deployed,
                writes: lesson.app.clone().unwrap().writes,
            },
        ],
    );
    assert_eq!(reached(&mut engine, &lesson), 1);
    // Of stage 2's checks only that one fails; stage 3's (from "you restored") follow.
    assert_eq!(
        failing(&mut engine, &lesson)[..2],
        ["the app never failed a request", "you restored a backup"]
    );
}

#[test]
fn the_runbook_refuses_the_rename_typed_in_the_console() {
    let (mut engine, lesson) = set_up();
    do_stage(&mut engine, &lesson, 0);
    steps(
        &mut engine,
        &[
            Step::Deploy(0),
            sql("ALTER TABLE users RENAME COLUMN email TO email_address;"),
            Step::Deploy(2),
        ],
    );
    assert_eq!(app_request(&mut engine, &lesson), None);
    let wrong = failing(&mut engine, &lesson);
    assert!(
        wrong
            .iter()
            .any(|w| w.starts_with("an applied revision renames"))
            && wrong.iter().any(|w| w.starts_with("current is the rename"))
            && wrong
                .iter()
                .any(|w| w.starts_with("the revision made the change")),
        "{wrong:?}"
    );
}

#[test]
fn the_runbook_refuses_a_downgrade_in_place_of_the_restore() {
    let (mut engine, lesson) = set_up();
    do_stage(&mut engine, &lesson, 0);
    do_stage(&mut engine, &lesson, 1);
    steps(
        &mut engine,
        &[
            Step::Deploy(0),
            Step::Downgrade("-1".into()),
            Step::Deploy(1),
        ],
    );
    assert_eq!(app_request(&mut engine, &lesson), None);
    assert_eq!(
        failing(&mut engine, &lesson),
        [
            "you restored a backup",
            "the 5,000 users are there, and v2's signups went with everything written after the backup"
        ]
    );
}

#[test]
fn the_runbook_refuses_a_restore_under_the_running_v2() {
    let (mut engine, lesson) = set_up();
    do_stage(&mut engine, &lesson, 0);
    do_stage(&mut engine, &lesson, 1);
    // v2 stays deployed through the restore: the restore does not redeploy the app.
    steps(
        &mut engine,
        &[Step::Restore {
            label: "taken by hand".into(),
        }],
    );
    let error = app_request(&mut engine, &lesson).expect("v2 fails on the restored schema");
    assert!(error.contains("email_address"), "{error}");
    steps(&mut engine, &[Step::Deploy(1)]);
    assert_eq!(app_request(&mut engine, &lesson), None);
    assert_eq!(
        reached(&mut engine, &lesson),
        2,
        "the stages before stay passed"
    );
    assert_eq!(
        failing(&mut engine, &lesson),
        ["the app never failed a request"]
    );
}
