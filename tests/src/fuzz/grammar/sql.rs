//! SQL: names in every quoting style, expressions (now and then deeply nested), every
//! statement kind with comments between, and schemas SQLite accepts (so the model front-end
//! gets past its first check).

use super::*;

const KEYWORDS: &[&str] = &[
    "select", "order", "group", "table", "index", "key", "default", "check", "references", "primary", "unique", "constraint", "as", "on",
    "begin", "end", "case", "when", "rowid", "oid", "new", "old", "temp", "main", "if", "exists", "not", "null", "collate", "generated",
    "stored", "virtual", "without", "strict", "desc", "asc", "match", "from", "where", "values", "trigger", "view",
];

/// A name as written in SQL: bare, keyword, non-ASCII, or quoted in any of SQLite's four ways,
/// with the quote characters inside it doubled as they must be (or, now and then, not).
pub fn sql_name(rng: &mut Rng) -> String {
    let raw = match rng.below(8) {
        0 | 1 => format!("{}{}", rng.pick(&["t", "c", "id", "name", "users", "a", "b", "x"]), if rng.coin() { rng.below(20).to_string() } else { String::new() }),
        2 => rng.pick(KEYWORDS).to_string(),
        3 => unicode::name(rng),
        4 => rng.pick(&["two words", "x\"y", "a]b", "q`q", "it's", "", " ", "-", "1a", "a.b", "a;b", "--x", "/*x*/"]).to_string(),
        5 => {
            let n = rng.range(1, 4);
            unicode::string(rng, n)
        }
        _ => format!("{}_{}", rng.pick(&["t", "c", "v", "i", "tr"]), rng.below(100)),
    };
    let sloppy = rng.one_in(20);
    match rng.below(7) {
        0..=2 if raw.chars().all(|c| c.is_alphanumeric() || c == '_') && !raw.is_empty() => raw,
        3 => format!("\"{}\"", if sloppy { raw } else { raw.replace('"', "\"\"") }),
        4 => format!("`{}`", if sloppy { raw } else { raw.replace('`', "``") }),
        5 if !raw.contains(']') || sloppy => format!("[{raw}]"),
        6 => format!("'{}'", if sloppy { raw } else { raw.replace('\'', "''") }),
        _ => format!("\"{}\"", raw.replace('"', "\"\"")),
    }
}

fn qualified(rng: &mut Rng) -> String {
    if rng.one_in(6) {
        format!("{}.{}", rng.pick(&["main", "temp", "\"main\"", "aux", "[main]"]), sql_name(rng))
    } else {
        sql_name(rng)
    }
}

const TYPES: &[&str] = &[
    "INTEGER", "INT", "TEXT", "REAL", "BLOB", "NUMERIC", "ANY", "", "VARCHAR(255)", "DECIMAL(10, 2)", "integer", "BOOLEAN", "DATETIME",
    "UNSIGNED BIG INT", "DOUBLE PRECISION", "CHARACTER(20)", "NVARCHAR(100)", "FLOAT", "TIMESTAMP", "JSON", "UUID", "文字列", "int(-1, +2)",
];

fn literal(rng: &mut Rng) -> String {
    match rng.below(12) {
        0 => rng.below(1000).to_string(),
        1 => format!("-{}", rng.below(100)),
        2 => rng.pick(&["0x1F", "0XfF", "1e10", "1.5e-3", ".5", "5.", "1_000", "0x", "1e", "9223372036854775808", "1.7976931348623157e309"]).to_string(),
        3 => format!("'{}'", unicode::string(rng, 3).replace('\'', "''")),
        4 => rng.pick(&["'it''s'", "''", "'€'", "'\u{2028}'", "'line\nbreak'", "'unterminated"]).to_string(),
        5 => rng.pick(&["X'00ff'", "x''", "X'0'", "x'zz'"]).to_string(),
        6 => rng.pick(&["NULL", "TRUE", "FALSE", "CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME"]).to_string(),
        7 => rng.pick(&["?", "?1", "?999999999999", ":name", "@v", "$x", "$é"]).to_string(),
        _ => sql_name(rng),
    }
}

