//! Classification of every kind of change the diff makes, and of hand-written statements.
//! Schemas are read by the pure CREATE readers, so these tests need no connection either.

use expect_test::{expect, Expect};

use super::*;
use crate::diff::diff;
use crate::diff::Rename;
use crate::parse::{parse_create_index, parse_create_table, parse_create_trigger, parse_create_view};
use crate::plan::{plan, PlanOptions};
use crate::schema::Schema;
use crate::statement::{self, Object, Verb};

fn schema(text: &str) -> Schema {
    let mut s = Schema::default();
    for st in sql::split_statements(text) {
        let c = statement::classify(&st.text);
        assert_eq!(c.verb, Verb::Create, "{}", st.text);
        match c.object {
            Some(Object::Table) => s.add_table(parse_create_table(&st.text).unwrap()),
            Some(Object::Index) => s.add_index(parse_create_index(&st.text).unwrap()),
            Some(Object::View) => s.add_view(parse_create_view(&st.text).unwrap()),
            Some(Object::Trigger) => s.add_trigger(parse_create_trigger(&st.text).unwrap()),
            other => panic!("{other:?}"),
        }
    }
    s
}

fn render(c: &Classification) -> String {
    let mut out = format!("{} ({:?})\n", c.class, c.basis);
    for r in &c.reasons {
        out.push_str(&format!("  {}: {} -- {}\n", r.class, r.what, r.why));
        if let Some(i) = &r.instead {
            out.push_str(&format!("    instead: {i}\n"));
        }
    }
    out
}

/// Classifies the plan from `from` to `to` (with `renames` confirmed) and compares.
fn check(from: &str, to: &str, renames: &[Rename], expect: Expect) {
    let (a, b) = (schema(from), schema(to));
    let d = diff(&a, &b, renames);
    let p = plan(&a, &b, &d, &PlanOptions::default());
    let c = from_changes(&d.changes, &p.rebuilt_tables);
    expect.assert_eq(&render(&c));
    // The rebuilds read back from the plan's own SQL are the plan's rebuilds.
    let mut read = rebuilt_tables(&p.body_sql());
    read.sort();
    let mut planned = p.rebuilt_tables.clone();
    planned.sort();
    assert_eq!(read, planned);
}

fn col(table: &str, from: &str, to: &str) -> Rename {
    Rename::Column { table: table.into(), from: from.into(), to: to.into() }
}

