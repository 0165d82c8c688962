//! Parsers for the four CREATE statements SQLite keeps in `sqlite_schema.sql`: TABLE, INDEX,
//! VIEW and TRIGGER. They read what PRAGMAs do not report (CHECK, COLLATE, generated columns,
//! AUTOINCREMENT, constraint names, DEFERRABLE, partial and expression indexes). The text they
//! read has already been accepted by SQLite, so they are lenient where SQLite is strict.

use crate::schema::*;
use crate::sql::{self, Token, TokenKind};

/// Why a CREATE statement could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot read {what} at byte {offset}: {message}")]
pub struct ParseError {
    pub what: String,
    pub offset: usize,
    pub message: String,
}

/// Significant tokens of one statement and a position among them.
struct Cursor<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
    what: &'static str,
}

impl<'a> Cursor<'a> {
    fn new(src: &'a str, what: &'static str) -> Self {
        let toks = sql::tokenize(src).into_iter().filter(|t| !t.is_trivia()).collect();
        Cursor { src, toks, pos: 0, what }
    }
    fn peek(&self) -> Option<Token> {
        self.toks.get(self.pos).copied()
    }
    fn peek_at(&self, n: usize) -> Option<Token> {
        self.toks.get(self.pos + n).copied()
    }
    fn text(&self, t: Token) -> &'a str {
        t.text(self.src)
    }
    fn at_word(&self, w: &str) -> bool {
        self.peek().is_some_and(|t| t.is_word(self.src, w))
    }
    fn at_punct(&self, p: &str) -> bool {
        self.peek().is_some_and(|t| t.is_punct(self.src, p))
    }
    fn eat_word(&mut self, w: &str) -> bool {
        let yes = self.at_word(w);
        if yes {
            self.pos += 1;
        }
        yes
    }
    fn eat_words(&mut self, ws: &[&str]) -> bool {
        let all = ws.iter().enumerate().all(|(i, w)| self.peek_at(i).is_some_and(|t| t.is_word(self.src, w)));
        if all {
            self.pos += ws.len();
        }
        all
    }
    fn eat_punct(&mut self, p: &str) -> bool {
        let yes = self.at_punct(p);
        if yes {
            self.pos += 1;
        }
        yes
    }
    fn err(&self, message: impl Into<String>) -> ParseError {
        ParseError {
            what: self.what.to_string(),
            offset: self.peek().map_or(self.src.len(), |t| t.start),
            message: message.into(),
        }
    }
    fn expect_punct(&mut self, p: &str) -> Result<(), ParseError> {
        if self.eat_punct(p) {
            Ok(())
        } else {
            Err(self.err(format!("expected `{p}`")))
        }
    }
    fn expect_word(&mut self, w: &str) -> Result<(), ParseError> {
        if self.eat_word(w) {
            Ok(())
        } else {
            Err(self.err(format!("expected {w}")))
        }
    }
    fn name(&mut self) -> Result<Name, ParseError> {
        match self.peek() {
            Some(t) if t.is_name() => {
                self.pos += 1;
                Ok(Name(sql::unquote(self.text(t))))
            }
            _ => Err(self.err("expected a name")),
        }
    }
    /// `[schema.]name`: the schema part is dropped (strata works on `main`).
    fn qualified_name(&mut self) -> Result<Name, ParseError> {
        let first = self.name()?;
        if self.eat_punct(".") {
            return self.name();
        }
        Ok(first)
    }
    /// Skips `CREATE [TEMP|TEMPORARY] [UNIQUE] <kind> [IF NOT EXISTS]`; returns whether UNIQUE was seen.
    fn create_header(&mut self, kind: &str) -> Result<bool, ParseError> {
        self.expect_word("create")?;
        let _ = self.eat_word("temp") || self.eat_word("temporary");
        let unique = self.eat_word("unique");
        self.expect_word(kind)?;
        self.eat_words(&["if", "not", "exists"]);
        Ok(unique)
    }
    /// The source text between a `(` at the cursor and its matching `)`, both consumed.
    fn parenthesized(&mut self) -> Result<&'a str, ParseError> {
        let open = self.peek().filter(|t| t.is_punct(self.src, "(")).ok_or_else(|| self.err("expected `(`"))?;
        self.pos += 1;
        let mut depth = 1;
        while let Some(t) = self.peek() {
            self.pos += 1;
            if t.is_punct(self.src, "(") {
                depth += 1;
            } else if t.is_punct(self.src, ")") {
                depth -= 1;
                if depth == 0 {
                    return Ok(self.src[open.end..t.start].trim());
                }
            }
        }
        Err(self.err("unbalanced parentheses"))
    }
    /// Source text from the cursor up to (not including) a top-level `,` or `)`; consumes it.
    fn until_comma_or_close(&mut self) -> (usize, usize, Vec<Token>) {
        let start = self.peek().map_or(self.src.len(), |t| t.start);
        let mut end = start;
        let mut depth = 0;
        let mut toks = Vec::new();
        while let Some(t) = self.peek() {
            if depth == 0 && (t.is_punct(self.src, ",") || t.is_punct(self.src, ")")) {
                break;
            }
            if t.is_punct(self.src, "(") {
                depth += 1;
            } else if t.is_punct(self.src, ")") {
                depth -= 1;
            }
            toks.push(t);
            end = t.end;
            self.pos += 1;
        }
        (start, end, toks)
    }
    fn conflict_clause(&mut self) -> Result<Option<String>, ParseError> {
        if self.eat_words(&["on", "conflict"]) {
            let t = self.peek().ok_or_else(|| self.err("expected a conflict resolution"))?;
            self.pos += 1;
            return Ok(Some(self.text(t).to_ascii_uppercase()));
        }
        Ok(None)
    }
    fn name_list(&mut self) -> Result<Vec<Name>, ParseError> {
        self.expect_punct("(")?;
        let mut names = vec![self.name()?];
        while self.eat_punct(",") {
            names.push(self.name()?);
        }
        self.expect_punct(")")?;
        Ok(names)
    }
    /// `( name [COLLATE c] [ASC|DESC], ... )` as used by PRIMARY KEY and UNIQUE.
    fn key_parts(&mut self) -> Result<Vec<KeyPart>, ParseError> {
        self.expect_punct("(")?;
        let mut parts = Vec::new();
        loop {
            let name = self.name()?;
            let mut part = KeyPart::new(name);
            if self.eat_word("collate") {
                part.collate = Some(Sql::new(self.name()?.0));
            }
            if self.eat_word("desc") {
                part.desc = true;
            } else {
                self.eat_word("asc");
            }
            parts.push(part);
            if !self.eat_punct(",") {
                break;
            }
        }
        self.expect_punct(")")?;
        Ok(parts)
    }
    fn fk_action(&mut self) -> Result<FkAction, ParseError> {
        Ok(if self.eat_words(&["set", "null"]) {
            FkAction::SetNull
        } else if self.eat_words(&["set", "default"]) {
            FkAction::SetDefault
        } else if self.eat_word("cascade") {
            FkAction::Cascade
        } else if self.eat_word("restrict") {
            FkAction::Restrict
        } else if self.eat_words(&["no", "action"]) {
            FkAction::NoAction
        } else {
            return Err(self.err("expected a foreign key action"));
        })
    }
    /// `REFERENCES` already consumed: `table [(cols)] [ON ...|MATCH ...]* [[NOT] DEFERRABLE ...]`.
    fn fk_clause(&mut self, name: Option<Name>, columns: Vec<Name>) -> Result<ForeignKey, ParseError> {
        let ref_table = self.name()?;
        let ref_columns = if self.at_punct("(") { self.name_list()? } else { Vec::new() };
        let mut fk = ForeignKey {
            name,
            columns,
            ref_table,
            ref_columns,
            on_delete: FkAction::NoAction,
            on_update: FkAction::NoAction,
            deferred: false,
        };
        loop {
            if self.eat_words(&["on", "delete"]) {
                fk.on_delete = self.fk_action()?;
            } else if self.eat_words(&["on", "update"]) {
                fk.on_update = self.fk_action()?;
            } else if self.eat_word("match") {
                self.name()?;
            } else {
                break;
            }
        }
        let not = self.eat_words(&["not", "deferrable"]);
        let deferrable = !not && self.eat_word("deferrable");
        if self.eat_word("initially") {
            let deferred = self.eat_word("deferred");
            if !deferred {
                self.expect_word("immediate")?;
            }
            fk.deferred = deferrable && deferred;
        }
        Ok(fk)
    }
}

