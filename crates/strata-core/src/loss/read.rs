//! Reading data loss out of a section's SQL: the one place that decides what a statement
//! throws away. Each statement is classified by [`statement::classify`]; names are followed
//! through the section (a table renamed, created, copied or dropped earlier in it), so that
//! every risk names the table and column as the database holds them before the section runs.

use std::collections::HashMap;

use super::Risk;
use crate::sql::{self, Token, TokenKind};
use crate::statement::{self, Alter, Object, QualifiedName, Verb};

/// What `sql` (one section of a revision, or any script) can throw away, in statement order.
pub fn read(sql: &str) -> Vec<Risk> {
    let mut r = Reader::default();
    for s in sql::split_statements(sql) {
        r.statement(&s.text);
    }
    r.risks
}

/// What a name stands for at this point of the section.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Origin {
    /// A table of the database as it was before the section, under its name then.
    Live(String),
    /// A table the section made; `copy_of` is the live table it was filled from, if any.
    New { copy_of: Option<String> },
    /// Dropped or renamed away: nothing the section can still lose.
    Gone,
}

/// A copy of a live table's rows into another table.
#[derive(Clone, Debug)]
struct Copied {
    /// The live table read.
    source: String,
    /// The names the copy's select list mentions (lower case); `None` for `*`.
    kept: Option<Vec<String>>,
    filter: Option<String>,
}

#[derive(Default)]
struct Reader {
    /// Names (lower case) the section has created, renamed or dropped.
    names: HashMap<String, Origin>,
    /// Per live table (lower case): its columns' current names (lower case) mapped to their
    /// live names, or to `None` when the section added the column.
    columns: HashMap<String, HashMap<String, Option<String>>>,
    copies: Vec<Copied>,
    risks: Vec<Risk>,
}

