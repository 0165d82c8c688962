//! The reducer's tests: requests in flight, errors, migrations, projects, backups and model tabs.

use std::rc::Rc;

use yew::Reducible;

use super::*;
use crate::services::protocol::{Grid, Reply, Storage};

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
    Action::Received(Message::Reply(Box::new(Reply {
        outcome: outcome.map_err(Failure::from),
        snapshot,
    })))
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
    assert_eq!(state.error_message(), Some("near \"x\": syntax error"));
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
fn a_restarted_worker_stops_the_wait_and_shows_why_until_it_has_reopened() {
    let state = reduce(
        ready(),
        [
            Action::Sent {
                clears_output: true,
            },
            Action::SentMigration,
            Action::Received(Message::Restarted {
                message: "the database worker crashed (boom)".into(),
            }),
        ],
    );
    assert_eq!(state.pending, 0, "replies to what was in flight never come");
    assert_eq!(state.phase, Phase::Booting);
    assert_eq!(
        state.error_message(),
        Some("the database worker crashed (boom)")
    );
    assert_eq!(state.place, Place::Migration);
    let state = reduce(state, [Action::Received(Message::Booted)]);
    assert_eq!(state.phase, Phase::Ready);
    assert!(
        state.error.is_some(),
        "the notice stays after the new worker is up"
    );
}

/// A cancelled console script: the wait stops, and the sentence saying what happened stays in
/// the console through the reply that reads the database again (which once cleared it).
#[test]
fn a_cancel_stops_the_wait_and_its_sentence_survives_the_reopening() {
    let cancelled = "Cancelled: the work was stopped before it finished";
    let state = reduce(
        ready(),
        [
            Action::Sent {
                clears_output: true,
            },
            Action::Received(Message::Cancelled {
                message: cancelled.into(),
            }),
        ],
    );
    assert_eq!((state.pending, &state.phase), (0, &Phase::Booting));
    assert_eq!(state.place, Place::Console);
    let state = reduce(
        state,
        [
            Action::Received(Message::Booted),
            reply(Ok(Outcome::Loaded {
                model: "CREATE TABLE t (x);".into(),
                language: ModelLanguage::Sql,
                notes: vec![],
            })),
        ],
    );
    assert_eq!(state.error_message(), Some(cancelled));
    assert_eq!(state.place, Place::Console);
    // The next request's answer is the console's own again.
    let state = reduce(
        state,
        [
            Action::Sent {
                clears_output: true,
            },
            reply(Ok(Outcome::Done)),
        ],
    );
    assert_eq!(state.error, None);
}

fn migration() -> Migration {
    Migration {
        changes: vec!["alter table users: add column phone".into()],
        up_sql: "ALTER TABLE users ADD COLUMN phone TEXT;".into(),
        ..Migration::default()
    }
}

#[test]
fn an_autogenerated_migration_is_shown_until_the_model_changes() {
    let state = reduce(
        AppState::default(),
        [
            Action::SentMigration,
            reply(Ok(Outcome::Autogenerated(migration()))),
        ],
    );
    assert_eq!(state.migration, Some(migration()));
    assert_eq!(state.place, Place::Migration);
    assert_eq!(state.pending, 0);
    let state = reduce(state, [Action::EditModel("CREATE TABLE t(x);".into())]);
    assert_eq!(state.migration, None);
}

#[test]
fn a_migration_error_shows_in_the_migration_column() {
    let state = reduce(
        AppState::default(),
        [
            Action::SentMigration,
            reply(Err("model line 3: near \"CREAT\"".into())),
        ],
    );
    assert_eq!(state.place, Place::Migration);
    assert!(state.error_message().unwrap().starts_with("model line 3"));
}

