//! The version table, upgrade, downgrade, stamp and autogenerate, each against a real
//! in-memory SQLite database.

use super::*;
use strata_core::diff::Rename;

struct Fixed(Cell<f64>);
impl Clock for Fixed {
    fn now(&self) -> Timestamp {
        Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").unwrap()
    }
    fn millis(&self) -> f64 {
        self.0.set(self.0.get() + 1.5);
        self.0.get()
    }
}

fn rev(id: &str, parent: Option<&str>, up: &str, down: &str) -> Revision {
    Revision::new(id, parent.into_iter().map(String::from).collect(), &format!("rev {id}"), id, up, down)
}

/// The head's schema built beside other work is the one `head_schema` gives, and its
/// failure comes back as a value beside the work's result.
#[test]
fn the_head_schema_built_beside_other_work_is_the_head_schema() {
    let g = Graph::new(vec![rev("r1", None, "CREATE TABLE a (x INTEGER);", ""), rev("r2", Some("r1"), "CREATE INDEX ax ON a (x);", "")]).unwrap();
    let (work, head) = with_head_schema(&g, DEFAULT_VERSION_TABLE, || "model");
    assert_eq!(work, "model");
    assert_eq!(format!("{:?}", head.unwrap()), format!("{:?}", head_schema(&g, DEFAULT_VERSION_TABLE).unwrap()));
    let two_heads = Graph::new(vec![rev("r1", None, "CREATE TABLE a (x);", ""), rev("r2", Some("r1"), "", ""), rev("r3", Some("r1"), "", "")]).unwrap();
    let (work, head) = with_head_schema(&two_heads, DEFAULT_VERSION_TABLE, || 7);
    assert_eq!(work, 7);
    assert!(matches!(head, Err(MigrateError::Revision(RevisionError::MultipleHeads { .. }))), "{head:?}");
}

fn graph() -> Graph {
    Graph::new(vec![
        rev("r1", None, "CREATE TABLE a (x INTEGER);\nINSERT INTO a VALUES (1);", "DROP TABLE a;"),
        rev("r2", Some("r1"), "CREATE TABLE b (y TEXT);", "DROP TABLE b;"),
        rev("r3", Some("r2"), "CREATE TABLE c (z);\nINSERT INTO nowhere VALUES (1);", "DROP TABLE c;"),
    ])
    .unwrap()
}

fn tables(conn: &Connection) -> Vec<String> {
    let mut s = conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").unwrap();
    s.query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
}

#[test]
fn upgrade_stops_at_the_failing_revision_and_names_it() {
    let mut conn = Connection::open_in_memory().unwrap();
    let clock = Fixed(Cell::new(0.0));
    let mut events = Vec::new();
    let e = upgrade(&mut conn, &graph(), &Target::Heads, &Options::default(), &clock, &mut |e| {
        if let Event::Done { revision, .. } = e {
            events.push(revision.id.clone())
        }
    })
    .unwrap_err();
    assert_eq!(events, ["r1", "r2"]);
    let msg = e.to_string();
    assert!(msg.starts_with("revision r3 (rev r3) failed and was rolled back; the database stays at r2\nstep 2"), "{msg}");
    assert!(msg.contains("no such table: nowhere") && msg.contains("INSERT INTO nowhere VALUES (1)"), "{msg}");
    assert_eq!(tables(&conn), ["a", "b", "schema_version"]);
    let rows = applied(&conn, "schema_version").unwrap();
    assert_eq!(rows.iter().map(|r| r.version.as_str()).collect::<Vec<_>>(), ["r1", "r2"]);
    assert_eq!(rows[0].applied_at, "2026-01-01T00:00:00Z");
    assert_eq!(rows[0].execution_ms, Some(1.5));
}

#[test]
fn downgrade_needs_permission_to_lose_data_and_stamp_rewrites_rows() {
    let mut conn = Connection::open_in_memory().unwrap();
    let clock = Fixed(Cell::new(0.0));
    let g = graph();
    upgrade(&mut conn, &g, &Target::Revision("r2".into()), &Options::default(), &clock, &mut |_| {}).unwrap();
    conn.execute("INSERT INTO b VALUES ('kept')", []).unwrap();
    let e = downgrade(&mut conn, &g, &Target::Relative(-1), &Options::default(), &clock, &mut |_| {}).unwrap_err();
    let MigrateError::DataLoss { losses, direction: Direction::Down } = &e else { panic!("{e}") };
    assert_eq!(losses.iter().map(ToString::to_string).collect::<Vec<_>>(), ["r2 (rev r2): drops table b: 1 row"]);
    assert!(e.to_string().starts_with("this downgrade would throw data away, so nothing was run:\n  - r2 (rev r2): drops table b: 1 row\nmake a backup"), "{e}");
    assert_eq!(tables(&conn), ["a", "b", "schema_version"]);
    let opts = Options { allow_data_loss: true, ..Options::default() };
    assert_eq!(downgrade(&mut conn, &g, &Target::Relative(-1), &opts, &clock, &mut |_| {}).unwrap(), ["r2"]);
    assert_eq!(tables(&conn), ["a", "schema_version"]);
    assert_eq!(stamp(&mut conn, &g, &Target::Revision("r3".into()), &opts, &clock).unwrap(), (vec!["r2".into(), "r3".into()], vec![]));
    assert_eq!(stamp(&mut conn, &g, &Target::Base, &opts, &clock).unwrap(), (vec![], vec!["r1".into(), "r2".into(), "r3".into()]));
}