fn key(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// Tables SQLite keeps for itself (`sqlite_sequence`, `sqlite_stat1`): a rebuild rewrites
/// their rows, and they hold no one's data.
fn internal(name: &str) -> bool {
    key(name).starts_with("sqlite_")
}

impl Reader {
    fn origin(&self, name: &QualifiedName) -> Origin {
        if !name.is_main() {
            // temp and attached databases are not the database a revision migrates.
            return Origin::New { copy_of: None };
        }
        self.names.get(&key(&name.name)).cloned().unwrap_or_else(|| Origin::Live(name.name.clone()))
    }

    fn is_gone(&self, live: &str) -> bool {
        // A live table is gone once no name leads to it any more.
        !self.names.values().any(|o| matches!(o, Origin::Live(l) if l.eq_ignore_ascii_case(live))) && self.names.contains_key(&key(live))
    }

    /// The live table whose data a name holds and that nothing else holds any more: the live
    /// table itself, or the one a copy was made from once the original is gone.
    fn data_of(&self, name: &QualifiedName) -> Option<String> {
        match self.origin(name) {
            Origin::Live(t) => Some(t),
            Origin::New { copy_of: Some(src) } if self.is_gone(&src) => Some(src),
            _ => None,
        }
    }

    /// The live name of column `col` of live table `table`; `None` for a column the section
    /// added.
    fn live_column(&self, table: &str, col: &str) -> Option<String> {
        match self.columns.get(&key(table)).and_then(|m| m.get(&key(col))) {
            Some(live) => live.clone(),
            None => Some(col.to_string()),
        }
    }

    fn statement(&mut self, text: &str) {
        let c = statement::classify(text);
        let Some(name) = c.name.clone() else { return };
        let tail = text.get(c.rest..).unwrap_or("");
        match (c.verb, c.object) {
            (Verb::Create, Some(Object::Table | Object::VirtualTable)) => {
                let copy = if c.as_select { plain_select(tail) } else { None };
                let copy_of = copy.and_then(|s| self.copy(s));
                if !c.temp && name.is_main() {
                    self.names.insert(key(&name.name), Origin::New { copy_of });
                }
            }
            (Verb::Insert | Verb::Replace, _) => {
                let Some(select) = insert_select(tail) else { return };
                if let Some(src) = self.copy(select) {
                    if let Origin::New { copy_of: None } = self.origin(&name) {
                        if name.is_main() {
                            self.names.insert(key(&name.name), Origin::New { copy_of: Some(src) });
                        }
                    }
                }
            }
            (Verb::Drop, Some(Object::Table)) => self.drop_table(&name),
            (Verb::Alter, Some(Object::Table)) => match c.alter {
                Some(Alter::RenameTo(to)) => {
                    let origin = self.origin(&name);
                    self.names.insert(key(&name.name), Origin::Gone);
                    self.names.insert(key(&to), origin);
                }
                Some(Alter::RenameColumn { from, to }) => {
                    if let Origin::Live(t) = self.origin(&name) {
                        let live = self.live_column(&t, &from);
                        let cols = self.columns.entry(key(&t)).or_default();
                        cols.insert(key(&from), None);
                        cols.insert(key(&to), live);
                    }
                }
                Some(Alter::AddColumn(col)) => {
                    if let Origin::Live(t) = self.origin(&name) {
                        self.columns.entry(key(&t)).or_default().insert(key(&col), None);
                    }
                }
                Some(Alter::DropColumn(col)) => {
                    let Some(t) = self.data_of(&name) else { return };
                    if let Some(column) = self.live_column(&t, &col) {
                        self.risks.push(Risk::DropColumn { table: t.clone(), column });
                    }
                    self.columns.entry(key(&t)).or_default().insert(key(&col), None);
                }
                None => {}
            },
            (Verb::Delete, _) => {
                let Some(t) = self.data_of(&name).filter(|t| !internal(t)) else { return };
                let filter = delete_filter(tail);
                // Rows archived first (`INSERT INTO archive SELECT * FROM t WHERE x` before
                // `DELETE FROM t WHERE x`) are moved, not lost.
                let live = matches!(self.origin(&name), Origin::Live(_));
                let archived = live
                    && self.copies.iter().any(|c| {
                        c.source.eq_ignore_ascii_case(&t)
                            && c.kept.is_none()
                            && match (&c.filter, &filter) {
                                (None, _) => true,
                                (Some(a), Some(b)) => sql::normalize(a) == sql::normalize(b),
                                (Some(_), None) => false,
                            }
                    });
                if !archived {
                    self.risks.push(Risk::Delete { table: t, filter });
                }
            }
            (Verb::Update, _) => {
                let Some(t) = self.data_of(&name).filter(|t| !internal(t)) else { return };
                let Some(update) = update_parts(tail) else { return };
                for (column, value) in update.set {
                    let Some(column) = self.live_column(&t, &column) else { continue };
                    self.risks.push(Risk::Update {
                        table: t.clone(),
                        alias: update.alias.clone(),
                        column,
                        value,
                        filter: update.filter.clone(),
                        joined: update.joined,
                    });
                }
            }
            _ => {}
        }
    }

    /// Records a plain copy out of a live table; returns that table.
    fn copy(&mut self, s: PlainSelect) -> Option<String> {
        let source = self.data_of(&s.source)?;
        self.copies.push(Copied { source: source.clone(), kept: s.kept, filter: s.filter });
        Some(source)
    }

    fn drop_table(&mut self, name: &QualifiedName) {
        let origin = self.origin(name);
        if name.is_main() {
            self.names.insert(key(&name.name), Origin::Gone);
        }
        match origin {
            Origin::Live(t) => {
                let copies: Vec<&Copied> = self.copies.iter().filter(|c| c.source.eq_ignore_ascii_case(&t)).collect();
                if copies.is_empty() {
                    self.risks.push(Risk::DropTable { table: t });
                    return;
                }
                // Several copies keep what any of them kept.
                let kept = if copies.iter().any(|c| c.kept.is_none()) {
                    None
                } else {
                    let mut all: Vec<String> = copies.iter().flat_map(|c| c.kept.iter().flatten().cloned()).collect();
                    all.sort();
                    all.dedup();
                    Some(all)
                };
                let filter = if copies.iter().any(|c| c.filter.is_none()) {
                    None
                } else {
                    let parts: Vec<&String> = copies.iter().filter_map(|c| c.filter.as_ref()).collect();
                    match parts.as_slice() {
                        [one] => Some(one.to_string()),
                        _ => Some(parts.iter().map(|f| format!("({f})")).collect::<Vec<_>>().join(" OR ")),
                    }
                };
                if kept.is_some() || filter.is_some() {
                    self.risks.push(Risk::Copy { table: t, kept, filter });
                }
            }
            // The only copy of a table already dropped: now its rows are gone too.
            Origin::New { copy_of: Some(src) } if self.is_gone(&src) => self.risks.push(Risk::DropTable { table: src }),
            _ => {}
        }
    }
}

/// `SELECT list FROM source [WHERE filter]`, the shape of a copy.
#[derive(Debug, PartialEq, Eq)]
struct PlainSelect {
    source: QualifiedName,
    kept: Option<Vec<String>>,
    filter: Option<String>,
}

/// Tokens without trivia, with the parenthesis depth each sits at.
struct Cursor<'a> {
    text: &'a str,
    toks: Vec<(Token, usize)>,
    i: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Cursor<'a> {
        let mut depth = 0usize;
        let mut toks = Vec::new();
        for t in sql::tokenize(text).into_iter().filter(|t| !t.is_trivia()) {
            if t.is_punct(text, ")") {
                depth = depth.saturating_sub(1);
            }
            toks.push((t, depth));
            if t.is_punct(text, "(") {
                depth += 1;
            }
        }
        Cursor { text, toks, i: 0 }
    }

    fn peek(&self) -> Option<Token> {
        self.toks.get(self.i).map(|(t, _)| *t)
    }

    fn is(&self, word: &str) -> bool {
        self.peek().is_some_and(|t| t.is_word(self.text, word))
    }

    fn eat(&mut self, word: &str) -> bool {
        let yes = self.is(word);
        if yes {
            self.i += 1;
        }
        yes
    }

    fn eat_punct(&mut self, p: &str) -> bool {
        let yes = self.peek().is_some_and(|t| t.is_punct(self.text, p));
        if yes {
            self.i += 1;
        }
        yes
    }

    fn name(&mut self) -> Option<String> {
        let t = self.peek().filter(|t| t.is_name())?;
        self.i += 1;
        Some(sql::unquote(t.text(self.text)))
    }

    fn qualified(&mut self) -> Option<QualifiedName> {
        let first = self.name()?;
        if self.eat_punct(".") {
            Some(QualifiedName { schema: Some(first), name: self.name()? })
        } else {
            Some(QualifiedName { schema: None, name: first })
        }
    }

    /// Moves to the next top-level token that is one of `words` (or to the end) and returns
    /// the text skipped, trimmed. A `FROM` right after `DISTINCT` belongs to `IS [NOT] DISTINCT
    /// FROM`, not to the statement.
    fn until(&mut self, words: &[&str]) -> &'a str {
        let start = self.peek().map_or(self.text.len(), |t| t.start);
        while let Some(&(t, depth)) = self.toks.get(self.i) {
            let after_distinct = self.i > 0 && self.toks[self.i - 1].0.is_word(self.text, "distinct");
            if depth == 0 && t.kind == TokenKind::Word && words.iter().any(|w| t.is_word(self.text, w)) && !after_distinct {
                break;
            }
            self.i += 1;
        }
        let end = self.peek().map_or(self.text.len(), |t| t.start);
        self.text[start..end].trim()
    }

    /// An optional table alias: `AS x`, or a bare name that is not one of `clauses`.
    fn alias(&mut self, clauses: &[&str]) -> Option<String> {
        if self.eat("as") {
            return self.name();
        }
        let t = self.peek()?;
        if t.kind == TokenKind::Word && clauses.iter().any(|c| t.is_word(self.text, c)) {
            return None;
        }
        self.name()
    }

    /// What may follow the table of an `UPDATE` or `DELETE`: an alias, then `INDEXED BY x`
    /// or `NOT INDEXED`. Returns the alias.
    fn table_suffix(&mut self, clauses: &[&str]) -> Option<String> {
        let stops: Vec<&str> = clauses.iter().copied().chain(["indexed", "not"]).collect();
        let alias = self.alias(&stops);
        if self.eat("indexed") {
            self.eat("by");
            self.name();
        } else if self.eat("not") {
            self.eat("indexed");
        }
        alias
    }

    /// One expression: up to the next top-level comma or one of `words`; returns its text.
    fn expr(&mut self, words: &[&str]) -> &'a str {
        let start = self.peek().map_or(self.text.len(), |t| t.start);
        while let Some(&(t, depth)) = self.toks.get(self.i) {
            let after_distinct = self.i > 0 && self.toks[self.i - 1].0.is_word(self.text, "distinct");
            let clause = t.kind == TokenKind::Word && words.iter().any(|w| t.is_word(self.text, w)) && !after_distinct;
            if depth == 0 && (clause || t.is_punct(self.text, ",")) {
                break;
            }
            self.i += 1;
        }
        let end = self.peek().map_or(self.text.len(), |t| t.start);
        self.text[start..end].trim()
    }
}

