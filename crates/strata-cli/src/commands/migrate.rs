//! `strata upgrade`, `downgrade` and `stamp`: the commands that change a database. Each
//! revision runs in the core's one-transaction-per-revision loop; this module prints, draws
//! the progress bar, writes the backup, and, when a signal or a lock stops a run, reads back
//! from the database what committed and says so.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rusqlite::Connection;
use strata_core::classify::Classification;
use strata_core::revision::{Direction, Graph, Revision, Target};
use strata_engine::clock::SystemClock;
use strata_engine::migrate::{self, Event, Options};
use strata_engine::revision_class::classify_revisions;

use crate::args::{DowngradeArgs, Requirement, StampArgs, UpgradeArgs};
use crate::config::Project;
use crate::output::{paint, BAD, BOLD, DIM, OK, WARN};
use crate::{backup, failure, interrupt, lock};

/// Revisions with at least this many statements, or any table rebuild, get a progress bar
/// (drawn only when stderr is a terminal).
const BAR_MIN_STEPS: usize = 20;

pub fn upgrade(project: &Project, args: &UpgradeArgs) -> Result<ExitCode> {
    let opts = Options { version_table: project.version_table().into(), allow_data_loss: args.allow_data_loss };
    let flags = Flags { sql: args.sql, dry_run: args.dry_run, backup: args.backup, require: args.require };
    migrate_to(project, &args.target, Direction::Up, &opts, flags)
}

pub fn downgrade(project: &Project, args: &DowngradeArgs) -> Result<ExitCode> {
    let opts = Options { version_table: project.version_table().into(), allow_data_loss: args.allow_data_loss };
    let flags = Flags { sql: args.sql, dry_run: args.dry_run, backup: args.backup, require: None };
    migrate_to(project, &args.target, Direction::Down, &opts, flags)
}

/// What upgrade and downgrade have in common apart from their direction.
#[derive(Clone, Copy)]
struct Flags {
    sql: bool,
    dry_run: bool,
    backup: bool,
    /// `upgrade --require additive`: refuse the path, before anything runs, when a revision
    /// of it is breaking.
    require: Option<Requirement>,
}

