//! End-to-end tests of the `strata` binary with SQLModel: `.py` model files, `create-all
//! --dry-run` and `export` to Alembic, PostgreSQL and plain SQL. Each runs the real executable in
//! a temporary project and asserts its exit code, its output and the files and database it leaves.
//! Running the exported scripts with Alembic and PostgreSQL is `exports.rs`'s job; here the
//! PostgreSQL output is only checked for its shape.

mod cli_support;

use cli_support::{dump, tables, versions, Project};

/// The model `strata init --sqlmodel` writes, changed in the ways create_all() passes over:
/// a longer `last_name` (a type change), a new `phone` column, `provider` dropped, and a new
/// table `team` with an index.
fn change_model(p: &Project) {
    let model = p.read("models.py");
    let changed = model
        .replace("    last_name: str = Field(max_length=100)\n", "    last_name: str = Field(max_length=200)\n    phone: str | None = None\n")
        .replace("    provider: str = Field(max_length=50)\n", "");
    assert_ne!(changed, model, "the example model still has the fields this test changes");
    p.write(
        "models.py",
        &format!("{changed}\n\nclass Team(SQLModel, table=True):\n    id: int | None = Field(default=None, primary_key=True)\n    name: str = Field(index=True)\n"),
    );
}

/// A project made by `strata init --sqlmodel`, with its first revision applied.
fn sqlmodel_project_at_head() -> (Project, String) {
    let p = Project { dir: tempfile::tempdir().unwrap() };
    p.strata(&["init", "--sqlmodel"]).ok();
    p.strata(&["revision", "--autogenerate", "-m", "initial schema"]).ok();
    p.strata(&["upgrade"]).ok();
    let first = versions(&p.db()).pop().expect("one revision applied");
    (p, first)
}

/// `(type, notnull)` of a column as SQLite reports it.
fn column(conn: &rusqlite::Connection, table: &str, col: &str) -> Option<(String, bool)> {
    conn.query_row(&format!("SELECT type, \"notnull\" FROM pragma_table_info('{table}') WHERE name = ?1"), [col], |r| Ok((r.get(0)?, r.get(1)?))).ok()
}

fn indexes(conn: &rusqlite::Connection) -> Vec<String> {
    let mut s = conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").unwrap();
    s.query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
}

#[test]
fn the_new_commands_are_listed_and_each_help_has_an_example() {
    let p = Project::init();
    let help = p.strata(&["--help"]);
    for cmd in ["create-all", "export"] {
        assert!(help.ok().contains(&format!("  {cmd} ")), "--help lacks {cmd}:\n{}", help.stdout);
        let sub = p.strata(&[cmd, "--help"]);
        assert!(sub.ok().contains("Example"), "{cmd} --help has no example:\n{}", sub.stdout);
    }
    let create_all = p.strata(&["create-all", "--help"]);
    assert!(create_all.ok().contains("--dry-run") && create_all.stdout.contains("does not run create_all for real"), "{}", create_all.stdout);
    let export = p.strata(&["export", "--help"]);
    for word in ["--format", "alembic", "postgres", "sql", "--output"] {
        assert!(export.ok().contains(word), "export --help lacks {word}:\n{}", export.stdout);
    }
    assert!(p.strata(&["init", "--help"]).ok().contains("--sqlmodel"));
}

#[test]
fn a_sqlmodel_project_autogenerates_upgrades_and_keeps_renamed_data() {
    let (p, _) = sqlmodel_project_at_head();
    assert!(p.read("strata.toml").contains("model = \"models.py\""));
    assert!(!p.path("schema.sql").exists(), "no SQL model next to the SQLModel one");
    let conn = p.db();
    assert_eq!(tables(&conn), ["schema_version", "useridentitytable", "usertable"]);
    // The types SQLModel gives these fields on SQLite (docs/sqlmodel.md).
    assert_eq!(column(&conn, "usertable", "id"), Some(("CHAR(32)".into(), true)));
    assert_eq!(column(&conn, "usertable", "first_name"), Some(("VARCHAR(100)".into(), true)));
    assert_eq!(column(&conn, "usertable", "email"), Some(("VARCHAR(255)".into(), false)));
    assert_eq!(column(&conn, "usertable", "created_at"), Some(("DATETIME".into(), true)));
    assert_eq!(indexes(&conn), ["ix_useridentitytable_user_id", "ix_usertable_email"]);
    assert!(p.strata(&["check"]).ok().contains("ok: the model, the revisions and the database agree"));
    assert_eq!(p.strata(&["diff"]).ok().trim(), "-- nothing to do: the schemas are the same");
    conn.execute("INSERT INTO usertable (id, first_name, last_name, email) VALUES ('u1', 'Ada', 'Lovelace', 'ada@example.com')", []).unwrap();

    // A new field and a renamed one, announced the SQLModel way.
    let model = p.read("models.py").replace(
        "    email: str | None = Field(default=None, max_length=255, index=True)\n",
        "    email_address: str | None = Field(default=None, max_length=255, index=True)  # @renamed from=email\n    phone: str | None = None\n",
    );
    p.write("models.py", &model);
    let check = p.strata(&["check"]).fails();
    assert!(check.contains("the model has") && check.contains("phone"), "{check}");
    let gen = p.strata(&["revision", "--autogenerate", "-m", "contact details"]);
    assert!(gen.ok().contains("rename column email to email_address") && gen.stdout.contains("add column phone"), "{}", gen.stdout);
    p.strata(&["upgrade"]).ok();
    let conn = p.db();
    let kept: String = conn.query_row("SELECT email_address FROM usertable WHERE id = 'u1'", [], |r| r.get(0)).unwrap();
    assert_eq!(kept, "ada@example.com");
    assert_eq!(column(&conn, "usertable", "phone"), Some(("VARCHAR".into(), false)));
    assert_eq!(versions(&conn).len(), 2);
    assert!(p.strata(&["check"]).ok().contains("ok:"));
}

