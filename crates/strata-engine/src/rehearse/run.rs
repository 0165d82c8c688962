//! Connection side: the rehearsal itself, on a copy the caller made (see [`copy`]): every
//! pending revision up, each back down, then up again, timed, with a snapshot of the copy
//! (rows, content digests, size, integrity and foreign-key checks) after every step, compared
//! with what the step should have given back.

use std::collections::BTreeSet;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use sha2::{Digest, Sha256};

use strata_core::rehearse::compare::{self, Declared};
use strata_core::rehearse::*;
use super::scale::{self, Shape};
use crate::error::Error;
use crate::introspect::introspect_excluding;
use crate::loss;
use crate::migrate::{self, Clock, Event, MigrateError};
use strata_core::revision::{Graph, Revision, Target};
use crate::revision_class::classify_revisions;
use strata_core::schema::key;
use strata_core::sql::quote;

/// How a rehearsal runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    pub version_table: String,
    /// Estimate each revision's upgrade on larger tables.
    pub size: Option<Size>,
}

/// What a rehearsal reports as it goes.
#[derive(Debug)]
pub enum Progress<'a> {
    /// A revision is about to run one way (`index` of `total` steps of the three passes).
    Step { pass: Pass, revision: &'a Revision, index: usize, total: usize },
    /// A timed run on `rows` generated rows is about to start.
    Measuring { revision: &'a Revision, rows: u64 },
}

/// Copies the database `from` into `to` with SQLite's backup API: a page-for-page copy, so
/// sizes and free pages are the original's. The copy is consistent: it proceeds in chunks
/// without holding the source's read lock between them (writers are not held up), and SQLite
/// starts it over when another connection writes in between; after a few restarts it finishes
/// in one step, holding the read lock to the end. `stop` is asked between chunks (Ctrl-C).
pub fn copy(from: &Connection, to: &mut Connection, stop: &dyn Fn() -> bool) -> Result<(), Error> {
    let backup = Backup::new(from, to)?;
    let mut remaining = i64::MAX;
    let mut restarts = 0;
    loop {
        if stop() {
            return Err(Error::Sqlite(rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_INTERRUPT), Some("interrupted".into()))));
        }
        let pages = if restarts > 3 { -1 } else { 1024 };
        match backup.step(pages)? {
            StepResult::Done => return Ok(()),
            StepResult::More | StepResult::Busy | StepResult::Locked => {}
            _ => {}
        }
        let now = i64::from(backup.progress().remaining);
        if now > remaining {
            restarts += 1;
        }
        remaining = now;
    }
}

