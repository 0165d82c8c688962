//! From parsed classes to a schema: each `table=True` class becomes a table (inherited fields
//! and `__table_args__` included), foreign keys are checked against the other tables, and
//! `# @renamed` comments become rename hints.

use std::collections::{BTreeMap, BTreeSet};

use crate::diff::{Model, Rename};
use crate::schema::*;

use super::lexer::{Comment, Lexed};
use super::parser::{Class, Expr, ExprKind, FieldDef};
use super::types::{annotation_optional, annotation_type, bool_arg, column_type, field_opts, Enums, FieldOpts, PyType};
use super::{invalid, unsupported, Result};

/// What a table class becomes, before foreign keys are checked against the other tables.
pub(super) struct Built {
    pub(super) table: Table,
    pub(super) indexes: Vec<Index>,
    pub(super) fks: Vec<(usize, usize, String, String)>, // position, target table, target column
}

pub(super) fn build(classes: &[Class], lexed: &Lexed) -> Result<Model> {
    let by_name: BTreeMap<&str, &Class> = classes.iter().map(|c| (c.name.as_str(), c)).collect();
    let enum_classes: Vec<&Class> = classes
        .iter()
        .filter(|c| c.bases.iter().any(|b| matches!(b.last_name().as_deref(), Some("Enum" | "IntEnum" | "StrEnum"))))
        .filter(|c| !c.members.is_empty())
        .collect();
    let mut built: Vec<Built> = Vec::new();
    let mut owners: Vec<(usize, Rename)> = Vec::new(); // (line, rename) from annotations
    for class in classes.iter().filter(|c| c.table) {
        // Python needs an Enum defined before the class that uses it (a quoted forward
        // reference fails inside SQLModel), so only those above count.
        let enums: Enums = enum_classes
            .iter()
            .filter(|e| e.line < class.line)
            .map(|e| (e.name.clone(), e.members.iter().map(|m| m.chars().count()).max().unwrap_or(0)))
            .collect();
        // Fields come from the class and its bases defined in this file, bases first.
        let mut fields: Vec<&FieldDef> = Vec::new();
        let mut is_sqlmodel = false;
        collect_fields(class, &by_name, &mut fields, &mut is_sqlmodel, &mut Visit::default())?;
        if !is_sqlmodel {
            return Err(invalid(class.line, class.col, format!("class {} has table=True but does not derive from SQLModel", class.name)));
        }
        let table_name = match &class.tablename {
            Some((n, _, _)) => n.clone(),
            None => class.name.to_lowercase(),
        };
        let mut t = Table::new(table_name.clone());
        let mut pk = Vec::new();
        let mut indexes = Vec::new();
        let mut fks = Vec::new();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for f in fields {
            // A subclass redefining a field replaces it where it stood.
            let (opts, ty, optional) = match &f.value {
                Some(Expr { kind: ExprKind::Call(func, args, kwargs), .. }) if func.last_name().as_deref() == Some("Relationship") => {
                    let _ = (args, kwargs);
                    continue;
                }
                Some(Expr { kind: ExprKind::Call(func, args, kwargs), .. }) if func.last_name().as_deref() == Some("Field") => {
                    let opts = field_opts(args, kwargs)?;
                    // With sa_type or sa_column the annotation need not be a type strata maps
                    // (`dict` for a JSON column); it still says whether None is allowed.
                    let (ty, optional) = match opts.decl {
                        Some(_) => (PyType::Str, annotation_optional(&f.annotation)),
                        None => annotation_type(&f.annotation, &enums)?,
                    };
                    (opts, ty, optional)
                }
                Some(v @ Expr { kind: ExprKind::Call(func, ..), .. }) => {
                    return Err(unsupported(v, &format!("a field value made by `{}`", func.shown()), "give a literal default or Field(...)"));
                }
                _ => {
                    let (ty, optional) = annotation_type(&f.annotation, &enums)?;
                    (FieldOpts::default(), ty, optional)
                }
            };
            if let (Some((_, l, c)), None) = (opts.ondelete, &opts.foreign_key) {
                return Err(invalid(l, c, "ondelete needs foreign_key= on the same field"));
            }
            let col_name = opts.column_name.clone().unwrap_or_else(|| f.name.clone());
            let mut col = Column::new(col_name.clone(), column_type(ty, &opts));
            // SQLModel: nullable unless a primary key or not Optional; an explicit nullable wins.
            col.not_null = !opts.nullable.unwrap_or(!opts.primary_key && optional);
            col.default = opts.server_default.clone();
            if opts.primary_key {
                pk.push(KeyPart::new(col_name.clone()));
            }
            if opts.index {
                indexes.push(Index {
                    name: Name(format!("ix_{}_{}", table_name, col_name)),
                    table: Name(table_name.clone()),
                    unique: opts.unique,
                    parts: vec![IndexPart { expr: Sql::new(col_name.clone()), collate: None, desc: false }],
                    where_clause: None,
                });
            } else if opts.unique {
                t.uniques.push(Unique { name: None, columns: vec![KeyPart::new(col_name.clone())], on_conflict: None });
            }
            if let Some((target, l, c)) = &opts.foreign_key {
                let Some((rt, rc)) = target.rsplit_once('.') else {
                    return Err(invalid(*l, *c, format!("foreign_key \"{target}\" must name a column as \"table.column\"")));
                };
                let on_delete = opts.ondelete.map(|o| o.0).unwrap_or_default();
                t.foreign_keys.push(ForeignKey {
                    name: None,
                    columns: vec![Name(col_name.clone())],
                    ref_table: Name(rt.to_string()),
                    ref_columns: vec![Name(rc.to_string())],
                    on_delete,
                    on_update: FkAction::NoAction,
                    deferred: false,
                });
                fks.push((*l, *c, rt.to_string(), rc.to_string()));
            }
            if let Some(&i) = seen.get(&key(&col_name)) {
                t.columns[i] = col;
            } else {
                seen.insert(key(&col_name), t.columns.len());
                t.columns.push(col);
            }
            owners.push((f.line, Rename::Column { table: table_name.clone(), from: String::new(), to: col_name }));
        }
        if pk.is_empty() {
            return Err(invalid(
                class.line,
                class.col,
                format!("table class {} has no primary key; SQLAlchemy refuses such a table, so mark a field with Field(primary_key=True)", class.name),
            ));
        }
        t.primary_key = Some(PrimaryKey { name: None, columns: pk, autoincrement: false, on_conflict: None, desc_on_column: false });
        if let Some(args) = inherited_table_args(class, &by_name, &mut BTreeSet::new()) {
            table_args(args, &mut t, &mut indexes)?;
        }
        t.canonicalize();
        owners.push((class.line, Rename::Table { from: String::new(), to: table_name.clone() }));
        if let Some((_, l, _)) = &class.tablename {
            owners.push((*l, Rename::Table { from: String::new(), to: table_name.clone() }));
        }
        if built.iter().any(|b| b.table.name == *table_name.as_str()) {
            return Err(invalid(class.line, class.col, format!("table {table_name} is defined twice")));
        }
        built.push(Built { table: t, indexes, fks });
    }
    let mut schema = Schema::default();
    for b in &built {
        for (l, c, rt, rc) in &b.fks {
            let target = built.iter().find(|o| o.table.name == *rt.as_str());
            match target {
                None => return Err(invalid(*l, *c, format!("foreign key target table {rt} is not defined in this file"))),
                Some(o) if o.table.column(rc).is_none() => {
                    return Err(invalid(*l, *c, format!("foreign key target column {rt}.{rc} does not exist")))
                }
                _ => {}
            }
        }
    }
    for b in built {
        for i in b.indexes {
            schema.add_index(i);
        }
        schema.add_table(b.table);
    }
    Ok(Model { schema, renames: renames_from_comments(&lexed.comments, &owners) })
}

