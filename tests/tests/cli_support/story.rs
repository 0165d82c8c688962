//! The README's command-line story, run as written. The commands are read from the ```sh block
//! under "The `strata` command line", so the README cannot drift from what `strata` does: each
//! line runs in order, a line whose comment says it "exits 1" or is "refused" must exit 1, every
//! other line must succeed, and the one comment that asks for an edit of the model is done here.
//! The same story runs with the workspace's binary (`cli.rs`) and with the `strata` a pip-installed
//! wheel puts on PATH (`wheel.rs`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{versions, Run};

/// The edit the story's comment asks for, and how the test makes it in the example model.
const EDIT: &str = "# edit schema.sql: rename usertable.email to email_address and add a phone column";

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

/// The command lines of the README's CLI story, comments included.
pub fn readme_lines() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md")).expect("README.md is readable");
    let section = readme.split("## The `strata` command line").nth(1).expect("README has a section \"The `strata` command line\"");
    let block = section.split("```sh\n").nth(1).and_then(|b| b.split("\n```").next()).expect("the section has a ```sh block");
    block.lines().map(str::to_string).collect()
}

/// Runs the story in a fresh folder. `program` is the `strata` to run (a bare `strata` is looked
/// up in `path`, as a shell would).
pub fn run_readme_story(program: &Path, path: Option<OsString>) -> Story {
    let dir = tempfile::tempdir().unwrap();
    let mut cwd: PathBuf = dir.path().to_path_buf();
    let mut steps = Vec::new();
    let mut edited = false;
    for line in readme_lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if line.starts_with("# edit") {
            assert_eq!(line, EDIT, "the README asks for an edit this test does not know how to make");
            edit_model(&cwd.join("schema.sql"));
            edited = true;
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let (command, comment) = line.split_once(" #").unwrap_or((line, ""));
        let expect_failure = comment.contains("exits 1") || comment.trim_start().starts_with("refused");
        for part in command.split("&&") {
            let words = shell_words(part.trim());
            match words.first().map(String::as_str) {
                Some("cd") => cwd = cwd.join(&words[1]),
                Some("strata") => {
                    let mut cmd = Command::new(program);
                    cmd.args(&words[1..]).current_dir(&cwd).env_remove("STRATA_DATABASE").env("NO_COLOR", "1");
                    if let Some(p) = &path {
                        cmd.env("PATH", p);
                    }
                    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
                    let run = Run::from(out);
                    let want = if expect_failure { 1 } else { 0 };
                    assert_eq!(run.code, want, "README line `{line}` exited {}\nstdout:\n{}\nstderr:\n{}", run.code, run.stdout, run.stderr);
                    steps.push((part.trim().to_string(), run));
                }
                _ => panic!("the README's story has a command this test cannot run: {part}"),
            }
        }
    }
    assert!(edited, "the README's story no longer edits the model");

    let story = Story { dir, steps };
    // What the story's comments promise, beyond the exit codes.
    let check = story.step("strata check");
    assert!(check.stdout.contains("strata revision --autogenerate"), "check names the command to run:\n{}", check.stdout);
    let diff = story.step("strata diff");
    assert!(diff.stdout.contains("rename? did you rename usertable.email to usertable.email_address?"), "{}", diff.stdout);
    let renamed = story.steps.iter().find(|(l, _)| l.contains("--rename")).expect("the story confirms a rename").1.stdout.clone();
    assert!(renamed.contains("rename column email to email_address"), "the revision keeps email's values:\n{renamed}");
    let refused = story.step("strata downgrade -1");
    assert!(refused.stderr.contains("--allow-data-loss") && refused.stderr.contains("phone"), "{}", refused.stderr);
    let demo = story.dir.path().join("demo");
    let backups = std::fs::read_dir(&demo).unwrap().filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".bak")).count();
    assert_eq!(backups, 1, "upgrade --backup leaves one copy beside the database");
    let conn = rusqlite::Connection::open(demo.join("app.db")).unwrap();
    assert_eq!(versions(&conn).len(), 1, "the story ends one revision below head");
    assert!(conn.prepare("SELECT email FROM usertable").is_ok(), "the downgrade renamed email_address back");
    story
}

/// The edit of [`EDIT`] in the example model `strata init` writes.
fn edit_model(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap();
    let (column, index) = ("    email TEXT,\n", "usertable (email)");
    assert!(text.contains(column) && text.contains(index), "the example model changed; update the story's edit:\n{text}");
    let text = text.replace(column, "    email_address TEXT,\n    phone TEXT,\n").replace(index, "usertable (email_address)");
    std::fs::write(path, text).unwrap();
}

/// Splits a command as a shell would for the plain words and double quotes the story uses;
/// anything else a shell would interpret is refused, so the test never runs a line differently.
fn shell_words(s: &str) -> Vec<String> {
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
