//! The rehearsal: the pending revisions run up, down and up again on a copy of the database,
//! with times, lock times, rows, content digests, sizes and checks per revision and direction,
//! and an estimate of each upgrade's duration on larger tables.
//!
//! The values reported, the comparison of snapshots and the estimate's fitted line are pure and
//! live in strata-core's `rehearse` (re-exported here); this side holds what needs a
//! connection: `run.rs` (the copy, the passes, the snapshots) and `scale.rs` (generated rows and
//! the timed runs of the estimate).
//!
//! **The rehearsal never touches the database it rehearses:** it runs on a connection the
//! caller made as a copy ([`copy`], SQLite's backup API) and only reads from the original.
//! What counts as declared: a loss that a revision's SQL says it makes, as
//! [`strata_core::loss::read`] reads it (the losses `strata upgrade` asks about, or that the file
//! accepts with `data-loss=accepted`). Any other change of the data that a down and up do
//! not give back is a silent loss, and fails the rehearsal.

mod run;
mod scale;

pub use strata_core::rehearse::*;
pub use run::{copy, rehearse, snapshot, Options, Progress};

#[cfg(test)]
mod tests;
