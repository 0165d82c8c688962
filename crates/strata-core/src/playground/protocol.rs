//! The messages that cross between the page and the database worker.
//!
//! The page and the worker share no memory, so every request and reply is a plain
//! serde value sent as JSON text. Every reply carries a fresh [`Snapshot`], so the
//! live panels are always redrawn from what the database holds after the request,
//! never from what the page expects it to hold.

use serde::{Deserialize, Serialize};

use crate::answers::Decline;
use crate::error::Position;
use crate::project::{ModelLanguage, Project};
use crate::Rename;

pub use super::lesson_steps::*;
pub use super::views::*;

/// What the page asks the database worker to do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Reads the database as it is, for the first paint and after a reload.
    Open { browse: Option<String> },
    /// Runs the SQL console's statements in one transaction.
    Execute { sql: String, browse: Option<String> },
    /// Reads one table for the data grid.
    Browse { table: String },
    /// Throws the database away and rebuilds the demo project.
    Reset,
    /// Works out the migration from the project's head to the model (nothing is written).
    Autogenerate {
        model: String,
        renames: Vec<Rename>,
        browse: Option<String>,
        #[serde(default)]
        language: ModelLanguage,
        /// The revision the migration builds on; `None` is the single head.
        #[serde(default)]
        parent: Option<String>,
    },
    /// Autogenerates again and records the result as a new revision on top of the head. It is
    /// refused while a rename question has neither a yes (`renames`) nor a no (`declined`).
    SaveRevision {
        model: String,
        renames: Vec<Rename>,
        /// Rename questions the visitor answered no: the column or table really was dropped.
        #[serde(default)]
        declined: Vec<Decline>,
        message: String,
        browse: Option<String>,
        #[serde(default)]
        language: ModelLanguage,
        /// The revision the new one builds on; `None` is the single head. Building on an older
        /// revision starts a branch.
        #[serde(default)]
        parent: Option<String>,
    },
    /// Applies revisions up to a target (`head`, an id).
    Upgrade {
        target: String,
        browse: Option<String>,
        /// Whether the visitor has agreed to the data loss the upgrade reports. Without it an
        /// upgrade that throws data away only answers [`Outcome::ConfirmUpgrade`].
        #[serde(default)]
        confirmed: bool,
    },
    /// Reverts revisions down to a target (`-1`, `base`, an id). The playground allows data
    /// loss and reports what was lost (see ARCHITECTURE.md).
    Downgrade {
        target: String,
        browse: Option<String>,
        /// Whether the visitor has agreed to the data loss the downgrade reports. Without it a
        /// downgrade that throws data away only answers [`Outcome::ConfirmDowngrade`].
        #[serde(default)]
        confirmed: bool,
    },
    /// Records a merge revision joining every head (no SQL of its own).
    Merge {
        message: String,
        browse: Option<String>,
    },
    /// Simulates SQLModel's `create_all()` against the live database; `apply` runs what it would
    /// create, in one transaction.
    CreateAll {
        model: String,
        language: ModelLanguage,
        apply: bool,
        browse: Option<String>,
    },
    /// One revision as an Alembic script, PostgreSQL SQL or plain up/down SQL files.
    Export { id: String, format: ExportFormat },
    /// Every revision as a runnable Alembic project, zipped; with a SQLModel model the page's
    /// models file goes in beside `env.py` and gives Alembic its `target_metadata`.
    ExportAlembicProject {
        model: String,
        language: ModelLanguage,
    },
    /// Runs a lesson's steps in order (its setup, its "show me", or one of its tools), stopping
    /// at the first that fails.
    Steps {
        steps: Vec<Step>,
        browse: Option<String>,
    },
    /// Evaluates a lesson's checks against the database; nothing is written.
    Check {
        lesson: String,
        checks: Vec<Condition>,
        browse: Option<String>,
    },
    /// One write of a lesson's simulated app: `deployed` says which of `writes` the app runs
    /// now (1-based), and a failure is recorded in the database instead of failing the request.
    AppWrite {
        deployed: String,
        writes: Vec<String>,
        browse: Option<String>,
        /// Which run of the lesson's app sent it; the answer carries it back, so a write sent
        /// before a restart is not counted in the new run.
        run: u32,
    },
    /// Draws a lesson's goal: the schema `model` (SQL) describes, each part marked by how the
    /// live database still differs from it. Nothing is written; answers
    /// [`Outcome::LessonGoal`], a failure inside it.
    LessonGoal {
        lesson: String,
        model: String,
        /// The `schema_version` rows the goal ends with, each a revision's id or message, in
        /// the order they apply; empty when the lesson draws no target rows.
        #[serde(default)]
        versions: Vec<String>,
        browse: Option<String>,
    },
    /// A lesson's newest revision as the learner would commit it: its SQL beside its Alembic
    /// script. Nothing is written; answers [`Outcome::LessonCommit`], a failure inside it.
    LessonCommit {
        lesson: String,
        browse: Option<String>,
    },
    /// Replaces the whole database with a project, atomically: it is built aside and copied
    /// over only when every step succeeded. Answers [`Outcome::Loaded`].
    Load {
        project: Project,
        browse: Option<String>,
        /// Whether the project came in a share link (opened with the page) rather than a file;
        /// the backup of what it replaces is labelled accordingly.
        #[serde(default)]
        link: bool,
    },
    /// Opens an exercise from its link: the engine checks what the page could not (the goal
    /// parses, the start builds without drift and does not already have the goal schema, each
    /// row check only reads), then loads the start as a share link's project is loaded. Answers
    /// [`Outcome::ExerciseOpened`]; a refusal changes nothing.
    OpenExercise {
        exercise: Box<crate::exercise::Exercise>,
        browse: Option<String>,
    },
    /// Makes an exercise of the current project: the start is the database as it is (its
    /// revisions, what is applied, its rows), the goal the editor's model; `checks` are the
    /// teacher's row-check lines (`exercise::parse_check_lines`). Nothing is written; answers
    /// [`Outcome::ExerciseMade`].
    MakeExercise {
        model: String,
        language: ModelLanguage,
        title: String,
        text: String,
        checks: String,
    },
    /// Keeps the model editor's text in the database. Sent while the visitor types, so it is
    /// answered with [`Outcome::ModelSaved`] and an empty snapshot the page ignores.
    SaveModel {
        model: String,
        language: ModelLanguage,
    },
    /// The project for a file (`share: false`) or a share link: the page's model, the
    /// revisions, the newest applied revision and every row.
    ExportProject {
        model: String,
        language: ModelLanguage,
        share: bool,
    },
    /// The live database file.
    ExportSqlite,
    /// A SQLite file (standard base64) becomes the database, and its schema the baseline
    /// revision, recorded as applied.
    ImportSqlite {
        name: String,
        base64: String,
        browse: Option<String>,
    },
    /// Copies the database into the backup store (apart from the database).
    Backup { label: String },
    /// Puts a backup back in place of the database, atomically.
    Restore { id: String },
    /// Makes the worker panic, so the browser tests can check that a crash restarts it. The page
    /// sends it only when opened with `?test-hooks` and asked by the test.
    CrashForTest,
    /// Rehearses the upgrade to `target` (`head`, an id) as `strata rehearse` does: on a scratch
    /// copy of the database, every pending revision up, back down and up again, measured and
    /// compared. The database itself is only read. Answers [`Outcome::Rehearsed`].
    Rehearse { target: String },
    /// Forgets a pending revision that nothing builds on (a revision saved by mistake, or one
    /// that fails to apply), so the visitor can write it again. Answers [`Outcome::Discarded`].
    DiscardRevision { id: String, browse: Option<String> },
}

