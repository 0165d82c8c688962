//! The SQLModel front-end's parser for the Python subset model files use: imports, classes
//! with their bases and keywords, annotated fields and expressions nested at most
//! `MAX_NESTING` levels deep, so no file can exhaust the stack.

use super::lexer::{Lexed, Tok, Token};
use super::{unsupported, unsupported_at, Result, SqlModelError};

#[derive(Clone, Debug)]
pub(super) enum ExprKind {
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
pub(super) type Kwarg = (String, Expr, usize, usize);

#[derive(Clone, Debug)]
pub(super) struct Expr {
    pub(super) kind: ExprKind,
    pub(super) line: usize,
    pub(super) col: usize,
}

impl Expr {
    /// `a.b.c` as a string, for names of types and functions.
    pub(super) fn dotted(&self) -> Option<String> {
        match &self.kind {
            ExprKind::Name(n) => Some(n.clone()),
            ExprKind::Attr(base, a) => Some(format!("{}.{a}", base.dotted()?)),
            _ => None,
        }
    }
    pub(super) fn last_name(&self) -> Option<String> {
        self.dotted().map(|d| d.rsplit('.').next().unwrap().to_string())
    }
    pub(super) fn is_none(&self) -> bool {
        matches!(&self.kind, ExprKind::Name(n) if n == "None")
    }
    pub(super) fn shown(&self) -> String {
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
pub(super) struct Class {
    pub(super) name: String,
    pub(super) line: usize,
    pub(super) col: usize,
    pub(super) bases: Vec<Expr>,
    pub(super) table: bool,
    pub(super) tablename: Option<(String, usize, usize)>,
    /// `__table_args__ = (UniqueConstraint(...), Index(...),)`, read when the table is built.
    pub(super) table_args: Option<Expr>,
    pub(super) fields: Vec<FieldDef>,
    /// Names assigned in the body without an annotation: the members of an Enum class.
    pub(super) members: Vec<String>,
}

#[derive(Debug)]
pub(super) struct FieldDef {
    pub(super) name: String,
    pub(super) line: usize,
    pub(super) annotation: Expr,
    pub(super) value: Option<Expr>,
}

pub(super) struct Parser {
    pub(super) toks: Lexed,
    pub(super) pos: usize,
    /// How deep the expression being read is nested (brackets, unary minus, `.`, calls,
    /// subscripts and `|` each add a level), so that no input can recurse past the stack.
    pub(super) nesting: usize,
}

/// The deepest expression read. Python itself stops at 200 nested brackets (and older
/// versions' parsers near 100); model files nest a few levels, and the playground parses on a
/// wasm stack of about 1 MiB, where 50 levels leave ample room even in a debug build.
pub(super) const MAX_NESTING: usize = 50;

impl Parser {
    pub(super) fn peek(&self) -> &Token {
        &self.toks.tokens[self.pos]
    }
    pub(super) fn peek_at(&self, n: usize) -> &Token {
        let i = (self.pos + n).min(self.toks.tokens.len() - 1);
        &self.toks.tokens[i]
    }
    pub(super) fn next(&mut self) -> Token {
        let t = self.toks.tokens[self.pos].clone();
        if self.pos < self.toks.tokens.len() - 1 {
            self.pos += 1;
        }
        t
    }
    pub(super) fn is_op(&self, op: &str) -> bool {
        matches!(&self.peek().tok, Tok::Op(o) if *o == op)
    }
    pub(super) fn is_name(&self, n: &str) -> bool {
        matches!(&self.peek().tok, Tok::Name(x) if x == n)
    }
    pub(super) fn err(&self, message: impl Into<String>) -> SqlModelError {
        let t = self.peek();
        SqlModelError::Syntax { line: t.line, column: t.col, message: message.into() }
    }
    pub(super) fn expect_op(&mut self, op: &str) -> Result<()> {
        if self.is_op(op) {
            self.next();
            Ok(())
        } else {
            Err(self.err(format!("expected `{op}` here")))
        }
    }

    /// Skips the rest of a logical line and, if it opens a block, the whole block.
    pub(super) fn skip_statement(&mut self) {
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

    pub(super) fn module(&mut self) -> Result<Vec<Class>> {
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

    pub(super) fn class(&mut self) -> Result<Class> {
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

    pub(super) fn class_member(&mut self, class: &mut Class, name: String, line: usize, col: usize) -> Result<()> {
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
    pub(super) fn deeper(&mut self) -> Result<()> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(self.err(format!("this expression is nested more than {MAX_NESTING} levels deep; write it more simply")));
        }
        Ok(())
    }

    pub(super) fn expr(&mut self) -> Result<Expr> {
        let outer = self.nesting;
        let e = self.binary();
        self.nesting = outer;
        e
    }

    pub(super) fn binary(&mut self) -> Result<Expr> {
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

    pub(super) fn unary(&mut self) -> Result<Expr> {
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

    pub(super) fn postfix(&mut self) -> Result<Expr> {
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

    pub(super) fn atom(&mut self) -> Result<Expr> {
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
