//! The core's error type: every variant names what failed and where, and says whether anything
//! was changed.
//!
//! **A core error's message is whole: it includes the error it wraps, and `source()` is not
//! used.** The playground shows `to_string()` and the CLI prints a chain of causes; were a
//! cause both in the message and returned by `source()`, the CLI would print it twice ("step 5
//! …: step 5 …"). Wrapped errors therefore live in fields named `cause`, never `source`
//! (which thiserror would expose), and SQLite errors are converted by hand instead of `#[from]`.

use crate::model::sqlite_message;
use crate::parse::ParseError;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// SQLite rejected a statement of a model.
    #[error("model line {line}: {message}")]
    Model { line: usize, message: String },
    /// A model contains a statement that does not describe schema.
    #[error("model line {line}: `{statement}` is not schema; a model holds only CREATE TABLE, CREATE INDEX, CREATE VIEW and CREATE TRIGGER statements")]
    NotSchema { line: usize, statement: String },
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
