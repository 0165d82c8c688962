//! The way in for Python teams, for real: the wheel maturin (pinned in `scripts/python-env.sh`)
//! builds from `pyproject.toml`, installed with pip into a fresh virtual environment, runs the
//! README's CLI story as the `strata` it puts on PATH; and the hooks of `.pre-commit-hooks.yaml`,
//! run by the pinned pre-commit in a throwaway git repository, stop the commits they must stop.
//!
//! The release build behind the wheel costs minutes, so it happens once per run of this binary
//! and every test here uses that one wheel. pre-commit installs a `language: python` hook
//! repository with `pip install .`; pointed at this repository that would compile strata a second
//! time, so the hook repository here is a throwaway copy of the shipped `.pre-commit-hooks.yaml`
//! beside a small package whose only dependency is the wheel: the arrangement ruff-pre-commit
//! uses for ruff's wheel on PyPI. pre-commit itself (its clone, its hook environment, its stash,
//! its `git commit` hook) runs unchanged.

mod cli_support;
mod pyenv;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Instant;

/// The wheel, built once by the pinned maturin.
fn wheel() -> &'static Path {
    static WHEEL: OnceLock<PathBuf> = OnceLock::new();
    WHEEL.get_or_init(|| {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wheel");
        let _ = std::fs::remove_dir_all(&out);
        let maturin = pyenv::python().with_file_name("maturin");
        let started = Instant::now();
        pyenv::run(
            Command::new(&maturin).args(["build", "--release", "--locked", "--out"]).arg(&out).current_dir(pyenv::root()),
            "maturin build --release (the strata wheel)",
        );
        let elapsed = started.elapsed();
        let wheels: Vec<PathBuf> =
            std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "whl")).collect();
        assert_eq!(wheels.len(), 1, "maturin built one wheel: {wheels:?}");
        let size = std::fs::metadata(&wheels[0]).unwrap().len();
        println!("wheel: {} ({:.1} MiB), built in {:.1} s", wheels[0].display(), size as f64 / 1048576.0, elapsed.as_secs_f64());
        wheels[0].clone()
    })
}

/// A fresh virtual environment with the wheel installed by pip; its `bin` folder.
fn installed() -> &'static Path {
    static BIN: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &BIN.get_or_init(|| {
        let wheel = wheel();
        let dir = tempfile::tempdir().unwrap();
        let venv = dir.path().join("venv");
        let started = Instant::now();
        pyenv::run(Command::new(pyenv::python()).args(["-m", "venv"]).arg(&venv), "python -m venv");
        let bin = venv.join("bin");
        assert!(which_strata(&bin).is_none(), "a fresh environment has no strata");
        // No index: the wheel needs nothing else, so nothing but it may be installed.
        pyenv::run(Command::new(bin.join("python")).args(["-m", "pip", "install", "--no-index", "--quiet"]).arg(wheel), "pip install <wheel>");
        println!("fresh venv + pip install of the wheel: {:.1} s", started.elapsed().as_secs_f64());
        (dir, bin)
    })
    .1
}

/// PATH as a shell in the environment has it: its `bin` first, then only the system's own
/// folders, so no other `strata` can answer.
fn env_path(bin: &Path) -> OsString {
    std::env::join_paths([bin, Path::new("/usr/bin"), Path::new("/bin")]).unwrap()
}

/// What `command -v strata` finds with [`env_path`].
fn which_strata(bin: &Path) -> Option<PathBuf> {
    let out = Command::new("sh").args(["-c", "command -v strata"]).env("PATH", env_path(bin)).output().unwrap();
    out.status.success().then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

#[test]
fn pip_install_of_the_wheel_puts_strata_on_path_and_the_readme_story_runs() {
    let bin = installed();
    assert_eq!(which_strata(bin), Some(bin.join("strata")), "the wheel's strata is the one on PATH");
    let version = Command::new("strata").arg("--version").env("PATH", env_path(bin)).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&version.stdout).trim(), format!("strata {}", env!("CARGO_PKG_VERSION")));
    cli_support::story::run_readme_story(Path::new("strata"), Some(env_path(bin)));
}

#[test]
fn the_wheel_is_named_for_pypi_and_holds_only_the_binary() {
    let name = wheel().file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with(&format!("strata_migrate-{}-py3-none-", env!("CARGO_PKG_VERSION"))), "{name}");
    let listing = pyenv::run(Command::new(pyenv::python()).args(["-m", "zipfile", "-l"]).arg(wheel()), "python -m zipfile -l");
    let files: Vec<&str> = listing.lines().skip(1).filter_map(|l| l.split_whitespace().next()).collect();
    assert!(files.contains(&format!("strata_migrate-{}.data/scripts/strata", env!("CARGO_PKG_VERSION")).as_str()), "{listing}");
    assert!(files.iter().all(|f| f.contains(".data/scripts/") || f.contains(".dist-info/")), "nothing but the binary and metadata:\n{listing}");
}

// ---------------------------------------------------------------------------------------------
// pre-commit

/// git with the machine's own settings left out (a global `core.hooksPath` would stop
/// `pre-commit install`) and a fixed author.
fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "strata tests")
        .env("GIT_AUTHOR_EMAIL", "tests@strata.invalid")
        .env("GIT_COMMITTER_NAME", "strata tests")
        .env("GIT_COMMITTER_EMAIL", "tests@strata.invalid");
    cmd
}

