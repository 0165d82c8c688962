//! Counting what risks destroy in a live database. Only reads: the queries are `SELECT count`
//! over the tables the risks name, run on the connection as it is (inside the migration's
//! transaction when the runner asks, before the revision's statements).

use rusqlite::{Connection, OptionalExtension};

pub use strata_core::loss::{Cause, Loss, Risk};
use strata_core::sql::quote;

/// What `risks` would destroy in the database `conn` holds now, one [`Loss`] per table or
/// column that holds something; a risk that destroys nothing here gives none. A risk naming a
/// table or column that does not exist yet (an earlier revision of the same run creates it)
/// counts nothing: the runner counts again, under the write lock, just before that revision.
pub fn count(conn: &Connection, risks: &[Risk]) -> rusqlite::Result<Vec<Loss>> {
    let mut out = Vec::new();
    for risk in risks {
        let Some(columns) = columns(conn, risk.table())? else { continue };
        let table = columns.table.clone();
        let from = format!("main.{}", quote(&table));
        let mut push = |column: Option<String>, count: u64, at_most: bool, cause: Cause| {
            if count > 0 {
                out.push(Loss { table: table.clone(), column, count, at_most, cause });
            }
        };
        match risk {
            Risk::DropTable { .. } => push(None, rows(conn, &from, None)?.0, false, Cause::DropTable),
            Risk::DropColumn { column, .. } => {
                // A generated column's values are computed from the others: nothing is lost.
                if let Some(c) = columns.find(column) {
                    push(Some(c.clone()), values(conn, &from, c)?, false, Cause::DropColumn);
                }
            }
            Risk::Copy { kept, filter, .. } => {
                if let Some(kept) = kept {
                    let mentions = |name: &str| kept.iter().any(|k| k.eq_ignore_ascii_case(name));
                    // Copying the rowid keeps an INTEGER PRIMARY KEY, which is its alias.
                    let rowid = ["rowid", "oid", "_rowid_"].iter().any(|r| mentions(r));
                    for c in &columns.names {
                        let kept = mentions(c) || (rowid && columns.rowid_alias.as_deref() == Some(c.as_str()));
                        if !kept {
                            push(Some(c.clone()), values(conn, &from, c)?, false, Cause::NotCopied);
                        }
                    }
                }
                if let Some(filter) = filter {
                    let (n, at_most) = rows(conn, &from, Some(&format!("({filter}) IS NOT TRUE")))?;
                    push(None, n, at_most, Cause::NotCopied);
                }
            }
            Risk::Delete { filter, .. } => {
                let (n, at_most) = rows(conn, &from, filter.as_deref())?;
                push(None, n, at_most, Cause::Delete);
            }
            Risk::Update { alias, column, value, filter, joined, .. } => {
                let Some(c) = columns.find(column) else { continue };
                let (n, at_most) = overwritten(conn, &from, alias.as_deref(), c, value.as_deref(), filter.as_deref(), *joined)?;
                push(Some(c.clone()), n, at_most, Cause::Overwrite);
            }
        }
    }
    Ok(out)
}

/// A live table's name as the database spells it, its columns that hold stored values (not
/// generated, not hidden), and the column that is an alias of its rowid, if any.
struct Columns {
    table: String,
    names: Vec<String>,
    rowid_alias: Option<String>,
}

impl Columns {
    fn find(&self, name: &str) -> Option<&String> {
        self.names.iter().find(|c| c.eq_ignore_ascii_case(name))
    }
}

