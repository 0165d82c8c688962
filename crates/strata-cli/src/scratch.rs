//! The folder a rehearsal works in: `<database>.rehearsal-<pid>` beside the database, so the
//! copy sits on the same disk as the database it stands for (its times are the disk's, and
//! the space it needs is visibly there) and never in a shared temporary folder that may be
//! memory. **It is removed whatever happens**: when the command ends, fails, or is stopped by
//! Ctrl-C or SIGTERM (the guard's `Drop` runs on every way out of the command); a process
//! killed outright cannot remove it, so every rehearsal first removes the folders of
//! rehearsals whose process is gone.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The rehearsal's folder; removed when dropped.
pub struct Scratch {
    dir: PathBuf,
    next: u32,
}

impl Scratch {
    /// Creates the folder beside `database`, after removing those killed rehearsals left.
    /// Returns it with the names of the leftovers removed.
    pub fn create(database: &Path) -> Result<(Scratch, Vec<PathBuf>)> {
        let removed = sweep(database);
        let dir = named(database, std::process::id());
        if dir.symlink_metadata().is_ok() {
            // Only a killed run of this very process id can have left it: ours to replace.
            std::fs::remove_dir_all(&dir).with_context(|| format!("cannot remove the leftover {}", dir.display()))?;
        }
        std::fs::create_dir(&dir).with_context(|| format!("cannot create {} for the rehearsal's copy", dir.display()))?;
        Ok((Scratch { dir, next: 0 }, removed))
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The copy's file.
    pub fn copy(&self) -> PathBuf {
        self.dir.join("copy.db")
    }

    /// A new empty database file for one timed run, the previous one removed.
    pub fn next_scratch(&mut self) -> PathBuf {
        if self.next > 0 {
            remove_database(&self.dir.join(format!("run-{}.db", self.next)));
        }
        self.next += 1;
        self.dir.join(format!("run-{}.db", self.next))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `<database>.rehearsal-<pid>`.
fn named(database: &Path, pid: u32) -> PathBuf {
    let mut name = database.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".rehearsal-{pid}"));
    database.with_file_name(name)
}

/// Removes the rehearsal folders beside `database` whose process no longer runs. Only where
/// the process table can be read (`/proc`); elsewhere leftovers stay, and are named by their
/// process id for a person to remove.
fn sweep(database: &Path) -> Vec<PathBuf> {
    let proc = Path::new("/proc/self");
    if !proc.exists() {
        return Vec::new();
    }
    let prefix = format!("{}.rehearsal-", database.file_name().unwrap_or_default().to_string_lossy());
    let parent = database.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let Ok(entries) = std::fs::read_dir(parent) else { return Vec::new() };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix(&prefix).and_then(|p| p.parse::<u32>().ok()) else { continue };
        let alive = Path::new(&format!("/proc/{pid}")).exists();
        if pid != std::process::id() && !alive && entry.path().is_dir() && std::fs::remove_dir_all(entry.path()).is_ok() {
            removed.push(entry.path());
        }
    }
    removed
}

fn remove_database(path: &Path) {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}