fn git_ok(dir: &Path, args: &[&str]) -> String {
    pyenv::run(git(dir).args(args), &format!("git {}", args.join(" ")))
}

/// A git repository holding the shipped `.pre-commit-hooks.yaml` and a package that installs
/// the wheel; returns it and its commit.
fn hook_repository(parent: &Path) -> (PathBuf, String) {
    let repo = parent.join("hooks");
    std::fs::create_dir(&repo).unwrap();
    std::fs::copy(pyenv::root().join(".pre-commit-hooks.yaml"), repo.join(".pre-commit-hooks.yaml")).unwrap();
    let wheel_url = format!("file://{}", wheel().display());
    std::fs::write(
        repo.join("pyproject.toml"),
        format!(
            "[build-system]\nrequires = [\"setuptools==80.9.0\"]\nbuild-backend = \"setuptools.build_meta\"\n\n\
             [project]\nname = \"strata-migrate-hooks\"\nversion = \"0\"\ndependencies = [\"strata-migrate @ {wheel_url}\"]\n\n\
             [tool.setuptools]\npy-modules = []\n"
        ),
    )
    .unwrap();
    git_ok(&repo, &["init", "-q"]);
    git_ok(&repo, &["add", "-A"]);
    git_ok(&repo, &["commit", "-q", "-m", "hooks"]);
    let rev = git_ok(&repo, &["rev-parse", "HEAD"]).trim().to_string();
    (repo, rev)
}

/// `git commit -m MSG` with everything staged, through the installed pre-commit hook.
fn commit(dir: &Path, cache: &Path, msg: &str) -> Output {
    git_ok(dir, &["add", "-A"]);
    git(dir).args(["commit", "-m", msg]).env("PRE_COMMIT_HOME", cache).env("NO_COLOR", "1").output().unwrap()
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn commits(dir: &Path) -> usize {
    git_ok(dir, &["rev-list", "--count", "HEAD"]).trim().parse().unwrap()
}

#[test]
fn pre_commit_hooks_stop_a_model_change_without_revision_and_an_edited_applied_revision() {
    let tmp = tempfile::tempdir().unwrap();
    let (hooks, rev) = hook_repository(tmp.path());
    let cache = tmp.path().join("pre-commit-cache");
    let work = tmp.path().join("app");
    std::fs::create_dir(&work).unwrap();
    let strata = |args: &[&str]| pyenv::run(Command::new(installed().join("strata")).args(args).current_dir(&work), &format!("strata {}", args.join(" ")));

    git_ok(&work, &["init", "-q"]);
    strata(&["init"]);
    std::fs::write(work.join(".gitignore"), "*.db\n*.bak\n").unwrap();
    std::fs::write(
        work.join(".pre-commit-config.yaml"),
        format!("repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: strata-check\n      - id: strata-verify\n", hooks.display()),
    )
    .unwrap();
    pyenv::run(Command::new(pyenv::python()).args(["-m", "pre_commit", "install"]).current_dir(&work).env("PRE_COMMIT_HOME", &cache), "pre-commit install");
    strata(&["revision", "--autogenerate", "-m", "initial schema"]);
    strata(&["upgrade", "head"]);
    let started = Instant::now();
    let first = commit(&work, &cache, "initial schema");
    assert!(first.status.success(), "the first commit passes both hooks:\n{}", text(&first));
    println!("first commit, with pre-commit's hook environment built: {:.1} s", started.elapsed().as_secs_f64());
    assert!(text(&first).contains("strata check (every model change has its revision)") && text(&first).contains("Passed"), "{}", text(&first));

    // A model edit without its revision: the commit is stopped and the command to run named.
    let model = work.join("schema.sql");
    let edited = std::fs::read_to_string(&model).unwrap().replace("    email TEXT,\n", "    email TEXT,\n    phone TEXT,\n");
    std::fs::write(&model, edited).unwrap();
    let refused = commit(&work, &cache, "phone");
    let out = text(&refused);
    assert!(!refused.status.success(), "a model change without a revision must not be committed:\n{out}");
    assert!(out.contains("model: the model has 1 change(s) no revision makes; run `strata revision --autogenerate -m MSG`"), "{out}");
    assert!(out.contains("add column phone"), "{out}");
    assert_eq!(commits(&work), 1);

    // With the revision it passes, although the local database has not been upgraded yet.
    strata(&["revision", "--autogenerate", "-m", "phone"]);
    let passed = commit(&work, &cache, "phone");
    assert!(passed.status.success(), "model and revision together pass:\n{}", text(&passed));
    assert_eq!(commits(&work), 2);

    // The applied first revision edited (a harmless comment, so the model still matches and only
    // verify has something to say): stopped.
    let first_file = std::fs::read_dir(work.join("migrations"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("_initial_schema.sql"))
        .expect("the first revision's file");
    let revision = std::fs::read_to_string(&first_file).unwrap().replacen("-- +up\n", "-- +up\n-- reviewed\n", 1);
    std::fs::write(&first_file, revision).unwrap();
    let refused = commit(&work, &cache, "touch up");
    let out = text(&refused);
    assert!(!refused.status.success(), "an edited applied revision must not be committed:\n{out}");
    assert!(out.contains("was edited after it was applied"), "{out}");
    assert!(out.contains("strata verify (applied revisions are unchanged)") && out.contains("Failed"), "{out}");
    assert_eq!(commits(&work), 2);
}
