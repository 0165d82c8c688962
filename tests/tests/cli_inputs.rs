//! The real `strata` binary on inputs that once crashed one of its parsers (found by the
//! fuzzer, `tests/fuzz.rs`): each is now refused with exit code 1 and a message that names what
//! is wrong, and nothing is written.

mod cli_support;

use cli_support::Project;

#[test]
fn a_busy_timeout_sqlite_cannot_hold_is_refused() {
    let p = Project::init();
    p.write("strata.toml", "database = \"app.db\"\nmodel = \"schema.sql\"\nmigrations = \"migrations\"\nbusy_timeout_ms = 2147483648\n");
    let out = p.strata(&["current"]).fails();
    assert!(out.contains("busy_timeout_ms = 2147483648 is longer than SQLite can wait"), "{out}");
    assert!(!out.contains("panicked"), "{out}");
    assert!(!p.db_path().exists(), "nothing is created when the configuration is refused");
}

#[test]
fn a_syntax_error_after_non_ascii_text_names_its_line() {
    let p = Project::init();
    p.write("schema.sql", "CREATE TABLE trigger (begin, ééééééééééééééééé);\nCREATE TABLE x (a b c d e f g h i j k ,);\n");
    let out = p.strata(&["revision", "--autogenerate", "-m", "first"]).fails();
    assert!(out.contains("line 2") && out.contains("syntax error"), "{out}");
    assert!(!out.contains("panicked"), "{out}");
    assert!(p.revision_files().is_empty(), "no revision is written");
}

#[test]
fn a_deeply_nested_sqlmodel_value_is_refused() {
    let p = Project::init();
    let config = p.read("strata.toml").replace("schema.sql", "models.py");
    p.write("strata.toml", &config);
    let deep = format!("{}1{}", "(".repeat(20_000), ")".repeat(20_000));
    p.write("models.py", &format!("from sqlmodel import Field, SQLModel\n\nclass A(SQLModel, table=True):\n    id: int = Field(default={deep}, primary_key=True)\n"));
    let out = p.strata(&["revision", "--autogenerate", "-m", "first"]).fails();
    assert!(out.contains("line 4") && out.contains("nested more than 50 levels"), "{out}");
    assert!(p.revision_files().is_empty(), "no revision is written");
}

#[test]
fn non_ascii_names_make_a_revision_that_applies() {
    let p = Project::init();
    p.write("schema.sql", "CREATE TABLE café (名前 TEXT, \"two words\" INT, [select] TEXT, `x\"y` INT, \"a]b\" INT);\nCREATE INDEX \"index é\" ON café (名前);\n");
    p.strata(&["revision", "--autogenerate", "-m", "names"]).ok();
    p.strata(&["upgrade", "head"]).ok();
    let cols: Vec<String> = p.db().prepare("SELECT name FROM pragma_table_info('café') ORDER BY cid").unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert_eq!(cols, ["名前", "two words", "select", "x\"y", "a]b"]);
    let out = p.strata(&["check"]);
    assert_eq!(out.code, 0, "the database matches the model: {}{}", out.stdout, out.stderr);
}
