//! Pure side (no connection): comparing two snapshots of a database, and telling a loss the
//! revisions declare (their SQL says it throws the data away, as [`crate::loss::read`] reads
//! it) from one they do not (a silent loss).

use std::collections::BTreeSet;

use crate::classify;
use crate::diff::diff;
use crate::loss::{self, Risk};
use crate::diff::Rename;
use crate::revision::{Direction, Revision};
use crate::schema::key;

use super::report::{Mismatch, MismatchKind, Snapshot};

/// What one revision's SQL declares it throws away, and the other names a table or column
/// has in the revisions rehearsed (their renames).
#[derive(Clone, Debug, Default)]
pub struct Declared {
    entries: Vec<Entry>,
    renames: Vec<Rename>,
}

#[derive(Clone, Debug)]
struct Entry {
    revision: String,
    direction: Direction,
    what: String,
    scope: Scope,
}

/// What a risk covers.
#[derive(Clone, Debug)]
enum Scope {
    /// Rows (and so every value) of a table.
    Table(String),
    Column(String, String),
    /// Every column of the table except those named (a copy that reads only these).
    TableExcept(String, Vec<String>),
}

impl Declared {
    /// Reads both sections of every revision of the path.
    pub fn new(path: &[&Revision]) -> Declared {
        let mut out = Declared::default();
        for rev in path {
            for dir in [Direction::Up, Direction::Down] {
                for risk in loss::read(rev.sql(dir)) {
                    for scope in scopes(&risk) {
                        out.entries.push(Entry { revision: rev.id.clone(), direction: dir, what: risk.describe(), scope });
                    }
                }
                out.renames.extend(classify::renames(rev.sql(dir)));
            }
        }
        out
    }

    /// The revision (and what its SQL says) that declares a loss of `table.column`, or of
    /// `table`'s rows when `column` is `None`. The revision `first` is asked first, in
    /// `direction` when one is given; then (when `direction` is `None`) every revision.
    pub fn declared_by(&self, first: &str, direction: Option<Direction>, table: &str, column: Option<&str>) -> Option<String> {
        let tables = self.table_names(table);
        let columns: BTreeSet<String> = column.map(|c| self.column_names(&tables, c)).unwrap_or_default();
        let covers = |e: &Entry| match &e.scope {
            Scope::Table(t) => tables.contains(&key(t)),
            Scope::Column(t, c) => column.is_some() && tables.contains(&key(t)) && columns.contains(&key(c)),
            Scope::TableExcept(t, kept) => column.is_some() && tables.contains(&key(t)) && !kept.iter().any(|k| columns.contains(&key(k))),
        };
        let say = |e: &Entry| format!("{} ({}): {}", e.revision, if e.direction == Direction::Up { "up" } else { "down" }, e.what);
        let own = self.entries.iter().filter(|e| e.revision == first && direction.is_none_or(|d| d == e.direction)).find(|e| covers(e));
        if let Some(e) = own {
            return Some(say(e));
        }
        if direction.is_some() {
            return None;
        }
        self.entries.iter().find(|e| covers(e)).map(say)
    }

    /// Every name `table` has in the renames, as keys.
    fn table_names(&self, table: &str) -> BTreeSet<String> {
        let mut names = BTreeSet::from([key(table)]);
        loop {
            let before = names.len();
            for r in &self.renames {
                if let Rename::Table { from, to } = r {
                    if names.contains(&key(from)) || names.contains(&key(to)) {
                        names.insert(key(from));
                        names.insert(key(to));
                    }
                }
            }
            if names.len() == before {
                return names;
            }
        }
    }

    fn column_names(&self, tables: &BTreeSet<String>, column: &str) -> BTreeSet<String> {
        let mut names = BTreeSet::from([key(column)]);
        loop {
            let before = names.len();
            for r in &self.renames {
                if let Rename::Column { table, from, to } = r {
                    let on = self.table_names(table).iter().any(|t| tables.contains(t));
                    if on && (names.contains(&key(from)) || names.contains(&key(to))) {
                        names.insert(key(from));
                        names.insert(key(to));
                    }
                }
            }
            if names.len() == before {
                return names;
            }
        }
    }
}

fn scopes(risk: &Risk) -> Vec<Scope> {
    match risk {
        Risk::DropTable { table } | Risk::Delete { table, .. } => vec![Scope::Table(table.clone())],
        Risk::DropColumn { table, column } | Risk::Update { table, column, .. } => vec![Scope::Column(table.clone(), column.clone())],
        Risk::Copy { table, kept, filter } => {
            let mut v = Vec::new();
            if let Some(kept) = kept {
                v.push(Scope::TableExcept(table.clone(), kept.clone()));
            }
            if filter.is_some() {
                v.push(Scope::Table(table.clone()));
            }
            v
        }
    }
}

