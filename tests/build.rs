//! Embeds the data-driven cases of `test_data/` into the test crate, so that the same cases
//! run where there is no file system to read them from (wasm32 in a browser).

use std::{env, fs, path::Path};

fn main() {
    let root = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("test_data");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut dirs: Vec<_> = fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    let mut out = String::from("/// The cases of `test_data/`, embedded at build time.\npub const CASES: &[Case] = &[\n");
    for d in &dirs {
        println!("cargo:rerun-if-changed={}", d.display());
        let name = d.file_name().unwrap().to_string_lossy();
        let file = |f: &str| {
            let p = d.join(f);
            println!("cargo:rerun-if-changed={}", p.display());
            if p.exists() { format!("include_str!({:?})", p.display().to_string()) } else { "\"\"".to_string() }
        };
        out.push_str(&format!(
            "    Case {{ name: {name:?}, from: {}, to: {}, up: {}, down: {} }},\n",
            file("from.sql"),
            file("to.sql"),
            file("up.sql"),
            file("down.sql")
        ));
    }
    out.push_str("];\n");
    fs::write(Path::new(&env::var("OUT_DIR").unwrap()).join("cases.rs"), out).unwrap();
}
