//! One reading of what a SQL statement is: its verb, the kind of object it names, and that
//! object's schema-qualified name, read over the tokenizer so comments, quoting and `schema.name`
//! are understood the way SQLite reads them. Every part of strata that needs to know what a
//! statement does (refusing transaction control in a revision, reading data loss out of
//! hand-written SQL, exports, loading rows) asks here instead of matching words by hand.

use crate::sql::{self, Token, TokenKind};

/// The statement's leading verb, after any `WITH` clause and `EXPLAIN`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    Create,
    Drop,
    Alter,
    Insert,
    /// `REPLACE INTO …`, SQLite's short form of `INSERT OR REPLACE`.
    Replace,
    Update,
    Delete,
    Select,
    /// `VALUES (…)` on its own.
    Values,
    Pragma,
    /// `BEGIN [DEFERRED | IMMEDIATE | EXCLUSIVE] [TRANSACTION]`.
    Begin,
    /// `COMMIT` or its synonym `END`.
    Commit,
    /// `ROLLBACK`, including `ROLLBACK TO savepoint`.
    Rollback,
    Savepoint,
    Release,
    Attach,
    Detach,
    Vacuum,
    Analyze,
    Reindex,
    /// Anything else (an empty statement, a typo, a keyword SQLite will refuse).
    Other,
}

/// What kind of schema object a `CREATE`, `DROP` or `ALTER` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Object {
    Table,
    /// `CREATE VIRTUAL TABLE`.
    VirtualTable,
    Index,
    View,
    Trigger,
}

/// What an `ALTER TABLE` does to its table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Alter {
    RenameTo(String),
    RenameColumn { from: String, to: String },
    AddColumn(String),
    DropColumn(String),
}

/// A name as written, resolved: quotes removed, the schema apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QualifiedName {
    /// `main`, `temp` or an attached database, when the statement says.
    pub schema: Option<String>,
    pub name: String,
}

impl QualifiedName {
    /// Whether the name can only mean an object of the main database: no schema, or `main`.
    pub fn is_main(&self) -> bool {
        self.schema.as_deref().is_none_or(|s| s.eq_ignore_ascii_case("main"))
    }

    /// Whether this names `name` (ASCII case ignored, as SQLite resolves names).
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
}

/// What one statement is, as far as strata needs to know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Classified {
    pub verb: Verb,
    /// For `CREATE`, `DROP` and `ALTER`: the kind of object.
    pub object: Option<Object>,
    /// `CREATE TEMP …` / `CREATE TEMPORARY …`.
    pub temp: bool,
    /// `CREATE UNIQUE INDEX`.
    pub unique: bool,
    /// `IF EXISTS` / `IF NOT EXISTS`.
    pub if_exists: bool,
    /// The object created, dropped or altered; the table written by `INSERT`, `REPLACE`,
    /// `UPDATE` or `DELETE`; the pragma of `PRAGMA` (its schema in `schema`); the database name
    /// of `DETACH`; the savepoint of `SAVEPOINT`, `RELEASE` and `ROLLBACK TO`.
    pub name: Option<QualifiedName>,
    /// Byte offset in the statement of the token that holds `name`'s last part (after any
    /// `schema.`), for readers that attach something to the definition (rename annotations).
    pub name_at: Option<usize>,
    /// For `CREATE INDEX` and `CREATE TRIGGER`: the table it is on.
    pub on: Option<QualifiedName>,
    pub alter: Option<Alter>,
    /// For `PRAGMA x = v` or `PRAGMA x(v)`: the value as written (quotes removed).
    pub pragma_value: Option<String>,
    /// `CREATE TABLE … AS SELECT`: the table is created with rows.
    pub as_select: bool,
    /// Byte offset in the statement just after the part read here (after the name for DML, so
    /// `SET …` or `WHERE …` follows), for callers that read on.
    pub rest: usize,
}

/// Reads what `text` (one statement, without its `;`) is. Never fails: what cannot be read is
/// [`Verb::Other`], or a verb without a name.
pub fn classify(text: &str) -> Classified {
    let toks: Vec<Token> = sql::tokenize(text).into_iter().filter(|t| !t.is_trivia()).collect();
    let mut r = Reader { text, toks: &toks, i: 0 };
    r.statement()
}

