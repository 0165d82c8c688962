//! The data-driven round-trip cases compiled to wasm32 and run in headless Chromium, on
//! SQLite's WebAssembly build: the playground's engine must behave exactly as the native one.
//! Run with `cargo test -p strata-tests --target wasm32-unknown-unknown --test wasm`.

#![cfg(target_arch = "wasm32")]

use strata_tests::{round_trip, CASES};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn every_case_round_trips_in_the_browser_as_natively() {
    assert!(CASES.len() >= 20, "only {} cases embedded", CASES.len());
    let mut failures = Vec::new();
    for case in CASES {
        match round_trip(case.from, case.to, &[], 5) {
            Ok(trip) => {
                if trip.up.to_sql() != case.up {
                    failures.push(format!("{}: up.sql differs:\n{}", case.name, trip.up.to_sql()));
                }
                if trip.down.to_sql() != case.down {
                    failures.push(format!("{}: down.sql differs:\n{}", case.name, trip.down.to_sql()));
                }
            }
            Err(e) => failures.push(format!("{}: {e}", case.name)),
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n\n"));
}

#[wasm_bindgen_test]
fn the_browser_runs_the_same_sqlite_version() {
    assert_eq!(strata_engine::sqlite_version(), (3, 54, 1));
}
