//! What keeps one revision one transaction: the statements a revision may not contain, each
//! found with the line of the file it is on. Every path that writes a revision (the CLI's
//! `revision`, `merge` and `import-sql`, the playground's Save revision, lessons and project
//! loading), the history check that `verify` and every migrating command run, and the runner
//! itself ask [`check`], so a revision that would end, escape or outlive its transaction is
//! refused before any of it runs. Pure: no I/O.
//!
//! The rules, per section:
//! - no statement that [`statement::breaks_transaction`] names (`BEGIN`, `COMMIT`/`END`,
//!   `ROLLBACK`, `SAVEPOINT`/`RELEASE`, `ATTACH`/`DETACH`, `VACUUM`, `PRAGMA writable_schema`,
//!   journal and locking pragmas, connection settings that would outlive the revision). This
//!   holds in a `no-transaction` section too: strata opens and commits each statement's own
//!   transaction there, so transaction control would still fight it.
//! - `-- @repeat` only above an `INSERT`, `UPDATE`, `DELETE` or `REPLACE` (strata repeats until
//!   a run changes no rows, which only those report) and only in a `no-transaction` section
//!   (inside one transaction, repeating commits nothing in between, which is the point of it).
//! - `no-transaction` never together with `foreign_keys=off`: with each statement committing on
//!   its own, rows left without a parent could not be rolled back.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::revision::{Direction, Revision, REPEAT};
use crate::statement::{self, Verb};

/// One statement (or section marker) a revision may not contain, and where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub revision: String,
    pub direction: Direction,
    /// The line of the revision file.
    pub line: usize,
    /// The statement (its first line, shortened) or the marker.
    pub statement: String,
    pub reason: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = match self.direction {
            Direction::Up => "-- +up",
            Direction::Down => "-- +down",
        };
        write!(f, "revision {} line {} ({side} section): `{}`: {}", self.revision, self.line, self.statement, self.reason)
    }
}

/// Every violation in a revision, with what to do about them. Returned by [`ensure`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}\nremove {}; work that must commit in batches goes in a `no-transaction` section (see docs/no-transaction.md); nothing was written or run", list(.0), if .0.len() == 1 { "it" } else { "them" })]
pub struct Violations(pub Vec<Violation>);

fn list(v: &[Violation]) -> String {
    v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("\n")
}

/// Refuses a revision that breaks a rule of this module, naming every violation.
pub fn ensure(rev: &Revision) -> Result<(), Violations> {
    let found = check(rev);
    if found.is_empty() {
        Ok(())
    } else {
        Err(Violations(found))
    }
}

/// Every violation in a revision, up section first, in line order.
pub fn check(rev: &Revision) -> Vec<Violation> {
    let mut out = Vec::new();
    for dir in [Direction::Up, Direction::Down] {
        let options = rev.options(dir);
        let at = |line: usize, statement: &str, reason: &str| Violation {
            revision: rev.id.clone(),
            direction: dir,
            line,
            statement: shorten(statement),
            reason: reason.to_string(),
        };
        if options.no_transaction && options.foreign_keys_off {
            let marker = format!("-- +{}{}", if dir == Direction::Up { "up" } else { "down" }, options.render());
            out.push(at(
                rev.marker_line(dir),
                &marker,
                "a no-transaction section cannot also run with foreign_keys=off: each statement commits on its own, so rows left without a parent could not be rolled back; put the table rebuild in a revision of its own",
            ));
        }
        for s in rev.section(dir) {
            if let Some(reason) = refusal(&s.sql, s.repeat, options.no_transaction) {
                out.push(at(s.line, &s.sql, &reason));
            }
        }
    }
    out
}

/// Why one statement cannot run in a section, or `None` when it can: the rule [`check`] applies
/// to every statement of a revision and the runner to every statement of a script. `repeat`:
/// the statement carries `-- @repeat`; `no_transaction`: its section is marked so.
pub fn refusal(sql: &str, repeat: bool, no_transaction: bool) -> Option<String> {
    let c = statement::classify(sql);
    if let Some(reason) = statement::breaks_transaction(&c) {
        return Some(reason.to_string());
    }
    if repeat && !no_transaction {
        return Some(format!("`{REPEAT}` works only in a `no-transaction` section: inside one transaction, running a statement again commits nothing in between"));
    }
    if repeat && !matches!(c.verb, Verb::Insert | Verb::Replace | Verb::Update | Verb::Delete) {
        return Some(format!("`{REPEAT}` works only above INSERT, UPDATE or DELETE: strata runs the statement until a run changes no rows, which only those report"));
    }
    None
}

