//! A teacher's own exercise as one value, and the link that carries it: where the learner
//! starts (a whole [`Project`], as a share link carries one), the goal schema (SQL), optional
//! row checks (a read-only query with its expected result) and a short markdown text.
//!
//! A learner who opens the link gets what a built-in lesson gives: the text, the goal drawn
//! beside the live diagram, and checks of "done" (`Exercise::conditions`, beside the
//! conditions in `playground::lesson_steps`, which this module does not reach): the live schema is
//! the goal's, reached through revisions (nothing changed outside one), and every row check
//! gives its expected rows. Everything here is pure; what needs SQLite (the goal parsed, the
//! start built and compared with it, the checks evaluated) is strata-engine's
//! `workspace/exercise.rs`.
//!
//! A link is refused whole, naming what is wrong, before anything is replaced: damaged or cut
//! short, past [`SHARE_LIMIT`] when unpacked (a decompression bomb), another format, a text that
//! holds anything the lessons' markdown filter would drop (raw HTML, a `javascript:` link, an
//! image), a goal or start past the model limits, or a row check that is not one statement that
//! only reads (as strata's statement classifier reads it; the engine also asks SQLite itself,
//! `sqlite3_stmt_readonly`, before it runs one).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use miniz_oxide::inflate::TINFLStatus;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::markdown;
use crate::project::{check_model_size, without_position, Project, ProjectError, SHARE_LIMIT};
use crate::statement::{self, Verb};

/// The only exercise format this playground writes and reads.
pub const FORMAT: &str = "strata-exercise/1";

/// What an exercise link's fragment starts with.
pub const PREFIX: &str = "#exercise=";

/// How the dialog that makes an exercise shows a row check's line, as an example.
pub const CHECK_EXAMPLE: &str = "SELECT count(*) FROM users => 4";

/// The most characters a title may have: it is a heading, not a text.
pub const TITLE_LIMIT: usize = 120;

/// The most bytes the markdown text may have: a few screens of the lesson panel.
pub const TEXT_LIMIT: usize = 16 << 10;

/// The most row checks an exercise may have, and the most bytes each query may have.
pub const CHECKS_LIMIT: usize = 20;
pub const CHECK_SQL_LIMIT: usize = 2 << 10;

/// The most cells an expected result may hold: a check compares a few rows, not a table.
pub const EXPECT_CELLS_LIMIT: usize = 200;

/// One exercise, as its link carries it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Exercise {
    /// Always [`FORMAT`].
    pub format: String,
    pub title: String,
    /// Markdown, shown as a lesson's text.
    pub text: String,
    /// The schema the learner must reach, as SQL DDL (the model editor's SQL front-end reads it).
    pub goal: String,
    #[serde(default)]
    pub checks: Vec<RowCheck>,
    /// Where the learner starts: model, revisions, what is applied, rows.
    pub start: Project,
}

/// A read-only query and the rows it must give once the exercise is done, each cell as the
/// playground's grids show it (`NULL`, `4`, `ada@example.com`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowCheck {
    pub sql: String,
    pub expect: Vec<Vec<String>>,
}

/// A row check as a teacher writes it on one line (`SELECT count(*) FROM users => 4`): the
/// expected rows are `None` when the line has no `=>`, meaning "what it gives now".
#[derive(Clone, Debug, PartialEq)]
pub struct CheckLine {
    pub sql: String,
    pub expect: Option<Vec<Vec<String>>>,
}

/// Why an exercise (its link, or what a teacher asked to make) was refused. Every message says
/// that nothing was changed: an exercise is checked whole before anything is replaced.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ExerciseError {
    #[error("the exercise link is damaged or cut short ({message}); ask its author for the link again; nothing was changed")]
    Link { message: String },
    #[error("the exercise link is too large: it unpacks to more than {} MiB, more than an exercise may hold; nothing was changed", limit >> 20)]
    TooLarge { limit: usize },
    #[error("the exercise is not valid JSON at line {line}, column {column} ({message}); nothing was changed")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("the exercise has format {found:?}, but this playground reads only {FORMAT:?}; nothing was changed")]
    Format { found: String },
    #[error("the exercise does not have the expected fields ({message}); nothing was changed")]
    Shape { message: String },
    #[error("the exercise needs a title of 1 to {TITLE_LIMIT} characters (it has {chars}); nothing was changed")]
    Title { chars: usize },
    #[error("the exercise's text is too long ({bytes} bytes; at most {TEXT_LIMIT}): shorten it; nothing was changed")]
    TextTooLong { bytes: usize },
    /// Something the lessons' markdown filter would drop: the learner would not read what the
    /// author wrote, and a text that tries it is a trick more often than a mistake.
    #[error("the exercise's text holds {what}, which the playground does not show (only text, code and http(s) links): remove it; nothing was changed")]
    Unsafe { what: String },
    #[error("the exercise has no goal schema: write the goal in the model editor first; nothing was changed")]
    NoGoal,
    #[error("the exercise's goal is too large: {0}")]
    GoalTooLarge(ProjectError),
    #[error("the exercise's starting project is refused: {0}")]
    Start(ProjectError),
    #[error("the exercise has {count} row checks; it may have at most {CHECKS_LIMIT}; nothing was changed")]
    TooManyChecks { count: usize },
    #[error("row check {number} {problem}; nothing was changed")]
    Check { number: usize, problem: String },
    /// A query that would change the database: row checks only read.
    #[error("row check {number} is {verb} statement, and a row check may only read (one SELECT); nothing was changed")]
    CheckWrites { number: usize, verb: String },
}

