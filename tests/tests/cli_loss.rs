//! End-to-end tests of the two guards against losing data by accident, on the real `strata`
//! binary: a rename question stops `revision --autogenerate` until it has an answer (asked on a
//! terminal, refused with the answering flags elsewhere), and `upgrade` / `downgrade` count in
//! the database what they would throw away and refuse it without `--allow-data-loss` or a
//! revision that accepted it. The README's command-line story runs here exactly as written.

// Not every helper is used by this file; cli.rs uses the rest.
#[allow(dead_code)]
mod cli_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cli_support::{dump, strata_bin, versions, Project};

const USERS_V1: &str = "CREATE TABLE users (\n  id INTEGER PRIMARY KEY,\n  email TEXT NOT NULL\n);\n";
const USERS_V2: &str = "CREATE TABLE users (\n  id INTEGER PRIMARY KEY,\n  email TEXT NOT NULL,\n  phone TEXT\n);\n";

/// A project whose model is `model`, with no revisions yet.
fn project_with_model(model: &str) -> Project {
    let p = Project::init();
    p.write("schema.sql", model);
    p
}

#[test]
fn a_rename_question_without_a_terminal_stops_the_revision_and_names_both_answers() {
    let p = project_with_model(USERS_V1);
    p.strata(&["revision", "--autogenerate", "-m", "users"]).ok();
    p.strata(&["upgrade"]).ok();
    p.db().execute("INSERT INTO users (email) VALUES ('kept@example.com')", []).unwrap();
    p.write("schema.sql", &USERS_V1.replace("email TEXT", "email_address TEXT"));
    let before = p.revision_files();
    // The old behaviour printed the question and wrote a drop + add anyway.
    let asked = p.strata(&["revision", "--autogenerate", "-m", "rename email"]);
    let text = asked.fails();
    assert!(asked.stderr.contains("did you rename users.email to users.email_address?"), "{text}");
    assert!(asked.stderr.contains("--rename users.email=email_address") && asked.stderr.contains("--no-rename users.email"), "{text}");
    assert!(asked.stderr.contains("no revision was written"), "{text}");
    assert_eq!(p.revision_files(), before, "no file was written");
    // A malformed answer is a usage error.
    assert_eq!(p.strata(&["revision", "--autogenerate", "-m", "x", "--no-rename", "users.email=x"]).code, 2);
    assert_eq!(p.strata(&["revision", "--autogenerate", "-m", "x", "--rename", "users.email"]).code, 2);
    // Yes: the rename keeps the data.
    p.strata(&["revision", "--autogenerate", "-m", "rename email", "--rename", "users.email=email_address"]).ok();
    p.strata(&["upgrade"]).ok();
    let v: String = p.db().query_row("SELECT email_address FROM users", [], |r| r.get(0)).unwrap();
    assert_eq!(v, "kept@example.com");
}

#[test]
fn no_rename_writes_a_drop_and_an_add_that_upgrade_then_refuses_to_run_over_values() {
    let p = project_with_model(USERS_V1);
    p.strata(&["revision", "--autogenerate", "-m", "users"]).ok();
    p.strata(&["upgrade"]).ok();
    p.db().execute_batch("INSERT INTO users (email) VALUES ('a@example.com'), ('b@example.com')").unwrap();
    p.write("schema.sql", &USERS_V1.replace("email TEXT NOT NULL", "contact TEXT"));
    let out = p.strata(&["revision", "--autogenerate", "-m", "replace email", "--no-rename", "users.email"]);
    assert!(out.ok().contains("detected alter table users: add column contact; drop column email"), "{}", out.stdout);
    let file = p.revision_files().into_iter().find(|f| f.ends_with("_replace_email.sql")).unwrap();
    let text = p.read(&format!("migrations/{file}"));
    assert!(text.contains("DROP COLUMN \"email\"") && text.contains("ADD COLUMN \"contact\""), "{text}");
    assert!(text.contains("-- +up\n"), "autogenerate never accepts data loss on its own:\n{text}");
    let before = dump(&p.db());
    let refused = p.strata(&["upgrade"]).fails();
    assert!(refused.contains("this upgrade would throw data away, so nothing was run:") && refused.contains(": users.email: 2 non-NULL values"), "{refused}");
    assert!(refused.contains("--allow-data-loss"), "{refused}");
    assert_eq!(dump(&p.db()), before, "a refused upgrade changes nothing");
    p.strata(&["upgrade", "--allow-data-loss"]).ok();
    assert!(p.db().prepare("SELECT email FROM users").is_err());
}

