//! The reducer's tests of a first visit drawn from the build's answer to Open before the worker
//! is up (`AppState::seeded`): usable at once, never counted as settled until the worker has
//! answered, its Open's answer not counted twice, and what the visitor typed meanwhile kept.

use std::rc::Rc;

use yew::Reducible;

use super::*;
use crate::services::first_visit::first_open;
use crate::services::project::ModelLanguage;
use crate::services::protocol::{Reply, Storage};

fn reduce(state: AppState, actions: impl IntoIterator<Item = Action>) -> AppState {
    let mut state = Rc::new(state);
    for action in actions {
        state = state.reduce(action);
    }
    (*state).clone()
}

/// The worker's answer to Open: the build's, with the storage the worker found.
fn workers_open(model: &str) -> Action {
    let mut reply = first_open().unwrap();
    reply.snapshot.storage = Storage::Opfs;
    reply.outcome = Ok(Outcome::Opened {
        model: model.into(),
        language: ModelLanguage::Sql,
    });
    Action::Received(Message::Reply(Box::new(reply)))
}

/// Any other answer (a Browse, an upgrade…).
fn done() -> Action {
    let mut reply = first_open().unwrap();
    reply.snapshot.storage = Storage::Opfs;
    reply.outcome = Ok(Outcome::Done);
    Action::Received(Message::Reply(Box::new(reply)))
}

fn first_visit() -> AppState {
    AppState::default().seeded(first_open().unwrap())
}

/// The embedded answer is the demo as the page asks for it: its model, the table the data
/// grid starts on, both revisions, and no claim about the storage.
#[test]
fn the_embedded_first_open_is_the_demo_as_the_page_asks_for_it() {
    let reply = first_open().expect("the build embeds an Open's answer");
    assert!(
        matches!(&reply.outcome, Ok(Outcome::Opened { model, .. }) if model == demo::MODEL_SQL),
        "{:?}",
        reply.outcome
    );
    let browsed = reply.snapshot.browsed.as_ref().expect("a table is shown");
    assert_eq!(browsed.table, FIRST_TABLE);
    assert_eq!(browsed.grid.rows.len(), 4);
    assert_eq!(reply.snapshot.revisions.len(), 2);
    assert!(!reply.snapshot.diagram.tables.is_empty());
    assert_eq!(reply.snapshot.storage, Storage::Unknown);
    assert_eq!(reply.snapshot.damaged, None);
}

#[test]
fn a_first_visit_drawn_from_the_build_is_usable_before_the_worker_answers() {
    let state = first_visit();
    assert_eq!(state.phase, Phase::Ready);
    assert!(state.interactive());
    assert!(!state.busy(), "buttons can be pressed");
    assert!(!state.settled(), "the worker has not answered yet");
    assert_eq!(state.model, demo::MODEL_SQL);
    assert_eq!(state.snapshot.revisions.len(), 2);
    assert_eq!(state.snapshot.storage, Storage::Unknown);
    // The page without the build's answer waits for the worker, as every later visit does.
    let waiting = AppState::default();
    assert!(!waiting.interactive());
    assert!(!waiting.settled());
}

#[test]
fn only_an_opens_answer_can_seed_the_page() {
    let mut reply: Reply = first_open().unwrap();
    reply.outcome = Ok(Outcome::Done);
    let state = AppState::default().seeded(reply);
    assert_eq!(state.phase, Phase::Booting);
    assert_eq!(state.seed, None);
}

#[test]
fn the_workers_answer_to_open_settles_the_page_and_is_not_counted_twice() {
    let state = reduce(first_visit(), [workers_open(demo::MODEL_SQL)]);
    assert!(state.settled());
    assert_eq!(state.snapshot.storage, Storage::Opfs);
    assert_eq!(state.seed, None);

    // A button pressed before the worker was up: its request waits behind Open, and the page
    // is not interactive again until that request's own answer has come.
    let pressed = reduce(
        first_visit(),
        [Action::Sent {
            clears_output: true,
        }],
    );
    assert!(!pressed.interactive());
    let opened = reduce(pressed, [workers_open(demo::MODEL_SQL)]);
    assert_eq!(opened.pending, 1, "Open's answer is not the button's");
    assert!(!opened.interactive());
    let answered = reduce(opened, [done()]);
    assert_eq!(answered.pending, 0);
    assert!(answered.settled());

    // After the first answer, every answer counts again.
    let later = reduce(
        answered,
        [
            Action::Sent {
                clears_output: false,
            },
            done(),
        ],
    );
    assert_eq!(later.pending, 0);
}

#[test]
fn what_the_visitor_typed_before_the_worker_answered_stays_in_the_editor() {
    let typed = reduce(
        first_visit(),
        [
            Action::EditModel("CREATE TABLE typed (x);".into()),
            workers_open(demo::MODEL_SQL),
        ],
    );
    assert_eq!(typed.model, "CREATE TABLE typed (x);");
    assert!(typed.model_unsaved(), "the typed text is still to be kept");

    // Untouched, the editor takes the model the database keeps, as on any Open.
    let untouched = reduce(first_visit(), [workers_open("CREATE TABLE kept (x);")]);
    assert_eq!(untouched.model, "CREATE TABLE kept (x);");
    assert!(!untouched.model_unsaved());
}
