//! Inputs built from the grammar of each format strata reads: SQL scripts (every statement
//! kind, every quoting style, comments, triggers with `CASE … END`, deep parentheses), SQLModel
//! files (classes, fields, decorators, strings of every kind, indentation), revision files,
//! numbered migration folders, project JSON and `strata.toml`. Mostly valid, often slightly
//! wrong, now and then extreme: a parser's bugs hide just past what it expects.

use super::{unicode, Rng};

/// SQL fragments mutations insert: keywords, quotes, comment and section markers, operators.
pub const SQL_DICT: &[&str] = &[
    "CREATE ", "TABLE ", "INDEX ", "UNIQUE ", "VIEW ", "TRIGGER ", "TEMP ", "VIRTUAL ", "IF NOT EXISTS ", "IF EXISTS ", "AS ", "SELECT ", "FROM ",
    "WHERE ", "BEGIN ", "END", "END;", "CASE ", "WHEN ", "THEN ", "ELSE ", "ON ", "PRIMARY KEY", "AUTOINCREMENT", "NOT NULL", "DEFAULT ", "CHECK (",
    "COLLATE ", "REFERENCES ", "FOREIGN KEY", "ON DELETE CASCADE", "DEFERRABLE INITIALLY DEFERRED", "GENERATED ALWAYS AS (", "STORED", "VIRTUAL",
    "CONSTRAINT ", "WITHOUT ROWID", "STRICT", "ALTER TABLE ", "RENAME TO ", "RENAME COLUMN ", "ADD COLUMN ", "DROP COLUMN ", "DROP TABLE ", "PRAGMA ",
    "foreign_keys", "COMMIT", "ROLLBACK", "SAVEPOINT ", "RELEASE ", "ATTACH ", "DETACH ", "VACUUM", "WITH ", "RECURSIVE ", "INSERT INTO ", "VALUES (",
    "UPDATE ", "SET ", "DELETE FROM ", "main.", "temp.", "\"", "\"\"", "'", "''", "`", "[", "]", "(", ")", ",", ";", ".", "*", "-- ", "--", "/*",
    "*/", "\n", "\r\n", " ", "\t", "-- +up", "-- +down", "-- +up foreign_keys=off", "-- @renamed from=", "/* @renamed from=old */", "X'", "x'00ff'",
    "?", "?1", ":a", "@b", "$c", "->>", "->", "||", "<>", "!=", "==", "<=", ">>", "0x", "1e", "1e+", ".5", "1_000", "-", "+", "NULL", "café",
    "\"two words\"", "select", "order", "x\"y", "[a]b]", "`q``q`", "\u{feff}", "\u{2028}", "\0", "é", "😀",
];

/// Python fragments for the SQLModel reader.
pub const PY_DICT: &[&str] = &[
    "class ", "(SQLModel, table=True):", "(SQLModel):", "table=True", "def ", "@", "@property\n", "import ", "from ", "sqlmodel", "sqlalchemy",
    "Field(", "Column(", "sa_column=", "sa_type=", "primary_key=True", "foreign_key=", "default=None", "nullable=False", "index=True",
    "unique=True", "max_length=", "ondelete=\"CASCADE\"", "sa_column_kwargs=", "server_default=", "__tablename__ = ", "__table_args__ = (",
    "UniqueConstraint(", "Index(", "Optional[", "List[", "int", "str", "float", "bool", "datetime", "uuid.UUID", "Decimal", "bytes", "Enum",
    " | None", "None", "True", "False", "\"\"\"", "'''", "\"", "'", "f\"", "r'", "b\"", "rb'", "\\", "\\\n", "(", ")", "[", "]", "{", "}", ":",
    ",", "=", ".", "#", "# @renamed from=", "\n", "\n    ", "\n\t", "    ", "\t", "pass", "...", "lambda", "=>", "->", "**", "*", "0x1F",
    "1_000", "1e9", "-1", "é", "名前", "\u{feff}", "\u{2028}", "\u{a0}", "\0",
];

