//! The migrate.sh lesson: the simulated script re-runs every file and its rollback file drops
//! `phone`, and the second stage counts only a revision whose rollback was tested after the
//! script ran, never the same state made in the console.

use super::*;

const SCRIPT: &str = "./migrate.sh";

/// The lesson set up, then the script run once, as the learner does it in stage 1.
fn after_the_script(lesson: &Lesson) -> (Workspace, Vec<String>) {
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    let notes = steps(&mut engine, &tool(lesson, SCRIPT));
    (engine, notes)
}

/// The model of the second stage: the two columns back in `usertable`.
fn with_phone(lesson: &Lesson) -> String {
    lesson.stages()[1].goal.unwrap().replace(
        "CREATE TABLE script_version (\n    version VARCHAR(50) PRIMARY KEY,\n    applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,\n    description TEXT\n);\n",
        "",
    )
}

#[test]
fn lesson_12_the_script_reruns_every_file_and_its_rollback_file_drops_phone() {
    let lesson = lesson("migrate-script");
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    assert!(!passes(
        &mut engine,
        &lesson,
        "then it ran the rollback file"
    ));
    let notes = steps(&mut engine, &tool(&lesson, SCRIPT));
    // The script's question is asked for each file and answered 0 every time.
    assert_eq!(
        notes.iter().filter(|n| *n == "applied = 0").count(),
        3,
        "{notes:?}"
    );
    assert_eq!(notes[0], "current_version = 1.1.0");
    let errors: Vec<&String> = notes
        .iter()
        .filter(|n| n.starts_with("psql: ERROR"))
        .collect();
    assert_eq!(errors.len(), 2, "{notes:?}");
    assert!(errors[0].contains("table usertable already exists"));
    assert!(errors[1].contains("duplicate column name: phone"));
    // And yet it says every file was applied.
    for file in [
        "001_initial_schema.sql",
        "002_add_user_phone.sql",
        "002_add_user_phone_rollback.sql",
    ] {
        assert!(
            notes.contains(&format!("✓ Applied {file}")),
            "{file}: {notes:?}"
        );
    }
    assert_eq!(notes.last().unwrap(), "All migrations applied successfully");
    let passed = check(&mut engine, &lesson);
    assert_eq!(
        lesson.stage_reached(&passed),
        1,
        "{:?}",
        failing(&mut engine, &lesson)
    );
}

#[test]
fn lesson_12_refuses_phone_dropped_in_the_console() {
    let lesson = lesson("migrate-script");
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    steps(
        &mut engine,
        &[sql("ALTER TABLE usertable DROP COLUMN phone;\nALTER TABLE usertable DROP COLUMN address;\nDELETE FROM script_version WHERE version = '1.1.0';")],
    );
    assert!(passes(
        &mut engine,
        &lesson,
        "then it ran the rollback file"
    ));
    assert_eq!(lesson.stage_reached(&check(&mut engine, &lesson)), 0);
    assert!(!passes(&mut engine, &lesson, "the script ran 001 again"));
}

#[test]
fn lesson_12_is_done_by_a_revision_whose_rollback_was_tested() {
    let lesson = lesson("migrate-script");
    let (mut engine, _) = after_the_script(&lesson);
    check(&mut engine, &lesson);
    steps(
        &mut engine,
        &migrate(&with_phone(&lesson), "Add phone and address to users"),
    );
    assert_eq!(
        failing(&mut engine, &lesson),
        ["you tested its rollback with a downgrade"]
    );
    steps(&mut engine, &[Step::Downgrade("-1".into())]);
    assert!(
        !complete(&mut engine, &lesson),
        "rolled back, not applied again"
    );
    steps(&mut engine, &[Step::Upgrade("head".into())]);
    assert!(complete(&mut engine, &lesson));
}

#[test]
fn lesson_12_refuses_columns_put_back_in_the_console_and_a_test_before_the_script() {
    let lesson = lesson("migrate-script");
    // The columns put back by hand: no revision adds them.
    let (mut engine, _) = after_the_script(&lesson);
    check(&mut engine, &lesson);
    steps(
        &mut engine,
        &[sql("ALTER TABLE usertable ADD COLUMN phone VARCHAR(20);\nALTER TABLE usertable ADD COLUMN address VARCHAR(500);")],
    );
    let wrong = failing(&mut engine, &lesson);
    assert!(
        wrong
            .iter()
            .any(|w| w.starts_with("an applied revision adds")),
        "{wrong:?}"
    );
    assert!(!complete(&mut engine, &lesson));

    // The revision made, rolled back and applied again before the checks ever saw the
    // script's damage: that downgrade belongs to no stage 2, and does not count.
    let (mut engine, _) = after_the_script(&lesson);
    steps(
        &mut engine,
        &migrate(&with_phone(&lesson), "Add phone and address to users"),
    );
    steps(
        &mut engine,
        &[Step::Downgrade("-1".into()), Step::Upgrade("head".into())],
    );
    assert!(!complete(&mut engine, &lesson));

    // A revision that adds the columns with other types is not the change 002 made.
    let (mut engine, _) = after_the_script(&lesson);
    check(&mut engine, &lesson);
    let model = with_phone(&lesson).replace("phone VARCHAR(20)", "phone TEXT");
    steps(
        &mut engine,
        &migrate(&model, "Add phone and address to users"),
    );
    steps(
        &mut engine,
        &[Step::Downgrade("-1".into()), Step::Upgrade("head".into())],
    );
    assert_eq!(
        failing(&mut engine, &lesson),
        ["an applied revision adds phone VARCHAR(20) and address VARCHAR(500)"]
    );
}
