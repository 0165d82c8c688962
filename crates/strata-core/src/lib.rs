//! strata-core: the schema-migration engine for SQLite shared by the CLI and the playground.
//!
//! Data flows one way: model text is parsed into a desired [`Schema`], a live database is
//! introspected into another, [`diff()`] says what differs, [`plan()`] says how to change it, and
//! the [`runner`] applies a plan. Only `introspect`, `model` and `runner` touch a connection.

mod build;
pub mod diff;
pub mod error;
pub mod export;
pub mod history;
pub mod import;
pub mod introspect;
pub mod lint;
pub mod migrate;
pub mod model;
pub mod parse;
pub mod plan;
pub mod render;
pub mod revision;
pub mod runner;
pub mod schema;
pub mod sql;
pub mod sqlmodel;
pub mod statement;

pub use diff::{diff, Change, Diff, RenameCandidate, TableChange};
pub use error::{Error, Result};
pub use introspect::{introspect, introspect_excluding};
pub use lint::{data_checks, lint, DataCheck, Finding, FindingKind};
pub use model::{from_sql, schema_from_sql, Model, Rename};
pub use plan::{plan, Plan, PlanOptions, Step};
pub use schema::Schema;

/// The version of the SQLite library this build links, as (major, minor, patch).
pub fn sqlite_version() -> (u32, u32, u32) {
    let n = rusqlite::version_number() as u32;
    (n / 1_000_000, n / 1000 % 1000, n % 1000)
}
