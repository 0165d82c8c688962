//! What the runbook lesson relies on: backups, rehearsals and restores recorded in a lesson's
//! journal (and only there), a restore that carries the journal and the simulated app's
//! deployment over instead of rolling them back with the data, a stopped app that sends
//! nothing, and the discard step refusing an applied revision.

use rusqlite::Connection;

use super::checks::Entry;
use crate::workspace::protocol::{Event, Outcome, Request, Step, Storage};
use crate::workspace::Workspace;

fn engine() -> Workspace {
    Workspace::open(Connection::open_in_memory().unwrap(), Storage::Opfs).unwrap()
}

fn run(engine: &mut Workspace, steps: Vec<Step>) -> Result<Vec<String>, String> {
    match engine
        .handle(Request::Steps {
            steps,
            browse: None,
        })
        .outcome
    {
        Ok(Outcome::Stepped {
            failed: None,
            notes,
            ..
        }) => Ok(notes),
        Ok(Outcome::Stepped {
            failed: Some(failed),
            ..
        }) => Err(failed),
        other => panic!("{other:?}"),
    }
}

/// A lesson's start: one applied revision, a pending one, a row, app v1 deployed.
fn set_up() -> Workspace {
    let mut engine = engine();
    run(
        &mut engine,
        vec![
            Step::Clear {},
            Step::Model("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);".into()),
            Step::Save {
                message: "create users".into(),
                renames: vec![],
                parent: None,
            },
            Step::Upgrade("head".into()),
            Step::Sql("INSERT INTO users (email) VALUES ('a@x');".into()),
            Step::Deploy(1),
            Step::Model(
                "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, phone TEXT);"
                    .into(),
            ),
            Step::Save {
                message: "add phone".into(),
                renames: vec![],
                parent: None,
            },
        ],
    )
    .unwrap();
    engine
}

fn events(engine: &Workspace) -> Vec<Event> {
    engine
        .journal()
        .unwrap_or_default()
        .into_iter()
        .map(|e: Entry| e.event)
        .collect()
}

fn deployed(engine: &Workspace) -> Option<String> {
    engine
        .conn
        .query_row(
            "SELECT value FROM _strata_meta WHERE key = 'lesson app'",
            [],
            |row| row.get(0),
        )
        .ok()
}

