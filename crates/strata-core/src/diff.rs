//! The diff: what differs between two schemas, as a list of changes. Pure: no I/O, no SQL.
//!
//! Renames are applied only when asked for (annotation or hint); otherwise a gone column and a
//! new one of a compatible type are offered as a [`RenameCandidate`] and stay a drop and an add.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::schema::*;
use crate::sql;

/// A rename the user asked for. Renames are never guessed: they come from annotations in the
/// model or from explicit hints (`--rename`, a confirmed prompt).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rename {
    Table { from: String, to: String },
    /// `table` is the table's name in the model (after any table rename).
    Column { table: String, from: String, to: String },
    Index { from: String, to: String },
}

impl Rename {
    /// The same rename seen from the other side, for the down direction. A reversed column
    /// rename still names its table by the up side's name; `diff` accepts either name of a
    /// table renamed in the same set.
    pub fn reversed(&self) -> Rename {
        match self {
            Rename::Table { from, to } => Rename::Table { from: to.clone(), to: from.clone() },
            Rename::Column { table, from, to } => Rename::Column { table: table.clone(), from: to.clone(), to: from.clone() },
            Rename::Index { from, to } => Rename::Index { from: to.clone(), to: from.clone() },
        }
    }

    /// Parses the CLI form `TABLE=NEW` (table rename) or `TABLE.OLD=NEW` (column rename).
    pub fn parse_hint(s: &str) -> Option<Rename> {
        let (lhs, to) = s.split_once('=')?;
        let to = to.trim().to_string();
        match lhs.split_once('.') {
            Some((table, from)) => Some(Rename::Column { table: table.trim().into(), from: from.trim().into(), to }),
            None => Some(Rename::Table { from: lhs.trim().into(), to }),
        }
    }
}

/// A parsed model: the schema it describes and the renames it announces, the desired side of
/// a diff.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Model {
    pub schema: Schema,
    pub renames: Vec<Rename>,
}

/// One difference between two schemas.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
// A change list is short-lived and small next to the schemas it describes; boxing the larger
// variants would only add indirection to every match.
#[allow(clippy::large_enum_variant)]
pub enum Change {
    AddTable(Table),
    DropTable(Table),
    RenameTable { from: String, to: String },
    ModifyTable(TableDiff),
    AddIndex(Index),
    DropIndex(Index),
    AddView(View),
    DropView(View),
    AddTrigger(Trigger),
    DropTrigger(Trigger),
}

/// Changes inside one table. `from` is the table as it stands when these changes start (after
/// a table rename, before column renames); `to` is the desired table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableDiff {
    pub from: Table,
    pub to: Table,
    pub changes: Vec<TableChange>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum TableChange {
    AddColumn(Column),
    DropColumn(Column),
    RenameColumn { from: String, to: String },
    ModifyColumn { from: Column, to: Column, changed: ColumnChanges },
    SetPrimaryKey { from: Option<PrimaryKey>, to: Option<PrimaryKey> },
    AddUnique(Unique),
    DropUnique(Unique),
    AddCheck(Check),
    DropCheck(Check),
    AddForeignKey(ForeignKey),
    DropForeignKey(ForeignKey),
    SetStrict(bool),
    SetWithoutRowid(bool),
}

/// Which properties of a column differ.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnChanges {
    pub decl_type: bool,
    pub not_null: bool,
    pub default: bool,
    pub collate: bool,
    pub generated: bool,
}

impl ColumnChanges {
    pub fn between(a: &Column, b: &Column) -> Self {
        ColumnChanges {
            decl_type: a.decl_type != b.decl_type,
            not_null: a.not_null != b.not_null,
            default: a.default != b.default,
            collate: a.collate != b.collate,
            generated: a.generated != b.generated,
        }
    }
    pub fn any(&self) -> bool {
        self.decl_type || self.not_null || self.default || self.collate || self.generated
    }
    /// The changed properties in words, for comments and messages.
    pub fn describe(&self) -> String {
        let mut v = Vec::new();
        for (on, what) in [
            (self.decl_type, "type"),
            (self.not_null, "nullability"),
            (self.default, "default"),
            (self.collate, "collation"),
            (self.generated, "generated definition"),
        ] {
            if on {
                v.push(what);
            }
        }
        v.join(", ")
    }
}

/// A rename the diff suspects but did not perform.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenameCandidate {
    pub rename: Rename,
    /// The question to ask the user, e.g. "did you rename users.email to users.email_address?".
    pub question: String,
}