#[test]
fn saving_clears_the_migration_the_message_and_the_renames() {
    let rename = Rename::Column {
        table: "users".into(),
        from: "email".into(),
        to: "email_address".into(),
    };
    let state = reduce(
        AppState::default(),
        [
            Action::ConfirmRename(rename.clone()),
            Action::ConfirmRename(rename.clone()),
            Action::EditMessage("rename email".into()),
            reply(Ok(Outcome::Autogenerated(migration()))),
        ],
    );
    assert_eq!(state.renames, [rename]);
    let state = reduce(state, [reply(Ok(Outcome::Saved { id: "abc".into() }))]);
    assert_eq!(state.migration, None);
    assert!(state.renames.is_empty());
    assert_eq!(state.message, "");
    assert!(state.notice.unwrap().contains("abc"));
}

#[test]
fn a_downgrade_says_what_it_reverted_and_threw_away() {
    let state = reduce(
        AppState::default(),
        [reply(Ok(Outcome::Migrated {
            up: false,
            ids: vec!["0002".into()],
            losses: vec!["0002: drops table identities".into()],
        }))],
    );
    let notice = state.notice.unwrap();
    assert!(notice.starts_with("Reverted 0002."), "{notice}");
    assert!(notice.contains("drops table identities"), "{notice}");
    assert_eq!(state.result, None);
}

#[test]
fn a_loaded_project_fills_the_editor_and_counts_as_kept() {
    use crate::services::project::ModelLanguage;
    let state = reduce(
        AppState::default(),
        [
            Action::SentProject,
            reply(Ok(Outcome::Loaded {
                model: "CREATE TABLE t (x);".into(),
                language: ModelLanguage::Sql,
                notes: Vec::new(),
            })),
        ],
    );
    assert_eq!(state.model, "CREATE TABLE t (x);");
    assert!(!state.model_unsaved());
    assert!(state.project_notice.is_some());
    let state = reduce(state, [Action::EditModel("CREATE TABLE u (y);".into())]);
    assert!(state.model_unsaved());
}

#[test]
fn a_restore_without_a_model_keeps_the_editor_and_names_the_backup() {
    let state = reduce(
        AppState::default(),
        [
            Action::EditModel("CREATE TABLE mine (x);".into()),
            Action::SentProject,
            reply(Ok(Outcome::Replaced {
                notes: vec![
                    "The database it replaced is kept as backup 4 (before restore).".into(),
                ],
            })),
        ],
    );
    assert_eq!(state.model, "CREATE TABLE mine (x);");
    let notice = state.project_notice.unwrap();
    assert!(notice.contains("the editor keeps its model"), "{notice}");
    assert!(notice.ends_with("backup 4 (before restore)."), "{notice}");
}

#[test]
fn a_reset_names_the_backup_of_what_it_replaced() {
    let state = reduce(
        AppState::default(),
        [
            Action::Reset,
            Action::Sent {
                clears_output: true,
            },
            reply(Ok(Outcome::Loaded {
                model: crate::services::demo::MODEL_SQL.into(),
                language: ModelLanguage::Sql,
                notes: vec![
                    "The database it replaced is kept as backup 1 (before reset).".into(),
                ],
            })),
        ],
    );
    assert_eq!(
        state.notice.as_deref(),
        Some("The database it replaced is kept as backup 1 (before reset).")
    );
    assert_eq!(state.project_notice, None);
}

#[test]
fn keeping_the_model_keeps_the_last_snapshot() {
    let state = reduce(AppState::default(), [reply(Ok(Outcome::Done))]);
    assert_eq!(state.snapshot.storage, Storage::Opfs);
    let quiet = Action::Received(Message::Reply(Box::new(Reply {
        outcome: Ok(Outcome::ModelSaved),
        snapshot: Snapshot::default(),
    })));
    let state = reduce(state, [quiet]);
    assert_eq!(state.snapshot.storage, Storage::Opfs);
    assert_eq!(state.result, None);
}

#[test]
fn a_refused_project_file_shows_its_error_in_the_project_box() {
    let state = reduce(AppState::default(), [Action::ProjectFailed("bad".into())]);
    assert_eq!(
        (state.place, state.error_message()),
        (Place::Project, Some("bad"))
    );
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
            Action::Sent {
                clears_output: true,
            },
            reply(Ok(Outcome::Loaded {
                model: crate::services::demo::MODEL_SQL.into(),
                language: ModelLanguage::Sql,
                notes: Vec::new(),
            })),
        ],
    );
    let fresh = AppState::default();
    assert_eq!(
        (state.model, state.console, state.browse),
        (fresh.model, fresh.console, fresh.browse)
    );
}

