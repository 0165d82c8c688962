//! `strata export --format alembic-project`, run for real. Two histories, each exported by the
//! real `strata` binary: a SQL-model project with a branch, a merge and a table rebuild, and the
//! SQLModel example grown by a second revision. The pinned alembic (`scripts/python-env.sh`)
//! runs `upgrade head`, `downgrade base` and `upgrade head` again on SQLite and on a throwaway
//! PostgreSQL server (`scripts/postgres.sh`); each schema must equal what strata itself gives:
//! `strata upgrade head` on SQLite, strata's PostgreSQL exports applied in order on PostgreSQL.
//! For the SQLModel project, `alembic check` (Alembic's autogenerate against the models) must
//! find nothing to do, and must find the field added to the models afterwards.

mod cli_support;
mod pyenv;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use cli_support::Project;
use pyenv::Postgres;
use rusqlite::Connection;
use strata_core::export::{postgres, ExportInput};
use strata_core::revision::{Graph, Revision};
use strata_core::schema::Schema;
use strata_engine::{introspect_excluding, migrate, model};
use strata_engine::migrate::Replay;

const CREATED: &str = "2026-11-26T12:00:00Z";

/// Runs alembic in `dir` (against `url` when given, else alembic.ini's database).
fn alembic(dir: &Path, url: Option<&str>, args: &[&str]) -> Result<String, String> {
    let mut cmd = Command::new(pyenv::python());
    cmd.args(["-m", "alembic"]);
    if let Some(url) = url {
        cmd.arg("-x").arg(format!("url={url}"));
    }
    let out = cmd.args(args).current_dir(dir).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if out.status.success() {
        Ok(text)
    } else {
        Err(format!("alembic {} failed:\n{text}", args.join(" ")))
    }
}

#[track_caller]
fn alembic_ok(dir: &Path, url: Option<&str>, args: &[&str]) -> String {
    alembic(dir, url, args).unwrap_or_else(|e| panic!("{e}"))
}

/// The revisions of a project folder, as strata reads them.
fn graph(p: &Project) -> Graph {
    let revs = p.revision_files().iter().map(|f| Revision::parse(&p.read(&format!("migrations/{f}"))).unwrap()).collect();
    Graph::new(revs).unwrap()
}

/// Exports the project with the real binary into `<project>/alembic-project` and returns that.
fn export(p: &Project) -> std::path::PathBuf {
    let out = p.strata(&["export", "--format", "alembic-project", "alembic-project"]);
    assert!(out.ok().contains("wrote an Alembic project"), "{}", out.stdout);
    p.path("alembic-project")
}

fn schema_of(db: &Path, version_table: &str) -> Schema {
    introspect_excluding(&Connection::open(db).unwrap(), &[version_table]).unwrap()
}

/// Upgrade, downgrade to nothing and upgrade again with alembic on SQLite; each end state is
/// compared with what `strata upgrade head` made of the same revisions.
fn sqlite_round_trip(p: &Project, dir: &Path) {
    p.strata(&["upgrade", "head"]).ok();
    let strata = schema_of(&p.db_path(), "schema_version");
    assert!(!strata.tables.is_empty());
    let db = dir.join("app.db");
    alembic_ok(dir, None, &["upgrade", "head"]);
    assert_eq!(schema_of(&db, "alembic_version"), strata, "alembic upgrade head gives strata's schema");
    alembic_ok(dir, None, &["downgrade", "base"]);
    assert_eq!(schema_of(&db, "alembic_version"), Schema::default(), "alembic downgrade base leaves nothing");
    alembic_ok(dir, None, &["upgrade", "head"]);
    assert_eq!(schema_of(&db, "alembic_version"), strata, "the second upgrade gives strata's schema again");
}

/// The catalog's view of the database without Alembic's own table.
fn shape(pg: &Postgres) -> BTreeMap<String, String> {
    pg.shape().into_iter().filter(|(k, _)| !k.contains("alembic_version")).collect()
}