/// Words that end an expression at the top level of the statements read here.
const CLAUSES: &[&str] = &[
    "from",
    "where",
    "group",
    "having",
    "window",
    "order",
    "limit",
    "union",
    "intersect",
    "except",
    "returning",
    "on",
    "join",
    "natural",
    "left",
    "right",
    "full",
    "inner",
    "cross",
    "indexed",
    "not",
    "set",
];

/// Reads a plain `SELECT` (the copy half of a rebuild). Anything more (DISTINCT, joins,
/// grouping, LIMIT, compounds, `WITH`) is not a copy this reading follows, and `None` makes
/// the caller treat the source as dropped without a copy, which asks rather than misses.
fn plain_select(text: &str) -> Option<PlainSelect> {
    let mut c = Cursor::new(text);
    if !c.eat("select") {
        return None;
    }
    c.eat("all");
    if c.is("distinct") {
        return None;
    }
    let list = c.until(&["from"]);
    if !c.eat("from") {
        return None;
    }
    let source = c.qualified()?;
    c.alias(CLAUSES);
    let filter = if c.eat("where") {
        Some(c.until(&["group", "having", "window", "order", "limit", "union", "intersect", "except", "returning", "on"]).to_string())
    } else {
        None
    };
    // After the source and its WHERE only ordering (which keeps every row) or the clauses of an
    // INSERT (upsert, RETURNING) may follow.
    if c.peek().is_some() && !(c.is("order") || c.is("on") || c.is("returning")) {
        return None;
    }
    if c.eat("order") {
        c.until(&["limit", "on", "returning"]);
        if c.is("limit") {
            return None;
        }
    }
    let star = list == "*" || list.ends_with(".*") && !list.contains(',');
    let kept = (!star).then(|| {
        let mut names: Vec<String> = sql::identifiers(list).into_iter().collect();
        names.sort();
        names
    });
    Some(PlainSelect { source, kept, filter: filter.filter(|f| !f.is_empty()) })
}

