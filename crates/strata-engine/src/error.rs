//! The core's error type: every variant names what failed and where, and says whether anything
//! was changed.
//!
//! **A core error's message is whole: it includes the error it wraps, and `source()` is not
//! used.** The playground shows `to_string()` and the CLI prints a chain of causes; were a
//! cause both in the message and returned by `source()`, the CLI would print it twice ("step 5
//! …: step 5 …"). Wrapped errors therefore live in fields named `cause`, never `source`
//! (which thiserror would expose), and SQLite errors are converted by hand instead of `#[from]`.

use strata_core::error::Position;
use strata_core::parse::ParseError;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// SQLite rejected a statement of a model; `at` is where (the token SQLite names, or the
    /// statement's start).
    #[error("model line {}: {message}", at.line)]
    Model { at: Position, message: String },
    /// A model contains a statement that does not describe schema.
    #[error("model line {}: `{statement}` is not schema; a model holds only CREATE TABLE, CREATE INDEX, CREATE VIEW and CREATE TRIGGER statements", at.line)]
    NotSchema { at: Position, statement: String },
    /// A model contains schema strata does not handle (a TEMP or VIRTUAL table).
    #[error("`{what}` (model line {}) is not supported", at.line)]
    NotInModel { at: Position, what: String },
    /// A CREATE statement stored in a database could not be read.
    #[error("cannot read the definition of {object}: {cause}")]
    Parse { object: String, cause: ParseError },
    /// Something strata does not handle yet, named precisely.
    #[error("{0} is not supported")]
    Unsupported(String),
    /// A statement of a plan failed; the transaction was rolled back.
    #[error("step {step} ({comment}) failed: {message}; the transaction was rolled back and no changes were applied\n  statement: {sql}")]
    Statement { step: usize, comment: String, sql: String, message: String },
    /// `PRAGMA foreign_key_check` found rows without parents after the plan ran.
    #[error("the migration would leave rows whose foreign keys have no parent ({details}); the transaction was rolled back and no changes were applied")]
    ForeignKeyCheck { details: String },
    /// A statement would break the transaction it runs in (see `atomicity`); it was not run.
    #[error("step {step} ({comment}) was not run: {reason}; no changes were applied\n  statement: {sql}")]
    Refused { step: usize, comment: String, sql: String, reason: String },
    /// A statement ran and left no transaction open, although nothing recognised it as
    /// transaction control: what ran before it was committed or rolled back by it.
    #[error("step {step} ({comment}) ended the transaction it ran in: the statements before it were committed or rolled back by it, those after it were not run and the version row was not written; compare the database with its revisions before going on\n  statement: {sql}")]
    TransactionEnded { step: usize, comment: String, sql: String },
    /// `PRAGMA quick_check` found problems after hand-written SQL ran.
    #[error("PRAGMA quick_check reports problems in the database after the statements ran ({details}); the transaction was rolled back and no changes were applied")]
    QuickCheck { details: String },
    /// A statement of a `no-transaction` section failed after others had committed.
    #[error("step {step} ({comment}) failed: {message}\n  statement: {sql}\nthis section runs without one transaction (no-transaction): {}; the revision is NOT recorded as applied; fix the cause and run it again: its statements run again from the first, so each must be safe to repeat", committed_list(committed))]
    PartlyCommitted { step: usize, comment: String, sql: String, message: String, committed: Vec<String> },
    /// Every statement of a `no-transaction` section committed, but the version row could not
    /// be written.
    #[error("every statement of this no-transaction section committed ({}), but {why}; the revision is NOT recorded as applied; running it again runs every statement again, so each must be safe to repeat", committed.join(", "))]
    NotRecorded { committed: Vec<String>, why: String },
    /// SQLite refused something outside a plan's statements (opening, locking, reading).
    #[error("sqlite: {}", sqlite_message(.0))]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Sqlite(e)
    }
}

impl Error {
    /// Where in the model text the error points, for an error of the SQL model front-end.
    pub fn position(&self) -> Option<Position> {
        match self {
            Error::Model { at, .. } | Error::NotSchema { at, .. } | Error::NotInModel { at, .. } => Some(*at),
            _ => None,
        }
    }

    /// SQLite's result code when SQLite refused something (`DatabaseBusy` when another
    /// connection held the lock past the busy timeout), so callers can say what to do.
    pub fn sqlite_code(&self) -> Option<rusqlite::ErrorCode> {
        match self {
            Error::Sqlite(e) => e.sqlite_error_code(),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What committed before a failure in a `no-transaction` section, in words.
fn committed_list(committed: &[String]) -> String {
    if committed.is_empty() {
        "nothing of it had committed before this step".into()
    } else {
        format!("{} committed before this step and stay committed", committed.join(", "))
    }
}

/// SQLite's own message, without rusqlite's wrapping.
pub(crate) fn sqlite_message(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(_, Some(msg)) => msg.clone(),
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        other => other.to_string(),
    }
}