/// The `__table_args__` a table class has: its own, or else the first a base class defined in
/// the file has, as Python's attribute lookup finds it. Each class is looked at once, so a
/// circular or diamond-shaped hierarchy ends.
pub(super) fn inherited_table_args<'a>(class: &'a Class, by_name: &BTreeMap<&str, &'a Class>, seen: &mut BTreeSet<&'a str>) -> Option<&'a Expr> {
    if !seen.insert(class.name.as_str()) {
        return None;
    }
    class.table_args.as_ref().or_else(|| {
        class.bases.iter().find_map(|b| by_name.get(b.dotted()?.as_str()).and_then(|base| inherited_table_args(base, by_name, seen)))
    })
}

/// Adds what `__table_args__` declares to table `t`: `UniqueConstraint("a", "b", name=...)` as a
/// table UNIQUE constraint and `Index("name", "a", "b", unique=...)` as an index, as SQLAlchemy
/// creates them. Anything else in it is refused, since strata could not say what it does.
pub(super) fn table_args(args: &Expr, t: &mut Table, indexes: &mut Vec<Index>) -> Result<()> {
    let hint = "write __table_args__ = (UniqueConstraint(\"a\", \"b\"), Index(\"name\", \"a\"),)";
    let items = match &args.kind {
        ExprKind::Seq(items) => items.as_slice(),
        _ => return Err(unsupported(args, "a `__table_args__` that is not a tuple", hint)),
    };
    let column = |e: &Expr, what: &str| -> Result<KeyPart> {
        match &e.kind {
            ExprKind::Str(name) if t.column(name).is_some() => Ok(KeyPart::new(name.clone())),
            ExprKind::Str(name) => Err(invalid(e.line, e.col, format!("{what} names column {name}, which table {} does not have", t.name))),
            _ => Err(unsupported(e, &format!("a column of {what} given as `{}`", e.shown()), "name the column as a string, \"column\"")),
        }
    };
    let mut uniques = Vec::new();
    for item in items {
        let ExprKind::Call(func, call_args, kwargs) = &item.kind else {
            return Err(unsupported(item, &format!("`{}` in __table_args__", item.shown()), "only UniqueConstraint(...) and Index(...) are read; put table options in a SQL model"));
        };
        match func.last_name().as_deref() {
            Some("UniqueConstraint") => {
                let mut name = None;
                for (k, v, l, c) in kwargs {
                    match (k.as_str(), &v.kind) {
                        ("name", ExprKind::Str(n)) => name = Some(Name(n.clone())),
                        _ => return Err(invalid(*l, *c, format!("UniqueConstraint({k}=...) is not supported; only name=\"...\" is"))),
                    }
                }
                let columns = call_args.iter().map(|a| column(a, "UniqueConstraint")).collect::<Result<Vec<_>>>()?;
                if columns.is_empty() {
                    return Err(invalid(item.line, item.col, "UniqueConstraint needs at least one column"));
                }
                uniques.push(Unique { name, columns, on_conflict: None });
            }
            Some("Index") => {
                let Some(ExprKind::Str(name)) = call_args.first().map(|a| &a.kind) else {
                    return Err(invalid(item.line, item.col, "Index needs its name as the first argument, Index(\"name\", \"column\")"));
                };
                let mut unique = false;
                for (k, v, l, c) in kwargs {
                    match k.as_str() {
                        "unique" => unique = bool_arg(k, v)?,
                        _ => return Err(invalid(*l, *c, format!("Index({k}=...) is not supported; only unique= is"))),
                    }
                }
                let parts = call_args[1..]
                    .iter()
                    .map(|a| column(a, "Index").map(|k| IndexPart { expr: Sql::new(k.name.0.clone()), collate: None, desc: false }))
                    .collect::<Result<Vec<_>>>()?;
                if parts.is_empty() {
                    return Err(invalid(item.line, item.col, format!("Index {name} needs at least one column")));
                }
                indexes.push(Index { name: Name(name.clone()), table: t.name.clone(), unique, parts, where_clause: None });
            }
            _ => return Err(unsupported(item, &format!("`{}` in __table_args__", item.shown()), "only UniqueConstraint(...) and Index(...) are read; add other constraints in a SQL model")),
        }
    }
    t.uniques.extend(uniques);
    Ok(())
}

