//! What the `strata` binary says when something is wrong, and how it exits: each error once,
//! naming what and where, without Rust's debug names; usage errors exit 2 and failures 1; and
//! the inputs that used to produce wrong or unreadable results (a byte-order mark, a marker line
//! inside a string, a database that is no file, a wrong stamp, a gap in numbered files, a
//! symbolic link at an export's destination).

mod cli_support;

use cli_support::{versions, Project};

/// The lines of stderr that start an error.
fn error_lines(stderr: &str) -> usize {
    stderr.lines().filter(|l| l.starts_with("error:")).count()
}

#[test]
fn each_error_is_printed_once_and_names_no_rust_type() {
    let p = Project::init();
    p.revision("r1", &[], "CREATE TABLE a (x);", "DROP TABLE a;");
    p.revision("r2", &["r1"], "CREATE TABLE b (y);\nINSERT INTO missing VALUES (1);", "DROP TABLE b;");

    // A failing statement: the revision, the step and SQLite's message, each once.
    let failed = p.strata(&["upgrade", "head"]);
    let msg = failed.fails();
    assert_eq!(error_lines(&failed.stderr), 1, "{msg}");
    assert_eq!(failed.stderr.matches("step 2 (").count(), 1, "{}", failed.stderr);
    assert_eq!(failed.stderr.matches("no such table: missing").count(), 1, "{}", failed.stderr);
    assert!(failed.stderr.contains("revision r2 (revision r2) failed and was rolled back; the database stays at r1"), "{}", failed.stderr);

    // SQLite's own refusal: its message once, without rusqlite's "Error code 26" restatement.
    let q = Project::init();
    q.write("app.db", &"not a database at all ".repeat(100));
    let garbage = q.strata(&["current"]);
    garbage.fails();
    assert_eq!(garbage.stderr.matches("file is not a database").count(), 1, "{}", garbage.stderr);
    assert!(!garbage.stderr.contains("Error code"), "{}", garbage.stderr);

    // A revision file that cannot be read: the file and the line, once.
    p.write("migrations/broken.sql", "-- id: r3\n-- parents: r2\nSELECT 1;\n-- +up\n");
    let broken = p.strata(&["history"]);
    broken.fails();
    assert_eq!(broken.stderr.matches("line 3").count(), 1, "{}", broken.stderr);
    assert!(broken.stderr.contains("migrations/broken.sql"), "{}", broken.stderr);
    std::fs::remove_file(p.path("migrations/broken.sql")).unwrap();

    // Targets are shown as they were typed.
    for (args, shown) in [
        (&["upgrade", "-1"][..], "`-1` is not a target for upgrade"),
        (&["downgrade", "head"][..], "`head` is not a target for downgrade"),
        (&["downgrade", "heads"][..], "`heads` is not a target for downgrade"),
        (&["stamp", "-2"][..], "`-2` is not a target for stamp"),
        (&["stamp", "+2"][..], "`+2` is not a target for stamp"),
    ] {
        let run = p.strata(args);
        let out = run.usage();
        assert!(out.contains(shown), "{args:?}: {out}");
        for debug in ["Relative", "Head", "Heads", "Revision(\""] {
            assert!(!out.contains(debug), "{args:?} shows a Rust name {debug}: {out}");
        }
    }
}

#[test]
fn usage_errors_exit_2_and_failures_exit_1() {
    let p = Project::init();
    p.revision("r1", &[], "CREATE TABLE a (x);", "DROP TABLE a;");
    // The command line itself is wrong, whatever the project holds.
    for args in [
        &["history", "--no-such-flag"][..],
        &["upgrade", "--no-such-flag"],
        &["downgrade", "-x"],
        &["upgrade", "-1"],
        &["downgrade", "head"],
        &["stamp", "+1"],
        &["diff", "--rename", "no-equals-sign"],
        &["revision", "--autogenerate", "-m", "x", "--rename", "a.b"],
        &["create-all"],
        &["upgrade", "--database", ""],
        &["init", "other", "--database", ":memory:"],
    ] {
        let run = p.strata(args);
        run.usage();
        assert!(run.stderr.starts_with("error:"), "{args:?}: {}", run.stderr);
    }
    // The command line is fine; the project or the database says no.
    for args in [&["upgrade", "zz"][..], &["show", "nope"], &["downgrade", "r1"], &["export", "zz", "--format", "sql"]] {
        p.strata(args).fails();
    }
    assert!(!p.path("other").exists(), "a refused init creates nothing");
}

