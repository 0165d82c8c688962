//! A saved database that cannot be used: its file does not read as a database (garbage written
//! over it, a format this SQLite does not know, a schema made unreadable), or an earlier worker
//! stopped while it opened it. The workspace still opens, so the page always has something to
//! show; every answer says what is wrong (`Snapshot::damaged`), and only the repairs run: the
//! file downloaded as it is stored (Export .sqlite gives its raw bytes), a backup restored,
//! Reset, or a project or `.sqlite` file loaded in its place. Each repair builds and checks its
//! replacement first, exactly as over a sound database, and only then empties the damaged file
//! and copies the replacement in (`Workspace::adopt`); the damaged file is not kept as a backup,
//! since a backup holds a database and this one does not read as one: the download is how it is
//! kept.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::live;
use super::protocol::{Failure, Outcome, Request, Snapshot};
use super::Workspace;
use crate::error::sqlite_message;

impl Workspace {
    /// Whether the saved database cannot be used (see the module's comment).
    pub fn is_damaged(&self) -> bool {
        self.damaged.is_some()
    }

    /// The sentence the page shows for a damaged database.
    pub(super) fn damage_message(problem: &str) -> String {
        format!(
            "the saved database cannot be opened ({problem}); download it as it is stored, restore a backup or Reset to start again from the demo; nothing is changed until you choose"
        )
    }

    /// The answer to `request` while the database is damaged, or `None` when the request is a
    /// repair and runs as usual.
    pub(super) fn refuse_while_damaged(
        &mut self,
        request: &Request,
        problem: &str,
    ) -> Option<(Result<Outcome, Failure>, Option<String>)> {
        let refusal = || Err(Failure::from(Workspace::damage_message(problem)));
        Some(match request {
            Request::Reset
            | Request::Restore { .. }
            | Request::Load { .. }
            | Request::ImportSqlite { .. } => return None,
            Request::ExportSqlite => (
                live::raw_file_bytes(&self.conn)
                    .map(|bytes| Outcome::SqliteExported {
                        base64: STANDARD.encode(bytes),
                    })
                    .map_err(|e| Failure::from(format!("cannot read the saved file: {e}"))),
                None,
            ),
            Request::SaveModel { .. } => (
                Ok(Outcome::ModelNotKept(
                    "the saved database cannot be opened".to_owned(),
                )),
                None,
            ),
            // Background requests are always answered in their own kind (see
            // `Outcome::is_background`), failed.
            Request::Check { lesson, checks, .. } => (
                Ok(Outcome::Checked {
                    lesson: lesson.clone(),
                    passed: vec![false; checks.len()],
                }),
                None,
            ),
            Request::AppWrite { run, .. } => (
                Ok(Outcome::AppWrote {
                    run: *run,
                    version: 0,
                    error: Some(Workspace::damage_message(problem)),
                }),
                None,
            ),
            _ => (refusal(), None),
        })
    }

    /// What the panels get while the database is damaged: where it lives, what is wrong, and
    /// the backups, which are kept apart from it and can replace it.
    pub(super) fn damaged_snapshot(&self, problem: &str) -> Snapshot {
        Snapshot {
            storage: self.storage.clone(),
            damaged: Some(Workspace::damage_message(problem)),
            backups: self.backup_views().unwrap_or_default(),
            ..Snapshot::default()
        }
    }

    /// Empties the damaged file in place, once a checked replacement is ready to be copied over
    /// it, and reads nothing from it.
    pub(super) fn clear_damage(&mut self) -> Result<(), String> {
        live::wipe(&self.conn).map_err(|e| {
            format!(
                "cannot empty the damaged database file ({}); nothing was changed",
                sqlite_message(&e)
            )
        })?;
        self.damaged = None;
        Ok(())
    }
}
