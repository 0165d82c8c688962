//! The sqldef SQLite conformance suite (`../shared/conformance/sqldef`), run semantically as its
//! README says: every case is migrated both ways on a populated database through the real
//! engine, and the schemas and rows are compared, never the SQL text.
//!
//! The seven rules of the README, and where each is checked:
//! 1. build a database from `current` and fill every table: [`run_case`] (and it fails a case
//!    whose tables stay empty, because kept-row checks over no rows prove nothing);
//! 2. plan and apply the up migration, 3. compare with a fresh database built from `desired` and
//!    diff again (must be empty), 4. plan and apply the down migration back to `current`, with
//!    kept rows intact both ways: `strata_tests::round_trip_on`;
//! 5. `@renamed` annotations: [`check_renames`] applies the up plan on its own database and
//!    compares the renamed table's and column's rows value for value;
//! 6. `enable_drop: false`: [`check_drop_needs_opt_in`]: the plan marks every destructive step
//!    with `data_loss` (and lint calls it destructive), so a caller refuses it; the CLI applies
//!    such a plan only with `--allow-data-loss` (issue 3), which [`may_apply`] stands for;
//! 7. a `current` or `desired` that is not schema: `Error::NotSchema` naming the statement, never
//!    a panic; the suite has no such case today, so [`non_schema_models_are_refused_clearly`]
//!    feeds two through the same code.
//!
//! sqldef's `up`/`down` SQL is used for one thing only: when sqldef plans nothing (`up: ""`),
//! strata's diff must be empty too, and the other way round.
//!
//! Cases where strata deliberately differs, or that an open engine bug breaks, are listed in
//! [`EXCEPTIONS`] with the reason. The test fails when a listed case starts passing, so the table
//! shrinks as the engine improves.

use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use rusqlite::Connection;
use serde::Deserialize;
use strata_core::{
    diff, introspect, lint, model, plan, runner, schema::key, Change, Error, FindingKind, Model, Plan, PlanOptions,
    Rename, TableChange,
};
use strata_tests::{db_from, fill, round_trip_on, snapshot};

/// How many cases the YAML files hold; a file that fails to load or a case that is skipped
/// would otherwise let the suite pass on less than it claims.
const EXPECTED_CASES: usize = 65;

/// Rows added to every table before a migration.
const ROWS: i64 = 3;

/// Cases that do not pass, each with the reason. Every entry must still fail, and an entry whose
/// reason starts with "deliberate (rule N)" must fail that rule and no other.
const EXCEPTIONS: &[(&str, &str)] = &[
    (
        "DropViewSkipped",
        "deliberate (rule 6): dropping a view loses no rows and the down plan recreates it exactly, so strata does not mark it as data loss and the CLI applies it without --allow-data-loss; only steps that throw data away need the opt-in",
    ),
    (
        "DropTriggerSkipped",
        "deliberate (rule 6): dropping a trigger loses no rows and the down plan recreates it exactly, so strata does not mark it as data loss and the CLI applies it without --allow-data-loss; only steps that throw data away need the opt-in",
    ),
    (
        "DropIndexSkipped",
        "deliberate (rule 6): dropping an index loses no rows and the down plan recreates it exactly, so strata does not mark it as data loss and the CLI applies it without --allow-data-loss; only steps that throw data away need the opt-in",
    ),
];

/// One case, with every key `testcase.schema.json` allows, so that a key this harness does not
/// handle is an error rather than silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    current: Option<String>,
    desired: Option<String>,
    up: Option<String>,
    /// sqldef's down SQL: rule 4 checks the down direction by shape, so the text is not used.
    #[allow(dead_code)]
    down: Option<String>,
    error: Option<String>,
    min_version: Option<String>,
    max_version: Option<String>,
    user: Option<String>,
    flavor: Option<String>,
    managed_roles: Option<Vec<String>>,
    enable_drop: Option<bool>,
    manage: Option<serde_yaml::Value>,
    /// How sqldef quotes the identifiers it prints; strata compares shapes, where quoting does
    /// not matter, so this key changes nothing here.
    #[allow(dead_code)]
    legacy_ignore_quotes: Option<bool>,
    offline: Option<bool>,
    config: Option<serde_yaml::Value>,
}

