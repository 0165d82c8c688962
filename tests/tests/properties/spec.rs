//! The schema the property generates, as a Rust value: tables, columns, keys, indexes, views and
//! triggers, each with a stable id so renames keep every reference intact, and the data each
//! column holds.

use super::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Int,
    Real,
    Text,
    Blob,
}

impl Kind {
    /// The value of row `i`: distinct for every row, increasing with `i` in every type it can be
    /// converted to, lowercase (so NOCASE keeps them distinct).
    pub(crate) fn value(self, i: i64) -> Value {
        match self {
            Kind::Int => Value::Integer(7 * i),
            Kind::Real => Value::Real(i as f64 + 0.5),
            Kind::Text => Value::Text(format!("v{i:04}")),
            Kind::Blob => Value::Blob(vec![0xb0, i as u8]),
        }
    }
    /// DEFAULT expressions whose value is of this kind.
    pub(crate) fn defaults(self) -> &'static [&'static str] {
        match self {
            Kind::Int => &["0", "-1", "(1 + 2)", "42"],
            Kind::Real => &["0.25", "-1.5"],
            Kind::Text => &["'dflt'", "'it''s'", "CURRENT_TIMESTAMP", "''"],
            Kind::Blob => &["X'00'", "X'CAFE'"],
        }
    }
    /// Declared types that suit this kind; generation mostly picks one of these.
    pub(crate) fn natural_types(self) -> &'static [&'static str] {
        match self {
            Kind::Int => &["INTEGER", "INT", "integer", "NUMERIC"],
            Kind::Real => &["REAL", "NUMERIC"],
            Kind::Text => &["TEXT", "VARCHAR(20)", "text"],
            Kind::Blob => &["BLOB", ""],
        }
    }
    /// Whether a STRICT column of type `ty` takes values of this kind without loss.
    pub(crate) fn fits_strict(self, ty: &str) -> bool {
        let t = ty.to_ascii_uppercase();
        match self {
            Kind::Int => matches!(t.as_str(), "INTEGER" | "INT" | "REAL" | "TEXT" | "ANY"),
            Kind::Real => matches!(t.as_str(), "REAL" | "ANY"),
            Kind::Text => matches!(t.as_str(), "TEXT" | "ANY"),
            Kind::Blob => matches!(t.as_str(), "BLOB" | "ANY"),
        }
    }
}

pub(crate) const ALL_TYPES: [&str; 10] = ["INTEGER", "INT", "TEXT", "REAL", "BLOB", "NUMERIC", "VARCHAR(20)", "ANY", "", "integer"];

pub(crate) fn strict_type(ty: &str) -> bool {
    matches!(ty.to_ascii_uppercase().as_str(), "INTEGER" | "INT" | "REAL" | "TEXT" | "BLOB" | "ANY")
}

/// What a column holds in the database the migration starts from.
#[derive(Clone, Debug)]
pub(crate) enum Data {
    /// Values of one kind, NULL in every third row when `nulls`.
    Own { kind: Kind, nulls: bool },
    /// The values of another column (row `i`, or row `i - 1` when `shift`), so that a foreign
    /// key to that column holds; NULL in every fourth row when `nulls`.
    Ref { table: usize, col: usize, shift: bool, nulls: bool, kind: Kind, parent_may_null: bool },
    /// A column the migration adds (or a generated one): no values of its own.
    New { kind: Kind },
}

