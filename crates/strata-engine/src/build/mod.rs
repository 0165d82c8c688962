//! Builds schemas from SQL with SQLite as the judge, in many small scratch databases instead of
//! one, so the cost grows with the schema's size rather than with its square. The SQL model and
//! the head schema (every revision replayed) are both built here.
//!
//! Why: after every CREATE, SQLite reloads the new object with a query that scans all of
//! `sqlite_schema`, so N CREATE statements run into one database cost O(N²) — seconds for 4,000
//! tables and their indexes. Here each statement gets the objects it names and, through
//! [`Objects::closure`], everything SQLite would read, check or rewrite because of it.
//! Statements that share no object run in different in-memory databases of a few dozen objects,
//! and what those databases hold afterwards is merged by name.
//!
//! Exact or not used: whatever this cannot decide exactly as one database would (a statement
//! it cannot classify, a PRAGMA, temporary objects, rows a later statement could see, a step
//! holding two statements, a `no-transaction` section) and any error make it answer [`Fallback`]; the caller then runs the
//! single-database path, so every result and every message stays SQLite's own.

mod objects;
pub(crate) mod store;

use std::collections::{BTreeSet, HashMap, HashSet};

use rusqlite::fallible_iterator::FallibleIterator;
use rusqlite::{Connection, TransactionBehavior};

use strata_core::revision::{Direction, Revision};
use strata_core::schema::Schema;
use strata_core::sql::{self, TokenKind};
use strata_core::statement::{self, Alter, Classified, Object, QualifiedName, Verb};

use crate::introspect::{self, Kind};
use objects::{key, Key, Ns, Objects};

/// Statements and objects per scratch database: few enough that SQLite's scans of
/// `sqlite_schema` stay short, enough that opening databases costs little.
const BATCH: usize = 48;

/// SQL text (in bytes) up to which one scratch database is at least as fast as grouping: while
/// the schema is a few dozen objects, SQLite's reload after each CREATE costs little, and the
/// grouping's own work does not pay for itself (measured: 10% slower at 20 tables, even at 50,
/// faster from 100). Below it the model and a history are run into one database, which is
/// exact by definition.
pub(crate) const SMALL_SQL: usize = 8 * 1024;

/// Why the grouped build gave up; the caller runs the single-database path instead.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Fallback(pub &'static str);

pub(crate) type Fast<T> = Result<T, Fallback>;

impl From<rusqlite::Error> for Fallback {
    fn from(_: rusqlite::Error) -> Self {
        Fallback("SQLite refused a statement")
    }
}

impl From<crate::error::Error> for Fallback {
    fn from(_: crate::error::Error) -> Self {
        Fallback("SQLite refused a statement or strata could not read an object")
    }
}

/// The schema a model's CREATE statements give. Every statement must be one the model accepts
/// (`check` says so, as the single-database path would) and each scratch database must end up
/// holding exactly the objects its statements create.
pub(crate) fn model(statements: &[sql::Statement], check: impl Fn(&sql::Statement) -> bool) -> Fast<Schema> {
    let mut shapes = Vec::with_capacity(statements.len());
    for s in statements {
        if !check(s) {
            return Err(Fallback("not a schema statement"));
        }
        match shape(&statement::classify(&s.text))? {
            c @ Shape::Create { .. } => shapes.push(c),
            Shape::Other { .. } => return Err(Fallback("not a CREATE statement")),
        }
    }
    let texts: Vec<&str> = statements.iter().map(|s| s.text.as_str()).collect();
    let batches = batches(&mut Objects::default(), &texts, &shapes, false)?;
    let mut schema = Schema::default();
    for b in &batches {
        for p in run_model_batch(&texts, b)? {
            p.add_to(&mut schema);
        }
    }
    Ok(schema)
}

fn run_model_batch(texts: &[&str], batch: &Batch) -> Fast<Vec<introspect::Parsed>> {
    let conn = Connection::open_in_memory()?;
    conn.execute_batch("BEGIN")?;
    for &i in &batch.steps {
        exec_one(&conn, texts[i])?;
    }
    let rows = introspect::stored(&conn)?;
    let made: BTreeSet<Key> = rows.iter().map(|r| key(r.kind, &r.name)).collect();
    if made != batch.creates {
        return Err(Fallback("a statement made other objects than it names"));
    }
    rows.iter().map(|r| Ok(introspect::parse_stored(r)?)).collect()
}