#[test]
fn a_model_file_with_a_byte_order_mark_is_read() {
    let p = Project::init();
    p.write("schema.sql", "\u{feff}CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n");
    let toml = p.read("strata.toml");
    p.write("strata.toml", &format!("\u{feff}{toml}"));
    let made = p.strata(&["revision", "--autogenerate", "-m", "notes"]);
    assert!(made.ok().contains("create table notes"), "{}", made.stdout);
    p.strata(&["upgrade"]).ok();
    assert!(p.strata(&["check"]).ok().contains("agree"));

    let py = Project::init();
    py.write("strata.toml", &py.read("strata.toml").replace("schema.sql", "models.py"));
    py.write(
        "models.py",
        "\u{feff}from sqlmodel import Field, SQLModel\n\n\nclass Note(SQLModel, table=True):\n    id: int | None = Field(default=None, primary_key=True)\n    body: str\n",
    );
    let made = py.strata(&["revision", "--autogenerate", "-m", "notes"]);
    assert!(made.ok().contains("create table note"), "{}", made.stdout);
}

/// A column default whose text holds a line `-- +down` (and `-- +up`): autogenerate writes it
/// into a revision, and the revision reads back as written, runs, and keeps the value.
#[test]
fn a_marker_line_inside_a_string_literal_survives_a_revision_file() {
    let p = Project::init();
    let value = "first line\n-- +down\n-- +up\nlast line";
    p.write("schema.sql", &format!("CREATE TABLE notes (\n  id INTEGER PRIMARY KEY,\n  body TEXT NOT NULL DEFAULT '{value}'\n);\n"));
    p.strata(&["revision", "--autogenerate", "-m", "notes"]).ok();
    let history = p.strata(&["history"]);
    assert!(history.ok().contains("notes"), "{}", history.stdout);
    p.strata(&["upgrade", "head"]).ok();
    p.db().execute("INSERT INTO notes (id) VALUES (1)", []).unwrap();
    let body: String = p.db().query_row("SELECT body FROM notes", [], |r| r.get(0)).unwrap();
    assert_eq!(body, value);
    assert!(p.strata(&["check"]).ok().contains("agree"));
    p.strata(&["downgrade", "base", "--allow-data-loss"]).ok();

    // A comment line that does read as a marker cannot be written as a file strata would read
    // back; an import refuses it before writing anything.
    p.write("old/001_a.sql", "CREATE TABLE a (x);\n");
    p.write("old/002_b.sql", "CREATE TABLE b (y);\n-- +down\nCREATE TABLE c (z);\n");
    let before = p.revision_files();
    let refused = p.strata(&["import-sql", "old"]).fails();
    assert!(refused.contains("002_b") && refused.contains("`-- +down`") && refused.contains("nothing was written"), "{refused}");
    assert_eq!(p.revision_files(), before);
}

#[test]
fn a_database_that_is_not_a_file_is_refused_for_commands_that_change_it() {
    let p = Project::init();
    p.revision("r1", &[], "CREATE TABLE a (x);", "DROP TABLE a;");
    // On the command line: a usage error.
    // (An empty --database is refused by the argument parser itself, also with exit code 2.)
    for args in [&["upgrade", "--database", ":memory:"][..], &["stamp", "head", "--database", ":memory:"], &["downgrade", "base", "--database", ":memory:"]] {
        let out = p.strata(args).usage();
        assert!(out.contains("there is no file for this command to change and nothing was done") && out.contains("--database"), "{args:?}: {out}");
    }
    let env = p.command(&["upgrade"]).env("STRATA_DATABASE", ":memory:").output().unwrap();
    assert_eq!(env.status.code(), Some(2), "{}", String::from_utf8_lossy(&env.stderr));
    assert!(String::from_utf8_lossy(&env.stderr).contains("STRATA_DATABASE"));
    // In strata.toml: a failure that names the setting.
    let toml = p.read("strata.toml");
    for setting in ["\"\"", "\":memory:\""] {
        p.write("strata.toml", &toml.replace("database = \"app.db\"", &format!("database = {setting}")));
        let out = p.strata(&["upgrade"]).fails();
        assert!(out.contains("`database` in strata.toml"), "{out}");
        // Reading commands treat it as a database that does not exist.
        assert!(p.strata(&["current"]).ok().contains("base"));
    }
    assert!(!p.path(":memory:").exists() && !p.db_path().exists());
}