/// The same on PostgreSQL: strata's result is its PostgreSQL export of every revision, parents
/// first, run on an empty database.
fn postgres_round_trip(pg: &Postgres, g: &Graph, dir: &Path) {
    pg.reset();
    for rev in g.revisions() {
        let sql = postgres(&ExportInput::for_revision(g, &rev.id, &Replay { version_table: "schema_version" }).unwrap()).up;
        pg.psql(&sql).unwrap_or_else(|e| panic!("strata's PostgreSQL export of {} failed: {e}\n{sql}", rev.id));
    }
    let strata = shape(pg);
    assert!(strata.keys().any(|k| k.starts_with("col ")), "{strata:?}");
    pg.reset();
    let url = format!("postgresql+psycopg://postgres@127.0.0.1:{}/postgres", pg.port);
    alembic_ok(dir, Some(&url), &["upgrade", "head"]);
    assert_eq!(shape(pg), strata, "alembic upgrade head on PostgreSQL gives what strata's exports give");
    alembic_ok(dir, Some(&url), &["downgrade", "base"]);
    assert_eq!(shape(pg), BTreeMap::new(), "alembic downgrade base on PostgreSQL leaves nothing");
    alembic_ok(dir, Some(&url), &["upgrade", "head"]);
    assert_eq!(shape(pg), strata, "the second upgrade on PostgreSQL");
}

/// A SQL-model project whose history branches and merges: base (users, posts); on one side a
/// phone column and an index, on the other a tags table and a renamed column; the merge; then a
/// rebuild of posts (a type change SQLite cannot ALTER).
fn branched_project() -> Project {
    let p = Project::init();
    let base = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);\n\
                CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE, title TEXT);\n";
    let left = base.replace("UNIQUE);", "UNIQUE, phone TEXT);") + "CREATE INDEX posts_user ON posts (user_id);\n";
    let right_posts = "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE, headline TEXT -- @renamed from=title\n);\n";
    let right = format!("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);\n{right_posts}CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);\n");
    let merged = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, phone TEXT);\n\
                  CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE, headline TEXT);\n\
                  CREATE INDEX posts_user ON posts (user_id);\n\
                  CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);\n";
    let last = merged.replace("headline TEXT)", "headline VARCHAR(200) NOT NULL DEFAULT '')");

    let m = |sql: &str| model::from_sql(sql).unwrap();
    let s = |sql: &str| model::schema_from_sql(sql).unwrap();
    let revs = [
        migrate::between(&Schema::default(), &m(base), &[]).revision("b0", vec![], "base", CREATED),
        migrate::between(&s(base), &m(&left), &[]).revision("l1", vec!["b0".into()], "phone and index", CREATED),
        migrate::between(&s(base), &m(&right), &[]).revision("r1", vec!["b0".into()], "tags and headline", CREATED),
        Revision::new("m2", vec!["l1".into(), "r1".into()], "merge", CREATED, "", ""),
        migrate::between(&s(merged), &m(&last), &[]).revision("n3", vec!["m2".into()], "headline is varchar", CREATED),
    ];
    for r in &revs {
        p.write(&format!("migrations/{}", r.file_name()), &r.render());
    }
    p.write("schema.sql", &last);
    assert!(p.strata(&["check"]).ok().contains("ok:"), "the model is what the revisions build");
    p
}

#[test]
fn a_branched_history_runs_in_alembic_on_sqlite_and_postgresql_as_in_strata() {
    let p = branched_project();
    let dir = export(&p);
    let merge = std::fs::read_to_string(dir.join("versions/m2_merge.py")).unwrap();
    assert!(merge.contains("down_revision: Union[str, Sequence[str], None] = (\"l1\", \"r1\",)"), "{merge}");
    let heads = alembic_ok(&dir, None, &["heads"]);
    assert!(heads.starts_with("n3 (head)"), "Alembic sees strata's one head:\n{heads}");
    let history = alembic_ok(&dir, None, &["history"]);
    assert!(history.contains("l1, r1 -> m2 (mergepoint)"), "{history}");
    let rebuild = std::fs::read_to_string(dir.join("versions/n3_headline_is_varchar.py")).unwrap();
    assert!(rebuild.contains("op.batch_alter_table(\"posts\", recreate=\"always\""), "{rebuild}");

    sqlite_round_trip(&p, &dir);
    let pg = Postgres::start();
    postgres_round_trip(&pg, &graph(&p), &dir);
}

