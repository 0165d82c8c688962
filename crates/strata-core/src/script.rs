//! The `--sql` output: a script for the `sqlite3` shell that does what `upgrade` or `downgrade`
//! would do, version rows included, and is as strict as the runner. Pure.
//!
//! The shell cannot test a condition and stop, except by failing a statement; so every check the
//! runner makes before a commit becomes an `INSERT` into a TEMP table whose named `CHECK`
//! constraint fails when the check does. The constraint's name is the message, so the shell's
//! error says what failed, and `sqlite3 -bail` stops right there with the revision's transaction
//! still open, which the shell rolls back as it exits. The checks: `PRAGMA foreign_key_check` for
//! a section run with foreign keys off (and foreign keys on everywhere else, as strata's own
//! connection has them), `PRAGMA quick_check` for hand-written SQL, and for a `-- @repeat`
//! statement, which a script cannot loop, that a second run would change nothing.

use crate::history::version_table_ddl;
use crate::revision::{Direction, Revision};
use crate::sql::{quote, quote_str};

/// A script for the `sqlite3` shell that does what `upgrade`/`downgrade` would do for `path`,
/// one transaction per revision (one per statement in a `no-transaction` section). Pure.
pub fn script_sql(path: &[&Revision], dir: Direction, version_table: &str) -> String {
    if path.is_empty() {
        return "-- nothing to do: the database is already there\n".into();
    }
    let verb = match dir {
        Direction::Up => "upgrade",
        Direction::Down => "downgrade",
    };
    let mut out = format!(
        "-- strata {verb} script. Run it with `sqlite3 -bail DATABASE < FILE`: each check below stops\n-- the script with an error before its COMMIT; without -bail the shell would go on and commit.\nPRAGMA foreign_keys = ON;\n"
    );
    out.push_str(&format!("{};\n", version_table_ddl(version_table)));
    // The checks' TEMP tables are declared at the top, before any transaction.
    let mut body = String::new();
    for rev in path {
        Part { rev, dir, table: quote(version_table), tables: &mut out }.write(&mut body);
    }
    out.push_str(&body);
    out
}

/// One revision's part of a script, and where the checks it needs declare their TEMP tables.
struct Part<'a> {
    rev: &'a Revision,
    dir: Direction,
    /// The version table, quoted.
    table: String,
    tables: &'a mut String,
}

impl Part<'_> {
    fn write(&mut self, out: &mut String) {
        let (rev, dir) = (self.rev, self.dir);
        let options = rev.options(dir);
        let verb = if dir == Direction::Up { "upgrade" } else { "downgrade" };
        let statements = rev.section(dir);
        let hand_written = !rev.is_generated() && !statements.is_empty();
        if !options.no_transaction {
            out.push_str(&format!("\n-- {verb} {}: {}\n", rev.id, rev.message));
            if options.foreign_keys_off {
                out.push_str("PRAGMA foreign_keys = OFF;\n");
            }
            out.push_str("BEGIN;\n");
            for s in &statements {
                out.push_str(&format!("-- {}\n{};\n", s.label, s.sql));
            }
            out.push_str(&self.version_row());
            if options.foreign_keys_off {
                let check = self.check("foreign_keys", "PRAGMA foreign_key_check finds rows without a parent; its transaction was not committed");
                out.push_str(&format!("INSERT INTO {check} VALUES (NOT EXISTS (SELECT 1 FROM pragma_foreign_key_check));\n"));
            }
            if hand_written {
                let check = self.check("quick_check", "PRAGMA quick_check reports problems after its hand-written SQL; its transaction was not committed");
                out.push_str(&format!("INSERT INTO {check} VALUES ({QUICK_CHECK_OK});\n"));
            }
            out.push_str("COMMIT;\n");
            if options.foreign_keys_off {
                out.push_str("PRAGMA foreign_keys = ON;\n");
            }
            return;
        }
        out.push_str(&format!(
            "\n-- {verb} {}: {}\n-- not atomic (no-transaction): each statement commits on its own, and the version row is written after the last\n",
            rev.id, rev.message
        ));
        for s in &statements {
            out.push_str(&format!("BEGIN;\n-- {}\n{};\nCOMMIT;\n", s.label, s.sql));
            if s.repeat {
                let message = format!(
                    "the -- @repeat statement at line {} still changes rows; this script runs it once: what ran so far stays committed and the revision is not recorded; finish it with strata upgrade",
                    s.line
                );
                let check = self.check(&format!("repeat_{}", s.line), &message);
                out.push_str(&format!(
                    "-- strata runs this statement until a run changes no rows; a script cannot loop, so it checks that\n-- another run would change nothing, and stops here otherwise\nSAVEPOINT strata_probe;\n{};\nINSERT INTO {check} VALUES (changes() = 0);\nROLLBACK TO strata_probe;\nRELEASE strata_probe;\n",
                    s.sql
                ));
            }
        }
        out.push_str("BEGIN;\n");
        if hand_written {
            let check = self.check("quick_check", "PRAGMA quick_check reports problems after its hand-written SQL; its statements committed, but the revision is not recorded");
            out.push_str(&format!("INSERT INTO {check} VALUES ({QUICK_CHECK_OK});\n"));
        }
        out.push_str(&self.version_row());
        out.push_str("COMMIT;\n");
    }

    /// Declares a check of this revision and returns the table to insert its verdict into.
    fn check(&mut self, kind: &str, message: &str) -> String {
        let table = format!("temp.{}", quote(&format!("strata_check_{kind}_{}", self.rev.id)));
        let name = quote(&format!("revision {}: {message}", self.rev.id));
        self.tables.push_str(&format!("CREATE TEMP TABLE IF NOT EXISTS {} (ok INTEGER CONSTRAINT {name} CHECK (ok));\n", &table["temp.".len()..]));
        table
    }

    fn version_row(&self) -> String {
        let (rev, table) = (self.rev, &self.table);
        match self.dir {
            Direction::Up => format!(
                "INSERT INTO {table} (version, applied_at, description, checksum, execution_ms) VALUES ({}, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), {}, {}, NULL);\n",
                quote_str(&rev.id),
                quote_str(&rev.message),
                quote_str(&rev.checksum)
            ),
            Direction::Down => format!("DELETE FROM {table} WHERE version = {};\n", quote_str(&rev.id)),
        }
    }
}

/// True when `PRAGMA quick_check` finds nothing wrong.
const QUICK_CHECK_OK: &str = "(SELECT group_concat(quick_check, '; ') FROM pragma_quick_check) = 'ok'";
