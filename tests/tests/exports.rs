//! Exports run for real. Every round-trip case of `tests/test_data/` (every kind of change) and
//! the SQLModel cases of `tests/test_data_exports/` become a two-revision graph (base: empty →
//! `from`; the revision: `from` → `to`). The Alembic scripts are run with the pinned alembic from
//! `scripts/python-env.sh` (upgrade head on a populated SQLite file, downgrade to the base,
//! downgrade to nothing) and each resulting schema is compared with strata's; the PostgreSQL
//! scripts are run up and down on a throwaway server from `scripts/postgres.sh` and compared
//! table by table through PostgreSQL's catalog.

mod pyenv;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use rusqlite::Connection;
use strata_core::export::{self, alembic, postgres, ExportInput};
use strata_engine::migrate;
use strata_engine::migrate::Replay;
use strata_core::revision::{Graph, Revision};
use strata_core::schema::{Schema, Sql};
use strata_core::sqlmodel::from_sqlmodel;
use strata_core::{Model};
use strata_engine::{introspect, model};

use pyenv::Postgres;

const CREATED: &str = "2026-11-26T12:00:00Z";

/// One case: a name, the model before and the model after (with its rename annotations).
struct Case {
    name: String,
    from: Model,
    to: Model,
}

fn read_model(path: &Path) -> Model {
    let text = std::fs::read_to_string(path).unwrap();
    if path.extension().is_some_and(|e| e == "py") {
        from_sqlmodel(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    } else {
        model::from_sql(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for dir in ["tests/test_data", "tests/test_data_exports"] {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(pyenv::root().join(dir)).unwrap().map(|e| e.unwrap().path()).collect();
        dirs.sort();
        for d in dirs {
            let pick = |stem: &str| ["sql", "py"].iter().map(|e| d.join(format!("{stem}.{e}"))).find(|p| p.exists());
            if let (Some(f), Some(t)) = (pick("from"), pick("to")) {
                out.push(Case { name: d.file_name().unwrap().to_string_lossy().into_owned(), from: read_model(&f), to: read_model(&t) });
            }
        }
    }
    assert!(out.len() >= 25, "expected the round-trip cases, found {}", out.len());
    out
}

/// The case as a graph of two revisions, the way the CLI stores them.
fn graph(case: &Case) -> (Graph, String, String) {
    let base_id = "0000base".to_string();
    let rev_id = "1111next".to_string();
    let base = migrate::between(&Schema::default(), &case.from, &[]).revision(&base_id, vec![], "base", CREATED);
    let rev = migrate::between(&case.from.schema, &case.to, &[]).revision(&rev_id, vec![base_id.clone()], &format!("case {}", case.name), CREATED);
    (Graph::new(vec![base, rev]).unwrap(), base_id, rev_id)
}

/// SQLAlchemy's SQLite dialect writes `DEFAULT (1.5)` for a default that is not a single word
/// or quoted; the value is the same, so defaults compare without one outer pair of parentheses.
fn loosen(mut s: Schema) -> Schema {
    for t in s.tables.values_mut() {
        for c in &mut t.columns {
            if let Some(d) = &c.default {
                let x = d.as_str().trim();
                if x.starts_with('(') && x.ends_with(')') && !x[1..x.len() - 1].contains(['(', ')']) {
                    c.default = Some(Sql::new(x[1..x.len() - 1].to_string()));
                }
            }
        }
    }
    s
}

#[test]
fn for_revision_recovers_the_schemas_and_renames_from_the_revision_sql() {
    for case in cases() {
        let (g, _, rev_id) = graph(&case);
        let got = ExportInput::for_revision(&g, &rev_id, &Replay { version_table: "schema_version" }).unwrap();
        assert!(got.faithful, "{}: the revision's SQL is strata's own plan, so the export must be faithful", case.name);
        assert_eq!(got.from, case.from.schema, "{}", case.name);
        assert_eq!(got.to, case.to.schema, "{}", case.name);
        let mut want = case.to.renames.clone();
        want.sort_by_key(|r| format!("{r:?}"));
        let mut have = got.renames.clone();
        have.sort_by_key(|r| format!("{r:?}"));
        assert_eq!(have, want, "{}: renames read back from the SQL", case.name);
    }
}

#[test]
fn hand_edited_revisions_are_exported_verbatim_and_say_so() {
    let base = Revision::new("aaaa", vec![], "base", CREATED, "CREATE TABLE t (id INTEGER PRIMARY KEY, n INT);\n", "DROP TABLE t;\n");
    let rev = Revision::new(
        "bbbb",
        vec!["aaaa".into()],
        "backfill",
        CREATED,
        "ALTER TABLE t ADD COLUMN m INT;\nUPDATE t SET m = n * 2;\n",
        "ALTER TABLE t DROP COLUMN m;\n",
    );
    let g = Graph::new(vec![base, rev]).unwrap();
    let input = ExportInput::for_revision(&g, "bbbb", &Replay { version_table: "schema_version" }).unwrap();
    assert!(!input.faithful);
    let script = alembic(&input);
    assert!(script.contains("op.execute(\"UPDATE t SET m = n * 2\")"), "{script}");
    assert!(script.contains("written or edited by hand"), "{script}");
    let pg = postgres(&input);
    assert!(pg.up.contains("UPDATE t SET m = n * 2;") && pg.notes.iter().any(|n| n.contains("edited by hand")), "{pg:?}");
}

#[test]
fn hand_written_creates_export_as_operations() {
    // Spelled the way a person writes it, not the way strata plans it, but it only creates
    // new objects and its down only drops them: the op.* form is equivalent.
    let base = Revision::new("aaaa", vec![], "base", CREATED, "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);\n", "DROP TABLE users;\n");
    let rev = Revision::new(
        "bbbb",
        vec!["aaaa".into()],
        "identities",
        CREATED,
        "create table identities (\n  id integer primary key,\n  user_id integer not null references users (id)\n);\ncreate index identities_user on identities (user_id);\n",
        "DROP INDEX identities_user;\nDROP TABLE identities;\n",
    );
    let g = Graph::new(vec![base, rev]).unwrap();
    for id in ["aaaa", "bbbb"] {
        let input = ExportInput::for_revision(&g, id, &Replay { version_table: "schema_version" }).unwrap();
        assert!(input.faithful, "{id}");
        let script = alembic(&input);
        assert!(script.contains("op.create_table(") && !script.contains("edited by hand"), "{script}");
    }

    // A down that drops something else, a table made from a query, or a row written: verbatim.
    for (up, down) in [
        ("CREATE TABLE t (x INT UNIQUE);", "DROP TABLE users;"),
        ("CREATE TABLE t AS SELECT 1 AS x;", "DROP TABLE t;"),
        ("CREATE TABLE t (x INT);\nINSERT INTO t VALUES (1);", "DROP TABLE t;"),
    ] {
        let base = Revision::new("aaaa", vec![], "base", CREATED, "CREATE TABLE users (id INTEGER PRIMARY KEY);\n", "DROP TABLE users;\n");
        let rev = Revision::new("bbbb", vec!["aaaa".into()], "t", CREATED, up, down);
        let g = Graph::new(vec![base, rev]).unwrap();
        let input = ExportInput::for_revision(&g, "bbbb", &Replay { version_table: "schema_version" }).unwrap();
        assert!(!input.faithful, "{up} / {down}");
    }
}

#[test]
fn alembic_script_header_follows_the_graph() {
    let case = cases().into_iter().find(|c| c.name == "add_column_native").unwrap();
    let input = ExportInput::from_schemas("cafe01", vec!["base01".into(), "side02".into()], "merge and add", CREATED, case.from.schema, case.to.schema, vec![]);
    let s = alembic(&input);
    assert!(s.contains("revision: str = \"cafe01\""), "{s}");
    assert!(s.contains("down_revision: Union[str, Sequence[str], None] = (\"base01\", \"side02\",)"), "{s}");
    assert!(s.contains("Revises: base01, side02"), "{s}");
    assert!(!s.contains("import sqlmodel"), "no SQLModel type, no import:\n{s}");
    let base = ExportInput::from_schemas("base01", vec![], "base", CREATED, Schema::default(), input.from.clone(), vec![]);
    assert!(alembic(&base).contains("down_revision: Union[str, Sequence[str], None] = None"));

    let sm = cases().into_iter().find(|c| c.name == "sqlmodel_users_v2").unwrap();
    let input = ExportInput::from_schemas("cafe02", vec!["base01".into()], "users v2", CREATED, sm.from.schema, sm.to.schema, vec![]);
    let s = alembic(&input);
    assert!(s.contains("import sqlmodel\n") && s.contains("sqlmodel.sql.sqltypes.AutoString(length=20)"), "{s}");
    assert!(s.contains("op.batch_alter_table(\"usertable\", recreate=\"always\""), "{s}");
}

#[test]
fn plain_sql_files_are_complete_scripts_with_the_version_row() {
    let case = cases().into_iter().find(|c| c.name == "rename_column").unwrap();
    let (g, _, rev_id) = graph(&case);
    let files = export::sql_files(g.get(&rev_id).unwrap(), "schema_version");
    assert_eq!(files.up_name, "1111next_case_rename_column.sql");
    assert_eq!(files.down_name, "1111next_case_rename_column_rollback.sql");
    // Run both files through SQLite on a database at `from`: up gives `to`, down gives `from`.
    let conn = Connection::open_in_memory().unwrap();
    model::execute_script(&conn, &strata_core::render::schema_sql(&case.from.schema)).unwrap();
    conn.execute_batch(&files.up).unwrap();
    assert_eq!(introspect::introspect_excluding(&conn, &["schema_version"]).unwrap(), case.to.schema);
    let n: i64 = conn.query_row("SELECT count(*) FROM schema_version WHERE version = '1111next'", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1);
    conn.execute_batch(&files.down).unwrap();
    assert_eq!(introspect::introspect_excluding(&conn, &["schema_version"]).unwrap(), case.from.schema);
}

// ---------------------------------------------------------------------------------------------
// Alembic, for real

const ALEMBIC_INI: &str = "[alembic]\nscript_location = .\nsqlalchemy.url = sqlite:///db.sqlite\n";

const ENV_PY: &str = r#"from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
engine = engine_from_config(config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
"#;

fn alembic_cmd(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new(pyenv::python()).args(["-m", "alembic", "-c", "alembic.ini"]).args(args).current_dir(dir).output().unwrap();
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "alembic {} failed:\n{}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn sqlite_schema(dir: &Path) -> Schema {
    let conn = Connection::open(dir.join("db.sqlite")).unwrap();
    introspect::introspect_excluding(&conn, &["alembic_version"]).unwrap()
}

/// Writes the graph's revisions as Alembic scripts into a fresh environment.
fn alembic_env(g: &Graph, ids: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("alembic.ini"), ALEMBIC_INI).unwrap();
    std::fs::write(dir.path().join("env.py"), ENV_PY).unwrap();
    std::fs::create_dir(dir.path().join("versions")).unwrap();
    for id in ids {
        let input = ExportInput::for_revision(g, id, &Replay { version_table: "schema_version" }).unwrap();
        std::fs::write(dir.path().join(format!("versions/{id}.py")), alembic(&input)).unwrap();
    }
    dir
}

fn run_alembic_case(case: &Case) -> Result<(), String> {
    let (g, base_id, rev_id) = graph(case);
    let dir = alembic_env(&g, &[&base_id, &rev_id]);
    let d = dir.path();
    let script = || std::fs::read_to_string(d.join(format!("versions/{rev_id}.py"))).unwrap();
    let fail = |what: String| format!("{what}\n--- the exported script:\n{}", script());
    alembic_cmd(d, &["upgrade", &base_id])?;
    if loosen(sqlite_schema(d)) != loosen(case.from.schema.clone()) {
        return Err(fail(format!("after upgrade to the base: {:#?}\nwant {:#?}", sqlite_schema(d), case.from.schema)));
    }
    {
        // Rows in every table, so the batch copies carry data as they would in production.
        let conn = Connection::open(d.join("db.sqlite")).unwrap();
        strata_tests::fill(&conn, 3);
        // fill() wrote rows into Alembic's own table too; put its one row back.
        conn.execute_batch(&format!("DELETE FROM alembic_version; INSERT INTO alembic_version VALUES ('{base_id}')")).unwrap();
    }
    alembic_cmd(d, &["upgrade", "head"]).map_err(fail)?;
    let got = sqlite_schema(d);
    if loosen(got.clone()) != loosen(case.to.schema.clone()) {
        return Err(fail(format!("after upgrade head: {}\nwant {}", strata_core::render::schema_sql(&got), strata_core::render::schema_sql(&case.to.schema))));
    }
    alembic_cmd(d, &["downgrade", &base_id]).map_err(fail)?;
    let got = sqlite_schema(d);
    if loosen(got.clone()) != loosen(case.from.schema.clone()) {
        return Err(fail(format!("after downgrade: {}\nwant {}", strata_core::render::schema_sql(&got), strata_core::render::schema_sql(&case.from.schema))));
    }
    alembic_cmd(d, &["downgrade", "base"]).map_err(fail)?;
    if sqlite_schema(d) != Schema::default() {
        return Err(fail(format!("after downgrade base: {:#?}", sqlite_schema(d))));
    }
    Ok(())
}

#[test]
fn alembic_scripts_upgrade_and_downgrade_to_strata_s_schemas() {
    let cases = cases();
    let failures: Vec<String> = cases.iter().filter_map(|c| run_alembic_case(c).err().map(|e| format!("=== {}: {e}", c.name))).collect();
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}

/// Branches and a merge: the merge script's down_revision is a tuple, and Alembic walks the
/// same graph strata does.
#[test]
fn alembic_follows_branches_and_merges() {
    let base = migrate::between(&Schema::default(), &model::from_sql("CREATE TABLE t (id INTEGER PRIMARY KEY);").unwrap(), &[]).revision("b0", vec![], "base", CREATED);
    let after_base = model::schema_from_sql("CREATE TABLE t (id INTEGER PRIMARY KEY);").unwrap();
    let left = migrate::between(&after_base, &model::from_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT);").unwrap(), &[]).revision("l1", vec!["b0".into()], "left", CREATED);
    let right = migrate::between(&after_base, &model::from_sql("CREATE TABLE t (id INTEGER PRIMARY KEY);\nCREATE TABLE u (id INTEGER PRIMARY KEY);").unwrap(), &[]).revision("r1", vec!["b0".into()], "right", CREATED);
    let merge = Revision::new("m2", vec!["l1".into(), "r1".into()], "merge", CREATED, "", "");
    let g = Graph::new(vec![base, left, right, merge]).unwrap();
    let dir = alembic_env(&g, &["b0", "l1", "r1", "m2"]);
    let merge_script = std::fs::read_to_string(dir.path().join("versions/m2.py")).unwrap();
    assert!(merge_script.contains("down_revision: Union[str, Sequence[str], None] = (\"l1\", \"r1\",)"), "{merge_script}");
    alembic_cmd(dir.path(), &["upgrade", "head"]).unwrap();
    assert_eq!(sqlite_schema(dir.path()), migrate::head_schema(&g, "schema_version").unwrap());
    let heads = alembic_cmd(dir.path(), &["heads"]).unwrap();
    assert!(heads.starts_with("m2"), "{heads}");
    alembic_cmd(dir.path(), &["downgrade", "base"]).unwrap();
    assert_eq!(sqlite_schema(dir.path()), Schema::default());
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL, for real

/// What the catalog should say for a strata schema on PostgreSQL.
fn expected_shape(s: &Schema) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut put = |k: String| {
        out.insert(k.to_lowercase(), String::new());
    };
    for t in s.tables.values() {
        let rowid = t.rowid_alias().map(|c| c.name.to_string());
        for c in &t.columns {
            // Primary key and identity columns are NOT NULL on PostgreSQL whatever SQLite says.
            let in_pk = t.primary_key.as_ref().is_some_and(|pk| pk.columns.iter().any(|p| p.name == c.name));
            let (pg, _) = strata_core::export::postgres::pg_type(c.decl_type.as_str(), &c.name);
            put(format!("col {}.{} {} {}", t.name, c.name, c.not_null || in_pk || rowid.as_deref() == Some(&*c.name), udt_name(&pg)));
        }
        let mut counts: BTreeMap<char, usize> = BTreeMap::new();
        if t.primary_key.is_some() {
            *counts.entry('p').or_default() += 1;
        }
        *counts.entry('u').or_default() += t.uniques.len();
        *counts.entry('f').or_default() += t.foreign_keys.len();
        *counts.entry('c').or_default() += t.checks.len();
        for (k, n) in counts {
            if n > 0 {
                put(format!("con {} {k} {n}", t.name));
            }
        }
    }
    for i in s.indexes.values() {
        put(format!("idx {} on {}", i.name, i.table));
    }
    for v in s.views.values() {
        put(format!("view {}", v.name));
    }
    out
}

/// The catalog's name (`information_schema.columns.udt_name`) of a type the export writes.
fn udt_name(pg: &str) -> &'static str {
    let base = pg.split('(').next().unwrap().trim();
    match base {
        "INTEGER" => "int4",
        "BIGINT" => "int8",
        "SMALLINT" => "int2",
        "VARCHAR" => "varchar",
        "CHAR" => "bpchar",
        "TEXT" => "text",
        "DOUBLE PRECISION" => "float8",
        "REAL" => "float4",
        "BOOLEAN" => "bool",
        "TIMESTAMP WITHOUT TIME ZONE" | "TIMESTAMP" => "timestamp",
        "DATE" => "date",
        "TIME" => "time",
        "BYTEA" => "bytea",
        "NUMERIC" => "numeric",
        "UUID" => "uuid",
        "JSON" => "json",
        other => panic!("the test knows no catalog name for {other}"),
    }
}

fn diff_shapes(got: &BTreeMap<String, String>, want: &BTreeMap<String, String>) -> Option<String> {
    let missing: Vec<&String> = want.keys().filter(|k| !got.contains_key(*k)).collect();
    let extra: Vec<&String> = got.keys().filter(|k| !want.contains_key(*k)).collect();
    (!missing.is_empty() || !extra.is_empty()).then(|| format!("missing {missing:?}, unexpected {extra:?}"))
}

fn run_postgres_case(pg: &Postgres, case: &Case) -> Result<(), String> {
    pg.reset();
    let (g, base_id, rev_id) = graph(case);
    let base = postgres(&ExportInput::for_revision(&g, &base_id, &Replay { version_table: "schema_version" }).unwrap());
    let rev = postgres(&ExportInput::for_revision(&g, &rev_id, &Replay { version_table: "schema_version" }).unwrap());
    let step = |label: &str, sql: &str, want: &Schema| -> Result<(), String> {
        pg.psql(sql).map_err(|e| format!("{label} failed: {e}\n--- script:\n{sql}"))?;
        diff_shapes(&pg.shape(), &expected_shape(want)).map(|d| Err(format!("{label}: {d}\n--- script:\n{sql}"))).unwrap_or(Ok(()))
    };
    step("base up", &base.up, &case.from.schema)?;
    step("revision up", &rev.up, &case.to.schema)?;
    step("revision down", &rev.down, &case.from.schema)?;
    step("revision up again", &rev.up, &case.to.schema)?;
    step("revision down again", &rev.down, &case.from.schema)?;
    step("base down", &base.down, &Schema::default())?;
    Ok(())
}

/// Cases whose SQLite expressions PostgreSQL's stricter typing rejects. The export copies
/// expressions as written (and its header says so), so these must fail with exactly this error;
/// anything else, including passing, is a failure of the test.
const NOT_PORTABLE: &[(&str, &str)] = &[
    ("quoted_names_survive_rebuild", "function length(integer) does not exist"),
    ("trigger_mentions_another_rebuilt_table", "function length(integer) does not exist"),
    ("view_over_rebuilt_table", "operator does not exist: text >= integer"),
];

#[test]
fn postgres_scripts_run_up_and_down_on_a_real_server() {
    let pg = Postgres::start();
    let cases = cases();
    let mut failures = Vec::new();
    for c in &cases {
        let result = run_postgres_case(&pg, c);
        match (NOT_PORTABLE.iter().find(|(n, _)| *n == c.name), result) {
            (None, Ok(())) => {}
            (None, Err(e)) => failures.push(format!("=== {}: {e}", c.name)),
            (Some((_, want)), Err(e)) if e.contains(want) => {}
            (Some((_, want)), other) => failures.push(format!("=== {}: expected the PostgreSQL error {want:?}, got {other:?}", c.name)),
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}

#[test]
fn postgres_notes_name_the_differences() {
    let by_name = |n: &str| cases().into_iter().find(|c| c.name == n).unwrap();
    let notes = |c: &Case| postgres(&ExportInput::from_schemas("x1", vec![], "m", CREATED, c.from.schema.clone(), c.to.schema.clone(), c.to.renames.clone()));
    let e = notes(&by_name("change_view_and_trigger"));
    assert!(e.notes.iter().any(|n| n.contains("trigger tr is SQLite SQL and is not translated")), "{:?}", e.notes);
    let e = notes(&by_name("change_type"));
    assert!(e.up.contains("ALTER TABLE \"items\" ALTER COLUMN \"price\" TYPE REAL USING \"price\"::REAL;"), "{}", e.up);
    assert!(e.up.contains("SET LOCAL lock_timeout") && e.up.contains("BEGIN;") && e.up.contains("COMMIT;"));
    let e = notes(&by_name("add_not_null"));
    assert!(e.up.contains("UPDATE \"items\" SET \"name\" = 'unnamed' WHERE \"name\" IS NULL;") && e.up.contains("SET NOT NULL;"), "{}", e.up);
    let e = notes(&by_name("add_table"));
    assert!(e.up.contains("GENERATED BY DEFAULT AS IDENTITY") && e.up.contains("CREATE INDEX CONCURRENTLY"), "{}", e.up);
    let e = notes(&by_name("sqlmodel_users_v2"));
    assert!(e.notes.iter().any(|n| n.contains("CHAR(32)") && n.contains("UUID")), "{:?}", e.notes);
    assert!(e.up.contains("\"user_id\" UUID NOT NULL"), "{}", e.up);
    let e = notes(&by_name("sqlmodel_heroes_teams"));
    assert!(e.down.contains("\"team_id\" INTEGER") || e.up.contains("\"team_id\" INTEGER"), "{}", e.up);
}

/// The exports of the SQLModel cases are checked in beside them (`alembic.py`, `postgres.sql`),
/// so a reviewer sees what users get and every change to the output shows in the diff.
/// Regenerate with `UPDATE_EXPECT=1`.
#[test]
fn sqlmodel_case_exports_match_the_checked_in_files() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let dir = pyenv::root().join("tests/test_data_exports");
    for case in cases().into_iter().filter(|c| c.name.starts_with("sqlmodel_")) {
        let (g, _, rev_id) = graph(&case);
        let input = ExportInput::for_revision(&g, &rev_id, &Replay { version_table: "schema_version" }).unwrap();
        let pg = postgres(&input);
        let files = [
            ("alembic.py", alembic(&input)),
            ("postgres.sql", format!("-- upgrade\n{}\n-- downgrade\n{}", pg.up, pg.down)),
        ];
        for (name, text) in files {
            let path = dir.join(&case.name).join(name);
            if update {
                std::fs::write(&path, &text).unwrap();
            } else {
                let want = std::fs::read_to_string(&path).unwrap_or_default();
                assert!(want == text, "{} is stale; rerun with UPDATE_EXPECT=1 and review the diff\n--- now:\n{text}", path.display());
            }
        }
    }
}
