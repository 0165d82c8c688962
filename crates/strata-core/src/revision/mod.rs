//! Revisions: one migration step written as plain SQL a reviewer can read in a pull request, and
//! the graph (DAG) that revisions form through their parents. Pure: no I/O, no clock.
//!
//! A revision file looks like this:
//!
//! ```text
//! -- strata revision
//! -- id: 3f2a1b9c0d11
//! -- parents: 1a2b3c4d5e6f
//! -- message: add phone to users
//! -- created: 2026-11-26T15:41:31Z
//!
//! -- +up
//! ALTER TABLE "users" ADD COLUMN "phone" TEXT;
//!
//! -- +down
//! ALTER TABLE "users" DROP COLUMN "phone";
//! ```
//!
//! A section marker may carry options after its name:
//! - `foreign_keys=off` when its statements drop or rebuild tables (the runner then switches
//!   foreign keys off outside the transaction and checks them before commit);
//! - `no-transaction` when its statements must commit one by one (a batched backfill of a large
//!   table): the version row is then written only after the last statement, and the revision is
//!   shown as not atomic;
//! - `data-loss=accepted` when its author accepted, when writing it, that this direction throws
//!   data away, so that a reviewed revision can run without `--allow-data-loss`.
//!
//! A line that starts inside a string literal, a quoted name or a block comment is SQL, never a
//! marker (the tokenizer decides), so every revision strata writes reads back as written.
//!
//! Inside a `no-transaction` section, a comment line `-- @repeat` just above an `INSERT`,
//! `UPDATE` or `DELETE` makes strata run that statement again and again, each run in its own
//! transaction, until a run changes no rows: the batched backfill
//! (`UPDATE t SET c = … WHERE rowid IN (SELECT rowid FROM t WHERE c IS NULL LIMIT 1000)`).
//!
//! **Generated or hand-written.** `revision --autogenerate` (and the playground's Save revision)
//! adds a header line `-- generated: D`, where `D` is [`sql_digest`] of the up and down SQL it
//! wrote. strata treats a revision's SQL as its own only while that line is there and `D` still
//! matches both sections; a revision without the line, or whose SQL was edited since, is
//! hand-written, and the runner checks the database with `PRAGMA quick_check` before it commits
//! hand-written SQL. The line is a label, not a signature: it records where the SQL came from so
//! that review (and the extra check) can tell.
//!
//! The checksum covers the whole file with line endings normalised, so a checkout that turns LF
//! into CRLF changes nothing while any other edit is noticed.
//!
//! The parts: the value and its ids here, `file` (the file format), `graph` (the graph of
//! revisions) and `target` (targets and the paths to them).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

mod file;
mod graph;
mod target;
#[cfg(test)]
mod tests;

pub use graph::Graph;
pub use target::Target;
use file::tidy;

/// One revision: its place in the graph, what it is for, and its SQL both ways.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub id: String,
    /// Empty for a base revision; two or more for a merge revision.
    pub parents: Vec<String>,
    pub message: String,
    /// Creation time as the caller formatted it (RFC 3339 UTC by convention).
    pub created: String,
    pub up: String,
    pub down: String,
    /// The options of the `-- +up` marker.
    pub up_options: SectionOptions,
    /// The options of the `-- +down` marker.
    pub down_options: SectionOptions,
    /// The `-- generated:` header: [`sql_digest`] of the SQL autogenerate wrote (see the module
    /// documentation); `None` for SQL a person wrote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<String>,
    /// SHA-256 (hex) of the file text with CRLF turned into LF.
    pub checksum: String,
    /// Where the sections sit in the file the revision was read from, for messages.
    #[serde(skip)]
    source: SourceLines,
}

/// The lines of the file on which each section's marker and first SQL line sit, as read by
/// [`Revision::parse`]; zero when the revision was made in memory, whose file is its
/// [`Revision::render`]. Not part of what a revision is, so it never makes two revisions differ.
#[derive(Clone, Copy, Debug, Default)]
struct SourceLines {
    markers: [usize; 2],
    starts: [usize; 2],
}

impl PartialEq for SourceLines {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for SourceLines {}

/// One statement of a section: its SQL, a label for errors and progress (the comment line just
/// above it, or else its first line), the line of the file it starts on, and whether a
/// `-- @repeat` line above it asks for it to run until it changes no rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SectionStatement {
    pub sql: String,
    pub label: String,
    pub line: usize,
    pub repeat: bool,
}