/// JSON fragments for project files.
pub const JSON_DICT: &[&str] = &[
    "{", "}", "[", "]", ":", ",", "\"", "\\\"", "\\u0000", "\\ud800", "\\udc00", "\\n", "null", "true", "false", "0", "-0", "1e999", "-1",
    "\"format\"", "\"strata-project/1\"", "\"model\"", "\"revisions\"", "\"applied\"", "\"data\"", "\"language\"", "\"sql\"", "\"sqlmodel\"",
    "\"head\"", "\"heads\"", "\"base\"", "#project=", "project=", "=", "-", "_", "+", "/", "%", "\u{feff}", "é",
];

/// TOML fragments for `strata.toml`.
pub const TOML_DICT: &[&str] = &[
    "database", "model", "migrations", "version_table", "busy_timeout_ms", " = ", "=", "\"", "'", "\"\"\"", "'''", "[", "]", "[[", "]]", "{", "}",
    "\n", "\r\n", "#", "\\", "\\u0000", "\\U0010FFFF", "true", "0", "-1", "2147483647", "2147483648", "4294967296", "18446744073709551615",
    "9223372036854775807", "1e9", "inf", "nan", "1979-05-27T07:32:00Z", ".", ",", "app.db", ":memory:", "\"\"", "schema.py", "schema.sql",
    "é", "\u{feff}",
];

/// Revision-file fragments (header keys and markers) beside the SQL ones.
pub const REVISION_DICT: &[&str] = &[
    "-- strata revision\n", "-- id: ", "-- parents: ", "-- parent: ", "-- message: ", "-- created: ", "-- +up\n", "-- +down\n", "-- +up",
    "-- +down", " foreign_keys=off", " foreign_keys=on", " no-transaction", " data-loss=accepted", " bogus", "-- +", "-- data loss: ",
    "\n", "\r\n", ", ", ":", "head", "heads", "base", "+1", "-1", "é", "\u{feff}",
];

// ---------------------------------------------------------------------------------------------
// SQL.

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

// ---------------------------------------------------------------------------------------------
// SQLModel files.

fn py_name(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => rng.pick(&["id", "name", "email", "team_id", "created_at", "hero", "Team", "User"]).to_string(),
        1 => rng.pick(&["class", "def", "None", "table", "select", "order", "_", "__x__", "metadata"]).to_string(),
        2 => unicode::name(rng),
        _ => format!("{}{}", rng.pick(&["f", "x", "col", "T"]), rng.below(30)),
    }
}

fn py_string(rng: &mut Rng) -> String {
    let body = match rng.below(4) {
        0 => format!("{}.{}", py_name(rng), py_name(rng)),
        1 => unicode::string(rng, 3),
        _ => py_name(rng),
    };
    match rng.below(10) {
        0 => format!("'{}'", body.replace('\'', "\\'")),
        1 => format!("\"\"\"{body}\n\"\"\""),
        2 => format!("r\"{body}\\\""),
        3 => format!("f\"{{{body}}}\""),
        4 => format!("b'{body}'"),
        5 => format!("\"{body}"),
        6 => format!("'''{body}"),
        _ => format!("\"{}\"", body.replace('"', "\\\"")),
    }
}

fn py_value(rng: &mut Rng, depth: usize) -> String {
    if depth == 0 || rng.coin() {
        return match rng.below(8) {
            0 => rng.below(300).to_string(),
            1 => rng.pick(&["None", "True", "False", "-1", "1.5", "0x10", "1_0", "1e3", "...", "99999999999999999999999"]).to_string(),
            2 | 3 => py_string(rng),
            _ => format!("{}.{}", py_name(rng), py_name(rng)),
        };
    }
    let d = depth - 1;
    match rng.below(6) {
        0 => format!("[{}, {}]", py_value(rng, d), py_value(rng, d)),
        1 => format!("({},)", py_value(rng, d)),
        2 => format!("{{{}: {}}}", py_string(rng), py_value(rng, d)),
        3 => format!("{}({})", rng.pick(&["text", "Column", "String", "Integer", "ForeignKey", "func.now", "Enum", "lambda: 1"]), py_value(rng, d)),
        4 => format!("{} {} {}", py_value(rng, d), rng.pick(&["+", "|", "or", "and", "if", "*"]), py_value(rng, d)),
        _ => {
            let n = rng.range(50, 2000);
            format!("{}{}{}", "(".repeat(n), py_value(rng, d), ")".repeat(n))
        }
    }
}

