//! The plan: how to carry out a diff on SQLite, as an ordered list of SQL statements. Pure: it
//! returns data and never touches a database.
//!
//! One predicate, [`needs_rebuild`], decides between native `ALTER TABLE` and the generalized
//! table rebuild of sqlite.org's ALTER TABLE page; one function, [`rebuild`], performs it.
//! Statements are ordered so that nothing refers to what does not exist yet: triggers and views
//! that depend on a changing table are dropped first and recreated last.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::diff::{Change, Diff, TableChange, TableDiff};
use crate::render;
use crate::schema::*;
use crate::sql::{self, quote};

mod rebuild_decision;
mod table_steps;

pub use rebuild_decision::needs_rebuild;
use rebuild_decision::{rebuild_decision, renames_in_place, Lookups};
use table_steps::Planner;

/// What the plan may assume and the names it may use, passed in so that output is deterministic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanOptions {
    /// The SQLite version the plan will run on; older versions lack some ALTER TABLE forms.
    pub sqlite_version: (u32, u32, u32),
    /// Prefix of the temporary table a rebuild fills before it takes the table's place.
    pub temp_prefix: String,
}

/// The oldest SQLite with every `ALTER TABLE` form a plan uses (DROP COLUMN came in 3.35): what a
/// plan assumes unless told otherwise. The core links no SQLite, so it cannot ask; strata-engine
/// links a newer one and checks that it is (`sqlite_version`), and a plan for an older SQLite
/// says which in [`PlanOptions::sqlite_version`].
pub const MODERN_SQLITE: (u32, u32, u32) = (3, 35, 0);

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions { sqlite_version: MODERN_SQLITE, temp_prefix: "_strata_new_".into() }
    }
}

/// What a step does, named by the objects it touches, so that readers of a plan (the Alembic
/// export, lint, progress) never read its SQL back to find out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepKind {
    CreateTable { table: String },
    /// Throws away every row of the table.
    DropTable { table: String },
    /// `ALTER TABLE from RENAME TO to`; a chain or swap of renames moves one table through a
    /// temporary name in two such steps.
    RenameTable { from: String, to: String },
    AddColumn { table: String, column: String },
    DropColumn { table: String, column: String },
    RenameColumn { table: String, from: String, to: String },
    CreateIndex { index: String, table: String },
    DropIndex { index: String, table: String },
    CreateView { view: String },
    DropView { view: String },
    CreateTrigger { trigger: String, table: String },
    DropTrigger { trigger: String },
    /// One statement of the rebuild of `table` through the temporary table `temp` (see
    /// [`RebuildPart`] for which).
    Rebuild { table: String, temp: String, part: RebuildPart },
}

/// The statements of a table rebuild, in the order the plan writes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RebuildPart {
    /// `CREATE TABLE temp` in the new shape.
    CreateTemp,
    /// The `INSERT … SELECT` that copies every row: its cost grows with the table's rows.
    CopyRows,
    /// Carries the AUTOINCREMENT counter over (`sqlite_sequence`).
    Sequence,
    /// `DROP TABLE` of the old table.
    DropOld,
    /// `ALTER TABLE temp RENAME TO table`.
    RenameTemp,
}

/// One statement with its comment, the change it came from and what data it destroys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub sql: String,
    pub comment: String,
    /// Index into [`Plan::changes`].
    pub change: usize,
    /// Set when this statement throws data away that no later step can give back.
    pub data_loss: Option<String>,
    pub kind: StepKind,
}

/// An ordered list of statements that turns one schema into another.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub changes: Vec<Change>,
    pub steps: Vec<Step>,
    /// The plan drops or rebuilds tables, so `PRAGMA foreign_keys` must be off while it runs
    /// (it can only be switched outside a transaction) and `foreign_key_check` run before commit.
    pub foreign_keys_off: bool,
    /// Tables rebuilt by copying, by their final name.
    pub rebuilt_tables: Vec<String>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Whether any step destroys data.
    pub fn loses_data(&self) -> bool {
        self.steps.iter().any(|s| s.data_loss.is_some())
    }

    /// The statements with a comment line each, without transaction control: the body of a
    /// revision, which the runner wraps in its own transaction.
    pub fn body_sql(&self) -> String {
        let mut out = String::new();
        let mut last_comment = None;
        for s in &self.steps {
            if last_comment != Some(&s.comment) {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&format!("-- {}\n", s.comment));
                last_comment = Some(&s.comment);
            }
            if let Some(loss) = &s.data_loss {
                out.push_str(&format!("-- data loss: {loss}\n"));
            }
            out.push_str(&s.sql);
            out.push_str(";\n");
        }
        out
    }

    /// A complete script for the `sqlite3` shell: foreign keys switched off outside the
    /// transaction when needed, the statements, the foreign key check, and commit.
    pub fn to_sql(&self) -> String {
        if self.steps.is_empty() {
            return "-- nothing to do: the schemas are the same\n".into();
        }
        let mut out = String::new();
        if self.foreign_keys_off {
            out.push_str("PRAGMA foreign_keys = OFF;\n");
        }
        out.push_str("BEGIN;\n\n");
        out.push_str(&self.body_sql());
        if self.foreign_keys_off {
            out.push_str("\nPRAGMA foreign_key_check;\n");
        }
        out.push_str("COMMIT;\n");
        if self.foreign_keys_off {
            out.push_str("PRAGMA foreign_keys = ON;\n");
        }
        out
    }
}