/// The first line of a statement, at most 80 characters, for messages.
fn shorten(sql: &str) -> String {
    let first = sql.lines().next().unwrap_or("").trim();
    let mut out: String = first.chars().take(80).collect();
    if out.len() < first.len() || sql.trim().lines().nth(1).is_some() {
        out.push_str(" …");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::revision::SectionOptions;

    fn rev(up: &str, down: &str) -> Revision {
        Revision::new("r1", vec![], "test", "t", up, down)
    }

    #[test]
    fn names_each_breaking_statement_with_its_line_in_the_file() {
        let r = rev("CREATE TABLE a (x);\nCOMMIT;\n-- switch the journal\nPRAGMA journal_mode = WAL;", "DROP TABLE a;\nVACUUM;");
        let text = r.render();
        let found = check(&r);
        let lines: Vec<(Direction, usize, &str)> = found.iter().map(|v| (v.direction, v.line, v.statement.as_str())).collect();
        assert_eq!(lines, [(Direction::Up, 9, "COMMIT"), (Direction::Up, 11, "PRAGMA journal_mode = WAL"), (Direction::Down, 15, "VACUUM")]);
        for v in &found {
            let line = text.lines().nth(v.line - 1).unwrap();
            assert!(line.starts_with(&v.statement), "line {} is {line:?}, not {:?}", v.line, v.statement);
        }
        assert_eq!(
            found[0].to_string(),
            "revision r1 line 9 (-- +up section): `COMMIT`: transaction control would end or escape the transaction the revision runs in"
        );
        let e = ensure(&r).unwrap_err().to_string();
        assert!(e.ends_with("remove them; work that must commit in batches goes in a `no-transaction` section (see docs/no-transaction.md); nothing was written or run"), "{e}");
        assert!(ensure(&rev("CREATE TABLE a (x);", "DROP TABLE a;")).is_ok());
    }

    #[test]
    fn lines_are_those_of_the_file_read_even_with_notes_and_blank_lines() {
        let text = "-- strata revision\n-- id: r9\n-- a note of the author\n-- parents:\n\n-- +up\n\n\nCREATE TABLE a (x);\n  SAVEPOINT s;\n-- +down\n\nDETACH db;\n";
        let r = Revision::parse(text).unwrap();
        let found = check(&r);
        assert_eq!(found.iter().map(|v| (v.line, v.statement.as_str())).collect::<Vec<_>>(), [(10, "SAVEPOINT s"), (13, "DETACH db")]);
    }

    #[test]
    fn repeat_needs_a_no_transaction_section_and_a_statement_that_counts_rows() {
        let up = "CREATE TABLE t (c);\n-- @repeat\nUPDATE t SET c = 1 WHERE rowid IN (SELECT rowid FROM t WHERE c IS NULL LIMIT 10);\n-- @repeat\nCREATE INDEX i ON t (c);";
        let plain = rev(up, "");
        let found = check(&plain);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().all(|v| v.reason.contains("only in a `no-transaction` section")), "{found:?}");
        let batched = plain.clone().with_options(Direction::Up, SectionOptions { no_transaction: true, ..SectionOptions::default() });
        let found = check(&batched);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].statement, "CREATE INDEX i ON t (c)");
        assert!(found[0].reason.contains("only above INSERT, UPDATE or DELETE"), "{}", found[0].reason);
        let section = batched.section(Direction::Up);
        assert!(section[1].repeat && section[1].label.starts_with("UPDATE t SET c = 1"), "{:?}", section[1]);
        assert!(!section[0].repeat);
    }

    #[test]
    fn no_transaction_refuses_foreign_keys_off_and_transaction_control_alike() {
        let options = SectionOptions { no_transaction: true, foreign_keys_off: true, ..SectionOptions::default() };
        let r = rev("UPDATE t SET c = 1;\nBEGIN;", "").with_options(Direction::Up, options);
        let found = check(&r);
        assert_eq!(found.iter().map(|v| (v.line, v.statement.as_str())).collect::<Vec<_>>(), [(7, "-- +up foreign_keys=off no-transaction"), (9, "BEGIN")]);
    }
}
