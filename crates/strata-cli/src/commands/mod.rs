//! One module per group of commands; each calls the core and prints. `run` dispatches.

mod answers;
mod backups;
mod check;
mod create_all;
mod export;
mod import;
mod init;
mod inspect;
mod migrate;
mod open;
mod rehearse;
mod revision;
mod share;

use std::process::ExitCode;

use anyhow::Result;

use crate::args::{Cli, Command};
use crate::config::Project;
use crate::failure;

pub fn run(cli: Cli) -> Result<ExitCode> {
    let project = match &cli.command {
        Command::Init(a) => return init::init(a, cli.database.as_deref()),
        Command::Open(a) => return open::open(a, cli.database.as_deref(), cli.config.as_deref()),
        _ => Project::load(cli.config.as_deref(), cli.database.as_deref())?,
    };
    crate::cache::install(&project.root);
    let project = &project;
    let outcome = match &cli.command {
        Command::Init(_) | Command::Open(_) => unreachable!("init and open returned above"),
        Command::Revision(a) => revision::revision(project, a),
        Command::Merge(a) => revision::merge(project, a),
        Command::Upgrade(a) => migrate::upgrade(project, a),
        Command::Downgrade(a) => migrate::downgrade(project, a),
        Command::Stamp(a) => migrate::stamp(project, a),
        Command::Current(a) => inspect::current(project, a),
        Command::Rehearse(a) => rehearse::rehearse(project, a),
        Command::Backups(a) => backups::list(project, a),
        Command::Restore(a) => backups::restore(project, a),
        Command::History(a) => inspect::history(project, a),
        Command::Heads(a) => inspect::heads(project, a),
        Command::Branches(a) => inspect::branches(project, a),
        Command::Show(a) => inspect::show(project, a),
        Command::Check(a) => check::check(project, a),
        Command::Verify(a) => check::verify(project, a),
        Command::Diff(a) => check::diff(project, a),
        Command::ImportSql(a) => import::import_sql(project, a),
        Command::CreateAll(a) => create_all::create_all(project, a),
        Command::Export(a) => export::export(project, a),
        Command::Share(a) => share::share(project, a),
    };
    // A lock wait that ran out reads the same whichever reading command met it; the commands
    // that migrate say themselves what they applied before it.
    outcome.map_err(|e| if failure::is_locked(&e) { failure::locked(&project.database, project.config.busy_timeout_ms) } else { e })
}

/// The applied version rows of the database, or none when it does not exist yet.
fn applied_rows(project: &Project) -> Result<Vec<strata_core::history::AppliedRow>> {
    match project.open_read_only()? {
        Some(conn) => Ok(strata_engine::migrate::applied(&conn, project.version_table())?),
        None => Ok(Vec::new()),
    }
}

/// Parses `--rename` hints, refusing malformed ones by name.
fn renames(hints: &[String]) -> Result<Vec<strata_core::Rename>> {
    hints
        .iter()
        .map(|h| strata_core::Rename::parse_hint(h).ok_or_else(|| failure::usage(format!("--rename {h}: write TABLE.OLD=NEW for a column or OLD=NEW for a table"))))
        .collect()
}

/// Parses `--no-rename` answers, refusing malformed ones by name.
fn declines(answers: &[String]) -> Result<Vec<strata_core::answers::Decline>> {
    answers
        .iter()
        .map(|a| strata_core::answers::Decline::parse(a).ok_or_else(|| anyhow::anyhow!("--no-rename {a}: write TABLE.OLD for a column or OLD for a table")))
        .collect()
}
