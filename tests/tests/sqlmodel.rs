//! The SQLModel front-end against the real thing: every case under `tests/test_data_sqlmodel/`
//! is read by strata and compared with the schema of the DDL that SQLModel itself emits
//! (`expected.sql`, checked in, and regenerated live with the pinned sqlmodel from
//! `scripts/python-env.sh`); every unsupported form gives its error at its line and column; and
//! the `create_all()` simulation matches what create_all really does to an existing database.

mod pyenv;

use std::path::{Path, PathBuf};
use std::process::Command;

use rusqlite::Connection;
use strata_core::schema::Schema;
use strata_core::sqlmodel::{create_all, from_sqlmodel, schema_from_sqlmodel, Skipped};
use strata_core::{Rename};
use strata_engine::{introspect, model};

fn cases() -> Vec<PathBuf> {
    let dir = pyenv::root().join("tests/test_data_sqlmodel");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.join("model.py").exists()).collect();
    v.sort();
    assert!(v.len() >= 5, "expected the SQLModel cases in {dir:?}");
    v
}

fn strata_schema(case: &Path) -> Schema {
    let text = std::fs::read_to_string(case.join("model.py")).unwrap();
    schema_from_sqlmodel(&text).unwrap_or_else(|e| panic!("{}: {e}", case.display()))
}

/// Runs the real `SQLModel.metadata.create_all()` for a model file on `db` and returns the DDL
/// it left in sqlite_master.
fn real_create_all(model_py: &std::path::Path, db: &std::path::Path) -> String {
    pyenv::run(
        Command::new(pyenv::python()).arg(pyenv::root().join("tests/sqlmodel_create_all.py")).arg(model_py).arg(db),
        &format!("SQLModel create_all for {}", model_py.display()),
    )
}

#[test]
fn each_case_equals_the_checked_in_ddl_of_sqlmodel() {
    for case in cases() {
        let expected = std::fs::read_to_string(case.join("expected.sql")).unwrap();
        let want = model::schema_from_sql(&expected).unwrap();
        assert_eq!(strata_schema(&case), want, "case {}", case.display());
    }
}

#[test]
fn each_case_equals_what_the_real_sqlmodel_creates() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    for case in cases() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("real.sqlite");
        let ddl = real_create_all(&case.join("model.py"), &db);
        let conn = Connection::open(&db).unwrap();
        let real = introspect::introspect(&conn).unwrap();
        assert_eq!(strata_schema(&case), real, "case {}: strata and SQLModel disagree", case.display());
        let file = case.join("expected.sql");
        if update {
            std::fs::write(&file, &ddl).unwrap();
        } else {
            assert_eq!(std::fs::read_to_string(&file).unwrap(), ddl, "{} is stale; rerun with UPDATE_EXPECT=1", file.display());
        }
    }
}

#[test]
fn every_field_form_maps_to_its_column() {
    // (field line, table, column, declared type, NOT NULL, DEFAULT)
    let cases: &[(&str, &str, bool, Option<&str>)] = &[
        ("x: int", "INTEGER", true, None),
        ("x: int | None = None", "INTEGER", false, None),
        ("x: Optional[int] = None", "INTEGER", false, None),
        ("x: typing.Optional[int] = None", "INTEGER", false, None),
        ("x: Union[int, None] = None", "INTEGER", false, None),
        ("x: None | int = None", "INTEGER", false, None),
        ("x: str", "VARCHAR", true, None),
        ("x: str = Field(max_length=20)", "VARCHAR(20)", true, None),
        ("x: float = 1.0", "FLOAT", true, None),
        ("x: bool = False", "BOOLEAN", true, None),
        ("x: datetime", "DATETIME", true, None),
        ("x: datetime.datetime", "DATETIME", true, None),
        ("x: date", "DATE", true, None),
        ("x: datetime.date", "DATE", true, None),
        ("x: time", "TIME", true, None),
        ("x: timedelta", "DATETIME", true, None),
        ("x: uuid.UUID", "CHAR(32)", true, None),
        ("x: UUID", "CHAR(32)", true, None),
        ("x: bytes", "BLOB", true, None),
        ("x: Decimal", "NUMERIC", true, None),
        ("x: decimal.Decimal = Field(max_digits=9, decimal_places=3)", "NUMERIC(9, 3)", true, None),
        ("x: Decimal = Field(max_digits=9)", "NUMERIC(9)", true, None),
        ("x: Annotated[int, 'meta']", "INTEGER", true, None),
        ("x: str = Field(nullable=True)", "VARCHAR", false, None),
        ("x: str | None = Field(default=None, nullable=False)", "VARCHAR", true, None),
        ("x: str = None", "VARCHAR", true, None),
        ("x: str = Field(default='a', sa_column_kwargs={'server_default': 'a'})", "VARCHAR", true, Some("'a'")),
        ("x: int = Field(sa_column_kwargs={'server_default': text('7')})", "INTEGER", true, Some("7")),
        ("x: int = Field(sa_column_kwargs={'server_default': sa.text('-7')})", "INTEGER", true, Some("(-7)")),
        ("x: datetime = Field(sa_column_kwargs={'server_default': func.now()})", "DATETIME", true, Some("CURRENT_TIMESTAMP")),
        ("x: date = Field(sa_column_kwargs={'server_default': sa.func.current_date()})", "DATE", true, Some("CURRENT_DATE")),
        ("x: int = Field(default=3, ge=0, le=9, description='d', title='t', alias='y')", "INTEGER", true, None),
    ];
    for (field, ty, not_null, default) in cases {
        let src = format!("class T(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n    {field}\n");
        let s = schema_from_sqlmodel(&src).unwrap_or_else(|e| panic!("{field}: {e}"));
        let c = s.table("t").unwrap().column("x").unwrap_or_else(|| panic!("{field}: no column"));
        assert_eq!(c.decl_type.as_str(), *ty, "{field}");
        assert_eq!(c.not_null, *not_null, "{field}");
        assert_eq!(c.default.as_ref().map(|d| d.as_str()), *default, "{field}");
    }
}

