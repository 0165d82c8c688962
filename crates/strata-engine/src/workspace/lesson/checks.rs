//! A lesson's conditions of "done" and the journal they read: what the applied revisions' SQL
//! says, whether the schema was changed outside a revision, and what happened during the
//! lesson that leaves no trace in the schema or the rows (an upgrade that failed and rolled
//! back, an upgrade with nothing to run, a downgrade, a script that failed, a stage passed).
//!
//! A staged lesson's conditions come in groups separated by [`Condition::Stage`]: a group is
//! evaluated only once every group before it has passed, and when one that is not the last
//! passes, that is written in the journal. This is the one write a check makes, and what lets
//! a later stage undo an earlier one's state (roll a rename back) without undoing its pass.
//!
//! The journal lives in strata's own `_strata_meta` table, under one key that the lesson's
//! `clear` step creates. A database no lesson set up has no such key, and nothing is ever
//! recorded in it; one that a lesson set up carries its journal through a reload and a backup,
//! as it carries its rows.

use std::collections::BTreeSet;

use rusqlite::types::ValueRef;
use rusqlite::OptionalExtension;

use super::super::{Workspace, STRATA_TABLES, VERSION_TABLE};
use crate::migrate;
use crate::transfer::META_DDL;
use crate::workspace::protocol::{Condition, Event, Outcome};

/// The `_strata_meta` key that holds the journal of the lesson set up in the database.
pub const JOURNAL_KEY: &str = "lesson journal";

/// One thing that happened, as the journal keeps it: one line each, `word: detail`.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub event: Event,
    pub detail: String,
}

impl Entry {
    pub(in crate::workspace) fn line(&self) -> String {
        // An error can span lines; the journal keeps one entry a line.
        let detail = self.detail.replace(['\n', '\r'], " ");
        format!("{}: {detail}", word(self.event))
    }

    fn read(line: &str) -> Option<Entry> {
        let (event, detail) = line.split_once(": ")?;
        let event = [
            Event::UpgradeFailed,
            Event::NothingToUpgrade,
            Event::StepFailed,
            Event::Downgraded,
            Event::StagePassed,
            Event::Rehearsed,
            Event::BackedUp,
            Event::Restored,
        ]
        .into_iter()
        .find(|e| word(*e) == event)?;
        Some(Entry {
            event,
            detail: detail.to_owned(),
        })
    }

    /// The journal's text read back; a line it cannot read (written by a later build, say)
    /// is skipped.
    pub fn parse(text: &str) -> Vec<Entry> {
        text.lines().filter_map(Entry::read).collect()
    }
}

/// The word an event is spelled with in lesson files and in the journal.
fn word(event: Event) -> &'static str {
    match event {
        Event::UpgradeFailed => "upgrade_failed",
        Event::NothingToUpgrade => "nothing_to_upgrade",
        Event::StepFailed => "step_failed",
        Event::Downgraded => "downgraded",
        Event::StagePassed => "stage_passed",
        Event::Rehearsed => "rehearsed",
        Event::BackedUp => "backed_up",
        Event::Restored => "restored",
    }
}

/// How the journal marks that stage `number` (1 for the first) of `lesson` passed.
fn stage_mark(lesson: &str, number: usize) -> String {
    format!("{lesson} stage {number}")
}

/// Where each passed stage of `lesson` ends in the journal: the index of the entry after its
/// mark, for stage 1, 2, … in turn. A mark out of order (stage 2 with no stage 1 before it)
/// does not count, nor does anything after it.
fn stage_ends(journal: &[Entry], lesson: &str) -> Vec<usize> {
    let mut ends = Vec::new();
    for (index, entry) in journal.iter().enumerate() {
        if entry.event == Event::StagePassed && entry.detail == stage_mark(lesson, ends.len() + 1) {
            ends.push(index + 1);
        }
    }
    ends
}

impl Workspace {
    /// Starts an empty journal. The `clear` step that begins every lesson calls it, so only a
    /// database a lesson set up records anything.
    pub(in crate::workspace) fn start_journal(&self) -> rusqlite::Result<()> {
        self.conn.execute_batch(META_DDL)?;
        self.conn.execute(
            "INSERT INTO _strata_meta (key, value) VALUES (?1, '') \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [JOURNAL_KEY],
        )?;
        Ok(())
    }

    /// What the journal holds; nothing when no lesson set the database up (or its journal
    /// cannot be read, which a check then simply does not find anything in).
    pub(in crate::workspace) fn journal(&self) -> Option<Vec<Entry>> {
        let text: String = self
            .conn
            .query_row(
                "SELECT value FROM _strata_meta WHERE key = ?1",
                [JOURNAL_KEY],
                |row| row.get(0),
            )
            .optional()
            .ok()
            .flatten()?;
        Some(Entry::parse(&text))
    }

