//! One module per group of commands; each calls the core and prints. `run` dispatches.

mod check;
mod create_all;
mod export;
mod import;
mod init;
mod inspect;
mod migrate;
mod revision;

use std::process::ExitCode;

use anyhow::Result;

use crate::args::{Cli, Command};
use crate::config::Project;

pub fn run(cli: Cli) -> Result<ExitCode> {
    let project = || {
        let p = Project::load(cli.config.as_deref(), cli.database.as_deref())?;
        crate::cache::install(&p.root);
        Ok::<_, anyhow::Error>(p)
    };
    match &cli.command {
        Command::Init(a) => init::init(a, cli.database.as_deref()),
        Command::Revision(a) => revision::revision(&project()?, a),
        Command::Merge(a) => revision::merge(&project()?, a),
        Command::Upgrade(a) => migrate::upgrade(&project()?, a),
        Command::Downgrade(a) => migrate::downgrade(&project()?, a),
        Command::Stamp(a) => migrate::stamp(&project()?, a),
        Command::Current(a) => inspect::current(&project()?, a),
        Command::History(a) => inspect::history(&project()?, a),
        Command::Heads(a) => inspect::heads(&project()?, a),
        Command::Branches(a) => inspect::branches(&project()?, a),
        Command::Show(a) => inspect::show(&project()?, a),
        Command::Check(a) => check::check(&project()?, a),
        Command::Verify(a) => check::verify(&project()?, a),
        Command::Diff(a) => check::diff(&project()?, a),
        Command::ImportSql(a) => import::import_sql(&project()?, a),
        Command::CreateAll(a) => create_all::create_all(&project()?, a),
        Command::Export(a) => export::export(&project()?, a),
    }
}

/// The applied version rows of the database, or none when it does not exist yet.
fn applied_rows(project: &Project) -> Result<Vec<strata_core::history::AppliedRow>> {
    match project.open_read_only()? {
        Some(conn) => Ok(strata_core::migrate::applied(&conn, project.version_table())?),
        None => Ok(Vec::new()),
    }
}

/// Parses `--rename` hints, refusing malformed ones by name.
fn renames(hints: &[String]) -> Result<Vec<strata_core::Rename>> {
    hints
        .iter()
        .map(|h| strata_core::Rename::parse_hint(h).ok_or_else(|| anyhow::anyhow!("--rename {h}: write TABLE.OLD=NEW for a column or OLD=NEW for a table")))
        .collect()
}
