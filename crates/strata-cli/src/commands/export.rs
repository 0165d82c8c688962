//! `strata export REV --format alembic|postgres|sql`: one revision for the tools users already
//! run. The core makes the text; this module prints it or writes it into `--output`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use strata_core::export::{self, ExportInput};

use crate::args::{ExportArgs, ExportFormat};
use crate::config::Project;
use crate::output::{paint, OK, WARN};

pub fn export(project: &Project, args: &ExportArgs) -> Result<ExitCode> {
    let revs = project.revisions()?;
    let id = revs.graph.resolve(&args.revision)?;
    let rev = revs.graph.get(&id).expect("resolved ids exist");
    let stem = rev.file_name().trim_end_matches(".sql").to_string();
    let version_table = project.version_table();

    // (file name, text) pairs in the order they are printed, and notes for stderr.
    let (files, notes): (Vec<(String, String)>, Vec<String>) = match args.format {
        ExportFormat::Alembic => {
            let input = input(&revs.graph, &id, version_table)?;
            (vec![(format!("{stem}.py"), export::alembic(&input))], vec![])
        }
        ExportFormat::Postgres => {
            let input = input(&revs.graph, &id, version_table)?;
            let pg = export::postgres(&input);
            (vec![(format!("{stem}_postgres.sql"), pg.up), (format!("{stem}_postgres_rollback.sql"), pg.down)], pg.notes)
        }
        ExportFormat::Sql => {
            // The plain files carry the revision's own SQL, so they need no schema rebuilt.
            let f = export::sql_files(rev, version_table);
            (vec![(f.up_name, f.up), (f.down_name, f.down)], vec![])
        }
    };

    match &args.output {
        None => {
            let many = files.len() > 1;
            for (name, text) in &files {
                // A header line tells the two scripts apart when both are printed; it is a
                // comment, so either half still runs as it is.
                if many {
                    println!("-- ==== {name} ====");
                }
                print!("{text}");
                if many && !text.ends_with('\n') {
                    println!();
                }
            }
        }
        Some(dir) => {
            let written = write_all(dir, &files)?;
            for p in written {
                anstream::println!("{} {}", paint(OK, "wrote"), p.display());
            }
        }
    }
    for n in &notes {
        anstream::eprintln!("{} {n}", paint(WARN, "note:"));
    }
    Ok(ExitCode::SUCCESS)
}

/// The schemas before and after the revision, rebuilt from the graph; warns on stderr when the
/// revision's SQL is not what strata would plan, since the export then copies it verbatim.
fn input(graph: &strata_core::revision::Graph, id: &str, version_table: &str) -> Result<ExportInput> {
    let input = ExportInput::for_revision(graph, id, version_table).with_context(|| format!("cannot export revision {id}"))?;
    if !input.faithful {
        anstream::eprintln!(
            "{} revision {id} was written or edited by hand (its SQL is not what strata plans for its schemas), \
             so the export runs its SQLite statements as written; review them for the target",
            paint(WARN, "warning:")
        );
    }
    Ok(input)
}

/// Writes every file into `dir`, creating it. Refuses before writing anything when one of the
/// names is taken, by a file or by a symbolic link (even one pointing nowhere), and creates each
/// file exclusively (`O_EXCL`), so nothing is ever written over a file or through a link that
/// appears meanwhile. When a file cannot be written, the ones this call created are removed.
fn write_all(dir: &Path, files: &[(String, String)]) -> Result<Vec<PathBuf>> {
    let paths: Vec<PathBuf> = files.iter().map(|(name, _)| dir.join(name)).collect();
    for p in &paths {
        if let Ok(meta) = p.symlink_metadata() {
            let what = if meta.file_type().is_symlink() { "is a symbolic link" } else { "exists already" };
            bail!("{} {what} and nothing was written (strata writes only new files, never over a file or through a link); remove it or choose another --output", p.display());
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut created: Vec<PathBuf> = Vec::new();
    for (p, (_, text)) in paths.iter().zip(files) {
        let written = std::fs::OpenOptions::new().write(true).create_new(true).open(p).map(|mut f| {
            created.push(p.clone());
            f.write_all(text.as_bytes())
        });
        if let Err(e) = written.and_then(|r| r) {
            for c in &created {
                let _ = std::fs::remove_file(c);
            }
            return Err(anyhow::Error::new(e).context(format!("cannot create {}; the files of this export were removed again", p.display())));
        }
    }
    Ok(paths)
}
