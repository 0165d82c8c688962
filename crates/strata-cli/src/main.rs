//! The `strata` binary: parses arguments, runs one command, and turns the outcome into an exit
//! code (0 success, 1 failure or a failed check, 2 usage errors as clap reports them).

mod args;
mod cache;
mod commands;
mod config;
mod output;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            output::error(&e);
            ExitCode::FAILURE
        }
    }
}
