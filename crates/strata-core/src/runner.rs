//! The runner: the only code that changes a database. It applies a list of statements in one
//! transaction, switching foreign keys off outside the transaction when the statements need it
//! and checking them before commit, so that a failure anywhere leaves the database as it was.

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::error::{Error, Result};
use crate::lint::{DataCheck, Finding};
use crate::model::sqlite_message;
use crate::plan::Plan;

/// Statements to run together, each with a label for errors and progress.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Script {
    pub steps: Vec<ScriptStep>,
    /// Run with `PRAGMA foreign_keys = OFF` (table rebuilds and drops need it).
    pub foreign_keys_off: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptStep {
    pub sql: String,
    pub label: String,
}

impl From<&Plan> for Script {
    fn from(p: &Plan) -> Self {
        Script {
            steps: p.steps.iter().map(|s| ScriptStep { sql: s.sql.clone(), label: s.comment.clone() }).collect(),
            foreign_keys_off: p.foreign_keys_off,
        }
    }
}

/// Progress of a run: (steps done, steps in all, label of the step starting).
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize, &str);

/// Applies a plan in one transaction.
pub fn apply_plan(conn: &mut Connection, plan: &Plan) -> Result<()> {
    run(conn, &Script::from(plan), &mut |_, _, _| {}, |_| Ok(true), |_| Ok(())).map(|_| ())
}

/// Runs a script in one `BEGIN IMMEDIATE` transaction and returns whether it ran.
///
/// `before` runs first inside the transaction, with the write lock already held, so what it
/// reads (which revisions are applied) cannot change under it; returning `false` rolls back and
/// skips the script. `before_commit` runs after the statements in the same transaction (the
/// version table is written there), so the schema change and its record commit together or not
/// at all.
pub fn run(
    conn: &mut Connection,
    script: &Script,
    progress: Progress,
    before: impl FnOnce(&Transaction) -> Result<bool>,
    before_commit: impl FnOnce(&Transaction) -> Result<()>,
) -> Result<bool> {
    let fk_on: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    let switch = script.foreign_keys_off && fk_on;
    if switch {
        conn.execute_batch("PRAGMA foreign_keys = OFF")?;
    }
    let result = run_in_transaction(conn, script, progress, before, before_commit, switch);
    if switch {
        // Restore the connection as it was, whatever happened above.
        let restored = conn.execute_batch("PRAGMA foreign_keys = ON");
        if result.is_ok() {
            restored?;
        }
    }
    result
}

fn run_in_transaction(
    conn: &mut Connection,
    script: &Script,
    progress: Progress,
    before: impl FnOnce(&Transaction) -> Result<bool>,
    before_commit: impl FnOnce(&Transaction) -> Result<()>,
    check_fks: bool,
) -> Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if !before(&tx)? {
        return Ok(false);
    }
    let total = script.steps.len();
    for (i, step) in script.steps.iter().enumerate() {
        progress(i, total, &step.label);
        tx.execute_batch(&step.sql).map_err(|e| Error::Statement {
            step: i + 1,
            comment: step.label.clone(),
            sql: step.sql.clone(),
            message: sqlite_message(&e),
        })?;
    }
    progress(total, total, "");
    if check_fks {
        foreign_key_check(&tx)?;
    }
    before_commit(&tx)?;
    tx.commit()?;
    Ok(true)
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
