//! Lint: what a plan risks, and what to do instead. Pure: the findings that depend on the rows
//! come with the SQL that counts them ([`DataCheck`]); `runner::check_data` runs those queries.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diff::{Change, TableChange, TableDiff};
use crate::plan::Plan;
use crate::schema::*;
use crate::sql::{self, quote};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// Throws data away.
    Destructive,
    /// Fails or changes meaning depending on the rows already there.
    DataDependent,
    /// Copies the whole table: cost grows with its rows and it locks the database meanwhile.
    Rebuild,
    /// Breaks code that still uses the old name.
    Rename,
}

impl FindingKind {
    pub fn label(self) -> &'static str {
        match self {
            FindingKind::Destructive => "destructive",
            FindingKind::DataDependent => "data-dependent",
            FindingKind::Rebuild => "rebuild",
            FindingKind::Rename => "rename",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: FindingKind,
    /// Index into the plan's changes.
    pub change: usize,
    pub table: String,
    pub column: Option<String>,
    pub message: String,
    /// What to do instead.
    pub advice: String,
    /// Rows concerned, when counted against a live database.
    pub rows: Option<u64>,
}

impl Finding {
    /// A finding about `table` (and `column`), not yet counted against rows.
    pub fn new(kind: FindingKind, change: usize, table: &str, column: Option<&str>, message: String, advice: &str) -> Finding {
        Finding {
            kind,
            change,
            table: table.to_string(),
            column: column.map(str::to_string),
            message,
            advice: advice.to_string(),
            rows: None,
        }
    }
}

/// A query that counts the rows for which a finding holds. `always` keeps the finding even at
/// zero rows (a rebuild's row count is worth showing either way).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataCheck {
    pub finding: Finding,
    pub sql: String,
    pub always: bool,
}

/// The findings that hold whatever the rows are.
pub fn lint(plan: &Plan) -> Vec<Finding> {
    let mut out = Vec::new();
    for (ci, c) in plan.changes.iter().enumerate() {
        let f = |kind, table: &str, column: Option<&str>, message: String, advice: &str| Finding::new(kind, ci, table, column, message, advice);
        match c {
            Change::DropTable(t) => out.push(f(
                FindingKind::Destructive,
                &t.name,
                None,
                format!("drops table {} and every row in it", t.name),
                "if the table was renamed, confirm the rename (an annotation `-- @renamed from=old`, or yes to the rename question) so rows are kept; otherwise take a backup first",
            )),
            Change::RenameTable { from, to } => out.push(f(
                FindingKind::Rename,
                to,
                None,
                format!("renames table {from} to {to}"),
                "code that still queries the old name breaks at once; ship code that reads both names first, or add a view under the old name while clients move (expand/contract)",
            )),
            Change::ModifyTable(d) => lint_table(ci, d, plan, &mut out),
            _ => {}
        }
    }
    out
}

fn lint_table(ci: usize, d: &TableDiff, plan: &Plan, out: &mut Vec<Finding>) {
    let t = &d.to.name;
    let f = |kind, column: Option<&str>, message: String, advice: &str| Finding::new(kind, ci, t, column, message, advice);
    if plan.rebuilt_tables.iter().any(|r| r.eq_ignore_ascii_case(t)) {
        out.push(f(
            FindingKind::Rebuild,
            None,
            format!("rebuilds table {t} by copying every row (SQLite has no ALTER for {})", d.changes.iter().map(|c| c.describe()).collect::<Vec<_>>().join("; ")),
            "fine for small tables; for a large one run it in a maintenance window, or split the change so that the parts SQLite can ALTER in place go first",
        ));
    }
    for c in &d.changes {
        match c {
            TableChange::DropColumn(col) => out.push(f(
                FindingKind::Destructive,
                Some(&col.name),
                format!("drops column {t}.{} and its values", col.name),
                "if it was renamed, confirm the rename so values are kept; otherwise stop reading the column in code first, and drop it in a later release (contract phase)",
            )),
            TableChange::RenameColumn { from, to } => out.push(f(
                FindingKind::Rename,
                Some(to),
                format!("renames column {t}.{from} to {to}"),
                "code that reads the old name breaks; add the new column, write both, backfill, then drop the old one (expand/contract) when downtime matters",
            )),
            TableChange::ModifyColumn { to, changed, from } if changed.decl_type && from.affinity() != to.affinity() => out.push(f(
                FindingKind::DataDependent,
                Some(&to.name),
                format!("changes the type of {t}.{} from {} to {} (affinity {:?} to {:?}); stored values are converted where SQLite can", to.name, show_type(&from.decl_type), show_type(&to.decl_type), from.affinity(), to.affinity()),
                "check that every stored value converts as you expect; for a large table add a new column, backfill it, and switch over",
            )),
            _ => {}
        }
    }
}