/// Words that end a column's type name and start a constraint.
const COLUMN_CONSTRAINT_WORDS: &[&str] =
    &["constraint", "primary", "not", "null", "unique", "check", "default", "collate", "references", "generated", "as"];

/// Reads a `CREATE TABLE` statement (as stored in `sqlite_schema.sql`).
pub fn parse_create_table(src: &str) -> Result<Table, ParseError> {
    let mut c = Cursor::new(src, "CREATE TABLE");
    c.create_header("table")?;
    let name = c.qualified_name()?;
    let mut table = Table::new(name.0);
    c.expect_punct("(")?;
    loop {
        if !table_constraint(&mut c, &mut table)? {
            column_def(&mut c, &mut table)?;
        }
        if c.eat_punct(",") {
            continue;
        }
        c.expect_punct(")")?;
        break;
    }
    loop {
        if c.eat_words(&["without", "rowid"]) {
            table.without_rowid = true;
        } else if c.eat_word("strict") {
            table.strict = true;
        } else if !c.eat_punct(",") {
            break;
        }
    }
    table.canonicalize();
    Ok(table)
}

/// Reads one table constraint; returns false (consuming nothing) when the words turn out to
/// start a column definition instead.
fn table_constraint(c: &mut Cursor, table: &mut Table) -> Result<bool, ParseError> {
    let save = c.pos;
    let name = if c.eat_word("constraint") { Some(c.name()?) } else { None };
    if c.eat_words(&["primary", "key"]) {
        if !c.at_punct("(") {
            c.pos = save;
            return Ok(false);
        }
        let columns = c.key_parts()?;
        let on_conflict = c.conflict_clause()?;
        let autoincrement = c.eat_word("autoincrement");
        table.primary_key = Some(PrimaryKey { name, columns, autoincrement, on_conflict, desc_on_column: false });
    } else if c.at_word("unique") && c.peek_at(1).is_some_and(|t| t.is_punct(c.src, "(")) {
        c.pos += 1;
        let columns = c.key_parts()?;
        let on_conflict = c.conflict_clause()?;
        table.uniques.push(Unique { name, columns, on_conflict });
    } else if c.at_word("check") && c.peek_at(1).is_some_and(|t| t.is_punct(c.src, "(")) {
        c.pos += 1;
        let expr = c.parenthesized()?;
        table.checks.push(Check { name, expr: Sql::new(expr) });
    } else if c.eat_words(&["foreign", "key"]) {
        let columns = c.name_list()?;
        c.expect_word("references")?;
        let fk = c.fk_clause(name, columns)?;
        table.foreign_keys.push(fk);
    } else {
        c.pos = save;
        return Ok(false);
    }
    Ok(true)
}

