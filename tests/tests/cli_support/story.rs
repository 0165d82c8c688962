//! The README's command-line story, run exactly as written. The lines are read from the ```sh
//! block under "The `strata` command line", so the README cannot drift from what `strata` does:
//! each command runs in order and must exit as the list below says; a comment line indented
//! `#   ` is output the README shows and must appear in what the command before it printed
//! (`...` stands for what varies); a plain `# ` comment is a step of the story this test does
//! (the app writing rows, the model being edited). The data is checked along the way: every
//! email survives the rename, the refused downgrade changes nothing, and the allowed one gives
//! the emails back under their old name. The same story runs with the workspace's binary
//! (`cli.rs`) and with the `strata` a pip-installed wheel puts on PATH (`wheel.rs`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use rusqlite::Connection;

use super::{dump, versions, Run};

/// What each command of the block must exit with, in order: the README changes only together
/// with this list.
const EXPECTED: [(&str, i32); 12] = [
    ("strata init demo", 0),
    ("strata revision --autogenerate -m \"initial schema\"", 0),
    ("strata upgrade head", 0),
    ("strata current", 0),
    ("strata diff", 0),
    ("strata check", 1),
    ("strata revision --autogenerate -m \"contact details\"", 1),
    ("strata revision --autogenerate -m \"contact details\" --rename usertable.email=email_address", 0),
    ("strata upgrade head --backup", 0),
    ("strata history --verbose", 0),
    ("strata downgrade -1", 1),
    ("strata downgrade -1 --allow-data-loss", 0),
];

/// The emails "the app" signs up with.
const SIGNED_UP: [&str; 3] = ["ada@example.com", "grace@example.com", "alan@example.com"];

/// What the story left: its folder and each command with what it did.
pub struct Story {
    pub dir: tempfile::TempDir,
    pub steps: Vec<(String, Run)>,
}

impl Story {
    /// The run of the first command line that starts with `line`.
    #[track_caller]
    pub fn step(&self, line: &str) -> &Run {
        &self.steps.iter().find(|(l, _)| l.starts_with(line)).unwrap_or_else(|| panic!("the story has no command {line:?}")).1
    }
}

/// The lines of the README's CLI story, comments included.
pub fn readme_lines() -> Vec<String> {
    readme_block("## The `strata` command line")
}

/// The lines of the first ```sh block after the README's heading `heading`.
pub fn readme_block(heading: &str) -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md")).expect("README.md is readable");
    let section = readme.split(heading).nth(1).unwrap_or_else(|| panic!("README has a section {heading:?}"));
    let block = section.split("```sh\n").nth(1).and_then(|b| b.split("\n```").next()).expect("the section has a ```sh block");
    block.lines().map(str::to_string).collect()
}

/// Runs the story in a fresh folder. `program` is the `strata` to run (a bare `strata` is looked
/// up in `path`, as a shell would).
pub fn run_readme_story(program: &Path, path: Option<OsString>) -> Story {
    let dir = tempfile::tempdir().unwrap();
    let mut cwd: PathBuf = dir.path().to_path_buf();
    let mut steps: Vec<(String, Run)> = Vec::new();
    let mut before_refusal = String::new();
    let signed_up: Vec<Option<String>> = SIGNED_UP.iter().map(|e| Some(e.to_string())).collect();
    for line in readme_lines() {
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        if let Some(shown) = line.strip_prefix("#   ") {
            let (command, run) = steps.last().expect("shown output follows a command");
            let printed = format!("{}{}", run.stdout, run.stderr);
            assert!(shows(&printed, shown), "the README shows `{shown}` after `{command}`, but it printed:\n{printed}");
            continue;
        }
        if let Some(step) = line.strip_prefix("# ") {
            story_step(step, &cwd, &signed_up);
            continue;
        }
        for part in strip_comment(line).split(" && ") {
            if let Some(sub) = part.strip_prefix("cd ") {
                cwd = cwd.join(sub.trim());
                continue;
            }
            let args = shell_words(part);
            assert_eq!(args[0], "strata", "the story runs strata commands only: {part}");
            let db = cwd.join("app.db");
            if part == "strata downgrade -1" {
                before_refusal = dump(&Connection::open(&db).unwrap());
            }
            let mut cmd = Command::new(program);
            cmd.args(&args[1..]).current_dir(&cwd).env_remove("STRATA_DATABASE").env_remove("CLICOLOR_FORCE").env("NO_COLOR", "1");
            if let Some(p) = &path {
                cmd.env("PATH", p);
            }
            let run = Run::from(cmd.output().unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display())));
            let want = EXPECTED.get(steps.len()).map(|e| e.1);
            assert_eq!(Some(run.code), want, "`{part}` exited {}:\n{}{}", run.code, run.stdout, run.stderr);
            match part {
                "strata revision --autogenerate -m \"contact details\"" => {
                    let files: Vec<String> =
                        std::fs::read_dir(cwd.join("migrations")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
                    assert!(!files.iter().any(|f| f.contains("contact_details")), "the question wrote nothing: {files:?}");
                }
                "strata upgrade head --backup" => assert_eq!(emails(&db, "email_address"), signed_up, "every email survives the rename"),
                "strata downgrade -1" => assert_eq!(dump(&Connection::open(&db).unwrap()), before_refusal, "the refused downgrade changed nothing"),
                "strata downgrade -1 --allow-data-loss" => {
                    assert_eq!(emails(&db, "email"), signed_up, "the emails come back under their old name");
                    assert!(Connection::open(&db).unwrap().prepare("SELECT phone FROM usertable").is_err(), "phone is gone");
                }
                _ => {}
            }
            steps.push((part.to_string(), run));
        }
    }
    let ran: Vec<(&str, i32)> = steps.iter().map(|(c, run)| (c.as_str(), run.code)).collect();
    assert_eq!(ran, EXPECTED, "the README's commands are the ones this test expects");

    let story = Story { dir, steps };
    // What the story's comments promise, beyond the exit codes and the lines it shows.
    let check = story.step("strata check");
    assert!(check.stdout.contains("strata revision --autogenerate"), "check names the command to run:\n{}", check.stdout);
    let renamed = &story.step("strata revision --autogenerate -m \"contact details\" --rename").stdout;
    assert!(renamed.contains("rename column email to email_address"), "the revision keeps email's values:\n{renamed}");
    let demo = story.dir.path().join("demo");
    let backups = std::fs::read_dir(&demo).unwrap().filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".bak")).count();
    assert_eq!(backups, 1, "upgrade --backup leaves one copy beside the database");
    assert_eq!(versions(&Connection::open(demo.join("app.db")).unwrap()).len(), 1, "the story ends one revision below head");
    story
}

