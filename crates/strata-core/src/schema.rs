//! The `Schema` value type: the shape of a SQLite database, independent of how its SQL was written.
//!
//! Two schemas are equal exactly when the databases have the same shape. Names of objects are
//! keyed case-insensitively (as SQLite resolves them); SQL fragments compare by their normalized
//! token form, so quoting, whitespace and keyword case do not matter. Column order is not part of
//! the shape (tools in this space ignore it too, and `ADD COLUMN` can only append); a rebuild
//! writes columns in the model's order.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::sql;

/// A fragment of SQL (expression, type name, collation name, select statement) kept as written
/// for output and compared by its normalized form.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sql(pub String);

impl Sql {
    pub fn new(s: impl Into<String>) -> Self {
        Sql(s.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn normalized(&self) -> String {
        sql::normalize(&self.0)
    }
    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl PartialEq for Sql {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0 || self.normalized() == other.normalized()
    }
}
impl Eq for Sql {}

impl std::fmt::Display for Sql {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An identifier: kept as written, compared ignoring ASCII case (as SQLite resolves names),
/// so `Users` and `users` are one table in both the diff and schema equality.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(transparent)]
pub struct Name(pub String);

impl PartialEq for Name {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}
impl Eq for Name {}
impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}
impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}
impl Name {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}
impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}
impl std::borrow::Borrow<str> for Name {
    fn borrow(&self) -> &str {
        &self.0
    }
}
impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl From<String> for Name {
    fn from(s: String) -> Self {
        Name(s)
    }
}
impl From<&str> for Name {
    fn from(s: &str) -> Self {
        Name(s.to_string())
    }
}
impl From<&String> for Name {
    fn from(s: &String) -> Self {
        Name(s.clone())
    }
}
impl From<Name> for String {
    fn from(n: Name) -> Self {
        n.0
    }
}

/// The key under which a name is stored: SQLite resolves names ignoring ASCII case.
pub fn key(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// A whole database schema (the `main` schema; internal `sqlite_*` objects excluded).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    pub tables: BTreeMap<String, Table>,
    pub indexes: BTreeMap<String, Index>,
    pub views: BTreeMap<String, View>,
    pub triggers: BTreeMap<String, Trigger>,
}

impl Schema {
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(&key(name))
    }
    pub fn add_table(&mut self, t: Table) {
        self.tables.insert(key(&t.name), t);
    }
    pub fn add_index(&mut self, i: Index) {
        self.indexes.insert(key(&i.name), i);
    }
    pub fn add_view(&mut self, v: View) {
        self.views.insert(key(&v.name), v);
    }
    pub fn add_trigger(&mut self, t: Trigger) {
        self.triggers.insert(key(&t.name), t);
    }
    /// The explicit indexes on one table, by name.
    pub fn indexes_on<'a>(&'a self, table: &'a str) -> impl Iterator<Item = &'a Index> + 'a {
        self.indexes.values().filter(move |i| i.table.eq_ignore_ascii_case(table))
    }
    /// The triggers attached to one table or view.
    pub fn triggers_on<'a>(&'a self, table: &'a str) -> impl Iterator<Item = &'a Trigger> + 'a {
        self.triggers.values().filter(move |t| t.table.eq_ignore_ascii_case(table))
    }
    /// Number of objects of every kind, for summaries.
    pub fn object_count(&self) -> usize {
        self.tables.len() + self.indexes.len() + self.views.len() + self.triggers.len()
    }
}

/// A table. Constraints written on a column (`x INT UNIQUE REFERENCES p`) and the same
/// constraints written at table level are one shape, so both are held at table level.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Table {
    pub name: Name,
    pub columns: Vec<Column>,
    pub primary_key: Option<PrimaryKey>,
    pub uniques: Vec<Unique>,
    pub checks: Vec<Check>,
    pub foreign_keys: Vec<ForeignKey>,
    pub without_rowid: bool,
    pub strict: bool,
}

