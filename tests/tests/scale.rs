//! Scale: a 4,000-table model autogenerates and checks exactly as SQLite's own view of it, the
//! model run into one database, says it should. The grouped builder is what makes this size
//! practical; the single database is the judge it is held to.

use std::time::Instant;

use strata_core::revision::{Graph, Revision};
use strata_engine::migrate::{self, DEFAULT_VERSION_TABLE};
use strata_engine::model;

const TABLES: usize = 4000;

/// `n` tables, each with an index and a foreign key to the one before; `changed` gives every
/// tenth table a new column and a new index.
fn model_sql(n: usize, changed: bool) -> String {
    let mut s = String::new();
    for i in 0..n {
        let parent = if i > 0 { format!(",\n  parent_id INTEGER REFERENCES t{} (id)", i - 1) } else { String::new() };
        let note = if changed && i.is_multiple_of(10) { ",\n  note TEXT" } else { "" };
        s.push_str(&format!("CREATE TABLE t{i} (\n  id INTEGER NOT NULL PRIMARY KEY,\n  name TEXT NOT NULL,\n  score INTEGER DEFAULT 0{parent}{note}\n);\nCREATE INDEX t{i}_name ON t{i} (name);\n"));
        if changed && i.is_multiple_of(10) {
            s.push_str(&format!("CREATE INDEX t{i}_score ON t{i} (score);\n"));
        }
    }
    s
}

#[test]
fn a_4000_table_model_autogenerates_and_checks_like_one_database() {
    let t = Instant::now();
    let (start, changed) = (model_sql(TABLES, false), model_sql(TABLES, true));
    let one_start = model::from_sql_in_one_database(&start).unwrap();
    let one_changed = model::from_sql_in_one_database(&changed).unwrap();
    eprintln!("one database, twice: {:?}", t.elapsed());
    let t = Instant::now();
    let target = model::from_sql(&changed).unwrap();
    assert_eq!(format!("{:?}", target.schema), format!("{:?}", one_changed.schema), "the grouped model differs from one database's");

    let initial = Revision::new("initial", vec![], "initial", "2026-01-01T00:00:00Z", &start, "");
    let g = Graph::new(vec![initial.clone()]).unwrap();
    let head = migrate::head_schema(&g, DEFAULT_VERSION_TABLE).unwrap();
    assert_eq!(format!("{head:?}"), format!("{:?}", one_start.schema), "the replayed head differs from one database's");

    // The migration is the one SQLite's own schemas give.
    let auto = migrate::autogenerate(&g, &target, &[], DEFAULT_VERSION_TABLE).unwrap();
    let reference = migrate::between(&one_start.schema, &one_changed, &[]);
    assert_eq!(auto.up.body_sql(), reference.up.body_sql());
    assert_eq!(auto.down.body_sql(), reference.down.body_sql());
    let changed_tables = TABLES / 10;
    assert_eq!(auto.up.body_sql().matches("ADD COLUMN").count(), changed_tables, "{}", auto.up.body_sql());
    assert_eq!(auto.up.body_sql().matches("CREATE INDEX").count(), changed_tables);

    // `check` sees the change set before the revision exists, and nothing once it does.
    let report = migrate::check(None, &g, &target, DEFAULT_VERSION_TABLE).unwrap();
    assert_eq!(report.model_changes.len(), reference.diff.changes.len());
    assert!(!report.ok());
    let next = auto.revision("change", vec!["initial".into()], "change set", "2026-01-02T00:00:00Z");
    let g2 = Graph::new(vec![initial, next]).unwrap();
    let report = migrate::check(None, &g2, &target, DEFAULT_VERSION_TABLE).unwrap();
    assert!(report.ok(), "{report:?}");
    eprintln!("grouped model, heads, autogenerate and checks: {:?}", t.elapsed());
}