/// The result of a diff: the changes, and the renames it could offer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diff {
    pub changes: Vec<Change>,
    pub rename_candidates: Vec<RenameCandidate>,
    /// Renames asked for that did not apply (their old name is gone or their new one exists),
    /// kept so that callers can tell the user.
    pub ignored_renames: Vec<Rename>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// What it takes to turn `from` into `to`, given the renames the user confirmed. Index renames
/// need nothing here: SQLite cannot rename an index, and its drop and create carry no data.
pub fn diff(from: &Schema, to: &Schema, renames: &[Rename]) -> Diff {
    let mut out = Diff::default();
    // The schema as confirmed renames leave it; copied only when there are renames to apply.
    let mut cur: Cow<Schema> = Cow::Borrowed(from);

    // Table renames first: everything after compares against the renamed schema.
    // Table renames applied, old key -> new name: a column rename may name its table either way.
    let mut table_moves: BTreeMap<String, String> = BTreeMap::new();
    // Whether another rename in the set moves `name` away, so it is not in the way.
    let moves_away = |name: &str, table: Option<&str>| {
        renames.iter().any(|r| match (r, table) {
            (Rename::Table { from, .. }, None) => from.eq_ignore_ascii_case(name),
            (Rename::Column { table: t, from, .. }, Some(tb)) => t.eq_ignore_ascii_case(tb) && from.eq_ignore_ascii_case(name),
            _ => false,
        })
    };
    // Tables displaced by a rename onto their name ("rename b to b_old, rename a to b" on the
    // way down of "rename a to b, add a new a"): they are dropped first.
    let mut displaced: Vec<Table> = Vec::new();
    for r in renames {
        if let Rename::Table { from: a, to: b } = r {
            // The old name may be taken again by a new table ("rename a to b, add a new a"), and
            // the new name may be held by a table that goes away.
            // A table already holding the new name is displaced only when the old name goes
            // away in the target; otherwise the rename has already happened.
            let free = cur.table(b).is_none() || (to.table(a).is_none() && !moves_away(b, None) && !a.eq_ignore_ascii_case(b));
            let ok = cur.table(a).is_some() && free && to.table(b).is_some();
            if ok {
                if let Some(old) = cur.table(b).cloned() {
                    let s = cur.to_mut();
                    s.tables.remove(&key(b));
                    s.indexes.retain(|_, i| !i.table.eq_ignore_ascii_case(b));
                    s.triggers.retain(|_, t| !t.table.eq_ignore_ascii_case(b));
                    displaced.push(old);
                }
                table_moves.insert(key(a), b.clone());
                rename_table(cur.to_mut(), a, b);
                out.changes.push(Change::RenameTable { from: cur_name(from, a), to: to.table(b).unwrap().name.to_string() });
            } else {
                out.ignored_renames.push(r.clone());
            }
        }
    }
    let after_table_renames = cur.clone();
    let mut col_renames: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    // Columns displaced by a rename onto their name, per table: dropped by the same change.
    let mut displaced_cols: BTreeMap<String, Vec<Column>> = BTreeMap::new();
    for r in renames {
        if let Rename::Column { table, from: a, to: b } = r {
            let table = match table_moves.get(&key(table)) {
                Some(moved) if to.table(table).is_none() => moved,
                _ => table,
            };
            let ok = match (cur.table(table), to.table(table)) {
                (Some(ct), Some(tt)) => {
                    let free = ct.column(b).is_none() || (tt.column(a).is_none() && !moves_away(b, Some(table)) && !a.eq_ignore_ascii_case(b));
                    ct.column(a).is_some() && free && tt.column(b).is_some()
                }
                _ => false,
            };
            if ok {
                if let Some(old) = cur.table(table).unwrap().column(b).cloned() {
                    let t = cur.to_mut().tables.get_mut(&key(table)).unwrap();
                    t.columns.retain(|c| !c.name.eq_ignore_ascii_case(b));
                    displaced_cols.entry(key(table)).or_default().push(old);
                }
                let a_name = cur.table(table).unwrap().column(a).unwrap().name.clone();
                let b_name = to.table(table).unwrap().column(b).unwrap().name.clone();
                rename_column(cur.to_mut(), table, &a_name, &b_name);
                col_renames.entry(key(table)).or_default().push((a_name.to_string(), b_name.to_string()));
            } else {
                out.ignored_renames.push(r.clone());
            }
        }
    }

    // Tables.
    let mut dropped_tables = Vec::new();
    let mut added_tables = Vec::new();
    for (k, t) in &to.tables {
        match cur.tables.get(k) {
            None => added_tables.push(t.clone()),
            Some(c) => {
                let mut changes: Vec<TableChange> =
                    displaced_cols.get(k).into_iter().flatten().map(|c| TableChange::DropColumn(c.clone())).collect();
                changes.extend(
                    col_renames.get(k).into_iter().flatten().map(|(a, b)| TableChange::RenameColumn { from: a.clone(), to: b.clone() }),
                );
                table_changes(c, t, &mut changes);
                if !changes.is_empty() {
                    for (drop, add) in column_candidates(&changes) {
                        out.rename_candidates.push(RenameCandidate {
                            question: format!(
                                "did you rename {t}.{a} to {t}.{b}?",
                                t = t.name,
                                a = drop.name,
                                b = add.name
                            ),
                            rename: Rename::Column { table: t.name.to_string(), from: drop.name.to_string(), to: add.name.to_string() },
                        });
                    }
                    let from_table = after_table_renames.tables[k].clone();
                    out.changes.push(Change::ModifyTable(TableDiff { from: from_table, to: t.clone(), changes }));
                }
            }
        }
    }
    dropped_tables.extend(displaced);
    for (k, t) in &cur.tables {
        if !to.tables.contains_key(k) {
            dropped_tables.push(t.clone());
        }
    }
    for d in &dropped_tables {
        for a in &added_tables {
            if same_columns(d, a) {
                out.rename_candidates.push(RenameCandidate {
                    question: format!("did you rename table {} to {}?", d.name, a.name),
                    rename: Rename::Table { from: d.name.to_string(), to: a.name.to_string() },
                });
            }
        }
    }
    let dropped_keys: Vec<String> = dropped_tables.iter().map(|t| key(&t.name)).collect();
    let on_dropped = |table: &str| dropped_keys.contains(&key(table));
    out.changes.extend(added_tables.into_iter().map(Change::AddTable));
    out.changes.extend(dropped_tables.into_iter().map(Change::DropTable));

    // Indexes, views and triggers: any difference is a drop and a create.
    compare_objects(&cur.indexes, &to.indexes, &mut out.changes, |i| !on_dropped(&i.table), Change::DropIndex, Change::AddIndex);
    compare_objects(&cur.views, &to.views, &mut out.changes, |_| true, Change::DropView, Change::AddView);
    compare_objects(&cur.triggers, &to.triggers, &mut out.changes, |t| !on_dropped(&t.table), Change::DropTrigger, Change::AddTrigger);
    out
}