/// How a passing case passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Rules 1 to 6: migrated up and down with rows kept.
    RoundTrip,
    /// Rule 7: a model that is not schema was refused with a clear error.
    RefusedNotSchema,
    /// The case expects an error (`error:` key) and strata gave one.
    ExpectedError,
}

#[test]
fn sqldef_suite_passes_except_the_listed_cases() {
    let cases = load_suite();
    assert_eq!(cases.len(), EXPECTED_CASES, "the suite should hold {EXPECTED_CASES} cases, found {}", cases.len());

    let names: BTreeSet<&str> = cases.iter().map(|(_, n, _)| n.as_str()).collect();
    assert_eq!(names.len(), cases.len(), "case names must be unique across files, for the exception table");
    for (name, _) in EXCEPTIONS {
        assert!(names.contains(name), "exception {name} names no case of the suite; remove it");
    }

    let mut problems = Vec::new();
    let mut passed = Vec::new();
    let mut excepted = 0;
    for (file, name, case) in &cases {
        let result = catch_unwind(AssertUnwindSafe(|| run_case(case))).unwrap_or_else(|p| Err(format!("panicked: {}", panic_message(&p))));
        let exception = EXCEPTIONS.iter().find(|(n, _)| n == name);
        match (result, exception) {
            (Ok(outcome), None) => passed.push(outcome),
            (Ok(_), Some(_)) => problems.push(format!("{file}/{name} passes now: remove it from EXCEPTIONS")),
            (Err(e), Some((_, reason))) => {
                if let Some(rule) = deliberate_rule(reason) {
                    if !e.starts_with(&format!("{rule}:")) {
                        problems.push(format!("{file}/{name} is listed as differing in {rule}, but fails otherwise: {e}"));
                    }
                }
                excepted += 1;
                eprintln!("listed exception {file}/{name} ({reason}) fails with: {}", e.lines().next().unwrap_or(""));
            }
            (Err(e), None) => problems.push(format!("{file}/{name}: {e}")),
        }
    }
    let count = |o: Outcome| passed.iter().filter(|p| **p == o).count();
    eprintln!(
        "sqldef conformance: {} cases, {} pass ({} round trips, {} refused as not schema, {} expected errors), {} listed exceptions",
        cases.len(),
        passed.len(),
        count(Outcome::RoundTrip),
        count(Outcome::RefusedNotSchema),
        count(Outcome::ExpectedError),
        excepted
    );
    assert!(problems.is_empty(), "{} problems:\n\n{}", problems.len(), problems.join("\n\n"));
    assert_eq!(passed.len() + EXCEPTIONS.len(), cases.len());
}

/// "rule 6" for a reason "deliberate (rule 6): ...".
fn deliberate_rule(reason: &str) -> Option<&str> {
    reason.strip_prefix("deliberate (")?.split_once(')').map(|(rule, _)| rule)
}

/// Rule 7 has no case in the suite today; these two go through the same code so the rule is
/// checked anyway.
#[test]
fn non_schema_models_are_refused_clearly() {
    let delete = Case { current: Some("CREATE TABLE t (x int);\nDELETE FROM t;\n".into()), desired: Some("CREATE TABLE t (x int);\n".into()), ..Case::default() };
    let pragma = Case { desired: Some("PRAGMA foreign_keys = ON;\n".into()), ..Case::default() };
    for case in [delete, pragma] {
        assert_eq!(run_case(&case), Ok(Outcome::RefusedNotSchema), "{case:?}");
    }
}

/// Rule 5's check must catch a rename the engine did not perform: with the annotations withheld
/// from the engine, the rows of every renamed table or column are lost and the check says so.
/// (An index rename carries no rows, so a drop and create is indistinguishable from it.)
#[test]
fn rename_check_catches_a_rename_left_undone() {
    let mut caught = 0;
    for (file, name, case) in load_suite() {
        let desired = case.desired.as_deref().unwrap_or("");
        let Ok(target) = model::from_sql(desired) else { continue };
        if target.renames.iter().all(|r| matches!(r, Rename::Index { .. })) {
            continue;
        }
        let current = case.current.as_deref().unwrap_or("");
        assert!(check_renames_given(current, &target, &[]).is_err(), "{file}/{name}: the check passed without the renames");
        caught += 1;
    }
    assert!(caught >= 6, "only {caught} cases rename a table or column");
}

