//! Tests of the demo project (its text is strata-core's `playground::demo`): it builds with
//! the engine, its model is the schema of its revisions in both languages, and each down undoes
//! its up.

use rusqlite::Connection;
use strata_core::revision::Graph;

use crate::workspace::demo::*;

/// Guards against the model and the revision files drifting apart: the demo opens with
/// nothing to autogenerate.
#[test]
fn the_model_is_the_schema_of_the_revisions() {
    let graph = Graph::new(revisions()).unwrap();
    let model = crate::from_sql(MODEL_SQL).unwrap();
    let autogen = crate::migrate::autogenerate(&graph, &model, &[], "schema_version").unwrap();
    assert!(autogen.is_empty(), "{}", autogen.up.body_sql());
}

/// The SQLModel tab says the same schema as the SQL tab, so switching tabs gives nothing
/// to autogenerate either.
#[test]
fn the_sqlmodel_tab_describes_the_same_tables() {
    let graph = Graph::new(revisions()).unwrap();
    let model = strata_core::sqlmodel::from_sqlmodel(MODEL_SQLMODEL).unwrap();
    let autogen = crate::migrate::autogenerate(&graph, &model, &[], "schema_version").unwrap();
    assert!(autogen.is_empty(), "{}", autogen.up.body_sql());
}

#[test]
fn every_down_undoes_its_up() {
    let conn = Connection::open_in_memory().unwrap();
    for revision in revisions() {
        conn.execute_batch(&revision.up).unwrap();
    }
    for revision in revisions().iter().rev() {
        conn.execute_batch(&revision.down).unwrap();
    }
    let left: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
        .unwrap();
    assert_eq!(left, 0);
}
