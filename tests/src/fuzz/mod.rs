//! A seeded fuzzer for strata's parsers that runs as a plain test: it needs no nightly
//! toolchain and no extra tool, so the README's test command runs it on any machine.
//!
//! Each input is made by one of three means, chosen at random: random bytes or random Unicode
//! from every class ([`unicode`]), text built from the grammar of the format the parser reads
//! ([`grammar`]), or mutations of a corpus seeded from the repository's own test data
//! ([`corpus`], [`mutate`]). A target is a closure that feeds one input to the code under test;
//! any panic is caught, the input is shrunk while it still panics at the same place, and the
//! test fails naming the seed, the input's number and both inputs. Every input's generator is
//! seeded from the run's seed and the input's number alone, so one failing input can be made
//! again on its own (`STRATA_FUZZ_SEED`, `STRATA_FUZZ_START`, `STRATA_FUZZ_INPUTS=1`).
//!
//! Inputs that once made a target panic are kept as files under `tests/fuzz_regressions/<target>/`
//! and replayed before every run. Failing inputs are also written whole to
//! `STRATA_FUZZ_FAILURES` (a folder in the system's temporary directory by default). A stack
//! overflow aborts the process before it can be reported: `STRATA_FUZZ_TRACE=1` writes each
//! input there before it runs, so the last one written is the culprit.

pub mod corpus;
pub mod grammar;
pub mod mutate;
pub mod rng;
pub mod unicode;

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::time::{Duration, Instant};

pub use corpus::{corpus, Corpus};
pub use rng::Rng;

/// The seed used when `STRATA_FUZZ_SEED` is not set, so the in-suite run is the same every time.
pub const DEFAULT_SEED: u64 = 0x5eed_f022;

/// The stack each target runs on: the playground's worker runs the parsers on a wasm stack of
/// about this size, so a recursion that fits only in a bigger native stack is a crash there.
const STACK: usize = 1 << 20;

/// How long shrinking one failing input may take before the best input so far is reported.
const SHRINK_BUDGET: Duration = Duration::from_secs(20);

/// An input still running after this long is a hang: the watchdog names it and stops the run.
const HANG: Duration = Duration::from_secs(120);

/// At most this many distinct failures (by panic location) are collected before a run stops.
const MAX_FAILURES: usize = 8;

/// How a run is sized, read from the environment with in-suite defaults.
#[derive(Clone, Debug)]
pub struct Settings {
    pub seed: u64,
    /// Number of the first input: with `inputs = 1`, makes one reported input again.
    pub start: u64,
    pub inputs: u64,
}

impl Settings {
    /// `STRATA_FUZZ_SEED` (decimal or 0x-hex), `STRATA_FUZZ_START` and `STRATA_FUZZ_INPUTS`
    /// override the fixed seed, the first input and `default_inputs`.
    pub fn from_env(default_inputs: u64) -> Settings {
        let num = |k: &str| {
            std::env::var(k).ok().and_then(|v| {
                let v = v.trim().replace('_', "");
                match v.strip_prefix("0x") {
                    Some(hex) => u64::from_str_radix(hex, 16).ok(),
                    None => v.parse().ok(),
                }
            })
        };
        Settings {
            seed: num("STRATA_FUZZ_SEED").unwrap_or(DEFAULT_SEED),
            start: num("STRATA_FUZZ_START").unwrap_or(0),
            inputs: num("STRATA_FUZZ_INPUTS").unwrap_or(default_inputs),
        }
    }
}

/// What one run did, printed at its end.
#[derive(Clone, Debug)]
pub struct Report {
    pub target: String,
    pub seed: u64,
    pub inputs: u64,
    pub replayed: usize,
    pub elapsed: Duration,
    pub bytes: u64,
    pub slowest: Duration,
}

/// One panic: where it happened, what it said, and the inputs that cause it.
#[derive(Clone, Debug)]
pub struct Failure {
    pub location: String,
    pub message: String,
    pub seed: u64,
    /// The input's number in the run, or `None` for a replayed regression file.
    pub index: Option<u64>,
    pub input: String,
    pub shrunk: String,
}

