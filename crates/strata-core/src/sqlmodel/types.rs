//! From a field to a column: the Python annotation's type and optionality, `Field(...)` and
//! `sa_column=Column(...)` options, server defaults and SQLAlchemy types, mapped exactly as
//! SQLModel and SQLAlchemy do on SQLite (docs/sqlmodel.md).

use std::collections::BTreeMap;

use crate::schema::*;

use super::parser::{Expr, ExprKind, Kwarg};
use super::{invalid, unsupported, Result, SqlModelError};

/// The Python types SQLModel maps to a column type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PyType {
    Int,
    Str,
    Float,
    Bool,
    DateTime,
    Date,
    Time,
    TimeDelta,
    Uuid,
    Bytes,
    Decimal,
    /// An Enum class of the file: SQLAlchemy stores the member names, in a VARCHAR as long as
    /// the longest.
    Enum(usize),
}

/// Whether an annotation allows None, whatever the type beside it.
pub(super) fn annotation_optional(a: &Expr) -> bool {
    match &a.kind {
        ExprKind::Subscript(base, args) => match base.dotted().as_deref() {
            Some("Optional" | "typing.Optional") => true,
            Some("Union" | "typing.Union") => args.iter().any(Expr::is_none),
            Some("Annotated" | "typing.Annotated") => args.first().is_some_and(annotation_optional),
            _ => false,
        },
        ExprKind::BinOr(l, r) => l.is_none() || r.is_none() || annotation_optional(l) || annotation_optional(r),
        _ => false,
    }
}

/// Enum classes defined in the file, with the length of their longest member name.
pub(super) type Enums = BTreeMap<String, usize>;

/// Reads an annotation into (type, optional).
pub(super) fn annotation_type(a: &Expr, enums: &Enums) -> Result<(PyType, bool)> {
    let simple = |e: &Expr| -> Option<PyType> {
        let full = e.dotted()?;
        Some(match full.as_str() {
            "int" => PyType::Int,
            "str" => PyType::Str,
            "float" => PyType::Float,
            "bool" => PyType::Bool,
            "bytes" => PyType::Bytes,
            "datetime" | "datetime.datetime" => PyType::DateTime,
            "date" | "datetime.date" => PyType::Date,
            "time" | "datetime.time" => PyType::Time,
            "timedelta" | "datetime.timedelta" => PyType::TimeDelta,
            "UUID" | "uuid.UUID" => PyType::Uuid,
            "Decimal" | "decimal.Decimal" => PyType::Decimal,
            other => return enums.get(other.rsplit('.').next().unwrap_or(other)).map(|n| PyType::Enum(*n)),
        })
    };
    let unsupported_type = |e: &Expr| {
        unsupported(
            e,
            &format!("the field type `{}`", e.shown()),
            "use int, str, float, bool, bytes, datetime, date, time, timedelta, uuid.UUID, Decimal or an Enum class defined above in this file, optionally with Optional[...] or `| None`",
        )
    };
    match &a.kind {
        ExprKind::Subscript(base, args) => match base.dotted().as_deref() {
            Some("Optional" | "typing.Optional") if args.len() == 1 => Ok((annotation_type(&args[0], enums)?.0, true)),
            Some("Union" | "typing.Union") => {
                let (nones, rest): (Vec<&Expr>, Vec<&Expr>) = args.iter().partition(|e| e.is_none());
                if rest.len() != 1 {
                    return Err(unsupported_type(a));
                }
                let (t, opt) = annotation_type(rest[0], enums)?;
                Ok((t, opt || !nones.is_empty()))
            }
            Some("Annotated" | "typing.Annotated") if !args.is_empty() => annotation_type(&args[0], enums),
            _ => Err(unsupported_type(a)),
        },
        ExprKind::BinOr(l, r) => {
            if r.is_none() {
                Ok((annotation_type(l, enums)?.0, true))
            } else if l.is_none() {
                Ok((annotation_type(r, enums)?.0, true))
            } else {
                Err(unsupported_type(a))
            }
        }
        _ => simple(a).map(|t| (t, false)).ok_or_else(|| unsupported_type(a)),
    }
}

