//! The SQL model front-end: the desired schema written as CREATE statements is executed into
//! scratch in-memory SQLite databases and read back, so exactly what SQLite accepts is accepted.
//! Rename annotations (`-- @renamed from=old`, `/* @renamed from=old */`) become rename hints.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::introspect;
use crate::schema::Schema;
use crate::sql::{self, TokenKind};

/// A rename the user asked for. Renames are never guessed: they come from annotations in the
/// model or from explicit hints (`--rename`, a confirmed prompt).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rename {
    Table { from: String, to: String },
    /// `table` is the table's name in the model (after any table rename).
    Column { table: String, from: String, to: String },
    Index { from: String, to: String },
}

impl Rename {
    /// The same rename seen from the other side, for the down direction. A reversed column
    /// rename still names its table by the up side's name; `diff` accepts either name of a
    /// table renamed in the same set.
    pub fn reversed(&self) -> Rename {
        match self {
            Rename::Table { from, to } => Rename::Table { from: to.clone(), to: from.clone() },
            Rename::Column { table, from, to } => Rename::Column { table: table.clone(), from: to.clone(), to: from.clone() },
            Rename::Index { from, to } => Rename::Index { from: to.clone(), to: from.clone() },
        }
    }

    /// Parses the CLI form `TABLE=NEW` (table rename) or `TABLE.OLD=NEW` (column rename).
    pub fn parse_hint(s: &str) -> Option<Rename> {
        let (lhs, to) = s.split_once('=')?;
        let to = to.trim().to_string();
        match lhs.split_once('.') {
            Some((table, from)) => Some(Rename::Column { table: table.trim().into(), from: from.trim().into(), to }),
            None => Some(Rename::Table { from: lhs.trim().into(), to }),
        }
    }
}

/// A parsed model: the schema it describes and the renames it announces.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Model {
    pub schema: Schema,
    pub renames: Vec<Rename>,
}

/// Builds a model from SQL text. Errors name the line of the statement and SQLite's message.
///
/// SQLite judges every statement, in several small scratch databases (`build::model`) so that
/// the cost grows with the model's size and not with its square; whatever that cannot decide
/// exactly as one database would, and every error, goes through [`from_sql_in_one_database`],
/// so the accepted schema and each message are the ones a single database gives.
pub fn from_sql(text: &str) -> Result<Model> {
    let statements = sql::split_statements(text);
    let schema = match crate::build::model(&statements, |s| check_is_schema(s).is_ok()) {
        Ok(schema) => schema,
        Err(_) => one_database(text)?,
    };
    Ok(Model { schema, renames: annotations(text) })
}

/// Builds a model by running every statement into one scratch database, the way SQLite itself
/// would load it. [`from_sql`] gives the same answer faster; this is the reference it is
/// checked against, and the path its errors come from.
pub fn from_sql_in_one_database(text: &str) -> Result<Model> {
    Ok(Model { schema: one_database(text)?, renames: annotations(text) })
}

/// The schema of [`from_sql`] when the grouped build decides it alone; `None` where it would
/// fall back to one database. For tests and benchmarks that need to know which path answered.
#[doc(hidden)]
pub fn from_sql_grouped(text: &str) -> Option<Schema> {
    crate::build::model(&sql::split_statements(text), |s| check_is_schema(s).is_ok()).ok()
}

fn one_database(text: &str) -> Result<Schema> {
    let conn = Connection::open_in_memory()?;
    // One transaction for the whole script, so nothing is written to a journal per statement.
    conn.execute_batch("BEGIN")?;
    execute_script(&conn, text)?;
    introspect::introspect(&conn)
}

/// Builds the schema a script of CREATE statements gives, refusing anything that is not schema.
pub fn schema_from_sql(text: &str) -> Result<Schema> {
    Ok(from_sql(text)?.schema)
}

/// Runs the statements of a model into `conn` one at a time, checking that each is schema.
pub fn execute_script(conn: &Connection, text: &str) -> Result<()> {
    for stmt in sql::split_statements(text) {
        check_is_schema(&stmt)?;
        conn.execute_batch(&stmt.text).map_err(|e| Error::Model { line: error_line(&stmt, &e), message: sqlite_message(&e) })?;
    }
    Ok(())
}

