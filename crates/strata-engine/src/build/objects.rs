//! The objects a history has built so far, as SQLite stored them, and the rules that pick, for
//! a statement, every object SQLite would read, check or rewrite because of it.

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::{exec_one, Fallback, Fast};
use strata_core::schema::Schema;
use strata_core::sql::{self, TokenKind};

use crate::introspect::{self, Kind, Parsed, Stored};

/// SQLite keeps triggers in a namespace of their own; tables, views and indexes share one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Ns {
    Main,
    Trigger,
}

/// An object's namespace and its name lower-cased (SQLite compares names ignoring ASCII case).
pub(crate) type Key = (Ns, String);

pub(crate) fn key(kind: Kind, name: &str) -> Key {
    let ns = if kind == Kind::Trigger { Ns::Trigger } else { Ns::Main };
    (ns, name.to_ascii_lowercase())
}

pub(crate) struct Object {
    row: Stored,
    parsed: Parsed,
    /// Every name the stored SQL mentions, lower-cased (over-approximating, never missing one).
    /// Read on first use: a history of CREATE TABLE and CREATE INDEX statements alone asks
    /// only about views and triggers, and reading every object cost a fifth of the replay.
    mentions: OnceCell<HashSet<String>>,
    /// Views and triggers: whether SQLite's check of every view and trigger after a table rename
    /// passes for this one (`None`: not asked since it last changed).
    checked: Option<bool>,
    /// Views and triggers: whether SQLite's rewriting of double-quoted strings, which RENAME
    /// COLUMN and DROP COLUMN apply to the whole schema, leaves it as it is.
    dqs_free: Option<bool>,
}

impl Object {
    /// An object SQLite stored, read with strata's parser. Fails when the parser cannot read it
    /// (the single database then reports that in its own words).
    pub fn read(row: Stored) -> Fast<Object> {
        let parsed = introspect::parse_stored(&row).map_err(|_| Fallback("a stored object strata cannot read"))?;
        Ok(Object { row, parsed, mentions: OnceCell::new(), checked: None, dqs_free: None })
    }

    fn mentions(&self) -> &HashSet<String> {
        self.mentions.get_or_init(|| sql::identifiers(&self.row.sql))
    }
}

/// What a history of revisions leaves in a database, as far as replaying more revisions on top
/// of it needs: every object as SQLite stored it, and the tables that hold rows (a later
/// revision reaching one of them is replayed in one database from the start, since the rows
/// themselves are not kept). Read back with strata's parser, it gives the schema.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KeptSchema {
    pub(crate) objects: Vec<Stored>,
    pub(crate) nonempty: Vec<String>,
}

/// The stored schema of a history being replayed, with the indexes the closure needs.
#[derive(Default)]
pub(crate) struct Objects {
    map: BTreeMap<Key, Object>,
    /// Table or view name → the indexes and triggers on it.
    on: HashMap<String, BTreeSet<Key>>,
    /// Name → the objects whose SQL mentions it. Built on first use: a history of CREATE
    /// statements alone never needs it.
    mentioned_by: Option<HashMap<String, BTreeSet<Key>>>,
    /// Tables that hold rows (or an AUTOINCREMENT counter). A revision that reaches one of them
    /// could behave differently with the rows than without, so it is not replayed apart.
    pub nonempty: BTreeSet<String>,
}

impl Objects {
    /// The objects a kept history left, read again with strata's parser.
    pub fn restore(kept: KeptSchema) -> Fast<Objects> {
        let mut objects = Objects { nonempty: kept.nonempty.into_iter().collect(), ..Objects::default() };
        for row in kept.objects {
            objects.insert_object(Object::read(row)?);
        }
        Ok(objects)
    }

    /// What a database holds, as a replay would have left it.
    pub fn of_database(conn: &Connection) -> Fast<Objects> {
        let rows = introspect::stored(conn)?;
        let nonempty = super::filled(conn, &rows)?;
        Self::restore(KeptSchema { objects: rows, nonempty })
    }

