//! Pure side (no connection): the values a rehearsal reports, the same for the CLI's text and
//! `--json` and for the playground. Serialized as they are: the JSON is the report.

use serde::{Deserialize, Serialize};

use crate::classify::Classification;
use crate::loss::Loss;
use crate::revision::Direction;
use crate::schema::Schema;

/// Which pass of the rehearsal a step belongs to: every pending revision up, then each back
/// down (children first), then up again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pass {
    Up,
    Down,
    UpAgain,
}

impl Pass {
    pub fn direction(self) -> Direction {
        match self {
            Pass::Down => Direction::Down,
            Pass::Up | Pass::UpAgain => Direction::Up,
        }
    }

    /// `up`, `down`, `up again`.
    pub fn label(self) -> &'static str {
        match self {
            Pass::Up => "up",
            Pass::Down => "down",
            Pass::UpAgain => "up again",
        }
    }
}

/// The whole rehearsal.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The revisions rehearsed, in the order they apply.
    pub revisions: Vec<RevisionReport>,
    /// Every step that ran, in the order it ran.
    pub steps: Vec<StepReport>,
    /// The size of the database (of its copy) before anything ran, in bytes.
    pub size_before: u64,
    /// Rows of every table before anything ran.
    pub rows_before: Vec<TableRows>,
    /// The step that failed; the rehearsal stopped there.
    pub failure: Option<StepFailure>,
    /// Everything that makes the rehearsal fail besides a failing step.
    pub problems: Vec<Problem>,
}

impl Report {
    /// Whether the revisions passed: no step failed and nothing went wrong.
    pub fn passed(&self) -> bool {
        self.failure.is_none() && self.problems.is_empty()
    }

    /// The steps of one revision, in the order they ran.
    pub fn steps_of<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a StepReport> + 'a {
        self.steps.iter().filter(move |s| s.revision == id)
    }
}

/// One revision of the rehearsal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RevisionReport {
    pub id: String,
    pub message: String,
    /// Additive or breaking for the app that keeps running while it applies.
    pub class: Classification,
    /// What its up and its down SQL say they throw away (read from the SQL).
    pub declares_up: Vec<String>,
    pub declares_down: Vec<String>,
    /// What the duration of its upgrade will be on a larger table (`--rows`, `--scale`).
    pub estimate: Option<Estimate>,
    /// Why there is no estimate, when one was asked for.
    pub estimate_note: Option<String>,
}

/// One revision run one way, on the copy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    pub revision: String,
    pub pass: Pass,
    pub direction: Direction,
    /// From the start of the revision to the end of its commit.
    pub wall_ms: f64,
    /// How long the write lock was held in one go: from the first statement to the end of the
    /// commit (the lock is taken just before, to read the version table); for a
    /// `no-transaction` section, the longest of its transactions.
    pub lock_ms: f64,
    pub size_before: u64,
    pub size_after: u64,
    /// Rows of every table before and after (`None` where the table does not exist).
    pub rows: Vec<TableRows>,
    /// `PRAGMA integrity_check` after the step: `["ok"]` when the database is sound.
    pub integrity: Vec<String>,
    /// Rows `PRAGMA foreign_key_check` reports after the step, and before it.
    pub foreign_key_violations: u64,
    pub foreign_key_violations_before: u64,
    /// What it threw away, counted in the copy just before it ran (its SQL declares all of
    /// these; `accepted` when its file says the author accepted them).
    pub losses: Vec<StepLoss>,
    /// For the down pass, differences from the database before the first up; for the up-again
    /// pass, from the database after the first up. Empty in the first pass.
    pub mismatches: Vec<Mismatch>,
}

/// A table's rows before and after a step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableRows {
    pub table: String,
    pub before: Option<u64>,
    pub after: Option<u64>,
}

/// A loss a step's SQL declares, counted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepLoss {
    pub loss: Loss,
    pub accepted: bool,
}