/// What one `Field(...)` says about the schema.
#[derive(Default)]
pub(super) struct FieldOpts {
    pub(super) primary_key: bool,
    pub(super) foreign_key: Option<(String, usize, usize)>,
    pub(super) unique: bool,
    pub(super) index: bool,
    pub(super) nullable: Option<bool>,
    pub(super) max_length: Option<i64>,
    pub(super) max_digits: Option<i64>,
    pub(super) decimal_places: Option<i64>,
    pub(super) ondelete: Option<(FkAction, usize, usize)>,
    pub(super) server_default: Option<Sql>,
    /// The column type from `sa_type=` or `sa_column=Column(Type, ...)`, replacing the one the
    /// annotation gives.
    pub(super) decl: Option<String>,
    /// A column name given in `sa_column=Column("name", ...)`.
    pub(super) column_name: Option<String>,
}

/// Keyword arguments of Field() that only drive pydantic validation or serialisation: they leave
/// the table as it is, as they do in SQLModel.
pub(super) const VALIDATION_ONLY: &[&str] = &[
    "default",
    "default_factory",
    "alias",
    "title",
    "description",
    "exclude",
    "include",
    "const",
    "gt",
    "ge",
    "lt",
    "le",
    "multiple_of",
    "min_items",
    "max_items",
    "unique_items",
    "min_length",
    "allow_mutation",
    "regex",
    "pattern",
    "discriminator",
    "repr",
    "schema_extra",
    "json_schema_extra",
    "validation_alias",
    "serialization_alias",
    "examples",
    "frozen",
    "strict",
    "allow_inf_nan",
    "union_mode",
];

pub(super) fn bool_arg(name: &str, v: &Expr) -> Result<bool> {
    match &v.kind {
        ExprKind::Name(b) if b == "True" => Ok(true),
        ExprKind::Name(b) if b == "False" => Ok(false),
        _ => Err(unsupported(v, &format!("`{name}={}`", v.shown()), &format!("write {name}=True or {name}=False"))),
    }
}

pub(super) fn int_arg(name: &str, v: &Expr) -> Result<i64> {
    match &v.kind {
        ExprKind::Int(n) if *n >= 0 => Ok(*n),
        _ => Err(unsupported(v, &format!("`{name}={}`", v.shown()), &format!("write {name}= with a whole number"))),
    }
}

