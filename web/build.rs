//! Compiles the lesson files in `lessons/` into the crate: each file's TOML front matter is
//! parsed here, at build time, and embedded as JSON beside its markdown.
//!
//! Parsing TOML in the browser would ship a TOML parser in the wasm module for eleven small
//! files; serde_json is in the module anyway. A front matter that does not parse fails the
//! build, naming the file.
//!
//! With the `worker` feature it also writes the demo's database file (`demo.sqlite3` in
//! OUT_DIR), built natively by strata-engine exactly as a first visit would seed it, so the
//! worker can put it in place at once instead of building the demo in the browser. With the
//! `page` feature it writes the worker's answer to a first visit's Open over that database
//! (`first_open.json`), so the page can draw the demo before the worker is up.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new("lessons");
    println!("cargo:rerun-if-changed=lessons");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("web/lessons exists")
        .map(|entry| entry.expect("a readable directory entry").file_name())
        .filter_map(|name| name.to_str()?.strip_suffix(".md").map(str::to_owned))
        .collect();
    names.sort();
    let mut out =
        String::from("/// (file name without .md, front matter as JSON, markdown body)\n");
    out.push_str("pub const FILES: &[(&str, &str, &str)] = &[\n");
    for name in &names {
        let path = dir.join(format!("{name}.md"));
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
            .replace("\r\n", "\n");
        let (front, body) = split(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let value: toml::Value =
            toml::from_str(front).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let json = serde_json::to_string(&value).expect("TOML values are JSON values");
        writeln!(out, "    ({name:?}, {json:?}, {body:?}),").unwrap();
    }
    out.push_str("];\n");
    let target =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("lessons.rs");
    std::fs::write(target, out).expect("OUT_DIR is writable");
    #[cfg(feature = "worker")]
    demo_image();
    #[cfg(feature = "page")]
    first_open();
}

/// The table a first visit's data grid shows; `state::FIRST_TABLE` must name the same (the
/// page checks that the answer it draws shows it).
#[cfg(feature = "page")]
const FIRST_TABLE: &str = "users";

/// Writes the worker's answer to a first visit's Open for the page to include.
#[cfg(feature = "page")]
fn first_open() {
    let reply = strata_engine::workspace::demo_image::first_open(FIRST_TABLE)
        .unwrap_or_else(|e| panic!("the demo's first answer cannot be made: {e}"));
    let json = serde_json::to_string(&reply).expect("replies are plain data and always serialize");
    let target =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("first_open.json");
    std::fs::write(target, json).expect("OUT_DIR is writable");
}

/// Writes the demo's database file for the worker to include.
#[cfg(feature = "worker")]
fn demo_image() {
    // The demo's files are read by strata-core and applied by strata-engine, both of which
    // Cargo rebuilds (and so reruns this script) when they change.
    let image = strata_engine::workspace::demo_image::demo_image()
        .unwrap_or_else(|e| panic!("the demo's database cannot be built: {e}"));
    let target =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("demo.sqlite3");
    std::fs::write(target, image).expect("OUT_DIR is writable");
}

/// The front matter between the opening and closing `+++` lines, and the markdown after it.
fn split(text: &str) -> Result<(&str, &str), &'static str> {
    let rest = text
        .strip_prefix("+++\n")
        .ok_or("a lesson starts with a +++ line")?;
    let end = rest
        .find("\n+++\n")
        .ok_or("the front matter ends with a +++ line")?;
    Ok((&rest[..end], &rest[end + 5..]))
}
