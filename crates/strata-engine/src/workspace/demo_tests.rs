//! Tests of the demo project (its text is strata-core's `playground::demo`): it builds with
//! the engine, its model is the schema of its revisions in both languages, each down undoes
//! its up, and its database image is the database a first visit seeds.

use rusqlite::Connection;
use strata_core::revision::Graph;

use crate::transfer::{check, scratch};
use crate::workspace::demo::*;
use crate::workspace::demo_image::{demo_image, first_open};
use crate::workspace::protocol::{Outcome, Request, Storage};
use crate::workspace::{Workspace, VERSION_TABLE};

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

/// Every row of every table (strata's own included), table by table, as text: what two
/// databases must agree on to be the same database.
fn contents(conn: &Connection) -> Vec<(String, Vec<String>)> {
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap();
    let tables: Vec<String> = stmt
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    tables
        .into_iter()
        .map(|table| {
            let mut stmt = conn
                .prepare(&format!("SELECT rowid, * FROM \"{table}\" ORDER BY rowid"))
                .unwrap();
            let width = stmt.column_count();
            let rows = stmt
                .query_map([], |row| {
                    (0..width)
                        .map(|i| row.get_ref(i).map(|v| format!("{v:?}")))
                        .collect::<rusqlite::Result<Vec<_>>>()
                        .map(|values| values.join(", "))
                })
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            (table, rows)
        })
        .collect()
}

/// A first visit in the browser opens the demo's image instead of seeding, so the image must
/// be the seeded database: the same tables and rows (version rows and project files included),
/// the same panels, the same answer to Open, and it passes the checks a loaded database passes.
#[test]
fn the_demo_image_is_the_database_a_first_visit_seeds() {
    let image = demo_image().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("image.sqlite3");
    std::fs::write(&path, &image).unwrap();
    let mut from_image = Workspace::open(Connection::open(&path).unwrap(), Storage::Opfs).unwrap();
    let mut seeded = Workspace::open(Connection::open_in_memory().unwrap(), Storage::Opfs).unwrap();

    assert_eq!(contents(&from_image.conn), contents(&seeded.conn));
    let tables = contents(&from_image.conn);
    assert!(
        tables
            .iter()
            .any(|(t, rows)| t == VERSION_TABLE && rows.len() == 2),
        "{tables:?}"
    );
    assert!(
        tables
            .iter()
            .any(|(t, rows)| t == "users" && rows.len() == 4),
        "{tables:?}"
    );
    assert_eq!(
        from_image.snapshot(None).unwrap(),
        seeded.snapshot(None).unwrap()
    );
    let open = Request::Open { browse: None };
    assert_eq!(from_image.handle(open.clone()), seeded.handle(open));

    let copy = scratch::scratch_from(&image).unwrap();
    let checked = check(&copy, VERSION_TABLE).unwrap();
    assert_eq!(checked.revisions, revisions());
}

/// The page draws a first visit from `first_open` before the worker answers, so it must be
/// exactly the worker's answer to Open over the demo's image, but for the storage, which only
/// the worker knows.
#[test]
fn the_first_open_the_page_draws_is_the_workers_answer_over_the_image() {
    let image = demo_image().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("image.sqlite3");
    std::fs::write(&path, &image).unwrap();
    let mut worker = Workspace::open(Connection::open(&path).unwrap(), Storage::Opfs).unwrap();
    let mut answer = worker.handle(Request::Open {
        browse: Some("users".into()),
    });
    assert_eq!(answer.snapshot.storage, Storage::Opfs);
    answer.snapshot.storage = Storage::Unknown;
    let drawn = first_open("users").unwrap();
    assert_eq!(drawn, answer);
    assert!(
        matches!(&drawn.outcome, Ok(Outcome::Opened { model, .. }) if model == MODEL_SQL),
        "{:?}",
        drawn.outcome
    );
    assert_eq!(drawn.snapshot.browsed.as_ref().unwrap().grid.rows.len(), 4);
    assert_eq!(drawn.snapshot.revisions.len(), 2);
    // Another table asked for is another answer: the comparison above is not vacuous.
    assert_ne!(first_open("identities").unwrap(), drawn);
}

/// The check above compares what it should: a database that differs by one row is told apart.
#[test]
fn contents_tell_a_changed_row_apart() {
    let seeded = Workspace::open(Connection::open_in_memory().unwrap(), Storage::Opfs).unwrap();
    let before = contents(&seeded.conn);
    seeded
        .conn
        .execute_batch("UPDATE users SET email = 'x@example.com' WHERE rowid = 1")
        .unwrap();
    assert_ne!(contents(&seeded.conn), before);
}
