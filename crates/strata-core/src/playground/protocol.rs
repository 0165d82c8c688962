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

/// How many rows a grid carries at most; the rest is counted, not sent.
pub const GRID_ROW_LIMIT: usize = 200;

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

/// One `schema_version` row of a lesson's goal, or one the live database has that the goal
/// does not: `Same` when it is applied as the goal wants, `Added` when the goal wants it and
/// it is not applied yet, `Removed` when it is applied and the goal does not want it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GoalVersion {
    pub version: String,
    pub description: String,
    pub mark: Mark,
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

/// The formats a revision exports to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Alembic,
    Postgres,
    Sql,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 3] = [
        ExportFormat::Alembic,
        ExportFormat::Postgres,
        ExportFormat::Sql,
    ];

    /// The word used in data-testids and file names.
    pub fn key(self) -> &'static str {
        match self {
            ExportFormat::Alembic => "alembic",
            ExportFormat::Postgres => "postgres",
            ExportFormat::Sql => "sql",
        }
    }

    /// The menu entry.
    pub fn label(self) -> &'static str {
        match self {
            ExportFormat::Alembic => "Alembic script",
            ExportFormat::Postgres => "PostgreSQL SQL",
            ExportFormat::Sql => "Plain SQL files",
        }
    }
}

/// An exported revision: the files it makes and the notes that go with them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportView {
    pub id: String,
    pub format: ExportFormat,
    pub files: Vec<ExportFile>,
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportFile {
    pub name: String,
    pub text: String,
}

/// `create_all()` against the live database: the tables it creates and what it passes over.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CreateAllReport {
    pub created: Vec<String>,
    pub statements: Vec<String>,
    /// Every difference it leaves as it is, one sentence each.
    pub skipped: Vec<String>,
    /// Whether the statements were run.
    pub applied: bool,
}

/// An autogenerated migration as the Migration column shows it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Migration {
    /// One line per change, in plan order.
    pub changes: Vec<String>,
    pub findings: Vec<LintBadge>,
    /// Renames the diff could offer; each is confirmed by the visitor, never guessed.
    pub candidates: Vec<Candidate>,
    pub up_sql: String,
    pub down_sql: String,
    /// How long autogenerate took in the worker, in milliseconds.
    pub millis: f64,
    /// The head's schema and the model's in one picture, what differs marked.
    pub diagram: Diagram,
}

/// What the schema diagram draws: tables, their columns, and which tables they refer to.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Diagram {
    pub tables: Vec<DiagramTable>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiagramTable {
    pub name: String,
    pub status: Mark,
    pub columns: Vec<DiagramColumn>,
    /// The tables its foreign keys refer to.
    pub refs: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiagramColumn {
    pub name: String,
    pub decl_type: String,
    pub status: Mark,
}

/// How a part of the diagram compares with the head revision's schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mark {
    Same,
    Added,
    Removed,
    Changed,
}

impl Mark {
    /// The CSS class and the word a legend uses.
    pub fn label(self) -> &'static str {
        match self {
            Mark::Same => "same",
            Mark::Added => "added",
            Mark::Removed => "removed",
            Mark::Changed => "changed",
        }
    }
}

/// One lint finding: its kind (`destructive`, `data-dependent`, `rebuild`, `rename`), what it
/// says and what to do instead.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LintBadge {
    pub kind: String,
    pub change: usize,
    pub message: String,
    pub advice: String,
    /// The rows of the live database the finding concerns, when they were counted.
    #[serde(default)]
    pub rows: Option<u64>,
}

/// A rename the diff offers, with the question to ask: the core's own value, so the page
/// asks the core which questions are still open.
pub use crate::RenameCandidate as Candidate;

/// One revision of the project, and whether the database has applied it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RevisionView {
    pub id: String,
    pub parents: Vec<String>,
    pub message: String,
    pub up: String,
    pub down: String,
    pub applied: bool,
    /// Both directions run in one transaction each (no `no-transaction` section).
    pub atomic: bool,
    /// Additive or breaking for an app that keeps running while it upgrades, with a reason per
    /// thing it does (what `strata history` prints). `None` when it could not be worked out.
    #[serde(default)]
    pub class: Option<crate::classify::Classification>,
}

/// The parts of the database the live panels show.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub storage: Storage,
    pub tables: Vec<TableSummary>,
    /// The `schema_version` table, if the database has one.
    pub schema_version: Option<Grid>,
    /// The table shown in the data grid, if it still exists.
    pub browsed: Option<Browsed>,
    /// The project's revisions, parents before children.
    pub revisions: Vec<RevisionView>,
    /// The live schema (strata's own tables left out).
    pub diagram: Diagram,
    /// The stored backups, newest first.
    #[serde(default)]
    pub backups: Vec<BackupView>,
    /// Why the saved database cannot be used, when it cannot: the page then offers the repairs
    /// (download the file as stored, restore a backup, Reset) and the other panels are empty.
    #[serde(default)]
    pub damaged: Option<String>,
}

/// One stored backup of the whole database.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BackupView {
    pub id: String,
    pub label: String,
    /// When it was taken, `YYYY-MM-DD HH:MM:SS` UTC.
    pub created: String,
    /// The size of the database file it holds.
    pub bytes: u64,
    /// Taken by the playground before a request replaced the database (not by the visitor):
    /// such backups are dropped once newer ones of the same label replace them.
    #[serde(default)]
    pub automatic: bool,
}

/// One table of the database and how many rows it holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TableSummary {
    pub name: String,
    pub rows: u64,
}

/// The rows of one table, for the data grid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Browsed {
    pub table: String,
    pub grid: Grid,
}

/// Where the database lives, so the page can say whether a reload keeps it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum Storage {
    /// In the origin private file system: it survives a reload.
    Opfs,
    /// In memory, because persistent storage could not be opened; the reason says why.
    Memory { reason: String },
    /// Not known yet.
    #[default]
    Unknown,
}

/// A result set: column names and rows of cells.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// How many rows there were in all, including those beyond [`GRID_ROW_LIMIT`].
    pub total: u64,
}

/// One value of a result set, as SQLite typed it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Cell {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    /// A blob is shown by its size, not its bytes.
    Blob(usize),
}

impl Cell {
    /// The text a grid shows for this value.
    pub fn display(&self) -> String {
        match self {
            Cell::Null => "NULL".to_owned(),
            Cell::Integer(i) => i.to_string(),
            Cell::Real(r) => r.to_string(),
            Cell::Text(t) => t.clone(),
            Cell::Blob(n) => format!("<{n} bytes>"),
        }
    }
}

impl Grid {
    /// The cells of the named column, in row order.
    pub fn column(&self, name: &str) -> Option<Vec<&Cell>> {
        let index = self.columns.iter().position(|c| c == name)?;
        Some(self.rows.iter().map(|row| &row[index]).collect())
    }
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
