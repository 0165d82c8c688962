//! Mutations of a generated schema. Each one changes a copy; removing an object removes whatever
//! depends on it, so the result refers to nothing that is gone.

use super::*;

pub(crate) fn drop_views_cascade(s: &mut Spec, mut gone: Vec<usize>) {
    while let Some(v) = gone.pop() {
        s.views.retain(|x| x.id != v);
        s.triggers.retain(|t| !matches!(t.on, TrigOn::View(x) if x == v));
        gone.extend(s.views.iter().filter(|x| matches!(x.src, ViewSrc::View(w) if w == v)).map(|x| x.id));
    }
}

pub(crate) fn drop_table(s: &mut Spec, id: usize) {
    s.tables.retain(|t| t.id != id);
    for t in &mut s.tables {
        t.fks.retain(|f| f.parent != id);
    }
    s.indexes.retain(|i| i.table != id);
    s.triggers.retain(|t| !matches!(t.on, TrigOn::Table(x) if x == id) && t.other != Some(id));
    let gone = s
        .views
        .iter()
        .filter(|v| match v.src {
            ViewSrc::Table { table, .. } | ViewSrc::Star(table) => table == id,
            ViewSrc::Join { a, b, .. } => a == id || b == id,
            ViewSrc::View(_) => false,
        })
        .map(|v| v.id)
        .collect();
    drop_views_cascade(s, gone);
}

/// Drops a column and everything that mentions it; refuses a primary key column.
pub(crate) fn drop_column(s: &mut Spec, tid: usize, cid: usize) -> Option<()> {
    let t = s.table(tid)?;
    if t.in_pk(cid) {
        return None;
    }
    let mut gone: Vec<usize> = vec![cid];
    gone.extend(t.cols.iter().filter(|c| c.gen.as_ref().is_some_and(|g| g.src == cid)).map(|c| c.id));
    let t = s.table_mut(tid)?;
    t.cols.retain(|c| !gone.contains(&c.id));
    t.uniques.retain(|u| !u.iter().any(|c| gone.contains(c)));
    t.checks.retain(|(a, b)| !gone.contains(a) && !gone.contains(b));
    t.fks.retain(|f| !f.cols.iter().any(|c| gone.contains(c)));
    for t in &mut s.tables {
        t.fks.retain(|f| !(f.parent == tid && f.parent_cols.iter().any(|c| gone.contains(c))));
    }
    s.indexes.retain(|i| !(i.table == tid && (i.parts.iter().any(|p| gone.contains(&p.col)) || i.where_col.is_some_and(|w| gone.contains(&w)))));
    s.triggers.retain(|tr| {
        !(matches!(tr.on, TrigOn::Table(x) if x == tid)
            && (tr.update_of.is_some_and(|c| gone.contains(&c)) || tr.when.is_some_and(|c| gone.contains(&c)) || tr.body.iter().any(|c| gone.contains(c))))
            && !(tr.other == Some(tid) && tr.other_col.is_some_and(|c| gone.contains(&c)))
    });
    let views = s
        .views
        .iter()
        .filter(|v| match &v.src {
            ViewSrc::Table { table, cols, filter, .. } => *table == tid && (cols.iter().any(|c| gone.contains(c)) || filter.is_some_and(|f| gone.contains(&f))),
            ViewSrc::Join { a, ac, b, bc } => (*a == tid && gone.contains(ac)) || (*b == tid && gone.contains(bc)),
            _ => false,
        })
        .map(|v| v.id)
        .collect();
    drop_views_cascade(s, views);
    Some(())
}

pub(crate) fn rename(base: &str, s: &mut Spec) -> String {
    let n = s.fresh();
    format!("{base}_r{n}")
}

/// The same name with the case of its first letter flipped: SQLite sees the same object, the
/// schema shows the new spelling.
pub(crate) fn recase(name: &str) -> String {
    let mut c = name.chars();
    let first = c.next().unwrap();
    let flipped = if first.is_ascii_lowercase() { first.to_ascii_uppercase() } else { first.to_ascii_lowercase() };
    std::iter::once(flipped).chain(c).collect()
}

