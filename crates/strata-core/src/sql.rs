//! A SQLite tokenizer and the text helpers built on it: normalization for shape equality,
//! identifier quoting, identifier renaming inside expressions, and statement splitting.

/// What a token is. Keywords are not told apart from identifiers here: SQLite itself lets most
/// keywords stand as names, so the parser decides from context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// A bare word: keyword or unquoted identifier.
    Word,
    /// `"x"`, `[x]` or `` `x` ``.
    QuotedIdent,
    /// `'text'`.
    String,
    /// `X'00ff'`.
    Blob,
    Number,
    /// `?`, `?1`, `:name`, `@name`, `$name`.
    Variable,
    /// Operators and punctuation, including `(`, `)`, `,`, `;` and `.`.
    Punct,
    LineComment,
    BlockComment,
    Space,
}

/// One token: its kind, its byte range in the source and the 1-based line it starts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
    pub line: usize,
}

impl Token {
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        &src[self.start..self.end]
    }

    pub fn is_trivia(&self) -> bool {
        matches!(self.kind, TokenKind::Space | TokenKind::LineComment | TokenKind::BlockComment)
    }

    /// Whether this token is the bare word `word` (ASCII case-insensitive).
    pub fn is_word(&self, src: &str, word: &str) -> bool {
        self.kind == TokenKind::Word && self.text(src).eq_ignore_ascii_case(word)
    }

    pub fn is_punct(&self, src: &str, p: &str) -> bool {
        self.kind == TokenKind::Punct && self.text(src) == p
    }

    /// Whether the token can name something (a bare word or a quoted identifier; SQLite also
    /// accepts a string literal in most name positions).
    pub fn is_name(&self) -> bool {
        matches!(self.kind, TokenKind::Word | TokenKind::QuotedIdent | TokenKind::String)
    }
}

/// Splits `src` into tokens, trivia included. Unterminated strings, quoted names and comments run
/// to the end of the input: SQLite has already accepted (or will reject) the text, so the
/// tokenizer never fails.
pub fn tokenize(src: &str) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(src.len() / 3);
    tokens.extend(tokens_of(src));
    tokens
}

/// The tokens of `src` one at a time, as `tokenize` gives them. A whole model or revision file is
/// read this way: its token list would reserve about ten bytes per byte of text (7.5 MB for
/// 4,000 tables), more than a core's cache holds, so a 4,000-table autogenerate missed the
/// last-level cache 10 times as often as a 1,000-table one for 4 times the instructions.
pub fn tokens_of(src: &str) -> Tokens<'_> {
    Tokens { src, i: 0, line: 1 }
}

/// The iterator `tokens_of` returns.
pub struct Tokens<'a> {
    src: &'a str,
    i: usize,
    line: usize,
}

