//! `--backup`: a consistent copy of the database beside it, `<database>.<UTC time>.bak`.
//!
//! **A file with a backup's name is always a whole, checked copy.** The copy is written by
//! `VACUUM INTO` (consistent even while others read, free pages left out) under a temporary
//! name that does not end in `.bak`, checked with `PRAGMA integrity_check`, flushed to disk, and
//! only then renamed. A failure on the way (the disk full, Ctrl-C) removes the temporary file,
//! so nothing can be mistaken for a backup; a process killed outright can leave only the
//! temporary name behind.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use rusqlite::{Connection, OpenFlags};
use strata_core::time::Clock;

/// Writes the backup of the database `conn` has open, at `database`'s side, and returns its path.
pub fn write(database: &Path, conn: &Connection) -> Result<PathBuf> {
    let path = free_name(database);
    let mut tmp_name = database.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(format!(".backup-in-progress-{}.tmp", std::process::id()));
    let tmp = database.with_file_name(tmp_name);
    match copy_and_check(conn, &tmp, &path) {
        Ok(()) => Ok(path),
        Err(e) => {
            // The copy may be partly written, with the journal SQLite keeps while writing it;
            // neither may stay behind.
            for suffix in ["", "-journal", "-wal", "-shm"] {
                let mut name = tmp.as_os_str().to_owned();
                name.push(suffix);
                let _ = std::fs::remove_file(PathBuf::from(name));
            }
            Err(e.context(format!("cannot write the backup {}; no backup was kept and the database was not changed", path.display())))
        }
    }
}

/// `<database>.<stamp>.bak`, with `-2`, `-3`… when a backup was already taken that second.
fn free_name(database: &Path) -> PathBuf {
    let stamp = strata_engine::clock::SystemClock::new().now().rfc3339().replace([':', '-'], "");
    let named = |suffix: String| {
        let mut name = database.file_name().unwrap_or_default().to_os_string();
        name.push(suffix);
        database.with_file_name(name)
    };
    let mut path = named(format!(".{stamp}.bak"));
    let mut n = 1;
    while path.symlink_metadata().is_ok() {
        n += 1;
        path = named(format!(".{stamp}-{n}.bak"));
    }
    path
}

/// A backup found beside the database.
pub struct Found {
    pub path: PathBuf,
    /// The file name, as `strata restore` takes it.
    pub name: String,
    /// When it was taken (UTC, from its name): `2026-01-02 10:15:00 UTC`.
    pub taken: String,
    pub size: u64,
}

/// The backups of `database` beside it, newest first, and the temporary files of backups that
/// did not finish (a killed process, or one being written right now).
pub fn list(database: &Path) -> Result<(Vec<Found>, Vec<PathBuf>)> {
    let base = database.file_name().unwrap_or_default().to_string_lossy().into_owned();
    let parent = database.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut found: Vec<(String, Found)> = Vec::new();
    let mut unfinished = Vec::new();
    let entries = match std::fs::read_dir(parent) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), unfinished)),
        Err(e) => return Err(e).with_context(|| format!("cannot list {}", parent.display())),
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(&base).and_then(|r| r.strip_prefix('.')) else { continue };
        if rest.starts_with("backup-in-progress-") && rest.ends_with(".tmp") {
            unfinished.push(entry.path());
            continue;
        }
        let Some(stamp) = rest.strip_suffix(".bak") else { continue };
        let Some(taken) = taken(stamp) else { continue };
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        found.push((stamp.to_string(), Found { path: entry.path(), name, taken, size }));
    }
    // Newest first: stamps sort as times, and `-N` counts up within a second.
    found.sort_by_key(|(stamp, _)| std::cmp::Reverse(order(stamp)));
    unfinished.sort();
    Ok((found.into_iter().map(|(_, f)| f).collect(), unfinished))
}

/// `20260102T101500Z` (or `…Z-3`) read as `2026-01-02 10:15:00 UTC`; `None` when the name is
/// not a backup's.
fn taken(stamp: &str) -> Option<String> {
    let (time, n) = match stamp.split_once('-') {
        Some((t, n)) => (t, Some(n)),
        None => (stamp, None),
    };
    if n.is_some_and(|n| n.parse::<u32>().is_err()) {
        return None;
    }
    let b = time.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r.clone()).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() != 16 || !digits(0..8) || b[8] != b'T' || !digits(9..15) || b[15] != b'Z' {
        return None;
    }
    Some(format!("{}-{}-{} {}:{}:{} UTC", &time[0..4], &time[4..6], &time[6..8], &time[9..11], &time[11..13], &time[13..15]))
}

fn order(stamp: &str) -> (String, u32) {
    match stamp.split_once('-') {
        Some((t, n)) => (t.to_string(), n.parse().unwrap_or(0)),
        None => (stamp.to_string(), 1),
    }
}

fn copy_and_check(conn: &Connection, tmp: &Path, path: &Path) -> Result<()> {
    // A leftover of this very process id from a killed run is ours to replace; VACUUM INTO
    // refuses a file that is not empty.
    if tmp.symlink_metadata().is_ok() {
        std::fs::remove_file(tmp).with_context(|| format!("cannot remove the leftover {}", tmp.display()))?;
    }
    conn.execute("VACUUM INTO ?1", [tmp.to_string_lossy()]).context("the copy failed")?;
    let mut copy =
        Connection::open_with_flags(tmp, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX).context("cannot open the copy to check it")?;
    // The check of a large copy takes a while; Ctrl-C stops it as it stops the copy.
    copy.progress_handler(1000, Some(|| crate::interrupt::received().is_some()))?;
    let verdict: Vec<String> = {
        let mut stmt = copy.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<_>>()?;
        rows
    };
    drop(copy);
    if verdict != ["ok"] {
        bail!("the copy failed its integrity check: {}", verdict.join("; "));
    }
    std::fs::File::open(tmp).and_then(|f| f.sync_all()).context("cannot flush the copy to disk")?;
    if let Some(signal) = crate::interrupt::received() {
        bail!("{} came while the copy was written", signal.name());
    }
    if path.symlink_metadata().is_ok() {
        bail!("{} appeared while the copy was written", path.display());
    }
    std::fs::rename(tmp, path).context("cannot give the copy its name")?;
    // The rename itself is durable only once the folder is flushed.
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::File::open(dir).and_then(|f| f.sync_all());
    }
    Ok(())
}
