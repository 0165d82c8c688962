//! Where a project's revisions are kept, and the one way a new revision is made.
//!
//! A [`RevisionStore`] loads, appends and removes revision files: [`FolderStore`] is the CLI's
//! migrations folder (one `<id>_<slug>.sql` file each), [`TableStore`] the playground's
//! `_strata_project` table inside the database the revisions describe, so that one file holds
//! both and they cannot drift apart.
//!
//! [`create_revision`] is what the CLI's `revision` and `merge`, the playground's Save revision
//! and Merge heads and the lessons' steps all call: it chooses the parents, gives the revision
//! its creation time and id, and keeps it only when it passes every check a stored revision
//! must ([`add_revision`]: no statement that breaks its transaction, a file that reads back as
//! the same revision, a graph that still holds together). Nothing is stored when a check fails.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use strata_core::atomicity::{self, Violations};
use strata_core::revision::{derive_id, Graph, Revision, RevisionError};
use strata_core::time::Timestamp;

use crate::error::sqlite_message;

/// Where the revisions of a project are kept.
pub trait RevisionStore {
    /// The stored revisions, in the order they were stored (parents before children).
    fn load(&self) -> Result<Vec<Revision>, StoreError>;
    /// Keeps `rev` after the others. Refuses, storing nothing, when its id is taken.
    fn append(&mut self, rev: &Revision) -> Result<(), StoreError>;
    /// Forgets revision `id`; nothing happens when it is not stored.
    fn remove(&mut self, id: &str) -> Result<(), StoreError>;
}

/// Why revisions could not be read or kept.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A stored file does not read as a revision. `place` names it (a file's path, or "saved
    /// revision 3").
    #[error("{place}: {cause}")]
    Unreadable { place: String, cause: RevisionError },
    /// Two stored files hold the same id.
    #[error("{first} and {second} both have id {id}; give each revision its own id")]
    SameId { id: String, first: String, second: String },
    /// A revision of this id is stored already; nothing was written.
    #[error("revision {id} is stored already ({place}); nothing was written")]
    Taken { id: String, place: String },
    /// The folder or a file could not be listed, read, created or removed.
    #[error("cannot {action} {}: {cause}", path.display())]
    Io { action: &'static str, path: PathBuf, cause: std::io::Error },
    /// SQLite refused reading or writing the project table.
    #[error("the project's revisions cannot be {action}: {}", sqlite_message(cause))]
    Sqlite { action: &'static str, cause: rusqlite::Error },
}

/// The CLI's migrations folder: every `*.sql` file in it is one revision, read in file-name
/// order.
pub struct FolderStore {
    dir: PathBuf,
}

impl FolderStore {
    pub fn new(dir: impl Into<PathBuf>) -> FolderStore {
        FolderStore { dir: dir.into() }
    }

    /// Where `rev` is (or would be) kept.
    pub fn path_of(&self, rev: &Revision) -> PathBuf {
        self.dir.join(rev.file_name())
    }

    /// Every revision with the file it was read from. A folder that does not exist holds none.
    pub fn files(&self) -> Result<Vec<(PathBuf, Revision)>, StoreError> {
        if !self.dir.is_dir() {
            return Ok(Vec::new());
        }
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map_err(io("list", &self.dir))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "sql"))
            .collect();
        paths.sort();
        let mut out: Vec<(PathBuf, Revision)> = Vec::new();
        for p in paths {
            let text = std::fs::read_to_string(&p).map_err(io("read", &p))?;
            let rev = Revision::parse(&text).map_err(|cause| StoreError::Unreadable { place: format!("revision file {}", p.display()), cause })?;
            if let Some((other, _)) = out.iter().find(|(_, r)| r.id == rev.id) {
                return Err(StoreError::SameId { id: rev.id, first: other.display().to_string(), second: p.display().to_string() });
            }
            out.push((p, rev));
        }
        Ok(out)
    }
}

impl RevisionStore for FolderStore {
    fn load(&self) -> Result<Vec<Revision>, StoreError> {
        Ok(self.files()?.into_iter().map(|(_, r)| r).collect())
    }

