//! Names and SQL: how a generated schema is written as the CREATE statements a user would write,
//! with every quoting style and the rename annotations.

use super::*;

/// Names that mean something else in SQL too: functions the generated expressions call, the
/// trigger row prefixes, the rowid's own names. Two objects may draw the same one; SQLite then
/// refuses the schema and the generator drops that piece.
pub(crate) const TRICKY_NAMES: [&str; 9] = ["length", "lower", "count", "typeof", "coalesce", "new", "old", "rowid", "oid"];

/// Names in other scripts. SQLite folds only ASCII case, so `É` and `é` are different names, and
/// it accepts these characters in bare names.
pub(crate) const WORLD_NAMES: [&str; 6] = ["café", "Größe", "名前", "имя", "Ελλάδα", "emoji😀"];

/// Reserved words, which name something only when quoted. Like the tricky names, two objects
/// may draw the same one.
pub(crate) const KEYWORD_NAMES: [&str; 6] = ["select", "order", "group", "table", "index", "default"];

pub(crate) fn name_for(prefix: &str, id: usize, style: u8) -> String {
    match style % 17 {
        0..=5 => format!("{prefix}{id}"),
        6 => format!("{}{id}", prefix.to_ascii_uppercase()),
        7 => format!("{prefix} {id}"),
        8 => format!("{prefix}\"{id}"),
        11 => format!("{}{id}", WORLD_NAMES[id % WORLD_NAMES.len()]),
        12 => format!("{prefix}]{id}"),
        13 => KEYWORD_NAMES[id % KEYWORD_NAMES.len()].to_string(),
        14 => format!("{prefix}'{id}"),
        15 => format!("{prefix}.{id}"),
        16 => format!("{} {prefix}{id}", WORLD_NAMES[id % WORLD_NAMES.len()]),
        // Tables are never called new or old: SQLite's own foreign key actions then confuse
        // the table with the OLD row (a RESTRICT self-reference refuses deleting an unreferenced
        // row), which is no concern of strata's.
        _ if prefix == "t" => TRICKY_NAMES[id % 5].to_string(),
        _ => TRICKY_NAMES[id % TRICKY_NAMES.len()].to_string(),
    }
}

/// The name of an index, view or trigger: any of the styles whose names are unique per id.
pub(crate) fn object_name(prefix: &str, id: usize) -> String {
    let style = (id * 7 % 17) as u8;
    if matches!(style, 9 | 10 | 13) {
        format!("{prefix}{id}")
    } else {
        name_for(prefix, id, style)
    }
}

/// Names are written bare when they can be and their length is odd, otherwise quoted in one of
/// SQLite's three identifier quotes (chosen by the name), so every form meets the engine.
pub(crate) fn q(name: &str) -> String {
    if plain_name(name) && name.chars().count() % 2 == 1 {
        return name.to_string();
    }
    match name.len() % 3 {
        0 if !name.contains(']') => format!("[{name}]"),
        1 => format!("`{}`", name.replace('`', "``")),
        _ => format!("\"{}\"", name.replace('"', "\"\"")),
    }
}

/// Whether SQLite reads `name` bare as that name: letters (of any script), digits and `_`, not
/// starting with a digit, and not a reserved word.
pub(crate) fn plain_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !KEYWORD_NAMES.iter().any(|k| k.eq_ignore_ascii_case(name))
}

pub(crate) const ACTIONS: [&str; 5] = ["NO ACTION", "RESTRICT", "SET NULL", "SET DEFAULT", "CASCADE"];

pub(crate) fn col_check(kind: u8, c: &str) -> String {
    match kind % 4 {
        0 => format!("length({c}) < 100"),
        1 => format!("{c} IS NOT 'never'"),
        2 => format!("typeof({c}) <> 'never'"),
        _ => format!("{c} IS NULL OR {c} = {c}"),
    }
}

pub(crate) fn gen_expr(g: &Gen, src: &str) -> String {
    if g.form == 0 {
        format!("length({src})")
    } else {
        format!("{src} || '-'")
    }
}

pub(crate) fn part_sql(p: &Part, c: &str) -> String {
    let mut s = match p.expr {
        0 => c.to_string(),
        1 => format!("lower({c})"),
        _ => format!("length({c})"),
    };
    if p.nocase {
        s.push_str(" COLLATE NOCASE");
    }
    if p.desc {
        s.push_str(" DESC");
    }
    s
}