/// Rehearses the upgrade to `target` on `copy` (never the real database: the caller copies it
/// first). `scratch` opens an empty database for each timed run of an estimate (a file beside
/// the copy in the CLI, memory in the playground); it is called only when `opts.size` is set.
///
/// A history problem (an edited revision, several heads) is an error, as it is for upgrade; a
/// revision that fails on the copy is the report's `failure`, and the rehearsal stops there.
pub fn rehearse(
    copy: &mut Connection,
    graph: &Graph,
    target: &Target,
    opts: &Options,
    clock: &dyn Clock,
    scratch: &mut dyn FnMut() -> Result<Connection, Error>,
    progress: &mut dyn FnMut(Progress),
) -> Result<Report, MigrateError> {
    let mopts = migrate::Options { version_table: opts.version_table.clone(), allow_data_loss: true };
    let path = migrate::upgrade_path(copy, graph, target, &mopts)?;
    let ids: BTreeSet<String> = path.iter().map(|r| r.id.clone()).collect();
    let mut classes = classify_revisions(graph, &ids, &opts.version_table)?;
    let declared = Declared::new(&path);
    let first = snapshot(copy, &opts.version_table)?;
    let mut report = Report { size_before: first.size, rows_before: first.rows(), ..Report::default() };
    for rev in &path {
        report.revisions.push(RevisionReport {
            id: rev.id.clone(),
            message: rev.message.clone(),
            class: classes.remove(&rev.id).unwrap_or_else(|| strata_core::classify::from_sql(&rev.up)),
            declares_up: strata_core::loss::read(&rev.up).iter().map(loss::Risk::describe).collect(),
            declares_down: strata_core::loss::read(&rev.down).iter().map(loss::Risk::describe).collect(),
            estimate: None,
            estimate_note: None,
        });
    }
    let mut run = Runner { copy, graph, mopts, clock, declared, total: path.len() * 3, done: 0 };
    // The database after each revision of the first pass: `states[i]` is before `path[i]`.
    let mut states = vec![first];
    let mut shapes: Vec<Option<Shape>> = Vec::new();
    for rev in &path {
        if opts.size.is_some() {
            shapes.push(Some(scale::shape(run.copy, rev, &opts.version_table)?));
        }
        let before = states.last().expect("the first state is there");
        match run.step(rev, Pass::Up, before, None, &[], progress)? {
            Ok((step, after)) => {
                report.steps.push(step);
                states.push(after);
            }
            Err(failure) => return Ok(finish(report, failure)),
        }
    }
    let passes = [(Pass::Down, path.iter().rev().copied().collect::<Vec<_>>()), (Pass::UpAgain, path.clone())];
    // The database as it is now, carried from each step to the next across the passes.
    let mut now = states.last().expect("after the first pass").clone();
    for (pass, order) in passes {
        for rev in order {
            let i = path.iter().position(|r| r.id == rev.id).expect("on the path");
            let expected = if pass == Pass::Down { &states[i] } else { &states[i + 1] };
            let earlier = report.steps.last().map(|s| s.mismatches.clone()).unwrap_or_default();
            match run.step(rev, pass, &now, Some(expected), &earlier, progress)? {
                Ok((step, after)) => {
                    report.steps.push(step);
                    now = after;
                }
                Err(failure) => return Ok(finish(report, failure)),
            }
        }
    }
    report.problems = problems(&report);
    if let Some(size) = opts.size {
        for (i, rev) in path.iter().enumerate() {
            let Some(Some(shape)) = shapes.get(i) else { continue };
            let (estimate, note) = scale::measure(rev, shape, size, clock, scratch, &mut |rows| progress(Progress::Measuring { revision: rev, rows }))?;
            report.revisions[i].estimate = estimate;
            report.revisions[i].estimate_note = note;
        }
    }
    Ok(report)
}

fn finish(mut report: Report, failure: StepFailure) -> Report {
    report.problems = problems(&report);
    report.failure = Some(failure);
    report
}

/// Everything that makes the rehearsal fail, from the steps' findings.
fn problems(report: &Report) -> Vec<Problem> {
    let mut out = Vec::new();
    for s in &report.steps {
        let mut say = |kind, message: String| out.push(Problem { revision: s.revision.clone(), pass: s.pass, kind, message });
        let lines = |v: &[String]| v.join("; ");
        if s.integrity != ["ok"] {
            say(ProblemKind::Integrity, format!("PRAGMA integrity_check reports: {}", lines(&s.integrity)));
        }
        if s.foreign_key_violations > s.foreign_key_violations_before {
            say(
                ProblemKind::ForeignKeys,
                format!("{} rows without a parent afterwards (PRAGMA foreign_key_check; {} before)", s.foreign_key_violations, s.foreign_key_violations_before),
            );
        }
        for m in s.mismatches.iter().filter(|m| !m.inherited && m.declared_by.is_none()) {
            let (kind, message) = match (&m.kind, s.pass) {
                (MismatchKind::Schema { .. }, Pass::Down) => {
                    (ProblemKind::SchemaNotRestored, format!("down does not give back the schema from before the up: {}", m.describe()))
                }
                (MismatchKind::Schema { .. }, _) => {
                    (ProblemKind::SchemaNotRestored, format!("up again does not give the schema of the first up: {}", m.describe()))
                }
                (_, Pass::Up) => {
                    (ProblemKind::UndeclaredLoss, format!("{}, and no statement of the revision declares it (a cascade or a trigger?)", m.describe()))
                }
                (_, Pass::Down) => {
                    (ProblemKind::UndeclaredLoss, format!("after up and down, {}, and no statement of the revisions declares that loss", m.describe()))
                }
                (_, Pass::UpAgain) => {
                    (ProblemKind::UndeclaredLoss, format!("after down and up again, {}, and no statement of the revisions declares that loss", m.describe()))
                }
            };
            say(kind, message);
        }
    }
    out
}

