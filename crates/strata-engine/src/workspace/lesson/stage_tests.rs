//! The lesson runner's staged lessons: the rename lesson's two stages, each shown to pass only
//! in order (a rollback done before the rename, one faked in the console, one that loses the
//! values: none passes the second stage), stages kept per lesson, and downgrades journalled.

use super::*;

/// The rename lesson's two stages, as lesson 5 spells them: renamed through a revision with
/// every value kept, then rolled back with a downgrade, the values still there.
fn staged() -> Vec<Condition> {
    let sql = |text: &str| Condition::Sql(text.into());
    vec![
        sql("SELECT (SELECT count(*) FROM pragma_table_info('users') WHERE name = 'email_address') = 1 \
             AND (SELECT count(*) FROM pragma_table_info('users') WHERE name = 'email') = 0"),
        sql("SELECT count(*) = 2 FROM users WHERE (id, email_address) IN (VALUES (1, 'a@x'), (2, 'b@x'))"),
        renamed_through_a_revision(),
        Condition::NoDrift { except: vec![] },
        Condition::Stage {},
        sql("SELECT (SELECT count(*) FROM pragma_table_info('users') WHERE name = 'email') = 1 \
             AND (SELECT count(*) FROM pragma_table_info('users') WHERE name = 'email_address') = 0"),
        sql("SELECT count(*) = 2 FROM users WHERE (id, email) IN (VALUES (1, 'a@x'), (2, 'b@x'))"),
        Condition::Applied {
            contains: vec![],
            lacks: vec!["RENAME COLUMN email TO email_address".into()],
        },
        Condition::NoDrift { except: vec![] },
        happened(Event::Downgraded, None),
    ]
}

/// Where the second stage begins in [`staged`].
const STAGE_2: usize = 4;

fn check_as(engine: &mut Workspace, lesson: &str, conditions: Vec<Condition>) -> Vec<bool> {
    match engine
        .handle(Request::Check {
            lesson: lesson.into(),
            checks: conditions,
            browse: None,
        })
        .outcome
    {
        Ok(Outcome::Checked { passed, .. }) => passed,
        other => panic!("{other:?}"),
    }
}

fn check_stages(engine: &mut Workspace) -> Vec<bool> {
    check_as(engine, "rename", staged())
}

fn downgrade_one(engine: &mut Workspace) {
    let reply = engine.handle(Request::Downgrade {
        target: "-1".into(),
        browse: None,
        confirmed: true,
    });
    assert!(
        matches!(reply.outcome, Ok(Outcome::Migrated { up: false, .. })),
        "{:?}",
        reply.outcome
    );
}

pub(super) fn upgrade_head(engine: &mut Workspace) {
    steps(engine, vec![Step::Upgrade("head".into())]);
}

#[test]
fn stages_pass_in_order_and_a_passed_stage_stays_passed_when_the_next_undoes_its_state() {
    let mut engine = lesson();
    let passed = check_stages(&mut engine);
    assert!(!passed[..STAGE_2].iter().all(|p| *p));
    assert!(
        passed[STAGE_2..].iter().all(|p| !p),
        "stage 2 is not evaluated before stage 1 passed, though its state is the start's"
    );
    // Saved, not applied: still stage 1.
    steps(&mut engine, save("rename", RENAMED, vec![rename()]));
    assert!(!check_stages(&mut engine)[STAGE_2]);
    upgrade_head(&mut engine);
    let passed = check_stages(&mut engine);
    assert!(passed[..=STAGE_2].iter().all(|p| *p), "{passed:?}");
    assert!(!passed[STAGE_2 + 1..].iter().all(|p| *p));
    // The rollback undoes stage 1's state; stage 1 stays passed and stage 2 passes.
    downgrade_one(&mut engine);
    let passed = check_stages(&mut engine);
    assert!(passed.iter().all(|p| *p), "{passed:?}");
    // Upgrading again leaves stage 2 behind: it is evaluated as the state is now.
    upgrade_head(&mut engine);
    let passed = check_stages(&mut engine);
    assert!(passed[..=STAGE_2].iter().all(|p| *p));
    assert!(!passed[STAGE_2 + 1..].iter().all(|p| *p));
    // A restart starts a new journal: stage 1 again.
    let mut engine = lesson();
    assert!(!check_stages(&mut engine)[STAGE_2]);
}

