//! A reader of Rust source just deep enough for the architecture checks: it drops comments,
//! keeps string literals (with their line) apart, and reads the module paths a file names
//! (`crate::a::b`, `super::c`, `use crate::{d, e::f}`), resolved against the module tree.

use std::collections::BTreeSet;

/// One token of Rust source, comments left out.
#[derive(Clone, Debug, PartialEq)]
pub enum Token {
    Ident(String),
    /// `::`
    PathSep,
    /// Any other punctuation character.
    Punct(char),
    /// A string literal's contents as written (escapes not undone), and its line.
    Str(String, usize),
}

/// The tokens of `src`. Char literals and lifetimes are dropped; numbers become identifiers,
/// which no check looks at.
pub fn tokens(src: &str) -> Vec<Token> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            // Block comments nest in Rust.
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if c == '"' || ((c == 'b' || c == 'c') && at(i + 1) == '"') {
            let start_line = line;
            i += if c == '"' { 1 } else { 2 };
            let mut text = String::new();
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    text.push(chars[i]);
                    i += 1;
                }
                if at(i) == '\n' {
                    line += 1;
                }
                text.push(at(i));
                i += 1;
            }
            i += 1;
            out.push(Token::Str(text, start_line));
        } else if (c == 'r' && (at(i + 1) == '"' || at(i + 1) == '#'))
            || (c == 'b' && at(i + 1) == 'r' && (at(i + 2) == '"' || at(i + 2) == '#'))
        {
            let start_line = line;
            let mut j = i + if c == 'r' { 1 } else { 2 };
            let mut hashes = 0;
            while at(j) == '#' {
                hashes += 1;
                j += 1;
            }
            if at(j) != '"' {
                // `r#ident`, a raw identifier.
                i += 1;
                continue;
            }
            j += 1;
            let mut text = String::new();
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (1..=hashes).all(|k| at(j + k) == '#') {
                    j += 1 + hashes;
                    break;
                }
                if chars[j] == '\n' {
                    line += 1;
                }
                text.push(chars[j]);
                j += 1;
            }
            i = j;
            out.push(Token::Str(text, start_line));
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{1F600}') or a lifetime ('a).
            if at(i + 1) == '\\' {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
            }
        } else if c.is_alphanumeric() || c == '_' {
            let mut word = String::new();
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                word.push(chars[i]);
                i += 1;
            }
            out.push(Token::Ident(word));
        } else if c == ':' && at(i + 1) == ':' {
            out.push(Token::PathSep);
            i += 2;
        } else {
            out.push(Token::Punct(c));
            i += 1;
        }
    }
    out
}

/// A module path inside one crate: `["services", "engine"]`; the root is empty.
pub type ModPath = Vec<String>;