/// Builds the plan that turns `from` into `to` following `diff` (which must be `diff(from, to, ..)`).
pub fn plan(from: &Schema, to: &Schema, diff: &Diff, opts: &PlanOptions) -> Plan {
    let changes = diff.changes.clone();
    let mut p = Planner { from, opts, steps: Vec::new() };

    // Which tables are rebuilt, renamed, dropped.
    let mut rebuilt: BTreeMap<String, usize> = BTreeMap::new(); // key of final name -> change
    let mut dropped: BTreeSet<String> = BTreeSet::new();
    let mut renames: Vec<(usize, String, String)> = Vec::new();
    // Indexes, views and triggers the plan drops before it touches tables do not stand in the
    // way of a native DROP COLUMN.
    let gone: HashSet<String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::DropIndex(x) => Some(key(&x.name)),
            Change::DropView(x) => Some(key(&x.name)),
            Change::DropTrigger(x) => Some(key(&x.name)),
            _ => None,
        })
        .collect();
    let lookups = Lookups::of(from);
    for (i, c) in changes.iter().enumerate() {
        match c {
            Change::ModifyTable(d) if rebuild_decision(d, from, &gone, &lookups, opts) => {
                rebuilt.insert(key(&d.to.name), i);
            }
            Change::DropTable(t) => {
                dropped.insert(key(&t.name));
            }
            Change::RenameTable { from: a, to: b } => renames.push((i, a.clone(), b.clone())),
            _ => {}
        }
    }
    // A column renamed by copying (no in-place rename possible) leaves the foreign keys of child
    // tables naming the old column: those children are rebuilt too, under their target shape.
    let mut forced: Vec<(usize, TableDiff)> = Vec::new();
    let by_copy: Vec<(usize, &TableDiff)> = rebuilt
        .values()
        .filter_map(|i| if let Change::ModifyTable(d) = &changes[*i] { Some((*i, d)) } else { None })
        .filter(|(_, d)| !renames_in_place(d, opts) && d.changes.iter().any(|c| matches!(c, TableChange::RenameColumn { .. })))
        .collect();
    for (ci, d) in by_copy {
        for child in to.tables.values() {
            let k = key(&child.name);
            if rebuilt.contains_key(&k) || !child.foreign_keys.iter().any(|f| f.references(&d.to.name)) {
                continue;
            }
            rebuilt.insert(k.clone(), ci);
            if !changes.iter().any(|c| matches!(c, Change::ModifyTable(x) if key(&x.to.name) == k)) {
                forced.push((ci, TableDiff { from: child.clone(), to: child.clone(), changes: Vec::new() }));
            }
        }
    }
    let renamed_from: BTreeMap<String, String> = renames.iter().map(|(_, a, b)| (key(b), a.clone())).collect();
    // Names a changing table has in the live schema, before and after its rename.
    let live_names = |k: &String| -> Vec<String> {
        let mut v = vec![k.clone()];
        if let Some(a) = renamed_from.get(k) {
            v.push(key(a));
        }
        v
    };
    let mut unstable: BTreeSet<String> = dropped.clone();
    for k in rebuilt.keys() {
        unstable.extend(live_names(k));
    }
    let index = ChangeIndex::new(&changes);
    let change_of = |kind: &'static str, name: &str| index.find(kind, name);
    // Names each view and trigger mentions, read once.
    let view_names: BTreeMap<&String, HashSet<String>> = from.views.iter().map(|(k, v)| (k, sql::identifiers(v.select.as_str()))).collect();
    let trigger_names: BTreeMap<&String, HashSet<String>> = from.triggers.iter().map(|(k, t)| (k, sql::identifiers(t.sql.as_str()))).collect();

    // Views: drop the changed ones and every view that depends on an unstable table or on a
    // dropped view; recreate what the target still has.
    let mut views_drop: BTreeSet<String> = changes
        .iter()
        .filter_map(|c| if let Change::DropView(v) = c { Some(key(&v.name)) } else { None })
        .collect();
    loop {
        let before = views_drop.len();
        for k in from.views.keys() {
            if views_drop.contains(k) {
                continue;
            }
            let names = &view_names[k];
            let dep = unstable.iter().chain(views_drop.iter()).any(|n| names.contains(n));
            if dep {
                views_drop.insert(k.clone());
            }
        }
        if views_drop.len() == before {
            break;
        }
    }
    let mut views_create: BTreeSet<String> = changes
        .iter()
        .filter_map(|c| if let Change::AddView(v) = c { Some(key(&v.name)) } else { None })
        .collect();
    views_create.extend(views_drop.iter().filter(|k| to.views.contains_key(*k)).cloned());

    // Triggers: those on rebuilt or dropped tables vanish with the table; those elsewhere that
    // mention an unstable table are dropped and recreated.
    let vanishes = |table: &str| {
        let k = key(table);
        unstable.contains(&k) || rebuilt.contains_key(&k)
    };
    let mut triggers_drop: BTreeSet<String> = BTreeSet::new();
    let mut triggers_create: BTreeSet<String> = BTreeSet::new();
    let mut removed_triggers: BTreeSet<String> = BTreeSet::new();
    for c in &changes {
        match c {
            Change::DropTrigger(t) => {
                removed_triggers.insert(key(&t.name));
            }
            Change::AddTrigger(t) => {
                triggers_create.insert(key(&t.name));
            }
            _ => {}
        }
    }
    for (k, t) in &from.triggers {
        let own = key(&t.table);
        if dropped.contains(&own) {
            continue; // goes with its table, before any rebuild runs
        }
        let names = &trigger_names[k];
        let on_view_dropped = views_drop.contains(&own);
        // SQLite re-checks every trigger when a rebuilt table is renamed into place, so a trigger
        // that mentions another changing table must be gone first, even if its own table is
        // rebuilt too and would take it along later.
        let mentions_other = unstable.iter().chain(views_drop.iter()).any(|n| *n != own && names.contains(n));
        // A removed trigger goes first too, even when its table is rebuilt later: native ALTERs
        // of other tables it mentions run before that rebuild, and SQLite re-checks it then.
        let drop_now = mentions_other || removed_triggers.contains(k);
        if drop_now && !on_view_dropped {
            triggers_drop.insert(k.clone());
        }
        if (drop_now || on_view_dropped) && to.triggers.contains_key(k) {
            triggers_create.insert(k.clone());
        }
    }
    for (k, t) in &to.triggers {
        if rebuilt.contains_key(&key(&t.table)) || views_create.contains(&key(&t.table)) {
            triggers_create.insert(k.clone());
        }
    }

    // Indexes: explicit drops only where the table survives unrebuilt; all target indexes of
    // rebuilt tables are created again.
    let mut indexes_create: BTreeSet<String> = BTreeSet::new();
    for c in &changes {
        if let Change::AddIndex(i) = c {
            indexes_create.insert(key(&i.name));
        }
    }
    for (k, i) in &to.indexes {
        if rebuilt.contains_key(&key(&i.table)) {
            indexes_create.insert(k.clone());
        }
    }

    // 1. Drop triggers, views and indexes that are in the way.
    for k in &triggers_drop {
        let t = &from.triggers[k];
        let ci = change_of("drop_trigger", k).unwrap_or_else(|| index.owner(&t.table));
        let why = if triggers_create.contains(k) { format!("drop trigger {} (recreated later)", t.name) } else { format!("drop trigger {}", t.name) };
        p.ddl(ci, why, format!("DROP TRIGGER {}", quote(&t.name)), StepKind::DropTrigger { trigger: t.name.to_string() });
    }
    for v in views_in_dependency_order(views_drop.iter().map(|k| &from.views[k]).collect()).into_iter().rev() {
        let k = key(&v.name);
        let ci = change_of("drop_view", &k).unwrap_or_else(|| index.owner(&v.name));
        let why = if to.views.contains_key(&k) { "drop view {} while its tables change" } else { "drop view {}" };
        p.ddl(ci, why.replace("{}", &v.name), format!("DROP VIEW {}", quote(&v.name)), StepKind::DropView { view: v.name.to_string() });
    }
    for (ci, c) in changes.iter().enumerate() {
        if let Change::DropIndex(i) = c {
            if !vanishes(&i.table) {
                p.ddl(ci, c.describe(), format!("DROP INDEX {}", quote(&i.name)), StepKind::DropIndex { index: i.name.to_string(), table: i.table.to_string() });
            }
        }
    }

    // 2. Drop tables, children first (foreign keys are off, but the order reads naturally).
    let drop_list: Vec<&Table> = changes.iter().filter_map(|c| if let Change::DropTable(t) = c { Some(t) } else { None }).collect();
    for t in tables_in_dependency_order(drop_list).into_iter().rev() {
        let ci = change_of("drop_table", &t.name).unwrap();
        p.push(ci, format!("drop table {}", t.name), format!("DROP TABLE {}", quote(&t.name)), Some(format!("every row of table {} is deleted", t.name)), StepKind::DropTable { table: t.name.to_string() });
    }

    // 3. Rename tables, resolving chains and swaps through a temporary name.
    p.rename_tables(&renames, &dropped);

    // 4. Create tables, parents first.
    let add_list: Vec<&Table> = changes.iter().filter_map(|c| if let Change::AddTable(t) = c { Some(t) } else { None }).collect();
    for t in tables_in_dependency_order(add_list) {
        let ci = change_of("add_table", &t.name).unwrap();
        p.ddl(ci, format!("create table {}", t.name), render::create_table(t, &t.name), StepKind::CreateTable { table: t.name.to_string() });
    }

    // 5. Alter tables in place or rebuild them.
    for (ci, c) in changes.iter().enumerate() {
        if let Change::ModifyTable(d) = c {
            if rebuilt.contains_key(&key(&d.to.name)) {
                p.rebuild(ci, d);
            } else {
                p.alter_in_place(ci, d);
            }
        }
    }
    for (ci, d) in &forced {
        p.rebuild(*ci, d);
    }

    // 6. Create indexes, views (dependencies first) and triggers.
    for k in &indexes_create {
        let i = &to.indexes[k];
        let ci = change_of("add_index", k).unwrap_or_else(|| index.owner(&i.table));
        p.ddl(ci, format!("create index {} on {}", i.name, i.table), render::create_index(i), StepKind::CreateIndex { index: i.name.to_string(), table: i.table.to_string() });
    }
    for v in views_in_dependency_order(views_create.iter().map(|k| &to.views[k]).collect()) {
        let k = key(&v.name);
        let ci = change_of("add_view", &k).unwrap_or_else(|| index.owner(&v.name));
        p.ddl(ci, format!("create view {}", v.name), render::create_view(v), StepKind::CreateView { view: v.name.to_string() });
    }
    for k in &triggers_create {
        let t = &to.triggers[k];
        let ci = change_of("add_trigger", k).unwrap_or_else(|| index.owner(&t.table));
        p.ddl(ci, format!("create trigger {} on {}", t.name, t.table), render::create_trigger(t), StepKind::CreateTrigger { trigger: t.name.to_string(), table: t.table.to_string() });
    }

    let steps = p.steps;
    let foreign_keys_off = !rebuilt.is_empty() || !dropped.is_empty();
    let rebuilt_tables = rebuilt.keys().map(|k| to.tables.get(k).map_or_else(|| k.clone(), |t| t.name.to_string())).collect();
    Plan { changes, steps, foreign_keys_off, rebuilt_tables }
}

