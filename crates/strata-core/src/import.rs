//! Import of the hand-written scheme many teams start from: a folder of numbered `NNN_name.sql`
//! files, each with an optional `NNN_name_rollback.sql` partner, applied in number order by a
//! shell script that also writes `schema_version` rows. Each pair becomes one revision in a
//! straight line. Pure: the CLI reads the folder and writes the revisions.
//!
//! strata runs every revision in its own transaction and writes the version row itself, so
//! `BEGIN`/`COMMIT` and the statements that touch the old version table are left out (each
//! removal is reported); everything else is kept as written, comments included. A statement a
//! revision may not contain ([`atomicity`](crate::atomicity): `VACUUM`, `ATTACH`, journal
//! pragmas, savepoints …) refuses the whole import, naming the file and its line.

use std::collections::BTreeMap;

use crate::revision::{Revision, RevisionError};
use crate::sql;
use crate::statement::{self, Object, Verb};

/// One file of the folder: its name (no directory) and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqlFile {
    pub name: String,
    pub text: String,
}

/// The revisions made from a folder, in order, and what the import changed or could not use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Imported {
    pub revisions: Vec<Revision>,
    /// What the import left out or filled in, one sentence each.
    pub notes: Vec<String>,
    /// What looks wrong with the folder itself; the import still went ahead.
    pub warnings: Vec<ImportWarning>,
}

/// Something about the folder a person should look at before applying the revisions.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImportWarning {
    /// The numbers jump: `first..=last` have no file between `after` and `before` (a migration
    /// lost, or never committed, that a database may have run).
    #[error("{} missing: the numbering jumps from {after} to {before}; if a migration was lost, find it before applying these revisions, and if the numbers were skipped on purpose, ignore this", missing(*first, *last, *digits))]
    Gap { first: u64, last: u64, digits: usize, after: String, before: String },
}

/// `003 is` or `003 to 005 are`, padded as the files are.
fn missing(first: u64, last: u64, digits: usize) -> String {
    if first == last {
        format!("{first:0digits$} is")
    } else {
        format!("{first:0digits$} to {last:0digits$} are")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    #[error("no numbered migration files (NNN_name.sql) found; nothing was imported")]
    Empty,
    #[error("{first} and {second} both have number {number}; give each migration its own number, nothing was imported")]
    DuplicateNumber { number: u64, first: String, second: String },
    #[error("{file} is a rollback without its migration {expected}; nothing was imported")]
    OrphanRollback { file: String, expected: String },
    #[error("{file} line {line}: `{statement}`: {reason}; a strata revision runs in one transaction, so remove it from the file (nothing was imported)")]
    BreaksTransaction { file: String, line: usize, statement: String, reason: String },
    #[error(transparent)]
    Revision(#[from] RevisionError),
}

/// Turns the folder's files into revisions. The first one builds on `parent` (the current head
/// when importing into a project that already has revisions); `created` stamps them all.
pub fn import(files: &[SqlFile], parent: Option<&str>, created: &str, version_table: &str) -> Result<Imported, ImportError> {
    let mut ups: BTreeMap<u64, (&str, &SqlFile)> = BTreeMap::new();
    let mut downs: BTreeMap<String, &SqlFile> = BTreeMap::new();
    let mut notes = Vec::new();
    // A file saved by a Windows editor may start with a byte-order mark; SQLite would not read it.
    let files: Vec<SqlFile> = files.iter().map(|f| SqlFile { name: f.name.clone(), text: f.text.strip_prefix('\u{feff}').unwrap_or(&f.text).to_string() }).collect();
    for f in &files {
        let Some(stem) = f.name.strip_suffix(".sql") else { continue };
        let Some((number, _)) = numbered(stem) else {
            notes.push(format!("{} skipped: its name does not start with a number and `_`", f.name));
            continue;
        };
        if let Some(base) = stem.strip_suffix("_rollback") {
            downs.insert(base.to_string(), f);
            continue;
        }
        if let Some((other, _)) = ups.insert(number, (stem, f)) {
            let (a, b) = if other < stem { (other, stem) } else { (stem, other) };
            return Err(ImportError::DuplicateNumber { number, first: format!("{a}.sql"), second: format!("{b}.sql") });
        }
    }
    for (base, f) in &downs {
        if !ups.values().any(|(stem, _)| stem == base) {
            return Err(ImportError::OrphanRollback { file: f.name.clone(), expected: format!("{base}.sql") });
        }
    }
    if ups.is_empty() {
        return Err(ImportError::Empty);
    }
    let mut warnings = Vec::new();
    for ((a, (after, _)), (b, (before, _))) in ups.iter().zip(ups.iter().skip(1)) {
        if b - a > 1 {
            let digits = before.split_once('_').map_or(0, |(n, _)| n.len());
            warnings.push(ImportWarning::Gap { first: a + 1, last: b - 1, digits, after: format!("{after}.sql"), before: format!("{before}.sql") });
        }
    }
    let mut revisions: Vec<Revision> = Vec::new();
    let mut prev = parent.map(str::to_string);
    for (stem, f) in ups.values() {
        let (up, up_fk) = clean(&f.name, &f.text, version_table, &mut notes)?;
        let (down, down_fk) = match downs.get(*stem) {
            Some(d) => clean(&d.name, &d.text, version_table, &mut notes)?,
            None => {
                notes.push(format!("{} has no rollback file: its down section is empty, so downgrading past it only removes its version row", f.name));
                (String::new(), false)
            }
        };
        let message = header(&f.text, "description").unwrap_or_else(|| numbered(stem).map(|(_, n)| n.replace('_', " ")).unwrap_or_default());
        let rev = Revision::new(stem, prev.iter().cloned().collect(), &message, created, &up, &down).with_foreign_keys_off(up_fk, down_fk);
        prev = Some(rev.id.clone());
        revisions.push(rev);
    }
    Ok(Imported { revisions, notes, warnings })
}

/// `("001", "initial_schema")` for `001_initial_schema`, as the number and the rest.
fn numbered(stem: &str) -> Option<(u64, &str)> {
    let (num, rest) = stem.split_once('_')?;
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((num.parse().ok()?, rest))
}

/// The value of a `-- Key: value` header line (case-insensitive key).
fn header(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let (k, v) = l.trim().strip_prefix("--")?.split_once(':')?;
        (k.trim().eq_ignore_ascii_case(key) && !v.trim().is_empty()).then(|| v.trim().to_string())
    })
}