struct Reader<'a> {
    text: &'a str,
    toks: &'a [Token],
    i: usize,
}

impl Reader<'_> {
    fn peek_is(&self, word: &str) -> bool {
        self.toks.get(self.i).is_some_and(|t| t.is_word(self.text, word))
    }

    fn at_is(&self, i: usize, word: &str) -> bool {
        self.toks.get(i).is_some_and(|t| t.is_word(self.text, word))
    }

    fn eat(&mut self, word: &str) -> bool {
        let yes = self.peek_is(word);
        if yes {
            self.i += 1;
        }
        yes
    }

    fn eat_punct(&mut self, p: &str) -> bool {
        let yes = self.toks.get(self.i).is_some_and(|t| t.is_punct(self.text, p));
        if yes {
            self.i += 1;
        }
        yes
    }

    /// The byte offset just after the last token read.
    fn offset(&self) -> usize {
        match self.i {
            0 => 0,
            i => self.toks.get(i - 1).map_or(self.text.len(), |t| t.end),
        }
    }

    /// A name token, unquoted.
    fn name(&mut self) -> Option<String> {
        let t = self.toks.get(self.i)?;
        if !t.is_name() {
            return None;
        }
        self.i += 1;
        Some(sql::unquote(t.text(self.text)))
    }

    /// `name` or `schema.name` as the statement's object: [`Classified::name`] and where it is.
    fn object_name(&mut self, c: &mut Classified) {
        c.name = self.qualified();
        c.name_at = c.name.as_ref().and_then(|_| self.toks.get(self.i.checked_sub(1)?)).map(|t| t.start);
    }

    /// `name` or `schema.name`.
    fn qualified(&mut self) -> Option<QualifiedName> {
        let first = self.name()?;
        if self.eat_punct(".") {
            let name = self.name()?;
            Some(QualifiedName { schema: Some(first), name })
        } else {
            Some(QualifiedName { schema: None, name: first })
        }
    }

    /// Skips a parenthesized group starting at the current `(`, nested groups included.
    fn skip_group(&mut self) {
        let mut depth = 0usize;
        while let Some(t) = self.toks.get(self.i) {
            self.i += 1;
            if t.kind == TokenKind::Punct {
                match t.text(self.text) {
                    "(" => depth += 1,
                    ")" => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return;
                        }
                    }
                    _ => {}
                }
            }
            if depth == 0 {
                return;
            }
        }
    }

    /// `WITH [RECURSIVE] name [(columns)] AS [NOT] [MATERIALIZED] (select), …`
    fn skip_with(&mut self) {
        self.eat("recursive");
        loop {
            if self.name().is_none() {
                return;
            }
            if self.toks.get(self.i).is_some_and(|t| t.is_punct(self.text, "(")) {
                self.skip_group();
            }
            if !self.eat("as") {
                return;
            }
            self.eat("not");
            self.eat("materialized");
            if !self.toks.get(self.i).is_some_and(|t| t.is_punct(self.text, "(")) {
                return;
            }
            self.skip_group();
            if !self.eat_punct(",") {
                return;
            }
        }
    }

    fn if_exists(&mut self) -> bool {
        if self.peek_is("if") && self.at_is(self.i + 1, "not") && self.at_is(self.i + 2, "exists") {
            self.i += 3;
            true
        } else if self.peek_is("if") && self.at_is(self.i + 1, "exists") {
            self.i += 2;
            true
        } else {
            false
        }
    }

    fn statement(&mut self) -> Classified {
        let mut c = Classified {
            verb: Verb::Other,
            object: None,
            temp: false,
            unique: false,
            if_exists: false,
            name: None,
            name_at: None,
            on: None,
            alter: None,
            pragma_value: None,
            as_select: false,
            rest: 0,
        };
        if self.eat("explain") && self.eat("query") {
            self.eat("plan");
        }
        if self.eat("with") {
            self.skip_with();
        }
        let Some(first) = self.toks.get(self.i) else {
            return c;
        };
        if first.kind != TokenKind::Word {
            return c;
        }
        let word = first.text(self.text).to_ascii_lowercase();
        self.i += 1;
        c.verb = match word.as_str() {
            "create" => Verb::Create,
            "drop" => Verb::Drop,
            "alter" => Verb::Alter,
            "insert" => Verb::Insert,
            "replace" => Verb::Replace,
            "update" => Verb::Update,
            "delete" => Verb::Delete,
            "select" => Verb::Select,
            "values" => Verb::Values,
            "pragma" => Verb::Pragma,
            "begin" => Verb::Begin,
            "commit" | "end" => Verb::Commit,
            "rollback" => Verb::Rollback,
            "savepoint" => Verb::Savepoint,
            "release" => Verb::Release,
            "attach" => Verb::Attach,
            "detach" => Verb::Detach,
            "vacuum" => Verb::Vacuum,
            "analyze" => Verb::Analyze,
            "reindex" => Verb::Reindex,
            _ => Verb::Other,
        };
        match c.verb {
            Verb::Create => self.create(&mut c),
            Verb::Drop => {
                c.object = self.object();
                c.if_exists = self.if_exists();
                self.object_name(&mut c);
            }
            Verb::Alter if self.eat("table") => {
                c.object = Some(Object::Table);
                self.object_name(&mut c);
                c.alter = self.alter();
            }
            Verb::Insert | Verb::Replace => {
                if c.verb == Verb::Insert && self.eat("or") {
                    self.i += 1;
                }
                if self.eat("into") {
                    self.object_name(&mut c);
                }
            }
            Verb::Update => {
                if self.eat("or") {
                    self.i += 1;
                }
                self.object_name(&mut c);
            }
            Verb::Delete if self.eat("from") => self.object_name(&mut c),
            Verb::Pragma => {
                c.name = self.qualified();
                if self.eat_punct("=") {
                    c.pragma_value = self.value();
                } else if self.eat_punct("(") {
                    c.pragma_value = self.value();
                    self.eat_punct(")");
                }
            }
            Verb::Savepoint | Verb::Release => {
                self.eat("savepoint");
                c.name = self.name().map(|name| QualifiedName { schema: None, name });
            }
            Verb::Rollback => {
                self.eat("transaction");
                if self.eat("to") {
                    self.eat("savepoint");
                    c.name = self.name().map(|name| QualifiedName { schema: None, name });
                }
            }
            Verb::Detach => {
                self.eat("database");
                c.name = self.name().map(|name| QualifiedName { schema: None, name });
            }
            _ => {}
        }
        c.rest = self.offset();
        c
    }

    fn object(&mut self) -> Option<Object> {
        let o = if self.eat("table") {
            Object::Table
        } else if self.eat("index") {
            Object::Index
        } else if self.eat("view") {
            Object::View
        } else if self.eat("trigger") {
            Object::Trigger
        } else {
            return None;
        };
        Some(o)
    }

    fn create(&mut self, c: &mut Classified) {
        c.temp = self.eat("temp") || self.eat("temporary");
        c.unique = self.eat("unique");
        c.object = if self.eat("virtual") && self.eat("table") { Some(Object::VirtualTable) } else { self.object() };
        c.if_exists = self.if_exists();
        self.object_name(c);
        match c.object {
            Some(Object::Index) if self.eat("on") => c.on = self.qualified(),
            Some(Object::Trigger) => {
                // [BEFORE | AFTER | INSTEAD OF] event [OF columns] ON table
                while let Some(t) = self.toks.get(self.i) {
                    if t.is_word(self.text, "on") {
                        self.i += 1;
                        c.on = self.qualified();
                        break;
                    }
                    if t.is_word(self.text, "begin") {
                        break;
                    }
                    self.i += 1;
                }
            }
            Some(Object::Table) => c.as_select = self.eat("as"),
            _ => {}
        }
    }

    fn alter(&mut self) -> Option<Alter> {
        if self.eat("rename") {
            if self.eat("to") {
                return self.name().map(Alter::RenameTo);
            }
            self.eat("column");
            let from = self.name()?;
            if !self.eat("to") {
                return None;
            }
            let to = self.name()?;
            return Some(Alter::RenameColumn { from, to });
        }
        if self.eat("add") {
            self.eat("column");
            return self.name().map(Alter::AddColumn);
        }
        if self.eat("drop") {
            self.eat("column");
            return self.name().map(Alter::DropColumn);
        }
        None
    }

    /// A pragma value: a name, a string or a signed number, as written.
    fn value(&mut self) -> Option<String> {
        let sign = if self.eat_punct("-") {
            "-"
        } else {
            self.eat_punct("+");
            ""
        };
        let t = self.toks.get(self.i)?;
        self.i += 1;
        Some(format!("{sign}{}", sql::unquote(t.text(self.text))))
    }
}

