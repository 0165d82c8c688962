//! The reducer's tests of what the page claims: no notice that is not true when it shows (a
//! link still loading, a link refused), a lesson's Start clearing what the last lesson left, the
//! rehearsal's report and Discard's notice, and the questions asked before a restore or a
//! discard.

use std::rc::Rc;

use yew::Reducible;

use super::*;
use crate::lessons::progress::LessonAction;
use crate::services::project::ModelLanguage;
use crate::services::protocol::{Grid, Reply, Storage};

fn reduce(state: AppState, actions: impl IntoIterator<Item = Action>) -> AppState {
    let mut state = Rc::new(state);
    for action in actions {
        state = state.reduce(action);
    }
    (*state).clone()
}

fn reply(outcome: Result<Outcome, String>) -> Action {
    Action::Received(Message::Reply(Box::new(Reply {
        outcome: outcome.map_err(Failure::from),
        snapshot: Snapshot {
            storage: Storage::Opfs,
            ..Snapshot::default()
        },
    })))
}

/// A page opened on a share link: Open is sent, then the link's Load; Open's answer comes first.
fn opening_with_a_link() -> AppState {
    reduce(
        AppState::default(),
        [
            Action::Received(Message::Booted),
            Action::Sent {
                clears_output: false,
            },
            Action::SentProject,
            reply(Ok(Outcome::Opened {
                model: "CREATE TABLE kept (x);".into(),
                language: ModelLanguage::Sql,
            })),
        ],
    )
}

#[test]
fn nothing_is_announced_as_loaded_while_a_link_is_still_loading() {
    let state = opening_with_a_link();
    assert_eq!(state.project_notice, None);
    assert_eq!(state.model, "CREATE TABLE kept (x);");
    assert!(!state.model_unsaved());
    assert!(state.busy(), "the link's Load is still on its way");
}

#[test]
fn a_refused_link_shows_its_error_and_no_loaded_notice() {
    let state = reduce(
        opening_with_a_link(),
        [reply(Err(
            "the share link is too large: it unpacks to more than 16 MiB, more than a project link may hold; nothing was changed".into(),
        ))],
    );
    assert_eq!(state.project_notice, None);
    assert_eq!(state.place, Place::Project);
    assert!(state.error_message().unwrap().contains("too large"));
    // Even when a notice of the same place was showing, an error takes it away.
    let state = reduce(
        AppState {
            project_notice: Some("Backup 3 taken.".into()),
            ..state
        },
        [
            Action::SentProject,
            reply(Ok(Outcome::BackedUp { id: "3".into() })),
        ],
    );
    assert_eq!(state.project_notice.as_deref(), Some("Backup 3 taken."));
    let state = reduce(state, [reply(Err("cannot store the backup".into()))]);
    assert_eq!(state.project_notice, None);
}

#[test]
fn a_loaded_link_is_announced_once_it_has_loaded() {
    let state = reduce(
        opening_with_a_link(),
        [reply(Ok(Outcome::Loaded {
            model: "CREATE TABLE linked (x);".into(),
            language: ModelLanguage::Sql,
            notes: vec!["The database it replaced is kept as backup 1 (before share link).".into()],
        }))],
    );
    let notice = state.project_notice.unwrap();
    assert!(
        notice.starts_with("Loaded: the database, its revisions and the model were replaced."),
        "{notice}"
    );
    assert!(
        notice.ends_with("backup 1 (before share link)."),
        "{notice}"
    );
}

#[test]
fn a_lessons_start_clears_what_the_last_one_left() {
    // What a page can hold after some work: a console result, a notice in each place, an
    // error, a question waiting.
    let state = AppState {
        console: "SELECT * FROM orders".into(),
        result: Some(Outcome::Rows(Grid::default())),
        notice: Some("Saved revision 0003. Upgrade to apply it.".into()),
        project_notice: Some("Backup 2 taken.".into()),
        error: Some("revision 0003 failed".to_owned().into()),
        question: Some(Question::Discard {
            id: "0003".into(),
            message: "m".into(),
        }),
        ..reduce(AppState::default(), [Action::Received(Message::Booted)])
    };
    let state = reduce(state, [Action::Lesson(LessonAction::Started)]);
    assert_eq!(
        (
            state.notice,
            state.project_notice,
            state.error,
            state.result,
            state.console.as_str(),
            state.question,
        ),
        (None, None, None, None, "", None)
    );
    // Picking another lesson changes nothing on the page until it is started.
    let picked = reduce(
        AppState {
            notice: Some("Applied 0003.".into()),
            ..AppState::default()
        },
        [Action::Lesson(LessonAction::Pick("backups".into()))],
    );
    assert_eq!(picked.notice.as_deref(), Some("Applied 0003."));
}

#[test]
fn a_rehearsal_shows_its_report_until_closed_and_discard_says_what_changed() {
    let report = strata_core::rehearse::Report::default();
    let saved = reduce(
        AppState::default(),
        [
            Action::SentMigration,
            reply(Ok(Outcome::Saved { id: "0003".into() })),
        ],
    );
    let state = reduce(
        saved.clone(),
        [
            Action::SentRehearsal,
            reply(Ok(Outcome::Rehearsed(Box::new(report.clone())))),
        ],
    );
    assert_eq!(state.rehearsal.as_deref(), Some(&report));
    // The rehearsal changed nothing, so what the Migration column said stays, where it was.
    assert_eq!(state.notice, saved.notice);
    assert!(state.notice.is_some());
    let state = reduce(
        state,
        [
            Action::CloseRehearsal,
            Action::SentMigration,
            reply(Ok(Outcome::Discarded {
                id: "0003".into(),
                up: "CREATE INDEX i ON t (x);".into(),
                down: "DROP INDEX i;".into(),
            })),
        ],
    );
    assert_eq!(state.rehearsal, None);
    let notice = state.notice.unwrap();
    assert!(
        notice.starts_with(
            "Discarded revision 0003: it was pending, so the database did not change."
        ),
        "{notice}"
    );
}

#[test]
fn a_question_stays_until_answered() {
    let asked = Question::Restore {
        id: "4".into(),
        label: "before reset".into(),
        created: "2026-11-02 09:14:05 UTC".into(),
    };
    let state = reduce(AppState::default(), [Action::Ask(Some(asked.clone()))]);
    assert_eq!(state.question, Some(asked));
    assert_eq!(state.pending, 0, "nothing is sent before the answer");
    let state = reduce(state, [Action::Ask(None)]);
    assert_eq!(state.question, None);
}
