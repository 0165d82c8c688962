//! Pure side (no connection): whether a revision is **additive** or **breaking** for the
//! application that keeps running while the revision applies, in the guide's words.
//!
//! Additive: old code keeps working against the new schema (a new nullable column, a new table,
//! a new index), so the app can stay up. Breaking: old code can fail or behave differently (a
//! drop, a rename, a type change, a new NOT NULL or UNIQUE, a rebuild that holds the write lock
//! while it copies every row), so the app must stop, or the change be made in expand/contract
//! steps; every breaking [`Reason`] says why and what those steps are.
//!
//! strata's own SQL is classified from the changes its plan carries out ([`from_changes`]: the
//! caller recovers them by diffing the schemas before and after the revision, see
//! `revision_class`); hand-written SQL from its statements ([`from_sql`], in
//! `classify/statements.rs`), conservatively: what cannot be read is breaking, with the reason.
//! Only the upgrade is classified: it is what runs while the app is up.

mod statements;

use serde::{Deserialize, Serialize};

pub use statements::{from_sql, rebuilt_tables, renames};

use crate::diff::{Change, TableChange, TableDiff};
use crate::schema::{Column, FkAction, ForeignKey, Index, KeyPart, Name};
use crate::sql;

/// The two classes. `Additive < Breaking`, so the class of a revision is the greatest class of
/// its reasons.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    Additive,
    Breaking,
}

impl Class {
    pub fn label(self) -> &'static str {
        match self {
            Class::Additive => "additive",
            Class::Breaking => "breaking",
        }
    }
}

impl std::fmt::Display for Class {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// What a classification was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The changes strata's own plan makes (the revision's SQL is strata's, unedited).
    Changes,
    /// The statements of hand-written (or hand-edited) SQL.
    Statements,
}

/// One thing a revision does, and what it means for the running application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub class: Class,
    /// What the revision does: `drops column users.fax`.
    pub what: String,
    /// Why that is safe, or not, while old code runs.
    pub why: String,
    /// For a breaking step: the expand/contract way to the same result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instead: Option<String>,
}

impl Reason {
    fn additive(what: impl Into<String>, why: impl Into<String>) -> Reason {
        Reason { class: Class::Additive, what: what.into(), why: why.into(), instead: None }
    }

    fn breaking(what: impl Into<String>, why: impl Into<String>, instead: impl Into<String>) -> Reason {
        Reason { class: Class::Breaking, what: what.into(), why: why.into(), instead: Some(instead.into()) }
    }
}

/// The class of one revision's upgrade, with a reason per thing it does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classification {
    pub class: Class,
    pub basis: Basis,
    pub reasons: Vec<Reason>,
}

impl Classification {
    /// The class is the greatest of the reasons' classes; nothing to do is additive.
    pub fn new(basis: Basis, reasons: Vec<Reason>) -> Classification {
        let class = reasons.iter().map(|r| r.class).max().unwrap_or(Class::Additive);
        Classification { class, basis, reasons }
    }

    pub fn is_breaking(&self) -> bool {
        self.class == Class::Breaking
    }

    /// The reasons that make it breaking.
    pub fn breaking(&self) -> impl Iterator<Item = &Reason> {
        self.reasons.iter().filter(|r| r.class == Class::Breaking)
    }

    /// One line: the class and, when breaking, what makes it so (`breaking: drops column
    /// users.fax; renames table a to b`).
    pub fn summary(&self) -> String {
        let what: Vec<&str> = self.breaking().map(|r| r.what.as_str()).collect();
        if what.is_empty() {
            self.class.label().to_string()
        } else {
            format!("{}: {}", self.class, what.join("; "))
        }
    }
}

/// The advice for every rebuild: what it costs and how to avoid it on a large table.
const REBUILD_WHY: &str = "SQLite cannot make this change in place, so the table is copied into a new one; the write lock is held until every row is copied, so the app's writes wait and fail once their busy timeout runs out (a rehearsal measures how long, on a copy)";
const REBUILD_INSTEAD: &str = "on a large table, reach the same shape in steps that need no copy: add a new nullable column beside the old one, have the app write both, backfill it in batches (a no-transaction section with -- @repeat), switch reads, and drop the old column in a later revision";

