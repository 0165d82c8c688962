//! What must survive a table rebuild, one named test per case of point 5 of the engine issue,
//! each on a populated database and asserting the rows themselves; and the proof that a plan
//! failing part-way leaves the database exactly as it was, `PRAGMA foreign_keys` included.

use rusqlite::{types::Value, Connection};
use strata_core::{diff, plan, Plan, PlanOptions, Rename, Schema};
use strata_engine::{introspect, model, runner, Error};
use strata_tests::{db_from, dump};

/// Plans `conn` → `to_sql`, applies it, and checks the database now introspects as the target
/// with nothing left to diff. Returns the plan and the schema the database had before.
fn up(conn: &mut Connection, to_sql: &str) -> (Plan, Schema) {
    let from = introspect(conn).unwrap();
    let target = model::from_sql(to_sql).unwrap();
    let p = migrate(conn, &from, &target.schema, &target.renames);
    (p, from)
}

/// Applies the plan from the live schema to `to` and checks the result.
fn migrate(conn: &mut Connection, from: &Schema, to: &Schema, renames: &[Rename]) -> Plan {
    let d = diff(from, to, renames);
    let p = plan(from, to, &d, &PlanOptions::default());
    runner::apply_plan(conn, &p).unwrap_or_else(|e| panic!("plan failed: {e}\n{}", p.to_sql()));
    let live = introspect(conn).unwrap();
    assert_eq!(live, *to, "the database does not match the target after\n{}", p.to_sql());
    assert!(diff(&live, to, renames).is_empty(), "a second diff is not empty after\n{}", p.to_sql());
    p
}

/// Goes back to `from` with the reverse plan.
fn down(conn: &mut Connection, from: &Schema) -> Plan {
    let live = introspect(conn).unwrap();
    migrate(conn, &live, from, &[])
}

fn rows(conn: &Connection, sql: &str) -> Vec<Vec<Value>> {
    let mut s = conn.prepare(sql).unwrap();
    let n = s.column_count();
    s.query_map([], |r| (0..n).map(|i| r.get::<_, Value>(i)).collect()).unwrap().map(Result::unwrap).collect()
}

