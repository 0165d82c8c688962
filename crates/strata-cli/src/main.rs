//! The `strata` binary: parses arguments, runs one command, and turns the outcome into an exit
//! code: 0 success, 1 failure or a failed check, 2 usage errors (clap's own, and those the
//! commands find in the arguments), 128 + the signal number when Ctrl-C (130) or SIGTERM (143)
//! stopped a migration.

mod args;
mod backup;
mod cache;
mod commands;
mod config;
mod failure;
mod interrupt;
mod lock;
mod output;
mod scratch;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    end_quietly_when_the_reader_goes();
    sqlite_without_memory_statistics();
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            output::error(&e, &failure::cli_words(&e));
            failure::exit_code(&e)
        }
    }
}

/// A reader that stops early (`strata history | head`) closes the pipe. Rust ignores SIGPIPE, so
/// the next print would fail and panic; with SIGPIPE's default back, strata ends quietly the way
/// other Unix tools do. In the middle of a migration that is an interruption like any other: the
/// revision whose transaction was open is rolled back by the next connection, and those that
/// committed stay.
fn end_quietly_when_the_reader_goes() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to its default, once, before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// SQLite counts the memory it holds under one lock taken around every allocation; the head's
/// schema and the model, built on two threads at once, then take turns at that lock, which made
/// a cold 1,000-table `revision --autogenerate` take 140 ms instead of 90 (and half again the
/// CPU time). strata never reads the count.
fn sqlite_without_memory_statistics() {
    // SAFETY: sqlite3_config may only be called before SQLite is initialised; this runs first
    // thing in main, before any thread starts or any connection opens, and takes no pointers.
    // Should SQLite already be initialised, it refuses with an error code and nothing changes.
    let off: std::ffi::c_int = 0;
    unsafe {
        rusqlite::ffi::sqlite3_config(rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS, off);
    }
}
