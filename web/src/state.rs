//! The playground's state and every way it can change, as plain data.
//!
//! Components dispatch [`Action`]s and send requests through the services module; the replies
//! come back as actions too. Nothing here touches the browser, so `cargo test` covers it.

use std::rc::Rc;

use yew::Reducible;

use crate::services::demo;
use crate::services::protocol::{Message, Outcome, Reply, Snapshot};

/// The table the data grid shows until the visitor picks another one.
pub const FIRST_TABLE: &str = "users";

/// Whether the database can be used yet.
#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    /// The worker is starting and opening the database.
    Booting,
    Ready,
    /// The database could not be opened; the message says why.
    Failed(String),
}

/// Everything the page shows.
#[derive(Clone, Debug, PartialEq)]
pub struct AppState {
    pub phase: Phase,
    /// The database as the last reply found it.
    pub snapshot: Snapshot,
    /// The table chosen for the data grid.
    pub browse: String,
    /// The SQL console's text.
    pub console: String,
    /// What the last console run produced, if it succeeded.
    pub result: Option<Outcome>,
    /// The last failure, shown until the next request succeeds.
    pub error: Option<String>,
    /// Requests sent and not answered yet.
    pub pending: u32,
    /// The desired schema, as the model editor holds it.
    pub model: String,
}

impl Default for AppState {
    fn default() -> AppState {
        AppState {
            phase: Phase::Booting,
            snapshot: Snapshot::default(),
            browse: FIRST_TABLE.to_owned(),
            console: "SELECT u.display_name, i.provider, i.subject\n\
                      FROM users u JOIN identities i ON i.user_id = u.id;"
                .to_owned(),
            result: None,
            error: None,
            pending: 0,
            model: demo::MODEL_SQL.to_owned(),
        }
    }
}

impl AppState {
    /// Whether a request is on its way, so controls that send one can wait.
    pub fn busy(&self) -> bool {
        self.pending > 0 || self.phase != Phase::Ready
    }
}

/// A change to the state.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A request left for the worker; `clears_output` drops the last console output first.
    Sent {
        clears_output: bool,
    },
    /// The worker said something.
    Received(Message),
    /// The visitor picked a table for the data grid.
    Browse(String),
    EditConsole(String),
    EditModel(String),
    /// Puts the state back as a first visit finds it, keeping what the database said last.
    Reset,
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Sent { clears_output } => {
                next.pending += 1;
                if clears_output {
                    next.result = None;
                    next.error = None;
                }
            }
            Action::Received(Message::Booted) => next.phase = Phase::Ready,
            Action::Received(Message::Fatal { message }) => {
                next.phase = Phase::Failed(message);
                next.pending = 0;
            }
            Action::Received(Message::Reply(reply)) => {
                let Reply { outcome, snapshot } = *reply;
                next.pending = next.pending.saturating_sub(1);
                next.snapshot = snapshot;
                match outcome {
                    Ok(Outcome::Done) => {}
                    Ok(outcome) => {
                        next.result = Some(outcome);
                        next.error = None;
                    }
                    Err(message) => {
                        next.result = None;
                        next.error = Some(message);
                    }
                }
            }
            Action::Browse(table) => next.browse = table,
            Action::EditConsole(text) => next.console = text,
            Action::EditModel(text) => next.model = text,
            Action::Reset => {
                let fresh = AppState::default();
                next.browse = fresh.browse;
                next.console = fresh.console;
                next.model = fresh.model;
                next.result = None;
                next.error = None;
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::protocol::{Grid, Storage};

    fn reduce(state: AppState, actions: impl IntoIterator<Item = Action>) -> AppState {
        let mut state = Rc::new(state);
        for action in actions {
            state = state.reduce(action);
        }
        (*state).clone()
    }

    fn reply(outcome: Result<Outcome, String>) -> Action {
        let snapshot = Snapshot {
            storage: Storage::Opfs,
            ..Snapshot::default()
        };
        Action::Received(Message::Reply(Box::new(Reply { outcome, snapshot })))
    }

    #[test]
    fn the_page_is_busy_until_the_worker_has_booted() {
        let state = AppState::default();
        assert!(state.busy());
        let state = reduce(state, [Action::Received(Message::Booted)]);
        assert!(!state.busy());
    }

    #[test]
    fn a_request_in_flight_keeps_the_page_busy_until_its_reply() {
        let state = reduce(AppState::default(), [Action::Received(Message::Booted)]);
        let state = reduce(
            state,
            [Action::Sent {
                clears_output: true,
            }],
        );
        assert!(state.busy());
        let state = reduce(state, [reply(Ok(Outcome::Done))]);
        assert!(!state.busy());
        assert_eq!(state.snapshot.storage, Storage::Opfs);
    }

    #[test]
    fn an_error_replaces_the_last_result_and_a_success_clears_it() {
        let rows = Outcome::Rows(Grid::default());
        let state = reduce(AppState::default(), [reply(Ok(rows.clone()))]);
        assert_eq!(state.result, Some(rows.clone()));
        let state = reduce(state, [reply(Err("near \"x\": syntax error".into()))]);
        assert_eq!(state.result, None);
        assert_eq!(state.error.as_deref(), Some("near \"x\": syntax error"));
        let state = reduce(state, [reply(Ok(rows.clone()))]);
        assert_eq!(state.error, None);
        assert_eq!(state.result, Some(rows));
    }

    #[test]
    fn browsing_keeps_the_console_output() {
        let changed = Outcome::Changed {
            statements: 1,
            rows: 1,
        };
        let state = reduce(
            AppState::default(),
            [
                reply(Ok(changed.clone())),
                Action::Browse("identities".into()),
                Action::Sent {
                    clears_output: false,
                },
                reply(Ok(Outcome::Done)),
            ],
        );
        assert_eq!(state.result, Some(changed));
        assert_eq!(state.browse, "identities");
    }

    #[test]
    fn a_fatal_message_fails_the_page_and_stops_waiting() {
        let state = reduce(
            AppState::default(),
            [
                Action::Sent {
                    clears_output: true,
                },
                Action::Received(Message::Fatal {
                    message: "no wasm".into(),
                }),
            ],
        );
        assert_eq!(state.phase, Phase::Failed("no wasm".into()));
        assert_eq!(state.pending, 0);
    }

    #[test]
    fn reset_restores_the_demo_texts() {
        let state = reduce(
            AppState::default(),
            [
                Action::EditModel("CREATE TABLE t(x);".into()),
                Action::EditConsole("DELETE FROM users".into()),
                Action::Browse("identities".into()),
                Action::Reset,
            ],
        );
        let fresh = AppState::default();
        assert_eq!(
            (state.model, state.console, state.browse),
            (fresh.model, fresh.console, fresh.browse)
        );
    }
}
