//! The SQL model front-end: the desired schema written as CREATE statements is executed into
//! scratch in-memory SQLite databases and read back, so exactly what SQLite accepts is accepted.
//! Rename annotations (`-- @renamed from=old`, `/* @renamed from=old */`) become rename hints
//! (read by `strata_core::annotations`).

use rusqlite::Connection;
use strata_core::annotations::annotations;
use strata_core::error::Position;
use strata_core::schema::Schema;
use strata_core::sql;
use strata_core::statement::{self, Object, Verb};
use strata_core::Model;

use crate::error::{sqlite_message, Error, Result};
use crate::introspect;

/// Builds a model from SQL text. Errors name the line of the statement and SQLite's message.
///
/// SQLite judges every statement, in several small scratch databases (`build::model`) so that
/// the cost grows with the model's size and not with its square (a model of a few dozen
/// objects goes into one database, which is as fast at that size); whatever that cannot decide
/// exactly as one database would, and every error, goes through [`from_sql_in_one_database`],
/// so the accepted schema and each message are the ones a single database gives.
pub fn from_sql(text: &str) -> Result<Model> {
    if text.len() <= crate::build::SMALL_SQL {
        return from_sql_in_one_database(text);
    }
    let statements = sql::split_statements(text);
    let schema = match crate::build::model(&statements, |s| check_is_schema(text, s).is_ok()) {
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
    crate::build::model(&sql::split_statements(text), |s| check_is_schema(text, s).is_ok()).ok()
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
        check_is_schema(text, &stmt)?;
        conn.execute_batch(&stmt.text).map_err(|e| Error::Model { at: error_at(text, &stmt, &e), message: sqlite_message(&e) })?;
    }
    Ok(())
}

/// Refuses a statement that does not describe schema: a model holds CREATE TABLE, INDEX, VIEW
/// and TRIGGER, read by the core's one statement classifier.
pub(crate) fn check_is_schema(text: &str, stmt: &sql::Statement) -> Result<()> {
    let c = statement::classify(&stmt.text);
    // Found only for a refusal: counting lines up to every statement made a model of N
    // statements cost O(N²), two thirds of a 1,000-table autogenerate.
    let at = || Position::of_offset(text, stmt.start);
    match (c.verb, c.object) {
        (Verb::Create, Some(Object::VirtualTable)) => Err(Error::NotInModel { at: at(), what: "CREATE VIRTUAL".into() }),
        (Verb::Create, Some(_)) if c.temp => Err(Error::NotInModel { at: at(), what: "CREATE TEMP".into() }),
        (Verb::Create, Some(Object::Table | Object::Index | Object::View | Object::Trigger)) => Ok(()),
        _ => {
            let first_line = stmt.text.lines().next().unwrap_or("").trim();
            let shown: String = first_line.chars().take(60).collect();
            Err(Error::NotSchema { at: at(), statement: shown })
        }
    }
}

/// Where SQLite's error points: the failing token when SQLite reports an offset, else the
/// statement's start. SQLite counts the offset in bytes from the start of the statement it was
/// compiling, which is the start of `stmt` when the split agrees with SQLite's; should they ever
/// disagree, the offset is kept inside the statement and on a character boundary rather than
/// trusted.
fn error_at(text: &str, stmt: &sql::Statement, e: &rusqlite::Error) -> Position {
    let within = match e {
        rusqlite::Error::SqlInputError { offset, .. } if *offset >= 0 => (*offset as usize).min(stmt.text.len()),
        _ => 0,
    };
    let start = Position::of_offset(text, stmt.start);
    let inside = Position::of_offset(&stmt.text, within);
    Position {
        line: start.line + inside.line - 1,
        column: if inside.line == 1 { start.column + inside.column - 1 } else { inside.column },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_line_and_refuse_non_schema() {
        let e = from_sql("CREATE TABLE a (x int);\n\nCREATE TABLE b (\n  y int,\n  y int\n);").unwrap_err();
        assert!(matches!(e, Error::Model { at: Position { line: 3, column: 1 }, .. }), "{e}");
        assert_eq!(e.position(), Some(Position { line: 3, column: 1 }));
        assert!(e.to_string().contains("duplicate column name"), "{e}");
        let e = from_sql("CREATE TABLE a (x int);\nINSERT INTO a VALUES (1);").unwrap_err();
        assert!(matches!(e, Error::NotSchema { at: Position { line: 2, column: 1 }, .. }), "{e}");
        let e = from_sql("CREATE TABLE a (x int);\n  CREATE TEMP TABLE b (y);").unwrap_err();
        assert_eq!((e.position(), e.to_string().as_str()), (Some(Position { line: 2, column: 3 }), "`CREATE TEMP` (model line 2) is not supported"));
        let e = from_sql("CREATE TABLE a (x int);\nCREATE TABLE a (y int);").unwrap_err();
        assert!(e.to_string().contains("line 2") && e.to_string().contains("already exists"), "{e}");
    }

    /// Found while fuzzing: a syntax error whose offset fell inside a character of the model
    /// text panicked instead of naming the line (see `sql::tests::only_create_trigger_has_a_body`
    /// for how the offset came to point into another statement).
    #[test]
    fn an_error_offset_inside_a_character_names_a_line_without_panicking() {
        let e = from_sql("CREATE TABLE trigger (begin, ééééééééééééééééé);\nCREATE TABLE x (a b c d e f g h i j k ,)").unwrap_err();
        assert!(matches!(e, Error::Model { at: Position { line: 2, .. }, .. }), "{e}");
        let text = "\n\n\n  CREATE TABLE é (x);\nCREATE TABLE ,";
        let stmt = sql::Statement { text: text[5..].into(), start: 5, line: 4 };
        let error = rusqlite::Error::SqlInputError { error: rusqlite::ffi::Error::new(1), msg: "near \",\": syntax error".into(), sql: String::new(), offset: 14 };
        assert_eq!(error_at(text, &stmt, &error), Position { line: 4, column: 16 }, "inside é: its start, after the statement's two spaces");
        let error = rusqlite::Error::SqlInputError { error: rusqlite::ffi::Error::new(1), msg: String::new(), sql: String::new(), offset: 1000 };
        assert_eq!(error_at(text, &stmt, &error), Position { line: 5, column: 15 });
    }
}