struct Runner<'a> {
    copy: &'a mut Connection,
    graph: &'a Graph,
    mopts: migrate::Options,
    clock: &'a dyn Clock,
    declared: Declared,
    total: usize,
    done: usize,
}

impl Runner<'_> {
    /// Runs `rev` one way and checks the result: `Ok(Err(failure))` when the revision failed
    /// on the copy; `Err` when the copy itself could not be read.
    #[allow(clippy::type_complexity)]
    fn step(
        &mut self,
        rev: &Revision,
        pass: Pass,
        before: &Snapshot,
        expected: Option<&Snapshot>,
        earlier: &[Mismatch],
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Result<(StepReport, Snapshot), StepFailure>, MigrateError> {
        let dir = pass.direction();
        progress(Progress::Step { pass, revision: rev, index: self.done, total: self.total });
        self.done += 1;
        let accepted = rev.options(dir).accepts_data_loss;
        let losses = loss::count(self.copy, &rev.data_loss(dir))?.into_iter().map(|loss| StepLoss { loss, accepted }).collect();
        let clock = self.clock;
        let mut marks: Vec<f64> = Vec::new();
        let started = clock.millis();
        let ran = migrate::apply_revision(self.copy, self.graph, rev, dir, &self.mopts, clock, &mut |e| {
            if matches!(e, Event::Step { .. } | Event::Repeat { .. }) {
                marks.push(clock.millis());
            }
        });
        let ended = clock.millis();
        if let Err(e) = ran {
            return Ok(Err(failure(rev, pass, e)));
        }
        let lock_ms = if rev.options(dir).no_transaction {
            marks.iter().chain([ended].iter()).collect::<Vec<_>>().windows(2).map(|w| w[1] - w[0]).fold(0.0, f64::max)
        } else {
            ended - marks.first().copied().unwrap_or(started)
        };
        let after = snapshot(self.copy, &self.mopts.version_table)?;
        let mut mismatches = Vec::new();
        if let Some(expected) = expected {
            for mut m in compare::compare(expected, &after) {
                m.inherited = compare::is_among(&m, earlier);
                if !matches!(m.kind, MismatchKind::Schema { .. }) {
                    m.declared_by = self.declared.declared_by(&rev.id, None, &m.table, m.column.as_deref());
                }
                mismatches.push(m);
            }
        } else {
            // In the first pass, a table may only lose rows that its SQL says it deletes.
            for (table, was, now) in compare::lost_rows(before, &after) {
                mismatches.push(Mismatch {
                    declared_by: self.declared.declared_by(&rev.id, Some(dir), &table, None),
                    kind: MismatchKind::Rows { expected: was, got: now },
                    table,
                    column: None,
                    inherited: false,
                });
            }
        }
        let names: BTreeSet<String> = before.tables.iter().chain(&after.tables).map(|t| key(&t.name)).collect();
        let rows = names
            .iter()
            .map(|k| {
                let (b, a) = (before.table(k), after.table(k));
                TableRows { table: a.or(b).map(|t| t.name.clone()).unwrap_or_default(), before: b.map(|t| t.rows), after: a.map(|t| t.rows) }
            })
            .collect();
        let step = StepReport {
            revision: rev.id.clone(),
            pass,
            direction: dir,
            wall_ms: ended - started,
            lock_ms,
            size_before: before.size,
            size_after: after.size,
            rows,
            integrity: after.integrity.clone(),
            foreign_key_violations: after.foreign_key_violations,
            foreign_key_violations_before: before.foreign_key_violations,
            losses,
            mismatches,
        };
        Ok(Ok((step, after)))
    }
}

