//! Data-driven migration cases: each folder of `test_data/` holds `from.sql` and `to.sql` and
//! the expected `up.sql` and `down.sql`. Every case runs a full round trip on a populated
//! database and compares the planned SQL with the files. `UPDATE_EXPECT=1` rewrites them.

use std::{fs, path::Path};

use strata_tests::round_trip;

#[test]
fn every_case_round_trips_and_matches_its_expected_sql() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    let mut dirs: Vec<_> = fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    assert!(dirs.len() >= 20, "expected the full set of cases, found {}", dirs.len());
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let read = |f: &str| fs::read_to_string(dir.join(f)).unwrap_or_default();
        let trip = match round_trip(&read("from.sql"), &read("to.sql"), &[], 5) {
            Ok(t) => t,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        for (file, got) in [("up.sql", trip.up.to_sql()), ("down.sql", trip.down.to_sql())] {
            if update {
                fs::write(dir.join(file), &got).unwrap();
            } else if read(file) != got {
                failures.push(format!("{name}/{file} differs (UPDATE_EXPECT=1 to accept):\n--- expected ---\n{}\n--- got ---\n{got}", read(file)));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n\n{}", failures.len(), dirs.len(), failures.join("\n\n"));
}