impl Request {
    /// The model text the request works on, if it carries one; its size is checked
    /// (`project::check_model_size`) before anything reads it.
    pub fn model(&self) -> Option<&str> {
        match self {
            Request::Autogenerate { model, .. }
            | Request::SaveRevision { model, .. }
            | Request::CreateAll { model, .. }
            | Request::ExportAlembicProject { model, .. }
            | Request::SaveModel { model, .. }
            | Request::ExportProject { model, .. }
            | Request::MakeExercise { model, .. } => Some(model),
            Request::Load { project, .. } => Some(&project.model),
            _ => None,
        }
    }
}

/// A request tagged with the number the page uses to match its reply.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    pub id: u32,
    pub body: T,
}

/// What the worker sends back: either what the page asked for, or a message from the worker
/// itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Message {
    /// The worker has opened the database and listens for requests.
    Booted,
    /// The answer to one request, boxed because it is much larger than the other messages.
    Reply(Box<Reply>),
    /// The database could not be opened at all; the page cannot do anything useful.
    Fatal { message: String },
    /// The worker is panicking: its last words, sent just before its module traps.
    Panicked { message: String },
    /// Sent by the page's own client, not the worker: the worker died and a new one took its
    /// place on the database as last saved. Replies to requests that were in flight never come.
    Restarted { message: String },
    /// Sent by the page's own client: the visitor cancelled long work, so the busy worker was
    /// stopped and a new one opened the database, whose unfinished transaction SQLite rolled
    /// back. Replies to requests that were in flight never come.
    Cancelled { message: String },
}