/// The location of the suite: `shared/` sits beside the repository, here and in CI.
fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/sqldef")
}

/// Every case of every YAML file, as (file, case name, case), in file then document order.
fn load_suite() -> Vec<(String, String, Case)> {
    let dir = suite_dir();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "the sqldef conformance suite is missing at {} ({e}); the repository must be cloned beside a copy of shared/ so that <repo>/../shared/conformance/sqldef exists",
            dir.display()
        )
    });
    let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml")).collect();
    files.sort();
    assert!(!files.is_empty(), "no YAML files in {}", dir.display());
    let mut out = Vec::new();
    for path in files {
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let doc: serde_yaml::Mapping = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{file} is not a mapping of cases: {e}"));
        for (name, body) in doc {
            let name = name.as_str().unwrap_or_else(|| panic!("{file}: a case name is not a string: {name:?}")).to_string();
            let case: Case = serde_yaml::from_value(body).unwrap_or_else(|e| panic!("{file}/{name}: {e}"));
            out.push((file.clone(), name, case));
        }
    }
    out
}

/// Runs one case through every rule that applies to it.
fn run_case(case: &Case) -> Result<Outcome, String> {
    for (key, used) in [
        ("user", case.user.is_some()),
        ("flavor", case.flavor.is_some()),
        ("managed_roles", case.managed_roles.is_some()),
        ("manage", case.manage.is_some()),
        ("offline", case.offline.is_some()),
        ("config", case.config.is_some()),
    ] {
        if used {
            return Err(format!("uses `{key}`, which has no meaning for SQLite"));
        }
    }
    check_version(case)?;
    let current = case.current.as_deref().unwrap_or("");
    let desired = case.desired.as_deref().unwrap_or("");

    // Rule 7 first: both sides must be schema, or be refused clearly.
    let models = model::from_sql(current).and_then(|c| Ok((c, model::from_sql(desired)?)));
    let (_, target) = match models {
        Ok(m) => m,
        Err(e @ Error::NotSchema { .. }) => {
            let Error::NotSchema { line, statement } = &e else { unreachable!() };
            let first = statement.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
            if first == "create" {
                return Err(format!("rule 7: a schema statement was refused as not schema (line {line}): {statement}"));
            }
            // Clear means the user can find the statement: the message names its line and text.
            let message = e.to_string();
            if !message.contains(&format!("line {line}")) || !message.contains(statement.as_str()) {
                return Err(format!("rule 7: the error does not name the line and the statement: {message}"));
            }
            return Ok(Outcome::RefusedNotSchema);
        }
        Err(_) if case.error.is_some() => return Ok(Outcome::ExpectedError),
        Err(e) => return Err(format!("model: {e}")),
    };

    let result = migrate(case, current, desired, &target);
    match (&case.error, result) {
        (None, r) => r.map(|()| Outcome::RoundTrip),
        (Some(_), Err(_)) => Ok(Outcome::ExpectedError),
        (Some(expected), Ok(())) => Err(format!("sqldef expects the error `{expected}`, but strata migrated")),
    }
}

