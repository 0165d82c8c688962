//! Ctrl-C and SIGTERM while a command changes a database. The signal reaches a thread of its
//! own, which interrupts SQLite; the running revision's transaction rolls back, and the command
//! then reads what the database holds and says what committed before and what was rolled back.
//!
//! Two SQLite mechanisms are used together, because each misses something:
//! `sqlite3_interrupt` (rusqlite's `InterruptHandle`) stops the statement running at that moment,
//! also inside long single steps such as a sort or `VACUUM INTO`, but is forgotten when no
//! statement is running (between two statements or two revisions); the progress handler, asked
//! at every virtual-machine step, refuses every statement that runs after the signal. The busy
//! handler (`lock::waiter`) gives up a lock wait as soon as a signal came.
//!
//! A second signal ends the process at once. That is safe too: an unfinished transaction leaves
//! a hot journal, and SQLite rolls it back the next time any command opens the database.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Mutex;

use anyhow::Result;
use rusqlite::{Connection, InterruptHandle};

/// The first signal received (0 while none).
static RECEIVED: AtomicI32 = AtomicI32::new(0);
/// The connection a signal interrupts.
static WATCHED: Mutex<Option<InterruptHandle>> = Mutex::new(None);

/// A signal that asked the command to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signal(i32);

impl Signal {
    /// How the user knows it: "SIGINT (Ctrl-C)", "SIGTERM".
    pub fn name(self) -> &'static str {
        match self.0 {
            2 => "SIGINT (Ctrl-C)",
            15 => "SIGTERM",
            _ => "a signal",
        }
    }

    /// 128 + the signal number, as shells report a command a signal stopped (130 for Ctrl-C).
    pub fn exit_code(self) -> u8 {
        128u8.saturating_add(self.0.clamp(0, 127) as u8)
    }
}

/// The signal received since `listen`, if any.
pub fn received() -> Option<Signal> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        n => Some(Signal(n)),
    }
}

/// Takes over SIGINT and SIGTERM for the rest of the process. Only the commands that change a
/// database call it; elsewhere the signals end the process as usual.
#[cfg(unix)]
pub fn listen() -> Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    std::thread::spawn(move || {
        for sig in signals.forever() {
            if RECEIVED.compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst).is_err() {
                anstream::eprintln!(
                    "{} a second signal: stopping now; SQLite rolls back the unfinished revision the next time the database is opened",
                    crate::output::paint(crate::output::BAD, "interrupted:")
                );
                std::process::exit(i32::from(Signal(sig).exit_code()));
            }
            if let Some(handle) = WATCHED.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
                handle.interrupt();
            }
        }
    });
    Ok(())
}

#[cfg(not(unix))]
pub fn listen() -> Result<()> {
    Ok(())
}

/// Makes a signal stop the statements of `conn` (see the module documentation). Every step of
/// the virtual machine asks the handler, so no statement, however short, runs after a signal.
/// The handler reads one atomic: 1.01x on the CLI benchmark's 1000-table change set, and 6% at
/// most, on a one-million-row rebuild in memory where SQLite does nothing but step
/// (docs/benchmarks.md). Asking less often would let short statements (a `COMMIT`, a small
/// revision) run after the signal.
pub fn watch(conn: &mut Connection) -> Result<()> {
    *WATCHED.lock().unwrap_or_else(|e| e.into_inner()) = Some(conn.get_interrupt_handle());
    conn.progress_handler(1, Some(|| received().is_some()))?;
    Ok(())
}

/// Stops interrupting `conn`, so that the command can read what an interrupted run left, and
/// rolls back a transaction the interruption left open (an interrupted `ROLLBACK` statement may
/// report failure after it has rolled back; one that did not is done here).
pub fn unwatch(conn: &mut Connection) {
    *WATCHED.lock().unwrap_or_else(|e| e.into_inner()) = None;
    let _ = conn.progress_handler(1, None::<fn() -> bool>);
    if !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
}
