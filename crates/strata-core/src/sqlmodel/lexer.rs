//! The SQLModel front-end's tokenizer: Python's names, numbers, strings (raw and escaped),
//! operators, comments (kept, for `# @renamed` annotations) and indentation as tokens, each with
//! its line and column.

use super::{Result, SqlModelError};

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
    Name(String),
    Int(i64),
    Float(String),
    Str(String),
    /// An f-string: fine in code strata skips, refused where a value is read.
    FStr,
    Op(&'static str),
    Newline,
    Indent,
    Dedent,
    Eof,
}

#[derive(Clone, Debug)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) line: usize,
    pub(super) col: usize,
}

/// A comment and where it stands, kept for `@renamed` annotations.
#[derive(Clone, Debug)]
pub(super) struct Comment {
    pub(super) text: String,
    pub(super) line: usize,
}

pub(super) struct Lexed {
    pub(super) tokens: Vec<Token>,
    pub(super) comments: Vec<Comment>,
}

pub(super) const OPS: &[&str] = &[
    "**=", "//=", ">>=", "<<=", "...", "->", ":=", "==", "!=", "<=", ">=", "**", "//", "<<", ">>", "+=", "-=", "*=", "/=", "%=",
    "&=", "|=", "^=", "@=", "(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "@", "=", "+", "-", "*", "/", "%", "|", "&", "^",
    "~", "<", ">",
];

pub(super) fn tokenize(src: &str) -> Result<Lexed> {
    let chars: Vec<char> = src.chars().collect();
    let mut toks = Vec::new();
    let mut comments = Vec::new();
    let mut indents = vec![0usize];
    let mut depth: Vec<(char, usize, usize)> = Vec::new();
    let (mut i, mut line, mut col) = (0usize, 1usize, 1usize);
    let mut at_line_start = true;
    let syntax = |line, column, message: &str| SqlModelError::Syntax { line, column, message: message.to_string() };
    while i < chars.len() {
        if at_line_start && depth.is_empty() {
            // Measure indentation; blank and comment-only lines do not count.
            let mut width = 0;
            let mut j = i;
            while j < chars.len() && (chars[j] == ' ' || chars[j] == '\t') {
                width += if chars[j] == '\t' { 8 - width % 8 } else { 1 };
                j += 1;
            }
            let blank = j >= chars.len() || matches!(chars[j], '\n' | '\r' | '#');
            col += j - i;
            i = j;
            at_line_start = false;
            if !blank {
                let cur = *indents.last().unwrap();
                if width > cur {
                    indents.push(width);
                    toks.push(Token { tok: Tok::Indent, line, col });
                } else {
                    while width < *indents.last().unwrap() {
                        indents.pop();
                        toks.push(Token { tok: Tok::Dedent, line, col });
                    }
                    if width != *indents.last().unwrap() {
                        return Err(syntax(line, col, "this line's indentation matches no outer block"));
                    }
                }
            }
            continue;
        }
        let c = chars[i];
        match c {
            ' ' | '\t' | '\x0c' => {
                i += 1;
                col += 1;
            }
            '\r' => i += 1,
            '\n' => {
                if depth.is_empty() && !matches!(toks.last().map(|t: &Token| &t.tok), Some(Tok::Newline) | None | Some(Tok::Indent) | Some(Tok::Dedent)) {
                    toks.push(Token { tok: Tok::Newline, line, col });
                }
                i += 1;
                line += 1;
                col = 1;
                at_line_start = true;
            }
            '#' => {
                let start = i;
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                comments.push(Comment { text: chars[start..i].iter().collect(), line });
                col += i - start;
            }
            '\\' if chars.get(i + 1) == Some(&'\n') || (chars.get(i + 1) == Some(&'\r') && chars.get(i + 2) == Some(&'\n')) => {
                i += if chars[i + 1] == '\r' { 3 } else { 2 };
                line += 1;
                col = 1;
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                // String prefixes: r, b, u, f and their combinations.
                if i < chars.len() && (chars[i] == '"' || chars[i] == '\'') && word.len() <= 2 && word.chars().all(|c| "rRbBuUfF".contains(c)) {
                    let raw = word.contains(['r', 'R']);
                    let (s, ni, nl, nc) = string(&chars, i, line, col + (i - start), raw)?;
                    let tok = if word.contains(['f', 'F']) { Tok::FStr } else { Tok::Str(s) };
                    toks.push(Token { tok, line, col });
                    i = ni;
                    line = nl;
                    col = nc;
                    continue;
                }
                toks.push(Token { tok: Tok::Name(word), line, col });
                col += i - start;
            }
            '"' | '\'' => {
                let (s, ni, nl, nc) = string(&chars, i, line, col, false)?;
                toks.push(Token { tok: Tok::Str(s), line, col });
                i = ni;
                line = nl;
                col = nc;
            }
            c if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '.') {
                    // An exponent sign belongs to the number.
                    if matches!(chars[i], 'e' | 'E') && matches!(chars.get(i + 1), Some('+') | Some('-')) && !chars[start..i].iter().any(|c| matches!(c, 'x' | 'X')) {
                        i += 1;
                    }
                    i += 1;
                }
                let text: String = chars[start..i].iter().filter(|c| **c != '_').collect();
                let tok = match text.parse::<i64>() {
                    Ok(n) => Tok::Int(n),
                    Err(_) if text.parse::<f64>().is_ok() => Tok::Float(text),
                    Err(_) => {
                        return Err(SqlModelError::Unsupported {
                            line,
                            column: col,
                            what: format!("the number `{text}`"),
                            hint: "write it in decimal".into(),
                        })
                    }
                };
                toks.push(Token { tok, line, col });
                col += i - start;
            }
            _ => {
                let rest: String = chars[i..chars.len().min(i + 3)].iter().collect();
                let Some(op) = OPS.iter().find(|o| rest.starts_with(**o)) else {
                    return Err(syntax(line, col, &format!("unexpected character `{c}`")));
                };
                match *op {
                    "(" | "[" | "{" => depth.push((c, line, col)),
                    ")" | "]" | "}" => {
                        let open = match *op {
                            ")" => '(',
                            "]" => '[',
                            _ => '{',
                        };
                        match depth.pop() {
                            Some((o, _, _)) if o == open => {}
                            _ => return Err(syntax(line, col, &format!("`{op}` closes nothing that is open"))),
                        }
                    }
                    _ => {}
                }
                toks.push(Token { tok: Tok::Op(op), line, col });
                i += op.chars().count();
                col += op.chars().count();
            }
        }
    }
    if let Some((o, l, c)) = depth.pop() {
        return Err(syntax(l, c, &format!("`{o}` is never closed")));
    }
    if !matches!(toks.last().map(|t| &t.tok), Some(Tok::Newline) | None) {
        toks.push(Token { tok: Tok::Newline, line, col });
    }
    while indents.len() > 1 {
        indents.pop();
        toks.push(Token { tok: Tok::Dedent, line, col });
    }
    toks.push(Token { tok: Tok::Eof, line, col });
    Ok(Lexed { tokens: toks, comments })
}

