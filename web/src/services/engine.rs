//! The database side of the playground: it owns the SQLite connection and answers requests.
//!
//! In the browser the engine runs inside the dedicated worker (see `worker.rs`); natively it
//! runs in `cargo test`, on the same SQLite, so everything it does is tested without a browser.
//! Migration work (introspect, diff, plan, apply) will be delegated to strata-core from here,
//! so that this module stays the only place of the web crate that touches a connection.

use rusqlite::fallible_iterator::FallibleIterator;
use rusqlite::{types::ValueRef, Connection};

use super::demo;
use super::protocol::{
    Browsed, Cell, Grid, Outcome, Reply, Request, Snapshot, Storage, TableSummary, GRID_ROW_LIMIT,
};

/// The name of the table that records applied revisions.
pub const VERSION_TABLE: &str = "schema_version";

/// An open database and where it lives.
pub struct Engine {
    conn: Connection,
    storage: Storage,
}

impl Engine {
    /// Takes over a connection, seeding the demo project if the database is empty.
    pub fn open(conn: Connection, storage: Storage) -> rusqlite::Result<Engine> {
        let engine = Engine { conn, storage };
        if engine.is_empty()? {
            engine.seed()?;
        }
        Ok(engine)
    }

    /// Answers one request. Never panics on bad input: a failure becomes an `Err` outcome and
    /// leaves the database as it was.
    pub fn handle(&mut self, request: Request) -> Reply {
        let (outcome, browse) = match request {
            Request::Open { browse } => (Ok(Outcome::Done), browse),
            Request::Browse { table } => (Ok(Outcome::Done), Some(table)),
            Request::Execute { sql, browse } => {
                (self.execute(&sql).map_err(|e| e.to_string()), browse)
            }
            Request::Reset => (
                self.reset()
                    .map(|()| Outcome::Done)
                    .map_err(|e| format!("cannot reset: {}", sqlite_message(&e))),
                None,
            ),
        };
        let snapshot = match self.snapshot(browse.as_deref()) {
            Ok(snapshot) => snapshot,
            Err(e) => {
                // A snapshot only reads, so failing here means the database itself is
                // unreadable; the page still gets an answer it can show.
                return Reply {
                    outcome: Err(format!("cannot read the database: {e}")),
                    snapshot: Snapshot {
                        storage: self.storage.clone(),
                        ..Snapshot::default()
                    },
                };
            }
        };
        Reply { outcome, snapshot }
    }

    /// Runs a console script statement by statement inside one savepoint, so a failing
    /// statement undoes the ones before it and the database is left unchanged.
    fn execute(&mut self, sql: &str) -> Result<Outcome, ConsoleError> {
        if sql.trim().is_empty() {
            return Err(ConsoleError::Empty);
        }
        self.conn.execute_batch("SAVEPOINT console")?;
        match run_script(&self.conn, sql) {
            Ok(outcome) => {
                self.conn.execute_batch("RELEASE console")?;
                Ok(outcome)
            }
            Err(e) => {
                self.conn
                    .execute_batch("ROLLBACK TO console; RELEASE console")?;
                Err(e)
            }
        }
    }