fn int(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn fk_on(conn: &Connection) -> bool {
    int(conn, "PRAGMA foreign_keys") == 1
}

fn assert_rebuilt(p: &Plan, table: &str) {
    assert!(
        p.rebuilt_tables.iter().any(|t| t.eq_ignore_ascii_case(table)),
        "the test needs {table} rebuilt, but the plan does not rebuild it:\n{}",
        p.to_sql()
    );
}

#[test]
fn rowids_of_a_table_without_integer_primary_key_survive_a_rebuild() {
    let mut conn = db_from("CREATE TABLE notes (body TEXT, n INT);");
    for i in 1..=10 {
        conn.execute("INSERT INTO notes (body, n) VALUES (?1, ?2)", rusqlite::params![format!("note {i}"), i]).unwrap();
    }
    // Gaps and a far rowid: a rebuild that renumbers rows would be caught here.
    conn.execute_batch("DELETE FROM notes WHERE rowid IN (2, 5, 6); INSERT INTO notes (rowid, body, n) VALUES (1000, 'far', 0);").unwrap();
    let before = rows(&conn, "SELECT rowid, body, n FROM notes ORDER BY rowid");

    let (p, from) = up(&mut conn, "CREATE TABLE notes (body TEXT NOT NULL DEFAULT '', n INT CHECK (n >= 0));");
    assert_rebuilt(&p, "notes");
    assert_eq!(rows(&conn, "SELECT rowid, body, n FROM notes ORDER BY rowid"), before);

    down(&mut conn, &from);
    assert_eq!(rows(&conn, "SELECT rowid, body, n FROM notes ORDER BY rowid"), before);
    // New rows continue after the largest rowid, as they would have before.
    conn.execute("INSERT INTO notes (body) VALUES ('next')", []).unwrap();
    assert_eq!(int(&conn, "SELECT max(rowid) FROM notes"), 1001);
}

#[test]
fn autoincrement_sequence_survives_a_rebuild_even_above_the_largest_id() {
    let mut conn = db_from("CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT);");
    for i in 1..=10 {
        conn.execute("INSERT INTO events (kind) VALUES (?1)", [format!("k{i}")]).unwrap();
    }
    conn.execute("DELETE FROM events WHERE id > 6", []).unwrap();
    let seq = "SELECT seq FROM sqlite_sequence WHERE name = 'events'";
    assert_eq!((int(&conn, seq), int(&conn, "SELECT max(id) FROM events")), (10, 6));
    let before = rows(&conn, "SELECT id, kind FROM events ORDER BY id");

    let (p, from) = up(&mut conn, "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL DEFAULT 'x', at TEXT DEFAULT CURRENT_TIMESTAMP);");
    assert_rebuilt(&p, "events");
    assert_eq!(rows(&conn, "SELECT id, kind FROM events ORDER BY id"), before);
    assert_eq!(int(&conn, seq), 10, "the sequence must keep the ids of deleted rows used");
    assert_eq!(int(&conn, "SELECT count(*) FROM sqlite_sequence"), 1, "no sequence row for the temporary table may remain");
    conn.execute("INSERT INTO events (kind) VALUES ('after up')", []).unwrap();
    assert_eq!(int(&conn, "SELECT max(id) FROM events"), 11);

    let p = down(&mut conn, &from);
    assert_rebuilt(&p, "events");
    assert_eq!(int(&conn, seq), 11);
    conn.execute("INSERT INTO events (kind) VALUES ('after down')", []).unwrap();
    assert_eq!(int(&conn, "SELECT max(id) FROM events"), 12);
}

#[test]
fn generated_columns_keep_their_values_after_a_rebuild() {
    let mut conn = db_from(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, price REAL, qty INT,
           total REAL GENERATED ALWAYS AS (price * qty) STORED,
           label TEXT GENERATED ALWAYS AS ('#' || id || ':' || qty) VIRTUAL);",
    );
    conn.execute_batch("INSERT INTO items (price, qty) VALUES (1.5, 2), (2.0, 3), (NULL, 4), (0.25, 8);").unwrap();
    let before = rows(&conn, "SELECT id, price, qty, total, label FROM items ORDER BY id");
    assert_eq!(before[1][3], Value::Real(6.0));

    let (p, from) = up(
        &mut conn,
        "CREATE TABLE items (id INTEGER PRIMARY KEY, price REAL CHECK (price IS NULL OR price >= 0), qty INT NOT NULL DEFAULT 1,
           total REAL GENERATED ALWAYS AS (price * qty) STORED,
           label TEXT GENERATED ALWAYS AS ('#' || id || ':' || qty) VIRTUAL);",
    );
    assert_rebuilt(&p, "items");
    assert_eq!(rows(&conn, "SELECT id, price, qty, total, label FROM items ORDER BY id"), before);
    conn.execute("UPDATE items SET qty = 10 WHERE id = 1", []).unwrap();
    assert_eq!(rows(&conn, "SELECT total, label FROM items WHERE id = 1"), vec![vec![Value::Real(15.0), Value::Text("#1:10".into())]]);

    down(&mut conn, &from);
    assert_eq!(rows(&conn, "SELECT total, label FROM items WHERE id = 4"), vec![vec![Value::Real(2.0), Value::Text("#4:8".into())]]);
}

#[test]
fn strict_table_keeps_its_rows_and_stays_strict_after_a_rebuild() {
    let mut conn = db_from("CREATE TABLE m (id INTEGER PRIMARY KEY, v REAL NOT NULL, tag TEXT, raw ANY) STRICT;");
    conn.execute_batch("INSERT INTO m (v, tag, raw) VALUES (1, 'a', 1), (2.5, NULL, 'x'), (-3, 'C', X'00FF');").unwrap();
    let q = "SELECT id, v, typeof(v), tag, raw, typeof(raw) FROM m ORDER BY id";
    let before = rows(&conn, q);
    assert_eq!(before[0][2], Value::Text("real".into()));

    let (p, from) = up(&mut conn, "CREATE TABLE m (id INTEGER PRIMARY KEY, v REAL NOT NULL, tag TEXT COLLATE NOCASE, raw ANY) STRICT;");
    assert_rebuilt(&p, "m");
    assert_eq!(rows(&conn, q), before);
    let refused = conn.execute("INSERT INTO m (v) VALUES ('not a number')", []);
    assert!(refused.is_err(), "the rebuilt table must still be STRICT");

    down(&mut conn, &from);
    assert_eq!(rows(&conn, q), before);
}