/// Reads a string literal starting at the quote `chars[i]`; returns its value and the position
/// after it.
pub(super) fn string(chars: &[char], mut i: usize, mut line: usize, mut col: usize, raw: bool) -> Result<(String, usize, usize, usize)> {
    let (start_line, start_col) = (line, col);
    let q = chars[i];
    let triple = chars.get(i + 1) == Some(&q) && chars.get(i + 2) == Some(&q);
    let open = if triple { 3 } else { 1 };
    i += open;
    col += open;
    let mut out = String::new();
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(SqlModelError::Syntax { line: start_line, column: start_col, message: "this string is never closed".into() });
        };
        if c == q && (!triple || (chars.get(i + 1) == Some(&q) && chars.get(i + 2) == Some(&q))) {
            i += open;
            col += open;
            return Ok((out, i, line, col));
        }
        if c == '\n' {
            if !triple {
                return Err(SqlModelError::Syntax { line: start_line, column: start_col, message: "this string is never closed".into() });
            }
            out.push('\n');
            i += 1;
            line += 1;
            col = 1;
            continue;
        }
        if c == '\\' && !raw {
            let n = chars.get(i + 1).copied().unwrap_or('\\');
            let esc = match n {
                'n' => Some('\n'),
                't' => Some('\t'),
                'r' => Some('\r'),
                '0' => Some('\0'),
                '\\' | '\'' | '"' => Some(n),
                '\n' => None,
                _ => {
                    out.push('\\');
                    Some(n)
                }
            };
            if let Some(e) = esc {
                out.push(e);
            }
            if n == '\n' {
                line += 1;
                col = 1;
            } else {
                col += 2;
            }
            i += 2;
            continue;
        }
        out.push(c);
        i += 1;
        col += 1;
    }
}