    /// Empties the database and seeds the demo again, in one transaction.
    fn reset(&mut self) -> rusqlite::Result<()> {
        let tx = self.conn.transaction()?;
        // Foreign keys are off by default in SQLite and stay off here, so the drop order of
        // tables that refer to each other does not matter.
        let objects: Vec<(String, String)> = {
            let mut stmt = tx.prepare(
                "SELECT type, name FROM sqlite_schema \
                 WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
            )?;
            let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for (kind, name) in objects {
            let kind = if kind == "view" { "VIEW" } else { "TABLE" };
            tx.execute_batch(&format!("DROP {kind} IF EXISTS {}", quote_ident(&name)))?;
        }
        tx.execute_batch(demo::SEED_SQL)?;
        tx.commit()?;
        // Reclaims the pages of the dropped tables; outside the transaction, as SQLite requires.
        self.conn.execute_batch("VACUUM")
    }

    fn seed(&self) -> rusqlite::Result<()> {
        self.conn
            .execute_batch(&format!("BEGIN; {} COMMIT;", demo::SEED_SQL))
    }

    fn is_empty(&self) -> rusqlite::Result<bool> {
        self.conn
            .query_row("SELECT count(*) = 0 FROM sqlite_schema", [], |row| {
                row.get(0)
            })
    }

    /// Reads what the live panels show.
    pub fn snapshot(&self, browse: Option<&str>) -> rusqlite::Result<Snapshot> {
        let names: Vec<String> = {
            let mut stmt = self.conn.prepare(
                "SELECT name FROM sqlite_schema \
                 WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
            )?;
            let rows = stmt.query_map([], |row| row.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut tables = Vec::with_capacity(names.len());
        for name in &names {
            let rows: i64 = self.conn.query_row(
                &format!("SELECT count(*) FROM {}", quote_ident(name)),
                [],
                |row| row.get(0),
            )?;
            tables.push(TableSummary {
                name: name.clone(),
                rows: rows.unsigned_abs(),
            });
        }
        let schema_version = if names.iter().any(|n| n == VERSION_TABLE) {
            Some(self.table_grid(VERSION_TABLE)?)
        } else {
            None
        };
        let browsed = match browse {
            Some(table) if names.iter().any(|n| n == table) => Some(Browsed {
                table: table.to_owned(),
                grid: self.table_grid(table)?,
            }),
            _ => None,
        };
        Ok(Snapshot {
            storage: self.storage.clone(),
            tables,
            schema_version,
            browsed,
        })
    }

    fn table_grid(&self, table: &str) -> rusqlite::Result<Grid> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT * FROM {}", quote_ident(table)))?;
        read_grid(&mut stmt)
    }
}

/// Why a console script failed. The message is what the page shows.
#[derive(Debug)]
enum ConsoleError {
    Empty,
    Sql {
        statement: usize,
        source: rusqlite::Error,
    },
}

impl std::fmt::Display for ConsoleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConsoleError::Empty => write!(f, "nothing to run: type a SQL statement first"),
            ConsoleError::Sql { statement, source } => write!(
                f,
                "statement {statement}: {}; no changes were applied",
                sqlite_message(source)
            ),
        }
    }
}

impl From<rusqlite::Error> for ConsoleError {
    fn from(source: rusqlite::Error) -> ConsoleError {
        ConsoleError::Sql {
            statement: 0,
            source,
        }
    }
}

/// Runs every statement of a script and reports on the last one that returned rows, or else
/// on how many rows the script changed.
fn run_script(conn: &Connection, sql: &str) -> Result<Outcome, ConsoleError> {
    let mut batch = rusqlite::Batch::new(conn, sql);
    let mut statements = 0;
    let mut last_rows = None;
    let changes_before = conn.total_changes();
    loop {
        let next = batch.next().map_err(|source| ConsoleError::Sql {
            statement: statements + 1,
            source,
        })?;
        let Some(mut stmt) = next else { break };
        statements += 1;
        let failed = |source| ConsoleError::Sql {
            statement: statements,
            source,
        };
        if stmt.column_count() > 0 {
            last_rows = Some(read_grid(&mut stmt).map_err(failed)?);
        } else {
            stmt.raw_execute().map_err(failed)?;
        }
    }
    let rows = conn.total_changes() - changes_before;
    Ok(match last_rows {
        Some(grid) => Outcome::Rows(grid),
        None => Outcome::Changed { statements, rows },
    })
}

/// Reads up to [`GRID_ROW_LIMIT`] rows of a statement and counts the rest.
fn read_grid(stmt: &mut rusqlite::Statement<'_>) -> rusqlite::Result<Grid> {
    let columns: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    let width = columns.len();
    let mut rows = Vec::new();
    let mut total = 0u64;
    let mut cursor = stmt.raw_query();
    while let Some(row) = cursor.next()? {
        total += 1;
        if rows.len() < GRID_ROW_LIMIT {
            let cells = (0..width)
                .map(|i| row.get_ref(i).map(cell))
                .collect::<rusqlite::Result<_>>()?;
            rows.push(cells);
        }
    }
    Ok(Grid {
        columns,
        rows,
        total,
    })
}

fn cell(value: ValueRef<'_>) -> Cell {
    match value {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(i) => Cell::Integer(i),
        ValueRef::Real(r) => Cell::Real(r),
        ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Cell::Blob(b.len()),
    }
}

