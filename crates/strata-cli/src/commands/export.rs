//! `strata export REV --format alembic|postgres|sql`: one revision for the tools users already
//! run; `strata export --format alembic-project DIR`: the whole history as an Alembic project.
//! The core makes the text; this module prints it or writes it into a folder.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use strata_core::export::{self, ExportInput, ModelsFile};
use strata_engine::migrate::Replay;

use crate::args::{ExportArgs, ExportFormat};
use crate::config::Project;
use crate::output::{self, paint, OK, WARN};

pub fn export(project: &Project, args: &ExportArgs) -> Result<ExitCode> {
    if args.format == ExportFormat::AlembicProject {
        return alembic_project(project, args);
    }
    let revs = project.revisions()?;
    let id = revs.graph.resolve(&args.target)?;
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
        ExportFormat::AlembicProject => unreachable!("handled above"),
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
    let input = ExportInput::for_revision(graph, id, &Replay { version_table }).with_context(|| format!("cannot export revision {id}"))?;
    if !input.faithful {
        anstream::eprintln!(
            "{} revision {id} was written or edited by hand (its SQL is not what strata plans for its schemas), \
             so the export runs its SQLite statements as written; review them for the target",
            paint(WARN, "warning:")
        );
    }
    Ok(input)
}

/// `strata export --format alembic-project DIR`: every revision, with the settings and the
/// environment Alembic needs, written into a folder that is new or empty.
fn alembic_project(project: &Project, args: &ExportArgs) -> Result<ExitCode> {
    if args.output.is_some() {
        // A usage error: the folder is the command's argument, so two folders would compete.
        output::error(&anyhow!("alembic-project takes its folder in place of a revision, not --output; run `strata export --format alembic-project DIR`"), &[]);
        return Ok(ExitCode::from(2));
    }
    let dir = Path::new(&args.target);
    let revs = project.revisions()?;
    let version_table = project.version_table();
    let is_python = project.model.extension().is_some_and(|e| e == "py");
    let models_text = match is_python {
        true => Some(std::fs::read_to_string(&project.model).with_context(|| format!("cannot read the model {}", project.model.display()))?),
        false => None,
    };
    let models_name = project.model.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let models = models_text.as_deref().map(|text| ModelsFile { name: &models_name, text });
    let database = project.database.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let exported = export::alembic_project(&revs.graph, &Replay { version_table }, &database, models).context("cannot export the history; nothing was written")?;

    if dir.read_dir().is_ok_and(|mut entries| entries.next().is_some()) {
        bail!("{} exists and is not empty, and nothing was written; name a new or empty folder", dir.display());
    }
    write_all(dir, &exported.files)?;
    anstream::println!("{} an Alembic project with {} revision(s) in {}", paint(OK, "wrote"), revs.graph.len(), dir.display());

    for id in &exported.verbatim {
        anstream::eprintln!(
            "{} revision {id} was written or edited by hand, so its script runs its SQLite statements as written; review them for other databases",
            paint(WARN, "warning:")
        );
    }
    let heads = revs.graph.heads();
    if heads.len() > 1 {
        anstream::eprintln!(
            "{} the history has {} heads ({}); Alembic upgrades them all with `alembic upgrade heads`, or join them first with `strata merge`",
            paint(WARN, "note:"),
            heads.len(),
            heads.join(", ")
        );
    }
    if is_python {
        // `alembic check` compares the database at head with the models; say so now when it
        // will find changes, so its first run surprises nobody.
        if let (Ok(model), Ok(head)) = (project.model(), strata_engine::migrate::head_schema(&revs.graph, version_table)) {
            let d = strata_core::diff(&head, &model.schema, &model.renames);
            if !d.changes.is_empty() {
                anstream::eprintln!(
                    "{} the models have {} change(s) no revision makes, which `alembic check` will report; write that revision with strata first",
                    paint(WARN, "note:"),
                    d.changes.len()
                );
            }
        }
    }
    anstream::println!("next: cd {} && alembic upgrade {}", dir.display(), if heads.len() > 1 { "heads" } else { "head" });
    Ok(ExitCode::SUCCESS)
}

/// Writes every file into `dir` (names may hold `/`-separated folders), creating the folders.
/// Refuses before writing anything when one of the names is taken, by a file or by a symbolic
/// link (even one pointing nowhere), and creates each file exclusively (`O_EXCL`), so nothing is
/// ever written over a file or through a link that appears meanwhile. When a file cannot be
/// written, the ones this call created are removed.
fn write_all(dir: &Path, files: &[(String, String)]) -> Result<Vec<PathBuf>> {
    let paths: Vec<PathBuf> = files.iter().map(|(name, _)| dir.join(name)).collect();
    for p in &paths {
        if let Ok(meta) = p.symlink_metadata() {
            let what = if meta.file_type().is_symlink() { "is a symbolic link" } else { "exists already" };
            bail!("{} {what} and nothing was written (strata writes only new files, never over a file or through a link); remove it or choose another --output", p.display());
        }
    }
    for p in &paths {
        let parent = p.parent().unwrap_or(dir);
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let mut created: Vec<PathBuf> = Vec::new();
    for (p, (_, text)) in paths.iter().zip(files) {
        if let Err(e) = write_new(p, text) {
            for c in &created {
                let _ = std::fs::remove_file(c);
            }
            return Err(e.context("the files of this export were removed again"));
        }
        created.push(p.clone());
    }
    Ok(paths)
}

/// Creates `path` and writes `text` into it; a file that appeared meanwhile is never
/// overwritten.
fn write_new(path: &Path, text: &str) -> Result<()> {
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(path).with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(text.as_bytes()).with_context(|| format!("cannot write {}", path.display()))
}
