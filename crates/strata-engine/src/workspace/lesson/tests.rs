//! The lesson runner's conditions of "done" and its journal, each shown to refuse the wrong
//! way: a rename made in the console, a drop and an add, a fragment that is only a prefix, an
//! upgrade that never failed, a database no lesson set up; goals, and psql steps. The staged
//! lessons' tests are in `stage_tests.rs`, a child module that shares these helpers.

use rusqlite::Connection;

use super::checks::{Entry, JOURNAL_KEY};
use crate::workspace::protocol::{Condition, Event, Outcome, Request, Step, Storage};
use crate::workspace::Workspace;

fn demo() -> Workspace {
    Workspace::open(Connection::open_in_memory().unwrap(), Storage::Opfs).unwrap()
}

/// Runs steps and insists they all ran.
fn steps(engine: &mut Workspace, steps: Vec<Step>) -> Vec<String> {
    let reply = engine.handle(Request::Steps {
        steps,
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

fn holds(engine: &mut Workspace, condition: Condition) -> bool {
    match engine
        .handle(Request::Check {
            lesson: "x".into(),
            checks: vec![condition],
            browse: None,
        })
        .outcome
    {
        Ok(Outcome::Checked { passed, .. }) => passed[0],
        other => panic!("{other:?}"),
    }
}

const USERS: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);";
const RENAMED: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY, email_address TEXT NOT NULL);";

/// A lesson's start: users with two rows, one revision applied.
fn lesson() -> Workspace {
    let mut engine = demo();
    steps(
        &mut engine,
        vec![
            Step::Clear {},
            Step::Model(USERS.into()),
            Step::Save {
                message: "create users".into(),
                renames: vec![],
                parent: None,
            },
            Step::Upgrade("head".into()),
            Step::Sql("INSERT INTO users (email) VALUES ('a@x'), ('b@x');".into()),
        ],
    );
    engine
}

fn save(message: &str, model: &str, renames: Vec<strata_core::Rename>) -> Vec<Step> {
    vec![
        Step::Model(model.into()),
        Step::Save {
            message: message.into(),
            renames,
            parent: None,
        },
    ]
}

fn rename() -> strata_core::Rename {
    strata_core::Rename::Column {
        table: "users".into(),
        from: "email".into(),
        to: "email_address".into(),
    }
}

fn renamed_through_a_revision() -> Condition {
    Condition::Applied {
        contains: vec!["ALTER TABLE users RENAME COLUMN email TO email_address".into()],
        lacks: vec!["DROP COLUMN email".into()],
    }
}

#[test]
fn applied_finds_a_fragment_only_in_an_applied_revision_and_on_whole_tokens() {
    let mut engine = lesson();
    steps(&mut engine, save("rename", RENAMED, vec![rename()]));
    // Saved but not applied: its SQL does not count yet.
    assert!(!holds(&mut engine, renamed_through_a_revision()));
    steps(&mut engine, vec![Step::Upgrade("head".into())]);
    assert!(holds(&mut engine, renamed_through_a_revision()));
    // Quoting, case and spacing aside, and whole tokens only: `email` is not a prefix match.
    let spelled = Condition::Applied {
        contains: vec!["rename   column \"EMAIL\" to [email_address]".into()],
        lacks: vec![],
    };
    assert!(holds(&mut engine, spelled));
    let prefix = Condition::Applied {
        contains: vec!["RENAME COLUMN email TO email_addr".into()],
        lacks: vec![],
    };
    assert!(!holds(&mut engine, prefix));
    // `contains` must all be in one revision.
    let across = Condition::Applied {
        contains: vec!["CREATE TABLE users".into(), "RENAME COLUMN".into()],
        lacks: vec![],
    };
    assert!(!holds(&mut engine, across));
}

#[test]
fn applied_refuses_a_rename_made_as_a_drop_and_an_add() {
    let mut engine = lesson();
    // The rename question answered no: autogenerate drops email and adds email_address.
    let nullable = "CREATE TABLE users (id INTEGER PRIMARY KEY, email_address TEXT);";
    steps(&mut engine, save("drop and add", nullable, vec![]));
    steps(&mut engine, vec![Step::Upgrade("head".into())]);
    assert!(!holds(&mut engine, renamed_through_a_revision()));
    assert!(holds(&mut engine, Condition::NoDrift { except: vec![] }));
}

#[test]
fn no_drift_refuses_a_rename_made_in_the_console_beside_an_unrelated_revision() {
    let mut engine = lesson();
    assert!(holds(&mut engine, Condition::NoDrift { except: vec![] }));
    steps(
        &mut engine,
        vec![Step::Sql(
            "ALTER TABLE users RENAME COLUMN email TO email_address;".into(),
        )],
    );
    // Any revision at all, applied, so a count of applied revisions would be satisfied.
    let other = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n\
                 CREATE TABLE notes (id INTEGER PRIMARY KEY);";
    steps(&mut engine, save("add notes", other, vec![]));
    steps(&mut engine, vec![Step::Upgrade("head".into())]);
    assert!(!holds(&mut engine, Condition::NoDrift { except: vec![] }));
    assert!(!holds(&mut engine, renamed_through_a_revision()));
}

#[test]
fn no_drift_leaves_out_the_tables_a_lesson_keeps_outside_revisions() {
    let mut engine = lesson();
    steps(
        &mut engine,
        vec![Step::Sql(
            "CREATE TABLE app_deploy (version INTEGER);".into(),
        )],
    );
    assert!(!holds(&mut engine, Condition::NoDrift { except: vec![] }));
    let except = vec!["app_deploy".to_owned()];
    assert!(holds(&mut engine, Condition::NoDrift { except }));
}

fn happened(event: Event, mentioning: Option<&str>) -> Condition {
    Condition::Happened {
        event,
        mentioning: mentioning.map(str::to_owned),
    }
}

/// A revision that fails on the lesson's rows: a unique index over two equal emails.
fn failing(engine: &mut Workspace) {
    steps(
        engine,
        vec![Step::Sql(
            "INSERT INTO users (email) VALUES ('a@x');".into(),
        )],
    );
    let unique = format!("{USERS}\nCREATE UNIQUE INDEX users_email ON users (email);");
    steps(engine, save("unique emails", &unique, vec![]));
}

#[test]
fn a_failed_upgrade_is_recorded_when_the_button_is_pressed_and_only_then() {
    let mut engine = lesson();
    failing(&mut engine);
    let failed = happened(Event::UpgradeFailed, Some("UNIQUE constraint failed"));
    assert!(!holds(&mut engine, failed.clone()), "nothing failed yet");
    let reply = engine.handle(Request::Upgrade {
        target: "head".into(),
        browse: None,
        confirmed: false,
    });
    assert!(reply.outcome.is_err(), "{:?}", reply.outcome);
    assert!(holds(&mut engine, failed.clone()));
    assert!(!holds(
        &mut engine,
        happened(Event::UpgradeFailed, Some("no such thing"))
    ));
    // Starting the lesson again starts an empty journal.
    let mut engine = lesson();
    assert!(!holds(&mut engine, failed));
}

#[test]
fn a_try_step_lets_an_upgrade_fail_records_it_and_goes_on() {
    let mut engine = lesson();
    failing(&mut engine);
    let notes = steps(
        &mut engine,
        vec![
            Step::Try(Box::new(Step::Upgrade("head".into()))),
            Step::Sql("DELETE FROM users WHERE id = 3;".into()),
            Step::Upgrade("head".into()),
        ],
    );
    assert!(
        notes[0].starts_with("upgrade head failed, as it was meant to: "),
        "{notes:?}"
    );
    assert!(holds(
        &mut engine,
        happened(Event::UpgradeFailed, Some("UNIQUE"))
    ));
    // A failing step that is not tried is recorded as the steps' failure.
    let reply = engine.handle(Request::Steps {
        steps: vec![Step::Sql("CREATE TABLE users (x);".into())],
        browse: None,
    });
    assert!(matches!(
        reply.outcome,
        Ok(Outcome::Stepped {
            failed: Some(_),
            ..
        })
    ));
    assert!(holds(
        &mut engine,
        happened(Event::StepFailed, Some("already exists"))
    ));
}

#[test]
fn an_upgrade_with_nothing_to_run_is_recorded_and_one_that_ran_is_not() {
    let mut engine = lesson();
    let nothing = happened(Event::NothingToUpgrade, None);
    assert!(
        !holds(&mut engine, nothing.clone()),
        "the setup's upgrade ran something"
    );
    steps(
        &mut engine,
        save(
            "add notes",
            &format!("{USERS}\nCREATE TABLE notes (id INTEGER PRIMARY KEY);"),
            vec![],
        ),
    );
    let upgrade = || Request::Upgrade {
        target: "head".into(),
        browse: None,
        confirmed: false,
    };
    engine.handle(upgrade());
    assert!(!holds(&mut engine, nothing.clone()));
    engine.handle(upgrade());
    assert!(holds(&mut engine, nothing));
}

#[test]
fn a_database_no_lesson_set_up_is_never_written_by_the_journal() {
    let mut engine = demo();
    let before: Option<String> = engine
        .conn
        .query_row("SELECT group_concat(key) FROM _strata_meta", [], |row| {
            row.get(0)
        })
        .unwrap_or(None);
    engine.handle(Request::Upgrade {
        target: "nope".into(),
        browse: None,
        confirmed: false,
    });
    assert!(engine.journal().is_none());
    let after: Option<String> = engine
        .conn
        .query_row("SELECT group_concat(key) FROM _strata_meta", [], |row| {
            row.get(0)
        })
        .unwrap_or(None);
    assert_eq!(before, after);
    assert!(!holds(&mut engine, happened(Event::UpgradeFailed, None)));
}

#[test]
fn the_journal_is_kept_in_the_database_and_hidden_from_its_schema() {
    let mut engine = lesson();
    engine.handle(Request::Upgrade {
        target: "nope".into(),
        browse: None,
        confirmed: false,
    });
    let text: String = engine
        .conn
        .query_row(
            "SELECT value FROM _strata_meta WHERE key = ?1",
            [JOURNAL_KEY],
            |row| row.get(0),
        )
        .unwrap();
    let entries = Entry::parse(&text);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].event, Event::UpgradeFailed);
    let snapshot = engine.snapshot(None).unwrap();
    assert!(snapshot
        .tables
        .iter()
        .all(|t| !t.name.starts_with("_strata")));
    assert!(holds(&mut engine, Condition::NoDrift { except: vec![] }));
}

