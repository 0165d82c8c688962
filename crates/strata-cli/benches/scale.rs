//! Whole-process figures of the commands that read the model and the head schema, as the schema
//! grows: `strata revision --autogenerate` and `strata check` (with its database) on a project
//! whose one initial revision is applied and whose model holds one change set, at 100, 1,000,
//! 4,000 and 10,000 tables (each table has an index and a foreign key to the one before; the
//! change set gives every tenth table a new column and a new index). Beside them, in the same
//! run, Alembic's `revision --autogenerate` and `check` on the same schema (see `alembic_project`
//! for exactly what it is asked to do).
//!
//! strata is timed cold (no `.strata/cache/`, so the initial revision is replayed) and warm (the
//! schema its revisions build kept by the run before, as in a working session), each with its
//! median and best wall-clock time and its mean CPU time (user + system, which depends less
//! on what else the machine runs).
//!
//! `cargo bench -p strata-cli --bench scale` prints every figure. `cargo test -p strata-cli
//! --benches` runs the quick mode: 100 tables, the outputs checked, no timing claims and no
//! Python. Environment:
//! - `STRATA_BENCH_SIZES=100,1000` picks the sizes;
//! - `STRATA_BENCH_ALEMBIC=1` (or `0`) runs (or skips) Alembic in either mode; it is installed
//!   at pinned versions into `.venv-tests/` by `scripts/python-env.sh`, as the export tests do;
//! - `STRATA_BENCH_BEFORE=/path/to/strata` times another strata binary beside this one (the
//!   figures before a change).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const STRATA: &str = env!("CARGO_BIN_EXE_strata");

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// CPU time (user and system) of the children this process has waited for, from
/// `/proc/self/stat`, in clock ticks of 10 ms: summed over several runs it says what a command
/// costs whatever else the machine is doing.
fn children_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<u64> = stat.rsplit(')').next().unwrap_or("").split_whitespace().skip(13).take(2).filter_map(|f| f.parse().ok()).collect();
    Duration::from_millis(fields.iter().sum::<u64>() * 10)
}