/// Finds the change a statement belongs to by kind and object name, without rescanning the
/// change list for every statement (plans for 1000 tables have thousands of statements).
struct ChangeIndex {
    by_name: HashMap<(&'static str, String), usize>,
    /// The first change that touches each table, for the drops and re-creations of objects
    /// that depend on it.
    owner: HashMap<String, usize>,
}

impl ChangeIndex {
    fn new(changes: &[Change]) -> Self {
        let mut by_name = HashMap::new();
        let mut owner = HashMap::new();
        for (i, c) in changes.iter().enumerate() {
            let (kind, name) = match c {
                Change::AddTable(t) => ("add_table", &*t.name),
                Change::DropTable(t) => ("drop_table", &*t.name),
                Change::ModifyTable(d) => {
                    owner.entry(key(&d.from.name)).or_insert(i);
                    ("modify_table", &*d.to.name)
                }
                Change::RenameTable { to, .. } => ("rename_table", to.as_str()),
                Change::AddIndex(x) => ("add_index", &*x.name),
                Change::DropIndex(x) => ("drop_index", &*x.name),
                Change::AddView(x) => ("add_view", &*x.name),
                Change::DropView(x) => ("drop_view", &*x.name),
                Change::AddTrigger(x) => ("add_trigger", &*x.name),
                Change::DropTrigger(x) => ("drop_trigger", &*x.name),
            };
            by_name.entry((kind, key(name))).or_insert(i);
            if matches!(kind, "add_table" | "drop_table" | "modify_table") {
                owner.entry(key(name)).or_insert(i);
            }
        }
        ChangeIndex { by_name, owner }
    }
    fn find(&self, kind: &'static str, name: &str) -> Option<usize> {
        self.by_name.get(&(kind, key(name))).copied()
    }
    fn owner(&self, name: &str) -> usize {
        self.owner.get(&key(name)).copied().unwrap_or(0)
    }
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{diff, Rename};
    use crate::testing::schema;

