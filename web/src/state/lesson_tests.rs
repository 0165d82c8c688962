//! The lesson panel's background requests as the page's state counts them.

use std::rc::Rc;

use yew::Reducible;

use super::*;
use crate::lessons::progress::LessonAction;
use crate::services::project::ModelLanguage;
use crate::services::protocol::{Message, Outcome, Reply, Snapshot};

/// The page's state after `actions`, starting from a booted page with a lesson started.
fn page(actions: impl IntoIterator<Item = Action>) -> AppState {
    let mut state = Rc::new(AppState::default());
    for action in actions {
        state = state.reduce(action);
    }
    (*state).clone()
}

fn reply(outcome: Result<Outcome, String>) -> Action {
    Action::Received(Message::Reply(Box::new(Reply {
        outcome: outcome.map_err(Failure::from),
        snapshot: Snapshot::default(),
    })))
}

#[test]
fn a_failed_app_write_counts_down_the_background_and_leaves_pending_alone() {
    let state = page([
        Action::Received(Message::Booted),
        Action::Lesson(LessonAction::BackgroundSent),
        Action::Lesson(LessonAction::BackgroundSent),
        // An Upgrade is on its way while the app writes.
        Action::SentMigration,
        reply(Ok(Outcome::AppWrote {
            run: 0,
            version: 4,
            error: Some("the app has no version 4".into()),
        })),
        reply(Ok(Outcome::Checked {
            lesson: "x".into(),
            passed: vec![false],
        })),
    ]);
    assert_eq!(state.pending, 1, "the upgrade still counts as busy");
    assert!(state.busy());
    assert_eq!(state.lessons.background, 0);
    assert_eq!(state.lessons.app.failures, 1);
    assert_eq!(
        state.error, None,
        "an app failure is the lesson's, not the console's"
    );
}

#[test]
fn the_background_count_starts_over_on_start_restart_and_a_replaced_database() {
    let sent = || Action::Lesson(LessonAction::BackgroundSent);
    let state = page([sent(), sent(), sent()]);
    assert_eq!(state.lessons.background, 3);
    let state = page([sent(), sent(), Action::Lesson(LessonAction::Started)]);
    assert_eq!(state.lessons.background, 0);
    let state = page([
        sent(),
        sent(),
        Action::SentProject,
        reply(Ok(Outcome::Loaded {
            model: String::new(),
            language: ModelLanguage::Sql,
            notes: Vec::new(),
        })),
    ]);
    assert_eq!(state.lessons.background, 0);
    assert_eq!(state.pending, 0);
    // An answer that was sent before the count started over cannot take it below zero.
    let state = page([
        sent(),
        Action::Lesson(LessonAction::Started),
        reply(Ok(Outcome::AppWrote {
            run: 0,
            version: 1,
            error: None,
        })),
    ]);
    assert_eq!(state.lessons.background, 0);
}
