//! The runner: the only code that changes a database. It applies a list of statements in one
//! transaction, switching foreign keys off outside the transaction when the statements need it
//! and checking them before commit, so that a failure anywhere leaves the database as it was.
//!
//! Nothing a script holds can end that transaction early: statements that would
//! ([`statement::breaks_transaction`]) are refused before the transaction opens, every statement
//! is checked again as SQLite itself splits the text just before it runs (so a statement the
//! tokenizer read as part of another is still seen), and after each one the runner checks that
//! the transaction is still open. A script marked `quick_check` (hand-written SQL) is checked
//! with `PRAGMA quick_check` before commit.
//!
//! A `no_transaction` script (a revision's `no-transaction` section) is the one deliberate
//! exception: each statement runs and commits in a transaction of its own, a `repeat` step runs
//! until a run changes no rows, and the caller's version row is written in a last transaction,
//! after the last statement. Every failure says which statements committed.

use rusqlite::fallible_iterator::FallibleIterator;
use rusqlite::{Batch, Connection, Transaction, TransactionBehavior};

use strata_core::atomicity;
use crate::error::{Error, Result};
use strata_core::lint::{DataCheck, Finding};
use crate::error::sqlite_message;
use strata_core::plan::Plan;
use strata_core::sql;
use strata_core::statement;

/// How many times a `repeat` step may run before the runner stops it: a statement that never
/// runs out of rows to change (its `WHERE` does not exclude the rows it already did) would
/// otherwise loop for ever. 100,000 batches of 1,000 rows is a hundred million rows.
pub const MAX_REPEATS: u64 = 100_000;

/// The `why` of [`Error::NotRecorded`] when `before` said `false` before the version row.
pub const NOT_CONFIRMED: &str = "under the write lock the checks refused to record it";

/// Statements to run together, each with a label for errors and progress.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Script {
    pub steps: Vec<ScriptStep>,
    /// Run with `PRAGMA foreign_keys = OFF` (table rebuilds and drops need it).
    pub foreign_keys_off: bool,
    /// Run each step in a transaction of its own instead of all in one (a `no-transaction`
    /// section); `before` then runs again, under the write lock, before `before_commit`.
    pub no_transaction: bool,
    /// Run `PRAGMA quick_check` before the commit that records the work (hand-written SQL).
    pub quick_check: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptStep {
    pub sql: String,
    pub label: String,
    /// Run again, each run in its own transaction, until a run changes no rows (only in a
    /// `no_transaction` script, and only for INSERT, UPDATE and DELETE).
    pub repeat: bool,
}

impl ScriptStep {
    /// A step that runs once.
    pub fn new(sql: impl Into<String>, label: impl Into<String>) -> ScriptStep {
        ScriptStep { sql: sql.into(), label: label.into(), repeat: false }
    }
}

impl From<&Plan> for Script {
    fn from(p: &Plan) -> Self {
        Script {
            steps: p.steps.iter().map(|s| ScriptStep::new(s.sql.clone(), s.comment.clone())).collect(),
            foreign_keys_off: p.foreign_keys_off,
            ..Script::default()
        }
    }
}

