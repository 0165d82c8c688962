//! What the playground's check on open costs: `PRAGMA quick_check`, which `Workspace` runs on
//! every saved database it opens so that damage deep in the file is found before a request
//! meets it, timed on databases of the demo's size up to tens of megabytes, beside the whole
//! open that includes it.
//!
//! Run with `cargo bench -p strata-engine --bench open_check`.

use std::time::{Duration, Instant};

use rusqlite::Connection;
use strata_engine::workspace::protocol::Storage;
use strata_engine::workspace::Workspace;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// The median of five runs of `work`.
fn timed(mut work: impl FnMut()) -> Duration {
    median(
        (0..5)
            .map(|_| {
                let start = Instant::now();
                work();
                start.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let sizes: &[usize] = if quick {
        &[0, 2_000]
    } else {
        &[0, 5_000, 50_000, 250_000]
    };
    println!("quick_check on open (median of 5)");
    for &rows in sizes {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("strata.sqlite3");
        let path = path.to_str().unwrap();
        drop(Workspace::open(Connection::open(path).unwrap(), Storage::Opfs).unwrap());
        if rows > 0 {
            Connection::open(path)
                .unwrap()
                .execute_batch(&format!(
                    "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); \
                     CREATE INDEX notes_body ON notes (body); \
                     WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) \
                     INSERT INTO notes (body) SELECT printf('%.200c', 'x') || i FROM n"
                ))
                .unwrap();
        }
        let bytes = std::fs::metadata(path).unwrap().len();
        // A fresh connection each time, as each open has: SQLite's page cache starts empty (the
        // system's file cache is warm, as OPFS's is after the first read).
        let check = timed(|| {
            let conn = Connection::open(path).unwrap();
            let verdict: String = conn
                .query_row("PRAGMA quick_check", [], |row| row.get(0))
                .unwrap();
            assert_eq!(verdict, "ok");
        });
        let open = timed(|| {
            let engine = Workspace::open(Connection::open(path).unwrap(), Storage::Opfs).unwrap();
            assert!(!engine.is_damaged());
        });
        println!(
            "  {rows:>7} rows, {:>8.1} KiB: quick_check {:>9.3} ms, whole open {:>9.3} ms",
            bytes as f64 / 1024.0,
            check.as_secs_f64() * 1000.0,
            open.as_secs_f64() * 1000.0
        );
    }
}
