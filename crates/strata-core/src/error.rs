//! The core's error type: every variant names what failed and where, and says whether anything
//! was changed.

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
    #[error("cannot read the definition of {object}: {source}")]
    Parse {
        object: String,
        #[source]
        source: ParseError,
    },
    /// Something strata does not handle yet, named precisely.
    #[error("{0} is not supported")]
    Unsupported(String),
    /// A statement of a plan failed; the transaction was rolled back.
    #[error("step {step} ({comment}) failed: {message}; the transaction was rolled back and no changes were applied\n  statement: {sql}")]
    Statement { step: usize, comment: String, sql: String, message: String },
    /// `PRAGMA foreign_key_check` found rows without parents after the plan ran.
    #[error("the migration would leave rows whose foreign keys have no parent ({details}); the transaction was rolled back and no changes were applied")]
    ForeignKeyCheck { details: String },
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