#[test]
fn a_sqlmodel_error_names_the_file_line_and_column_and_exits_1() {
    let p = Project { dir: tempfile::tempdir().unwrap() };
    p.strata(&["init", "--sqlmodel"]).ok();
    p.write("models.py", "from sqlmodel import Field, SQLModel\n\n\nclass User(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n    tags: list[int]\n");
    for cmd in [&["revision", "--autogenerate", "-m", "x"][..], &["diff"], &["check"], &["create-all", "--dry-run"]] {
        let text = p.strata(cmd).fails();
        assert!(text.contains("models.py: line 6, column 11: ") && text.contains("is not supported"), "{cmd:?}: {text}");
    }
    assert!(p.revision_files().is_empty(), "no revision was written");
    assert!(!p.db_path().exists(), "no database was created");

    // A model that is neither SQL nor Python is refused by name rather than guessed at.
    p.write("strata.toml", &p.read("strata.toml").replace("models.py", "models.txt"));
    p.write("models.txt", "CREATE TABLE t (x);\n");
    let text = p.strata(&["diff"]).fails();
    assert!(text.contains("models.txt") && text.contains(".sql") && text.contains(".py"), "{text}");
}

#[test]
fn create_all_dry_run_lists_what_it_creates_and_what_it_silently_skips() {
    let (p, _) = sqlmodel_project_at_head();
    change_model(&p);
    let before = dump(&p.db());

    let text = p.strata(&["create-all", "--dry-run"]);
    let out = text.ok();
    for line in [
        "would create table team",
        "would create index ix_team_name",
        "CREATE TABLE \"team\"",
        "SKIPPED it would silently skip 3 difference(s)",
        "new column usertable.phone is not added (the table exists)",
        "the type of column usertable.last_name is not changed",
        "column useridentitytable.provider is not dropped",
        "need a migration",
        "dry run: the database was not touched",
    ] {
        assert!(out.contains(line), "create-all --dry-run lacks {line:?}:\n{out}");
    }
    assert!(!out.contains("schema_version"), "the version table is strata's, not the model's:\n{out}");

    let json = p.strata(&["create-all", "--dry-run", "--json"]).json();
    assert_eq!(json["created_tables"], serde_json::json!(["team"]));
    assert_eq!(json["created_indexes"], serde_json::json!(["ix_team_name"]));
    let skipped = json["skipped"].as_array().unwrap();
    let kinds: Vec<&str> = skipped.iter().map(|s| s["skipped"].as_str().unwrap()).collect();
    assert_eq!(kinds.len(), 3, "{skipped:?}");
    for kind in ["add_column", "drop_column", "modify_column"] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    assert!(skipped.iter().all(|s| s["description"].as_str().is_some_and(|d| !d.is_empty())), "{skipped:?}");
    assert!(json["after"]["tables"]["team"].is_object(), "the schema afterwards has team: {}", json["after"]);

    // Without --dry-run strata refuses as a usage error, and says how to get either answer.
    let refused = p.strata(&["create-all"]).usage();
    assert!(refused.contains("does not run create_all() for real") && refused.contains("--dry-run") && refused.contains("nothing was changed"), "{refused}");
    assert_eq!(dump(&p.db()), before, "neither the dry run nor the refusal touched the database");
}

#[test]
fn create_all_dry_run_on_a_missing_database_creates_everything_and_skips_nothing() {
    let p = Project { dir: tempfile::tempdir().unwrap() };
    p.strata(&["init", "--sqlmodel"]).ok();
    let out = p.strata(&["create-all", "--dry-run"]);
    assert!(out.ok().contains("would create table usertable") && out.stdout.contains("would create table useridentitytable"), "{}", out.stdout);
    assert!(out.stdout.contains("nothing is skipped"), "{}", out.stdout);
    // Parents first, as create_all orders them.
    assert!(out.stdout.find("table usertable").unwrap() < out.stdout.find("table useridentitytable").unwrap(), "{}", out.stdout);
    assert!(!p.db_path().exists(), "the dry run did not create the database");
}