fn migrate_to(project: &Project, target: &str, dir: Direction, opts: &Options, flags: Flags) -> Result<ExitCode> {
    let revs = project.revisions()?;
    let target = self::target(target)?;
    if flags.sql || flags.dry_run {
        let (conn, path) = offline_path(project, &revs.graph, &target, opts, dir)?;
        let classes = classes(project, &revs.graph, &path, dir)?;
        require(flags.require, &path, &classes)?;
        if flags.sql {
            // The script may run on another copy of the database, so it names every risk,
            // uncounted.
            for risk in migrate::data_risks(&path, dir) {
                println!("-- may lose data: {risk}");
            }
            print!("{}", migrate::script_sql(&path, dir, &opts.version_table));
        } else {
            dry_run(&path, dir, &classes);
            dry_run_losses(conn.as_ref(), &path, dir, opts)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut conn = open_watched(project)?;
    let mut run = Run::new(dir);
    let result = run_path(project, &mut conn, &revs.graph, &target, opts, flags, &mut run);
    run.finish(project, &mut conn, &revs.graph, result)
}

fn run_path(project: &Project, conn: &mut Connection, graph: &Graph, target: &Target, opts: &Options, flags: Flags, run: &mut Run) -> Result<usize> {
    let dir = run.direction;
    // Counted before the backup, so a refused run leaves no stray file behind.
    let path = match dir {
        Direction::Up => migrate::upgrade_path(conn, graph, target, opts)?,
        Direction::Down => migrate::downgrade_path(conn, graph, target, opts)?,
    };
    if flags.require.is_some() {
        require(flags.require, &path, &classes(project, graph, &path, dir)?)?;
    }
    migrate::refuse_data_loss(conn, &path, dir, opts)?;
    if flags.backup {
        run.backup(project, conn, path.is_empty())?;
    }
    let mut report = reporter();
    let mut observe = |e: Event| {
        run.see(&e);
        report(e)
    };
    let clock = SystemClock::new();
    let done = match dir {
        Direction::Up => migrate::upgrade(conn, graph, target, opts, &clock, &mut observe)?,
        Direction::Down => migrate::downgrade(conn, graph, target, opts, &clock, &mut observe)?,
    };
    Ok(done.len())
}

/// The dry run's word on data loss: counted when the database exists, read from the SQL when
/// it does not.
fn dry_run_losses(conn: Option<&Connection>, path: &[&Revision], dir: Direction, opts: &Options) -> Result<()> {
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
    let target = target(&args.revision)?;
    let opts = Options { version_table: project.version_table().into(), allow_data_loss: false };
    let mut conn = open_watched(project)?;
    let before = applied_ids(&conn, project);
    let result = migrate::stamp(&mut conn, &revs.graph, &target, &opts, &SystemClock::new());
    interrupt::unwatch(&mut conn);
    if let Some(signal) = interrupt::received() {
        let after = applied_ids(&conn, project);
        let what = match (&before, &after) {
            (Ok(b), Ok(a)) if a == b => "the version table is as it was; nothing was changed".to_string(),
            (Ok(_), Ok(_)) => "the stamp had committed before the signal took effect".to_string(),
            (_, Err(e)) | (Err(e), _) => format!("the version table could not be read afterwards ({e}); run `strata current`"),
        };
        anstream::eprintln!("{} {} stopped the stamp: {what}.", paint(BAD, "interrupted:"), signal.name());
        return Ok(ExitCode::from(signal.exit_code()));
    }
    // A lock that stayed held is told by `commands::run`: the stamp is one transaction, so
    // nothing was changed.
    let (added, removed) = result?;
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

/// The target as typed. Targets take hyphens (`-1`), so a mistyped flag arrives here as a
/// target; a word starting with `-` or `+` that is not `-N`/`+N` can name no revision (ids never
/// start so), and is a usage error rather than an unknown revision.
pub(super) fn target(spec: &str) -> Result<Target> {
    let target = Target::parse(spec);
    if let Target::Revision(s) = &target {
        if s.starts_with(['-', '+']) {
            return Err(failure::usage(format!("`{s}` is neither a revision nor a target (head, heads, base, +N or -N); see --help for the flags")));
        }
    }
    Ok(target)
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

/// The class of each revision an upgrade would apply (none for a downgrade: the class is
/// about the app running while an upgrade applies).
fn classes(project: &Project, graph: &Graph, path: &[&Revision], dir: Direction) -> Result<BTreeMap<String, Classification>> {
    if dir == Direction::Down {
        return Ok(BTreeMap::new());
    }
    let ids = path.iter().map(|r| r.id.clone()).collect();
    Ok(classify_revisions(graph, &ids, project.version_table())?)
}

/// `--require additive`: refuses, naming each breaking step with its reason and the
/// expand/contract way, before anything runs.
fn require(requirement: Option<Requirement>, path: &[&Revision], classes: &BTreeMap<String, Classification>) -> Result<()> {
    let Some(Requirement::Additive) = requirement else { return Ok(()) };
    let breaking: Vec<&Revision> = path.iter().copied().filter(|r| classes.get(&r.id).is_none_or(Classification::is_breaking)).collect();
    if breaking.is_empty() {
        return Ok(());
    }
    let mut lines = Vec::new();
    for rev in &breaking {
        for reason in classes.get(&rev.id).into_iter().flat_map(Classification::breaking) {
            lines.push(format!("  - {} ({}): {}: {}", rev.id, rev.message, reason.what, reason.why));
            if let Some(instead) = &reason.instead {
                lines.push(format!("      instead: {instead}"));
            }
        }
    }
    let n = breaking.len();
    Err(anyhow::anyhow!(
        "--require additive: {n} revision{} to apply {} breaking for an app that keeps running, so nothing was run:\n{}\nrun {} with the app stopped (without --require), or split {} into expand/contract steps",
        if n == 1 { "" } else { "s" },
        if n == 1 { "is" } else { "are" },
        lines.join("\n"),
        if n == 1 { "it" } else { "them" },
        if n == 1 { "it" } else { "them" },
    ))
}

fn dry_run(path: &[&Revision], dir: Direction, classes: &BTreeMap<String, Classification>) {
    if path.is_empty() {
        anstream::println!("Nothing to do.");
        return;
    }
    let verb = if dir == Direction::Up { "apply" } else { "revert" };
    for rev in path {
        let atomic = if rev.options(dir).no_transaction { ", not atomic" } else { "" };
        let class = match classes.get(&rev.id) {
            Some(c) if c.is_breaking() => format!(", {}", paint(WARN, c.summary())),
            Some(c) => format!(", {}", paint(OK, c.summary())),
            None => String::new(),
        };
        anstream::println!("would {verb} {} {} ({} statements{atomic}){class}", paint(BOLD, &rev.id), rev.message, rev.statements(dir).len());
    }
    anstream::println!("{}", paint(DIM, "dry run: the database was not touched"));
}

/// Opens the database for a command that changes it, with Ctrl-C and SIGTERM made to stop the
/// running statement (see `interrupt`).
fn open_watched(project: &Project) -> Result<Connection> {
    interrupt::listen()?;
    let mut conn = project.open()?;
    interrupt::watch(&mut conn)?;
    Ok(conn)
}

fn applied_ids(conn: &Connection, project: &Project) -> Result<BTreeSet<String>> {
    Ok(migrate::applied(conn, project.version_table())?.into_iter().map(|r| r.version).collect())
}

/// What an upgrade or downgrade has done so far, from the runner's events: which revisions
/// committed, and which one is running. When a run stops early (a signal, a lock that stayed
/// held) the report is read back from the database, not assumed: a `COMMIT` that SQLite
/// reports as interrupted may have committed all the same.
struct Run {
    direction: Direction,
    /// Revisions this run committed, in order.
    done: Vec<(String, String)>,
    /// The revision whose transaction was open or about to open (id, message).
    running: Option<(String, String)>,
    /// Whether the running revision's section is `no-transaction`, so that a stop in its middle
    /// may have left some of its statements committed.
    running_in_parts: bool,
    backup: Option<PathBuf>,
    /// Whether writing the backup began (it may not have finished).
    backup_started: bool,
}

impl Run {
    fn new(direction: Direction) -> Run {
        Run { direction, done: Vec::new(), running: None, running_in_parts: false, backup: None, backup_started: false }
    }

    fn see(&mut self, event: &Event) {
        match event {
            Event::Begin { revision, direction, .. } => {
                self.running = Some((revision.id.clone(), revision.message.clone()));
                self.running_in_parts = revision.options(*direction).no_transaction;
            }
            Event::Done { revision, .. } => {
                self.running = None;
                self.done.push((revision.id.clone(), revision.message.clone()));
            }
            Event::Skipped { .. } => self.running = None,
            Event::Step { .. } | Event::Repeat { .. } => {}
        }
    }

    /// Writes the `--backup` copy unless there is nothing to do (then no copy is needed, and
    /// none is written).
    fn backup(&mut self, project: &Project, conn: &Connection, nothing_to_do: bool) -> Result<()> {
        if nothing_to_do {
            anstream::println!("{}", paint(DIM, "nothing to do, so no backup was written"));
            return Ok(());
        }
        self.backup_started = true;
        let path = backup::write(&project.database, conn)?;
        anstream::println!("{} {}", paint(OK, "backup written to"), path.display());
        self.backup = Some(path);
        Ok(())
    }

    /// Ends the command: the summary when the run finished, else what a signal or a lock wait
    /// left behind, read from the database.
    fn finish(self, project: &Project, conn: &mut Connection, graph: &Graph, result: Result<usize>) -> Result<ExitCode> {
        interrupt::unwatch(conn);
        let verb = if self.direction == Direction::Up { "upgrade" } else { "downgrade" };
        if let Some(signal) = interrupt::received() {
            if result.is_ok() {
                anstream::eprintln!("{} {} came when the {verb} had finished; nothing was rolled back.", paint(BAD, "interrupted:"), signal.name());
            } else {
                anstream::eprintln!("{} {} stopped the {verb}.", paint(BAD, "interrupted:"), signal.name());
            }
            for line in self.aftermath(project, conn, graph, result.is_ok(), "its transaction was rolled back") {
                anstream::eprintln!("  {line}");
            }
            return Ok(ExitCode::from(signal.exit_code()));
        }
        match result {
            Ok(n) => summary(conn, project, graph, n, if self.direction == Direction::Up { "applied" } else { "reverted" }),
            Err(e) if failure::is_locked(&e) => {
                let lines = self.aftermath(project, conn, graph, false, "it could not take or keep the write lock");
                Err(anyhow::anyhow!(
                    "database {} {} and it was still locked after {}, so the {verb} stopped:\n  {}\n{}",
                    project.database.display(),
                    lock::held_by(&project.database),
                    failure::wait(project.config.busy_timeout_ms),
                    lines.join("\n  "),
                    failure::WHAT_TO_DO
                ))
            }
            Err(e) => Err(e),
        }
    }

    /// What committed, what did not, and where the database is, as read from it now.
    fn aftermath(&self, project: &Project, conn: &Connection, graph: &Graph, finished: bool, why: &str) -> Vec<String> {
        let up = self.direction == Direction::Up;
        let mut lines = Vec::new();
        let applied = match applied_ids(conn, project) {
            Ok(ids) => ids,
            Err(e) => {
                lines.push(format!("the version table could not be read afterwards ({e}); run `strata current` to see where the database is"));
                return lines;
            }
        };
        let list = |v: &[(String, String)]| v.iter().map(|(id, m)| if m.is_empty() { id.clone() } else { format!("{id} ({m})") }).collect::<Vec<_>>().join(", ");
        let mut kept = self.done.clone();
        if let Some((id, message)) = &self.running {
            let committed = applied.contains(id) == up;
            let name = if message.is_empty() { id.clone() } else { format!("{id} ({message})") };
            if committed {
                kept.push((id.clone(), message.clone()));
            } else if self.running_in_parts {
                // Each statement of a no-transaction section commits on its own: what ran before
                // the stop stays, and only the version row is certainly missing.
                let state = if up { "it is not recorded as applied" } else { "it is still recorded as applied" };
                lines.push(format!(
                    "revision {name} runs without one transaction (no-transaction) and was stopped in its middle: the statements that finished before the stop stay committed, and {state}; its statements are meant to be safe to run again, so run the command again"
                ));
            } else if up {
                lines.push(format!("revision {name} did not complete and nothing of it was kept ({why}); it is not applied"));
            } else {
                lines.push(format!("the downgrade of {name} did not complete and nothing of it was kept ({why}); it is still applied"));
            }
        }
        if !kept.is_empty() {
            let verb = if up { "applied" } else { "reverted" };
            let when = if finished { "every revision had committed before the signal came" } else { "committed before the stop, and kept" };
            lines.push(format!("{verb}: {} ({when})", list(&kept)));
        } else if self.running.is_none() {
            lines.push("no revision had started; nothing was changed".into());
        }
        match &self.backup {
            Some(b) => lines.push(format!("the backup {} was written before", b.display())),
            None if self.backup_started => lines.push("the backup was not finished, and nothing of it was kept".into()),
            None => {}
        }
        let at = graph.current(&applied);
        let at = if at.is_empty() { "base".to_string() } else { at.join(", ") };
        let next = if up { "strata upgrade head" } else { "strata downgrade" };
        lines.push(format!("the database is at {at}; run `{next}` again to go on"));
        lines
    }
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