impl Exercise {
    /// The exercise's short name: the first 12 hex digits of the SHA-256 of its JSON. Progress
    /// is kept under it, so two different exercises never share a "done".
    pub fn id(&self) -> String {
        let json =
            serde_json::to_vec(self).expect("an exercise is plain data and always serializes");
        Sha256::digest(&json)
            .iter()
            .take(6)
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The slug the playground's lesson panel knows the exercise by.
    pub fn slug(&self) -> String {
        format!("exercise-{}", self.id())
    }

    /// Checks everything that can be checked without SQLite: [`Exercise::check_data`] and
    /// [`Exercise::check_text`].
    pub fn validate(&self) -> Result<(), ExerciseError> {
        self.check_data()?;
        self.check_text()
    }

    /// The text holds nothing the lessons' markdown filter would drop. The page checks it (it
    /// renders the text); the worker, which never renders it, does not need the filter.
    pub fn check_text(&self) -> Result<(), ExerciseError> {
        match markdown::first_dropped(&self.text) {
            Some(what) => Err(ExerciseError::Unsafe { what }),
            None => Ok(()),
        }
    }

    /// The format, the sizes, the goal's size, the starting project (its revisions, graph and
    /// target, as a share link's), and the row checks (one statement each that only reads, an
    /// expected result of bounded size).
    pub fn check_data(&self) -> Result<(), ExerciseError> {
        if self.format != FORMAT {
            return Err(ExerciseError::Format {
                found: self.format.clone(),
            });
        }
        let chars = self.title.trim().chars().count();
        if chars == 0 || chars > TITLE_LIMIT {
            return Err(ExerciseError::Title { chars });
        }
        if self.text.len() > TEXT_LIMIT {
            return Err(ExerciseError::TextTooLong {
                bytes: self.text.len(),
            });
        }
        if self.goal.trim().is_empty() {
            return Err(ExerciseError::NoGoal);
        }
        check_model_size(&self.goal).map_err(ExerciseError::GoalTooLarge)?;
        check_model_size(&self.start.model).map_err(ExerciseError::Start)?;
        self.start.graph().map_err(ExerciseError::Start)?;
        if self.checks.len() > CHECKS_LIMIT {
            return Err(ExerciseError::TooManyChecks {
                count: self.checks.len(),
            });
        }
        for (i, check) in self.checks.iter().enumerate() {
            check_query(i + 1, &check.sql)?;
            let cells: usize = check.expect.iter().map(Vec::len).sum();
            if cells > EXPECT_CELLS_LIMIT {
                return Err(ExerciseError::Check {
                    number: i + 1,
                    problem: format!(
                        "expects {cells} values; a check may compare at most {EXPECT_CELLS_LIMIT}"
                    ),
                });
            }
        }
        Ok(())
    }

    /// The exercise as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an exercise is plain data and always serializes")
    }

    /// Reads and validates an exercise's JSON.
    pub fn from_json(text: &str) -> Result<Exercise, ExerciseError> {
        let exercise = Exercise::read_json(text)?;
        exercise.validate()?;
        Ok(exercise)
    }

