//! The reducer's tests of exercises: one opened from a link becomes the open, started lesson,
//! and a made one whose text the page would not show gets no link.

use strata_core::exercise::{Exercise, RowCheck, FORMAT};

fn sample() -> Exercise {
    Exercise {
        format: FORMAT.into(),
        title: "Add a nickname".into(),
        text: "Give `users` a nickname.".into(),
        goal: "CREATE TABLE users (id INTEGER PRIMARY KEY, nickname TEXT);".into(),
        checks: vec![RowCheck {
            sql: "SELECT count(*) FROM users".into(),
            expect: vec![vec!["4".into()]],
        }],
        start: crate::services::demo::project(),
    }
}

fn reply(outcome: crate::services::protocol::Outcome) -> crate::state::Action {
    use crate::services::protocol::{Message, Reply, Snapshot};
    crate::state::Action::Received(Message::Reply(Box::new(Reply {
        outcome: Ok(outcome),
        snapshot: Snapshot::default(),
    })))
}

fn reduce(
    state: crate::state::AppState,
    actions: impl IntoIterator<Item = crate::state::Action>,
) -> crate::state::AppState {
    use yew::Reducible;
    let mut state = std::rc::Rc::new(state);
    for action in actions {
        state = state.reduce(action);
    }
    (*state).clone()
}

#[test]
fn an_opened_exercise_becomes_the_open_started_lesson_with_the_start_in_the_editor() {
    use crate::services::protocol::{Message, Outcome};
    use crate::state::{Action, AppState};
    let exercise = Box::new(sample());
    let mut before = AppState::default();
    before.lessons.progress.shown = true;
    before.lessons.progress.current = Some("rename".into());
    let state = reduce(
        before,
        [
            Action::Received(Message::Booted),
            Action::SentProject,
            reply(Outcome::ExerciseOpened {
                exercise: exercise.clone(),
                notes: vec![
                    "The database it replaced is kept as backup 3 (before exercise).".into(),
                ],
            }),
        ],
    );
    let progress = &state.lessons.progress;
    assert_eq!(progress.current.as_deref(), Some(exercise.slug().as_str()));
    assert!(progress.started && progress.open && !progress.shown);
    assert_eq!(state.lessons.exercise, Some(exercise.clone()));
    assert_eq!(state.model, exercise.start.model);
    assert!(!state.busy());
    let notice = state.project_notice.unwrap();
    assert!(
        notice.contains("Add a nickname") && notice.contains("backup 3"),
        "{notice}"
    );
}

#[test]
fn a_made_exercise_whose_text_the_filter_would_drop_gets_no_link() {
    use crate::services::protocol::{Message, Outcome};
    use crate::state::{Action, AppState, Place};
    let made = |text: &str| {
        let mut exercise = sample();
        exercise.text = text.to_owned();
        reduce(
            AppState::default(),
            [
                Action::Received(Message::Booted),
                Action::MakeExercise(true),
                Action::SentExercise,
                reply(Outcome::ExerciseMade {
                    exercise: Box::new(exercise),
                }),
            ],
        )
    };
    let good = made("Add a **nickname**.");
    assert!(good
        .exercise_link
        .as_deref()
        .is_some_and(|l| l.starts_with("#exercise=")));
    assert_eq!(good.error, None);
    let bad = made("<iframe src=x></iframe>");
    assert_eq!(bad.exercise_link, None);
    assert_eq!(bad.place, Place::Exercise);
    assert!(
        bad.error_message()
            .unwrap()
            .starts_with("the exercise's text holds raw HTML"),
        "{:?}",
        bad.error
    );
    // Closing the dialog forgets the error and the link.
    let closed = reduce(bad, [Action::MakeExercise(false)]);
    assert!(!closed.making_exercise && closed.error.is_none());
}
