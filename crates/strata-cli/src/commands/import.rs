//! `strata import-sql DIR`: numbered `NNN_name.sql` / `NNN_name_rollback.sql` files become
//! revisions in the migrations folder, after the current head.

use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use strata_core::import::{import, SqlFile};
use strata_core::time::Clock;
use strata_engine::clock::SystemClock;
use strata_engine::migrate;
use strata_engine::store::{add_revision, check_revision};

use crate::args::ImportArgs;
use crate::config::Project;
use crate::output::{paint, BOLD, OK, WARN};

pub fn import_sql(project: &Project, args: &ImportArgs) -> Result<ExitCode> {
    let revs = project.revisions()?;
    let parent = if revs.graph.is_empty() { None } else { Some(revs.graph.single_head()?.to_string()) };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&args.dir).with_context(|| format!("cannot list {}", args.dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "sql") && path.is_file() {
            let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
            files.push(SqlFile { name: path.file_name().unwrap_or_default().to_string_lossy().into_owned(), text });
        }
    }
    let created = SystemClock::new().now().rfc3339();
    let imported = import(&files, parent.as_deref(), &created, project.version_table()).with_context(|| format!("cannot import {}", args.dir.display()))?;
    // Every revision passes the checks of a stored revision before the first is written, so an
    // import is all or nothing.
    let mut graph = revs.graph.clone();
    for rev in &imported.revisions {
        if revs.graph.get(&rev.id).is_some() {
            bail!("revision {} exists already; nothing was imported", rev.id);
        }
        graph = check_revision(&graph, rev).with_context(|| format!("cannot import {}", args.dir.display()))?;
    }
    let mut store = project.store();
    let mut graph = revs.graph.clone();
    for rev in &imported.revisions {
        graph = add_revision(&mut store, &graph, rev)?;
        anstream::println!("{} {} ({})", paint(OK, "imported"), store.path_of(rev).display(), rev.message);
    }
    for note in &imported.notes {
        anstream::println!("{} {note}", paint(WARN, "note:"));
    }
    for warning in &imported.warnings {
        anstream::println!("{} {warning}", paint(WARN, "warning:"));
    }
    // Files written for another database (PostgreSQL syntax, say) are worth knowing about now.
    let all = project.revisions()?;
    if let Err(e) = migrate::head_schema(&all.graph, project.version_table()) {
        anstream::println!("{} the imported revisions do not all run on SQLite yet; edit them before upgrading:\n  {e}", paint(WARN, "warning:"));
    }
    anstream::println!(
        "If a database was already migrated with these files, record that instead of re-running them:\n  {}",
        paint(BOLD, format!("strata stamp {}", imported.revisions.last().map(|r| r.id.as_str()).unwrap_or("head")))
    );
    Ok(ExitCode::SUCCESS)
}