fn ready() -> AppState {
    reduce(AppState::default(), [Action::Received(Message::Booted)])
}

#[test]
fn each_model_tab_keeps_its_own_text_and_a_switch_drops_the_stale_migration() {
    let state = reduce(
        ready(),
        [
            Action::EditModel("CREATE TABLE a (x);".into()),
            reply(Ok(Outcome::Autogenerated(Migration::default()))),
            Action::SetLanguage(ModelLanguage::Sqlmodel),
        ],
    );
    assert_eq!(state.migration, None);
    assert_eq!(state.model_text(), demo::MODEL_SQLMODEL);
    let state = reduce(
        state,
        [
            Action::EditModel("class A(SQLModel, table=True): ...".into()),
            Action::SetLanguage(ModelLanguage::Sql),
        ],
    );
    assert_eq!(state.model_text(), "CREATE TABLE a (x);");
    assert_eq!(state.sqlmodel, "class A(SQLModel, table=True): ...");
}

#[test]
fn the_error_line_is_read_from_the_failure_not_its_sentence() {
    let with = |failure: Failure| {
        reduce(
            ready(),
            [
                Action::SentMigration,
                Action::Received(Message::Reply(Box::new(Reply {
                    outcome: Err(failure),
                    snapshot: Snapshot::default(),
                }))),
            ],
        )
        .model_error_line()
    };
    let at = |line, column| Some(strata_core::error::Position { line, column });
    let failure = |message: &str, at| Failure {
        message: message.into(),
        at,
    };
    assert_eq!(
        with(failure("model line 3: near \"x\": syntax error", at(3, 7))),
        Some(3)
    );
    assert_eq!(
        with(failure(
            "model line 12, column 5: the field type `list[int]` is not supported",
            at(12, 5)
        )),
        Some(12)
    );
    // A sentence that names a line is not read: only the failure's position counts.
    assert_eq!(with(failure("model line 9: it says so", None)), None);
    assert_eq!(with(failure("revision abc failed", None)), None);
}

#[test]
fn a_data_losing_downgrade_waits_for_an_answer() {
    let pending = PendingMigration {
        up: false,
        target: "-1".into(),
        ids: vec!["0002".into()],
        losses: vec!["table identities".into()],
    };
    let state = reduce(
        ready(),
        [
            Action::SentMigration,
            reply(Ok(Outcome::ConfirmDowngrade {
                target: pending.target.clone(),
                ids: pending.ids.clone(),
                losses: pending.losses.clone(),
            })),
        ],
    );
    assert_eq!(state.confirm, Some(pending));
    assert!(!state.busy());
    assert_eq!(reduce(state, [Action::DismissConfirm]).confirm, None);
}

#[test]
fn save_revision_waits_until_every_rename_prompt_has_a_yes_or_a_no() {
    let column = |from: &str, to: &str| Rename::Column {
        table: "users".into(),
        from: from.into(),
        to: to.into(),
    };
    let (email, fax) = (column("email", "email_address"), column("fax", "phone"));
    let question = |r: &Rename| crate::services::protocol::Candidate {
        question: format!("did you rename {r:?}?"),
        rename: r.clone(),
    };
    let asked = Migration {
        candidates: vec![question(&email), question(&fax)],
        ..migration()
    };
    let state = reduce(
        ready(),
        [
            Action::SentMigration,
            reply(Ok(Outcome::Autogenerated(asked.clone()))),
        ],
    );
    assert!(!state.can_save(), "two questions have no answer");
    let state = reduce(state, [Action::DeclineRename(email.clone())]);
    assert!(!state.can_save(), "one question is still open");
    let state = reduce(state, [Action::DeclineRename(fax.clone())]);
    assert!(state.can_save(), "every question has a no");
    // Changing a no into a yes: the yes replaces it (the page then autogenerates again).
    let state = reduce(state, [Action::ConfirmRename(email.clone())]);
    assert_eq!(state.renames, std::slice::from_ref(&email));
    assert_eq!(state.declined, [Decline::of(&fax).unwrap()]);
    assert!(
        !state.can_save(),
        "the email question is open again until the new migration comes"
    );
    let renamed = Migration {
        candidates: vec![question(&fax)],
        ..migration()
    };
    let state = reduce(state, [reply(Ok(Outcome::Autogenerated(renamed)))]);
    assert!(state.can_save());
    // Saving clears the answers; a migration with nothing in it cannot be saved at all.
    let state = reduce(state, [reply(Ok(Outcome::Saved { id: "abc".into() }))]);
    assert!(state.renames.is_empty() && state.declined.is_empty());
    let empty = reduce(
        state,
        [reply(Ok(Outcome::Autogenerated(Migration::default())))],
    );
    assert!(!empty.can_save());
}

