//! The read commands: `current`, `history`, `heads`, `branches`, `show`. Each prints text, or
//! JSON with `--json`, and never writes to the database.

use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;
use strata_core::classify::{Class, Classification};
use strata_core::history::AppliedRow;
use strata_core::revision::Revision;
use strata_engine::revision_class::{classify_revision, classify_revisions};

use crate::args::{HistoryArgs, ReadArgs, ShowArgs};
use crate::config::{Project, Revisions};
use crate::output::{json, paint, BOLD, DIM, OK, WARN};

#[derive(Serialize)]
struct Entry<'a> {
    id: &'a str,
    parents: &'a [String],
    message: &'a str,
    created: &'a str,
    is_head: bool,
    is_current: bool,
    /// Both directions run in one transaction each (no `no-transaction` section).
    atomic: bool,
    /// Additive or breaking for an app that keeps running while the upgrade applies.
    class: Class,
    classification: Option<Classification>,
    applied_at: Option<&'a str>,
    checksum: &'a str,
    file: Option<String>,
}

fn entry<'a>(revs: &'a Revisions, rev: &'a Revision, rows: &'a BTreeMap<String, AppliedRow>, current: &BTreeSet<String>, class: Option<Classification>) -> Entry<'a> {
    Entry {
        class: class.as_ref().map_or(Class::Breaking, |c| c.class),
        classification: class,
        id: &rev.id,
        parents: &rev.parents,
        message: &rev.message,
        created: &rev.created,
        is_head: revs.graph.children(&rev.id).is_empty(),
        is_current: current.contains(&rev.id),
        atomic: rev.is_atomic(),
        applied_at: rows.get(&rev.id).map(|r| r.applied_at.as_str()),
        checksum: &rev.checksum,
        file: revs.files.get(&rev.id).map(|p| p.display().to_string()),
    }
}

fn by_id(rows: Vec<AppliedRow>) -> BTreeMap<String, AppliedRow> {
    rows.into_iter().map(|r| (r.version.clone(), r)).collect()
}

