//! A whole history as a runnable Alembic project: `alembic.ini`, `env.py`, the template
//! `alembic revision` writes new scripts from, the SQLModel models file when the model is one,
//! and `versions/` holding every revision as an Alembic script, chained as strata's graph is
//! (merges keep all their parents in `down_revision`). A team that prototyped its history in
//! strata takes the folder and goes on with Alembic.
//!
//! Pure: the files come back as (path, contents) pairs, paths relative to the project folder
//! with `/` between parts; the CLI writes them and the playground zips them.

use crate::export::{alembic, ExportError, ExportInput, HeadSchema};
use crate::revision::Graph;

/// The SQLModel file the model was read from: its file name (`models.py`) and its text.
#[derive(Clone, Copy, Debug)]
pub struct ModelsFile<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

/// The files of an Alembic project, and what a reader of the export should know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlembicProject {
    /// (path, contents), in the order they are best written: settings, environment, template,
    /// models, then one script per revision, parents before children.
    pub files: Vec<(String, String)>,
    /// Revisions whose SQL is not strata's plan for their schemas (written or edited by hand):
    /// their scripts run the SQLite statements as written.
    pub verbatim: Vec<String>,
}

/// Where the database is when nobody says otherwise: a SQLite file beside `alembic.ini`.
pub const DEFAULT_DATABASE: &str = "app.db";

/// The Alembic project for every revision of `graph`. `schemas` rebuilds the schemas the scripts
/// are planned from (strata-engine's `migrate::Replay`, which leaves the version table out);
/// `database` is the SQLite file name
/// `alembic.ini` points at (beside it); `models` is the SQLModel file when the model is one, and
/// then `env.py` hands its metadata to Alembic so `alembic check` and autogenerate compare the
/// database with the classes.
pub fn alembic_project(
    graph: &Graph,
    schemas: &dyn HeadSchema,
    database: &str,
    models: Option<ModelsFile<'_>>,
) -> Result<AlembicProject, ExportError> {
    let module = models.map(|m| module_name(m.name));
    let mut files = vec![
        ("alembic.ini".to_string(), alembic_ini(database)),
        ("env.py".to_string(), env_py(module.as_deref())),
        (
            "script.py.mako".to_string(),
            script_template(module.is_some()),
        ),
    ];
    if let (Some(m), Some(module)) = (models, &module) {
        files.push((format!("{module}.py"), m.text.to_string()));
    }
    let mut verbatim = Vec::new();
    for rev in graph.revisions() {
        let input = ExportInput::for_revision(graph, &rev.id, schemas)?;
        if !input.faithful {
            verbatim.push(rev.id.clone());
        }
        let stem = rev.file_name();
        files.push((
            format!("versions/{}.py", stem.trim_end_matches(".sql")),
            alembic(&input),
        ));
    }
    Ok(AlembicProject { files, verbatim })
}

/// The module the models file is imported as: its own name when Python can import it under
/// that name without shadowing a module the environment needs, otherwise `models`.
fn module_name(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let stem = base.strip_suffix(".py").unwrap_or(base);
    let identifier = stem
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && stem.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    const TAKEN: [&str; 10] = [
        "alembic",
        "sqlalchemy",
        "sqlmodel",
        "env",
        "os",
        "sys",
        "typing",
        "logging",
        "versions",
        "pydantic",
    ];
    if identifier && !TAKEN.contains(&stem) {
        stem.to_string()
    } else {
        "models".to_string()
    }
}

fn alembic_ini(database: &str) -> String {
    // Only a plain file name fits on the line; a line break or a folder would change what the
    // settings say, so such a name falls back to the default.
    let plain = !database.is_empty()
        && !database.contains(['/', '\\'])
        && !database.chars().any(char::is_control);
    // `%` starts an interpolation in alembic.ini, so a literal one is doubled.
    let database = if plain { database } else { DEFAULT_DATABASE }.replace('%', "%%");
    format!(
        r#"# Alembic settings for the history exported by strata.
#
# The revision scripts in versions/ keep strata's revision ids, so a database that strata
# already migrated joins this project with one `alembic stamp <the id strata current prints>`.

[alembic]
script_location = %(here)s
path_separator = os

# The database to migrate. Another one for a single command: alembic -x url=URL upgrade head
sqlalchemy.url = sqlite:///%(here)s/{database}

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
"#
    )
}

