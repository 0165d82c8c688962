//! The data-loss gate of upgrade and downgrade: what running a path would throw away, counted
//! in the live database before anything runs, and counted again for each revision inside its
//! own transaction, under the write lock, just before its statements (an earlier revision of
//! the same run may have created or filled what a later one drops).

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::{ids, MigrateError, Options, Result};
use crate::error::Error;
use strata_core::history::AppliedRow;
use crate::loss;
use strata_core::revision::{Direction, Graph, Revision};

/// A revision refused in the middle of a run (see [`MigrateError::DataLossInPath`]).
#[derive(Debug, thiserror::Error)]
#[error(
    "revision {id} ({message}) would throw data away, so it was rolled back and did not run:\n{}\n{}; the database is at {at}\nmake a backup, then allow the data loss to go ahead",
    super::bullet(losses.iter().map(ToString::to_string)),
    done(*direction, applied)
)]
pub struct LossInPath {
    pub id: String,
    pub message: String,
    pub direction: Direction,
    pub losses: Vec<RevisionLoss>,
    /// What this run applied (or reverted) before the refused revision, in order.
    pub applied: Vec<String>,
    /// The revisions the database is at (`base` when none).
    pub at: String,
}

/// What the run did before the refused revision, which stays done.
fn done(dir: Direction, ids: &[String]) -> String {
    let verb = match dir {
        Direction::Up => "applied",
        Direction::Down => "reverted",
    };
    match ids {
        [] => format!("this run {verb} nothing before it"),
        [one] => format!("this run {verb} {one} before it, and it stays {verb}"),
        _ => format!("this run {verb} {} before it, and they stay {verb}", ids.join(", ")),
    }
}

/// What one revision of a path would throw away, counted in a database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionLoss {
    pub revision: String,
    pub message: String,
    /// The revision's file says its author accepted this loss (`data-loss=accepted`).
    pub accepted: bool,
    pub loss: loss::Loss,
}

impl std::fmt::Display for RevisionLoss {
    /// `3f2a1b9c0d11 (contact details): usertable.email: 1,204 non-NULL values`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.revision)?;
        if !self.message.is_empty() {
            write!(f, " ({})", self.message)?;
        }
        write!(f, ": {}", self.loss)?;
        if self.accepted {
            write!(f, " (accepted in the revision)")?;
        }
        Ok(())
    }
}

/// What running `path` one way would throw away in the database as it is now, revision by
/// revision; steps that lose nothing there are left out. What a revision of the path loses of
/// data an earlier one of the same path creates cannot be seen yet: the runner counts each
/// revision again just before it runs.
pub fn data_loss(conn: &Connection, path: &[&Revision], dir: Direction) -> Result<Vec<RevisionLoss>> {
    let mut out = Vec::new();
    for rev in path {
        out.extend(revision_loss(conn, rev, dir)?);
    }
    Ok(out)
}

fn revision_loss(conn: &Connection, rev: &Revision, dir: Direction) -> rusqlite::Result<Vec<RevisionLoss>> {
    let accepted = rev.options(dir).accepts_data_loss;
    Ok(loss::count(conn, &rev.data_loss(dir))?
        .into_iter()
        .map(|loss| RevisionLoss { revision: rev.id.clone(), message: rev.message.clone(), accepted, loss })
        .collect())
}

/// What running `path` one way can throw away, read from the SQL alone (no database to count
/// in: `--sql`, `--dry-run` without a database), one line per risk, each naming its revision.
pub fn data_risks(path: &[&Revision], dir: Direction) -> Vec<String> {
    path.iter().flat_map(|r| r.data_loss(dir).into_iter().map(move |l| format!("{}: {}", r.id, l.describe()))).collect()
}

/// Fails with [`MigrateError::DataLoss`] when running `path` would throw away data that
/// neither `opts` nor the revisions allow; counts nothing when `opts` allows it.
pub fn refuse_data_loss(conn: &Connection, path: &[&Revision], dir: Direction, opts: &Options) -> Result<()> {
    if opts.allow_data_loss {
        return Ok(());
    }
    let unaccepted: Vec<&Revision> = path.iter().copied().filter(|r| !r.options(dir).accepts_data_loss).collect();
    let losses = data_loss(conn, &unaccepted, dir)?;
    if losses.is_empty() {
        Ok(())
    } else {
        Err(MigrateError::DataLoss { direction: dir, losses })
    }
}

