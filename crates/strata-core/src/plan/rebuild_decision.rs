//! Whether a table's change is made in place (`ALTER TABLE`) or by the generalized table
//! rebuild: one predicate, [`needs_rebuild`], and the restrictions of SQLite's native forms it
//! weighs (rowid names, WITHOUT ROWID keys, what a dropped column is still named by).

use std::collections::{HashMap, HashSet};

use super::PlanOptions;
use crate::diff::{TableChange, TableDiff};
use crate::schema::*;
use crate::sql;

/// The one place that decides between `ALTER TABLE` and a rebuild: true when a change has no
/// native form on this SQLite version, or the native form's restrictions rule it out.
/// `gone` holds the keys of indexes, views and triggers the plan drops first.
pub fn needs_rebuild(d: &TableDiff, live: &Schema, gone: &HashSet<String>, opts: &PlanOptions) -> bool {
    rebuild_decision(d, live, gone, &Lookups::of(live), opts)
}

/// What the rebuild decision looks up in the live schema, gathered once per plan: asking every
/// table and every index for every dropped column made a plan that drops columns from many
/// tables grow with the square of the schema.
pub(super) struct Lookups<'a> {
    /// (table, column) keys some foreign key references by name.
    referenced: HashSet<(String, String)>,
    /// Table key → the indexes on it.
    indexes: HashMap<String, Vec<&'a Index>>,
}

impl<'a> Lookups<'a> {
    pub(super) fn of(live: &'a Schema) -> Self {
        let referenced =
            live.tables.values().flat_map(|t| t.foreign_keys.iter()).flat_map(|f| f.ref_columns.iter().map(move |c| (key(&f.ref_table), key(c)))).collect();
        let mut indexes: HashMap<String, Vec<&Index>> = HashMap::new();
        for i in live.indexes.values() {
            indexes.entry(key(&i.table)).or_default().push(i);
        }
        Lookups { referenced, indexes }
    }
}

/// [`needs_rebuild`] with the live schema's lookups gathered already.
pub(super) fn rebuild_decision(d: &TableDiff, live: &Schema, gone: &HashSet<String>, lookups: &Lookups, opts: &PlanOptions) -> bool {
    let v = opts.sqlite_version;
    let added: Vec<&Column> =
        d.changes.iter().filter_map(|c| if let TableChange::AddColumn(c) = c { Some(c) } else { None }).collect();
    let is_added = |name: &str| added.iter().any(|c| c.name.eq_ignore_ascii_case(name));
    // A rename onto the name of a column this change drops cannot be done in place.
    let dropped = |name: &str| d.changes.iter().any(|c| matches!(c, TableChange::DropColumn(x) if x.name == *name));
    d.changes.iter().any(|c| match c {
        TableChange::RenameColumn { to, .. } if dropped(to) => true,
        TableChange::AddColumn(col) => !can_add_column(col, &d.to) || is_rowid_name(&col.name),
        TableChange::DropColumn(col) => v < (3, 35, 0) || is_rowid_name(&col.name) || !can_drop_column(col, &d.from, live, gone, lookups),
        TableChange::RenameColumn { from, to } => v < (3, 25, 0) || !can_rename_column(&d.from, from) || is_rowid_name(to),
        TableChange::AddForeignKey(fk) => {
            !(fk.columns.len() == 1 && is_added(&fk.columns[0]) && {
                let col = d.to.column(&fk.columns[0]).unwrap();
                col.default.as_ref().is_none_or(|x| x.normalized() == "null")
                    && d.to.foreign_keys.iter().filter(|f| f.columns[0].eq_ignore_ascii_case(&col.name) && f.columns.len() == 1).count() == 1
            })
        }
        TableChange::AddCheck(ch) => inline_check_column(ch, &d.to, &is_added).is_none(),
        _ => true,
    })
}

