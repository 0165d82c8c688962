//! The seed corpus the mutations start from: the repository's own inputs (the round-trip
//! cases, the SQLModel cases and exports, the demo, the lessons) and the sqldef conformance
//! suite when it is present, each filed under the formats it is an example of. Revision files,
//! numbered folders and project files are made from those with the real engine, so they start
//! valid.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use strata_core::project::{ModelLanguage, Project, FORMAT};
use strata_core::revision::Revision;

use super::grammar::FILE_SEPARATOR;

/// Example inputs by format.
#[derive(Debug, Default)]
pub struct Corpus {
    pub sql: Vec<String>,
    pub python: Vec<String>,
    pub toml: Vec<String>,
    pub revisions: Vec<String>,
    /// Inputs in the form of [`super::grammar::revision_set`].
    pub revision_sets: Vec<String>,
    /// Inputs in the form of [`super::grammar::numbered_folder`].
    pub folders: Vec<String>,
    pub projects: Vec<String>,
}

/// The corpus, read once per test binary.
pub fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(load)
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn files_in(dir: &Path, ext: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries.filter_map(Result::ok) {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_in(&p, ext));
        } else if p.extension().and_then(|x| x.to_str()).is_some_and(|x| ext.contains(&x)) {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn read(p: &Path) -> Option<String> {
    std::fs::read_to_string(p).ok()
}

/// Where the sqldef suite is: `STRATA_CONFORMANCE_DIR`, beside the repository, or the shared
/// folder of this workplace. The corpus is richer with it and works without it.
fn conformance_dir() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("STRATA_CONFORMANCE_DIR").map(PathBuf::from),
        Some(repo().join("../shared/conformance/sqldef")),
        Some(repo().join("../../shared/conformance/sqldef")),
    ];
    candidates.into_iter().flatten().find(|p| p.is_dir())
}

/// The block scalars (`key: |`) of a YAML file, de-indented: each is a schema or SQL script.
fn yaml_blocks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for line in text.lines() {
        if let Some((indent, body)) = current.as_mut() {
            let lead = line.len() - line.trim_start().len();
            if line.trim().is_empty() || lead >= *indent {
                body.push_str(line.get(*indent..).unwrap_or(""));
                body.push('\n');
                continue;
            }
            out.push(std::mem::take(body));
            current = None;
        }
        let t = line.trim_end();
        if t.ends_with(": |") || t.ends_with(": |-") || t.ends_with(": >") {
            let lead = line.len() - line.trim_start().len();
            current = Some((lead + 2, String::new()));
        }
    }
    if let Some((_, body)) = current {
        out.push(body);
    }
    out.into_iter().filter(|b| !b.trim().is_empty()).collect()
}

/// The strings of a lesson's TOML front matter that hold SQL or Python, unescaped enough to
/// be examples (the TOML parser is not a dependency of the tests crate).
fn lesson_strings(text: &str) -> (Vec<String>, Vec<String>) {
    let (mut sql, mut python) = (Vec::new(), Vec::new());
    for line in text.lines() {
        let Some((key, value)) = line.split_once(" = \"") else { continue };
        let key = key.trim();
        if !matches!(key, "model" | "sql" | "model_sqlmodel") {
            continue;
        }
        let value = value.trim_end().trim_end_matches('"').replace("\\n", "\n").replace("\\\"", "\"");
        if value.contains("class ") {
            python.push(value);
        } else {
            sql.push(value);
        }
    }
    (sql, python)
}

