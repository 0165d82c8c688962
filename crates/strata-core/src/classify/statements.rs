//! Pure side (no connection): classifying hand-written SQL statement by statement, and reading
//! the renames and rebuilds out of strata's own SQL so that its changes can be recovered.
//!
//! Hand-written SQL is read conservatively: each statement is classified by
//! [`crate::statement::classify`]; a table created, filled, dropped and renamed into the place
//! of another within the section is a rebuild of that other table; anything strata cannot
//! read (an unknown statement, a pragma) is breaking, with the reason.

use std::collections::{BTreeMap, BTreeSet};

use super::{add_trigger, drop_column, drop_trigger, rename_column, Basis, Classification, Reason, REBUILD_INSTEAD, REBUILD_WHY};
use crate::diff::Rename;
use crate::parse::parse_create_table;
use crate::schema::key;
use crate::sql;
use crate::statement::{classify, Alter, Classified, Object, Verb};

/// Classifies a section of hand-written SQL.
pub fn from_sql(section: &str) -> Classification {
    let statements: Vec<(String, Classified)> = sql::split_statements(section).into_iter().map(|s| (s.text.clone(), classify(&s.text))).collect();
    let rebuilt = rebuilds(&statements);
    let copies: BTreeSet<&String> = rebuilt.values().collect();
    // Tables created by the statements read so far that are not a rebuild's new copy (which
    // takes an old table's place): no old code uses them. In order, since a name can be
    // renamed away and then created anew.
    let mut created: BTreeSet<String> = BTreeSet::new();
    let mut reasons = Vec::new();
    for (text, c) in &statements {
        let name = c.name.as_ref().map(|n| n.name.clone()).unwrap_or_default();
        if c.verb == Verb::Create && matches!(c.object, Some(Object::Table | Object::VirtualTable)) && !copies.contains(&key(&name)) {
            created.insert(key(&name));
        }
        let new_here = |name: &str| created.contains(&key(name));
        let short = one_line(text);
        let unknown = || {
            Reason::breaking(
                format!("runs `{short}`"),
                "strata cannot tell from the SQL what it does to a running app",
                "split the revision so that this statement runs in one of its own, and decide whether the app must stop for it",
            )
        };
        let reason = match (c.verb, c.object) {
            (Verb::Create, Some(Object::Table | Object::VirtualTable)) => {
                if copies.contains(&key(&name)) {
                    None // the new copy of a rebuild, said at the rebuild
                } else {
                    Some(Reason::additive(format!("creates table {name}"), "old code does not use it"))
                }
            }
            (Verb::Create, Some(Object::Index)) => {
                let on = c.on.as_ref().map(|n| n.name.clone()).unwrap_or_default();
                Some(if c.unique && !new_here(&on) {
                    let mut r = super::add_unique(&on, &index_columns(text));
                    r.what = format!("creates unique index {name} on {on}");
                    r
                } else {
                    Reason::additive(
                        format!("creates {}index {name} on {on}", if c.unique { "unique " } else { "" }),
                        "old code's queries give the same answers; building it holds the write lock while it reads the table",
                    )
                })
            }
            (Verb::Create, Some(Object::View)) => Some(Reason::additive(format!("creates view {name}"), "old code does not use it")),
            (Verb::Create, Some(Object::Trigger)) => {
                let on = c.on.as_ref().map(|n| n.name.clone()).unwrap_or_default();
                Some(if new_here(&on) { Reason::additive(format!("creates trigger {name} on {on}"), "it is on a table old code does not use") } else { add_trigger(&name, &on, text, false) })
            }
            (Verb::Drop, Some(Object::Table | Object::VirtualTable)) => {
                if new_here(&name) || rebuilt.contains_key(&key(&name)) {
                    None
                } else {
                    Some(Reason::breaking(
                        format!("drops table {name}"),
                        format!("old code that still reads or writes {name} fails with \"no such table\""),
                        format!("first deploy code that no longer uses {name}, then drop it in a later revision"),
                    ))
                }
            }
            (Verb::Drop, Some(Object::Index)) => Some(Reason::breaking(
                format!("drops index {name}"),
                "strata cannot tell from the SQL whether it is a unique index that old code's upserts (ON CONFLICT) rely on",
                "first deploy code that no longer relies on it, then drop it in a later revision",
            )),
            (Verb::Drop, Some(Object::View)) => Some(Reason::breaking(
                format!("drops view {name}"),
                "old code that reads it fails, or gets other rows if it is created again",
                format!("create the new view under another name, move reads to it, then drop {name} in a later revision"),
            )),
            (Verb::Drop, Some(Object::Trigger)) => Some(drop_trigger(&name, "its table")),
            (Verb::Alter, _) => match &c.alter {
                _ if new_here(&name) || copies.contains(&key(&name)) => None,
                Some(Alter::AddColumn(col)) => Some(add_column_sql(&name, col, text)),
                Some(Alter::DropColumn(col)) => Some(drop_column(&name, col)),
                Some(Alter::RenameColumn { from, to }) => Some(rename_column(&name, from, to)),
                Some(Alter::RenameTo(to)) => Some(Reason::breaking(
                    format!("renames table {name} to {to}"),
                    format!("old code still uses the name {name}, which no longer exists"),
                    format!("create {to} beside {name}, have the app write both, backfill {to}, move reads to it, then drop {name} in a later revision"),
                )),
                None => Some(unknown()),
            },
            (Verb::Insert | Verb::Replace, _) if new_here(&name) || copies.contains(&key(&name)) => None,
            (Verb::Insert | Verb::Replace, _) => Some(Reason::additive(format!("writes rows into {name}"), "old code keeps working; the write lock is held until the revision commits")),
            (Verb::Update, _) if new_here(&name) => None,
            (Verb::Update, _) => Some(Reason::additive(
                format!("updates rows of {name} (a backfill)"),
                "old code keeps working; the rows stay locked until the revision commits, so batch it (a no-transaction section with -- @repeat) on a large table",
            )),
            (Verb::Delete, _) if new_here(&name) => None,
            (Verb::Delete, _) => Some(Reason::breaking(
                format!("deletes rows of {name}"),
                "old code may still read or refer to the rows it deletes",
                format!("first deploy code that no longer uses those rows of {name}, then delete them in a later revision"),
            )),
            (Verb::Select | Verb::Values | Verb::Analyze | Verb::Reindex, _) => None,
            _ => Some(unknown()),
        };
        reasons.extend(reason);
    }
    for old in rebuilt.keys() {
        let name = statements
            .iter()
            .find_map(|(_, c)| c.name.as_ref().filter(|n| key(&n.name) == *old && c.verb == Verb::Drop).map(|n| n.name.clone()))
            .unwrap_or_else(|| old.clone());
        reasons.push(Reason::breaking(
            format!("rebuilds table {name} by hand"),
            format!("{REBUILD_WHY}; what changes in its columns cannot be read from hand-written SQL"),
            REBUILD_INSTEAD,
        ));
    }
    if statements.is_empty() {
        reasons.push(super::nothing());
    }
    Classification::new(Basis::Statements, reasons)
}

