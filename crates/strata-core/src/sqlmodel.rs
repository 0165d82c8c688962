//! The SQLModel front-end: `class X(SQLModel, table=True):` models read by a small hand-written
//! parser for the Python subset such files use, turned into the same [`Schema`] that the SQL
//! front-end gives for the DDL SQLModel itself emits on SQLite; and a simulation of
//! `SQLModel.metadata.create_all()` against a live schema. Pure: no I/O, no database.
//!
//! Names and types follow what SQLModel and SQLAlchemy do on SQLite (checked against the real
//! libraries by `tests/tests/sqlmodel.rs`; the table is in `docs/sqlmodel.md`). Anything outside
//! the subset is an error naming its line and column, because a model that is quietly read wrong
//! would produce a migration that is quietly wrong.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::diff::{diff, Change, ColumnChanges, Model, Rename, TableChange};
use crate::error::Position;
use crate::render;
use crate::schema::*;

/// Why a SQLModel file could not be read. Every variant carries the 1-based line and column of
/// the offending text; nothing was changed anywhere when one is returned.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SqlModelError {
    /// The text is not Python this parser understands (unbalanced brackets, bad indentation).
    #[error("line {line}, column {column}: {message}")]
    Syntax { line: usize, column: usize, message: String },
    /// Valid Python that strata does not turn into a schema; `hint` says what to write instead.
    #[error("line {line}, column {column}: {what} is not supported; {hint}")]
    Unsupported { line: usize, column: usize, what: String, hint: String },
    /// A model SQLModel itself would reject (no primary key, unknown foreign key target, ...).
    #[error("line {line}, column {column}: {message}")]
    Invalid { line: usize, column: usize, message: String },
}

impl SqlModelError {
    /// Where the error points, for editors that mark it.
    pub fn position(&self) -> Position {
        match self {
            SqlModelError::Syntax { line, column, .. }
            | SqlModelError::Unsupported { line, column, .. }
            | SqlModelError::Invalid { line, column, .. } => Position { line: *line, column: *column },
        }
    }
}

type Result<T> = std::result::Result<T, SqlModelError>;

/// Reads a SQLModel file into a model: the schema its `table=True` classes describe, and the
/// renames announced by `# @renamed from=old` comments on a class or field line.
pub fn from_sqlmodel(text: &str) -> Result<Model> {
    let toks = tokenize(text)?;
    let mut p = Parser { toks, pos: 0, nesting: 0 };
    let classes = p.module()?;
    build(&classes, &p.toks)
}

/// Just the schema of a SQLModel file.
pub fn schema_from_sqlmodel(text: &str) -> Result<Schema> {
    Ok(from_sqlmodel(text)?.schema)
}

// ---------------------------------------------------------------------------------------------
// create_all()

/// What `SQLModel.metadata.create_all(engine)` would do to a database whose schema is `live`:
/// it creates the tables that are missing (with their indexes) and nothing else.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateAll {
    /// Tables create_all would create, parents first.
    pub created_tables: Vec<String>,
    /// Indexes created along with those tables.
    pub created_indexes: Vec<String>,
    /// The DDL, in order (as strata renders it; SQLAlchemy's spelling differs only in layout).
    pub statements: Vec<String>,
    /// Every difference between `live` and the model that create_all leaves as it is.
    pub skipped: Vec<Skipped>,
    /// The schema the database has afterwards.
    pub after: Schema,
}

/// A difference create_all passes over without a word.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "skipped", rename_all = "snake_case")]
pub enum Skipped {
    /// The table exists, so none of its changes are made.
    AddColumn { table: String, column: String },
    DropColumn { table: String, column: String },
    ModifyColumn { table: String, column: String, changed: ColumnChanges },
    /// Primary key, unique, check, foreign key or table option changes of an existing table.
    AlterConstraint { table: String, what: String },
    /// An index the model has on a table that already exists.
    AddIndex { table: String, index: String },
    /// An index the database has that the model does not.
    DropIndex { table: String, index: String },
    /// A table the database has that the model does not: create_all never drops.
    DropTable { table: String },
    /// Views and triggers are not part of SQLModel's metadata at all.
    NotInModel { kind: String, name: String },
}

impl Skipped {
    /// One sentence for the user.
    pub fn describe(&self) -> String {
        match self {
            Skipped::AddColumn { table, column } => format!("new column {table}.{column} is not added (the table exists)"),
            Skipped::DropColumn { table, column } => format!("column {table}.{column} is not dropped"),
            Skipped::ModifyColumn { table, column, changed } => {
                format!("the {} of column {table}.{column} is not changed", changed.describe())
            }
            Skipped::AlterConstraint { table, what } => format!("{what} on table {table} is not applied"),
            Skipped::AddIndex { table, index } => format!("index {index} on existing table {table} is not created"),
            Skipped::DropIndex { table, index } => format!("index {index} on {table} is not dropped"),
            Skipped::DropTable { table } => format!("table {table} is not in the model but is not dropped"),
            Skipped::NotInModel { kind, name } => format!("{kind} {name} is left alone (SQLModel does not know it)"),
        }
    }
}