/// An expression of at most `depth` levels; now and then wrapped in many parentheses.
pub fn sql_expr(rng: &mut Rng, depth: usize) -> String {
    let e = if depth == 0 {
        literal(rng)
    } else {
        let d = depth - 1;
        match rng.below(14) {
            0 => format!("{} {} {}", sql_expr(rng, d), rng.pick(&["+", "-", "*", "/", "%", "||", "=", "==", "<>", "!=", "<", "<=", ">>", "AND", "OR", "IS", "IS NOT", "LIKE", "GLOB", "->", "->>", "&", "|"]), sql_expr(rng, d)),
            1 => format!("({})", sql_expr(rng, d)),
            2 => format!("{}({})", rng.pick(&["length", "lower", "upper", "coalesce", "abs", "typeof", "json_extract", "count", "substr", "ifnull", "名前"]), sql_expr(rng, d)),
            3 => format!("CASE {} WHEN {} THEN {} ELSE {} END", sql_expr(rng, d), literal(rng), sql_expr(rng, d), literal(rng)),
            4 => format!("CASE WHEN {} THEN {} END", sql_expr(rng, d), sql_expr(rng, d)),
            5 => format!("CAST({} AS {})", sql_expr(rng, d), rng.pick(TYPES)),
            6 => format!("{} COLLATE {}", sql_expr(rng, d), rng.pick(&["NOCASE", "BINARY", "RTRIM", "\"nocase\"", "é"])),
            7 => format!("{} BETWEEN {} AND {}", sql_expr(rng, d), literal(rng), literal(rng)),
            8 => format!("{} IN ({}, {})", sql_expr(rng, d), literal(rng), literal(rng)),
            9 => format!("(SELECT {} FROM {})", sql_expr(rng, d), sql_name(rng)),
            10 => format!("NOT {}", sql_expr(rng, d)),
            11 => format!("{}.{}", sql_name(rng), sql_name(rng)),
            _ => literal(rng),
        }
    };
    if rng.one_in(200) {
        let n = rng.range(50, 3000);
        format!("{}{e}{}", "(".repeat(n), ")".repeat(n))
    } else {
        e
    }
}

fn column_def(rng: &mut Rng) -> String {
    let mut s = format!("{} {}", sql_name(rng), rng.pick(TYPES));
    for _ in 0..rng.len(2) {
        if rng.one_in(5) {
            s.push_str(&format!(" CONSTRAINT {}", sql_name(rng)));
        }
        s.push(' ');
        s.push_str(&match rng.below(13) {
            0 => format!("PRIMARY KEY{}{}", rng.pick(&["", " ASC", " DESC"]), rng.pick(&["", " AUTOINCREMENT", " ON CONFLICT REPLACE"])),
            1 => "NOT NULL".to_string(),
            2 => "NULL".to_string(),
            3 => format!("UNIQUE{}", rng.pick(&["", " ON CONFLICT IGNORE"])),
            4 => format!("CHECK ({})", sql_expr(rng, 2)),
            5 => format!("DEFAULT {}", if rng.coin() { literal(rng) } else { format!("({})", sql_expr(rng, 2)) }),
            6 => format!("DEFAULT {}{}", rng.pick(&["-", "+"]), rng.below(50)),
            7 => format!("COLLATE {}", rng.pick(&["NOCASE", "BINARY", "RTRIM", "\"NOCASE\""])),
            8 => format!("REFERENCES {}{}", sql_name(rng), fk_tail(rng)),
            9 => format!("GENERATED ALWAYS AS ({}){}", sql_expr(rng, 2), rng.pick(&["", " STORED", " VIRTUAL"])),
            10 => format!("AS ({})", sql_expr(rng, 1)),
            11 => rng.pick(&["ON CONFLICT", "CONSTRAINT", "PRIMARY", "KEY", "DEFAULT", "CHECK", "REFERENCES", "GENERATED ALWAYS"]).to_string(),
            _ => rng.pick(&["HIDDEN", "ASC", ","]).to_string(),
        });
    }
    s
}

