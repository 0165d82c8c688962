//! `strata revision` and `strata merge`: write new revision files.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::{Context, Result};
use strata_engine::migrate;
use strata_core::revision::{derive_id, Direction, Revision, SectionOptions};

use super::answers::{self, Answers};
use crate::args::{MergeArgs, RevisionArgs};
use crate::config::{created_now, Project};
use crate::output::{paint, DIM, OK, WARN};

pub fn revision(project: &Project, args: &RevisionArgs) -> Result<ExitCode> {
    let revs = project.revisions()?;
    let parents = revs.graph.next_parents()?;
    let created = created_now();
    let id = new_id(&created, &parents, &args.message);
    let rev = if args.autogenerate {
        let model = project.model()?;
        let mut answers = Answers { renames: super::renames(&args.rename)?, declined: super::declines(&args.no_rename)?, asked: false };
        let autogenerate = |renames: &[strata_core::Rename]| Ok(migrate::autogenerate(&revs.graph, &model, renames, project.version_table())?);
        // Questions are asked only where someone can answer them: stdin and stdout both a
        // terminal. Anywhere else an open question fails the command.
        let terminal = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
        let auto = if terminal {
            let (mut input, mut output) = (std::io::stdin().lock(), std::io::stdout());
            answers::resolve(&mut answers, autogenerate, Some((&mut input, &mut output)))?
        } else {
            answers::resolve(&mut answers, autogenerate, None)?
        };
        if answers.asked {
            anstream::println!("{} {}", paint(DIM, "answered; without a terminal the same answers are:"), answers.flags());
        }
        for r in &auto.diff.ignored_renames {
            let what = strata_core::answers::hint(r).unwrap_or_else(|| "an index rename".into());
            anstream::println!("{} rename {what} does not apply to these schemas and was ignored", paint(WARN, "warning:"));
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
        if auto.up.loses_data() && !args.accept_data_loss {
            anstream::println!(
                "{} upgrading throws away what the dropped columns or tables hold; `strata upgrade` refuses that without --allow-data-loss, unless the revision is written with --accept-data-loss once reviewed",
                paint(WARN, "note:")
            );
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
    // Only an explicit flag records the author's consent; autogenerate never does on its own.
    let rev = if args.accept_data_loss {
        let options = SectionOptions { accepts_data_loss: true, ..rev.options(Direction::Up) };
        rev.with_options(Direction::Up, options)
    } else {
        rev
    };
    let path = write(project, &rev)?;
    anstream::println!("{} {}", paint(OK, "Generating"), path.display());
    if args.accept_data_loss {
        anstream::println!("  its upgrade is marked data-loss=accepted: it runs without --allow-data-loss");
    }
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

/// Writes a revision into the migrations folder, never over an existing file, never one
/// holding a statement that would break its transaction, and only when the file reads back as
/// the same revision.
pub fn write(project: &Project, rev: &Revision) -> Result<std::path::PathBuf> {
    strata_core::atomicity::ensure(rev).with_context(|| format!("revision {} was not written", rev.id))?;
    let text = rev.to_file()?;
    std::fs::create_dir_all(&project.migrations).with_context(|| format!("cannot create {}", project.migrations.display()))?;
    let path = project.migrations.join(rev.file_name());
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| format!("cannot create {} (does it exist already?)", path.display()))?;
    std::io::Write::write_all(&mut f, text.as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}
