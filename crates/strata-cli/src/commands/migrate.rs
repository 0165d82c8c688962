//! `strata upgrade`, `downgrade` and `stamp`: the commands that change a database. Each
//! revision runs in the core's one-transaction-per-revision loop; this module only prints,
//! draws the progress bar and writes the backup.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use strata_core::migrate::{self, Event, Options};
use strata_core::revision::{Direction, Graph, Revision, Target};

use crate::args::{DowngradeArgs, StampArgs, UpgradeArgs};
use crate::config::{Project, SystemClock};
use crate::output::{paint, BOLD, DIM, OK, WARN};

/// Revisions with at least this many statements, or any table rebuild, get a progress bar
/// (drawn only when stderr is a terminal).
const BAR_MIN_STEPS: usize = 20;

pub fn upgrade(project: &Project, args: &UpgradeArgs) -> Result<ExitCode> {
    let revs = project.revisions()?;
    let target = Target::parse(&args.target);
    let opts = Options { version_table: project.version_table().into(), allow_data_loss: false };
    if args.sql || args.dry_run {
        let path = offline_path(project, &revs.graph, &target, &opts, Direction::Up)?;
        if args.sql {
            print!("{}", migrate::script_sql(&path, Direction::Up, &opts.version_table));
        } else {
            dry_run(&path, Direction::Up);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut conn = project.open()?;
    if args.backup {
        backup(project, &conn)?;
    }
    let done = migrate::upgrade(&mut conn, &revs.graph, &target, &opts, &SystemClock::new(), &mut reporter())?;
    summary(&conn, project, &revs.graph, done.len(), "applied")
}

pub fn downgrade(project: &Project, args: &DowngradeArgs) -> Result<ExitCode> {
    let revs = project.revisions()?;
    let target = Target::parse(&args.target);
    let opts = Options { version_table: project.version_table().into(), allow_data_loss: args.allow_data_loss };
    if args.sql || args.dry_run {
        let path = offline_path(project, &revs.graph, &target, &opts, Direction::Down)?;
        if args.sql {
            for loss in migrate::data_loss(&path) {
                println!("-- data loss: {loss}");
            }
            print!("{}", migrate::script_sql(&path, Direction::Down, &opts.version_table));
        } else {
            dry_run(&path, Direction::Down);
            let losses = migrate::data_loss(&path);
            for loss in &losses {
                anstream::println!("{} {loss}", paint(WARN, "data loss:"));
            }
            if !losses.is_empty() && !args.allow_data_loss {
                anstream::println!("This downgrade would need --allow-data-loss.");
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut conn = project.open()?;
    // Check before the backup so a refused downgrade leaves no stray file behind.
    let path = migrate::downgrade_path(&conn, &revs.graph, &target, &opts)?;
    if !migrate::data_loss(&path).is_empty() && !args.allow_data_loss {
        return Err(migrate::MigrateError::DataLoss { losses: migrate::data_loss(&path) }.into());
    }
    if args.backup {
        backup(project, &conn)?;
    }
    let done = migrate::downgrade(&mut conn, &revs.graph, &target, &opts, &SystemClock::new(), &mut reporter())?;
    summary(&conn, project, &revs.graph, done.len(), "reverted")
}

pub fn stamp(project: &Project, args: &StampArgs) -> Result<ExitCode> {
    let revs = project.revisions()?;
    let opts = Options { version_table: project.version_table().into(), allow_data_loss: false };
    let mut conn = project.open()?;
    let (added, removed) = migrate::stamp(&mut conn, &revs.graph, &Target::parse(&args.revision), &opts, &SystemClock::new())?;
    for id in &added {
        anstream::println!("{} {id} recorded as applied (no SQL was run)", paint(OK, "stamped"));
    }
    for id in &removed {
        anstream::println!("{} {id} recorded as not applied (no SQL was run)", paint(WARN, "unstamped"));
    }
    if added.is_empty() && removed.is_empty() {
        anstream::println!("The version table already says so; nothing changed.");
    }
    Ok(ExitCode::SUCCESS)
}

/// The path for `--sql` and `--dry-run`, read from the database without writing to it (and
/// from nothing applied when the database does not exist).
fn offline_path<'g>(project: &Project, graph: &'g Graph, target: &Target, opts: &Options, dir: Direction) -> Result<Vec<&'g Revision>> {
    let conn = match project.open_read_only()? {
        Some(c) => c,
        // An empty in-memory database stands for one that does not exist yet.
        None => rusqlite::Connection::open_in_memory()?,
    };
    Ok(match dir {
        Direction::Up => migrate::upgrade_path(&conn, graph, target, opts)?,
        Direction::Down => migrate::downgrade_path(&conn, graph, target, opts)?,
    })
}

fn dry_run(path: &[&Revision], dir: Direction) {
    if path.is_empty() {
        anstream::println!("Nothing to do.");
        return;
    }
    let verb = if dir == Direction::Up { "apply" } else { "revert" };
    for rev in path {
        let atomic = if rev.options(dir).no_transaction { ", not atomic" } else { "" };
        anstream::println!("would {verb} {} {} ({} statements{atomic})", paint(BOLD, &rev.id), rev.message, rev.statements(dir).len());
    }
    anstream::println!("{}", paint(DIM, "dry run: the database was not touched"));
}

/// Writes `<database>.<UTC time>.bak` with VACUUM INTO: a consistent copy even while other
/// connections read, without copying free pages.
fn backup(project: &Project, conn: &rusqlite::Connection) -> Result<PathBuf> {
    let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string().replace([':', '-'], "");
    let mut name = project.database.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{stamp}.bak"));
    let mut path = project.database.with_file_name(name);
    let mut n = 1;
    while path.exists() {
        n += 1;
        let mut name = project.database.file_name().unwrap_or_default().to_os_string();
        name.push(format!(".{stamp}-{n}.bak"));
        path = project.database.with_file_name(name);
    }
    conn.execute("VACUUM INTO ?1", [path.to_string_lossy()]).with_context(|| format!("cannot write backup {}", path.display()))?;
    anstream::println!("{} {}", paint(OK, "backup written to"), path.display());
    Ok(path)
}

/// Prints each revision as it runs and drives a progress bar for long ones.
fn reporter() -> impl FnMut(Event) {
    let mut bar: Option<ProgressBar> = None;
    move |e| match e {
        Event::Begin { revision, direction, steps, .. } => {
            let verb = if direction == Direction::Up { "upgrade" } else { "downgrade" };
            let from = if revision.parents.is_empty() { "base".to_string() } else { revision.parents.join(", ") };
            let arrow = if direction == Direction::Up { format!("{from} -> {}", revision.id) } else { format!("{} -> {from}", revision.id) };
            let message = if revision.message.is_empty() { String::new() } else { format!(", {}", revision.message) };
            anstream::println!("Running {verb} {arrow}{message}");
            if revision.options(direction).no_transaction {
                anstream::println!("  {} not atomic: each statement commits on its own, and the version row is written after the last", paint(WARN, "note:"));
            }
            if steps == 0 && !revision.statements(direction.flip()).is_empty() {
                let side = if direction == Direction::Up { "-- +up" } else { "-- +down" };
                anstream::println!("  {} its {side} section has no statements; only the version row changes", paint(WARN, "note:"));
            }
            let rebuild = revision.sql(direction).contains("INSERT INTO \"_strata_new_");
            if steps >= BAR_MIN_STEPS || rebuild {
                let b = ProgressBar::with_draw_target(Some(steps as u64), ProgressDrawTarget::stderr());
                b.set_style(ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {wide_msg}").unwrap_or_else(|_| ProgressStyle::default_bar()).progress_chars("=> "));
                b.enable_steady_tick(std::time::Duration::from_millis(100));
                bar = Some(b);
            }
        }
        Event::Step { done, label, .. } => {
            if let Some(b) = &bar {
                b.set_position(done as u64);
                b.set_message(label.to_string());
            }
        }
        Event::Repeat { label, runs, rows, total, .. } => {
            if let Some(b) = &bar {
                b.set_message(format!("{label}: run {runs}, {total} rows"));
            } else {
                anstream::println!("  {} {label}: run {runs} changed {rows} rows ({total} in all)", paint(DIM, "batch:"));
            }
        }
        Event::Done { millis, .. } => {
            if let Some(b) = bar.take() {
                b.finish_and_clear();
            }
            anstream::println!("  {} in {millis:.1} ms", paint(OK, "done"));
        }
        Event::Skipped { revision, .. } => {
            if let Some(b) = bar.take() {
                b.finish_and_clear();
            }
            anstream::println!("  {} {} was already done by another process", paint(DIM, "skipped:"), revision.id);
        }
    }
}

fn summary(conn: &rusqlite::Connection, project: &Project, graph: &Graph, n: usize, verb: &str) -> Result<ExitCode> {
    let rows = migrate::applied(conn, project.version_table())?;
    let ids = rows.iter().map(|r| r.version.clone()).collect();
    let at = graph.current(&ids);
    let at = if at.is_empty() { "base".to_string() } else { at.join(", ") };
    if n == 0 {
        anstream::println!("Nothing to do; the database is at {at}.");
    } else {
        anstream::println!("{} {n} revision{}; the database is at {at}.", paint(OK, verb), if n == 1 { "" } else { "s" });
    }
    Ok(ExitCode::SUCCESS)
}
