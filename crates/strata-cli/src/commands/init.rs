//! `strata init`: a new project with its settings, an example model (SQL, or SQLModel with
//! `--sqlmodel`) and a migrations folder.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use strata_core::project::ModelLanguage;

use crate::args::InitArgs;
use crate::config::{Config, CONFIG_FILE};
use crate::output::{paint, BOLD, OK};

const EXAMPLE_MODEL: &str = "\
-- The schema the application wants. Edit it, then let strata write the migration:
--   strata revision --autogenerate -m \"describe the change\"
--   strata upgrade head
-- A renamed column keeps its data when annotated:  new_name TEXT, -- @renamed from=old_name

CREATE TABLE usertable (
    id TEXT PRIMARY KEY NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE useridentitytable (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES usertable (id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    provider_user_id TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (provider, provider_user_id)
);

CREATE INDEX idx_user_email ON usertable (email);
CREATE INDEX idx_identity_user ON useridentitytable (user_id);
";

/// The same two tables as SQLModel classes, for projects whose application already has them.
const EXAMPLE_SQLMODEL: &str = "\
# The schema the application wants, as SQLModel classes. Edit them, then let strata write the
# migration:
#   strata revision --autogenerate -m \"describe the change\"
#   strata upgrade head
# A renamed field keeps its data when annotated:  new_name: str  # @renamed from=old_name
# strata reads the classes without running Python; docs/sqlmodel.md lists what it understands.
import uuid
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Field, SQLModel


class UserTable(SQLModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str | None = Field(default=None, max_length=255, index=True)
    created_at: datetime = Field(sa_column_kwargs={\"server_default\": text(\"CURRENT_TIMESTAMP\")})
    updated_at: datetime = Field(sa_column_kwargs={\"server_default\": text(\"CURRENT_TIMESTAMP\")})


class UserIdentityTable(SQLModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key=\"usertable.id\", ondelete=\"CASCADE\", index=True)
    provider: str = Field(max_length=50)
    provider_user_id: str = Field(max_length=255)
    created_at: datetime = Field(sa_column_kwargs={\"server_default\": text(\"CURRENT_TIMESTAMP\")})
";

/// `db` as written from the project folder `dir`: paths in strata.toml are relative to it, while
/// the user typed `db` relative to the current folder.
pub(super) fn relative_to(dir: &Path, db: &Path) -> std::path::PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    let abs = |p: &Path| if p.is_absolute() { p.to_path_buf() } else { cwd.join(p) };
    let (dir, db) = (abs(dir), abs(db));
    let dir = dir.canonicalize().unwrap_or(dir);
    let db = match (db.parent(), db.file_name()) {
        (Some(parent), Some(name)) => parent.canonicalize().map(|p| p.join(name)).unwrap_or(db.clone()),
        _ => db,
    };
    db.strip_prefix(&dir).map(Path::to_path_buf).unwrap_or(db)
}

pub fn init(args: &InitArgs, database: Option<&Path>) -> Result<ExitCode> {
    if let Some(db) = database.map(|d| d.to_string_lossy()).filter(|d| d.trim().is_empty() || d.trim() == ":memory:") {
        return Err(crate::failure::usage(format!(
            "--database {db:?} names no database file, and every command that changes a database would refuse it; nothing was created. Name a file, such as --database app.db"
        )));
    }
    let dir = &args.dir;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let config_path = dir.join(CONFIG_FILE);
    if config_path.exists() {
        bail!("{} already exists; nothing was changed", config_path.display());
    }
    let mut config = Config::default();
    if args.sqlmodel {
        config.model = ModelLanguage::Sqlmodel.file_name().into();
    }
    // STRATA_DATABASE overrides a project at run time; only an explicit --database belongs in
    // the file.
    let from_env = std::env::var_os("STRATA_DATABASE").is_some_and(|v| database.is_some_and(|d| d.as_os_str() == v));
    if let Some(db) = database.filter(|_| !from_env) {
        config.database = relative_to(dir, db).to_string_lossy().into_owned();
    }
    let text = config.to_file_text()?;
    std::fs::write(&config_path, text).with_context(|| format!("cannot write {}", config_path.display()))?;
    let mut created = vec![config_path.display().to_string()];
    let model = dir.join(&config.model);
    if !model.exists() {
        let example = if args.sqlmodel { EXAMPLE_SQLMODEL } else { EXAMPLE_MODEL };
        std::fs::write(&model, example).with_context(|| format!("cannot write {}", model.display()))?;
        created.push(model.display().to_string());
    }
    let migrations = dir.join(&config.migrations);
    std::fs::create_dir_all(&migrations).with_context(|| format!("cannot create {}", migrations.display()))?;
    created.push(format!("{}/", migrations.display()));
    for c in &created {
        anstream::println!("{} {c}", paint(OK, "created"));
    }
    anstream::println!(
        "\nNext:\n  {}\n  {}",
        paint(BOLD, "strata revision --autogenerate -m \"initial schema\""),
        paint(BOLD, "strata upgrade head")
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `strata init` must never hand out a model that strata itself cannot read.
    #[test]
    fn both_example_models_are_read_without_error() {
        strata_engine::from_sql(EXAMPLE_MODEL).unwrap();
        let model = strata_core::sqlmodel::from_sqlmodel(EXAMPLE_SQLMODEL).unwrap();
        assert_eq!(model.schema.tables.len(), 2);
    }
}