impl Iterator for Tokens<'_> {
    type Item = Token;

    // Inlined so that `tokenize`'s loop keeps the position in registers, as it did when it was
    // the loop itself.
    #[inline]
    fn next(&mut self) -> Option<Token> {
        let (src, bytes) = (self.src, self.src.as_bytes());
        let mut i = self.i;
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        let c = bytes[i];
        let kind = match c {
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => {
                while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c') {
                    i += 1;
                }
                TokenKind::Space
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                TokenKind::LineComment
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i = (i + 2).min(bytes.len());
                TokenKind::BlockComment
            }
            b'\'' => {
                i = skip_quoted(bytes, i, b'\'');
                TokenKind::String
            }
            b'"' | b'`' => {
                i = skip_quoted(bytes, i, c);
                TokenKind::QuotedIdent
            }
            b'[' => {
                while i < bytes.len() && bytes[i] != b']' {
                    i += 1;
                }
                i = (i + 1).min(bytes.len());
                TokenKind::QuotedIdent
            }
            b'x' | b'X' if bytes.get(i + 1) == Some(&b'\'') => {
                i = skip_quoted(bytes, i + 1, b'\'');
                TokenKind::Blob
            }
            b'0'..=b'9' => {
                i = skip_number(bytes, i);
                TokenKind::Number
            }
            b'.' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i = skip_number(bytes, i);
                TokenKind::Number
            }
            b'?' => {
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                TokenKind::Variable
            }
            b':' | b'@' | b'$' if bytes.get(i + 1).is_some_and(|b| is_ident_byte(*b)) => {
                i += 1;
                while i < bytes.len() && is_ident_byte(bytes[i]) {
                    i += 1;
                }
                TokenKind::Variable
            }
            _ if is_ident_start(c) => {
                while i < bytes.len() && is_ident_byte(bytes[i]) {
                    i += 1;
                }
                TokenKind::Word
            }
            _ => {
                // Compared as bytes: the next character may be several bytes long, and a
                // slice of the text could end inside it.
                let two = bytes.get(i..i + 2).unwrap_or(b"");
                let three = bytes.get(i..i + 3).unwrap_or(b"");
                i += if three == b"->>" {
                    3
                } else if matches!(two, b"<=" | b">=" | b"!=" | b"<>" | b"==" | b"||" | b"<<" | b">>" | b"->") {
                    2
                } else {
                    // Step over a whole UTF-8 character so token ranges stay on char boundaries.
                    src[i..].chars().next().map_or(1, char::len_utf8)
                };
                TokenKind::Punct
            }
        };
        let token = Token { kind, start, end: i, line: self.line };
        self.line += bytes[start..i].iter().filter(|b| **b == b'\n').count();
        self.i = i;
        Some(token)
    }
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

fn skip_quoted(bytes: &[u8], mut i: usize, quote: u8) -> usize {
    i += 1;
    while i < bytes.len() {
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    i
}

fn skip_number(bytes: &[u8], mut i: usize) -> usize {
    if bytes[i] == b'0' && matches!(bytes.get(i + 1), Some(b'x' | b'X')) {
        i += 2;
        while i < bytes.len() && (bytes[i].is_ascii_hexdigit() || bytes[i] == b'_') {
            i += 1;
        }
        return i;
    }
    while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'_' || bytes[i] == b'.') {
        i += 1;
    }
    if i < bytes.len() && matches!(bytes[i], b'e' | b'E') {
        let mut j = i + 1;
        if j < bytes.len() && matches!(bytes[j], b'+' | b'-') {
            j += 1;
        }
        if j < bytes.len() && bytes[j].is_ascii_digit() {
            i = j;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    i
}

/// A statement's tokens as written, without whitespace and comments.
pub fn words(src: &str) -> Vec<String> {
    tokenize(src).into_iter().filter(|t| !t.is_trivia()).map(|t| t.text(src).to_string()).collect()
}

/// The name a name token stands for: quotes removed and doubled quotes undone.
pub fn unquote(text: &str) -> String {
    let b = text.as_bytes();
    if b.len() >= 2 {
        let (first, last) = (b[0], b[b.len() - 1]);
        // Sliced only once both ends are known to be ASCII quotes: a bare name may end in a
        // character of several bytes (`café`).
        let inner = || &text[1..text.len() - 1];
        match (first, last) {
            (b'"', b'"') => return inner().replace("\"\"", "\""),
            (b'`', b'`') => return inner().replace("``", "`"),
            (b'\'', b'\'') => return inner().replace("''", "'"),
            (b'[', b']') => return inner().to_string(),
            _ => {}
        }
    }
    text.to_string()
}

/// Quotes a name for SQL output. Always quoting keeps the output correct for every name,
/// keywords included, and makes generated SQL uniform to read.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Quotes a string literal.
pub fn quote_str(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The canonical form of a fragment of SQL for equality: trivia dropped, unquoted words and
/// quoted identifiers folded to one lower-case bare spelling (SQLite resolves names without
/// regard to ASCII case or quoting), literals kept exactly, tokens joined by single spaces.
pub fn normalize(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    for t in tokenize(src) {
        if t.is_trivia() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        match t.kind {
            TokenKind::Word => out.push_str(&t.text(src).to_ascii_lowercase()),
            TokenKind::QuotedIdent => out.push_str(&unquote(t.text(src)).to_ascii_lowercase()),
            TokenKind::Blob => out.push_str(&t.text(src).to_ascii_lowercase()),
            _ => out.push_str(t.text(src)),
        }
    }
    out
}

/// Whether `src` mentions the name `name` as an identifier anywhere (quoted or not, any case).
/// Used to find what depends on a table or column; it may over-approximate, never miss.
pub fn mentions(src: &str, name: &str) -> bool {
    tokenize(src).iter().any(|t| {
        (t.kind == TokenKind::Word || t.kind == TokenKind::QuotedIdent || t.kind == TokenKind::String)
            && unquote(t.text(src)).eq_ignore_ascii_case(name)
    })
}

/// Every name `src` mentions (quoted or not, lower-cased): one pass to answer many
/// [`mentions`] questions about the same text.
pub fn identifiers(src: &str) -> std::collections::HashSet<String> {
    tokenize(src)
        .iter()
        .filter(|t| matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent | TokenKind::String))
        .map(|t| unquote(t.text(src)).to_ascii_lowercase())
        .collect()
}

/// Rewrites every identifier token equal to `from` (case-insensitive) into the quoted name `to`,
/// the way SQLite's own ALTER TABLE ... RENAME rewrites dependent SQL.
pub fn rename_ident(src: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(src.len() + 8);
    let mut last = 0;
    for t in tokenize(src) {
        if matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent)
            && unquote(t.text(src)).eq_ignore_ascii_case(from)
        {
            out.push_str(&src[last..t.start]);
            out.push_str(&quote(to));
            last = t.end;
        }
    }
    out.push_str(&src[last..]);
    out
}

/// One statement of a script: its text without the trailing `;` and the line it starts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub text: String,
    /// Byte offset of the statement's first non-trivia token in the script.
    pub start: usize,
    pub line: usize,
}