/// The rebuilds of a section: a table created here, dropped old table, and the new one renamed
/// into its place. Keyed by the old table (lower-cased), with the new copy's key.
fn rebuilds(statements: &[(String, Classified)]) -> BTreeMap<String, String> {
    let mut created = BTreeSet::new();
    let mut dropped = BTreeSet::new();
    let mut out = BTreeMap::new();
    for (_, c) in statements {
        let Some(name) = c.name.as_ref().map(|n| key(&n.name)) else { continue };
        match (c.verb, c.object, &c.alter) {
            (Verb::Create, Some(Object::Table), _) => {
                created.insert(name);
            }
            (Verb::Drop, Some(Object::Table), _) => {
                dropped.insert(name);
            }
            (Verb::Alter, _, Some(Alter::RenameTo(to))) if created.contains(&name) && dropped.contains(&key(to)) => {
                out.insert(key(to), name);
            }
            _ => {}
        }
    }
    out
}

/// The tables a section rebuilds (by the name they end with): a table created in the section
/// and renamed into the place of a table the section dropped. This is how strata's plan
/// rebuilds, and how the guide's hand-written rebuilds are written.
pub fn rebuilt_tables(section: &str) -> Vec<String> {
    let statements: Vec<(String, Classified)> = sql::split_statements(section).into_iter().map(|s| (s.text.clone(), classify(&s.text))).collect();
    let mut names = Vec::new();
    for (_, c) in &statements {
        if let (Verb::Alter, Some(Alter::RenameTo(to))) = (c.verb, &c.alter) {
            if rebuilds(&statements).contains_key(&key(to)) && !names.iter().any(|n: &String| key(n) == key(to)) {
                names.push(to.clone());
            }
        }
    }
    names
}

