//! The vocabulary of lessons and exercises: the steps that build a lesson's starting state,
//! the conditions of its "done", the events its journal records and the goal's versions.
//! Lesson files spell these in TOML; the workspace runs and evaluates them.

use serde::{Deserialize, Serialize};

use super::views::Mark;
use crate::project::Project;
use crate::Rename;

/// One `schema_version` row of a lesson's goal, or one the live database has that the goal
/// does not: `Same` when it is applied as the goal wants, `Added` when the goal wants it and
/// it is not applied yet, `Removed` when it is applied and the goal does not want it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GoalVersion {
    pub version: String,
    pub description: String,
    pub mark: Mark,
}

/// One step of a lesson: how a lesson builds its starting state, and what "show me" does.
/// Lesson files spell these in TOML (`model = "..."`, `upgrade = "head"`), hence snake case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Empties the database and the project, so a lesson starts from nothing.
    Clear {},
    /// Sets the model the next steps use and the editor shows.
    Model(String),
    /// Sets the model as SQLModel classes (Python), shown in the editor's SQLModel tab. Lesson
    /// files whose `model_language` is `"sqlmodel"` write `model = "…"` and get this step.
    Sqlmodel(String),
    /// Replaces the down SQL of a pending revision (named by id or message) with `sql`, as a
    /// learner writes the rollback of a hand-written revision. It passes the checks every
    /// saved revision passes, and an applied revision is refused: its checksum is recorded.
    Down {
        revision: String,
        sql: String,
    },
    /// Autogenerates from the model and saves the result as a revision.
    Save {
        message: String,
        #[serde(default)]
        renames: Vec<Rename>,
        /// The revision to build on (an id, or a message of an existing revision); `None` is
        /// the single head.
        #[serde(default)]
        parent: Option<String>,
    },
    /// Adds a hand-written revision, as importing a numbered SQL file would.
    Revision {
        id: String,
        message: String,
        up: String,
        down: String,
    },
    Upgrade(String),
    Downgrade(String),
    /// Runs SQL as the console does: all of it, or none of it.
    Sql(String),
    /// Updates a table in batches of `batch` rows, each batch its own transaction, until no row
    /// matches `filter`; every batch adds a progress note.
    Backfill {
        table: String,
        set: String,
        filter: String,
        batch: u32,
    },
    /// Joins every head with a merge revision.
    Merge {
        message: String,
    },
    /// Copies the whole database into the backup store under `label`.
    Backup {
        label: String,
    },
    /// Keeps the whole database as an automatic backup labelled `label`, as a request that
    /// replaces the database does (a lesson's Start): only the newest few of each label stay.
    KeepBefore {
        label: String,
    },
    /// Puts back the newest backup called `label` in place of the database.
    Restore {
        label: String,
    },
    /// One write of the lesson's simulated app, as its timer would make it: the deployed
    /// version's write, a failure recorded in `app_errors` and failing the step. Lesson files
    /// write `app_write = {}`; `lessons::parse` fills in the lesson's `[app]`.
    AppWrite {
        #[serde(default)]
        deployed: String,
        #[serde(default)]
        writes: Vec<String>,
    },
    /// Replaces the database with a project, as a share link does (built aside, checked, then
    /// copied in, what it replaces kept as an automatic backup labelled "before exercise"): an
    /// exercise's start, which its Start and Restart put back.
    Load(Box<Project>),
    /// Runs a SQL file the way the guide's `migrate.sh` hands it to `psql` (`psql < file`,
    /// without `ON_ERROR_STOP`): the file's BEGIN…COMMIT makes it all or nothing, and an error
    /// rolls it back, is printed, and still ends with exit status 0, so a script with `set -e`
    /// goes on. The error is a note and a `step_failed` entry in the journal, never a failure
    /// of the steps.
    Psql(String),
    /// A line a simulated script prints (its `echo`), shown as a note.
    Echo(String),
    /// Forgets a pending revision (an id, or a message of an existing revision), as the
    /// revision's Discard button does.
    Discard(String),
    /// Rehearses the upgrade to a target on a copy of the database, as the Rehearse button
    /// does; the notes give each revision's class and time.
    Rehearse(String),
    /// Deploys version `n` of the lesson's simulated app (0 stops it), in the lesson's own
    /// record beside its journal, which a restore carries over as it does the journal: a
    /// restored database does not change which code is running.
    Deploy(u32),
    /// Runs a step whose failure is the point of the lesson ("show me" lets the learner see
    /// the upgrade fail): a failure becomes a note and the steps go on, recorded in the
    /// lesson's journal as any failure is. Lesson files write `try = { upgrade = "head" }`.
    Try(Box<Step>),
}