/// Runs `target` over the regression files of `name` and then over `settings.inputs` inputs
/// made by `generate`, on a thread with a small stack. Panics (failing the test) with every
/// distinct failure found, shrunk; prints a one-line report otherwise.
pub fn run<G, T>(name: &str, settings: &Settings, generate: G, target: T) -> Report
where
    G: Fn(&mut Rng) -> String + Send + Sync + 'static,
    T: Fn(&str) + Send + Sync + 'static,
{
    let name = name.to_string();
    let s = settings.clone();
    let handle = std::thread::Builder::new()
        .name(format!("fuzz-{name}"))
        .stack_size(STACK)
        .spawn(move || run_here(&name, &s, &generate, &target))
        .expect("cannot start a fuzz thread");
    let (report, failures) = match handle.join() {
        Ok(r) => r,
        Err(e) => panic::resume_unwind(e),
    };
    if !failures.is_empty() {
        let mut text = format!("{} distinct panic(s) in fuzz target `{}`:\n", failures.len(), report.target);
        for f in &failures {
            text.push_str(&describe(&report.target, f));
        }
        panic!("{text}");
    }
    println!(
        "fuzz {}: {} inputs (seed {:#x}) + {} regression files in {:.1?}, {:.1} MB of input, slowest input {:.1?}",
        report.target,
        report.inputs,
        report.seed,
        report.replayed,
        report.elapsed,
        report.bytes as f64 / 1e6,
        report.slowest
    );
    report
}

fn run_here(name: &str, s: &Settings, generate: &dyn Fn(&mut Rng) -> String, target: &dyn Fn(&str)) -> (Report, Vec<Failure>) {
    install_hook();
    let started = Instant::now();
    let watch = Watchdog::start(name, s.seed);
    let trace = std::env::var_os("STRATA_FUZZ_TRACE").is_some();
    let mut failures: Vec<Failure> = Vec::new();
    let record = |f: Failure, failures: &mut Vec<Failure>| {
        if !failures.iter().any(|g| g.location == f.location) {
            save_failure(name, &f);
            failures.push(f);
        }
    };
    let regressions = regression_files(name);
    for (path, input) in &regressions {
        if let Err((location, message)) = attempt(target, input) {
            let shrunk = shrink(target, input, &location);
            record(Failure { location, message: format!("{message} (replaying {})", path.display()), seed: s.seed, index: None, input: input.clone(), shrunk }, &mut failures);
        }
    }
    let mut bytes = 0u64;
    let mut slowest = Duration::ZERO;
    for index in s.start..s.start.saturating_add(s.inputs) {
        if failures.len() >= MAX_FAILURES {
            break;
        }
        let mut rng = Rng::for_input(s.seed, name, index);
        let input = match panic::catch_unwind(AssertUnwindSafe(|| quietly(|| generate(&mut rng)))) {
            Ok(i) => i,
            Err(_) => {
                let (location, message) = LAST.with(|l| l.borrow_mut().take()).unwrap_or_default();
                panic!("the fuzz generator of `{name}` itself panicked at input {index} (seed {:#x}) at {location}: {message}", s.seed)
            }
        };
        bytes += input.len() as u64;
        if trace {
            // A stack overflow aborts the process before anything can be reported; with
            // STRATA_FUZZ_TRACE set, the input about to run is on disk first.
            let dir = failures_dir().join(name);
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(dir.join("current.txt"), &input);
        }
        if s.inputs >= 1_000_000 && index > s.start && (index - s.start).is_multiple_of(1_000_000) {
            // A long run says how far it is, so that one stopped early still reports a count.
            println!("fuzz {name}: {} inputs in {:.0?}", index - s.start, started.elapsed());
        }
        watch.running(index);
        let t = Instant::now();
        let outcome = attempt(target, &input);
        slowest = slowest.max(t.elapsed());
        watch.done();
        if let Err((location, message)) = outcome {
            if failures.iter().any(|g| g.location == location) {
                continue;
            }
            let shrunk = shrink(target, &input, &location);
            record(Failure { location, message, seed: s.seed, index: Some(index), input, shrunk }, &mut failures);
        }
    }
    let report = Report { target: name.to_string(), seed: s.seed, inputs: s.inputs, replayed: regressions.len(), elapsed: started.elapsed(), bytes, slowest };
    (report, failures)
}

/// Notices an input that runs for longer than [`HANG`]: it prints how to make the input again
/// (straight to stderr, which the test harness does not hold back) and aborts, since a hung
/// parser cannot be interrupted.
struct Watchdog {
    state: std::sync::Arc<(std::sync::atomic::AtomicU64, std::sync::atomic::AtomicU64)>,
    epoch: Instant,
}