fn cur_name(s: &Schema, name: &str) -> String {
    s.table(name).map_or_else(|| name.to_string(), |t| t.name.to_string())
}

fn compare_objects<T: Clone + PartialEq>(
    from: &BTreeMap<String, T>,
    to: &BTreeMap<String, T>,
    out: &mut Vec<Change>,
    needs_drop: impl Fn(&T) -> bool,
    drop: impl Fn(T) -> Change,
    add: impl Fn(T) -> Change,
) {
    for (k, old) in from {
        if to.get(k) != Some(old) && needs_drop(old) {
            out.push(drop(old.clone()));
        }
    }
    for (k, new) in to {
        if from.get(k) != Some(new) {
            out.push(add(new.clone()));
        }
    }
}

/// The structural differences of one table whose columns are already renamed.
fn table_changes(a: &Table, b: &Table, out: &mut Vec<TableChange>) {
    for col in &b.columns {
        match a.column(&col.name) {
            None => out.push(TableChange::AddColumn(col.clone())),
            Some(old) => {
                let changed = ColumnChanges::between(old, col);
                if changed.any() {
                    out.push(TableChange::ModifyColumn { from: old.clone(), to: col.clone(), changed });
                }
            }
        }
    }
    for col in &a.columns {
        if b.column(&col.name).is_none() {
            out.push(TableChange::DropColumn(col.clone()));
        }
    }
    if a.primary_key != b.primary_key {
        out.push(TableChange::SetPrimaryKey { from: a.primary_key.clone(), to: b.primary_key.clone() });
    }
    set_diff(&a.uniques, &b.uniques, out, TableChange::DropUnique, TableChange::AddUnique);
    set_diff(&a.checks, &b.checks, out, TableChange::DropCheck, TableChange::AddCheck);
    set_diff(&a.foreign_keys, &b.foreign_keys, out, TableChange::DropForeignKey, TableChange::AddForeignKey);
    if a.strict != b.strict {
        out.push(TableChange::SetStrict(b.strict));
    }
    if a.without_rowid != b.without_rowid {
        out.push(TableChange::SetWithoutRowid(b.without_rowid));
    }
}

