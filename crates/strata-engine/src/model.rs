//! The SQL model front-end: the desired schema written as CREATE statements is executed into a
//! scratch in-memory SQLite database and read back, so exactly what SQLite accepts is accepted.
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
pub fn from_sql(text: &str) -> Result<Model> {
    let conn = Connection::open_in_memory()?;
    // One transaction for the whole script: SQLite then rereads its schema once, not after
    // every CREATE, which makes a 1000-table model many times faster to load.
    conn.execute_batch("BEGIN")?;
    execute_script(&conn, text)?;
    let schema = introspect::introspect(&conn)?;
    Ok(Model { schema, renames: annotations(text) })
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
fn check_is_schema(text: &str, stmt: &sql::Statement) -> Result<()> {
    let c = statement::classify(&stmt.text);
    let at = Position::of_offset(text, stmt.start);
    match (c.verb, c.object) {
        (Verb::Create, Some(Object::VirtualTable)) => Err(Error::NotInModel { at, what: "CREATE VIRTUAL".into() }),
        (Verb::Create, Some(_)) if c.temp => Err(Error::NotInModel { at, what: "CREATE TEMP".into() }),
        (Verb::Create, Some(Object::Table | Object::Index | Object::View | Object::Trigger)) => Ok(()),
        _ => {
            let first_line = stmt.text.lines().next().unwrap_or("").trim();
            let shown: String = first_line.chars().take(60).collect();
            Err(Error::NotSchema { at, statement: shown })
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