/// The answer to one request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// What the request produced, or why it failed (the database is then unchanged).
    pub outcome: Result<Outcome, Failure>,
    /// The database after the request.
    pub snapshot: Snapshot,
}

/// Why a request failed: the sentence the page shows, and where in the model text it points
/// when the model does not read, so the editor marks that line from the value itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    pub message: String,
    #[serde(default)]
    pub at: Option<Position>,
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure { message, at: None }
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Failure {
        message.to_owned().into()
    }
}

impl From<Failure> for String {
    fn from(failure: Failure) -> String {
        failure.message
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// What a successful request produced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Outcome {
    /// Nothing to report beyond the snapshot (open, browse).
    Done,
    /// The last statement of a console script returned rows.
    Rows(Grid),
    /// The console script changed the database; `rows` counts the rows its statements touched.
    Changed { statements: usize, rows: u64 },
    /// The migration from the head to the model.
    Autogenerated(Migration),
    /// A revision was added to the project.
    Saved { id: String },
    /// Revisions ran; `ids` in the order they ran, `losses` what they threw away.
    Migrated {
        up: bool,
        ids: Vec<String>,
        losses: Vec<String>,
    },
    /// A downgrade that would throw data away, not run: the page asks before it resends the
    /// request with `confirmed`.
    ConfirmDowngrade {
        target: String,
        ids: Vec<String>,
        losses: Vec<String>,
    },
    /// The same question for an upgrade that would throw data away (a dropped column that holds
    /// values, a DELETE that matches rows): not run until the request comes back `confirmed`.
    ConfirmUpgrade {
        target: String,
        ids: Vec<String>,
        losses: Vec<String>,
    },
    /// What `create_all()` would do (or did, when `applied`).
    CreateAll(CreateAllReport),
    /// A revision exported in another tool's format.
    Exported(ExportView),
    /// The Alembic project as a zip archive (standard base64), how many revisions it holds,
    /// and those whose SQL runs as written because it was written or edited by hand.
    AlembicProjectExported {
        base64: String,
        revisions: usize,
        verbatim: Vec<String>,
    },
    /// The model text could not be kept in the database (which is unchanged); the reason.
    ModelNotKept(String),
    /// A lesson's steps ran, up to the first that failed (`failed` says which and why; the
    /// steps before it stay done, as each migration commits on its own). `model` is the model
    /// text the steps left for the editor, `notes` what they had to say (a batched
    /// backfill's progress, for example).
    Stepped {
        model: Option<String>,
        /// The language `model` is written in (the editor's tab it goes in).
        #[serde(default)]
        language: ModelLanguage,
        notes: Vec<String>,
        failed: Option<String>,
    },
    /// Which of a lesson's checks pass, in the order they were asked.
    Checked { lesson: String, passed: Vec<bool> },
    /// One write of the simulated app: which run sent it, which version wrote, and why it
    /// failed if it did.
    AppWrote {
        run: u32,
        version: usize,
        error: Option<String>,
    },
    /// The database was replaced (project load, `.sqlite` import, restore, reset); the model
    /// goes into the editor. Open answers it too when the database keeps a model.
    Loaded {
        model: String,
        language: ModelLanguage,
        /// Sentences for the visitor about what the replacement kept: the automatic backup of
        /// what was replaced, revisions a restore kept as pending.
        #[serde(default)]
        notes: Vec<String>,
    },
    /// The database was replaced by one that keeps no model text (a backup taken before the
    /// model was kept), so the editor keeps its own; `notes` as for `Loaded`.
    Replaced { notes: Vec<String> },
    /// The model text was kept; the reply's snapshot is empty and not to be shown.
    ModelSaved,
    /// The project, for a file or (with `share`) a link.
    ProjectExported { project: Project, share: bool },
    /// The database file, in standard base64.
    SqliteExported { base64: String },
    /// A backup was stored under this id.
    BackedUp { id: String },
    /// Open's answer when the database keeps a model: it goes into the editor. Nothing was
    /// replaced, so the page has nothing to announce.
    Opened {
        model: String,
        language: ModelLanguage,
    },
    /// The rehearsal's report, exactly the values `strata rehearse --json` prints. The reply's
    /// snapshot is the database as it was: the rehearsal ran on a copy.
    Rehearsed(Box<crate::rehearse::Report>),
    /// A pending revision was forgotten (`id`); its SQL, for the visitor to reuse.
    Discarded {
        id: String,
        up: String,
        down: String,
    },
    /// An exercise link was opened: the database holds its start now (the model goes in the
    /// editor), and the page makes it the open lesson; `notes` as for `Loaded`.
    ExerciseOpened {
        exercise: Box<crate::exercise::Exercise>,
        notes: Vec<String>,
    },
    /// An exercise made of the current project, checked as a learner's page will check it.
    ExerciseMade {
        exercise: Box<crate::exercise::Exercise>,
    },
    /// A lesson's goal: its schema, marked where the live database differs (`Added`: the goal
    /// has it and the database does not yet; `Removed`: the database has it and the goal does
    /// not), `differs` counting the marked tables and columns. `error` says why the goal could
    /// not be drawn (the diagram is then empty).
    LessonGoal {
        lesson: String,
        diagram: Diagram,
        differs: usize,
        error: Option<String>,
        /// The target `schema_version` rows beside the live ones (see [`GoalVersion`]);
        /// `differs` counts those marked too.
        #[serde(default)]
        versions: Vec<GoalVersion>,
    },
    /// A lesson's newest revision as it would be committed (`None` while the project has no
    /// revision); `error` says why it could not be exported.
    LessonCommit {
        lesson: String,
        commit: Option<Box<crate::export::lesson::Commit>>,
        error: Option<String>,
    },
}

impl Outcome {
    /// Whether this answers a request the page sent in the background (a lesson's checks and
    /// its simulated app): such answers never make the page busy, and never come as `Err`.
    pub fn is_background(&self) -> bool {
        matches!(
            self,
            Outcome::Checked { .. }
                | Outcome::AppWrote { .. }
                | Outcome::LessonGoal { .. }
                | Outcome::LessonCommit { .. }
        )
    }