impl Table {
    pub fn new(name: impl Into<String>) -> Self {
        Table {
            name: Name(name.into()),
            columns: Vec::new(),
            primary_key: None,
            uniques: Vec::new(),
            checks: Vec::new(),
            foreign_keys: Vec::new(),
            without_rowid: false,
            strict: false,
        }
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// The column that aliases the rowid (`INTEGER PRIMARY KEY`, not DESC), if any.
    pub fn rowid_alias(&self) -> Option<&Column> {
        if self.without_rowid {
            return None;
        }
        let pk = self.primary_key.as_ref()?;
        if pk.columns.len() != 1 || (pk.columns[0].desc && pk.desc_on_column) {
            return None;
        }
        let col = self.column(&pk.columns[0].name)?;
        col.decl_type.as_str().trim().eq_ignore_ascii_case("integer").then_some(col)
    }

    /// Whether any constraint, generated column or the primary key of this table mentions `column`.
    pub fn constraints_mention(&self, column: &str) -> bool {
        self.primary_key.as_ref().is_some_and(|pk| pk.columns.iter().any(|p| p.name.eq_ignore_ascii_case(column)))
            || self.uniques.iter().any(|u| u.columns.iter().any(|p| p.name.eq_ignore_ascii_case(column)))
            || self.checks.iter().any(|c| sql::mentions(c.expr.as_str(), column))
            || self.foreign_keys.iter().any(|f| f.columns.iter().any(|c| c.eq_ignore_ascii_case(column)))
            || self
                .columns
                .iter()
                .any(|c| c.generated.as_ref().is_some_and(|g| sql::mentions(g.expr.as_str(), column)))
    }

    /// Sorts the constraint lists into a canonical order so that equality and output do not
    /// depend on the order they were written in.
    /// A constraint written twice is one constraint (SQLite builds one index for a doubled
    /// UNIQUE, and a doubled CHECK tests the same thing), so copies are dropped.
    pub fn canonicalize(&mut self) {
        self.uniques.sort_by_cached_key(|u| format!("{u:?}").to_ascii_lowercase());
        self.uniques.dedup();
        self.checks.sort_by_cached_key(|c| (c.expr.normalized(), c.name.clone()));
        self.checks.dedup();
        self.foreign_keys.sort_by_cached_key(|f| format!("{:?}{:?}", f.columns, f.ref_table).to_ascii_lowercase());
    }

    fn columns_by_key(&self) -> BTreeMap<String, &Column> {
        self.columns.iter().map(|c| (key(&c.name), c)).collect()
    }
}

impl PartialEq for Table {
    fn eq(&self, o: &Self) -> bool {
        self.name == o.name
            && self.without_rowid == o.without_rowid
            && self.strict == o.strict
            && self.primary_key == o.primary_key
            && self.columns.len() == o.columns.len()
            && self.columns_by_key() == o.columns_by_key()
            && same_set(&self.uniques, &o.uniques)
            && same_set(&self.checks, &o.checks)
            && same_set(&self.foreign_keys, &o.foreign_keys)
    }
}
impl Eq for Table {}

/// Multiset equality for short lists of constraints.
pub fn same_set<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    a.len() == b.len() && a.iter().all(|x| a.iter().filter(|y| *y == x).count() == b.iter().filter(|y| *y == x).count())
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: Name,
    /// The declared type as written (`VARCHAR(255)`); empty when none was given.
    pub decl_type: Sql,
    pub not_null: bool,
    /// The DEFAULT expression as written (`0`, `'x'`, `CURRENT_TIMESTAMP`, `(1 + 2)`).
    pub default: Option<Sql>,
    pub collate: Option<Sql>,
    pub generated: Option<Generated>,
}

impl Column {
    pub fn new(name: impl Into<String>, decl_type: impl Into<String>) -> Self {
        Column {
            name: Name(name.into()),
            decl_type: Sql::new(decl_type),
            not_null: false,
            default: None,
            collate: None,
            generated: None,
        }
    }

