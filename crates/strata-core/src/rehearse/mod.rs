//! The pure half of the rehearsal (strata-engine's `rehearse` runs it on a copy of the
//! database): the values a rehearsal reports (`report.rs`), snapshots compared and declared
//! losses told from silent ones (`compare.rs`), and the line fitted through timed runs that
//! estimates an upgrade's duration on larger tables (`estimate.rs`). Nothing here touches a
//! connection.

pub mod compare;
pub mod estimate;
mod report;

pub use compare::Declared;
pub use estimate::{fit, Size, TRUSTED_REACH};
pub use report::*;
