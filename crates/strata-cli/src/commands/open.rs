//! `strata open`: a playground share link or project file becomes a new project folder. The
//! core lays the project out as files (`project::folder`) and the engine builds its database
//! in memory (`transfer::database_of`); only when both succeeded is anything written, into a
//! folder beside the destination that is moved into place at the end, so a refusal or a
//! failure leaves nothing behind.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use rusqlite::Connection;
use strata_core::project::folder::{folder_of, Folder};
use strata_core::project::{ModelLanguage, Project, SHARE_LIMIT};
use strata_core::Model;
use strata_engine::clock::SystemClock;
use strata_engine::migrate::{self, DEFAULT_VERSION_TABLE};
use strata_engine::transfer::{database_of, scratch};

use crate::args::OpenArgs;
use crate::config::{Config, CONFIG_FILE};
use crate::failure::usage;
use crate::output::{paint, BOLD, OK, WARN};

/// The database file of an opened project, as `strata init` names it.
const DATABASE: &str = "app.db";

pub fn open(args: &OpenArgs, database: Option<&Path>, config: Option<&Path>) -> Result<ExitCode> {
    if config.is_some() {
        return Err(usage("--config names an existing project, and `strata open` makes a new one (DIR/strata.toml); nothing was written"));
    }
    // STRATA_DATABASE points commands at another database at run time; it does not say where a
    // new project keeps its own.
    let from_env = std::env::var_os("STRATA_DATABASE")
        .is_some_and(|v| database.is_some_and(|d| d.as_os_str() == v));
    if database.is_some() && !from_env {
        return Err(usage(format!(
            "`strata open` writes the project's database as DIR/{DATABASE}, so --database has no place here; nothing was written. Move the file and set `database` in strata.toml afterwards"
        )));
    }
    let project = read_source(&args.source)?;
    let folder = folder_of(&project).map_err(|e| anyhow!(e))?;
    let conn = database_of(&project, &SystemClock::new(), DEFAULT_VERSION_TABLE)
        .map_err(|e| anyhow!(e))?;
    let dir = &args.dir;
    refuse_unless_new_or_empty(dir)?;

    let mut written = write_folder(dir, &folder, &conn)?;
    written.push(format!(
        "{}/",
        dir.join(Config::default().migrations).display()
    ));
    for line in written {
        anstream::println!("{} {line}", paint(OK, "created"));
    }
    let applied = migrate::applied(&conn, DEFAULT_VERSION_TABLE)?;
    anstream::println!(
        "{} revision(s), {}",
        folder.revisions.len(),
        match applied.len() {
            0 => "none applied".to_owned(),
            n => format!("{n} applied ({})", project.applied),
        }
    );
    notes(&project, &conn);
    let next = if dir == Path::new(".") {
        "strata check".to_owned()
    } else {
        format!("cd {} && strata check", dir.display())
    };
    anstream::println!("\nNext:\n  {}", paint(BOLD, next));
    Ok(ExitCode::SUCCESS)
}

/// The project `source` holds: a file (a project file, or a file holding a link) when a file of
/// that name exists, else a share link or its `#project=` part.
fn read_source(source: &str) -> Result<Project> {
    let path = Path::new(source);
    let (text, what) = if path.is_file() {
        let size = path
            .metadata()
            .with_context(|| format!("cannot read {source}"))?
            .len();
        if size > SHARE_LIMIT as u64 {
            bail!("{source} is {} MiB, more than the {} MiB a project file may hold; nothing was written", size >> 20, SHARE_LIMIT >> 20);
        }
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {source}"))?;
        let text = String::from_utf8(bytes).map_err(|_| {
            anyhow!("{source} is not UTF-8 text, so it is no project file; nothing was written")
        })?;
        (text, source.to_owned())
    } else if source.contains("project=") {
        (source.to_owned(), "the link".to_owned())
    } else if path.exists() {
        bail!("{source} is a folder; give a project file the playground exported or a share link; nothing was written");
    } else {
        bail!("{source} is neither a file nor a share link (a link holds #project=...); nothing was written");
    };
    Project::from_file_or_link(&text).map_err(|e| anyhow!("cannot open {what}: {e}"))
}

/// A folder that exists and holds anything is refused, as `export --format alembic-project`
/// refuses one: nothing of what is there is ever overwritten.
fn refuse_unless_new_or_empty(dir: &Path) -> Result<()> {
    match dir.symlink_metadata() {
        Err(_) => Ok(()),
        Ok(meta) if meta.is_dir() => {
            match dir.read_dir().map(|mut entries| entries.next().is_none()) {
                Ok(true) => Ok(()),
                Ok(false) => bail!(
                "{} exists and is not empty, and nothing was written; name a new or empty folder",
                dir.display()
            ),
                Err(e) => bail!(
                    "cannot read the folder {} ({e}); nothing was written",
                    dir.display()
                ),
            }
        }
        Ok(_) => bail!(
            "{} exists and is not a folder, and nothing was written; name a new or empty folder",
            dir.display()
        ),
    }
}

