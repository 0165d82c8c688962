//! Fuzz targets, one per parser of text a user or a file hands strata: no input may panic.
//! Each target replays its kept regression inputs (`tests/fuzz_regressions/<target>/`), then
//! feeds a bounded number of generated inputs (random, grammar-built and mutated; see
//! `strata_tests::fuzz`). `STRATA_FUZZ_INPUTS` sets the number per target, `STRATA_FUZZ_SEED`
//! the seed; a long run is
//! `STRATA_FUZZ_INPUTS=10000000 cargo test --release -p strata-tests --test fuzz TARGET`.
//!
//! A target also checks the invariants that make a result usable (tokens cover the text, a
//! project that was read writes back to the same project), since a wrong answer there would
//! turn into a panic or a wrong migration further on. `strata.toml` is fuzzed in the CLI crate
//! (`config.rs`), where its reader lives.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use strata_core::import::{self, SqlFile};
use strata_core::project::folder::folder_of;
use strata_core::project::Project;
use strata_core::revision::{Direction, Graph, Revision, Target};
use strata_core::schema::Schema;
use strata_core::{diff, lint, parse, plan, render, sql, sqlmodel, statement, PlanOptions};
use strata_engine::model;
use strata_tests::fuzz::{self, grammar, Format, Rng, Settings};

/// Inputs per target in the in-suite run (debug build, 2 cores): the whole file takes about 15 s
/// on an idle machine and stays under a minute on a busy one. Share links are the slow target:
/// a few inputs inflate 16 MiB.
const IN_SUITE: u64 = 6000;
const IN_SUITE_SLOW: u64 = 2500;

/// An input of one of two formats, chosen at random.
fn either(rng: &mut Rng, a: Format, b: Format) -> String {
    let format = if rng.coin() { a } else { b };
    fuzz::input(rng, format)
}

fn settings(default: u64) -> Settings {
    Settings::from_env(default)
}

// ---------------------------------------------------------------------------------------------
// The SQL tokenizer and what is built on it.

fn sql_text(input: &str) {
    let tokens = sql::tokenize(input);
    let mut at = 0;
    for t in &tokens {
        assert_eq!(t.start, at, "tokens must cover the text without gaps");
        assert!(t.end > t.start, "a token is never empty");
        at = t.end;
        let text = t.text(input);
        let name = sql::unquote(text);
        if t.is_name() {
            let _ = sql::quote(&name);
        }
    }
    assert_eq!(at, input.len(), "tokens must cover the text to its end");
    let _ = sql::words(input);
    let _ = sql::normalize(input);
    let names = sql::identifiers(input);
    for name in names.iter().take(2) {
        assert!(sql::mentions(input, name), "every identifier found is one the text mentions");
        let _ = sql::rename_ident(input, name, "new \"name\" é");
    }
    let _ = sql::rename_ident(input, "", "x");
    for s in sql::split_statements(input) {
        assert!(input.is_char_boundary(s.start) && s.start <= input.len());
        let c = statement::classify(&s.text);
        let _ = statement::breaks_transaction(&c);
        assert!(s.text.is_char_boundary(c.rest.min(s.text.len())) && c.rest <= s.text.len(), "classify's rest must be an offset into the statement");
    }
    let _ = statement::classify(input);
}

#[test]
fn fuzz_sql_tokenizer() {
    fuzz::run("sql", &settings(IN_SUITE), |rng: &mut Rng| fuzz::input(rng, Format::Sql), sql_text);
}

// ---------------------------------------------------------------------------------------------
// The CREATE readers.

fn create_readers(input: &str) {
    read_create(input);
    for s in sql::split_statements(input) {
        read_create(&s.text);
    }
}

fn read_create(text: &str) {
    if let Ok(t) = parse::parse_create_table(text) {
        let _ = render::create_table(&t, &t.name);
    }
    if let Ok(i) = parse::parse_create_index(text) {
        let _ = render::create_index(&i);
    }
    if let Ok(v) = parse::parse_create_view(text) {
        let _ = render::create_view(&v);
    }
    if let Ok(t) = parse::parse_create_trigger(text) {
        let _ = render::create_trigger(&t);
    }
}

#[test]
fn fuzz_create_readers() {
    fuzz::run("create", &settings(IN_SUITE), |rng: &mut Rng| either(rng, Format::Schema, Format::Sql), create_readers);
}

// ---------------------------------------------------------------------------------------------
// The model front-ends: SQL (through SQLite) and SQLModel, and what autogenerate does next.