/// How `got` differs from `expected`: the schema (as the changes that would make `got` the
/// expected one), then per table present in both, its rows, each column's values, and the
/// pairing of values into rows. `declared_by`, `inherited` are left for the caller.
pub fn compare(expected: &Snapshot, got: &Snapshot) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let changes: Vec<String> = diff(&got.schema, &expected.schema, &[]).changes.iter().map(|c| c.describe()).collect();
    if !changes.is_empty() {
        out.push(mismatch("", None, MismatchKind::Schema { changes }));
    }
    for want in &expected.tables {
        let Some(have) = got.table(&want.name) else { continue };
        if want.rows != have.rows {
            out.push(mismatch(&want.name, None, MismatchKind::Rows { expected: want.rows, got: have.rows }));
        }
        let mut columns_differ = false;
        for (column, digest) in &want.columns {
            let Some(now) = have.column(column) else { continue };
            if now != digest {
                columns_differ = true;
                out.push(mismatch(&want.name, Some(column), MismatchKind::Values { expected: digest.clone(), got: now.to_string() }));
            }
        }
        let same_columns = want.columns.len() == have.columns.len();
        if !columns_differ && want.rows == have.rows && same_columns && want.row_digest != have.row_digest {
            out.push(mismatch(&want.name, None, MismatchKind::Pairing));
        }
    }
    out
}

fn mismatch(table: &str, column: Option<&str>, kind: MismatchKind) -> Mismatch {
    Mismatch { table: table.to_string(), column: column.map(str::to_string), kind, declared_by: None, inherited: false }
}

/// Tables that lost rows in one step (present before and after under the same name).
pub fn lost_rows(before: &Snapshot, after: &Snapshot) -> Vec<(String, u64, u64)> {
    before.tables.iter().filter_map(|b| after.table(&b.name).filter(|a| a.rows < b.rows).map(|a| (b.name.clone(), b.rows, a.rows))).collect()
}

/// Whether a mismatch of the same kind on the same table and column is among `earlier`.
pub fn is_among(m: &Mismatch, earlier: &[Mismatch]) -> bool {
    let kind = |k: &MismatchKind| std::mem::discriminant(k);
    earlier.iter().any(|e| {
        kind(&e.kind) == kind(&m.kind)
            && (matches!(m.kind, MismatchKind::Schema { .. })
                || (key(&e.table) == key(&m.table) && e.column.as_deref().map(key) == m.column.as_deref().map(key)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rehearse::report::TableState;

    fn table(name: &str, rows: u64, columns: &[(&str, &str)], row_digest: &str) -> TableState {
        TableState { name: name.into(), rows, columns: columns.iter().map(|(c, d)| (c.to_string(), d.to_string())).collect(), row_digest: row_digest.into() }
    }

    fn snap(tables: Vec<TableState>) -> Snapshot {
        Snapshot { tables, ..Snapshot::default() }
    }

    #[test]
    fn values_rows_and_pairings_are_told_apart() {
        let want = snap(vec![table("t", 2, &[("a", "1"), ("b", "2")], "r")]);
        let kinds = |got: Snapshot| compare(&want, &got).into_iter().map(|m| m.describe()).collect::<Vec<_>>();
        assert!(kinds(want.clone()).is_empty());
        assert_eq!(kinds(snap(vec![table("t", 2, &[("a", "1"), ("b", "9")], "x")])), ["t.b: its values differ (content digest)"]);
        assert_eq!(
            kinds(snap(vec![table("t", 1, &[("a", "8"), ("b", "9")], "x")])),
            ["t: 1 rows instead of 2", "t.a: its values differ (content digest)", "t.b: its values differ (content digest)"]
        );
        assert_eq!(kinds(snap(vec![table("T", 2, &[("B", "2"), ("A", "1")], "x")])), ["t: the same values, but paired into rows differently"]);
    }

    #[test]
    fn a_loss_is_declared_by_the_sql_that_throws_it_away_under_any_of_its_names() {
        let r1 = Revision::new(
            "r1",
            vec![],
            "m",
            "c",
            "ALTER TABLE users RENAME COLUMN mail TO email;\nALTER TABLE users RENAME TO people;",
            "ALTER TABLE people RENAME TO users;\nALTER TABLE users RENAME COLUMN email TO mail;",
        );
        let r2 = Revision::new(
            "r2",
            vec!["r1".into()],
            "m",
            "c",
            "ALTER TABLE people DROP COLUMN email;\nDELETE FROM logs WHERE old;",
            "ALTER TABLE people ADD COLUMN email TEXT;\nCREATE TABLE n (id, keep);\nINSERT INTO n SELECT id, keep FROM notes;\nDROP TABLE notes;\nALTER TABLE n RENAME TO notes;",
        );
        let d = Declared::new(&[&r1, &r2]);
        assert_eq!(d.declared_by("r2", None, "people", Some("email")).as_deref(), Some("r2 (up): drops column people.email and its values"));
        // Before r1 ran, the same column was users.mail.
        assert_eq!(d.declared_by("r1", None, "users", Some("mail")).as_deref(), Some("r2 (up): drops column people.email and its values"));
        // Only in the direction asked for, when one is asked for.
        assert_eq!(d.declared_by("r2", Some(Direction::Down), "people", Some("email")), None);
        assert!(d.declared_by("r2", None, "logs", None).is_some());
        assert!(d.declared_by("r2", None, "notes", Some("other")).is_some(), "a column the copy leaves out is declared");
        assert_eq!(d.declared_by("r2", None, "notes", Some("keep")), None, "a column the copy reads is kept, so a change to it is not declared");
        assert_eq!(d.declared_by("r2", None, "notes", None), None, "the copy has no WHERE: no row is declared lost");
        assert_eq!(d.declared_by("r2", None, "people", Some("name")), None);
    }
}
