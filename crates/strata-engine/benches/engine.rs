//! Engine benchmarks that print their figures: introspect + diff + plan for generated schemas
//! of 10, 100 and 1000 tables, and a column type change on a 1,000,000-row table against the
//! bare `INSERT INTO ... SELECT` copy of the same rows (the physical limit), in one run.
//!
//! Run with `cargo bench -p strata-engine --bench engine`. `STRATA_BENCH_ROWS` overrides the row
//! count of the rebuild benchmark.

use std::time::{Duration, Instant};

use rusqlite::Connection;
use strata_core::{diff, plan, PlanOptions};
use strata_engine::{introspect, model, runner};

/// A schema of `n` tables, each with a handful of typed columns, a foreign key to the previous
/// table, a CHECK, an index, and one view per ten tables.
fn schema_sql(n: usize, mutated: bool) -> String {
    let mut s = String::new();
    for i in 0..n {
        let parent = if i > 0 { format!(",\n  parent_id INTEGER REFERENCES t{} (id) ON DELETE CASCADE", i - 1) } else { String::new() };
        // The mutation touches every third table: a new column (native ALTER), a type change
        // (rebuild) or a new index, so the plan exercises both paths.
        let extra = if mutated && i % 3 == 0 { ",\n  added_at TEXT DEFAULT '2026-01-01'" } else { "" };
        let score_type = if mutated && i % 3 == 1 { "REAL" } else { "INTEGER" };
        s.push_str(&format!(
            "CREATE TABLE t{i} (\n  id INTEGER PRIMARY KEY,\n  name TEXT NOT NULL DEFAULT '',\n  email VARCHAR(255) UNIQUE,\n  score {score_type} CHECK (score >= 0),\n  note TEXT COLLATE NOCASE{parent}{extra}\n);\nCREATE INDEX t{i}_name ON t{i} (name);\n"
        ));
        if mutated && i % 3 == 2 {
            s.push_str(&format!("CREATE INDEX t{i}_score ON t{i} (score DESC) WHERE score > 0;\n"));
        }
        if i % 10 == 9 {
            s.push_str(&format!("CREATE VIEW v{i} AS SELECT id, name FROM t{i} WHERE score > 10;\n"));
        }
    }
    s
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn bench_pipeline(quick: bool) {
    println!("introspect + diff + plan (median of runs; model parse reported apart)");
    println!("{:>7} {:>14} {:>10} {:>10} {:>10} {:>12} {:>8}", "tables", "introspect ms", "diff ms", "plan ms", "total ms", "model ms", "steps");
    let sizes: &[usize] = if quick { &[10, 100] } else { &[10, 100, 1000] };
    for &n in sizes {
        let conn = Connection::open_in_memory().unwrap();
        model::execute_script(&conn, &schema_sql(n, false)).unwrap();
        let target_sql = schema_sql(n, true);
        let runs = if quick { 3 } else if n >= 1000 { 15 } else { 41 };
        let (mut ti, mut td, mut tp, mut tt, mut tm) = (vec![], vec![], vec![], vec![], vec![]);
        let mut steps = 0;
        for _ in 0..runs {
            let t0 = Instant::now();
            let target = model::from_sql(&target_sql).unwrap();
            tm.push(t0.elapsed());
            let t1 = Instant::now();
            let live = introspect::introspect(&conn).unwrap();
            let t2 = Instant::now();
            let d = diff(&live, &target.schema, &target.renames);
            let t3 = Instant::now();
            let p = plan(&live, &target.schema, &d, &PlanOptions::default());
            let t4 = Instant::now();
            steps = p.steps.len();
            ti.push(t2 - t1);
            td.push(t3 - t2);
            tp.push(t4 - t3);
            tt.push(t4 - t1);
        }
        println!(
            "{n:>7} {:>14.2} {:>10.2} {:>10.2} {:>10.2} {:>12.2} {steps:>8}",
            ms(median(ti)),
            ms(median(td)),
            ms(median(tp)),
            ms(median(tt)),
            ms(median(tm))
        );
    }
}

fn bench_rebuild() {
    let rows: i64 = std::env::var("STRATA_BENCH_ROWS").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let from_sql = "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER, price TEXT, note TEXT);";
    let to_sql = "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER, price REAL, note TEXT);";
    let fresh = |tag: &str| -> Connection {
        let path = dir.path().join(format!("{tag}.sqlite"));
        let _ = std::fs::remove_file(&path);
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(from_sql).unwrap();
        conn.execute_batch(&format!(
            "BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) \
             INSERT INTO items (id, name, qty, price, note) SELECT i, 'item ' || i, i % 100, (i % 1000) || '.50', CASE WHEN i % 7 = 0 THEN NULL ELSE 'n' || i END FROM n; COMMIT;"
        ))
        .unwrap();
        conn
    };
    println!("\ncolumn type change (price TEXT -> REAL) on {rows} rows, file database");
    let (mut bare, mut strata) = (vec![], vec![]);
    for round in 0..3 {
        // Bare copy: the same new table filled by one INSERT ... SELECT in one transaction.
        let conn = fresh(&format!("bare{round}"));
        let t = Instant::now();
        conn.execute_batch(
            "BEGIN; CREATE TABLE items_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER, price REAL, note TEXT); \
             INSERT INTO items_new SELECT id, name, qty, price, note FROM items; COMMIT;",
        )
        .unwrap();
        bare.push(t.elapsed());
        drop(conn);

        let mut conn = fresh(&format!("strata{round}"));
        let t = Instant::now();
        let live = introspect::introspect(&conn).unwrap();
        let target = model::from_sql(to_sql).unwrap();
        let d = diff(&live, &target.schema, &[]);
        let p = plan(&live, &target.schema, &d, &PlanOptions::default());
        runner::apply_plan(&mut conn, &p).unwrap();
        strata.push(t.elapsed());
        let n: i64 = conn.query_row("SELECT count(*) FROM items", [], |r| r.get(0)).unwrap();
        assert_eq!(n, rows);
    }
    let (b, s) = (median(bare), median(strata));
    println!("  bare INSERT ... SELECT : {:>9.1} ms (median of 3)", ms(b));
    println!("  strata plan + apply    : {:>9.1} ms (median of 3)", ms(s));
    println!("  ratio                  : {:>9.2}x (target <= 1.30x)", s.as_secs_f64() / b.as_secs_f64());
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing and expects speed.
    let quick = !std::env::args().any(|a| a == "--bench");
    if quick {
        std::env::set_var("STRATA_BENCH_ROWS", "2000");
    }
    bench_pipeline(quick);
    bench_rebuild();
}
