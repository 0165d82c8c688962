//! The SQL console: a script the visitor typed runs statement by statement inside one savepoint,
//! so a failing statement leaves the database as it was; what would end or escape that savepoint
//! (transaction control, ATTACH, VACUUM and the rest `statement::breaks_transaction` names) is
//! refused before anything runs. The text is the visitor's own and passes through as typed.

use rusqlite::fallible_iterator::FallibleIterator;
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use strata_core::revision::Graph;
use strata_core::statement::{self, Verb};

use super::protocol::{Cell, Grid, Outcome, GRID_ROW_LIMIT};
use super::Workspace;
use crate::error::sqlite_message;

impl Workspace {
    /// Runs a console script statement by statement inside one savepoint, so a failing
    /// statement undoes the ones before it and the database is left unchanged.
    pub(super) fn execute(&mut self, sql: &str) -> Result<Outcome, ConsoleError> {
        if sql.trim().is_empty() {
            return Err(ConsoleError::Empty);
        }
        // A script that ends the console's own savepoint would keep half of itself, one that
        // attaches a file could reach the backups, and a setting that outlives the script would
        // change what every later request does: the core's list of what breaks a transaction is
        // the console's too, and such a script is refused before anything runs.
        for (n, statement) in strata_core::sql::split_statements(sql).iter().enumerate() {
            let classified = statement::classify(&statement.text);
            if let Some(reason) = statement::breaks_transaction(&classified) {
                return Err(ConsoleError::Refused {
                    statement: n + 1,
                    verb: classified.verb,
                    reason,
                });
            }
        }
        self.conn.execute_batch("SAVEPOINT console")?;
        // The script may have touched strata's own project table; what it left must still read
        // as a project, or the panel and the next visit would disagree with the database.
        let outcome = run_script(&self.conn, sql).and_then(|outcome| {
            let revisions = self.load_project().map_err(ConsoleError::Project)?;
            Graph::new(revisions.clone()).map_err(|e| ConsoleError::Project(e.to_string()))?;
            Ok((outcome, revisions))
        });
        match outcome {
            Ok((outcome, revisions)) => {
                self.conn.execute_batch("RELEASE console")?;
                self.revisions = revisions;
                Ok(outcome)
            }
            Err(e) => {
                self.conn
                    .execute_batch("ROLLBACK TO console; RELEASE console")?;
                Err(e)
            }
        }
    }
}

/// Why a console script failed. The message is what the page shows.
#[derive(Debug)]
pub(super) enum ConsoleError {
    Empty,
    Sql {
        statement: usize,
        source: rusqlite::Error,
    },
    /// A statement the console does not run (`statement::breaks_transaction` says why).
    Refused {
        statement: usize,
        verb: Verb,
        reason: &'static str,
    },
    /// The script left strata's project table unreadable.
    Project(String),
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
            ConsoleError::Refused { statement, verb: verb @ (Verb::Attach | Verb::Detach), .. } => write!(
                f,
                "statement {statement}: {} is not available in the console (the playground's files are its own); nothing was run",
                if *verb == Verb::Attach { "ATTACH" } else { "DETACH" }
            ),
            ConsoleError::Refused { statement, verb: verb @ (Verb::Begin | Verb::Commit | Verb::Rollback | Verb::Savepoint | Verb::Release), .. } => write!(
                f,
                "statement {statement}: {} is not needed here: every console script already runs in one transaction, kept whole or not at all; nothing was run",
                match verb {
                    Verb::Begin => "BEGIN",
                    Verb::Commit => "COMMIT",
                    Verb::Rollback => "ROLLBACK",
                    Verb::Savepoint => "SAVEPOINT",
                    _ => "RELEASE",
                }
            ),
            ConsoleError::Refused { statement, reason, .. } => write!(
                f,
                "statement {statement} is not run in the console: {reason}; nothing was run"
            ),
            ConsoleError::Project(problem) => write!(
                f,
                "the script would leave strata's project table unreadable ({problem}); no changes were applied"
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
pub(super) fn run_script(conn: &Connection, sql: &str) -> Result<Outcome, ConsoleError> {
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
pub(super) fn read_grid(stmt: &mut rusqlite::Statement<'_>) -> rusqlite::Result<Grid> {
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

pub(super) fn cell(value: ValueRef<'_>) -> Cell {
    match value {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(i) => Cell::Integer(i),
        ValueRef::Real(r) => Cell::Real(r),
        ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Cell::Blob(b.len()),
    }
}
