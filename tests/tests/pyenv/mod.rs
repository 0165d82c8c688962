//! Shared by the SQLModel and export tests: the pinned Python environment (alembic, sqlmodel)
//! and the throwaway PostgreSQL server, each set up once per test binary. Setup failures panic
//! with what to do, so a missing tool fails the run instead of skipping tests.

#![allow(dead_code)]

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
