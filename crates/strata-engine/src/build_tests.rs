//! The grouped builder (`build`) against the single database it stands in for: the same
//! schema, to the byte, whenever it answers, and a fallback (so SQLite's own error) whenever it
//! cannot be sure. These tests sit beside `build` rather than inside it because the single
//! database they compare with is `model`'s and `migrate`'s, which call `build` themselves.

use strata_core::revision::{Graph, Revision};
use strata_core::schema::Schema;
use strata_core::sql;

use crate::build::store::{history_schema, KeptSchema, SchemaStore};
use crate::build::{exec_one, model, replay, Fallback, Fast};
use crate::migrate::{schema_at_all_in_one_database, DEFAULT_VERSION_TABLE};
use crate::model::{from_sql, from_sql_in_one_database};

/// The exact text of every object, not only the shape `Schema`'s equality compares.
fn exact(s: &Schema) -> String {
    format!("{s:?}")
}

fn grouped_model(text: &str) -> Fast<Schema> {
    model(&sql::split_statements(text), |s| crate::model::check_is_schema(text, s).is_ok())
}

#[track_caller]
fn model_is_grouped(text: &str) {
    let grouped = grouped_model(text).unwrap_or_else(|f| panic!("fell back ({})\n{text}", f.0));
    let one = from_sql_in_one_database(text).unwrap().schema;
    assert_eq!(exact(&grouped), exact(&one), "{text}");
    assert_eq!(exact(&from_sql(text).unwrap().schema), exact(&one));
}

#[test]
fn models_of_every_kind_of_object_are_grouped_and_match_one_database() {
    model_is_grouped("CREATE TABLE a (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, b_id INT REFERENCES \"B\" (id));\nCREATE TABLE \"B\" (id INTEGER PRIMARY KEY, x CHECK (x > 0));\nCREATE UNIQUE INDEX IF NOT EXISTS a_name ON a (lower(name)) WHERE name IS NOT NULL;\nCREATE INDEX b_x ON b (x DESC);");
    model_is_grouped("CREATE VIEW v AS SELECT * FROM later;\nCREATE TABLE later (x);\nCREATE TRIGGER tr INSTEAD OF INSERT ON v BEGIN INSERT INTO later VALUES (new.x); END;\nCREATE TRIGGER later AFTER DELETE ON later BEGIN SELECT 1; END;\nCREATE VIEW nowhere AS SELECT y FROM missing;");
    model_is_grouped("create table if not exists main.\"Mixed Case\" ([a b] text collate nocase, `c` int generated always as (length([a b])) stored) strict;\ncreate index \"ix\" on \"mixed case\" (c);\nCREATE TABLE café (é TEXT);");
    let mut big = String::new();
    for i in 0..300 {
        big.push_str(&format!("CREATE TABLE t{i} (id INTEGER PRIMARY KEY, p INT REFERENCES t{} (id));\nCREATE INDEX t{i}_p ON t{i} (p);\n", (i + 1) % 300));
        if i % 10 == 0 {
            big.push_str(&format!(
                "CREATE VIEW v{i} AS SELECT * FROM t{i} JOIN t{} USING (id);\nCREATE TRIGGER g{i} AFTER INSERT ON t{i} BEGIN DELETE FROM t0; END;\n",
                i + 1
            ));
        }
    }
    model_is_grouped(&big);
}

