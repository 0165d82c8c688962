//! Shared helpers of the end-to-end tests: build a populated database, run a migration both
//! ways through the real engine and SQLite, and report every way it fell short.

use std::collections::BTreeMap;

use rusqlite::{types::Value, Connection};
use strata_core::{diff, plan, schema::key, schema::Affinity, schema::Schema, Diff, Plan, PlanOptions, Rename};
use strata_engine::{introspect, model, runner};

/// One data-driven case: a start schema, a target model and the expected up and down SQL.
pub struct Case {
    pub name: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub up: &'static str,
    pub down: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/cases.rs"));

#[cfg(not(target_arch = "wasm32"))]
pub mod fuzz;

/// Opens an in-memory database built from `sql`, with foreign keys enforced as an application
/// would have them.
pub fn db_from(sql: &str) -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    model::execute_script(&conn, sql).unwrap_or_else(|e| panic!("cannot build database: {e}\n{sql}"));
    conn
}

/// Fills every table with `n` rows that respect types, NOT NULL, UNIQUE, CHECK and foreign
/// keys where it can: parents first, child keys pointing at parent rows. Rows SQLite refuses
/// are skipped, so the data is always valid for the schema.
pub fn fill(conn: &Connection, n: i64) {
    let schema = introspect::introspect(conn).unwrap();
    let tables: Vec<_> = strata_core::schema::tables_in_dependency_order(schema.tables.values().collect());
    for t in tables {
        let cols: Vec<_> = t.columns.iter().filter(|c| c.generated.is_none()).collect();
        if cols.is_empty() {
            continue;
        }
        let names = cols.iter().map(|c| strata_core::sql::quote(&c.name)).collect::<Vec<_>>().join(", ");
        let marks = vec!["?"; cols.len()].join(", ");
        let sql = format!("INSERT INTO {} ({names}) VALUES ({marks})", strata_core::sql::quote(&t.name));
        for i in 1..=n {
            let values: Vec<Value> = cols.iter().map(|c| sample_value(c, i)).collect();
            let _ = conn.execute(&sql, rusqlite::params_from_iter(values));
        }
    }
}

/// A value for row `i` of a column: distinct per row (so UNIQUE holds), of the column's
/// affinity, and equal to the parent key of row `i` when the column is a foreign key (every
/// table's row i has the same integer key values).
pub fn sample_value(c: &strata_core::schema::Column, i: i64) -> Value {
    match c.affinity() {
        Affinity::Integer => Value::Integer(i),
        Affinity::Real => Value::Real(i as f64 + 0.5),
        Affinity::Numeric => Value::Integer(i * 10),
        Affinity::Blob => Value::Integer(i),
        Affinity::Text => {
            if c.decl_type.as_str().to_ascii_lowercase().contains("char(1)") {
                Value::Text(((b'a' + (i % 26) as u8) as char).to_string())
            } else {
                Value::Text(format!("v{i}"))
            }
        }
    }
}

/// Every row of every table, column by column, in rowid (or primary key) order.
pub type Rows = BTreeMap<String, BTreeMap<String, Vec<Value>>>;

pub fn snapshot(conn: &Connection, schema: &Schema) -> Rows {
    let mut out = Rows::new();
    for (k, t) in &schema.tables {
        let order = if t.without_rowid {
            t.primary_key.as_ref().map(|pk| pk.columns.iter().map(|c| strata_core::sql::quote(&c.name)).collect::<Vec<_>>().join(", ")).unwrap_or_else(|| "1".into())
        } else {
            "rowid".into()
        };
        let mut cols = BTreeMap::new();
        for c in &t.columns {
            let sql = format!("SELECT {} FROM {} ORDER BY {order}", strata_core::sql::quote(&c.name), strata_core::sql::quote(&t.name));
            let mut stmt = conn.prepare(&sql).unwrap();
            let vals: Vec<Value> = stmt.query_map([], |r| r.get::<_, Value>(0)).unwrap().map(Result::unwrap).collect();
            cols.insert(key(&c.name), vals);
        }
        out.insert(k.clone(), cols);
    }
    out
}

/// What a round trip produced, for the caller's own assertions (expected SQL, lint).
pub struct Trip {
    pub up: Plan,
    pub down: Plan,
    pub diff: Diff,
    pub rows_before: usize,
}

/// The round trip every migration must survive: on a populated database at `from`, the up
/// plan gives a database that introspects equal to `to`, a second diff is empty, rows of kept
/// columns are unchanged, and the down plan returns to `from` with kept rows intact.
pub fn round_trip(from_sql: &str, to_sql: &str, extra_renames: &[Rename], rows: i64) -> Result<Trip, String> {
    let mut conn = db_from(from_sql);
    fill(&conn, rows);
    round_trip_on(&mut conn, to_sql, extra_renames)
}