/// What a run reports as it goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunEvent<'a> {
    /// Step `done` of `total` (0-based) is starting; `done == total` when all are done.
    Step { done: usize, total: usize, label: &'a str },
    /// Run `runs` of a repeated step committed and changed `rows` rows (`total` in all runs).
    Repeat { step: usize, label: &'a str, runs: u64, rows: u64, total: u64 },
}

/// Where a run reports its progress.
pub type Progress<'a> = &'a mut dyn FnMut(RunEvent);

/// Applies a plan in one transaction.
pub fn apply_plan(conn: &mut Connection, plan: &Plan) -> Result<()> {
    run(conn, &Script::from(plan), &mut |_| {}, |_| Ok(true), |_| Ok(())).map(|_| ())
}

/// Runs a script in one `BEGIN IMMEDIATE` transaction and returns whether it ran.
///
/// `before` runs first inside the transaction, with the write lock already held, so what it
/// reads (which revisions are applied) cannot change under it; returning `false` rolls back and
/// skips the script. `before_commit` runs after the statements in the same transaction (the
/// version table is written there), so the schema change and its record commit together or not
/// at all.
///
/// A `no_transaction` script runs `before` in a transaction of its own, then each step in its
/// own, then `before` again and `before_commit` in a last one; when `before` says `false` that
/// second time, the run fails with [`Error::NotRecorded`].
pub fn run(
    conn: &mut Connection,
    script: &Script,
    progress: Progress,
    mut before: impl FnMut(&Transaction) -> Result<bool>,
    before_commit: impl FnOnce(&Transaction) -> Result<()>,
) -> Result<bool> {
    refuse(script)?;
    let fk_on: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    let switch = script.foreign_keys_off && fk_on;
    if switch {
        conn.execute_batch("PRAGMA foreign_keys = OFF")?;
    }
    let result = if script.no_transaction {
        run_each(conn, script, progress, &mut before, before_commit)
    } else {
        run_in_transaction(conn, script, progress, &mut before, before_commit, switch)
    };
    if switch {
        // Restore the connection as it was, whatever happened above.
        let restored = conn.execute_batch("PRAGMA foreign_keys = ON");
        if result.is_ok() {
            restored?;
        }
    }
    result
}

/// Refuses, before anything runs, a script holding a statement that would break its
/// transaction or a step that cannot repeat, as the tokenizer splits its steps.
fn refuse(script: &Script) -> Result<()> {
    if script.no_transaction && script.foreign_keys_off {
        return Err(Error::Unsupported(
            "running a no-transaction section with foreign_keys=off (each statement commits on its own, so rows left without a parent could not be rolled back)".into(),
        ));
    }
    for (i, step) in script.steps.iter().enumerate() {
        for s in sql::split_statements(&step.sql) {
            if let Some(reason) = atomicity::refusal(&s.text, step.repeat, script.no_transaction) {
                return Err(Error::Refused { step: i + 1, comment: step.label.clone(), sql: s.text, reason });
            }
        }
    }
    Ok(())
}

fn run_in_transaction(
    conn: &mut Connection,
    script: &Script,
    progress: Progress,
    before: &mut dyn FnMut(&Transaction) -> Result<bool>,
    before_commit: impl FnOnce(&Transaction) -> Result<()>,
    check_fks: bool,
) -> Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if !before(&tx)? {
        return Ok(false);
    }
    let total = script.steps.len();
    for (i, step) in script.steps.iter().enumerate() {
        progress(RunEvent::Step { done: i, total, label: &step.label });
        exec_step(&tx, step).map_err(|f| f.in_transaction(i, step))?;
    }
    progress(RunEvent::Step { done: total, total, label: "" });
    if check_fks {
        foreign_key_check(&tx)?;
    }
    if script.quick_check && total > 0 {
        quick_check(&tx)?;
    }
    before_commit(&tx)?;
    tx.commit()?;
    Ok(true)
}