pub(super) fn field_opts(call_args: &[Expr], kwargs: &[Kwarg]) -> Result<FieldOpts> {
    let mut o = FieldOpts::default();
    if call_args.len() > 1 {
        return Err(unsupported(&call_args[1], "more than one positional argument to Field()", "pass the options by keyword"));
    }
    for (k, v, line, col) in kwargs {
        match k.as_str() {
            "primary_key" => o.primary_key = bool_arg(k, v)?,
            "unique" => o.unique = bool_arg(k, v)?,
            "index" => o.index = bool_arg(k, v)?,
            "nullable" => o.nullable = Some(bool_arg(k, v)?),
            "max_length" => o.max_length = Some(int_arg(k, v)?),
            "max_digits" => o.max_digits = Some(int_arg(k, v)?),
            "decimal_places" => o.decimal_places = Some(int_arg(k, v)?),
            "foreign_key" => match &v.kind {
                ExprKind::Str(s) => o.foreign_key = Some((s.clone(), v.line, v.col)),
                _ => return Err(unsupported(v, "a foreign_key that is not a \"table.column\" string", "write foreign_key=\"table.column\"")),
            },
            "ondelete" => o.ondelete = Some((ondelete_action(v)?, *line, *col)),
            "sa_column_kwargs" => {
                let ExprKind::Dict(items) = &v.kind else {
                    return Err(unsupported(v, "sa_column_kwargs that is not a dict literal", "write sa_column_kwargs={\"server_default\": ...}"));
                };
                for (dk, dv) in items {
                    match &dk.kind {
                        ExprKind::Str(s) if s == "server_default" => o.server_default = Some(server_default(dv)?),
                        // Documentation and Python-side hooks leave the table as it is.
                        ExprKind::Str(s) if matches!(s.as_str(), "comment" | "onupdate" | "doc" | "info") => {}
                        _ => {
                            return Err(unsupported(
                                dk,
                                &format!("the column option {}", dk.shown()),
                                "strata reads only \"server_default\" from sa_column_kwargs; use Field(unique=, index=, nullable=) for the rest",
                            ))
                        }
                    }
                }
            }
            "sa_type" => o.decl = Some(sa_type_decl(v)?),
            "sa_column" => {
                // SQLModel takes such a column as it stands and refuses other column options
                // beside it, so strata does too.
                if let Some((other, _, l, c)) = kwargs.iter().find(|(k, ..)| SCHEMA_OPTIONS.contains(&k.as_str())) {
                    return Err(invalid(*l, *c, format!("Field(sa_column=...) cannot be combined with {other}=; SQLModel refuses it too")));
                }
                sa_column(v, &mut o)?;
            }
            "sa_column_args" => {
                return Err(SqlModelError::Unsupported {
                    line: *line,
                    column: *col,
                    what: format!("Field({k}=...)"),
                    hint: "use foreign_key= and the other Field options, or sa_column=Column(...)".into(),
                })
            }
            other if VALIDATION_ONLY.contains(&other) => {}
            other => {
                return Err(SqlModelError::Unsupported {
                    line: *line,
                    column: *col,
                    what: format!("the Field option `{other}`"),
                    hint: "see docs/sqlmodel.md for the options strata reads".into(),
                })
            }
        }
    }
    Ok(o)
}

/// The DEFAULT clause SQLAlchemy's SQLite dialect writes for a `server_default`.
pub(super) fn server_default(v: &Expr) -> Result<Sql> {
    match &v.kind {
        // A plain string is a literal value: quoted, quotes doubled.
        ExprKind::Str(s) => Ok(Sql::new(format!("'{}'", s.replace('\'', "''")))),
        ExprKind::Call(f, args, kwargs) => {
            let name = f.dotted().unwrap_or_default();
            let last = name.rsplit('.').next().unwrap_or("");
            match (last, args.as_slice()) {
                ("text", [Expr { kind: ExprKind::Str(s), .. }]) if kwargs.is_empty() => {
                    // The SQLite dialect wraps an expression in parentheses unless it starts
                    // with a quote or parenthesis or is a single word.
                    let t = s.trim();
                    let starts_quoted = t.starts_with(['\'', '"', '(']);
                    let has_non_word = s.chars().any(|c| !(c.is_alphanumeric() || c == '_'));
                    Ok(Sql::new(if !starts_quoted && has_non_word { format!("({s})") } else { s.clone() }))
                }
                ("now" | "current_timestamp", []) if name.starts_with("func.") || name.starts_with("sa.func.") || name.starts_with("sqlalchemy.func.") => {
                    Ok(Sql::new("CURRENT_TIMESTAMP"))
                }
                ("current_date", []) if name.contains("func.") => Ok(Sql::new("CURRENT_DATE")),
                ("current_time", []) if name.contains("func.") => Ok(Sql::new("CURRENT_TIME")),
                _ => Err(unsupported(v, &format!("the server_default {}", v.shown()), "use a string, text(\"...\") or func.now()")),
            }
        }
        _ => Err(unsupported(v, &format!("the server_default {}", v.shown()), "use a string, text(\"...\") or func.now(); SQLAlchemy accepts no numbers here")),
    }
}

/// Field() options that shape the column, which `sa_column=` replaces.
pub(super) const SCHEMA_OPTIONS: &[&str] =
    &["primary_key", "foreign_key", "unique", "index", "nullable", "ondelete", "sa_type", "sa_column_kwargs", "sa_column_args"];