/// The `SELECT` of `INSERT INTO t [(columns)] SELECT …`, read after the table name.
fn insert_select(tail: &str) -> Option<PlainSelect> {
    let mut c = Cursor::new(tail);
    if c.is("as") {
        c.i += 2;
    }
    if c.peek().is_some_and(|t| t.is_punct(tail, "(")) {
        let depth = c.toks[c.i].1;
        c.i += 1;
        while c.toks.get(c.i).is_some_and(|(t, d)| !(t.is_punct(tail, ")") && *d == depth)) {
            c.i += 1;
        }
        c.i += 1;
    }
    let start = c.peek()?.start;
    plain_select(&tail[start..])
}

/// The `WHERE` of a `DELETE`, read after the table name.
fn delete_filter(tail: &str) -> Option<String> {
    let mut c = Cursor::new(tail);
    c.table_suffix(&["where", "returning", "order", "limit"]);
    if c.eat("where") {
        let f = c.until(&["returning", "order", "limit"]);
        (!f.is_empty()).then(|| f.to_string())
    } else {
        None
    }
}

struct UpdateParts {
    alias: Option<String>,
    /// Each column set, with its new value (`None` for the row-value form).
    set: Vec<(String, Option<String>)>,
    filter: Option<String>,
    joined: bool,
}