/// Classifies the changes of strata's plan. `rebuilt` names the tables the plan copies into a
/// new table (by their final name); each one adds the rebuild's reason.
pub fn from_changes(changes: &[Change], rebuilt: &[String]) -> Classification {
    let mut reasons = Vec::new();
    for (i, change) in changes.iter().enumerate() {
        match change {
            Change::AddTable(t) => reasons.push(Reason::additive(format!("creates table {}", t.name), "old code does not use it")),
            Change::DropTable(t) => reasons.push(Reason::breaking(
                format!("drops table {}", t.name),
                format!("old code that still reads or writes {} fails with \"no such table\"", t.name),
                format!("first deploy code that no longer uses {}, then drop it in a later revision", t.name),
            )),
            Change::RenameTable { from, to } => reasons.push(Reason::breaking(
                format!("renames table {from} to {to}"),
                format!("old code still uses the name {from}, which no longer exists"),
                format!("create {to} beside {from}, have the app write both, backfill {to}, move reads to it, then drop {from} in a later revision"),
            )),
            Change::ModifyTable(d) => table_reasons(d, &mut reasons),
            Change::AddIndex(x) => {
                // A drop and an add of the same index is a replacement, said once at the add.
                let replaces = changes[..i].iter().any(|c| matches!(c, Change::DropIndex(o) if o.name == x.name));
                reasons.push(add_index(x, replaces));
            }
            Change::DropIndex(x) => {
                if !changes[i + 1..].iter().any(|c| matches!(c, Change::AddIndex(n) if n.name == x.name)) {
                    reasons.push(drop_index(x));
                }
            }
            Change::AddView(v) => {
                let replaces = changes[..i].iter().any(|c| matches!(c, Change::DropView(o) if o.name == v.name));
                reasons.push(if replaces {
                    Reason::breaking(
                        format!("replaces view {}", v.name),
                        "old code that reads it may get other columns or rows",
                        format!("create the new view under another name, move reads to it, then drop {} in a later revision", v.name),
                    )
                } else {
                    Reason::additive(format!("creates view {}", v.name), "old code does not use it")
                });
            }
            Change::DropView(v) => {
                if !changes[i + 1..].iter().any(|c| matches!(c, Change::AddView(n) if n.name == v.name)) {
                    reasons.push(Reason::breaking(
                        format!("drops view {}", v.name),
                        "old code that reads it fails with \"no such table\"",
                        format!("first deploy code that no longer reads {}, then drop it in a later revision", v.name),
                    ));
                }
            }
            Change::AddTrigger(t) => {
                let replaces = changes[..i].iter().any(|c| matches!(c, Change::DropTrigger(o) if o.name == t.name));
                reasons.push(add_trigger(&t.name, &t.table, t.sql.as_str(), replaces));
            }
            Change::DropTrigger(t) => {
                if !changes[i + 1..].iter().any(|c| matches!(c, Change::AddTrigger(n) if n.name == t.name)) {
                    reasons.push(drop_trigger(&t.name, &t.table));
                }
            }
        }
    }
    for table in rebuilt {
        reasons.push(Reason::breaking(format!("rebuilds table {table}"), REBUILD_WHY, REBUILD_INSTEAD));
    }
    if reasons.is_empty() {
        reasons.push(nothing());
    }
    Classification::new(Basis::Changes, reasons)
}

/// The reason of a revision that changes nothing.
fn nothing() -> Reason {
    Reason::additive("changes nothing", "old code is not affected")
}