fn set_diff<T: Clone + PartialEq>(
    a: &[T],
    b: &[T],
    out: &mut Vec<TableChange>,
    drop: impl Fn(T) -> TableChange,
    add: impl Fn(T) -> TableChange,
) {
    // Copies count: SQLite keeps a constraint written twice (two autoindexes for a doubled
    // UNIQUE), so equality compares multisets and the diff must too.
    let count = |list: &[T], x: &T| list.iter().filter(|y| *y == x).count();
    for (i, x) in a.iter().enumerate() {
        if a[..i].contains(x) {
            continue;
        }
        for _ in count(b, x)..count(a, x) {
            out.push(drop(x.clone()));
        }
    }
    for (i, x) in b.iter().enumerate() {
        if b[..i].contains(x) {
            continue;
        }
        for _ in count(a, x)..count(b, x) {
            out.push(add(x.clone()));
        }
    }
}

/// Dropped and added columns of one table that could be one column renamed: same affinity.
fn column_candidates(changes: &[TableChange]) -> Vec<(&Column, &Column)> {
    let drops = changes.iter().filter_map(|c| if let TableChange::DropColumn(c) = c { Some(c) } else { None });
    let adds: Vec<&Column> =
        changes.iter().filter_map(|c| if let TableChange::AddColumn(c) = c { Some(c) } else { None }).collect();
    let mut out = Vec::new();
    for d in drops {
        for a in &adds {
            if d.affinity() == a.affinity() && d.generated.is_none() && a.generated.is_none() {
                out.push((d, *a));
            }
        }
    }
    // The likeliest rename first: the pair whose names share the longest run of characters
    // (email -> email_address before email -> phone).
    out.sort_by_key(|(d, a)| std::cmp::Reverse(shared_run(&d.name.to_ascii_lowercase(), &a.name.to_ascii_lowercase())));
    out
}

/// Length of the longest run of characters two names have in common.
fn shared_run(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut best = 0;
    let mut prev = vec![0usize; b.len() + 1];
    for x in a {
        let mut cur = vec![0usize; b.len() + 1];
        for (j, y) in b.iter().enumerate() {
            if x == y {
                cur[j + 1] = prev[j] + 1;
                best = best.max(cur[j + 1]);
            }
        }
        prev = cur;
    }
    best
}

fn same_columns(a: &Table, b: &Table) -> bool {
    a.columns.len() == b.columns.len()
        && a.columns.iter().all(|c| b.column(&c.name).is_some_and(|d| d.decl_type == c.decl_type))
}

/// Renames a table everywhere it is referred to, as SQLite's `ALTER TABLE ... RENAME TO` does.
pub fn rename_table(s: &mut Schema, from: &str, to: &str) {
    if let Some(mut t) = s.tables.remove(&key(from)) {
        t.name = to.into();
        s.add_table(t);
    }
    for t in s.tables.values_mut() {
        for fk in &mut t.foreign_keys {
            if fk.references(from) {
                fk.ref_table = to.into();
            }
        }
        for c in &mut t.checks {
            c.expr = Sql::new(sql::rename_ident(c.expr.as_str(), from, to));
        }
    }
    for i in s.indexes.values_mut() {
        if i.table.eq_ignore_ascii_case(from) {
            i.table = to.into();
        }
    }
    rename_in_views_and_triggers(s, from, to, true);
}

fn rename_in_views_and_triggers(s: &mut Schema, from: &str, to: &str, is_table: bool) {
    for v in s.views.values_mut() {
        if sql::mentions(v.select.as_str(), from) {
            v.select = Sql::new(sql::rename_ident(v.select.as_str(), from, to));
        }
    }
    for t in s.triggers.values_mut() {
        if is_table && t.table.eq_ignore_ascii_case(from) {
            t.table = to.into();
        }
        if sql::mentions(t.sql.as_str(), from) {
            // The trigger's own name is never the renamed object, so rewriting names is safe
            // except for it: keep the name token as it was.
            let renamed = sql::rename_ident(t.sql.as_str(), from, to);
            t.sql = Sql::new(renamed);
        }
    }
}