/// The annotation that makes a statement of a `no-transaction` section run until it changes no
/// rows.
pub const REPEAT: &str = "-- @repeat";

/// What a section marker says about how its statements run (see the module documentation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionOptions {
    /// Run with `PRAGMA foreign_keys = OFF` (table rebuilds and drops need it).
    pub foreign_keys_off: bool,
    /// Each statement commits on its own; the version row follows the last one.
    pub no_transaction: bool,
    /// The author accepted, when the revision was written, that this direction loses data.
    pub accepts_data_loss: bool,
}

impl SectionOptions {
    /// The words after `-- +up` / `-- +down`, each with a leading space.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if self.foreign_keys_off {
            out.push_str(" foreign_keys=off");
        }
        if self.no_transaction {
            out.push_str(" no-transaction");
        }
        if self.accepts_data_loss {
            out.push_str(" data-loss=accepted");
        }
        out
    }

    /// Takes one word of a section marker; `false` when it is not an option.
    fn read(&mut self, word: &str) -> bool {
        match word {
            "foreign_keys=off" => self.foreign_keys_off = true,
            "foreign_keys=on" => self.foreign_keys_off = false,
            "no-transaction" => self.no_transaction = true,
            "data-loss=accepted" => self.accepts_data_loss = true,
            _ => return false,
        }
        true
    }
}

/// Which way a revision is applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Up,
    Down,
}

