//! The messages that cross between the page and the database worker.
//!
//! The page and the worker share no memory, so every request and reply is a plain
//! serde value sent as JSON text. Every reply carries a fresh [`Snapshot`], so the
//! live panels are always redrawn from what the database holds after the request,
//! never from what the page expects it to hold.

use serde::{Deserialize, Serialize};

/// How many rows a grid carries at most; the rest is counted, not sent.
pub const GRID_ROW_LIMIT: usize = 200;

/// What the page asks the database worker to do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Reads the database as it is, for the first paint and after a reload.
    Open { browse: Option<String> },
    /// Runs the SQL console's statements in one transaction.
    Execute { sql: String, browse: Option<String> },
    /// Reads one table for the data grid.
    Browse { table: String },
    /// Throws the database away and rebuilds the demo project.
    Reset,
}

/// A request tagged with the number the page uses to match its reply.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    pub id: u32,
    pub body: T,
}

/// What the worker sends back: either what the page asked for, or a message from the worker
/// itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Message {
    /// The worker has opened the database and listens for requests.
    Booted,
    /// The answer to one request, boxed because it is much larger than the other messages.
    Reply(Box<Reply>),
    /// The database could not be opened at all; the page cannot do anything useful.
    Fatal { message: String },
}

/// The answer to one request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// What the request produced, or why it failed (the database is then unchanged).
    pub outcome: Result<Outcome, String>,
    /// The database after the request.
    pub snapshot: Snapshot,
}

/// What a successful request produced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Outcome {
    /// Nothing to report beyond the snapshot (open, browse, reset).
    Done,
    /// The last statement of a console script returned rows.
    Rows(Grid),
    /// The console script changed the database; `rows` counts the rows its statements touched.
    Changed { statements: usize, rows: u64 },
}

/// The parts of the database the live panels show.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub storage: Storage,
    pub tables: Vec<TableSummary>,
    /// The `schema_version` table, if the database has one.
    pub schema_version: Option<Grid>,
    /// The table shown in the data grid, if it still exists.
    pub browsed: Option<Browsed>,
}

/// One table of the database and how many rows it holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TableSummary {
    pub name: String,
    pub rows: u64,
}

/// The rows of one table, for the data grid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Browsed {
    pub table: String,
    pub grid: Grid,
}

/// Where the database lives, so the page can say whether a reload keeps it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum Storage {
    /// In the origin private file system: it survives a reload.
    Opfs,
    /// In memory, because persistent storage could not be opened; the reason says why.
    Memory { reason: String },
    /// Not known yet.
    #[default]
    Unknown,
}

/// A result set: column names and rows of cells.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// How many rows there were in all, including those beyond [`GRID_ROW_LIMIT`].
    pub total: u64,
}

/// One value of a result set, as SQLite typed it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Cell {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    /// A blob is shown by its size, not its bytes.
    Blob(usize),
}

impl Cell {
    /// The text a grid shows for this value.
    pub fn display(&self) -> String {
        match self {
            Cell::Null => "NULL".to_owned(),
            Cell::Integer(i) => i.to_string(),
            Cell::Real(r) => r.to_string(),
            Cell::Text(t) => t.clone(),
            Cell::Blob(n) => format!("<{n} bytes>"),
        }
    }
}

impl Grid {
    /// The cells of the named column, in row order.
    pub fn column(&self, name: &str) -> Option<Vec<&Cell>> {
        let index = self.columns.iter().position(|c| c == name)?;
        Some(self.rows.iter().map(|row| &row[index]).collect())
    }
}