/// The SQLModel example of `strata init --sqlmodel` and a second revision: a new field, a
/// longer VARCHAR (a rebuild on SQLite) and a new class with an indexed field.
fn sqlmodel_project() -> Project {
    let p = Project { dir: tempfile::tempdir().unwrap() };
    p.strata(&["init", "--sqlmodel"]).ok();
    p.strata(&["revision", "--autogenerate", "-m", "initial schema"]).ok();
    let models = p.read("models.py");
    let edits = [
        ("    provider: str = Field(max_length=50)\n", "    provider: str = Field(max_length=80)\n"),
        (
            "    email: str | None = Field(default=None, max_length=255, index=True)\n",
            "    email: str | None = Field(default=None, max_length=255, index=True)\n    phone: str | None = Field(default=None, max_length=20)\n",
        ),
    ];
    let mut text = models.clone();
    for (from, to) in edits {
        assert!(text.contains(from), "the example models changed; update this test:\n{models}");
        text = text.replace(from, to);
    }
    text.push_str("\n\nclass Team(SQLModel, table=True):\n    id: int | None = Field(default=None, primary_key=True)\n    name: str = Field(index=True)\n");
    p.write("models.py", &text);
    let gen = p.strata(&["revision", "--autogenerate", "-m", "teams and phones"]);
    assert!(gen.ok().contains("create table team"), "{}", gen.stdout);
    p
}

#[test]
fn a_sqlmodel_history_runs_in_alembic_and_alembic_check_agrees_with_the_models() {
    let p = sqlmodel_project();
    let dir = export(&p);
    assert_eq!(std::fs::read_to_string(dir.join("models.py")).unwrap(), p.read("models.py"), "the models file is copied beside env.py");
    let env = std::fs::read_to_string(dir.join("env.py")).unwrap();
    assert!(env.contains("import models") && env.contains("target_metadata = SQLModel.metadata"), "{env}");

    sqlite_round_trip(&p, &dir);
    // Alembic's autogenerate compares the database the exported history built with the models.
    let check = alembic_ok(&dir, None, &["check"]);
    assert!(check.contains("No new upgrade operations detected"), "{check}");
    let pg = Postgres::start();
    postgres_round_trip(&pg, &graph(&p), &dir);

    // `alembic check` is no rubber stamp: a field the history does not add is found.
    let models = dir.join("models.py");
    let grown = std::fs::read_to_string(&models).unwrap().replace("    name: str = Field(index=True)\n", "    name: str = Field(index=True)\n    motto: str | None = None\n");
    std::fs::write(&models, &grown).unwrap();
    let found = alembic(&dir, None, &["check"]).expect_err("alembic check must report the new field");
    assert!(found.contains("New upgrade operations detected") && found.contains("motto"), "{found}");
    // Going on in Alembic: autogenerate writes the next revision on top of strata's head.
    let made = alembic_ok(&dir, None, &["revision", "--autogenerate", "-m", "motto"]);
    assert!(made.contains("Detected added column 'team.motto'"), "{made}");
    let head = graph(&p).heads()[0].to_string();
    let next = std::fs::read_dir(dir.join("versions")).unwrap().map(|e| e.unwrap().path()).find(|f| f.to_string_lossy().ends_with("_motto.py")).unwrap();
    let next = std::fs::read_to_string(next).unwrap();
    assert!(next.contains(&format!("down_revision: Union[str, Sequence[str], None] = '{head}'")) && next.contains("import sqlmodel"), "{next}");
    alembic_ok(&dir, None, &["upgrade", "head"]);
    assert!(alembic_ok(&dir, None, &["check"]).contains("No new upgrade operations detected"));
}

#[test]
fn alembic_project_refuses_a_folder_that_is_not_empty_and_a_second_folder() {
    let p = branched_project();
    p.write("taken/notes.txt", "mine");
    let out = p.strata(&["export", "--format", "alembic-project", "taken"]);
    assert!(out.fails().contains("exists and is not empty, and nothing was written"), "{}", out.stderr);
    assert_eq!(std::fs::read_dir(p.path("taken")).unwrap().count(), 1, "nothing was added");
    let out = p.strata(&["export", "--format", "alembic-project", "a", "--output", "b"]);
    assert_eq!(out.code, 2, "two folders are a usage error: {}", out.stderr);
    assert!(!p.path("a").exists() && !p.path("b").exists());
    // An empty folder is fine.
    std::fs::create_dir(p.path("empty")).unwrap();
    p.strata(&["export", "--format", "alembic-project", "empty"]).ok();
    assert!(p.path("empty/versions/m2_merge.py").exists());
}