const PY_TYPES: &[&str] = &[
    "int", "str", "float", "bool", "bytes", "datetime", "date", "time", "timedelta", "Decimal", "uuid.UUID", "UUID", "dict", "list", "Any",
    "Optional[int]", "Optional[str]", "int | None", "None | str", "Union[int, None]", "List[\"Hero\"]", "Color", "Optional[datetime.datetime]",
];

fn field(rng: &mut Rng, indent: &str) -> String {
    let ann = if rng.one_in(6) { py_name(rng) } else { rng.pick(PY_TYPES).to_string() };
    let kwargs: Vec<String> = (0..rng.len(2))
        .map(|_| {
            let (k, v) = match rng.below(14) {
                0 => ("primary_key", rng.pick(&["True", "False", "1"]).to_string()),
                1 => ("default", py_value(rng, 1)),
                2 => ("foreign_key", format!("\"{}.{}\"", py_name(rng), py_name(rng))),
                3 => ("nullable", rng.pick(&["True", "False"]).to_string()),
                4 => ("index", "True".to_string()),
                5 => ("unique", "True".to_string()),
                6 => ("max_length", rng.pick(&["255", "-1", "0", "99999999999999999999", "'x'"]).to_string()),
                7 => ("ondelete", rng.pick(&["\"CASCADE\"", "\"SET NULL\"", "\"RESTRICT\"", "\"bogus\""]).to_string()),
                8 => ("sa_column", format!("Column({}, {})", rng.pick(&["String(20)", "Integer", "Text", "JSON", "Numeric(10, 2)", "DateTime(timezone=True)"]), py_value(rng, 1))),
                9 => ("sa_type", rng.pick(&["String(20)", "Integer", "Text", "JSON", "LargeBinary", "Enum(Color)"]).to_string()),
                10 => ("sa_column_kwargs", format!("{{\"server_default\": {}}}", py_value(rng, 1))),
                11 => ("default_factory", rng.pick(&["uuid.uuid4", "datetime.utcnow", "list"]).to_string()),
                12 => ("decimal_places", rng.below(5).to_string()),
                _ => ("alias", py_string(rng)),
            };
            format!("{k}={v}")
        })
        .collect();
    let value = match rng.below(5) {
        0 => String::new(),
        1 => format!(" = {}", py_value(rng, 1)),
        2 => format!(" = Relationship(back_populates={})", py_string(rng)),
        _ => format!(" = Field({})", kwargs.join(", ")),
    };
    let comment = if rng.one_in(8) { format!("  # @renamed from={}", py_name(rng)) } else { String::new() };
    format!("{indent}{}: {ann}{value}{comment}\n", py_name(rng))
}

fn class(rng: &mut Rng) -> String {
    let indent = *rng.pick(&["    ", "    ", "  ", "\t", "        ", " \t"]);
    let mut s = String::new();
    if rng.one_in(5) {
        s.push_str(&format!("@{}\n", rng.pick(&["dataclass", "some.decorator(x=1)", "property"])));
    }
    let bases = match rng.below(6) {
        0 => "SQLModel".to_string(),
        1 => format!("{}, table=True", py_name(rng)),
        2 => format!("str, {}", rng.pick(&["Enum", "enum.Enum"])),
        _ => "SQLModel, table=True".to_string(),
    };
    s.push_str(&format!("class {}({bases}):{}\n", py_name(rng), if rng.one_in(8) { "  # @renamed from=old" } else { "" }));
    if rng.one_in(4) {
        s.push_str(&format!("{indent}\"\"\"{}\"\"\"\n", unicode::string(rng, 5)));
    }
    if rng.one_in(3) {
        s.push_str(&format!("{indent}__tablename__ = {}\n", py_string(rng)));
    }
    if rng.one_in(4) {
        s.push_str(&format!(
            "{indent}__table_args__ = ({}(\"{}\", \"{}\"{}),)\n",
            rng.pick(&["UniqueConstraint", "Index", "CheckConstraint", "PrimaryKeyConstraint"]),
            py_name(rng),
            py_name(rng),
            if rng.coin() { ", name=\"n\"" } else { "" }
        ));
    }
    if rng.one_in(8) {
        s.push_str(&format!("{indent}RED = \"red\"\n"));
    }
    for _ in 0..rng.len(3) {
        s.push_str(&field(rng, indent));
    }
    if rng.one_in(6) {
        s.push_str(&format!("\n{indent}def method(self):\n{indent}{indent}return {}\n", py_value(rng, 2)));
    }
    if rng.one_in(10) {
        s.push_str(&format!("{indent}pass\n"));
    }
    s
}

