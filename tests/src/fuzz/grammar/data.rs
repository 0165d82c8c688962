//! Project files (JSON), `strata.toml` (TOML) and share links, including damaged and
//! oversized ones.

use super::*;

/// Any JSON value, nested up to `depth` (now and then far deeper).
pub fn json_value(rng: &mut Rng, depth: usize) -> String {
    if rng.one_in(300) {
        let n = rng.range(100, 5000);
        return format!("{}{}", "[".repeat(n), "]".repeat(n));
    }
    if depth == 0 || rng.coin() {
        return match rng.below(6) {
            0 => rng.pick(&["null", "true", "false", "0", "-0", "1e999", "-1.5e-7", "18446744073709551616", "01", "NaN"]).to_string(),
            1 => json_string(&unicode::string(rng, 4)),
            2 => rng.pick(&["\"\\ud800\"", "\"\\udc00\\ud800\"", "\"\\u0000\"", "\"\\x\"", "\"unterminated"]).to_string(),
            _ => json_string(&sql_script(rng)),
        };
    }
    let d = depth - 1;
    if rng.coin() {
        format!("[{}]", (0..rng.below(4)).map(|_| json_value(rng, d)).collect::<Vec<_>>().join(","))
    } else {
        format!("{{{}}}", (0..rng.below(4)).map(|_| format!("{}:{}", json_string(&py_name(rng)), json_value(rng, d))).collect::<Vec<_>>().join(","))
    }
}

/// `s` as a JSON string literal.
pub fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A project file: the right shape with values drawn from every other grammar, or near it.
pub fn project_json(rng: &mut Rng) -> String {
    let mut fields: Vec<String> = Vec::new();
    if rng.below(12) > 0 {
        fields.push(format!("\"format\": {}", if rng.below(8) > 0 { "\"strata-project/1\"".to_string() } else { json_value(rng, 1) }));
    }
    if rng.coin() {
        fields.push(format!("\"language\": {}", rng.pick(&["\"sql\"", "\"sqlmodel\"", "\"SQL\"", "1", "null"])));
    }
    if rng.below(10) > 0 {
        let model = if rng.coin() { sql_script(rng) } else { python_model(rng) };
        fields.push(format!("\"model\": {}", json_string(&model)));
    }
    if rng.below(10) > 0 {
        let set = revision_set(rng);
        let files: Vec<String> = split_files(&set).into_iter().filter(|(n, _)| n == "rev").map(|(_, t)| json_string(&t)).collect();
        fields.push(format!("\"revisions\": [{}]", files.join(", ")));
    }
    if rng.below(10) > 0 {
        let applied = match rng.below(5) {
            0 => "head".to_string(),
            1 => "base".to_string(),
            2 => format!("r{}", rng.below(6)),
            3 => format!("r{},r{}", rng.below(6), rng.below(6)),
            _ => rng.pick(&["heads", "", ",", "r1,", " r0 , r1 ", "+1", "é"]).to_string(),
        };
        fields.push(format!("\"applied\": {}", json_string(&applied)));
    }
    if rng.coin() {
        fields.push(format!("\"data\": {}", json_string(&sql_script(rng))));
    }
    if rng.one_in(6) {
        fields.push(format!("{}: {}", json_string(&py_name(rng)), json_value(rng, 3)));
    }
    for i in (1..fields.len()).rev() {
        if rng.one_in(4) {
            let j = rng.below(i + 1);
            fields.swap(i, j);
        }
    }
    format!("{{\n  {}\n}}", fields.join(",\n  "))
}

/// A `strata.toml`: the known keys with values of every TOML kind, unknown keys, tables.
pub fn toml_config(rng: &mut Rng) -> String {
    let mut s = String::new();
    if rng.one_in(20) {
        s.push('\u{feff}');
    }
    for _ in 0..rng.len(3) {
        let key = if rng.below(6) > 0 {
            rng.pick(&["database", "model", "migrations", "version_table", "busy_timeout_ms"]).to_string()
        } else {
            rng.pick(&["\"database\"", "'model'", "unknown", "a.b", "[table]", "[[array]]", "\"é\"", "database.x"]).to_string()
        };
        let value = match rng.below(10) {
            0 => rng.below(100_000).to_string(),
            1 => rng.pick(&["-1", "0", "2147483647", "2147483648", "4294967295", "9223372036854775807", "18446744073709551615", "1e3", "inf", "0x10", "1_000"]).to_string(),
            2 => rng.pick(&["true", "[]", "[1, \"a\"]", "{}", "{ a = 1 }", "1979-05-27T07:32:00Z", "\"\"\"\nmulti\n\"\"\"", "'''raw'''"]).to_string(),
            3 => format!("\"{}\"", unicode::string(rng, 4).replace('\\', "\\\\").replace('"', "\\\"")),
            4 => rng.pick(&["\"\\u0000\"", "\"\\uD800\"", "\"\\U0010FFFF\"", "\"\\x41\"", "\"unterminated", "'", "\"a\\\nb\""]).to_string(),
            _ => format!(
                "\"{}\"",
                rng.pick(&["app.db", "schema.sql", "model.py", "migrations", "schema_version", "", ":memory:", "../x", "/abs/path", "x\"y", "select", "café.db", "a\\\\b"])
            ),
        };
        s.push_str(&format!("{key}{}{value}{}", rng.pick(&[" = ", "=", " =", " "]), rng.pick(&["\n", "\n", "\r\n", " # note\n", ""])));
    }
    s
}


/// A share link's fragment around `json`: zlib-compressed and base64url'd as the playground
/// writes it, or damaged at the byte, compressed or text level.
pub fn share_link(rng: &mut Rng, json: &str) -> String {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
    use base64::Engine as _;
    let mut packed = match rng.below(8) {
        0 => miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 6),
        1 => json.as_bytes().to_vec(),
        _ => miniz_oxide::deflate::compress_to_vec_zlib(json.as_bytes(), rng.below(11) as u8),
    };
    if rng.one_in(4) && !packed.is_empty() {
        for _ in 0..rng.range(1, 4) {
            let i = rng.below(packed.len());
            match rng.below(3) {
                0 if i < packed.len() => packed[i] ^= 1 << rng.below(8),
                1 => packed.truncate(i),
                _ => packed.insert(i, rng.next_u64() as u8),
            }
        }
    }
    let encoded = match rng.below(10) {
        0 => STANDARD.encode(&packed),
        1 => URL_SAFE.encode(&packed),
        _ => URL_SAFE_NO_PAD.encode(&packed),
    };
    let prefix = *rng.pick(&["#project=", "#project=", "http://127.0.0.1:8080/#project=", "project=", "#project= ", "#x=1&project=", "#nothing", ""]);
    format!("{prefix}{encoded}")
}

/// Links that inflate to more than the playground accepts, or to just under it: the limit
/// must refuse the first kind without inflating it all.
pub fn oversized_links() -> &'static [String] {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    static LINKS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    LINKS.get_or_init(|| {
        let link = |bytes: &[u8]| format!("#project={}", URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec_zlib(bytes, 6)));
        let zeros = vec![0u8; 20 << 20];
        let mut spaces = vec![b' '; (16 << 20) - 64];
        spaces.extend_from_slice(br#"{"format": "strata-project/1"}"#);
        vec![link(&zeros), link(&spaces)]
    })
}