    fn planned(from: &str, to: &str, renames: &[Rename]) -> Plan {
        let (from, to) = (schema(from), schema(to));
        plan(&from, &to, &diff(&from, &to, renames), &PlanOptions::default())
    }

    /// Readers of a plan (the Alembic export above all) learn what each step does from its
    /// kind; these are the kinds of a rename, an added column and a rebuild.
    #[test]
    fn steps_say_what_they_do_without_their_sql_being_read() {
        let rename = [Rename::Table { from: "a".into(), to: "b".into() }];
        let kinds: Vec<StepKind> = planned("CREATE TABLE a (x INT);", "CREATE TABLE b (x INT, y TEXT);", &rename).steps.into_iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [StepKind::RenameTable { from: "a".into(), to: "b".into() }, StepKind::AddColumn { table: "b".into(), column: "y".into() }]
        );
        let rebuild = planned("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, x INT);", "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, x INT NOT NULL);", &[]);
        let parts: Vec<RebuildPart> = rebuild
            .steps
            .iter()
            .map(|s| match &s.kind {
                StepKind::Rebuild { table, temp, part } if table == "t" && temp == "_strata_new_t" => *part,
                other => panic!("{other:?}: {}", s.sql),
            })
            .collect();
        use RebuildPart::*;
        assert_eq!(parts, [CreateTemp, CopyRows, Sequence, Sequence, DropOld, RenameTemp]);
        let dropped = planned("CREATE TABLE t (x INT); CREATE INDEX i ON t (x);", "", &[]);
        assert_eq!(dropped.steps.iter().map(|s| &s.kind).collect::<Vec<_>>(), [&StepKind::DropTable { table: "t".into() }]);
    }