fn show_type(t: &Sql) -> &str {
    if t.is_empty() { "(none)" } else { t.as_str() }
}

/// The findings that depend on the rows, as counting queries to run against the database the
/// plan starts from. Names are mapped back to what they are called before the plan runs.
pub fn data_checks(plan: &Plan, from: &Schema) -> Vec<DataCheck> {
    let table_renames: BTreeMap<String, String> = plan
        .changes
        .iter()
        .filter_map(|c| if let Change::RenameTable { from, to } = c { Some((key(to), from.clone())) } else { None })
        .collect();
    let mut out = Vec::new();
    for (ci, c) in plan.changes.iter().enumerate() {
        let live_table = |name: &str| table_renames.get(&key(name)).cloned().unwrap_or_else(|| name.to_string());
        let check = |kind, table: &str, column: Option<&str>, message: String, advice: &str, sql: String, always: bool| DataCheck {
            finding: Finding::new(kind, ci, table, column, message, advice),
            sql,
            always,
        };
        match c {
            Change::ModifyTable(d) => {
                let t = &d.to.name;
                let live = quote(&live_table(t));
                // Column names as they are before the plan: renamed columns map back.
                let back: BTreeMap<String, String> = d
                    .changes
                    .iter()
                    .filter_map(|c| if let TableChange::RenameColumn { from, to } = c { Some((key(to), from.clone())) } else { None })
                    .collect();
                let col = |n: &str| quote(back.get(&key(n)).map(String::as_str).unwrap_or(n));
                let expr_back = |e: &str| back.iter().fold(e.to_string(), |acc, (to, from)| sql::rename_ident(&acc, to, from));
                if plan.rebuilt_tables.iter().any(|r| r.eq_ignore_ascii_case(t)) {
                    out.push(check(FindingKind::Rebuild, t, None, format!("table {t} is copied row by row"), "the copy takes time in proportion to the rows; time it on a copy of production data", format!("SELECT count(*) FROM {live}"), true));
                }
                for ch in &d.changes {
                    match ch {
                        TableChange::ModifyColumn { to, changed, .. } if changed.not_null && to.not_null => {
                            let filled = to.default.is_some();
                            out.push(check(
                                FindingKind::DataDependent,
                                t,
                                Some(&to.name),
                                if filled {
                                    format!("{t}.{} becomes NOT NULL: rows holding NULL will get the default {}", to.name, to.default.as_ref().unwrap())
                                } else {
                                    format!("{t}.{} becomes NOT NULL but rows hold NULL there: the migration will fail", to.name)
                                },
                                "backfill the NULLs first (a data migration: UPDATE ... SET col = ... WHERE col IS NULL), then add NOT NULL",
                                format!("SELECT count(*) FROM {live} WHERE {} IS NULL", col(&to.name)),
                                false,
                            ));
                        }
                        TableChange::AddColumn(c) if c.not_null && c.default.is_none() && c.generated.is_none() => out.push(check(
                            FindingKind::DataDependent,
                            t,
                            Some(&c.name),
                            format!("new column {t}.{} is NOT NULL without a default, but the table has rows: the migration will fail", c.name),
                            "add the column as nullable (or with a DEFAULT), backfill it, then make it NOT NULL in a later revision",
                            format!("SELECT count(*) FROM {live}"),
                            false,
                        )),
                        TableChange::AddUnique(u) => {
                            let cols: Vec<String> = u.columns.iter().map(|p| col(&p.name)).collect();
                            out.push(duplicates_check(ci, t, &live, &cols, None));
                        }
                        TableChange::SetPrimaryKey { to: Some(pk), .. } => {
                            let cols: Vec<String> = pk.columns.iter().map(|p| col(&p.name)).collect();
                            out.push(duplicates_check(ci, t, &live, &cols, None));
                        }
                        TableChange::AddCheck(chk) => out.push(check(
                            FindingKind::DataDependent,
                            t,
                            None,
                            format!("new CHECK ({}) on {t}: existing rows fail it and the migration will fail", chk.expr),
                            "fix or delete the offending rows in a data migration first",
                            format!("SELECT count(*) FROM {live} WHERE NOT ({})", expr_back(chk.expr.as_str())),
                            false,
                        )),
                        TableChange::AddForeignKey(fk) => {
                            let parent_cols = if fk.ref_columns.is_empty() {
                                from.table(&fk.ref_table).and_then(|p| p.primary_key.as_ref()).map(|pk| pk.columns.iter().map(|c| c.name.clone()).collect()).unwrap_or_default()
                            } else {
                                fk.ref_columns.clone()
                            };
                            if from.table(&fk.ref_table).is_none() || parent_cols.len() != fk.columns.len() {
                                continue;
                            }
                            let child = fk.columns.iter().map(|c| format!("c.{}", col(c))).collect::<Vec<_>>();
                            let cond = parent_cols.iter().zip(&child).map(|(p, c)| format!("p.{} = {c}", quote(p))).collect::<Vec<_>>().join(" AND ");
                            let not_null = child.iter().map(|c| format!("{c} IS NOT NULL")).collect::<Vec<_>>().join(" AND ");
                            out.push(check(
                                FindingKind::DataDependent,
                                t,
                                None,
                                format!("new foreign key ({}) to {}: rows point at parents that do not exist, the foreign key check will fail", fk.columns.join(", "), fk.ref_table),
                                "delete or repair the orphaned rows first, or set them to NULL",
                                format!("SELECT count(*) FROM {live} AS c WHERE {not_null} AND NOT EXISTS (SELECT 1 FROM {} AS p WHERE {cond})", quote(&live_table(&fk.ref_table))),
                                false,
                            ));
                        }
                        _ => {}
                    }
                }
            }
            Change::AddIndex(i) if i.unique && from.table(&i.table).is_some() => {
                let cols: Vec<String> = i.parts.iter().map(|p| p.expr.as_str().to_string()).collect();
                out.push(duplicates_check(ci, &i.table, &quote(&live_table(&i.table)), &cols, i.where_clause.as_ref().map(|w| w.as_str())));
            }
            _ => {}
        }
    }
    out
}

fn duplicates_check(ci: usize, table: &str, live: &str, cols: &[String], filter: Option<&str>) -> DataCheck {
    let list = cols.join(", ");
    let nn = cols.iter().map(|c| format!("{c} IS NOT NULL")).collect::<Vec<_>>().join(" AND ");
    let filter = filter.map(|w| format!(" AND ({w})")).unwrap_or_default();
    DataCheck {
        finding: Finding::new(
            FindingKind::DataDependent,
            ci,
            table,
            None,
            format!("new uniqueness on {table} ({list}): duplicate values exist, the migration will fail"),
            "remove or merge the duplicates in a data migration first",
        ),
        sql: format!("SELECT count(*) FROM (SELECT 1 FROM {live} WHERE {nn}{filter} GROUP BY {list} HAVING count(*) > 1)"),
        always: false,
    }
}
