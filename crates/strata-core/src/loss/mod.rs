//! Data loss: what a section of revision SQL throws away, read from its statements
//! ([`read`]), and how much of it a live database holds, counted before anything runs
//! (strata-engine's `loss::count`).
//!
//! Reading is pure and names every risk by the table (and column) of the database as it was
//! before the section ran, following renames, hand-written rebuilds (create a table, copy
//! some columns of the old one into it, drop the old one, rename the new one) and
//! schema-qualified or quoted names. Counting turns each risk into what it would destroy in a
//! given database: a step that destroys nothing there (an all-NULL column, an empty table, a
//! `DELETE` that matches no row) gives no [`Loss`], so nobody is asked about it.

mod read;

use serde::{Deserialize, Serialize};

pub use read::read;

/// One way a section's SQL can throw data away, named by the table as the database had it
/// before the section ran.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
// Not `#[non_exhaustive]`: strata-engine counts every kind, and a new kind must fail to compile
// there rather than go uncounted.
pub enum Risk {
    /// `DROP TABLE` of a table whose rows were not copied anywhere first.
    DropTable { table: String },
    /// `ALTER TABLE … DROP COLUMN`.
    DropColumn { table: String, column: String },
    /// The table was copied (`INSERT INTO other SELECT … FROM table`, or `CREATE TABLE other
    /// AS SELECT …`) and then dropped, as a hand-written rebuild does: the columns the copy did
    /// not read lose their values (`kept` lists the names the copy read; `None` means all of
    /// them), and the rows its `WHERE` left out are lost.
    Copy { table: String, kept: Option<Vec<String>>, filter: Option<String> },
    /// `DELETE FROM table [WHERE filter]`.
    Delete { table: String, filter: Option<String> },
    /// `UPDATE table SET column = value [WHERE filter]`. `value` is `None` for the row-value
    /// form `SET (a, b) = (…)`; `alias` is the table's alias in the statement; `joined` is set
    /// for `UPDATE … FROM`, whose expressions read other tables.
    Update { table: String, alias: Option<String>, column: String, value: Option<String>, filter: Option<String>, joined: bool },
}

impl Risk {
    /// The table the risk concerns.
    pub fn table(&self) -> &str {
        match self {
            Risk::DropTable { table } | Risk::DropColumn { table, .. } | Risk::Copy { table, .. } | Risk::Delete { table, .. } | Risk::Update { table, .. } => {
                table
            }
        }
    }

    /// What the SQL says it does, without a database to count in.
    pub fn describe(&self) -> String {
        let filter = |f: &Option<String>| f.as_ref().map(|f| format!(" where {f}")).unwrap_or_default();
        match self {
            Risk::DropTable { table } => format!("drops table {table} and its rows"),
            Risk::DropColumn { table, column } => format!("drops column {table}.{column} and its values"),
            Risk::Copy { table, kept, filter: f } => {
                let mut text = format!("rebuilds table {table} by copying");
                match kept {
                    Some(kept) => text.push_str(&format!(" what mentions {}; any other column loses its values", kept.join(", "))),
                    None => text.push_str(" every column"),
                }
                if let Some(f) = f {
                    text.push_str(&format!(", and only the rows where {f}"));
                }
                text
            }
            Risk::Delete { table, filter: f } => format!("deletes rows of {table}{}", filter(f)),
            Risk::Update { table, column, filter: f, .. } => format!("overwrites {table}.{column}{}", filter(f)),
        }
    }
}

/// What a risk destroys in one database, counted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loss {
    pub table: String,
    /// The column whose values are lost; `None` when whole rows are.
    pub column: Option<String>,
    /// Rows (for `column: None`) or non-NULL values.
    pub count: u64,
    /// The count is an upper bound: the statement's `WHERE` or new value reads something that
    /// does not exist before the revision runs, so every row or value that could match counts.
    pub at_most: bool,
    pub cause: Cause,
}

/// Which kind of statement a [`Loss`] comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    DropTable,
    DropColumn,
    /// A copy-and-drop left the column (or the rows) behind.
    NotCopied,
    Delete,
    Overwrite,
}

impl std::fmt::Display for Loss {
    /// `usertable.email: 1,204 non-NULL values`, `drops table notes: 37 rows`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let bound = if self.at_most { "at most " } else { "" };
        let n = thousands(self.count);
        let rows = format!("{bound}{n} row{}", plural(self.count));
        let values = format!("{bound}{n} non-NULL value{}", plural(self.count));
        match (&self.column, self.cause) {
            (Some(c), Cause::Overwrite) => write!(f, "overwrites {}.{c}: {values}", self.table),
            (Some(c), _) => write!(f, "{}.{c}: {values}", self.table),
            (None, Cause::DropTable) => write!(f, "drops table {}: {rows}", self.table),
            (None, Cause::Delete) => write!(f, "deletes from {}: {rows}", self.table),
            (None, _) => write!(f, "rebuilds {} without {rows} its copy leaves out", self.table),
        }
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `1204` as `1,204`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn losses_read_as_counts_per_table_and_column() {
        let loss = |column: Option<&str>, count, cause| Loss { table: "usertable".into(), column: column.map(String::from), count, at_most: false, cause };
        assert_eq!(loss(Some("email"), 1204, Cause::DropColumn).to_string(), "usertable.email: 1,204 non-NULL values");
        assert_eq!(loss(None, 1, Cause::DropTable).to_string(), "drops table usertable: 1 row");
        assert_eq!(loss(None, 37, Cause::Delete).to_string(), "deletes from usertable: 37 rows");
        assert_eq!(loss(Some("email"), 2, Cause::Overwrite).to_string(), "overwrites usertable.email: 2 non-NULL values");
        let bound = Loss { at_most: true, ..loss(None, 3, Cause::NotCopied) };
        assert_eq!(bound.to_string(), "rebuilds usertable without at most 3 rows its copy leaves out");
        assert_eq!([thousands(0), thousands(999), thousands(1000), thousands(1234567)], ["0", "999", "1,000", "1,234,567"]);
    }

    #[test]
    fn risks_read_without_a_database_say_what_may_be_lost() {
        let copy = Risk::Copy { table: "t".into(), kept: Some(vec!["a".into(), "b".into()]), filter: Some("a > 0".into()) };
        assert_eq!(copy.describe(), "rebuilds table t by copying what mentions a, b; any other column loses its values, and only the rows where a > 0");
        let update = Risk::Update { table: "t".into(), alias: None, column: "c".into(), value: Some("1".into()), filter: None, joined: false };
        assert_eq!(update.describe(), "overwrites t.c");
        assert_eq!(Risk::Delete { table: "t".into(), filter: Some("x = 1".into()) }.describe(), "deletes rows of t where x = 1");
    }
}