/// The schema `revisions` produce when run up in order from an empty database, leaving out the
/// objects on `version_table`; the grouped replay alone, with no store and no fallback.
pub(crate) fn replay(revisions: &[&Revision], version_table: &str) -> Fast<Schema> {
    let mut objects = Objects::default();
    replay_onto(&mut objects, revisions)?;
    Ok(objects.into_schema(version_table))
}

/// Runs `revisions` up, in order, on top of the objects an earlier part of their history built.
/// On failure `objects` is left part-way and must not be used.
pub(crate) fn replay_onto(objects: &mut Objects, revisions: &[&Revision]) -> Fast<()> {
    for rev in revisions {
        let steps = rev.section(Direction::Up);
        // A section whose statements commit one by one, or that repeats a statement until it
        // changes no rows, runs as the runner would only in one database.
        if rev.up_options.no_transaction || steps.iter().any(|s| s.repeat) {
            return Err(Fallback("a no-transaction section"));
        }
        let texts: Vec<&str> = steps.iter().map(|s| s.sql.as_str()).collect();
        replay_one(objects, &texts, rev.up_options.foreign_keys_off)?;
    }
    Ok(())
}

fn replay_one(objects: &mut Objects, texts: &[&str], foreign_keys_off: bool) -> Fast<()> {
    let mut shapes = Vec::with_capacity(texts.len());
    for t in texts {
        if reads_the_whole_database(t) {
            return Err(Fallback("a statement reads the schema or the connection's counters"));
        }
        shapes.push(shape(&statement::classify(t))?);
    }
    if foreign_keys_off && !objects.nonempty.is_empty() {
        // The foreign key check before commit reads every table with rows.
        return Err(Fallback("foreign keys off over tables with rows"));
    }
    let batches = batches(objects, texts, &shapes, foreign_keys_off)?;
    if batches.iter().any(|b| b.objects.iter().any(|k| objects.nonempty.contains(&k.1))) {
        return Err(Fallback("a revision reaches a table holding rows"));
    }
    // Every batch starts from the objects as they stood before the revision: batches share
    // none, so the merges cannot disturb one another.
    let mut done = Vec::with_capacity(batches.len());
    for b in batches {
        done.push(run_revision_batch(objects, texts, foreign_keys_off, b)?);
    }
    for (started, made, filled) in done {
        objects.replace(&started, made)?;
        objects.nonempty.extend(filled);
    }
    Ok(())
}

/// Runs one batch of a revision: the objects it reaches as they stood, then its statements in
/// one transaction as the runner would. Returns the objects it started with, those it ends
/// with (read and parsed), and its tables that hold rows afterwards.
fn run_revision_batch(objects: &Objects, texts: &[&str], foreign_keys_off: bool, batch: Batch) -> Fast<(BTreeSet<Key>, Vec<objects::Object>, Vec<String>)> {
    let mut conn = Connection::open_in_memory()?;
    conn.execute_batch("BEGIN")?;
    objects.create_in(&conn, &batch.objects)?;
    conn.execute_batch("COMMIT")?;
    // As the runner does: foreign keys off outside the transaction, checked before commit.
    if foreign_keys_off {
        conn.execute_batch("PRAGMA foreign_keys = OFF")?;
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for &i in &batch.steps {
        exec_one(&tx, texts[i])?;
    }
    if foreign_keys_off && tx.prepare("PRAGMA foreign_key_check")?.exists([])? {
        return Err(Fallback("rows without parents"));
    }
    let rows = introspect::stored(&tx)?;
    let filled = if batch.data { filled(&tx, &rows)? } else { Vec::new() };
    let made = rows.into_iter().map(objects::Object::read).collect::<Fast<Vec<_>>>()?;
    Ok((batch.objects, made, filled))
}

/// The tables of `rows` (lower-cased) that hold rows or whose AUTOINCREMENT counter moved.
fn filled(conn: &Connection, rows: &[introspect::Stored]) -> Fast<Vec<String>> {
    let mut out = Vec::new();
    for r in rows.iter().filter(|r| r.kind == Kind::Table) {
        if conn.prepare(&format!("SELECT 1 FROM {}", sql::quote(&r.name)))?.exists([])? {
            out.push(r.name.to_ascii_lowercase());
        }
    }
    if conn.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_sequence'")?.exists([])? {
        let mut stmt = conn.prepare("SELECT name FROM sqlite_sequence WHERE seq <> 0")?;
        let names = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        out.extend(names.into_iter().map(|n| n.to_ascii_lowercase()));
    }
    Ok(out)
}