pub(crate) fn check_is_schema(stmt: &sql::Statement) -> Result<()> {
    let words: Vec<String> = sql::tokenize(&stmt.text)
        .into_iter()
        .filter(|t| !t.is_trivia())
        .take(3)
        .map(|t| t.text(&stmt.text).to_ascii_lowercase())
        .collect();
    let w = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    let ok = w(0) == "create"
        && (matches!(w(1), "table" | "index" | "view" | "trigger") || (w(1) == "unique" && w(2) == "index"));
    if ok {
        return Ok(());
    }
    if w(0) == "create" && matches!(w(1), "temp" | "temporary" | "virtual") {
        return Err(Error::Unsupported(format!("`CREATE {}` (model line {})", w(1).to_uppercase(), stmt.line)));
    }
    let first_line = stmt.text.lines().next().unwrap_or("").trim();
    let shown: String = first_line.chars().take(60).collect();
    Err(Error::NotSchema { line: stmt.line, statement: shown })
}

/// SQLite's own message, without rusqlite's wrapping.
pub(crate) fn sqlite_message(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(_, Some(msg)) => msg.clone(),
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        other => other.to_string(),
    }
}

/// The line of the failing token when SQLite reports an offset, else the statement's first line.
fn error_line(stmt: &sql::Statement, e: &rusqlite::Error) -> usize {
    if let rusqlite::Error::SqlInputError { offset, .. } = e {
        if *offset >= 0 {
            let upto = (*offset as usize).min(stmt.text.len());
            return stmt.line + stmt.text[..upto].matches('\n').count();
        }
    }
    stmt.line
}

/// What an annotation may be attached to.
enum Owner {
    Table(String),
    Column(String, String),
    Index(String),
}

/// Finds `@renamed from=NAME` comments and the definition each belongs to: the last table,
/// column or index definition that starts on the comment's line before it, or else the last one
/// before it at all.
pub fn annotations(text: &str) -> Vec<Rename> {
    let mut out = Vec::new();
    for stmt in sql::split_statements(text) {
        let src = stmt.text.as_str();
        let toks = sql::tokenize(src);
        let sig: Vec<_> = toks.iter().filter(|t| !t.is_trivia()).copied().collect();
        let word = |i: usize, w: &str| sig.get(i).is_some_and(|t| t.is_word(src, w));
        let mut owners: Vec<(usize, usize, Owner)> = Vec::new(); // (offset, line, owner)
        if word(0, "create") {
            let mut i = 1;
            if word(i, "unique") {
                i += 1;
            }
            let kind = sig.get(i).map(|t| t.text(src).to_ascii_lowercase()).unwrap_or_default();
            i += 1;
            if word(i, "if") {
                i += 3;
            }
            if sig.get(i + 1).is_some_and(|t| t.is_punct(src, ".")) {
                i += 2;
            }
            if let Some(name_tok) = sig.get(i) {
                let name = sql::unquote(name_tok.text(src));
                match kind.as_str() {
                    "table" => {
                        owners.push((name_tok.start, name_tok.line, Owner::Table(name.clone())));
                        let mut depth = 0;
                        for (j, t) in sig.iter().enumerate().skip(i + 1) {
                            if t.is_punct(src, "(") {
                                depth += 1;
                                if depth == 1 {
                                    push_column(src, &sig, j + 1, &name, &mut owners);
                                }
                            } else if t.is_punct(src, ")") {
                                depth -= 1;
                            } else if depth == 1 && t.is_punct(src, ",") {
                                push_column(src, &sig, j + 1, &name, &mut owners);
                            }
                        }
                    }
                    "index" => owners.push((name_tok.start, name_tok.line, Owner::Index(name))),
                    _ => {}
                }
            }
        }
        for t in toks.iter().filter(|t| matches!(t.kind, TokenKind::LineComment | TokenKind::BlockComment)) {
            let Some(from) = renamed_from(t.text(src)) else { continue };
            let same_line = owners.iter().rev().find(|(off, line, _)| *line == t.line && *off < t.start);
            let before = owners.iter().rev().find(|(off, _, _)| *off < t.start);
            let Some((_, _, owner)) = same_line.or(before) else { continue };
            out.push(match owner {
                Owner::Table(to) => Rename::Table { from, to: to.clone() },
                Owner::Column(table, to) => Rename::Column { table: table.clone(), from, to: to.clone() },
                Owner::Index(to) => Rename::Index { from, to: to.clone() },
            });
        }
        // Lines are relative to the statement; owners only compare with comments of the same
        // statement, so no offsetting is needed.
    }
    out
}