/// Why a statement cannot run inside a revision's transaction, or `None` when it can.
///
/// Transaction control would end or escape the transaction the revision and its version row
/// share; `ATTACH`/`DETACH` and `VACUUM` cannot run inside a transaction, or reach another
/// file; `writable_schema` and `schema_version` let a statement corrupt the schema; journal,
/// locking and synchronous settings change how the whole database file is written; and the
/// settings [`pragma_breaks_transaction`] names outlive the revision on the connection that
/// runs the next one.
pub fn breaks_transaction(c: &Classified) -> Option<&'static str> {
    match c.verb {
        Verb::Begin | Verb::Commit | Verb::Rollback | Verb::Savepoint | Verb::Release => {
            Some("transaction control would end or escape the transaction the revision runs in")
        }
        Verb::Attach | Verb::Detach => Some("ATTACH and DETACH reach other database files and cannot run inside a transaction"),
        Verb::Vacuum => Some("VACUUM cannot run inside a transaction"),
        Verb::Pragma => pragma_breaks_transaction(&c.name.as_ref()?.name, c.pragma_value.is_some()),
        _ => None,
    }
}

/// Why `PRAGMA name` (`sets` when it is given a value) cannot run inside a revision, or `None`
/// when it can. Reading a connection setting is harmless; setting one would outlive the
/// revision and change how every later statement on the connection behaves.
pub fn pragma_breaks_transaction(name: &str, sets: bool) -> Option<&'static str> {
    match name.to_ascii_lowercase().as_str() {
        "writable_schema" => Some("PRAGMA writable_schema lets statements corrupt the schema"),
        "schema_version" if sets => Some("setting PRAGMA schema_version writes the schema cookie by hand, which corrupts the database"),
        "journal_mode" | "locking_mode" | "synchronous" | "temp_store" | "page_size" | "auto_vacuum" => {
            Some("this pragma changes how the whole database file is written, not the schema")
        }
        "query_only" => Some("PRAGMA query_only would outlive the revision and leave the database read-only"),
        "foreign_keys" if sets => Some(
            "PRAGMA foreign_keys does nothing inside a transaction; mark the section `-- +up foreign_keys=off` (or `-- +down foreign_keys=off`) and strata switches them off around it and checks them before commit",
        ),
        "ignore_check_constraints" | "legacy_alter_table" | "recursive_triggers" | "case_sensitive_like" | "trusted_schema" if sets => {
            Some("this pragma changes the connection, not the schema: it would outlive the revision and change how every later statement behaves")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: Option<&str>, n: &str) -> Option<QualifiedName> {
        Some(QualifiedName { schema: s.map(String::from), name: n.into() })
    }

    #[test]
    fn reads_ddl_with_schema_quotes_and_comments() {
        let c = classify("/* x */ CREATE UNIQUE INDEX IF NOT EXISTS \"main\".\"ix\" ON [t] (a)");
        assert_eq!((c.verb, c.object, c.unique, c.if_exists), (Verb::Create, Some(Object::Index), true, true));
        assert_eq!(c.name, name(Some("main"), "ix"));
        let text = "/* x */ CREATE UNIQUE INDEX IF NOT EXISTS \"main\".\"ix\" ON [t] (a)";
        assert_eq!(c.name_at, text.find("\"ix\""), "the name's last part is where it is");
        assert_eq!(classify("INSERT INTO t VALUES (1)").name_at, Some(12));
        assert_eq!(classify("SELECT 1").name_at, None);
        assert_eq!(c.on, name(None, "t"));
        let c = classify("create temp trigger tr after update of a on main.t begin select 1; end");
        assert_eq!((c.object, c.temp), (Some(Object::Trigger), true));
        assert_eq!(c.on, name(Some("main"), "t"));
        let c = classify("CREATE TABLE café AS SELECT 1");
        assert_eq!((c.name, c.as_select), (name(None, "café"), true));
        assert!(!classify("CREATE TABLE t (a) -- AS").as_select);
        assert_eq!(classify("CREATE VIRTUAL TABLE f USING fts5(x)").object, Some(Object::VirtualTable));
        assert_eq!(classify("DROP VIEW IF EXISTS v").name, name(None, "v"));
    }

    #[test]
    fn reads_alter_table() {
        let c = classify("ALTER TABLE main.t DROP COLUMN c");
        assert_eq!((c.name, c.alter), (name(Some("main"), "t"), Some(Alter::DropColumn("c".into()))));
        assert_eq!(classify("alter table \"t\" drop \"c d\"").alter, Some(Alter::DropColumn("c d".into())));
        assert_eq!(classify("ALTER TABLE t RENAME a TO b").alter, Some(Alter::RenameColumn { from: "a".into(), to: "b".into() }));
        assert_eq!(classify("ALTER TABLE t RENAME TO u").alter, Some(Alter::RenameTo("u".into())));
        assert_eq!(classify("ALTER TABLE t ADD x INT").alter, Some(Alter::AddColumn("x".into())));
    }

    #[test]
    fn reads_dml_targets_past_with_clauses() {
        let c = classify("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) DELETE FROM \"main\".\"t\" WHERE a IN c");
        assert_eq!((c.verb, c.name), (Verb::Delete, name(Some("main"), "t")));
        assert_eq!(&"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) DELETE FROM \"main\".\"t\" WHERE a IN c"[c.rest..], " WHERE a IN c");
        assert_eq!(classify("UPDATE OR IGNORE t SET a = 1").name, name(None, "t"));
        assert_eq!(classify("INSERT OR REPLACE INTO t VALUES (1)").name, name(None, "t"));
        assert_eq!(classify("REPLACE INTO t VALUES (1)").verb, Verb::Replace);
        assert_eq!(classify("WITH a AS (SELECT 1) SELECT * FROM a").verb, Verb::Select);
    }

    #[test]
    fn names_what_breaks_a_transaction() {
        for text in ["BEGIN", "commit", "END TRANSACTION", "ROLLBACK", "ROLLBACK TO sp", "SAVEPOINT a", "RELEASE a", "ATTACH 'x' AS y", "DETACH y", "VACUUM", "PRAGMA writable_schema = 1", "pragma main.journal_mode=wal", "PRAGMA locking_mode(exclusive)"] {
            assert!(breaks_transaction(&classify(text)).is_some(), "{text}");
        }
        for text in ["PRAGMA foreign_keys = OFF", "PRAGMA schema_version = 7", "PRAGMA ignore_check_constraints(1)", "PRAGMA legacy_alter_table = ON"] {
            assert!(breaks_transaction(&classify(text)).is_some(), "{text}");
        }
        for text in ["PRAGMA foreign_keys", "PRAGMA schema_version", "PRAGMA user_version = 3", "SELECT 1", "CREATE TABLE begin (x)", "UPDATE t SET a = 1", ""] {
            assert!(breaks_transaction(&classify(text)).is_none(), "{text}");
        }
        let c = classify("PRAGMA main.writable_schema = 'on'");
        assert_eq!((c.name, c.pragma_value.as_deref()), (name(Some("main"), "writable_schema"), Some("on")));
    }

    #[test]
    fn never_fails_on_odd_input() {
        for text in ["", ";", "(", "WITH", "WITH x AS", "CREATE", "ALTER TABLE", "PRAGMA x = -", "é", "\"", "DROP TABLE main."] {
            let _ = classify(text);
        }
    }
}
