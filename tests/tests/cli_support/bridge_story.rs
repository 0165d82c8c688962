//! The README's story of the bridge between the command line and the playground, run exactly
//! as written (the block under "Between the command line and the playground"), the way
//! `story.rs` runs the main one: each command in order with the exit code listed below, lines
//! indented `#   ` must appear in what the command before printed, and plain `# ` lines are
//! steps this test does. The playground's step is done by the playground's own engine
//! (`strata_engine::workspace`, which the page's worker runs), natively: it opens the link
//! `strata share` printed, saves and applies a revision and exports the project file the page
//! would download. `tests/browser/bridge.mjs` does the same in Chromium.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use strata_core::project::Project;
use strata_engine::workspace::protocol::{Outcome, Request, Storage};
use strata_engine::workspace::Workspace;

use super::story::{readme_block, shell_words, shows, strip_comment};
use super::{strata_in, Run};

/// The README's heading the story is under.
pub const HEADING: &str = "## Between the command line and the playground";

/// What each command of the block must exit with, in order.
const EXPECTED: [(&str, i32); 7] = [
    ("strata init shop", 0),
    ("strata revision --autogenerate -m \"initial schema\"", 0),
    ("strata upgrade head", 0),
    ("strata share", 0),
    ("strata open strata-project.json ../shop-v2", 0),
    ("strata history", 0),
    ("strata check", 0),
];

/// The emails "the app" signs up with.
const SIGNED_UP: [&str; 2] = ["ada@example.com", "grace@example.com"];

/// Runs the story in a fresh folder and checks what it promises: the new folder holds the first
/// folder's revision file byte for byte, the playground's revision beside it, and every row.
pub fn run_bridge_story() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut cwd: PathBuf = dir.path().to_path_buf();
    let mut steps: Vec<(String, Run)> = Vec::new();
    for line in readme_block(HEADING) {
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        if let Some(shown) = line.strip_prefix("#   ") {
            let (command, run) = steps.last().expect("shown output follows a command");
            let printed = format!("{}{}", run.stdout, run.stderr);
            assert!(
                shows(&printed, shown),
                "the README shows `{shown}` after `{command}`, but it printed:\n{printed}"
            );
            continue;
        }
        if let Some(step) = line.strip_prefix("# ") {
            let link = steps
                .iter()
                .find(|(c, _)| c == "strata share")
                .map(|(_, run)| run.stdout.trim().to_owned());
            story_step(step, &cwd, link.as_deref());
            continue;
        }
        for part in strip_comment(line).split(" && ") {
            if let Some(sub) = part.strip_prefix("cd ") {
                cwd = cwd.join(sub.trim());
                continue;
            }
            let args = shell_words(part);
            assert_eq!(
                args[0], "strata",
                "the story runs strata commands only: {part}"
            );
            let args: Vec<&str> = args[1..].iter().map(String::as_str).collect();
            let run = strata_in(&cwd, &args);
            let want = EXPECTED.get(steps.len()).map(|e| e.1);
            assert_eq!(
                Some(run.code),
                want,
                "`{part}` exited {}:\n{}{}",
                run.code,
                run.stdout,
                run.stderr
            );
            steps.push((part.to_string(), run));
        }
    }
    let ran: Vec<(&str, i32)> = steps
        .iter()
        .map(|(c, run)| (c.as_str(), run.code))
        .collect();
    assert_eq!(
        ran, EXPECTED,
        "the README's commands are the ones this test expects"
    );

    let (shop, v2) = (dir.path().join("shop"), dir.path().join("shop-v2"));
    let first = super::files_in(&shop.join("migrations"));
    let opened = super::files_in(&v2.join("migrations"));
    assert_eq!(first.len(), 1);
    assert_eq!(
        opened.len(),
        2,
        "the playground's revision lands as a file: {:?}",
        opened.keys()
    );
    for (name, bytes) in &first {
        assert_eq!(
            opened.get(name),
            Some(bytes),
            "{name} is the same file byte for byte"
        );
    }
    let conn = Connection::open(v2.join("app.db")).unwrap();
    let mut stmt = conn
        .prepare("SELECT email, phone FROM usertable ORDER BY email")
        .unwrap();
    let rows: Vec<(String, Option<String>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(
        rows,
        SIGNED_UP
            .iter()
            .map(|e| (e.to_string(), None))
            .collect::<Vec<_>>(),
        "every row, with the playground's new column"
    );
    dir
}

/// One step of the story that is not a `strata` command.
fn story_step(step: &str, cwd: &Path, link: Option<&str>) {
    match step {
        "the app signs up a few users, each with an email" => {
            let conn = Connection::open(cwd.join("app.db")).unwrap();
            for (i, email) in SIGNED_UP.iter().enumerate() {
                conn.execute("INSERT INTO usertable (id, first_name, last_name, email) VALUES (?1, 'first', 'last', ?2)", rusqlite::params![format!("u{i}"), email])
                    .unwrap();
            }
        }
        "in the playground: add a phone column to usertable, Save revision, Upgrade, Export project" => {
            let link = link.expect("strata share ran before the playground step");
            let json = in_the_playground(link, |model| model.replace("    email TEXT,\n", "    email TEXT,\n    phone TEXT,\n"), "add phone");
            std::fs::write(cwd.join("strata-project.json"), json).unwrap();
        }
        narrative if narrative.starts_with('(') => {}
        other => panic!("the README's bridge story has a step this test does not know how to do: `{other}`"),
    }
}

/// What a visitor does in the playground with `link`: open it, change the model with `edit`,
/// save the revision as `message`, upgrade to it, and export the project. Returns the file the
/// page downloads. Done by the engine the page's worker runs, request by request.
pub fn in_the_playground(link: &str, edit: impl Fn(&str) -> String, message: &str) -> String {
    let project = Project::from_share_fragment(link).expect("the link opens");
    let mut workspace =
        Workspace::open(Connection::open_in_memory().unwrap(), Storage::Opfs).unwrap();
    let mut ask = |request: Request| {
        workspace
            .handle(request)
            .outcome
            .unwrap_or_else(|e| panic!("the playground refused: {e}"))
    };
    let language = project.language;
    let model = edit(&project.model);
    ask(Request::Load {
        project,
        browse: None,
        link: true,
    });
    ask(Request::SaveRevision {
        model: model.clone(),
        renames: vec![],
        declined: vec![],
        message: message.into(),
        browse: None,
        language,
        parent: None,
    });
    let upgraded = ask(Request::Upgrade {
        target: "head".into(),
        browse: None,
        confirmed: false,
    });
    assert!(
        !matches!(upgraded, Outcome::ConfirmUpgrade { .. }),
        "the upgrade asks about data loss: {upgraded:?}"
    );
    match ask(Request::ExportProject {
        model,
        language,
        share: false,
    }) {
        Outcome::ProjectExported { project, .. } => project.to_json(),
        other => panic!("export answered {other:?}"),
    }
}