/// Rules 1 to 6 for a case whose two sides are schema.
fn migrate(case: &Case, current: &str, desired: &str, target: &Model) -> Result<(), String> {
    // Rule 1: a populated database at `current`.
    let mut conn = db_from(current);
    fill(&conn, ROWS);
    every_table_has_rows(&conn).map_err(|e| format!("rule 1: {e}"))?;

    // Rule 5: every annotation became a rename, and renamed rows survive.
    let annotated = desired.matches("@renamed").count();
    if target.renames.len() != annotated {
        return Err(format!("rule 5: {annotated} @renamed annotations, but the model read {} renames: {:?}", target.renames.len(), target.renames));
    }
    if !target.renames.is_empty() {
        check_renames(current, target).map_err(|e| format!("rule 5: {e}"))?;
    }

    // Rule 6: a destructive change needs an explicit opt-in. Its verdict is reported after the
    // round trip, so a case that fails rule 6 alone is still migrated both ways.
    let opt_in = if case.enable_drop == Some(false) { check_drop_needs_opt_in(&mut conn, target) } else { Ok(()) };

    // Rules 2 to 4, after the opt-in where rule 6 asked for one.
    let trip = round_trip_on(&mut conn, desired, &[]).map_err(|e| format!("rules 2-4: {e}"))?;
    if !trip.diff.ignored_renames.is_empty() {
        return Err(format!("rule 5: renames were asked for but not applied: {:?}", trip.diff.ignored_renames));
    }

    // sqldef planning nothing and strata planning nothing must go together.
    if case.enable_drop != Some(false) {
        if let Some(up) = &case.up {
            let sqldef_empty = up.trim().is_empty();
            if sqldef_empty != trip.diff.is_empty() {
                return Err(format!(
                    "sqldef's up: it is {}, strata's diff is {}: {:?}",
                    if sqldef_empty { "empty" } else { "not empty" },
                    if trip.diff.is_empty() { "empty" } else { "not empty" },
                    trip.diff.changes
                ));
            }
        }
    }
    opt_in.map_err(|e| format!("rule 6: {e}"))
}

/// A case whose version bounds exclude the SQLite this build links fails, so it must be listed.
fn check_version(case: &Case) -> Result<(), String> {
    let (a, b, c) = strata_core::sqlite_version();
    let have = vec![a, b, c];
    let parse = |v: &str| v.split('.').map(|p| p.parse::<u32>().unwrap_or(0)).collect::<Vec<_>>();
    if let Some(min) = &case.min_version {
        if have < parse(min) {
            return Err(format!("needs SQLite {min} or newer; this build links {a}.{b}.{c}"));
        }
    }
    if let Some(max) = &case.max_version {
        if have > parse(max) {
            return Err(format!("is for SQLite {max} or older; this build links {a}.{b}.{c}"));
        }
    }
    Ok(())
}

fn every_table_has_rows(conn: &Connection) -> Result<(), String> {
    let schema = introspect(conn).map_err(|e| e.to_string())?;
    for t in schema.tables.values() {
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {}", strata_core::sql::quote(&t.name)), [], |r| r.get(0)).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err(format!("fill added no rows to table {}, so kept rows would prove nothing", t.name));
        }
    }
    Ok(())
}

/// Rule 5: on a populated database at `current`, the up plan keeps every value of a renamed
/// table under its new name, moves every value of a renamed column to the new column, and
/// leaves a renamed index under its new name only.
fn check_renames(current: &str, target: &Model) -> Result<(), String> {
    check_renames_given(current, target, &target.renames)
}

/// [`check_renames`] with the renames handed to the engine apart from the ones checked, so a
/// test can show that the check fails when the engine is not told about them.
fn check_renames_given(current: &str, target: &Model, given: &[Rename]) -> Result<(), String> {
    let mut conn = db_from(current);
    fill(&conn, ROWS);
    let from = introspect(&conn).map_err(|e| e.to_string())?;
    let before = snapshot(&conn, &from);
    let d = diff(&from, &target.schema, given);
    if !d.ignored_renames.is_empty() {
        return Err(format!("renames were asked for but not applied: {:?}", d.ignored_renames));
    }
    let up = plan(&from, &target.schema, &d, &PlanOptions::default());
    runner::apply_plan(&mut conn, &up).map_err(|e| format!("up failed: {e}"))?;
    let live = introspect(&conn).map_err(|e| e.to_string())?;
    let after = snapshot(&conn, &live);

    // The name a table of the target had in `current`.
    let old_table = |t: &str| {
        target.renames.iter().find_map(|r| match r {
            Rename::Table { from, to } if key(to) == key(t) => Some(key(from)),
            _ => None,
        })
        .unwrap_or_else(|| key(t))
    };
    // The name a column of the target had in `current`.
    let old_column = |t: &str, c: &str| {
        target.renames.iter().find_map(|r| match r {
            Rename::Column { table, from, to } if key(table) == key(t) && key(to) == key(c) => Some(key(from)),
            _ => None,
        })
        .unwrap_or_else(|| key(c))
    };
    for r in &target.renames {
        match r {
            Rename::Table { from, to } => {
                let old = before.get(&key(from)).ok_or(format!("renamed table {from} is not in current"))?;
                let new = after.get(&key(to)).ok_or(format!("renamed table {to} is missing after up"))?;
                let mut compared = 0;
                for (col, values) in new {
                    if let Some(was) = old.get(&old_column(to, col)) {
                        if was != values {
                            return Err(format!("rename of table {from} to {to}: values of {col} changed: {was:?} -> {values:?}"));
                        }
                        compared += 1;
                    }
                }
                if compared == 0 || new.values().next().is_none_or(Vec::is_empty) {
                    return Err(format!("rename of table {from} to {to}: no rows to compare"));
                }
            }
            Rename::Column { table, from, to } => {
                let was = before.get(&old_table(table)).and_then(|t| t.get(&key(from))).ok_or(format!("renamed column {table}.{from} is not in current"))?;
                let now = after.get(&key(table)).and_then(|t| t.get(&key(to))).ok_or(format!("renamed column {table}.{to} is missing after up"))?;
                if was.is_empty() || was != now {
                    return Err(format!("rename of column {table}.{from} to {to}: values {was:?} became {now:?}"));
                }
            }
            Rename::Index { from, to } => {
                if !live.indexes.contains_key(&key(to)) || live.indexes.contains_key(&key(from)) {
                    return Err(format!("rename of index {from} to {to}: indexes after up are {:?}", live.indexes.keys().collect::<Vec<_>>()));
                }
            }
        }
    }
    Ok(())
}