/// Gathers the fields of `class` and of its bases that are defined in the file, bases first,
/// and notes whether SQLModel is among its ancestors. Each class is visited once, as Python's
/// method resolution order lists it once, so a hierarchy of diamonds costs its size and not
/// the number of paths through it; a class among its own ancestors is an error.
pub(super) fn collect_fields<'a>(
    class: &'a Class,
    by_name: &BTreeMap<&str, &'a Class>,
    out: &mut Vec<&'a FieldDef>,
    is_sqlmodel: &mut bool,
    visit: &mut Visit<'a>,
) -> Result<()> {
    if visit.path.contains(&class.name.as_str()) {
        return Err(invalid(class.line, class.col, format!("class {} is among its own base classes; Python refuses a circular hierarchy", class.name)));
    }
    if !visit.seen.insert(class.name.as_str()) {
        return Ok(());
    }
    visit.path.push(class.name.as_str());
    for b in &class.bases {
        let name = b.dotted().unwrap_or_default();
        if name == "SQLModel" || name == "sqlmodel.SQLModel" {
            *is_sqlmodel = true;
        } else if let Some(base) = by_name.get(name.as_str()) {
            if base.table {
                return Err(unsupported(b, &format!("inheriting from the table class {name}"), "inherit from a non-table base class instead"));
            }
            collect_fields(base, by_name, out, is_sqlmodel, visit)?;
        } else if class.table || visit.path.len() > 1 {
            return Err(unsupported(b, &format!("the base class `{}`", b.shown()), "define base classes in the same file, deriving from SQLModel"));
        }
    }
    visit.path.pop();
    out.extend(class.fields.iter());
    Ok(())
}

/// The classes a walk up a hierarchy has entered (`seen`) and the chain it is on (`path`).
#[derive(Default)]
pub(super) struct Visit<'a> {
    pub(super) seen: BTreeSet<&'a str>,
    pub(super) path: Vec<&'a str>,
}

/// `# @renamed from=old` on a class line (or its `__tablename__` line) renames the table; on a
/// field line it renames the column.
pub(super) fn renames_from_comments(comments: &[Comment], owners: &[(usize, Rename)]) -> Vec<Rename> {
    let mut out = Vec::new();
    for c in comments {
        let body = c.text.trim_start_matches('#').trim();
        let Some(rest) = body.strip_prefix("@renamed") else { continue };
        let Some(value) = rest.trim_start().strip_prefix("from").and_then(|r| r.trim_start().strip_prefix('=')) else { continue };
        let from = value.trim().trim_matches(|ch| ch == '"' || ch == '\'').to_string();
        if from.is_empty() {
            continue;
        }
        if let Some((_, owner)) = owners.iter().find(|(l, _)| *l == c.line) {
            let r = match owner {
                Rename::Table { to, .. } => Rename::Table { from, to: to.clone() },
                Rename::Column { table, to, .. } => Rename::Column { table: table.clone(), from, to: to.clone() },
                Rename::Index { to, .. } => Rename::Index { from, to: to.clone() },
            };
            if !out.contains(&r) {
                out.push(r);
            }
        }
    }
    out
}
