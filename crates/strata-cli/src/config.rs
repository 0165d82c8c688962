//! The project: `strata.toml`, the paths it names (relative to the file), the revision files of
//! the migrations folder, and database connections with the busy timeout set.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use anyhow::{bail, Context, Result};
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};
use strata_core::migrate::{Clock, DEFAULT_VERSION_TABLE};
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
    "schema.sql".into()
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
    pub model: PathBuf,
    pub migrations: PathBuf,
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
        let cfg: Config = toml::from_str(&text).with_context(|| format!("{} is not a valid strata project file", path.display()))?;
        // Paths inside the current folder are shown relative to it, as the user would type them.
        let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let root = match std::env::current_dir() {
            Ok(cwd) => root.strip_prefix(&cwd).map(Path::to_path_buf).unwrap_or(root),
            Err(_) => root,
        };
        let at = |p: &str| if Path::new(p).is_absolute() { PathBuf::from(p) } else { root.join(p) };
        Ok(Project {
            database: database.map(Path::to_path_buf).unwrap_or_else(|| at(&cfg.database)),
            model: at(&cfg.model),
            migrations: at(&cfg.migrations),
            config: cfg,
            root,
        })
    }

    pub fn version_table(&self) -> &str {
        &self.config.version_table
    }

    /// Reads every `*.sql` file of the migrations folder into the revision graph.
    pub fn revisions(&self) -> Result<Revisions> {
        let mut revs = Vec::new();
        let mut files = BTreeMap::new();
        if self.migrations.is_dir() {
            let mut paths: Vec<PathBuf> = std::fs::read_dir(&self.migrations)
                .with_context(|| format!("cannot list {}", self.migrations.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "sql"))
                .collect();
            paths.sort();
            for p in paths {
                let text = std::fs::read_to_string(&p).with_context(|| format!("cannot read {}", p.display()))?;
                let rev = Revision::parse(&text).with_context(|| format!("revision file {}", p.display()))?;
                if let Some(other) = files.insert(rev.id.clone(), p.clone()) {
                    bail!("{} and {} both have id {}; give each revision its own id", other.display(), p.display(), rev.id);
                }
                revs.push(rev);
            }
        }
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
        if ext == "py" {
            // The error already says "line L, column C: ..."; led by the path it reads as the
            // `file:line:column` editors and terminals know.
            return strata_core::sqlmodel::from_sqlmodel(&text).with_context(|| self.model.display().to_string());
        }
        strata_core::from_sql(&text).with_context(|| format!("model {}", self.model.display()))
    }

    /// Opens the database for writing (creating the file if needed), waiting for other writers.
    /// Foreign keys are enforced as an application would have them, so a revision cannot leave
    /// orphaned rows; the runner switches them off around table rebuilds and checks them after.
    pub fn open(&self) -> Result<Connection> {
        if let Some(parent) = self.database.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let conn = Connection::open(&self.database).with_context(|| format!("cannot open database {}", self.database.display()))?;
        conn.busy_timeout(std::time::Duration::from_millis(self.config.busy_timeout_ms))?;
        conn.execute_batch("PRAGMA foreign_keys = ON")?;
        Ok(conn)
    }

    /// Opens the database read-only; `None` when the file does not exist (it is not created).
    pub fn open_read_only(&self) -> Result<Option<Connection>> {
        if !self.database.exists() {
            return Ok(None);
        }
        let conn = Connection::open_with_flags(&self.database, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .with_context(|| format!("cannot open database {}", self.database.display()))?;
        conn.busy_timeout(std::time::Duration::from_millis(self.config.busy_timeout_ms))?;
        Ok(Some(conn))
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

/// The system clock: UTC wall time for `applied_at`, a monotonic clock for durations.
pub struct SystemClock(Instant);

impl SystemClock {
    pub fn new() -> Self {
        SystemClock(Instant::now())
    }
}

impl Clock for SystemClock {
    fn now_utc(&self) -> String {
        humantime::format_rfc3339_millis(SystemTime::now()).to_string()
    }
    fn millis(&self) -> f64 {
        self.0.elapsed().as_secs_f64() * 1000.0
    }
}

/// The creation time written into new revisions, to the second.
pub fn created_now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}