#[test]
fn the_upgrade_gate_passes_an_all_null_column_and_an_empty_table_silently() {
    let p = Project::init();
    p.revision(
        "r1",
        &[],
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, fax TEXT);\nCREATE TABLE old_notes (x);",
        "DROP TABLE users;\nDROP TABLE old_notes;",
    );
    p.revision(
        "r2",
        &["r1"],
        "ALTER TABLE main.users DROP COLUMN fax;\nDROP TABLE \"main\".\"old_notes\";",
        "CREATE TABLE old_notes (x);\nALTER TABLE users ADD COLUMN fax TEXT;",
    );
    p.strata(&["upgrade", "r1"]).ok();
    p.db().execute("INSERT INTO users (email) VALUES ('a@example.com')", []).unwrap();
    let dry = p.strata(&["upgrade", "--dry-run"]);
    assert!(!dry.ok().contains("data loss"), "{}", dry.stdout);
    let up = p.strata(&["upgrade"]);
    assert!(up.ok().contains("applied 1 revision"), "{}", up.stdout);
    // With a value in the column, the same drop is refused and counted (dry run included).
    p.strata(&["downgrade", "r1"]).ok();
    p.db().execute("UPDATE users SET fax = '555'", []).unwrap();
    let dry = p.strata(&["upgrade", "--dry-run"]);
    assert!(
        dry.ok().contains("data loss: r2 (revision r2): users.fax: 1 non-NULL value") && dry.stdout.contains("This upgrade would need --allow-data-loss."),
        "{}",
        dry.stdout
    );
    let refused = p.strata(&["upgrade"]).fails();
    assert!(refused.contains("users.fax: 1 non-NULL value") && !refused.contains("main"), "{refused}");
    assert_eq!(versions(&p.db()), ["r1"]);
}

#[test]
fn accept_data_loss_lets_a_reviewed_revision_upgrade_without_the_flag() {
    let p = project_with_model(USERS_V2);
    p.strata(&["revision", "--autogenerate", "-m", "users"]).ok();
    p.strata(&["upgrade"]).ok();
    p.db().execute("INSERT INTO users (email, phone) VALUES ('a@example.com', '555')", []).unwrap();
    p.write("schema.sql", USERS_V1);
    let out = p.strata(&["revision", "--autogenerate", "-m", "drop phone", "--accept-data-loss"]);
    assert!(out.ok().contains("marked data-loss=accepted"), "{}", out.stdout);
    let file = p.revision_files().into_iter().find(|f| f.ends_with("_drop_phone.sql")).unwrap();
    let text = p.read(&format!("migrations/{file}"));
    let marker = |name: &str| text.lines().find(|l| l.starts_with(name)).unwrap_or_default().to_string();
    assert!(marker("-- +up").contains("data-loss=accepted"), "{text}");
    assert!(!marker("-- +down").contains("data-loss=accepted"), "only the up section is accepted:\n{text}");
    // Deployed as CI would: no flag, no terminal.
    let up = p.strata(&["upgrade"]);
    assert!(up.ok().contains("applied 1 revision"), "{}", up.stdout);
    assert!(p.db().prepare("SELECT phone FROM users").is_err(), "phone is gone");
    let email: String = p.db().query_row("SELECT email FROM users", [], |r| r.get(0)).unwrap();
    assert_eq!(email, "a@example.com");
}