    /// The objects to keep, so that a later replay can start from them.
    pub fn keep(&self) -> KeptSchema {
        KeptSchema { objects: self.map.values().map(|o| o.row.clone()).collect(), nonempty: self.nonempty.iter().cloned().collect() }
    }

    /// Whether any object, of either namespace, has this lower-cased name.
    pub fn has_name(&self, name: &str) -> bool {
        self.map.contains_key(&(Ns::Main, name.to_string())) || self.map.contains_key(&(Ns::Trigger, name.to_string()))
    }

    fn lookup_main(&self, name: &str) -> Option<Key> {
        let k = (Ns::Main, name.to_string());
        self.map.contains_key(&k).then_some(k)
    }

    pub fn kind(&self, k: &Key) -> Option<Kind> {
        self.map.get(k).map(|o| o.row.kind)
    }

    fn insert_object(&mut self, obj: Object) {
        let k = key(obj.row.kind, &obj.row.name);
        if matches!(obj.row.kind, Kind::Index | Kind::Trigger) {
            self.on.entry(obj.row.table.to_ascii_lowercase()).or_default().insert(k.clone());
        }
        if let Some(by) = &mut self.mentioned_by {
            for m in obj.mentions() {
                by.entry(m.clone()).or_default().insert(k.clone());
            }
        }
        self.map.insert(k, obj);
    }

    fn remove(&mut self, k: &Key) -> Option<Object> {
        let obj = self.map.remove(k)?;
        if matches!(obj.row.kind, Kind::Index | Kind::Trigger) {
            if let Some(set) = self.on.get_mut(&obj.row.table.to_ascii_lowercase()) {
                set.remove(k);
            }
        }
        if let Some(by) = &mut self.mentioned_by {
            for m in obj.mentions() {
                if let Some(set) = by.get_mut(m) {
                    set.remove(k);
                }
            }
        }
        Some(obj)
    }

    /// Puts what a scratch database holds after a revision in place of the objects it started
    /// with. SQLite is asked again about views and triggers that went through it.
    pub fn replace(&mut self, started: &BTreeSet<Key>, made: Vec<Object>) -> Fast<()> {
        for k in started {
            self.remove(k);
            self.nonempty.remove(&k.1);
        }
        for obj in made {
            if self.map.contains_key(&key(obj.row.kind, &obj.row.name)) {
                // Only a statement naming the object could have made it, and named objects
                // are always in the scratch database: this would be a builder bug.
                return Err(Fallback("a scratch database made an object it was not given"));
            }
            self.insert_object(obj);
        }
        Ok(())
    }