fn column_def(c: &mut Cursor, table: &mut Table) -> Result<(), ParseError> {
    let name = c.name()?;
    // The type: every token up to a constraint word, a comma or the closing parenthesis, with a
    // parenthesized size such as (10, 2) included.
    let mut type_start = None;
    let mut type_end = 0;
    while let Some(t) = c.peek() {
        if t.is_punct(c.src, ",") || t.is_punct(c.src, ")") {
            break;
        }
        if t.kind == TokenKind::Word && COLUMN_CONSTRAINT_WORDS.iter().any(|w| t.is_word(c.src, w)) {
            break;
        }
        if t.is_punct(c.src, "(") {
            let open = t.start;
            c.parenthesized()?;
            type_start.get_or_insert(open);
            type_end = c.toks[c.pos - 1].end;
            continue;
        }
        type_start.get_or_insert(t.start);
        type_end = t.end;
        c.pos += 1;
    }
    let decl = type_start.map_or("", |s| &c.src[s..type_end]);
    let mut col = Column::new(name.0.clone(), decl);
    loop {
        let cname = if c.eat_word("constraint") { Some(c.name()?) } else { None };
        if c.eat_words(&["primary", "key"]) {
            let desc = c.eat_word("desc");
            c.eat_word("asc");
            let on_conflict = c.conflict_clause()?;
            let autoincrement = c.eat_word("autoincrement");
            table.primary_key = Some(PrimaryKey {
                name: cname,
                columns: vec![KeyPart { name: name.clone(), collate: None, desc }],
                autoincrement,
                on_conflict,
                desc_on_column: desc,
            });
        } else if c.eat_words(&["not", "null"]) {
            col.not_null = true;
            c.conflict_clause()?;
        } else if c.eat_word("null") {
            c.conflict_clause()?;
        } else if c.eat_word("unique") {
            let on_conflict = c.conflict_clause()?;
            table.uniques.push(Unique { name: cname, columns: vec![KeyPart::new(name.0.clone())], on_conflict });
        } else if c.eat_word("check") {
            let expr = c.parenthesized()?;
            table.checks.push(Check { name: cname, expr: Sql::new(expr) });
        } else if c.eat_word("default") {
            col.default = Some(Sql::new(default_value(c)?));
        } else if c.eat_word("collate") {
            col.collate = Some(Sql::new(c.name()?.0));
        } else if c.eat_word("references") {
            let fk = c.fk_clause(cname, vec![name.clone()])?;
            table.foreign_keys.push(fk);
        } else if c.eat_words(&["generated", "always", "as"]) || c.eat_word("as") {
            let expr = c.parenthesized()?;
            let stored = c.eat_word("stored");
            if !stored {
                c.eat_word("virtual");
            }
            col.generated = Some(Generated { expr: Sql::new(expr), stored });
        } else if cname.is_some() {
            return Err(c.err("expected a constraint after CONSTRAINT name"));
        } else {
            break;
        }
    }
    table.columns.push(col);
    Ok(())
}