/// Whether a statement reads what depends on the whole database or connection rather than on
/// the objects it names: the schema tables, table-valued pragmas, page statistics, the change
/// counters (as function calls: a column may well be called `changes`), or the AUTOINCREMENT
/// counters of tables it does not name (see [`counter_copy`]).
fn reads_the_whole_database(text: &str) -> bool {
    let toks: Vec<sql::Token> = sql::tokenize(text).into_iter().filter(|t| !t.is_trivia()).collect();
    toks.iter().enumerate().any(|(i, t)| {
        if !t.is_name() {
            return false;
        }
        let w = sql::unquote(t.text(text)).to_ascii_lowercase();
        let called = toks.get(i + 1).is_some_and(|n| n.is_punct(text, "("));
        (w == "sqlite_sequence" && !counter_copy(text, &toks))
            || (w.starts_with("sqlite_") && w != "sqlite_sequence")
            || w.starts_with("pragma_")
            || w == "dbstat"
            || (called && matches!(w.as_str(), "changes" | "total_changes" | "last_insert_rowid"))
    })
}

/// The two statements on `sqlite_sequence` a strata rebuild writes, which touch only the
/// counters of the tables they name: `DELETE FROM sqlite_sequence WHERE name = 'x'` and
/// `INSERT INTO sqlite_sequence (name, seq) SELECT 'x', seq FROM sqlite_sequence WHERE name = 'y'`.
/// A scratch database holds the counters of its tables only where they are zero or absent,
/// which SQLite treats alike; a table whose counter moved holds rows as far as the replay is
/// concerned.
fn counter_copy(text: &str, toks: &[sql::Token]) -> bool {
    const DELETE: &[&str] = &["delete", "from", "sqlite_sequence", "where", "name", "=", "'"];
    const COPY: &[&str] =
        &["insert", "into", "sqlite_sequence", "(", "name", ",", "seq", ")", "select", "'", ",", "seq", "from", "sqlite_sequence", "where", "name", "=", "'"];
    let like = |pattern: &[&str]| {
        pattern.len() == toks.len()
            && pattern.iter().zip(toks).all(|(p, t)| match *p {
                "'" => t.kind == TokenKind::String,
                word => t.kind != TokenKind::String && sql::unquote(t.text(text)).eq_ignore_ascii_case(word),
            })
    };
    like(DELETE) || like(COPY)
}

/// What a statement is, as far as grouping needs to know.
#[derive(Debug)]
enum Shape {
    /// CREATE TABLE (not AS SELECT), INDEX, VIEW or TRIGGER of `name`, on `on`.
    Create { ns: Ns, name: String, on: Option<String> },
    /// DROP, ALTER TABLE or a statement on rows.
    Other { data: bool, checks: Checks },
}

/// The whole-schema work an ALTER TABLE does besides its own table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Checks {
    None,
    /// RENAME TO checks every view and trigger afterwards.
    Views,
    /// RENAME COLUMN and DROP COLUMN also rewrite double-quoted strings everywhere.
    ViewsAndQuotes,
}

