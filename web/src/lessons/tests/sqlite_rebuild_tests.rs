//! The table-rebuild lesson: done by a revision that rebuilds `users` with every row kept and
//! each age converted; refused when the rebuild is done in the console, when only one of the
//! two changes is made, and when a row is lost on the way.

use super::*;

const START: &str =
    "CREATE TABLE users (\n    id INTEGER PRIMARY KEY,\n    email TEXT,\n    age TEXT\n);\n";
const GOAL: &str =
    "CREATE TABLE users (\n    id INTEGER PRIMARY KEY,\n    email TEXT NOT NULL,\n    age INTEGER\n);\n";

fn set_up() -> (Workspace, Lesson) {
    let lesson = lesson("sqlite-rebuild");
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    (engine, lesson)
}

#[test]
fn lesson_13_is_done_by_a_revision_that_rebuilds_users_and_keeps_every_row() {
    let (mut engine, lesson) = set_up();
    assert_eq!(
        failing(&mut engine, &lesson).len(),
        3,
        "only no_drift holds at the start"
    );
    steps(
        &mut engine,
        &migrate(GOAL, "users: email required, age a number"),
    );
    assert!(
        complete(&mut engine, &lesson),
        "{:?}",
        failing(&mut engine, &lesson)
    );
}

#[test]
fn lesson_13_refuses_the_rebuild_done_in_the_console() {
    let (mut engine, lesson) = set_up();
    steps(
        &mut engine,
        &[sql("CREATE TABLE \"_strata_new_users\" (\"id\" INTEGER PRIMARY KEY, \"email\" TEXT NOT NULL, \"age\" INTEGER);\nINSERT INTO \"_strata_new_users\" SELECT id, email, age FROM users;\nDROP TABLE users;\nALTER TABLE \"_strata_new_users\" RENAME TO users;")],
    );
    assert!(passes(
        &mut engine,
        &lesson,
        "users is id, email TEXT NOT NULL"
    ));
    assert!(passes(&mut engine, &lesson, "all three users kept"));
    let wrong = failing(&mut engine, &lesson);
    assert!(
        wrong
            .iter()
            .any(|w| w.starts_with("an applied revision rebuilds"))
            && wrong.iter().any(|w| w.starts_with("the schema is exactly")),
        "{wrong:?}"
    );
}

#[test]
fn lesson_13_refuses_half_the_change_and_a_lost_row() {
    // NOT NULL only: age stays text.
    let (mut engine, lesson) = set_up();
    let half = START.replace("email TEXT,", "email TEXT NOT NULL,");
    steps(&mut engine, &migrate(&half, "email required"));
    let wrong = failing(&mut engine, &lesson);
    assert!(
        wrong.iter().any(|w| w.starts_with("users is id"))
            && wrong.iter().any(|w| w.starts_with("all three users kept")),
        "{wrong:?}"
    );
    // The type only: email may still be NULL.
    let (mut engine, lesson) = set_up();
    steps(
        &mut engine,
        &migrate(&START.replace("age TEXT", "age INTEGER"), "age a number"),
    );
    assert!(!passes(
        &mut engine,
        &lesson,
        "users is id, email TEXT NOT NULL"
    ));
    assert!(!complete(&mut engine, &lesson));
    // The whole change, but a user deleted in the console on the way.
    let (mut engine, lesson) = set_up();
    steps(&mut engine, &[sql("DELETE FROM users WHERE id = 2;")]);
    steps(
        &mut engine,
        &migrate(GOAL, "users: email required, age a number"),
    );
    assert_eq!(
        failing(&mut engine, &lesson),
        ["all three users kept, each age now stored as a number"]
    );
}