/// A DEFAULT value as written: `(expr)`, a signed number, a literal or a bare word.
fn default_value(c: &mut Cursor) -> Result<String, ParseError> {
    let first = c.peek().ok_or_else(|| c.err("expected a default value"))?;
    if first.is_punct(c.src, "(") {
        c.parenthesized()?;
        let end = c.toks[c.pos - 1].end;
        return Ok(c.src[first.start..end].to_string());
    }
    c.pos += 1;
    if (first.is_punct(c.src, "-") || first.is_punct(c.src, "+")) && c.peek().is_some() {
        let num = c.peek().unwrap();
        c.pos += 1;
        return Ok(c.src[first.start..num.end].to_string());
    }
    Ok(c.text(first).to_string())
}

/// Reads a `CREATE [UNIQUE] INDEX` statement.
pub fn parse_create_index(src: &str) -> Result<Index, ParseError> {
    let mut c = Cursor::new(src, "CREATE INDEX");
    let unique = c.create_header("index")?;
    let name = c.qualified_name()?;
    c.expect_word("on")?;
    let table = c.name()?;
    c.expect_punct("(")?;
    let mut parts = Vec::new();
    loop {
        let (_, _, toks) = c.until_comma_or_close();
        parts.push(index_part(c.src, &toks).ok_or_else(|| c.err("empty index term"))?);
        if !c.eat_punct(",") {
            break;
        }
    }
    c.expect_punct(")")?;
    let where_clause = if c.eat_word("where") {
        let start = c.peek().map_or(src.len(), |t| t.start);
        Some(Sql::new(src[start..].trim().trim_end_matches(';').trim_end()))
    } else {
        None
    };
    Ok(Index { name, table, unique, parts, where_clause })
}

/// One index term: trailing `ASC`/`DESC` and `COLLATE name` are split off the expression.
fn index_part(src: &str, toks: &[Token]) -> Option<IndexPart> {
    let mut end = toks.len();
    let mut desc = false;
    if end > 1 && (toks[end - 1].is_word(src, "desc") || toks[end - 1].is_word(src, "asc")) {
        desc = toks[end - 1].is_word(src, "desc");
        end -= 1;
    }
    let mut collate = None;
    if end > 2 && toks[end - 2].is_word(src, "collate") {
        collate = Some(Sql::new(sql::unquote(toks[end - 1].text(src))));
        end -= 2;
    }
    if end == 0 {
        return None;
    }
    let expr = &src[toks[0].start..toks[end - 1].end];
    // A lone name is a column: it is kept quoted, so that it stays one name when written out
    // again whatever characters it holds.
    let expr = if end == 1 && toks[0].is_name() { sql::quote(&sql::unquote(expr)) } else { expr.to_string() };
    Some(IndexPart { expr: Sql::new(expr), collate, desc })
}

/// Reads a `CREATE VIEW` statement.
pub fn parse_create_view(src: &str) -> Result<View, ParseError> {
    let mut c = Cursor::new(src, "CREATE VIEW");
    c.create_header("view")?;
    let name = c.qualified_name()?;
    let columns = if c.at_punct("(") { c.name_list()? } else { Vec::new() };
    c.expect_word("as")?;
    let start = c.peek().map_or(src.len(), |t| t.start);
    Ok(View { name, columns, select: Sql::new(src[start..].trim().trim_end_matches(';').trim_end()) })
}