/// The `no_transaction` run: decide under the lock, run and commit each step on its own, then
/// record under the lock again.
fn run_each(
    conn: &mut Connection,
    script: &Script,
    progress: Progress,
    before: &mut dyn FnMut(&Transaction) -> Result<bool>,
    before_commit: impl FnOnce(&Transaction) -> Result<()>,
) -> Result<bool> {
    {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if !before(&tx)? {
            return Ok(false);
        }
        tx.commit()?;
    }
    let total = script.steps.len();
    let mut committed: Vec<String> = Vec::new();
    for (i, step) in script.steps.iter().enumerate() {
        progress(RunEvent::Step { done: i, total, label: &step.label });
        let name = format!("step {} ({})", i + 1, step.label);
        // The failure of this step, with what committed before it: the earlier steps and the
        // runs of this one that finished.
        let partly = |committed: &[String], runs: u64, rows: u64, message: String, sql: String| {
            let mut committed = committed.to_vec();
            if runs > 0 {
                committed.push(format!("{runs} run{} of {name} changing {rows} rows", plural(runs)));
            }
            Error::PartlyCommitted { step: i + 1, comment: step.label.clone(), sql, message, committed }
        };
        let (mut runs, mut rows) = (0u64, 0u64);
        loop {
            if runs == MAX_REPEATS {
                let message = format!("it still changed rows after {MAX_REPEATS} runs, so strata stopped it in case it never finishes (each run must leave fewer rows to do, e.g. `WHERE c IS NULL`)");
                return Err(partly(&committed, runs, rows, message, step.sql.clone()));
            }
            let attempt = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(Failure::from).and_then(|tx| {
                let n = exec_step(&tx, step)?;
                tx.commit()?;
                Ok(n)
            });
            let n = match attempt {
                Ok(n) => n,
                Err(f) => {
                    let (message, sql) = f.describe(step);
                    return Err(partly(&committed, runs, rows, message, sql));
                }
            };
            if !step.repeat {
                committed.push(name.clone());
                break;
            }
            runs += 1;
            rows += n;
            progress(RunEvent::Repeat { step: i, label: &step.label, runs, rows: n, total: rows });
            if n == 0 {
                committed.push(format!("{name} in {runs} run{} changing {rows} rows", plural(runs)));
                break;
            }
        }
    }
    progress(RunEvent::Step { done: total, total, label: "" });
    let not_recorded = |committed: &[String], why: String| Error::NotRecorded { committed: committed.to_vec(), why };
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| not_recorded(&committed, format!("the write lock could not be taken ({})", sqlite_message(&e))))?;
    if !before(&tx).map_err(|e| not_recorded(&committed, e.to_string()))? {
        return Err(not_recorded(&committed, NOT_CONFIRMED.into()));
    }
    if script.quick_check && total > 0 {
        quick_check(&tx).map_err(|e| match e {
            Error::QuickCheck { details } => not_recorded(&committed, format!("PRAGMA quick_check then reported problems ({details})")),
            other => not_recorded(&committed, other.to_string()),
        })?;
    }
    before_commit(&tx).map_err(|e| not_recorded(&committed, e.to_string()))?;
    tx.commit().map_err(|e| not_recorded(&committed, format!("the commit failed ({})", sqlite_message(&e))))?;
    Ok(true)
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Why one step stopped, before it is told in the words of the mode it ran in.
enum Failure {
    /// SQLite refused or failed the statement.
    Sqlite { sql: Option<String>, error: rusqlite::Error },
    /// The statement would break the transaction; it was not run.
    Refused { sql: String, reason: String },
    /// The statement ran and the transaction is no longer open.
    Ended { sql: String },
}

impl From<rusqlite::Error> for Failure {
    fn from(error: rusqlite::Error) -> Self {
        Failure::Sqlite { sql: None, error }
    }
}

impl Failure {
    /// The error of a step that ran inside the script's one transaction.
    fn in_transaction(self, i: usize, step: &ScriptStep) -> Error {
        let (step_no, comment) = (i + 1, step.label.clone());
        match self {
            Failure::Sqlite { sql, error } => Error::Statement { step: step_no, comment, sql: sql.unwrap_or_else(|| step.sql.clone()), message: sqlite_message(&error) },
            Failure::Refused { sql, reason } => Error::Refused { step: step_no, comment, sql, reason },
            Failure::Ended { sql } => Error::TransactionEnded { step: step_no, comment, sql },
        }
    }

    /// The message and statement of a step that ran in a transaction of its own.
    fn describe(self, step: &ScriptStep) -> (String, String) {
        match self {
            Failure::Sqlite { sql, error } => (sqlite_message(&error), sql.unwrap_or_else(|| step.sql.clone())),
            Failure::Refused { sql, reason } => (format!("it was not run: {reason}"), sql),
            Failure::Ended { sql } => ("it ended the transaction strata opened for it, so what it did was committed or rolled back by the statement itself".into(), sql),
        }
    }
}