    /// Writes the revision's file, never over an existing one.
    fn append(&mut self, rev: &Revision) -> Result<(), StoreError> {
        if let Some((path, _)) = self.files()?.into_iter().find(|(_, r)| r.id == rev.id) {
            return Err(StoreError::Taken { id: rev.id.clone(), place: path.display().to_string() });
        }
        std::fs::create_dir_all(&self.dir).map_err(|cause| StoreError::Io { action: "create", path: self.dir.clone(), cause })?;
        let path = self.path_of(rev);
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&path).map_err(io("create (does it exist already?)", &path))?;
        std::io::Write::write_all(&mut f, rev.render().as_bytes()).map_err(io("write", &path))
    }

    fn remove(&mut self, id: &str) -> Result<(), StoreError> {
        for (path, _) in self.files()?.into_iter().filter(|(_, r)| r.id == id) {
            std::fs::remove_file(&path).map_err(|cause| StoreError::Io { action: "remove", path, cause })?;
        }
        Ok(())
    }
}

/// An I/O failure as a [`StoreError`] naming what was done to which path.
fn io<'p>(action: &'static str, path: &'p Path) -> impl FnOnce(std::io::Error) -> StoreError + 'p {
    move |cause| StoreError::Io { action, path: path.to_path_buf(), cause }
}

/// The name of the playground's project table.
pub const PROJECT_TABLE: &str = "_strata_project";

/// The project table: each revision's file, in the order the revisions were made.
pub const PROJECT_DDL: &str = "CREATE TABLE IF NOT EXISTS _strata_project (\n  position INTEGER PRIMARY KEY,\n  id TEXT NOT NULL UNIQUE,\n  file TEXT NOT NULL\n)";

/// The revisions kept in the database they describe, in [`PROJECT_TABLE`]. A database without
/// the table holds no revisions.
pub struct TableStore<'c> {
    conn: &'c Connection,
}

impl<'c> TableStore<'c> {
    pub fn new(conn: &'c Connection) -> TableStore<'c> {
        TableStore { conn }
    }

    /// The stored files as they are, in order (what a project export carries).
    pub fn files(&self) -> rusqlite::Result<Vec<String>> {
        let exists: bool =
            self.conn.query_row("SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = ?1", [PROJECT_TABLE], |row| row.get(0))?;
        if !exists {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare("SELECT file FROM _strata_project ORDER BY position")?;
        let rows = stmt.query_map([], |row| row.get(0))?;
        rows.collect()
    }
}

impl RevisionStore for TableStore<'_> {
    fn load(&self) -> Result<Vec<Revision>, StoreError> {
        self.files()
            .map_err(|cause| StoreError::Sqlite { action: "read", cause })?
            .iter()
            .enumerate()
            .map(|(i, file)| Revision::parse(file).map_err(|cause| StoreError::Unreadable { place: format!("saved revision {}", i + 1), cause }))
            .collect()
    }

    fn append(&mut self, rev: &Revision) -> Result<(), StoreError> {
        let write = |cause| StoreError::Sqlite { action: "saved", cause };
        self.conn.execute_batch(PROJECT_DDL).map_err(write)?;
        let taken: bool = self.conn.query_row("SELECT count(*) > 0 FROM _strata_project WHERE id = ?1", [&rev.id], |row| row.get(0)).map_err(write)?;
        if taken {
            return Err(StoreError::Taken { id: rev.id.clone(), place: PROJECT_TABLE.to_owned() });
        }
        self.conn
            .execute(
                "INSERT INTO _strata_project (position, id, file) VALUES ((SELECT coalesce(max(position), 0) + 1 FROM _strata_project), ?1, ?2)",
                [&rev.id, &rev.render()],
            )
            .map_err(write)?;
        Ok(())
    }

    fn remove(&mut self, id: &str) -> Result<(), StoreError> {
        if self.files().map_err(|cause| StoreError::Sqlite { action: "read", cause })?.is_empty() {
            return Ok(());
        }
        self.conn.execute("DELETE FROM _strata_project WHERE id = ?1", [id]).map_err(|cause| StoreError::Sqlite { action: "removed", cause })?;
        Ok(())
    }
}

/// Which revisions a new one builds on.
#[derive(Clone, Copy, Debug)]
pub enum Parents<'a> {
    /// The single head, or none for the first revision ([`Graph::next_parents`]).
    Head,
    /// The revision `spec` names (an id, a prefix, `head`): a branch starts there.
    On(&'a str),
    /// A merge of what `specs` name (`heads` for every head; [`Graph::merge_parents`]).
    Merge(&'a [String]),
}

/// What a new revision is made from besides its SQL.
#[derive(Clone, Copy, Debug)]
pub struct Draft<'a> {
    pub message: &'a str,
    pub parents: Parents<'a>,
    /// When it is made: its `created` time, and part of its id.
    pub now: Timestamp,
    /// An id chosen by the caller (a lesson's named revision); otherwise one is derived.
    pub id: Option<&'a str>,
}

/// Why a revision was not made. Nothing was stored either way.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CreateError {
    /// The parents cannot be chosen (several heads, no such revision, nothing to merge).
    #[error("{cause}; nothing was saved")]
    Parents { cause: RevisionError },
    /// A statement would break the revision's transaction.
    #[error("revision {id} was not saved: {cause}")]
    Unsafe { id: String, cause: Violations },
    /// Its file would not read back as the same revision.
    #[error("{cause}")]
    Unwritable { cause: RevisionError },
    /// It does not fit the graph (its id is taken, a parent is missing).
    #[error("revision {id} was not saved: {cause}")]
    Graph { id: String, cause: RevisionError },
    /// The store refused it.
    #[error("revision {id} was not saved: {cause}")]
    Store { id: String, cause: StoreError },
}