#[test]
fn a_second_stage_done_before_the_first_passed_does_not_count() {
    let mut engine = lesson();
    // Renamed and rolled back with no check in between: stage 1 never passed, and the state
    // now is the start's.
    steps(&mut engine, save("rename", RENAMED, vec![rename()]));
    upgrade_head(&mut engine);
    downgrade_one(&mut engine);
    let passed = check_stages(&mut engine);
    assert!(!passed[STAGE_2] && passed[STAGE_2..].iter().all(|p| !p));
    // Stage 1 passes now; the downgrade that came before it is not stage 2's.
    upgrade_head(&mut engine);
    assert!(check_stages(&mut engine)[STAGE_2]);
    // A rollback faked in the console (the version row deleted, the column renamed back)
    // leaves the state stage 2 asks for, but no downgrade happened since stage 1 passed.
    steps(
        &mut engine,
        vec![Step::Sql(
            "DELETE FROM schema_version WHERE version = (SELECT max(version) FROM schema_version \
             WHERE description = 'rename');\n\
             ALTER TABLE users RENAME COLUMN email_address TO email;"
                .into(),
        )],
    );
    let passed = check_stages(&mut engine);
    let last = passed.len() - 1;
    assert!(
        passed[STAGE_2 + 1..last].iter().all(|p| *p),
        "the faked state: {passed:?}"
    );
    assert!(!passed[last], "no downgrade since stage 1 passed");
}

#[test]
fn a_console_rename_does_not_pass_the_first_stage() {
    let mut engine = lesson();
    steps(
        &mut engine,
        vec![Step::Sql(
            "ALTER TABLE users RENAME COLUMN email TO email_address;".into(),
        )],
    );
    let other = format!("{USERS}\nCREATE TABLE notes (id INTEGER PRIMARY KEY);");
    steps(&mut engine, save("add notes", &other, vec![]));
    upgrade_head(&mut engine);
    let passed = check_stages(&mut engine);
    assert!(passed[0] && passed[1], "the columns and rows look right");
    assert!(!passed[2] && !passed[3], "{passed:?}");
    assert!(passed[STAGE_2..].iter().all(|p| !p));
}

#[test]
fn a_downgrade_that_loses_the_values_does_not_pass_the_second_stage() {
    let mut engine = lesson();
    // A hand-written revision that renames on the way up, but whose down rebuilds the table
    // with the old column name and throws the addresses away.
    steps(
        &mut engine,
        vec![
            Step::Revision {
                id: "0002".into(),
                message: "rename email".into(),
                up: "ALTER TABLE users RENAME COLUMN email TO email_address;".into(),
                down: "CREATE TABLE users_old (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n\
                       INSERT INTO users_old (id, email) SELECT id, 'lost' FROM users;\n\
                       DROP TABLE users;\n\
                       ALTER TABLE users_old RENAME TO users;"
                    .into(),
            },
            Step::Upgrade("head".into()),
        ],
    );
    assert!(check_stages(&mut engine)[..=STAGE_2].iter().all(|p| *p));
    downgrade_one(&mut engine);
    let passed = check_stages(&mut engine);
    assert!(passed[STAGE_2 + 1], "the column is back");
    assert!(!passed[STAGE_2 + 2], "the addresses are not: {passed:?}");
    assert!(passed[STAGE_2 + 3] && passed[STAGE_2 + 4] && passed[STAGE_2 + 5]);
}

#[test]
fn a_stage_is_kept_for_its_lesson_and_only_in_a_lesson_journal() {
    let mut engine = lesson();
    steps(&mut engine, save("rename", RENAMED, vec![rename()]));
    upgrade_head(&mut engine);
    assert!(check_stages(&mut engine)[STAGE_2]);
    // Another lesson's checks do not see this lesson's passed stage.
    downgrade_one(&mut engine);
    assert!(!check_as(&mut engine, "other", staged())[STAGE_2]);
    assert!(check_stages(&mut engine).iter().all(|p| *p));
    // A database no lesson set up has no journal to keep a pass in, so stage 2 never starts.
    let mut engine = demo();
    steps(
        &mut engine,
        vec![
            Step::Sql("DROP TABLE IF EXISTS users;".into()),
            Step::Sql(
                "CREATE TABLE users (id INTEGER PRIMARY KEY, email_address TEXT NOT NULL); \
                       INSERT INTO users VALUES (1, 'a@x'), (2, 'b@x');"
                    .into(),
            ),
        ],
    );
    assert!(engine.journal().is_none());
    let passed = check_stages(&mut engine);
    assert!(passed[0] && passed[1]);
    assert!(!passed[STAGE_2]);
    assert!(engine.journal().is_none(), "the check wrote nothing");
}

#[test]
fn a_downgrade_is_recorded_when_it_reverts_something_and_only_then() {
    let mut engine = lesson();
    let downgraded = happened(Event::Downgraded, Some("(create users)"));
    assert!(!holds(&mut engine, downgraded.clone()));
    // A lesson step's downgrade is recorded with what it reverted.
    steps(&mut engine, vec![Step::Downgrade("base".into())]);
    assert!(
        holds(&mut engine, downgraded.clone()),
        "the step's downgrade"
    );
    // At base there is nothing left to revert: not recorded.
    let journal = engine.journal().unwrap();
    steps(&mut engine, vec![Step::Downgrade("base".into())]);
    assert_eq!(
        engine.journal().unwrap(),
        journal,
        "nothing reverted, nothing recorded"
    );
    // The Downgrade button's request is recorded too.
    let mut engine = lesson();
    downgrade_one(&mut engine);
    assert!(holds(&mut engine, downgraded));
}
