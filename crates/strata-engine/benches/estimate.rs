//! The rehearsal's duration estimate checked against real runs: a table of N rows (realistic
//! values: names, emails, amounts, NULLs) is rehearsed with `--scale 10`, and each revision's
//! estimate is compared with the time the same revision takes on a real table of 10 × N rows of
//! the same kind (filled by this benchmark's own generator, not the rehearsal's). Prints the
//! estimate, the real time and their ratio per revision; the target is a ratio within 0.5–1.5.
//!
//! Run with `cargo bench -p strata-engine --bench estimate`. `STRATA_BENCH_ROWS` sets N
//! (100,000 by default); files are written under `STRATA_BENCH_DIR` (default: the system's
//! temporary folder), which should be a real disk, as a database's would be.

use std::path::Path;
use std::time::Instant;

use rusqlite::Connection;
use strata_core::time::Timestamp;
use strata_engine::migrate::{self, Clock};
use strata_engine::rehearse::{self, Options, Size};
use strata_core::revision::{Graph, Revision, Target};

struct Wall(Instant);
impl Clock for Wall {
    fn now(&self) -> Timestamp {
        // 2026-01-01T00:00:00Z: the rehearsal times with `millis`, the moment is only recorded.
        Timestamp(1_767_225_600_000)
    }
    fn millis(&self) -> f64 {
        self.0.elapsed().as_secs_f64() * 1000.0
    }
}

const ORDERS: &str = "CREATE TABLE orders (\n  id INTEGER PRIMARY KEY,\n  customer TEXT NOT NULL,\n  email TEXT,\n  amount REAL NOT NULL,\n  status TEXT NOT NULL DEFAULT 'new',\n  note TEXT\n);";

/// The revisions measured, each on its own on top of r1.
fn revisions() -> Vec<(&'static str, Revision)> {
    let r = |id: &str, up: &str, down: &str| Revision::new(id, vec!["r1".into()], id, id, up, down);
    vec![
        (
            "rebuild (status gets a CHECK)",
            r(
                "rebuild",
                "CREATE TABLE \"_strata_new_orders\" (id INTEGER PRIMARY KEY, customer TEXT NOT NULL, email TEXT, amount REAL NOT NULL, status TEXT NOT NULL DEFAULT 'new' CHECK (length(status) < 20), note TEXT);\n\
                 INSERT INTO \"_strata_new_orders\" (id, customer, email, amount, status, note) SELECT id, customer, email, amount, status, note FROM orders;\n\
                 DROP TABLE orders;\nALTER TABLE \"_strata_new_orders\" RENAME TO orders;",
                "CREATE TABLE \"_strata_new_orders\" (id INTEGER PRIMARY KEY, customer TEXT NOT NULL, email TEXT, amount REAL NOT NULL, status TEXT NOT NULL DEFAULT 'new', note TEXT);\n\
                 INSERT INTO \"_strata_new_orders\" (id, customer, email, amount, status, note) SELECT id, customer, email, amount, status, note FROM orders;\n\
                 DROP TABLE orders;\nALTER TABLE \"_strata_new_orders\" RENAME TO orders;",
            ),
        ),
        ("index on email", r("index", "CREATE INDEX orders_email ON orders (email);", "DROP INDEX orders_email;")),
        (
            "backfill (new column, UPDATE)",
            r("backfill", "ALTER TABLE orders ADD COLUMN domain TEXT;\nUPDATE orders SET domain = substr(email, instr(email, '@') + 1);", "ALTER TABLE orders DROP COLUMN domain;"),
        ),
    ]
}

/// Fills `orders` with `n` rows of realistic values: names, emails (a fifth missing), amounts
/// with cents, a few statuses, notes on one row in three.
fn fill(conn: &Connection, n: u64) {
    conn.execute_batch(&format!(
        "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {n})
         INSERT INTO orders (customer, email, amount, status, note)
         SELECT 'Customer ' || (i * 7919 % 100003) || ' ' || substr('ABCDEFGHIJKLMNOP', i % 16 + 1, 3),
                CASE WHEN i % 5 = 0 THEN NULL ELSE 'user' || (i * 31 % 99991) || '@example' || (i % 7) || '.com' END,
                round((i * 37 % 100000) / 100.0, 2),
                CASE i % 4 WHEN 0 THEN 'new' WHEN 1 THEN 'paid' WHEN 2 THEN 'shipped' ELSE 'cancelled' END,
                CASE WHEN i % 3 = 0 THEN 'call before delivery, gate code ' || (i % 9999) ELSE NULL END
         FROM k;"
    ))
    .unwrap();
}