#[test]
fn export_writes_a_revision_as_alembic_postgres_and_sql() {
    let (p, first) = sqlmodel_project_at_head();
    change_model(&p);
    p.strata(&["revision", "--autogenerate", "-m", "phone and teams"]).ok();
    p.strata(&["upgrade"]).ok();
    let second = versions(&p.db()).pop().unwrap();
    let stem = format!("{second}_phone_and_teams");

    // Alembic, printed: the ids follow strata's graph, and SQLite's rebuild is a batch operation.
    let alembic = p.strata(&["export", "head", "--format", "alembic"]);
    let script = alembic.ok();
    for part in [
        "def upgrade() -> None:",
        "def downgrade() -> None:",
        &format!("revision: str = \"{second}\""),
        &format!("down_revision: Union[str, Sequence[str], None] = \"{first}\""),
        "op.batch_alter_table(\"usertable\"",
        "op.create_table(\n        \"team\"",
        "import sqlmodel",
    ] {
        assert!(script.contains(part), "alembic export lacks {part:?}:\n{script}");
    }
    assert!(alembic.stderr.is_empty(), "a revision strata wrote is exported faithfully: {}", alembic.stderr);
    let base = p.strata(&["export", &first, "--format", "alembic"]);
    assert!(base.ok().contains("down_revision: Union[str, Sequence[str], None] = None"), "{}", base.stdout);

    // Alembic, written: one file named as Alembic names revisions.
    let wrote = p.strata(&["export", "head", "--format", "alembic", "--output", "alembic/versions"]);
    assert!(wrote.ok().contains(&format!("wrote alembic/versions/{stem}.py")), "{}", wrote.stdout);
    assert_eq!(p.read(&format!("alembic/versions/{stem}.py")), script);

    // PostgreSQL: both scripts, each one transaction, with an in-place ALTER instead of a rebuild.
    let pg = p.strata(&["export", &second[..6], "--format", "postgres"]);
    let sql = pg.ok();
    let (up, down) = sql.split_once(&format!("-- ==== {stem}_postgres_rollback.sql ====")).expect("the downgrade follows the upgrade");
    assert!(up.starts_with(&format!("-- ==== {stem}_postgres.sql ====\n")), "{up}");
    for part in ["BEGIN;", "SET LOCAL lock_timeout", "ALTER TABLE \"usertable\" ALTER COLUMN \"last_name\" TYPE VARCHAR(200)", "GENERATED BY DEFAULT AS IDENTITY", "COMMIT;"] {
        assert!(up.contains(part), "postgres upgrade lacks {part:?}:\n{up}");
    }
    assert!(!up.contains("_strata_new_"), "PostgreSQL alters in place:\n{up}");
    assert!(down.contains("DROP TABLE \"team\";") && down.trim_end().ends_with("COMMIT;"), "{down}");
    assert!(pg.stderr.contains("note: team.id is SQLite's INTEGER PRIMARY KEY"), "notes go to stderr: {}", pg.stderr);

    // Plain SQL files: complete sqlite3 scripts that bring a database at the first revision to
    // exactly where `strata upgrade` brought this one, version row included.
    let wrote = p.strata(&["export", "head", "--format", "sql", "--output", "out"]);
    assert!(wrote.ok().contains(&format!("wrote out/{stem}.sql")) && wrote.stdout.contains(&format!("wrote out/{stem}_rollback.sql")), "{}", wrote.stdout);
    p.strata(&["upgrade", &first, "--database", "other.db"]).ok();
    let other = rusqlite::Connection::open(p.path("other.db")).unwrap();
    other.execute_batch(&p.read(&format!("out/{stem}.sql"))).unwrap();
    assert_eq!(dump(&other), dump(&p.db()));
    other.execute_batch(&p.read(&format!("out/{stem}_rollback.sql"))).unwrap();
    assert_eq!(versions(&other), std::slice::from_ref(&first));

    // A second export into the same folder refuses before writing anything.
    let again = p.strata(&["export", "head", "--format", "sql", "--output", "out"]).fails();
    assert!(again.contains("exists already and nothing was written"), "{again}");
}

#[test]
fn exporting_a_hand_written_revision_warns_that_its_sql_is_copied_verbatim() {
    let p = Project::init();
    p.revision("aaa", &[], "CREATE TABLE a (x INTEGER);\nINSERT INTO a VALUES (1);", "DROP TABLE a;");
    for format in ["alembic", "postgres"] {
        let run = p.strata(&["export", "aaa", "--format", format]);
        assert!(run.ok().contains("INSERT INTO a VALUES (1)"), "{format}: {}", run.stdout);
        assert!(run.stderr.contains("warning: revision aaa was written or edited by hand"), "{format}: {}", run.stderr);
    }
    let unknown = p.strata(&["export", "zzz", "--format", "sql"]).fails();
    assert!(unknown.contains("zzz"), "{unknown}");
}