/// Stamped at r1 while r2's table is there: behind head, and the stamp is wrong.
#[test]
fn check_reports_drift_behind_head_after_a_wrong_stamp() {
    let p = Project::init();
    p.write("schema.sql", "CREATE TABLE a (x); CREATE TABLE b (y); CREATE TABLE c (z);");
    p.revision("r1", &[], "CREATE TABLE a (x);", "DROP TABLE a;");
    p.revision("r2", &["r1"], "CREATE TABLE b (y);", "DROP TABLE b;");
    p.revision("r3", &["r2"], "CREATE TABLE c (z);", "DROP TABLE c;");
    p.strata(&["upgrade", "r2"]).ok();
    let honest = p.strata(&["check", "--json"]).json();
    assert_eq!(honest["drift"], serde_json::json!([]), "{honest}");
    p.strata(&["stamp", "r1"]).ok();
    let run = p.strata(&["check"]);
    let out = run.fails();
    assert!(out.contains("drift:") && out.contains("drop table b"), "{out}");
    assert!(out.contains("behind head by 2 revision(s)"), "{out}");
}

#[test]
fn import_sql_warns_about_gaps_in_the_numbering() {
    let p = Project::init();
    for n in ["001_a", "002_b", "004_d"] {
        p.write(&format!("old/{n}.sql"), &format!("CREATE TABLE t{} (x);\n", &n[..3]));
    }
    let out = p.strata(&["import-sql", "old"]);
    let text = out.ok();
    assert!(text.contains("warning: 003 is missing: the numbering jumps from 002_b.sql to 004_d.sql"), "{text}");
    assert_eq!(p.revision_files().len(), 3);

    let whole = Project::init();
    for n in ["001_a", "002_b"] {
        whole.write(&format!("old/{n}.sql"), "SELECT 1;\n");
    }
    assert!(!whole.strata(&["import-sql", "old"]).ok().contains("missing"));
}

/// A symbolic link planted where an export writes, pointing at a file that does not exist yet:
/// writing "through" it would create that file. strata refuses and writes nothing.
#[cfg(unix)]
#[test]
fn export_never_writes_through_a_symlink() {
    let p = Project::init();
    p.revision("r1", &[], "CREATE TABLE a (x);", "DROP TABLE a;");
    let stem = p.revision_files()[0].trim_end_matches(".sql").to_string();
    std::fs::create_dir_all(p.path("out")).unwrap();
    std::os::unix::fs::symlink(p.path("victim.sql"), p.path(&format!("out/{stem}.sql"))).unwrap();
    let refused = p.strata(&["export", "r1", "--format", "sql", "--output", "out"]).fails();
    assert!(refused.contains("is a symbolic link and nothing was written"), "{refused}");
    assert!(!p.path("victim.sql").exists(), "nothing was written through the link");
    assert!(!p.path(&format!("out/{stem}_rollback.sql")).exists(), "nothing else was written either");
    // Without the link the export goes through, and a second one refuses to overwrite.
    std::fs::remove_file(p.path(&format!("out/{stem}.sql"))).unwrap();
    p.strata(&["export", "r1", "--format", "sql", "--output", "out"]).ok();
    assert!(p.read(&format!("out/{stem}.sql")).contains("CREATE TABLE a"));
    assert!(p.strata(&["export", "r1", "--format", "sql", "--output", "out"]).fails().contains("exists already"));
    assert_eq!(versions(&p.db()), Vec::<String>::new());
}

/// `strata diff | head -1` used to panic ("failed printing to stdout: Broken pipe") once the
/// reader had gone: a long output and a reader that takes one line must end without a panic.
#[test]
fn a_reader_that_stops_early_ends_strata_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let p = Project::init();
    let model: String = (0..4000).map(|i| format!("CREATE TABLE t{i} (id INTEGER PRIMARY KEY, a TEXT, b TEXT);\n")).collect();
    p.write("schema.sql", &model);
    let mut child = Command::new(cli_support::strata_bin())
        .arg("diff")
        .current_dir(p.path("."))
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    // The reader is dropped here, as `head -1` exits after one line.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!first.is_empty());
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(out.status.code(), Some(101), "a panic exits 101: {stderr}");
}