#[test]
fn failing_models_fall_back_and_keep_sqlite_message_and_line() {
    let corpus = [
        // The same name twice, in groups that would otherwise be apart.
        "CREATE TABLE a (x);\nCREATE TABLE b (y);\nCREATE TABLE A (z);",
        "CREATE TABLE a (x);\nCREATE INDEX i ON a (x);\nCREATE TABLE b (y);\nCREATE INDEX i ON b (y);",
        "CREATE TABLE a (x);\nCREATE VIEW a AS SELECT 1;",
        "CREATE TABLE a (x);\nCREATE TABLE i (y);\nCREATE INDEX i ON a (x);",
        "CREATE TABLE a (x);\nCREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END;\nCREATE TABLE b (y);\nCREATE TRIGGER t AFTER INSERT ON b BEGIN SELECT 1; END;",
        // An ON table that comes later, or never.
        "CREATE INDEX i ON a (x);\nCREATE TABLE a (x);",
        "CREATE TABLE b (y);\nCREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END;",
        // What SQLite refuses inside one statement.
        "CREATE TABLE a (x);\n\nCREATE TABLE b (\n  y int,\n  y int\n);",
        "CREATE TABLE a (x);\nCREATE INDEX i ON a (nope);",
        "CREATE VIEW v AS SELECT 1;\nCREATE TRIGGER t BEFORE INSERT ON v BEGIN SELECT 1; END;",
        "CREATE TABLE sqlite_mine (x);",
        "CREATE TABLE a (x;\nCREATE TABLE b (y);",
        // What the grouping does not take on.
        "CREATE TABLE a (x);\nCREATE TABLE b AS SELECT * FROM a;",
        "CREATE TABLE a (x);\nINSERT INTO a VALUES (1);",
        "CREATE TEMP TABLE a (x);",
        "CREATE VIRTUAL TABLE f USING fts5(x);",
        "CREATE TABLE temp.a (x);",
    ];
    // After enough other tables that `from_sql` groups the model rather than running a small
    // one straight into one database: the error's line moves with them.
    let padding: String = (0..400).map(|i| format!("CREATE TABLE pad{i} (x);\n")).collect();
    assert!(padding.len() > crate::build::SMALL_SQL);
    for text in corpus {
        let text = format!("{padding}{text}");
        assert!(grouped_model(&text).is_err(), "the grouped build accepted what it must leave to one database:\n{text}");
        let one = from_sql_in_one_database(&text).map(|m| exact(&m.schema)).map_err(|e| e.to_string());
        let ours = from_sql(&text).map(|m| exact(&m.schema)).map_err(|e| e.to_string());
        assert_eq!(ours, one, "{text}");
    }
    // Should strata's splitter ever keep whole what SQLite reads as several statements (it once
    // did, for a table named `trigger`), the grouping could not know what the text makes: a
    // step holding a second statement is refused before that statement runs.
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    assert_eq!(exec_one(&conn, "CREATE TABLE x (y); CREATE TABLE z (w)"), Err(Fallback("one step holds several statements")));
    assert!(exec_one(&conn, "CREATE TABLE w (v)").is_ok());
}

fn graph(revisions: &[(&str, bool)]) -> Graph {
    let revs = revisions
        .iter()
        .enumerate()
        .map(|(i, (up, fk_off))| {
            let parents = if i == 0 { vec![] } else { vec![format!("r{}", i - 1)] };
            Revision::new(&format!("r{i}"), parents, "m", "t", up, "").with_foreign_keys_off(*fk_off, false)
        })
        .collect();
    Graph::new(revs).unwrap()
}

/// Replays a history both ways; the grouped replay must match the single database exactly
/// whenever it answers. Returns whether it answered.
#[track_caller]
fn replay_matches(revisions: &[(&str, bool)]) -> bool {
    let g = graph(revisions);
    let head = format!("r{}", revisions.len() - 1);
    let one = schema_at_all_in_one_database(&g, std::slice::from_ref(&head), DEFAULT_VERSION_TABLE).map(|s| exact(&s)).map_err(|e| e.to_string());
    let grouped = replay(&g.revisions().collect::<Vec<_>>(), DEFAULT_VERSION_TABLE);
    if let Ok(s) = &grouped {
        assert_eq!(Ok(exact(s)), one, "the grouped replay disagrees with one database\n{revisions:#?}");
    }
    let via_api = crate::migrate::schema_at_all(&g, std::slice::from_ref(&head), DEFAULT_VERSION_TABLE).map(|s| exact(&s)).map_err(|e| e.to_string());
    assert_eq!(via_api, one);
    // Kept: the history without its last revision, then resumed from it, then kept whole.
    let store = MemoryStore::default();
    let revs: Vec<&Revision> = g.revisions().collect();
    let kept = |revs: &[&Revision]| {
        let one_db = || crate::migrate::replay_in_one_database(revs);
        history_schema(Some(&store), revs, DEFAULT_VERSION_TABLE, one_db).map(|s| exact(&s)).map_err(|e| e.to_string())
    };
    let prefix = kept(&revs[..revs.len() - 1]);
    let resumed = kept(&revs);
    assert_eq!(resumed, one, "resumed from the kept objects of all but the last revision\n{revisions:#?}");
    if revs.len() > 1 && prefix.is_ok() {
        assert!(store.loads.lock().unwrap().iter().any(|hit| *hit), "nothing kept was used\n{revisions:#?}");
    }
    assert_eq!(kept(&revs), one, "the whole history kept");
    grouped.is_ok()
}