    /// A column another table's foreign key names cannot be dropped in place; one nobody names
    /// can. The referenced columns are gathered once per plan, so this checks they still count.
    #[test]
    fn a_column_a_foreign_key_names_is_dropped_by_a_rebuild() {
        let from = schema("CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT, note TEXT);\nCREATE TABLE c (x TEXT REFERENCES P (Code));");
        let to = schema("CREATE TABLE p (id INTEGER PRIMARY KEY);\nCREATE TABLE c (x TEXT REFERENCES P (Code));");
        let d = diff(&from, &to, &[]);
        let Some(Change::ModifyTable(td)) = d.changes.iter().find(|c| matches!(c, Change::ModifyTable(_))) else { panic!("{:?}", d.changes) };
        let opts = PlanOptions::default();
        assert!(needs_rebuild(td, &from, &HashSet::new(), &opts));
        let without_code = TableDiff { changes: td.changes.iter().filter(|c| !matches!(c, TableChange::DropColumn(col) if col.name == "code")).cloned().collect(), ..td.clone() };
        assert!(!without_code.changes.is_empty());
        assert!(!needs_rebuild(&without_code, &from, &HashSet::new(), &opts), "{:?}", without_code.changes);
        let p = plan(&from, &to, &d, &opts);
        assert!(p.body_sql().contains("INSERT INTO"), "{}", p.body_sql());
    }

    /// A column an index that stays reads cannot be dropped in place either.
    #[test]
    fn a_column_a_remaining_index_reads_is_dropped_by_a_rebuild() {
        let from = schema("CREATE TABLE \"P\" (id INTEGER PRIMARY KEY, note TEXT, other TEXT);\nCREATE INDEX pn ON p (lower(note));");
        let to = schema("CREATE TABLE p (id INTEGER PRIMARY KEY, other TEXT);");
        let d = diff(&from, &to, &[]);
        let Some(Change::ModifyTable(td)) = d.changes.iter().find(|c| matches!(c, Change::ModifyTable(_))) else { panic!("{:?}", d.changes) };
        let opts = PlanOptions::default();
        assert!(needs_rebuild(td, &from, &HashSet::new(), &opts));
        assert!(!needs_rebuild(td, &from, &HashSet::from(["pn".to_string()]), &opts), "an index the plan drops first is no obstacle");
    }
}
