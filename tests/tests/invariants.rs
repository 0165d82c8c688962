//! The architecture's invariants, checked against the repository itself, so that breaking one
//! fails `cargo test` instead of making ARCHITECTURE.md untrue:
//!
//! - strata-core is pure: neither it nor anything it depends on (Cargo.lock, every target and
//!   dev-dependencies included) is rusqlite or SQLite;
//! - the playground page's module links no SQLite: what web/Cargo.toml's `page` feature builds
//!   with (its plain dependencies and the optional ones the feature turns on) reaches none in
//!   Cargo.lock, so the first load never waits for SQLite;
//! - in the playground's crate only the worker's start-up (`web/src/services/worker.rs`) names
//!   `rusqlite` or a `Connection`;
//! - the playground builds no SQL text: no string literal of web/'s code starts with a SQL
//!   keyword (what the visitor types into the console is theirs and passes through; lessons are
//!   markdown files, not code, and their tests send what a visitor would type);
//! - no crate has a circle of modules (read from `crate::`, `super::` and `self::` paths);
//! - every Rust file opens with a `//!` line saying what it is for;
//! - the messages of strata-core's and strata-engine's errors name no `strata` command and no
//!   `--flag`: both front-ends show them, and the CLI adds its own words (`failure::cli_words`).
//!
//! Each check is a function of the files it reads, and each has a test beside it that feeds it
//! the violation it exists to catch.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

#[path = "invariants/source.rs"]
mod source;

use source::{circles, file_module, module_of, modules, named_paths, sibling_edge, tokens, Token};

/// The packages that are SQLite or bring it: none may be reachable from strata-core.
const SQLITE_PACKAGES: [&str; 4] = ["rusqlite", "libsqlite3-sys", "sqlite-wasm-rs", "sqlite-wasm-vfs"];

/// The one file of web/ that may name a connection: the worker opens the browser's database
/// and hands it to the engine's workspace.
const WORKER: &str = "web/src/services/worker.rs";

/// Words a SQL statement starts with; a web/ string literal starting with one (followed by a
/// space, a parenthesis or its end) is SQL text built by the playground.
const SQL_KEYWORDS: [&str; 18] = [
    "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "PRAGMA", "BEGIN", "COMMIT", "ROLLBACK",
    "SAVEPOINT", "RELEASE", "WITH", "REPLACE", "VACUUM", "ATTACH", "DETACH",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the workspace").to_path_buf()
}

/// Every `.rs` file under `dir`, as (path relative to the workspace root, contents).
fn rust_files(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if p.is_dir() {
                if name != "node_modules" && name != "target" && !name.starts_with('.') {
                    todo.push(p);
                }
            } else if name.ends_with(".rs") {
                let rel = p.strip_prefix(root()).unwrap_or(&p).to_string_lossy().replace('\\', "/");
                out.push((rel, fs::read_to_string(&p).unwrap_or_default()));
            }
        }
    }
    out.sort();
    out
}

/// The packages of a Cargo.lock and what each depends on, as `name version` keys.
fn lock_graph(lock: &str) -> BTreeMap<String, Vec<String>> {
    let mut graph: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut names: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut raw: Vec<(String, Vec<String>)> = Vec::new();
    for block in lock.split("[[package]]").skip(1) {
        let field = |key: &str| {
            block.lines().find_map(|l| l.strip_prefix(&format!("{key} = \"")).map(|v| v.trim_end_matches('"').to_owned()))
        };
        let (Some(name), Some(version)) = (field("name"), field("version")) else { continue };
        let deps: Vec<String> = match block.find("dependencies = [") {
            Some(at) => block[at..]
                .lines()
                .skip(1)
                .take_while(|l| !l.starts_with(']'))
                .map(|l| l.trim().trim_end_matches(',').trim_matches('"').to_owned())
                .collect(),
            None => Vec::new(),
        };
        let key = format!("{name} {version}");
        names.entry(name).or_default().push(key.clone());
        raw.push((key, deps));
    }
    for (key, deps) in raw {
        let resolved = deps
            .iter()
            .flat_map(|d| {
                let mut parts = d.split(' ');
                let name = parts.next().unwrap_or_default();
                match parts.next() {
                    Some(version) => vec![format!("{name} {version}")],
                    None => names.get(name).cloned().unwrap_or_default(),
                }
            })
            .collect();
        graph.insert(key, resolved);
    }
    graph
}