pub(crate) fn apply_mutation(s: &mut Spec, ctx: &Ctx, m: &Mutation) -> bool {
    use Mutation::*;
    let col_of = |s: &Spec, t: &Ix, c: &Ix| pick_col(s, t, c);
    match m {
        AddTable(g) => {
            let n = s.tables.len();
            add_table(s, ctx, g);
            s.tables.len() > n
        }
        _ => {
            ctx.attempt(s, |s| {
                match m {
                    AddTable(_) => unreachable!(),
                    DropTable(t) => {
                        let id = s.tables[pick(&s.tables, t)?].id;
                        drop_table(s, id);
                    }
                    RenameTable(t, case_only) => {
                        let i = pick(&s.tables, t)?;
                        let old = s.tables[i].name.clone();
                        let n = if *case_only { recase(&old) } else { rename(&old, s) };
                        s.tables[i].name = n;
                    }
                    ToggleStrict(t) => {
                        let i = pick(&s.tables, t)?;
                        let tb = &mut s.tables[i];
                        tb.strict = !tb.strict;
                        if tb.strict {
                            // Types STRICT does not know become the nearest one it does.
                            for c in tb.cols.iter_mut().filter(|c| c.gen.is_none() && !strict_type(&c.ty)) {
                                c.ty = match c.data.kind() {
                                    Kind::Int => "INTEGER",
                                    Kind::Real => "REAL",
                                    Kind::Text => "TEXT",
                                    Kind::Blob => "BLOB",
                                }
                                .into();
                            }
                        }
                    }
                    ToggleWithoutRowid(t) => {
                        let i = pick(&s.tables, t)?;
                        s.tables[i].without_rowid = !s.tables[i].without_rowid;
                    }
                    ToggleAutoincrement(t) => {
                        let with_pk: Vec<usize> = s.tables.iter().filter(|x| x.pk.as_ref().is_some_and(|p| p.cols.len() == 1)).map(|x| x.id).collect();
                        let tb = s.table_mut(with_pk[pick(&with_pk, t)?])?;
                        let pk = tb.pk.as_mut()?;
                        pk.autoinc = !pk.autoinc;
                        if pk.autoinc {
                            // AUTOINCREMENT needs the rowid alias: an INTEGER key, not DESC.
                            pk.cols[0].1 = false;
                            let c = pk.cols[0].0;
                            tb.col_mut(c)?.ty = "INTEGER".into();
                        }
                    }
                    AddColumn(t, g) => {
                        let i = pick(&s.tables, t)?;
                        let mut c = make_col(s, ctx, g);
                        if c.not_null && c.default.is_none() {
                            let d = c.data.kind().defaults();
                            c.default = Some(d[0].to_string());
                        }
                        s.tables[i].cols.push(c);
                        if g.unique {
                            let id = s.tables[i].cols.last().unwrap().id;
                            s.tables[i].uniques.push(vec![id]);
                        }
                    }
                    AddGeneratedColumn(t, g) => {
                        let i = pick(&s.tables, t)?;
                        let tb = s.tables[i].clone();
                        let c = make_gen_col(s, &tb, g)?;
                        s.tables[i].cols.push(c);
                    }
                    DropColumn(t, c) => {
                        let (t, c) = col_of(s, t, c)?;
                        drop_column(s, t, c)?;
                    }
                    RenameColumn(t, c, case_only) => {
                        let (t, c) = col_of(s, t, c)?;
                        let old = s.col_name(t, c);
                        let n = if *case_only { recase(&old) } else { rename(&old, s) };
                        s.table_mut(t)?.col_mut(c)?.name = n;
                    }
                    ChangeType(t, c, k) => {
                        let (t, c) = col_of(s, t, c)?;
                        let col = s.table_mut(t)?.col_mut(c)?;
                        if col.gen.is_some() {
                            return None;
                        }
                        let n = col.data.kind().natural_types();
                        col.ty = if *k < 128 { n[*k as usize % n.len()] } else { ALL_TYPES[*k as usize % ALL_TYPES.len()] }.to_string();
                    }
                    ToggleNotNull(t, c, k) => {
                        let (t, c) = col_of(s, t, c)?;
                        let col = s.table_mut(t)?.col_mut(c)?;
                        col.not_null = !col.not_null;
                        if col.not_null && col.default.is_none() && k % 3 != 0 {
                            let d = col.data.kind().defaults();
                            col.default = Some(d[*k as usize % d.len()].to_string());
                        }
                    }
                    ChangeDefault(t, c, k) => {
                        let (t, c) = col_of(s, t, c)?;
                        let col = s.table_mut(t)?.col_mut(c)?;
                        let d = col.data.kind().defaults();
                        col.default = k.map(|k| d[k as usize % d.len()].to_string());
                    }
                    ToggleNocase(t, c) => {
                        let (t, c) = col_of(s, t, c)?;
                        let col = s.table_mut(t)?.col_mut(c)?;
                        col.nocase = !col.nocase;
                    }
                    ToggleColumnCheck(t, c, k) => {
                        let (t, c) = col_of(s, t, c)?;
                        let col = s.table_mut(t)?.col_mut(c)?;
                        col.check = if col.check.is_some() { None } else { Some(*k) };
                    }
                    AddTableCheck(t, a, b) => {
                        let (t, a) = col_of(s, t, a)?;
                        let tb = s.table_mut(t)?;
                        let b = tb.cols[pick(&tb.cols, b)?].id;
                        tb.checks.push((a, b));
                    }
                    DropTableCheck(t, c) => {
                        let with: Vec<usize> = s.tables.iter().filter(|x| !x.checks.is_empty()).map(|x| x.id).collect();
                        let tb = s.table_mut(with[pick(&with, t)?])?;
                        let k = pick(&tb.checks, c)?;
                        tb.checks.remove(k);
                    }
                    AddUnique(t, a, b) => {
                        let (t, a) = col_of(s, t, a)?;
                        let tb = s.table_mut(t)?;
                        let mut u = vec![a];
                        if let Some(b) = b {
                            let b = tb.cols[pick(&tb.cols, b)?].id;
                            if b != a {
                                u.push(b);
                            }
                        }
                        tb.uniques.push(u);
                    }
                    DropUnique(t, u) => {
                        let with: Vec<usize> = s.tables.iter().filter(|x| !x.uniques.is_empty()).map(|x| x.id).collect();
                        let tb = s.table_mut(with[pick(&with, t)?])?;
                        let k = pick(&tb.uniques, u)?;
                        tb.uniques.remove(k);
                    }
                    SetPrimaryKey(t, p) => {
                        let i = pick(&s.tables, t)?;
                        let tb = &mut s.tables[i];
                        tb.pk = match p {
                            None => None,
                            Some((a, b, desc)) => {
                                let a = tb.cols[pick(&tb.cols, a)?].id;
                                let mut cols = vec![(a, *desc)];
                                if let Some(b) = b {
                                    let b = tb.cols[pick(&tb.cols, b)?].id;
                                    if b != a {
                                        cols.push((b, false));
                                    }
                                }
                                Some(Pk { cols, autoinc: false })
                            }
                        };
                    }
                    AddForeignKey(t, c, p, d, u) => {
                        // Columns whose rows can take a foreign key: those holding a key's values
                        // and new ones without a default (NULL in every row).
                        let _ = c;
                        let candidates: Vec<(usize, usize)> = s
                            .tables
                            .iter()
                            .flat_map(|x| {
                                x.cols
                                    .iter()
                                    .filter(|c| c.gen.is_none() && !x.fks.iter().any(|f| f.cols.contains(&c.id)))
                                    .filter(|c| matches!(c.data, Data::Ref { .. }) || (matches!(c.data, Data::New { .. }) && c.default.is_none()))
                                    .map(move |c| (x.id, c.id))
                            })
                            .collect();
                        let (t, c) = candidates[pick(&candidates, t)?];
                        let col = s.table(t)?.col(c)?.clone();
                        let (parent, pc) = match &col.data {
                            Data::Ref { table, col, .. } => (*table, *col),
                            _ => {
                                let candidates: Vec<&Tbl> = s.tables.iter().filter(|x| keys_of(x).iter().any(|k| k.0.len() == 1)).collect();
                                let pt = candidates[pick(&candidates, p)?];
                                let keys: Vec<usize> = keys_of(pt).into_iter().filter(|k| k.0.len() == 1).map(|k| k.0[0]).collect();
                                (pt.id, keys[pick(&keys, p)?])
                            }
                        };
                        if matches!(col.data, Data::New { .. }) {
                            // A new column takes the parent key's type, as a modeller would.
                            let pcol = s.table(parent)?.col(pc)?.clone();
                            let cc = s.table_mut(t)?.col_mut(c)?;
                            cc.ty = pcol.ty;
                            cc.nocase = pcol.nocase;
                        }
                        let tb = s.table_mut(t)?;
                        tb.fks.push(Fk { cols: vec![c], parent, parent_cols: vec![pc], implicit: false, on_delete: *d, on_update: *u, deferred: false });
                    }
                    DropForeignKey(t, f) => {
                        let with: Vec<usize> = s.tables.iter().filter(|x| !x.fks.is_empty()).map(|x| x.id).collect();
                        let tb = s.table_mut(with[pick(&with, t)?])?;
                        let k = pick(&tb.fks, f)?;
                        tb.fks.remove(k);
                    }
                    ChangeForeignKey(t, f, d, u, deferred) => {
                        let with: Vec<usize> = s.tables.iter().filter(|x| !x.fks.is_empty()).map(|x| x.id).collect();
                        let tb = s.table_mut(with[pick(&with, t)?])?;
                        let k = pick(&tb.fks, f)?;
                        let fk = &mut tb.fks[k];
                        (fk.on_delete, fk.on_update, fk.deferred) = (*d, *u, *deferred);
                    }
                    ChangeGenerated(t, c) => {
                        let gens: Vec<(usize, usize)> =
                            s.tables.iter().flat_map(|x| x.cols.iter().filter(|c| c.gen.is_some()).map(move |c| (x.id, c.id))).collect();
                        let _ = c;
                        let (t, c) = gens[pick(&gens, t)?];
                        let col = s.table_mut(t)?.col_mut(c)?;
                        let g = col.gen.as_mut()?;
                        if !g.stored {
                            g.stored = true;
                        } else {
                            g.stored = false;
                            g.form = 1 - g.form;
                            col.ty = if g.form == 0 { "INTEGER" } else { "TEXT" }.into();
                        }
                    }
                    AddIndex(g) => add_index(s, g, None)?,
                    DropIndex(i) => {
                        let k = pick(&s.indexes, i)?;
                        s.indexes.remove(k);
                    }
                    RenameIndex(i) => {
                        let k = pick(&s.indexes, i)?;
                        let n = rename(&s.indexes[k].name.clone(), s);
                        s.indexes[k].name = n;
                    }
                    ChangeIndex(i, g) => {
                        let k = pick(&s.indexes, i)?;
                        let old = s.indexes.remove(k);
                        add_index(s, g, Some(old.name))?;
                        // Still the same index, for rename hints: it keeps its id.
                        s.indexes.last_mut()?.id = old.id;
                    }
                    AddView(g) => make_view(s, g, None)?,
                    DropView(v) => {
                        let id = s.views[pick(&s.views, v)?].id;
                        drop_views_cascade(s, vec![id]);
                    }
                    ChangeView(v, g) => {
                        // Only views nothing else depends on are redefined, so the
                        // dependents need not change with them.
                        let k = pick(&s.views, v)?;
                        let id = s.views[k].id;
                        if s.views.iter().any(|x| matches!(x.src, ViewSrc::View(w) if w == id)) || s.triggers.iter().any(|t| matches!(t.on, TrigOn::View(w) if w == id)) {
                            return None;
                        }
                        let old = s.views.remove(k);
                        make_view(s, g, Some(old.name))?;
                    }
                    AddTrigger(g) => make_trigger(s, g, None)?,
                    DropTrigger(i) => {
                        let k = pick(&s.triggers, i)?;
                        s.triggers.remove(k);
                    }
                    ChangeTrigger(i, g) => {
                        let k = pick(&s.triggers, i)?;
                        let old = s.triggers.remove(k);
                        make_trigger(s, g, Some(old.name))?;
                    }
                }
                Some(())
            })
        }
    }
}
