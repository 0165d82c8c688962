//! Shared by the SQLModel and export tests: the pinned Python environment (alembic, sqlmodel)
//! and the throwaway PostgreSQL server, each set up once per test binary. Setup failures panic
//! with what to do, so a missing tool fails the run instead of skipping tests.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The repository root (the tests crate lives one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The python of `.venv-tests/`, created by `scripts/python-env.sh` on first use.
pub fn python() -> PathBuf {
    static PY: OnceLock<PathBuf> = OnceLock::new();
    PY.get_or_init(|| {
        let out = Command::new("bash")
            .arg(root().join("scripts/python-env.sh"))
            .output()
            .expect("cannot run bash scripts/python-env.sh");
        if !out.status.success() {
            panic!(
                "scripts/python-env.sh failed, so the tests that run SQLModel and Alembic cannot run:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim().to_string());
        assert!(path.exists(), "scripts/python-env.sh printed {path:?}, which does not exist");
        path
    })
    .clone()
}

/// Runs a command and returns its stdout, panicking with both streams when it fails.
pub fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    if !out.status.success() {
        panic!(
            "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A throwaway PostgreSQL server from `scripts/postgres.sh`, stopped when dropped.
pub struct Postgres {
    dir: tempfile::TempDir,
    pub port: String,
    bin: PathBuf,
}

impl Postgres {
    pub fn start() -> Postgres {
        let dir = tempfile::tempdir().unwrap();
        let out = run(
            Command::new("bash").arg(root().join("scripts/postgres.sh")).arg("start").arg(dir.path().join("pg")),
            "scripts/postgres.sh start (a PostgreSQL server is needed for the PostgreSQL export tests)",
        );
        let mut it = out.split_whitespace();
        let port = it.next().expect("postgres.sh printed no port").to_string();
        let bin = PathBuf::from(it.next().expect("postgres.sh printed no bin dir"));
        Postgres { dir, port, bin }
    }

    pub fn psql(&self, sql: &str) -> Result<String, String> {
        let out = Command::new(self.bin.join("psql"))
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", &self.port, "-U", "postgres", "-d", "postgres"])
            .env("PGOPTIONS", "--client-min-messages=warning")
            .arg("-c")
            .arg(sql)
            .output()
            .unwrap();
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// Tables with their columns (name, NOT NULL), constraint kinds and explicit indexes, and
    /// the views: what PostgreSQL's catalog says, one line each, lower-cased (the export tests
    /// write what they expect in the same words).
    pub fn shape(&self) -> BTreeMap<String, String> {
        let q = "SELECT 'col ' || c.table_name || '.' || c.column_name || ' ' || (c.is_nullable = 'NO') || ' ' || c.udt_name FROM information_schema.columns c \
                 JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema \
                 WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' \
                 UNION ALL SELECT 'con ' || rel.relname || ' ' || con.contype::text || ' ' || count(*) FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid \
                   JOIN pg_namespace n ON n.oid = rel.relnamespace WHERE n.nspname = 'public' AND con.contype IN ('p','u','f','c') GROUP BY rel.relname, con.contype \
                 UNION ALL SELECT 'idx ' || i.indexname || ' on ' || i.tablename FROM pg_indexes i WHERE i.schemaname = 'public' \
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conname = i.indexname) \
                 UNION ALL SELECT 'view ' || table_name FROM information_schema.views WHERE table_schema = 'public'";
        let out = self.psql(q).unwrap();
        out.lines().filter(|l| !l.is_empty()).map(|l| (l.to_lowercase(), String::new())).collect()
    }

    pub fn reset(&self) {
        self.psql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;").unwrap();
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = Command::new("bash").arg(root().join("scripts/postgres.sh")).arg("stop").arg(self.dir.path().join("pg")).output();
    }
}
