//! The project: `strata.toml`, the paths it names (relative to the file), the revision files of
//! the migrations folder, and database connections with the busy timeout set.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};
use strata_engine::migrate::DEFAULT_VERSION_TABLE;
use strata_engine::store::FolderStore;
use strata_core::revision::{Graph, Revision};
use strata_core::Model;

pub const CONFIG_FILE: &str = "strata.toml";

/// The settings `strata.toml` holds. Paths are relative to the file's folder.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default = "default_database")]
    pub database: String,
    #[serde(default = "default_model")]
    pub model: String,
    #[serde(default = "default_migrations")]
    pub migrations: String,
    #[serde(default = "default_version_table")]
    pub version_table: String,
    /// How long to wait for another process's write lock, in milliseconds.
    #[serde(default = "default_busy_timeout")]
    pub busy_timeout_ms: u64,
}

fn default_database() -> String {
    "app.db".into()
}
fn default_model() -> String {
    strata_core::project::ModelLanguage::Sql.file_name().into()
}
fn default_migrations() -> String {
    "migrations".into()
}
fn default_version_table() -> String {
    DEFAULT_VERSION_TABLE.into()
}
fn default_busy_timeout() -> u64 {
    30_000
}

impl Config {
    /// Reads the text of a `strata.toml`, refusing values strata could not use.
    pub fn from_toml(text: &str) -> Result<Config> {
        // An editor may have saved the file with a byte-order mark; TOML does not allow one.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let cfg: Config = toml::from_str(text)?;
        // SQLite counts its busy timeout in milliseconds as a 32-bit int; a larger value used
        // to reach rusqlite's `busy_timeout`, which panics on it.
        if i32::try_from(cfg.busy_timeout_ms).is_err() {
            bail!("busy_timeout_ms = {} is longer than SQLite can wait; give at most {} (milliseconds, about 24 days)", cfg.busy_timeout_ms, i32::MAX);
        }
        Ok(cfg)
    }

    /// The text of a `strata.toml` holding these settings, as `strata init` and `strata open`
    /// write it.
    pub fn to_file_text(&self) -> Result<String> {
        Ok(format!(
            "# strata project settings; paths are relative to this file.\n\
             # `--database PATH` or the STRATA_DATABASE variable override `database`.\n\
             {}",
            toml::to_string(self)?
        ))
    }

    /// Applies the connection settings to a newly opened connection: the lock waiter of
    /// `lock.rs`, which waits up to `busy_timeout_ms` for another connection's lock.
    pub fn configure(&self, conn: &mut Connection) -> Result<()> {
        conn.busy_handler(Some(crate::lock::waiter(std::time::Duration::from_millis(self.busy_timeout_ms))))?;
        Ok(())
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database: default_database(),
            model: default_model(),
            migrations: default_migrations(),
            version_table: default_version_table(),
            busy_timeout_ms: default_busy_timeout(),
        }
    }
}

/// A loaded project with its paths resolved.
pub struct Project {
    pub config: Config,
    /// The folder strata.toml is in.
    pub root: PathBuf,
    pub database: PathBuf,
    /// Where the database setting came from, and its text as written there.
    pub database_setting: (Setting, String),
    pub model: PathBuf,
    pub migrations: PathBuf,
}

/// Where a setting came from, so a message can say where to change it (and whether the mistake
/// is on the command line, a usage error).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    File,
    Flag,
    Environment,
}

/// A revision and the file it came from.
pub struct Revisions {
    pub graph: Graph,
    pub files: BTreeMap<String, PathBuf>,
}

impl Project {
    /// Loads `--config`, or the first strata.toml in the current folder or its parents.
    /// `database` (from `--database` or STRATA_DATABASE) replaces the configured database.
    pub fn load(config: Option<&Path>, database: Option<&Path>) -> Result<Project> {
        let path = match config {
            Some(p) => p.to_path_buf(),
            None => find_config()?,
        };
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let cfg = Config::from_toml(&text).with_context(|| format!("{} is not a valid strata project file", path.display()))?;
        // Paths inside the current folder are shown relative to it, as the user would type them.
        let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let root = match std::env::current_dir() {
            Ok(cwd) => root.strip_prefix(&cwd).map(Path::to_path_buf).unwrap_or(root),
            Err(_) => root,
        };
        let at = |p: &str| if Path::new(p).is_absolute() { PathBuf::from(p) } else { root.join(p) };
        // clap reads --database and STRATA_DATABASE into one value; the variable is the source
        // when it holds exactly that value.
        let database_setting = match database {
            None => (Setting::File, cfg.database.clone()),
            Some(d) if std::env::var_os("STRATA_DATABASE").is_some_and(|v| v == d.as_os_str()) => (Setting::Environment, d.to_string_lossy().into_owned()),
            Some(d) => (Setting::Flag, d.to_string_lossy().into_owned()),
        };
        Ok(Project {
            database: database.map(Path::to_path_buf).unwrap_or_else(|| at(&cfg.database)),
            database_setting,
            model: at(&cfg.model),
            migrations: at(&cfg.migrations),
            config: cfg,
            root,
        })
    }

    pub fn version_table(&self) -> &str {
        &self.config.version_table
    }

    /// The migrations folder as a revision store.
    pub fn store(&self) -> FolderStore {
        FolderStore::new(&self.migrations)
    }

    /// Reads every `*.sql` file of the migrations folder into the revision graph.
    pub fn revisions(&self) -> Result<Revisions> {
        let read = self.store().files()?;
        let files: BTreeMap<String, PathBuf> = read.iter().map(|(p, r)| (r.id.clone(), p.clone())).collect();
        let revs: Vec<Revision> = read.into_iter().map(|(_, r)| r).collect();
        let graph = Graph::new(revs).with_context(|| format!("the revisions in {} do not form a valid history", self.migrations.display()))?;
        Ok(Revisions { graph, files })
    }

