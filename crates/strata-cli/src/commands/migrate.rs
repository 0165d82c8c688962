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
    let opts = Options { version_table: project.version_table().into(), allow_data_loss: args.allow_data_loss };
    let flags = Flags { sql: args.sql, dry_run: args.dry_run, backup: args.backup };
    migrate_to(project, &args.target, Direction::Up, &opts, flags)
}

pub fn downgrade(project: &Project, args: &DowngradeArgs) -> Result<ExitCode> {
    let opts = Options { version_table: project.version_table().into(), allow_data_loss: args.allow_data_loss };
    let flags = Flags { sql: args.sql, dry_run: args.dry_run, backup: args.backup };
    migrate_to(project, &args.target, Direction::Down, &opts, flags)
}

/// What upgrade and downgrade have in common apart from their direction.
#[derive(Clone, Copy)]
struct Flags {
    sql: bool,
    dry_run: bool,
    backup: bool,
}

fn migrate_to(project: &Project, target: &str, dir: Direction, opts: &Options, flags: Flags) -> Result<ExitCode> {
    let revs = project.revisions()?;
    let target = Target::parse(target);
    if flags.sql || flags.dry_run {
        let (conn, path) = offline_path(project, &revs.graph, &target, opts, dir)?;
        if flags.sql {
            // The script may run on another copy of the database, so it names every risk,
            // uncounted.
            for risk in migrate::data_risks(&path, dir) {
                println!("-- may lose data: {risk}");
            }
            print!("{}", migrate::script_sql(&path, dir, &opts.version_table));
        } else {
            dry_run(&path, dir);
            dry_run_losses(conn.as_ref(), &path, dir, opts)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut conn = project.open()?;
    // Counted before the backup, so a refused run leaves no stray file behind.
    let path = match dir {
        Direction::Up => migrate::upgrade_path(&conn, &revs.graph, &target, opts)?,
        Direction::Down => migrate::downgrade_path(&conn, &revs.graph, &target, opts)?,
    };
    migrate::refuse_data_loss(&conn, &path, dir, opts)?;
    if flags.backup {
        backup(project, &conn)?;
    }
    let clock = SystemClock::new();
    let done = match dir {
        Direction::Up => migrate::upgrade(&mut conn, &revs.graph, &target, opts, &clock, &mut reporter())?,
        Direction::Down => migrate::downgrade(&mut conn, &revs.graph, &target, opts, &clock, &mut reporter())?,
    };
    summary(&conn, project, &revs.graph, done.len(), if dir == Direction::Up { "applied" } else { "reverted" })
}

/// The dry run's word on data loss: counted when the database exists, read from the SQL when
/// it does not.
fn dry_run_losses(conn: Option<&rusqlite::Connection>, path: &[&Revision], dir: Direction, opts: &Options) -> Result<()> {
    let verb = if dir == Direction::Up { "upgrade" } else { "downgrade" };
    let Some(conn) = conn else {
        for risk in migrate::data_risks(path, dir) {
            anstream::println!("{} {risk} (no database to count in)", paint(WARN, "may lose data:"));
        }
        return Ok(());
    };
    let losses = migrate::data_loss(conn, path, dir)?;
    for loss in &losses {
        anstream::println!("{} {loss}", paint(WARN, "data loss:"));
    }
    if losses.iter().any(|l| !l.accepted) && !opts.allow_data_loss {
        anstream::println!("This {verb} would need --allow-data-loss.");
    }
    Ok(())
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
/// from nothing applied when the database does not exist, which is then `None`).
fn offline_path<'g>(project: &Project, graph: &'g Graph, target: &Target, opts: &Options, dir: Direction) -> Result<(Option<rusqlite::Connection>, Vec<&'g Revision>)> {
    let conn = project.open_read_only()?;
    // An empty in-memory database stands for one that does not exist yet.
    let empty = rusqlite::Connection::open_in_memory()?;
    let read = conn.as_ref().unwrap_or(&empty);
    let path = match dir {
        Direction::Up => migrate::upgrade_path(read, graph, target, opts)?,
        Direction::Down => migrate::downgrade_path(read, graph, target, opts)?,
    };
    Ok((conn, path))
}

fn dry_run(path: &[&Revision], dir: Direction) {
    if path.is_empty() {
        anstream::println!("Nothing to do.");
        return;
    }
    let verb = if dir == Direction::Up { "apply" } else { "revert" };
    for rev in path {
        anstream::println!("would {verb} {} {} ({} statements)", paint(BOLD, &rev.id), rev.message, rev.statements(dir).len());
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