#[test]
fn keys_indexes_and_foreign_keys_map_like_sqlmodel() {
    let src = "class P(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n\nclass C(SQLModel, table=True):\n    a: int = Field(primary_key=True, foreign_key='p.id', ondelete='CASCADE')\n    b: str = Field(primary_key=True)\n    u: str = Field(unique=True)\n    i: str = Field(index=True)\n    ui: str = Field(unique=True, index=True)\n";
    let sql = "CREATE TABLE p (id INTEGER NOT NULL, PRIMARY KEY (id));\nCREATE TABLE c (a INTEGER NOT NULL, b VARCHAR NOT NULL, u VARCHAR NOT NULL, i VARCHAR NOT NULL, ui VARCHAR NOT NULL, PRIMARY KEY (a, b), UNIQUE (u), FOREIGN KEY(a) REFERENCES p (id) ON DELETE CASCADE);\nCREATE INDEX ix_c_i ON c (i);\nCREATE UNIQUE INDEX ix_c_ui ON c (ui);";
    assert_eq!(schema_from_sqlmodel(src).unwrap(), model::schema_from_sql(sql).unwrap());
}

#[test]
fn rename_comments_become_rename_hints() {
    let src = "class User(SQLModel, table=True):  # @renamed from=account\n    id: int = Field(primary_key=True)\n    email_address: str  # @renamed from=email\n";
    let m = from_sqlmodel(src).unwrap();
    assert_eq!(
        m.renames,
        vec![
            Rename::Table { from: "account".into(), to: "user".into() },
            Rename::Column { table: "user".into(), from: "email".into(), to: "email_address".into() },
        ]
    );
}

/// The playground's demo model is what a visitor meets first on the SQLModel tab, so it is held
/// to what SQLModel itself creates from it (the web crate checks that it says the same schema as
/// the demo's SQL).
#[test]
fn the_playground_demo_model_is_what_sqlmodel_creates() {
    let py = pyenv::root().join("crates/strata-core/demo/model.py");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("real.sqlite");
    real_create_all(&py, &db);
    let real = introspect::introspect(&Connection::open(&db).unwrap()).unwrap();
    let text = std::fs::read_to_string(&py).unwrap();
    assert_eq!(schema_from_sqlmodel(&text).unwrap(), real);
}