    /// Reads the model: SQL DDL from a `.sql` file, SQLModel classes from a `.py` file.
    pub fn model(&self) -> Result<Model> {
        let ext = self.model.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext != "sql" && ext != "py" {
            bail!(
                "model file {}: name it .sql for SQL (CREATE TABLE ...) or .py for SQLModel classes, so strata knows how to read it",
                self.model.display()
            );
        }
        let text = std::fs::read_to_string(&self.model).with_context(|| format!("cannot read the model {}", self.model.display()))?;
        // Editors on Windows often save a byte-order mark; it is not part of the model.
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        if ext == "py" {
            // The error already says "line L, column C: ..."; led by the path it reads as the
            // `file:line:column` editors and terminals know.
            return strata_core::sqlmodel::from_sqlmodel(text).with_context(|| self.model.display().to_string());
        }
        strata_engine::from_sql(text).with_context(|| format!("model {}", self.model.display()))
    }

    /// Opens the database for writing (creating the file if needed), waiting for other writers.
    /// Foreign keys are enforced as an application would have them, so a revision cannot leave
    /// orphaned rows; the runner switches them off around table rebuilds and checks them after.
    /// An empty name or `:memory:` is refused: SQLite would migrate a temporary database that
    /// is gone when the command ends, and report success.
    pub fn open(&self) -> Result<Connection> {
        if let Some(what) = self.not_a_file() {
            let (setting, text) = &self.database_setting;
            let (place, is_usage) = match setting {
                Setting::File => ("`database` in strata.toml".to_string(), false),
                Setting::Flag => ("--database".to_string(), true),
                Setting::Environment => ("STRATA_DATABASE".to_string(), true),
            };
            let message = format!(
                "the database is {what} ({place} is {text:?}), so there is no file for this command to change and nothing was done; \
                 name a database file in {place}, such as \"app.db\""
            );
            return Err(if is_usage { crate::failure::usage(message) } else { anyhow::anyhow!(message) });
        }
        if let Some(parent) = self.database.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        // Without SQLITE_OPEN_URI, a name such as `file:x` is a file of that name like any other.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(&self.database, flags).with_context(|| format!("cannot open database {}", self.database.display()))?;
        self.wait_for_locks(&mut conn)?;
        conn.execute_batch("PRAGMA foreign_keys = ON")?;
        Ok(conn)
    }

    /// Opens the database to read it; `None` when the file does not exist (it is not created).
    ///
    /// The connection is opened read-write but set to `query_only`, and that is deliberate: a
    /// write that was cut short (kill -9, power loss) leaves a *hot journal* beside the
    /// database, and SQLite lets nobody read the file until a connection that can write has
    /// rolled it back. A read-only connection cannot, and fails with "attempt to write a
    /// readonly database" until some writer happens along; this one rolls the journal back on
    /// its first read, which restores the last committed state and writes nothing else, while
    /// `query_only` refuses any statement that would change the database.
    pub fn open_read_only(&self) -> Result<Option<Connection>> {
        if self.not_a_file().is_some() || !self.database.exists() {
            return Ok(None);
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(&self.database, flags).with_context(|| format!("cannot open database {}", self.database.display()))?;
        self.wait_for_locks(&mut conn)?;
        conn.execute_batch("PRAGMA query_only = ON")?;
        Ok(Some(conn))
    }

    /// Why the database setting names no file: it is empty or SQLite's in-memory database.
    fn not_a_file(&self) -> Option<&'static str> {
        match self.database_setting.1.trim() {
            "" => Some("not named"),
            ":memory:" => Some("SQLite's in-memory database"),
            _ => None,
        }
    }

    fn wait_for_locks(&self, conn: &mut Connection) -> Result<()> {
        self.config.configure(conn)
    }
}

fn find_config() -> Result<PathBuf> {
    let cwd = std::env::current_dir()?;
    for dir in cwd.ancestors() {
        let p = dir.join(CONFIG_FILE);
        if p.is_file() {
            return Ok(p);
        }
    }
    bail!("no {CONFIG_FILE} in {} or any folder above it; run `strata init` to create a project, or pass --config", cwd.display())
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_tests::fuzz::{self, Format, Rng, Settings};

    /// Reads `text` as strata.toml and, when it is accepted, applies it to a connection as
    /// `Project::open` does.
    fn read_config(text: &str) {
        if let Ok(cfg) = Config::from_toml(text) {
            let mut conn = Connection::open_in_memory().unwrap();
            cfg.configure(&mut conn).unwrap();
        }
    }

    /// No strata.toml panics strata (issue 11 §4): its reader fuzzed like the core's parsers
    /// (`tests/tests/fuzz.rs`; `STRATA_FUZZ_INPUTS`, `STRATA_FUZZ_SEED`).
    #[test]
    fn fuzz_strata_toml() {
        fuzz::run("config", &Settings::from_env(4000), |rng: &mut Rng| fuzz::input(rng, Format::Toml), read_config);
    }

    /// Found by `fuzz_strata_toml`: a busy timeout past what SQLite's int holds reached
    /// rusqlite's `busy_timeout`, which panics ("too big"), in every command.
    #[test]
    fn a_busy_timeout_sqlite_cannot_hold_is_refused_not_a_panic() {
        let e = Config::from_toml("busy_timeout_ms = 3000000000\n").unwrap_err();
        assert!(e.to_string().contains("longer than SQLite can wait"), "{e}");
        let cfg = Config::from_toml("busy_timeout_ms = 2147483647\n").unwrap();
        cfg.configure(&mut Connection::open_in_memory().unwrap()).unwrap();
    }
}