#[test]
fn a_data_losing_upgrade_waits_for_an_answer_like_a_downgrade() {
    let state = reduce(
        ready(),
        [
            Action::SentMigration,
            reply(Ok(Outcome::ConfirmUpgrade {
                target: "head".into(),
                ids: vec!["0003".into()],
                losses: vec!["0003 (drop names): users.display_name: 4 non-NULL values".into()],
            })),
        ],
    );
    let pending = state.confirm.clone().unwrap();
    assert!(pending.up);
    assert_eq!(pending.target, "head");
    assert!(!state.busy());
    assert_eq!(reduce(state, [Action::DismissConfirm]).confirm, None);
}

#[test]
fn a_branch_lasts_until_the_revision_is_saved() {
    let state = reduce(ready(), [Action::BuildOn(Some("0001".into()))]);
    assert_eq!(state.parent.as_deref(), Some("0001"));
    let state = reduce(
        state,
        [
            Action::SentMigration,
            reply(Ok(Outcome::Saved { id: "abc".into() })),
        ],
    );
    assert_eq!(state.parent, None);
}

#[test]
fn the_grid_follows_the_table_the_worker_shows() {
    let snapshot = Snapshot {
        browsed: Some(crate::services::protocol::Browsed {
            table: "orders".into(),
            grid: Grid::default(),
        }),
        ..Snapshot::default()
    };
    let state = reduce(
        ready(),
        [Action::Received(Message::Reply(Box::new(Reply {
            outcome: Ok(Outcome::Done),
            snapshot,
        })))],
    );
    assert_eq!(state.browse, "orders");
}

#[test]
fn exports_and_create_all_reports_show_until_closed() {
    let export = ExportView {
        id: "0002".into(),
        format: crate::services::protocol::ExportFormat::Sql,
        files: vec![],
        notes: vec![],
    };
    let state = reduce(
        ready(),
        [
            Action::SentMigration,
            reply(Ok(Outcome::Exported(export.clone()))),
            Action::SentMigration,
            reply(Ok(Outcome::CreateAll(CreateAllReport::default()))),
        ],
    );
    assert_eq!(state.export, Some(export));
    assert!(state.create_all.is_some());
    let state = reduce(state, [Action::CloseExport, Action::EditModel("x".into())]);
    assert_eq!((state.export, state.create_all), (None, None));
}

#[test]
fn the_alembic_project_export_says_what_was_downloaded_and_what_runs_as_written() {
    let exported = |verbatim: Vec<String>| {
        reply(Ok(Outcome::AlembicProjectExported {
            base64: String::new(),
            revisions: 2,
            verbatim,
        }))
    };
    let state = reduce(ready(), [Action::SentMigration, exported(vec![])]);
    let notice = state.notice.clone().unwrap();
    assert!(
        notice.starts_with(
            "Exported strata-alembic-project.zip: 2 revisions as an Alembic project."
        ),
        "{notice}"
    );
    assert!(!notice.contains("by hand"), "{notice}");
    assert_eq!(state.error, None);
    let state = reduce(
        state,
        [Action::SentMigration, exported(vec!["0002".into()])],
    );
    assert!(state
        .notice
        .unwrap()
        .ends_with("run the SQLite SQL as written: 0002."),);
}
