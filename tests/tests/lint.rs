//! Lint on real databases: each finding kind appears when it should, the data-dependent ones
//! count the offending rows of the live database, and rename candidates are offered, not taken.

use strata_core::{diff, lint, plan, FindingKind, PlanOptions, Rename};
use strata_engine::{introspect, model, runner};
use strata_tests::db_from;

/// Plans `to` against a database built from `from` plus `rows`, and returns every finding
/// (static and counted against the rows).
fn findings(from: &str, rows: &str, to: &str) -> Vec<strata_core::Finding> {
    let conn = db_from(from);
    conn.execute_batch(rows).unwrap();
    let live = introspect::introspect(&conn).unwrap();
    let target = model::from_sql(to).unwrap();
    let d = diff(&live, &target.schema, &target.renames);
    let p = plan(&live, &target.schema, &d, &PlanOptions::default());
    let mut all = lint(&p);
    all.extend(runner::check_data(&conn, &strata_core::data_checks(&p, &live)).unwrap());
    all
}

fn find(all: &[strata_core::Finding], kind: FindingKind, needle: &str) -> strata_core::Finding {
    all.iter()
        .find(|f| f.kind == kind && f.message.contains(needle))
        .unwrap_or_else(|| panic!("no {kind:?} finding mentioning {needle:?} in {all:#?}"))
        .clone()
}

#[test]
fn not_null_over_nulls_counts_the_rows_that_block_it() {
    let all = findings(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);",
        "INSERT INTO users (email) VALUES ('a'), (NULL), (NULL);",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);",
    );
    let f = find(&all, FindingKind::DataDependent, "NOT NULL");
    assert_eq!(f.rows, Some(2));
    assert!(f.advice.contains("backfill"), "{}", f.advice);
    assert_eq!(find(&all, FindingKind::Rebuild, "copied").rows, Some(3));
}

#[test]
fn no_data_finding_when_the_rows_already_comply() {
    let all = findings(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);",
        "INSERT INTO users (email) VALUES ('a'), ('b');",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);",
    );
    assert!(!all.iter().any(|f| f.kind == FindingKind::DataDependent), "{all:#?}");
}

#[test]
fn unique_over_duplicates_check_over_bad_rows_and_orphaned_foreign_keys() {
    let all = findings(
        "CREATE TABLE orgs (id INTEGER PRIMARY KEY);\nCREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, age INT, org_id INT);",
        "INSERT INTO orgs VALUES (1);\nINSERT INTO users (email, age, org_id) VALUES ('a', 5, 1), ('a', -1, 7), ('b', -2, 9), (NULL, 3, NULL);",
        "CREATE TABLE orgs (id INTEGER PRIMARY KEY);\nCREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE, age INT CHECK (age >= 0), org_id INT REFERENCES orgs(id));",
    );
    assert_eq!(find(&all, FindingKind::DataDependent, "uniqueness").rows, Some(1));
    assert_eq!(find(&all, FindingKind::DataDependent, "CHECK").rows, Some(2));
    assert_eq!(find(&all, FindingKind::DataDependent, "foreign key").rows, Some(2));
}

#[test]
fn unique_index_over_duplicates_is_counted() {
    let all = findings(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT, live INT);",
        "INSERT INTO t (code, live) VALUES ('x', 1), ('x', 1), ('x', 0);",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT, live INT);\nCREATE UNIQUE INDEX t_code ON t (code) WHERE live = 1;",
    );
    assert_eq!(find(&all, FindingKind::DataDependent, "uniqueness").rows, Some(1));
}

#[test]
fn drops_are_destructive_and_renames_are_flagged() {
    let all = findings(
        "CREATE TABLE a (id INTEGER PRIMARY KEY, old TEXT, gone TEXT);\nCREATE TABLE b (x INT);",
        "",
        "CREATE TABLE a (id INTEGER PRIMARY KEY, new TEXT -- @renamed from=old\n);",
    );
    find(&all, FindingKind::Destructive, "drops table b");
    find(&all, FindingKind::Destructive, "drops column a.gone");
    find(&all, FindingKind::Rename, "renames column a.old to new");
}

#[test]
fn rename_candidates_are_offered_but_not_taken() {
    let conn = db_from("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);");
    let live = introspect::introspect(&conn).unwrap();
    let target = model::schema_from_sql("CREATE TABLE users (id INTEGER PRIMARY KEY, email_address TEXT);").unwrap();
    let d = diff(&live, &target, &[]);
    assert_eq!(d.rename_candidates.len(), 1);
    assert_eq!(d.rename_candidates[0].question, "did you rename users.email to users.email_address?");
    let p = plan(&live, &target, &d, &PlanOptions::default());
    assert!(p.loses_data(), "without confirmation the column is dropped and added");
    // Confirmed, the same diff becomes one lossless rename.
    let confirmed = diff(&live, &target, &[d.rename_candidates[0].rename.clone()]);
    let p = plan(&live, &target, &confirmed, &PlanOptions::default());
    assert!(!p.loses_data());
    assert_eq!(p.body_sql(), "-- rename column users.email to email_address\nALTER TABLE \"users\" RENAME COLUMN \"email\" TO \"email_address\";\n");
    let t = model::schema_from_sql("CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT);").unwrap();
    let d = diff(&live, &t, &[]);
    assert_eq!(d.rename_candidates[0].rename, Rename::Table { from: "users".into(), to: "people".into() });
}

#[test]
fn plans_are_deterministic_and_take_their_temporary_names_from_options() {
    let from = model::schema_from_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INT);\nCREATE INDEX t_a ON t (a);\nCREATE VIEW v AS SELECT a FROM t;").unwrap();
    let to = model::schema_from_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL DEFAULT '', c REAL);\nCREATE INDEX t_a ON t (a DESC);\nCREATE VIEW v AS SELECT a, c FROM t;").unwrap();
    let render = |prefix: &str| {
        let d = diff(&from, &to, &[]);
        plan(&from, &to, &d, &PlanOptions { temp_prefix: prefix.into(), ..PlanOptions::default() }).to_sql()
    };
    let first = render("_strata_new_");
    assert_eq!(first, render("_strata_new_"));
    assert!(first.contains("\"_strata_new_t\""));
    assert!(render("tmp_").contains("\"tmp_t\""));
}

#[test]
fn the_likeliest_rename_is_offered_first() {
    let conn = db_from("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);");
    let live = introspect::introspect(&conn).unwrap();
    let target = model::schema_from_sql("CREATE TABLE users (id INTEGER PRIMARY KEY, phone TEXT, email_address TEXT);").unwrap();
    let d = diff(&live, &target, &[]);
    let questions: Vec<&str> = d.rename_candidates.iter().map(|c| c.question.as_str()).collect();
    assert_eq!(questions, ["did you rename users.email to users.email_address?", "did you rename users.email to users.phone?"]);
}
