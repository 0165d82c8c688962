//! End-to-end tests of the `strata` binary: each runs the real executable in a temporary
//! project and asserts its exit code, its output and the database it leaves behind.

mod cli_support;

use std::process::Stdio;

use cli_support::{dump, tables, versions, Project};

const USERS_V1: &str = "CREATE TABLE users (\n  id INTEGER PRIMARY KEY,\n  email TEXT NOT NULL\n);\n";
const USERS_V2: &str = "CREATE TABLE users (\n  id INTEGER PRIMARY KEY,\n  email TEXT NOT NULL,\n  phone TEXT\n);\n";

/// A project whose model is `model`, with no revisions yet.
fn project_with_model(model: &str) -> Project {
    let p = Project::init();
    p.write("schema.sql", model);
    p
}

#[test]
fn help_lists_every_command_and_each_help_has_an_example() {
    let p = Project::init();
    let help = p.strata(&["--help"]);
    let out = help.ok();
    for cmd in [
        "init", "revision", "upgrade", "downgrade", "current", "history", "heads", "branches", "show", "merge", "stamp", "check", "verify", "diff",
        "import-sql", "rehearse", "backups", "restore", "share", "open",
    ] {
        assert!(out.contains(&format!("  {cmd} ")), "--help lacks {cmd}:\n{out}");
        let sub = p.strata(&[cmd, "--help"]);
        assert!(sub.ok().contains("Example"), "{cmd} --help has no example:\n{}", sub.stdout);
    }
    let up = p.strata(&["upgrade", "--help"]);
    for flag in ["--sql", "--dry-run", "--backup", "--require"] {
        assert!(up.ok().contains(flag), "upgrade --help lacks {flag}");
    }
    assert!(p.strata(&["downgrade", "--help"]).ok().contains("--allow-data-loss"));
}

#[test]
fn init_writes_settings_example_model_and_migrations_folder() {
    let p = Project::init();
    let toml = p.read("strata.toml");
    for line in ["database = \"app.db\"", "model = \"schema.sql\"", "migrations = \"migrations\"", "version_table = \"schema_version\""] {
        assert!(toml.contains(line), "strata.toml lacks {line}:\n{toml}");
    }
    assert!(p.read("schema.sql").contains("CREATE TABLE usertable"));
    assert!(p.path("migrations").is_dir());
    let again = p.strata(&["init"]).fails();
    assert!(again.contains("already exists; nothing was changed"), "{again}");
    // The example project works end to end.
    let gen = p.strata(&["revision", "--autogenerate", "-m", "initial schema"]);
    assert!(gen.ok().contains("detected create table usertable"), "{}", gen.stdout);
    p.strata(&["upgrade"]).ok();
    assert_eq!(tables(&p.db()), ["schema_version", "useridentitytable", "usertable"]);
    assert!(p.strata(&["check"]).ok().contains("ok: the model, the revisions and the database agree"));
}

