//! strata-core: the pure part of strata, shared by the CLI and the playground through
//! strata-engine. It never touches a database: it has no SQLite dependency at all, so it builds
//! for wasm32 without one, and that purity is a compile-time fact.
//!
//! Data flows one way: model text becomes a desired [`Schema`] (SQLModel classes here, SQL
//! through strata-engine's scratch database), [`diff()`] says what differs from another schema,
//! [`plan()`] says how to change it, and strata-engine's runner applies the plan. Revisions, their
//! graph and history, exports, projects, data-loss reading, the additive/breaking class of a
//! change and a rehearsal's report are values and text in, values and text out.

pub mod annotations;
pub mod answers;
pub mod atomicity;
pub mod classify;
pub mod diff;
pub mod error;
pub mod exercise;
pub mod export;
pub mod history;
pub mod import;
pub mod lint;
pub mod markdown;
pub mod loss;
pub mod message;
pub mod parse;
pub mod plan;
pub mod playground;
pub mod project;
pub mod rehearse;
pub mod render;
pub mod revision;
pub mod schema;
pub mod script;
pub mod sql;
pub mod sqlmodel;
pub mod statement;
pub mod time;
pub mod zip;
#[cfg(test)]
mod testing;

pub use diff::{diff, Change, Diff, Model, Rename, RenameCandidate, TableChange};
pub use lint::{data_checks, lint, DataCheck, Finding, FindingKind};
pub use plan::{plan, Plan, PlanOptions, Step};
pub use schema::Schema;
