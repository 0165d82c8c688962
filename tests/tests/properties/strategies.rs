//! Generation: raw proptest choices, turned into a valid schema by builders that keep only what
//! SQLite and the rows accept.

use super::*;

#[derive(Clone, Debug)]
pub(crate) struct ColGen {
    pub(crate) kind: Kind,
    pub(crate) ty: u8,
    pub(crate) not_null: bool,
    pub(crate) default: Option<u8>,
    pub(crate) nocase: bool,
    pub(crate) check: Option<u8>,
    pub(crate) nulls: bool,
    pub(crate) style: u8,
    pub(crate) unique: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct GenColGen {
    pub(crate) src: Ix,
    pub(crate) form: u8,
    pub(crate) stored: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct FkGen {
    pub(crate) parent: Ix,
    pub(crate) key: Ix,
    pub(crate) shift: bool,
    pub(crate) nulls: bool,
    pub(crate) declare: bool,
    pub(crate) implicit: bool,
    pub(crate) on_delete: u8,
    pub(crate) on_update: u8,
    pub(crate) deferred: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct TableGen {
    pub(crate) style: u8,
    pub(crate) cols: Vec<ColGen>,
    pub(crate) gens: Vec<GenColGen>,
    pub(crate) pk: Option<(Ix, Option<Ix>, bool, bool)>,
    pub(crate) uniques: Vec<(Ix, Option<Ix>)>,
    pub(crate) check: Option<(Ix, Ix)>,
    pub(crate) fks: Vec<FkGen>,
    pub(crate) strict: bool,
    pub(crate) without_rowid: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct IndexGen {
    pub(crate) table: Ix,
    pub(crate) parts: Vec<(Ix, u8, bool, bool)>,
    pub(crate) unique: bool,
    pub(crate) where_col: Option<Ix>,
}

#[derive(Clone, Debug)]
pub(crate) struct ViewGen {
    pub(crate) form: u8,
    pub(crate) src: Ix,
    pub(crate) cols: Vec<Ix>,
    pub(crate) filter: Option<Ix>,
    pub(crate) alias: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct TrigGen {
    pub(crate) on_view: bool,
    pub(crate) on: Ix,
    pub(crate) timing: u8,
    pub(crate) event: u8,
    pub(crate) col: Ix,
    pub(crate) when: bool,
    pub(crate) body: Vec<Ix>,
    pub(crate) other: Option<Ix>,
}

#[derive(Clone, Debug)]
pub(crate) enum Build {
    Table(TableGen),
    Index(IndexGen),
    View(ViewGen),
    Trigger(TrigGen),
}

#[derive(Clone, Debug)]
pub(crate) enum Mutation {
    AddTable(TableGen),
    DropTable(Ix),
    /// Renames a table; with `true`, only the case of its first letter changes.
    RenameTable(Ix, bool),
    ToggleStrict(Ix),
    ToggleWithoutRowid(Ix),
    ToggleAutoincrement(Ix),
    AddColumn(Ix, ColGen),
    AddGeneratedColumn(Ix, GenColGen),
    DropColumn(Ix, Ix),
    RenameColumn(Ix, Ix, bool),
    ChangeType(Ix, Ix, u8),
    ToggleNotNull(Ix, Ix, u8),
    ChangeDefault(Ix, Ix, Option<u8>),
    ToggleNocase(Ix, Ix),
    ToggleColumnCheck(Ix, Ix, u8),
    AddTableCheck(Ix, Ix, Ix),
    DropTableCheck(Ix, Ix),
    AddUnique(Ix, Ix, Option<Ix>),
    DropUnique(Ix, Ix),
    SetPrimaryKey(Ix, Option<(Ix, Option<Ix>, bool)>),
    AddForeignKey(Ix, Ix, Ix, u8, u8),
    DropForeignKey(Ix, Ix),
    /// New ON DELETE / ON UPDATE actions and deferral for an existing foreign key.
    ChangeForeignKey(Ix, Ix, u8, u8, bool),
    ChangeGenerated(Ix, Ix),
    AddIndex(IndexGen),
    DropIndex(Ix),
    RenameIndex(Ix),
    ChangeIndex(Ix, IndexGen),
    AddView(ViewGen),
    DropView(Ix),
    ChangeView(Ix, ViewGen),
    AddTrigger(TrigGen),
    DropTrigger(Ix),
    ChangeTrigger(Ix, TrigGen),
}

pub(crate) fn kind_strategy() -> impl Strategy<Value = Kind> {
    prop_oneof![Just(Kind::Int), Just(Kind::Text), Just(Kind::Real), Just(Kind::Blob)]
}

pub(crate) fn col_gen() -> impl Strategy<Value = ColGen> {
    (kind_strategy(), any::<u8>(), prop::bool::weighted(0.3), prop::option::weighted(0.4, any::<u8>()), prop::bool::weighted(0.2), prop::option::weighted(0.2, any::<u8>()), prop::bool::weighted(0.4), any::<u8>(), prop::bool::weighted(0.15))
        .prop_map(|(kind, ty, not_null, default, nocase, check, nulls, style, unique)| ColGen { kind, ty, not_null, default, nocase, check, nulls, style, unique })
}

pub(crate) fn gen_col_gen() -> impl Strategy<Value = GenColGen> {
    (any::<Ix>(), 0u8..2, any::<bool>()).prop_map(|(src, form, stored)| GenColGen { src, form, stored })
}

pub(crate) fn fk_gen() -> impl Strategy<Value = FkGen> {
    (any::<Ix>(), any::<Ix>(), any::<bool>(), any::<bool>(), prop::bool::weighted(0.8), prop::bool::weighted(0.2), 0u8..5, 0u8..5, prop::bool::weighted(0.2))
        .prop_map(|(parent, key, shift, nulls, declare, implicit, on_delete, on_update, deferred)| FkGen { parent, key, shift, nulls, declare, implicit, on_delete, on_update, deferred })
}

pub(crate) fn table_gen() -> impl Strategy<Value = TableGen> {
    (
        any::<u8>(),
        prop::collection::vec(col_gen(), 1..=5),
        prop::collection::vec(gen_col_gen(), 0..=1),
        prop::option::weighted(0.6, (any::<Ix>(), prop::option::weighted(0.3, any::<Ix>()), prop::bool::weighted(0.1), prop::bool::weighted(0.3))),
        prop::collection::vec((any::<Ix>(), prop::option::weighted(0.4, any::<Ix>())), 0..=1),
        prop::option::weighted(0.2, (any::<Ix>(), any::<Ix>())),
        prop::collection::vec(fk_gen(), 0..=2),
        prop::bool::weighted(0.25),
        prop::bool::weighted(0.25),
    )
        .prop_map(|(style, cols, gens, pk, uniques, check, fks, strict, without_rowid)| TableGen { style, cols, gens, pk, uniques, check, fks, strict, without_rowid })
}

pub(crate) fn index_gen() -> impl Strategy<Value = IndexGen> {
    (any::<Ix>(), prop::collection::vec((any::<Ix>(), 0u8..3, prop::bool::weighted(0.2), prop::bool::weighted(0.3)), 1..=3), prop::bool::weighted(0.3), prop::option::weighted(0.25, any::<Ix>()))
        .prop_map(|(table, parts, unique, where_col)| IndexGen { table, parts, unique, where_col })
}

pub(crate) fn view_gen() -> impl Strategy<Value = ViewGen> {
    (0u8..5, any::<Ix>(), prop::collection::vec(any::<Ix>(), 1..=3), prop::option::weighted(0.4, any::<Ix>()), any::<bool>())
        .prop_map(|(form, src, cols, filter, alias)| ViewGen { form, src, cols, filter, alias })
}

pub(crate) fn trig_gen() -> impl Strategy<Value = TrigGen> {
    (prop::bool::weighted(0.2), any::<Ix>(), 0u8..2, 0u8..4, any::<Ix>(), any::<bool>(), prop::collection::vec(any::<Ix>(), 0..=2), prop::option::weighted(0.3, any::<Ix>()))
        .prop_map(|(on_view, on, timing, event, col, when, body, other)| TrigGen { on_view, on, timing, event, col, when, body, other })
}

pub(crate) fn build_strategy() -> impl Strategy<Value = Build> {
    prop_oneof![
        4 => table_gen().prop_map(Build::Table),
        2 => index_gen().prop_map(Build::Index),
        2 => view_gen().prop_map(Build::View),
        2 => trig_gen().prop_map(Build::Trigger),
    ]
}

pub(crate) fn ix() -> impl Strategy<Value = Ix> {
    any::<Ix>()
}

pub(crate) fn mutation_strategy() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        1 => table_gen().prop_map(Mutation::AddTable),
        1 => ix().prop_map(Mutation::DropTable),
        2 => (ix(), prop::bool::weighted(0.2)).prop_map(|(t, c)| Mutation::RenameTable(t, c)),
        1 => ix().prop_map(Mutation::ToggleStrict),
        1 => ix().prop_map(Mutation::ToggleWithoutRowid),
        1 => ix().prop_map(Mutation::ToggleAutoincrement),
        3 => (ix(), col_gen()).prop_map(|(t, c)| Mutation::AddColumn(t, c)),
        1 => (ix(), gen_col_gen()).prop_map(|(t, c)| Mutation::AddGeneratedColumn(t, c)),
        3 => (ix(), ix()).prop_map(|(t, c)| Mutation::DropColumn(t, c)),
        3 => (ix(), ix(), prop::bool::weighted(0.2)).prop_map(|(t, c, r)| Mutation::RenameColumn(t, c, r)),
        2 => (ix(), ix(), any::<u8>()).prop_map(|(t, c, k)| Mutation::ChangeType(t, c, k)),
        2 => (ix(), ix(), any::<u8>()).prop_map(|(t, c, k)| Mutation::ToggleNotNull(t, c, k)),
        2 => (ix(), ix(), prop::option::of(any::<u8>())).prop_map(|(t, c, k)| Mutation::ChangeDefault(t, c, k)),
        1 => (ix(), ix()).prop_map(|(t, c)| Mutation::ToggleNocase(t, c)),
        1 => (ix(), ix(), any::<u8>()).prop_map(|(t, c, k)| Mutation::ToggleColumnCheck(t, c, k)),
        1 => (ix(), ix(), ix()).prop_map(|(t, a, b)| Mutation::AddTableCheck(t, a, b)),
        1 => (ix(), ix()).prop_map(|(t, c)| Mutation::DropTableCheck(t, c)),
        1 => (ix(), ix(), prop::option::weighted(0.3, ix())).prop_map(|(t, a, b)| Mutation::AddUnique(t, a, b)),
        1 => (ix(), ix()).prop_map(|(t, u)| Mutation::DropUnique(t, u)),
        1 => (ix(), prop::option::weighted(0.7, (ix(), prop::option::weighted(0.3, ix()), prop::bool::weighted(0.2)))).prop_map(|(t, p)| Mutation::SetPrimaryKey(t, p)),
        1 => (ix(), ix(), ix(), 0u8..5, 0u8..5).prop_map(|(t, c, p, d, u)| Mutation::AddForeignKey(t, c, p, d, u)),
        1 => (ix(), ix()).prop_map(|(t, f)| Mutation::DropForeignKey(t, f)),
        1 => (ix(), ix(), 0u8..5, 0u8..5, any::<bool>()).prop_map(|(t, f, d, u, x)| Mutation::ChangeForeignKey(t, f, d, u, x)),
        1 => (ix(), ix()).prop_map(|(t, c)| Mutation::ChangeGenerated(t, c)),
        2 => index_gen().prop_map(Mutation::AddIndex),
        1 => ix().prop_map(Mutation::DropIndex),
        1 => ix().prop_map(Mutation::RenameIndex),
        1 => (ix(), index_gen()).prop_map(|(i, g)| Mutation::ChangeIndex(i, g)),
        1 => view_gen().prop_map(Mutation::AddView),
        1 => ix().prop_map(Mutation::DropView),
        1 => (ix(), view_gen()).prop_map(|(i, g)| Mutation::ChangeView(i, g)),
        1 => trig_gen().prop_map(Mutation::AddTrigger),
        1 => ix().prop_map(Mutation::DropTrigger),
        1 => (ix(), trig_gen()).prop_map(|(i, g)| Mutation::ChangeTrigger(i, g)),
    ]
}

/// Picks an element of a non-empty list.
pub(crate) fn pick<T>(list: &[T], i: &Ix) -> Option<usize> {
    (!list.is_empty()).then(|| i.index(list.len()))
}

/// The context a builder works in: building the start (columns get data) or mutating it
/// (columns are new: no rows of their own).
pub(crate) struct Ctx<'a> {
    pub(crate) start: Option<&'a Spec>,
}

impl Ctx<'_> {
    pub(crate) fn data(&self, kind: Kind, nulls: bool) -> Data {
        if self.start.is_some() {
            Data::New { kind }
        } else {
            Data::Own { kind, nulls }
        }
    }
    /// Whether `s` is acceptable: valid for SQLite and for the rows, in both directions.
    pub(crate) fn ok(&self, s: &Spec) -> bool {
        match self.start {
            None => valid(s, &base_facts(s)),
            Some(start) => {
                let up = target_facts(s, &base_facts(start));
                let down = target_facts(start, &up);
                valid(s, &up) && valid(start, &down)
            }
        }
    }
    /// Applies `f` to a copy and keeps the result when `f` succeeds and the result is valid.
    pub(crate) fn attempt(&self, s: &mut Spec, f: impl FnOnce(&mut Spec) -> Option<()>) -> bool {
        let mut c = s.clone();
        if f(&mut c).is_some() && self.ok(&c) {
            *s = c;
            true
        } else {
            false
        }
    }
}

pub(crate) fn make_col(s: &mut Spec, ctx: &Ctx, g: &ColGen) -> Col {
    let id = s.fresh();
    let ty = if g.ty < 200 {
        let n = g.kind.natural_types();
        n[g.ty as usize % n.len()].to_string()
    } else {
        ALL_TYPES[g.ty as usize % ALL_TYPES.len()].to_string()
    };
    let defaults = g.kind.defaults();
    Col {
        id,
        name: name_for("c", id, g.style),
        ty,
        not_null: g.not_null,
        default: g.default.map(|d| defaults[d as usize % defaults.len()].to_string()),
        nocase: g.nocase,
        check: g.check,
        gen: None,
        data: ctx.data(g.kind, g.nulls && !g.not_null),
    }
}

pub(crate) fn make_gen_col(s: &mut Spec, t: &Tbl, g: &GenColGen) -> Option<Col> {
    let plain: Vec<&Col> = t.cols.iter().filter(|c| c.gen.is_none()).collect();
    let src = plain[pick(&plain, &g.src)?].id;
    let id = s.fresh();
    Some(Col {
        id,
        name: name_for("g", id, 0),
        ty: if g.form == 0 { "INTEGER" } else { "TEXT" }.into(),
        not_null: false,
        default: None,
        nocase: false,
        check: None,
        gen: Some(Gen { src, form: g.form, stored: g.stored }),
        data: Data::New { kind: Kind::Int },
    })
}

/// The single- and multi-column keys of a table a foreign key may point at.
pub(crate) fn keys_of(t: &Tbl) -> Vec<(Vec<usize>, bool)> {
    let mut v: Vec<(Vec<usize>, bool)> = Vec::new();
    if let Some(pk) = &t.pk {
        v.push((pk.cols.iter().map(|c| c.0).collect(), true));
    }
    v.extend(t.uniques.iter().map(|u| (u.clone(), false)));
    v
}

pub(crate) fn add_table(s: &mut Spec, ctx: &Ctx, g: &TableGen) {
    let id = s.fresh();
    let mut t = Tbl { id, name: name_for("t", id, g.style), cols: vec![], pk: None, uniques: vec![], checks: vec![], fks: vec![], without_rowid: false, strict: false };
    for cg in &g.cols {
        let c = make_col(s, ctx, cg);
        t.cols.push(c);
    }
    // Repair what the base alone would make invalid: optional pieces are tried one by one below.
    let mut base = t.clone();
    for c in &mut base.cols {
        c.not_null = c.not_null && !matches!(c.data, Data::Own { nulls: true, .. });
    }
    s.tables.push(base);
    if !ctx.ok(s) {
        // Drop the column constraints that may be the problem and try once more.
        let t = s.tables.last_mut().unwrap();
        for c in &mut t.cols {
            c.check = None;
            c.not_null = false;
            c.nocase = false;
            if ctx.start.is_some() {
                c.default = None;
            }
        }
        if !ctx.ok(s) {
            s.tables.pop();
            return;
        }
    }
    for gg in &g.gens {
        ctx.attempt(s, |s| {
            let t = s.table(id)?.clone();
            let c = make_gen_col(s, &t, gg)?;
            s.table_mut(id)?.cols.push(c);
            Some(())
        });
    }
    if let Some((a, b, desc, autoinc)) = &g.pk {
        ctx.attempt(s, |s| {
            let t = s.table_mut(id)?;
            if *autoinc {
                // AUTOINCREMENT needs an INTEGER PRIMARY KEY over integers.
                let ints: Vec<usize> = t.cols.iter().filter(|c| c.gen.is_none() && c.data.kind() == Kind::Int).map(|c| c.id).collect();
                let c = ints[pick(&ints, a)?];
                t.col_mut(c)?.ty = "INTEGER".into();
                t.pk = Some(Pk { cols: vec![(c, false)], autoinc: true });
                return Some(());
            }
            let plain: Vec<usize> = t.cols.iter().filter(|c| c.gen.is_none()).map(|c| c.id).collect();
            let mut cols = vec![(plain[pick(&plain, a)?], *desc)];
            if let Some(b) = b {
                let c = plain[pick(&plain, b)?];
                if c != cols[0].0 {
                    cols.push((c, false));
                }
            }
            t.pk = Some(Pk { cols, autoinc: false });
            Some(())
        });
    }
    for (a, b) in &g.uniques {
        ctx.attempt(s, |s| {
            let t = s.table_mut(id)?;
            let mut u = vec![t.cols[pick(&t.cols, a)?].id];
            if let Some(b) = b {
                let c = t.cols[pick(&t.cols, b)?].id;
                if c != u[0] {
                    u.push(c);
                }
            }
            t.uniques.push(u);
            Some(())
        });
    }
    for (k, cg) in g.cols.iter().enumerate() {
        if cg.unique {
            ctx.attempt(s, |s| {
                let t = s.table_mut(id)?;
                let c = t.cols.get(k)?.id;
                t.uniques.push(vec![c]);
                Some(())
            });
        }
    }
    if let Some((a, b)) = &g.check {
        ctx.attempt(s, |s| {
            let t = s.table_mut(id)?;
            let ca = t.cols[pick(&t.cols, a)?].id;
            let cb = t.cols[pick(&t.cols, b)?].id;
            t.checks.push((ca, cb));
            Some(())
        });
    }
    for fg in &g.fks {
        ctx.attempt(s, |s| add_fk_columns(s, ctx, id, fg));
    }
    if g.strict {
        ctx.attempt(s, |s| {
            s.table_mut(id)?.strict = true;
            Some(())
        });
    }
    if g.without_rowid {
        ctx.attempt(s, |s| {
            let t = s.table_mut(id)?;
            t.without_rowid = true;
            if let Some(pk) = &mut t.pk {
                pk.autoinc = false;
            }
            Some(())
        });
    }
}

/// New columns in table `id` holding the values of a key of an earlier table (or of the table
/// itself), with the foreign key declared unless the generator wants the data alone (so a
/// later mutation can add the constraint).
pub(crate) fn add_fk_columns(s: &mut Spec, ctx: &Ctx, id: usize, g: &FkGen) -> Option<()> {
    let candidates: Vec<usize> = s.tables.iter().map(|t| t.id).filter(|t| *t <= id).collect();
    let parent = candidates[pick(&candidates, &g.parent)?];
    let p = s.table(parent)?.clone();
    let keys = keys_of(&p);
    let (pcols, is_pk) = keys[pick(&keys, &g.key)?].clone();
    let mut cols = Vec::new();
    for pc in &pcols {
        let pcol = p.col(*pc)?;
        let pf = base_facts(s).cols.get(&(parent, *pc)).cloned();
        let cid = s.fresh();
        let data = match (&ctx.start, pf) {
            (None, Some(pf)) => Data::Ref { table: parent, col: *pc, shift: g.shift, nulls: g.nulls, kind: pcol.data.kind(), parent_may_null: pf.may_null },
            _ => Data::New { kind: pcol.data.kind() },
        };
        let ty = pcol.ty.clone();
        let c = Col { id: cid, name: name_for("f", cid, 0), ty, not_null: false, default: None, nocase: pcol.nocase, check: None, gen: None, data };
        cols.push(cid);
        s.table_mut(id)?.cols.push(c);
    }
    if g.declare {
        let fk = Fk { cols, parent, parent_cols: pcols, implicit: g.implicit && is_pk, on_delete: g.on_delete, on_update: g.on_update, deferred: g.deferred };
        s.table_mut(id)?.fks.push(fk);
    }
    Some(())
}

/// Picks a table and, within it, a column.
pub(crate) fn pick_col(s: &Spec, t: &Ix, c: &Ix) -> Option<(usize, usize)> {
    let ti = pick(&s.tables, t)?;
    let tb = &s.tables[ti];
    let ci = pick(&tb.cols, c)?;
    Some((tb.id, tb.cols[ci].id))
}

pub(crate) fn add_index(s: &mut Spec, g: &IndexGen, name: Option<String>) -> Option<()> {
    let ti = pick(&s.tables, &g.table)?;
    let t = s.tables[ti].clone();
    let mut parts = Vec::new();
    for (c, expr, nocase, desc) in &g.parts {
        let col = t.cols[pick(&t.cols, c)?].id;
        if parts.iter().any(|p: &Part| p.col == col && p.expr == *expr) {
            continue;
        }
        parts.push(Part { col, expr: *expr, nocase: *nocase, desc: *desc });
    }
    let where_col = match &g.where_col {
        Some(w) => Some(t.cols[pick(&t.cols, w)?].id),
        None => None,
    };
    let id = s.fresh();
    s.indexes.push(Idx { id, name: name.unwrap_or_else(|| object_name("i", id)), table: t.id, unique: g.unique, parts, where_col });
    Some(())
}

pub(crate) fn make_view(s: &mut Spec, g: &ViewGen, name: Option<String>) -> Option<()> {
    let src = match g.form {
        0 | 1 => {
            let t = &s.tables[pick(&s.tables, &g.src)?];
            let mut cols = Vec::new();
            for c in &g.cols {
                let c = t.cols[pick(&t.cols, c)?].id;
                if !cols.contains(&c) {
                    cols.push(c);
                }
            }
            let filter = match &g.filter {
                Some(f) => Some(t.cols[pick(&t.cols, f)?].id),
                None => None,
            };
            ViewSrc::Table { table: t.id, cols, filter, alias: g.alias, column_list: g.form == 1 }
        }
        2 => ViewSrc::Star(s.tables[pick(&s.tables, &g.src)?].id),
        3 => ViewSrc::View(s.views[pick(&s.views, &g.src)?].id),
        _ => {
            let ta = &s.tables[pick(&s.tables, &g.src)?];
            let tb = &s.tables[pick(&s.tables, &g.cols[0])?];
            if ta.id == tb.id {
                return None;
            }
            let ac = ta.cols[pick(&ta.cols, g.filter.as_ref().unwrap_or(&g.src))?].id;
            let bc = tb.cols[pick(&tb.cols, &g.cols[0])?].id;
            ViewSrc::Join { a: ta.id, ac, b: tb.id, bc }
        }
    };
    let id = s.fresh();
    s.views.push(View { id, name: name.unwrap_or_else(|| object_name("v", id)), src });
    Some(())
}

pub(crate) fn make_trigger(s: &mut Spec, g: &TrigGen, name: Option<String>) -> Option<()> {
    let id = s.fresh();
    let name = name.unwrap_or_else(|| object_name("tr", id));
    let other = match &g.other {
        Some(o) => Some(s.tables[pick(&s.tables, o)?].id),
        None => None,
    };
    if g.on_view {
        let v = s.views[pick(&s.views, &g.on)?].id;
        s.triggers.push(Trig { name, on: TrigOn::View(v), timing: 0, event: g.event % 3, update_of: None, when: None, body: vec![], other, other_col: None });
        return Some(());
    }
    let t = &s.tables[pick(&s.tables, &g.on)?];
    let col = t.cols[pick(&t.cols, &g.col)?].id;
    let mut body = Vec::new();
    for b in &g.body {
        let c = t.cols[pick(&t.cols, b)?].id;
        if !body.contains(&c) {
            body.push(c);
        }
    }
    let other_col = match (other, g.timing) {
        (Some(o), 1) => {
            let ot = s.table(o)?;
            Some(ot.cols[pick(&ot.cols, &g.col)?].id)
        }
        _ => None,
    };
    let tr = Trig { name, on: TrigOn::Table(t.id), timing: g.timing, event: g.event, update_of: (g.event == 3).then_some(col), when: g.when.then_some(col), body, other, other_col };
    s.triggers.push(tr);
    Some(())
}

pub(crate) fn build(steps: &[Build]) -> Spec {
    let mut s = Spec::default();
    let ctx = Ctx { start: None };
    for b in steps {
        match b {
            Build::Table(g) => add_table(&mut s, &ctx, g),
            Build::Index(g) => {
                ctx.attempt(&mut s, |s| add_index(s, g, None));
            }
            Build::View(g) => {
                ctx.attempt(&mut s, |s| make_view(s, g, None));
            }
            Build::Trigger(g) => {
                ctx.attempt(&mut s, |s| make_trigger(s, g, None));
            }
        }
    }
    s
}