#[test]
fn a_loss_created_by_an_earlier_revision_of_the_same_upgrade_is_caught_before_it_runs() {
    let p = Project::init();
    p.revision("r1", &[], "CREATE TABLE notes (body TEXT);", "DROP TABLE notes;");
    p.revision("r2", &["r1"], "INSERT INTO notes VALUES ('one'), ('two');", "DELETE FROM notes;");
    p.revision("r3", &["r2"], "DROP TABLE notes;", "CREATE TABLE notes (body TEXT);");
    // Before the run notes does not exist, so the count up front finds nothing to lose.
    let run = p.strata(&["upgrade", "head"]);
    let text = run.fails();
    assert!(run.stderr.contains("revision r3 (revision r3) would throw data away, so it was rolled back and did not run:"), "{text}");
    assert!(run.stderr.contains("r3 (revision r3): drops table notes: 2 rows"), "{text}");
    assert!(run.stderr.contains("this run applied r1, r2 before it, and they stay applied; the database is at r2"), "{text}");
    assert_eq!(versions(&p.db()), ["r1", "r2"]);
    let rows: i64 = p.db().query_row("SELECT count(*) FROM notes", [], |r| r.get(0)).unwrap();
    assert_eq!(rows, 2);
}

/// Runs `strata ARGS` on a pseudo-terminal (util-linux `script`) with `typed` as the keyboard;
/// `None` when `script` is not installed.
fn on_terminal(p: &Project, args: &str, typed: &str) -> Option<(bool, String)> {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("`script` is not installed: the terminal half of this test was skipped");
        return None;
    }
    let cmd = format!("'{}' {args}", strata_bin().display());
    let mut child = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(p.dir.path())
        .env("TERM", "dumb")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), typed.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    Some((out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned()))
}

#[test]
fn on_a_terminal_the_rename_question_is_asked_and_the_answer_decides_the_sql() {
    let p = project_with_model(USERS_V1);
    p.strata(&["revision", "--autogenerate", "-m", "users"]).ok();
    p.write("schema.sql", &USERS_V1.replace("email TEXT", "email_address TEXT"));
    let Some((ok, screen)) = on_terminal(&p, "revision --autogenerate -m 'rename email'", "y\n") else { return };
    assert!(ok, "{screen}");
    assert!(screen.contains("Did you rename users.email to users.email_address? [y/N]"), "{screen}");
    assert!(screen.contains("without a terminal the same answers are: --rename users.email=email_address"), "{screen}");
    let file = p.revision_files().into_iter().find(|f| f.ends_with("_rename_email.sql")).expect("written after the answer");
    let text = p.read(&format!("migrations/{file}"));
    assert!(text.contains("RENAME COLUMN \"email\" TO \"email_address\"") && !text.contains("DROP COLUMN"), "{text}");

    std::fs::remove_file(p.path(&format!("migrations/{file}"))).unwrap();
    let Some((ok, screen)) = on_terminal(&p, "revision --autogenerate -m 'replace email'", "n\n") else { return };
    assert!(ok, "{screen}");
    let file = p.revision_files().into_iter().find(|f| f.ends_with("_replace_email.sql")).expect("written after the answer");
    let text = p.read(&format!("migrations/{file}"));
    // No: email is dropped (here by a rebuild, since the new column is NOT NULL) and nothing
    // is renamed.
    assert!(text.contains("data loss: the values of column(s) email of table users are deleted") && !text.contains("RENAME COLUMN"), "{text}");
}

/// The lines of the README's command-line block.
fn readme_story() -> Vec<String> {
    let readme = include_str!("../../README.md");
    let section = &readme[readme.find("## The `strata` command line").expect("the README has its command-line section")..];
    let start = section.find("```sh\n").expect("a sh block") + "```sh\n".len();
    let end = start + section[start..].find("```").expect("the block ends");
    section[start..end].lines().map(str::to_string).collect()
}

/// `cmd` without its trailing `# comment` (a `#` after a space, outside quotes).
fn strip_comment(cmd: &str) -> &str {
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

/// Shell words: split at spaces, double quotes grouping.
fn words(cmd: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut quoted, mut any) = (false, false);
    for c in cmd.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

fn emails(db: &Path, column: &str) -> Vec<Option<String>> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut s = conn.prepare(&format!("SELECT {column} FROM usertable ORDER BY id")).unwrap();
    s.query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
}

