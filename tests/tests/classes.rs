//! Additive or breaking: the class of strata's own revision for every kind of change the
//! planner makes (one per case of `test_data/`, expected in its `class.txt`; `UPDATE_EXPECT=1`
//! rewrites them for review in the diff), recovered from the revision alone exactly as the
//! plan's own changes give it; hand-written SQL never read as less careful than the plan; and
//! the class in `history`, `show`, `upgrade --dry-run` and `upgrade --require additive` on the
//! real binary.

mod cli_support;

use std::fs;
use std::path::Path;

use cli_support::{versions, Project};
use strata_core::classify::{self, Basis, Classification};
use strata_engine::migrate::{autogenerate, DEFAULT_VERSION_TABLE};
use strata_core::revision::{Graph, Revision};
use strata_engine::revision_class::classify_revision;

fn render(c: &Classification) -> String {
    let mut out = format!("{}\n", c.class);
    for r in &c.reasons {
        out.push_str(&format!("  {}: {}\n", r.class, r.what));
    }
    out
}

/// The revisions strata writes for a case: r1 builds `from`, r2 turns it into `to`.
fn revisions(from: &str, to: &str) -> (Graph, Revision, strata_core::Plan) {
    let model = |sql: &str| strata_engine::from_sql(sql).unwrap_or_else(|e| panic!("{e}\n{sql}"));
    let first = autogenerate(&Graph::default(), &model(from), &[], DEFAULT_VERSION_TABLE).unwrap().revision("r1", vec![], "from", "1");
    let g1 = Graph::new(vec![first.clone()]).unwrap();
    let second = autogenerate(&g1, &model(to), &[], DEFAULT_VERSION_TABLE).unwrap();
    let r2 = second.revision("r2", vec!["r1".into()], "to", "2");
    (Graph::new(vec![first, r2.clone()]).unwrap(), r2, second.up)
}

#[test]
fn every_kind_of_change_the_planner_makes_is_classified_as_its_case_says() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut dirs: Vec<_> = fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let read = |f: &str| fs::read_to_string(dir.join(f)).unwrap_or_default();
        let (graph, r2, plan) = revisions(&read("from.sql"), &read("to.sql"));
        let got = classify_revision(&graph, &r2, DEFAULT_VERSION_TABLE).unwrap();
        // Recovered from the revision alone, the changes classify as the plan's own do.
        let direct = classify::from_changes(&plan.changes, &plan.rebuilt_tables);
        if got.basis != Basis::Changes || render(&got) != render(&direct) {
            failures.push(format!("{name}: recovered from the revision:\n{}from the plan:\n{}", render(&got), render(&direct)));
        }
        // Read as hand-written SQL, the same statements are never taken as safer.
        let by_sql = classify::from_sql(&r2.up);
        if by_sql.class < got.class {
            failures.push(format!("{name}: read as hand-written SQL it is {}, but its changes make it {}", by_sql.class, got.class));
        }
        let text = render(&got);
        if update {
            fs::write(dir.join("class.txt"), &text).unwrap();
        } else if read("class.txt") != text {
            failures.push(format!("{name}/class.txt differs (UPDATE_EXPECT=1 to accept):\n--- expected ---\n{}--- got ---\n{text}", read("class.txt")));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases:\n\n{}", failures.len(), dirs.len(), failures.join("\n\n"));
}

/// r1 creates users; r2 adds a nullable column (additive); r3 renames a column (breaking).
fn project() -> Project {
    let p = Project::init();
    p.write("schema.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n");
    p.strata(&["revision", "--autogenerate", "-m", "users"]).ok();
    p.write("schema.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, phone TEXT);\n");
    p.strata(&["revision", "--autogenerate", "-m", "add phone"]).ok();
    p.write("schema.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, email_address TEXT, -- @renamed from=email\n phone TEXT);\n");
    p.strata(&["revision", "--autogenerate", "-m", "rename email"]).ok();
    p
}