pub fn round_trip_on(conn: &mut Connection, to_sql: &str, extra_renames: &[Rename]) -> Result<Trip, String> {
    let from = introspect::introspect(conn).map_err(|e| e.to_string())?;
    let before = snapshot(conn, &from);
    let rows_before = before.values().map(|c| c.values().next().map_or(0, Vec::len)).sum();
    let target = model::from_sql(to_sql).map_err(|e| format!("model: {e}"))?;
    let mut renames = target.renames.clone();
    renames.extend(extra_renames.iter().cloned());
    let opts = PlanOptions::default();
    let d = diff(&from, &target.schema, &renames);
    let up = plan(&from, &target.schema, &d, &opts);
    runner::apply_plan(conn, &up).map_err(|e| format!("up failed: {e}\n--- plan ---\n{}", up.to_sql()))?;
    let live = introspect::introspect(conn).map_err(|e| e.to_string())?;
    if live != target.schema {
        return Err(format!("after up, schema differs from target\n--- plan ---\n{}\n--- live ---\n{}\n--- target ---\n{}", up.to_sql(), strata_core::render::schema_sql(&live), strata_core::render::schema_sql(&target.schema)));
    }
    let again = diff(&live, &target.schema, &renames);
    if !again.is_empty() {
        return Err(format!("second diff not empty: {:?}\n--- plan ---\n{}", again.changes, up.to_sql()));
    }
    let after = snapshot(conn, &live);
    compare_kept(&from, &before, &live, &after, &renames).map_err(|e| format!("after up: {e}\n--- plan ---\n{}", up.to_sql()))?;

    let back: Vec<Rename> = renames.iter().map(Rename::reversed).collect();
    let dd = diff(&live, &from, &back);
    let down = plan(&live, &from, &dd, &opts);
    runner::apply_plan(conn, &down).map_err(|e| format!("down failed: {e}\n--- down ---\n{}", down.to_sql()))?;
    let restored = introspect::introspect(conn).map_err(|e| e.to_string())?;
    if restored != from {
        return Err(format!("after down, schema differs from start\n--- down ---\n{}\n--- live ---\n{}\n--- start ---\n{}", down.to_sql(), strata_core::render::schema_sql(&restored), strata_core::render::schema_sql(&from)));
    }
    let end = snapshot(conn, &restored);
    compare_kept(&live, &after, &restored, &end, &back).map_err(|e| format!("after down: {e}\n--- down ---\n{}", down.to_sql()))?;
    Ok(Trip { up, down, diff: d, rows_before })
}

/// Compares the values of every column that exists on both sides (following renames) and kept
/// its affinity: those must be the same, row for row.
pub fn compare_kept(a: &Schema, ra: &Rows, b: &Schema, rb: &Rows, renames: &[Rename]) -> Result<(), String> {
    for (ak, at) in &a.tables {
        let bname = renames
            .iter()
            .find_map(|r| match r {
                Rename::Table { from, to } if key(from) == *ak => Some(key(to)),
                _ => None,
            })
            .unwrap_or_else(|| ak.clone());
        // A table whose name another table is renamed onto was displaced (dropped), not kept.
        let displaced = renames.iter().any(|r| matches!(r, Rename::Table { from, to } if key(to) == *ak && key(from) != *ak));
        if displaced && bname == *ak {
            continue;
        }
        let Some(bt) = b.tables.get(&bname) else { continue };
        for ac in &at.columns {
            let bcol = renames
                .iter()
                .find_map(|r| match r {
                    // A column rename names its table by either side's name.
                    Rename::Column { table, from, to } if (key(table) == bname || key(table) == *ak) && key(from) == key(&ac.name) => Some(to.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| ac.name.to_string());
            // A column whose name another column is renamed onto was displaced (dropped), not kept.
            let displaced = renames.iter().any(|r| matches!(r, Rename::Column { table, from, to }
                if (key(table) == bname || key(table) == *ak) && key(to) == key(&ac.name) && key(from) != key(&ac.name)));
            if displaced && bcol == ac.name.as_str() {
                continue;
            }
            let Some(bc) = bt.column(&bcol) else { continue };
            if bc.affinity() != ac.affinity() || bc.generated.is_some() || ac.generated.is_some() {
                continue;
            }
            let va = &ra[ak][&key(&ac.name)];
            let vb = &rb[&bname][&key(&bc.name)];
            // A column that becomes NOT NULL with a default has its NULLs filled: compare the rest.
            let filled = bc.not_null && !ac.not_null && bc.default.is_some();
            let same = va.len() == vb.len()
                && va.iter().zip(vb).all(|(x, y)| x == y || (filled && *x == Value::Null));
            if !same {
                return Err(format!("values of {}.{} changed: {:?} -> {:?}", at.name, ac.name, va, vb));
            }
        }
    }
    Ok(())
}

/// Everything a database holds, for "exactly as before" checks: every row of `sqlite_schema`
/// (so the SQL text of each object too), every row of every table with its rowid where it has
/// one (`sqlite_sequence` included), and the connection's `PRAGMA foreign_keys`.
#[derive(Debug, PartialEq)]
pub struct Dump {
    pub schema: Vec<(String, String, String, Option<String>)>,
    pub rows: BTreeMap<String, Vec<Vec<Value>>>,
    pub foreign_keys: bool,
}

pub fn dump(conn: &Connection) -> Dump {
    let mut stmt = conn.prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name").unwrap();
    let schema: Vec<(String, String, String, Option<String>)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().map(Result::unwrap).collect();
    let mut rows = BTreeMap::new();
    for (kind, name, _, sql) in &schema {
        if kind != "table" {
            continue;
        }
        let without_rowid = sql.as_deref().is_some_and(|s| s.to_ascii_lowercase().replace(char::is_whitespace, "").contains("withoutrowid"));
        let q = strata_core::sql::quote(name);
        // Ordering by every column makes the order independent of the storage order.
        let sql = if without_rowid { format!("SELECT * FROM {q}") } else { format!("SELECT _rowid_, * FROM {q}") };
        let mut s = conn.prepare(&sql).unwrap();
        let n = s.column_count();
        let mut table: Vec<Vec<Value>> =
            s.query_map([], |r| (0..n).map(|i| r.get::<_, Value>(i)).collect()).unwrap().map(Result::unwrap).collect();
        table.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        rows.insert(name.clone(), table);
    }
    let foreign_keys = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
    Dump { schema, rows, foreign_keys }
}
