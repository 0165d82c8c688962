//! The two stores behave alike, and `create_revision` stores a revision only when every check
//! passes.

use super::*;

fn rev(id: &str, parents: &[&str], up: &str) -> Revision {
    Revision::new(id, parents.iter().map(|p| p.to_string()).collect(), &format!("rev {id}"), "2026-01-01T00:00:00Z", up, "")
}

/// What every store must do, run against each of them.
fn behaves_as_a_store(store: &mut dyn RevisionStore) {
    assert!(store.load().unwrap().is_empty());
    store.append(&rev("a1", &[], "CREATE TABLE a (x);")).unwrap();
    store.append(&rev("b2", &["a1"], "CREATE TABLE b (y);")).unwrap();
    let ids = |s: &dyn RevisionStore| s.load().unwrap().into_iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(ids(store), ["a1", "b2"]);
    assert_eq!(store.load().unwrap()[1], rev("b2", &["a1"], "CREATE TABLE b (y);"));
    let e = store.append(&rev("a1", &[], "CREATE TABLE other (z);")).unwrap_err();
    assert!(matches!(e, StoreError::Taken { .. }), "{e}");
    assert_eq!(ids(store), ["a1", "b2"]);
    store.remove("b2").unwrap();
    store.remove("nothing").unwrap();
    assert_eq!(ids(store), ["a1"]);
}

#[test]
fn the_migrations_folder_is_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = FolderStore::new(dir.path().join("migrations"));
    behaves_as_a_store(&mut store);
    assert!(dir.path().join("migrations/a1_rev_a1.sql").is_file());
}

#[test]
fn the_project_table_is_a_store() {
    let conn = Connection::open_in_memory().unwrap();
    behaves_as_a_store(&mut TableStore::new(&conn));
}

#[test]
fn a_folder_names_the_file_it_cannot_read_and_ids_used_twice() {
    let dir = tempfile::tempdir().unwrap();
    let store = FolderStore::new(dir.path());
    std::fs::write(dir.path().join("1.sql"), rev("a1", &[], "").render()).unwrap();
    std::fs::write(dir.path().join("2.sql"), rev("a1", &[], "CREATE TABLE t (x);").render()).unwrap();
    let e = store.load().unwrap_err().to_string();
    let path = |f: &str| dir.path().join(f).display().to_string();
    assert_eq!(e, format!("{} and {} both have id a1; give each revision its own id", path("1.sql"), path("2.sql")));
    std::fs::write(dir.path().join("2.sql"), "-- strata revision\nnot a revision\n").unwrap();
    let e = store.load().unwrap_err().to_string();
    assert!(e.starts_with(&format!("revision file {}: line", path("2.sql"))), "{e}");
}

#[test]
fn a_saved_revision_that_cannot_be_read_is_named_by_its_position() {
    let conn = Connection::open_in_memory().unwrap();
    let mut store = TableStore::new(&conn);
    store.append(&rev("a1", &[], "")).unwrap();
    conn.execute("INSERT INTO _strata_project (position, id, file) VALUES (2, 'x', 'garbage')", []).unwrap();
    let e = store.load().unwrap_err().to_string();
    assert!(e.starts_with("saved revision 2: "), "{e}");
}

fn draft<'a>(message: &'a str, parents: Parents<'a>, now: i64) -> Draft<'a> {
    Draft { message, parents, now: Timestamp(now), id: None }
}

fn make(message: &'static str, up: &'static str) -> impl FnOnce(Vec<String>, &str) -> Revision {
    move |parents, created| Revision::new("placeholder", parents, message, created, up, "")
}

#[test]
fn a_new_revision_builds_on_the_head_with_its_time_and_a_derived_id() {
    let conn = Connection::open_in_memory().unwrap();
    let mut store = TableStore::new(&conn);
    let (first, graph) = create_revision(&mut store, &Graph::new(vec![]).unwrap(), draft("first", Parents::Head, 1_767_225_600_000), make("first", "CREATE TABLE a (x);")).unwrap();
    assert!(first.parents.is_empty());
    assert_eq!(first.created, "2026-01-01T00:00:00Z");
    assert_eq!(first.id, new_id(&[], "first", Timestamp(1_767_225_600_000), &first));
    assert_eq!(first.checksum, Revision::parse(&first.render()).unwrap().checksum);
    let (second, graph) = create_revision(&mut store, &graph, draft("second", Parents::Head, 1_767_225_600_001), make("second", "CREATE TABLE b (y);")).unwrap();
    assert_eq!(second.parents, std::slice::from_ref(&first.id));
    // The same change a millisecond later is another revision.
    let (side, graph) = create_revision(&mut store, &graph, draft("second", Parents::On(&first.id), 1_767_225_600_002), make("second", "CREATE TABLE b (y);")).unwrap();
    assert_ne!(side.id, second.id);
    assert_eq!(side.parents, std::slice::from_ref(&first.id));
    assert_eq!(graph.heads().len(), 2);
    // Two heads: the next revision must say where it goes; a merge joins them.
    let e = create_revision(&mut store, &graph, draft("third", Parents::Head, 3), make("third", "")).unwrap_err();
    assert!(matches!(e, CreateError::Parents { cause: RevisionError::MultipleHeads { .. } }), "{e}");
    let heads = ["heads".to_owned()];
    let (merge, graph) = create_revision(&mut store, &graph, draft("merge", Parents::Merge(&heads), 4), make("merge", "")).unwrap();
    assert_eq!(merge.parents.len(), 2);
    assert_eq!(store.load().unwrap(), graph.revisions().cloned().collect::<Vec<_>>());
}

#[test]
fn a_revision_that_fails_a_check_is_not_stored() {
    let conn = Connection::open_in_memory().unwrap();
    let mut store = TableStore::new(&conn);
    let empty = Graph::new(vec![]).unwrap();
    let e = create_revision(&mut store, &empty, draft("unsafe", Parents::Head, 1), make("unsafe", "CREATE TABLE a (x);\nCOMMIT;")).unwrap_err();
    assert!(matches!(e, CreateError::Unsafe { .. }), "{e}");
    let e = create_revision(&mut store, &empty, draft("marker", Parents::Head, 1), make("marker", "CREATE TABLE a (x);\n-- +down\n")).unwrap_err();
    assert!(matches!(e, CreateError::Unwritable { .. }), "{e}");
    assert!(e.to_string().contains("nothing was written"), "{e}");
    let named = Draft { id: Some("a1"), ..draft("named", Parents::Head, 1) };
    let (_, graph) = create_revision(&mut store, &empty, named, make("named", "CREATE TABLE a (x);")).unwrap();
    let again = Draft { id: Some("a1"), ..draft("again", Parents::Head, 2) };
    let e = create_revision(&mut store, &graph, again, make("again", "CREATE TABLE b (x);")).unwrap_err();
    assert!(matches!(e, CreateError::Graph { .. }), "{e}");
    let e = create_revision(&mut store, &graph, draft("nowhere", Parents::On("zzz"), 3), make("nowhere", "")).unwrap_err();
    assert!(e.to_string().ends_with("; nothing was saved"), "{e}");
    assert_eq!(store.load().unwrap().len(), 1);
}