/// Every unsupported or invalid form, with the exact message and where it points.
#[test]
fn every_unsupported_form_is_an_error_at_its_line_and_column() {
    let head = "from sqlmodel import Field, SQLModel\n\nclass T(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n";
    let cases: &[(&str, &str)] = &[
        ("    x: list[int]\n", "line 5, column 8: the field type `list[int]` is not supported"),
        ("    x: dict\n", "line 5, column 8: the field type `dict` is not supported"),
        ("    x: Color\n", "line 5, column 8: the field type `Color` is not supported"),
        ("    x: \"Tier\"\n", "line 5, column 8: the field type `\"Tier\"` is not supported"),
        ("    x: int | str\n", "line 5, column 8: the field type `int | str` is not supported"),
        ("    x: Union[int, str]\n", "line 5, column 8: the field type `Union[int, str]` is not supported"),
        ("    x: int = Field(sa_column=Column(ARRAY(Integer)))\n", "line 5, column 37: the SQLAlchemy type `ARRAY(...)` is not supported"),
        ("    x: int = Field(sa_type=Enum(Color))\n", "line 5, column 28: the SQLAlchemy type `Enum(...)` is not supported"),
        ("    x: int = Field(sa_type=String(30, collation='NOCASE'))\n", "line 5, column 39: the type option `collation` of String is not supported"),
        ("    x: int = Field(sa_column=Column(Integer), nullable=True)\n", "line 5, column 47: Field(sa_column=...) cannot be combined with nullable="),
        ("    x: int = Field(sa_column=Column(ForeignKey('t.id')))\n", "line 5, column 30: a Column without a type is not supported"),
        ("    x: int = Field(sa_column=Column(Integer, autoincrement=True))\n", "line 5, column 46: the Column option `autoincrement` is not supported"),
        ("    x: int = Field(sa_column=make())\n", "line 5, column 30: sa_column=make(...) is not supported"),
        ("    x: int = Field(sa_column_args=[ForeignKey('t.id')])\n", "line 5, column 20: Field(sa_column_args=...) is not supported"),
        ("    x: int = Field(colour=1)\n", "line 5, column 20: the Field option `colour` is not supported"),
        ("    x: int = Field(index=yes)\n", "line 5, column 26: `index=yes` is not supported"),
        ("    x: int = Field(max_length=n)\n", "line 5, column 31: `max_length=n` is not supported"),
        ("    x: int = Field(foreign_key=P.id)\n", "line 5, column 32: a foreign_key that is not a \"table.column\" string is not supported"),
        ("    x: int = Field(foreign_key='nodot')\n", "line 5, column 32: foreign_key \"nodot\" must name a column as \"table.column\""),
        ("    x: int = Field(foreign_key='nowhere.id')\n", "line 5, column 32: foreign key target table nowhere is not defined in this file"),
        ("    x: int = Field(foreign_key='t.nope')\n", "line 5, column 32: foreign key target column t.nope does not exist"),
        ("    x: int = Field(ondelete='CASCADE')\n", "line 5, column 20: ondelete needs foreign_key= on the same field"),
        ("    x: int = Field(foreign_key='t.id', ondelete='EXPLODE')\n", "line 5, column 49: ondelete=\"EXPLODE\" is not supported"),
        ("    x: int = Field(sa_column_kwargs={'server_default': 0})\n", "line 5, column 56: the server_default 0 is not supported"),
        ("    x: int = Field(sa_column_kwargs={'server_default': func.random()})\n", "line 5, column 56: the server_default func.random(...) is not supported"),
        ("    x: int = Field(sa_column_kwargs={'unique': True})\n", "line 5, column 38: the column option \"unique\" is not supported"),
        ("    x: int = Field(sa_column_kwargs=opts)\n", "line 5, column 37: sa_column_kwargs that is not a dict literal is not supported"),
        ("    x: int = Field(1, 2)\n", "line 5, column 23: more than one positional argument to Field() is not supported"),
        ("    x: int = Field(**opts)\n", "line 5, column 20: argument unpacking is not supported"),
        ("    x: int = make_default()\n", "line 5, column 14: a field value made by `make_default` is not supported"),
        ("    x: str = f\"a{b}\"\n", "line 5, column 14: an f-string is not supported"),
        ("    x: int = 1 if a else 2\n", "line 5, column 16: this expression is not supported"),
        ("    __table_args__ = (CheckConstraint('id > 0'),)\n", "line 5, column 23: `CheckConstraint(...)` in __table_args__ is not supported"),
        ("    __table_args__ = {'sqlite_autoincrement': True}\n", "line 5, column 22: a `__table_args__` that is not a tuple is not supported"),
        ("    __table_args__ = (UniqueConstraint('id', 'nope'),)\n", "line 5, column 46: UniqueConstraint names column nope, which table t does not have"),
        ("    __table_args__ = (UniqueConstraint('id', deferrable=True),)\n", "line 5, column 46: UniqueConstraint(deferrable=...) is not supported"),
        ("    __table_args__ = (Index('ix'),)\n", "line 5, column 23: Index ix needs at least one column"),
        ("    __table_args__ = (Index('ix', 'id', postgresql_where='x'),)\n", "line 5, column 41: Index(postgresql_where=...) is not supported"),
        ("    __mapper_args__ = {}\n", "line 5, column 5: `__mapper_args__` is not supported"),
        ("    __tablename__ = NAME\n", "line 5, column 5: a `__tablename__` that is not a string literal is not supported"),
        ("    print('hello')\n", "line 5, column 5: this statement in a class body is not supported"),
        ("    x: int = Field(\n", "line 5, column 19: `(` is never closed"),
        ("    x: int\n  y: int\n", "line 6, column 3: this line's indentation matches no outer block"),
        ("    x: int = 0x1G\n", "line 5, column 14: the number `0x1G` is not supported"),
        ("    x: str = 'open\n", "line 5, column 14: this string is never closed"),
        ("\nclass U(Base, table=True):\n    id: int = Field(primary_key=True)\n", "line 6, column 9: the base class `Base` is not supported"),
        ("\nclass U(T, table=True):\n    id2: int = Field(primary_key=True)\n", "line 6, column 9: inheriting from the table class T is not supported"),
        ("\nclass U(SQLModel, table=True, registry=r):\n    id: int = Field(primary_key=True)\n", "line 6, column 40: the class keyword `registry` is not supported"),
        ("\nclass U(SQLModel, table=True):\n    name: str\n", "line 6, column 1: table class U has no primary key"),
        ("\nclass U(Thing, table=True):\n    id: int = Field(primary_key=True)\n", "line 6, column 9: the base class `Thing` is not supported"),
        ("    x: Later\n\nclass Later(Enum):\n    a = 1\n", "line 5, column 8: the field type `Later` is not supported"),
        ("\nclass T2(SQLModel, table=True):\n    __tablename__ = 't'\n    id: int = Field(primary_key=True)\n", "line 6, column 1: table t is defined twice"),
    ];
    for (tail, want) in cases {
        let src = format!("{head}{tail}");
        let e = from_sqlmodel(&src).expect_err(tail);
        let msg = e.to_string();
        assert!(msg.starts_with(want), "for {tail:?}\n   got: {msg}\n  want: {want}...");
    }
}