/// The count again, inside a revision's transaction under the write lock and before its
/// statements: an earlier revision of the same run may have created or filled what this one
/// drops. Returns the refusal (with `applied` left for the caller to fill in).
pub(super) fn recount(
    tx: &Connection,
    graph: &Graph,
    rows: &[AppliedRow],
    rev: &Revision,
    dir: Direction,
    opts: &Options,
) -> Result<Option<MigrateError>, Error> {
    if opts.allow_data_loss || rev.options(dir).accepts_data_loss {
        return Ok(None);
    }
    let losses = revision_loss(tx, rev, dir)?;
    if losses.is_empty() {
        return Ok(None);
    }
    let at = graph.current(&ids(rows));
    let at = if at.is_empty() { "base".to_string() } else { at.join(", ") };
    Ok(Some(MigrateError::DataLossInPath(Box::new(LossInPath {
        id: rev.id.clone(),
        message: rev.message.clone(),
        direction: dir,
        losses,
        applied: Vec::new(),
        at,
    }))))
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use crate::migrate::{applied, downgrade, upgrade, Clock, Timestamp};
    use strata_core::revision::{SectionOptions, Target};

    struct Fixed(Cell<f64>);
    impl Clock for Fixed {
        fn now(&self) -> Timestamp {
            Timestamp(1_767_225_600_000)
        }
        fn millis(&self) -> f64 {
            self.0.set(self.0.get() + 1.0);
            self.0.get()
        }
    }

    fn rev(id: &str, parent: Option<&str>, up: &str, down: &str) -> Revision {
        Revision::new(id, parent.into_iter().map(String::from).collect(), &format!("rev {id}"), id, up, down)
    }

    fn run(conn: &mut Connection, g: &Graph, dir: Direction, target: &str, opts: &Options) -> Result<Vec<String>> {
        let clock = Fixed(Cell::new(0.0));
        match dir {
            Direction::Up => upgrade(conn, g, &Target::parse(target), opts, &clock, &mut |_| {}),
            Direction::Down => downgrade(conn, g, &Target::parse(target), opts, &clock, &mut |_| {}),
        }
    }

    fn versions(conn: &Connection) -> Vec<String> {
        applied(conn, "schema_version").unwrap().into_iter().map(|r| r.version).collect()
    }

    fn base() -> Revision {
        rev(
            "r1",
            None,
            "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, phone TEXT);\nCREATE TABLE notes (x);\nCREATE TABLE empty (x);",
            "DROP TABLE users;\nDROP TABLE notes;\nDROP TABLE empty;",
        )
    }

    #[test]
    fn upgrade_refuses_to_drop_values_and_says_how_many() {
        let mut conn = Connection::open_in_memory().unwrap();
        let g = Graph::new(vec![base(), rev("r2", Some("r1"), "ALTER TABLE users DROP COLUMN email;", "ALTER TABLE users ADD COLUMN email TEXT;")]).unwrap();
        run(&mut conn, &g, Direction::Up, "r1", &Options::default()).unwrap();
        conn.execute_batch("INSERT INTO users (email) VALUES ('a@x'), ('b@x'), (NULL);").unwrap();
        let e = run(&mut conn, &g, Direction::Up, "head", &Options::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "this upgrade would throw data away, so nothing was run:\n  - r2 (rev r2): users.email: 2 non-NULL values\n\
             make a backup, then allow the data loss to go ahead; a revision meant to lose it can say so in its file \
             (-- +up data-loss=accepted)"
        );
        assert_eq!(versions(&conn), ["r1"]);
        let allow = Options { allow_data_loss: true, ..Options::default() };
        assert_eq!(run(&mut conn, &g, Direction::Up, "head", &allow).unwrap(), ["r2"]);
    }

    #[test]
    fn nothing_to_lose_means_nothing_to_ask_both_ways() {
        let mut conn = Connection::open_in_memory().unwrap();
        let r2 = rev(
            "r2",
            Some("r1"),
            "ALTER TABLE users DROP COLUMN phone;\nDROP TABLE empty;\nDELETE FROM notes WHERE x = 'none';",
            "ALTER TABLE users ADD COLUMN phone TEXT;\nCREATE TABLE empty (x);",
        );
        let g = Graph::new(vec![base(), r2]).unwrap();
        run(&mut conn, &g, Direction::Up, "r1", &Options::default()).unwrap();
        conn.execute_batch("INSERT INTO users (email) VALUES ('a@x'); INSERT INTO notes VALUES ('kept');").unwrap();
        // phone is all NULL, empty has no row, the DELETE matches none.
        assert_eq!(run(&mut conn, &g, Direction::Up, "head", &Options::default()).unwrap(), ["r2"]);
        // Down: phone comes back empty, and dropping an added all-NULL column asks nothing.
        assert_eq!(run(&mut conn, &g, Direction::Down, "-1", &Options::default()).unwrap(), ["r2"]);
        let e = run(&mut conn, &g, Direction::Down, "base", &Options::default()).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("r1 (rev r1): drops table users: 1 row\n  - r1 (rev r1): drops table notes: 1 row\n"), "{text}");
        assert!(!text.contains("empty"), "{text}");
    }

    #[test]
    fn a_revision_that_accepts_its_loss_runs_without_the_flag() {
        let mut conn = Connection::open_in_memory().unwrap();
        let accepted = SectionOptions { accepts_data_loss: true, ..SectionOptions::default() };
        let r2 = rev("r2", Some("r1"), "DELETE FROM notes;", "").with_options(Direction::Up, accepted);
        let g = Graph::new(vec![base(), r2.clone()]).unwrap();
        run(&mut conn, &g, Direction::Up, "r1", &Options::default()).unwrap();
        conn.execute_batch("INSERT INTO notes VALUES (1), (2);").unwrap();
        let losses = data_loss(&conn, &[&r2], Direction::Up).unwrap();
        assert_eq!(losses.iter().map(ToString::to_string).collect::<Vec<_>>(), ["r2 (rev r2): deletes from notes: 2 rows (accepted in the revision)"]);
        assert_eq!(run(&mut conn, &g, Direction::Up, "head", &Options::default()).unwrap(), ["r2"]);
        let left: i64 = conn.query_row("SELECT count(*) FROM notes", [], |r| r.get(0)).unwrap();
        assert_eq!(left, 0);
    }

    #[test]
    fn a_loss_that_only_an_earlier_revision_of_the_run_creates_is_caught_before_it_runs() {
        let mut conn = Connection::open_in_memory().unwrap();
        let r2 = rev("r2", Some("r1"), "INSERT INTO notes VALUES ('one'), ('two');", "DELETE FROM notes;");
        let r3 = rev("r3", Some("r2"), "DROP TABLE notes;", "CREATE TABLE notes (x);");
        let g = Graph::new(vec![base(), r2, r3]).unwrap();
        // Counted before the run, notes does not even exist; r2 fills it, and r3 would drop it.
        let e = run(&mut conn, &g, Direction::Up, "head", &Options::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "revision r3 (rev r3) would throw data away, so it was rolled back and did not run:\n  - r3 (rev r3): drops table notes: 2 rows\n\
             this run applied r1, r2 before it, and they stay applied; the database is at r2\n\
             make a backup, then allow the data loss to go ahead"
        );
        assert!(matches!(&e, MigrateError::DataLossInPath(refused) if refused.applied == ["r1", "r2"]));
        assert_eq!(versions(&conn), ["r1", "r2"]);
        let kept: i64 = conn.query_row("SELECT count(*) FROM notes", [], |r| r.get(0)).unwrap();
        assert_eq!(kept, 2);
        assert_eq!(done(Direction::Down, &["r3".into()]), "this run reverted r3 before it, and it stays reverted");
        assert_eq!(done(Direction::Up, &[]), "this run applied nothing before it");
        // From r2 the loss is visible up front: nothing runs, and nothing is said to be applied.
        let e = run(&mut conn, &g, Direction::Up, "head", &Options::default()).unwrap_err();
        assert!(matches!(e, MigrateError::DataLoss { .. }), "{e}");
    }
}
