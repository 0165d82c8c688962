//! Where what histories build may be kept between runs, so that each revision is replayed once:
//! an unchanged history is not replayed at all, and a history that grew by a revision is
//! replayed from the last revision whose objects were kept. The caller provides the store (the
//! CLI keeps one in `.strata/cache/`); the core only names each history exactly, so a kept
//! value can never be stale for its key.

use std::sync::OnceLock;

use rusqlite::Connection;
use sha2::{Digest, Sha256};

pub use super::objects::KeptSchema;
use super::objects::Objects;
use strata_core::revision::Revision;
use strata_core::schema::Schema;

use crate::error::Error;
use crate::introspect::introspect_excluding;

/// A place to keep built histories by key. Either method may fail silently: a store that
/// forgets or cannot write only costs a replay.
pub trait SchemaStore: Send + Sync {
    fn load(&self, key: &str) -> Option<KeptSchema>;
    fn save(&self, key: &str, kept: &KeptSchema);
}

static STORE: OnceLock<Box<dyn SchemaStore>> = OnceLock::new();

/// Installs the process's schema store. Only the first call counts; without one, every
/// history is replayed.
pub fn use_schema_store(store: Box<dyn SchemaStore>) {
    let _ = STORE.set(store);
}

/// The store [`use_schema_store`] installed, if any.
pub(crate) fn installed() -> Option<&'static dyn SchemaStore> {
    STORE.get().map(|b| b.as_ref())
}

/// The key of every prefix of `revisions` (in replay order): the key after the `i`-th revision
/// names the ids and checksums (which cover each whole file, up SQL and options included) of
/// it and every revision before it, the version table left out of the schema, and the versions
/// of strata and of SQLite, whose judgement and reading it holds.
pub(crate) fn history_keys(revisions: &[&Revision], version_table: &str) -> Vec<String> {
    let (a, b, c) = crate::sqlite_version();
    let mut h = Sha256::new();
    h.update(format!("strata history 2\nstrata {}\nsqlite {a}.{b}.{c}\nversion table {version_table}\n", env!("CARGO_PKG_VERSION")));
    revisions
        .iter()
        .map(|r| {
            h.update(format!("{}\n{}\n", r.id, r.checksum));
            h.clone().finalize().iter().map(|x| format!("{x:02x}")).collect()
        })
        .collect()
}

/// The schema `revisions` build when run up in order from an empty database, leaving out the
/// objects on `version_table`. With a store, the replay starts after the longest
/// prefix of the history whose objects were kept, and what the whole history builds is kept in
/// turn. The grouped replay does the work; a small history replayed from the start, whatever
/// the grouping cannot do exactly, and every error run the whole history from the start with
/// `one_database`, which also gives the errors.
pub(crate) fn history_schema<E: From<Error>>(
    store: Option<&dyn SchemaStore>,
    revisions: &[&Revision],
    version_table: &str,
    one_database: impl FnOnce() -> Result<Connection, E>,
) -> Result<Schema, E> {
    let store = store.filter(|_| !revisions.is_empty());
    let keys = store.map(|_| history_keys(revisions, version_table)).unwrap_or_default();
    let mut objects = Objects::default();
    let mut start = 0;
    if let Some(s) = store {
        for (i, key) in keys.iter().enumerate().rev() {
            if let Some(kept) = s.load(key).and_then(|k| Objects::restore(k).ok()) {
                (objects, start) = (kept, i + 1);
                break;
            }
        }
    }
    if start == revisions.len() {
        return Ok(objects.into_schema(version_table));
    }
    let save = |objects: &Objects| {
        if let (Some(s), Some(key)) = (store, keys.last()) {
            s.save(key, &objects.keep());
        }
    };
    // A small history from the start is as fast in one database (see `SMALL_SQL`).
    let small = start == 0 && revisions.iter().map(|r| r.up.len()).sum::<usize>() <= super::SMALL_SQL;
    if !small && super::replay_onto(&mut objects, &revisions[start..]).is_ok() {
        save(&objects);
        return Ok(objects.into_schema(version_table));
    }
    let conn = one_database()?;
    let schema = introspect_excluding(&conn, &[version_table]).map_err(E::from)?;
    // Kept from the single database too, so that the revisions after these are not replayed
    // in one database again; a database strata cannot read back is simply not kept.
    if store.is_some() {
        if let Ok(objects) = Objects::of_database(&conn) {
            save(&objects);
        }
    }
    Ok(schema)
}