/// A store in memory that remembers whether each load found something.
#[derive(Default)]
struct MemoryStore {
    kept: std::sync::Mutex<std::collections::HashMap<String, KeptSchema>>,
    loads: std::sync::Mutex<Vec<bool>>,
}

impl SchemaStore for MemoryStore {
    fn load(&self, key: &str) -> Option<KeptSchema> {
        let found = self.kept.lock().unwrap().get(key).cloned();
        self.loads.lock().unwrap().push(found.is_some());
        found
    }

    fn save(&self, key: &str, kept: &KeptSchema) {
        self.kept.lock().unwrap().insert(key.to_string(), kept.clone());
    }
}

#[test]
fn renames_reach_views_triggers_and_foreign_keys_that_name_the_table() {
    let base = "CREATE TABLE p (id INTEGER PRIMARY KEY, n TEXT);\nCREATE TABLE c (id INTEGER PRIMARY KEY, p_id INT REFERENCES p (id));\nCREATE INDEX p_n ON p (n);\nCREATE VIEW pv AS SELECT n FROM p;\nCREATE VIEW pvv AS SELECT n FROM pv;\nCREATE TRIGGER ct AFTER INSERT ON c BEGIN UPDATE p SET n = n WHERE id = new.p_id; END;\nCREATE TABLE other (x);";
    assert!(replay_matches(&[(base, false), ("ALTER TABLE p RENAME TO q", false)]));
    assert!(replay_matches(&[(base, false), ("ALTER TABLE p RENAME COLUMN id TO pid", false)]));
    assert!(replay_matches(&[(base, false), ("ALTER TABLE other RENAME COLUMN x TO y;\nALTER TABLE other ADD COLUMN z INT DEFAULT 3", false)]));
    // The view over the view breaks: SQLite refuses, and so must the replay.
    assert!(!replay_matches(&[(base, false), ("ALTER TABLE p RENAME COLUMN n TO name", false)]));
    assert!(replay_matches(&[(base, false), ("DROP TABLE p;\nDROP VIEW pvv", false), ("CREATE TABLE p (id INTEGER PRIMARY KEY, n TEXT)", false)]));
    assert!(!replay_matches(&[(base, false), ("ALTER TABLE p DROP COLUMN n", false)]));
}

#[test]
fn whole_schema_checks_see_objects_the_statements_do_not_name() {
    // A broken view anywhere makes SQLite refuse a rename of any table.
    let broken = "CREATE TABLE a (x);\nCREATE TABLE b (y);\nCREATE VIEW v AS SELECT z FROM gone;";
    assert!(!replay_matches(&[(broken, false), ("ALTER TABLE b RENAME TO c", false)]));
    assert!(replay_matches(&[(broken, false), ("ALTER TABLE b ADD COLUMN w", false)]));
    // RENAME COLUMN rewrites double-quoted strings in every object, named or not.
    let quoted = "CREATE TABLE q (s CHECK (s IN (\"x\", \"y\")));\nCREATE TABLE w (a);\nCREATE VIEW hello AS SELECT \"hi\" AS greeting FROM w;\nCREATE TABLE r (k);\nCREATE INDEX rk ON r (k) WHERE k <> \"none\";";
    assert!(replay_matches(&[(quoted, false), ("ALTER TABLE r RENAME COLUMN k TO kk", false)]));
    let g = graph(&[(quoted, false), ("CREATE TABLE z (a, b);\nALTER TABLE z DROP COLUMN a", false)]);
    let s = replay(&g.revisions().collect::<Vec<_>>(), DEFAULT_VERSION_TABLE).map_err(|f| f.0).unwrap();
    assert_eq!(s.tables["q"].checks[0].expr.as_str(), "s IN ('x', 'y')");
}

