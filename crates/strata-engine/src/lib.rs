//! strata-engine: the part of strata that touches a SQLite connection, on top of the pure
//! strata-core. It reads a live schema (`introspect`), turns SQL model text into a schema in a
//! scratch database (`model`), applies plans and revisions (`runner`, `migrate`) and counts what
//! a revision would throw away in a real database (`loss`), keeps revisions (`store`, with
//! `create_revision`, the one way a new revision is made), rehearses pending revisions on a copy
//! (`rehearse`), classes applied revisions additive or breaking by running them on a scratch
//! database (`revision_class`), and checks and restores backups (`backups`).
//!
//! Only this crate depends on rusqlite; the CLI and the playground reach SQLite through it (the
//! playground's worker opens the browser's database with the re-exported [`rusqlite`]).

pub mod backups;
pub mod budget;
mod build;
#[cfg(test)]
mod build_tests;
#[cfg(not(target_arch = "wasm32"))]
pub mod clock;
pub mod error;
pub mod introspect;
pub mod loss;
pub mod migrate;
pub mod model;
pub mod rehearse;
pub mod revision_class;
pub mod runner;
pub mod store;
pub mod transfer;
pub mod workspace;
#[cfg(test)]
mod test_support;

pub use error::{Error, Result};
pub use introspect::{introspect, introspect_excluding};
pub use model::{from_sql, schema_from_sql};
pub use rusqlite;

/// The version of the SQLite library this build links, as (major, minor, patch).
pub fn sqlite_version() -> (u32, u32, u32) {
    let n = rusqlite::version_number() as u32;
    (n / 1_000_000, n / 1000 % 1000, n % 1000)
}

#[cfg(test)]
mod tests {
    /// Plans assume a SQLite with every ALTER TABLE form (`strata_core::plan::MODERN_SQLITE`)
    /// unless told otherwise; the SQLite this crate links must be one.
    #[test]
    fn the_linked_sqlite_has_every_alter_table_form_plans_assume() {
        assert!(super::sqlite_version() >= strata_core::plan::MODERN_SQLITE, "{:?}", super::sqlite_version());
    }
}