/// The added column a new CHECK can be written on, if it mentions that column and no other.
pub(super) fn inline_check_column<'a>(ch: &Check, to: &'a Table, is_added: &dyn Fn(&str) -> bool) -> Option<&'a Column> {
    let mentioned: Vec<&Column> = to.columns.iter().filter(|c| sql::mentions(ch.expr.as_str(), &c.name)).collect();
    (mentioned.len() == 1 && is_added(&mentioned[0].name)).then(|| mentioned[0])
}

/// Whether a rebuilt table's renamed columns can be renamed in place before the copy.
pub(super) fn renames_in_place(d: &TableDiff, opts: &PlanOptions) -> bool {
    opts.sqlite_version >= (3, 25, 0)
        && d.changes.iter().all(|c| {
            !matches!(c, TableChange::RenameColumn { from, to } if !can_rename_column(&d.from, from) || is_rowid_name(to) || d.from.column(to).is_some())
        })
}

/// `ALTER TABLE RENAME COLUMN` works everywhere but one place: SQLite (3.40 to 3.54 at least)
/// fails with "no such column" when the column is the key of a WITHOUT ROWID table and also
/// part of a UNIQUE constraint.
/// Names SQLite reserves for the rowid: the bundled SQLite refuses native ADD, DROP and RENAME
/// COLUMN on a column that takes one of them, though CREATE TABLE accepts it.
fn is_rowid_name(name: &str) -> bool {
    ["rowid", "_rowid_", "oid"].iter().any(|r| r.eq_ignore_ascii_case(name))
}

fn can_rename_column(table: &Table, column: &str) -> bool {
    let in_pk = table.primary_key.as_ref().is_some_and(|pk| pk.columns.iter().any(|p| p.name == *column));
    let in_unique = table.uniques.iter().any(|u| u.columns.iter().any(|p| p.name == *column));
    !(is_rowid_name(column) || (table.without_rowid && in_pk && in_unique))
}

/// `ALTER TABLE ADD COLUMN` restrictions (sqlite.org/lang_altertable.html).
fn can_add_column(col: &Column, to: &Table) -> bool {
    let in_key = to.primary_key.as_ref().is_some_and(|pk| pk.columns.iter().any(|p| p.name.eq_ignore_ascii_case(&col.name)))
        || to.uniques.iter().any(|u| u.columns.iter().any(|p| p.name.eq_ignore_ascii_case(&col.name)));
    let default_ok = match &col.default {
        None => !col.not_null,
        Some(d) => {
            let n = d.normalized();
            let constant = !d.as_str().trim_start().starts_with('(')
                && !matches!(n.as_str(), "current_time" | "current_date" | "current_timestamp");
            constant && !(col.not_null && n == "null")
        }
    };
    let generated_ok = col.generated.as_ref().is_none_or(|g| !g.stored);
    // A generated column needs no default; NOT NULL on one is checked against existing rows.
    let default_ok = default_ok || (col.generated.is_some() && col.default.is_none());
    !in_key && default_ok && generated_ok
}

/// `ALTER TABLE DROP COLUMN` restrictions: the column may not be part of a key, index, check,
/// foreign key, generated column, view or trigger.
fn can_drop_column(col: &Column, table: &Table, live: &Schema, gone: &HashSet<String>, lookups: &Lookups) -> bool {
    let name = &col.name;
    let stays = |n: &Name| !gone.contains(&key(n));
    !table.constraints_mention(name)
        && !lookups.indexes.get(&key(&table.name)).into_iter().flatten().filter(|i| stays(&i.name)).any(|i| {
            i.parts.iter().any(|p| sql::mentions(p.expr.as_str(), name))
                || i.where_clause.as_ref().is_some_and(|w| sql::mentions(w.as_str(), name))
        })
        && !live.views.values().filter(|v| stays(&v.name)).any(|v| sql::mentions(v.select.as_str(), name))
        && !live.triggers.values().filter(|t| stays(&t.name)).any(|t| sql::mentions(t.sql.as_str(), name))
        && !lookups.referenced.contains(&(key(&table.name), key(name)))
}
