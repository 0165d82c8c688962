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
    /// A statement would break the transaction it runs in (see `atomicity`); it was not run.
    #[error("step {step} ({comment}) was not run: {reason}; no changes were applied\n  statement: {sql}")]
    Refused { step: usize, comment: String, sql: String, reason: String },
    /// A statement ran and left no transaction open, although nothing recognised it as
    /// transaction control: what ran before it was committed or rolled back by it.
    #[error("step {step} ({comment}) ended the transaction it ran in: the statements before it were committed or rolled back by it, those after it were not run and the version row was not written; compare the database with its revisions (`strata check`) before going on\n  statement: {sql}")]
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
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
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
