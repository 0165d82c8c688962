//! `strata check` (for CI), `strata verify` (history against files) and `strata diff` (the
//! database against the model). None of them writes.

use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;
use strata_core::history::{self, Finding};
use strata_engine::migrate;

use crate::args::{CheckArgs, DiffArgs, DiffFormat, ReadArgs};
use crate::config::Project;
use crate::output::{json, paint, BAD, DIM, OK, WARN};

pub fn check(project: &Project, args: &CheckArgs) -> Result<ExitCode> {
    let revs = project.revisions()?;
    let (model, head) = migrate::with_head_schema(&revs.graph, project.version_table(), || project.model());
    let model = model?;
    let conn = if args.no_database { None } else { project.open_read_only()? };
    let report = migrate::check_against(conn.as_ref(), &revs.graph, &model, head, project.version_table())?;
    if args.json {
        #[derive(Serialize)]
        struct Out<'a> {
            ok: bool,
            #[serde(flatten)]
            report: &'a migrate::CheckReport,
        }
        json(&Out { ok: report.ok(), report: &report })?;
    } else {
        if !report.model_changes.is_empty() {
            anstream::println!(
                "{} the model has {} change(s) no revision makes; run `strata revision --autogenerate -m MSG`:",
                paint(BAD, "model:"),
                report.model_changes.len()
            );
            for c in &report.model_changes {
                anstream::println!("  - {c}");
            }
        }
        for f in &report.findings {
            anstream::println!("{} {}{}", paint(BAD, "history:"), f.describe(), merge_words(f));
        }
        if !report.pending.is_empty() {
            anstream::println!(
                "{} the database is behind head by {} revision(s) ({}); run `strata upgrade head`",
                paint(BAD, "database:"),
                report.pending.len(),
                report.pending.join(", ")
            );
        }
        if !report.drift.is_empty() {
            anstream::println!(
                "{} the database's schema is not the one its applied revisions build (changed by hand, or stamped at the wrong revision?); these changes would make it so:",
                paint(BAD, "drift:")
            );
            for c in &report.drift {
                anstream::println!("  - {c}");
            }
        }
        if args.no_database {
            anstream::println!("{}", paint(DIM, "the database was left out (--no-database); the model and the revisions were checked"));
        } else if conn.is_none() {
            anstream::println!("{}", paint(DIM, format!("database {} does not exist; only the model and the revisions were checked", project.database.display())));
        }
        if report.ok() {
            let what = if conn.is_some() { "the model, the revisions and the database agree" } else { "the model and the revisions agree" };
            anstream::println!("{} {what}", paint(OK, "ok:"));
        } else {
            let problems = report.model_changes.len() + report.findings.len() + usize::from(!report.pending.is_empty()) + usize::from(!report.drift.is_empty());
            anstream::println!("{} {problems} problem(s) found", paint(BAD, "check failed:"));
        }
    }
    Ok(if report.ok() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

pub fn verify(project: &Project, args: &ReadArgs) -> Result<ExitCode> {
    let revs = project.revisions()?;
    let rows = super::applied_rows(project)?;
    let findings = history::validate(&rows, &revs.graph);
    let errors = findings.iter().filter(|f| f.is_error()).count();
    if args.json {
        #[derive(Serialize)]
        struct Out<'a> {
            ok: bool,
            applied: usize,
            findings: &'a [Finding],
        }
        json(&Out { ok: errors == 0, applied: rows.len(), findings: &findings })?;
    } else {
        for f in &findings {
            let label = if f.is_error() { paint(BAD, "error:") } else { paint(WARN, "warning:") };
            anstream::println!("{label} {}{}", f.describe(), merge_words(f));
        }
        if errors == 0 {
            anstream::println!("{} {} applied revision(s) match their files", paint(OK, "ok:"), rows.len());
        }
    }
    Ok(if errors == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

pub fn diff(project: &Project, args: &DiffArgs) -> Result<ExitCode> {
    let model = project.model()?;
    let hints = super::renames(&args.rename)?;
    let conn = match project.open_read_only()? {
        Some(c) => c,
        None => rusqlite::Connection::open_in_memory()?,
    };
    let auto = migrate::live_diff(&conn, &model, &hints, project.version_table())?;
    // Row counts for the findings that depend on data, read from the live rows.
    let live = strata_engine::introspect_excluding(&conn, &[project.version_table()])?;
    let data = strata_engine::runner::check_data(&conn, &strata_core::data_checks(&auto.up, &live))?;
    if args.json || args.format == DiffFormat::Json {
        #[derive(Serialize)]
        struct Out<'a> {
            changes: Vec<String>,
            sql: String,
            findings: &'a [strata_core::Finding],
            data_findings: &'a [strata_core::Finding],
            rename_candidates: &'a [strata_core::RenameCandidate],
            plan: &'a strata_core::Plan,
        }
        json(&Out {
            changes: auto.up.changes.iter().map(|c| c.describe()).collect(),
            sql: auto.up.to_sql(),
            findings: &auto.findings,
            data_findings: &data,
            rename_candidates: &auto.diff.rename_candidates,
            plan: &auto.up,
        })?;
    } else {
        for f in auto.findings.iter().chain(&data) {
            let rows = f.rows.map(|n| format!(" ({n} rows)")).unwrap_or_default();
            println!("-- [{}] {}: {}{rows}", f.kind.label(), f.table, f.message);
        }
        for c in &auto.diff.rename_candidates {
            println!("-- rename? {}", c.question);
        }
        print!("{}", auto.up.to_sql());
    }
    Ok(ExitCode::SUCCESS)
}

/// The command that joins several heads, after the finding that names them.
fn merge_words(f: &Finding) -> String {
    match f {
        Finding::MultipleHeads { heads } => format!(": strata merge -m MSG {}", heads.join(" ")),
        _ => String::new(),
    }
}