impl Watchdog {
    fn start(name: &str, seed: u64) -> Watchdog {
        use std::sync::atomic::Ordering::Relaxed;
        let state = std::sync::Arc::new((std::sync::atomic::AtomicU64::new(u64::MAX), std::sync::atomic::AtomicU64::new(0)));
        let epoch = Instant::now();
        let (watched, name) = (std::sync::Weak::clone(&std::sync::Arc::downgrade(&state)), name.to_string());
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_secs(1));
            let Some(state) = watched.upgrade() else { return };
            let (index, since) = (state.0.load(Relaxed), state.1.load(Relaxed));
            if index != u64::MAX && epoch.elapsed().as_millis() as u64 > since + HANG.as_millis() as u64 {
                use std::io::Write as _;
                let _ = writeln!(
                    std::io::stderr(),
                    "fuzz {name}: input {index} (seed {seed:#x}) has run for over {HANG:?}; make it again with STRATA_FUZZ_SEED={seed:#x} STRATA_FUZZ_START={index} STRATA_FUZZ_INPUTS=1 STRATA_FUZZ_TRACE=1 (it is then in {})",
                    failures_dir().join(&name).join("current.txt").display()
                );
                std::process::abort();
            }
        });
        Watchdog { state, epoch }
    }

    fn running(&self, index: u64) {
        use std::sync::atomic::Ordering::Relaxed;
        self.state.1.store(self.epoch.elapsed().as_millis() as u64, Relaxed);
        self.state.0.store(index, Relaxed);
    }

    fn done(&self) {
        self.state.0.store(u64::MAX, std::sync::atomic::Ordering::Relaxed);
    }
}

fn describe(target: &str, f: &Failure) -> String {
    let again = match f.index {
        Some(i) => format!("make it again: STRATA_FUZZ_SEED={:#x} STRATA_FUZZ_START={i} STRATA_FUZZ_INPUTS=1 cargo test -p strata-tests --test fuzz {target}", f.seed),
        None => "it is a regression file".to_string(),
    };
    format!(
        "\n--- panicked at {}: {}\n{again}\ninput ({} bytes): {:?}\nshrunk ({} bytes): {:?}\n(both are in {}; keep the shrunk input in tests/fuzz_regressions/{target}/ once fixed)\n",
        f.location,
        f.message,
        f.input.len(),
        preview(&f.input),
        f.shrunk.len(),
        f.shrunk,
        failures_dir().join(target).display()
    )
}

/// Long inputs are shown cut, so a report stays readable; the saved file holds it whole.
fn preview(s: &str) -> String {
    if s.len() <= 2000 {
        return s.to_string();
    }
    let cut = (0..=2000).rev().find(|i| s.is_char_boundary(*i)).unwrap_or(0);
    format!("{}… ({} more bytes)", &s[..cut], s.len() - cut)
}

/// Where failing inputs are written whole: `STRATA_FUZZ_FAILURES`, or a folder in the system's
/// temporary directory.
pub fn failures_dir() -> PathBuf {
    std::env::var_os("STRATA_FUZZ_FAILURES").map_or_else(|| std::env::temp_dir().join("strata-fuzz-failures"), PathBuf::from)
}

/// Writes a failure's inputs to [`failures_dir`], so a long run's findings can be copied into
/// the regression corpus as they are.
fn save_failure(target: &str, f: &Failure) {
    let dir = failures_dir().join(target);
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let tag = rng::hash(f.location.as_bytes()) & 0xffff_ffff;
    let _ = std::fs::write(dir.join(format!("{tag:08x}-input.txt")), &f.input);
    let _ = std::fs::write(dir.join(format!("{tag:08x}-shrunk.txt")), &f.shrunk);
    let _ = std::fs::write(dir.join(format!("{tag:08x}-panic.txt")), format!("{}: {}\nseed {:#x} input {:?}\n", f.location, f.message, f.seed, f.index));
}

/// The folder of kept inputs of every target.
pub fn regressions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz_regressions")
}

/// The kept inputs of one target, sorted by file name.
fn regression_files(target: &str) -> Vec<(PathBuf, String)> {
    let dir = regressions_dir().join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
            let text = String::from_utf8(bytes).unwrap_or_else(|_| panic!("{} is not UTF-8; regression inputs are text", p.display()));
            (p, text)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Making inputs.

/// The formats the targets read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A SQL script.
    Sql,
    /// A SQL script of CREATE statements, mostly one SQLite accepts.
    Schema,
    /// A SQLModel file.
    Python,
    /// A SQLModel file, mostly one strata reads.
    PythonModel,
    /// One revision file.
    Revision,
    /// Several revision files and targets ([`grammar::revision_set`]).
    RevisionSet,
    /// A folder of numbered files ([`grammar::numbered_folder`]).
    Folder,
    /// A project file.
    Project,
    /// A `strata.toml`.
    Toml,
}

/// A generator of one format's inputs.
type Grammar = fn(&mut Rng) -> String;

