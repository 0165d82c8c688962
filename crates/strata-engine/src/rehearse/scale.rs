//! Connection side: the duration estimate's measurements. Before a revision runs in the first
//! pass, the shape of the tables it touches is read from the copy (columns, the storage class
//! and length their values mostly have, how many are NULL); afterwards the revision's upgrade
//! is timed on empty databases of the same schema filled with generated rows of that shape,
//! at sizes ×4 apart, and [`super::estimate`] fits a line through the times.

use std::collections::BTreeSet;

use rusqlite::Connection;

use strata_core::rehearse::estimate;
use strata_core::rehearse::{Estimate, Sample, Size};
use crate::error::Error;
use crate::migrate::{revision_script, Clock, MigrateError};
use strata_core::revision::{Direction, Revision};
use crate::runner;
use strata_core::schema::{affinity, key, Affinity};
use strata_core::sql::{quote, quote_str};
use strata_core::statement::{classify, Object, Verb};

/// A run longer than this ends the series of sizes (the estimate then reaches further).
const RUN_BUDGET_MS: f64 = 2000.0;
/// Timed runs of one revision stop once they add up to this.
const TOTAL_BUDGET_MS: f64 = 8000.0;
/// Rows read to learn the shape of a column's values.
const SHAPE_SAMPLE: u64 = 10_000;

/// The database just before a revision, as far as generating rows for it needs.
#[derive(Clone, Debug)]
pub struct Shape {
    /// `(type, sql)` of every schema object, in the order SQLite stores them.
    schema: Vec<(String, String)>,
    tables: Vec<TableShape>,
}

#[derive(Clone, Debug)]
struct TableShape {
    name: String,
    rows: u64,
    columns: Vec<ColumnShape>,
}

#[derive(Clone, Debug)]
struct ColumnShape {
    name: String,
    affinity: Affinity,
    not_null: bool,
    /// The storage class most non-NULL values have (`integer`, `real`, `text`, `blob`).
    class: Option<String>,
    /// Their average length (characters for text, bytes for blobs).
    length: f64,
    /// The share of NULLs.
    nulls: f64,
}

/// The tables an upgrade reads or changes that exist before it: those it alters, drops,
/// rebuilds, indexes, writes or copies from. Tables it creates have no rows to grow.
fn touched(rev: &Revision, exists: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut add = |n: &str| {
        if exists(n) && !names.iter().any(|x| key(x) == key(n)) {
            names.push(n.to_string());
        }
    };
    let mut created = BTreeSet::new();
    for s in strata_core::sql::split_statements(rev.sql(Direction::Up)) {
        let c = classify(&s.text);
        let name = c.name.as_ref().map(|n| n.name.clone()).unwrap_or_default();
        match (c.verb, c.object) {
            (Verb::Create, Some(Object::Table)) => {
                created.insert(key(&name));
            }
            (Verb::Create, Some(Object::Index)) => {
                if let Some(on) = &c.on {
                    add(&on.name);
                }
            }
            (Verb::Alter | Verb::Drop | Verb::Insert | Verb::Replace | Verb::Update | Verb::Delete, _) if !created.contains(&key(&name)) => add(&name),
            _ => {}
        }
    }
    for risk in strata_core::loss::read(rev.sql(Direction::Up)) {
        add(risk.table());
    }
    names
}

