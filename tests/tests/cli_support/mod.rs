//! Helpers of the CLI end-to-end tests: find (and if needed build) the real `strata` binary,
//! lay out a project in a temporary folder, run commands in it, and read the database back.
// Each test binary includes this module and uses only some of its helpers.
#![allow(dead_code)]

pub mod bridge_story;
pub mod story;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use rusqlite::Connection;
use strata_core::revision::Revision;

/// The `strata` binary under test: `STRATA_BIN` when set (to test an installed build),
/// otherwise the workspace's own, built by cargo now if this test run did not build it. Cargo
/// only hands binary paths to tests of the binary's own package, so we ask cargo for it.
pub fn strata_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os("STRATA_BIN") {
            return PathBuf::from(p);
        }
        let mut cmd = Command::new(env!("CARGO"));
        cmd.args(["build", "--quiet", "-p", "strata-cli", "--bin", "strata", "--message-format=json"]);
        if !cfg!(debug_assertions) {
            cmd.arg("--release");
        }
        let out = cmd.current_dir(env!("CARGO_MANIFEST_DIR")).output().expect("cargo runs");
        assert!(out.status.success(), "cannot build strata:\n{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| v["reason"] == "compiler-artifact" && v["target"]["name"] == "strata")
            .find_map(|v| v["executable"].as_str().map(PathBuf::from))
            .expect("cargo reports the strata executable")
    })
}

/// What a command did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `strata ARGS` in `dir` (which need not hold a project), with colour and the database
/// variable cleared as [`Project::strata`] does.
pub fn strata_in(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = Command::new(strata_bin());
    cmd.args(args).current_dir(dir).env_remove("STRATA_DATABASE").env_remove("CLICOLOR_FORCE").env_remove("CLICOLOR").env("NO_COLOR", "1");
    Run::from(cmd.output().expect("strata runs"))
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "expected success\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        &self.stdout
    }

    /// Asserts exit code 1 and returns stderr and stdout together.
    #[track_caller]
    pub fn fails(&self) -> String {
        assert_eq!(self.code, 1, "expected exit code 1\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        format!("{}{}", self.stdout, self.stderr)
    }

    /// Asserts exit code 2 (a usage error) and returns stderr and stdout together.
    #[track_caller]
    pub fn usage(&self) -> String {
        assert_eq!(self.code, 2, "expected exit code 2 (usage)\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        format!("{}{}", self.stdout, self.stderr)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", self.stdout))
    }
}

/// A project in a temporary folder: strata.toml, a model and a migrations folder.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    /// A project made by `strata init`.
    pub fn init() -> Project {
        let p = Project { dir: tempfile::tempdir().unwrap() };
        p.strata(&["init"]).ok();
        p
    }

    /// A project made by `strata init` in memory-backed storage (`/dev/shm`) where there is
    /// one, for tests that write large databases many times: no disk flushes to wait for.
    /// Killing a process does not lose what it wrote to the page cache, so a kill -9 test means
    /// the same there.
    pub fn init_in_memory_storage() -> Project {
        let shm = Path::new("/dev/shm");
        let dir = if shm.is_dir() { tempfile::tempdir_in(shm).unwrap() } else { tempfile::tempdir().unwrap() };
        let p = Project { dir };
        p.strata(&["init"]).ok();
        p
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn db_path(&self) -> PathBuf {
        self.path("app.db")
    }

    /// Runs `strata ARGS` in the project folder with a clean environment for colour and paths.
    pub fn strata(&self, args: &[&str]) -> Run {
        Run::from(self.command(args).output().expect("strata runs"))
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(strata_bin());
        cmd.args(args).current_dir(self.dir.path()).env_remove("STRATA_DATABASE").env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE").env_remove("CLICOLOR");
        cmd
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap()
    }

    /// Writes a hand-made revision file and returns its path relative to the project.
    pub fn revision(&self, id: &str, parents: &[&str], up: &str, down: &str) -> String {
        let created = format!("2026-01-01T00:00:{:02}Z", self.revision_files().len());
        let rev = Revision::new(id, parents.iter().map(|s| s.to_string()).collect(), &format!("revision {id}"), &created, up, down);
        let rel = format!("migrations/{}", rev.file_name());
        self.write(&rel, &rev.render());
        rel
    }

    /// The files in migrations/, sorted.
    pub fn revision_files(&self) -> Vec<String> {
        let mut v: Vec<String> =
            std::fs::read_dir(self.path("migrations")).map(|d| d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()).unwrap_or_default();
        v.sort();
        v
    }

    pub fn db(&self) -> Connection {
        Connection::open(self.db_path()).unwrap()
    }
}

/// Versions recorded in a database's version table, in the order applied (none without one).
pub fn versions(conn: &Connection) -> Vec<String> {
    let exists: bool = conn.query_row("SELECT count(*) > 0 FROM sqlite_schema WHERE name = 'schema_version'", [], |r| r.get(0)).unwrap();
    if !exists {
        return vec![];
    }
    let mut s = conn.prepare("SELECT version FROM schema_version ORDER BY applied_at, rowid").unwrap();
    s.query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
}

/// Everything a database holds that a migration may change: every schema object's SQL and
/// every row of every table, with the version table's clock columns left out (they differ
/// between two runs by nature).
pub fn dump(conn: &Connection) -> String {
    let mut out = String::new();
    let mut s = conn.prepare("SELECT type, name, sql FROM sqlite_schema ORDER BY type, name").unwrap();
    let objects: Vec<(String, String, Option<String>)> =
        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().collect::<rusqlite::Result<_>>().unwrap();
    for (kind, name, sql) in &objects {
        out.push_str(&format!("{kind} {name}: {}\n", sql.as_deref().unwrap_or("")));
        if kind == "table" {
            let cols = if name == "schema_version" { "version, description, checksum".to_string() } else { "*".to_string() };
            let mut q = conn.prepare(&format!("SELECT {cols} FROM \"{name}\" ORDER BY 1")).unwrap();
            let n = q.column_count();
            let rows = q
                .query_map([], |r| (0..n).map(|i| r.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}"))).collect::<rusqlite::Result<Vec<_>>>())
                .unwrap();
            for row in rows {
                out.push_str(&format!("  {}\n", row.unwrap().join(" | ")));
            }
        }
    }
    out
}

/// Every file directly in `dir`, by name, with its bytes (none when `dir` does not exist).
pub fn files_in(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Default::default() };
    entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect()
}

/// Names of the tables of a database, sorted.
pub fn tables(conn: &Connection) -> Vec<String> {
    let mut s = conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").unwrap();
    s.query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
}
