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
