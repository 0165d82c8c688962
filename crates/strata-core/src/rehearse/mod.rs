//! The rehearsal: the pending revisions run up, down and up again on a copy of the database,
//! with times, lock times, rows, content digests, sizes and checks per revision and direction,
//! and an estimate of each upgrade's duration on larger tables.
//!
//! Pure files (no connection): `report.rs` (the values reported), `compare.rs` (snapshots
//! compared, declared losses told from silent ones), `estimate.rs` (the line fitted through
//! timed runs). Connection files: `run.rs` (the copy, the passes, the snapshots), `scale.rs`
//! (generated rows and the timed runs of the estimate).
//!
//! **The rehearsal never touches the database it rehearses:** it runs on a connection the
//! caller made as a copy ([`copy`], SQLite's backup API) and only reads from the original.
//! What counts as declared: a loss that a revision's SQL says it makes, as
//! [`crate::loss::read`] reads it (the losses `strata upgrade` asks about, or that the file
//! accepts with `data-loss=accepted`). Any other change of the data that a down and up do
//! not give back is a silent loss, and fails the rehearsal.

mod compare;
mod estimate;
mod report;
mod run;
mod scale;

pub use compare::Declared;
pub use estimate::{fit, TRUSTED_REACH};
pub use report::*;
pub use run::{copy, rehearse, snapshot, Options, Progress, Size};

#[cfg(test)]
mod tests;