/// The module paths a file at `here` names, absolute, each as written (possibly naming an item
/// inside a module). Inline modules (`mod tests { … }`) are followed, so `super::` inside one
/// means the file's own module.
pub fn named_paths(src: &str, here: &ModPath) -> Vec<(ModPath, ModPath)> {
    let toks = tokens(src);
    let mut out = Vec::new();
    // The inline modules open at this point, with the brace depth they opened at.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < toks.len() {
        let current = || -> ModPath {
            let mut m = here.clone();
            m.extend(inline.iter().map(|(n, _)| n.clone()));
            m
        };
        match &toks[i] {
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            Token::Ident(m) if m == "mod" => {
                if let (Some(Token::Ident(name)), Some(Token::Punct('{'))) = (toks.get(i + 1), toks.get(i + 2)) {
                    inline.push((name.clone(), depth));
                    depth += 1;
                    i += 3;
                    continue;
                }
            }
            Token::Ident(w) if (w == "crate" || w == "super" || w == "self") && toks.get(i + 1) == Some(&Token::PathSep) => {
                // `self.x` and `Self::` are not paths of modules; `crate::`, `super::` and
                // `self::` are.
                let previous_is_sep = i > 0 && toks[i - 1] == Token::PathSep;
                if !previous_is_sep {
                    let from = current();
                    let (paths, next) = use_tree(&toks, i, Vec::new());
                    for p in paths {
                        if let Some(abs) = absolute(&p, &from) {
                            out.push((from.clone(), abs));
                        }
                    }
                    i = next;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Reads a path (with `{…}` groups, as in `use`) starting at `i`; returns every full path and
/// the index after it.
fn use_tree(toks: &[Token], mut i: usize, prefix: Vec<String>) -> (Vec<Vec<String>>, usize) {
    let mut path = prefix;
    let mut out = Vec::new();
    loop {
        match toks.get(i) {
            Some(Token::Ident(w)) => {
                path.push(w.clone());
                i += 1;
            }
            Some(Token::Punct('{')) => {
                i += 1;
                loop {
                    match toks.get(i) {
                        Some(Token::Punct('}')) => return (out, i + 1),
                        Some(Token::Punct(',')) => i += 1,
                        None => return (out, i),
                        _ => {
                            let (paths, next) = use_tree(toks, i, path.clone());
                            out.extend(paths);
                            if next == i {
                                i += 1;
                            } else {
                                i = next;
                            }
                        }
                    }
                }
            }
            Some(Token::Punct('*')) => {
                out.push(path);
                return (out, i + 1);
            }
            _ => {
                out.push(path);
                return (out, i);
            }
        }
        if toks.get(i) == Some(&Token::PathSep) {
            i += 1;
        } else {
            // `as name` and the rest of an expression end the path.
            out.push(path);
            return (out, i);
        }
    }
}

/// `crate::a`, `super::a` or `self::a` read from module `from`, as a path from the crate root.
fn absolute(path: &[String], from: &ModPath) -> Option<ModPath> {
    let mut segs = path.iter();
    let mut base: ModPath = match segs.next()?.as_str() {
        "crate" => Vec::new(),
        "self" => from.clone(),
        "super" => {
            let mut b = from.clone();
            b.pop()?;
            b
        }
        _ => return None,
    };
    for s in segs {
        match s.as_str() {
            "super" => {
                base.pop()?;
            }
            "self" => {}
            other => base.push(other.to_owned()),
        }
    }
    Some(base)
}

/// The longest prefix of `path` that is a module of the crate.
pub fn module_of(path: &ModPath, modules: &BTreeSet<ModPath>) -> ModPath {
    let mut p = path.clone();
    while !p.is_empty() && !modules.contains(&p) {
        p.pop();
    }
    p
}

/// The dependency `from → to` seen between siblings: the two children of their deepest common
/// module. `None` when one contains the other (a module and its own parts are one unit).
pub fn sibling_edge(from: &ModPath, to: &ModPath) -> Option<(ModPath, ModPath)> {
    let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
    if common == from.len() || common == to.len() {
        return None;
    }
    Some((from[..=common].to_vec(), to[..=common].to_vec()))
}

/// The modules of `files` (paths relative to the crate's `src/`), inline ones included.
pub fn modules(files: &[(String, String)]) -> BTreeSet<ModPath> {
    let mut out = BTreeSet::new();
    out.insert(Vec::new());
    for (rel, src) in files {
        let here = file_module(rel);
        for k in 1..=here.len() {
            out.insert(here[..k].to_vec());
        }
        for (from, _) in named_paths(src, &here) {
            out.insert(from);
        }
        // Inline modules that name nothing still count as modules.
        let toks = tokens(src);
        for w in toks.windows(3) {
            if let [Token::Ident(m), Token::Ident(name), Token::Punct('{')] = w {
                if m == "mod" {
                    let mut p = here.clone();
                    p.push(name.clone());
                    out.insert(p);
                }
            }
        }
    }
    out
}

/// The module a file is: `a/b.rs` and `a/b/mod.rs` are `a::b`; `lib.rs` and `main.rs` the root.
pub fn file_module(rel: &str) -> ModPath {
    let rel = rel.trim_end_matches(".rs");
    let mut parts: Vec<String> = rel.split('/').map(str::to_owned).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts.len() == 1 && (parts[0] == "lib" || parts[0] == "main") {
        parts.clear();
    }
    parts
}

/// The circles among `edges`: each strongly connected group of more than one module, its
/// members sorted.
pub fn circles(edges: &BTreeSet<(ModPath, ModPath)>) -> Vec<Vec<ModPath>> {
    let nodes: BTreeSet<&ModPath> = edges.iter().flat_map(|(a, b)| [a, b]).collect();
    let reach = |start: &ModPath| -> BTreeSet<ModPath> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![start.clone()];
        while let Some(n) = todo.pop() {
            for (a, b) in edges {
                if *a == n && seen.insert(b.clone()) {
                    todo.push(b.clone());
                }
            }
        }
        seen
    };
    let mut groups: BTreeSet<Vec<ModPath>> = BTreeSet::new();
    for n in &nodes {
        let from_n = reach(n);
        if !from_n.contains(*n) {
            continue;
        }
        let group: Vec<ModPath> = from_n.iter().filter(|m| reach(m).contains(*n)).cloned().collect();
        groups.insert(group);
    }
    groups.into_iter().collect()
}