/// Diff and plan both ways between two schemas, and lint the plans: what autogenerate does
/// with a model that was read.
fn migrate_between(from: &Schema, to: &Schema, renames: &[strata_core::Rename]) {
    let opts = PlanOptions::default();
    let d = diff(from, to, renames);
    let up = plan(from, to, &d, &opts);
    let _ = lint(&up);
    let _ = up.to_sql();
    let back: Vec<strata_core::Rename> = renames.iter().map(strata_core::Rename::reversed).collect();
    let dd = diff(to, from, &back);
    let down = plan(to, from, &dd, &PlanOptions { sqlite_version: (3, 24, 0), ..PlanOptions::default() });
    let _ = down.to_sql();
    let _ = render::schema_sql(to);
}

fn sql_model(input: &str) {
    let _ = strata_core::annotations::annotations(input);
    if let Ok(m) = model::from_sql(input) {
        migrate_between(&Schema::default(), &m.schema, &m.renames);
    }
}

#[test]
fn fuzz_sql_model() {
    fuzz::run("model", &settings(IN_SUITE), |rng: &mut Rng| either(rng, Format::Schema, Format::Sql), sql_model);
}

fn sqlmodel_model(input: &str) {
    if let Ok(m) = sqlmodel::from_sqlmodel(input) {
        let empty = Schema::default();
        let _ = sqlmodel::create_all(&empty, &m.schema);
        let report = sqlmodel::create_all(&m.schema, &m.schema);
        for s in &report.skipped {
            let _ = s.describe();
        }
        migrate_between(&empty, &m.schema, &m.renames);
    }
}

#[test]
fn fuzz_sqlmodel() {
    fuzz::run("sqlmodel", &settings(IN_SUITE), |rng: &mut Rng| either(rng, Format::PythonModel, Format::Python), sqlmodel_model);
}

// ---------------------------------------------------------------------------------------------
// Revision files and the graph they form.

fn revision_file(input: &str) {
    let Ok(r) = Revision::parse(input) else { return };
    for dir in [Direction::Up, Direction::Down] {
        let _ = r.data_loss(dir);
        let _ = r.statements(dir);
    }
    let _ = r.file_name();
    let _ = Revision::parse(&r.render());
}

#[test]
fn fuzz_revision_file() {
    fuzz::run("revision", &settings(IN_SUITE), |rng: &mut Rng| fuzz::input(rng, Format::Revision), revision_file);
}

fn revision_graph(input: &str) {
    let files = grammar::split_files(input);
    let revisions: Vec<Revision> = files.iter().filter(|(n, _)| n == "rev").filter_map(|(_, t)| Revision::parse(t).ok()).collect();
    let specs: Vec<String> = files.iter().filter(|(n, _)| n == "targets").flat_map(|(_, t)| t.lines().map(str::to_string).collect::<Vec<_>>()).collect();
    let Ok(g) = Graph::new(revisions) else { return };
    let ids: Vec<String> = g.revisions().map(|r| r.id.clone()).collect();
    let heads: Vec<String> = g.heads().into_iter().map(str::to_string).collect();
    let _ = (g.bases(), g.branch_points(), g.next_parents(), g.single_head());
    let _ = g.merge_parents(&heads);
    let _ = g.merge_parents(&ids);
    for id in &ids {
        let _ = (g.ancestors(id), g.descendants(id), g.children(id));
    }
    let all: BTreeSet<String> = ids.iter().cloned().collect();
    let half: BTreeSet<String> = ids.iter().take(ids.len() / 2).cloned().collect();
    let first: BTreeSet<String> = ids.iter().rev().take(1).cloned().collect();
    for applied in [BTreeSet::new(), all, half, first] {
        let _ = (g.current(&applied), g.pending(&applied));
        for spec in specs.iter().map(String::as_str).chain(["head", "heads", "base", "+1", "-1"]) {
            let _ = g.resolve(spec);
            let target = Target::parse(spec);
            let _ = g.upgrade_path(&applied, &target);
            let _ = g.downgrade_path(&applied, &target);
        }
    }
}

#[test]
fn fuzz_revision_graph() {
    fuzz::run("graph", &settings(IN_SUITE), |rng: &mut Rng| fuzz::input(rng, Format::RevisionSet), revision_graph);
}

// ---------------------------------------------------------------------------------------------
// The numbered-file import.