/// A command timed `k` times: the median and the best wall-clock time, and the mean CPU time.
fn timed(k: usize, mut once: impl FnMut() -> Duration) -> Figure {
    let cpu = children_cpu();
    let walls: Vec<Duration> = (0..k).map(|_| once()).collect();
    let best = *walls.iter().min().unwrap();
    (median(walls), best, (children_cpu() - cpu) / k as u32)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs `program ARGS` in `dir` and returns its output and how long the process took.
fn run(program: &Path, args: &[&str], dir: &Path) -> (Output, Duration) {
    let t = Instant::now();
    let out = Command::new(program).args(args).current_dir(dir).env("NO_COLOR", "1").stdout(Stdio::piped()).stderr(Stdio::piped()).output().unwrap();
    (out, t.elapsed())
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// The tables that change: every tenth.
fn changes(i: usize) -> bool {
    i.is_multiple_of(10)
}

/// The model of `n` tables as SQL; `changed` applies the change set.
fn model_sql(n: usize, changed: bool) -> String {
    let mut s = String::new();
    for i in 0..n {
        let parent = if i > 0 { format!(",\n  parent_id INTEGER REFERENCES t{} (id)", i - 1) } else { String::new() };
        let note = if changed && changes(i) { ",\n  note TEXT" } else { "" };
        s.push_str(&format!(
            "CREATE TABLE t{i} (\n  id INTEGER NOT NULL PRIMARY KEY,\n  name TEXT NOT NULL,\n  score INTEGER DEFAULT 0{parent}{note}\n);\nCREATE INDEX t{i}_name ON t{i} (name);\n"
        ));
        if changed && changes(i) {
            s.push_str(&format!("CREATE INDEX t{i}_score ON t{i} (score);\n"));
        }
    }
    s
}

/// The same model as SQLAlchemy tables, the way an Alembic project declares its metadata.
fn model_py(n: usize) -> String {
    let mut s = String::from("from sqlalchemy import Column, ForeignKey, Index, Integer, MetaData, Table, Text, text\n\nmetadata = MetaData()\n\n");
    for i in 0..n {
        s.push_str(&format!("Table(\n    \"t{i}\",\n    metadata,\n    Column(\"id\", Integer, primary_key=True),\n    Column(\"name\", Text, nullable=False),\n    Column(\"score\", Integer, server_default=text(\"0\")),\n"));
        if i > 0 {
            s.push_str(&format!("    Column(\"parent_id\", Integer, ForeignKey(\"t{}.id\")),\n", i - 1));
        }
        s.push_str(&format!("    Index(\"t{i}_name\", \"name\"),\n"));
        if changes(i) {
            s.push_str(&format!("    Column(\"note\", Text),\n    Index(\"t{i}_score\", \"score\"),\n"));
        }
        s.push_str(")\n");
    }
    s
}

/// A strata project of `n` tables: the initial revision applied to `app.db`, the changed model
/// in `schema.sql`.
fn strata_project(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (out, _) = run(Path::new(STRATA), &["init"], d);
    assert!(out.status.success(), "{}", text(&out));
    let rev = strata_core::revision::Revision::new("initial", vec![], "initial schema", "2026-01-01T00:00:00Z", &model_sql(n, false), "");
    std::fs::write(d.join("migrations").join(rev.file_name()), rev.render()).unwrap();
    std::fs::write(d.join("schema.sql"), model_sql(n, true)).unwrap();
    let (out, _) = run(Path::new(STRATA), &["upgrade", "head"], d);
    assert!(out.status.success(), "{}", text(&out));
    dir
}

/// Revision files in `dir` other than `keep`.
fn new_files(dir: &Path, keep: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| !p.to_string_lossy().contains(keep)).collect()
}

/// One timed `strata revision --autogenerate`; the file it writes is checked, then removed so
/// the next run starts from the same project.
fn strata_autogenerate(bin: &Path, d: &Path, n: usize) -> Duration {
    let (out, took) = run(bin, &["revision", "--autogenerate", "-m", "change set"], d);
    assert!(out.status.success(), "{}", text(&out));
    let written = new_files(&d.join("migrations"), "initial");
    assert_eq!(written.len(), 1, "{}", text(&out));
    let rev = std::fs::read_to_string(&written[0]).unwrap();
    let changed = (0..n).filter(|&i| changes(i)).count();
    let up = rev.split("-- +down").next().unwrap();
    assert_eq!(up.matches("ADD COLUMN").count(), changed, "{rev}");
    assert_eq!(up.matches("CREATE INDEX").count(), changed, "{rev}");
    std::fs::remove_file(&written[0]).unwrap();
    took
}

/// One timed `strata check`: it must fail, naming the model's changes.
fn strata_check(bin: &Path, d: &Path) -> Duration {
    let (out, took) = run(bin, &["check"], d);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("the model has"), "{}", text(&out));
    took
}

/// The same project for Alembic: `models.py` holds the changed model as SQLAlchemy tables,
/// `alembic.db` the initial schema (the initial revision's SQL) stamped at Alembic's initial
/// revision, whose script is empty. `alembic revision --autogenerate` then does what it always
/// does: import the metadata, reflect every table of the database (columns, keys, foreign keys,
/// indexes) and write the operations that take the database to the metadata. strata reaches
/// the same starting schema by replaying its revision files instead of reading a database, and
/// also writes the downgrade and the lint findings.
fn alembic_project(d: &Path, n: usize) {
    std::fs::write(d.join("models.py"), model_py(n)).unwrap();
    std::fs::write(d.join("alembic.ini"), "[alembic]\nscript_location = alembic\nprepend_sys_path = .\nsqlalchemy.url = sqlite:///alembic.db\n").unwrap();
    let env = d.join("alembic");
    std::fs::create_dir_all(env.join("versions")).unwrap();
    std::fs::write(
        env.join("env.py"),
        "from alembic import context\nfrom sqlalchemy import engine_from_config, pool\n\nimport models\n\nconfig = context.config\nengine = engine_from_config(config.get_section(config.config_ini_section), prefix=\"sqlalchemy.\", poolclass=pool.NullPool)\nwith engine.connect() as connection:\n    context.configure(connection=connection, target_metadata=models.metadata)\n    with context.begin_transaction():\n        context.run_migrations()\n",
    )
    .unwrap();
    std::fs::write(
        env.join("script.py.mako"),
        "\"\"\"${message}\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = ${repr(up_revision)}\ndown_revision = ${repr(down_revision)}\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    ${upgrades if upgrades else \"pass\"}\n\n\ndef downgrade():\n    ${downgrades if downgrades else \"pass\"}\n",
    )
    .unwrap();
    std::fs::write(
        env.join("versions").join("initial.py"),
        "revision = \"initial\"\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n",
    )
    .unwrap();
    let conn = rusqlite::Connection::open(d.join("alembic.db")).unwrap();
    conn.execute_batch(&format!(
        "BEGIN;\n{}\nCREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);\nINSERT INTO alembic_version VALUES ('initial');\nCOMMIT;",
        model_sql(n, false)
    ))
    .unwrap();
}