/// Simulates `create_all()`: tables of `model` missing from `live` are created with their
/// indexes; everything else that differs is reported as skipped. No renames are considered,
/// since create_all knows of none.
pub fn create_all(live: &Schema, model: &Schema) -> CreateAll {
    let d = diff(live, model, &[]);
    let mut out = CreateAll { after: live.clone(), ..Default::default() };
    let added: Vec<&Table> = d.changes.iter().filter_map(|c| if let Change::AddTable(t) = c { Some(t) } else { None }).collect();
    let added_keys: BTreeSet<String> = added.iter().map(|t| key(&t.name)).collect();
    for t in crate::schema::tables_in_dependency_order(added) {
        out.created_tables.push(t.name.to_string());
        out.statements.push(render::create_table(t, &t.name));
        out.after.add_table(t.clone());
        for i in model.indexes_on(&t.name) {
            out.created_indexes.push(i.name.to_string());
            out.statements.push(render::create_index(i));
            out.after.add_index(i.clone());
        }
    }
    for c in &d.changes {
        match c {
            Change::AddTable(_) => {}
            Change::DropTable(t) => out.skipped.push(Skipped::DropTable { table: t.name.to_string() }),
            // diff() was given no renames, so it reports none.
            Change::RenameTable { .. } => {}
            Change::ModifyTable(td) => {
                let table = td.to.name.to_string();
                for tc in &td.changes {
                    out.skipped.push(match tc {
                        TableChange::AddColumn(col) => Skipped::AddColumn { table: table.clone(), column: col.name.to_string() },
                        TableChange::DropColumn(col) => Skipped::DropColumn { table: table.clone(), column: col.name.to_string() },
                        TableChange::ModifyColumn { to, changed, .. } => {
                            Skipped::ModifyColumn { table: table.clone(), column: to.name.to_string(), changed: *changed }
                        }
                        other => Skipped::AlterConstraint { table: table.clone(), what: other.describe() },
                    });
                }
            }
            Change::AddIndex(i) if !added_keys.contains(&key(&i.table)) => {
                out.skipped.push(Skipped::AddIndex { table: i.table.to_string(), index: i.name.to_string() })
            }
            Change::AddIndex(_) => {}
            Change::DropIndex(i) => out.skipped.push(Skipped::DropIndex { table: i.table.to_string(), index: i.name.to_string() }),
            Change::DropView(v) => out.skipped.push(Skipped::NotInModel { kind: "view".into(), name: v.name.to_string() }),
            Change::DropTrigger(t) => out.skipped.push(Skipped::NotInModel { kind: "trigger".into(), name: t.name.to_string() }),
            // A SQLModel schema has no views or triggers to add.
            Change::AddView(_) | Change::AddTrigger(_) => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Tokenizer

#[derive(Clone, Debug, PartialEq)]
enum Tok {
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
struct Token {
    tok: Tok,
    line: usize,
    col: usize,
}

/// A comment and where it stands, kept for `@renamed` annotations.
#[derive(Clone, Debug)]
struct Comment {
    text: String,
    line: usize,
}

struct Lexed {
    tokens: Vec<Token>,
    comments: Vec<Comment>,
}

const OPS: &[&str] = &[
    "**=", "//=", ">>=", "<<=", "...", "->", ":=", "==", "!=", "<=", ">=", "**", "//", "<<", ">>", "+=", "-=", "*=", "/=", "%=",
    "&=", "|=", "^=", "@=", "(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "@", "=", "+", "-", "*", "/", "%", "|", "&", "^",
    "~", "<", ">",
];

fn tokenize(src: &str) -> Result<Lexed> {
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
fn string(chars: &[char], mut i: usize, mut line: usize, mut col: usize, raw: bool) -> Result<(String, usize, usize, usize)> {
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

// ---------------------------------------------------------------------------------------------
// Expressions and statements

#[derive(Clone, Debug)]
enum ExprKind {
    Name(String),
    Int(i64),
    Float(String),
    Str(String),
    Attr(Box<Expr>, String),
    Call(Box<Expr>, Vec<Expr>, Vec<Kwarg>),
    Subscript(Box<Expr>, Vec<Expr>),
    BinOr(Box<Expr>, Box<Expr>),
    Neg(Box<Expr>),
    Seq(Vec<Expr>),
    Dict(Vec<(Expr, Expr)>),
    Other,
}

/// A keyword argument: name, value, and the line and column of the name.
type Kwarg = (String, Expr, usize, usize);

#[derive(Clone, Debug)]
struct Expr {
    kind: ExprKind,
    line: usize,
    col: usize,
}

impl Expr {
    /// `a.b.c` as a string, for names of types and functions.
    fn dotted(&self) -> Option<String> {
        match &self.kind {
            ExprKind::Name(n) => Some(n.clone()),
            ExprKind::Attr(base, a) => Some(format!("{}.{a}", base.dotted()?)),
            _ => None,
        }
    }
    fn last_name(&self) -> Option<String> {
        self.dotted().map(|d| d.rsplit('.').next().unwrap().to_string())
    }
    fn is_none(&self) -> bool {
        matches!(&self.kind, ExprKind::Name(n) if n == "None")
    }
    fn shown(&self) -> String {
        match &self.kind {
            ExprKind::Name(_) | ExprKind::Attr(..) => self.dotted().unwrap_or_default(),
            ExprKind::Int(n) => n.to_string(),
            ExprKind::Float(f) => f.clone(),
            ExprKind::Str(s) => format!("{s:?}"),
            ExprKind::Call(f, ..) => format!("{}(...)", f.shown()),
            ExprKind::Subscript(b, args) => format!("{}[{}]", b.shown(), args.iter().map(|a| a.shown()).collect::<Vec<_>>().join(", ")),
            ExprKind::BinOr(a, b) => format!("{} | {}", a.shown(), b.shown()),
            ExprKind::Neg(e) => format!("-{}", e.shown()),
            ExprKind::Seq(items) => format!("[{}]", items.iter().map(|a| a.shown()).collect::<Vec<_>>().join(", ")),
            ExprKind::Dict(_) => "{...}".into(),
            ExprKind::Other => "this expression".into(),
        }
    }
}

/// One class of the file, with what strata needs of it.
#[derive(Debug)]
struct Class {
    name: String,
    line: usize,
    col: usize,
    bases: Vec<Expr>,
    table: bool,
    tablename: Option<(String, usize, usize)>,
    /// `__table_args__ = (UniqueConstraint(...), Index(...),)`, read when the table is built.
    table_args: Option<Expr>,
    fields: Vec<FieldDef>,
    /// Names assigned in the body without an annotation: the members of an Enum class.
    members: Vec<String>,
}

#[derive(Debug)]
struct FieldDef {
    name: String,
    line: usize,
    annotation: Expr,
    value: Option<Expr>,
}

struct Parser {
    toks: Lexed,
    pos: usize,
    /// How deep the expression being read is nested (brackets, unary minus, `.`, calls,
    /// subscripts and `|` each add a level), so that no input can recurse past the stack.
    nesting: usize,
}

/// The deepest expression read. Python itself stops at 200 nested brackets (and older
/// versions' parsers near 100); model files nest a few levels, and the playground parses on a
/// wasm stack of about 1 MiB, where 50 levels leave ample room even in a debug build.
const MAX_NESTING: usize = 50;

impl Parser {
    fn peek(&self) -> &Token {
        &self.toks.tokens[self.pos]
    }
    fn peek_at(&self, n: usize) -> &Token {
        let i = (self.pos + n).min(self.toks.tokens.len() - 1);
        &self.toks.tokens[i]
    }
    fn next(&mut self) -> Token {
        let t = self.toks.tokens[self.pos].clone();
        if self.pos < self.toks.tokens.len() - 1 {
            self.pos += 1;
        }
        t
    }
    fn is_op(&self, op: &str) -> bool {
        matches!(&self.peek().tok, Tok::Op(o) if *o == op)
    }
    fn is_name(&self, n: &str) -> bool {
        matches!(&self.peek().tok, Tok::Name(x) if x == n)
    }
    fn err(&self, message: impl Into<String>) -> SqlModelError {
        let t = self.peek();
        SqlModelError::Syntax { line: t.line, column: t.col, message: message.into() }
    }
    fn expect_op(&mut self, op: &str) -> Result<()> {
        if self.is_op(op) {
            self.next();
            Ok(())
        } else {
            Err(self.err(format!("expected `{op}` here")))
        }
    }

    /// Skips the rest of a logical line and, if it opens a block, the whole block.
    fn skip_statement(&mut self) {
        loop {
            match self.peek().tok {
                Tok::Newline => {
                    self.next();
                    break;
                }
                Tok::Eof => return,
                _ => {
                    self.next();
                }
            }
        }
        if matches!(self.peek().tok, Tok::Indent) {
            let mut depth = 0;
            loop {
                match self.next().tok {
                    Tok::Indent => depth += 1,
                    Tok::Dedent => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    Tok::Eof => break,
                    _ => {}
                }
            }
        }
    }

    fn module(&mut self) -> Result<Vec<Class>> {
        let mut classes = Vec::new();
        loop {
            match &self.peek().tok {
                Tok::Eof => return Ok(classes),
                Tok::Newline | Tok::Dedent => {
                    self.next();
                }
                Tok::Indent => return Err(self.err("unexpected indentation")),
                Tok::Name(n) if n == "class" => classes.push(self.class()?),
                // Imports, functions, engine set-up and the rest do not describe tables.
                _ => self.skip_statement(),
            }
        }
    }

    fn class(&mut self) -> Result<Class> {
        let kw = self.next();
        let name_tok = self.next();
        let Tok::Name(name) = name_tok.tok else {
            return Err(SqlModelError::Syntax { line: name_tok.line, column: name_tok.col, message: "expected a class name".into() });
        };
        let mut bases = Vec::new();
        let mut table = false;
        if self.is_op("(") {
            self.next();
            while !self.is_op(")") {
                if let (Tok::Name(k), Tok::Op("=")) = (&self.peek().tok, &self.peek_at(1).tok) {
                    let k = k.clone();
                    self.next();
                    self.next();
                    let v = self.expr()?;
                    if k == "table" {
                        table = match &v.kind {
                            ExprKind::Name(b) if b == "True" => true,
                            ExprKind::Name(b) if b == "False" => false,
                            _ => return Err(unsupported(&v, "a `table=` value other than True or False", "write table=True")),
                        };
                    } else {
                        return Err(unsupported(&v, &format!("the class keyword `{k}`"), "leave it out of the model file"));
                    }
                } else {
                    bases.push(self.expr()?);
                }
                if !self.is_op(",") {
                    break;
                }
                self.next();
            }
            self.expect_op(")")?;
        }
        self.expect_op(":")?;
        let mut class = Class { name, line: kw.line, col: kw.col, bases, table, tablename: None, table_args: None, fields: Vec::new(), members: Vec::new() };
        if !matches!(self.peek().tok, Tok::Newline) {
            // A one-line body such as `class A(SQLModel): pass`.
            self.skip_statement();
            return Ok(class);
        }
        self.next();
        if !matches!(self.peek().tok, Tok::Indent) {
            return Err(self.err("expected an indented class body"));
        }
        self.next();
        loop {
            match self.peek().tok.clone() {
                Tok::Dedent => {
                    self.next();
                    break;
                }
                Tok::Eof => break,
                Tok::Newline => {
                    self.next();
                }
                Tok::Name(n) if matches!(n.as_str(), "def" | "class" | "async" | "pass") => self.skip_statement(),
                Tok::Op("@") | Tok::Str(_) | Tok::FStr | Tok::Op("...") => self.skip_statement(),
                Tok::Name(n) if matches!(self.peek_at(1).tok, Tok::Op(":") | Tok::Op("=")) => {
                    let t = self.next();
                    self.class_member(&mut class, n, t.line, t.col)?;
                }
                _ => {
                    let t = self.peek();
                    return Err(SqlModelError::Unsupported {
                        line: t.line,
                        column: t.col,
                        what: "this statement in a class body".into(),
                        hint: "a model class holds annotated fields, `__tablename__`, docstrings and methods".into(),
                    });
                }
            }
        }
        Ok(class)
    }

    fn class_member(&mut self, class: &mut Class, name: String, line: usize, col: usize) -> Result<()> {
        let annotation = if self.is_op(":") {
            self.next();
            Some(self.expr()?)
        } else {
            None
        };
        let value = if self.is_op("=") {
            self.next();
            Some(self.expr()?)
        } else {
            None
        };
        if !matches!(self.peek().tok, Tok::Newline | Tok::Eof | Tok::Dedent) {
            return Err(self.err("expected the end of the line"));
        }
        match name.as_str() {
            "__tablename__" => match value.as_ref().map(|v| &v.kind) {
                Some(ExprKind::Str(s)) => class.tablename = Some((s.clone(), line, col)),
                _ => {
                    return Err(SqlModelError::Unsupported {
                        line,
                        column: col,
                        what: "a `__tablename__` that is not a string literal".into(),
                        hint: "write __tablename__ = \"name\"".into(),
                    })
                }
            },
            "__table_args__" if value.is_some() => class.table_args = value,
            "__table_args__" | "__mapper_args__" => {
                return Err(SqlModelError::Unsupported {
                    line,
                    column: col,
                    what: format!("`{name}`"),
                    hint: "express constraints with Field(unique=, index=, foreign_key=) or add them in a SQL model".into(),
                })
            }
            "model_config" | "__abstract__" => {}
            // A plain class attribute (no annotation) is not a field, nor is a ClassVar; in an
            // Enum class the plain attributes are its members.
            _ => {
                if annotation.is_none() && !name.starts_with('_') {
                    class.members.push(name.clone());
                }
                if let Some(annotation) = annotation {
                    let class_var = annotation.last_name().as_deref() == Some("ClassVar")
                        || matches!(&annotation.kind, ExprKind::Subscript(b, _) if b.last_name().as_deref() == Some("ClassVar"));
                    if !class_var {
                        class.fields.push(FieldDef { name, line, annotation, value })
                    }
                }
            }
        }
        Ok(())
    }

    /// One level deeper, or an error past [`MAX_NESTING`].
    fn deeper(&mut self) -> Result<()> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(self.err(format!("this expression is nested more than {MAX_NESTING} levels deep; write it more simply")));
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Expr> {
        let outer = self.nesting;
        let e = self.binary();
        self.nesting = outer;
        e
    }

    fn binary(&mut self) -> Result<Expr> {
        let mut left = self.unary()?;
        while self.is_op("|") {
            self.next();
            self.deeper()?;
            let right = self.unary()?;
            let (line, col) = (left.line, left.col);
            left = Expr { kind: ExprKind::BinOr(Box::new(left), Box::new(right)), line, col };
        }
        if self.is_name("if") || self.is_name("for") || self.is_name("and") || self.is_name("or") || self.is_name("lambda") {
            return Err(unsupported_at(self.peek(), "this expression", "use a literal value"));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr> {
        let outer = self.nesting;
        self.deeper()?;
        let e = if self.is_op("-") {
            let t = self.next();
            self.unary().map(|e| Expr { kind: ExprKind::Neg(Box::new(e)), line: t.line, col: t.col })
        } else {
            self.postfix()
        };
        self.nesting = outer;
        e
    }

    fn postfix(&mut self) -> Result<Expr> {
        let mut e = self.atom()?;
        loop {
            if self.is_op(".") || self.is_op("(") || self.is_op("[") {
                self.deeper()?;
            }
            if self.is_op(".") {
                self.next();
                let t = self.next();
                let Tok::Name(a) = t.tok else {
                    return Err(SqlModelError::Syntax { line: t.line, column: t.col, message: "expected a name after `.`".into() });
                };
                let (line, col) = (e.line, e.col);
                e = Expr { kind: ExprKind::Attr(Box::new(e), a), line, col };
            } else if self.is_op("(") {
                self.next();
                let mut args = Vec::new();
                let mut kwargs = Vec::new();
                while !self.is_op(")") {
                    if self.is_op("*") || self.is_op("**") {
                        return Err(unsupported_at(self.peek(), "argument unpacking", "write the arguments out"));
                    }
                    if let (Tok::Name(k), Tok::Op("=")) = (&self.peek().tok, &self.peek_at(1).tok) {
                        let k = k.clone();
                        let t = self.next();
                        self.next();
                        kwargs.push((k, self.expr()?, t.line, t.col));
                    } else {
                        args.push(self.expr()?);
                    }
                    if !self.is_op(",") {
                        break;
                    }
                    self.next();
                }
                self.expect_op(")")?;
                let (line, col) = (e.line, e.col);
                e = Expr { kind: ExprKind::Call(Box::new(e), args, kwargs), line, col };
            } else if self.is_op("[") {
                self.next();
                let mut items = Vec::new();
                while !self.is_op("]") {
                    items.push(self.expr()?);
                    if !self.is_op(",") {
                        break;
                    }
                    self.next();
                }
                self.expect_op("]")?;
                let (line, col) = (e.line, e.col);
                e = Expr { kind: ExprKind::Subscript(Box::new(e), items), line, col };
            } else {
                return Ok(e);
            }
        }
    }

    fn atom(&mut self) -> Result<Expr> {
        let t = self.next();
        let kind = match t.tok {
            Tok::Name(n) => ExprKind::Name(n),
            Tok::Int(n) => ExprKind::Int(n),
            Tok::Float(f) => ExprKind::Float(f),
            Tok::Str(mut s) => {
                // Adjacent literals concatenate.
                while let Tok::Str(more) = &self.peek().tok {
                    s.push_str(more);
                    self.next();
                }
                ExprKind::Str(s)
            }
            Tok::Op("...") => ExprKind::Other,
            Tok::FStr => {
                return Err(SqlModelError::Unsupported {
                    line: t.line,
                    column: t.col,
                    what: "an f-string".into(),
                    hint: "write the text as a plain string literal".into(),
                })
            }
            Tok::Op(open @ ("(" | "[")) => {
                let close = if open == "(" { ")" } else { "]" };
                let mut items = Vec::new();
                let mut trailing_comma = false;
                while !self.is_op(close) {
                    items.push(self.expr()?);
                    trailing_comma = self.is_op(",");
                    if !trailing_comma {
                        break;
                    }
                    self.next();
                }
                self.expect_op(close)?;
                // `(x)` is x itself; `(x,)` is a tuple of one.
                if open == "(" && items.len() == 1 && !trailing_comma {
                    return Ok(items.pop().unwrap());
                }
                ExprKind::Seq(items)
            }
            Tok::Op("{") => {
                let mut items = Vec::new();
                while !self.is_op("}") {
                    let k = self.expr()?;
                    self.expect_op(":")?;
                    let v = self.expr()?;
                    items.push((k, v));
                    if !self.is_op(",") {
                        break;
                    }
                    self.next();
                }
                self.expect_op("}")?;
                ExprKind::Dict(items)
            }
            _ => return Err(SqlModelError::Syntax { line: t.line, column: t.col, message: "expected an expression".into() }),
        };
        Ok(Expr { kind, line: t.line, col: t.col })
    }
}

fn unsupported(e: &Expr, what: &str, hint: &str) -> SqlModelError {
    SqlModelError::Unsupported { line: e.line, column: e.col, what: what.to_string(), hint: hint.to_string() }
}

fn unsupported_at(t: &Token, what: &str, hint: &str) -> SqlModelError {
    SqlModelError::Unsupported { line: t.line, column: t.col, what: what.to_string(), hint: hint.to_string() }
}

fn invalid(line: usize, column: usize, message: impl Into<String>) -> SqlModelError {
    SqlModelError::Invalid { line, column, message: message.into() }
}

// ---------------------------------------------------------------------------------------------
// From classes to a schema

/// The Python types SQLModel maps to a column type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PyType {
    Int,
    Str,
    Float,
    Bool,
    DateTime,
    Date,
    Time,
    TimeDelta,
    Uuid,
    Bytes,
    Decimal,
    /// An Enum class of the file: SQLAlchemy stores the member names, in a VARCHAR as long as
    /// the longest.
    Enum(usize),
}

/// Whether an annotation allows None, whatever the type beside it.
fn annotation_optional(a: &Expr) -> bool {
    match &a.kind {
        ExprKind::Subscript(base, args) => match base.dotted().as_deref() {
            Some("Optional" | "typing.Optional") => true,
            Some("Union" | "typing.Union") => args.iter().any(Expr::is_none),
            Some("Annotated" | "typing.Annotated") => args.first().is_some_and(annotation_optional),
            _ => false,
        },
        ExprKind::BinOr(l, r) => l.is_none() || r.is_none() || annotation_optional(l) || annotation_optional(r),
        _ => false,
    }
}

/// Enum classes defined in the file, with the length of their longest member name.
type Enums = BTreeMap<String, usize>;

/// Reads an annotation into (type, optional).
fn annotation_type(a: &Expr, enums: &Enums) -> Result<(PyType, bool)> {
    let simple = |e: &Expr| -> Option<PyType> {
        let full = e.dotted()?;
        Some(match full.as_str() {
            "int" => PyType::Int,
            "str" => PyType::Str,
            "float" => PyType::Float,
            "bool" => PyType::Bool,
            "bytes" => PyType::Bytes,
            "datetime" | "datetime.datetime" => PyType::DateTime,
            "date" | "datetime.date" => PyType::Date,
            "time" | "datetime.time" => PyType::Time,
            "timedelta" | "datetime.timedelta" => PyType::TimeDelta,
            "UUID" | "uuid.UUID" => PyType::Uuid,
            "Decimal" | "decimal.Decimal" => PyType::Decimal,
            other => return enums.get(other.rsplit('.').next().unwrap_or(other)).map(|n| PyType::Enum(*n)),
        })
    };
    let unsupported_type = |e: &Expr| {
        unsupported(
            e,
            &format!("the field type `{}`", e.shown()),
            "use int, str, float, bool, bytes, datetime, date, time, timedelta, uuid.UUID, Decimal or an Enum class defined above in this file, optionally with Optional[...] or `| None`",
        )
    };
    match &a.kind {
        ExprKind::Subscript(base, args) => match base.dotted().as_deref() {
            Some("Optional" | "typing.Optional") if args.len() == 1 => Ok((annotation_type(&args[0], enums)?.0, true)),
            Some("Union" | "typing.Union") => {
                let (nones, rest): (Vec<&Expr>, Vec<&Expr>) = args.iter().partition(|e| e.is_none());
                if rest.len() != 1 {
                    return Err(unsupported_type(a));
                }
                let (t, opt) = annotation_type(rest[0], enums)?;
                Ok((t, opt || !nones.is_empty()))
            }
            Some("Annotated" | "typing.Annotated") if !args.is_empty() => annotation_type(&args[0], enums),
            _ => Err(unsupported_type(a)),
        },
        ExprKind::BinOr(l, r) => {
            if r.is_none() {
                Ok((annotation_type(l, enums)?.0, true))
            } else if l.is_none() {
                Ok((annotation_type(r, enums)?.0, true))
            } else {
                Err(unsupported_type(a))
            }
        }
        _ => simple(a).map(|t| (t, false)).ok_or_else(|| unsupported_type(a)),
    }
}

/// What one `Field(...)` says about the schema.
#[derive(Default)]
struct FieldOpts {
    primary_key: bool,
    foreign_key: Option<(String, usize, usize)>,
    unique: bool,
    index: bool,
    nullable: Option<bool>,
    max_length: Option<i64>,
    max_digits: Option<i64>,
    decimal_places: Option<i64>,
    ondelete: Option<(FkAction, usize, usize)>,
    server_default: Option<Sql>,
    /// The column type from `sa_type=` or `sa_column=Column(Type, ...)`, replacing the one the
    /// annotation gives.
    decl: Option<String>,
    /// A column name given in `sa_column=Column("name", ...)`.
    column_name: Option<String>,
}

/// Keyword arguments of Field() that only drive pydantic validation or serialisation: they leave
/// the table as it is, as they do in SQLModel.
const VALIDATION_ONLY: &[&str] = &[
    "default",
    "default_factory",
    "alias",
    "title",
    "description",
    "exclude",
    "include",
    "const",
    "gt",
    "ge",
    "lt",
    "le",
    "multiple_of",
    "min_items",
    "max_items",
    "unique_items",
    "min_length",
    "allow_mutation",
    "regex",
    "pattern",
    "discriminator",
    "repr",
    "schema_extra",
    "json_schema_extra",
    "validation_alias",
    "serialization_alias",
    "examples",
    "frozen",
    "strict",
    "allow_inf_nan",
    "union_mode",
];

fn bool_arg(name: &str, v: &Expr) -> Result<bool> {
    match &v.kind {
        ExprKind::Name(b) if b == "True" => Ok(true),
        ExprKind::Name(b) if b == "False" => Ok(false),
        _ => Err(unsupported(v, &format!("`{name}={}`", v.shown()), &format!("write {name}=True or {name}=False"))),
    }
}

fn int_arg(name: &str, v: &Expr) -> Result<i64> {
    match &v.kind {
        ExprKind::Int(n) if *n >= 0 => Ok(*n),
        _ => Err(unsupported(v, &format!("`{name}={}`", v.shown()), &format!("write {name}= with a whole number"))),
    }
}

fn field_opts(call_args: &[Expr], kwargs: &[Kwarg]) -> Result<FieldOpts> {
    let mut o = FieldOpts::default();
    if call_args.len() > 1 {
        return Err(unsupported(&call_args[1], "more than one positional argument to Field()", "pass the options by keyword"));
    }
    for (k, v, line, col) in kwargs {
        match k.as_str() {
            "primary_key" => o.primary_key = bool_arg(k, v)?,
            "unique" => o.unique = bool_arg(k, v)?,
            "index" => o.index = bool_arg(k, v)?,
            "nullable" => o.nullable = Some(bool_arg(k, v)?),
            "max_length" => o.max_length = Some(int_arg(k, v)?),
            "max_digits" => o.max_digits = Some(int_arg(k, v)?),
            "decimal_places" => o.decimal_places = Some(int_arg(k, v)?),
            "foreign_key" => match &v.kind {
                ExprKind::Str(s) => o.foreign_key = Some((s.clone(), v.line, v.col)),
                _ => return Err(unsupported(v, "a foreign_key that is not a \"table.column\" string", "write foreign_key=\"table.column\"")),
            },
            "ondelete" => o.ondelete = Some((ondelete_action(v)?, *line, *col)),
            "sa_column_kwargs" => {
                let ExprKind::Dict(items) = &v.kind else {
                    return Err(unsupported(v, "sa_column_kwargs that is not a dict literal", "write sa_column_kwargs={\"server_default\": ...}"));
                };
                for (dk, dv) in items {
                    match &dk.kind {
                        ExprKind::Str(s) if s == "server_default" => o.server_default = Some(server_default(dv)?),
                        // Documentation and Python-side hooks leave the table as it is.
                        ExprKind::Str(s) if matches!(s.as_str(), "comment" | "onupdate" | "doc" | "info") => {}
                        _ => {
                            return Err(unsupported(
                                dk,
                                &format!("the column option {}", dk.shown()),
                                "strata reads only \"server_default\" from sa_column_kwargs; use Field(unique=, index=, nullable=) for the rest",
                            ))
                        }
                    }
                }
            }
            "sa_type" => o.decl = Some(sa_type_decl(v)?),
            "sa_column" => {
                // SQLModel takes such a column as it stands and refuses other column options
                // beside it, so strata does too.
                if let Some((other, _, l, c)) = kwargs.iter().find(|(k, ..)| SCHEMA_OPTIONS.contains(&k.as_str())) {
                    return Err(invalid(*l, *c, format!("Field(sa_column=...) cannot be combined with {other}=; SQLModel refuses it too")));
                }
                sa_column(v, &mut o)?;
            }
            "sa_column_args" => {
                return Err(SqlModelError::Unsupported {
                    line: *line,
                    column: *col,
                    what: format!("Field({k}=...)"),
                    hint: "use foreign_key= and the other Field options, or sa_column=Column(...)".into(),
                })
            }
            other if VALIDATION_ONLY.contains(&other) => {}
            other => {
                return Err(SqlModelError::Unsupported {
                    line: *line,
                    column: *col,
                    what: format!("the Field option `{other}`"),
                    hint: "see docs/sqlmodel.md for the options strata reads".into(),
                })
            }
        }
    }
    Ok(o)
}

/// The DEFAULT clause SQLAlchemy's SQLite dialect writes for a `server_default`.
fn server_default(v: &Expr) -> Result<Sql> {
    match &v.kind {
        // A plain string is a literal value: quoted, quotes doubled.
        ExprKind::Str(s) => Ok(Sql::new(format!("'{}'", s.replace('\'', "''")))),
        ExprKind::Call(f, args, kwargs) => {
            let name = f.dotted().unwrap_or_default();
            let last = name.rsplit('.').next().unwrap_or("");
            match (last, args.as_slice()) {
                ("text", [Expr { kind: ExprKind::Str(s), .. }]) if kwargs.is_empty() => {
                    // The SQLite dialect wraps an expression in parentheses unless it starts
                    // with a quote or parenthesis or is a single word.
                    let t = s.trim();
                    let starts_quoted = t.starts_with(['\'', '"', '(']);
                    let has_non_word = s.chars().any(|c| !(c.is_alphanumeric() || c == '_'));
                    Ok(Sql::new(if !starts_quoted && has_non_word { format!("({s})") } else { s.clone() }))
                }
                ("now" | "current_timestamp", []) if name.starts_with("func.") || name.starts_with("sa.func.") || name.starts_with("sqlalchemy.func.") => {
                    Ok(Sql::new("CURRENT_TIMESTAMP"))
                }
                ("current_date", []) if name.contains("func.") => Ok(Sql::new("CURRENT_DATE")),
                ("current_time", []) if name.contains("func.") => Ok(Sql::new("CURRENT_TIME")),
                _ => Err(unsupported(v, &format!("the server_default {}", v.shown()), "use a string, text(\"...\") or func.now()")),
            }
        }
        _ => Err(unsupported(v, &format!("the server_default {}", v.shown()), "use a string, text(\"...\") or func.now(); SQLAlchemy accepts no numbers here")),
    }
}

/// Field() options that shape the column, which `sa_column=` replaces.
const SCHEMA_OPTIONS: &[&str] =
    &["primary_key", "foreign_key", "unique", "index", "nullable", "ondelete", "sa_type", "sa_column_kwargs", "sa_column_args"];

/// The SQLite type SQLAlchemy renders for a type given as `sa_type=` or in `Column(...)`.
fn sa_type_decl(e: &Expr) -> Result<String> {
    let (func, args, kwargs): (&Expr, &[Expr], &[Kwarg]) = match &e.kind {
        ExprKind::Call(f, a, k) => (f, a, k),
        _ => (e, &[], &[]),
    };
    let name = func.last_name().unwrap_or_default();
    // (SQLite type, whether its numbers are written out)
    let (base, sized) = match name.as_str() {
        "Integer" | "INTEGER" => ("INTEGER", false),
        "BigInteger" | "BIGINT" => ("BIGINT", false),
        "SmallInteger" | "SMALLINT" => ("SMALLINT", false),
        "String" | "Unicode" | "VARCHAR" | "AutoString" => ("VARCHAR", true),
        "Text" | "UnicodeText" | "TEXT" => ("TEXT", false),
        // The precision of Float does not reach SQLite's DDL.
        "Float" | "FLOAT" => ("FLOAT", false),
        "Double" | "DOUBLE" => ("DOUBLE", false),
        "REAL" => ("REAL", false),
        "Boolean" | "BOOLEAN" => ("BOOLEAN", false),
        "DateTime" | "DATETIME" | "Interval" => ("DATETIME", false),
        "Date" | "DATE" => ("DATE", false),
        "Time" | "TIME" => ("TIME", false),
        "LargeBinary" | "BLOB" => ("BLOB", false),
        "Numeric" | "NUMERIC" => ("NUMERIC", true),
        "JSON" => ("JSON", false),
        "Uuid" | "UUID" => ("CHAR(32)", false),
        _ => {
            return Err(unsupported(
                e,
                &format!("the SQLAlchemy type `{}`", e.shown()),
                "use Integer, BigInteger, SmallInteger, String, Text, Float, Double, Boolean, DateTime, Date, Time, LargeBinary, Numeric, JSON or Uuid",
            ))
        }
    };
    let mut nums = Vec::new();
    for a in args {
        nums.push(int_arg(&name, a)?);
    }
    for (k, v, line, column) in kwargs {
        match k.as_str() {
            "length" | "precision" | "scale" => nums.push(int_arg(k, v)?),
            // Options that do not change SQLite's DDL.
            "timezone" | "asdecimal" | "decimal_return_scale" | "as_uuid" | "native_uuid" | "none_as_null" => {}
            _ => {
                return Err(SqlModelError::Unsupported {
                    line: *line,
                    column: *column,
                    what: format!("the type option `{k}` of {name}"),
                    hint: "leave it out, or use a SQL model".into(),
                })
            }
        }
    }
    if !sized || nums.is_empty() {
        return Ok(base.to_string());
    }
    Ok(format!("{base}({})", nums.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", ")))
}

/// Reads `sa_column=Column([name,] Type, [ForeignKey(...),] primary_key=, nullable=, unique=,
/// index=, server_default=)` into the field's options.
fn sa_column(v: &Expr, o: &mut FieldOpts) -> Result<()> {
    let ExprKind::Call(func, args, kwargs) = &v.kind else {
        return Err(unsupported(v, "an sa_column that is not a Column(...) call", "write sa_column=Column(Type, ...)"));
    };
    if func.last_name().as_deref() != Some("Column") {
        return Err(unsupported(v, &format!("sa_column={}", v.shown()), "write sa_column=Column(Type, ...)"));
    }
    for a in args {
        match &a.kind {
            ExprKind::Str(n) if o.column_name.is_none() && o.decl.is_none() => o.column_name = Some(n.clone()),
            ExprKind::Call(f, fargs, fkw) if f.last_name().as_deref() == Some("ForeignKey") => {
                let Some(Expr { kind: ExprKind::Str(target), line, col }) = fargs.first() else {
                    return Err(unsupported(a, "a ForeignKey without a \"table.column\" string", "write ForeignKey(\"table.column\")"));
                };
                o.foreign_key = Some((target.clone(), *line, *col));
                for (k, fv, l, c) in fkw {
                    match k.as_str() {
                        "ondelete" => o.ondelete = Some((ondelete_action(fv)?, *l, *c)),
                        _ => return Err(unsupported(fv, &format!("the ForeignKey option `{k}`"), "strata reads ondelete= only")),
                    }
                }
            }
            _ if o.decl.is_none() => o.decl = Some(sa_type_decl(a)?),
            _ => return Err(unsupported(a, &format!("the Column argument {}", a.shown()), "give Column a name, a type and ForeignKey(...) only")),
        }
    }
    let mut nullable = None;
    for (k, kv, line, column) in kwargs {
        match k.as_str() {
            "primary_key" => o.primary_key = bool_arg(k, kv)?,
            "nullable" => nullable = Some(bool_arg(k, kv)?),
            "unique" => o.unique = bool_arg(k, kv)?,
            "index" => o.index = bool_arg(k, kv)?,
            "server_default" => o.server_default = Some(server_default(kv)?),
            // Python-side values and documentation leave the table as it is.
            "default" | "onupdate" | "comment" | "doc" | "info" => {}
            _ => {
                return Err(SqlModelError::Unsupported {
                    line: *line,
                    column: *column,
                    what: format!("the Column option `{k}`"),
                    hint: "see docs/sqlmodel.md for the options strata reads".into(),
                })
            }
        }
    }
    if o.decl.is_none() {
        return Err(unsupported(v, "a Column without a type", "give the Column its type, e.g. Column(Integer, ...)"));
    }
    // SQLAlchemy's rule, not SQLModel's: a Column is nullable unless it is a primary key,
    // whatever the annotation says.
    o.nullable = Some(nullable.unwrap_or(!o.primary_key));
    Ok(())
}

fn ondelete_action(v: &Expr) -> Result<FkAction> {
    let bad = || unsupported(v, &format!("ondelete={}", v.shown()), "use \"CASCADE\", \"SET NULL\" or \"RESTRICT\"");
    match &v.kind {
        ExprKind::Str(s) => match s.to_ascii_uppercase().as_str() {
            "CASCADE" => Ok(FkAction::Cascade),
            "SET NULL" => Ok(FkAction::SetNull),
            "RESTRICT" => Ok(FkAction::Restrict),
            "NO ACTION" => Ok(FkAction::NoAction),
            "SET DEFAULT" => Ok(FkAction::SetDefault),
            _ => Err(bad()),
        },
        _ => Err(bad()),
    }
}

fn column_type(t: PyType, o: &FieldOpts) -> String {
    if let Some(d) = &o.decl {
        return d.clone();
    }
    match t {
        PyType::Int => "INTEGER".into(),
        PyType::Str => match o.max_length {
            Some(n) => format!("VARCHAR({n})"),
            None => "VARCHAR".into(),
        },
        PyType::Float => "FLOAT".into(),
        PyType::Bool => "BOOLEAN".into(),
        PyType::DateTime => "DATETIME".into(),
        PyType::Date => "DATE".into(),
        PyType::Time => "TIME".into(),
        // SQLAlchemy's Interval is stored as a DATETIME offset from the epoch on SQLite.
        PyType::TimeDelta => "DATETIME".into(),
        PyType::Uuid => "CHAR(32)".into(),
        PyType::Bytes => "BLOB".into(),
        PyType::Enum(n) => format!("VARCHAR({n})"),
        PyType::Decimal => match (o.max_digits, o.decimal_places) {
            (Some(p), Some(s)) => format!("NUMERIC({p}, {s})"),
            (Some(p), None) => format!("NUMERIC({p})"),
            _ => "NUMERIC".into(),
        },
    }
}

/// What a table class becomes, before foreign keys are checked against the other tables.
struct Built {
    table: Table,
    indexes: Vec<Index>,
    fks: Vec<(usize, usize, String, String)>, // position, target table, target column
}

fn build(classes: &[Class], lexed: &Lexed) -> Result<Model> {
    let by_name: BTreeMap<&str, &Class> = classes.iter().map(|c| (c.name.as_str(), c)).collect();
    let enum_classes: Vec<&Class> = classes
        .iter()
        .filter(|c| c.bases.iter().any(|b| matches!(b.last_name().as_deref(), Some("Enum" | "IntEnum" | "StrEnum"))))
        .filter(|c| !c.members.is_empty())
        .collect();
    let mut built: Vec<Built> = Vec::new();
    let mut owners: Vec<(usize, Rename)> = Vec::new(); // (line, rename) from annotations
    for class in classes.iter().filter(|c| c.table) {
        // Python needs an Enum defined before the class that uses it (a quoted forward
        // reference fails inside SQLModel), so only those above count.
        let enums: Enums = enum_classes
            .iter()
            .filter(|e| e.line < class.line)
            .map(|e| (e.name.clone(), e.members.iter().map(|m| m.chars().count()).max().unwrap_or(0)))
            .collect();
        // Fields come from the class and its bases defined in this file, bases first.
        let mut fields: Vec<&FieldDef> = Vec::new();
        let mut is_sqlmodel = false;
        collect_fields(class, &by_name, &mut fields, &mut is_sqlmodel, &mut Visit::default())?;
        if !is_sqlmodel {
            return Err(invalid(class.line, class.col, format!("class {} has table=True but does not derive from SQLModel", class.name)));
        }
        let table_name = match &class.tablename {
            Some((n, _, _)) => n.clone(),
            None => class.name.to_lowercase(),
        };
        let mut t = Table::new(table_name.clone());
        let mut pk = Vec::new();
        let mut indexes = Vec::new();
        let mut fks = Vec::new();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for f in fields {
            // A subclass redefining a field replaces it where it stood.
            let (opts, ty, optional) = match &f.value {
                Some(Expr { kind: ExprKind::Call(func, args, kwargs), .. }) if func.last_name().as_deref() == Some("Relationship") => {
                    let _ = (args, kwargs);
                    continue;
                }
                Some(Expr { kind: ExprKind::Call(func, args, kwargs), .. }) if func.last_name().as_deref() == Some("Field") => {
                    let opts = field_opts(args, kwargs)?;
                    // With sa_type or sa_column the annotation need not be a type strata maps
                    // (`dict` for a JSON column); it still says whether None is allowed.
                    let (ty, optional) = match opts.decl {
                        Some(_) => (PyType::Str, annotation_optional(&f.annotation)),
                        None => annotation_type(&f.annotation, &enums)?,
                    };
                    (opts, ty, optional)
                }
                Some(v @ Expr { kind: ExprKind::Call(func, ..), .. }) => {
                    return Err(unsupported(v, &format!("a field value made by `{}`", func.shown()), "give a literal default or Field(...)"));
                }
                _ => {
                    let (ty, optional) = annotation_type(&f.annotation, &enums)?;
                    (FieldOpts::default(), ty, optional)
                }
            };
            if let (Some((_, l, c)), None) = (opts.ondelete, &opts.foreign_key) {
                return Err(invalid(l, c, "ondelete needs foreign_key= on the same field"));
            }
            let col_name = opts.column_name.clone().unwrap_or_else(|| f.name.clone());
            let mut col = Column::new(col_name.clone(), column_type(ty, &opts));
            // SQLModel: nullable unless a primary key or not Optional; an explicit nullable wins.
            col.not_null = !opts.nullable.unwrap_or(!opts.primary_key && optional);
            col.default = opts.server_default.clone();
            if opts.primary_key {
                pk.push(KeyPart::new(col_name.clone()));
            }
            if opts.index {
                indexes.push(Index {
                    name: Name(format!("ix_{}_{}", table_name, col_name)),
                    table: Name(table_name.clone()),
                    unique: opts.unique,
                    parts: vec![IndexPart { expr: Sql::new(col_name.clone()), collate: None, desc: false }],
                    where_clause: None,
                });
            } else if opts.unique {
                t.uniques.push(Unique { name: None, columns: vec![KeyPart::new(col_name.clone())], on_conflict: None });
            }
            if let Some((target, l, c)) = &opts.foreign_key {
                let Some((rt, rc)) = target.rsplit_once('.') else {
                    return Err(invalid(*l, *c, format!("foreign_key \"{target}\" must name a column as \"table.column\"")));
                };
                let on_delete = opts.ondelete.map(|o| o.0).unwrap_or_default();
                t.foreign_keys.push(ForeignKey {
                    name: None,
                    columns: vec![Name(col_name.clone())],
                    ref_table: Name(rt.to_string()),
                    ref_columns: vec![Name(rc.to_string())],
                    on_delete,
                    on_update: FkAction::NoAction,
                    deferred: false,
                });
                fks.push((*l, *c, rt.to_string(), rc.to_string()));
            }
            if let Some(&i) = seen.get(&key(&col_name)) {
                t.columns[i] = col;
            } else {
                seen.insert(key(&col_name), t.columns.len());
                t.columns.push(col);
            }
            owners.push((f.line, Rename::Column { table: table_name.clone(), from: String::new(), to: col_name }));
        }
        if pk.is_empty() {
            return Err(invalid(
                class.line,
                class.col,
                format!("table class {} has no primary key; SQLAlchemy refuses such a table, so mark a field with Field(primary_key=True)", class.name),
            ));
        }
        t.primary_key = Some(PrimaryKey { name: None, columns: pk, autoincrement: false, on_conflict: None, desc_on_column: false });
        if let Some(args) = inherited_table_args(class, &by_name, &mut BTreeSet::new()) {
            table_args(args, &mut t, &mut indexes)?;
        }
        t.canonicalize();
        owners.push((class.line, Rename::Table { from: String::new(), to: table_name.clone() }));
        if let Some((_, l, _)) = &class.tablename {
            owners.push((*l, Rename::Table { from: String::new(), to: table_name.clone() }));
        }
        if built.iter().any(|b| b.table.name == *table_name.as_str()) {
            return Err(invalid(class.line, class.col, format!("table {table_name} is defined twice")));
        }
        built.push(Built { table: t, indexes, fks });
    }
    let mut schema = Schema::default();
    for b in &built {
        for (l, c, rt, rc) in &b.fks {
            let target = built.iter().find(|o| o.table.name == *rt.as_str());
            match target {
                None => return Err(invalid(*l, *c, format!("foreign key target table {rt} is not defined in this file"))),
                Some(o) if o.table.column(rc).is_none() => {
                    return Err(invalid(*l, *c, format!("foreign key target column {rt}.{rc} does not exist")))
                }
                _ => {}
            }
        }
    }
    for b in built {
        for i in b.indexes {
            schema.add_index(i);
        }
        schema.add_table(b.table);
    }
    Ok(Model { schema, renames: renames_from_comments(&lexed.comments, &owners) })
}

/// The `__table_args__` a table class has: its own, or else the first a base class defined in
/// the file has, as Python's attribute lookup finds it. Each class is looked at once, so a
/// circular or diamond-shaped hierarchy ends.
fn inherited_table_args<'a>(class: &'a Class, by_name: &BTreeMap<&str, &'a Class>, seen: &mut BTreeSet<&'a str>) -> Option<&'a Expr> {
    if !seen.insert(class.name.as_str()) {
        return None;
    }
    class.table_args.as_ref().or_else(|| {
        class.bases.iter().find_map(|b| by_name.get(b.dotted()?.as_str()).and_then(|base| inherited_table_args(base, by_name, seen)))
    })
}

/// Adds what `__table_args__` declares to table `t`: `UniqueConstraint("a", "b", name=...)` as a
/// table UNIQUE constraint and `Index("name", "a", "b", unique=...)` as an index, as SQLAlchemy
/// creates them. Anything else in it is refused, since strata could not say what it does.
fn table_args(args: &Expr, t: &mut Table, indexes: &mut Vec<Index>) -> Result<()> {
    let hint = "write __table_args__ = (UniqueConstraint(\"a\", \"b\"), Index(\"name\", \"a\"),)";
    let items = match &args.kind {
        ExprKind::Seq(items) => items.as_slice(),
        _ => return Err(unsupported(args, "a `__table_args__` that is not a tuple", hint)),
    };
    let column = |e: &Expr, what: &str| -> Result<KeyPart> {
        match &e.kind {
            ExprKind::Str(name) if t.column(name).is_some() => Ok(KeyPart::new(name.clone())),
            ExprKind::Str(name) => Err(invalid(e.line, e.col, format!("{what} names column {name}, which table {} does not have", t.name))),
            _ => Err(unsupported(e, &format!("a column of {what} given as `{}`", e.shown()), "name the column as a string, \"column\"")),
        }
    };
    let mut uniques = Vec::new();
    for item in items {
        let ExprKind::Call(func, call_args, kwargs) = &item.kind else {
            return Err(unsupported(item, &format!("`{}` in __table_args__", item.shown()), "only UniqueConstraint(...) and Index(...) are read; put table options in a SQL model"));
        };
        match func.last_name().as_deref() {
            Some("UniqueConstraint") => {
                let mut name = None;
                for (k, v, l, c) in kwargs {
                    match (k.as_str(), &v.kind) {
                        ("name", ExprKind::Str(n)) => name = Some(Name(n.clone())),
                        _ => return Err(invalid(*l, *c, format!("UniqueConstraint({k}=...) is not supported; only name=\"...\" is"))),
                    }
                }
                let columns = call_args.iter().map(|a| column(a, "UniqueConstraint")).collect::<Result<Vec<_>>>()?;
                if columns.is_empty() {
                    return Err(invalid(item.line, item.col, "UniqueConstraint needs at least one column"));
                }
                uniques.push(Unique { name, columns, on_conflict: None });
            }
            Some("Index") => {
                let Some(ExprKind::Str(name)) = call_args.first().map(|a| &a.kind) else {
                    return Err(invalid(item.line, item.col, "Index needs its name as the first argument, Index(\"name\", \"column\")"));
                };
                let mut unique = false;
                for (k, v, l, c) in kwargs {
                    match k.as_str() {
                        "unique" => unique = bool_arg(k, v)?,
                        _ => return Err(invalid(*l, *c, format!("Index({k}=...) is not supported; only unique= is"))),
                    }
                }
                let parts = call_args[1..]
                    .iter()
                    .map(|a| column(a, "Index").map(|k| IndexPart { expr: Sql::new(k.name.0.clone()), collate: None, desc: false }))
                    .collect::<Result<Vec<_>>>()?;
                if parts.is_empty() {
                    return Err(invalid(item.line, item.col, format!("Index {name} needs at least one column")));
                }
                indexes.push(Index { name: Name(name.clone()), table: t.name.clone(), unique, parts, where_clause: None });
            }
            _ => return Err(unsupported(item, &format!("`{}` in __table_args__", item.shown()), "only UniqueConstraint(...) and Index(...) are read; add other constraints in a SQL model")),
        }
    }
    t.uniques.extend(uniques);
    Ok(())
}

/// Gathers the fields of `class` and of its bases that are defined in the file, bases first,
/// and notes whether SQLModel is among its ancestors. Each class is visited once, as Python's
/// method resolution order lists it once, so a hierarchy of diamonds costs its size and not
/// the number of paths through it; a class among its own ancestors is an error.
fn collect_fields<'a>(
    class: &'a Class,
    by_name: &BTreeMap<&str, &'a Class>,
    out: &mut Vec<&'a FieldDef>,
    is_sqlmodel: &mut bool,
    visit: &mut Visit<'a>,
) -> Result<()> {
    if visit.path.contains(&class.name.as_str()) {
        return Err(invalid(class.line, class.col, format!("class {} is among its own base classes; Python refuses a circular hierarchy", class.name)));
    }
    if !visit.seen.insert(class.name.as_str()) {
        return Ok(());
    }
    visit.path.push(class.name.as_str());
    for b in &class.bases {
        let name = b.dotted().unwrap_or_default();
        if name == "SQLModel" || name == "sqlmodel.SQLModel" {
            *is_sqlmodel = true;
        } else if let Some(base) = by_name.get(name.as_str()) {
            if base.table {
                return Err(unsupported(b, &format!("inheriting from the table class {name}"), "inherit from a non-table base class instead"));
            }
            collect_fields(base, by_name, out, is_sqlmodel, visit)?;
        } else if class.table || visit.path.len() > 1 {
            return Err(unsupported(b, &format!("the base class `{}`", b.shown()), "define base classes in the same file, deriving from SQLModel"));
        }
    }
    visit.path.pop();
    out.extend(class.fields.iter());
    Ok(())
}

/// The classes a walk up a hierarchy has entered (`seen`) and the chain it is on (`path`).
#[derive(Default)]
struct Visit<'a> {
    seen: BTreeSet<&'a str>,
    path: Vec<&'a str>,
}

/// `# @renamed from=old` on a class line (or its `__tablename__` line) renames the table; on a
/// field line it renames the column.
fn renames_from_comments(comments: &[Comment], owners: &[(usize, Rename)]) -> Vec<Rename> {
    let mut out = Vec::new();
    for c in comments {
        let body = c.text.trim_start_matches('#').trim();
        let Some(rest) = body.strip_prefix("@renamed") else { continue };
        let Some(value) = rest.trim_start().strip_prefix("from").and_then(|r| r.trim_start().strip_prefix('=')) else { continue };
        let from = value.trim().trim_matches(|ch| ch == '"' || ch == '\'').to_string();
        if from.is_empty() {
            continue;
        }
        if let Some((_, owner)) = owners.iter().find(|(l, _)| *l == c.line) {
            let r = match owner {
                Rename::Table { to, .. } => Rename::Table { from, to: to.clone() },
                Rename::Column { table, to, .. } => Rename::Column { table: table.clone(), from, to: to.clone() },
                Rename::Index { to, .. } => Rename::Index { from, to: to.clone() },
            };
            if !out.contains(&r) {
                out.push(r);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minimal_model_reads() {
        let m = from_sqlmodel("from sqlmodel import SQLModel, Field\n\nclass Hero(SQLModel, table=True):\n    id: int | None = Field(default=None, primary_key=True)\n    name: str\n").unwrap();
        let t = m.schema.table("hero").unwrap();
        assert_eq!(t.columns.len(), 2);
        assert!(t.columns[0].not_null && t.columns[1].not_null);
    }

    #[test]
    fn errors_point_at_line_and_column() {
        let e = from_sqlmodel("class A(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n    x: list[int]\n").unwrap_err();
        assert_eq!(e.position(), Position { line: 3, column: 8 }, "{e}");
    }

    /// Found by the fuzzer (`fuzz_sqlmodel`): a deeply nested value overflowed the stack, which
    /// aborts the CLI and kills the playground's worker.
    #[test]
    fn deeply_nested_expressions_are_refused_without_overflowing_the_stack() {
        let deep = |value: String| format!("class A(SQLModel, table=True):\n    id: int = Field(default={value}, primary_key=True)\n");
        for value in [
            format!("{}1{}", "(".repeat(5000), ")".repeat(5000)),
            format!("{}1{}", "[".repeat(5000), "]".repeat(5000)),
            format!("{}1", "-".repeat(5000)),
            format!("x{}", ".a".repeat(5000)),
            format!("f{}", "()".repeat(5000)),
            format!("x{}", "[0]".repeat(5000)),
            format!("int{}", " | None".repeat(5000)),
            format!("{}1{}", "{1: ".repeat(5000), "}".repeat(5000)),
        ] {
            let e = from_sqlmodel(&deep(value)).unwrap_err();
            assert!(e.to_string().contains("nested more than 50 levels"), "{e}");
        }
        let fine = deep(format!("{}1{}", "(".repeat(40), ")".repeat(40)));
        assert!(from_sqlmodel(&fine).is_ok());
    }

    /// Found while fuzzing: base classes were walked once per path, so a class naming itself
    /// twice, or a tall lattice of diamonds, took time exponential in its height.
    #[test]
    fn circular_and_diamond_hierarchies_are_walked_once() {
        let e = from_sqlmodel("class B(B, B):\n    x: int\n\nclass T(B, table=True):\n    id: int = Field(primary_key=True)\n").unwrap_err();
        assert!(e.to_string().contains("among its own base classes"), "{e}");
        let mut text = String::from("class L0a(SQLModel):\n    x: int\n\nclass L0b(SQLModel):\n    y: int\n\n");
        for i in 1..60 {
            for side in ["a", "b"] {
                text.push_str(&format!("class L{i}{side}(L{p}a, L{p}b):\n    pass\n\n", p = i - 1));
            }
        }
        text.push_str("class T(L59a, L59b, table=True):\n    id: int = Field(primary_key=True)\n");
        let schema = schema_from_sqlmodel(&text).unwrap();
        let t = schema.table("t").unwrap();
        assert_eq!(t.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["x", "y", "id"]);
    }
}