impl Data {
    pub(crate) fn kind(&self) -> Kind {
        match self {
            Data::Own { kind, .. } | Data::Ref { kind, .. } | Data::New { kind } => *kind,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Gen {
    pub(crate) src: usize,
    /// 0: `length(src)` (INTEGER), 1: `src || '-'` (TEXT).
    pub(crate) form: u8,
    pub(crate) stored: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct Col {
    pub(crate) id: usize,
    pub(crate) name: String,
    pub(crate) ty: String,
    pub(crate) not_null: bool,
    pub(crate) default: Option<String>,
    pub(crate) nocase: bool,
    pub(crate) check: Option<u8>,
    pub(crate) gen: Option<Gen>,
    pub(crate) data: Data,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Pk {
    pub(crate) cols: Vec<(usize, bool)>,
    pub(crate) autoinc: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct Fk {
    pub(crate) cols: Vec<usize>,
    pub(crate) parent: usize,
    pub(crate) parent_cols: Vec<usize>,
    /// `REFERENCES parent` without columns: the parent's primary key.
    pub(crate) implicit: bool,
    pub(crate) on_delete: u8,
    pub(crate) on_update: u8,
    pub(crate) deferred: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct Tbl {
    pub(crate) id: usize,
    pub(crate) name: String,
    pub(crate) cols: Vec<Col>,
    pub(crate) pk: Option<Pk>,
    pub(crate) uniques: Vec<Vec<usize>>,
    pub(crate) checks: Vec<(usize, usize)>,
    pub(crate) fks: Vec<Fk>,
    pub(crate) without_rowid: bool,
    pub(crate) strict: bool,
}

impl Tbl {
    pub(crate) fn col(&self, id: usize) -> Option<&Col> {
        self.cols.iter().find(|c| c.id == id)
    }
    pub(crate) fn col_mut(&mut self, id: usize) -> Option<&mut Col> {
        self.cols.iter_mut().find(|c| c.id == id)
    }
    /// Whether the primary key is written on its column rather than as a table constraint.
    pub(crate) fn pk_inline(&self) -> bool {
        self.pk.as_ref().is_some_and(|p| p.cols.len() == 1 && (p.autoinc || (self.id + p.cols[0].0).is_multiple_of(2)))
    }
    /// The column that aliases the rowid, as SQLite decides it: `INTEGER PRIMARY KEY DESC` on
    /// the column is not an alias, `PRIMARY KEY (x DESC)` as a table constraint is.
    pub(crate) fn alias(&self) -> Option<usize> {
        let pk = self.pk.as_ref()?;
        if self.without_rowid || pk.cols.len() != 1 || (pk.cols[0].1 && self.pk_inline()) {
            return None;
        }
        let c = self.col(pk.cols[0].0)?;
        c.ty.eq_ignore_ascii_case("INTEGER").then_some(c.id)
    }
    pub(crate) fn in_pk(&self, id: usize) -> bool {
        self.pk.as_ref().is_some_and(|p| p.cols.iter().any(|c| c.0 == id))
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Part {
    pub(crate) col: usize,
    /// 0: the column, 1: `lower(col)`, 2: `length(col)`.
    pub(crate) expr: u8,
    pub(crate) nocase: bool,
    pub(crate) desc: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct Idx {
    pub(crate) id: usize,
    pub(crate) name: String,
    pub(crate) table: usize,
    pub(crate) unique: bool,
    pub(crate) parts: Vec<Part>,
    pub(crate) where_col: Option<usize>,
}

#[derive(Clone, Debug)]
pub(crate) enum ViewSrc {
    /// `SELECT cols FROM table [WHERE filter IS NOT NULL]`, with `AS` aliases or a view column
    /// list when asked.
    Table { table: usize, cols: Vec<usize>, filter: Option<usize>, alias: bool, column_list: bool },
    /// Two tables joined on one column each, every name qualified by its table.
    Join { a: usize, ac: usize, b: usize, bc: usize },
    Star(usize),
    View(usize),
}

#[derive(Clone, Debug)]
pub(crate) struct View {
    pub(crate) id: usize,
    pub(crate) name: String,
    pub(crate) src: ViewSrc,
}

#[derive(Clone, Debug)]
pub(crate) enum TrigOn {
    Table(usize),
    View(usize),
}

#[derive(Clone, Debug)]
pub(crate) struct Trig {
    pub(crate) name: String,
    pub(crate) on: TrigOn,
    /// 0: BEFORE, 1: AFTER (INSTEAD OF on views).
    pub(crate) timing: u8,
    /// 0: INSERT, 1: UPDATE, 2: DELETE, 3: UPDATE OF `update_of`.
    pub(crate) event: u8,
    pub(crate) update_of: Option<usize>,
    pub(crate) when: Option<usize>,
    pub(crate) body: Vec<usize>,
    pub(crate) other: Option<usize>,
    /// A column of `other` the body reads (`count(col)` instead of `count(*)`).
    pub(crate) other_col: Option<usize>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Spec {
    pub(crate) tables: Vec<Tbl>,
    pub(crate) indexes: Vec<Idx>,
    pub(crate) views: Vec<View>,
    pub(crate) triggers: Vec<Trig>,
    pub(crate) next: usize,
}

impl Spec {
    pub(crate) fn fresh(&mut self) -> usize {
        self.next += 1;
        self.next
    }
    pub(crate) fn table(&self, id: usize) -> Option<&Tbl> {
        self.tables.iter().find(|t| t.id == id)
    }
    pub(crate) fn table_mut(&mut self, id: usize) -> Option<&mut Tbl> {
        self.tables.iter_mut().find(|t| t.id == id)
    }
    pub(crate) fn view(&self, id: usize) -> Option<&View> {
        self.views.iter().find(|v| v.id == id)
    }
    pub(crate) fn col_name(&self, t: usize, c: usize) -> String {
        self.table(t).and_then(|t| t.col(c)).map(|c| c.name.clone()).expect("dangling column reference")
    }
}
