//! Waiting for another process's lock on the database, and saying who held it when the wait
//! runs out: SQLite only reports "database is locked", which tells a user neither who is in the
//! way nor that nothing of theirs was run.
//!
//! SQLite locks a database file with POSIX advisory locks on a few bytes of it. On Linux the
//! kernel lists every such lock in `/proc/locks` with the owner's pid and the file's device and
//! inode, so the holder is found by matching the database file (and its `-shm` file, where a
//! WAL database keeps its write lock) and reading `/proc/<pid>/cmdline`. Elsewhere the holder is
//! "another process".

use std::path::Path;
use std::time::{Duration, Instant};

/// A busy handler that waits up to `timeout` for a lock, sleeping a little longer each time (as
/// SQLite's own does), and gives up at once when the command was interrupted (Ctrl-C, SIGTERM),
/// which SQLite's own busy timeout would not notice until it ran out.
pub fn waiter(timeout: Duration) -> impl FnMut(i32) -> bool + Send + 'static {
    let mut since = Instant::now();
    move |count| {
        if count == 0 {
            since = Instant::now();
        }
        let waited = since.elapsed();
        if waited >= timeout || crate::interrupt::received().is_some() {
            return false;
        }
        const STEPS_MS: [u64; 12] = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];
        let step = Duration::from_millis(STEPS_MS[(count as usize).min(STEPS_MS.len() - 1)]);
        std::thread::sleep(step.min(timeout - waited));
        true
    }
}

/// Who holds a lock on the database file, as "process 4242 (strata upgrade head)", each
/// process once, this one left out; empty when no holder can be named.
pub fn holders(database: &Path) -> Vec<String> {
    let mut shm = database.as_os_str().to_owned();
    shm.push("-shm");
    let mut pids: Vec<u32> = Vec::new();
    for file in [database, Path::new(&shm)] {
        for pid in lock_owners(file) {
            if pid != std::process::id() && !pids.contains(&pid) {
                pids.push(pid);
            }
        }
    }
    pids.into_iter().map(describe).collect()
}

/// "process 4242 (strata upgrade head)", or just "process 4242" when its command line cannot be
/// read.
fn describe(pid: u32) -> String {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    // Arguments may hold newlines (`python3 -c "..."`); the message keeps to one line.
    let words: Vec<String> =
        cmdline.split(|b| *b == 0).filter(|w| !w.is_empty()).map(|w| String::from_utf8_lossy(w).split_whitespace().collect::<Vec<_>>().join(" ")).collect();
    if words.is_empty() {
        return format!("process {pid}");
    }
    let mut text = words.join(" ");
    if text.chars().count() > 120 {
        text = text.chars().take(117).collect::<String>() + "...";
    }
    format!("process {pid} ({text})")
}

/// The pids holding a POSIX lock on `file`, read from `/proc/locks` (Linux only; none elsewhere).
#[cfg(target_os = "linux")]
fn lock_owners(file: &Path) -> Vec<u32> {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(file) else { return Vec::new() };
    let Ok(table) = std::fs::read_to_string("/proc/locks") else { return Vec::new() };
    // The kernel prints the device as hexadecimal major:minor, decoded from st_dev as glibc's
    // major()/minor() do.
    let dev = meta.dev();
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    let wanted_inode = meta.ino();
    let mut out = Vec::new();
    for line in table.lines() {
        // "1: POSIX  ADVISORY  WRITE 4242 fe:00:10010830 1073741825 1073741825"; waiters carry
        // a "->" after the number and hold nothing yet.
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.get(1) != Some(&"POSIX") && fields.get(1) != Some(&"OFDLCK") {
            continue;
        }
        let (Some(pid), Some(id)) = (fields.get(4).and_then(|p| p.parse::<u32>().ok()), fields.get(5)) else { continue };
        let mut parts = id.split(':');
        let (Some(ma), Some(mi), Some(ino)) = (parts.next(), parts.next(), parts.next()) else { continue };
        let same_device = u64::from_str_radix(ma, 16).ok() == Some(major) && u64::from_str_radix(mi, 16).ok() == Some(minor);
        if ino.parse::<u64>().ok() == Some(wanted_inode) && same_device && !out.contains(&pid) {
            out.push(pid);
        }
    }
    out
}

#[cfg(not(target_os = "linux"))]
fn lock_owners(_file: &Path) -> Vec<u32> {
    Vec::new()
}

/// The sentence that names the holder(s): "is locked by process 4242 (…)" or "is locked by
/// another process".
pub fn held_by(database: &Path) -> String {
    let holders = holders(database);
    if holders.is_empty() {
        "is locked by another process".into()
    } else {
        format!("is locked by {}", holders.join(" and "))
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// A lock this process holds is not reported (it is not in anyone's way), and a file nobody
    /// locks has no holder.
    #[test]
    fn own_locks_and_unlocked_files_name_nobody() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("a.db");
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("CREATE TABLE t (x); BEGIN IMMEDIATE; INSERT INTO t VALUES (1);").unwrap();
        assert!(lock_owners(&db).contains(&std::process::id()));
        assert!(holders(&db).is_empty());
        conn.execute_batch("COMMIT").unwrap();
        assert!(lock_owners(&db).is_empty());
        assert_eq!(held_by(&db), "is locked by another process");
    }
}
