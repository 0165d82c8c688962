//! The two things a lesson does with one revision beyond the playground's buttons: showing
//! the newest revision as the learner would commit it (strata's SQL beside the Alembic script,
//! made by strata-core's exporter), and rewriting the down SQL of a pending revision, which is
//! how a learner writes the rollback of a hand-written revision.

use strata_core::export::lesson::commit;
use strata_core::revision::Revision;

use super::super::{sqlite_message, Workspace, VERSION_TABLE};
use crate::migrate;
use crate::workspace::protocol::Outcome;

impl Workspace {
    /// The project's newest revision as a commit (none while there is no revision). Like the
    /// goal, a background request: a revision that cannot be exported answers with the reason,
    /// never `Err`.
    pub(in crate::workspace) fn lesson_commit(&self, lesson: String) -> Outcome {
        let Some(newest) = self.revisions.last() else {
            return Outcome::LessonCommit {
                lesson,
                commit: None,
                error: None,
            };
        };
        let made = self.graph().and_then(|graph| {
            let applied = self.applied_ids().contains(&newest.id);
            let replay = migrate::Replay {
                version_table: VERSION_TABLE,
            };
            commit(&graph, &newest.id, applied, &replay).map_err(|e| e.to_string())
        });
        match made {
            Ok(made) => Outcome::LessonCommit {
                lesson,
                commit: Some(Box::new(made)),
                error: None,
            },
            Err(error) => Outcome::LessonCommit {
                lesson,
                commit: None,
                error: Some(format!("the revision cannot be exported: {error}")),
            },
        }
    }

    /// Replaces the down SQL of pending revision `id` with `sql`. The revision keeps its id,
    /// parents, message and up SQL, and passes the checks every saved revision passes first
    /// (no statement that breaks its transaction). An applied revision is refused: its file's
    /// checksum is recorded in `schema_version`, and changing the file would make it "edited".
    pub(in crate::workspace) fn rewrite_down(&mut self, id: &str, sql: &str) -> Result<(), String> {
        let index = self
            .revisions
            .iter()
            .position(|r| r.id == id)
            .ok_or_else(|| format!("there is no revision {id}; nothing was changed"))?;
        if self.applied_ids().contains(id) {
            return Err(format!(
                "revision {id} is applied, and schema_version keeps the checksum of its file: \
                 write its down SQL before you upgrade (Restart the lesson to begin again); nothing was changed"
            ));
        }
        let old = &self.revisions[index];
        let mut rev = Revision::new(
            &old.id,
            old.parents.clone(),
            &old.message,
            &old.created,
            &old.up,
            sql,
        );
        rev.up_options = old.up_options;
        strata_core::atomicity::ensure(&rev)
            .map_err(|e| format!("the down SQL of revision {id} was not saved: {e}"))?;
        let file = rev
            .to_file()
            .map_err(|e| format!("the down SQL of revision {id} was not saved: {e}"))?;
        let rev = Revision::parse(&file)
            .map_err(|e| format!("the down SQL of revision {id} was not saved: {e}"))?;
        self.conn
            .execute(
                "UPDATE _strata_project SET file = ?2 WHERE id = ?1",
                [id, file.as_str()],
            )
            .map_err(|e| {
                format!(
                    "the down SQL of revision {id} was not saved ({}); nothing was changed",
                    sqlite_message(&e)
                )
            })?;
        self.revisions[index] = rev;
        Ok(())
    }
}
