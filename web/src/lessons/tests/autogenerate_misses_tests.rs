//! The lesson on what autogenerate misses: done by discarding the teammate's revision, putting
//! the unimported table back in the model and applying a revision that makes both changes;
//! refused when the teammate's revision is applied, when a new revision is stacked on top of
//! it, when the default is left out (as Alembic would leave it), and when the console does it.

use super::*;

const TEAMMATE: &str = "plan defaults to free, invoice amounts are integers";

/// The model as it should be: both changes, and `audit_log` back in it.
const FIXED: &str = "CREATE TABLE users (\n    id INTEGER PRIMARY KEY,\n    email TEXT NOT NULL,\n    plan TEXT NOT NULL DEFAULT 'free'\n);\nCREATE TABLE invoices (\n    id INTEGER PRIMARY KEY,\n    user_id INTEGER NOT NULL REFERENCES users (id),\n    amount INTEGER NOT NULL\n);\nCREATE TABLE audit_log (\n    id INTEGER PRIMARY KEY,\n    event TEXT NOT NULL\n);\n";

fn set_up() -> (Workspace, Lesson) {
    let lesson = lesson("autogenerate-misses");
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    (engine, lesson)
}

fn discard() -> Step {
    Step::Discard(TEAMMATE.into())
}

#[test]
fn the_review_lesson_is_done_by_discarding_the_draft_and_applying_both_changes() {
    let (mut engine, lesson) = set_up();
    let mut all = vec![discard()];
    all.extend(migrate(FIXED, "plan defaults to free; amount as INTEGER"));
    let notes = steps(&mut engine, &all);
    assert!(
        notes[0].starts_with("discarded revision 3f9a2c71d8e4"),
        "{notes:?}"
    );
    assert!(
        complete(&mut engine, &lesson),
        "{:?}",
        failing(&mut engine, &lesson)
    );
}

#[test]
fn the_review_lesson_refuses_the_teammates_revision_applied_as_it_is() {
    let (mut engine, lesson) = set_up();
    steps(&mut engine, &[Step::Upgrade("head".into())]);
    let wrong = failing(&mut engine, &lesson);
    for what in [
        "the teammate's revision is not applied",
        "no applied revision drops audit_log",
        "an applied revision rebuilds users",
        "an applied revision rebuilds invoices",
        "audit_log is still there",
    ] {
        assert!(
            wrong.iter().any(|w| w.starts_with(what)),
            "{what}: {wrong:?}"
        );
    }
}

#[test]
fn the_review_lesson_refuses_a_fix_stacked_on_the_teammates_revision() {
    // Not discarded: strata's autogenerate, comparing with the head revision's schema, sees
    // the default, the type and audit_log missing, and creates audit_log again: empty.
    let (mut engine, lesson) = set_up();
    steps(&mut engine, &migrate(FIXED, "fix the teammate's revision"));
    assert!(passes(
        &mut engine,
        &lesson,
        "an applied revision rebuilds users"
    ));
    assert!(passes(&mut engine, &lesson, "users.plan is TEXT NOT NULL"));
    let wrong = failing(&mut engine, &lesson);
    assert_eq!(
        wrong,
        [
            "the teammate's revision is not applied",
            "no applied revision drops audit_log",
            "audit_log is still there with its three rows"
        ]
    );
}

#[test]
fn the_review_lesson_refuses_the_type_change_without_the_default() {
    // What Alembic writes with its defaults: the type change, no server default.
    let (mut engine, lesson) = set_up();
    let no_default = FIXED.replace(" DEFAULT 'free'", "");
    let mut all = vec![discard()];
    all.extend(migrate(&no_default, "amount as INTEGER"));
    steps(&mut engine, &all);
    assert_eq!(
        failing(&mut engine, &lesson),
        [
            "an applied revision rebuilds users with plan's default 'free'",
            "users.plan is TEXT NOT NULL DEFAULT 'free', invoices.amount is INTEGER NOT NULL"
        ]
    );
    // And the default alone, with the type left as text.
    let (mut engine, lesson) = set_up();
    let no_type = FIXED.replace("amount INTEGER", "amount TEXT");
    let mut all = vec![discard()];
    all.extend(migrate(&no_type, "plan defaults to free"));
    steps(&mut engine, &all);
    let wrong = failing(&mut engine, &lesson);
    assert!(
        wrong
            .iter()
            .any(|w| w.starts_with("an applied revision rebuilds invoices"))
            && wrong
                .iter()
                .any(|w| w.starts_with("both users and all three invoices")),
        "{wrong:?}"
    );
}

#[test]
fn the_review_lesson_refuses_the_change_made_in_the_console() {
    let (mut engine, lesson) = set_up();
    steps(
        &mut engine,
        &[
            discard(),
            sql("CREATE TABLE \"_strata_new_invoices\" (\"id\" INTEGER PRIMARY KEY, \"user_id\" INTEGER NOT NULL REFERENCES users (id), \"amount\" INTEGER NOT NULL);\nINSERT INTO \"_strata_new_invoices\" SELECT id, user_id, amount FROM invoices;\nDROP TABLE invoices;\nALTER TABLE \"_strata_new_invoices\" RENAME TO invoices;"),
        ],
    );
    let wrong = failing(&mut engine, &lesson);
    assert!(
        wrong
            .iter()
            .any(|w| w.starts_with("an applied revision rebuilds invoices"))
            && wrong
                .iter()
                .any(|w| w.starts_with("the revision made it all")),
        "{wrong:?}"
    );
}

#[test]
fn the_teammates_revision_is_what_alembic_autogenerate_writes_with_those_settings() {
    // The lesson's claim, held against its own setup: the revision drops audit_log and
    // neither rebuilds users for the default nor invoices for the type.
    let lesson = lesson("autogenerate-misses");
    let Some(Step::Revision { up, .. }) = lesson
        .setup
        .iter()
        .find(|s| matches!(s, Step::Revision { .. }))
    else {
        panic!("the lesson has the teammate's revision")
    };
    assert_eq!(up.trim(), "DROP TABLE audit_log;");
}
