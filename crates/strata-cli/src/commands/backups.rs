//! `strata backups` and `strata restore`: the backups `--backup` (and `restore` itself) wrote
//! beside the database, listed with the revision each holds; and one of them put back by the
//! core's restore, which checks it, holds the write lock and keeps the current database first.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use strata_engine::backups::{self, RestoreError};
use strata_core::revision::Graph;

use crate::args::{BackupsArgs, RestoreArgs};
use crate::config::Project;
use crate::output::{json, paint, BAD, BOLD, DIM, OK, WARN};
use crate::{backup, failure, interrupt};

#[derive(Serialize)]
struct Listed {
    file: String,
    path: String,
    taken: String,
    size: u64,
    /// The revisions the backup is at (empty: base); `None` when it cannot be read.
    at: Option<Vec<String>>,
    /// Every backup strata writes passed `PRAGMA integrity_check` before it got its name.
    checked_when_written: bool,
    /// With `--verify`: `PRAGMA integrity_check` now (`["ok"]` when sound).
    integrity_now: Option<Vec<String>>,
}

pub fn list(project: &Project, args: &BackupsArgs) -> Result<ExitCode> {
    let revs = project.revisions()?;
    let (found, unfinished) = backup::list(&project.database)?;
    let mut out = Vec::new();
    let mut damaged = false;
    for f in found {
        let conn = open_backup(&f.path);
        let at = conn.as_ref().ok().and_then(|c| backups::revisions_at(c, &revs.graph, project.version_table()).ok());
        let integrity_now = if args.verify {
            Some(match &conn {
                Ok(c) => backups::integrity(c).unwrap_or_else(|e| vec![e.to_string()]),
                Err(e) => vec![format!("{e:#}")],
            })
        } else {
            None
        };
        damaged |= integrity_now.as_ref().is_some_and(|v| v != &["ok"]);
        out.push(Listed { file: f.name, path: f.path.display().to_string(), taken: f.taken, size: f.size, at, checked_when_written: true, integrity_now });
    }
    if args.json {
        json(&out)?;
    } else if out.is_empty() {
        anstream::println!("No backups of {} yet; `strata upgrade --backup` takes one before it migrates.", project.database.display());
    } else {
        anstream::println!("Backups of {}, newest first:", project.database.display());
        for l in &out {
            let at = match &l.at {
                Some(ids) => at_words(ids, &revs.graph),
                None => paint(WARN, "unreadable"),
            };
            let check = match &l.integrity_now {
                None => paint(DIM, "checked when written"),
                Some(v) if v == &["ok"] => paint(OK, "integrity ok now"),
                Some(v) => paint(BAD, format!("DAMAGED: {}", v.join("; "))),
            };
            anstream::println!("  {}  {}  at {at}  {}  {check}", paint(BOLD, &l.file), l.taken, super::rehearse::bytes(l.size));
        }
    }
    for u in &unfinished {
        anstream::eprintln!(
            "{} {} is an unfinished copy (a backup that was interrupted, or one being written now), not a backup",
            paint(DIM, "note:"),
            u.display()
        );
    }
    Ok(if damaged { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// `r2 (contact details)`, `base`, or several heads joined.
fn at_words(ids: &[String], graph: &Graph) -> String {
    if ids.is_empty() {
        return "base".into();
    }
    ids.iter()
        .map(|id| match graph.get(id).map(|r| r.message.as_str()).filter(|m| !m.is_empty()) {
            Some(m) => format!("{id} ({m})"),
            None => id.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A backup opened to read it, never to write it.
fn open_backup(path: &Path) -> Result<Connection> {
    Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .with_context(|| format!("cannot open the backup {}", path.display()))
}

/// The backup the user named: a path as given, or a file name beside the database.
fn find(project: &Project, named: &Path) -> Result<PathBuf> {
    if named.is_file() {
        return Ok(named.to_path_buf());
    }
    let beside = project.database.with_file_name(named.file_name().unwrap_or_default());
    if named.components().count() == 1 && beside.is_file() {
        return Ok(beside);
    }
    bail!(
        "there is no backup {}: it is neither a file nor a backup beside {} (`strata backups` lists them); nothing was changed",
        named.display(),
        project.database.display()
    )
}

pub fn restore(project: &Project, args: &RestoreArgs) -> Result<ExitCode> {
    let revs = project.revisions()?;
    let path = find(project, &args.backup)?;
    let existed = project.database.exists();
    if existed && same_file(&path, &project.database) {
        return Err(failure::usage(format!("{} is the database itself, not a backup of it; nothing was changed", path.display())));
    }
    let source = open_backup(&path)?;
    // A file that is no SQLite database (or whose version table is not strata's) is refused
    // before the database is even opened for writing.
    backups::revisions_at(&source, &revs.graph, project.version_table())
        .with_context(|| format!("{} is not a database strata can restore; nothing was changed", path.display()))?;
    interrupt::listen()?;
    let mut live = project.open()?;
    interrupt::watch(&mut live)?;
    let kept = backups::restore(
        &mut live,
        &source,
        |conn| if existed { backup::write(&project.database, conn).map(Some).map_err(|e| format!("{e:#}")) } else { Ok(None) },
        &|| interrupt::received().is_some(),
    );
    interrupt::unwatch(&mut live);
    if let Some(signal) = interrupt::received() {
        let mut said = format!("{} {} stopped the restore", paint(BAD, "interrupted:"), signal.name());
        match &kept {
            Ok(_) => said.push_str(" after it had committed: the backup is in place."),
            Err(_) => said.push_str(" before its copy committed; SQLite rolled the copy back, so the database is as it was."),
        }
        anstream::eprintln!("{said}");
        return Ok(ExitCode::from(signal.exit_code()));
    }
    let kept = kept.map_err(|e| match e {
        RestoreError::Locked { code: Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked), cause } => {
            let wal = if cause.contains("WAL mode") {
                "; the database is in WAL mode, where every connection that has read it keeps it locked while it stays open, so stop the processes that use it (the app) first"
            } else {
                ""
            };
            anyhow!(
                "database {} {} and it was still locked after {}, so nothing was restored and the database was not changed{wal}. {}",
                project.database.display(),
                crate::lock::held_by(&project.database),
                failure::wait(project.config.busy_timeout_ms),
                failure::WHAT_TO_DO
            )
        }
        other => anyhow!(other),
    })?;
    if let Some(kept) = kept {
        anstream::println!("{} the database as it was, in {} (checked with PRAGMA integrity_check)", paint(OK, "kept"), kept.display());
    }
    anstream::println!(
        "{} {} from {} (it passed PRAGMA integrity_check first), holding the write lock throughout; other connections see it from their next transaction",
        paint(OK, "restored"),
        project.database.display(),
        path.display()
    );
    // Read back from the database, not assumed from the backup.
    let now = backups::revisions_at(&live, &revs.graph, project.version_table())?;
    anstream::println!("The database is at {}.", at_words(&now, &revs.graph));
    Ok(ExitCode::SUCCESS)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