#[test]
fn edited_revision_blocks_everything() {
    let mut conn = Connection::open_in_memory().unwrap();
    let clock = Fixed(Cell::new(0.0));
    let g = graph();
    upgrade(&mut conn, &g, &Target::Revision("r1".into()), &Options::default(), &clock, &mut |_| {}).unwrap();
    let mut revs: Vec<Revision> = g.revisions().cloned().collect();
    revs[0] = rev("r1", None, "CREATE TABLE a (x INTEGER, extra);", "DROP TABLE a;");
    let edited = Graph::new(revs).unwrap();
    let e = upgrade(&mut conn, &edited, &Target::Revision("r2".into()), &Options::default(), &clock, &mut |_| {}).unwrap_err();
    assert!(e.to_string().contains("revision r1 was edited after it was applied"), "{e}");
    assert_eq!(tables(&conn), ["a", "schema_version"]);
}

#[test]
fn autogenerate_diffs_the_head_schema_against_the_model() {
    let g = Graph::new(vec![rev("r1", None, "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);", "DROP TABLE users;")]).unwrap();
    let model = crate::model::from_sql("CREATE TABLE users (id INTEGER PRIMARY KEY, email_address TEXT, phone TEXT);").unwrap();
    let hint = Rename::parse_hint("users.email=email_address").unwrap();
    let a = autogenerate(&g, &model, &[hint], DEFAULT_VERSION_TABLE).unwrap();
    let r = a.revision("r2", vec!["r1".into()], "rename email, add phone", "t");
    assert!(r.up.contains("RENAME COLUMN \"email\" TO \"email_address\""), "{}", r.up);
    assert!(r.down.contains("RENAME COLUMN \"email_address\" TO \"email\""), "{}", r.down);
    let g2 = Graph::new(vec![g.get("r1").unwrap().clone(), r]).unwrap();
    assert!(autogenerate(&g2, &model, &[], DEFAULT_VERSION_TABLE).unwrap().is_empty());
    let report = check(None, &g2, &model, DEFAULT_VERSION_TABLE).unwrap();
    assert!(report.ok(), "{report:?}");
}

#[test]
fn autogenerate_on_a_parent_starts_a_branch_from_that_revision() {
    let r1 = rev("r1", None, "CREATE TABLE a (x INTEGER);", "DROP TABLE a;");
    let r2 = rev("r2", Some("r1"), "CREATE TABLE b (y INTEGER);", "DROP TABLE b;");
    let g = Graph::new(vec![r1, r2]).unwrap();
    let model = crate::model::from_sql("CREATE TABLE a (x INTEGER); CREATE TABLE c (z INTEGER);").unwrap();
    let side = autogenerate_on(&g, "r1", &model, &[], DEFAULT_VERSION_TABLE).unwrap();
    assert_eq!(side.up.body_sql().matches("CREATE TABLE").count(), 1, "{}", side.up.body_sql());
    assert!(!side.up.body_sql().contains("DROP TABLE"), "{}", side.up.body_sql());
    let head = autogenerate(&g, &model, &[], DEFAULT_VERSION_TABLE).unwrap();
    assert!(head.up.body_sql().contains("DROP TABLE \"b\""), "{}", head.up.body_sql());
    assert!(schema_at(&g, "nope", DEFAULT_VERSION_TABLE).is_err());
}

#[test]
fn check_finds_drift_behind_head_when_the_stamp_is_wrong() {
    let g = Graph::new(vec![
        rev("r1", None, "CREATE TABLE a (x INTEGER);", "DROP TABLE a;"),
        rev("r2", Some("r1"), "CREATE TABLE b (y TEXT);", "DROP TABLE b;"),
        rev("r3", Some("r2"), "CREATE TABLE c (z);", "DROP TABLE c;"),
    ])
    .unwrap();
    let model = crate::model::from_sql("CREATE TABLE a (x INTEGER); CREATE TABLE b (y TEXT); CREATE TABLE c (z);").unwrap();
    let mut conn = Connection::open_in_memory().unwrap();
    let clock = Fixed(Cell::new(0.0));
    upgrade(&mut conn, &g, &Target::Revision("r2".into()), &Options::default(), &clock, &mut |_| {}).unwrap();
    // Honestly behind head: pending, but no drift.
    let honest = check(Some(&conn), &g, &model, DEFAULT_VERSION_TABLE).unwrap();
    assert_eq!((honest.pending.clone(), honest.drift.clone()), (vec!["r3".to_string()], vec![]));
    // Stamped back to r1 although r2's table is there: the database is behind head either
    // way, and the stamp is wrong.
    stamp(&mut conn, &g, &Target::Revision("r1".into()), &Options::default(), &clock).unwrap();
    let wrong = check(Some(&conn), &g, &model, DEFAULT_VERSION_TABLE).unwrap();
    assert_eq!(wrong.pending, ["r2", "r3"]);
    assert_eq!(wrong.drift.len(), 1, "{:?}", wrong.drift);
    assert!(wrong.drift[0].contains('b'), "{:?}", wrong.drift);
    // Stamped to base with tables present is caught too.
    stamp(&mut conn, &g, &Target::Base, &Options::default(), &clock).unwrap();
    assert_eq!(check(Some(&conn), &g, &model, DEFAULT_VERSION_TABLE).unwrap().drift.len(), 2);
}

#[test]
fn script_sql_wraps_each_revision_with_its_version_row() {
    let g = graph();
    let path: Vec<&Revision> = g.revisions().take(1).collect();
    let sql = script_sql(&path, Direction::Up, "schema_version");
    assert!(sql.contains("BEGIN;\n-- CREATE TABLE a (x INTEGER)\nCREATE TABLE a (x INTEGER);\n"), "{sql}");
    assert!(sql.contains("INSERT INTO \"schema_version\" (version, applied_at, description, checksum, execution_ms) VALUES ('r1'"), "{sql}");
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(&sql).unwrap();
    assert_eq!(applied(&conn, "schema_version").unwrap()[0].checksum, g.get("r1").unwrap().checksum);
}
