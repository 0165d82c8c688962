//! What the rows of a generated schema are like, and which schemas those rows allow (NOT NULL,
//! UNIQUE, CHECK and foreign keys that hold in both directions of a migration).

use super::*;

/// What is known of the values a column holds.
#[derive(Clone, Debug)]
pub(crate) struct Facts {
    pub(crate) kind: Option<Kind>,
    pub(crate) may_null: bool,
    pub(crate) distinct: bool,
    pub(crate) all_null: bool,
    pub(crate) ref_to: Option<(usize, usize, bool)>,
    /// Holds the starting values (NULLs possibly replaced by a DEFAULT).
    pub(crate) original: bool,
}

/// The columns of the tables that hold rows, keyed by (table id, column id).
#[derive(Clone, Debug, Default)]
pub(crate) struct Source {
    pub(crate) tables: BTreeSet<usize>,
    pub(crate) cols: BTreeMap<(usize, usize), Facts>,
}

/// The facts of a starting schema, straight from what each column's data is.
pub(crate) fn base_facts(s: &Spec) -> Source {
    let mut out = Source::default();
    for t in &s.tables {
        out.tables.insert(t.id);
        for c in t.cols.iter().filter(|c| c.gen.is_none()) {
            let f = match &c.data {
                Data::Own { kind, nulls } => Facts { kind: Some(*kind), may_null: *nulls, distinct: true, all_null: false, ref_to: None, original: true },
                Data::Ref { table, col, shift, nulls, kind, parent_may_null } => Facts {
                    kind: Some(*kind),
                    may_null: *nulls || *shift || *parent_may_null,
                    distinct: true,
                    all_null: false,
                    ref_to: Some((*table, *col, *shift)),
                    original: true,
                },
                Data::New { .. } => Facts { kind: None, may_null: true, distinct: true, all_null: true, ref_to: None, original: false },
            };
            out.cols.insert((t.id, c.id), f);
        }
    }
    out
}

/// The facts of `target`'s columns after migrating a database whose columns are `src`: kept
/// columns keep their values (NULLs become the DEFAULT where the column turns NOT NULL), new
/// columns hold their DEFAULT or NULL, new tables hold no rows.
pub(crate) fn target_facts(target: &Spec, src: &Source) -> Source {
    let mut out = Source::default();
    for t in target.tables.iter().filter(|t| src.tables.contains(&t.id)) {
        out.tables.insert(t.id);
        for c in t.cols.iter().filter(|c| c.gen.is_none()) {
            let f = match src.cols.get(&(t.id, c.id)) {
                Some(f) if c.not_null && f.may_null && c.default.is_some() => {
                    Facts { kind: f.kind, may_null: false, distinct: false, all_null: false, ref_to: None, original: true }
                }
                Some(f) => f.clone(),
                None if c.default.is_some() => {
                    Facts { kind: Some(c.data.kind()), may_null: false, distinct: false, all_null: false, ref_to: None, original: false }
                }
                None => Facts { kind: None, may_null: true, distinct: true, all_null: true, ref_to: None, original: false },
            };
            out.cols.insert((t.id, c.id), f);
        }
    }
    out
}

/// Whether SQLite accepts `s` and rows with the facts `rows` satisfy it.
pub(crate) fn valid(s: &Spec, rows: &Source) -> bool {
    for t in &s.tables {
        if t.cols.iter().all(|c| c.gen.is_some()) {
            return false;
        }
        for c in &t.cols {
            if c.gen.is_some() && (c.not_null || c.default.is_some() || t.in_pk(c.id)) {
                return false;
            }
            if let Some(g) = &c.gen {
                if t.col(g.src).is_none_or(|s| s.gen.is_some()) {
                    return false;
                }
            }
            if t.strict && !strict_type(&c.ty) {
                return false;
            }
        }
        if let Some(pk) = &t.pk {
            if pk.autoinc && t.alias().is_none() {
                return false;
            }
        }
        if t.without_rowid && t.pk.is_none() {
            return false;
        }
        for f in &t.fks {
            let Some(p) = s.table(f.parent) else { return false };
            let pcols: Vec<usize> = if f.implicit {
                match &p.pk {
                    Some(pk) => pk.cols.iter().map(|c| c.0).collect(),
                    None => return false,
                }
            } else {
                f.parent_cols.clone()
            };
            let keyed = p.pk.as_ref().is_some_and(|pk| pk.cols.iter().map(|c| c.0).collect::<Vec<_>>() == pcols)
                || p.uniques.contains(&pcols);
            if !keyed || pcols.len() != f.cols.len() {
                return false;
            }
            for (c, pc) in f.cols.iter().zip(&pcols) {
                let (Some(c), Some(pc)) = (t.col(*c), p.col(*pc)) else { return false };
                if c.gen.is_some() || pc.gen.is_some() || affinity(&c.ty) != affinity(&pc.ty) || c.nocase != pc.nocase {
                    return false;
                }
            }
        }
        if !rows.tables.contains(&t.id) {
            continue;
        }
        let facts = |c: usize| rows.cols.get(&(t.id, c));
        for c in t.cols.iter().filter(|c| c.gen.is_none()) {
            let f = facts(c.id).unwrap();
            if c.not_null && f.may_null {
                return false;
            }
            if t.strict && f.kind.is_some_and(|k| !k.fits_strict(&c.ty)) {
                return false;
            }
        }
        if let Some(a) = t.alias() {
            let f = facts(a).unwrap();
            if f.kind != Some(Kind::Int) || f.may_null {
                return false;
            }
        }
        if let Some(pk) = &t.pk {
            let fs: Vec<_> = pk.cols.iter().map(|c| facts(c.0)).collect();
            if fs.iter().any(|f| f.is_none_or(|f| f.may_null)) || !fs.iter().any(|f| f.is_some_and(|f| f.distinct)) {
                return false;
            }
        }
        for u in &t.uniques {
            if !u.iter().any(|c| facts(*c).is_some_and(|f| f.distinct)) {
                return false;
            }
        }
        for f in &t.fks {
            let p = s.table(f.parent).unwrap();
            let pcols: Vec<usize> = if f.implicit { p.pk.as_ref().unwrap().cols.iter().map(|c| c.0).collect() } else { f.parent_cols.clone() };
            let fs: Vec<&Facts> = f.cols.iter().map(|c| facts(*c).unwrap()).collect();
            if fs.iter().any(|f| f.all_null) {
                continue;
            }
            let shift = fs[0].ref_to.map(|r| r.2);
            // The parent column must still hold the values the references were made from.
            let ok = fs.iter().zip(&pcols).all(|(x, pc)| {
                x.ref_to.is_some_and(|r| r.0 == f.parent && r.1 == *pc && Some(r.2) == shift)
                    && rows.cols.get(&(f.parent, *pc)).is_some_and(|p| p.original)
            });
            if !ok || !rows.tables.contains(&f.parent) {
                return false;
            }
        }
    }
    for i in &s.indexes {
        if !i.unique || !rows.tables.contains(&i.table) {
            continue;
        }
        let distinct = i.parts.iter().any(|p| {
            p.expr != 2 && rows.cols.get(&(i.table, p.col)).is_some_and(|f| f.distinct && (p.expr == 0 || matches!(f.kind, Some(Kind::Int | Kind::Text))))
        });
        if !distinct {
            return false;
        }
    }
    sqlite_accepts(&render(s, None))
}

/// SQLite itself, without the engine, decides whether the SQL is a valid schema.
pub(crate) fn sqlite_accepts(sql: &str) -> bool {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(sql).is_ok()
}