fn load() -> Corpus {
    let root = repo();
    let mut c = Corpus::default();
    for p in files_in(&root.join("tests/test_data"), &["sql"]) {
        c.sql.extend(read(&p));
    }
    for p in files_in(&root.join("tests/test_data_exports"), &["sql", "py"]) {
        let Some(text) = read(&p) else { continue };
        if p.extension().is_some_and(|x| x == "py") {
            c.python.push(text);
        } else {
            c.sql.push(text);
        }
    }
    for p in files_in(&root.join("tests/test_data_sqlmodel"), &["py", "sql"]) {
        let Some(text) = read(&p) else { continue };
        if p.extension().is_some_and(|x| x == "py") {
            c.python.push(text);
        } else {
            c.sql.push(text);
        }
    }
    for p in files_in(&root.join("web/examples"), &["sql", "py"]) {
        let Some(text) = read(&p) else { continue };
        if p.extension().is_some_and(|x| x == "py") {
            c.python.push(text);
        } else {
            c.sql.push(text);
        }
    }
    for p in files_in(&root.join("web/lessons"), &["md"]) {
        let Some(text) = read(&p) else { continue };
        let (sql, python) = lesson_strings(&text);
        c.sql.extend(sql);
        c.python.extend(python);
        if let Some(front) = text.strip_prefix("+++\n").and_then(|t| t.split_once("\n+++").map(|(f, _)| f.to_string())) {
            c.toml.push(front);
        }
    }
    if let Some(dir) = conformance_dir() {
        for p in files_in(&dir, &["yml", "yaml"]) {
            c.sql.extend(read(&p).map(|t| yaml_blocks(&t)).unwrap_or_default());
        }
    }
    c.toml.extend(
        [
            "database = \"app.db\"\nmodel = \"schema.sql\"\nmigrations = \"migrations\"\n",
            "database = \"data/app.sqlite3\"\nmodel = \"models.py\"\nmigrations = \"migrations\"\nversion_table = \"schema_version\"\nbusy_timeout_ms = 30000\n",
            "# strata project\nmodel = 'schema.sql'\nbusy_timeout_ms = 5000 # five seconds\n",
            "",
        ]
        .map(str::to_string),
    );
    derive(&mut c);
    c
}

/// Revision files, numbered folders and project files made from the SQL and Python examples.
fn derive(c: &mut Corpus) {
    let sql = c.sql.clone();
    let mut prev: Option<String> = None;
    let mut revisions: Vec<Revision> = Vec::new();
    for (i, pair) in sql.chunks(2).enumerate() {
        let up = &pair[0];
        let down = pair.get(1).map_or("", String::as_str);
        let id = format!("{i:04}");
        let rev = Revision::new(&id, prev.iter().cloned().collect(), &format!("example {i}"), "2026-01-01T00:00:00Z", up, down);
        prev = Some(id);
        c.revisions.push(rev.render());
        revisions.push(rev);
    }
    for window in revisions.chunks(4) {
        // A window of a straight line: its first revision's parent is outside it, so the first
        // is made a base (as a set on its own would have it).
        let mut set = String::new();
        for (k, r) in window.iter().enumerate() {
            let mut r = r.clone();
            if k == 0 {
                r.parents.clear();
            }
            set.push_str(FILE_SEPARATOR);
            set.push_str("rev\n");
            set.push_str(&r.render());
        }
        set.push_str(FILE_SEPARATOR);
        set.push_str("targets\nhead\n-1\n");
        c.revision_sets.push(set);
        let mut project = Project::empty(c.sql.first().cloned().unwrap_or_default());
        project.format = FORMAT.to_string();
        project.revisions = window
            .iter()
            .enumerate()
            .map(|(k, r)| {
                let mut r = r.clone();
                if k == 0 {
                    r.parents.clear();
                }
                r.render()
            })
            .collect();
        project.applied = "head".to_string();
        c.projects.push(project.to_json());
        let mut folder = String::new();
        for (k, r) in window.iter().enumerate() {
            folder.push_str(&format!("{FILE_SEPARATOR}{:03}_step_{k}.sql\n{}", k + 1, r.up));
            folder.push_str(&format!("{FILE_SEPARATOR}{:03}_step_{k}_rollback.sql\n{}", k + 1, r.down));
        }
        c.folders.push(folder);
    }
    for py in c.python.clone() {
        let mut p = Project::empty(py);
        p.language = ModelLanguage::Sqlmodel;
        c.projects.push(p.to_json());
    }
}