/// Reads the shape of what `rev` touches, in the copy as it is just before `rev` runs.
pub fn shape(conn: &Connection, rev: &Revision, version_table: &str) -> Result<Shape, Error> {
    let schema: Vec<(String, String)> = {
        let mut stmt = conn.prepare(
            "SELECT type, sql FROM main.sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> ?1 COLLATE NOCASE ORDER BY rowid",
        )?;
        let v = stmt.query_map([version_table], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
        v
    };
    let exists = |n: &str| -> bool {
        conn.query_row("SELECT count(*) FROM main.sqlite_schema WHERE type = 'table' AND name = ?1 COLLATE NOCASE", [n], |r| r.get::<_, i64>(0)).unwrap_or(0)
            > 0
    };
    let mut tables = Vec::new();
    for name in touched(rev, &exists) {
        let from = format!("main.{}", quote(&name));
        let rows: i64 = conn.query_row(&format!("SELECT count(*) FROM {from}"), [], |r| r.get(0))?;
        let mut columns = Vec::new();
        let info: Vec<(String, String, bool, i64)> = {
            let mut stmt = conn.prepare(&format!("PRAGMA main.table_xinfo({})", quote_str(&name)))?;
            let v = stmt.query_map([], |r| Ok((r.get(1)?, r.get(2)?, r.get::<_, i64>(3)? != 0, r.get(6)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
            v
        };
        for (column, decl, not_null, hidden) in info {
            // Generated and hidden columns take no values from an INSERT.
            if hidden != 0 {
                continue;
            }
            let c = quote(&column);
            let sample = format!("(SELECT {c} AS v FROM {from} LIMIT {SHAPE_SAMPLE})");
            let (all, present, length): (i64, i64, Option<f64>) =
                conn.query_row(&format!("SELECT count(*), count(v), avg(length(v)) FROM {sample}"), [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            let class: Option<String> =
                conn.query_row(&format!("SELECT typeof(v) FROM {sample} WHERE v IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"), [], |r| r.get(0)).ok();
            let nulls = if all > 0 { (all - present) as f64 / all as f64 } else { 0.0 };
            columns.push(ColumnShape { name: column, affinity: affinity(&decl), not_null, class, length: length.unwrap_or(8.0), nulls });
        }
        tables.push(TableShape { name, rows: rows as u64, columns });
    }
    Ok(Shape { schema, tables })
}

/// Times `rev`'s upgrade on generated rows and fits the estimate for `size`. `(None, note)`
/// when there is nothing to estimate or the rows cannot be generated, with the reason.
pub fn measure(
    rev: &Revision,
    shape: &Shape,
    size: Size,
    clock: &dyn Clock,
    scratch: &mut dyn FnMut() -> Result<Connection, Error>,
    progress: &mut dyn FnMut(u64),
) -> Result<(Option<Estimate>, Option<String>), MigrateError> {
    if shape.tables.is_empty() {
        return Ok((None, Some("it changes no table that holds rows yet, so its time does not grow with a table's rows".into())));
    }
    let targets: Vec<u64> = shape
        .tables
        .iter()
        .map(|t| match size {
            Size::Rows(n) => n,
            Size::Scale(k) => (t.rows.max(1) as f64 * k).round() as u64,
        })
        .collect();
    let largest = targets.iter().copied().max().unwrap_or(0).max(1);
    let mut samples = Vec::new();
    let mut spent = 0.0;
    for n in estimate::sizes(largest) {
        if samples.len() >= 2 && (spent >= TOTAL_BUDGET_MS || samples.last().is_some_and(|s: &Sample| s.millis >= RUN_BUDGET_MS)) {
            break;
        }
        progress(n);
        // Each size is timed twice, each time on a fresh database, and the faster run kept:
        // what is slower is the machine's noise (another process, a slow flush), not the work.
        let mut best = f64::INFINITY;
        for _ in 0..2 {
            let mut conn = scratch()?;
            if let Err(e) = fill(&mut conn, shape, &targets, n, largest) {
                return Ok((None, Some(format!("generated rows could not be written ({e}), so there is no estimate"))));
            }
            let script = revision_script(rev, Direction::Up);
            let started = clock.millis();
            if let Err(e) = runner::run(&mut conn, &script, &mut |_| {}, |_| Ok(true), |_| Ok(())) {
                return Ok((None, Some(format!("it failed on generated rows ({e}), so there is no estimate"))));
            }
            best = best.min(clock.millis() - started);
        }
        let millis = best;
        spent += millis;
        samples.push(Sample { rows: n, millis });
    }
    let names = shape.tables.iter().map(|t| t.name.clone()).collect();
    Ok(match estimate::estimate(names, targets, samples) {
        Some(e) => (Some(e), None),
        None => (None, Some("the size asked for is too small to time at two sizes; the rehearsal's own time is the estimate".into())),
    })
}

/// Builds the schema in an empty database and gives each touched table its share of `n`
/// rows (`n` for the largest target, in proportion for the others). Foreign keys and CHECK
/// constraints are off while generating: generated values need not satisfy them, and the
/// runner checks foreign keys only when it switched them off itself.
fn fill(conn: &mut Connection, shape: &Shape, targets: &[u64], n: u64, largest: u64) -> Result<(), Error> {
    conn.execute_batch("PRAGMA foreign_keys = OFF; PRAGMA ignore_check_constraints = ON;")?;
    // Tables first, then the rest; views may name tables created after them.
    let mut rest: Vec<&(String, String)> = Vec::new();
    for object in &shape.schema {
        if object.0 == "table" {
            conn.execute_batch(&object.1)?;
        } else {
            rest.push(object);
        }
    }
    loop {
        let before = rest.len();
        let mut last = None;
        rest.retain(|(_, sql)| match conn.execute_batch(sql) {
            Ok(()) => false,
            Err(e) => {
                last = Some(e);
                true
            }
        });
        if rest.is_empty() {
            break;
        }
        if rest.len() == before {
            return Err(Error::Sqlite(last.expect("a statement failed")));
        }
    }
    let tx = conn.transaction()?;
    for (t, &target) in shape.tables.iter().zip(targets) {
        let rows = ((n as f64) * target as f64 / largest as f64).ceil().max(1.0) as u64;
        if t.columns.is_empty() {
            continue;
        }
        let names: Vec<String> = t.columns.iter().map(|c| quote(&c.name)).collect();
        let values: Vec<String> = t.columns.iter().map(value).collect();
        tx.execute_batch(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) INSERT INTO main.{} ({}) SELECT {} FROM n",
            quote(&t.name),
            names.join(", "),
            values.join(", ")
        ))?;
    }
    tx.commit()?;
    conn.execute_batch("PRAGMA ignore_check_constraints = OFF;")?;
    Ok(())
}

/// The SQL expression of a generated value for row `i`: distinct per row (so UNIQUE holds),
/// of the column's usual storage class and length, NULL as often as in the real rows.
fn value(c: &ColumnShape) -> String {
    let len = c.length.round().max(1.0) as i64;
    let expr = match c.class.as_deref() {
        Some("integer") => "i".to_string(),
        Some("real") => "(i * 0.5)".to_string(),
        Some("text") => format!("substr(hex(randomblob({len})), 1, max({len} - length(i) - 1, 0)) || '-' || i"),
        Some("blob") => format!("randomblob({len})"),
        _ => match c.affinity {
            Affinity::Real => "(i * 0.5)".to_string(),
            Affinity::Text => "'text-' || i".to_string(),
            Affinity::Integer | Affinity::Numeric | Affinity::Blob => "i".to_string(),
        },
    };
    let per_mille = (c.nulls * 1000.0).round() as i64;
    if c.not_null || per_mille == 0 {
        expr
    } else {
        format!("CASE WHEN (i * 7919) % 1000 < {per_mille} THEN NULL ELSE {expr} END")
    }
}