fn table_reasons(d: &TableDiff, out: &mut Vec<Reason>) {
    let t = &d.to.name;
    // Columns this change adds without a value for the rows already there: old code leaves
    // them NULL, which a foreign key or a UNIQUE on them alone always accepts.
    let empty_new: Vec<&Name> = d
        .changes
        .iter()
        .filter_map(|c| match c {
            TableChange::AddColumn(col) if !col.not_null && col.default.is_none() && col.generated.is_none() => Some(&col.name),
            _ => None,
        })
        .collect();
    let only_new = |names: Vec<&Name>| !names.is_empty() && names.iter().all(|n| empty_new.iter().any(|e| e == n));
    for change in &d.changes {
        match change {
            TableChange::AddColumn(c) => out.push(add_column(t, c)),
            TableChange::DropColumn(c) => out.push(drop_column(t, &c.name)),
            TableChange::RenameColumn { from, to } => out.push(rename_column(t, from, to)),
            TableChange::ModifyColumn { from, to, changed } => {
                let c = &to.name;
                if changed.decl_type {
                    let (a, b) = (type_name(from), type_name(to));
                    out.push(Reason::breaking(
                        format!("changes the type of {t}.{c} from {a} to {b}"),
                        "values are converted to the new type's affinity, and old code may write values that are stored differently",
                        format!(
                            "add a column of type {b} beside {c}, have the app write both, backfill it, move reads to it, then drop {c} in a later revision"
                        ),
                    ));
                }
                if changed.not_null && to.not_null {
                    out.push(Reason::breaking(
                        format!("makes {t}.{c} NOT NULL"),
                        "old code that writes NULL into it fails, and so does the migration while a row holds NULL",
                        "first have the app stop writing NULL and backfill the NULLs; add the constraint in a later revision, once no NULL is left",
                    ));
                }
                if changed.not_null && !to.not_null {
                    out.push(Reason::additive(format!("lets {t}.{c} hold NULL"), "old code writes values as before"));
                }
                if changed.default {
                    out.push(Reason::additive(format!("changes the default of {t}.{c}"), "old code that leaves it out gets the new default; no write fails"));
                }
                if changed.collate {
                    out.push(Reason::breaking(
                        format!("changes the collation of {t}.{c}"),
                        "comparisons, sorting and uniqueness of its values change under old code",
                        format!("add a column (or an index) with the new collation beside {c}, move queries to it, then drop the old one in a later revision"),
                    ));
                }
                if changed.generated {
                    out.push(Reason::breaking(
                        format!("changes how {t}.{c} is generated"),
                        "old code reads other values than before, or can no longer write it",
                        format!("add a new column beside {c}, move reads to it, then drop {c} in a later revision"),
                    ));
                }
            }
            TableChange::SetPrimaryKey { .. } => out.push(Reason::breaking(
                format!("changes the primary key of {t}"),
                "old code's lookups and upserts by the key change, and rows it writes may now collide",
                format!("add a UNIQUE index on the new key first, move the app to it, then change the key of {t} in a later revision"),
            )),
            TableChange::AddUnique(u) if only_new(u.columns.iter().map(|k| &k.name).collect()) => out.push(Reason::additive(
                format!("adds UNIQUE ({}) on {t}", keys(&u.columns)),
                "it is on new columns old code leaves NULL, and NULLs never collide",
            )),
            TableChange::AddUnique(u) => out.push(add_unique(t, &keys(&u.columns))),
            TableChange::DropUnique(u) => out.push(drop_unique(t, &keys(&u.columns))),
            TableChange::AddCheck(c) => out.push(Reason::breaking(
                format!("adds CHECK ({}) on {t}", c.expr.as_str()),
                "old code's writes that break it fail, and so does the migration while a row breaks it",
                "make the app respect the rule and fix the rows that break it first; add the CHECK in a later revision",
            )),
            TableChange::DropCheck(c) => {
                out.push(Reason::additive(format!("drops CHECK ({}) on {t}", c.expr.as_str()), "every write old code makes still passes"))
            }
            TableChange::AddForeignKey(f) if only_new(f.columns.iter().collect()) => out.push(Reason::additive(
                format!("adds a foreign key {t}({}) to {}", names(&f.columns), f.ref_table),
                "it is on new columns old code leaves NULL, which a foreign key always accepts",
            )),
            TableChange::AddForeignKey(f) => out.push(Reason::breaking(
                format!("adds a foreign key {t}({}) to {}", names(&f.columns), f.ref_table),
                "old code's writes of rows without a parent fail (with foreign keys on), and so does the migration while such rows exist",
                "make the app write valid references and fix the orphaned rows first; add the foreign key in a later revision",
            )),
            TableChange::DropForeignKey(f) => out.push(drop_foreign_key(t, f)),
            TableChange::SetStrict(true) => out.push(Reason::breaking(
                format!("makes {t} STRICT"),
                "old code's writes of values that do not match a column's type now fail",
                format!("check that the app only writes values of each column's type, then make {t} STRICT in a later revision"),
            )),
            TableChange::SetStrict(false) => out.push(Reason::additive(format!("makes {t} no longer STRICT"), "every write old code makes still passes")),
            TableChange::SetWithoutRowid(true) => out.push(Reason::breaking(
                format!("makes {t} WITHOUT ROWID"),
                "old code that reads or writes rowid fails",
                "first deploy code that no longer uses rowid, then change the table in a later revision",
            )),
            TableChange::SetWithoutRowid(false) => out.push(Reason::additive(format!("gives {t} a rowid"), "old code does not use it")),
        }
    }
}

fn type_name(c: &Column) -> String {
    match c.decl_type.as_str().trim() {
        "" => "no type".into(),
        t => t.to_string(),
    }
}

fn keys(parts: &[KeyPart]) -> String {
    parts.iter().map(|p| p.name.to_string()).collect::<Vec<_>>().join(", ")
}

fn names(names: &[Name]) -> String {
    names.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", ")
}