fn env_py(module: Option<&str>) -> String {
    let metadata = match module {
        Some(m) => format!(
            "# Importing the models file registers its table=True classes on SQLModel.metadata, which\n\
             # autogenerate and `alembic check` compare the database with.\n\
             import {m}  # noqa: E402,F401\n\
             from sqlmodel import SQLModel  # noqa: E402\n\
             \n\
             target_metadata = SQLModel.metadata\n"
        ),
        None => "# The model was SQL, so there are no Python classes to compare the database with. Set this\n\
                 # to your MetaData (or SQLModel.metadata) for autogenerate and `alembic check`.\n\
                 target_metadata = None\n"
            .to_string(),
    };
    format!(
        r#""""How Alembic connects for this project (exported by strata).

The database is sqlalchemy.url from alembic.ini unless a command names another one:
    alembic -x url=postgresql+psycopg://user@localhost/app upgrade head
On SQLite, autogenerate writes batch operations, since SQLite alters tables by rebuilding them.
"""
import os
import sys
from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

# The files beside this one (the models) import whatever the working directory is.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

{metadata}
config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")


def run_migrations_offline() -> None:
    """Writes the SQL instead of running it (alembic upgrade --sql)."""
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={{"paramstyle": "named"}},
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Runs the migrations on a live connection."""
    settings = config.get_section(config.config_ini_section, {{}})
    settings["sqlalchemy.url"] = url
    engine = engine_from_config(settings, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
"#
    )
}

/// The Mako template `alembic revision` fills in; SQLModel projects import `sqlmodel`, since
/// autogenerate writes its column types.
fn script_template(sqlmodel: bool) -> String {
    format!(
        r#""""${{message}}

Revision ID: ${{up_revision}}
Revises: ${{down_revision | comma,n}}
Create Date: ${{create_date}}
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
{}${{imports if imports else ""}}

# revision identifiers, used by Alembic.
revision: str = ${{repr(up_revision)}}
down_revision: Union[str, Sequence[str], None] = ${{repr(down_revision)}}
branch_labels: Union[str, Sequence[str], None] = ${{repr(branch_labels)}}
depends_on: Union[str, Sequence[str], None] = ${{repr(depends_on)}}


def upgrade() -> None:
    ${{upgrades if upgrades else "pass"}}


def downgrade() -> None:
    ${{downgrades if downgrades else "pass"}}
"#,
        if sqlmodel { "import sqlmodel\n" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::revision::Revision;
    use crate::schema::Schema;
    use crate::testing::schema;

    /// The schema at each head, given as DDL: what a test's revisions produce, written out.
    pub struct Known(pub Vec<(&'static str, &'static str)>);

    impl HeadSchema for Known {
        fn head_schema(&self, graph: &Graph) -> Result<Schema, Box<dyn std::error::Error + Send + Sync>> {
            let head = graph.single_head()?;
            let (_, ddl) = self.0.iter().find(|(id, _)| *id == head).ok_or_else(|| format!("no schema known for {head}"))?;
            Ok(schema(ddl))
        }
    }

    const CREATED: &str = "2026-01-01T00:00:00Z";

    fn graph() -> Graph {
        let base = Revision::new(
            "b0",
            vec![],
            "base",
            CREATED,
            "CREATE TABLE t (id INTEGER PRIMARY KEY);\n",
            "DROP TABLE t;\n",
        );
        let left = Revision::new(
            "l1",
            vec!["b0".into()],
            "left side",
            CREATED,
            "ALTER TABLE t ADD COLUMN x TEXT;\n",
            "ALTER TABLE t DROP COLUMN x;\n",
        );
        let right = Revision::new(
            "r1",
            vec!["b0".into()],
            "right",
            CREATED,
            "CREATE TABLE u (id INTEGER PRIMARY KEY);\n",
            "DROP TABLE u;\n",
        );
        let merge = Revision::new(
            "m2",
            vec!["l1".into(), "r1".into()],
            "merge",
            CREATED,
            "",
            "",
        );
        Graph::new(vec![base, left, right, merge]).unwrap()
    }

    /// The schemas `graph()` gives at each revision.
    fn schemas() -> Known {
        Known(vec![
            ("b0", "CREATE TABLE t (id INTEGER PRIMARY KEY);"),
            ("l1", "CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT);"),
            ("r1", "CREATE TABLE t (id INTEGER PRIMARY KEY); CREATE TABLE u (id INTEGER PRIMARY KEY);"),
            ("m2", "CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT); CREATE TABLE u (id INTEGER PRIMARY KEY);"),
        ])
    }

    fn paths(p: &AlembicProject) -> Vec<&str> {
        p.files.iter().map(|(path, _)| path.as_str()).collect()
    }

    #[test]
    fn every_revision_becomes_a_script_named_as_its_file() {
        let p = alembic_project(&graph(), &schemas(), DEFAULT_DATABASE, None).unwrap();
        assert_eq!(
            paths(&p),
            [
                "alembic.ini",
                "env.py",
                "script.py.mako",
                "versions/b0_base.py",
                "versions/l1_left_side.py",
                "versions/r1_right.py",
                "versions/m2_merge.py"
            ]
        );
        let merge = &p
            .files
            .iter()
            .find(|(n, _)| n == "versions/m2_merge.py")
            .unwrap()
            .1;
        assert!(
            merge.contains("down_revision: Union[str, Sequence[str], None] = (\"l1\", \"r1\",)"),
            "{merge}"
        );
        assert!(p.verbatim.is_empty(), "{:?}", p.verbatim);
    }

    #[test]
    fn sql_models_leave_target_metadata_empty_and_sqlmodel_models_import_the_file() {
        let p = alembic_project(&graph(), &schemas(), DEFAULT_DATABASE, None).unwrap();
        let env = &p.files[1].1;
        assert!(
            env.contains("target_metadata = None") && !env.contains("sqlmodel import"),
            "{env}"
        );
        assert!(!p.files[2].1.contains("import sqlmodel"));

        let models = ModelsFile {
            name: "app_models.py",
            text: "from sqlmodel import SQLModel\n",
        };
        let p =
            alembic_project(&graph(), &schemas(), DEFAULT_DATABASE, Some(models)).unwrap();
        assert!(paths(&p).contains(&"app_models.py"));
        let env = &p.files[1].1;
        assert!(
            env.contains("import app_models")
                && env.contains("target_metadata = SQLModel.metadata"),
            "{env}"
        );
        assert!(p.files[2].1.contains("import sqlmodel\n"));
    }

    #[test]
    fn a_models_file_python_cannot_import_by_its_name_is_written_as_models_py() {
        for name in [
            "my-models.py",
            "2models.py",
            "sqlmodel.py",
            "env.py",
            "dir/alembic.py",
            ".py",
        ] {
            assert_eq!(module_name(name), "models", "{name}");
        }
        assert_eq!(module_name("src/app/schema_v2.py"), "schema_v2");
    }

    #[test]
    fn the_database_path_is_escaped_for_alembic_ini() {
        let p = alembic_project(&graph(), &schemas(), "100%.db", None).unwrap();
        assert!(
            p.files[0]
                .1
                .contains("sqlalchemy.url = sqlite:///%(here)s/100%%.db"),
            "{}",
            p.files[0].1
        );
        for odd in ["a\nb.db", "", "../x.db"] {
            let p = alembic_project(&graph(), &schemas(), odd, None).unwrap();
            assert!(
                p.files[0]
                    .1
                    .contains("sqlalchemy.url = sqlite:///%(here)s/app.db\n"),
                "{odd:?}"
            );
        }
    }

    #[test]
    fn hand_edited_revisions_are_named() {
        let base = Revision::new(
            "b0",
            vec![],
            "base",
            CREATED,
            "CREATE TABLE t (id INTEGER PRIMARY KEY, n INT);\n",
            "DROP TABLE t;\n",
        );
        let fill = Revision::new(
            "f1",
            vec!["b0".into()],
            "fill",
            CREATED,
            "INSERT INTO t (n) VALUES (1);\n",
            "DELETE FROM t;\n",
        );
        let g = Graph::new(vec![base, fill]).unwrap();
        let t = "CREATE TABLE t (id INTEGER PRIMARY KEY, n INT);";
        let p = alembic_project(&g, &Known(vec![("b0", t), ("f1", t)]), DEFAULT_DATABASE, None).unwrap();
        assert_eq!(p.verbatim, ["f1"]);
    }
}