fn numbered_import(input: &str) {
    let files: Vec<SqlFile> = grammar::split_files(input).into_iter().map(|(name, text)| SqlFile { name, text }).collect();
    let version_table = ["schema_version", "Schema_Version", "", "é", "\"schema_version\""][input.len() % 5];
    let parent = input.len().is_multiple_of(3).then_some("r0");
    if let Ok(imported) = import::import(&files, parent, "2026-01-01T00:00:00Z", version_table) {
        for r in &imported.revisions {
            let _ = Revision::parse(&r.render());
        }
    }
}

#[test]
fn fuzz_numbered_import() {
    fuzz::run("import", &settings(IN_SUITE), |rng: &mut Rng| fuzz::input(rng, Format::Folder), numbered_import);
}

// ---------------------------------------------------------------------------------------------
// Project files and share links.

fn project_input(rng: &mut Rng) -> String {
    match rng.below(1000) {
        0 => rng.pick(grammar::oversized_links()).clone(),
        1..=450 => fuzz::input(rng, Format::Project),
        _ => {
            let json = fuzz::input(rng, Format::Project);
            grammar::share_link(rng, &json)
        }
    }
}

fn project_text(input: &str) {
    if let Ok(p) = Project::from_json(input) {
        assert_eq!(Project::from_json(&p.to_json()).as_ref(), Ok(&p), "a project that was read must read back the same from its own file");
        assert_eq!(Project::from_share_fragment(&p.share_fragment()).as_ref(), Ok(&p), "a project that was read must read back the same from its own link");
        let _ = p.graph_and_targets();
    }
    if let Ok(p) = Project::from_share_fragment(input) {
        let _ = p.graph_and_targets();
    }
}

#[test]
fn fuzz_project_files_and_links() {
    fuzz::run("project", &settings(IN_SUITE_SLOW), project_input, project_text);
}

/// What `strata open` does with a file's text or a link before it writes anything: read it as
/// either, then lay it out as files. Every name must stay a plain, distinct file name inside
/// its folder, and every file must hold its revision's text exactly.
fn project_folder(input: &str) {
    let Ok(project) = Project::from_file_or_link(input) else { return };
    READ.fetch_add(1, Ordering::Relaxed);
    let Ok(layout) = folder_of(&project) else { return };
    LAID_OUT.fetch_add(1, Ordering::Relaxed);
    let mut names = BTreeSet::new();
    for ((name, text), original) in layout.revisions.iter().zip(&project.revisions) {
        assert!(!name.contains(['/', '\\', '\0']) && !name.starts_with('.') && name.ends_with(".sql"), "{name:?} is a plain file name");
        assert!(names.insert(name.to_ascii_lowercase()), "{name:?} is given once");
        assert_eq!(text, original, "a file holds its revision's text");
    }
    assert_eq!(layout.revisions.len(), project.revisions.len());
}

/// How many inputs read as a project, and how many of those were laid out as files, so a run
/// shows that the layout was reached and not only the refusals before it.
static READ: AtomicUsize = AtomicUsize::new(0);
static LAID_OUT: AtomicUsize = AtomicUsize::new(0);

#[test]
fn fuzz_project_folders() {
    fuzz::run("project-folder", &settings(IN_SUITE_SLOW), project_input, project_folder);
    println!("fuzz project-folder: {} inputs read as a project, {} laid out as files", READ.load(Ordering::Relaxed), LAID_OUT.load(Ordering::Relaxed));
}

// ---------------------------------------------------------------------------------------------
// Exercise links, their check lines and the markdown they carry.

/// Markdown a careless or hostile teacher might write: what the filter must drop (raw HTML,
/// scripts, images, `javascript:` and `data:` links, also as references and with odd case or
/// spaces) beside what it keeps.
const EXERCISE_MARKDOWN: &[&str] = &[
    "# Add a column\n", "*kept* and **kept**", "`SELECT 1`", "```sql\nSELECT 1;\n```\n",
    "[ok](https://example.com)", "[x](javascript:alert(1))", "[x]( JavaScript:alert(1) )",
    "[x](data:text/html,<b>x</b>)", "[x][r]\n\n[r]: javascript:alert(1)\n", "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>", "![i](https://example.com/i.png)", "<b>bold</b>", "&lt;b&gt;",
    "<!-- c -->", "<https://example.com>", "<javascript:alert(1)>", "[x](vbscript:x)", "\u{0}", "é\u{202e}",
];

