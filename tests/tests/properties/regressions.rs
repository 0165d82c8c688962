//! The minimal cases the property found, kept as named regression tests (notes sections 1-9).

use super::*;

pub(crate) fn regression(from: &str, to: &str, renames: &[Rename]) {
    if let Err(e) = strata_tests::round_trip(from, to, renames, 5) {
        panic!("{e}");
    }
}

#[test]
pub(crate) fn index_on_a_column_whose_name_needs_quotes_survives_a_rebuild() {
    regression(
        r#"CREATE TABLE t1 ("c 2" INTEGER, g3 INTEGER GENERATED ALWAYS AS (length("c 2")) VIRTUAL); CREATE INDEX i4 ON t1 ("c 2");"#,
        r#"CREATE TABLE t1 ("c 2" INTEGER, g3 INTEGER GENERATED ALWAYS AS (length("c 2")) STORED); CREATE INDEX i4 ON t1 ("c 2");"#,
        &[],
    );
}

#[test]
pub(crate) fn down_plan_of_a_table_and_column_rename_renames_back() {
    regression(
        "CREATE TABLE t1 (c2 INTEGER, c3 TEXT);",
        "CREATE TABLE t1_r4 (c2_r3 INTEGER, c3 TEXT);",
        &[Rename::Table { from: "t1".into(), to: "t1_r4".into() }, Rename::Column { table: "t1_r4".into(), from: "c2".into(), to: "c2_r3".into() }],
    );
}

#[test]
pub(crate) fn doubled_unique_and_check_are_one_constraint() {
    regression("CREATE TABLE t1 (c2 INTEGER, UNIQUE (c2), UNIQUE (c2), CHECK (c2 > 0), CHECK (c2 > 0));", "CREATE TABLE t1 (c2 INTEGER, UNIQUE (c2), CHECK (c2 > 0));", &[]);
}

#[test]
pub(crate) fn rebuilt_parent_renaming_a_referenced_column_keeps_children_valid() {
    regression(
        "CREATE TABLE t1 (c2 INTEGER, c3 INTEGER, UNIQUE (c2)); CREATE TABLE t5 (c6 INTEGER, f7 INTEGER, FOREIGN KEY (f7) REFERENCES t1 (c2));",
        "CREATE TABLE t1 (c2_r8 INT, c3 INTEGER, UNIQUE (c2_r8)); CREATE TABLE t5 (c6 INTEGER, f7 INTEGER, FOREIGN KEY (f7) REFERENCES t1 (c2_r8));",
        &[Rename::Column { table: "t1".into(), from: "c2".into(), to: "c2_r8".into() }],
    );
}

#[test]
pub(crate) fn table_level_desc_primary_key_stays_the_rowid_after_a_rebuild() {
    let mut conn = strata_tests::db_from("CREATE TABLE t1 (c2 INTEGER, c3 TEXT, PRIMARY KEY (c2 DESC));");
    strata_tests::fill(&conn, 5);
    let rowid_is_key = |conn: &Connection| conn.query_row("SELECT count(*) FROM t1 WHERE rowid <> c2", [], |r| r.get::<_, i64>(0)).unwrap() == 0;
    assert!(rowid_is_key(&conn));
    strata_tests::round_trip_on(&mut conn, "CREATE TABLE t1 (c2 INTEGER, c3 TEXT NOT NULL DEFAULT '', PRIMARY KEY (c2 DESC));", &[]).unwrap_or_else(|e| panic!("{e}"));
    assert!(rowid_is_key(&conn), "c2 must still be the rowid");
    assert!(conn.execute("INSERT INTO t1 (c2) VALUES ('x')", []).is_err(), "a rowid alias takes integers only");
}

#[test]
pub(crate) fn trigger_mentioning_another_rebuilt_table_does_not_break_its_rebuild() {
    regression(
        "CREATE TABLE t1 (c2 INTEGER COLLATE NOCASE); CREATE TABLE t3 (c4 INTEGER, c6 INTEGER CHECK (length(c6) < 100));
         CREATE TRIGGER tr5 BEFORE INSERT ON t3 FOR EACH ROW BEGIN SELECT 1; SELECT count(*) FROM t1; END;",
        "CREATE TABLE t1 (c2 INTEGER); CREATE TABLE t3 (c4 INTEGER);
         CREATE TRIGGER tr5 BEFORE INSERT ON t3 FOR EACH ROW BEGIN SELECT 1; SELECT count(*) FROM t1; END;",
        &[],
    );
}

#[test]
pub(crate) fn without_rowid_key_in_a_unique_is_renamed_with_its_children() {
    regression(
        "CREATE TABLE t1 (c2 INTEGER NOT NULL, PRIMARY KEY (c2), UNIQUE (c2)) WITHOUT ROWID; CREATE TABLE t3 (c4 INTEGER, f5 INTEGER, FOREIGN KEY (f5) REFERENCES t1 (c2));",
        "CREATE TABLE t1 (c2_r6 INTEGER NOT NULL, PRIMARY KEY (c2_r6), UNIQUE (c2_r6)) WITHOUT ROWID; CREATE TABLE t3 (c4 INTEGER, f5 INTEGER, FOREIGN KEY (f5) REFERENCES t1 (c2_r6));",
        &[Rename::Column { table: "t1".into(), from: "c2".into(), to: "c2_r6".into() }],
    );
}

#[test]
pub(crate) fn dropped_trigger_goes_before_a_native_drop_of_a_column_it_reads() {
    regression(
        r#"CREATE TABLE t1 (c2 INTEGER, f3 INTEGER, PRIMARY KEY (c2), CONSTRAINT fk_3 FOREIGN KEY (f3) REFERENCES t1 (c2));
           CREATE TABLE "t 6" (c7 INTEGER UNIQUE, c8 INTEGER, f10 INTEGER);
           CREATE TRIGGER tr11 AFTER INSERT ON t1 FOR EACH ROW BEGIN SELECT 1; SELECT count(f10) FROM "t 6"; END;"#,
        r#"CREATE TABLE t1 (c2 INTEGER, f3 INTEGER, PRIMARY KEY (c2)); CREATE TABLE "t 6" (c7 INTEGER UNIQUE, c8 INTEGER);"#,
        &[],
    );
}