/// Writes the project into a new folder beside `dir` and moves it into place. Returns the
/// paths written, for the report.
fn write_folder(dir: &Path, folder: &Folder, conn: &Connection) -> Result<Vec<String>> {
    // The staging folder must be on the destination's file system for the final moves to be
    // renames: inside an empty folder that exists, beside a new one.
    let staging_parent = if dir.is_dir() {
        dir.to_path_buf()
    } else {
        match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    };
    std::fs::create_dir_all(&staging_parent).with_context(|| {
        format!(
            "cannot create {}; nothing was written",
            staging_parent.display()
        )
    })?;
    let staging = tempfile::Builder::new()
        .prefix(".strata-open-")
        .tempdir_in(&staging_parent)
        .with_context(|| {
            format!(
                "cannot create a folder in {}; nothing was written",
                staging_parent.display()
            )
        })?;
    let config = Config::default();
    let mut files: Vec<(PathBuf, &[u8])> = Vec::new();
    let settings = Config {
        model: folder.model.0.to_owned(),
        ..config.clone()
    }
    .to_file_text()?;
    files.push((PathBuf::from(CONFIG_FILE), settings.as_bytes()));
    files.push((PathBuf::from(folder.model.0), folder.model.1.as_bytes()));
    for (name, text) in &folder.revisions {
        files.push((Path::new(&config.migrations).join(name), text.as_bytes()));
    }
    let fill = || -> Result<()> {
        std::fs::create_dir(staging.path().join(&config.migrations))?;
        for (rel, bytes) in &files {
            std::fs::write(staging.path().join(rel), bytes)
                .with_context(|| format!("cannot write {}", rel.display()))?;
        }
        let mut file = Connection::open(staging.path().join(DATABASE))?;
        scratch::copy_over(conn, &mut file).map_err(|e| anyhow!(e))?;
        Ok(())
    };
    fill().context("cannot write the project; nothing was written")?;
    place(staging.path(), dir).context("nothing was written")?;
    let mut written: Vec<String> = files
        .iter()
        .filter(|(rel, _)| rel.components().count() == 1)
        .map(|(rel, _)| dir.join(rel).display().to_string())
        .collect();
    written.push(dir.join(DATABASE).display().to_string());
    Ok(written)
}

/// Moves what `staging` holds to `dir`. A new `dir` is the staging folder renamed; an empty
/// one that exists (perhaps the current folder) keeps its place and takes each entry, and a
/// failure half way moves the entries moved so far back, so `dir` is left as it was.
fn place(staging: &Path, dir: &Path) -> Result<()> {
    if dir.symlink_metadata().is_err() {
        return std::fs::rename(staging, dir)
            .with_context(|| format!("cannot move the project to {}", dir.display()));
    }
    let entries: Vec<PathBuf> = std::fs::read_dir(staging)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    let mut moved: Vec<(PathBuf, PathBuf)> = Vec::new();
    for from in entries {
        let to = dir.join(from.file_name().unwrap_or_default());
        // Something made in the folder since it was found empty is never replaced.
        let taken = to.symlink_metadata().is_ok();
        let result = if taken {
            Err(anyhow!("{} appeared meanwhile", to.display()))
        } else {
            std::fs::rename(&from, &to).map_err(|e| anyhow!(e))
        };
        if let Err(e) = result {
            for (from, to) in moved.iter().rev() {
                let _ = std::fs::rename(to, from);
            }
            return Err(e.context(format!("cannot move the project into {}", dir.display())));
        }
        moved.push((from, to));
    }
    Ok(())
}

/// What `strata check` will say about the new folder, told now: a schema changed outside
/// revisions, revisions the project had not applied, or a model ahead of its revisions.
fn notes(project: &Project, conn: &Connection) {
    let Ok(graph) = project.graph() else { return };
    let model = match project.language {
        ModelLanguage::Sql => strata_engine::from_sql(&project.model).map_err(|e| e.to_string()),
        ModelLanguage::Sqlmodel => {
            strata_core::sqlmodel::from_sqlmodel(&project.model).map_err(|e| e.to_string())
        }
    };
    let model: Model = match model {
        Ok(model) => model,
        Err(e) => {
            anstream::eprintln!(
                "{} the model does not read ({e}); fix it before `strata revision --autogenerate`",
                paint(WARN, "note:")
            );
            return;
        }
    };
    let Ok(report) = migrate::check(Some(conn), &graph, &model, DEFAULT_VERSION_TABLE) else {
        return;
    };
    if !report.drift.is_empty() {
        anstream::eprintln!(
            "{} the database's schema differs from what its revisions build (changed outside revisions, by hand or in the playground's console); `strata check` reports it until a revision makes the change",
            paint(WARN, "note:")
        );
    }
    if !report.pending.is_empty() {
        anstream::eprintln!("{} {} revision(s) are not applied, as in the playground; `strata upgrade head` applies them", paint(WARN, "note:"), report.pending.len());
    }
    if !report.model_changes.is_empty() {
        anstream::eprintln!(
            "{} the model has {} change(s) no revision makes yet; `strata revision --autogenerate -m MSG` writes one",
            paint(WARN, "note:"),
            report.model_changes.len()
        );
    }
}