/// Rule 6: every destructive change of the plan is marked as data loss (and lint finds it
/// destructive), so a caller refuses it without an opt-in; with the opt-in it may run.
fn check_drop_needs_opt_in(conn: &mut Connection, target: &Model) -> Result<(), String> {
    let from = introspect(conn).map_err(|e| e.to_string())?;
    let before = snapshot(conn, &from);
    let d = diff(&from, &target.schema, &target.renames);
    let up = plan(&from, &target.schema, &d, &PlanOptions::default());
    let findings = lint(&up);
    let destructive: Vec<(usize, String)> = up.changes.iter().enumerate().filter_map(|(i, c)| destructive_change(c).map(|what| (i, what))).collect();
    if destructive.is_empty() {
        return Err(format!("the case drops something but the diff has no drop: {:?}", d.changes));
    }
    for (i, what) in &destructive {
        let marked = up.steps.iter().any(|s| s.change == *i && s.data_loss.is_some());
        let linted = findings.iter().any(|f| f.change == *i && f.kind == FindingKind::Destructive);
        if !marked || !linted {
            return Err(format!("{what}: step marked as data loss: {marked}, lint finds it destructive: {linted}; a caller cannot tell it needs an opt-in"));
        }
    }
    if may_apply(&up, false) {
        return Err("the plan would be applied without an opt-in".into());
    }
    let after = introspect(conn).map_err(|e| e.to_string())?;
    if after != from || snapshot(conn, &after) != before {
        return Err("the database changed although the plan was refused".into());
    }
    if !may_apply(&up, true) {
        return Err("the plan is refused even with the opt-in".into());
    }
    Ok(())
}

/// The rule the CLI follows (issue 3): a plan that throws data away runs only with
/// `--allow-data-loss`.
fn may_apply(plan: &Plan, allow_data_loss: bool) -> bool {
    !plan.loses_data() || allow_data_loss
}

/// What a change drops, if it drops anything sqldef's `enable_drop` guards.
fn destructive_change(c: &Change) -> Option<String> {
    match c {
        Change::DropTable(t) => Some(format!("drop of table {}", t.name)),
        Change::DropView(v) => Some(format!("drop of view {}", v.name)),
        Change::DropTrigger(t) => Some(format!("drop of trigger {}", t.name)),
        Change::DropIndex(i) => Some(format!("drop of index {}", i.name)),
        Change::ModifyTable(d) => {
            let cols: Vec<&str> = d.changes.iter().filter_map(|c| if let TableChange::DropColumn(col) = c { Some(col.name.as_str()) } else { None }).collect();
            (!cols.is_empty()).then(|| format!("drop of column(s) {} of {}", cols.join(", "), d.to.name))
        }
        _ => None,
    }
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_else(|| "(no message)".into())
}


