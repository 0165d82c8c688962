//! The statements of one table's change as plan steps: native `ALTER TABLE`s, table renames
//! (parking a name when renames form a chain or a cycle), and the generalized table rebuild,
//! each statement of which is a step that says which part of the rebuild it is.

use std::collections::{BTreeMap, BTreeSet};

use super::rebuild_decision::{inline_check_column, renames_in_place};
use super::{PlanOptions, RebuildPart, Step, StepKind};
use crate::diff::{TableChange, TableDiff};
use crate::render;
use crate::schema::*;
use crate::sql::{quote, quote_str};

/// Builds the plan's steps, in the order `plan` asks for them.
pub(super) struct Planner<'a> {
    pub(super) from: &'a Schema,
    pub(super) opts: &'a PlanOptions,
    pub(super) steps: Vec<Step>,
}

/// The rebuild under way: the change it carries out, its comment, the table and its temporary.
struct Rebuilding<'a> {
    change: usize,
    comment: &'a str,
    table: &'a str,
    temp: &'a str,
}

impl Planner<'_> {
    pub(super) fn push(&mut self, change: usize, comment: String, sql: String, data_loss: Option<String>, kind: StepKind) {
        self.steps.push(Step { sql, comment, change, data_loss, kind });
    }

    /// A step that loses nothing.
    pub(super) fn ddl(&mut self, change: usize, comment: String, sql: String, kind: StepKind) {
        self.push(change, comment, sql, None, kind);
    }

    /// One statement of a rebuild.
    fn rebuild_step(&mut self, r: &Rebuilding, sql: String, data_loss: Option<String>, part: RebuildPart) {
        let kind = StepKind::Rebuild { table: r.table.to_owned(), temp: r.temp.to_owned(), part };
        self.push(r.change, r.comment.to_owned(), sql, data_loss, kind);
    }

    /// `dropped` tables are gone by now (drops run first), so their names are free.
    pub(super) fn rename_tables(&mut self, renames: &[(usize, String, String)], dropped: &BTreeSet<String>) {
        let mut pending: Vec<(usize, String, String)> = renames.to_vec();
        let mut live: BTreeSet<String> = self.from.tables.keys().filter(|k| !dropped.contains(*k)).cloned().collect();
        // Each parking frees a name, so a bounded number of rounds resolves any chain or cycle;
        // the bound only guards against a schema that is inconsistent to begin with.
        let mut rounds = 0;
        while !pending.is_empty() {
            rounds += 1;
            let stuck = rounds > 4 * renames.len() + 4;
            let ready = pending.iter().position(|(_, _, b)| stuck || !live.contains(&key(b)));
            let (ci, a, b) = match ready {
                Some(i) => pending.remove(i),
                None => {
                    // Every target name is taken by another table waiting to move: park one.
                    let (ci, a, b) = pending.remove(0);
                    let tmp = format!("{}{}", self.opts.temp_prefix, a);
                    self.ddl(ci, format!("rename table {a} to {b} (via a temporary name)"), format!("ALTER TABLE {} RENAME TO {}", quote(&a), quote(&tmp)), StepKind::RenameTable { from: a.clone(), to: tmp.clone() });
                    live.remove(&key(&a));
                    live.insert(key(&tmp));
                    pending.push((ci, tmp, b));
                    continue;
                }
            };
            self.ddl(ci, format!("rename table {a} to {b}"), format!("ALTER TABLE {} RENAME TO {}", quote(&a), quote(&b)), StepKind::RenameTable { from: a.clone(), to: b.clone() });
            live.remove(&key(&a));
            live.insert(key(&b));
        }
    }

    pub(super) fn alter_in_place(&mut self, ci: usize, d: &TableDiff) {
        let t = quote(&d.to.name);
        for c in &d.changes {
            if let TableChange::RenameColumn { from, to } = c {
                self.ddl(
                    ci,
                    format!("rename column {}.{from} to {to}", d.to.name),
                    format!("ALTER TABLE {t} RENAME COLUMN {} TO {}", quote(from), quote(to)),
                    StepKind::RenameColumn { table: d.to.name.to_string(), from: from.clone(), to: to.clone() },
                );
            }
        }
        for c in &d.changes {
            if let TableChange::AddColumn(col) = c {
                let fk = d.to.foreign_keys.iter().find(|f| f.columns.len() == 1 && f.columns[0].eq_ignore_ascii_case(&col.name));
                let is_added = |n: &str| n.eq_ignore_ascii_case(&col.name);
                let checks = d
                    .changes
                    .iter()
                    .filter_map(|x| if let TableChange::AddCheck(ch) = x { Some(ch) } else { None })
                    .filter(|ch| inline_check_column(ch, &d.to, &is_added).is_some())
                    .collect();
                let inline = render::Inline { primary_key: None, foreign_key: fk, checks };
                self.ddl(
                    ci,
                    format!("add column {}.{}", d.to.name, col.name),
                    format!("ALTER TABLE {t} ADD COLUMN {}", render::column_def(col, &inline)),
                    StepKind::AddColumn { table: d.to.name.to_string(), column: col.name.to_string() },
                );
            }
        }
        // Drops come last: a table may not lose its last column, and new columns never share a
        // name with dropped ones (that would be a modified column).
        for c in &d.changes {
            if let TableChange::DropColumn(col) = c {
                self.push(
                    ci,
                    format!("drop column {}.{}", d.to.name, col.name),
                    format!("ALTER TABLE {t} DROP COLUMN {}", quote(&col.name)),
                    Some(format!("the values of column {}.{} are deleted", d.to.name, col.name)),
                    StepKind::DropColumn { table: d.to.name.to_string(), column: col.name.to_string() },
                );
            }
        }
    }

    /// The generalized ALTER TABLE procedure: create the new shape under a temporary name, copy
    /// every row (rowids and the AUTOINCREMENT counter included), drop the old table and move the
    /// new one into its place. Indexes, triggers and views are recreated by the caller.
    pub(super) fn rebuild(&mut self, ci: usize, d: &TableDiff) {
        let name = &d.to.name;
        let tmp = format!("{}{}", self.opts.temp_prefix, name);
        let why = if d.changes.is_empty() {
            "its foreign key follows a parent column renamed by copying".to_string()
        } else {
            d.changes.iter().map(|c| c.describe()).collect::<Vec<_>>().join("; ")
        };
        let comment = format!("rebuild table {name} ({why})");
        // Renamed columns are renamed in place first where SQLite can: RENAME COLUMN also
        // rewrites the foreign keys of child tables, which a copy under new names would leave
        // pointing at a column that no longer exists.
        let rename_first = renames_in_place(d, self.opts);
        if rename_first {
            for c in &d.changes {
                if let TableChange::RenameColumn { from, to } = c {
                    self.ddl(
                        ci,
                        format!("rename column {name}.{from} to {to}"),
                        format!("ALTER TABLE {} RENAME COLUMN {} TO {}", quote(&d.from.name), quote(from), quote(to)),
                        StepKind::RenameColumn { table: d.from.name.to_string(), from: from.clone(), to: to.clone() },
                    );
                }
            }
        }
        let r = Rebuilding { change: ci, comment: &comment, table: name, temp: &tmp };
        self.rebuild_step(&r, render::create_table(&d.to, &tmp), None, RebuildPart::CreateTemp);

        let renamed: BTreeMap<String, &str> = d
            .changes
            .iter()
            .filter_map(|c| if let TableChange::RenameColumn { from, to } = c { Some((key(to), from.as_str())) } else { None })
            .collect();
        // A column renamed away leaves its old name free for a new column, which starts empty.
        let renamed_away: BTreeSet<String> = renamed.values().map(|f| key(f)).collect();
        let rowid_name = ["rowid", "_rowid_", "oid"]
            .into_iter()
            .find(|r| d.from.column(r).is_none() && d.to.column(r).is_none());
        let has_rowid = |t: &Table| !t.without_rowid;
        let alias = d.to.rowid_alias().map(|c| key(&c.name));
        let mut into = Vec::new();
        let mut select = Vec::new();
        for col in &d.to.columns {
            if col.generated.is_some() {
                continue;
            }
            let src_name = renamed.get(&key(&col.name)).copied().unwrap_or(&col.name);
            let taken_over = !renamed.contains_key(&key(&col.name)) && renamed_away.contains(&key(&col.name));
            let src = match d.from.column(src_name).filter(|_| !taken_over) {
                Some(s) => Some((quote(if rename_first { &col.name } else { &s.name }), s.not_null || s.generated.is_some())),
                // A new INTEGER PRIMARY KEY takes the old rowids, so row identities survive.
                None if alias.as_deref() == Some(&key(&col.name)) && has_rowid(&d.from) => rowid_name.map(|r| (r.to_string(), true)),
                None => None,
            };
            let Some((expr, src_not_null)) = src else { continue };
            into.push(quote(&col.name));
            select.push(match (&col.default, col.not_null && !src_not_null) {
                (Some(def), true) => format!("COALESCE({expr}, {})", def.as_str().trim()),
                _ => expr,
            });
        }
        if has_rowid(&d.from) && has_rowid(&d.to) && alias.is_none() {
            if let Some(r) = rowid_name {
                into.insert(0, r.to_string());
                select.insert(0, r.to_string());
            }
        }
        let lost: Vec<String> = d
            .changes
            .iter()
            .filter_map(|c| if let TableChange::DropColumn(c) = c { Some(c.name.to_string()) } else { None })
            .collect();
        if !into.is_empty() {
            let copy = format!("INSERT INTO {} ({}) SELECT {} FROM {}", quote(&tmp), into.join(", "), select.join(", "), quote(&d.from.name));
            self.rebuild_step(&r, copy, None, RebuildPart::CopyRows);
        }
        let autoinc = |t: &Table| t.primary_key.as_ref().is_some_and(|pk| pk.autoincrement);
        if autoinc(&d.to) && autoinc(&d.from) {
            self.rebuild_step(&r, format!("DELETE FROM sqlite_sequence WHERE name = {}", quote_str(&tmp)), None, RebuildPart::Sequence);
            let counter = format!("INSERT INTO sqlite_sequence (name, seq) SELECT {}, seq FROM sqlite_sequence WHERE name = {}", quote_str(&tmp), quote_str(&d.from.name));
            self.rebuild_step(&r, counter, None, RebuildPart::Sequence);
        }
        let loss = (!lost.is_empty()).then(|| format!("the values of column(s) {} of table {name} are deleted", lost.join(", ")));
        self.rebuild_step(&r, format!("DROP TABLE {}", quote(&d.from.name)), loss, RebuildPart::DropOld);
        self.rebuild_step(&r, format!("ALTER TABLE {} RENAME TO {}", quote(&tmp), quote(name)), None, RebuildPart::RenameTemp);
    }
}
