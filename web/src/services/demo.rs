//! The demo project a first-time visitor meets: a users / identities schema, two revisions,
//! and a few rows.

/// Builds the demo database from an empty one.
pub const SEED_SQL: &str = include_str!("../../examples/demo/seed.sql");

/// The desired schema of the demo project, as the model editor shows it at first.
pub const MODEL_SQL: &str = concat!(
    include_str!("../../examples/demo/0001_create_users.up.sql"),
    "\n",
    include_str!("../../examples/demo/0002_add_identities.up.sql"),
);

/// One revision of the demo project, as a reviewer reads it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DemoRevision {
    pub version: &'static str,
    pub message: &'static str,
    pub up: &'static str,
    pub down: &'static str,
}

/// The demo's revisions, oldest first; the seed has applied all of them.
pub const REVISIONS: [DemoRevision; 2] = [
    DemoRevision {
        version: "0001",
        message: "create users",
        up: include_str!("../../examples/demo/0001_create_users.up.sql"),
        down: include_str!("../../examples/demo/0001_create_users.down.sql"),
    },
    DemoRevision {
        version: "0002",
        message: "add identities",
        up: include_str!("../../examples/demo/0002_add_identities.up.sql"),
        down: include_str!("../../examples/demo/0002_add_identities.down.sql"),
    },
];

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;

    /// Guards against the seed and the revision files drifting apart: applying the revisions'
    /// up SQL must give the same schema as the seed.
    #[test]
    fn the_seed_has_the_schema_of_the_revisions() {
        let schema = |conn: &Connection| -> Vec<String> {
            let mut stmt = conn
                .prepare(
                    "SELECT sql FROM sqlite_schema WHERE name NOT IN ('schema_version') \
                     AND sql IS NOT NULL ORDER BY name",
                )
                .unwrap();
            let rows = stmt.query_map([], |row| row.get(0)).unwrap();
            rows.collect::<Result<_, _>>().unwrap()
        };
        let seeded = Connection::open_in_memory().unwrap();
        seeded.execute_batch(SEED_SQL).unwrap();
        let migrated = Connection::open_in_memory().unwrap();
        for revision in REVISIONS {
            migrated.execute_batch(revision.up).unwrap();
        }
        assert_eq!(schema(&seeded), schema(&migrated));
        let model = Connection::open_in_memory().unwrap();
        model.execute_batch(MODEL_SQL).unwrap();
        assert_eq!(schema(&model), schema(&migrated));
    }

    #[test]
    fn every_down_undoes_its_up() {
        let conn = Connection::open_in_memory().unwrap();
        for revision in REVISIONS {
            conn.execute_batch(revision.up).unwrap();
        }
        for revision in REVISIONS.iter().rev() {
            conn.execute_batch(revision.down).unwrap();
        }
        let left: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
            .unwrap();
        assert_eq!(left, 0);
    }
}