/// A database file at r1 holding `n` orders.
fn database(path: &Path, graph: &Graph, n: u64) -> Connection {
    for suffix in ["", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let mut conn = Connection::open(path).unwrap();
    conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    migrate::upgrade(&mut conn, graph, &Target::Revision("r1".into()), &migrate::Options::default(), &Wall(Instant::now()), &mut |_| {}).unwrap();
    fill(&conn, n);
    conn
}

fn main() {
    // `cargo bench` passes `--bench`; a plain `cargo test` of benches passes nothing and
    // should stay quick.
    let quick = !std::env::args().any(|a| a == "--bench");
    let n: u64 = std::env::var("STRATA_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(if quick { 2_000 } else { 100_000 });
    let base = std::env::var_os("STRATA_BENCH_DIR").map(std::path::PathBuf::from).unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::tempdir_in(base).unwrap();
    let r1 = Revision::new("r1", vec![], "orders", "r1", ORDERS, "DROP TABLE orders;");
    println!("duration estimate (--scale 10 on {n} rows) against a real run on {} rows, in {}", n * 10, dir.path().display());
    println!("{:<30} {:>12} {:>12} {:>8} {:>8}   timed runs (rows: time)", "revision", "estimate", "real", "ratio", "reach");
    for (label, rev) in revisions() {
        let graph = Graph::new(vec![r1.clone(), rev.clone()]).unwrap();
        // The estimate, as `strata rehearse --scale 10` makes it: on a copy, with its timed
        // runs in files beside it.
        let real = database(&dir.path().join("small.db"), &graph, n);
        let mut copy = Connection::open(dir.path().join("copy.db")).unwrap();
        rehearse::copy(&real, &mut copy, &|| false).unwrap();
        copy.execute_batch("PRAGMA foreign_keys = ON").unwrap();
        let mut run = 0;
        let mut scratch = || {
            run += 1;
            let p = dir.path().join(format!("run-{run}.db"));
            let _ = std::fs::remove_file(&p);
            Ok(Connection::open(p)?)
        };
        let opts = Options { version_table: migrate::DEFAULT_VERSION_TABLE.into(), size: Some(Size::Scale(10.0)) };
        let report = rehearse::rehearse(&mut copy, &graph, &Target::Head, &opts, &Wall(Instant::now()), &mut scratch, &mut |_| {}).unwrap();
        assert!(report.passed(), "{label}: {:?} {:?}", report.failure, report.problems);
        let estimate = report.revisions[0].estimate.clone().expect("an estimate");
        drop(copy);
        for f in std::fs::read_dir(dir.path()).unwrap() {
            let _ = std::fs::remove_file(f.unwrap().path());
        }
        // The real run: the same revision on ten times the rows, timed as the upgrade runs it.
        let mut big = database(&dir.path().join("big.db"), &graph, n * 10);
        let clock = Wall(Instant::now());
        let started = clock.millis();
        migrate::upgrade(&mut big, &graph, &Target::Head, &migrate::Options { allow_data_loss: true, ..Default::default() }, &clock, &mut |_| {}).unwrap();
        let actual = clock.millis() - started;
        drop(big);
        let samples = estimate.samples.iter().map(|s| format!("{}: {:.0} ms", s.rows, s.millis)).collect::<Vec<_>>().join(", ");
        println!("{label:<30} {:>9.0} ms {:>9.0} ms {:>7.2}x {:>7.1}x   {samples}", estimate.millis, actual, estimate.millis / actual, estimate.reach);
        for f in std::fs::read_dir(dir.path()).unwrap() {
            let _ = std::fs::remove_file(f.unwrap().path());
        }
    }
}