fn push_column(src: &str, sig: &[sql::Token], j: usize, table: &str, owners: &mut Vec<(usize, usize, Owner)>) {
    let Some(t) = sig.get(j) else { return };
    if !t.is_name() {
        return;
    }
    let next_is = |w: &str| sig.get(j + 1).is_some_and(|n| n.is_word(src, w) || n.is_punct(src, w));
    let constraint_start = t.kind == TokenKind::Word
        && (t.is_word(src, "constraint")
            || t.is_word(src, "check") && next_is("(")
            || t.is_word(src, "unique") && next_is("(")
            || t.is_word(src, "primary") && next_is("key")
            || t.is_word(src, "foreign") && next_is("key"));
    if !constraint_start {
        owners.push((t.start, t.line, Owner::Column(table.to_string(), sql::unquote(t.text(src)))));
    }
}

/// The name in `@renamed from=NAME` (NAME may be quoted), if the comment is such an annotation.
fn renamed_from(comment: &str) -> Option<String> {
    let body = comment.trim_start_matches("--").trim_start_matches("/*").trim_end_matches("*/").trim();
    let rest = body.strip_prefix("@renamed")?.trim_start();
    let value = rest.strip_prefix("from")?.trim_start().strip_prefix('=')?.trim();
    let tok = sql::tokenize(value).into_iter().find(|t| !t.is_trivia())?;
    Some(sql::unquote(tok.text(value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_attach_to_the_definition_on_their_line() {
        let text = "CREATE TABLE users ( -- @renamed from=accounts\n  id int,\n  user_name text, -- @renamed from=username\n  age int\n);\nCREATE TABLE \"b\" /* @renamed from=\"a x\" */ (x int);\nCREATE INDEX new_idx /* @renamed from=old_idx */ ON users (age);";
        assert_eq!(
            annotations(text),
            vec![
                Rename::Table { from: "accounts".into(), to: "users".into() },
                Rename::Column { table: "users".into(), from: "username".into(), to: "user_name".into() },
                Rename::Table { from: "a x".into(), to: "b".into() },
                Rename::Index { from: "old_idx".into(), to: "new_idx".into() },
            ]
        );
    }

    #[test]
    fn errors_name_the_line_and_refuse_non_schema() {
        let e = from_sql("CREATE TABLE a (x int);\n\nCREATE TABLE b (\n  y int,\n  y int\n);").unwrap_err();
        assert!(matches!(e, Error::Model { line: 3, .. }), "{e}");
        assert!(e.to_string().contains("duplicate column name"), "{e}");
        let e = from_sql("CREATE TABLE a (x int);\nINSERT INTO a VALUES (1);").unwrap_err();
        assert!(matches!(e, Error::NotSchema { line: 2, .. }), "{e}");
        let e = from_sql("CREATE TABLE a (x int);\nCREATE TABLE a (y int);").unwrap_err();
        assert!(e.to_string().contains("line 2") && e.to_string().contains("already exists"), "{e}");
    }

    #[test]
    fn rename_hint_syntax() {
        assert_eq!(Rename::parse_hint("users.email=email_address"), Some(Rename::Column { table: "users".into(), from: "email".into(), to: "email_address".into() }));
        assert_eq!(Rename::parse_hint("a=b"), Some(Rename::Table { from: "a".into(), to: "b".into() }));
        assert_eq!(Rename::parse_hint("nothing"), None);
    }
}