    /// Every object that `seeds` (each with whether the statement may change it) bring with
    /// them, by SQLite's rules:
    /// - an index or trigger needs the table or view it is on;
    /// - a view or trigger needs every object it names, so it resolves as it would in the whole
    ///   database (SQLite checks views and triggers after ALTER TABLE);
    /// - a table or view that may change brings the indexes and triggers on it (DROP TABLE drops
    ///   them, RENAME rewrites them) and every object whose SQL names it (RENAME rewrites
    ///   foreign keys, views and trigger bodies; DROP COLUMN checks them); a view brought that
    ///   way may change too (its columns follow a renamed column);
    /// - when rows are written (`data`), every table brings the indexes and triggers on it,
    ///   since constraints are checked and triggers fire.
    pub fn closure(&mut self, seeds: impl IntoIterator<Item = (Key, bool)>, data: bool) -> BTreeSet<Key> {
        let mut work: Vec<(Key, bool)> = seeds.into_iter().filter(|(k, _)| self.map.contains_key(k)).collect();
        if work.iter().any(|(_, touched)| *touched) {
            self.index_mentions();
        }
        let mut out = BTreeSet::new();
        let mut expanded_touch = HashSet::new();
        while let Some((k, touched)) = work.pop() {
            let new = out.insert(k.clone());
            let touch = touched && expanded_touch.insert(k.clone());
            if !new && !touch {
                continue;
            }
            let Some(obj) = self.map.get(&k) else {
                continue;
            };
            let lower = obj.row.name.to_ascii_lowercase();
            let on = |name: &str| self.on.get(name).into_iter().flatten().map(|k| (k.clone(), false));
            if new {
                if matches!(obj.row.kind, Kind::Index | Kind::Trigger) {
                    work.extend(self.lookup_main(&obj.row.table.to_ascii_lowercase()).map(|k| (k, false)));
                }
                if matches!(obj.row.kind, Kind::View | Kind::Trigger) {
                    work.extend(obj.mentions().iter().filter_map(|m| self.lookup_main(m)).filter(|d| *d != k).map(|d| (d, false)));
                }
                if data && matches!(obj.row.kind, Kind::Table | Kind::View) {
                    work.extend(on(&lower));
                }
            }
            if touch && matches!(obj.row.kind, Kind::Table | Kind::View) {
                // The indexes and triggers on it name it, so they are among these.
                let by = self.mentioned_by.as_ref().and_then(|m| m.get(&lower));
                for d in by.into_iter().flatten().filter(|d| **d != k) {
                    work.push((d.clone(), self.kind(d) == Some(Kind::View)));
                }
            }
        }
        out
    }

    fn index_mentions(&mut self) {
        if self.mentioned_by.is_some() {
            return;
        }
        let mut by: HashMap<String, BTreeSet<Key>> = HashMap::new();
        for (k, o) in &self.map {
            for m in o.mentions() {
                by.entry(m.clone()).or_default().insert(k.clone());
            }
        }
        self.mentioned_by = Some(by);
    }

    /// Creates `keys` in `conn` from their stored SQL, tables first and triggers last.
    pub fn create_in(&self, conn: &Connection, keys: &BTreeSet<Key>) -> Fast<()> {
        let mut objs: Vec<&Object> = keys.iter().filter_map(|k| self.map.get(k)).collect();
        objs.sort_by_key(|o| o.row.kind);
        for o in objs {
            exec_one(conn, &o.row.sql)?;
        }
        Ok(())
    }