#[test]
fn new_tables_columns_indexes_and_views_are_additive() {
    check(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, phone TEXT, plan TEXT NOT NULL DEFAULT 'free');
         CREATE TABLE prefs (user_id INTEGER REFERENCES users(id), k TEXT, v TEXT);
         CREATE INDEX users_email ON users (email);
         CREATE VIEW emails AS SELECT email FROM users;
         CREATE TRIGGER prefs_log AFTER INSERT ON prefs BEGIN SELECT 1; END;",
        &[],
        expect![[r#"
            additive (Changes)
              additive: adds nullable column users.phone -- old code does not know it, and its INSERTs leave it NULL or at its default
              additive: adds column users.plan NOT NULL DEFAULT 'free' -- old code's INSERTs do not name it and get the default
              additive: creates table prefs -- old code does not use it
              additive: creates index users_email on users -- old code's queries give the same answers; building it holds the write lock while it reads the table
              additive: creates view emails -- old code does not use it
              additive: creates trigger prefs_log on prefs -- old code's writes also run it; it refuses none of them
        "#]],
    );
}

#[test]
fn drops_and_renames_are_breaking_with_their_expand_contract_step() {
    check(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, fax TEXT);
         CREATE TABLE old_notes (x TEXT);
         CREATE TABLE accounts (id INTEGER PRIMARY KEY);
         CREATE VIEW v AS SELECT 1;",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email_address TEXT);
         CREATE TABLE customers (id INTEGER PRIMARY KEY);",
        &[col("users", "email", "email_address"), Rename::Table { from: "accounts".into(), to: "customers".into() }],
        expect![[r#"
            breaking (Changes)
              breaking: renames table accounts to customers -- old code still uses the name accounts, which no longer exists
                instead: create customers beside accounts, have the app write both, backfill customers, move reads to it, then drop accounts in a later revision
              breaking: renames column users.email to email_address -- old code still uses the name email, which no longer exists
                instead: add email_address beside email, have the app write both, backfill email_address, move reads to it, then drop email in a later revision
              breaking: drops column users.fax -- old code that reads or writes it fails with "no such column"
                instead: first deploy code that no longer uses users.fax, then drop it in a later revision
              breaking: drops table old_notes -- old code that still reads or writes old_notes fails with "no such table"
                instead: first deploy code that no longer uses old_notes, then drop it in a later revision
              breaking: drops view v -- old code that reads it fails with "no such table"
                instead: first deploy code that no longer reads v, then drop it in a later revision
        "#]],
    );
}

#[test]
fn column_changes_that_need_a_rebuild_say_so() {
    check(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT NOT NULL, c TEXT, d TEXT DEFAULT 'x', e TEXT, g INT AS (id + 1));",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b TEXT, c TEXT NOT NULL, d TEXT DEFAULT 'y', e TEXT COLLATE NOCASE, g INT AS (id + 2), h TEXT NOT NULL);",
        &[],
        expect![[r#"
            breaking (Changes)
              breaking: changes the type of t.a from TEXT to INTEGER -- values are converted to the new type's affinity, and old code may write values that are stored differently
                instead: add a column of type INTEGER beside a, have the app write both, backfill it, move reads to it, then drop a in a later revision
              additive: lets t.b hold NULL -- old code writes values as before
              breaking: makes t.c NOT NULL -- old code that writes NULL into it fails, and so does the migration while a row holds NULL
                instead: first have the app stop writing NULL and backfill the NULLs; add the constraint in a later revision, once no NULL is left
              additive: changes the default of t.d -- old code that leaves it out gets the new default; no write fails
              breaking: changes the collation of t.e -- comparisons, sorting and uniqueness of its values change under old code
                instead: add a column (or an index) with the new collation beside e, move queries to it, then drop the old one in a later revision
              breaking: changes how t.g is generated -- old code reads other values than before, or can no longer write it
                instead: add a new column beside g, move reads to it, then drop g in a later revision
              breaking: adds column t.h NOT NULL without a default -- old code's INSERTs do not name it and fail
                instead: add h nullable (or with a DEFAULT), have the app fill it, backfill the old rows, then make it NOT NULL in a later revision
              breaking: rebuilds table t -- SQLite cannot make this change in place, so the table is copied into a new one; the write lock is held until every row is copied, so the app's writes wait and fail once their busy timeout runs out (a rehearsal measures how long, on a copy)
                instead: on a large table, reach the same shape in steps that need no copy: add a new nullable column beside the old one, have the app write both, backfill it in batches (a no-transaction section with -- @repeat), switch reads, and drop the old column in a later revision
        "#]],
    );
}

#[test]
fn an_additive_change_that_rebuilds_is_breaking_for_the_lock_alone() {
    check(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, d TEXT DEFAULT 'x');",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, d TEXT DEFAULT 'y');",
        &[],
        expect![[r#"
            breaking (Changes)
              additive: changes the default of t.d -- old code that leaves it out gets the new default; no write fails
              breaking: rebuilds table t -- SQLite cannot make this change in place, so the table is copied into a new one; the write lock is held until every row is copied, so the app's writes wait and fail once their busy timeout runs out (a rehearsal measures how long, on a copy)
                instead: on a large table, reach the same shape in steps that need no copy: add a new nullable column beside the old one, have the app write both, backfill it in batches (a no-transaction section with -- @repeat), switch reads, and drop the old column in a later revision
        "#]],
    );
}

#[test]
fn constraints_keys_and_table_options() {
    let c = |from: &str, to: &str| {
        let (a, b) = (schema(from), schema(to));
        let d = diff(&a, &b, &[]);
        from_changes(&d.changes, &[]).reasons.into_iter().map(|r| format!("{}: {}", r.class, r.what)).collect::<Vec<_>>()
    };
    let base = "CREATE TABLE p (id INTEGER PRIMARY KEY);";
    assert_eq!(
        c(
            &format!("{base} CREATE TABLE t (a INT, b INT)"),
            &format!("{base} CREATE TABLE t (a INT, b INT, UNIQUE (a), CHECK (b > 0), FOREIGN KEY (b) REFERENCES p(id))")
        ),
        ["breaking: adds UNIQUE (a) on t", "breaking: adds CHECK (b > 0) on t", "breaking: adds a foreign key t(b) to p"]
    );
    assert_eq!(
        c(
            &format!("{base} CREATE TABLE t (a INT, b INT, UNIQUE (a), CHECK (b > 0), FOREIGN KEY (b) REFERENCES p(id))"),
            &format!("{base} CREATE TABLE t (a INT, b INT)")
        ),
        ["breaking: drops UNIQUE (a) on t", "additive: drops CHECK (b > 0) on t", "additive: drops the foreign key t(b) to p"]
    );
    assert_eq!(
        c(&format!("{base} CREATE TABLE t (b INT REFERENCES p(id) ON DELETE CASCADE)"), &format!("{base} CREATE TABLE t (b INT)")),
        ["breaking: drops the foreign key t(b) to p"]
    );
    assert_eq!(c("CREATE TABLE t (a INT PRIMARY KEY, b INT)", "CREATE TABLE t (a INT, b INT PRIMARY KEY)"), ["breaking: changes the primary key of t"]);
    assert_eq!(c("CREATE TABLE t (a INT)", "CREATE TABLE t (a INT) STRICT"), ["breaking: makes t STRICT"]);
    assert_eq!(c("CREATE TABLE t (a INT) STRICT", "CREATE TABLE t (a INT)"), ["additive: makes t no longer STRICT"]);
    assert_eq!(c("CREATE TABLE t (a INT PRIMARY KEY)", "CREATE TABLE t (a INT PRIMARY KEY) WITHOUT ROWID"), ["breaking: makes t WITHOUT ROWID"]);
    assert_eq!(c("CREATE TABLE t (a INT PRIMARY KEY) WITHOUT ROWID", "CREATE TABLE t (a INT PRIMARY KEY)"), ["additive: gives t a rowid"]);
}

#[test]
fn indexes_views_and_triggers_dropped_or_replaced() {
    let c = |from: &str, to: &str| {
        let (a, b) = (schema(from), schema(to));
        from_changes(&diff(&a, &b, &[]).changes, &[]).reasons.into_iter().map(|r| format!("{}: {}", r.class, r.what)).collect::<Vec<_>>()
    };
    let t = "CREATE TABLE t (a INT, b INT);";
    assert_eq!(c(&format!("{t} CREATE INDEX i ON t (a)"), t), ["additive: drops index i on t"]);
    assert_eq!(c(&format!("{t} CREATE UNIQUE INDEX i ON t (a)"), t), ["breaking: drops unique index i on t"]);
    assert_eq!(c(t, &format!("{t} CREATE UNIQUE INDEX i ON t (a)")), ["breaking: creates unique index i on t"]);
    assert_eq!(c(&format!("{t} CREATE INDEX i ON t (a)"), &format!("{t} CREATE INDEX i ON t (b)")), ["additive: replaces index i on t"]);
    assert_eq!(c(&format!("{t} CREATE VIEW v AS SELECT a FROM t"), &format!("{t} CREATE VIEW v AS SELECT b FROM t")), ["breaking: replaces view v"]);
    let trig = |body: &str| format!("{t} CREATE TRIGGER g BEFORE INSERT ON t BEGIN {body}; END;");
    assert_eq!(c(&trig("SELECT 1"), t), ["breaking: drops trigger g on t"]);
    assert_eq!(c(&trig("SELECT 1"), &trig("SELECT 2")), ["breaking: replaces trigger g on t"]);
    assert_eq!(c(t, &trig("SELECT RAISE(ABORT, 'no')")), ["breaking: creates trigger g on t, which can RAISE"]);
}

#[test]
fn nothing_to_do_is_additive() {
    for c in [from_changes(&[], &[]), from_sql("-- nothing here\n")] {
        assert_eq!((c.class, c.summary()), (Class::Additive, "additive".to_string()));
        assert_eq!(c.reasons.iter().map(|r| r.what.as_str()).collect::<Vec<_>>(), ["changes nothing"]);
    }
}

fn sql_check(section: &str, expect: Expect) {
    let c = from_sql(section);
    let lines: Vec<String> = c.reasons.iter().map(|r| format!("{}: {}", r.class, r.what)).collect();
    expect.assert_eq(&format!("{}\n{}\n", c.summary(), lines.join("\n")));
}

#[test]
fn hand_written_sql_is_read_statement_by_statement() {
    sql_check(
        "CREATE TABLE prefs (k TEXT PRIMARY KEY, v TEXT);\nINSERT INTO prefs VALUES ('theme', 'dark');\nCREATE UNIQUE INDEX prefs_v ON prefs (v);\n\
         ALTER TABLE users ADD COLUMN phone TEXT;\nALTER TABLE users ADD COLUMN plan TEXT NOT NULL DEFAULT 'free';\nUPDATE users SET plan = 'pro' WHERE id < 10;\n\
         CREATE INDEX users_phone ON users (phone);\nCREATE VIEW phones AS SELECT phone FROM users;",
        expect![[r#"
            additive
            additive: creates table prefs
            additive: creates unique index prefs_v on prefs
            additive: adds nullable column users.phone
            additive: adds column users.plan NOT NULL DEFAULT 'free'
            additive: updates rows of users (a backfill)
            additive: creates index users_phone on users
            additive: creates view phones
        "#]],
    );
}

#[test]
fn hand_written_sql_is_breaking_when_in_doubt() {
    sql_check(
        "ALTER TABLE users ADD COLUMN code TEXT NOT NULL;\nALTER TABLE users ADD COLUMN n INT CHECK (n > 0);\nALTER TABLE users DROP COLUMN fax;\n\
         ALTER TABLE users RENAME COLUMN email TO email_address;\nALTER TABLE a RENAME TO b;\nDROP TABLE old;\nDROP INDEX some_index;\n\
         DELETE FROM sessions;\nCREATE UNIQUE INDEX users_code ON users (code);\nPRAGMA user_version = 3;",
        expect![[r#"
            breaking: adds column users.code NOT NULL without a default; adds column users.n with a CHECK; drops column users.fax; renames column users.email to email_address; renames table a to b; drops table old; drops index some_index; deletes rows of sessions; creates unique index users_code on users; runs `PRAGMA user_version = 3`
            breaking: adds column users.code NOT NULL without a default
            breaking: adds column users.n with a CHECK
            breaking: drops column users.fax
            breaking: renames column users.email to email_address
            breaking: renames table a to b
            breaking: drops table old
            breaking: drops index some_index
            breaking: deletes rows of sessions
            breaking: creates unique index users_code on users
            breaking: runs `PRAGMA user_version = 3`
        "#]],
    );
}

#[test]
fn a_hand_written_rebuild_is_one_breaking_step() {
    let rebuild = "CREATE TABLE items_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n\
                   INSERT INTO items_new (id, name) SELECT id, name FROM items;\nDROP TABLE items;\nALTER TABLE items_new RENAME TO items;\n\
                   CREATE INDEX items_name ON items (name);";
    sql_check(
        rebuild,
        expect![[r#"
            breaking: rebuilds table items by hand
            additive: creates index items_name on items
            breaking: rebuilds table items by hand
        "#]],
    );
    assert_eq!(rebuilt_tables(rebuild), ["items"]);
    assert!(renames(rebuild).is_empty(), "{:?}", renames(rebuild));
}

#[test]
fn renames_compose_chains_and_swaps() {
    let swap = "ALTER TABLE \"a\" RENAME TO \"_strata_tmp\";\nALTER TABLE \"b\" RENAME TO \"a\";\nALTER TABLE \"_strata_tmp\" RENAME TO \"b\";\n\
                ALTER TABLE \"b\" RENAME COLUMN \"x\" TO \"y\";\nALTER TABLE \"b\" RENAME COLUMN \"y\" TO \"z\";";
    let mut got: Vec<String> = renames(swap).iter().map(|r| format!("{r:?}")).collect();
    got.sort();
    assert_eq!(got, [r#"Column { table: "b", from: "x", to: "z" }"#, r#"Table { from: "a", to: "b" }"#, r#"Table { from: "b", to: "a" }"#,]);
    // A rename, then a rebuild of the renamed table: the rename survives the rebuild.
    let renamed_then_rebuilt = "ALTER TABLE old RENAME TO new;\nCREATE TABLE _strata_new_new (x);\nINSERT INTO _strata_new_new SELECT x FROM new;\n\
                                DROP TABLE new;\nALTER TABLE _strata_new_new RENAME TO new;";
    assert_eq!(renames(renamed_then_rebuilt), [Rename::Table { from: "old".into(), to: "new".into() }]);
}

#[test]
fn a_foreign_key_or_unique_on_a_new_empty_column_is_additive() {
    let c = |from: &str, to: &str| {
        let (a, b) = (schema(from), schema(to));
        from_changes(&diff(&a, &b, &[]).changes, &[]).reasons.into_iter().map(|r| format!("{}: {}", r.class, r.what)).collect::<Vec<_>>()
    };
    let p = "CREATE TABLE p (id INTEGER PRIMARY KEY);";
    assert_eq!(
        c(&format!("{p} CREATE TABLE t (a INT)"), &format!("{p} CREATE TABLE t (a INT, b INT REFERENCES p(id), u TEXT UNIQUE)")),
        [
            "additive: adds nullable column t.b",
            "additive: adds nullable column t.u",
            "additive: adds UNIQUE (u) on t",
            "additive: adds a foreign key t(b) to p"
        ]
    );
    // With a default, every old row holds the same value: a UNIQUE on it fails, and the
    // default must have a parent.
    assert_eq!(
        c(&format!("{p} CREATE TABLE t (a INT)"), &format!("{p} CREATE TABLE t (a INT, b INT DEFAULT 1 REFERENCES p(id), u TEXT DEFAULT 'x' UNIQUE)")),
        [
            "additive: adds nullable column t.b",
            "additive: adds nullable column t.u",
            "breaking: adds UNIQUE (u) on t",
            "breaking: adds a foreign key t(b) to p"
        ]
    );
}

#[test]
fn a_column_renamed_by_a_rebuilds_copy_is_a_rename() {
    let copy = "CREATE TABLE \"_strata_new_t1\" (\"c2_r6\" INTEGER PRIMARY KEY, \"c3\" INTEGER) WITHOUT ROWID;\n\
                INSERT INTO \"_strata_new_t1\" (\"c2_r6\", \"c3\") SELECT \"c2\", \"c3\" FROM \"t1\";\nDROP TABLE \"t1\";\n\
                ALTER TABLE \"_strata_new_t1\" RENAME TO \"t1\";\n\
                CREATE TABLE \"_strata_new_t3\" (\"c4\" INTEGER, \"f5\" INTEGER);\n\
                INSERT INTO \"_strata_new_t3\" (rowid, \"c4\", \"f5\") SELECT rowid, \"c4\", CAST(\"f5\" AS INTEGER) FROM \"t3\";\nDROP TABLE \"t3\";\n\
                ALTER TABLE \"_strata_new_t3\" RENAME TO \"t3\";";
    assert_eq!(renames(copy), [Rename::Column { table: "t1".into(), from: "c2".into(), to: "c2_r6".into() }]);
}
