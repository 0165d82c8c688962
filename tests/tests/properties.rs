//! The round-trip property on random schemas: a random schema, filled with rows, and a random
//! list of mutations of it; the planned migration must reach the target, leave nothing to diff,
//! keep the rows of every kept column, and its down plan must return to the start.
//!
//! Schemas are generated as a Rust value ([`Spec`]) in which every object and every column has
//! a stable id, so renames keep every reference intact, and every column knows what data it
//! holds ([`Data`]). Names come in every form a user may write (`sql.rs`): plain, upper case,
//! non-ASCII (`café`, `名前`), reserved words (`select`, `order`), and names holding spaces,
//! `"`, `'`, `]` or `.`, written bare where SQLite allows it and otherwise in each of its three
//! identifier quotes. A mutation is applied only when the result is a schema SQLite accepts and
//! that the rows satisfy in both directions (NOT NULL only over NULLs with a DEFAULT, UNIQUE only
//! over distinct values, foreign keys only where the rows point at parent rows), so a failure of
//! the property always means a bug in the engine. Runs are seeded: `STRATA_PROPTEST_SEED` and
//! `STRATA_PROPTEST_CASES` override the fixed seed and the number of cases; failures are not
//! persisted, since the seed reproduces them. `STRATA_PROPTEST_STATS=1` prints what each case
//! exercised and `STRATA_PROPTEST_SQL=1` the SQL of each case (with `-- --nocapture`).
//!
//! When this finds an engine bug, the reproduction goes to /work/notes/property-bugs.md and the
//! generator is narrowed around it (a comment `// engine bug: see notes`) until the fix lands.
//! Bugs 1-11 found so far are fixed, each kept as a named regression test in
//! `properties/regressions.rs`, and nothing is narrowed now.
//!
//! The parts: the schema value (`properties/spec.rs`), its SQL (`sql.rs`), what rows allow
//! (`validity.rs`), generation (`strategies.rs`), mutations (`mutations.rs`), the database side
//! (`rows.rs`), the regressions (`regressions.rs`) and the head schema of random histories
//! against one database (`history.rs`); this file holds the property itself.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use proptest::sample::Index as Ix;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use rusqlite::{types::Value, Connection};
use strata_core::{diff, plan, schema::affinity, PlanOptions, Rename};
use strata_engine::{introspect, model, runner};

/// Rows written into every table of the starting schema.
const ROWS: i64 = 8;

#[path = "properties/history.rs"]
mod history;
#[path = "properties/mutations.rs"]
mod mutations;
#[path = "properties/regressions.rs"]
mod regressions;
#[path = "properties/rows.rs"]
mod rows;
#[path = "properties/spec.rs"]
mod spec;
#[path = "properties/sql.rs"]
mod sql;
#[path = "properties/strategies.rs"]
mod strategies;
#[path = "properties/validity.rs"]
mod validity;

use mutations::*;
use rows::*;
use spec::*;
use sql::*;
use strategies::*;
use validity::*;

#[derive(Clone, Debug)]
struct Case {
    build: Vec<Build>,
    mutations: Vec<Mutation>,
    annotate: bool,
    /// Plan for an older SQLite (before RENAME COLUMN and DROP COLUMN), so renames and drops
    /// take the rebuild path too; the plan still runs on the bundled SQLite.
    old_sqlite: bool,
}

fn case_strategy() -> impl Strategy<Value = Case> {
    (table_gen(), prop::collection::vec(build_strategy(), 0..=9), prop::collection::vec(mutation_strategy(), 1..=8), prop::bool::weighted(0.3), prop::bool::weighted(0.25))
        .prop_map(|(first, mut build, mutations, annotate, old_sqlite)| {
            build.insert(0, Build::Table(first));
            Case { build, mutations, annotate, old_sqlite }
        })
}

/// SQLite's own checks: the file is sound (indexes agree with their tables, NOT NULL and CHECK
/// hold for every row) and every foreign key has its parent row.
fn healthy(conn: &Connection) -> Result<(), String> {
    let integrity: Vec<String> = conn.prepare("PRAGMA integrity_check").unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    if integrity != ["ok"] {
        return Err(format!("integrity_check: {integrity:?}"));
    }
    let orphans: i64 = conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
    if orphans > 0 {
        return Err(format!("{orphans} rows fail foreign_key_check"));
    }
    Ok(())
}