fn shape(c: &Classified) -> Fast<Shape> {
    let main = |q: &Option<QualifiedName>| -> Fast<String> {
        q.as_ref().filter(|q| q.is_main()).map(|q| q.name.to_ascii_lowercase()).ok_or(Fallback("a name that is not in the main schema"))
    };
    match c.verb {
        Verb::Create => {
            if c.temp {
                return Err(Fallback("temporary objects"));
            }
            let name = main(&c.name)?;
            match c.object {
                Some(Object::Table) if !c.as_select => Ok(Shape::Create { ns: Ns::Main, name, on: None }),
                Some(Object::View) => Ok(Shape::Create { ns: Ns::Main, name, on: None }),
                Some(Object::Index) => Ok(Shape::Create { ns: Ns::Main, name, on: Some(main(&c.on)?) }),
                Some(Object::Trigger) => Ok(Shape::Create { ns: Ns::Trigger, name, on: Some(main(&c.on)?) }),
                _ => Err(Fallback("CREATE TABLE … AS SELECT or a virtual table")),
            }
        }
        Verb::Drop if c.object.is_some_and(|o| o != Object::VirtualTable) => {
            main(&c.name)?;
            Ok(Shape::Other { data: false, checks: Checks::None })
        }
        Verb::Alter => {
            main(&c.name)?;
            let checks = match &c.alter {
                // SQLite 3.54's ADD CHECK, ADD CONSTRAINT and DROP CONSTRAINT read, to the
                // classifier, like a column of that name; they are left to one database.
                Some(Alter::AddColumn(n) | Alter::DropColumn(n)) if ["check", "constraint"].iter().any(|w| n.eq_ignore_ascii_case(w)) => {
                    return Err(Fallback("an ALTER TABLE on constraints"))
                }
                Some(Alter::RenameTo(_)) => Checks::Views,
                Some(Alter::RenameColumn { .. } | Alter::DropColumn(_)) => Checks::ViewsAndQuotes,
                Some(Alter::AddColumn(_)) => Checks::None,
                None => return Err(Fallback("an ALTER TABLE strata cannot classify")),
            };
            Ok(Shape::Other { data: false, checks })
        }
        Verb::Insert | Verb::Replace | Verb::Update | Verb::Delete => {
            main(&c.name)?;
            Ok(Shape::Other { data: true, checks: Checks::None })
        }
        Verb::Select | Verb::Values => Ok(Shape::Other { data: true, checks: Checks::None }),
        _ => Err(Fallback("a statement that neither defines schema nor reads or writes rows")),
    }
}

/// Statements (by index) that run together in one scratch database, the existing objects it
/// starts with, and the objects they create (for a model).
#[derive(Default)]
struct Batch {
    steps: Vec<usize>,
    objects: BTreeSet<Key>,
    creates: BTreeSet<Key>,
    data: bool,
}