#[test]
fn a_sql_condition_never_writes_and_a_broken_one_just_fails() {
    let mut engine = lesson();
    assert!(holds(
        &mut engine,
        Condition::Sql("SELECT count(*) = 2 FROM users".into())
    ));
    assert!(!holds(
        &mut engine,
        Condition::Sql("DELETE FROM users".into())
    ));
    assert!(!holds(
        &mut engine,
        Condition::Sql("SELECT * FROM nowhere".into())
    ));
    assert!(holds(
        &mut engine,
        Condition::Sql("SELECT count(*) = 2 FROM users".into())
    ));
}

/// The goal `model` drawn against the database: (table, column, mark) for every marked part,
/// and the count the answer gives.
fn goal(engine: &mut Workspace, model: &str) -> (Vec<String>, usize) {
    match engine
        .handle(Request::LessonGoal {
            lesson: "rename".into(),
            model: model.into(),
            versions: vec![],
            browse: None,
        })
        .outcome
    {
        Ok(Outcome::LessonGoal {
            diagram,
            differs,
            error: None,
            ..
        }) => {
            let mut marked = Vec::new();
            for t in &diagram.tables {
                if t.status != crate::workspace::protocol::Mark::Same {
                    marked.push(format!("{} {}", t.name, t.status.label()));
                }
                for c in &t.columns {
                    if c.status != crate::workspace::protocol::Mark::Same {
                        marked.push(format!("{}.{} {}", t.name, c.name, c.status.label()));
                    }
                }
            }
            (marked, differs)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_goal_marks_what_still_differs_and_nothing_once_it_is_reached() {
    let mut engine = lesson();
    let (marked, differs) = goal(&mut engine, RENAMED);
    assert_eq!(
        marked,
        [
            "users changed",
            "users.email_address added",
            "users.email removed"
        ]
    );
    assert_eq!(differs, 3);
    steps(&mut engine, save("rename", RENAMED, vec![rename()]));
    assert_eq!(goal(&mut engine, RENAMED).1, 3, "saved is not applied");
    stages::upgrade_head(&mut engine);
    assert_eq!(goal(&mut engine, RENAMED), (vec![], 0));
    // Something the goal does not have is marked too: a table made in the console.
    steps(
        &mut engine,
        vec![Step::Sql(
            "CREATE TABLE notes (id INTEGER PRIMARY KEY);".into(),
        )],
    );
    assert_eq!(
        goal(&mut engine, RENAMED).0,
        ["notes removed", "notes.id removed"]
    );
    // The type matters, not only the names.
    let wider = RENAMED.replace("email_address TEXT", "email_address BLOB");
    steps(&mut engine, vec![Step::Sql("DROP TABLE notes;".into())]);
    assert_eq!(
        goal(&mut engine, &wider).0,
        ["users changed", "users.email_address changed"]
    );
}

#[test]
fn a_goal_that_cannot_be_drawn_is_answered_with_the_reason_not_an_error() {
    let mut engine = lesson();
    let reply = engine.handle(Request::LessonGoal {
        lesson: "rename".into(),
        model: "CREATE TABLE (".into(),
        versions: vec![],
        browse: None,
    });
    match reply.outcome {
        Ok(Outcome::LessonGoal {
            diagram,
            differs: 0,
            error: Some(error),
            ..
        }) => {
            assert!(diagram.tables.is_empty());
            assert!(
                error.starts_with("the lesson's goal does not parse"),
                "{error}"
            );
        }
        other => panic!("{other:?}"),
    }
}

/// psql fed a file without `ON_ERROR_STOP`: the file is all or nothing, its error is only
/// printed, and the script that ran it goes on (the guide's `set -e` never fires).
#[test]
fn a_psql_step_rolls_its_file_back_on_error_and_the_steps_go_on() {
    let mut engine = lesson();
    let notes = steps(
        &mut engine,
        vec![
            Step::Echo("Applying migration: 002_add_phone.sql".into()),
            // The first statement works, the second fails: neither may stay.
            Step::Psql(
                "ALTER TABLE users ADD COLUMN phone TEXT;\nALTER TABLE users ADD COLUMN email TEXT;"
                    .into(),
            ),
            Step::Echo("✓ Applied 002_add_phone.sql".into()),
            Step::Psql("INSERT INTO users (email) VALUES ('zoe@example.com');".into()),
        ],
    );
    assert_eq!(notes[0], "Applying migration: 002_add_phone.sql");
    assert!(
        notes[1].starts_with("psql: ERROR: ") && notes[1].contains("duplicate column name: email"),
        "{notes:?}"
    );
    assert!(
        notes[1].ends_with("(psql still exits 0, so the script goes on)"),
        "{notes:?}"
    );
    assert_eq!(notes[2], "✓ Applied 002_add_phone.sql");
    assert_eq!(notes[3], "psql: 1 statement ran, 1 row changed");
    assert!(!holds(
        &mut engine,
        Condition::Sql(
            "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'phone'".into()
        )
    ));
    assert!(holds(
        &mut engine,
        Condition::Sql("SELECT count(*) = 3 FROM users".into())
    ));
    assert!(holds(
        &mut engine,
        happened(Event::StepFailed, Some("duplicate column name: email"))
    ));
    // A file that runs clean leaves no failure in the journal.
    let mut engine = lesson();
    steps(
        &mut engine,
        vec![Step::Psql(
            "ALTER TABLE users ADD COLUMN phone TEXT;".into(),
        )],
    );
    assert!(!holds(&mut engine, happened(Event::StepFailed, None)));
}

#[path = "stage_tests.rs"]
mod stages;
