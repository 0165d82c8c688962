//! `strata revision` and `strata merge`: write new revision files.

use std::process::ExitCode;

use anyhow::{Context, Result};
use strata_core::migrate;
use strata_core::revision::{derive_id, Revision};

use crate::args::{MergeArgs, RevisionArgs};
use crate::config::{created_now, Project};
use crate::output::{paint, BOLD, DIM, OK, WARN};

pub fn revision(project: &Project, args: &RevisionArgs) -> Result<ExitCode> {
    let revs = project.revisions()?;
    let parents = revs.graph.next_parents()?;
    let created = created_now();
    let id = new_id(&created, &parents, &args.message);
    let rev = if args.autogenerate {
        let model = project.model()?;
        let hints = super::renames(&args.rename)?;
        let auto = migrate::autogenerate(&revs.graph, &model, &hints, project.version_table())?;
        for r in &auto.diff.ignored_renames {
            anstream::println!("{} rename {r:?} does not apply to these schemas and was ignored", paint(WARN, "warning:"));
        }
        for c in &auto.diff.rename_candidates {
            let hint = match &c.rename {
                strata_core::Rename::Column { table, from, to } => format!("--rename {table}.{from}={to}"),
                strata_core::Rename::Table { from, to } => format!("--rename {from}={to}"),
                strata_core::Rename::Index { from, to } => format!("annotate the index with -- @renamed from={from} ({to})"),
            };
            anstream::println!("{} {} If so, run again with {}", paint(WARN, "rename?"), c.question, paint(BOLD, hint));
        }
        if auto.is_empty() {
            anstream::println!("No changes: the model matches the schema the revisions build. No revision was written.");
            return Ok(ExitCode::SUCCESS);
        }
        for c in &auto.up.changes {
            anstream::println!("{} {}", paint(OK, "detected"), c.describe());
        }
        for f in &auto.findings {
            anstream::println!("{} {}: {}\n    {}", paint(WARN, format!("[{}]", f.kind.label())), f.table, f.message, paint(DIM, &f.advice));
        }
        auto.revision(&id, parents, &args.message, &created)
    } else {
        Revision::new(
            &id,
            parents,
            &args.message,
            &created,
            "-- Write the upgrade statements here; they run in one transaction with the version row.\n",
            "-- Write the statements that undo the upgrade here.\n",
        )
    };
    let path = write(project, &rev)?;
    anstream::println!("{} {}", paint(OK, "Generating"), path.display());
    Ok(ExitCode::SUCCESS)
}

pub fn merge(project: &Project, args: &MergeArgs) -> Result<ExitCode> {
    let revs = project.revisions()?;
    let parents = revs.graph.merge_parents(&args.revisions)?;
    let created = created_now();
    let id = new_id(&created, &parents, &args.message);
    let rev = Revision::new(&id, parents.clone(), &args.message, &created, "", "");
    let path = write(project, &rev)?;
    anstream::println!("{} {} (merges {})", paint(OK, "Generating"), path.display(), parents.join(", "));
    Ok(ExitCode::SUCCESS)
}

/// A fresh id: the creation time to the nanosecond, the process id, the parents and the
/// message make it unique in practice.
fn new_id(created: &str, parents: &[String], message: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    derive_id(&format!("{created} {nanos} {} {} {message}", std::process::id(), parents.join(",")))
}

/// Writes a revision into the migrations folder, never over an existing file, and never one
/// holding a statement that would break its transaction.
pub fn write(project: &Project, rev: &Revision) -> Result<std::path::PathBuf> {
    strata_core::atomicity::ensure(rev).with_context(|| format!("revision {} was not written", rev.id))?;
    std::fs::create_dir_all(&project.migrations).with_context(|| format!("cannot create {}", project.migrations.display()))?;
    let path = project.migrations.join(rev.file_name());
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| format!("cannot create {} (does it exist already?)", path.display()))?;
    std::io::Write::write_all(&mut f, rev.render().as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}