    /// A background answer turned into its failed form: no check passes, the write failed
    /// with `error`. Other answers are returned as they are.
    pub fn failed(self, error: String) -> Outcome {
        match self {
            Outcome::Checked { lesson, passed } => Outcome::Checked {
                lesson,
                passed: vec![false; passed.len()],
            },
            Outcome::AppWrote { run, version, .. } => Outcome::AppWrote {
                run,
                version,
                error: Some(error),
            },
            Outcome::LessonGoal { lesson, .. } => Outcome::LessonGoal {
                lesson,
                diagram: Diagram::default(),
                differs: 0,
                error: Some(error),
                versions: Vec::new(),
            },
            Outcome::LessonCommit { lesson, .. } => Outcome::LessonCommit {
                lesson,
                commit: None,
                error: Some(error),
            },
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_background_answers_take_a_failure_inside_them() {
        let checked = Outcome::Checked {
            lesson: "rename".into(),
            passed: vec![true, true],
        };
        assert!(checked.is_background());
        assert_eq!(
            checked.failed("gone".into()),
            Outcome::Checked {
                lesson: "rename".into(),
                passed: vec![false, false]
            }
        );
        let wrote = Outcome::AppWrote {
            run: 3,
            version: 2,
            error: None,
        };
        assert_eq!(
            wrote.failed("gone".into()),
            Outcome::AppWrote {
                run: 3,
                version: 2,
                error: Some("gone".into())
            }
        );
        assert!(!Outcome::Done.is_background());
        assert_eq!(Outcome::Done.failed("gone".into()), Outcome::Done);
    }
}