/// The SQLite packages `package` reaches in the lock file, with the chain that reaches each.
fn sqlite_reached_from(lock: &str, package: &str) -> Vec<String> {
    let graph = lock_graph(lock);
    let mut found = Vec::new();
    let mut seen = BTreeSet::new();
    let mut todo: Vec<Vec<String>> = graph.keys().filter(|k| k.split(' ').next() == Some(package)).map(|k| vec![k.clone()]).collect();
    while let Some(chain) = todo.pop() {
        let last = chain.last().expect("chains are never empty").clone();
        if !seen.insert(last.clone()) {
            continue;
        }
        if SQLITE_PACKAGES.contains(&last.split(' ').next().unwrap_or_default()) {
            found.push(chain.join(" → "));
            continue;
        }
        for d in graph.get(&last).into_iter().flatten() {
            let mut next = chain.clone();
            next.push(d.clone());
            todo.push(next);
        }
    }
    found.sort();
    found
}

/// The dependency lines of a Cargo.toml that name a SQLite package.
fn sqlite_in_manifest(manifest: &str) -> Vec<String> {
    manifest
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter(|l| SQLITE_PACKAGES.iter().any(|p| l.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_')).any(|w| w == *p)))
        .map(|l| l.trim().to_owned())
        .collect()
}

/// The dependencies the playground's page is built with: web/Cargo.toml's dependencies (every
/// target's) that are not optional, and the optional ones its `page` feature turns on,
/// following the features it names in turn.
fn page_dependencies(manifest: &str) -> Result<BTreeSet<String>, String> {
    let manifest: toml::Table = manifest.parse().map_err(|e| format!("web/Cargo.toml does not parse: {e}"))?;
    let mut tables: Vec<&toml::Table> = manifest.get("dependencies").and_then(|d| d.as_table()).into_iter().collect();
    for target in manifest.get("target").and_then(|t| t.as_table()).into_iter().flat_map(|t| t.values()) {
        tables.extend(target.get("dependencies").and_then(|d| d.as_table()));
    }
    let mut plain = BTreeSet::new();
    let mut optional = BTreeSet::new();
    for (name, spec) in tables.into_iter().flatten() {
        let is_optional = spec.get("optional").and_then(|o| o.as_bool()).unwrap_or(false);
        if is_optional { &mut optional } else { &mut plain }.insert(name.clone());
    }
    let features = manifest.get("features").and_then(|f| f.as_table()).ok_or("web/Cargo.toml has no [features]")?;
    if !features.contains_key("page") {
        return Err("web/Cargo.toml has no `page` feature; update this test".into());
    }
    let mut todo = vec!["page".to_owned()];
    let mut seen = BTreeSet::new();
    while let Some(feature) = todo.pop() {
        if !seen.insert(feature.clone()) {
            continue;
        }
        for item in features.get(&feature).and_then(|f| f.as_array()).into_iter().flatten().filter_map(|i| i.as_str()) {
            // `dep:x` and `x/feature` (or `x?/feature`) turn on the dependency x; a bare name is
            // another feature, or an optional dependency's implicit feature.
            let name = item.strip_prefix("dep:").unwrap_or(item);
            let name = name.split('/').next().unwrap_or(name).trim_end_matches('?');
            if features.contains_key(name) && !item.starts_with("dep:") && !item.contains('/') {
                todo.push(name.to_owned());
            } else if optional.contains(name) {
                plain.insert(name.to_owned());
            }
        }
    }
    Ok(plain)
}

/// The SQLite packages the page's module reaches, with the chain that reaches each.
fn sqlite_in_page(manifest: &str, lock: &str) -> Result<Vec<String>, String> {
    let mut found = Vec::new();
    for dep in page_dependencies(manifest)? {
        if SQLITE_PACKAGES.contains(&dep.as_str()) {
            found.push(format!("strata-web (page) → {dep}"));
        }
        found.extend(sqlite_reached_from(lock, &dep).into_iter().map(|chain| format!("strata-web (page) → {chain}")));
    }
    Ok(found)
}

/// The files of web/ other than the worker that name `rusqlite` or `Connection` in code.
fn connections_in_web(files: &[(String, String)]) -> Vec<String> {
    files
        .iter()
        .filter(|(path, _)| path != WORKER)
        .filter_map(|(path, src)| {
            let named: BTreeSet<String> = tokens(src)
                .into_iter()
                .filter_map(|t| match t {
                    Token::Ident(w) if w == "rusqlite" || w == "Connection" => Some(w),
                    _ => None,
                })
                .collect();
            (!named.is_empty()).then(|| format!("{path} names {}", named.into_iter().collect::<Vec<_>>().join(" and ")))
        })
        .collect()
}

/// Whether a file is test code only (a `tests.rs` module or a `*_tests.rs` one).
fn is_test_file(path: &str) -> bool {
    path.ends_with("/tests.rs") || path.ends_with("_tests.rs") || path.starts_with("web/tests/")
}

/// The string literals of web/'s code that start with a SQL keyword, as `path:line: text`.
/// Test modules (`#[cfg(test)] mod … { … }` and test files) send what a visitor would type, so
/// they are left out.
fn sql_built_in_web(files: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (path, src) in files.iter().filter(|(p, _)| !is_test_file(p)) {
        let toks = tokens(src);
        let mut depth = 0usize;
        let mut test_from: Option<usize> = None;
        for (i, t) in toks.iter().enumerate() {
            match t {
                Token::Punct('{') => depth += 1,
                Token::Punct('}') => {
                    depth = depth.saturating_sub(1);
                    if test_from == Some(depth) {
                        test_from = None;
                    }
                }
                Token::Ident(w) if w == "mod" && test_from.is_none() && i >= 6 => {
                    let attr = [Token::Punct('#'), Token::Punct('['), Token::Ident("cfg".into()), Token::Punct('('), Token::Ident("test".into()), Token::Punct(')'), Token::Punct(']')];
                    if i >= attr.len() && toks[i - attr.len()..i] == attr {
                        test_from = Some(depth);
                    }
                }
                Token::Str(text, line) if test_from.is_none() => {
                    let first: String = text.trim_start().chars().take_while(|c| c.is_ascii_alphabetic()).collect();
                    let after = text.trim_start()[first.len()..].chars().next();
                    if SQL_KEYWORDS.contains(&first.as_str()) && after.is_none_or(|c| c.is_whitespace() || c == '(' || c == ';') {
                        let shown: String = text.trim().chars().take(60).collect();
                        out.push(format!("{path}:{line}: \"{shown}\""));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// The circles of modules in one crate whose sources are `files` (relative to its `src/`).
fn module_circles(files: &[(String, String)]) -> Vec<String> {
    let mods = modules(files);
    let mut edges = BTreeSet::new();
    for (rel, src) in files {
        for (from, named) in named_paths(src, &file_module(rel)) {
            let from = module_of(&from, &mods);
            let to = module_of(&named, &mods);
            if let Some(edge) = sibling_edge(&from, &to) {
                edges.insert(edge);
            }
        }
    }
    circles(&edges).into_iter().map(|group| group.iter().map(|m| m.join("::")).collect::<Vec<_>>().join(" ↔ ")).collect()
}

/// The crates whose modules are checked for circles: each `src/` folder of the workspace.
fn crate_sources() -> Vec<(String, Vec<(String, String)>)> {
    let root = root();
    let mut dirs: Vec<PathBuf> = fs::read_dir(root.join("crates")).into_iter().flatten().flatten().map(|e| e.path().join("src")).collect();
    dirs.push(root.join("web/src"));
    dirs.push(root.join("tests/src"));
    dirs.sort();
    dirs.into_iter()
        .filter(|d| d.is_dir())
        .map(|d| {
            let prefix = format!("{}/", d.strip_prefix(&root).unwrap_or(&d).to_string_lossy());
            let files = rust_files(&d).into_iter().map(|(p, s)| (p.trim_start_matches(&prefix).to_owned(), s)).collect();
            (prefix, files)
        })
        .collect()
}

/// The files that do not open with a `//!` line.
fn without_leading_doc(files: &[(String, String)]) -> Vec<String> {
    files.iter().filter(|(_, src)| !src.starts_with("//!")).map(|(p, _)| p.clone()).collect()
}

/// The `#[error("…")]` texts that name a CLI command (`` `strata merge` ``, `…: strata merge`) or flag
/// (`--allow-data-loss`), as `path:line: text`.
fn cli_words_in_messages(files: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (path, src) in files {
        let toks = tokens(src);
        let attr = [Token::Punct('#'), Token::Punct('['), Token::Ident("error".into()), Token::Punct('(')];
        let mut i = 0;
        while i + attr.len() <= toks.len() {
            if toks[i..i + attr.len()] != attr {
                i += 1;
                continue;
            }
            let mut depth = 1usize;
            i += attr.len();
            while i < toks.len() && depth > 0 {
                match &toks[i] {
                    Token::Punct('(') => depth += 1,
                    Token::Punct(')') => depth -= 1,
                    Token::Str(text, line) => {
                        let flag = text.match_indices("--").any(|(at, _)| text[at + 2..].starts_with(|c: char| c.is_ascii_lowercase()));
                        if flag || text.contains("`strata ") || text.contains(": strata ") {
                            let shown: String = text.chars().take(80).collect();
                            out.push(format!("{path}:{line}: \"{shown}\""));
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
    }
    out
}

fn fail_with(what: &str, found: &[String]) {
    assert!(found.is_empty(), "{what}:\n  {}", found.join("\n  "));
}

#[test]
fn strata_core_reaches_no_sqlite() {
    let root = root();
    let manifest = fs::read_to_string(root.join("crates/strata-core/Cargo.toml")).unwrap();
    fail_with("crates/strata-core/Cargo.toml names SQLite; the pure core must not", &sqlite_in_manifest(&manifest));
    let lock = fs::read_to_string(root.join("Cargo.lock")).unwrap();
    assert!(lock.contains("name = \"strata-core\""), "Cargo.lock lists no strata-core");
    fail_with("strata-core reaches SQLite through its dependencies", &sqlite_reached_from(&lock, "strata-core"));
}

#[test]
fn the_playground_page_links_no_sqlite() {
    let root = root();
    let manifest = fs::read_to_string(root.join("web/Cargo.toml")).unwrap();
    let lock = fs::read_to_string(root.join("Cargo.lock")).unwrap();
    let deps = page_dependencies(&manifest).unwrap();
    assert!(deps.contains("yew") && deps.contains("strata-core"), "the page's dependencies were misread: {deps:?}");
    fail_with("the playground's page module reaches SQLite; only the worker's may", &sqlite_in_page(&manifest, &lock).unwrap());
}

#[test]
fn only_the_worker_names_a_connection_in_the_playground() {
    let root = root();
    let mut files = rust_files(&root.join("web"));
    assert!(files.iter().any(|(p, _)| p == WORKER), "{WORKER} is gone; update this test");
    let manifest = fs::read_to_string(root.join("web/Cargo.toml")).unwrap();
    files.push(("web/Cargo.toml".into(), manifest));
    fail_with("outside the worker, the playground names a connection", &connections_in_web(&files));
}

#[test]
fn the_playground_builds_no_sql() {
    fail_with("the playground builds SQL text; the engine's workspace should", &sql_built_in_web(&rust_files(&root().join("web"))));
}

#[test]
fn no_crate_has_a_circle_of_modules() {
    let mut found = Vec::new();
    for (dir, files) in crate_sources() {
        found.extend(module_circles(&files).into_iter().map(|c| format!("{dir}: {c}")));
    }
    fail_with("modules depend on each other in a circle", &found);
}

#[test]
fn every_rust_file_says_what_it_is_for() {
    let root = root();
    let mut files = Vec::new();
    for dir in ["crates", "web", "tests"] {
        files.extend(rust_files(&root.join(dir)));
    }
    assert!(files.len() > 100, "only {} files found", files.len());
    fail_with("these files do not open with a `//!` line", &without_leading_doc(&files));
}

#[test]
fn the_engines_messages_leave_cli_words_to_the_cli() {
    let root = root();
    let mut files = rust_files(&root.join("crates/strata-core"));
    files.extend(rust_files(&root.join("crates/strata-engine")));
    assert!(files.len() > 30, "only {} files found", files.len());
    fail_with("these messages name CLI commands or flags; let strata-cli's failure::cli_words add them", &cli_words_in_messages(&files));
}

/// Each check refuses the violation it exists for, so none of the tests above passes for want
/// of finding anything.
mod the_checks_catch {
    use super::*;

    fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(p, s)| (p.to_string(), s.to_string())).collect()
    }

    #[test]
    fn sqlite_reached_through_another_package() {
        let lock = "[[package]]\nname = \"strata-core\"\nversion = \"0.1.0\"\ndependencies = [\n \"helper\",\n]\n\n[[package]]\nname = \"helper\"\nversion = \"1.0.0\"\ndependencies = [\n \"rusqlite 0.43.0\",\n]\n\n[[package]]\nname = \"rusqlite\"\nversion = \"0.43.0\"\n";
        assert_eq!(sqlite_reached_from(lock, "strata-core"), ["strata-core 0.1.0 → helper 1.0.0 → rusqlite 0.43.0"]);
        let clean = lock.replace(" \"rusqlite 0.43.0\",\n", "");
        assert!(sqlite_reached_from(&clean, "strata-core").is_empty());
        assert_eq!(sqlite_in_manifest("[dependencies]\nrusqlite = { workspace = true }\n# rusqlite is elsewhere\n"), ["rusqlite = { workspace = true }"]);
    }

    #[test]
    fn sqlite_in_the_page_module() {
        let lock = "[[package]]\nname = \"strata-core\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"strata-engine\"\nversion = \"0.1.0\"\ndependencies = [\n \"rusqlite\",\n]\n\n[[package]]\nname = \"rusqlite\"\nversion = \"0.37.0\"\n\n[[package]]\nname = \"yew\"\nversion = \"0.21.0\"\n\n[[package]]\nname = \"sqlite-wasm-rs\"\nversion = \"0.6.3\"\n";
        let manifest = |page: &str, extra: &str| {
            format!(
                "[features]\ndefault = [\"page\", \"worker\"]\npage = [{page}]\nworker = [\"dep:strata-engine\"]\nsome = [\"dep:strata-engine\"]\n\n[dependencies]\nstrata-core.workspace = true\nstrata-engine = {{ workspace = true, optional = true }}\nyew = {{ workspace = true, optional = true }}\n{extra}\n[target.'cfg(target_arch = \"wasm32\")'.dependencies]\nsqlite-wasm-rs = {{ workspace = true, optional = true }}\n"
            )
        };
        // As web/Cargo.toml is: the page turns on Yew only.
        assert!(sqlite_in_page(&manifest("\"dep:yew\"", ""), lock).unwrap().is_empty());
        // The engine through another feature, or through its implicit feature.
        assert_eq!(sqlite_in_page(&manifest("\"dep:yew\", \"some\"", ""), lock).unwrap(), ["strata-web (page) → strata-engine 0.1.0 → rusqlite 0.37.0"]);
        assert_eq!(sqlite_in_page(&manifest("\"strata-engine/x\"", ""), lock).unwrap(), ["strata-web (page) → strata-engine 0.1.0 → rusqlite 0.37.0"]);
        // SQLite as a plain dependency of one target, or turned on by the page.
        let plain = manifest("\"dep:yew\"", "").replace("sqlite-wasm-rs = { workspace = true, optional = true }", "sqlite-wasm-rs.workspace = true");
        assert_eq!(sqlite_in_page(&plain, lock).unwrap(), ["strata-web (page) → sqlite-wasm-rs", "strata-web (page) → sqlite-wasm-rs 0.6.3"]);
        assert_eq!(sqlite_in_page(&manifest("\"dep:sqlite-wasm-rs\"", ""), lock).unwrap().len(), 2);
        // A manifest without the feature is not silently clean.
        assert!(page_dependencies("[dependencies]\nyew = \"0.21\"\n").is_err());
    }

    #[test]
    fn a_connection_outside_the_worker() {
        let web = files(&[
            (WORKER, "//! w\nuse rusqlite::Connection;"),
            ("web/src/components/app.rs", "//! a\nfn f(c: &strata_engine::rusqlite::Connection) {}"),
            ("web/src/state.rs", "//! s\n// a Connection in a comment is fine\nconst S: &str = \"rusqlite\";"),
        ]);
        assert_eq!(connections_in_web(&web), ["web/src/components/app.rs names Connection and rusqlite"]);
    }

    #[test]
    fn sql_built_in_the_playground() {
        let web = files(&[
            ("web/src/components/app.rs", "//! a\nfn f(t: &str) -> String { format!(\"SELECT count(*) FROM {t}\") }\nconst LABEL: &str = \"Update the model\";"),
            ("web/src/state.rs", "//! s\nfn g() {}\n#[cfg(test)]\nmod tests {\n    const TYPED: &str = \"DELETE FROM users\";\n}\n"),
            ("web/src/services/client.rs", "//! c\nconst RAW: &str = r#\"  PRAGMA foreign_keys\"#;"),
        ]);
        assert_eq!(
            sql_built_in_web(&web),
            ["web/src/components/app.rs:2: \"SELECT count(*) FROM {t}\"", "web/src/services/client.rs:2: \"PRAGMA foreign_keys\""]
        );
    }

    #[test]
    fn a_circle_of_modules() {
        let krate = files(&[
            ("lib.rs", "//! l\npub mod plan;\npub mod render;\npub mod schema;\n"),
            ("plan.rs", "//! p\nuse crate::{render, schema::Table};\n"),
            ("render.rs", "//! r\nfn f() { crate::plan::order(); }\n"),
            ("schema.rs", "//! s\n"),
            ("migrate/mod.rs", "//! m\nmod gate;\nuse gate::x;\n"),
            ("migrate/gate.rs", "//! g\nuse super::applied;\nuse crate::schema;\n"),
        ]);
        assert_eq!(module_circles(&krate), ["plan ↔ render"]);
        let without = files(&[("plan.rs", "//! p\nuse crate::render;\n"), ("render.rs", "//! r\nuse crate::schema;\n"), ("schema.rs", "//! s\n")]);
        assert!(module_circles(&without).is_empty());
        // A circle deeper down, between siblings of one folder, through `super::`.
        let deep = files(&[
            ("services/mod.rs", "//! s\npub mod client;\npub mod protocol;\n"),
            ("services/client.rs", "//! c\nuse super::protocol::Request;\n"),
            ("services/protocol.rs", "//! p\nmod inner {\n    use super::super::client::Client;\n}\n"),
        ]);
        assert_eq!(module_circles(&deep), ["services::client ↔ services::protocol"]);
    }

    #[test]
    fn cli_words_in_an_engine_message() {
        let core = files(&[(
            "crates/strata-core/src/revision.rs",
            "//! r\n#[derive(thiserror::Error)]\nenum E {\n    #[error(\"no revision matches `{spec}`; `strata history` lists them\")]\n    A { spec: String },\n    #[error(\n        \"{} would lose data; run again with --allow-data-loss\", f(x)\n    )]\n    B,\n    #[error(\"fix their `-- parents:` lines; a strata project ({})\", g(\"--x\"))]\n    C,\n}\nconst HELP: &str = \"`strata merge` joins heads\";\n",
        )]);
        assert_eq!(
            cli_words_in_messages(&core),
            [
                "crates/strata-core/src/revision.rs:4: \"no revision matches `{spec}`; `strata history` lists them\"",
                "crates/strata-core/src/revision.rs:7: \"{} would lose data; run again with --allow-data-loss\"",
                "crates/strata-core/src/revision.rs:10: \"--x\"",
            ]
        );
    }

    #[test]
    fn a_file_without_its_line() {
        let some = files(&[("a.rs", "//! a\n"), ("b.rs", "// b\n"), ("c.rs", "\n//! c\n")]);
        assert_eq!(without_leading_doc(&some), ["b.rs", "c.rs"]);
    }
}
