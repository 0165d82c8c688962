//! The demo project a first-time visitor meets: a users / identities schema, two revisions in
//! strata's revision format, a few rows and a first query for the console. Its files are in
//! `crates/strata-core/demo/`. It is text and values only, so the playground's page shows it
//! without linking SQLite; strata-engine's workspace builds it (and its tests check that it
//! builds).

use crate::revision::Revision;

use crate::project::Project;

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
