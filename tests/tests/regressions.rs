//! Regression tests named after what they guard, for engine bugs found by the property test and
//! the conformance suite whose effect a schema comparison alone cannot see.

use rusqlite::Connection;
use strata_core::{diff, plan, PlanOptions};
use strata_engine::{introspect, model, runner};
use strata_tests::{db_from, fill};

fn migrate(conn: &mut Connection, to: &str) -> strata_core::Plan {
    let live = introspect::introspect(conn).unwrap();
    let target = model::from_sql(to).unwrap();
    let d = diff(&live, &target.schema, &target.renames);
    let p = plan(&live, &target.schema, &d, &PlanOptions::default());
    runner::apply_plan(conn, &p).unwrap_or_else(|e| panic!("{e}\n{}", p.to_sql()));
    p
}

fn is_rowid_alias(conn: &Connection, table: &str) -> bool {
    // Only a rowid alias refuses a non-integer value.
    conn.execute(&format!("INSERT INTO {table} (c2, c3) VALUES ('not a number', 'x')"), []).is_err()
}

#[test]
fn desc_primary_key_written_on_the_table_keeps_aliasing_the_rowid_after_a_rebuild() {
    let mut conn = db_from("CREATE TABLE t1 (c2 INTEGER, c3 TEXT, PRIMARY KEY (c2 DESC));\nCREATE TABLE t2 (c2 INTEGER PRIMARY KEY DESC, c3 TEXT);");
    fill(&conn, 3);
    assert!(is_rowid_alias(&conn, "t1") && !is_rowid_alias(&conn, "t2"), "SQLite's quirk as documented");
    conn.execute_batch("DELETE FROM t2 WHERE typeof(c2) = 'text'").unwrap();
    migrate(&mut conn, "CREATE TABLE t1 (c2 INTEGER, c3 TEXT NOT NULL DEFAULT '', PRIMARY KEY (c2 DESC));\nCREATE TABLE t2 (c2 INTEGER PRIMARY KEY DESC, c3 TEXT NOT NULL DEFAULT '');");
    assert!(is_rowid_alias(&conn, "t1"), "t1.c2 must still be the rowid");
    assert!(!is_rowid_alias(&conn, "t2"), "t2.c2 must still be an ordinary column");
}

#[test]
fn child_foreign_key_follows_a_referenced_column_renamed_during_a_rebuild() {
    let mut conn = db_from("CREATE TABLE t1 (c2 INTEGER, c3 INTEGER, UNIQUE (c2));\nCREATE TABLE t5 (c6 INTEGER, f7 INTEGER, FOREIGN KEY (f7) REFERENCES t1 (c2));");
    fill(&conn, 4);
    migrate(&mut conn, "CREATE TABLE t1 (c2_r8 INT, -- @renamed from=c2\n c3 INTEGER, UNIQUE (c2_r8));\nCREATE TABLE t5 (c6 INTEGER, f7 INTEGER, FOREIGN KEY (f7) REFERENCES t1 (c2_r8));");
    let orphans: i64 = conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
    assert_eq!(orphans, 0);
    // The child's clause was rewritten, so SQLite enforces it against the renamed column.
    assert!(conn.execute("INSERT INTO t5 (c6, f7) VALUES (1, 999)", []).is_err());
    conn.execute("INSERT INTO t5 (c6, f7) VALUES (1, 2)", []).unwrap();
}

#[test]
fn data_loss_is_announced_above_the_statement_that_loses_it_in_a_rebuild() {
    let mut conn = db_from("CREATE TABLE t (id INTEGER PRIMARY KEY, keep TEXT, gone TEXT CHECK (gone <> ''));");
    let p = migrate(&mut conn, "CREATE TABLE t (id INTEGER PRIMARY KEY, keep TEXT);");
    let sql = p.body_sql();
    let loss = sql.find("-- data loss: the values of column(s) gone of table t are deleted\nDROP TABLE \"t\";");
    assert!(loss.is_some(), "{sql}");
}