/// One step of the story that is not a `strata` command, done the way the README says.
fn story_step(step: &str, cwd: &Path, signed_up: &[Option<String>]) {
    let db = cwd.join("app.db");
    match step {
        "the app signs up a few users, each with an email" => {
            let conn = Connection::open(&db).unwrap();
            for (i, e) in signed_up.iter().enumerate() {
                conn.execute(
                    "INSERT INTO usertable (id, first_name, last_name, email) VALUES (?1, 'first', 'last', ?2)",
                    rusqlite::params![format!("u{i}"), e],
                )
                .unwrap();
            }
        }
        "edit schema.sql: rename usertable.email to email_address and add a phone column" => {
            let model = std::fs::read_to_string(cwd.join("schema.sql")).unwrap();
            let edited =
                model.replace("    email TEXT,\n", "    email_address TEXT,\n    phone TEXT,\n").replace("ON usertable (email)", "ON usertable (email_address)");
            assert_eq!(edited.matches("email_address").count(), 2, "the example model changed shape; update the story's edit:\n{model}");
            std::fs::write(cwd.join("schema.sql"), edited).unwrap();
        }
        "the app saves phone numbers for two users" => {
            let conn = Connection::open(&db).unwrap();
            assert_eq!(conn.execute("UPDATE usertable SET phone = '555-01' || id WHERE id IN ('u0', 'u1')", []).unwrap(), 2);
        }
        narrative if narrative.starts_with('(') => {}
        other => panic!("the README's story has a step this test does not know how to do: `{other}`"),
    }
}

/// Whether some line of `printed` holds the parts of `shown` in order (`...` stands for what
/// varies or is left out).
pub fn shows(printed: &str, shown: &str) -> bool {
    let parts: Vec<&str> = shown.split("...").map(str::trim).filter(|p| !p.is_empty()).collect();
    parts.is_empty()
        || printed.lines().any(|l| {
            let mut at = 0;
            parts.iter().all(|p| match l[at..].find(p) {
                Some(i) => {
                    at += i + p.len();
                    true
                }
                None => false,
            })
        })
}

/// `cmd` without its trailing `# comment` (a `#` after a space, outside quotes).
pub fn strip_comment(cmd: &str) -> &str {
    let mut quoted = false;
    let mut prev = ' ';
    for (i, c) in cmd.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '#' if !quoted && prev.is_whitespace() => return cmd[..i].trim_end(),
            _ => {}
        }
        prev = c;
    }
    cmd.trim_end()
}

fn emails(db: &Path, column: &str) -> Vec<Option<String>> {
    let conn = Connection::open(db).unwrap();
    let mut s = conn.prepare(&format!("SELECT {column} FROM usertable ORDER BY id")).unwrap();
    s.query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
}

/// Splits a command as a shell would for the plain words and double quotes the story uses;
/// anything else a shell would interpret is refused, so the test never runs a line differently.
pub fn shell_words(s: &str) -> Vec<String> {
    assert!(!s.contains(['|', '>', '<', '$', '\'', '`', ';']), "the story's line {s:?} needs a shell");
    let mut words = Vec::new();
    let mut word = String::new();
    let (mut quoted, mut started) = (false, false);
    for c in s.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                started = true;
            }
            c if c.is_whitespace() && !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    assert!(!quoted, "unbalanced quotes in {s:?}");
    if started {
        words.push(word);
    }
    words
}