    /// Reads an exercise's JSON (its format and fields) without checking what it holds. The
    /// playground's page reads links with it and checks the text itself (`check_text`), while
    /// the worker checks the rest (`check_data`) before it replaces anything: the page's
    /// module then carries no statement classifier, which it would otherwise hold only for this.
    pub fn read_json(text: &str) -> Result<Exercise, ExerciseError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ExerciseError::Json {
                line: e.line(),
                column: e.column(),
                message: without_position(&e),
            })?;
        match value.get("format") {
            Some(serde_json::Value::String(found)) if found == FORMAT => {}
            other => {
                return Err(ExerciseError::Format {
                    found: other.map_or_else(
                        || "none".to_owned(),
                        |f| f.as_str().map_or_else(|| f.to_string(), str::to_owned),
                    ),
                })
            }
        }
        serde_json::from_value(value).map_err(|e| ExerciseError::Shape {
            message: e.to_string(),
        })
    }

    /// The URL fragment that carries this exercise: `#exercise=` and the zlib-compressed JSON in
    /// URL-safe base64, packed as a project's share link is.
    pub fn share_fragment(&self) -> String {
        let packed = miniz_oxide::deflate::compress_to_vec_zlib(self.to_json().as_bytes(), 9);
        format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(packed))
    }

    /// The whole link: `base` (the playground's address, without a fragment) and the fragment.
    pub fn share_url(&self, base: &str) -> String {
        let base = base.split('#').next().unwrap_or_default();
        format!("{base}{}", self.share_fragment())
    }

    /// Reads an exercise link, its fragment (with or without `#`), and validates it.
    pub fn from_fragment(fragment: &str) -> Result<Exercise, ExerciseError> {
        let exercise = Exercise::unpack(fragment)?;
        exercise.validate()?;
        Ok(exercise)
    }

    /// Reads an exercise link without checking what it holds (see [`Exercise::read_json`]):
    /// a damaged link, one past [`SHARE_LIMIT`] unpacked, and JSON of another kind are refused.
    pub fn unpack(fragment: &str) -> Result<Exercise, ExerciseError> {
        let link = |message: &str| ExerciseError::Link {
            message: message.to_owned(),
        };
        let encoded = fragment
            .find("exercise=")
            .map(|at| &fragment[at + "exercise=".len()..])
            .ok_or_else(|| link("it has no exercise= part"))?;
        let packed = URL_SAFE_NO_PAD
            .decode(encoded.trim().trim_end_matches('='))
            .map_err(|_| link("it is not base64url text"))?;
        let json = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&packed, SHARE_LIMIT)
            .map_err(|e| match e.status {
                TINFLStatus::HasMoreOutput => ExerciseError::TooLarge { limit: SHARE_LIMIT },
                TINFLStatus::FailedCannotMakeProgress => link("its compressed data ends too early"),
                TINFLStatus::Adler32Mismatch => {
                    link("its checksum does not match what it unpacks to")
                }
                _ => link("its compressed data is not valid"),
            })?;
        let text = String::from_utf8(json).map_err(|_| link("it does not unpack to UTF-8 text"))?;
        Exercise::read_json(&text)
    }
}

/// Refuses a row check's query unless it is one statement that only reads: a SELECT (after any
/// WITH) or VALUES, as strata's statement classifier reads it, never by matching words.
pub fn check_query(number: usize, sql: &str) -> Result<(), ExerciseError> {
    if sql.len() > CHECK_SQL_LIMIT {
        return Err(ExerciseError::Check {
            number,
            problem: format!(
                "is {} bytes long; a query may have at most {CHECK_SQL_LIMIT}",
                sql.len()
            ),
        });
    }
    let statements = crate::sql::split_statements(sql);
    let [only] = statements.as_slice() else {
        return Err(ExerciseError::Check {
            number,
            problem: format!(
                "holds {} statements; a row check is exactly one query",
                statements.len()
            ),
        });
    };
    match statement::classify(&only.text).verb {
        Verb::Select | Verb::Values => Ok(()),
        verb => Err(ExerciseError::CheckWrites {
            number,
            verb: article(verb),
        }),
    }
}

/// "a DELETE", "an UPDATE", "a PRAGMA", … for the message of a check that writes.
fn article(verb: Verb) -> String {
    let word = match verb {
        Verb::Other => return "not a query: it is an unknown".to_owned(),
        other => format!("{other:?}").to_ascii_uppercase(),
    };
    let an = word.starts_with(['A', 'E', 'I', 'O', 'U']);
    format!("{} {word}", if an { "an" } else { "a" })
}

/// Reads the row checks a teacher wrote, one per line: `QUERY => EXPECTED`, where EXPECTED is
/// the rows separated by `;`, each row's values by `,` (`SELECT id, name FROM users => 1, Ada;
/// 2, Grace`). Without `=>` the check expects what the query gives on the database as it is
/// now (rows that must be kept), which the engine fills in. Blank lines are skipped.
pub fn parse_check_lines(text: &str) -> Result<Vec<CheckLine>, ExerciseError> {
    let mut lines = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let number = lines.len() + 1;
        let (sql, expect) = match line.rsplit_once("=>") {
            Some((sql, expect)) => (sql.trim(), Some(parse_rows(expect))),
            None => (line, None),
        };
        let sql = sql.trim_end_matches(';').trim().to_owned();
        check_query(number, &sql)?;
        lines.push(CheckLine { sql, expect });
    }
    if lines.len() > CHECKS_LIMIT {
        return Err(ExerciseError::TooManyChecks { count: lines.len() });
    }
    Ok(lines)
}

fn parse_rows(text: &str) -> Vec<Vec<String>> {
    let text = text.trim();
    if text.is_empty() {
        return Vec::new();
    }
    text.split(';')
        .map(|row| row.split(',').map(|cell| cell.trim().to_owned()).collect())
        .collect()
}

/// Rows as a check's sentence writes them: `4`, `1, Ada; 2, Grace`, or `no rows`.
pub fn show_rows(rows: &[Vec<String>]) -> String {
    if rows.is_empty() {
        return "no rows".to_owned();
    }
    rows.iter()
        .map(|row| row.join(", "))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
#[path = "exercise_tests.rs"]
mod tests;