    /// Adds `event` to the journal, if the database has one. Recording is bookkeeping beside
    /// what the visitor did, so a journal that cannot be written costs only the lesson's
    /// check that reads it, never the request.
    pub(in crate::workspace) fn record(&self, event: Event, detail: &str) {
        let entry = Entry {
            event,
            detail: detail.to_owned(),
        };
        // Appends a line to the journal, and only to one that exists.
        let _ = self.conn.execute(
            "UPDATE _strata_meta SET value = value || ?2 || char(10) WHERE key = ?1",
            [JOURNAL_KEY, entry.line().as_str()],
        );
    }

    /// Records what an upgrade came to: a failure, or nothing to run. An upgrade that asks
    /// first (it would lose data) has not happened yet and is not recorded.
    pub(in crate::workspace) fn record_upgrade(&self, outcome: Result<&Outcome, &str>) {
        match outcome {
            Err(error) => self.record(Event::UpgradeFailed, error),
            Ok(Outcome::Migrated { up: true, ids, .. }) if ids.is_empty() => {
                self.record(Event::NothingToUpgrade, "");
            }
            Ok(_) => {}
        }
    }

    /// Records a downgrade that reverted something: a lesson can be about a rollback, which
    /// leaves the schema as it was before the revision it reverted.
    pub(in crate::workspace) fn record_downgrade(&self, outcome: Result<&Outcome, &str>) {
        if let Ok(Outcome::Migrated { up: false, ids, .. }) = outcome {
            if ids.is_empty() {
                return;
            }
            let named: Vec<String> = ids
                .iter()
                .map(|id| {
                    let message = self.revisions.iter().find(|r| &r.id == id);
                    match message {
                        Some(r) => format!("{id} ({})", r.message),
                        None => id.clone(),
                    }
                })
                .collect();
            self.record(Event::Downgraded, &named.join(", "));
        }
    }

    /// Evaluates each condition of `lesson`, stage by stage (see the module's text). None of
    /// them writes, and one that cannot be evaluated (a query on a table that does not exist
    /// yet, revisions that cannot be read) does not pass; a stage not reached yet does not
    /// pass either. The only write is the journal's mark of a stage that passed.
    pub(in crate::workspace) fn check(&self, lesson: &str, conditions: &[Condition]) -> Vec<bool> {
        let mut passed = vec![false; conditions.len()];
        // Each group: the index of the Stage marker that opens it (none for the first), and
        // the indices of its conditions.
        let mut groups: Vec<(Option<usize>, Vec<usize>)> = vec![(None, Vec::new())];
        for (index, condition) in conditions.iter().enumerate() {
            match condition {
                Condition::Stage {} => groups.push((Some(index), Vec::new())),
                _ => groups.last_mut().expect("one group at least").1.push(index),
            }
        }
        let mut journal = self.journal().unwrap_or_default();
        for (stage, (marker, members)) in groups.iter().enumerate() {
            // The last stage is never kept as passed, so it is always what the state is now.
            let ends = stage_ends(&journal, lesson);
            let kept = ends.len().min(groups.len() - 1);
            if let Some(marker) = marker {
                passed[*marker] = stage <= kept;
            }
            if stage > kept {
                break;
            }
            if stage < kept {
                for &index in members {
                    passed[index] = true;
                }
                continue;
            }
            // Only what happened since the stage before this one passed counts for it.
            let since = stage.checked_sub(1).map_or(0, |before| ends[before]);
            let events = &journal[since..];
            for &index in members {
                passed[index] = self.holds(&conditions[index], events);
            }
            let last = stage + 1 == groups.len();
            if last || !members.iter().all(|&index| passed[index]) {
                break;
            }
            self.record(Event::StagePassed, &stage_mark(lesson, stage + 1));
            journal = self.journal().unwrap_or_default();
            // A database without a journal cannot keep the pass, so the next stage waits.
            if stage_ends(&journal, lesson).len() <= stage {
                break;
            }
        }
        passed
    }

