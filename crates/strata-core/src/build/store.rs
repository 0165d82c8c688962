//! Where schemas that histories build may be kept between runs, so an unchanged history is
//! replayed once. The caller provides the store (the CLI keeps one in `.strata/cache/`); the
//! core only names each history exactly, so a kept schema can never be stale for its key.

use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use crate::revision::Revision;
use crate::schema::Schema;

/// A place to keep schemas by key. Either method may fail silently: a store that forgets or
/// cannot write only costs a replay.
pub trait SchemaStore: Send + Sync {
    fn load(&self, key: &str) -> Option<Schema>;
    fn save(&self, key: &str, schema: &Schema);
}

static STORE: OnceLock<Box<dyn SchemaStore>> = OnceLock::new();

/// Installs the process's schema store. Only the first call counts; without one, every
/// history is replayed.
pub fn use_schema_store(store: Box<dyn SchemaStore>) {
    let _ = STORE.set(store);
}

pub(crate) fn store() -> Option<&'static dyn SchemaStore> {
    STORE.get().map(|b| b.as_ref())
}

/// The key of the schema `revisions` (in replay order) build: every revision's id and checksum
/// (which covers its whole file, up SQL and options included), the version table left out of
/// the schema, and the versions of strata and of SQLite, whose judgement and reading it holds.
pub(crate) fn history_key<'a>(revisions: impl IntoIterator<Item = &'a Revision>, version_table: &str) -> String {
    let (a, b, c) = crate::sqlite_version();
    let mut h = Sha256::new();
    h.update(format!("strata head schema 1\nstrata {}\nsqlite {a}.{b}.{c}\nversion table {version_table}\n", env!("CARGO_PKG_VERSION")));
    for r in revisions {
        h.update(format!("{}\n{}\n", r.id, r.checksum));
    }
    h.finalize().iter().map(|x| format!("{x:02x}")).collect()
}