/// Fragments of an exercise's JSON and of its check lines, for mutation.
const EXERCISE_WORDS: &[&str] = &[
    "\"format\"", "\"strata-exercise/1\"", "\"title\"", "\"text\"", "\"goal\"", "\"checks\"", "\"start\"",
    "\"sql\"", "\"expect\"", "=>", "[[\"4\"]]", "SELECT", "DELETE FROM users", ";", "WITH", "VALUES", "\n",
];

/// An exercise: JSON built from a generated project, schema, SQL and markdown, then as it is or
/// packed into a link (`#exercise=`), either of them mutated now and then; or a teacher's
/// check lines.
fn exercise_input(rng: &mut Rng) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    if rng.one_in(5) {
        let lines: Vec<String> = (0..rng.below(5))
            .map(|_| match rng.below(3) {
                0 => format!("{} => {}", fuzz::input(rng, Format::Sql), fuzz::input(rng, Format::Sql)),
                1 => fuzz::input(rng, Format::Sql),
                _ => rng.word(EXERCISE_WORDS).to_owned(),
            })
            .collect();
        return lines.join("\n");
    }
    let start = serde_json::from_str::<serde_json::Value>(&fuzz::input(rng, Format::Project)).unwrap_or(serde_json::Value::Null);
    let mut text = String::new();
    for _ in 0..rng.below(6) {
        if rng.coin() {
            text.push_str(rng.word(EXERCISE_MARKDOWN));
        } else {
            text.push_str(&fuzz::input(rng, Format::Sql));
        }
    }
    let checks: Vec<serde_json::Value> = (0..rng.below(4))
        .map(|_| {
            let sql = match rng.below(4) {
                0 => fuzz::input(rng, Format::Sql),
                _ => rng.word(&["SELECT count(*) FROM users", "WITH x AS (SELECT 1) SELECT * FROM x", "VALUES (1, 'a')", "SELECT email FROM users ORDER BY id"]).to_owned(),
            };
            serde_json::json!({ "sql": sql, "expect": [[rng.word(&["4", "NULL", "ada@example.com"])]] })
        })
        .collect();
    let format = if rng.one_in(10) { "strata-exercise/2" } else { strata_core::exercise::FORMAT };
    let json = serde_json::json!({
        "format": format,
        "title": if rng.one_in(8) { String::new() } else { rng.word(&["Add a nickname", "é", "<b>x</b>"]).to_owned() },
        "text": text,
        "goal": fuzz::input(rng, Format::Schema),
        "checks": checks,
        "start": start,
    })
    .to_string();
    let text = if rng.coin() {
        json
    } else {
        let packed = miniz_oxide::deflate::compress_to_vec_zlib(json.as_bytes(), 6);
        format!("{}{}", strata_core::exercise::PREFIX, URL_SAFE_NO_PAD.encode(packed))
    };
    if rng.one_in(3) {
        fuzz::mutate::mutate(rng, &text, 4, EXERCISE_WORDS, &[])
    } else {
        text
    }
}

/// What the page and the worker do with an exercise link or JSON before anything is replaced:
/// read it, check its text and data; an exercise that was read writes back to the same one,
/// and its text passes the filter whole. Check lines are read as the dialog reads them.
fn exercise_text(input: &str) {
    use strata_core::exercise::{parse_check_lines, Exercise};
    let _ = parse_check_lines(input);
    let _ = strata_core::markdown::first_dropped(input);
    let _ = strata_core::markdown::safe_events(input);
    for read in [Exercise::from_fragment(input), Exercise::from_json(input)] {
        let Ok(exercise) = read else { continue };
        EXERCISES.fetch_add(1, Ordering::Relaxed);
        assert_eq!(strata_core::markdown::first_dropped(&exercise.text), None, "a valid exercise's text passes the filter whole");
        assert_eq!(Exercise::from_fragment(&exercise.share_fragment()).as_ref(), Ok(&exercise), "an exercise read back from its own link");
        let _ = exercise.conditions();
        let _ = exercise.slug();
    }
}

/// How many inputs read as a valid exercise, so a run shows the checks after the refusals ran.
static EXERCISES: AtomicUsize = AtomicUsize::new(0);

#[test]
fn fuzz_exercise_links() {
    fuzz::run("exercise", &settings(IN_SUITE_SLOW), exercise_input, exercise_text);
    eprintln!("fuzz_exercise_links: {} inputs read as a valid exercise", EXERCISES.load(Ordering::Relaxed));
}