/// Renames a column of `table` everywhere it is referred to, as `ALTER TABLE ... RENAME COLUMN`
/// does (expressions are rewritten by name, which may touch a same-named column elsewhere in a
/// view; the only effect of that is a view recreated that could have stayed).
pub fn rename_column(s: &mut Schema, table: &str, from: &str, to: &str) {
    let rn = |n: &mut Name| {
        if n.eq_ignore_ascii_case(from) {
            *n = to.into();
        }
    };
    if let Some(t) = s.tables.get_mut(&key(table)) {
        for c in &mut t.columns {
            rn(&mut c.name);
            if let Some(g) = &mut c.generated {
                g.expr = Sql::new(sql::rename_ident(g.expr.as_str(), from, to));
            }
        }
        if let Some(pk) = &mut t.primary_key {
            pk.columns.iter_mut().for_each(|p| rn(&mut p.name));
        }
        for u in &mut t.uniques {
            u.columns.iter_mut().for_each(|p| rn(&mut p.name));
        }
        for c in &mut t.checks {
            c.expr = Sql::new(sql::rename_ident(c.expr.as_str(), from, to));
        }
        for fk in &mut t.foreign_keys {
            fk.columns.iter_mut().for_each(rn);
            if fk.references(table) {
                fk.ref_columns.iter_mut().for_each(rn);
            }
        }
    }
    for t in s.tables.values_mut() {
        if t.name.eq_ignore_ascii_case(table) {
            continue;
        }
        for fk in &mut t.foreign_keys {
            if fk.references(table) {
                fk.ref_columns.iter_mut().for_each(rn);
            }
        }
    }
    for i in s.indexes.values_mut() {
        if i.table.eq_ignore_ascii_case(table) {
            for p in &mut i.parts {
                p.expr = Sql::new(sql::rename_ident(p.expr.as_str(), from, to));
            }
            if let Some(w) = &mut i.where_clause {
                *w = Sql::new(sql::rename_ident(w.as_str(), from, to));
            }
        }
    }
    rename_in_views_and_triggers(s, from, to, false);
}

impl Change {
    /// A one-line description, used as the comment above the statements a change becomes.
    pub fn describe(&self) -> String {
        match self {
            Change::AddTable(t) => format!("create table {}", t.name),
            Change::DropTable(t) => format!("drop table {}", t.name),
            Change::RenameTable { from, to } => format!("rename table {from} to {to}"),
            Change::ModifyTable(d) => {
                let parts: Vec<String> = d.changes.iter().map(|c| c.describe()).collect();
                format!("alter table {}: {}", d.to.name, parts.join("; "))
            }
            Change::AddIndex(i) => format!("create index {} on {}", i.name, i.table),
            Change::DropIndex(i) => format!("drop index {}", i.name),
            Change::AddView(v) => format!("create view {}", v.name),
            Change::DropView(v) => format!("drop view {}", v.name),
            Change::AddTrigger(t) => format!("create trigger {} on {}", t.name, t.table),
            Change::DropTrigger(t) => format!("drop trigger {}", t.name),
        }
    }
}

impl TableChange {
    pub fn describe(&self) -> String {
        match self {
            TableChange::AddColumn(c) => format!("add column {}", c.name),
            TableChange::DropColumn(c) => format!("drop column {}", c.name),
            TableChange::RenameColumn { from, to } => format!("rename column {from} to {to}"),
            TableChange::ModifyColumn { to, changed, .. } => format!("change {} of column {}", changed.describe(), to.name),
            TableChange::SetPrimaryKey { .. } => "change primary key".into(),
            TableChange::AddUnique(u) => format!("add unique ({})", join_parts(&u.columns)),
            TableChange::DropUnique(u) => format!("drop unique ({})", join_parts(&u.columns)),
            TableChange::AddCheck(c) => format!("add check ({})", c.expr),
            TableChange::DropCheck(c) => format!("drop check ({})", c.expr),
            TableChange::AddForeignKey(f) => format!("add foreign key ({}) to {}", f.columns.join(", "), f.ref_table),
            TableChange::DropForeignKey(f) => format!("drop foreign key ({}) to {}", f.columns.join(", "), f.ref_table),
            TableChange::SetStrict(on) => if *on { "make strict" } else { "make not strict" }.into(),
            TableChange::SetWithoutRowid(on) => if *on { "make WITHOUT ROWID" } else { "give a rowid" }.into(),
        }
    }
}

fn join_parts(p: &[KeyPart]) -> String {
    p.iter().map(|k| &*k.name).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rename_hint_syntax() {
        assert_eq!(Rename::parse_hint("users.email=email_address"), Some(Rename::Column { table: "users".into(), from: "email".into(), to: "email_address".into() }));
        assert_eq!(Rename::parse_hint("a=b"), Some(Rename::Table { from: "a".into(), to: "b".into() }));
        assert_eq!(Rename::parse_hint("nothing"), None);
    }
}
