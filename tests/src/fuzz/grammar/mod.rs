//! Inputs built from the grammar of each format strata reads: SQL scripts (every statement
//! kind, every quoting style, comments, triggers with `CASE … END`, deep parentheses), SQLModel
//! files (classes, fields, decorators, strings of every kind, indentation), revision files,
//! numbered migration folders, project JSON and `strata.toml`. Mostly valid, often slightly
//! wrong, now and then extreme: a parser's bugs hide just past what it expects.

mod data;
mod files;
mod python;
mod sql;

pub use data::*;
pub use files::*;
pub use python::*;
pub use sql::*;

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