/// Splits a script into statements at top-level semicolons. A `CREATE TRIGGER` body runs to its
/// matching `END`, counting `CASE ... END` pairs inside it. Statements made only of trivia are
/// dropped.
pub fn split_statements(src: &str) -> Vec<Statement> {
    let mut out = Vec::new();
    let mut first: Option<Token> = None; // the statement's first significant token
    let mut seen = 0usize; // significant tokens of the statement so far, up to three
    let mut second: Option<Token> = None;
    let mut is_trigger = false;
    let mut in_body = false;
    let mut case_depth = 0usize;
    let flush = |first: &mut Option<Token>, end: usize, out: &mut Vec<Statement>| {
        if let Some(t) = first.take() {
            out.push(Statement { text: src[t.start..end].trim_end().to_string(), start: t.start, line: t.line });
        }
    };
    for t in tokens_of(src) {
        if t.is_trivia() {
            continue;
        }
        if first.is_none() {
            if t.is_punct(src, ";") {
                continue;
            }
            first = Some(t);
            seen = 0;
            second = None;
            is_trigger = false;
            in_body = false;
            case_depth = 0;
        }
        // Only `CREATE [TEMP|TEMPORARY] TRIGGER` has a body: a table named `trigger` with a
        // column named `begin` is an ordinary statement that ends at its `;`.
        if seen < 3 {
            seen += 1;
            let create = first.is_some_and(|f| f.is_word(src, "create"));
            match seen {
                2 => {
                    second = Some(t);
                    is_trigger = create && t.is_word(src, "trigger");
                }
                3 => {
                    let temp = second.is_some_and(|w| w.is_word(src, "temp") || w.is_word(src, "temporary"));
                    is_trigger |= create && temp && t.is_word(src, "trigger");
                }
                _ => {}
            }
        }
        if is_trigger {
            if t.is_word(src, "begin") && !in_body {
                in_body = true;
            } else if in_body && t.is_word(src, "case") {
                case_depth += 1;
            } else if in_body && t.is_word(src, "end") {
                if case_depth > 0 {
                    case_depth -= 1;
                } else {
                    in_body = false;
                    is_trigger = false;
                }
            }
        }
        if t.is_punct(src, ";") && !in_body {
            flush(&mut first, t.start, &mut out);
        }
    }
    flush(&mut first, src.len(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_ignores_quoting_case_and_whitespace() {
        assert_eq!(normalize("CHECK ( \"Age\" >  0 )"), normalize("check(age>0)"));
        assert_eq!(normalize("[a] || `b`"), "a || b");
        assert_ne!(normalize("'Abc'"), normalize("'abc'"));
        assert_eq!(normalize("x -- note\n + /* c */ 1"), "x + 1");
    }

    #[test]
    fn split_keeps_trigger_bodies_whole() {
        let src = "CREATE TABLE t(a);\n\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET a = CASE WHEN a THEN 1 ELSE 2 END;\n  SELECT 1;\nEND;\n-- trailing\nCREATE INDEX i ON t(a)";
        let stmts = split_statements(src);
        assert_eq!(stmts.len(), 3);
        assert_eq!(stmts[1].line, 3);
        assert!(stmts[1].text.ends_with("END"));
        assert_eq!(stmts[2].text, "CREATE INDEX i ON t(a)");
    }

    /// Found while fuzzing the model front-end: a table named `trigger` with a column named
    /// `begin` was read as a trigger whose body ran on past its `;`, so the next statement was
    /// executed in the same call and SQLite's error offset (counted from that next statement)
    /// was applied to the whole text, slicing inside a character.
    #[test]
    fn only_create_trigger_has_a_body() {
        let texts = |src: &str| split_statements(src).into_iter().map(|s| s.text).collect::<Vec<_>>();
        assert_eq!(texts("CREATE TABLE trigger (begin, x); CREATE TABLE y (z)"), ["CREATE TABLE trigger (begin, x)", "CREATE TABLE y (z)"]);
        assert_eq!(texts("DROP TRIGGER begin; SELECT 1"), ["DROP TRIGGER begin", "SELECT 1"]);
        assert_eq!(texts("CREATE VIEW trigger AS SELECT 1 AS begin; SELECT 2"), ["CREATE VIEW trigger AS SELECT 1 AS begin", "SELECT 2"]);
        let trigger = "CREATE TEMP TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END";
        assert_eq!(texts(&format!("{trigger}; SELECT 2")), [trigger, "SELECT 2"]);
        let trigger = "create trigger tr after insert on t begin select 1; end";
        assert_eq!(texts(&format!("{trigger};")), [trigger]);
    }

    #[test]
    fn rename_ident_rewrites_only_names() {
        assert_eq!(rename_ident("a + 'a' + \"A\"", "a", "b"), "\"b\" + 'a' + \"b\"");
    }

    #[test]
    fn non_ascii_text_after_an_operator_is_not_cut_inside_a_character() {
        // `(` then a two-byte character: a two-byte slice would end inside `é`.
        let src = "CREATE TABLE café (é TEXT, x CHECK (x<é), y DEFAULT '€'||'é')";
        let toks = tokenize(src);
        assert_eq!(toks.iter().map(|t| t.text(src)).collect::<String>(), src);
        assert!(toks.iter().any(|t| t.kind == TokenKind::Word && t.text(src) == "café"));
        assert_eq!(unquote("café"), "café");
        assert_eq!(unquote("\"é\""), "é");
        for s in ["(é", "<é", "-é", "é(", "x'é", "\"é", "[é", "?é", ":é", "1é", ".é"] {
            assert_eq!(tokenize(s).iter().map(|t| t.text(s)).collect::<String>(), s);
        }
    }

    #[test]
    fn tokens_track_lines() {
        let toks: Vec<_> = tokenize("a\n'x\ny' b").into_iter().filter(|t| !t.is_trivia()).collect();
        assert_eq!(toks.iter().map(|t| t.line).collect::<Vec<_>>(), vec![1, 2, 3]);
    }
}