/// `[AS alias] SET a = x, (b, c) = (…) [FROM …] [WHERE …]`, read after the table name.
fn update_parts(tail: &str) -> Option<UpdateParts> {
    let mut c = Cursor::new(tail);
    let alias = c.table_suffix(&["set"]);
    if !c.eat("set") {
        return None;
    }
    let mut set = Vec::new();
    loop {
        if c.eat_punct("(") {
            while let Some(name) = c.name() {
                set.push((name, None));
                c.eat_punct(",");
            }
            if !c.eat_punct(")") || !c.eat_punct("=") {
                return None;
            }
            c.expr(&["from", "where", "returning", "order", "limit"]);
        } else {
            let name = c.name()?;
            if !c.eat_punct("=") {
                return None;
            }
            let value = c.expr(&["from", "where", "returning", "order", "limit"]);
            set.push((name, Some(value.to_string())));
        }
        if !c.eat_punct(",") {
            break;
        }
    }
    let joined = c.eat("from");
    if joined {
        c.until(&["where", "returning", "order", "limit"]);
    }
    let filter = if c.eat("where") { Some(c.until(&["returning", "order", "limit"]).to_string()).filter(|f| !f.is_empty()) } else { None };
    Some(UpdateParts { alias, set, filter, joined })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drop_table(t: &str) -> Risk {
        Risk::DropTable { table: t.into() }
    }

    fn drop_column(t: &str, c: &str) -> Risk {
        Risk::DropColumn { table: t.into(), column: c.into() }
    }

    #[test]
    fn schema_qualified_and_quoted_names_name_the_table_never_the_schema() {
        // The old reading took the word after DROP TABLE, and said "drops table main".
        assert_eq!(read("DROP TABLE main.notes;"), [drop_table("notes")]);
        assert_eq!(read("DROP TABLE IF EXISTS \"main\".\"my notes\";"), [drop_table("my notes")]);
        assert_eq!(read("ALTER TABLE main.t DROP COLUMN c;"), [drop_column("t", "c")]);
        assert_eq!(read("alter table \"main\".\"t\" drop \"c d\";"), [drop_column("t", "c d")]);
        assert_eq!(read("ALTER TABLE [t] DROP COLUMN `c`;"), [drop_column("t", "c")]);
        // Other databases are not the one being migrated.
        assert!(read("DROP TABLE temp.scratch;").is_empty());
    }

    #[test]
    fn a_hand_written_rebuild_loses_the_columns_it_does_not_copy() {
        let sql = "CREATE TABLE \"users_new\" (id INTEGER PRIMARY KEY, name TEXT);\n\
                   INSERT INTO users_new (id, name) SELECT id, name FROM main.users;\n\
                   DROP TABLE users;\n\
                   ALTER TABLE users_new RENAME TO users;";
        assert_eq!(read(sql), [Risk::Copy { table: "users".into(), kept: Some(vec!["id".into(), "name".into()]), filter: None }]);
        // Copying every column loses nothing; the same with CREATE TABLE … AS SELECT.
        assert!(read("CREATE TABLE n (a, b);\nINSERT INTO n SELECT * FROM t;\nDROP TABLE t;\nALTER TABLE n RENAME TO t;").is_empty());
        assert!(read("CREATE TABLE n AS SELECT * FROM t;\nDROP TABLE t;\nALTER TABLE n RENAME TO t;").is_empty());
        let filtered = read("CREATE TABLE n AS SELECT a FROM t WHERE a > 0;\nDROP TABLE t;");
        assert_eq!(filtered, [Risk::Copy { table: "t".into(), kept: Some(vec!["a".into()]), filter: Some("a > 0".into()) }]);
        // A new table renamed over the old one without a copy: every row is gone.
        assert_eq!(read("CREATE TABLE \"_n\" (x);\nDROP TABLE \"k\";\nALTER TABLE \"_n\" RENAME TO \"k\";"), [drop_table("k")]);
        // A copy that joins or limits is not followed, so the drop counts whole.
        assert_eq!(read("CREATE TABLE n AS SELECT a FROM t LIMIT 5;\nDROP TABLE t;"), [drop_table("t")]);
        assert_eq!(read("INSERT INTO n SELECT t.a FROM t JOIN u ON u.id = t.id;\nDROP TABLE t;"), [drop_table("t")]);
    }

    #[test]
    fn strata_s_own_rebuild_reads_as_keeping_the_columns_it_copies() {
        let sql = "CREATE TABLE \"_strata_new_items\" (\"id\" INTEGER PRIMARY KEY, \"price\" REAL);\n\
                   INSERT INTO \"_strata_new_items\" (\"id\", \"price\") SELECT \"id\", COALESCE(\"price\", 0) FROM \"items\";\n\
                   DELETE FROM sqlite_sequence WHERE name = '_strata_new_items';\n\
                   DROP TABLE \"items\";\n\
                   ALTER TABLE \"_strata_new_items\" RENAME TO \"items\";";
        assert_eq!(read(sql), [Risk::Copy { table: "items".into(), kept: Some(vec!["coalesce".into(), "id".into(), "price".into()]), filter: None }]);
    }

    #[test]
    fn renames_are_followed_back_to_the_live_names() {
        let sql = "ALTER TABLE a RENAME TO b;\nALTER TABLE b RENAME COLUMN x TO y;\nALTER TABLE b DROP COLUMN y;\nALTER TABLE b ADD COLUMN z;\nALTER TABLE b DROP COLUMN z;";
        assert_eq!(read(sql), [drop_column("a", "x")]);
        // A table created in the section holds nothing of the database's yet.
        assert!(read("CREATE TABLE t (a, b);\nALTER TABLE t DROP COLUMN b;\nDELETE FROM t;\nDROP TABLE t;").is_empty());
        // After a rebuild, the new table carries the old one's data.
        let sql = "CREATE TABLE n (a, b);\nINSERT INTO n SELECT * FROM t;\nDROP TABLE t;\nALTER TABLE n RENAME TO t;\nALTER TABLE t DROP COLUMN b;\nDELETE FROM t WHERE a = 1;";
        assert_eq!(read(sql), [drop_column("t", "b"), Risk::Delete { table: "t".into(), filter: Some("a = 1".into()) }]);
    }

    #[test]
    fn delete_and_update_keep_their_where_and_values() {
        assert_eq!(read("DELETE FROM notes;"), [Risk::Delete { table: "notes".into(), filter: None }]);
        assert_eq!(
            read("WITH old AS (SELECT 1) DELETE FROM \"main\".notes AS n WHERE n.created < '2020' RETURNING id;"),
            [Risk::Delete { table: "notes".into(), filter: Some("n.created < '2020'".into()) }]
        );
        let update = |column: &str, value: Option<&str>, filter: Option<&str>| Risk::Update {
            table: "users".into(),
            alias: None,
            column: column.into(),
            value: value.map(String::from),
            filter: filter.map(String::from),
            joined: false,
        };
        assert_eq!(
            read("UPDATE users SET email = lower(email), name = coalesce(name, '?') WHERE id IN (SELECT id FROM x WHERE a = 1, b);"),
            [
                update("email", Some("lower(email)"), Some("id IN (SELECT id FROM x WHERE a = 1, b)")),
                update("name", Some("coalesce(name, '?')"), Some("id IN (SELECT id FROM x WHERE a = 1, b)"))
            ]
        );
        assert_eq!(read("UPDATE OR IGNORE users SET (a, b) = (SELECT 1, 2);"), [update("a", None, None), update("b", None, None)]);
        assert_eq!(read("UPDATE users SET flag = a IS DISTINCT FROM b;"), [update("flag", Some("a IS DISTINCT FROM b"), None)]);
        let joined = read("UPDATE users AS u SET name = n.name FROM names n WHERE n.id = u.id;");
        assert_eq!(
            joined,
            [Risk::Update {
                table: "users".into(),
                alias: Some("u".into()),
                column: "name".into(),
                value: Some("n.name".into()),
                filter: Some("n.id = u.id".into()),
                joined: true
            }]
        );
        // SQLite's own bookkeeping is not user data.
        assert!(read("DELETE FROM sqlite_sequence WHERE name = 't';\nUPDATE sqlite_sequence SET seq = 0;").is_empty());
    }

    #[test]
    fn rows_archived_before_they_are_deleted_are_moved_not_lost() {
        assert!(read("INSERT INTO archive SELECT * FROM notes WHERE done = 1;\nDELETE FROM notes WHERE done=1;").is_empty());
        assert_eq!(read("INSERT INTO archive SELECT * FROM notes WHERE done = 1;\nDELETE FROM notes;").len(), 1);
    }

    #[test]
    fn odd_input_reads_as_nothing_rather_than_failing() {
        for text in [
            "",
            "DROP TABLE",
            "ALTER TABLE t DROP",
            "UPDATE t SET",
            "UPDATE t SET (",
            "DELETE FROM t WHERE",
            "INSERT INTO t (",
            "CREATE TABLE t AS",
            "é",
            "UPDATE t SET a =",
        ] {
            let _ = read(text);
        }
    }
}
