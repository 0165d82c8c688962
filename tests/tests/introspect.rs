//! Cross-checks introspection (which parses `sqlite_schema.sql`) against SQLite's own PRAGMAs
//! for every schema of the data-driven cases: columns, primary keys, foreign keys and indexes
//! must agree with `table_xinfo`, `foreign_key_list`, `index_list` and `index_xinfo`.

use std::{fs, path::Path};

use rusqlite::Connection;
use strata_core::{sql::quote};
use strata_engine::introspect;
use strata_tests::db_from;

fn strings(conn: &Connection, sql: &str) -> Vec<Vec<String>> {
    let mut stmt = conn.prepare(sql).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        Ok((0..n)
            .map(|i| match r.get_ref(i).unwrap() {
                rusqlite::types::ValueRef::Null => String::new(),
                rusqlite::types::ValueRef::Integer(x) => x.to_string(),
                rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                other => format!("{other:?}"),
            })
            .collect())
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn check(sql: &str, origin: &str) -> usize {
    let conn = db_from(sql);
    let schema = introspect::introspect(&conn).unwrap();
    let mut checked = 0;
    for t in schema.tables.values() {
        let rows = strings(&conn, &format!("SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo({})", strata_core::sql::quote_str(&t.name)));
        assert_eq!(rows.len(), t.columns.len(), "{origin}: column count of {}", t.name);
        for r in &rows {
            let c = t.column(&r[0]).unwrap_or_else(|| panic!("{origin}: {}.{} missing", t.name, r[0]));
            assert_eq!(c.decl_type.as_str(), r[1], "{origin}: type of {}.{}", t.name, r[0]);
            // WITHOUT ROWID primary key columns are NOT NULL whether or not it was written.
            let pk_col = t.primary_key.as_ref().is_some_and(|pk| pk.columns.iter().any(|p| p.name == *r[0].as_str()));
            if !(t.without_rowid && pk_col) {
                assert_eq!(c.not_null, r[2] == "1", "{origin}: NOT NULL of {}.{}", t.name, r[0]);
            }
            assert_eq!(c.default.as_ref().map_or("", |d| d.as_str()), r[3], "{origin}: default of {}.{}", t.name, r[0]);
            let pk_pos = t.primary_key.as_ref().and_then(|pk| pk.columns.iter().position(|p| p.name == *r[0].as_str())).map_or(0, |i| i + 1);
            assert_eq!(pk_pos.to_string(), r[4], "{origin}: pk position of {}.{}", t.name, r[0]);
            let hidden = match &c.generated { None => "0", Some(g) if g.stored => "3", Some(_) => "2" };
            assert_eq!(hidden, r[5], "{origin}: generated kind of {}.{}", t.name, r[0]);
            checked += 1;
        }
        let fks = strings(&conn, &format!("SELECT \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list({}) ORDER BY id, seq", strata_core::sql::quote_str(&t.name)));
        let ours: usize = t.foreign_keys.iter().map(|f| f.columns.len()).sum();
        assert_eq!(fks.len(), ours, "{origin}: foreign key columns of {}", t.name);
        for r in &fks {
            let fk = t.foreign_keys.iter().find(|f| f.ref_table == *r[0].as_str() && f.columns.iter().any(|c| *c == *r[1].as_str()))
                .unwrap_or_else(|| panic!("{origin}: foreign key {}.{} -> {} missing", t.name, r[1], r[0]));
            assert_eq!(fk.on_update.sql(), r[3], "{origin}");
            assert_eq!(fk.on_delete.sql(), r[4], "{origin}");
            if !r[2].is_empty() {
                assert!(fk.ref_columns.iter().any(|c| *c == *r[2].as_str()), "{origin}: parent column {}", r[2]);
            }
        }
        let idx = strings(&conn, &format!("SELECT name, \"unique\", origin, partial FROM pragma_index_list({})", strata_core::sql::quote_str(&t.name)));
        for r in idx.iter().filter(|r| r[2] == "c") {
            let i = &schema.indexes[&r[0].to_ascii_lowercase()];
            assert_eq!(i.unique, r[1] == "1", "{origin}: unique of index {}", r[0]);
            assert_eq!(i.where_clause.is_some(), r[3] == "1", "{origin}: partial of index {}", r[0]);
            let keys = strings(&conn, &format!("SELECT name, \"desc\" FROM pragma_index_xinfo({}) WHERE key = 1", strata_core::sql::quote_str(&r[0])));
            assert_eq!(keys.len(), i.parts.len(), "{origin}: terms of index {}", r[0]);
            for (k, p) in keys.iter().zip(&i.parts) {
                if !k[0].is_empty() {
                    assert_eq!(strata_core::sql::normalize(p.expr.as_str()), strata_core::sql::normalize(&quote(&k[0])), "{origin}: term of {}", r[0]);
                }
                assert_eq!(p.desc, k[1] == "1", "{origin}: DESC in {}", r[0]);
            }
        }
        let uniques = idx.iter().filter(|r| r[2] == "u").count();
        assert_eq!(uniques, t.uniques.len(), "{origin}: UNIQUE constraints of {}", t.name);
    }
    checked
}

#[test]
fn introspection_agrees_with_sqlite_pragmas() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data");
    let mut columns = 0;
    for entry in fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        for f in ["from.sql", "to.sql"] {
            let sql = fs::read_to_string(dir.join(f)).unwrap();
            columns += check(&sql, &format!("{}/{f}", dir.display()));
        }
    }
    assert!(columns > 100, "only {columns} columns checked");
}