fn alembic_autogenerate(python: &Path, d: &Path, n: usize) -> Duration {
    let (out, took) = run(python, &["-m", "alembic", "revision", "--autogenerate", "-m", "change set"], d);
    assert!(out.status.success(), "{}", text(&out));
    let written = new_files(&d.join("alembic").join("versions"), "initial");
    let written: Vec<PathBuf> = written.into_iter().filter(|p| p.extension().is_some_and(|e| e == "py")).collect();
    assert_eq!(written.len(), 1, "{}", text(&out));
    let script = std::fs::read_to_string(&written[0]).unwrap();
    let upgrade = script.split("def downgrade").next().unwrap();
    let changed = (0..n).filter(|&i| changes(i)).count();
    // The same change set and nothing else, or the comparison would not be fair.
    assert_eq!(upgrade.matches("op.add_column").count(), changed, "{script}");
    assert_eq!(upgrade.matches("op.create_index").count(), changed, "{script}");
    assert_eq!(upgrade.matches("op.").count(), 2 * changed, "{script}");
    std::fs::remove_file(&written[0]).unwrap();
    took
}

fn alembic_check(python: &Path, d: &Path) -> Duration {
    let (out, took) = run(python, &["-m", "alembic", "check"], d);
    assert!(!out.status.success() && text(&out).contains("New upgrade operations detected"), "{}", text(&out));
    took
}