/// The file's statements without transaction control, `PRAGMA foreign_keys` and version-table
/// bookkeeping, comments kept; and whether the revision should run with foreign keys off (it
/// switched them off itself, or drops tables). Fails on a statement no revision may contain.
fn clean(file: &str, text: &str, version_table: &str, notes: &mut Vec<String>) -> Result<(String, bool), ImportError> {
    let text = text.replace("\r\n", "\n");
    let mut out = String::new();
    let mut fk_off = false;
    let mut last = 0;
    for s in sql::split_statements(&text) {
        let c = statement::classify(&s.text);
        let names = |table: &str| c.name.as_ref().is_some_and(|n| n.is(table));
        let transaction = matches!(c.verb, Verb::Begin | Verb::Commit | Verb::Rollback);
        let pragma_fk = c.verb == Verb::Pragma && names("foreign_keys");
        let bookkeeping = (matches!(c.verb, Verb::Insert | Verb::Replace | Verb::Delete | Verb::Update) && names(version_table))
            || (c.verb == Verb::Create && c.object == Some(Object::Table) && names(version_table));
        // Keep the comments between the previous statement and this one.
        let gap = &text[last..s.start];
        let end = s.start + s.text.len();
        let after_semicolon = text[end..].find(';').filter(|i| text[end..end + i].trim().is_empty()).map_or(end, |i| end + i + 1);
        last = after_semicolon;
        out.push_str(gap.trim_start_matches(';'));
        if transaction || pragma_fk || bookkeeping {
            if pragma_fk {
                fk_off |= c.pragma_value.as_deref().is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "off" | "0" | "false" | "no"));
            }
            if !transaction {
                let first = s.text.lines().next().unwrap_or("").trim();
                notes.push(format!("{file}: left out `{first}` (strata {})", if pragma_fk { "switches foreign keys itself" } else { "keeps its own version table" }));
            }
            continue;
        }
        if let Some(reason) = crate::atomicity::refusal(&s.text, false, false) {
            let statement = s.text.lines().next().unwrap_or("").trim().to_string();
            return Err(ImportError::BreaksTransaction { file: file.to_string(), line: s.line, statement, reason });
        }
        if c.verb == Verb::Drop && c.object == Some(Object::Table) {
            fk_off = true;
        }
        out.push_str(&s.text);
        out.push(';');
    }
    out.push_str(&text[last..]);
    // Blank lines left where statements were removed are noise in a review.
    let mut tidy = String::new();
    let mut blank = 0;
    for line in out.lines() {
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        tidy.push_str(line.trim_end());
        tidy.push('\n');
    }
    Ok((tidy, fk_off))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> SqlFile {
        SqlFile { name: name.into(), text: text.into() }
    }

    #[test]
    fn pairs_numbered_files_and_strips_bookkeeping() {
        let files = vec![
            file("002_add_user_phone.sql", "-- Migration: 002_add_user_phone\n-- Description: Add phone and address fields to users\nBEGIN;\n\n-- Add new columns\nALTER TABLE usertable ADD COLUMN phone VARCHAR(20);\n\n-- Record schema version\nINSERT INTO schema_version (version, description)\nVALUES ('1.1.0', 'Add phone');\nCOMMIT;\n"),
            file("002_add_user_phone_rollback.sql", "BEGIN;\nALTER TABLE usertable DROP COLUMN phone;\nDELETE FROM schema_version WHERE version = '1.1.0';\nCOMMIT;"),
            file("001_initial_schema.sql", "BEGIN;\nCREATE TABLE usertable (id TEXT PRIMARY KEY);\nCOMMIT;\n"),
            file("README.md", "notes"),
        ];
        let got = import(&files, None, "2026-01-01T00:00:00Z", "schema_version").unwrap();
        let ids: Vec<_> = got.revisions.iter().map(|r| (r.id.as_str(), r.parents.clone(), r.message.as_str())).collect();
        assert_eq!(
            ids,
            vec![
                ("001_initial_schema", vec![], "initial schema"),
                ("002_add_user_phone", vec!["001_initial_schema".to_string()], "Add phone and address fields to users"),
            ]
        );
        expect_test::expect![[r#"
            -- Migration: 002_add_user_phone
            -- Description: Add phone and address fields to users

            -- Add new columns
            ALTER TABLE usertable ADD COLUMN phone VARCHAR(20);

            -- Record schema version
        "#]]
        .assert_eq(&got.revisions[1].up);
        assert_eq!(got.revisions[1].down, "ALTER TABLE usertable DROP COLUMN phone;\n");
        assert_eq!(
            got.notes,
            [
                "001_initial_schema.sql has no rollback file: its down section is empty, so downgrading past it only removes its version row",
                "002_add_user_phone.sql: left out `INSERT INTO schema_version (version, description)` (strata keeps its own version table)",
                "002_add_user_phone_rollback.sql: left out `DELETE FROM schema_version WHERE version = '1.1.0'` (strata keeps its own version table)",
            ]
        );
    }

    #[test]
    fn gaps_in_the_numbering_are_warned_about_and_the_import_goes_on() {
        let files = [file("001_a.sql", "SELECT 1;"), file("002_b.sql", "SELECT 2;"), file("004_d.sql", "SELECT 4;"), file("009_i.sql", "SELECT 9;")];
        let got = import(&files, None, "", "schema_version").unwrap();
        assert_eq!(got.revisions.len(), 4);
        let text: Vec<String> = got.warnings.iter().map(|w| w.to_string()).collect();
        assert_eq!(text.len(), 2, "{text:?}");
        assert!(text[0].starts_with("003 is missing: the numbering jumps from 002_b.sql to 004_d.sql;"), "{}", text[0]);
        assert!(text[1].starts_with("005 to 008 are missing: the numbering jumps from 004_d.sql to 009_i.sql;"), "{}", text[1]);
        let whole = import(&files[..2], None, "", "schema_version").unwrap();
        assert!(whole.warnings.is_empty(), "{:?}", whole.warnings);
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_sql() {
        let got = import(&[file("001_a.sql", "\u{feff}-- Description: with a mark\nCREATE TABLE t (x);\n")], None, "", "schema_version").unwrap();
        assert_eq!(got.revisions[0].message, "with a mark");
        assert!(got.revisions[0].up.starts_with("-- Description"), "{:?}", got.revisions[0].up);
    }

    #[test]
    fn refuses_duplicates_and_orphans() {
        let dup = import(&[file("1_a.sql", ""), file("01_b.sql", "")], None, "", "schema_version").unwrap_err();
        assert_eq!(dup, ImportError::DuplicateNumber { number: 1, first: "01_b.sql".into(), second: "1_a.sql".into() });
        let orphan = import(&[file("1_a.sql", ""), file("2_b_rollback.sql", "")], None, "", "schema_version").unwrap_err();
        assert!(matches!(orphan, ImportError::OrphanRollback { .. }));
        assert_eq!(import(&[], None, "", "schema_version").unwrap_err(), ImportError::Empty);
    }

    #[test]
    fn refuses_statements_a_revision_may_not_contain_with_file_and_line() {
        let files = [file("001_init.sql", "BEGIN;\nCREATE TABLE t (x);\nCOMMIT;\n"), file("002_tune.sql", "-- speed\nCREATE INDEX i ON t (x);\n\nPRAGMA journal_mode = WAL;\n")];
        let e = import(&files, None, "", "schema_version").unwrap_err();
        assert_eq!(e.to_string(), "002_tune.sql line 4: `PRAGMA journal_mode = WAL`: this pragma changes how the whole database file is written, not the schema; a strata revision runs in one transaction, so remove it from the file (nothing was imported)");
        let e = import(&[file("001_a_rollback.sql", "VACUUM;"), file("001_a.sql", "SELECT 1;")], None, "", "schema_version").unwrap_err();
        assert!(matches!(e, ImportError::BreaksTransaction { ref file, line: 1, .. } if file == "001_a_rollback.sql"), "{e}");
    }
}