#[test]
fn rows_from_earlier_revisions_are_never_assumed_away() {
    // Seed rows make the unique index fail in one database; the grouped replay must not
    // accept it on empty tables.
    let seed = "CREATE TABLE t (a);\nINSERT INTO t VALUES (1), (1);\nCREATE TABLE u (b)";
    assert!(!replay_matches(&[(seed, false), ("CREATE UNIQUE INDEX ta ON t (a)", false)]));
    assert!(!replay_matches(&[(seed, false), ("ALTER TABLE t ADD COLUMN c CHECK (c IS NOT NULL) DEFAULT 0", false)]));
    // A revision that does not reach the table with rows is still replayed apart.
    assert!(replay_matches(&[(seed, false), ("CREATE UNIQUE INDEX ub ON u (b)", false)]));
    // Rows written and fired into other tables in the same revision.
    let fired = "CREATE TABLE log (m);\nCREATE TABLE t (a UNIQUE);\nCREATE TRIGGER tl AFTER INSERT ON t BEGIN INSERT INTO log VALUES (new.a); END;\nINSERT INTO t VALUES (1);";
    assert!(replay_matches(&[(fired, false), ("CREATE TABLE x (y)", false)]));
    assert!(!replay_matches(&[(fired, false), ("CREATE UNIQUE INDEX lm ON log (m);\nINSERT INTO t VALUES (1)", false)]));
}

#[test]
fn rows_written_fire_the_triggers_of_every_table_they_reach() {
    // Inserting into `a` fires `ta`, which inserts into `b`, which fires `tb`: `b` is named by
    // neither the statement nor `a`, only by the trigger, and its own trigger must come too.
    let base = "CREATE TABLE a (x);\nCREATE TABLE b (y);\nCREATE TRIGGER ta AFTER INSERT ON a BEGIN INSERT INTO b VALUES (new.x); END;\nCREATE TRIGGER tb AFTER INSERT ON b BEGIN SELECT RAISE(ABORT, 'b is read-only'); END;";
    assert!(!replay_matches(&[(base, false), ("INSERT INTO a VALUES (1)", false)]));
    assert!(replay_matches(&[(base, false), ("DELETE FROM a", false)]));
    // The same chain when the first trigger is made by the revision that writes the row.
    let later = "CREATE TABLE a (x);\nCREATE TABLE b (y);\nCREATE TRIGGER tb AFTER INSERT ON b BEGIN SELECT RAISE(ABORT, 'b is read-only'); END;";
    assert!(!replay_matches(&[
        (later, false),
        ("CREATE TRIGGER ta AFTER INSERT ON a BEGIN INSERT INTO b VALUES (new.x); END;\nINSERT INTO a VALUES (1)", false)
    ]));
}

#[test]
fn autoincrement_counters_left_at_zero_by_a_rebuild_are_not_rows() {
    // Copying no rows into an AUTOINCREMENT table still writes its counter, at zero; a later
    // revision with foreign keys off must not take that for rows.
    let from = "CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT);\nCREATE TABLE b (y);";
    let start = from_sql(from).unwrap();
    let to =
        crate::migrate::between(&start.schema, &from_sql("CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, x TEXT);\nCREATE TABLE b (y);").unwrap(), &[]);
    assert!(to.up.body_sql().contains("INSERT INTO") && to.up.foreign_keys_off && to.down.foreign_keys_off, "{}", to.up.body_sql());
    assert!(replay_matches(&[(from, false), (&to.up.body_sql(), true), (&to.down.body_sql(), true)]));
    let back = crate::migrate::between(
        &from_sql("CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, x TEXT);").unwrap().schema,
        &from_sql("CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, x INT);").unwrap(),
        &[],
    );
    assert!(back.up.body_sql().contains("sqlite_sequence"), "{}", back.up.body_sql());
    assert!(replay_matches(&[
        ("CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, x TEXT);", false),
        (&back.up.body_sql(), true),
        (&back.down.body_sql(), true)
    ]));
    // A counter that moved, or any other statement on the counters, is left to one database.
    assert!(!replay_matches(&[
        ("CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, x);\nINSERT INTO a (x) VALUES (1);\nDELETE FROM a", false),
        ("DROP TABLE a", true)
    ]));
    assert!(!replay_matches(&[(from, false), ("INSERT INTO b SELECT name FROM sqlite_sequence", false)]));
}