/// One input of `format`: random bytes or characters (one time in five), the format's grammar
/// (three in ten), or mutations of the grammar's output or of a corpus example (the rest).
pub fn input(rng: &mut Rng, format: Format) -> String {
    let c = corpus();
    let (grammar, seeds, dictionary): (Grammar, &[String], &[&str]) = match format {
        Format::Sql => (grammar::sql_script, &c.sql, grammar::SQL_DICT),
        Format::Schema => (grammar::valid_schema, &c.sql, grammar::SQL_DICT),
        Format::Python => (grammar::python_model, &c.python, grammar::PY_DICT),
        Format::PythonModel => (grammar::valid_python, &c.python, grammar::PY_DICT),
        Format::Revision => (grammar::revision_file, &c.revisions, if rng.coin() { grammar::REVISION_DICT } else { grammar::SQL_DICT }),
        Format::RevisionSet => (grammar::revision_set, &c.revision_sets, if rng.coin() { grammar::REVISION_DICT } else { grammar::SQL_DICT }),
        Format::Folder => (grammar::numbered_folder, &c.folders, grammar::SQL_DICT),
        Format::Project => (grammar::project_json, &c.projects, grammar::JSON_DICT),
        Format::Toml => (grammar::toml_config, &c.toml, grammar::TOML_DICT),
    };
    match rng.below(10) {
        0 => {
            let n = rng.len(64);
            unicode::bytes_as_text(rng, n)
        }
        1 => {
            let n = rng.len(64);
            unicode::string(rng, n)
        }
        2..=4 => grammar(rng),
        5 | 6 => {
            let base = grammar(rng);
            mutate::mutate(rng, &base, 6, dictionary, seeds)
        }
        _ if seeds.is_empty() => grammar(rng),
        _ => {
            let base = rng.pick(seeds).clone();
            mutate::mutate(rng, &base, 8, dictionary, seeds)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Catching panics without printing each one.

thread_local! {
    /// Set while a target runs: the panic hook then records instead of printing.
    static QUIET: RefCell<bool> = const { RefCell::new(false) };
    /// The last panic's (location, message) on this thread.
    static LAST: RefCell<Option<(String, String)>> = const { RefCell::new(None) };
}

fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if QUIET.with(|q| *q.borrow()) {
                let location = info.location().map_or_else(|| "unknown place".to_string(), |l| format!("{}:{}", l.file(), l.line()));
                let message = if let Some(s) = info.payload().downcast_ref::<&str>() {
                    s.to_string()
                } else if let Some(s) = info.payload().downcast_ref::<String>() {
                    s.clone()
                } else {
                    "a panic without a message".to_string()
                };
                LAST.with(|l| *l.borrow_mut() = Some((location, message)));
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f` with panics recorded instead of printed; printing is back when it returns or unwinds.
fn quietly<R>(f: impl FnOnce() -> R) -> R {
    struct Loud;
    impl Drop for Loud {
        fn drop(&mut self) {
            QUIET.with(|q| *q.borrow_mut() = false);
        }
    }
    QUIET.with(|q| *q.borrow_mut() = true);
    let _loud = Loud;
    f()
}

/// Runs the target on one input; the panic's (location, message) when it panics.
fn attempt(target: &dyn Fn(&str), input: &str) -> Result<(), (String, String)> {
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| quietly(|| target(input))));
    match outcome {
        Ok(()) => Ok(()),
        Err(_) => Err(LAST.with(|l| l.borrow_mut().take()).unwrap_or_else(|| ("unknown place".into(), "unknown panic".into()))),
    }
}

/// The smallest input found that still panics at `location`: whole lines, then ever smaller
/// runs of characters are cut out while the panic stays; bounded in time.
pub fn shrink(target: &dyn Fn(&str), input: &str, location: &str) -> String {
    let started = Instant::now();
    let still = |s: &str| matches!(attempt(target, s), Err((l, _)) if l == location);
    let mut best: Vec<char> = input.chars().collect();
    let mut chunk = best.len().div_ceil(2).max(1);
    loop {
        let mut i = 0;
        let mut progressed = false;
        while i < best.len() {
            if started.elapsed() > SHRINK_BUDGET {
                return best.into_iter().collect();
            }
            let end = (i + chunk).min(best.len());
            let candidate: String = best[..i].iter().chain(&best[end..]).collect();
            if still(&candidate) {
                best = candidate.chars().collect();
                progressed = true;
            } else {
                i += chunk;
            }
        }
        if chunk == 1 && !progressed {
            break;
        }
        if !progressed {
            chunk = (chunk / 2).max(1);
        }
    }
    // Simplify what is left: every character that can become a plain `a` does.
    for i in 0..best.len() {
        if started.elapsed() > SHRINK_BUDGET {
            break;
        }
        if best[i] == 'a' || best[i].is_ascii_punctuation() || best[i].is_ascii_whitespace() {
            continue;
        }
        let mut c = best.clone();
        c[i] = 'a';
        if still(&c.iter().collect::<String>()) {
            best = c;
        }
    }
    best.into_iter().collect()
}