#[test]
fn a_backup_by_hand_and_a_rehearsal_are_recorded_with_what_they_found() {
    let mut engine = set_up();
    assert!(engine
        .handle(Request::Backup {
            label: "taken by hand".into()
        })
        .outcome
        .is_ok());
    assert!(engine
        .handle(Request::Rehearse {
            target: "head".into()
        })
        .outcome
        .is_ok());
    let journal = engine.journal().unwrap();
    assert_eq!(
        journal.iter().map(|e| e.event).collect::<Vec<_>>(),
        [Event::BackedUp, Event::Rehearsed]
    );
    assert_eq!(journal[0].detail, "taken by hand");
    assert!(
        journal[1].detail.contains("add phone (")
            && journal[1].detail.contains(": additive, upgrade took ")
            && journal[1].detail.ends_with("the rehearsal passed"),
        "{}",
        journal[1].detail
    );
    // The rehearsal ran on a copy: nothing is applied.
    let applied: i64 = engine
        .conn
        .query_row("SELECT count(*) FROM schema_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(applied, 1);
}

#[test]
fn backups_and_rehearsals_outside_a_lesson_write_no_journal() {
    let mut engine = engine();
    engine.handle(Request::Backup {
        label: "taken by hand".into(),
    });
    engine.handle(Request::Rehearse {
        target: "head".into(),
    });
    assert!(engine.journal().is_none());
}

#[test]
fn a_restore_carries_the_journal_and_the_deployed_app_over_and_records_itself() {
    let mut engine = set_up();
    run(
        &mut engine,
        vec![
            Step::Backup {
                label: "before".into(),
            },
            Step::Upgrade("head".into()),
            Step::Deploy(2),
            Step::Sql("INSERT INTO users (email) VALUES ('b@x');".into()),
            Step::Downgrade("-1".into()),
            Step::Deploy(0),
        ],
    )
    .unwrap();
    run(
        &mut engine,
        vec![Step::Restore {
            label: "before".into(),
        }],
    )
    .unwrap();
    // The data is the backup's: one user, phone pending again.
    let users: i64 = engine
        .conn
        .query_row("SELECT count(*) FROM users", [], |row| row.get(0))
        .unwrap();
    assert_eq!(users, 1);
    // What happened since the backup is still known, and the restore is the last entry.
    assert_eq!(
        events(&engine),
        [Event::BackedUp, Event::Downgraded, Event::Restored]
    );
    assert_eq!(engine.journal().unwrap()[2].detail, "before");
    // The app that was stopped stays stopped: the backup's "v1" does not come back.
    assert_eq!(deployed(&engine).as_deref(), Some("0"));
}

#[test]
fn a_stopped_app_sends_nothing() {
    let mut engine = set_up();
    run(&mut engine, vec![Step::Deploy(0)]).unwrap();
    let reply = engine.handle(Request::AppWrite {
        deployed: "SELECT CAST(value AS INTEGER) FROM _strata_meta WHERE key = 'lesson app'".into(),
        writes: vec!["INSERT INTO users (email) VALUES ('v1@x');".into()],
        browse: None,
        run: 3,
    });
    assert_eq!(
        reply.outcome,
        Ok(Outcome::AppWrote {
            run: 3,
            version: 0,
            error: None
        })
    );
    let users: i64 = engine
        .conn
        .query_row("SELECT count(*) FROM users", [], |row| row.get(0))
        .unwrap();
    assert_eq!(users, 1);
}

#[test]
fn the_discard_step_forgets_a_pending_revision_and_refuses_an_applied_one() {
    let mut engine = set_up();
    let refused = run(&mut engine, vec![Step::Discard("create users".into())]).unwrap_err();
    assert!(
        refused.contains("is applied: downgrade it first"),
        "{refused}"
    );
    let notes = run(&mut engine, vec![Step::Discard("add phone".into())]).unwrap();
    assert!(notes[0].starts_with("discarded revision "), "{notes:?}");
    assert_eq!(engine.revisions.len(), 1);
}

#[test]
fn the_goals_version_rows_are_marked_applied_missing_and_extra() {
    let mut engine = set_up();
    let goal = |engine: &mut Workspace, versions: Vec<String>| match engine
        .handle(Request::LessonGoal {
            lesson: "x".into(),
            model: "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);".into(),
            versions,
            browse: None,
        })
        .outcome
    {
        Ok(Outcome::LessonGoal {
            versions,
            differs,
            error: None,
            ..
        }) => (
            versions
                .into_iter()
                .map(|v| (v.description, v.mark))
                .collect::<Vec<_>>(),
            differs,
        ),
        other => panic!("{other:?}"),
    };
    use crate::workspace::protocol::Mark;
    // Wanted: both revisions, by message; only the first is applied.
    let (rows, differs) = goal(&mut engine, vec!["create users".into(), "add phone".into()]);
    assert_eq!(
        rows,
        [
            ("create users".to_owned(), Mark::Same),
            ("add phone".to_owned(), Mark::Added)
        ]
    );
    assert_eq!(differs, 1);
    // Applied and not wanted: marked to revert, and the goal's table differs too.
    run(&mut engine, vec![Step::Upgrade("head".into())]).unwrap();
    let (rows, differs) = goal(&mut engine, vec!["create users".into()]);
    assert_eq!(
        rows,
        [
            ("create users".to_owned(), Mark::Same),
            ("add phone".to_owned(), Mark::Removed)
        ]
    );
    assert_eq!(differs, 3, "the row, and users with its phone column");
    // No rows asked for: none drawn.
    assert_eq!(goal(&mut engine, vec![]).0, []);
}
