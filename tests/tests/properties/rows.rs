//! The database side of the property: rows written into a generated schema, snapshots of them,
//! and the comparisons that say which rows a migration must keep.

use super::*;

pub(crate) fn value(s: &Spec, t: usize, c: usize, i: i64) -> Value {
    let col = s.table(t).unwrap().col(c).unwrap();
    match &col.data {
        Data::Own { kind, nulls } => {
            if *nulls && i % 3 == 0 {
                Value::Null
            } else {
                kind.value(i)
            }
        }
        Data::Ref { table, col, shift, nulls, .. } => {
            let j = if *shift { i - 1 } else { i };
            if j < 1 || (*nulls && i % 4 == 0) {
                Value::Null
            } else {
                value(s, *table, *col, j)
            }
        }
        Data::New { .. } => Value::Null,
    }
}

/// Writes `ROWS` rows into every table. Tables with a rowid of their own get rowids with gaps
/// (so a rebuild that renumbers rows is caught), and AUTOINCREMENT tables get one more row that
/// is deleted again, so their sequence is above the largest key.
pub(crate) fn fill(conn: &Connection, s: &Spec) {
    for t in &s.tables {
        let cols: Vec<&Col> = t.cols.iter().filter(|c| c.gen.is_none()).collect();
        let explicit_rowid = !t.without_rowid && t.alias().is_none();
        let mut names: Vec<String> = cols.iter().map(|c| q_always(&c.name)).collect();
        if explicit_rowid {
            names.insert(0, "_rowid_".into());
        }
        let sql = format!("INSERT INTO {} ({}) VALUES ({})", q_always(&t.name), names.join(", "), vec!["?"; names.len()].join(", "));
        let autoinc = t.pk.as_ref().is_some_and(|p| p.autoinc);
        for i in 1..=ROWS + i64::from(autoinc) {
            let extra = i > ROWS;
            let mut vals: Vec<Value> =
                cols.iter().map(|c| if extra && matches!(c.data, Data::Ref { .. }) { Value::Null } else { value(s, t.id, c.id, i) }).collect();
            if explicit_rowid {
                vals.insert(0, Value::Integer(10 * i + 3));
            }
            conn.execute(&sql, rusqlite::params_from_iter(vals))
                .unwrap_or_else(|e| panic!("the generator wrote a row its own schema refuses ({e}): {sql}\n{}", render(s, None)));
        }
        if autoinc {
            let alias = q_always(&t.col(t.alias().unwrap()).unwrap().name);
            conn.execute(&format!("DELETE FROM {} WHERE {alias} = (SELECT max({alias}) FROM {})", q_always(&t.name), q_always(&t.name)), [])
                .unwrap_or_else(|e| panic!("the generator cannot delete its extra row ({e}):\n{}", render(s, None)));
        }
    }
}

/// The `sqlite_sequence` value of every AUTOINCREMENT table, by table id.
pub(crate) fn sequences(conn: &Connection, s: &Spec) -> BTreeMap<usize, i64> {
    let mut out = BTreeMap::new();
    for t in s.tables.iter().filter(|t| t.pk.as_ref().is_some_and(|p| p.autoinc)) {
        let seq: Option<i64> = conn.query_row("SELECT seq FROM sqlite_sequence WHERE name = ?1 COLLATE NOCASE", [&t.name], |r| r.get(0)).ok();
        if let Some(seq) = seq {
            out.insert(t.id, seq);
        }
    }
    out
}

/// The sequence of an AUTOINCREMENT table kept with the same key must not change.
pub(crate) fn compare_sequences(a: &Spec, sa: &BTreeMap<usize, i64>, b: &Spec, sb: &BTreeMap<usize, i64>) -> Result<(), String> {
    for (id, seq) in sa {
        let (Some(ta), Some(tb)) = (a.table(*id), b.table(*id)) else { continue };
        if tb.pk.as_ref().is_some_and(|p| p.autoinc) && tb.alias() == ta.alias() && sb.get(id) != Some(seq) {
            return Err(format!("sqlite_sequence of {} was {seq} and is {:?}", tb.name, sb.get(id)));
        }
    }
    Ok(())
}

/// The rows of every table: (rowid where the table has one, values by column id).
pub(crate) type Rows = BTreeMap<usize, Vec<(Option<i64>, BTreeMap<usize, Value>)>>;