#[test]
fn without_rowid_table_keeps_its_rows_after_a_rebuild() {
    let mut conn = db_from("CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB, n INT) WITHOUT ROWID;");
    conn.execute_batch("INSERT INTO kv VALUES ('b', X'01', 2), ('a', NULL, 1), ('c', X'0203', NULL);").unwrap();
    let q = "SELECT k, v, n FROM kv ORDER BY k";
    let before = rows(&conn, q);

    let (p, from) = up(&mut conn, "CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB, n INTEGER DEFAULT 0 CHECK (n IS NULL OR n > 0)) WITHOUT ROWID;");
    assert_rebuilt(&p, "kv");
    assert_eq!(rows(&conn, q), before);
    assert!(conn.prepare("SELECT rowid FROM kv").is_err(), "the rebuilt table must still be WITHOUT ROWID");

    down(&mut conn, &from);
    assert_eq!(rows(&conn, q), before);
}

#[test]
fn converting_to_without_rowid_and_back_keeps_every_row() {
    let mut conn = db_from("CREATE TABLE kv (k TEXT NOT NULL PRIMARY KEY, v INT);");
    conn.execute_batch("INSERT INTO kv VALUES ('x', 1), ('y', 2), ('z', NULL); DELETE FROM kv WHERE k = 'y';").unwrap();
    let q = "SELECT k, v FROM kv ORDER BY k";
    let before = rows(&conn, q);
    let (p, from) = up(&mut conn, "CREATE TABLE kv (k TEXT NOT NULL PRIMARY KEY, v INT) WITHOUT ROWID;");
    assert_rebuilt(&p, "kv");
    assert_eq!(rows(&conn, q), before);
    down(&mut conn, &from);
    assert_eq!(rows(&conn, q), before);
}

#[test]
fn self_referencing_foreign_key_keeps_every_link_after_a_rebuild() {
    let mut conn = db_from("CREATE TABLE nodes (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES nodes (id) ON DELETE CASCADE, name TEXT);");
    conn.execute_batch(
        "INSERT INTO nodes VALUES (1, NULL, 'root'), (2, 1, 'a'), (3, 1, 'b'), (4, 2, 'a1'), (5, 4, 'a1x'), (6, 3, NULL);",
    )
    .unwrap();
    let q = "SELECT id, parent, name FROM nodes ORDER BY id";
    let before = rows(&conn, q);

    let (p, from) = up(&mut conn, "CREATE TABLE nodes (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES nodes (id) ON DELETE CASCADE, name TEXT NOT NULL DEFAULT '?');");
    assert_rebuilt(&p, "nodes");
    let mut expected = before.clone();
    expected[5][2] = Value::Text("?".into());
    assert_eq!(rows(&conn, q), expected);
    assert!(fk_on(&conn));
    assert!(rows(&conn, "PRAGMA foreign_key_check").is_empty());
    assert!(conn.execute("INSERT INTO nodes (parent, name) VALUES (999, 'orphan')", []).is_err(), "the foreign key must still be enforced");
    // The cascade still follows the tree from the rebuilt table.
    conn.execute("DELETE FROM nodes WHERE id = 2", []).unwrap();
    assert_eq!(rows(&conn, "SELECT id FROM nodes ORDER BY id"), vec![vec![Value::Integer(1)], vec![Value::Integer(3)], vec![Value::Integer(6)]]);

    down(&mut conn, &from);
    assert_eq!(int(&conn, "SELECT count(*) FROM nodes"), 3);
}