#[test]
fn history_show_and_dry_run_say_additive_or_breaking() {
    let p = project();
    let history = p.strata(&["history"]);
    let lines: Vec<&str> = history.ok().lines().collect();
    assert!(lines[0].ends_with("(head), rename email [breaking]"), "{lines:?}");
    assert!(lines[1].ends_with(", add phone [additive]"), "{lines:?}");
    assert!(lines[2].ends_with(", users [additive]"), "{lines:?}");
    let verbose = p.strata(&["history", "--verbose"]);
    assert!(verbose.ok().contains("    breaking: renames column users.email to email_address\n"), "{}", verbose.stdout);
    let json = p.strata(&["history", "--json"]).json();
    assert_eq!(json[0]["class"], "breaking");
    assert_eq!(json[0]["classification"]["basis"], "changes");
    assert_eq!(json[1]["class"], "additive");

    let show = p.strata(&["show", "head"]);
    let text = show.ok();
    assert!(text.contains("Class: breaking for an app that keeps running while it upgrades (read from the changes strata's plan makes)"), "{text}");
    assert!(text.contains("  - breaking renames column users.email to email_address: old code still uses the name email, which no longer exists"), "{text}");
    assert!(text.contains("    instead: add email_address beside email, have the app write both, backfill email_address, move reads to it, then drop email in a later revision"), "{text}");
    assert_eq!(p.strata(&["show", "head", "--json"]).json()["class"], "breaking");

    let dry = p.strata(&["upgrade", "--dry-run"]);
    let text = dry.ok();
    assert!(text.contains("users (1 statements), additive\n"), "{text}");
    assert!(text.contains("rename email (1 statements), breaking: renames column users.email to email_address\n"), "{text}");

    // A hand-edited revision is read from its statements.
    let file = p.revision_files().into_iter().find(|f| f.ends_with("_add_phone.sql")).unwrap();
    let edited = p.read(&format!("migrations/{file}")).replace("ADD COLUMN \"phone\" TEXT;", "ADD COLUMN \"phone\" TEXT NOT NULL DEFAULT '';");
    p.write(&format!("migrations/{file}"), &edited);
    let json = p.strata(&["history", "--json"]).json();
    assert_eq!(json[1]["classification"]["basis"], "statements");
    assert_eq!(json[1]["class"], "additive", "a NOT NULL column with a default is additive however it is read");
}

#[test]
fn upgrade_require_additive_refuses_a_breaking_revision_before_anything_runs() {
    let p = project();
    // Up to r2 everything is additive: it runs.
    let ids: Vec<String> = p.strata(&["history", "--json"]).json().as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_string()).collect();
    let (breaking, additive) = (&ids[0], &ids[1]);
    p.strata(&["upgrade", additive, "--require", "additive"]).ok();
    assert_eq!(versions(&p.db()).len(), 2);
    p.db().execute("INSERT INTO users (email) VALUES ('kept@example.com')", []).unwrap();
    let bytes = std::fs::read(p.db_path()).unwrap();
    // The rename is breaking: refused, with the reason and the expand/contract way, and nothing ran.
    for extra in [&[][..], &["--dry-run"][..], &["--sql"][..], &["--backup"][..]] {
        let mut args = vec!["upgrade", "--require", "additive"];
        args.extend_from_slice(extra);
        let out = p.strata(&args).fails();
        assert!(out.contains(&format!("--require additive: 1 revision to apply is breaking for an app that keeps running, so nothing was run:\n  - {breaking} (rename email): renames column users.email to email_address")), "{extra:?}: {out}");
        assert!(out.contains("instead: add email_address beside email"), "{out}");
        assert!(!out.contains("ALTER TABLE"), "{extra:?}: no SQL is printed: {out}");
    }
    assert_eq!(std::fs::read(p.db_path()).unwrap(), bytes, "the database is byte for byte as it was");
    assert!(!std::fs::read_dir(p.dir.path()).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().ends_with(".bak")), "no backup was written");
    // Without the requirement it runs.
    p.strata(&["upgrade"]).ok();
    assert_eq!(versions(&p.db()).len(), 3);
    assert_eq!(p.strata(&["upgrade", "--require", "breaking"]).code, 2, "only additive can be required");
}