/// A SQLModel file: imports, enums, models, stray statements.
pub fn python_model(rng: &mut Rng) -> String {
    let mut s = String::new();
    if rng.one_in(20) {
        s.push('\u{feff}');
    }
    if rng.coin() {
        s.push_str(rng.word(&[
            "from typing import Optional\nfrom sqlmodel import Field, SQLModel\n\n",
            "import uuid\nfrom datetime import datetime\nfrom sqlmodel import *\n",
            "from __future__ import annotations\n",
            "import sqlalchemy as sa\nfrom sqlalchemy import Column, String, Index, UniqueConstraint\n",
        ]));
    }
    for _ in 0..rng.len(3).max(1) {
        if rng.one_in(6) {
            s.push_str(&format!("{} = {}\n", py_name(rng), py_value(rng, 2)));
        }
        if rng.one_in(8) {
            s.push_str(&format!("# {}\n", unicode::string(rng, 5)));
        }
        s.push_str(&class(rng));
        s.push_str(rng.word(&["\n", "\n\n", "", "\r\n", "\n\n\n"]));
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Revision files, numbered folders.

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

// ---------------------------------------------------------------------------------------------
// JSON and TOML.

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

// ---------------------------------------------------------------------------------------------
// Share links.

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

// ---------------------------------------------------------------------------------------------
// Schemas SQLite accepts, so the model front-ends get past their first check.

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

/// A SQLModel file that reads: table classes with a primary key and fields of the supported
/// types and options, enums and base classes, and rename comments.
pub fn valid_python(rng: &mut Rng) -> String {
    let mut s = String::from("from typing import Optional\nfrom sqlmodel import Field, SQLModel\nimport enum\n\n");
    if rng.coin() {
        s.push_str("class Color(str, enum.Enum):\n    red = \"red\"\n    green = \"green\"\n\n");
    }
    if rng.coin() {
        s.push_str("class Base(SQLModel):\n    note: Optional[str] = None\n\n");
    }
    let mut tables: Vec<String> = Vec::new();
    for n in 0..rng.range(1, 4) {
        let class = format!("{}{n}", rng.pick(&["Hero", "Team", "Café", "Ünit", "Item"]));
        let base = if rng.coin() && s.contains("class Base") { "Base" } else { "SQLModel" };
        s.push_str(&format!("class {class}({base}, table=True):{}\n", if rng.one_in(8) { "  # @renamed from=old" } else { "" }));
        if rng.one_in(3) {
            s.push_str(&format!("    __tablename__ = \"{}\"\n", rng.pick(&["heroes", "two words", "select", "名前", "x\"y"]).replace('"', "\\\"")));
        }
        s.push_str(rng.word(&["    id: Optional[int] = Field(default=None, primary_key=True)\n", "    id: int = Field(primary_key=True)\n", "    code: str = Field(primary_key=True, max_length=8)\n"]));
        for f in 0..rng.below(5) {
            let (ty, opts) = match rng.below(9) {
                0 => ("str", "max_length=255, index=True".to_string()),
                1 => ("Optional[int]", "default=None".to_string()),
                2 => ("float", "default=0.5".to_string()),
                3 => ("bool", "default=False".to_string()),
                4 => ("datetime", "sa_column_kwargs={\"server_default\": text(\"CURRENT_TIMESTAMP\")}".to_string()),
                5 if s.contains("class Color") => ("Color", "default=Color.red".to_string()),
                6 if !tables.is_empty() => ("Optional[int]", format!("default=None, foreign_key=\"{}.id\", ondelete=\"CASCADE\"", rng.pick(&tables))),
                7 => ("str", "unique=True".to_string()),
                _ => ("bytes", "default=None, nullable=True".to_string()),
            };
            let name = rng.pick(&["name", "email", "size", "名前", "café", "order", "x"]).to_string() + &f.to_string();
            s.push_str(&format!("    {name}: {ty} = Field({opts}){}\n", if rng.one_in(8) { "  # @renamed from=old_name" } else { "" }));
        }
        s.push('\n');
        tables.push(class.to_lowercase());
    }
    s
}