/// The schema as SQL. With `annotate_from`, renames relative to that spec are written as
/// `-- @renamed from=` annotations.
pub(crate) fn render(s: &Spec, annotate_from: Option<&Spec>) -> String {
    let mut out = String::new();
    for t in &s.tables {
        let old_t = annotate_from.and_then(|f| f.table(t.id));
        let cn = |id: usize| q(&t.col(id).unwrap().name);
        let inline_pk = t.pk.as_ref().filter(|_| t.pk_inline());
        let inline_unique = |u: &Vec<usize>| u.len() == 1 && !(t.id + u[0]).is_multiple_of(3);
        let inline_fk = |f: &Fk| f.cols.len() == 1 && (t.id + f.cols[0]) % 2 == 1;
        let mut lines: Vec<(String, Option<String>)> = Vec::new();
        for c in &t.cols {
            let mut l = q(&c.name);
            if !c.ty.is_empty() {
                l.push(' ');
                l.push_str(&c.ty);
            }
            if let Some(p) = inline_pk.filter(|p| p.cols[0].0 == c.id) {
                l.push_str(" PRIMARY KEY");
                if p.cols[0].1 {
                    l.push_str(" DESC");
                }
                if p.autoinc {
                    l.push_str(" AUTOINCREMENT");
                }
            }
            if c.not_null {
                l.push_str(" NOT NULL");
            }
            if let Some(d) = &c.default {
                l.push_str(&format!(" DEFAULT {d}"));
            }
            if c.nocase {
                l.push_str(" COLLATE NOCASE");
            }
            if let Some(g) = &c.gen {
                let src = cn(g.src);
                l.push_str(&format!(" GENERATED ALWAYS AS ({}) {}", gen_expr(g, &src), if g.stored { "STORED" } else { "VIRTUAL" }));
            }
            if let Some(k) = c.check {
                l.push_str(&format!(" CHECK ({})", col_check(k, &q(&c.name))));
            }
            if t.uniques.iter().any(|u| inline_unique(u) && u[0] == c.id) {
                l.push_str(" UNIQUE");
            }
            for f in t.fks.iter().filter(|f| inline_fk(f) && f.cols[0] == c.id) {
                l.push(' ');
                l.push_str(&references(s, f));
            }
            let renamed = old_t.and_then(|o| o.col(c.id)).filter(|o| o.name != c.name).map(|o| o.name.clone());
            lines.push((l, renamed));
        }
        if let Some(p) = t.pk.as_ref().filter(|_| inline_pk.is_none()) {
            let parts: Vec<String> = p.cols.iter().map(|(c, d)| format!("{}{}", cn(*c), if *d { " DESC" } else { "" })).collect();
            lines.push((format!("PRIMARY KEY ({})", parts.join(", ")), None));
        }
        for u in t.uniques.iter().filter(|u| !inline_unique(u)) {
            let name = if u[0] % 2 == 0 { format!("CONSTRAINT {} ", q(&format!("uq_{}", u[0]))) } else { String::new() };
            lines.push((format!("{name}UNIQUE ({})", u.iter().map(|c| cn(*c)).collect::<Vec<_>>().join(", ")), None));
        }
        for (a, b) in &t.checks {
            let name = if (a + b) % 3 == 0 { format!("CONSTRAINT {} ", q(&format!("ck {a}_{b}"))) } else { String::new() };
            lines.push((format!("{name}CHECK (coalesce(length({}), 0) + coalesce(length({}), 0) < 200)", cn(*a), cn(*b)), None));
        }
        for f in t.fks.iter().filter(|f| !inline_fk(f)) {
            let name = if f.cols[0] % 3 == 0 { format!("CONSTRAINT fk_{} ", f.cols[0]) } else { String::new() };
            lines.push((format!("{name}FOREIGN KEY ({}) {}", f.cols.iter().map(|c| cn(*c)).collect::<Vec<_>>().join(", "), references(s, f)), None));
        }
        let header_note = old_t.filter(|o| o.name != t.name).map(|o| format!(" -- @renamed from={}", q_always(&o.name))).unwrap_or_default();
        out.push_str(&format!("CREATE TABLE {} ({header_note}\n", q(&t.name)));
        let n = lines.len();
        for (i, (l, renamed)) in lines.into_iter().enumerate() {
            out.push_str("  ");
            out.push_str(&l);
            if i + 1 < n {
                out.push(',');
            }
            if let Some(r) = renamed {
                out.push_str(&format!(" -- @renamed from={}", q_always(&r)));
            }
            out.push('\n');
        }
        out.push(')');
        let mut opts = Vec::new();
        if t.without_rowid {
            opts.push("WITHOUT ROWID");
        }
        if t.strict {
            opts.push("STRICT");
        }
        out.push_str(&opts.join(", "));
        out.push_str(";\n");
    }
    for i in &s.indexes {
        let t = s.table(i.table).unwrap();
        let note = annotate_from
            .and_then(|f| f.indexes.iter().find(|o| o.id == i.id))
            .filter(|o| o.name != i.name)
            .map(|o| format!(" /* @renamed from={} */", q_always(&o.name)))
            .unwrap_or_default();
        let parts: Vec<String> = i.parts.iter().map(|p| part_sql(p, &q(&t.col(p.col).unwrap().name))).collect();
        let wh = i.where_col.map(|c| format!(" WHERE {} IS NOT NULL", q(&t.col(c).unwrap().name))).unwrap_or_default();
        out.push_str(&format!("CREATE {}INDEX {}{note} ON {} ({}){wh};\n", if i.unique { "UNIQUE " } else { "" }, q(&i.name), q(&t.name), parts.join(", ")));
    }
    for v in &s.views {
        let body = match &v.src {
            ViewSrc::Table { table, cols, filter, alias, column_list } => {
                let t = s.table(*table).unwrap();
                let list: Vec<String> = cols
                    .iter()
                    .enumerate()
                    .map(|(k, c)| {
                        let n = q(&t.col(*c).unwrap().name);
                        if *alias && !*column_list { format!("{n} AS o{k}") } else { n }
                    })
                    .collect();
                let wh = filter.map(|c| format!(" WHERE {} IS NOT NULL", q(&t.col(c).unwrap().name))).unwrap_or_default();
                let names = if *column_list { format!(" ({})", (0..cols.len()).map(|k| format!("x{k}")).collect::<Vec<_>>().join(", ")) } else { String::new() };
                format!("{names}SELECT {} FROM {}{wh}", list.join(", "), q(&t.name))
            }
            ViewSrc::Join { a, ac, b, bc } => {
                let (ta, tb) = (s.table(*a).unwrap(), s.table(*b).unwrap());
                let ca = format!("{}.{}", q(&ta.name), q(&ta.col(*ac).unwrap().name));
                let cb = format!("{}.{}", q(&tb.name), q(&tb.col(*bc).unwrap().name));
                format!("SELECT {ca} AS j0, {cb} AS j1 FROM {} JOIN {} ON {ca} = {cb}", q(&ta.name), q(&tb.name))
            }
            ViewSrc::Star(t) => format!("SELECT * FROM {}", q(&s.table(*t).unwrap().name)),
            ViewSrc::View(w) => format!("SELECT * FROM {}", q(&s.view(*w).unwrap().name)),
        };
        let (names, select) = if let Some(rest) = body.strip_prefix(" (") {
            let (list, sel) = rest.split_once(')').unwrap();
            (format!(" ({list})"), sel.to_string())
        } else {
            (String::new(), body)
        };
        out.push_str(&format!("CREATE VIEW {}{names} AS {select};\n", q(&v.name)));
    }
    for tr in &s.triggers {
        out.push_str(&trigger_sql(s, tr));
        out.push_str(";\n");
    }
    out
}