fn fk_tail(rng: &mut Rng) -> String {
    let mut s = String::new();
    if rng.coin() {
        s.push_str(&format!(" ({})", name_list(rng)));
    }
    for _ in 0..rng.below(3) {
        s.push_str(&format!(
            " ON {} {}",
            rng.pick(&["DELETE", "UPDATE"]),
            rng.pick(&["CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT", "NO ACTION", "NOTHING"])
        ));
    }
    if rng.one_in(3) {
        s.push_str(&format!(" MATCH {}", rng.pick(&["SIMPLE", "FULL", "\"x\""])));
    }
    if rng.one_in(3) {
        s.push_str(rng.word(&[" DEFERRABLE INITIALLY DEFERRED", " NOT DEFERRABLE", " DEFERRABLE INITIALLY IMMEDIATE", " INITIALLY", " DEFERRABLE"]));
    }
    s
}

fn name_list(rng: &mut Rng) -> String {
    let n = rng.range(1, 3);
    (0..n)
        .map(|_| {
            let mut s = sql_name(rng);
            if rng.one_in(5) {
                s.push_str(" COLLATE NOCASE");
            }
            if rng.one_in(5) {
                s.push_str(rng.word(&[" ASC", " DESC"]));
            }
            s
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn table_constraint(rng: &mut Rng) -> String {
    let name = if rng.one_in(3) { format!("CONSTRAINT {} ", sql_name(rng)) } else { String::new() };
    let body = match rng.below(5) {
        0 => format!("PRIMARY KEY ({}){}", name_list(rng), rng.pick(&["", " ON CONFLICT ABORT", " AUTOINCREMENT"])),
        1 => format!("UNIQUE ({})", name_list(rng)),
        2 => format!("CHECK ({})", sql_expr(rng, 3)),
        3 => format!("FOREIGN KEY ({}) REFERENCES {}{}", name_list(rng), sql_name(rng), fk_tail(rng)),
        _ => rng.pick(&["PRIMARY KEY", "UNIQUE", "FOREIGN KEY ()", "CHECK"]).to_string(),
    };
    name + &body
}

pub fn create_table(rng: &mut Rng) -> String {
    let mut parts: Vec<String> = (0..rng.range(1, 5)).map(|_| column_def(rng)).collect();
    for _ in 0..rng.below(3) {
        parts.push(table_constraint(rng));
    }
    let sep = *rng.pick(&[", ", ",\n  ", ",", " , -- note\n  "]);
    format!(
        "CREATE {}TABLE {}{}{} ({}){}",
        rng.pick(&["", "", "", "TEMP ", "TEMPORARY "]),
        if rng.one_in(4) { "IF NOT EXISTS " } else { "" },
        qualified(rng),
        if rng.one_in(10) { " /* @renamed from=old */" } else { "" },
        parts.join(sep),
        rng.pick(&["", "", " WITHOUT ROWID", " STRICT", " STRICT, WITHOUT ROWID", " ,", " AS SELECT 1"])
    )
}

fn create_index(rng: &mut Rng) -> String {
    let terms: Vec<String> = (0..rng.range(1, 3))
        .map(|_| {
            let mut t = if rng.coin() { sql_name(rng) } else { sql_expr(rng, 2) };
            if rng.one_in(4) {
                t.push_str(" COLLATE NOCASE");
            }
            if rng.one_in(4) {
                t.push_str(rng.word(&[" ASC", " DESC"]));
            }
            t
        })
        .collect();
    format!(
        "CREATE {}INDEX {}{} ON {} ({}){}",
        if rng.coin() { "UNIQUE " } else { "" },
        if rng.one_in(4) { "IF NOT EXISTS " } else { "" },
        qualified(rng),
        sql_name(rng),
        terms.join(", "),
        if rng.one_in(3) { format!(" WHERE {}", sql_expr(rng, 2)) } else { String::new() }
    )
}

fn select(rng: &mut Rng) -> String {
    let mut s = format!("SELECT {} FROM {}", sql_expr(rng, 2), sql_name(rng));
    if rng.coin() {
        s.push_str(&format!(" WHERE {}", sql_expr(rng, 2)));
    }
    if rng.one_in(4) {
        s = format!("WITH {} AS ({s}) SELECT * FROM {}", sql_name(rng), sql_name(rng));
    }
    s
}

fn create_view(rng: &mut Rng) -> String {
    format!(
        "CREATE {}VIEW {}{}{} AS {}",
        rng.pick(&["", "TEMP "]),
        if rng.one_in(4) { "IF NOT EXISTS " } else { "" },
        qualified(rng),
        if rng.coin() { format!("({})", name_list(rng)) } else { String::new() },
        select(rng)
    )
}

/// A trigger whose body holds statements with `;` and `CASE … END`, which statement splitting
/// must keep whole.
fn create_trigger(rng: &mut Rng) -> String {
    let body: Vec<String> = (0..rng.range(0, 3))
        .map(|_| match rng.below(4) {
            0 => format!("UPDATE {} SET {} = CASE WHEN {} THEN 1 ELSE 2 END", sql_name(rng), sql_name(rng), sql_expr(rng, 1)),
            1 => format!("INSERT INTO {} VALUES (NEW.{})", sql_name(rng), sql_name(rng)),
            2 => format!("SELECT RAISE(ABORT, '{}')", rng.pick(&["no", "end;", "case"])),
            _ => format!("DELETE FROM {} WHERE {} = OLD.{}", sql_name(rng), sql_name(rng), sql_name(rng)),
        })
        .collect();
    format!(
        "CREATE {}TRIGGER {}{} {} {} ON {}{} BEGIN {}{} END",
        rng.pick(&["", "TEMP "]),
        if rng.one_in(4) { "IF NOT EXISTS " } else { "" },
        qualified(rng),
        rng.pick(&["BEFORE", "AFTER", "INSTEAD OF", ""]),
        rng.pick(&["INSERT", "DELETE", "UPDATE", "UPDATE OF a, b"]),
        qualified(rng),
        rng.pick(&["", " FOR EACH ROW", " WHEN NEW.x > 0", " FOR EACH ROW WHEN 1"]),
        body.join("; "),
        if body.is_empty() { "" } else { ";" }
    )
}

/// Any one statement SQLite knows, schema or not.
pub fn statement(rng: &mut Rng) -> String {
    match rng.below(20) {
        0..=4 => create_table(rng),
        5 | 6 => create_index(rng),
        7 => create_view(rng),
        8 | 9 => create_trigger(rng),
        10 => format!(
            "ALTER TABLE {} {}",
            qualified(rng),
            match rng.below(4) {
                0 => format!("RENAME TO {}", sql_name(rng)),
                1 => format!("RENAME {}{} TO {}", if rng.coin() { "COLUMN " } else { "" }, sql_name(rng), sql_name(rng)),
                2 => format!("ADD {}{}", if rng.coin() { "COLUMN " } else { "" }, column_def(rng)),
                _ => format!("DROP {}{}", if rng.coin() { "COLUMN " } else { "" }, sql_name(rng)),
            }
        ),
        11 => format!("DROP {} {}{}", rng.pick(&["TABLE", "INDEX", "VIEW", "TRIGGER"]), if rng.coin() { "IF EXISTS " } else { "" }, qualified(rng)),
        12 => format!("INSERT {}INTO {} ({}) VALUES ({})", rng.pick(&["", "OR REPLACE "]), qualified(rng), sql_name(rng), sql_expr(rng, 2)),
        13 => format!("UPDATE {} SET {} = {} WHERE {}", qualified(rng), sql_name(rng), sql_expr(rng, 2), sql_expr(rng, 2)),
        14 => format!("DELETE FROM {}{}", qualified(rng), if rng.coin() { format!(" WHERE {}", sql_expr(rng, 2)) } else { String::new() }),
        15 => format!(
            "PRAGMA {}{}",
            rng.pick(&["foreign_keys", "main.foreign_keys", "journal_mode", "writable_schema", "user_version", "locking_mode", "legacy_alter_table"]),
            rng.pick(&["", " = OFF", " = 0", "(1)", " = 'wal'", "=ON", " = -1"])
        ),
        16 => rng
            .pick(&[
                "BEGIN", "BEGIN IMMEDIATE TRANSACTION", "COMMIT", "END", "ROLLBACK", "ROLLBACK TO sp", "SAVEPOINT sp", "RELEASE sp",
                "ATTACH 'x.db' AS aux", "DETACH aux", "VACUUM", "ANALYZE", "REINDEX", "EXPLAIN QUERY PLAN SELECT 1",
            ])
            .to_string(),
        17 => select(rng),
        18 => format!("CREATE VIRTUAL TABLE {} USING fts5({})", sql_name(rng), sql_name(rng)),
        _ => format!("REPLACE INTO {} VALUES ({})", sql_name(rng), literal(rng)),
    }
}

fn trivia(rng: &mut Rng) -> String {
    match rng.below(10) {
        0 => format!("-- {}\n", unicode::string(rng, 4)),
        1 => format!("/* {} */", unicode::string(rng, 4)),
        2 => format!("-- @renamed from={}\n", sql_name(rng)),
        3 => "\r\n".to_string(),
        4 => rng.pick(&["/* unterminated", "-- no newline", "\u{feff}", "\u{2028}", "\u{a0}", "\x0c"]).to_string(),
        _ => rng.pick(&["\n", "\n\n", " ", "\t"]).to_string(),
    }
}

/// A script of statements with comments between them, mostly schema.
pub fn sql_script(rng: &mut Rng) -> String {
    let mut out = String::new();
    if rng.one_in(20) {
        out.push('\u{feff}');
    }
    let n = rng.len(3).max(1);
    for _ in 0..n {
        if rng.one_in(3) {
            out.push_str(&trivia(rng));
        }
        out.push_str(&if rng.below(4) == 0 { statement(rng) } else { schema_statement(rng) });
        out.push_str(rng.word(&[";\n", ";\n", ";", "\n", " ;; ", ";\r\n"]));
    }
    out
}

/// A CREATE statement of the four kinds the model front-end accepts.
pub fn schema_statement(rng: &mut Rng) -> String {
    match rng.below(10) {
        0..=5 => create_table(rng),
        6 | 7 => create_index(rng),
        8 => create_view(rng),
        _ => create_trigger(rng),
    }
}

/// A name unique by `i` in any of the spellings SQLite accepts: bare, non-ASCII, reserved
/// words and names with spaces or quote characters, each quoted correctly.
pub fn valid_name(rng: &mut Rng, prefix: &str, i: usize) -> String {
    match rng.below(10) {
        0..=3 => format!("{prefix}{i}"),
        4 => format!("{}{i}", rng.pick(&["café", "名前", "имя", "Ελλάδα", "Größe", "ǅx"])),
        5 => format!("\"{} {prefix}{i}\"", rng.pick(&["two words", "select", "order", "x\"\"y", "it's", "a]b", "😀"])),
        6 => format!("[{} {prefix}{i}]", rng.pick(&["select", "order", "x\"y", "it's", "é"])),
        7 => format!("`{}{i}`", rng.pick(&["x``y", "order", "group by", "é"])),
        8 => format!("\"{}\"", rng.pick(&["select", "order", "table", "index", "default", "group"]).to_string() + &"_".repeat(i)),
        _ => format!("{}{prefix}{i}", rng.pick(&["_", "A", "x$"])),
    }
}

const VALID_TYPES: &[&str] = &["INTEGER", "INT", "TEXT", "REAL", "BLOB", "NUMERIC", "ANY", "", "VARCHAR(20)", "DECIMAL(10, 2)", "BOOLEAN", "DATETIME", "文字列"];

/// A script of CREATE statements that SQLite mostly accepts: tables with every kind of column
/// and table constraint over columns that exist, then indexes, views and triggers over those
/// tables, with rename annotations here and there.
pub fn valid_schema(rng: &mut Rng) -> String {
    let mut out = String::new();
    let mut tables: Vec<(String, Vec<String>)> = Vec::new();
    let mut next = 0;
    let mut fresh = || {
        next += 1;
        next
    };
    for _ in 0..rng.range(1, 4) {
        let name = valid_name(rng, "t", fresh());
        let ncols = rng.range(1, 5);
        let cols: Vec<String> = (0..ncols).map(|_| valid_name(rng, "c", fresh())).collect();
        let strict = rng.one_in(6);
        let pk_col = rng.one_in(2).then(|| rng.below(ncols));
        let mut lines = Vec::new();
        for (k, c) in cols.iter().enumerate() {
            let ty = if strict { *rng.pick(&["INTEGER", "INT", "TEXT", "REAL", "BLOB", "ANY"]) } else { *rng.pick(VALID_TYPES) };
            let mut line = format!("{c} {ty}");
            if pk_col == Some(k) {
                line.push_str(rng.word(&[" PRIMARY KEY", " PRIMARY KEY DESC", " PRIMARY KEY AUTOINCREMENT", " PRIMARY KEY ON CONFLICT REPLACE"]));
            }
            for _ in 0..rng.below(3) {
                line.push_str(&match rng.below(9) {
                    0 => " NOT NULL".to_string(),
                    1 => " UNIQUE".to_string(),
                    2 => format!(" DEFAULT {}", rng.pick(&["0", "-1", "'x'", "''", "NULL", "CURRENT_TIMESTAMP", "(1 + 2)", "X'00'", "0.5", "'é'"])),
                    3 => format!(" CHECK ({c} {})", rng.pick(&["> 0", "IS NOT NULL", "<> ''", "IN (1, 2)", "BETWEEN 0 AND 9"])),
                    4 => " COLLATE NOCASE".to_string(),
                    5 if k > 0 && pk_col != Some(k) => format!(" GENERATED ALWAYS AS ({} || 'x'){}", cols[0], rng.word(&["", " STORED", " VIRTUAL"])),
                    6 if !tables.is_empty() => {
                        let (t, tc) = rng.pick(&tables).clone();
                        format!(" REFERENCES {t} ({}){}", rng.pick(&tc), rng.word(&["", " ON DELETE CASCADE", " ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED"]))
                    }
                    7 => format!(" CONSTRAINT {} CHECK (length({c}) < 50)", valid_name(rng, "ck", 0)),
                    _ => String::new(),
                });
            }
            if rng.one_in(12) {
                line.push_str(&format!(" -- @renamed from={}", valid_name(rng, "old", k)));
                line.push('\n');
            }
            lines.push(line);
        }
        if rng.one_in(3) {
            lines.push(format!("UNIQUE ({})", rng.pick(&cols)));
        }
        if rng.one_in(4) {
            lines.push(format!("CHECK ({} IS NOT 'never')", rng.pick(&cols)));
        }
        if pk_col.is_none() && rng.one_in(3) {
            lines.push(format!("PRIMARY KEY ({})", cols[..rng.range(1, ncols)].join(", ")));
        }
        if !tables.is_empty() && rng.one_in(3) {
            let (t, tc) = rng.pick(&tables).clone();
            lines.push(format!("FOREIGN KEY ({}) REFERENCES {t} ({})", rng.pick(&cols), rng.pick(&tc)));
        }
        let options = if pk_col.is_some() && rng.one_in(6) { " WITHOUT ROWID" } else if strict { " STRICT" } else { "" };
        let note = if rng.one_in(10) { format!(" /* @renamed from={} */", valid_name(rng, "old", 0)) } else { String::new() };
        out.push_str(&format!("CREATE TABLE {name}{note} (\n  {}\n){options};\n", lines.join(",\n  ")));
        tables.push((name, cols));
    }
    for _ in 0..rng.below(4) {
        let (t, cols) = rng.pick(&tables).clone();
        let c = rng.pick(&cols).clone();
        let name = valid_name(rng, "x", fresh());
        out.push_str(&match rng.below(4) {
            0 => format!("CREATE {}INDEX {name} ON {t} ({c}{});\n", if rng.coin() { "UNIQUE " } else { "" }, rng.word(&["", " DESC", " COLLATE NOCASE"])),
            1 => format!("CREATE INDEX {name} ON {t} (lower({c}), {c}) WHERE {c} IS NOT NULL;\n"),
            2 => format!("CREATE VIEW {name} AS SELECT {c}, count(*) AS n FROM {t} GROUP BY {c};\n"),
            _ => format!(
                "CREATE TRIGGER {name} AFTER {} ON {t} BEGIN SELECT CASE WHEN 1 THEN 2 END; UPDATE {t} SET {c} = {c} WHERE 0; END;\n",
                rng.word(&["INSERT", "DELETE", "UPDATE", &format!("UPDATE OF {c}")])
            ),
        });
    }
    out
}