pub fn current(project: &Project, args: &ReadArgs) -> Result<ExitCode> {
    let revs = project.revisions()?;
    let rows = by_id(super::applied_rows(project)?);
    let ids: BTreeSet<String> = rows.keys().cloned().collect();
    // Applied versions without a file still count: they are what the database says.
    let mut current: Vec<String> = revs.graph.current(&ids);
    current.extend(ids.iter().filter(|id| revs.graph.get(id).is_none()).cloned());
    let pending = revs.graph.pending(&ids).len();
    if args.json {
        #[derive(Serialize)]
        struct Out<'a> {
            database: String,
            current: Vec<Current<'a>>,
            applied: usize,
            pending: usize,
        }
        #[derive(Serialize)]
        struct Current<'a> {
            id: &'a str,
            message: &'a str,
            is_head: bool,
            applied_at: Option<&'a str>,
        }
        let cur = current
            .iter()
            .map(|id| Current {
                id,
                message: revs.graph.get(id).map(|r| r.message.as_str()).or(rows.get(id).map(|r| r.description.as_str())).unwrap_or(""),
                is_head: revs.graph.get(id).is_some_and(|_| revs.graph.children(id).is_empty()),
                applied_at: rows.get(id).map(|r| r.applied_at.as_str()),
            })
            .collect();
        json(&Out { database: project.database.display().to_string(), current: cur, applied: rows.len(), pending })?;
        return Ok(ExitCode::SUCCESS);
    }
    if current.is_empty() {
        anstream::println!("base (no revision applied){}", if pending > 0 { format!("; {pending} pending") } else { String::new() });
    }
    for id in &current {
        match revs.graph.get(id) {
            Some(r) => {
                let head = if revs.graph.children(id).is_empty() { paint(OK, " (head)") } else { String::new() };
                anstream::println!("{}{head} {}", paint(BOLD, id), r.message);
            }
            None => anstream::println!("{} {} (no revision file)", paint(WARN, id), rows[id].description),
        }
    }
    if pending > 0 && !current.is_empty() {
        anstream::println!("{}", paint(DIM, format!("{pending} revision(s) pending; run `strata upgrade head`")));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn history(project: &Project, args: &HistoryArgs) -> Result<ExitCode> {
    let revs = project.revisions()?;
    let rows = by_id(super::applied_rows(project)?);
    let ids: BTreeSet<String> = rows.keys().cloned().collect();
    let current: BTreeSet<String> = revs.graph.current(&ids).into_iter().collect();
    let newest_first: Vec<&Revision> = revs.graph.revisions().rev().collect();
    let all: BTreeSet<String> = newest_first.iter().map(|r| r.id.clone()).collect();
    let mut classes = classify_revisions(&revs.graph, &all, project.version_table())?;
    if args.json {
        let entries: Vec<Entry> = newest_first.iter().map(|r| entry(&revs, r, &rows, &current, classes.remove(&r.id))).collect();
        json(&entries)?;
        return Ok(ExitCode::SUCCESS);
    }
    if newest_first.is_empty() {
        anstream::println!("No revisions yet; create one with `strata revision -m MSG`.");
    }
    for r in newest_first {
        let from = if r.parents.is_empty() { "<base>".to_string() } else { r.parents.join(", ") };
        let mut tags = String::new();
        if revs.graph.children(&r.id).is_empty() {
            tags.push_str(&paint(OK, " (head)"));
        }
        if r.is_merge() {
            tags.push_str(" (merge)");
        }
        if revs.graph.children(&r.id).len() > 1 {
            tags.push_str(" (branchpoint)");
        }
        if current.contains(&r.id) {
            tags.push_str(&paint(BOLD, " (current)"));
        }
        if !r.is_atomic() {
            tags.push_str(&paint(WARN, " (not atomic)"));
        }
        // The class goes last, after the message, so the line reads as it always did up to it.
        let class = classes.get(&r.id);
        let label = match class.map(|c| c.class) {
            Some(Class::Additive) => paint(OK, "[additive]"),
            _ => paint(WARN, "[breaking]"),
        };
        anstream::println!("{from} -> {}{tags}, {} {label}", paint(BOLD, &r.id), r.message);
        if args.verbose {
            let file = revs.files.get(&r.id).map(|p| p.display().to_string()).unwrap_or_default();
            let applied = match rows.get(&r.id) {
                Some(row) => format!("applied {}{}", row.applied_at, row.execution_ms.map(|ms| format!(" in {ms:.1} ms")).unwrap_or_default()),
                None => "not applied".into(),
            };
            anstream::println!("    {}", paint(DIM, format!("created {}; {applied}; checksum {}", r.created, &r.checksum[..12])));
            anstream::println!("    {}", paint(DIM, file));
            for reason in class.into_iter().flat_map(Classification::breaking) {
                anstream::println!("    {}", paint(WARN, format!("breaking: {}", reason.what)));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn heads(project: &Project, args: &ReadArgs) -> Result<ExitCode> {
    let revs = project.revisions()?;
    let heads = revs.graph.heads();
    if args.json {
        let out: Vec<_> = heads.iter().map(|id| serde_json::json!({ "id": id, "message": revs.graph.get(id).map(|r| r.message.as_str()) })).collect();
        json(&out)?;
    } else {
        for id in &heads {
            anstream::println!("{} (head), {}", paint(BOLD, id), revs.graph.get(id).map(|r| r.message.as_str()).unwrap_or(""));
        }
        if heads.len() > 1 {
            anstream::println!("{}", paint(WARN, format!("{} heads: join them with `strata merge -m MSG {}`", heads.len(), heads.join(" "))));
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn branches(project: &Project, args: &ReadArgs) -> Result<ExitCode> {
    let revs = project.revisions()?;
    let points = revs.graph.branch_points();
    if args.json {
        let out: Vec<_> = points.iter().map(|(id, kids)| serde_json::json!({ "id": id, "children": kids })).collect();
        json(&out)?;
    } else if points.is_empty() {
        anstream::println!("No branch points: the history is a straight line.");
    } else {
        for (id, kids) in points {
            anstream::println!("{} (branchpoint), {}", paint(BOLD, id), revs.graph.get(id).map(|r| r.message.as_str()).unwrap_or(""));
            for k in kids {
                anstream::println!("    -> {k}, {}", revs.graph.get(k).map(|r| r.message.as_str()).unwrap_or(""));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn show(project: &Project, args: &ShowArgs) -> Result<ExitCode> {
    let revs = project.revisions()?;
    let id = revs.graph.resolve(&args.revision)?;
    let rev = revs.graph.get(&id).expect("resolved ids exist");
    let rows = by_id(super::applied_rows(project)?);
    let class = classify_revision(&revs.graph, rev, project.version_table())?;
    if args.json {
        #[derive(Serialize)]
        struct Out<'a> {
            #[serde(flatten)]
            revision: &'a Revision,
            children: &'a [String],
            file: Option<String>,
            applied: Option<&'a AppliedRow>,
            atomic: bool,
            class: Class,
            classification: &'a Classification,
        }
        json(&Out {
            revision: rev,
            children: revs.graph.children(&id),
            file: revs.files.get(&id).map(|p| p.display().to_string()),
            applied: rows.get(&id),
            atomic: rev.is_atomic(),
            class: class.class,
            classification: &class,
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    anstream::println!("{} {}", paint(BOLD, "Revision:"), rev.id);
    anstream::println!("{} {}", paint(BOLD, "Parents:"), if rev.parents.is_empty() { "<base>".into() } else { rev.parents.join(", ") });
    let kids = revs.graph.children(&id);
    anstream::println!("{} {}", paint(BOLD, "Children:"), if kids.is_empty() { "(head)".into() } else { kids.join(", ") });
    anstream::println!("{} {}", paint(BOLD, "Created:"), rev.created);
    anstream::println!("{} {}", paint(BOLD, "Applied:"), rows.get(&id).map(|r| r.applied_at.clone()).unwrap_or_else(|| "no".into()));
    let not_atomic: Vec<&str> = [("up", rev.up_options), ("down", rev.down_options)].into_iter().filter(|(_, o)| o.no_transaction).map(|(d, _)| d).collect();
    if !not_atomic.is_empty() {
        anstream::println!(
            "{} {} (no-transaction: {} commits statement by statement; a failure part way leaves what committed and does not record the revision)",
            paint(BOLD, "Atomic:"),
            paint(WARN, "no"),
            not_atomic.join(" and ")
        );
    }
    if let Some(p) = revs.files.get(&id) {
        anstream::println!("{} {}", paint(BOLD, "File:"), p.display());
    }
    print_class(&class);
    anstream::println!("\n    {}\n", rev.message);
    anstream::println!("{}{}", paint(BOLD, "-- +up"), rev.up_options.render());
    anstream::print!("{}", rev.up);
    anstream::println!("\n{}{}", paint(BOLD, "-- +down"), rev.down_options.render());
    anstream::print!("{}", rev.down);
    Ok(ExitCode::SUCCESS)
}

/// The `Class:` block of `strata show`: the class, what it was read from, and each reason,
/// breaking ones with their expand/contract way.
fn print_class(class: &Classification) {
    let basis = match class.basis {
        strata_core::classify::Basis::Changes => "read from the changes strata's plan makes",
        strata_core::classify::Basis::Statements => "read from the hand-written SQL, breaking when in doubt",
    };
    let label = match class.class {
        Class::Additive => paint(OK, "additive"),
        Class::Breaking => paint(WARN, "breaking"),
    };
    anstream::println!("{} {label} for an app that keeps running while it upgrades ({basis})", paint(BOLD, "Class:"));
    for r in &class.reasons {
        anstream::println!("  - {} {}: {}", r.class, r.what, r.why);
        if let Some(instead) = &r.instead {
            anstream::println!("    {}", paint(DIM, format!("instead: {instead}")));
        }
    }
}
