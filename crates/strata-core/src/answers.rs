//! Answers to the rename questions the diff asks. A [`RenameCandidate`] is answered yes by a
//! confirmed rename (`--rename`, a `-- @renamed from=` annotation, the playground's "Yes, a
//! rename"), which makes the next diff rename instead of asking again, and answered no by a
//! [`Decline`] (`--no-rename`, the playground's "No"), which keeps the drop and the add. While
//! a candidate has no answer, no revision may be written: a drop and an add of what was a
//! rename throws every value of the column away. Pure.

use serde::{Deserialize, Serialize};

use crate::diff::RenameCandidate;
use crate::diff::Rename;

/// "No, it really was dropped": the column (or table) a candidate would rename from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decline {
    Table {
        name: String,
    },
    /// `table` is the table's name in the model, as in [`Rename::Column`].
    Column {
        table: String,
        column: String,
    },
}

impl Decline {
    /// Parses the CLI form `TABLE.OLD` (a column) or `OLD` (a table), the left side of a
    /// `--rename` hint.
    pub fn parse(s: &str) -> Option<Decline> {
        let s = s.trim();
        if s.is_empty() || s.contains('=') {
            return None;
        }
        match s.split_once('.') {
            Some((table, column)) if !table.trim().is_empty() && !column.trim().is_empty() => {
                Some(Decline::Column { table: table.trim().into(), column: column.trim().into() })
            }
            Some(_) => None,
            None => Some(Decline::Table { name: s.into() }),
        }
    }

    /// The "no" to a candidate's question; `None` for an index (its rename carries no data,
    /// so the diff never asks about one).
    pub fn of(rename: &Rename) -> Option<Decline> {
        match rename {
            Rename::Table { from, .. } => Some(Decline::Table { name: from.clone() }),
            Rename::Column { table, from, .. } => Some(Decline::Column { table: table.clone(), column: from.clone() }),
            Rename::Index { .. } => None,
        }
    }

    /// Whether this answers the question about `rename`: it names the same old column (or
    /// table), whatever new name the question offers, since it says the old one was dropped.
    pub fn answers(&self, rename: &Rename) -> bool {
        match (self, rename) {
            (Decline::Table { name }, Rename::Table { from, .. }) => name.eq_ignore_ascii_case(from),
            (Decline::Column { table, column }, Rename::Column { table: t, from, .. }) => table.eq_ignore_ascii_case(t) && column.eq_ignore_ascii_case(from),
            _ => false,
        }
    }
}

impl std::fmt::Display for Decline {
    /// The CLI form, as [`Decline::parse`] reads it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Decline::Table { name } => write!(f, "{name}"),
            Decline::Column { table, column } => write!(f, "{table}.{column}"),
        }
    }
}

/// The CLI form of a confirmed rename, as [`Rename::parse_hint`] reads it: `TABLE.OLD=NEW` or
/// `OLD=NEW`; `None` for an index.
pub fn hint(rename: &Rename) -> Option<String> {
    match rename {
        Rename::Table { from, to } => Some(format!("{from}={to}")),
        Rename::Column { table, from, to } => Some(format!("{table}.{from}={to}")),
        Rename::Index { .. } => None,
    }
}

/// The candidates that still have no answer. Confirmed renames need no looking at here: the
/// diff that offered `candidates` already applied them, so it does not ask about them again.
pub fn unanswered<'a>(candidates: &'a [RenameCandidate], declined: &[Decline]) -> Vec<&'a RenameCandidate> {
    candidates.iter().filter(|c| !declined.iter().any(|d| d.answers(&c.rename))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::diff;
    use crate::testing::schema;

    #[test]
    fn the_decline_form_mirrors_the_rename_hint() {
        assert_eq!(Decline::parse("usertable.email"), Some(Decline::Column { table: "usertable".into(), column: "email".into() }));
        assert_eq!(Decline::parse(" notes "), Some(Decline::Table { name: "notes".into() }));
        for bad in ["", "a.", ".b", "a.b=c", "  "] {
            assert_eq!(Decline::parse(bad), None, "{bad:?}");
        }
        let rename = Rename::parse_hint("usertable.email=email_address").unwrap();
        assert_eq!(hint(&rename).as_deref(), Some("usertable.email=email_address"));
        let decline = Decline::of(&rename).unwrap();
        assert_eq!(decline.to_string(), "usertable.email");
        assert_eq!(Decline::parse(&decline.to_string()), Some(decline));
    }

    #[test]
    fn a_candidate_stays_unanswered_until_it_is_confirmed_or_declined() {
        let from = schema("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);");
        let to = schema("CREATE TABLE users (id INTEGER PRIMARY KEY, email_address TEXT, phone TEXT);");
        let asked = diff(&from, &to, &[]);
        // email could have become either new column: both questions are about email.
        assert_eq!(asked.rename_candidates.len(), 2);
        assert_eq!(unanswered(&asked.rename_candidates, &[]).len(), 2);
        // No: one answer covers every question about the dropped column.
        assert!(unanswered(&asked.rename_candidates, &[Decline::parse("USERS.Email").unwrap()]).is_empty());
        // A no about another column or a table of that name answers nothing.
        assert_eq!(unanswered(&asked.rename_candidates, &[Decline::parse("users.phone").unwrap(), Decline::parse("email").unwrap()]).len(), 2);
        // Yes: the confirmed rename is applied, so nothing is asked any more.
        let confirmed = diff(&from, &to, &[Rename::parse_hint("users.email=email_address").unwrap()]);
        assert!(unanswered(&confirmed.rename_candidates, &[]).is_empty());
        let tables = diff(&from, &schema("CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT);"), &[]);
        assert_eq!(unanswered(&tables.rename_candidates, &[]).len(), 1);
        assert!(unanswered(&tables.rename_candidates, &[Decline::parse("users").unwrap()]).is_empty());
    }
}