/// One condition of a lesson's "done", evaluated by the workspace without writing anything.
/// Lesson files spell them beside the check's text: `sql = "SELECT …"`, `applied = { contains
/// = ["…"] }`, `no_drift = {}`, `happened = { event = "upgrade_failed" }`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// A read-only query whose first value is truthy (not NULL, zero or empty).
    Sql(String),
    /// One applied revision's up SQL holds every fragment of `contains`, and no applied
    /// revision's up SQL holds any fragment of `lacks`. Fragments are compared as SQLite reads
    /// them, token by token (case, quoting and spacing aside), so `DROP COLUMN email` is not
    /// found in `DROP COLUMN email_address`.
    Applied {
        #[serde(default)]
        contains: Vec<String>,
        #[serde(default)]
        lacks: Vec<String>,
    },
    /// The live schema is exactly the one the applied revisions build: nothing was changed
    /// outside a revision (in the console, say). `except` names tables the lesson itself keeps
    /// outside revisions (a simulated app's own tables).
    NoDrift {
        #[serde(default)]
        except: Vec<String>,
    },
    /// `event` happened since the lesson was started, as the workspace's lesson journal
    /// recorded it; with `mentioning`, only an event whose detail contains that text counts.
    Happened {
        event: Event,
        #[serde(default)]
        mentioning: Option<String>,
    },
    /// Every revision's message says what it does: at least three words, two of them more
    /// than the vague words of `strata_core::message::vague` ("update", "changes", "fix").
    Descriptive {},
    /// The down SQL of `revision` (an id or a message), which must be applied, run on the live
    /// database inside a savepoint that is always rolled back: it must leave exactly the schema
    /// the revisions before it build, and `keeps` (a read-only query) must then be truthy.
    /// The rollback is judged by running it, never by reading it.
    /// `except` names tables kept outside revisions, as for `NoDrift`.
    Rollback {
        revision: String,
        keeps: String,
        #[serde(default)]
        except: Vec<String>,
    },
    /// The live schema (strata's own tables left out) is exactly the one `model` (SQL)
    /// describes, as the schema value compares them: an exercise's goal.
    Schema { model: String },
    /// A read-only query gives exactly these rows, each value as the grids show it (`NULL`,
    /// `4`, `ada@example.com`): an exercise's row check.
    Rows {
        sql: String,
        expect: Vec<Vec<String>>,
    },
    /// Where the next stage of a staged lesson begins. It holds once every stage before it has
    /// passed, in order; the conditions after it are evaluated only then, and a `happened`
    /// among them counts only what happened after the stage before it passed. A passed stage
    /// is kept in the lesson's journal, so it stays passed when its state is undone on purpose
    /// (a rename rolled back); the last stage is never kept, it is evaluated as it is now.
    Stage {},
}

impl crate::exercise::Exercise {
    /// The conditions of "done", each with the sentence the checklist shows: the goal schema,
    /// reached through revisions, then each row check.
    pub fn conditions(&self) -> Vec<(String, Condition)> {
        let mut conditions = vec![
            (
                "The database has the goal schema".to_owned(),
                Condition::Schema {
                    model: self.goal.clone(),
                },
            ),
            (
                "It got there through revisions: nothing was changed outside one (in the console, say)".to_owned(),
                Condition::NoDrift { except: Vec::new() },
            ),
        ];
        conditions.extend(self.checks.iter().map(|check| {
            (
                format!(
                    "{} gives {}",
                    check.sql.trim(),
                    crate::exercise::show_rows(&check.expect)
                ),
                Condition::Rows {
                    sql: check.sql.clone(),
                    expect: check.expect.clone(),
                },
            )
        }));
        conditions
    }
}

/// What the workspace records in a lesson's journal while a lesson is set up: things that
/// leave no trace in the schema or the rows, but that a lesson can be about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// An upgrade failed (and rolled back); the detail is its error.
    UpgradeFailed,
    /// An upgrade found nothing to run.
    NothingToUpgrade,
    /// A lesson step failed (a tool's script, say); the detail is its error.
    StepFailed,
    /// A downgrade reverted revisions; the detail names them (id and message).
    Downgraded,
    /// A stage of a staged lesson passed; the detail names the lesson and the stage. Checks
    /// write it, when the stage's conditions first hold.
    StagePassed,
    /// A rehearsal ran on a copy of the database; the detail says whether it passed and how
    /// each revision is classed.
    Rehearsed,
    /// A backup was taken by hand (or by a lesson's step); the detail is its label.
    BackedUp,
    /// A backup was put back in place of the database; the detail is its label. The journal
    /// itself is carried over the restore, so what happened before it still counts.
    Restored,
}