/// Runs one case; the error describes the failure with everything needed to reproduce it.
fn check(case: &Case) -> Result<(), String> {
    let start = build(&case.build);
    let mut target = start.clone();
    let ctx = Ctx { start: Some(&start) };
    let stats = std::env::var_os("STRATA_PROPTEST_STATS").is_some();
    for m in &case.mutations {
        let applied = apply_mutation(&mut target, &ctx, m);
        if stats {
            let kind = format!("{m:?}");
            eprintln!("mutation {} {applied}", kind.split(['(', ' ']).next().unwrap());
        }
    }
    let from_sql = render(&start, None);
    let to_sql = render(&target, case.annotate.then_some(&start));
    let hints = if case.annotate { vec![] } else { renames(&start, &target) };
    let context = format!(
        "--- from.sql ---\n{from_sql}\n--- to.sql ---\n{to_sql}\n--- rename hints ---\n{hints:?}\n{}",
        if case.old_sqlite { "--- planned for SQLite 3.24.0 ---\n" } else { "" }
    );
    if std::env::var_os("STRATA_PROPTEST_SQL").is_some() {
        eprintln!("{context}");
    }
    let fail = |what: String| Err(format!("{what}\n{context}"));

    let mut conn = strata_tests::db_from(&from_sql);
    fill(&conn, &start);
    let from = introspect(&conn).map_err(|e| format!("introspect: {e}\n{context}"))?;
    let before = snapshot(&conn, &start);
    let seq_before = sequences(&conn, &start);
    let model = match model::from_sql(&to_sql) {
        Ok(m) => m,
        Err(e) => return fail(format!("the model front-end refuses SQL that SQLite accepts: {e}")),
    };
    let mut all = model.renames.clone();
    all.extend(hints);
    let mut opts = PlanOptions::default();
    if case.old_sqlite {
        opts.sqlite_version = (3, 24, 0);
    }
    let d = diff(&from, &model.schema, &all);
    let up = plan(&from, &model.schema, &d, &opts);
    if let Err(e) = runner::apply_plan(&mut conn, &up) {
        return fail(format!("up failed: {e}\n--- up ---\n{}", up.to_sql()));
    }
    let live = introspect(&conn).map_err(|e| format!("introspect after up: {e}\n--- up ---\n{}\n{context}", up.to_sql()))?;
    if live != model.schema {
        return fail(format!(
            "after up the database differs from the target\n--- up ---\n{}\n--- live ---\n{}\n--- target ---\n{}",
            up.to_sql(),
            strata_core::render::schema_sql(&live),
            strata_core::render::schema_sql(&model.schema)
        ));
    }
    if let Err(e) = healthy(&conn) {
        return fail(format!("after up: {e}\n--- up ---\n{}", up.to_sql()));
    }
    let again = diff(&live, &model.schema, &all);
    if !again.is_empty() {
        return fail(format!("a second diff is not empty: {:?}\n--- up ---\n{}", again.changes, up.to_sql()));
    }
    let after = snapshot(&conn, &target);
    let seq_after = sequences(&conn, &target);
    if let Err(e) = compare(&start, &before, &target, &after, None).and_then(|_| compare_sequences(&start, &seq_before, &target, &seq_after)) {
        return fail(format!("after up: {e}\n--- up ---\n{}", up.to_sql()));
    }

    let back: Vec<Rename> = all.iter().map(Rename::reversed).collect();
    let dd = diff(&live, &from, &back);
    let down = plan(&live, &from, &dd, &opts);
    if let Err(e) = runner::apply_plan(&mut conn, &down) {
        return fail(format!("down failed: {e}\n--- up ---\n{}\n--- down ---\n{}", up.to_sql(), down.to_sql()));
    }
    let restored = introspect(&conn).map_err(|e| format!("introspect after down: {e}\n{context}"))?;
    if restored != from {
        return fail(format!(
            "after down the database differs from the start\n--- down ---\n{}\n--- live ---\n{}\n--- start ---\n{}",
            down.to_sql(),
            strata_core::render::schema_sql(&restored),
            strata_core::render::schema_sql(&from)
        ));
    }
    if let Err(e) = healthy(&conn) {
        return fail(format!("after down: {e}\n--- down ---\n{}", down.to_sql()));
    }
    let end = snapshot(&conn, &start);
    let seq_end = sequences(&conn, &start);
    if let Err(e) = compare(&target, &after, &start, &end, None)
        .and_then(|_| compare_sequences(&target, &seq_after, &start, &seq_end))
        .and_then(|_| compare(&start, &before, &start, &end, Some(&target)).map_err(|e| format!("over the round trip: {e}"))) {
        return fail(format!("after down: {e}\n--- down ---\n{}", down.to_sql()));
    }
    if std::env::var_os("STRATA_PROPTEST_STATS").is_some() {
        eprintln!(
            "stats tables={} indexes={} views={} triggers={} changes={} up_steps={} rebuilt={} down_steps={} sequences={}",
            start.tables.len(),
            start.indexes.len(),
            start.views.len(),
            start.triggers.len(),
            d.changes.len(),
            up.steps.len(),
            up.rebuilt_tables.len(),
            down.steps.len(),
            seq_before.len()
        );
    }
    let fk: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
    if fk != 1 {
        return fail("foreign keys are off after the round trip".into());
    }
    Ok(())
}

fn config() -> Config {
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    Config {
        cases: env("STRATA_PROPTEST_CASES").unwrap_or(500) as u32,
        rng_seed: RngSeed::Fixed(env("STRATA_PROPTEST_SEED").unwrap_or(0x5747_a7a5)),
        failure_persistence: None,
        max_shrink_iters: 4096,
        ..Config::default()
    }
}

#[test]
fn random_migrations_round_trip_on_populated_databases() {
    let mut runner = TestRunner::new(config());
    let result = runner.run(&case_strategy(), |case| check(&case).map_err(TestCaseError::fail));
    if let Err(e) = result {
        panic!("{e}");
    }
}