#[test]
fn views_over_a_rebuilt_table_answer_the_same_rows() {
    let mut conn = db_from(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, active INT);
         CREATE VIEW active_users AS SELECT id, name FROM users WHERE active;
         CREATE VIEW active_names AS SELECT upper(name) AS n FROM active_users;",
    );
    conn.execute_batch("INSERT INTO users (name, active) VALUES ('ann', 1), ('bob', 0), ('cy', 1), (NULL, 1);").unwrap();
    let q1 = "SELECT * FROM active_users ORDER BY id";
    let q2 = "SELECT * FROM active_names ORDER BY n";
    let (b1, b2) = (rows(&conn, q1), rows(&conn, q2));
    assert_eq!(b1.len(), 3);

    let (p, from) = up(
        &mut conn,
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT COLLATE NOCASE, active INT NOT NULL DEFAULT 0);
         CREATE VIEW active_users AS SELECT id, name FROM users WHERE active;
         CREATE VIEW active_names AS SELECT upper(name) AS n FROM active_users;",
    );
    assert_rebuilt(&p, "users");
    assert_eq!((rows(&conn, q1), rows(&conn, q2)), (b1.clone(), b2.clone()));
    down(&mut conn, &from);
    assert_eq!((rows(&conn, q1), rows(&conn, q2)), (b1, b2));
}

#[test]
fn triggers_survive_a_rebuild_and_still_fire() {
    let schema = |name_type: &str| {
        format!(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, name {name_type});
             CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT);
             CREATE TRIGGER users_ins AFTER INSERT ON users BEGIN INSERT INTO audit (what) VALUES ('insert ' || NEW.name); END;
             CREATE TRIGGER audit_count AFTER INSERT ON audit WHEN (SELECT count(*) FROM users) > 100 BEGIN SELECT RAISE(ABORT, 'too many'); END;"
        )
    };
    let mut conn = db_from(&schema("TEXT"));
    conn.execute_batch("INSERT INTO users (name) VALUES ('ann'), ('bob');").unwrap();
    let audit = "SELECT id, what FROM audit ORDER BY id";
    let before = rows(&conn, audit);
    assert_eq!(before.len(), 2);

    let (p, from) = up(&mut conn, &schema("TEXT NOT NULL DEFAULT ''"));
    assert_rebuilt(&p, "users");
    assert_eq!(rows(&conn, audit), before, "copying rows must not fire triggers");
    assert_eq!(int(&conn, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"), 2);
    conn.execute("INSERT INTO users (name) VALUES ('cy')", []).unwrap();
    assert_eq!(rows(&conn, "SELECT what FROM audit WHERE id = 3"), vec![vec![Value::Text("insert cy".into())]]);

    down(&mut conn, &from);
    assert_eq!(int(&conn, "SELECT count(*) FROM audit"), 3);
    conn.execute("INSERT INTO users (name) VALUES ('dee')", []).unwrap();
    assert_eq!(int(&conn, "SELECT count(*) FROM audit"), 4, "the trigger must fire after the down plan too");
}

#[test]
fn cascade_children_keep_every_row_when_their_parent_is_rebuilt_with_foreign_keys_on() {
    let schema = |name: &str| {
        format!(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, name {name});
             CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE, title TEXT);
             CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER REFERENCES posts (id) ON DELETE CASCADE, body TEXT);
             CREATE TABLE likes (user_id INTEGER REFERENCES users (id) ON DELETE SET NULL, post_id INTEGER);"
        )
    };
    let mut conn = db_from(&schema("TEXT"));
    assert!(fk_on(&conn));
    conn.execute_batch(
        "INSERT INTO users VALUES (1, 'ann'), (2, 'bob'), (3, NULL);
         INSERT INTO posts VALUES (10, 1, 'p1'), (11, 1, 'p2'), (12, 2, 'p3'), (13, 3, 'p4');
         INSERT INTO comments VALUES (100, 10, 'c1'), (101, 10, 'c2'), (102, 12, 'c3'), (103, 13, 'c4');
         INSERT INTO likes VALUES (1, 12), (2, 10), (3, 13);",
    )
    .unwrap();
    let everything = |conn: &Connection| {
        ["posts", "comments", "likes"].map(|t| rows(conn, &format!("SELECT rowid, * FROM {t} ORDER BY rowid")))
    };
    let before = everything(&conn);

    let (p, from) = up(&mut conn, &schema("TEXT NOT NULL DEFAULT 'anon'"));
    assert_rebuilt(&p, "users");
    assert_eq!(everything(&conn), before, "dropping the old parent must not cascade to the children");
    assert!(fk_on(&conn), "foreign keys must be on again after the plan");
    assert!(rows(&conn, "PRAGMA foreign_key_check").is_empty());
    // The cascade still works from the rebuilt parent.
    conn.execute("DELETE FROM users WHERE id = 1", []).unwrap();
    assert_eq!(int(&conn, "SELECT count(*) FROM posts"), 2);
    assert_eq!(int(&conn, "SELECT count(*) FROM comments"), 2);
    assert_eq!(rows(&conn, "SELECT user_id FROM likes WHERE post_id = 12"), vec![vec![Value::Null]]);

    let after_delete = everything(&conn);
    down(&mut conn, &from);
    assert_eq!(everything(&conn), after_delete);
    assert!(fk_on(&conn));
}

