//! The demo project a first-time visitor meets: a users / identities schema, two revisions in
//! strata's revision format, a few rows and a first query for the console. Its files are in
//! `crates/strata-engine/demo/`.

use strata_core::revision::Revision;

use strata_core::project::Project;

/// The rows the demo adds once its revisions are applied.
pub const SEED_SQL: &str = include_str!("../../demo/seed.sql");

/// The desired schema of the demo project, as the model editor shows it at first.
pub const MODEL_SQL: &str = concat!(
    include_str!("../../demo/0001_create_users.up.sql"),
    "\n",
    include_str!("../../demo/0002_add_identities.up.sql"),
);

/// The query the console shows on a first visit: the demo's users with their identities.
pub const CONSOLE_SQL: &str = include_str!("../../demo/console.sql");

/// The same project as SQLModel classes, for the model editor's SQLModel tab.
pub const MODEL_SQLMODEL: &str = include_str!("../../demo/model.py");

/// The demo as a project: both revisions applied and the seed rows added. A first visit and
/// Reset load exactly this, through the same path as an imported project file.
pub fn project() -> Project {
    Project {
        revisions: revisions().iter().map(Revision::render).collect(),
        applied: "head".to_owned(),
        data: SEED_SQL.to_owned(),
        ..Project::empty(MODEL_SQL)
    }
}

/// The demo's revisions, oldest first, as strata revisions (ids, parents, checksums).
pub fn revisions() -> Vec<Revision> {
    vec![
        Revision::new(
            "0001",
            vec![],
            "create users",
            "2026-11-02T09:14:05Z",
            include_str!("../../demo/0001_create_users.up.sql"),
            include_str!("../../demo/0001_create_users.down.sql"),
        ),
        Revision::new(
            "0002",
            vec!["0001".to_owned()],
            "add identities",
            "2026-11-09T16:40:51Z",
            include_str!("../../demo/0002_add_identities.up.sql"),
            include_str!("../../demo/0002_add_identities.down.sql"),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;
    use strata_core::revision::Graph;

    use super::*;

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
}
