//! Whole databases in and out, for the playground's requests and the CLI's bridge to it:
//! projects built into databases and read back from them (`project`), rows dumped as SQL and
//! loaded with the triggers set aside (`rows`), an imported `.sqlite` file as a baseline
//! (`baseline`), scratch connections and the checks a database passes before it replaces a live
//! one (`scratch`), and the backup store (`backups`).
//!
//! **Anything that replaces a database is built completely in a scratch in-memory connection
//! (DEFENSIVE on, no ATTACH, so untrusted SQL reaches no other file) and checked first**; the
//! copy over the live database is one step ([`scratch::copy_over`]), so a failure leaves the live
//! database untouched.

pub mod backups;
pub mod baseline;
pub mod project;
pub mod rows;
pub mod scratch;
pub mod share;

pub use baseline::{baseline, BASELINE_ID};
pub use project::{build, check, database_of, project_of, Checked};

use crate::migrate::Options;
use crate::store::PROJECT_TABLE;

/// The strata-owned key/value table that keeps the model text beside the data, so a reload, a
/// backup and an exported `.sqlite` file all carry the model that goes with them.
pub const META_TABLE: &str = "_strata_meta";

pub const META_DDL: &str =
    "CREATE TABLE IF NOT EXISTS _strata_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)";

/// The tables that belong to strata rather than to the database's own schema: the version
/// table, the project's revisions and the model text.
pub fn strata_tables(version_table: &str) -> [&str; 3] {
    [version_table, PROJECT_TABLE, META_TABLE]
}

/// How a transfer applies revisions: into a database being built, where losing data is not a
/// question (there is none yet, or it is the point of the project's own revisions).
fn applying(version_table: &str) -> Options {
    Options {
        version_table: version_table.to_owned(),
        allow_data_loss: true,
    }
}
