//! The schema cache of the `strata` binary (`.strata/cache/`): what a history builds is kept
//! under a key naming every revision, so an unchanged history is not replayed, a history that
//! grew is replayed from its last kept revision, an edited one never reads what was kept for
//! it before, and an unreadable cache only costs a replay.

mod cli_support;

use cli_support::Project;

/// The kept schemas of a project.
fn kept(p: &Project) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(p.path(".strata/cache")).map(|d| d.map(|e| e.unwrap().path()).collect()).unwrap_or_default();
    v.sort();
    v
}

#[test]
fn an_unchanged_history_is_kept_and_an_edited_one_is_built_again() {
    let p = Project::init();
    p.write("schema.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT);\nCREATE INDEX a_x ON a (x);");
    let first = p.revision("r1", &[], "CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT);\nCREATE INDEX a_x ON a (x);", "DROP TABLE a;");
    p.strata(&["check"]).ok();
    assert_eq!(kept(&p).len(), 1, "check keeps the schema r1 builds");
    assert_eq!(p.read(".strata/.gitignore").lines().last(), Some("*"), "the cache ignores itself for git");
    let kept_text = std::fs::read_to_string(&kept(&p)[0]).unwrap();
    assert!(kept_text.contains("a_x"), "{kept_text}");
    // The same history again reads the kept schema: a cache that says otherwise is believed.
    // (This is what makes a second run skip the replay; the key below is what keeps it honest.)
    std::fs::write(&kept(&p)[0], kept_text.replace("a_x", "a_kept")).unwrap();
    let out = p.strata(&["check"]).fails();
    assert!(out.contains("a_kept"), "{out}");

    // Editing the revision changes its checksum, so the history has another key: the edit is
    // seen, whatever was kept for the old one.
    let text = p.read(&first).replace("CREATE INDEX a_x ON a (x);", "CREATE INDEX a_y ON a (x);");
    p.write(&first, &text);
    let out = p.strata(&["check"]).fails();
    assert!(out.contains("a_y") && !out.contains("a_kept"), "{out}");
    assert_eq!(kept(&p).len(), 2);

    // A kept file that cannot be read is replayed and written again.
    for f in kept(&p) {
        std::fs::write(f, "not json").unwrap();
    }
    let again = p.strata(&["check"]).fails();
    assert_eq!(again, out);
    p.strata(&["revision", "--autogenerate", "-m", "rename the index"]).ok();
    p.strata(&["upgrade"]).ok();
    p.strata(&["check"]).ok();
}

#[test]
fn a_history_that_grew_is_replayed_from_its_last_kept_revision() {
    let p = Project::init();
    p.write("schema.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT);\nCREATE INDEX a_x ON a (x);\nCREATE TABLE b (y);");
    p.revision("r1", &[], "CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT);\nCREATE INDEX a_x ON a (x);", "DROP TABLE a;");
    p.strata(&["check"]).fails();
    let [r1_kept] = kept(&p).try_into().unwrap();
    // What r1 built, as kept, is where r2 starts: a kept file that says otherwise is believed.
    let text = std::fs::read_to_string(&r1_kept).unwrap();
    std::fs::write(&r1_kept, text.replace("a_x", "a_kept")).unwrap();
    p.revision("r2", &["r1"], "CREATE TABLE b (y);", "DROP TABLE b;");
    let out = p.strata(&["check"]).fails();
    assert!(out.contains("a_kept") && !out.contains("table b"), "{out}");
    assert_eq!(kept(&p).len(), 2, "what r2 builds on top is kept as well");

    // Without what r1 kept, r2 is replayed from the start and the model matches.
    for f in kept(&p) {
        std::fs::remove_file(f).unwrap();
    }
    p.strata(&["upgrade"]).ok();
    p.strata(&["check"]).ok();
}

#[test]
fn a_project_that_cannot_keep_schemas_still_works() {
    let p = Project::init();
    p.revision("r1", &[], "CREATE TABLE a (x);", "DROP TABLE a;");
    // `.strata` is a file, so no cache folder can be made in it.
    p.write(".strata", "in the way");
    p.write("schema.sql", "CREATE TABLE a (x);");
    p.strata(&["upgrade"]).ok();
    p.strata(&["check"]).ok();
    assert_eq!(p.read(".strata"), "in the way");
}