fn add_column(t: &str, c: &Column) -> Reason {
    let name = &c.name;
    if c.generated.is_some() {
        return Reason::additive(format!("adds generated column {t}.{name}"), "SQLite computes it; old code neither knows nor writes it");
    }
    match (&c.not_null, &c.default) {
        (true, None) => Reason::breaking(
            format!("adds column {t}.{name} NOT NULL without a default"),
            "old code's INSERTs do not name it and fail",
            format!("add {name} nullable (or with a DEFAULT), have the app fill it, backfill the old rows, then make it NOT NULL in a later revision"),
        ),
        (true, Some(d)) => {
            Reason::additive(format!("adds column {t}.{name} NOT NULL DEFAULT {}", d.as_str()), "old code's INSERTs do not name it and get the default")
        }
        (false, _) => {
            Reason::additive(format!("adds nullable column {t}.{name}"), "old code does not know it, and its INSERTs leave it NULL or at its default")
        }
    }
}

fn drop_column(t: &str, c: &str) -> Reason {
    Reason::breaking(
        format!("drops column {t}.{c}"),
        "old code that reads or writes it fails with \"no such column\"",
        format!("first deploy code that no longer uses {t}.{c}, then drop it in a later revision"),
    )
}

fn rename_column(t: &str, from: &str, to: &str) -> Reason {
    Reason::breaking(
        format!("renames column {t}.{from} to {to}"),
        format!("old code still uses the name {from}, which no longer exists"),
        format!("add {to} beside {from}, have the app write both, backfill {to}, move reads to it, then drop {from} in a later revision"),
    )
}

fn add_unique(t: &str, columns: &str) -> Reason {
    Reason::breaking(
        format!("adds UNIQUE ({columns}) on {t}"),
        "old code's writes of a duplicate now fail, and so does the migration while rows hold duplicates",
        "find and merge the duplicates and make the app avoid them first; then add a unique index (CREATE UNIQUE INDEX needs no table rebuild)",
    )
}

fn drop_unique(t: &str, columns: &str) -> Reason {
    Reason::breaking(
        format!("drops UNIQUE ({columns}) on {t}"),
        "old code's upserts (ON CONFLICT on these columns) fail without it, and duplicates become possible",
        "first deploy code that no longer relies on it, then drop it in a later revision",
    )
}

fn add_index(x: &Index, replaces: bool) -> Reason {
    let verb = if replaces { "replaces" } else { "creates" };
    if x.unique {
        let mut r = add_unique(&x.table, &x.parts.iter().map(|p| p.expr.as_str().to_string()).collect::<Vec<_>>().join(", "));
        r.what = format!("{verb} unique index {} on {}", x.name, x.table);
        return r;
    }
    Reason::additive(
        format!("{verb} index {} on {}", x.name, x.table),
        "old code's queries give the same answers; building it holds the write lock while it reads the table",
    )
}

fn drop_index(x: &Index) -> Reason {
    if x.unique {
        let mut r = drop_unique(&x.table, &x.parts.iter().map(|p| p.expr.as_str().to_string()).collect::<Vec<_>>().join(", "));
        r.what = format!("drops unique index {} on {}", x.name, x.table);
        return r;
    }
    Reason::additive(format!("drops index {} on {}", x.name, x.table), "old code's queries still run, maybe slower")
}

fn add_trigger(name: &str, table: &str, text: &str, replaces: bool) -> Reason {
    let raises = sql::tokenize(text).iter().any(|t| t.is_word(text, "raise"));
    if replaces || raises {
        let what = if replaces { format!("replaces trigger {name} on {table}") } else { format!("creates trigger {name} on {table}, which can RAISE") };
        let why = if raises { "old code's writes now run it, and its RAISE can refuse them" } else { "old code's writes now run a different trigger" };
        return Reason::breaking(what, why, "make the app follow the rule the trigger enforces first, then add it in a later revision");
    }
    Reason::additive(format!("creates trigger {name} on {table}"), "old code's writes also run it; it refuses none of them")
}

fn drop_trigger(name: &str, table: &str) -> Reason {
    Reason::breaking(
        format!("drops trigger {name} on {table}"),
        "what it did on old code's writes (audit rows, derived values) stops",
        format!("first deploy code that no longer relies on {name}, then drop it in a later revision"),
    )
}

fn drop_foreign_key(t: &str, f: &ForeignKey) -> Reason {
    let acts = |a: FkAction| matches!(a, FkAction::Cascade | FkAction::SetNull | FkAction::SetDefault);
    let what = format!("drops the foreign key {t}({}) to {}", names(&f.columns), f.ref_table);
    if acts(f.on_delete) || acts(f.on_update) {
        return Reason::breaking(
            what,
            format!("old code relies on its ON DELETE {} / ON UPDATE {} actions, which stop", f.on_delete.sql(), f.on_update.sql()),
            "first deploy code that does itself what the actions did, then drop the foreign key in a later revision",
        );
    }
    Reason::additive(what, "every write old code makes still passes")
}

#[cfg(test)]
mod tests;