/// Plans `to_sql` from the live database, expects the plan to fail, and checks that nothing at
/// all changed. Returns the error for the caller's own assertions.
fn fails_and_changes_nothing(conn: &mut Connection, to_sql: &str) -> (Error, Plan) {
    let before = dump(conn);
    let from = introspect(conn).unwrap();
    let target = model::from_sql(to_sql).unwrap();
    let d = diff(&from, &target.schema, &target.renames);
    let p = plan(&from, &target.schema, &d, &PlanOptions::default());
    let err = runner::apply_plan(conn, &p).expect_err("the plan should fail");
    assert_eq!(dump(conn), before, "a failed plan changed the database:\n{err}\n{}", p.to_sql());
    (err, p)
}

fn populated_users() -> Connection {
    let conn = db_from(
        "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, email TEXT);
         CREATE INDEX users_email ON users (email);
         CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id) ON DELETE CASCADE, title TEXT);
         CREATE VIEW named AS SELECT name FROM users WHERE name IS NOT NULL;
         CREATE TRIGGER users_del BEFORE DELETE ON users BEGIN SELECT 1; END;",
    );
    conn.execute_batch(
        "INSERT INTO users (name, email) VALUES ('ann', 'a@x'), (NULL, 'same@x'), ('cy', 'same@x'), ('dee', NULL);
         DELETE FROM users WHERE id = 4;
         INSERT INTO posts (user_id, title) VALUES (1, 'p1'), (2, 'p2'), (3, 'p3');",
    )
    .unwrap();
    conn
}

#[test]
fn not_null_over_nulls_fails_and_leaves_the_database_exactly_as_before() {
    let mut conn = populated_users();
    let (err, p) = fails_and_changes_nothing(
        &mut conn,
        "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, email TEXT);
         CREATE INDEX users_email ON users (email);
         CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id) ON DELETE CASCADE, title TEXT);
         CREATE VIEW named AS SELECT name FROM users WHERE name IS NOT NULL;
         CREATE TRIGGER users_del BEFORE DELETE ON users BEGIN SELECT 1; END;",
    );
    assert!(err.to_string().contains("NOT NULL"), "{err}");
    assert!(p.foreign_keys_off && fk_on(&conn), "foreign keys must be on again after the failure");
}

#[test]
fn unique_over_duplicates_fails_and_leaves_the_database_exactly_as_before() {
    let mut conn = populated_users();
    let (err, _) = fails_and_changes_nothing(
        &mut conn,
        "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, email TEXT UNIQUE);
         CREATE INDEX users_email ON users (email);
         CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id) ON DELETE CASCADE, title TEXT);
         CREATE VIEW named AS SELECT name FROM users WHERE name IS NOT NULL;
         CREATE TRIGGER users_del BEFORE DELETE ON users BEGIN SELECT 1; END;",
    );
    assert!(err.to_string().contains("UNIQUE"), "{err}");
    assert!(fk_on(&conn));
}

