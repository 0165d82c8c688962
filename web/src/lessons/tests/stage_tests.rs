//! Staged lessons and goals: a stage is reached only through the stages before it, the rename
//! lesson is done by the rename and then its rollback in that order, and every goal differs
//! before its stage and is reached by show me.

use super::*;

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
    assert!(
        goals >= 5,
        "lessons 1, 3 and 6 and each stage of 5 draw a goal"
    );
}