#[test]
fn non_table_models_imports_and_code_are_ignored() {
    let src = "import os\nfrom sqlmodel import SQLModel\n\nclass Base(SQLModel):\n    x: list[int]\n\nengine = create_engine(os.environ['URL'])\n\ndef f():\n    return 1\n";
    assert_eq!(schema_from_sqlmodel(src).unwrap(), Schema::default());
}

/// The create_all() simulation against the real create_all on a database that already has an
/// older version of the tables.
#[test]
fn create_all_simulation_matches_the_real_create_all() {
    let old = "CREATE TABLE hero (id INTEGER NOT NULL, name VARCHAR NOT NULL, legacy TEXT, PRIMARY KEY (id));\n\
               CREATE TABLE old_stuff (id INTEGER PRIMARY KEY);\n\
               CREATE INDEX ix_old_stuff_id ON old_stuff (id);\n\
               CREATE VIEW v AS SELECT name FROM hero;";
    let model_py = "from sqlmodel import Field, SQLModel\n\n\
class Team(SQLModel, table=True):\n    id: int | None = Field(default=None, primary_key=True)\n    name: str = Field(index=True)\n\n\
class Hero(SQLModel, table=True):\n    id: int | None = Field(default=None, primary_key=True)\n    name: str = Field(max_length=50, index=True)\n    age: int | None = None\n    team_id: int | None = Field(default=None, foreign_key='team.id')\n";
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app.sqlite");
    let py = dir.path().join("model.py");
    std::fs::write(&py, model_py).unwrap();
    {
        let conn = Connection::open(&db).unwrap();
        model::execute_script(&conn, old).unwrap();
    }
    let live = model::schema_from_sql(old).unwrap();
    let sim = create_all(&live, &schema_from_sqlmodel(model_py).unwrap());

    real_create_all(&py, &db);
    let real = introspect::introspect(&Connection::open(&db).unwrap()).unwrap();
    assert_eq!(sim.after, real, "the simulated result differs from what create_all did");
    assert_eq!(sim.created_tables, vec!["team"]);
    assert_eq!(sim.created_indexes, vec!["ix_team_name"]);
    let said: Vec<String> = sim.skipped.iter().map(Skipped::describe).collect();
    for want in [
        "new column hero.age is not added (the table exists)",
        "new column hero.team_id is not added (the table exists)",
        "column hero.legacy is not dropped",
        "the type of column hero.name is not changed",
        "index ix_hero_name on existing table hero is not created",
        "table old_stuff is not in the model but is not dropped",
        "view v is left alone (SQLModel does not know it)",
        "add foreign key (team_id) to team on table hero is not applied",
    ] {
        assert!(said.iter().any(|s| s == want), "missing {want:?} in {said:#?}");
    }
    assert_eq!(said.len(), 8, "{said:#?}");
}
