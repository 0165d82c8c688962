//! The SQLModel front-end: `class X(SQLModel, table=True):` models read by a small hand-written
//! parser for the Python subset such files use, turned into the same [`Schema`] that the SQL
//! front-end gives for the DDL SQLModel itself emits on SQLite; and a simulation of
//! `SQLModel.metadata.create_all()` against a live schema. Pure: no I/O, no database.
//!
//! Names and types follow what SQLModel and SQLAlchemy do on SQLite (checked against the real
//! libraries by `tests/tests/sqlmodel.rs`; the table is in `docs/sqlmodel.md`). Anything outside
//! the subset is an error naming its line and column, because a model that is quietly read wrong
//! would produce a migration that is quietly wrong.
//!
//! The parts: `lexer` (tokens), `parser` (the Python subset), `types` (a field's annotation and
//! options to a column), `build` (classes to a schema, renames) and `create_all` (the
//! simulation).

use crate::diff::Model;
use crate::error::Position;
use crate::schema::*;

mod build;
mod create_all;
mod lexer;
mod parser;
mod types;

pub use create_all::{create_all, CreateAll, Skipped};

use build::build;
use lexer::{tokenize, Token};
use parser::{Expr, Parser};

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


fn unsupported(e: &Expr, what: &str, hint: &str) -> SqlModelError {
    SqlModelError::Unsupported { line: e.line, column: e.col, what: what.to_string(), hint: hint.to_string() }
}

fn unsupported_at(t: &Token, what: &str, hint: &str) -> SqlModelError {
    SqlModelError::Unsupported { line: t.line, column: t.col, what: what.to_string(), hint: hint.to_string() }
}

fn invalid(line: usize, column: usize, message: impl Into<String>) -> SqlModelError {
    SqlModelError::Invalid { line, column, message: message.into() }
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