/// Runs one step statement by statement, as SQLite splits it. Each statement is classified
/// before SQLite even prepares it (some pragmas, `writable_schema` among them, take effect while
/// being prepared), and after each the transaction must still be open. Returns the rows the
/// step's last statement changed (what a `repeat` step counts).
fn exec_step(conn: &Connection, step: &ScriptStep) -> Result<u64, Failure> {
    let sql = step.sql.as_str();
    let mut pos = skip_empty(sql, 0);
    let mut changed = 0;
    while pos < sql.len() {
        let rest = &sql[pos..];
        let shown = || sql::split_statements(rest).into_iter().next().map_or_else(|| rest.trim().to_string(), |s| s.text);
        if let Some(reason) = statement::breaks_transaction(&statement::classify(rest)) {
            return Err(Failure::Refused { sql: shown(), reason: reason.to_string() });
        }
        // Prepares the first statement of `rest` only (rusqlite's `prepare` would also prepare
        // what follows, to check there is nothing).
        let Some(mut stmt) = Batch::new(conn, rest).next().map_err(|error| Failure::Sqlite { sql: Some(shown()), error })? else {
            break;
        };
        // SQLite keeps the text it compiled, from where it started to just after the
        // statement: that is where the next statement starts. Parameters would change that
        // text, and a revision has nothing to bind to them anyway.
        let compiled = match stmt.expanded_sql() {
            Some(text) if stmt.parameter_count() == 0 && rest.starts_with(&text) => text,
            _ => {
                return Err(Failure::Refused {
                    sql: shown(),
                    reason: "strata cannot follow how SQLite reads this statement (does it use `?` or `:name` parameters? a revision has nothing to bind to them)".into(),
                })
            }
        };
        let text = compiled.trim().trim_end_matches(';').trim_end().to_string();
        let ran = if stmt.column_count() == 0 {
            stmt.raw_execute().map(|n| n as u64)
        } else {
            // A statement that returns rows (a SELECT that checks something with RAISE) runs
            // to its end, so every row is checked.
            let mut rows = stmt.raw_query();
            let mut result = Ok(());
            loop {
                match rows.next() {
                    Ok(Some(_)) => {}
                    Ok(None) => break,
                    Err(e) => {
                        result = Err(e);
                        break;
                    }
                }
            }
            result.map(|_| conn.changes())
        };
        changed = ran.map_err(|error| Failure::Sqlite { sql: Some(text.clone()), error })?;
        // Every step runs inside a transaction the runner opened; a connection back in
        // autocommit mode means the statement ended it, whatever it looked like.
        if conn.is_autocommit() {
            return Err(Failure::Ended { sql: text });
        }
        pos = skip_empty(sql, pos + compiled.len());
    }
    Ok(changed)
}

/// The offset of the first token at or after `pos` that is neither trivia nor `;`: where the
/// next statement starts, read the way SQLite skips empty statements.
fn skip_empty(sql: &str, pos: usize) -> usize {
    let rest = &sql[pos..];
    sql::tokenize(rest).into_iter().find(|t| !t.is_trivia() && !t.is_punct(rest, ";")).map_or(sql.len(), |t| pos + t.start)
}

/// Fails with the first few orphaned rows `PRAGMA foreign_key_check` reports.
fn foreign_key_check(tx: &Transaction) -> Result<()> {
    let mut stmt = tx.prepare("PRAGMA foreign_key_check")?;
    let rows: Vec<String> = stmt
        .query_map([], |r| {
            let table: String = r.get(0)?;
            let rowid: Option<i64> = r.get(1)?;
            let parent: String = r.get(2)?;
            Ok(format!("{table} row {} has no parent in {parent}", rowid.map_or("?".into(), |x| x.to_string())))
        })?
        .take(5)
        .collect::<rusqlite::Result<_>>()?;
    if rows.is_empty() {
        Ok(())
    } else {
        Err(Error::ForeignKeyCheck { details: rows.join("; ") })
    }
}

/// Fails with the first few problems `PRAGMA quick_check` reports.
fn quick_check(tx: &Transaction) -> Result<()> {
    // `main.` only: checking every schema would create the temp one.
    let mut stmt = tx.prepare("PRAGMA main.quick_check(5)")?;
    let rows: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    if rows.len() == 1 && rows[0] == "ok" {
        Ok(())
    } else {
        Err(Error::QuickCheck { details: rows.join("; ") })
    }
}

/// Runs the data checks of a lint against the live rows and returns the findings that apply,
/// each with its row count. Reads only.
pub fn check_data(conn: &Connection, checks: &[DataCheck]) -> Result<Vec<Finding>> {
    let mut out = Vec::new();
    for c in checks {
        let n: i64 = conn.query_row(&c.sql, [], |r| r.get(0))?;
        if n > 0 || c.always {
            let mut f = c.finding.clone();
            f.rows = Some(n as u64);
            out.push(f);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
