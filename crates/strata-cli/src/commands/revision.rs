//! `strata revision` and `strata merge`: write new revision files.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Result;
use strata_core::revision::{Direction, Revision, SectionOptions};
use strata_core::time::Clock;
use strata_engine::clock::SystemClock;
use strata_engine::migrate::{self, Autogen};
use strata_engine::store::{create_revision, Draft, Parents};

use super::answers::{self, Answers};
use crate::args::{MergeArgs, RevisionArgs};
use crate::config::Project;
use crate::output::{paint, DIM, OK, WARN};

pub fn revision(project: &Project, args: &RevisionArgs) -> Result<ExitCode> {
    let revs = project.revisions()?;
    let auto: Option<Autogen> = if args.autogenerate {
        let (model, head) = migrate::with_head_schema(&revs.graph, project.version_table(), || project.model());
        let (model, head) = (model?, head?);
        let mut answers = Answers { renames: super::renames(&args.rename)?, declined: super::declines(&args.no_rename)?, asked: false };
        let autogenerate = |renames: &[strata_core::Rename]| Ok(migrate::between(&head, &model, renames));
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
        Some(auto)
    } else {
        None
    };
    let make = |parents: Vec<String>, created: &str| {
        let rev = match &auto {
            Some(auto) => auto.revision("new", parents, &args.message, created),
            None => Revision::new(
                "new",
                parents,
                &args.message,
                created,
                "-- Write the upgrade statements here; they run in one transaction with the version row.\n",
                "-- Write the statements that undo the upgrade here.\n",
            ),
        };
        // Only an explicit flag records the author's consent; autogenerate never does on its own.
        if args.accept_data_loss {
            let options = SectionOptions { accepts_data_loss: true, ..rev.options(Direction::Up) };
            rev.with_options(Direction::Up, options)
        } else {
            rev
        }
    };
    let mut store = project.store();
    let draft = Draft { message: &args.message, parents: Parents::Head, now: SystemClock::new().now(), id: None };
    let (rev, _) = create_revision(&mut store, &revs.graph, draft, make)?;
    anstream::println!("{} {}", paint(OK, "Generating"), store.path_of(&rev).display());
    if args.accept_data_loss {
        anstream::println!("  its upgrade is marked data-loss=accepted: it runs without --allow-data-loss");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn merge(project: &Project, args: &MergeArgs) -> Result<ExitCode> {
    let revs = project.revisions()?;
    let mut store = project.store();
    let draft = Draft { message: &args.message, parents: Parents::Merge(&args.revisions), now: SystemClock::new().now(), id: None };
    let (rev, _) = create_revision(&mut store, &revs.graph, draft, |parents, created| Revision::new("new", parents, &args.message, created, "", ""))?;
    anstream::println!("{} {} (merges {})", paint(OK, "Generating"), store.path_of(&rev).display(), rev.parents.join(", "));
    Ok(ExitCode::SUCCESS)
}
