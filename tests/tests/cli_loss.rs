//! End-to-end tests of the two guards against losing data by accident, on the real `strata`
//! binary: a rename question stops `revision --autogenerate` until it has an answer (asked on a
//! terminal, refused with the answering flags elsewhere), and `upgrade` / `downgrade` count in
//! the database what they would throw away and refuse it without `--allow-data-loss` or a
//! revision that accepted it. (The README's command-line story runs in cli.rs, through
//! cli_support/story.rs.)

mod cli_support;

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

