//! Each lesson's wrong ways, refused: the same end state reached in the console, by a drop and
//! an add instead of a rename, with the wrong type, name or index, without the failure or the
//! deploy the lesson is about.

use super::*;

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