pub(crate) fn q_always(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

pub(crate) fn references(s: &Spec, f: &Fk) -> String {
    let p = s.table(f.parent).unwrap();
    let mut r = format!("REFERENCES {}", q(&p.name));
    if !f.implicit {
        r.push_str(&format!(" ({})", f.parent_cols.iter().map(|c| q(&p.col(*c).unwrap().name)).collect::<Vec<_>>().join(", ")));
    }
    if !f.on_delete.is_multiple_of(5) {
        r.push_str(&format!(" ON DELETE {}", ACTIONS[f.on_delete as usize % 5]));
    }
    if !f.on_update.is_multiple_of(5) {
        r.push_str(&format!(" ON UPDATE {}", ACTIONS[f.on_update as usize % 5]));
    }
    if f.deferred {
        r.push_str(" DEFERRABLE INITIALLY DEFERRED");
    }
    r
}

pub(crate) fn trigger_sql(s: &Spec, tr: &Trig) -> String {
    match tr.on {
        TrigOn::View(v) => {
            let ev = ["INSERT", "UPDATE", "DELETE", "UPDATE"][tr.event as usize % 4];
            let other = tr.other.and_then(|o| s.table(o)).map(|o| format!(" SELECT count(*) FROM {};", q(&o.name))).unwrap_or_default();
            format!("CREATE TRIGGER {} INSTEAD OF {ev} ON {} BEGIN SELECT 1;{other} END", q(&tr.name), q(&s.view(v).unwrap().name))
        }
        TrigOn::Table(t) => {
            let tb = s.table(t).unwrap();
            let cn = |c: usize| q(&tb.col(c).unwrap().name);
            let timing = if tr.timing.is_multiple_of(2) { "BEFORE" } else { "AFTER" };
            let ev = match tr.event % 4 {
                0 => "INSERT".to_string(),
                1 => "UPDATE".to_string(),
                2 => "DELETE".to_string(),
                _ => format!("UPDATE OF {}", cn(tr.update_of.unwrap())),
            };
            let row = if tr.event % 4 == 2 { "OLD" } else { "NEW" };
            let when = tr.when.map(|c| format!(" WHEN {row}.{} IS NOT NULL", cn(c))).unwrap_or_default();
            let mut body: Vec<String> = vec![if tr.body.is_empty() {
                "SELECT 1;".to_string()
            } else {
                format!("SELECT {};", tr.body.iter().map(|c| format!("length({row}.{})", cn(*c))).collect::<Vec<_>>().join(", "))
            }];
            if let Some(o) = tr.other.and_then(|o| s.table(o)) {
                let what = tr.other_col.map(|c| q(&o.col(c).unwrap().name)).unwrap_or_else(|| "*".into());
                body.push(format!("SELECT count({what}) FROM {};", q(&o.name)));
            }
            format!("CREATE TRIGGER {} {timing} {ev} ON {}{} FOR EACH ROW BEGIN {} END", q(&tr.name), q(&tb.name), when, body.join(" "))
        }
    }
}