/// `None` when the database has no such table (views and SQLite's own tables included).
fn columns(conn: &Connection, table: &str) -> rusqlite::Result<Option<Columns>> {
    let found: Option<String> = conn
        .query_row(
            "SELECT name FROM main.sqlite_schema WHERE type = 'table' AND name = ?1 COLLATE NOCASE AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
            [table],
            |r| r.get(0),
        )
        .optional()?;
    let Some(table) = found else { return Ok(None) };
    let mut stmt = conn.prepare("SELECT name, hidden, pk, type FROM pragma_table_xinfo(?1, 'main') ORDER BY cid")?;
    let rows: Vec<(String, i64, i64, String)> =
        stmt.query_map([&table], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect::<rusqlite::Result<_>>()?;
    let keys: Vec<&(String, i64, i64, String)> = rows.iter().filter(|r| r.2 > 0).collect();
    // Only a lone INTEGER PRIMARY KEY is an alias of the rowid (WITHOUT ROWID tables have no
    // rowid, and then copying "rowid" would have failed anyway).
    let rowid_alias = match keys.as_slice() {
        [only] if only.3.eq_ignore_ascii_case("integer") => Some(only.0.clone()),
        _ => None,
    };
    let names = rows.into_iter().filter(|r| r.1 == 0).map(|r| r.0).collect();
    Ok(Some(Columns { table, names, rowid_alias }))
}

/// Rows of `from` that `filter` matches. When the filter cannot be evaluated before the
/// revision runs (it reads a table or column the revision creates first), every row counts,
/// as an upper bound.
fn rows(conn: &Connection, from: &str, filter: Option<&str>) -> rusqlite::Result<(u64, bool)> {
    if let Some(filter) = filter {
        if let Ok(n) = conn.query_row(&format!("SELECT count(*) FROM {from} WHERE {filter}"), [], |r| r.get::<_, i64>(0)) {
            return Ok((n as u64, false));
        }
    }
    let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {from}"), [], |r| r.get(0))?;
    Ok((n as u64, filter.is_some()))
}

/// The non-NULL values of a column.
fn values(conn: &Connection, from: &str, column: &str) -> rusqlite::Result<u64> {
    let n: i64 = conn.query_row(&format!("SELECT count({}) FROM {from}", quote(column)), [], |r| r.get(0))?;
    Ok(n as u64)
}

/// What an UPDATE overwrites in one column: the rows its WHERE matches whose value is not
/// NULL and differs from the value the SET gives it (`IS NOT` compares NULL-safely, so a value
/// set to NULL counts, and a value set to itself does not). The row-value form `SET (a, b) =
/// (…)` and `UPDATE … FROM` (whose expressions read another table) cannot be evaluated row by
/// row here; for them, and when the expressions read something the revision creates first,
/// every non-NULL value the WHERE matches (or, failing that, of the column) counts.
fn overwritten(
    conn: &Connection,
    from: &str,
    alias: Option<&str>,
    column: &str,
    value: Option<&str>,
    filter: Option<&str>,
    joined: bool,
) -> rusqlite::Result<(u64, bool)> {
    let from = match alias {
        Some(a) => format!("{from} AS {}", quote(a)),
        None => from.to_string(),
    };
    let col = quote(column);
    let filter = filter.map(|f| format!("({f}) AND ")).unwrap_or_default();
    if let (Some(value), false) = (value, joined) {
        let exact = format!("SELECT count(*) FROM {from} WHERE {filter}{col} IS NOT NULL AND {col} IS NOT ({value})");
        if let Ok(n) = conn.query_row(&exact, [], |r| r.get::<_, i64>(0)) {
            return Ok((n as u64, false));
        }
    }
    if !filter.is_empty() {
        if let Ok(n) = conn.query_row(&format!("SELECT count(*) FROM {from} WHERE {filter}{col} IS NOT NULL"), [], |r| r.get::<_, i64>(0)) {
            return Ok((n as u64, true));
        }
    }
    let n: i64 = conn.query_row(&format!("SELECT count({col}) FROM {from}"), [], |r| r.get(0))?;
    Ok((n as u64, true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_core::loss::read;

    fn db() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE usertable (id INTEGER PRIMARY KEY, email TEXT, phone TEXT, nick TEXT GENERATED ALWAYS AS (upper(email)));\n\
             INSERT INTO usertable (email) VALUES ('a@x'), ('b@x'), (NULL);\n\
             CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, done INTEGER);\n\
             INSERT INTO notes (body, done) VALUES ('one', 1), ('two', 0), ('three', 1);\n\
             CREATE TABLE empty (x);",
        )
        .unwrap();
        conn
    }

    /// The losses `sql` would cause in the test database, as the refusal prints them.
    fn check(sql: &str) -> Vec<String> {
        count(&db(), &read(sql)).unwrap().iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn drops_count_non_null_values_and_rows() {
        assert_eq!(check("ALTER TABLE main.usertable DROP COLUMN email"), ["usertable.email: 2 non-NULL values"]);
        assert_eq!(check("DROP TABLE \"main\".\"notes\""), ["drops table notes: 3 rows"]);
        // Nothing to lose, nothing to ask: an all-NULL column, an empty table, a generated
        // column, a table that does not exist yet.
        assert!(check("ALTER TABLE usertable DROP COLUMN phone").is_empty());
        assert!(check("DROP TABLE empty").is_empty());
        assert!(check("ALTER TABLE usertable DROP COLUMN nick").is_empty());
        assert!(check("DROP TABLE IF EXISTS later; ALTER TABLE later DROP COLUMN x").is_empty());
    }

    #[test]
    fn a_hand_written_rebuild_names_the_columns_it_leaves_behind() {
        let sql = "CREATE TABLE n (id INTEGER PRIMARY KEY, phone TEXT);\n\
                   INSERT INTO n (id, phone) SELECT id, phone FROM usertable;\n\
                   DROP TABLE usertable;\n\
                   ALTER TABLE n RENAME TO usertable;";
        assert_eq!(check(sql), ["usertable.email: 2 non-NULL values"]);
        // The rowid carries the INTEGER PRIMARY KEY with it.
        let sql = "CREATE TABLE n (id INTEGER PRIMARY KEY, body TEXT, done INTEGER);\n\
                   INSERT INTO n (rowid, body, done) SELECT rowid, body, done FROM notes WHERE done = 1;\n\
                   DROP TABLE notes;";
        assert_eq!(check(sql), ["rebuilds notes without 1 row its copy leaves out"]);
    }

    #[test]
    fn delete_counts_the_rows_its_where_matches() {
        assert_eq!(check("DELETE FROM notes WHERE done = 1"), ["deletes from notes: 2 rows"]);
        assert!(check("DELETE FROM notes WHERE done = 7").is_empty());
        assert_eq!(check("DELETE FROM notes"), ["deletes from notes: 3 rows"]);
        // A WHERE that reads a table the revision makes first is bounded by every row.
        assert_eq!(check("CREATE TABLE keep (id);\nDELETE FROM notes WHERE id NOT IN keep"), ["deletes from notes: at most 3 rows"]);
    }

    #[test]
    fn update_counts_the_non_null_values_it_changes() {
        // b@x is overwritten; a@x is set to what it is; NULL had nothing to lose.
        assert_eq!(check("UPDATE usertable SET email = 'a@x'"), ["overwrites usertable.email: 1 non-NULL value"]);
        assert_eq!(check("UPDATE usertable SET email = NULL WHERE id = 1"), ["overwrites usertable.email: 1 non-NULL value"]);
        assert!(check("UPDATE usertable SET phone = '555' WHERE phone IS NULL").is_empty());
        assert!(check("UPDATE usertable SET email = lower(email)").is_empty());
        assert_eq!(check("UPDATE usertable AS u SET email = (SELECT 'z' FROM notes n WHERE n.id = u.id)"), ["overwrites usertable.email: 2 non-NULL values"]);
        // Forms that cannot be compared row by row count every non-NULL value they reach.
        assert_eq!(check("UPDATE usertable SET (email, phone) = ('z', 'z') WHERE id = 1"), ["overwrites usertable.email: at most 1 non-NULL value"]);
        assert_eq!(
            check("UPDATE usertable SET email = n.body FROM notes n WHERE n.id = usertable.id"),
            ["overwrites usertable.email: at most 2 non-NULL values"]
        );
    }
}