/// The id a revision gets unless it is given one: a digest of its parents, message, the moment
/// it was made (to the millisecond) and its SQL, so two revisions differ in id unless all of
/// them are the same.
pub fn new_id(parents: &[String], message: &str, now: Timestamp, rev: &Revision) -> String {
    derive_id(&format!("{}|{message}|{}|{}|{}", parents.join(","), now.0, rev.up, rev.down))
}

/// Makes a new revision on `graph` (the revisions `store` holds) and stores it: the parents
/// from `draft.parents`, `created` from `draft.now`, the id given or [`new_id`], the rest from
/// `make(parents, created)` (whatever id it gives is replaced). Returns the revision stored and
/// the graph with it.
pub fn create_revision(
    store: &mut dyn RevisionStore,
    graph: &Graph,
    draft: Draft,
    make: impl FnOnce(Vec<String>, &str) -> Revision,
) -> Result<(Revision, Graph), CreateError> {
    let parents = match draft.parents {
        Parents::Head => graph.next_parents(),
        Parents::On(spec) => graph.resolve(spec).map(|id| vec![id]),
        Parents::Merge(specs) => graph.merge_parents(specs),
    }
    .map_err(|cause| CreateError::Parents { cause })?;
    let created = draft.now.rfc3339();
    let rev = make(parents.clone(), &created);
    let id = match draft.id {
        Some(id) => id.to_owned(),
        None => new_id(&parents, draft.message, draft.now, &rev),
    };
    let rev = rev.with_id(&id);
    let graph = add_revision(store, graph, &rev)?;
    Ok((rev, graph))
}

/// Stores a revision made elsewhere (an imported file) after the checks every stored revision
/// passes: no statement that breaks its transaction (`atomicity::ensure`), a file that reads
/// back as the same revision (`Revision::to_file`), and a graph that holds together with it.
/// Returns the graph with it.
pub fn add_revision(store: &mut dyn RevisionStore, graph: &Graph, rev: &Revision) -> Result<Graph, CreateError> {
    check_revision(graph, rev).and_then(|graph| {
        store.append(rev).map_err(|cause| CreateError::Store { id: rev.id.clone(), cause })?;
        Ok(graph)
    })
}

/// The checks of [`add_revision`] without storing anything: the graph `rev` would make.
pub fn check_revision(graph: &Graph, rev: &Revision) -> Result<Graph, CreateError> {
    atomicity::ensure(rev).map_err(|cause| CreateError::Unsafe { id: rev.id.clone(), cause })?;
    rev.to_file().map_err(|cause| CreateError::Unwritable { cause })?;
    let mut all: Vec<Revision> = graph.revisions().cloned().collect();
    all.push(rev.clone());
    Graph::new(all).map_err(|cause| CreateError::Graph { id: rev.id.clone(), cause })
}

#[cfg(test)]
mod tests;