pub(crate) fn snapshot(conn: &Connection, s: &Spec) -> Rows {
    let mut out = Rows::new();
    for t in &s.tables {
        let cols: Vec<&Col> = t.cols.iter().filter(|c| c.gen.is_none()).collect();
        let mut list: Vec<String> = cols.iter().map(|c| q_always(&c.name)).collect();
        list.insert(0, if t.without_rowid { "NULL".into() } else { "_rowid_".into() });
        let sql = format!("SELECT {} FROM {}", list.join(", "), q_always(&t.name));
        let mut stmt = conn.prepare(&sql).unwrap();
        let rows = stmt
            .query_map([], |r| {
                let rowid: Option<i64> = r.get(0)?;
                let mut m = BTreeMap::new();
                for (k, c) in cols.iter().enumerate() {
                    m.insert(c.id, r.get::<_, Value>(k + 1)?);
                }
                Ok((rowid, m))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        out.insert(t.id, rows);
    }
    out
}

/// The rows of every table present on both sides must be the same for each column kept with
/// the same affinity, matched by rowid where the rowids must survive, as a multiset otherwise.
///
/// With `via`, `a` and `b` are the same schema before and after a round trip through `via`:
/// only tables and columns `via` kept are compared, and a column whose values went through
/// another affinity is compared too when no conversion can change them (text and blobs).
pub(crate) fn compare(a: &Spec, ra: &Rows, b: &Spec, rb: &Rows, via: Option<&Spec>) -> Result<(), String> {
    for ta in &a.tables {
        let Some(tb) = b.table(ta.id) else { continue };
        let tv = match via {
            Some(v) => match v.table(ta.id) {
                Some(tv) => tv,
                None => continue,
            },
            None => tb,
        };
        let (xa, xb) = (&ra[&ta.id], &rb[&tb.id]);
        if xa.len() != xb.len() {
            return Err(format!("table {} had {} rows and has {}", tb.name, xa.len(), xb.len()));
        }
        let kept: Vec<(usize, bool)> = ta
            .cols
            .iter()
            .filter_map(|ca| {
                let (cb, cv) = (tb.col(ca.id)?, tv.col(ca.id)?);
                let stable = matches!(ca.data.kind(), Kind::Text | Kind::Blob) && !matches!(ca.data, Data::New { .. });
                let same = ca.gen.is_none()
                    && cb.gen.is_none()
                    && cv.gen.is_none()
                    && affinity(&ca.ty) == affinity(&cb.ty)
                    && (affinity(&ca.ty) == affinity(&cv.ty) || stable);
                same.then_some((ca.id, cv.not_null && !ca.not_null && cv.default.is_some()))
            })
            .collect();
        let keeps = |x: &Tbl, y: &Tbl| !x.without_rowid && !y.without_rowid && (y.alias().is_none() || y.alias() == x.alias());
        let rowids_kept = keeps(ta, tv) && keeps(tv, tb);
        let name = |c: usize| format!("{}.{}", tb.name, tb.col(c).unwrap().name);
        if rowids_kept {
            let by_rowid: BTreeMap<i64, &BTreeMap<usize, Value>> = xb.iter().map(|(r, m)| (r.unwrap(), m)).collect();
            for (r, ma) in xa {
                let Some(mb) = by_rowid.get(&r.unwrap()) else {
                    return Err(format!("row with rowid {} of {} is gone", r.unwrap(), tb.name));
                };
                for (c, filled) in &kept {
                    let (va, vb) = (&ma[c], &mb[c]);
                    if va != vb && !(*filled && *va == Value::Null) {
                        return Err(format!("{} of the row with rowid {} changed: {va:?} -> {vb:?}", name(*c), r.unwrap()));
                    }
                }
            }
        } else {
            let tuples = |x: &Vec<(Option<i64>, BTreeMap<usize, Value>)>| {
                let mut v: Vec<String> = x.iter().map(|(_, m)| format!("{:?}", kept.iter().filter(|k| !k.1).map(|k| &m[&k.0]).collect::<Vec<_>>())).collect();
                v.sort();
                v
            };
            if tuples(xa) != tuples(xb) {
                return Err(format!("rows of {} changed: {:?} -> {:?}", tb.name, tuples(xa), tuples(xb)));
            }
        }
        for (c, filled) in &kept {
            if *filled && via.is_none() && xb.iter().any(|(_, m)| m[c] == Value::Null) {
                return Err(format!("{} is NOT NULL now but holds NULL", name(*c)));
            }
        }
    }
    Ok(())
}

/// The renames from `a` to `b`, found by id: what a user confirms as hints.
pub(crate) fn renames(a: &Spec, b: &Spec) -> Vec<Rename> {
    let mut out = Vec::new();
    for ia in &a.indexes {
        if let Some(ib) = b.indexes.iter().find(|i| i.id == ia.id && i.name != ia.name) {
            out.push(Rename::Index { from: ia.name.clone(), to: ib.name.clone() });
        }
    }
    for ta in &a.tables {
        let Some(tb) = b.table(ta.id) else { continue };
        if ta.name != tb.name {
            out.push(Rename::Table { from: ta.name.clone(), to: tb.name.clone() });
        }
        for ca in &ta.cols {
            if let Some(cb) = tb.col(ca.id).filter(|cb| cb.name != ca.name) {
                out.push(Rename::Column { table: tb.name.clone(), from: ca.name.clone(), to: cb.name.clone() });
            }
        }
    }
    out
}