/// SQLite's own message, without rusqlite's wrapping, because that is what users search for.
fn sqlite_message(error: &rusqlite::Error) -> String {
    match error {
        rusqlite::Error::SqliteFailure(_, Some(message)) => message.clone(),
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        other => other.to_string(),
    }
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Engine {
        Engine::open(Connection::open_in_memory().unwrap(), Storage::Opfs).unwrap()
    }

    fn count(engine: &Engine, table: &str) -> u64 {
        let snapshot = engine.snapshot(None).unwrap();
        snapshot
            .tables
            .iter()
            .find(|t| t.name == table)
            .map_or(0, |t| t.rows)
    }

    #[test]
    fn opening_an_empty_database_seeds_the_demo() {
        let engine = demo();
        let snapshot = engine.snapshot(Some("users")).unwrap();
        let names: Vec<_> = snapshot.tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["identities", "schema_version", "users"]);
        let versions = snapshot.schema_version.unwrap();
        assert_eq!(versions.rows.len(), 2);
        assert!(snapshot.browsed.unwrap().grid.total >= 3);
    }

    #[test]
    fn opening_a_database_that_has_tables_keeps_it_as_it_is() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t(x)").unwrap();
        let engine = Engine::open(conn, Storage::Opfs).unwrap();
        let names: Vec<_> = engine
            .snapshot(None)
            .unwrap()
            .tables
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(names, ["t"]);
    }

    #[test]
    fn a_console_write_is_kept_and_counted() {
        let mut engine = demo();
        let before = count(&engine, "users");
        let reply = engine.handle(Request::Execute {
            sql: "INSERT INTO users(email, display_name) VALUES ('x@example.com', 'X');".into(),
            browse: Some("users".into()),
        });
        assert_eq!(
            reply.outcome,
            Ok(Outcome::Changed {
                statements: 1,
                rows: 1
            })
        );
        assert_eq!(count(&engine, "users"), before + 1);
        assert_eq!(reply.snapshot.browsed.unwrap().grid.total, before + 1);
    }

    #[test]
    fn a_console_query_returns_the_rows_of_its_last_statement() {
        let mut engine = demo();
        let reply = engine.handle(Request::Execute {
            sql: "SELECT 1; SELECT 'a' AS letter, NULL AS empty".into(),
            browse: None,
        });
        let Ok(Outcome::Rows(grid)) = reply.outcome else {
            panic!("{:?}", reply.outcome)
        };
        assert_eq!(grid.columns, ["letter", "empty"]);
        assert_eq!(grid.rows, [[Cell::Text("a".into()), Cell::Null]]);
    }

    #[test]
    fn a_failing_script_changes_nothing_and_says_which_statement_failed() {
        let mut engine = demo();
        let before = engine.snapshot(Some("users")).unwrap();
        let reply = engine.handle(Request::Execute {
            sql: "DELETE FROM users; SELEC nonsense".into(),
            browse: Some("users".into()),
        });
        let message = reply.outcome.unwrap_err();
        assert!(
            message.starts_with("statement 2: near \"SELEC\": syntax error"),
            "{message}"
        );
        assert!(message.ends_with("no changes were applied"), "{message}");
        assert_eq!(reply.snapshot, before);
    }

    #[test]
    fn a_constraint_violation_is_an_error_not_a_crash() {
        let mut engine = demo();
        let reply = engine.handle(Request::Execute {
            sql: "INSERT INTO users(id, email, display_name) VALUES (1, 'dup@example.com', 'D')"
                .into(),
            browse: None,
        });
        assert!(reply
            .outcome
            .unwrap_err()
            .contains("UNIQUE constraint failed"));
    }

    #[test]
    fn an_empty_script_is_refused() {
        let mut engine = demo();
        let reply = engine.handle(Request::Execute {
            sql: "  \n ".into(),
            browse: None,
        });
        assert!(reply.outcome.unwrap_err().starts_with("nothing to run"));
    }

    #[test]
    fn reset_returns_to_the_demo() {
        let mut engine = demo();
        let fresh = engine.snapshot(Some("users")).unwrap();
        let reply = engine.handle(Request::Execute {
            sql: "DROP TABLE identities; CREATE TABLE extra(x); CREATE VIEW v AS SELECT 1; \
                  DELETE FROM users"
                .into(),
            browse: None,
        });
        assert!(reply.outcome.is_ok(), "{:?}", reply.outcome);
        let reply = engine.handle(Request::Reset);
        assert_eq!(reply.outcome, Ok(Outcome::Done));
        let after = engine.snapshot(Some("users")).unwrap();
        assert_eq!(after, fresh);
    }

    #[test]
    fn browsing_a_missing_table_shows_no_grid() {
        let mut engine = demo();
        let reply = engine.handle(Request::Browse {
            table: "nope".into(),
        });
        assert_eq!(reply.outcome, Ok(Outcome::Done));
        assert_eq!(reply.snapshot.browsed, None);
    }
}