/// The failure of a step, with the statement and SQLite's message when a statement failed.
fn failure(rev: &Revision, pass: Pass, e: MigrateError) -> StepFailure {
    let mut f = StepFailure {
        revision: rev.id.clone(),
        message: rev.message.clone(),
        pass,
        direction: pass.direction(),
        step: None,
        label: None,
        statement: None,
        error: e.to_string(),
    };
    let cause = match &e {
        MigrateError::Failed { cause, .. } | MigrateError::FailedPartly { cause, .. } => Some(cause.as_ref()),
        _ => None,
    };
    match cause {
        Some(Error::Statement { step, comment, sql, message }) | Some(Error::PartlyCommitted { step, comment, sql, message, .. }) => {
            (f.step, f.label, f.statement, f.error) = (Some(*step), Some(comment.clone()), Some(sql.clone()), message.clone());
        }
        Some(Error::Refused { step, comment, sql, reason }) => {
            (f.step, f.label, f.statement, f.error) = (Some(*step), Some(comment.clone()), Some(sql.clone()), reason.clone());
        }
        Some(other) => f.error = other.to_string(),
        None => {}
    }
    f
}

/// What the database holds, for comparison (see [`Snapshot`]). Every table is read whole:
/// the version table is left out (its times differ between passes by nature), and so are
/// `sqlite_stat*` tables; `sqlite_sequence` is kept (an AUTOINCREMENT counter that goes back
/// is a loss too).
pub fn snapshot(conn: &Connection, version_table: &str) -> Result<Snapshot, Error> {
    let schema = introspect_excluding(conn, &[version_table])?;
    let names: Vec<String> = {
        let mut stmt = conn.prepare("SELECT name FROM main.sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_stat%' ESCAPE '\\' ORDER BY name")?;
        let v = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        v
    };
    let mut tables = Vec::new();
    for name in names.into_iter().filter(|n| !n.eq_ignore_ascii_case(version_table)) {
        tables.push(table_state(conn, &name)?);
    }
    let page_count: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
    let page_size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    let integrity: Vec<String> = {
        let mut stmt = conn.prepare("PRAGMA integrity_check")?;
        let v = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        v
    };
    let foreign_key_violations = {
        let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
        let mut rows = stmt.query([])?;
        let mut n = 0u64;
        while rows.next()?.is_some() {
            n += 1;
        }
        n
    };
    Ok(Snapshot { schema, tables, size: (page_count * page_size) as u64, integrity, foreign_key_violations })
}

fn table_state(conn: &Connection, name: &str) -> Result<TableState, Error> {
    let mut stmt = conn.prepare(&format!("SELECT * FROM main.{}", quote(name)))?;
    let columns: Vec<String> = stmt.column_names().map(String::from).collect();
    // Whole rows are digested with their columns in name order, so a rebuild that reorders
    // columns changes no row digest.
    let mut by_name: Vec<usize> = (0..columns.len()).collect();
    by_name.sort_by_key(|&i| key(&columns[i]));
    let mut sums = vec![0u128; columns.len()];
    let mut row_sum = 0u128;
    let mut count = 0u64;
    let mut hashes = vec![[0u8; 16]; columns.len()];
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        for (i, h) in hashes.iter_mut().enumerate() {
            *h = value_hash(row.get_ref(i)?);
            sums[i] = sums[i].wrapping_add(u128::from_le_bytes(*h));
        }
        let mut whole = Sha256::new();
        for &i in &by_name {
            whole.update(hashes[i]);
        }
        row_sum = row_sum.wrapping_add(first16(&whole.finalize()));
        count += 1;
    }
    Ok(TableState {
        name: name.to_string(),
        rows: count,
        columns: columns.into_iter().zip(sums).map(|(c, s)| (c, format!("{s:032x}"))).collect(),
        row_digest: format!("{row_sum:032x}"),
    })
}

/// A value's hash with its storage class, so `7`, `7.0` and `'7'` differ.
fn value_hash(v: ValueRef) -> [u8; 16] {
    let mut h = Sha256::new();
    match v {
        ValueRef::Null => h.update([0]),
        ValueRef::Integer(i) => {
            h.update([1]);
            h.update(i.to_le_bytes());
        }
        ValueRef::Real(f) => {
            h.update([2]);
            h.update(f.to_bits().to_le_bytes());
        }
        ValueRef::Text(t) => {
            h.update([3]);
            h.update(t);
        }
        ValueRef::Blob(b) => {
            h.update([4]);
            h.update(b);
        }
    }
    first16(&h.finalize()).to_le_bytes()
}

fn first16(digest: &[u8]) -> u128 {
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    u128::from_le_bytes(b)
}