#[test]
fn a_failing_step_in_the_middle_of_a_generated_plan_leaves_the_database_exactly_as_before() {
    // A new table, a native ADD COLUMN and an index come before the rebuild whose copy fails on
    // the duplicate emails, so real changes have been made when the failure happens.
    let mut conn = populated_users();
    let (err, p) = fails_and_changes_nothing(
        &mut conn,
        "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, email TEXT, UNIQUE (email));
         CREATE INDEX users_email ON users (email);
         CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id) ON DELETE CASCADE, title TEXT, score INT DEFAULT 0);
         CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT);
         CREATE VIEW named AS SELECT name FROM users WHERE name IS NOT NULL;
         CREATE TRIGGER users_del BEFORE DELETE ON users BEGIN SELECT 1; END;",
    );
    let Error::Statement { step, .. } = err else { panic!("expected a failing statement, got {err}") };
    assert!(step > 2 && step < p.steps.len(), "step {step} of {} should be in the middle:\n{}", p.steps.len(), p.to_sql());
    assert!(fk_on(&conn));
}

#[test]
fn a_plan_whose_third_of_five_steps_fails_changes_nothing() {
    let mut conn = populated_users();
    let before = dump(&conn);
    // The runner reads only the SQL; the kinds say what each statement is for a reader of the
    // plan (an INSERT is the row copy of a rebuild, the only kind of step that writes rows).
    use strata_core::plan::{RebuildPart, StepKind};
    let step = |sql: &str, kind: StepKind| strata_core::Step { sql: sql.into(), comment: sql.into(), change: 0, data_loss: None, kind };
    let copy = |table: &str| StepKind::Rebuild { table: table.into(), temp: table.into(), part: RebuildPart::CopyRows };
    // Steps 1 and 2 change schema and data (and the sequence); step 3 breaks the primary key.
    let p = Plan {
        changes: vec![],
        steps: vec![
            step("ALTER TABLE users ADD COLUMN age INT", StepKind::AddColumn { table: "users".into(), column: "age".into() }),
            step("INSERT INTO users (name, age) VALUES ('new', 1)", copy("users")),
            step("INSERT INTO posts (id, title) VALUES (1, 'duplicate id')", copy("posts")),
            step("CREATE INDEX users_age ON users (age)", StepKind::CreateIndex { index: "users_age".into(), table: "users".into() }),
            step("DROP TABLE posts", StepKind::DropTable { table: "posts".into() }),
        ],
        foreign_keys_off: true,
        rebuilt_tables: vec![],
    };
    let err = runner::apply_plan(&mut conn, &p).expect_err("step 3 must fail");
    assert!(matches!(err, Error::Statement { step: 3, .. }), "{err}");
    assert_eq!(dump(&conn), before);
    assert!(fk_on(&conn), "foreign keys must be on again after the failure");
}

#[test]
fn a_failing_foreign_key_check_changes_nothing_and_restores_foreign_keys() {
    let mut conn = db_from("CREATE TABLE users (id INTEGER PRIMARY KEY); CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INT);");
    conn.execute_batch("INSERT INTO users VALUES (1); INSERT INTO posts VALUES (1, 1), (2, 99);").unwrap();
    let (err, _) = fails_and_changes_nothing(
        &mut conn,
        "CREATE TABLE users (id INTEGER PRIMARY KEY); CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INT REFERENCES users (id));",
    );
    assert!(matches!(err, Error::ForeignKeyCheck { .. }), "{err}");
    assert!(fk_on(&conn));
}

#[test]
fn foreign_keys_stay_off_after_a_plan_when_they_were_off() {
    let mut conn = populated_users();
    conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    let before = dump(&conn);
    let to = "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, email TEXT);
         CREATE INDEX users_email ON users (email);
         CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id) ON DELETE CASCADE, title TEXT);
         CREATE VIEW named AS SELECT name FROM users WHERE name IS NOT NULL;
         CREATE TRIGGER users_del BEFORE DELETE ON users BEGIN SELECT 1; END;";
    let (_, p) = fails_and_changes_nothing(&mut conn, to);
    assert!(p.foreign_keys_off);
    assert!(!fk_on(&conn));
    conn.execute("UPDATE users SET name = 'someone' WHERE name IS NULL", []).unwrap();
    up(&mut conn, to);
    assert!(!fk_on(&conn), "a plan must not switch foreign keys on when the connection had them off");
    assert_ne!(dump(&conn), before);
}