/// The SQLite type SQLAlchemy renders for a type given as `sa_type=` or in `Column(...)`.
pub(super) fn sa_type_decl(e: &Expr) -> Result<String> {
    let (func, args, kwargs): (&Expr, &[Expr], &[Kwarg]) = match &e.kind {
        ExprKind::Call(f, a, k) => (f, a, k),
        _ => (e, &[], &[]),
    };
    let name = func.last_name().unwrap_or_default();
    // (SQLite type, whether its numbers are written out)
    let (base, sized) = match name.as_str() {
        "Integer" | "INTEGER" => ("INTEGER", false),
        "BigInteger" | "BIGINT" => ("BIGINT", false),
        "SmallInteger" | "SMALLINT" => ("SMALLINT", false),
        "String" | "Unicode" | "VARCHAR" | "AutoString" => ("VARCHAR", true),
        "Text" | "UnicodeText" | "TEXT" => ("TEXT", false),
        // The precision of Float does not reach SQLite's DDL.
        "Float" | "FLOAT" => ("FLOAT", false),
        "Double" | "DOUBLE" => ("DOUBLE", false),
        "REAL" => ("REAL", false),
        "Boolean" | "BOOLEAN" => ("BOOLEAN", false),
        "DateTime" | "DATETIME" | "Interval" => ("DATETIME", false),
        "Date" | "DATE" => ("DATE", false),
        "Time" | "TIME" => ("TIME", false),
        "LargeBinary" | "BLOB" => ("BLOB", false),
        "Numeric" | "NUMERIC" => ("NUMERIC", true),
        "JSON" => ("JSON", false),
        "Uuid" | "UUID" => ("CHAR(32)", false),
        _ => {
            return Err(unsupported(
                e,
                &format!("the SQLAlchemy type `{}`", e.shown()),
                "use Integer, BigInteger, SmallInteger, String, Text, Float, Double, Boolean, DateTime, Date, Time, LargeBinary, Numeric, JSON or Uuid",
            ))
        }
    };
    let mut nums = Vec::new();
    for a in args {
        nums.push(int_arg(&name, a)?);
    }
    for (k, v, line, column) in kwargs {
        match k.as_str() {
            "length" | "precision" | "scale" => nums.push(int_arg(k, v)?),
            // Options that do not change SQLite's DDL.
            "timezone" | "asdecimal" | "decimal_return_scale" | "as_uuid" | "native_uuid" | "none_as_null" => {}
            _ => {
                return Err(SqlModelError::Unsupported {
                    line: *line,
                    column: *column,
                    what: format!("the type option `{k}` of {name}"),
                    hint: "leave it out, or use a SQL model".into(),
                })
            }
        }
    }
    if !sized || nums.is_empty() {
        return Ok(base.to_string());
    }
    Ok(format!("{base}({})", nums.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", ")))
}

