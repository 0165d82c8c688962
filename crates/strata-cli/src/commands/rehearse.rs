//! `strata rehearse`: copies the database into a folder beside it, runs the core's rehearsal
//! on the copy, prints the report (or its JSON), and removes the folder. The database itself
//! is only read, once, to copy it.

use std::process::ExitCode;

use anyhow::{Context, Result};
use rusqlite::{Connection, OpenFlags};
use strata_core::classify::Class;
use strata_engine::rehearse::{self, MismatchKind, Options, Pass, Progress, Report, RevisionReport, Size, StepReport};

use crate::args::RehearseArgs;
use crate::config::Project;
use strata_engine::clock::SystemClock;
use crate::interrupt;
use crate::output::{json, paint, BAD, BOLD, DIM, OK, WARN};
use crate::scratch::Scratch;

pub fn rehearse(project: &Project, args: &RehearseArgs) -> Result<ExitCode> {
    let revs = project.revisions()?;
    let target = super::migrate::target(&args.target)?;
    let size = match (args.rows, args.scale) {
        (Some(n), _) => Some(Size::Rows(n)),
        (None, Some(k)) => Some(Size::Scale(k)),
        (None, None) => None,
    };
    interrupt::listen()?;
    let real = project.open_read_only()?;
    let name = project.database.display().to_string();
    let (mut scratch, removed) = Scratch::create(&project.database)?;
    for leftover in removed {
        anstream::eprintln!("{} removed {}, which a rehearsal that was killed left behind", paint(DIM, "note:"), leftover.display());
    }
    let mut copy = open(project, &scratch.copy())?;
    interrupt::watch(&mut copy)?;
    match &real {
        Some(real) => {
            anstream::eprintln!("{}", paint(DIM, format!("copying {name} into {}", scratch.path().display())));
            rehearse::copy(real, &mut copy, &|| interrupt::received().is_some()).context("cannot copy the database for the rehearsal")?;
        }
        None => anstream::eprintln!("{}", paint(DIM, format!("{name} does not exist yet: rehearsing on an empty database"))),
    }
    // The database is not needed any more; nothing below can reach it.
    drop(real);
    let opts = Options { version_table: project.version_table().into(), size };
    let clock = SystemClock::new();
    let dir = scratch.path().to_path_buf();
    let runs = |s: &mut Scratch| -> Result<Connection, strata_engine::Error> {
        let path = s.next_scratch();
        let mut conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        let _ = interrupt::watch(&mut conn);
        Ok(conn)
    };
    let result = rehearse::rehearse(&mut copy, &revs.graph, &target, &opts, &clock, &mut || runs(&mut scratch), &mut progress);
    interrupt::unwatch(&mut copy);
    drop(copy);
    drop(scratch);
    if let Some(signal) = interrupt::received() {
        anstream::eprintln!(
            "{} {} stopped the rehearsal; its copy ({}) was removed, and {name} was not touched.",
            paint(BAD, "interrupted:"),
            signal.name(),
            dir.display()
        );
        return Ok(ExitCode::from(signal.exit_code()));
    }
    let report = result?;
    if args.json {
        json(&report)?;
    } else {
        print(&report, &name, size);
    }
    Ok(if report.passed() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The copy, opened as the CLI opens the database to migrate it (foreign keys on, the same
/// busy timeout), so revisions run on it as they will on the database.
fn open(project: &Project, path: &std::path::Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(path, flags).with_context(|| format!("cannot create the rehearsal's copy {}", path.display()))?;
    project.config.configure(&mut conn)?;
    conn.execute_batch("PRAGMA foreign_keys = ON")?;
    Ok(conn)
}

/// One line per step as it starts, on stderr (stdout holds the report).
fn progress(p: Progress) {
    match p {
        Progress::Step { pass, revision, index, total } => {
            anstream::eprintln!("{}", paint(DIM, format!("[{}/{total}] {} {}", index + 1, pass.label(), revision.id)));
        }
        Progress::Measuring { revision, rows } => {
            anstream::eprintln!("{}", paint(DIM, format!("timing {} on {} generated rows", revision.id, strata_core::loss::thousands(rows))));
        }
    }
}

fn print(report: &Report, name: &str, size: Option<Size>) {
    if report.revisions.is_empty() {
        anstream::println!("Nothing to rehearse: no revision is pending. {name} was not touched.");
        return;
    }
    let n = report.revisions.len();
    anstream::println!(
        "Rehearsed {n} revision{} on a copy of {name} ({}): up, down and up again. {name} was not touched.",
        if n == 1 { "" } else { "s" },
        bytes(report.size_before)
    );
    for rev in &report.revisions {
        revision(report, rev, size);
    }
    anstream::println!();
    if let Some(f) = &report.failure {
        let at = match (f.step, &f.label) {
            (Some(step), Some(label)) => format!(" at statement {step} ({label})"),
            _ => String::new(),
        };
        anstream::println!("{} {} of {} ({}) failed on the copy{at}:", paint(BAD, "FAILED:"), f.pass.label(), f.revision, f.message);
        anstream::println!("  {}", f.error);
        if let Some(sql) = &f.statement {
            anstream::println!("  statement: {sql}");
        }
    }
    if !report.problems.is_empty() {
        anstream::println!("{} {} problem{}:", paint(BAD, "FAILED:"), report.problems.len(), if report.problems.len() == 1 { "" } else { "s" });
        for p in &report.problems {
            anstream::println!("  - {} {}: {}", p.pass.label(), p.revision, p.message);
        }
    }
    if report.passed() {
        anstream::println!(
            "{} every revision went up, down and up again on the copy; nothing was lost that its SQL does not say it throws away.",
            paint(OK, "Passed:")
        );
    } else {
        anstream::println!("The rehearsal failed; {name} was not touched.");
    }
}

fn revision(report: &Report, rev: &RevisionReport, size: Option<Size>) {
    let class = match rev.class.class {
        Class::Additive => paint(OK, "additive"),
        Class::Breaking => paint(WARN, "breaking"),
    };
    anstream::println!("\n{} {} [{class}]", paint(BOLD, &rev.id), rev.message);
    let steps: Vec<&StepReport> = report.steps_of(&rev.id).collect();
    for s in &steps {
        let checks = if s.integrity == ["ok"] { "integrity ok".to_string() } else { paint(BAD, "integrity FAILED") };
        let fks = if s.foreign_key_violations > s.foreign_key_violations_before {
            paint(BAD, format!("{} rows without a parent", s.foreign_key_violations))
        } else {
            "foreign keys ok".into()
        };
        anstream::println!(
            "  {:<9} {:>9}, write lock {:>9}, {} -> {}, {checks}, {fks}",
            s.pass.label(),
            ms(s.wall_ms),
            ms(s.lock_ms),
            bytes(s.size_before),
            bytes(s.size_after)
        );
    }
    if let Some(first) = steps.first() {
        let changed: Vec<String> =
            first.rows.iter().filter(|r| r.before != r.after).map(|r| format!("{} {} -> {}", r.table, count(r.before), count(r.after))).collect();
        let same = first.rows.len() - changed.len();
        let mut line = changed.join(", ");
        if same > 0 {
            if !line.is_empty() {
                line.push_str("; ");
            }
            line.push_str(&format!("{same} table{} unchanged", if same == 1 { "" } else { "s" }));
        }
        anstream::println!("  {:<9} {line} (first up)", "rows");
    }
    let mismatches: Vec<_> = steps.iter().flat_map(|s| s.mismatches.iter().filter(|m| !m.inherited).map(move |m| (s.pass, m))).collect();
    if mismatches.is_empty() && steps.iter().any(|s| s.pass != Pass::Up) {
        anstream::println!("  {:<9} down and up gave back every value and the schema", "data");
    }
    for (pass, m) in mismatches {
        let line = match (&m.declared_by, &m.kind) {
            (_, MismatchKind::Schema { .. }) => paint(BAD, m.describe()),
            (Some(by), _) => format!("{} (declared: {by})", m.describe()),
            (None, _) => paint(BAD, format!("{} (declared by no statement)", m.describe())),
        };
        anstream::println!("  {:<9} after {}: {line}", "data", pass.label());
    }
    for s in steps.iter().filter(|s| s.pass != Pass::UpAgain) {
        for l in &s.losses {
            let needs = if l.accepted { "accepted in the revision".to_string() } else { "a real run asks for --allow-data-loss".into() };
            anstream::println!("  {:<9} {} throws away {} ({needs})", "loses", s.pass.label(), l.loss);
        }
    }
    for r in rev.class.breaking() {
        anstream::println!("  {:<9} {}: {}", "breaking", r.what, r.why);
        if let Some(instead) = &r.instead {
            anstream::println!("  {:<9} {}", "", paint(DIM, format!("instead: {instead}")));
        }
    }
    match (&rev.estimate, &rev.estimate_note, size) {
        (Some(e), _, _) => {
            let rows = e.rows.iter().map(|n| strata_core::loss::thousands(*n)).collect::<Vec<_>>().join(", ");
            anstream::println!("  {:<9} about {} at {rows} rows of {}", "estimate", ms(e.millis), e.tables.join(", "));
            anstream::println!("  {:<9} {}", "", paint(DIM, &e.trust));
        }
        (None, Some(note), _) => anstream::println!("  {:<9} none: {note}", "estimate"),
        (None, None, None) => {
            if let Some(up) = steps.first() {
                anstream::println!(
                    "  {:<9} {} on the database as it is (the rehearsal's own time; --rows N or --scale K for larger tables)",
                    "estimate",
                    ms(up.wall_ms)
                );
            }
        }
        (None, None, Some(_)) => {}
    }
}

fn count(n: Option<u64>) -> String {
    n.map(strata_core::loss::thousands).unwrap_or_else(|| "(none)".into())
}

/// `0.8 ms`, `312 ms`, `4.2 s`, `3.1 min`.
fn ms(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.1} ms")
    } else if v < 1000.0 {
        format!("{v:.0} ms")
    } else if v < 120_000.0 {
        format!("{:.1} s", v / 1000.0)
    } else {
        format!("{:.1} min", v / 60_000.0)
    }
}

/// `4.0 KiB`, `12.3 MiB`.
pub fn bytes(n: u64) -> String {
    let n = n as f64;
    if n < 1024.0 * 1024.0 {
        format!("{:.1} KiB", n / 1024.0)
    } else if n < 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} MiB", n / 1024.0 / 1024.0)
    } else {
        format!("{:.2} GiB", n / 1024.0 / 1024.0 / 1024.0)
    }
}