#[test]
fn what_outlives_a_revision_or_reads_the_whole_database_falls_back() {
    for later in [
        "PRAGMA legacy_alter_table = ON",
        "CREATE TEMP TABLE scratch (x)",
        "CREATE TABLE copy AS SELECT * FROM t",
        "INSERT INTO t SELECT count(*) FROM sqlite_schema",
        "INSERT INTO t VALUES (total_changes())",
        "CREATE VIRTUAL TABLE f USING fts5(x)",
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)",
        "ALTER TABLE t ADD CHECK (a > 0)",
        "ALTER TABLE t ALTER COLUMN a SET NOT NULL",
    ] {
        let history = [("CREATE TABLE t (a)", false), (later, false)];
        assert!(!replay_matches(&history), "{later}");
    }
    // A column may be called like a counter function.
    assert!(replay_matches(&[("CREATE TABLE t (changes INT)", false), ("INSERT INTO t (changes) VALUES (1)", false)]));
}

#[test]
fn an_autogenerated_rebuild_with_foreign_keys_off_is_replayed_apart() {
    let from = "CREATE TABLE p (id INTEGER PRIMARY KEY AUTOINCREMENT, n TEXT);\nCREATE TABLE c (id INTEGER PRIMARY KEY, p_id INT REFERENCES p (id) ON DELETE CASCADE);\nCREATE INDEX c_p ON c (p_id);\nCREATE VIEW names AS SELECT n FROM p;\nCREATE TABLE unrelated (x);";
    let to = "CREATE TABLE p (id INTEGER PRIMARY KEY AUTOINCREMENT, n TEXT NOT NULL DEFAULT '', extra REAL);\nCREATE TABLE c (id INTEGER PRIMARY KEY, p_id INT REFERENCES p (id) ON DELETE CASCADE);\nCREATE INDEX c_p ON c (p_id);\nCREATE VIEW names AS SELECT n FROM p;\nCREATE TABLE unrelated (x);";
    let start = from_sql(from).unwrap();
    let a = crate::migrate::between(&start.schema, &from_sql(to).unwrap(), &[]);
    assert!(a.up.foreign_keys_off, "{}", a.up.body_sql());
    assert!(replay_matches(&[(from, false), (&a.up.body_sql(), true)]));
    assert!(replay_matches(&[(from, false), (&a.up.body_sql(), true), (&a.down.body_sql(), a.down.foreign_keys_off)]));
}

#[test]
fn a_history_of_many_tables_is_grouped() {
    let mut first = String::new();
    for i in 0..400usize {
        first.push_str(&format!(
            "CREATE TABLE t{i} (id INTEGER PRIMARY KEY, p INT REFERENCES t{} (id));\nCREATE INDEX t{i}_p ON t{i} (p);\n",
            i.saturating_sub(1)
        ));
    }
    first.push_str("CREATE VIEW v AS SELECT * FROM t1;\nINSERT INTO t399 (id) VALUES (1);");
    assert!(replay_matches(&[(&first, false), ("ALTER TABLE t5 ADD COLUMN x TEXT;\nDROP INDEX t7_p;\nALTER TABLE t9 RENAME TO nine", false)]));
}

#[test]
fn a_section_that_commits_statement_by_statement_is_replayed_in_one_database() {
    use strata_core::revision::{Direction, SectionOptions};
    let no_transaction = SectionOptions { no_transaction: true, ..SectionOptions::default() };
    let first = Revision::new("r0", vec![], "m", "t", "CREATE TABLE t (a)", "");
    let batched =
        Revision::new("r1", vec!["r0".into()], "m", "t", "CREATE TABLE u (b);\n-- @repeat\nDELETE FROM t WHERE rowid IN (SELECT rowid FROM t LIMIT 10)", "")
            .with_options(Direction::Up, no_transaction);
    let g = Graph::new(vec![first, batched]).unwrap();
    let ids = ["r1".to_string()];
    assert_eq!(replay(&g.revisions().collect::<Vec<_>>(), DEFAULT_VERSION_TABLE).map(|_| ()), Err(Fallback("a no-transaction section")));
    let one = exact(&schema_at_all_in_one_database(&g, &ids, DEFAULT_VERSION_TABLE).unwrap());
    assert!(one.contains("\"u\""), "{one}");
    assert_eq!(exact(&crate::migrate::schema_at_all(&g, &ids, DEFAULT_VERSION_TABLE).unwrap()), one);
}
