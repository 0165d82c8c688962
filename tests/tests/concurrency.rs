//! Many `strata` processes migrating one database file at once: whatever order the write lock
//! hands out, the version table stays a valid history (every applied revision's parents are
//! applied), `strata verify` passes, and the schema is exactly the one the applied revisions
//! build.

mod cli_support;

use std::collections::BTreeSet;
use std::process::{Child, Stdio};

use cli_support::Project;
use strata_engine::migrate::{self, DEFAULT_VERSION_TABLE};
use strata_core::revision::{Graph, Revision};

const PROCESSES: usize = 8;
const ROUNDS: usize = 20;

/// Upgrades and downgrades of every shape: to a head, by a count, to a revision on either
/// branch, to base.
const COMMANDS: &[&[&str]] = &[
    &["upgrade", "head"],
    &["downgrade", "-1", "--allow-data-loss"],
    &["upgrade", "+1"],
    &["downgrade", "r1", "--allow-data-loss"],
    &["upgrade", "s2"],
    &["downgrade", "-2", "--allow-data-loss"],
    &["upgrade", "r3"],
    &["downgrade", "base", "--allow-data-loss"],
    &["upgrade", "+2"],
];

/// r1 <- r2 <- r3 and r1 <- s2, merged by m4, then r5: a branch, a merge and a line.
fn project() -> Project {
    let p = Project::init();
    p.revision("r1", &[], "CREATE TABLE a (x);\nINSERT INTO a VALUES (1);", "DROP TABLE a;");
    p.revision("r2", &["r1"], "CREATE TABLE b (x);\nALTER TABLE a ADD COLUMN r2 TEXT;", "DROP TABLE b;\nALTER TABLE a DROP COLUMN r2;");
    p.revision("r3", &["r2"], "CREATE TABLE c (x);\nCREATE INDEX c_x ON c (x);", "DROP TABLE c;");
    p.revision("s2", &["r1"], "CREATE TABLE s (x);\nCREATE VIEW s_a AS SELECT * FROM s JOIN a USING (x);", "DROP VIEW s_a;\nDROP TABLE s;");
    p.revision("m4", &["r3", "s2"], "", "");
    p.revision("r5", &["m4"], "CREATE TABLE e (x);\nCREATE TRIGGER e_a AFTER INSERT ON e BEGIN INSERT INTO a VALUES (NEW.x); END;", "DROP TABLE e;");
    p
}

fn graph(p: &Project) -> Graph {
    let revs = p.revision_files().iter().map(|f| Revision::parse(&p.read(&format!("migrations/{f}"))).unwrap()).collect();
    Graph::new(revs).unwrap()
}

/// Checks the database after a round; the reason when it is not a valid history.
fn check(p: &Project, g: &Graph, round: usize) {
    let conn = p.db();
    let applied: BTreeSet<String> = migrate::applied(&conn, DEFAULT_VERSION_TABLE).unwrap().into_iter().map(|r| r.version).collect();
    for id in &applied {
        let rev = g.get(id).unwrap_or_else(|| panic!("round {round}: unknown version {id}"));
        for parent in &rev.parents {
            assert!(applied.contains(parent), "round {round}: {id} is applied without its parent {parent} ({applied:?})");
        }
    }
    let verify = p.strata(&["verify"]);
    assert_eq!(verify.code, 0, "round {round}: verify fails:\n{}{}", verify.stdout, verify.stderr);
    let current = g.current(&applied);
    let want = migrate::schema_at_all(g, &current, DEFAULT_VERSION_TABLE).unwrap();
    let have = strata_engine::introspect_excluding(&conn, &[DEFAULT_VERSION_TABLE]).unwrap();
    assert_eq!(have, want, "round {round}: the schema is not what {current:?} build");
}

#[test]
fn mixed_upgrades_and_downgrades_in_eight_processes_keep_a_valid_history() {
    let p = project();
    let g = graph(&p);
    p.strata(&["upgrade", "r2"]).ok();
    let mut outcomes = [0usize; 2];
    for round in 0..ROUNDS {
        let children: Vec<(Vec<&str>, Child)> = (0..PROCESSES)
            .map(|i| {
                let args = COMMANDS[(round * 3 + i * 5) % COMMANDS.len()].to_vec();
                let child = p.command(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
                (args, child)
            })
            .collect();
        for (args, child) in children {
            let out = child.wait_with_output().unwrap();
            let code = out.status.code().unwrap_or(-1);
            let stderr = String::from_utf8_lossy(&out.stderr);
            // Success, or a refusal (another process changed the database first, a target that
            // no longer exists); never a crash or a usage error.
            assert!(code == 0 || code == 1, "round {round}: strata {args:?} exited {code}:\n{stderr}");
            assert!(!stderr.contains("panicked"), "round {round}: strata {args:?}:\n{stderr}");
            outcomes[code as usize] += 1;
        }
        check(&p, &g, round);
    }
    // Both kinds happened, so the rounds really raced.
    println!("{} commands succeeded, {} were refused", outcomes[0], outcomes[1]);
    assert!(outcomes[0] > 0 && outcomes[1] > 0, "{outcomes:?}");
}
