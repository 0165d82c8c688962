//! The `strata` binary: parses arguments, runs one command, and turns the outcome into an exit
//! code: 0 success, 1 failure or a failed check, 2 usage errors (clap's own, and those the
//! commands find in the arguments), 128 + the signal number when Ctrl-C (130) or SIGTERM (143)
//! stopped a migration.

mod args;
mod backup;
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
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            output::error(&e);
            failure::exit_code(&e)
        }
    }
}