    /// SQLite's type affinity for the declared type (section 3.1 of the datatype page).
    pub fn affinity(&self) -> Affinity {
        affinity(self.decl_type.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Affinity {
    Integer,
    Text,
    Blob,
    Real,
    Numeric,
}

/// The affinity rules of SQLite, in their documented order.
pub fn affinity(decl: &str) -> Affinity {
    let t = decl.to_ascii_uppercase();
    if t.contains("INT") {
        Affinity::Integer
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        Affinity::Text
    } else if t.contains("BLOB") || t.trim().is_empty() {
        Affinity::Blob
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        Affinity::Real
    } else {
        Affinity::Numeric
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generated {
    pub expr: Sql,
    pub stored: bool,
}

/// One column of a key (primary key or UNIQUE), with its optional COLLATE and DESC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyPart {
    pub name: Name,
    pub collate: Option<Sql>,
    pub desc: bool,
}

impl KeyPart {
    pub fn new(name: impl Into<String>) -> Self {
        KeyPart { name: Name(name.into()), collate: None, desc: false }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimaryKey {
    pub name: Option<Name>,
    pub columns: Vec<KeyPart>,
    pub autoincrement: bool,
    pub on_conflict: Option<String>,
    /// `x INTEGER PRIMARY KEY DESC` written on the column: SQLite's documented quirk makes that
    /// an ordinary column beside the rowid, while `PRIMARY KEY (x DESC)` written on the table
    /// aliases the rowid. Only meaningful together with a DESC key part.
    #[serde(default)]
    pub desc_on_column: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unique {
    pub name: Option<Name>,
    pub columns: Vec<KeyPart>,
    pub on_conflict: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub name: Option<Name>,
    pub expr: Sql,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum FkAction {
    #[default]
    NoAction,
    Restrict,
    SetNull,
    SetDefault,
    Cascade,
}

impl FkAction {
    pub fn sql(self) -> &'static str {
        match self {
            FkAction::NoAction => "NO ACTION",
            FkAction::Restrict => "RESTRICT",
            FkAction::SetNull => "SET NULL",
            FkAction::SetDefault => "SET DEFAULT",
            FkAction::Cascade => "CASCADE",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignKey {
    pub name: Option<Name>,
    pub columns: Vec<Name>,
    pub ref_table: Name,
    /// Empty when the clause names no columns (the parent's primary key is meant).
    pub ref_columns: Vec<Name>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
    /// `DEFERRABLE INITIALLY DEFERRED`: checked at commit. Every other form behaves as immediate.
    pub deferred: bool,
}

impl ForeignKey {
    pub fn references(&self, table: &str) -> bool {
        self.ref_table.eq_ignore_ascii_case(table)
    }
}

/// One term of an index: a column name or an expression, with COLLATE and DESC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexPart {
    pub expr: Sql,
    pub collate: Option<Sql>,
    pub desc: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    pub name: Name,
    pub table: Name,
    pub unique: bool,
    pub parts: Vec<IndexPart>,
    pub where_clause: Option<Sql>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    pub name: Name,
    /// The optional column list `CREATE VIEW v(a, b) AS ...`.
    pub columns: Vec<Name>,
    pub select: Sql,
}

/// A trigger. Its definition is kept whole (`CREATE TRIGGER ... END`, without IF NOT EXISTS)
/// since SQLite offers no way to alter one: a change is always a drop and a create.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    pub name: Name,
    pub table: Name,
    pub sql: Sql,
}

/// Orders tables so that a table comes after the tables its foreign keys reference (cycles are
/// broken by name order).
pub fn tables_in_dependency_order(tables: Vec<&Table>) -> Vec<&Table> {
    topo(tables, |t| t.name.to_string(), |t| t.foreign_keys.iter().map(|f| key(&f.ref_table)).collect())
}

/// Orders views so that a view comes after the views it reads from.
pub fn views_in_dependency_order(views: Vec<&View>) -> Vec<&View> {
    topo(views, |v| v.name.to_string(), |v| sql::identifiers(v.select.as_str()))
}

/// Dependency order: an item comes after the items whose names it mentions, ties and cycles
/// broken by name. Each item's mentions are computed once.
fn topo<'a, T>(items: Vec<&'a T>, name: impl Fn(&T) -> String, mentions: impl Fn(&T) -> HashSet<String>) -> Vec<&'a T> {
    let mut items: Vec<(String, &'a T, HashSet<String>)> = items.into_iter().map(|t| (key(&name(t)), t, mentions(t))).collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let mut pending: HashSet<String> = items.iter().map(|i| i.0.clone()).collect();
    let mut out = Vec::with_capacity(items.len());
    while !items.is_empty() {
        let pos = items
            .iter()
            .position(|(k, _, m)| m.iter().all(|d| d == k || !pending.contains(d)))
            .unwrap_or(0);
        let (k, t, _) = items.remove(pos);
        pending.remove(&k);
        out.push(t);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affinity_follows_sqlite_rules() {
        assert_eq!(affinity("VARCHAR(10)"), Affinity::Text);
        assert_eq!(affinity("BIGINT"), Affinity::Integer);
        assert_eq!(affinity("FLOATING POINT"), Affinity::Integer); // "POINT" contains INT
        assert_eq!(affinity(""), Affinity::Blob);
        assert_eq!(affinity("DECIMAL(10,2)"), Affinity::Numeric);
        assert_eq!(affinity("double"), Affinity::Real);
    }

    #[test]
    fn tables_compare_by_shape_not_column_order() {
        let mut a = Table::new("t");
        a.columns = vec![Column::new("x", "INTEGER"), Column::new("y", "text")];
        let mut b = Table::new("t");
        b.columns = vec![Column::new("y", "TEXT"), Column::new("x", "integer")];
        assert_eq!(a, b);
        b.columns[0].not_null = true;
        assert_ne!(a, b);
    }
}