/// Groups statements that share an object (created, named, or brought by the closure) and
/// packs the groups into batches, in statement order. A revision whose ALTER checks the whole
/// schema, or that runs with foreign keys off, stays one group.
fn batches(objects: &mut Objects, texts: &[&str], shapes: &[Shape], foreign_keys_off: bool) -> Fast<Vec<Batch>> {
    // Names this run makes: a statement naming one of them shares it with the one making it.
    let mut made: HashSet<String> = HashSet::new();
    for (t, s) in texts.iter().zip(shapes) {
        match s {
            Shape::Create { name, .. } => {
                made.insert(name.clone());
            }
            Shape::Other { .. } => {
                if let Some(Alter::RenameTo(to)) = statement::classify(t).alter {
                    made.insert(to.to_ascii_lowercase());
                }
            }
        }
    }
    let data = shapes.iter().any(|s| matches!(s, Shape::Other { data: true, .. }));
    let checks = shapes.iter().map(|s| if let Shape::Other { checks, .. } = s { *checks } else { Checks::None }).max().unwrap_or(Checks::None);
    let whole = checks != Checks::None || foreign_keys_off;

    let mut names = UnionFind::default();
    let mut per_step: Vec<(Vec<usize>, BTreeSet<Key>)> = Vec::with_capacity(texts.len());
    for (t, s) in texts.iter().zip(shapes) {
        let known = |n: &String| made.contains(n) || objects.has_name(n);
        let (own, seeds): (Vec<String>, Vec<(Key, bool)>) = match s {
            Shape::Create { ns, name, on } => {
                let mut own: Vec<String> = std::iter::once(name.clone()).chain(on.clone()).collect();
                // A trigger made beside statements that write rows may fire: it needs what it names.
                if data && *ns == Ns::Trigger {
                    own.extend(sql::identifiers(t).into_iter().filter(known));
                }
                let seeds = own.iter().flat_map(|n| [((Ns::Main, n.clone()), false), ((Ns::Trigger, n.clone()), false)]).collect();
                (own, seeds)
            }
            Shape::Other { .. } => {
                let own: Vec<String> = sql::identifiers(t).into_iter().filter(known).collect();
                let seeds = own.iter().flat_map(|n| [((Ns::Main, n.clone()), true), ((Ns::Trigger, n.clone()), true)]).collect();
                (own, seeds)
            }
        };
        // Rows written anywhere in the revision may fire triggers on whatever a statement brings.
        let closure = objects.closure(seeds, data);
        let mut ids: Vec<usize> = own.iter().map(|n| names.id(n)).collect();
        ids.extend(closure.iter().map(|k| names.id(&k.1)));
        per_step.push((ids, closure));
    }
    let mut extra = BTreeSet::new();
    if checks != Checks::None {
        let reached = objects.reached_by_schema_checks(checks == Checks::ViewsAndQuotes);
        extra = objects.closure(reached.into_iter().map(|k| (k, false)), data);
    }

    for (ids, _) in &per_step {
        for w in ids.windows(2) {
            names.union(w[0], w[1]);
        }
    }
    // Groups in order of their first statement; a statement naming nothing is a group alone,
    // unless the whole revision is one.
    let mut groups: Vec<Batch> = Vec::new();
    let mut by_root: HashMap<usize, usize> = HashMap::new();
    for (i, ((ids, closure), s)) in per_step.into_iter().zip(shapes).enumerate() {
        let g = match ids.first().map(|&id| names.find(id)) {
            Some(root) => *by_root.entry(root).or_insert_with(|| {
                groups.push(Batch::default());
                groups.len() - 1
            }),
            None => {
                groups.push(Batch::default());
                groups.len() - 1
            }
        };
        let b = &mut groups[g];
        b.steps.push(i);
        b.objects.extend(closure);
        match s {
            Shape::Create { ns, name, .. } => {
                b.creates.insert((*ns, name.clone()));
            }
            Shape::Other { data, .. } => b.data |= data,
        }
    }
    if whole && groups.len() > 1 {
        let mut one = Batch::default();
        for g in groups.drain(..) {
            one.steps.extend(g.steps);
            one.objects.extend(g.objects);
            one.creates.extend(g.creates);
            one.data |= g.data;
        }
        one.steps.sort_unstable();
        groups.push(one);
    }
    if let Some(first) = groups.first_mut() {
        first.objects.extend(extra);
    }
    // Pack small groups together: they share nothing, so one database can hold several.
    let mut out: Vec<Batch> = Vec::new();
    for g in groups {
        match out.last_mut() {
            Some(last) if last.steps.len() + last.objects.len() + g.steps.len() + g.objects.len() <= BATCH => {
                last.steps.extend(g.steps);
                last.objects.extend(g.objects);
                last.creates.extend(g.creates);
                last.data |= g.data;
            }
            _ => out.push(g),
        }
    }
    for b in &mut out {
        b.steps.sort_unstable();
    }
    Ok(out)
}

/// Runs one statement as `execute_batch` would (prepared, stepped once) and refuses a text that
/// holds a second statement: strata's statement splitter and SQLite's parser disagree there,
/// so the grouping cannot know what the text does.
pub(crate) fn exec_one(conn: &Connection, text: &str) -> Fast<()> {
    let mut batch = rusqlite::Batch::new(conn, text);
    if let Some(mut stmt) = batch.next()? {
        stmt.raw_query().next()?;
    }
    if batch.next()?.is_some() {
        return Err(Fallback("one step holds several statements"));
    }
    Ok(())
}

/// Names to small integers, with union-find over them.
#[derive(Default)]
struct UnionFind {
    ids: HashMap<String, usize>,
    parent: Vec<usize>,
}

impl UnionFind {
    fn id(&mut self, name: &str) -> usize {
        if let Some(&i) = self.ids.get(name) {
            return i;
        }
        let i = self.parent.len();
        self.parent.push(i);
        self.ids.insert(name.to_string(), i);
        i
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.parent[b] = a;
        }
    }
}
