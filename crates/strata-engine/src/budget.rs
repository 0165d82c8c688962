//! Time budgets for work nobody is watching: what a share link or an imported file starts runs
//! its SQL in scratch connections, and a query in it that never ends would hold the database
//! for ever. While [`within`] runs its work, every connection [`watch`]ed stops its statement
//! (SQLite's progress handler, asked every few thousand virtual-machine steps) once the budget
//! is spent; the statement fails as interrupted and `within` says the budget ran out. Outside
//! `within` the handler never stops anything, so the CLI and the visitor's own requests run as
//! long as they take (the playground's page can cancel those).

use std::cell::Cell;
use std::ffi::{c_int, c_void};

use rusqlite::{ffi, Connection};

/// How many virtual-machine steps pass between two looks at the clock: often enough to stop
/// within a few milliseconds, rarely enough to cost nothing measurable.
const STEPS: c_int = 10_000;

/// A clock: milliseconds from any origin, as a plain function so the progress handler (which
/// must be `Send`) can call it.
pub type Stopwatch = fn() -> f64;

/// A running budget: the clock it is read on and the time on it when the budget runs out.
type Running = Option<(Stopwatch, f64)>;

thread_local! {
    /// The running budget.
    static BUDGET: Cell<Running> = const { Cell::new(None) };
    /// Whether the running budget has stopped a statement.
    static SPENT: Cell<bool> = const { Cell::new(false) };
}

/// Runs `work` with a budget of `millis` milliseconds on the clock `now` (milliseconds, from any
/// origin). Returns what `work` returned and whether the budget ran out and stopped a
/// statement, in which case the work's error is that interruption.
pub fn within<T>(millis: f64, now: Stopwatch, work: impl FnOnce() -> T) -> (T, bool) {
    let outer = BUDGET.with(|b| b.replace(Some((now, now() + millis))));
    let spent_before = SPENT.with(|s| s.replace(false));
    let result = work();
    let spent = SPENT.with(|s| s.replace(spent_before));
    BUDGET.with(|b| b.set(outer));
    (result, spent)
}

/// Lets the running budget, if any, stop `conn`'s statements.
///
/// SQLite's own `sqlite3_progress_handler` is called directly rather than through rusqlite's
/// `hooks` feature: that feature links every hook SQLite has (commit, rollback, update,
/// authorizer) into the playground's module, which must stay small, for the one used here.
pub fn watch(conn: &mut Connection) -> rusqlite::Result<()> {
    // SAFETY: the handle is `conn`'s own and is used only during this call; the handler is a
    // plain function without user data, valid for as long as the program, so nothing needs
    // freeing when the connection closes.
    unsafe {
        ffi::sqlite3_progress_handler(conn.handle(), STEPS, Some(run_out), std::ptr::null_mut());
    }
    Ok(())
}

/// The progress handler: non-zero stops the statement.
extern "C" fn run_out(_: *mut c_void) -> c_int {
    let Some((now, deadline)) = BUDGET.with(Cell::get) else {
        return 0;
    };
    let out = now() >= deadline;
    if out {
        SPENT.with(|s| s.set(true));
    }
    c_int::from(out)
}

/// Milliseconds since the Unix epoch on the machine's clock: the native budgets' clock.
#[cfg(not(target_arch = "wasm32"))]
pub fn system_millis() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENDLESS: &str =
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";

    #[test]
    fn a_watched_endless_query_stops_when_the_budget_runs_out() {
        let mut conn = Connection::open_in_memory().unwrap();
        watch(&mut conn).unwrap();
        let started = system_millis();
        let (result, spent) = within(200.0, system_millis, || {
            conn.query_row(ENDLESS, [], |row| row.get::<_, i64>(0))
        });
        let took = system_millis() - started;
        assert!(spent);
        let error = result.unwrap_err();
        assert_eq!(
            error.sqlite_error_code(),
            Some(rusqlite::ErrorCode::OperationInterrupted),
            "{error}"
        );
        println!("an endless query stopped {took:.0} ms into a 200 ms budget");
        // Outside a budget the same connection runs what finishes.
        let n: i64 = conn
            .query_row("SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 100000) SELECT x FROM c)", [], |row| row.get(0))
            .unwrap();
        assert_eq!(n, 100_000);
    }

    #[test]
    fn work_that_finishes_in_time_is_not_marked_spent() {
        let mut conn = Connection::open_in_memory().unwrap();
        watch(&mut conn).unwrap();
        let (result, spent) = within(10_000.0, system_millis, || {
            conn.query_row("SELECT 1", [], |row| row.get::<_, i64>(0))
        });
        assert_eq!((result.unwrap(), spent), (1, false));
    }

    #[test]
    fn an_unwatched_connection_is_not_stopped_by_a_budget() {
        let conn = Connection::open_in_memory().unwrap();
        let (result, spent) = within(0.0, system_millis, || {
            conn.query_row("SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 200000) SELECT x FROM c)", [], |row| row.get::<_, i64>(0))
        });
        assert_eq!((result.unwrap(), spent), (200_000, false));
    }
}
