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

/// Lesson 3's classes up to `Order.total_cents`, as the SQLModel tab holds them.
const ORDERS_HEAD: &str = "from sqlmodel import Field, SQLModel\nfrom sqlalchemy import Index\n\n\nclass Customer(SQLModel, table=True):\n    __tablename__ = \"customers\"\n    id: int | None = Field(default=None, primary_key=True)\n    email: str = Field(unique=True)\n\n\nclass Coupon(SQLModel, table=True):\n    __tablename__ = \"coupons\"\n    code: str = Field(primary_key=True)\n    percent_off: int\n\n\nclass Order(SQLModel, table=True):\n    __tablename__ = \"orders\"\n";

/// `Order`'s fields, `status` as given (and whatever `extra` adds), after its table arguments.
fn orders_py(table_args: &str, status: &str, extra: &str) -> String {
    format!(
        "{ORDERS_HEAD}{table_args}    id: int | None = Field(default=None, primary_key=True)\n    customer_id: int = Field(foreign_key=\"customers.id\")\n    total_cents: int\n    status: {status}\n{extra}"
    )
}

const RIGHT_STATUS: &str =
    "str = Field(default=\"new\", index=True, sa_column_kwargs={\"server_default\": \"new\"})";

/// Lesson 3 after `model` was saved as `message` and applied, and then `console` ran.
fn lesson_3_with(model: &str, message: &str, console: &str) -> (Workspace, Lesson) {
    let lesson = lesson("autogenerate");
    let mut engine = fresh();
    steps(&mut engine, &lesson.setup);
    steps(&mut engine, &migrate_py(model, message));
    if !console.is_empty() {
        steps(&mut engine, &[sql(console)]);
    }
    (engine, lesson)
}

#[test]
fn lesson_3_refuses_each_wrong_way() {
    let right = orders_py("", RIGHT_STATUS, "");
    let (mut engine, done) = lesson_3_with(&right, "add status to orders", "");
    assert!(
        complete(&mut engine, &done),
        "{:?}",
        failing(&mut engine, &done)
    );
    let unindexed = "str = Field(default=\"new\", sa_column_kwargs={\"server_default\": \"new\"})";
    let wrong = [
        (
            "the wrong type",
            orders_py("", "int = Field(default=\"new\", index=True, sa_column_kwargs={\"server_default\": \"new\"})", ""),
            "",
            "orders.status is a str",
        ),
        (
            "nullable",
            orders_py("", "str | None = Field(default=\"new\", index=True, sa_column_kwargs={\"server_default\": \"new\"})", ""),
            "",
            "orders.status is a str",
        ),
        (
            "another default",
            orders_py("", "str = Field(default=\"new\", index=True, sa_column_kwargs={\"server_default\": \"open\"})", ""),
            "",
            "orders.status is a str",
        ),
        (
            "an extra column",
            orders_py("", RIGHT_STATUS, "    note: str | None = None\n"),
            "",
            "orders has no other new column",
        ),
        (
            "an index with another name",
            orders_py("    __table_args__ = (Index(\"idx_orders_status\", \"status\"),)\n", unindexed, ""),
            "",
            "one index on orders",
        ),
        (
            "an index on more than status",
            orders_py("    __table_args__ = (Index(\"ix_orders_status\", \"status\", \"total_cents\"),)\n", unindexed, ""),
            "",
            "one index on orders",
        ),
        (
            "a unique index",
            orders_py("    __table_args__ = (Index(\"ix_orders_status\", \"id\", \"status\", unique=True),)\n", unindexed, ""),
            "",
            "one index on orders",
        ),
        (
            "no index",
            orders_py("", unindexed, ""),
            "",
            "one index on orders",
        ),
        (
            "the index made in the console",
            orders_py("", unindexed, ""),
            "CREATE INDEX ix_orders_status ON orders (status);",
            "the revision made it all",
        ),
    ];
    for (how, model, console, refused_by) in wrong {
        let (mut engine, wrong) = lesson_3_with(&model, "add status to orders", console);
        let failing = failing(&mut engine, &wrong);
        assert!(
            failing.iter().any(|f| f.starts_with(refused_by)),
            "{how}: {failing:?}"
        );
    }
    // Forgetting the Coupon class drops coupons with its rows, even when the rest is right.
    let without_coupons = right.replace(
        "class Coupon(SQLModel, table=True):\n    __tablename__ = \"coupons\"\n    code: str = Field(primary_key=True)\n    percent_off: int\n\n\n",
        "",
    );
    assert_ne!(without_coupons, right);
    let (mut engine, lesson) = lesson_3_with(&without_coupons, "add status to orders", "");
    assert!(!passes(&mut engine, &lesson, "coupons is still there"));
}

/// The guide's bad messages ("Update schema", "Fix bug") and their kin do not complete lesson
/// 3, however right the change; a message that names the change does.
#[test]
fn lesson_3_refuses_a_message_that_says_nothing() {
    let right = orders_py("", RIGHT_STATUS, "");
    for vague in [
        "update",
        "changes",
        "Update schema",
        "Fix bug",
        "wip",
        "schema changes",
    ] {
        let (mut engine, lesson) = lesson_3_with(&right, vague, "");
        assert_eq!(
            failing(&mut engine, &lesson),
            ["its message says what it does (not \"update\", \"changes\" or \"fix\")"],
            "{vague}"
        );
    }
    let (mut engine, lesson) = lesson_3_with(&right, "orders: add status with an index", "");
    assert!(
        complete(&mut engine, &lesson),
        "{:?}",
        failing(&mut engine, &lesson)
    );
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
    let nullable =
        users_py("email_address").replace("email_address: str", "email_address: str | None = None");
    steps(&mut engine, &migrate_py(&nullable, "rename email"));
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
    steps(&mut engine, &migrate_py(&nullable, "rename email"));
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
    let unrelated = format!(
        "{}\n\nclass Note(SQLModel, table=True):\n    __tablename__ = \"notes\"\n    id: int | None = Field(default=None, primary_key=True)\n",
        users_py("email")
    );
    steps(&mut engine, &migrate_py(&unrelated, "add notes"));
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