/// The venv's python with the pinned alembic, made by the same script the export tests use.
fn python() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new("bash").arg(root.join("scripts/python-env.sh")).stderr(Stdio::inherit()).output().ok()?;
    if !out.status.success() {
        println!("scripts/python-env.sh failed; Alembic is left out");
        return None;
    }
    Some(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

fn versions(python: &Path) -> String {
    let out = Command::new(python)
        .args([
            "-c",
            "import alembic, sqlalchemy, sys; print(f'alembic {alembic.__version__}, SQLAlchemy {sqlalchemy.__version__}, Python {sys.version.split()[0]}')",
        ])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Runs of each command at `n` tables: fewer as they get slow.
fn rounds(n: usize, full: bool) -> usize {
    match (full, n) {
        (false, _) => 1,
        (true, 0..=1000) => 7,
        (true, 1001..=4000) => 5,
        _ => 1,
    }
}

/// Median and best wall-clock time and mean CPU time of one command.
type Figure = (Duration, Duration, Duration);

struct Row {
    n: usize,
    /// Without and with the schema kept in `.strata/cache/` by an earlier run.
    autogenerate: (Figure, Figure),
    check: (Figure, Figure),
    before: Option<(Figure, Figure)>,
    alembic: Option<(Figure, Figure)>,
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing and wants it quick.
    let full = std::env::args().any(|a| a == "--bench");
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let sizes: Vec<usize> = match env("STRATA_BENCH_SIZES") {
        Some(s) => s.split(',').map(|x| x.trim().parse().expect("STRATA_BENCH_SIZES: numbers separated by commas")).collect(),
        None if full => vec![100, 1000, 4000, 10000],
        None => vec![100],
    };
    let with_alembic = env("STRATA_BENCH_ALEMBIC").map_or(full, |v| v != "0");
    let before = env("STRATA_BENCH_BEFORE").map(PathBuf::from);
    let python = if with_alembic { python() } else { None };
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average at start: {}", load.split_whitespace().take(3).collect::<Vec<_>>().join(" "));
    if let Some(p) = &python {
        println!("peer: {}", versions(p));
    }

    let mut rows = Vec::new();
    for &n in &sizes {
        let project = strata_project(n);
        let d = project.path();
        let k = rounds(n, full);
        let bin = Path::new(STRATA);
        let cache = d.join(".strata");
        let cold = |f: &dyn Fn() -> Duration| {
            let _ = std::fs::remove_dir_all(&cache);
            f()
        };
        let autogenerate = (timed(k, || cold(&|| strata_autogenerate(bin, d, n))), timed(k, || strata_autogenerate(bin, d, n)));
        let check = (timed(k, || cold(&|| strata_check(bin, d))), timed(k, || strata_check(bin, d)));
        let before = before.as_deref().map(|b| {
            let k = if n > 1000 { 1 } else { k };
            (timed(k, || strata_autogenerate(b, d, n)), timed(k, || strata_check(b, d)))
        });
        let alembic = python.as_deref().map(|py| {
            let dir = tempfile::tempdir().unwrap();
            alembic_project(dir.path(), n);
            let k = k.min(3);
            (timed(k, || alembic_autogenerate(py, dir.path(), n)), timed(k, || alembic_check(py, dir.path())))
        });
        let row = Row { n, autogenerate, check, before, alembic };
        print_row(&row);
        rows.push(row);
    }
    if !full {
        return;
    }
    let at = |n: usize| rows.iter().find(|r| r.n == n);
    if let (Some(a), Some(b)) = (at(1000), at(4000)) {
        let ratio = |x: Figure, y: Figure| {
            let r = |f: fn(&Figure) -> Duration| f(&y).as_secs_f64() / f(&x).as_secs_f64();
            format!("{:.2}x median, {:.2}x best, {:.2}x cpu", r(|f| f.0), r(|f| f.1), r(|f| f.2))
        };
        println!("4,000 / 1,000 tables (target within 4.5x):");
        println!("  autogenerate cold {}; warm {}", ratio(a.autogenerate.0, b.autogenerate.0), ratio(a.autogenerate.1, b.autogenerate.1));
        println!("  check        cold {}; warm {}", ratio(a.check.0, b.check.0), ratio(a.check.1, b.check.1));
    }
    if let Some(a) = at(1000) {
        println!(
            "autogenerate at 1,000 tables, whole process (target under 100 ms): cold {:.1} ms median, {:.1} ms best; warm {:.1} ms median, {:.1} ms best",
            ms(a.autogenerate.0 .0),
            ms(a.autogenerate.0 .1),
            ms(a.autogenerate.1 .0),
            ms(a.autogenerate.1 .1)
        );
    }
}

fn print_row(r: &Row) {
    let fig = |f: Figure| format!("{:.1} ms (best {:.1}, cpu {:.0})", ms(f.0), ms(f.1), ms(f.2));
    println!("{} tables", r.n);
    println!("  strata revision --autogenerate: cold {}, warm {}", fig(r.autogenerate.0), fig(r.autogenerate.1));
    println!("  strata check:                   cold {}, warm {}", fig(r.check.0), fig(r.check.1));
    if let Some((a, c)) = r.before {
        println!("  before (STRATA_BENCH_BEFORE):   revision --autogenerate {}, check {}", fig(a), fig(c));
    }
    if let Some((a, c)) = r.alembic {
        let x = |peer: Figure, ours: Figure| peer.0.as_secs_f64() / ours.0.as_secs_f64();
        println!(
            "  alembic revision --autogenerate {} = {:.1}x strata cold, {:.1}x warm; alembic check {} = {:.1}x, {:.1}x",
            fig(a),
            x(a, r.autogenerate.0),
            x(a, r.autogenerate.1),
            fig(c),
            x(c, r.check.0),
            x(c, r.check.1)
        );
    }
}