#[test]
fn autogenerate_upgrade_and_downgrade_round_trip() {
    let p = project_with_model(USERS_V1);
    p.strata(&["revision", "--autogenerate", "-m", "create users"]).ok();
    let up = p.strata(&["upgrade", "head"]);
    assert!(up.ok().contains("Running upgrade base -> "), "{}", up.stdout);
    p.db().execute("INSERT INTO users (email) VALUES ('a@example.com')", []).unwrap();

    p.write("schema.sql", USERS_V2);
    let gen = p.strata(&["revision", "--autogenerate", "-m", "add phone to users"]);
    assert!(gen.ok().contains("detected alter table users: add column phone"), "{}", gen.stdout);
    let files = p.revision_files();
    assert_eq!(files.len(), 2);
    let second = files.iter().find(|f| f.ends_with("_add_phone_to_users.sql")).expect("file named after the message");
    let text = p.read(&format!("migrations/{second}"));
    assert!(text.contains("-- message: add phone to users") && text.contains("-- +up\n") && text.contains("-- +down"), "{text}");
    assert!(text.contains("ADD COLUMN \"phone\" TEXT"), "{text}");

    p.strata(&["upgrade"]).ok();
    let conn = p.db();
    let row: (String, String, String, Option<f64>) = conn
        .query_row("SELECT applied_at, description, checksum, execution_ms FROM schema_version ORDER BY rowid DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap();
    assert!(row.0.ends_with('Z') && row.0.len() == "2026-01-01T00:00:00Z".len(), "applied_at is RFC 3339 UTC to the second: {}", row.0);
    assert_eq!(row.1, "add phone to users");
    assert_eq!(row.2, strata_core::revision::checksum(&text));
    assert!(row.3.is_some_and(|ms| ms >= 0.0));
    conn.execute("UPDATE users SET phone = '555'", []).unwrap();

    let cur = p.strata(&["current"]);
    assert!(cur.ok().contains("(head) add phone to users"), "{}", cur.stdout);

    let before = dump(&p.db());
    let refused = p.strata(&["downgrade", "-1"]).fails();
    assert!(refused.contains("this downgrade would throw data away, so nothing was run") && refused.contains("users.phone: 1 non-NULL value"), "{refused}");
    assert!(refused.contains("--allow-data-loss"), "{refused}");
    assert_eq!(dump(&p.db()), before, "a refused downgrade changes nothing");

    p.strata(&["downgrade", "-1", "--allow-data-loss"]).ok();
    let conn = p.db();
    let email: String = conn.query_row("SELECT email FROM users", [], |r| r.get(0)).unwrap();
    assert_eq!(email, "a@example.com", "rows survive the downgrade");
    assert!(conn.prepare("SELECT phone FROM users").is_err(), "phone is gone");
    assert_eq!(versions(&conn).len(), 1);
    p.strata(&["downgrade", "base", "--allow-data-loss"]).ok();
    assert_eq!(tables(&p.db()), ["schema_version"]);
}

#[test]
fn several_heads_are_refused_with_their_names_and_a_merge_hint() {
    let p = Project::init();
    p.revision("aaa", &[], "CREATE TABLE a (x);", "DROP TABLE a;");
    p.revision("bbb", &["aaa"], "CREATE TABLE b (x);", "DROP TABLE b;");
    p.revision("ccc", &["aaa"], "CREATE TABLE c (x);", "DROP TABLE c;");
    let refused = p.strata(&["upgrade", "head"]).fails();
    assert!(refused.contains("2 heads (bbb, ccc)"), "{refused}");
    assert!(refused.contains("strata merge -m \"merge heads\" bbb ccc"), "{refused}");
    assert!(tables(&p.db()).is_empty(), "nothing ran: {:?}", tables(&p.db()));

    assert!(p.strata(&["heads"]).ok().contains("bbb (head)"));
    let branches = p.strata(&["branches"]);
    assert!(branches.ok().contains("aaa (branchpoint)") && branches.stdout.contains("-> ccc"), "{}", branches.stdout);
    let heads = p.strata(&["heads", "--json"]).json();
    assert_eq!(heads.as_array().unwrap().len(), 2);

    p.strata(&["merge", "-m", "join the branches", "heads"]).ok();
    assert_eq!(p.strata(&["heads", "--json"]).json().as_array().unwrap().len(), 1);
    let up = p.strata(&["upgrade", "head"]);
    assert!(up.ok().contains("applied 4 revisions"), "{}", up.stdout);
    assert_eq!(tables(&p.db()), ["a", "b", "c", "schema_version"]);
    let history = p.strata(&["history"]);
    assert!(history.ok().contains("bbb, ccc -> ") && history.stdout.contains("(merge)"), "{}", history.stdout);
}

#[test]
fn a_crlf_only_edit_of_an_applied_revision_is_accepted() {
    let p = Project::init();
    let rel = p.revision("r1", &[], "CREATE TABLE a (x);\nINSERT INTO a VALUES (1);", "DROP TABLE a;");
    p.strata(&["upgrade"]).ok();
    let text = p.read(&rel);
    p.write(&rel, &text.replace('\n', "\r\n"));
    assert!(p.read(&rel).contains("\r\n"));
    p.revision("r2", &["r1"], "CREATE TABLE b (x);", "DROP TABLE b;");
    assert!(p.strata(&["verify"]).ok().contains("ok: 1 applied revision(s) match their files"));
    p.strata(&["upgrade"]).ok();
    assert_eq!(versions(&p.db()), ["r1", "r2"]);
}

#[test]
fn any_other_edit_of_an_applied_revision_is_reported_and_nothing_runs() {
    let p = Project::init();
    let rel = p.revision("r1", &[], "CREATE TABLE a (x);", "DROP TABLE a;");
    p.strata(&["upgrade"]).ok();
    p.write(&rel, &p.read(&rel).replace("CREATE TABLE a (x);", "CREATE TABLE a (x, y);"));
    p.revision("r2", &["r1"], "CREATE TABLE b (x);", "DROP TABLE b;");
    let before = dump(&p.db());
    let refused = p.strata(&["upgrade"]).fails();
    assert!(refused.contains("revision r1 was edited after it was applied"), "{refused}");
    assert!(refused.contains("nothing was run"), "{refused}");
    assert_eq!(dump(&p.db()), before);
    let verify = p.strata(&["verify"]).fails();
    assert!(verify.contains("error: revision r1 was edited"), "{verify}");
    let json = p.strata(&["verify", "--json"]).json();
    assert_eq!(json["ok"], false);
    assert_eq!(json["findings"][0]["kind"], "changed_checksum");
    assert!(p.strata(&["downgrade", "base", "--allow-data-loss"]).fails().contains("edited"));
}

#[test]
fn two_concurrent_upgrades_apply_each_revision_exactly_once() {
    let p = Project::init();
    p.revision("r1", &[], "CREATE TABLE log (rev TEXT);\nINSERT INTO log VALUES ('r1');", "DROP TABLE log;");
    for i in 2..=6 {
        // Enough work per revision that the two processes overlap.
        let up = format!(
            "CREATE TABLE t{i} (n INTEGER);\nWITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 100000) INSERT INTO t{i} SELECT n FROM c;\nINSERT INTO log VALUES ('r{i}');"
        );
        p.revision(&format!("r{i}"), &[&format!("r{}", i - 1)], &up, &format!("DROP TABLE t{i};"));
    }
    let spawn = || p.command(&["upgrade", "head"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let out = |o: &std::process::Output| format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(a.status.success() && b.status.success(), "both succeed:\n{}\n---\n{}", out(&a), out(&b));
    let conn = p.db();
    let mut s = conn.prepare("SELECT rev FROM log ORDER BY rowid").unwrap();
    let log: Vec<String> = s.query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap();
    assert_eq!(log, ["r1", "r2", "r3", "r4", "r5", "r6"], "each revision ran once");
    assert_eq!(versions(&conn), ["r1", "r2", "r3", "r4", "r5", "r6"]);
    let done = out(&a).matches("  done in").count() + out(&b).matches("  done in").count();
    assert_eq!(done, 6, "six revisions applied between the two:\n{}\n---\n{}", out(&a), out(&b));
}

#[test]
fn a_failing_statement_in_revision_3_of_5_leaves_the_database_at_revision_2() {
    let p = Project::init();
    p.revision("r1", &[], "CREATE TABLE a (x);\nINSERT INTO a VALUES (1);", "DROP TABLE a;");
    p.revision("r2", &["r1"], "CREATE TABLE b (y);\nINSERT INTO b VALUES ('two');\nUPDATE a SET x = 2;", "DROP TABLE b;");
    p.revision("r3", &["r2"], "CREATE TABLE c (z);\nUPDATE a SET x = 3;\nINSERT INTO missing VALUES (1);", "DROP TABLE c;");
    p.revision("r4", &["r3"], "CREATE TABLE d (w);", "DROP TABLE d;");
    p.revision("r5", &["r4"], "CREATE TABLE e (v);", "DROP TABLE e;");

    // The reference: the same project upgraded to revision 2 only, in another database. (The
    // UPDATEs overwrite a value, which needs the allowance; the failure is what is tested.)
    p.strata(&["--database", "reference.db", "upgrade", "r2", "--allow-data-loss"]).ok();
    let reference = dump(&rusqlite::Connection::open(p.path("reference.db")).unwrap());

    let failed = p.strata(&["upgrade", "head", "--allow-data-loss"]);
    let msg = failed.fails();
    assert!(msg.contains("Running upgrade r2 -> r3"), "{msg}");
    assert!(failed.stderr.contains("revision r3 (revision r3) failed and was rolled back; the database stays at r2"), "{}", failed.stderr);
    assert!(failed.stderr.contains("INSERT INTO missing VALUES (1)"), "names the statement: {}", failed.stderr);
    assert!(failed.stderr.contains("no such table: missing"), "has SQLite's message: {}", failed.stderr);
    assert_eq!(dump(&p.db()), reference, "schema, data and version rows are those of revision 2");
    assert_eq!(versions(&p.db()), ["r1", "r2"]);
    assert!(p.strata(&["current"]).ok().starts_with("r2 "));
}

#[test]
fn sql_and_dry_run_touch_nothing() {
    let p = Project::init();
    p.revision("r1", &[], "CREATE TABLE a (x);", "DROP TABLE a;");
    p.revision("r2", &["r1"], "CREATE TABLE b (x);\nINSERT INTO b VALUES (1);", "DROP TABLE b;");
    // Without a database, --sql does not create one.
    let sql = p.strata(&["upgrade", "head", "--sql"]);
    assert!(sql.ok().contains("CREATE TABLE a (x);") && sql.stdout.contains("INSERT INTO \"schema_version\""), "{}", sql.stdout);
    assert!(!p.db_path().exists(), "--sql created the database");

    p.strata(&["upgrade", "r1"]).ok();
    let bytes = std::fs::read(p.db_path()).unwrap();
    let files = std::fs::read_dir(p.dir.path()).unwrap().count();
    let sql = p.strata(&["upgrade", "head", "--sql"]);
    let script = sql.ok().to_string();
    assert!(!script.contains("CREATE TABLE a"), "r1 is applied already:\n{script}");
    assert!(script.contains("BEGIN;\n") && script.contains("CREATE TABLE b (x);") && script.contains("COMMIT;"), "{script}");
    let dry = p.strata(&["upgrade", "--dry-run"]);
    assert!(dry.ok().contains("would apply r2 revision r2 (2 statements)"), "{}", dry.stdout);
    let down = p.strata(&["downgrade", "base", "--sql"]);
    assert!(down.ok().contains("DROP TABLE a;") && down.stdout.contains("DELETE FROM \"schema_version\""), "{}", down.stdout);
    p.strata(&["downgrade", "base", "--dry-run"]).ok();
    assert_eq!(std::fs::read(p.db_path()).unwrap(), bytes, "the database file is unchanged");
    assert_eq!(std::fs::read_dir(p.dir.path()).unwrap().count(), files, "no file appeared");

    // The printed script does what upgrade would have done.
    let conn = p.db();
    conn.execute_batch(&script).unwrap();
    assert_eq!(versions(&conn), ["r1", "r2"]);
    assert!(p.strata(&["verify"]).ok().contains("2 applied revision(s) match"));
}

#[test]
fn backup_writes_a_consistent_copy_and_says_where() {
    let p = Project::init();
    p.revision("r1", &[], "CREATE TABLE a (x);\nINSERT INTO a VALUES (1), (2);", "DROP TABLE a;");
    p.revision("r2", &["r1"], "DELETE FROM a WHERE x = 1;\nCREATE TABLE b (y);", "DROP TABLE b;");
    p.strata(&["upgrade", "r1"]).ok();
    let before = dump(&p.db());
    // r2's DELETE throws a row away, so it needs the allowance (and is refused before any
    // backup is written without it).
    p.strata(&["upgrade", "head", "--backup"]).fails();
    assert_eq!(std::fs::read_dir(p.dir.path()).unwrap().filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".bak")).count(), 0);
    let out = p.strata(&["upgrade", "head", "--backup", "--allow-data-loss"]);
    let line = out.ok().lines().find(|l| l.starts_with("backup written to ")).expect("says where").to_string();
    let path = std::path::PathBuf::from(line.trim_start_matches("backup written to "));
    let path = if path.is_absolute() { path } else { p.dir.path().join(path) };
    assert!(path.exists(), "{}", path.display());
    assert!(path.file_name().unwrap().to_string_lossy().starts_with("app.db."));
    let copy = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(dump(&copy), before, "the backup holds the database as it was before the upgrade");
    let check: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    assert_eq!(versions(&p.db()), ["r1", "r2"]);
}

#[test]
fn check_exits_1_with_a_summary_when_model_revisions_or_database_disagree() {
    let p = project_with_model(USERS_V1);
    p.strata(&["revision", "--autogenerate", "-m", "users"]).ok();
    // CI often has no database: then the model and the revisions alone are checked.
    let no_db = p.strata(&["check"]);
    assert!(no_db.ok().contains("does not exist; only the model and the revisions were checked"), "{}", no_db.stdout);
    p.strata(&["upgrade"]).ok();
    assert!(p.strata(&["check"]).ok().contains("ok:"));

    p.write("schema.sql", USERS_V2);
    let text = p.strata(&["check"]).fails();
    assert!(text.contains("model: the model has 1 change(s) no revision makes") && text.contains("add column phone"), "{text}");
    assert!(text.contains("check failed: 1 problem(s) found"), "{text}");

    p.strata(&["revision", "--autogenerate", "-m", "phone"]).ok();
    let text = p.strata(&["check"]).fails();
    assert!(text.contains("database: the database is behind head by 1 revision(s)"), "{text}");
    let json = p.strata(&["check", "--json"]);
    assert_eq!(json.code, 1);
    assert_eq!(json.json()["ok"], false);
    assert_eq!(json.json()["pending"].as_array().unwrap().len(), 1);

    p.strata(&["upgrade"]).ok();
    p.db().execute_batch("CREATE TABLE sneaky (x)").unwrap();
    let text = p.strata(&["check"]).fails();
    assert!(text.contains("drift:") && text.contains("drop table sneaky"), "{text}");
}

#[test]
fn import_sql_turns_numbered_files_into_revisions() {
    let p = Project::init();
    p.write(
        "old/001_initial_schema.sql",
        "-- Migration: 001_initial_schema\n-- Description: Initial database schema\nBEGIN;\nCREATE TABLE usertable (\n  id TEXT PRIMARY KEY,\n  email VARCHAR(255)\n);\nCREATE INDEX idx_user_email ON usertable(email);\nINSERT INTO schema_version (version, description)\nVALUES ('1.0.0', 'Initial schema');\nCOMMIT;\n",
    );
    p.write(
        "old/002_add_user_phone.sql",
        "-- Description: Add phone to users\nBEGIN;\nALTER TABLE usertable ADD COLUMN phone VARCHAR(20);\nINSERT INTO schema_version (version, description) VALUES ('1.1.0', 'Add phone');\nCOMMIT;\n",
    );
    p.write(
        "old/002_add_user_phone_rollback.sql",
        "BEGIN;\nALTER TABLE usertable DROP COLUMN phone;\nDELETE FROM schema_version WHERE version = '1.1.0';\nCOMMIT;\n",
    );
    p.write("old/README.md", "how we migrate");
    let out = p.strata(&["import-sql", "old"]);
    let text = out.ok();
    assert!(text.contains("imported") && text.contains("001_initial_schema") && text.contains("002_add_user_phone"), "{text}");
    assert!(text.contains("left out `INSERT INTO schema_version"), "{text}");
    assert!(text.contains("001_initial_schema.sql has no rollback file"), "{text}");
    assert_eq!(p.revision_files(), ["001_initial_schema_initial_database_schema.sql", "002_add_user_phone_add_phone_to_users.sql"]);

    p.strata(&["upgrade"]).ok();
    assert_eq!(versions(&p.db()), ["001_initial_schema", "002_add_user_phone"]);
    p.db().execute("INSERT INTO usertable VALUES ('u1', 'a@b', '555')", []).unwrap();
    let history = p.strata(&["history"]);
    assert!(history.ok().contains("001_initial_schema -> 002_add_user_phone (head) (current), Add phone to users"), "{}", history.stdout);
    p.strata(&["downgrade", "-1", "--allow-data-loss"]).ok();
    let email: String = p.db().query_row("SELECT email FROM usertable", [], |r| r.get(0)).unwrap();
    assert_eq!(email, "a@b");
    assert!(p.db().prepare("SELECT phone FROM usertable").is_err());
    // A second import of the same folder would duplicate ids and is refused.
    assert!(p.strata(&["import-sql", "old"]).fails().contains("exists already; nothing was imported"));
}

#[test]
fn every_read_command_speaks_json() {
    let p = project_with_model(USERS_V1);
    p.strata(&["revision", "--autogenerate", "-m", "users"]).ok();
    p.strata(&["upgrade"]).ok();
    let id = p.strata(&["heads", "--json"]).json()[0]["id"].as_str().unwrap().to_string();
    assert_eq!(p.strata(&["current", "--json"]).json()["current"][0]["id"], id.as_str());
    assert_eq!(p.strata(&["history", "--json"]).json()[0]["is_current"], true);
    assert_eq!(p.strata(&["branches", "--json"]).json(), serde_json::json!([]));
    let show = p.strata(&["show", &id[..4], "--json"]).json();
    assert_eq!(show["id"], id.as_str());
    assert!(show["up"].as_str().unwrap().contains("CREATE TABLE \"users\""));
    assert!(show["applied"]["applied_at"].is_string());
    assert_eq!(p.strata(&["check", "--json"]).json()["ok"], true);
    assert_eq!(p.strata(&["verify", "--json"]).json()["applied"], 1);
    p.write("schema.sql", USERS_V2);
    let diff = p.strata(&["diff", "--format", "json"]).json();
    assert_eq!(diff["changes"][0], "alter table users: add column phone");
    assert!(diff["sql"].as_str().unwrap().contains("ADD COLUMN \"phone\""));
    let text = p.strata(&["diff"]);
    assert!(text.ok().contains("ALTER TABLE \"users\" ADD COLUMN \"phone\" TEXT;"), "{}", text.stdout);
}

#[test]
fn database_flag_and_environment_override_the_configured_path() {
    let p = Project::init();
    p.revision("r1", &[], "CREATE TABLE a (x);", "DROP TABLE a;");
    p.strata(&["--database", "flag.db", "upgrade"]).ok();
    assert!(p.path("flag.db").exists() && !p.db_path().exists());
    let env = p.command(&["upgrade"]).env("STRATA_DATABASE", p.path("env.db")).output().unwrap();
    assert!(env.status.success());
    assert!(p.path("env.db").exists() && !p.db_path().exists());
    let cur = p.command(&["current"]).env("STRATA_DATABASE", p.path("env.db")).output().unwrap();
    assert!(String::from_utf8_lossy(&cur.stdout).starts_with("r1 (head)"));
}

#[test]
fn stamp_records_revisions_without_running_them() {
    let p = Project::init();
    p.revision("r1", &[], "CREATE TABLE a (x);", "DROP TABLE a;");
    p.revision("r2", &["r1"], "CREATE TABLE b (x);", "DROP TABLE b;");
    let out = p.strata(&["stamp", "head"]);
    assert!(out.ok().contains("stamped r1") && out.stdout.contains("stamped r2"), "{}", out.stdout);
    assert_eq!(tables(&p.db()), ["schema_version"], "no SQL of the revisions ran");
    assert_eq!(versions(&p.db()), ["r1", "r2"]);
    assert!(p.strata(&["stamp", "r1"]).ok().contains("unstamped r2"));
    assert_eq!(versions(&p.db()), ["r1"]);
    p.strata(&["stamp", "base"]).ok();
    assert!(versions(&p.db()).is_empty());
}

#[test]
fn unknown_and_missing_revisions_are_reported() {
    let p = Project::init();
    let r1 = p.revision("r1", &[], "CREATE TABLE a (x);", "DROP TABLE a;");
    p.revision("r2", &["r1"], "CREATE TABLE b (x);", "DROP TABLE b;");
    p.strata(&["upgrade"]).ok();
    p.db().execute("DELETE FROM schema_version WHERE version = 'r1'", []).unwrap();
    let text = p.strata(&["verify"]).fails();
    assert!(text.contains("revision r1 is not applied although r2, which builds on it, is"), "{text}");
    p.strata(&["stamp", "head"]).ok();
    std::fs::remove_file(p.path(&r1)).unwrap();
    // r2's parent is gone: the history itself is broken and says which file to restore.
    let text = p.strata(&["verify"]).fails();
    assert!(text.contains("revision r2 names parent r1, which no revision has"), "{text}");
}

#[test]
fn a_python_model_without_a_primary_key_is_refused_with_its_line() {
    let p = Project::init();
    let toml = p.read("strata.toml").replace("schema.sql", "models.py");
    p.write("strata.toml", &toml);
    p.write("models.py", "class User(SQLModel, table=True):\n    id: int\n");
    let text = p.strata(&["revision", "--autogenerate", "-m", "x"]).fails();
    assert!(text.contains("models.py: line 1, column 1: table class User has no primary key"), "{text}");
    assert!(p.revision_files().is_empty());
}

#[test]
fn colour_only_when_asked_for_and_never_with_no_color() {
    let p = project_with_model(USERS_V1);
    // Not a terminal: plain text.
    let plain = p.strata(&["revision", "--autogenerate", "-m", "users"]);
    assert!(!plain.ok().contains('\x1b'), "{:?}", plain.stdout);
    // Forced colour shows that the codes exist; NO_COLOR wins over everything.
    let forced = p.command(&["heads"]).env("CLICOLOR_FORCE", "1").output().unwrap();
    assert!(String::from_utf8_lossy(&forced.stdout).contains('\x1b'));
    let none = p.command(&["heads"]).env("CLICOLOR_FORCE", "1").env("NO_COLOR", "1").output().unwrap();
    assert!(!String::from_utf8_lossy(&none.stdout).contains('\x1b'));
}

#[test]
fn foreign_keys_are_enforced_while_revisions_run() {
    let p = Project::init();
    p.revision("r1", &[], "CREATE TABLE parent (id INTEGER PRIMARY KEY);\nCREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id));", "DROP TABLE child;\nDROP TABLE parent;");
    p.revision("r2", &["r1"], "INSERT INTO child VALUES (1, 42);", "DELETE FROM child;");
    let text = p.strata(&["upgrade"]).fails();
    assert!(text.contains("revision r2 (revision r2) failed") && text.contains("FOREIGN KEY constraint failed"), "{text}");
    assert_eq!(versions(&p.db()), ["r1"]);
}

#[test]
fn a_version_table_made_by_the_old_shell_script_is_not_mistaken_for_ours() {
    let p = Project::init();
    p.revision("r1", &[], "CREATE TABLE a (x);", "DROP TABLE a;");
    p.db()
        .execute_batch("CREATE TABLE schema_version (version VARCHAR(50) PRIMARY KEY, applied_at TIMESTAMP, description TEXT);\nINSERT INTO schema_version VALUES ('1.0.0', '2025-11-02', 'Initial schema');")
        .unwrap();
    let text = p.strata(&["upgrade"]).fails();
    assert!(text.contains("table schema_version exists but is not a strata version table (it lacks checksum, execution_ms)"), "{text}");
    assert!(text.contains("strata stamp"), "says how to adopt it: {text}");
    assert_eq!(tables(&p.db()), ["schema_version"], "nothing ran");
}

#[test]
fn a_revision_with_an_empty_down_section_says_so_when_reverted() {
    let p = Project::init();
    p.revision("r1", &[], "CREATE TABLE a (x);", "");
    p.strata(&["upgrade"]).ok();
    let out = p.strata(&["downgrade", "base"]);
    assert!(out.ok().contains("its -- +down section has no statements; only the version row changes"), "{}", out.stdout);
    assert!(versions(&p.db()).is_empty());
    assert_eq!(tables(&p.db()), ["a", "schema_version"]);
}

/// A terminal is needed for the bar; `script` gives the process one where it is installed.
#[test]
fn long_rebuilds_draw_a_progress_bar_on_a_terminal_only() {
    let p = Project::init();
    let rows = "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 300000) INSERT INTO big (id, v) SELECT n, n FROM c;";
    p.revision("r1", &[], &format!("CREATE TABLE big (id INTEGER PRIMARY KEY, v INTEGER);\n{rows}"), "DROP TABLE big;");
    p.write("schema.sql", "CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT);\n");
    p.strata(&["revision", "--autogenerate", "-m", "change type"]).ok();
    p.strata(&["upgrade", "r1"]).ok();
    // Not a terminal: no bar, no control codes.
    let piped = p.strata(&["upgrade", "head"]);
    assert!(!piped.stderr.contains('[') && !piped.stderr.contains('\x1b'), "{:?}", piped.stderr);
    p.strata(&["downgrade", "-1"]).ok();
    if std::process::Command::new("script").arg("--version").output().is_err() {
        eprintln!("`script` is not installed: the terminal half of this test was skipped");
        return;
    }
    let cmd = format!("'{}' upgrade head", cli_support::strata_bin().display());
    let out = std::process::Command::new("script").args(["-qec", &cmd, "/dev/null"]).current_dir(p.dir.path()).env("TERM", "xterm").output().unwrap();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{screen}");
    assert!(screen.contains("] 1/4 ") && screen.contains("rebuild table big"), "a bar with the step count and label was drawn:\n{screen:?}");
}

#[test]
fn relative_targets_prefixes_and_verbose_history() {
    let p = Project::init();
    p.revision("a1f", &[], "CREATE TABLE a (x);", "DROP TABLE a;");
    p.revision("b2e", &["a1f"], "CREATE TABLE b (x);", "DROP TABLE b;");
    p.revision("c3d", &["b2e"], "CREATE TABLE c (x);", "DROP TABLE c;");
    p.strata(&["upgrade", "+1"]).ok();
    assert_eq!(versions(&p.db()), ["a1f"]);
    p.strata(&["upgrade", "c3"]).ok();
    assert_eq!(versions(&p.db()), ["a1f", "b2e", "c3d"]);
    let too_far = p.strata(&["upgrade", "+1"]).fails();
    assert!(too_far.contains("asks for 1 revisions but only 0 can be applied"), "{too_far}");
    p.strata(&["downgrade", "a1", "--allow-data-loss"]).ok();
    assert_eq!(versions(&p.db()), ["a1f"]);
    let unknown = p.strata(&["upgrade", "zz"]).fails();
    assert!(unknown.contains("no revision matches `zz`"), "{unknown}");
    let verbose = p.strata(&["history", "--verbose"]);
    let text = verbose.ok();
    assert!(text.contains("b2e -> c3d (head), revision c3d"), "{text}");
    assert!(text.contains("not applied") && text.contains("applied 20") && text.contains("checksum "), "{text}");
    assert!(text.contains("migrations/a1f_revision_a1f.sql"), "{text}");
    let show = p.strata(&["show", "b2"]);
    assert!(show.ok().contains("Revision: b2e") && show.stdout.contains("Parents: a1f") && show.stdout.contains("CREATE TABLE b (x);"), "{}", show.stdout);
}

#[test]
fn init_with_database_writes_it_relative_to_the_project() {
    let dir = tempfile::tempdir().unwrap();
    let run = std::process::Command::new(cli_support::strata_bin())
        .args(["init", "proj", "--database", "proj/data/app.db"])
        .current_dir(dir.path())
        .env_remove("STRATA_DATABASE")
        .output()
        .unwrap();
    assert!(run.status.success());
    let toml = std::fs::read_to_string(dir.path().join("proj/strata.toml")).unwrap();
    assert!(toml.contains("database = \"data/app.db\""), "{toml}");
    let proj = dir.path().join("proj");
    std::fs::write(proj.join("migrations/r1.sql"), strata_core::revision::Revision::new("r1", vec![], "a", "", "CREATE TABLE a (x);", "").render()).unwrap();
    let up = std::process::Command::new(cli_support::strata_bin()).arg("upgrade").current_dir(&proj).env_remove("STRATA_DATABASE").output().unwrap();
    assert!(up.status.success(), "{}", String::from_utf8_lossy(&up.stderr));
    assert!(proj.join("data/app.db").exists(), "the database's folder is created");
    let env = std::process::Command::new(cli_support::strata_bin())
        .args(["init", "other"])
        .current_dir(dir.path())
        .env("STRATA_DATABASE", "/somewhere/else.db")
        .output()
        .unwrap();
    assert!(env.status.success());
    let toml = std::fs::read_to_string(dir.path().join("other/strata.toml")).unwrap();
    assert!(toml.contains("database = \"app.db\""), "the variable is a run-time override, not a setting: {toml}");
}

#[test]
fn the_readme_cli_story_runs_as_written() {
    cli_support::story::run_readme_story(cli_support::strata_bin(), None);
}

#[test]
fn check_without_the_database_judges_only_what_a_commit_carries() {
    let p = project_with_model(USERS_V1);
    p.strata(&["revision", "--autogenerate", "-m", "users"]).ok();
    p.strata(&["upgrade"]).ok();
    p.write("schema.sql", USERS_V2);
    p.strata(&["revision", "--autogenerate", "-m", "phone"]).ok();
    // The local database is behind head: a reason for `check`, not for a commit hook.
    assert!(p.strata(&["check"]).fails().contains("database: the database is behind head by 1 revision(s)"));
    let out = p.strata(&["check", "--no-database"]);
    assert!(out.ok().contains("ok: the model and the revisions agree"), "{}", out.stdout);
    assert!(out.stdout.contains("the database was left out (--no-database)"), "{}", out.stdout);
    // Drift in the database is left out too; a model change no revision makes is not.
    p.db().execute_batch("CREATE TABLE sneaky (x)").unwrap();
    p.strata(&["check", "--no-database"]).ok();
    p.write("schema.sql", &format!("{USERS_V2}CREATE TABLE notes (id INTEGER PRIMARY KEY);\n"));
    let text = p.strata(&["check", "--no-database"]).fails();
    assert!(text.contains("model: the model has 1 change(s) no revision makes; run `strata revision --autogenerate -m MSG`"), "{text}");
    assert!(!text.contains("database:") && !text.contains("drift:"), "{text}");
}