/// Reads a `CREATE TRIGGER` statement; the definition is kept whole without `IF NOT EXISTS`,
/// `TEMP` or a schema prefix, so that it can be executed again as is.
pub fn parse_create_trigger(src: &str) -> Result<Trigger, ParseError> {
    let mut c = Cursor::new(src, "CREATE TRIGGER");
    c.create_header("trigger")?;
    let name = c.qualified_name()?;
    let after_name = c.toks[c.pos - 1].end;
    let mut table = None;
    while let Some(t) = c.peek() {
        c.pos += 1;
        if t.is_word(src, "on") {
            table = Some(c.qualified_name()?);
            break;
        }
    }
    let table = table.ok_or_else(|| c.err("expected ON table"))?;
    let body = src[after_name..].trim_end().trim_end_matches(';');
    let sql = format!("CREATE TRIGGER {}{}", sql::quote(&name), body);
    Ok(Trigger { name, table, sql: Sql::new(sql) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_column_constraint() {
        let t = parse_create_table(
            "CREATE TABLE IF NOT EXISTS main.\"Users\" (\n id INTEGER PRIMARY KEY AUTOINCREMENT,\n email varchar(255) NOT NULL UNIQUE COLLATE NOCASE,\n age int CHECK (age >= 0) DEFAULT -1,\n org_id INTEGER CONSTRAINT fk_org REFERENCES orgs(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,\n full text GENERATED ALWAYS AS (email || '!') STORED,\n price DECIMAL(10, 2) DEFAULT (0.0)\n) STRICT",
        )
        .unwrap();
        assert_eq!(t.name, "Users");
        assert!(t.strict && !t.without_rowid);
        let pk = t.primary_key.as_ref().unwrap();
        assert!(pk.autoincrement);
        assert_eq!(pk.columns[0].name, "id");
        let email = t.column("email").unwrap();
        assert!(email.not_null);
        assert_eq!(email.decl_type.as_str(), "varchar(255)");
        assert_eq!(email.collate.as_ref().unwrap().as_str(), "NOCASE");
        assert_eq!(t.column("age").unwrap().default.as_ref().unwrap().as_str(), "-1");
        assert_eq!(t.column("price").unwrap().decl_type.as_str(), "DECIMAL(10, 2)");
        assert_eq!(t.column("price").unwrap().default.as_ref().unwrap().as_str(), "(0.0)");
        assert_eq!(t.checks[0].expr.as_str(), "age >= 0");
        let fk = &t.foreign_keys[0];
        assert_eq!((fk.name.as_deref(), fk.ref_table.as_str(), fk.on_delete, fk.deferred), (Some("fk_org"), "orgs", FkAction::Cascade, true));
        let g = t.column("full").unwrap().generated.as_ref().unwrap();
        assert!(g.stored);
        assert_eq!(g.expr.as_str(), "email || '!'");
        assert_eq!(t.uniques.len(), 1);
    }

    #[test]
    fn reads_table_constraints_and_options() {
        let t = parse_create_table(
            "CREATE TABLE m (a TEXT, b INT, CONSTRAINT pk PRIMARY KEY (a COLLATE nocase, b DESC), UNIQUE (b) ON CONFLICT REPLACE, CHECK (a <> ''), FOREIGN KEY (a, b) REFERENCES p (x, y) ON UPDATE SET NULL) WITHOUT ROWID",
        )
        .unwrap();
        assert!(t.without_rowid);
        let pk = t.primary_key.unwrap();
        assert_eq!(pk.name.as_deref(), Some("pk"));
        assert!(pk.columns[1].desc);
        assert_eq!(t.uniques[0].on_conflict.as_deref(), Some("REPLACE"));
        assert_eq!(t.foreign_keys[0].on_update, FkAction::SetNull);
        assert_eq!(t.foreign_keys[0].ref_columns, vec!["x", "y"]);
    }

    #[test]
    fn reads_indexes_views_triggers() {
        let i = parse_create_index("CREATE UNIQUE INDEX ix ON t (lower(name) COLLATE nocase DESC, \"b\") WHERE b IS NOT NULL").unwrap();
        assert!(i.unique);
        assert_eq!(i.parts[0].expr.as_str(), "lower(name)");
        assert!(i.parts[0].desc);
        assert_eq!(i.parts[1].expr.as_str(), "\"b\"");
        assert_eq!(i.where_clause.unwrap().as_str(), "b IS NOT NULL");
        let v = parse_create_view("CREATE VIEW v(a, b) AS SELECT 1, 2").unwrap();
        assert_eq!((v.columns.len(), v.select.as_str()), (2, "SELECT 1, 2"));
        let tr = parse_create_trigger("CREATE TRIGGER IF NOT EXISTS tr AFTER UPDATE OF a ON t BEGIN SELECT 1; END").unwrap();
        assert_eq!(tr.table, "t");
        assert_eq!(tr.sql.as_str(), "CREATE TRIGGER \"tr\" AFTER UPDATE OF a ON t BEGIN SELECT 1; END");
    }
}