/// Something that is not as it should be after a step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    pub table: String,
    /// The column whose values differ; `None` for the table as a whole.
    pub column: Option<String>,
    pub kind: MismatchKind,
    /// The revision whose SQL declares this loss (`id: what it says`), when one does.
    pub declared_by: Option<String>,
    /// The same difference was already there before this step (it comes from an earlier one).
    pub inherited: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MismatchKind {
    /// The values of a column differ (content digests).
    Values { expected: String, got: String },
    /// The number of rows differs.
    Rows { expected: u64, got: u64 },
    /// The same rows, but their values are paired differently (the row digests differ while
    /// every column's does not).
    Pairing,
    /// The schema differs: one line per change that would make it the expected one.
    Schema { changes: Vec<String> },
}

impl Mismatch {
    /// `users.name: values differ` and the like, for messages.
    pub fn describe(&self) -> String {
        let at = match &self.column {
            Some(c) => format!("{}.{c}", self.table),
            None => self.table.clone(),
        };
        match &self.kind {
            MismatchKind::Values { .. } => format!("{at}: its values differ (content digest)"),
            MismatchKind::Rows { expected, got } => format!("{at}: {got} rows instead of {expected}"),
            MismatchKind::Pairing => format!("{at}: the same values, but paired into rows differently"),
            MismatchKind::Schema { changes } => format!("the schema differs: {}", changes.join("; ")),
        }
    }
}

/// A step that failed: the revision, the statement and SQLite's message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepFailure {
    pub revision: String,
    pub message: String,
    pub pass: Pass,
    pub direction: Direction,
    /// The statement's number in its section (1-based) and its label, when a statement failed.
    pub step: Option<usize>,
    pub label: Option<String>,
    pub statement: Option<String>,
    /// SQLite's message, or strata's check that refused the step.
    pub error: String,
}

/// Why a rehearsal fails, apart from a failing step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub revision: String,
    pub pass: Pass,
    pub kind: ProblemKind,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// Data changed or disappeared and no statement of the revisions declares it.
    UndeclaredLoss,
    /// Down and up again did not give back the schema.
    SchemaNotRestored,
    /// `PRAGMA integrity_check` found problems.
    Integrity,
    /// Rows without a parent appeared.
    ForeignKeys,
}

/// The duration estimate of one revision's upgrade on a larger table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The tables that were given generated rows (those the revision reads or changes).
    pub tables: Vec<String>,
    /// The number of rows the estimate is for, per table.
    pub rows: Vec<u64>,
    /// The estimated time of the upgrade, in milliseconds.
    pub millis: f64,
    /// The timed runs it rests on.
    pub samples: Vec<Sample>,
    /// The line fitted through them: `fixed_ms + per_row_ms × rows`.
    pub fixed_ms: f64,
    pub per_row_ms: f64,
    /// The largest relative distance of a sample from the line.
    pub worst_fit: f64,
    /// How far beyond the largest sample the estimate reaches (the rows estimated for divided
    /// by the largest sample's).
    pub reach: f64,
    /// How it was measured and how far to trust it, in a sentence.
    pub trust: String,
}

/// One timed run on generated rows.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Rows in the largest generated table.
    pub rows: u64,
    pub millis: f64,
}

/// What a database holds, as far as a rehearsal compares it: its schema and, per table, rows
/// and content digests. Digests are order-free sums of SHA-256 values, so rows that come back
/// in another order (a rebuild) compare equal while any changed value does not.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub schema: Schema,
    pub tables: Vec<TableState>,
    pub size: u64,
    pub integrity: Vec<String>,
    pub foreign_key_violations: u64,
}

impl Snapshot {
    pub fn table(&self, name: &str) -> Option<&TableState> {
        self.tables.iter().find(|t| t.name.eq_ignore_ascii_case(name))
    }

    /// Rows per table.
    pub fn rows(&self) -> Vec<TableRows> {
        self.tables.iter().map(|t| TableRows { table: t.name.clone(), before: Some(t.rows), after: Some(t.rows) }).collect()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableState {
    pub name: String,
    pub rows: u64,
    /// Each column's digest, in the table's column order.
    pub columns: Vec<(String, String)>,
    /// The digest of whole rows (columns taken by name, so their order does not matter).
    pub row_digest: String,
}

impl TableState {
    pub fn column(&self, name: &str) -> Option<&str> {
        self.columns.iter().find(|(c, _)| c.eq_ignore_ascii_case(name)).map(|(_, d)| d.as_str())
    }
}
