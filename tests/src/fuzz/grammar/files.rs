//! Revision files, sets of them that form graphs, and numbered migration folders, each set
//! carried in one input as `=== name` sections.

use super::*;

fn revision_id(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => format!("{:012x}", rng.next_u64() & 0xffff_ffff_ffff),
        1 => format!("{:04}", rng.below(20)),
        2 => rng.pick(&["head", "heads", "base", "-1", "+2", "", "a b", "é", "a,b", "x.y", "1_a", "..", "a/b"]).to_string(),
        _ => format!("r{}", rng.below(12)),
    }
}

/// A revision file, well formed or nearly so.
pub fn revision_file(rng: &mut Rng) -> String {
    let mut s = String::new();
    let nl = if rng.one_in(10) { "\r\n" } else { "\n" };
    if rng.one_in(15) {
        s.push('\u{feff}');
    }
    if rng.below(10) > 0 {
        s.push_str(&format!("-- strata revision{nl}"));
    }
    let mut header = vec![
        format!("-- id: {}", revision_id(rng)),
        format!("-- parents: {}", (0..rng.below(3)).map(|_| revision_id(rng)).collect::<Vec<_>>().join(rng.word(&[", ", ",", " ", " , "]))),
        format!("-- message: {}", if rng.coin() { "add things".to_string() } else { unicode::string(rng, 6) }),
        format!("-- created: {}", rng.pick(&["2026-01-01T00:00:00Z", "", "yesterday", "2026-13-45T99:99:99Z"])),
    ];
    if rng.one_in(6) {
        header.push(format!("-- {}: {}", unicode::string(rng, 3), unicode::string(rng, 3)));
    }
    if rng.one_in(8) {
        let i = rng.below(header.len());
        header.remove(i);
    }
    for h in header {
        s.push_str(&h);
        s.push_str(nl);
    }
    s.push_str(nl);
    let options = |rng: &mut Rng| {
        (0..rng.below(3)).map(|_| *rng.pick(&[" foreign_keys=off", " no-transaction", " data-loss=accepted", " foreign_keys=on", " bogus"])).collect::<String>()
    };
    if rng.below(12) > 0 {
        s.push_str(&format!("-- +up{}{nl}", options(rng)));
    }
    s.push_str(&sql_script(rng).replace('\n', nl));
    if rng.one_in(10) {
        s.push_str(&format!("-- +{}{nl}", rng.pick(&["1 day grace", "sideways", "up", ""])));
    }
    if rng.below(8) > 0 {
        s.push_str(&format!("{nl}-- +down{}{nl}", options(rng)));
        if rng.one_in(6) {
            s.push_str("-- data loss: drops users.email\n");
        }
        s.push_str(&sql_script(rng).replace('\n', nl));
    }
    s
}

/// The line that separates files when several are carried in one input.
pub const FILE_SEPARATOR: &str = "\n=== ";

/// Several revision files in one input, separated by [`FILE_SEPARATOR`] lines, whose parents
/// mostly name one another so that graphs with branches, merges and cycles are built.
pub fn revision_set(rng: &mut Rng) -> String {
    let n = rng.range(1, 4);
    let ids: Vec<String> = (0..n).map(|i| if rng.one_in(10) { revision_id(rng) } else { format!("r{i}") }).collect();
    let mut files = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let parents: Vec<&str> = match rng.below(6) {
            0 => vec![],
            1 if i > 1 => vec![&ids[i - 1], &ids[i - 2]],
            2 => vec![rng.pick(&ids).as_str()],
            3 => vec![&ids[rng.below(i.max(1))], &ids[rng.below(i.max(1))]],
            _ if i > 0 => vec![&ids[i - 1]],
            _ => vec![],
        };
        let mut body = revision_file(rng);
        if rng.below(5) > 0 {
            body = replace_header(&body, "id", id);
            body = replace_header(&body, "parents", &parents.join(", "));
        }
        files.push(body);
    }
    let mut out = String::new();
    for f in files {
        out.push_str(FILE_SEPARATOR);
        out.push_str("rev\n");
        out.push_str(&f);
    }
    out.push_str(&format!("{FILE_SEPARATOR}targets\n"));
    for _ in 0..rng.range(1, 4) {
        out.push_str(&format!("{}\n", rng.pick(&["head", "heads", "base", "+1", "-1", "+99", "-99", "r", "r1", "r0", "", "+", "-0", "9223372036854775807", "-9223372036854775808"])));
    }
    out
}

fn replace_header(file: &str, key: &str, value: &str) -> String {
    let prefix = format!("-- {key}:");
    file.lines().map(|l| if l.starts_with(&prefix) { format!("{prefix} {value}") } else { l.to_string() }).collect::<Vec<_>>().join("\n")
}

/// A folder of numbered migration files as one input: `=== name` lines, each followed by the
/// file's text.
pub fn numbered_folder(rng: &mut Rng) -> String {
    let mut out = String::new();
    for _ in 0..rng.range(0, 5) {
        let number = match rng.below(8) {
            0 => "99999999999999999999999".to_string(),
            1 => String::new(),
            2 => rng.pick(&["0", "00", "-1", "1e3", "٣", "１"]).to_string(),
            _ => format!("{:03}", rng.below(6)),
        };
        let stem = match rng.below(6) {
            0 => unicode::name(rng),
            1 => String::new(),
            _ => rng.pick(&["initial_schema", "add_phone", "rollback", "a_rollback", "x"]).to_string(),
        };
        let name = format!(
            "{number}{}{stem}{}{}",
            rng.pick(&["_", "_", "-", ""]),
            if rng.one_in(3) { "_rollback" } else { "" },
            rng.pick(&[".sql", ".sql", ".sql", ".SQL", ".txt", ""])
        );
        out.push_str(FILE_SEPARATOR);
        out.push_str(&name);
        out.push('\n');
        if rng.coin() {
            out.push_str(rng.word(&["-- Migration: x\n-- Description: ", "-- description:", "--:", "-- Description: \n"]));
            out.push_str(&unicode::string(rng, 4));
            out.push('\n');
        }
        if rng.coin() {
            out.push_str("BEGIN;\n");
        }
        out.push_str(&sql_script(rng));
        if rng.coin() {
            out.push_str(rng.word(&[
                "INSERT INTO schema_version (version) VALUES ('1');\n",
                "CREATE TABLE IF NOT EXISTS schema_version (v TEXT);\n",
                "DELETE FROM \"schema_version\" WHERE v = 1;\n",
                "PRAGMA foreign_keys = OFF;\n",
                "PRAGMA foreign_keys=;\n",
                "COMMIT;",
                "END",
            ]));
        }
    }
    out
}

/// Splits an input made by [`revision_set`] or [`numbered_folder`] into (name, text) files.
pub fn split_files(input: &str) -> Vec<(String, String)> {
    input
        .split(FILE_SEPARATOR)
        .skip(1)
        .map(|part| match part.split_once('\n') {
            Some((name, text)) => (name.to_string(), text.to_string()),
            None => (part.to_string(), String::new()),
        })
        .collect()
}