    /// The objects an ALTER TABLE that checks and rewrites the whole schema could affect
    /// outside the objects its statements name: views and triggers SQLite's check would refuse,
    /// and (for RENAME COLUMN and DROP COLUMN, `rewrite`) objects holding double-quoted strings
    /// SQLite would turn into single-quoted ones. Asks SQLite first about views and triggers it
    /// has not judged since they last changed.
    pub fn reached_by_schema_checks(&mut self, rewrite: bool) -> Vec<Key> {
        self.judge_views_and_triggers();
        self.map
            .iter()
            .filter(|(_, o)| match o.row.kind {
                Kind::View | Kind::Trigger => o.checked != Some(true) || (rewrite && o.dqs_free != Some(true)),
                Kind::Table | Kind::Index => rewrite && !self.plainly_quoted(o),
            })
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Whether every double-quoted token in a table's CHECK and generated expressions, or in an
    /// index's expressions and WHERE, names a column (or the table) and so cannot be one of the
    /// double-quoted strings RENAME COLUMN rewrites. Conservative: a quoted function or
    /// collation name also answers no.
    fn plainly_quoted(&self, o: &Object) -> bool {
        let (table, exprs): (Option<&strata_core::schema::Table>, Vec<&str>) = match &o.parsed {
            Parsed::Table(t) => {
                let mut e: Vec<&str> = t.checks.iter().map(|c| c.expr.as_str()).collect();
                e.extend(t.columns.iter().filter_map(|c| c.generated.as_ref().map(|g| g.expr.as_str())));
                (Some(t), e)
            }
            Parsed::Index(i) => {
                let t = self.lookup_main(&i.table.to_ascii_lowercase()).and_then(|k| match &self.map[&k].parsed {
                    Parsed::Table(t) => Some(t),
                    _ => None,
                });
                let mut e: Vec<&str> = i.parts.iter().map(|p| p.expr.as_str()).collect();
                e.extend(i.where_clause.as_ref().map(|w| w.as_str()));
                (t, e)
            }
            _ => return false,
        };
        let Some(table) = table else { return false };
        exprs.iter().all(|e| {
            sql::tokenize(e).iter().filter(|t| t.kind == TokenKind::QuotedIdent && t.text(e).starts_with('"')).all(|t| {
                let name = sql::unquote(t.text(e));
                table.name.eq_ignore_ascii_case(&name) || table.column(&name).is_some()
            })
        })
    }

    /// Asks SQLite, a few at a time in scratch databases holding each with what it names,
    /// whether the views and triggers not judged yet pass its schema check and are left alone
    /// by its rewriting of double-quoted strings: a RENAME COLUMN of a throwaway table runs both
    /// over every object of the database, and is rolled back.
    fn judge_views_and_triggers(&mut self) {
        let pending: Vec<Key> =
            self.map.iter().filter(|(_, o)| matches!(o.row.kind, Kind::View | Kind::Trigger) && o.checked.is_none()).map(|(k, _)| k.clone()).collect();
        for chunk in pending.chunks(16) {
            let outcome = self.probe(chunk);
            match outcome {
                Some(verdicts) => self.record(verdicts),
                None if chunk.len() > 1 => {
                    // One object SQLite refuses spoils the verdict on all: ask about each alone.
                    for k in chunk {
                        let v = self.probe(std::slice::from_ref(k)).unwrap_or_else(|| vec![(k.clone(), false, false)]);
                        self.record(v);
                    }
                }
                None => self.record(vec![(chunk[0].clone(), false, false)]),
            }
        }
    }

    fn record(&mut self, verdicts: Vec<(Key, bool, bool)>) {
        for (k, checked, dqs_free) in verdicts {
            if let Some(o) = self.map.get_mut(&k) {
                o.checked = Some(checked);
                o.dqs_free = Some(dqs_free);
            }
        }
    }

    /// The verdicts (checked, left alone) on the views and triggers of one scratch database
    /// built around `targets`, or `None` when SQLite refused the throwaway rename.
    fn probe(&mut self, targets: &[Key]) -> Option<Vec<(Key, bool, bool)>> {
        let keys = self.closure(targets.iter().map(|k| (k.clone(), false)), false);
        let conn = Connection::open_in_memory().ok()?;
        conn.execute_batch("BEGIN").ok()?;
        self.create_in(&conn, &keys).ok()?;
        let before = introspect::stored(&conn).ok()?;
        let mut probe = String::from("strata_probe");
        while keys.iter().any(|k| k.1 == probe) {
            probe.push('_');
        }
        conn.execute_batch(&format!("CREATE TABLE {probe} (a); ALTER TABLE {probe} RENAME COLUMN a TO b")).ok()?;
        let after = introspect::stored(&conn).ok()?;
        Some(
            before
                .into_iter()
                .filter(|r| matches!(r.kind, Kind::View | Kind::Trigger))
                .map(|r| {
                    let same = after.iter().any(|a| a.kind == r.kind && a.name == r.name && a.sql == r.sql);
                    (key(r.kind, &r.name), true, same)
                })
                .collect(),
        )
    }

    /// The schema of every object, leaving out those on the table `exclude` (the version table).
    /// Takes the objects: their parsed forms move into the schema instead of being copied.
    pub fn into_schema(self, exclude: &str) -> Schema {
        let mut s = Schema::default();
        for o in self.map.into_values().filter(|o| !o.row.table.eq_ignore_ascii_case(exclude)) {
            o.parsed.add_to(&mut s);
        }
        s
    }
}