/// Reads `sa_column=Column([name,] Type, [ForeignKey(...),] primary_key=, nullable=, unique=,
/// index=, server_default=)` into the field's options.
pub(super) fn sa_column(v: &Expr, o: &mut FieldOpts) -> Result<()> {
    let ExprKind::Call(func, args, kwargs) = &v.kind else {
        return Err(unsupported(v, "an sa_column that is not a Column(...) call", "write sa_column=Column(Type, ...)"));
    };
    if func.last_name().as_deref() != Some("Column") {
        return Err(unsupported(v, &format!("sa_column={}", v.shown()), "write sa_column=Column(Type, ...)"));
    }
    for a in args {
        match &a.kind {
            ExprKind::Str(n) if o.column_name.is_none() && o.decl.is_none() => o.column_name = Some(n.clone()),
            ExprKind::Call(f, fargs, fkw) if f.last_name().as_deref() == Some("ForeignKey") => {
                let Some(Expr { kind: ExprKind::Str(target), line, col }) = fargs.first() else {
                    return Err(unsupported(a, "a ForeignKey without a \"table.column\" string", "write ForeignKey(\"table.column\")"));
                };
                o.foreign_key = Some((target.clone(), *line, *col));
                for (k, fv, l, c) in fkw {
                    match k.as_str() {
                        "ondelete" => o.ondelete = Some((ondelete_action(fv)?, *l, *c)),
                        _ => return Err(unsupported(fv, &format!("the ForeignKey option `{k}`"), "strata reads ondelete= only")),
                    }
                }
            }
            _ if o.decl.is_none() => o.decl = Some(sa_type_decl(a)?),
            _ => return Err(unsupported(a, &format!("the Column argument {}", a.shown()), "give Column a name, a type and ForeignKey(...) only")),
        }
    }
    let mut nullable = None;
    for (k, kv, line, column) in kwargs {
        match k.as_str() {
            "primary_key" => o.primary_key = bool_arg(k, kv)?,
            "nullable" => nullable = Some(bool_arg(k, kv)?),
            "unique" => o.unique = bool_arg(k, kv)?,
            "index" => o.index = bool_arg(k, kv)?,
            "server_default" => o.server_default = Some(server_default(kv)?),
            // Python-side values and documentation leave the table as it is.
            "default" | "onupdate" | "comment" | "doc" | "info" => {}
            _ => {
                return Err(SqlModelError::Unsupported {
                    line: *line,
                    column: *column,
                    what: format!("the Column option `{k}`"),
                    hint: "see docs/sqlmodel.md for the options strata reads".into(),
                })
            }
        }
    }
    if o.decl.is_none() {
        return Err(unsupported(v, "a Column without a type", "give the Column its type, e.g. Column(Integer, ...)"));
    }
    // SQLAlchemy's rule, not SQLModel's: a Column is nullable unless it is a primary key,
    // whatever the annotation says.
    o.nullable = Some(nullable.unwrap_or(!o.primary_key));
    Ok(())
}

pub(super) fn ondelete_action(v: &Expr) -> Result<FkAction> {
    let bad = || unsupported(v, &format!("ondelete={}", v.shown()), "use \"CASCADE\", \"SET NULL\" or \"RESTRICT\"");
    match &v.kind {
        ExprKind::Str(s) => match s.to_ascii_uppercase().as_str() {
            "CASCADE" => Ok(FkAction::Cascade),
            "SET NULL" => Ok(FkAction::SetNull),
            "RESTRICT" => Ok(FkAction::Restrict),
            "NO ACTION" => Ok(FkAction::NoAction),
            "SET DEFAULT" => Ok(FkAction::SetDefault),
            _ => Err(bad()),
        },
        _ => Err(bad()),
    }
}

pub(super) fn column_type(t: PyType, o: &FieldOpts) -> String {
    if let Some(d) = &o.decl {
        return d.clone();
    }
    match t {
        PyType::Int => "INTEGER".into(),
        PyType::Str => match o.max_length {
            Some(n) => format!("VARCHAR({n})"),
            None => "VARCHAR".into(),
        },
        PyType::Float => "FLOAT".into(),
        PyType::Bool => "BOOLEAN".into(),
        PyType::DateTime => "DATETIME".into(),
        PyType::Date => "DATE".into(),
        PyType::Time => "TIME".into(),
        // SQLAlchemy's Interval is stored as a DATETIME offset from the epoch on SQLite.
        PyType::TimeDelta => "DATETIME".into(),
        PyType::Uuid => "CHAR(32)".into(),
        PyType::Bytes => "BLOB".into(),
        PyType::Enum(n) => format!("VARCHAR({n})"),
        PyType::Decimal => match (o.max_digits, o.decimal_places) {
            (Some(p), Some(s)) => format!("NUMERIC({p}, {s})"),
            (Some(p), None) => format!("NUMERIC({p})"),
            _ => "NUMERIC".into(),
        },
    }
}