    fn holds(&self, condition: &Condition, events: &[Entry]) -> bool {
        match condition {
            Condition::Sql(sql) => self.query_holds(sql),
            Condition::Applied { contains, lacks } => {
                let ups = self.applied_up_sql();
                let one_has_all = contains.is_empty()
                    || ups
                        .iter()
                        .any(|up| contains.iter().all(|f| up.contains(&tokens(f))));
                let none_has_any = !ups
                    .iter()
                    .any(|up| lacks.iter().any(|f| up.contains(&tokens(f))));
                one_has_all && none_has_any
            }
            Condition::NoDrift { except } => self.no_drift(except).unwrap_or(false),
            Condition::Happened { event, mentioning } => events.iter().any(|entry| {
                entry.event == *event
                    && mentioning
                        .as_deref()
                        .is_none_or(|text| entry.detail.contains(text))
            }),
            Condition::Descriptive {} => {
                !self.revisions.is_empty()
                    && self
                        .revisions
                        .iter()
                        .all(|r| r.is_merge() || strata_core::message::vague(&r.message).is_none())
            }
            Condition::Rollback {
                revision,
                keeps,
                except,
            } => self.rollback_holds(revision, keeps, except),
            Condition::Schema { model } => self.has_schema(model),
            Condition::Rows { sql, expect } => self.gives_rows(sql, expect),
            // Evaluated by `check`, which knows the stages before it.
            Condition::Stage {} => false,
        }
    }

    /// Runs the down SQL of `revision` (applied) inside a savepoint that is always rolled back,
    /// and answers whether it left the schema the revisions before it build (`except` aside)
    /// with `keeps` truthy. Nothing it does outlives the check.
    fn rollback_holds(&self, revision: &str, keeps: &str, except: &[String]) -> bool {
        let id = self.revision_named(revision);
        let Some(rev) = self.revisions.iter().find(|r| r.id == id) else {
            return false;
        };
        let mut before = self.applied_ids();
        if !before.remove(&id) {
            return false;
        }
        // A statement that ends a transaction would end the savepoint's too, and commit what
        // the rollback did; every stored revision passes this already, but the check does not
        // rely on it.
        if strata_core::atomicity::ensure(rev).is_err() {
            return false;
        }
        let Ok(graph) = self.graph() else {
            return false;
        };
        let current = graph.current(&before);
        let mut exclude: Vec<&str> = STRATA_TABLES.to_vec();
        exclude.extend(except.iter().map(String::as_str));
        if self
            .conn
            .execute_batch("SAVEPOINT strata_lesson_rollback")
            .is_err()
        {
            return false;
        }
        let held = self.conn.execute_batch(&rev.down).is_ok()
            && migrate::drift(&self.conn, &graph, &current, VERSION_TABLE, &exclude)
                .is_ok_and(|drift| drift.is_empty())
            && self.query_holds(keeps);
        let undone = self
            .conn
            .execute_batch("ROLLBACK TO strata_lesson_rollback; RELEASE strata_lesson_rollback");
        held && undone.is_ok()
    }

    /// A read-only query whose first value is truthy.
    fn query_holds(&self, sql: &str) -> bool {
        let Ok(mut stmt) = self.conn.prepare(sql) else {
            return false;
        };
        if !stmt.readonly() {
            return false;
        }
        stmt.query_row([], |row| Ok(row.get_ref(0).map(truthy).unwrap_or(false)))
            .unwrap_or(false)
    }

    pub(in crate::workspace) fn applied_ids(&self) -> BTreeSet<String> {
        migrate::applied(&self.conn, VERSION_TABLE)
            .map(|rows| rows.into_iter().map(|r| r.version).collect())
            .unwrap_or_default()
    }

    /// The up SQL of every applied revision, as tokens (see [`tokens`]).
    fn applied_up_sql(&self) -> Vec<String> {
        let applied = self.applied_ids();
        self.revisions
            .iter()
            .filter(|r| applied.contains(&r.id))
            .map(|r| tokens(&r.up))
            .collect()
    }

    /// Whether the live schema (strata's tables and `except` left out) is exactly the one the
    /// applied revisions build: `migrate::drift`, the comparison `strata check` makes.
    fn no_drift(&self, except: &[String]) -> Result<bool, String> {
        let graph = self.graph()?;
        let current = graph.current(&self.applied_ids());
        let mut exclude: Vec<&str> = STRATA_TABLES.to_vec();
        exclude.extend(except.iter().map(String::as_str));
        let drift = migrate::drift(&self.conn, &graph, &current, VERSION_TABLE, &exclude)
            .map_err(|e| e.to_string())?;
        Ok(drift.is_empty())
    }
}

/// SQL as SQLite reads it, one space between tokens and one at each end, comments dropped,
/// names unquoted and lower-cased: a fragment is found in it only on whole tokens.
fn tokens(sql: &str) -> String {
    format!(" {} ", strata_core::sql::normalize(sql))
}

fn truthy(value: ValueRef<'_>) -> bool {
    match value {
        ValueRef::Null => false,
        ValueRef::Integer(i) => i != 0,
        ValueRef::Real(r) => r != 0.0,
        ValueRef::Text(t) => !t.is_empty() && t != b"0",
        ValueRef::Blob(b) => !b.is_empty(),
    }
}