impl Direction {
    /// The other way.
    pub fn flip(self) -> Direction {
        match self {
            Direction::Up => Direction::Down,
            Direction::Down => Direction::Up,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RevisionError {
    /// A revision file does not follow the format.
    #[error("line {line}: {message}")]
    Format { line: usize, message: String },
    #[error("revision id `{id}` is used by more than one revision; give each revision its own id")]
    DuplicateId { id: String },
    #[error("revision {id} names parent {parent}, which no revision has; restore the parent's file or fix the `-- parents:` line")]
    UnknownParent { id: String, parent: String },
    #[error("revisions {ids} are their own ancestors; fix their `-- parents:` lines")]
    Cycle { ids: String },
    #[error("no revision matches `{spec}`")]
    UnknownRevision { spec: String },
    #[error("`{spec}` matches several revisions ({}); give more characters of the id", matches.join(", "))]
    Ambiguous { spec: String, matches: Vec<String> },
    #[error("there are {} heads ({}); join them with a merge revision first", heads.len(), heads.join(", "))]
    MultipleHeads { heads: Vec<String> },
    #[error("there are no revisions yet; write the first one")]
    NoRevisions,
    #[error("a merge joins at least two heads or branches; got {}", if ids.is_empty() { "none".to_string() } else { ids.join(", ") })]
    NothingToMerge { ids: Vec<String> },
    #[error("{ancestor} is already an ancestor of {of}; merge only revisions on different branches")]
    AlreadyMerged { ancestor: String, of: String },
    #[error("`{spec}` asks for {wanted} revisions but only {available} can be {verb}")]
    OutOfRange { spec: String, wanted: usize, available: usize, verb: &'static str },
    #[error("revision {id} is not applied, so the database cannot be downgraded to it; upgrade to it instead")]
    NotApplied { id: String },
    #[error("`{spec}` is not a target for {verb}")]
    BadTarget { spec: String, verb: &'static str },
    /// A revision whose file would not read back as the same revision.
    #[error("revision {id} cannot be written as a file strata reads back: {problem}; nothing was written")]
    Unreadable { id: String, problem: String },
    #[error("invalid revision id `{id}`: use letters, digits, `_`, `-` and `.` only, not starting with `+` or `-`, and not head, heads or base")]
    BadId { id: String },
}

/// The digest autogenerate records in the `-- generated:` header: SHA-256 of the up and down SQL
/// (line endings normalised), shortened to 16 hex digits, which is plenty to notice an edit.
pub fn sql_digest(up: &str, down: &str) -> String {
    let mut h = Sha256::new();
    h.update(up.replace("\r\n", "\n").as_bytes());
    h.update(b"\0-- +down\0");
    h.update(down.replace("\r\n", "\n").as_bytes());
    format!("{:x}", h.finalize())[..16].to_string()
}

/// The checksum of a revision file: SHA-256 of its text with CRLF line endings (and a leading
/// byte-order mark) removed, so the same file checked out on Windows and on Linux agrees.
pub fn checksum(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut h = Sha256::new();
    h.update(text.replace("\r\n", "\n").as_bytes());
    format!("{:x}", h.finalize())
}

/// Whether `id` can be written in a file header and a file name, and cannot be mistaken for a
/// target (`head`, `heads`, `base`, `+N`, `-N`).
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && !matches!(id, "head" | "heads" | "base")
        && !id.starts_with(['+', '-'])
        && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// A fresh 12-hex-digit id derived from `seed` (the caller passes something unique, such as the
/// creation time with nanoseconds and the parents), so the core needs no random source.
pub fn derive_id(seed: &str) -> String {
    let mut h = Sha256::new();
    h.update(seed.as_bytes());
    format!("{:x}", h.finalize())[..12].to_string()
}

/// A file-name friendly form of a message: lower case words joined by `_`, at most 40 bytes.
pub fn slug(message: &str) -> String {
    let mut out = String::new();
    for word in message.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        if out.len() + word.len() + 1 > 40 {
            break;
        }
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(&word.to_ascii_lowercase());
    }
    out
}

impl Revision {
    /// A new revision; its checksum is that of its rendered file.
    pub fn new(id: &str, parents: Vec<String>, message: &str, created: &str, up: &str, down: &str) -> Revision {
        let mut r = Revision {
            id: id.to_string(),
            parents,
            message: message.lines().next().unwrap_or("").trim().to_string(),
            created: created.to_string(),
            up: tidy(up),
            down: tidy(down),
            up_options: SectionOptions::default(),
            down_options: SectionOptions::default(),
            generated: None,
            checksum: String::new(),
            source: SourceLines::default(),
        };
        r.checksum = checksum(&r.render());
        r
    }

    /// The same revision under another id, keeping the checksum current.
    pub fn with_id(mut self, id: &str) -> Revision {
        self.id = id.to_string();
        self.source = SourceLines::default();
        self.checksum = checksum(&self.render());
        self
    }

    /// Records that strata generated this SQL (the `-- generated:` header), keeping the
    /// checksum current. Only autogenerate calls it.
    pub fn mark_generated(mut self) -> Revision {
        self.generated = Some(sql_digest(&self.up, &self.down));
        self.source = SourceLines::default();
        self.checksum = checksum(&self.render());
        self
    }

    /// Whether the SQL is strata's own, unedited: the `-- generated:` digest matches both
    /// sections. Everything else is hand-written and gets `PRAGMA quick_check` before commit.
    pub fn is_generated(&self) -> bool {
        self.generated.as_deref() == Some(sql_digest(&self.up, &self.down).as_str())
    }

    /// Whether both directions run in one transaction each (neither section is marked
    /// `no-transaction`).
    pub fn is_atomic(&self) -> bool {
        !self.up_options.no_transaction && !self.down_options.no_transaction
    }

    /// Sets whether each direction runs with foreign keys off, keeping the checksum current.
    pub fn with_foreign_keys_off(mut self, up: bool, down: bool) -> Revision {
        self.up_options.foreign_keys_off = up;
        self.down_options.foreign_keys_off = down;
        self.source = SourceLines::default();
        self.checksum = checksum(&self.render());
        self
    }

    /// Sets one direction's section options, keeping the checksum current.
    pub fn with_options(mut self, dir: Direction, options: SectionOptions) -> Revision {
        match dir {
            Direction::Up => self.up_options = options,
            Direction::Down => self.down_options = options,
        }
        self.source = SourceLines::default();
        self.checksum = checksum(&self.render());
        self
    }

    /// The file name the CLI stores the revision under.
    pub fn file_name(&self) -> String {
        let s = slug(&self.message);
        if s.is_empty() {
            format!("{}.sql", self.id)
        } else {
            format!("{}_{}.sql", self.id, s)
        }
    }

    pub fn is_merge(&self) -> bool {
        self.parents.len() > 1
    }

    pub fn sql(&self, dir: Direction) -> &str {
        match dir {
            Direction::Up => &self.up,
            Direction::Down => &self.down,
        }
    }

    /// The options of one direction's section marker.
    pub fn options(&self, dir: Direction) -> SectionOptions {
        match dir {
            Direction::Up => self.up_options,
            Direction::Down => self.down_options,
        }
    }

    pub fn foreign_keys_off(&self, dir: Direction) -> bool {
        self.options(dir).foreign_keys_off
    }
}
