//! `SQLModel.metadata.create_all()` simulated against a live schema: the tables it would create
//! and what it silently skips (a table that exists, however it differs from the model).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::diff::{diff, Change, ColumnChanges, TableChange};
use crate::render;
use crate::schema::*;

/// What `SQLModel.metadata.create_all(engine)` would do to a database whose schema is `live`:
/// it creates the tables that are missing (with their indexes) and nothing else.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateAll {
    /// Tables create_all would create, parents first.
    pub created_tables: Vec<String>,
    /// Indexes created along with those tables.
    pub created_indexes: Vec<String>,
    /// The DDL, in order (as strata renders it; SQLAlchemy's spelling differs only in layout).
    pub statements: Vec<String>,
    /// Every difference between `live` and the model that create_all leaves as it is.
    pub skipped: Vec<Skipped>,
    /// The schema the database has afterwards.
    pub after: Schema,
}

/// A difference create_all passes over without a word.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "skipped", rename_all = "snake_case")]
pub enum Skipped {
    /// The table exists, so none of its changes are made.
    AddColumn { table: String, column: String },
    DropColumn { table: String, column: String },
    ModifyColumn { table: String, column: String, changed: ColumnChanges },
    /// Primary key, unique, check, foreign key or table option changes of an existing table.
    AlterConstraint { table: String, what: String },
    /// An index the model has on a table that already exists.
    AddIndex { table: String, index: String },
    /// An index the database has that the model does not.
    DropIndex { table: String, index: String },
    /// A table the database has that the model does not: create_all never drops.
    DropTable { table: String },
    /// Views and triggers are not part of SQLModel's metadata at all.
    NotInModel { kind: String, name: String },
}

impl Skipped {
    /// One sentence for the user.
    pub fn describe(&self) -> String {
        match self {
            Skipped::AddColumn { table, column } => format!("new column {table}.{column} is not added (the table exists)"),
            Skipped::DropColumn { table, column } => format!("column {table}.{column} is not dropped"),
            Skipped::ModifyColumn { table, column, changed } => {
                format!("the {} of column {table}.{column} is not changed", changed.describe())
            }
            Skipped::AlterConstraint { table, what } => format!("{what} on table {table} is not applied"),
            Skipped::AddIndex { table, index } => format!("index {index} on existing table {table} is not created"),
            Skipped::DropIndex { table, index } => format!("index {index} on {table} is not dropped"),
            Skipped::DropTable { table } => format!("table {table} is not in the model but is not dropped"),
            Skipped::NotInModel { kind, name } => format!("{kind} {name} is left alone (SQLModel does not know it)"),
        }
    }
}

/// Simulates `create_all()`: tables of `model` missing from `live` are created with their
/// indexes; everything else that differs is reported as skipped. No renames are considered,
/// since create_all knows of none.
pub fn create_all(live: &Schema, model: &Schema) -> CreateAll {
    let d = diff(live, model, &[]);
    let mut out = CreateAll { after: live.clone(), ..Default::default() };
    let added: Vec<&Table> = d.changes.iter().filter_map(|c| if let Change::AddTable(t) = c { Some(t) } else { None }).collect();
    let added_keys: BTreeSet<String> = added.iter().map(|t| key(&t.name)).collect();
    for t in crate::schema::tables_in_dependency_order(added) {
        out.created_tables.push(t.name.to_string());
        out.statements.push(render::create_table(t, &t.name));
        out.after.add_table(t.clone());
        for i in model.indexes_on(&t.name) {
            out.created_indexes.push(i.name.to_string());
            out.statements.push(render::create_index(i));
            out.after.add_index(i.clone());
        }
    }
    for c in &d.changes {
        match c {
            Change::AddTable(_) => {}
            Change::DropTable(t) => out.skipped.push(Skipped::DropTable { table: t.name.to_string() }),
            // diff() was given no renames, so it reports none.
            Change::RenameTable { .. } => {}
            Change::ModifyTable(td) => {
                let table = td.to.name.to_string();
                for tc in &td.changes {
                    out.skipped.push(match tc {
                        TableChange::AddColumn(col) => Skipped::AddColumn { table: table.clone(), column: col.name.to_string() },
                        TableChange::DropColumn(col) => Skipped::DropColumn { table: table.clone(), column: col.name.to_string() },
                        TableChange::ModifyColumn { to, changed, .. } => {
                            Skipped::ModifyColumn { table: table.clone(), column: to.name.to_string(), changed: *changed }
                        }
                        other => Skipped::AlterConstraint { table: table.clone(), what: other.describe() },
                    });
                }
            }
            Change::AddIndex(i) if !added_keys.contains(&key(&i.table)) => {
                out.skipped.push(Skipped::AddIndex { table: i.table.to_string(), index: i.name.to_string() })
            }
            Change::AddIndex(_) => {}
            Change::DropIndex(i) => out.skipped.push(Skipped::DropIndex { table: i.table.to_string(), index: i.name.to_string() }),
            Change::DropView(v) => out.skipped.push(Skipped::NotInModel { kind: "view".into(), name: v.name.to_string() }),
            Change::DropTrigger(t) => out.skipped.push(Skipped::NotInModel { kind: "trigger".into(), name: t.name.to_string() }),
            // A SQLModel schema has no views or triggers to add.
            Change::AddView(_) | Change::AddTrigger(_) => {}
        }
    }
    out
}