#[test]
fn the_readme_story_runs_as_written_and_every_email_survives_the_rename() {
    // What each command of the block must exit with, in order: the README changes only
    // together with this list.
    let expected: [(&str, i32); 12] = [
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
    let signed_up = vec![Some("ada@example.com".to_string()), Some("grace@example.com".to_string()), Some("alan@example.com".to_string())];
    let tmp = tempfile::tempdir().unwrap();
    let mut cwd: PathBuf = tmp.path().to_path_buf();
    let mut ran: Vec<(String, i32)> = Vec::new();
    let mut last_output = String::new();
    let mut before_refusal = String::new();
    for line in readme_story() {
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        if let Some(shown) = line.strip_prefix("#   ") {
            // A line of output the README shows: "..." stands for what varies or is left out.
            let parts: Vec<&str> = shown.split("...").map(str::trim).filter(|p| !p.is_empty()).collect();
            let found = parts.is_empty()
                || last_output.lines().any(|l| {
                    let mut at = 0;
                    parts.iter().all(|p| match l[at..].find(p) {
                        Some(i) => {
                            at += i + p.len();
                            true
                        }
                        None => false,
                    })
                });
            assert!(found, "the README shows `{shown}` after `{}`, but it printed:\n{last_output}", ran.last().map_or("", |r| &r.0));
            continue;
        }
        if let Some(step) = line.strip_prefix("# ") {
            let db = cwd.join("app.db");
            match step {
                "the app signs up a few users, each with an email" => {
                    let conn = rusqlite::Connection::open(&db).unwrap();
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
                    let edited = model
                        .replace("    email TEXT,\n", "    email_address TEXT,\n    phone TEXT,\n")
                        .replace("ON usertable (email)", "ON usertable (email_address)");
                    assert_eq!(edited.matches("email_address").count(), 2, "the example model changed shape:\n{model}");
                    std::fs::write(cwd.join("schema.sql"), edited).unwrap();
                }
                "the app saves phone numbers for two users" => {
                    let conn = rusqlite::Connection::open(&db).unwrap();
                    assert_eq!(conn.execute("UPDATE usertable SET phone = '555-01' || id WHERE id IN ('u0', 'u1')", []).unwrap(), 2);
                }
                narrative if narrative.starts_with('(') => {}
                other => panic!("the README's story has a step this test does not know how to do: `{other}`"),
            }
            continue;
        }
        for part in strip_comment(line).split(" && ") {
            if let Some(dir) = part.strip_prefix("cd ") {
                cwd = cwd.join(dir.trim());
                continue;
            }
            let args = words(part);
            assert_eq!(args[0], "strata", "the story runs strata commands only: {part}");
            if part == "strata downgrade -1" {
                before_refusal = dump(&rusqlite::Connection::open(cwd.join("app.db")).unwrap());
            }
            let out =
                Command::new(strata_bin()).args(&args[1..]).current_dir(&cwd).env_remove("STRATA_DATABASE").env_remove("CLICOLOR_FORCE").output().unwrap();
            last_output = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            let code = out.status.code().unwrap_or(-1);
            ran.push((part.to_string(), code));
            let db = cwd.join("app.db");
            let step = ran.len();
            let want = expected.get(step - 1).map(|e| e.1);
            assert_eq!(Some(code), want, "`{part}` exited {code}:\n{last_output}");
            match part {
                "strata revision --autogenerate -m \"contact details\"" => {
                    let files: Vec<String> =
                        std::fs::read_dir(cwd.join("migrations")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
                    assert!(!files.iter().any(|f| f.contains("contact_details")), "the question wrote nothing: {files:?}");
                }
                "strata upgrade head --backup" => assert_eq!(emails(&db, "email_address"), signed_up, "every email survives the rename"),
                "strata downgrade -1" => assert_eq!(dump(&rusqlite::Connection::open(&db).unwrap()), before_refusal, "the refused downgrade changed nothing"),
                "strata downgrade -1 --allow-data-loss" => {
                    assert_eq!(emails(&db, "email"), signed_up, "the emails come back under their old name");
                    assert!(rusqlite::Connection::open(&db).unwrap().prepare("SELECT phone FROM usertable").is_err(), "phone is gone");
                }
                _ => {}
            }
        }
    }
    let ran: Vec<(&str, i32)> = ran.iter().map(|(c, code)| (c.as_str(), *code)).collect();
    assert_eq!(ran, expected, "the README's commands are the ones this test expects");
    assert_eq!(versions(&rusqlite::Connection::open(cwd.join("app.db")).unwrap()).len(), 1);
}