/// The renames a section makes, as the diff takes them: chains and swaps through temporary
/// names composed into one rename from the first name to the last, tables a rebuild takes the
/// place of followed through. Tables created in the section are no renames.
pub fn renames(section: &str) -> Vec<Rename> {
    // Current table (key) -> (original name, current spelling).
    let mut tables: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut created: BTreeSet<String> = BTreeSet::new();
    // Dropped table (key) -> its original name, for the rebuild copy that takes its place.
    let mut dropped: BTreeMap<String, String> = BTreeMap::new();
    // A copy (key) -> the columns it fills from a column of another name: (from, into).
    let mut copied: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    // (original table key, current column key) -> (original column, current spelling).
    let mut columns: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
    // Original table key -> its spelling, for the column renames.
    let mut spelled: BTreeMap<String, String> = BTreeMap::new();
    let original = |tables: &BTreeMap<String, (String, String)>, name: &str| tables.get(&key(name)).map_or_else(|| name.to_string(), |(o, _)| o.clone());
    for s in sql::split_statements(section) {
        let c = classify(&s.text);
        let Some(name) = c.name.as_ref().map(|n| n.name.clone()) else { continue };
        match (c.verb, c.object, &c.alter) {
            (Verb::Create, Some(Object::Table), _) => {
                created.insert(key(&name));
            }
            (Verb::Drop, Some(Object::Table), _) => {
                let orig = original(&tables, &name);
                tables.remove(&key(&name));
                dropped.insert(key(&name), orig);
            }
            (Verb::Insert, _, _) if created.contains(&key(&name)) => {
                copied.insert(key(&name), copied_columns(&s.text, c.rest));
            }
            (Verb::Alter, _, Some(Alter::RenameTo(to))) => {
                let orig = if created.contains(&key(&name)) {
                    // A rebuild's copy taking the place of the table it replaces; a table
                    // created here and renamed elsewhere is new, not renamed.
                    let Some(o) = dropped.remove(&key(to)) else { continue };
                    // A column the copy fills from a column of another name was renamed by
                    // the copy (strata renames so when SQLite cannot in place).
                    for (from, into) in copied.remove(&key(&name)).unwrap_or_default() {
                        spelled.insert(key(&o), o.clone());
                        let first = columns.remove(&(key(&o), key(&from))).map_or(from, |(f, _)| f);
                        columns.insert((key(&o), key(&into)), (first, into));
                    }
                    o
                } else {
                    let o = original(&tables, &name);
                    tables.remove(&key(&name));
                    o
                };
                tables.insert(key(to), (orig, to.clone()));
            }
            (Verb::Alter, _, Some(Alter::RenameColumn { from, to })) => {
                let table = original(&tables, &name);
                spelled.insert(key(&table), table.clone());
                let table = key(&table);
                let orig = columns.remove(&(table.clone(), key(from))).map_or_else(|| from.clone(), |(o, _)| o);
                columns.insert((table, key(to)), (orig, to.clone()));
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    // The diff accepts either name of a renamed table in a column rename; the final one is
    // what the model calls it.
    let mut now_called: BTreeMap<String, String> = BTreeMap::new();
    for (from, to) in tables.into_values() {
        now_called.insert(key(&from), to.clone());
        if key(&from) != key(&to) {
            out.push(Rename::Table { from, to });
        }
    }
    for ((table, _), (from, to)) in columns {
        if key(&from) != key(&to) {
            let table = now_called.get(&table).or(spelled.get(&table)).cloned().unwrap_or(table);
            out.push(Rename::Column { table, from, to });
        }
    }
    out
}

/// The columns `INSERT INTO copy (a, b, …) SELECT x, y, … FROM t` fills from a bare column
/// of another name: `(x, a)` when `x` is not `a`. Anything else in the select list is left
/// out (an expression is a conversion, not a rename).
fn copied_columns(text: &str, rest: usize) -> Vec<(String, String)> {
    let src = text.get(rest..).unwrap_or("");
    let toks: Vec<sql::Token> = sql::tokenize(src).into_iter().filter(|t| !t.is_trivia()).collect();
    let mut i = 0;
    let mut into = Vec::new();
    if !toks.first().is_some_and(|t| t.is_punct(src, "(")) {
        return Vec::new();
    }
    i += 1;
    while let Some(t) = toks.get(i) {
        i += 1;
        if t.is_punct(src, ")") {
            break;
        }
        if t.is_name() {
            into.push(sql::unquote(t.text(src)));
        }
    }
    if !toks.get(i).is_some_and(|t| t.is_word(src, "select")) {
        return Vec::new();
    }
    i += 1;
    // The select list's items, split at top-level commas, up to FROM.
    let mut items: Vec<Vec<sql::Token>> = vec![Vec::new()];
    let mut depth = 0;
    while let Some(t) = toks.get(i) {
        i += 1;
        if depth == 0 && t.is_word(src, "from") {
            break;
        }
        if t.is_punct(src, "(") {
            depth += 1;
        } else if t.is_punct(src, ")") {
            depth -= 1;
        } else if depth == 0 && t.is_punct(src, ",") {
            items.push(Vec::new());
            continue;
        }
        items.last_mut().expect("one item at least").push(*t);
    }
    into.into_iter()
        .zip(items)
        .filter_map(|(to, item)| match item.as_slice() {
            [one] if one.is_name() => {
                let from = sql::unquote(one.text(src));
                (key(&from) != key(&to)).then_some((from, to))
            }
            _ => None,
        })
        .collect()
}

/// `ALTER TABLE t ADD COLUMN …`: additive unless the new column is NOT NULL without a default
/// or carries a CHECK, read by the CREATE TABLE reader.
fn add_column_sql(table: &str, column: &str, text: &str) -> Reason {
    let toks: Vec<sql::Token> = sql::tokenize(text).into_iter().filter(|t| !t.is_trivia()).collect();
    let def = toks.iter().position(|t| t.is_word(text, "add")).map(|i| {
        let i = if toks.get(i + 1).is_some_and(|t| t.is_word(text, "column")) { i + 2 } else { i + 1 };
        toks.get(i).map_or("", |t| &text[t.start..])
    });
    let parsed = def.and_then(|d| parse_create_table(&format!("CREATE TABLE x ({d})")).ok());
    let Some(t) = parsed.filter(|t| t.columns.len() == 1) else {
        return Reason::breaking(
            format!("adds column {table}.{column}"),
            "strata cannot read its definition, so it cannot tell whether old code's INSERTs still work",
            "add the column nullable, without constraints, and add its rules in a later revision",
        );
    };
    if !t.checks.is_empty() {
        return Reason::breaking(
            format!("adds column {table}.{column} with a CHECK"),
            "old code's INSERTs that do not name it must pass the CHECK with its default",
            "add the column without the CHECK, backfill it, then add the rule in a later revision",
        );
    }
    super::add_column(table, &t.columns[0])
}

/// The parenthesised column list of a `CREATE INDEX`, for messages.
fn index_columns(text: &str) -> String {
    match (text.find('('), text.rfind(')')) {
        (Some(a), Some(b)) if a < b => text[a + 1..b].trim().to_string(),
        _ => String::new(),
    }
}

/// A statement on one line, shortened for a message.
fn one_line(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 60 {
        format!("{}…", flat.chars().take(60).collect::<String>())
    } else {
        flat
    }
}
