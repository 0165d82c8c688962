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

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::sql::{self, TokenKind};

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

    /// The file text: header comment lines, then the `-- +up` and `-- +down` sections.
    pub fn render(&self) -> String {
        let marker = |name: &str, options: SectionOptions| format!("-- +{name}{}\n", options.render());
        let mut out = String::from("-- strata revision\n");
        out.push_str(&format!("-- id: {}\n", self.id));
        out.push_str(&format!("-- parents: {}\n", self.parents.join(", ")).replace(": \n", ":\n"));
        out.push_str(&format!("-- message: {}\n", self.message).replace(": \n", ":\n"));
        out.push_str(&format!("-- created: {}\n", self.created).replace(": \n", ":\n"));
        if let Some(digest) = &self.generated {
            out.push_str(&format!("-- generated: {digest}\n"));
        }
        out.push('\n');
        out.push_str(&marker("up", self.up_options));
        out.push_str(&self.up);
        out.push('\n');
        out.push_str(&marker("down", self.down_options));
        out.push_str(&self.down);
        out
    }

    /// The file text, checked to read back as this very revision: what strata writes, strata
    /// can read. The error names what would change, and the caller writes nothing.
    pub fn to_file(&self) -> Result<String, RevisionError> {
        let text = self.render();
        let problem = match Revision::parse(&text) {
            Ok(back) if back == *self => return Ok(text),
            Ok(back) => {
                let field = if back.up != self.up || back.down != self.down {
                    let marker = [(&self.up, "up"), (&self.down, "down")].into_iter().find_map(|(sql, dir)| {
                        let within = Within::of(sql);
                        sql.lines().enumerate().find(|(i, l)| is_marker(l) && !within.starts_inside(i + 1)).map(|(_, l)| format!("a line of its {dir} SQL, `{}`, reads as a section marker; reword that comment", l.trim()))
                    });
                    marker.unwrap_or_else(|| "its SQL changes when read back".into())
                } else if back.parents != self.parents {
                    "its parents change when read back".into()
                } else if back.message != self.message || back.created != self.created {
                    "its message or creation time spans lines".into()
                } else {
                    "its section options change when read back".into()
                };
                field
            }
            Err(e) => e.to_string(),
        };
        Err(RevisionError::Unreadable { id: self.id.clone(), problem })
    }

    /// Reads a revision file. Errors carry the line they concern.
    pub fn parse(text: &str) -> Result<Revision, RevisionError> {
        let body = text.strip_prefix('\u{feff}').unwrap_or(text).replace("\r\n", "\n");
        let err = |line: usize, message: String| RevisionError::Format { line, message };
        let mut id = None;
        let mut parents = Vec::new();
        let mut message = String::new();
        let mut created = String::new();
        // Which section the current line belongs to: None = header.
        let mut section: Option<Direction> = None;
        let mut up = String::new();
        let mut down = String::new();
        let mut options = [SectionOptions::default(); 2];
        let mut seen = [false, false];
        // A line that starts inside a string, quoted name or block comment is SQL text, however
        // much it looks like a marker: `'...\n-- +down\n...'` is a value, not a section.
        let within = Within::of(&body);
        let mut generated = None;
        let mut source = SourceLines::default();
        for (i, line) in body.lines().enumerate() {
            let n = i + 1;
            let trimmed = line.trim();
            if let Some(rest) = trimmed.strip_prefix("-- +").filter(|_| !within.starts_inside(n)) {
                let mut words = rest.split_whitespace();
                let dir = match words.next() {
                    Some("up") => Direction::Up,
                    Some("down") => Direction::Down,
                    // Inside a section, any other `-- +...` line is the SQL's own comment (a
                    // view's "-- +1 day grace" note); only in the header is it a mistyped marker.
                    _ if section.is_some() => {
                        let sql = if section == Some(Direction::Up) { &mut up } else { &mut down };
                        sql.push_str(line);
                        sql.push('\n');
                        continue;
                    }
                    other => return Err(err(n, format!("unknown section marker `-- +{}`; use `-- +up` or `-- +down`", other.unwrap_or("")))),
                };
                let k = dir as usize;
                if seen[k] {
                    return Err(err(n, format!("a second `-- +{}` section", rest.trim())));
                }
                if dir == Direction::Up && seen[1] {
                    return Err(err(n, "the `-- +up` section must come before `-- +down`".into()));
                }
                for w in words {
                    if !options[k].read(w) {
                        return Err(err(n, format!("unknown section option `{w}`; the options are foreign_keys=off, no-transaction and data-loss=accepted")));
                    }
                }
                seen[k] = true;
                source.markers[k] = n;
                section = Some(dir);
                continue;
            }
            match section {
                Some(Direction::Up) => {
                    up.push_str(line);
                    up.push('\n');
                }
                Some(Direction::Down) => {
                    down.push_str(line);
                    down.push('\n');
                }
                None => {
                    if trimmed.is_empty() {
                        continue;
                    }
                    let Some(comment) = trimmed.strip_prefix("--") else {
                        return Err(err(n, "SQL before the `-- +up` marker; put statements in the `-- +up` or `-- +down` section".into()));
                    };
                    let Some((key, value)) = comment.split_once(':') else { continue };
                    let value = value.trim();
                    match key.trim() {
                        "id" => {
                            if !valid_id(value) {
                                return Err(err(n, RevisionError::BadId { id: value.into() }.to_string()));
                            }
                            id = Some(value.to_string());
                        }
                        "parents" | "parent" => {
                            parents = value.split(|c: char| c == ',' || c.is_whitespace()).filter(|p| !p.is_empty()).map(str::to_string).collect();
                        }
                        "message" => message = value.to_string(),
                        "created" => created = value.to_string(),
                        "generated" => generated = Some(value.to_string()),
                        // Other comment lines in the header are the author's notes.
                        _ => {}
                    }
                }
            }
        }
        if let Some((opened, marker)) = within.swallowed_marker(&body) {
            return Err(err(
                opened,
                format!("a string, quoted name or comment opened on this line is never closed, so the `{marker}` marker on line {} is read as part of it; close it", within.line_of_marker(&body, marker)),
            ));
        }
        let Some(id) = id else { return Err(err(1, "no `-- id:` line in the header".into())) };
        if !seen[0] {
            return Err(err(body.lines().count().max(1), "no `-- +up` section".into()));
        }
        // `tidy` drops the blank lines a section starts with; count them so that line numbers
        // in messages are those of this file.
        for (k, sql) in [&up, &down].into_iter().enumerate() {
            source.starts[k] = source.markers[k] + 1 + sql.lines().take_while(|l| l.trim().is_empty()).count();
        }
        Ok(Revision {
            id,
            parents,
            message,
            created,
            up: tidy(&up),
            down: tidy(&down),
            up_options: options[0],
            down_options: options[1],
            generated,
            checksum: checksum(text),
            source,
        })
    }

    /// What running one direction can throw away, read from its SQL (see [`crate::loss`]):
    /// dropped tables and columns, columns a hand-written rebuild does not copy, DELETEs and
    /// UPDATEs, each named by table and column. [`crate::loss::count`] says how much of it a
    /// database holds.
    pub fn data_loss(&self, dir: Direction) -> Vec<crate::loss::Risk> {
        crate::loss::read(self.sql(dir))
    }

    /// The statements of one direction, each with a label for errors and progress: the comment
    /// line just above it, or else its first line.
    pub fn statements(&self, dir: Direction) -> Vec<(String, String)> {
        self.section(dir).into_iter().map(|s| (s.sql, s.label)).collect()
    }

    /// The statements of one direction with their labels, the line of the file each starts on,
    /// and whether it carries `-- @repeat`.
    pub fn section(&self, dir: Direction) -> Vec<SectionStatement> {
        let text = self.sql(dir);
        let start = self.section_start(dir);
        let mut out = Vec::new();
        let mut prev_end = 0;
        for s in sql::split_statements(text) {
            let gap = &text[prev_end.min(s.start)..s.start];
            let comment = gap
                .lines()
                .rev()
                .map(str::trim)
                .find(|l| l.starts_with("--") && !l.starts_with("-- data loss:") && !l.starts_with("-- @"))
                .map(|l| l.trim_start_matches('-').trim().to_string());
            let repeat = gap.lines().any(|l| l.trim() == REPEAT);
            let first = s.text.lines().next().unwrap_or("").trim();
            let label = comment.filter(|c| !c.is_empty()).unwrap_or_else(|| first.chars().take(70).collect());
            prev_end = s.start + s.text.len();
            out.push(SectionStatement { line: start + s.line - 1, sql: s.text, label, repeat });
        }
        out
    }

    /// The line of the file on which a section's marker (`-- +up` / `-- +down`) sits.
    pub fn marker_line(&self, dir: Direction) -> usize {
        match self.source.markers[dir as usize] {
            0 => self.section_start(dir) - 1,
            n => n,
        }
    }

    /// The line of the file on which a section's first line of SQL sits: as read, or as
    /// [`Revision::render`] lays the file out.
    fn section_start(&self, dir: Direction) -> usize {
        match self.source.starts[dir as usize] {
            0 => {
                // The header (five lines, six with `-- generated:`), a blank line, the marker.
                let up = 5 + usize::from(self.generated.is_some()) + 3;
                match dir {
                    Direction::Up => up,
                    // The up SQL, a blank line, the down marker.
                    Direction::Down => up + self.up.lines().count() + 2,
                }
            }
            n => n,
        }
    }
}

/// A section's text without blank lines around it and without trailing spaces, ending in one
/// newline when not empty. Spaces at the end of a line that continues inside a string (or a
/// quoted name or block comment) are part of the value and stay.
fn tidy(s: &str) -> String {
    let lines: Vec<&str> = s.lines().collect();
    let start = lines.iter().position(|l| !l.trim().is_empty());
    let end = lines.iter().rposition(|l| !l.trim().is_empty());
    match (start, end) {
        (Some(a), Some(b)) => {
            let within = Within::of(s);
            let kept = lines[a..=b].iter().enumerate().map(|(k, l)| if within.starts_inside(a + k + 2) { *l } else { l.trim_end() });
            let mut out = kept.collect::<Vec<_>>().join("\n");
            out.push('\n');
            out
        }
        _ => String::new(),
    }
}

/// Whether a line would be read as a section marker (outside strings and comments).
fn is_marker(line: &str) -> bool {
    line.trim().strip_prefix("-- +").is_some_and(|rest| matches!(rest.split_whitespace().next(), Some("up" | "down")))
}

/// Which lines of a text start inside a string, quoted name, blob or block comment that began on
/// an earlier line, read with the SQL tokenizer.
struct Within {
    /// 1-based line numbers.
    lines: BTreeSet<usize>,
    /// The token that runs to the end of the text unclosed, with the line it opens on.
    open_at_end: Option<(usize, usize, usize)>,
}

impl Within {
    fn of(text: &str) -> Within {
        let mut lines = BTreeSet::new();
        let mut open_at_end = None;
        for t in sql::tokenize(text) {
            if !matches!(t.kind, TokenKind::String | TokenKind::QuotedIdent | TokenKind::Blob | TokenKind::BlockComment) {
                continue;
            }
            let body = t.text(text);
            let mut line = t.line;
            for (k, b) in body.bytes().enumerate() {
                if b == b'\n' {
                    line += 1;
                    if t.start + k + 1 < t.end {
                        lines.insert(line);
                    }
                }
            }
            if t.end == text.len() && !closed(t.kind, body) {
                open_at_end = Some((t.line, t.start, t.end));
            }
        }
        Within { lines, open_at_end }
    }

    fn starts_inside(&self, line: usize) -> bool {
        self.lines.contains(&line)
    }

    /// The line an unclosed token opens on and the first marker it swallows, if it swallows one.
    fn swallowed_marker<'a>(&self, text: &'a str) -> Option<(usize, &'a str)> {
        let (line, start, end) = self.open_at_end?;
        text[start..end].lines().skip(1).find(|l| is_marker(l)).map(|l| (line, l.trim()))
    }

    /// The line number of the first line inside a token that reads `marker`.
    fn line_of_marker(&self, text: &str, marker: &str) -> usize {
        text.lines().enumerate().find(|(i, l)| self.starts_inside(i + 1) && l.trim() == marker).map_or(0, |(i, _)| i + 1)
    }
}

/// Whether a string, quoted name, blob or block comment token is closed (the tokenizer lets an
/// unclosed one run to the end of the text).
fn closed(kind: TokenKind, text: &str) -> bool {
    match kind {
        TokenKind::BlockComment => text.len() >= 4 && text.ends_with("*/"),
        TokenKind::QuotedIdent if text.starts_with('[') => text.len() >= 2 && text.ends_with(']'),
        _ => {
            let text = text.strip_prefix(['x', 'X']).unwrap_or(text);
            let b = text.as_bytes();
            let Some(&quote) = b.first() else { return false };
            let mut i = 1;
            while i < b.len() {
                if b[i] == quote {
                    if b.get(i + 1) == Some(&quote) {
                        i += 2;
                        continue;
                    }
                    return i + 1 == b.len();
                }
                i += 1;
            }
            false
        }
    }
}

/// Where to migrate to, as the user wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// The single head (`head`).
    Head,
    /// Every head (`heads`).
    Heads,
    /// Nothing applied (`base`).
    Base,
    /// `+N` or `-N`.
    Relative(i64),
    /// An id or a unique prefix of one.
    Revision(String),
}

impl std::fmt::Display for Target {
    /// The target as a user writes it (`head`, `+2`, `-1`, `3f2a`), for messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Head => f.write_str("head"),
            Target::Heads => f.write_str("heads"),
            Target::Base => f.write_str("base"),
            Target::Relative(n) if *n < 0 => write!(f, "{n}"),
            Target::Relative(n) => write!(f, "+{n}"),
            Target::Revision(s) => f.write_str(s),
        }
    }
}

impl Target {
    pub fn parse(s: &str) -> Target {
        let s = s.trim();
        match s {
            "head" => Target::Head,
            "heads" => Target::Heads,
            "base" => Target::Base,
            _ => {
                if let Some(n) = s.strip_prefix(['+', '-']).and_then(|d| d.parse::<i64>().ok()) {
                    Target::Relative(if s.starts_with('-') { -n } else { n })
                } else {
                    Target::Revision(s.to_string())
                }
            }
        }
    }
}

/// Revisions joined by their parents: checked to have unique ids, known parents and no cycles.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    revs: BTreeMap<String, Revision>,
    children: BTreeMap<String, Vec<String>>,
    /// Parents before children; among revisions free to go, the older (then smaller id) first.
    order: Vec<String>,
}

impl Graph {
    pub fn new(revisions: Vec<Revision>) -> Result<Graph, RevisionError> {
        let mut revs = BTreeMap::new();
        for r in revisions {
            if !valid_id(&r.id) {
                return Err(RevisionError::BadId { id: r.id });
            }
            if revs.contains_key(&r.id) {
                return Err(RevisionError::DuplicateId { id: r.id });
            }
            revs.insert(r.id.clone(), r);
        }
        let mut children: BTreeMap<String, Vec<String>> = revs.keys().map(|k| (k.clone(), Vec::new())).collect();
        for r in revs.values() {
            for p in &r.parents {
                match children.get_mut(p) {
                    Some(c) => c.push(r.id.clone()),
                    None => return Err(RevisionError::UnknownParent { id: r.id.clone(), parent: p.clone() }),
                }
            }
        }
        // Kahn's algorithm, ready set ordered by (created, id) so the order is stable.
        let mut waiting: BTreeMap<&str, usize> = revs.values().map(|r| (r.id.as_str(), r.parents.iter().collect::<BTreeSet<_>>().len())).collect();
        let mut ready: BTreeSet<(&str, &str)> =
            revs.values().filter(|r| r.parents.is_empty()).map(|r| (r.created.as_str(), r.id.as_str())).collect();
        let mut order = Vec::with_capacity(revs.len());
        while let Some(first) = ready.iter().next().copied() {
            ready.remove(&first);
            let id = first.1;
            order.push(id.to_string());
            let mut kids: Vec<&String> = children[id].iter().collect();
            kids.dedup();
            for c in kids {
                let w = waiting.get_mut(c.as_str()).expect("child is a revision");
                *w -= 1;
                if *w == 0 {
                    ready.insert((revs[c].created.as_str(), c.as_str()));
                }
            }
        }
        if order.len() != revs.len() {
            let placed: BTreeSet<&String> = order.iter().collect();
            let ids: Vec<&str> = revs.keys().filter(|k| !placed.contains(k)).map(String::as_str).collect();
            return Err(RevisionError::Cycle { ids: ids.join(", ") });
        }
        Ok(Graph { revs, children, order })
    }

    pub fn is_empty(&self) -> bool {
        self.revs.is_empty()
    }

    pub fn len(&self) -> usize {
        self.revs.len()
    }

    pub fn get(&self, id: &str) -> Option<&Revision> {
        self.revs.get(id)
    }

    /// Every revision, parents before children.
    pub fn revisions(&self) -> impl DoubleEndedIterator<Item = &Revision> + '_ {
        self.order.iter().map(|id| &self.revs[id])
    }

    pub fn children(&self, id: &str) -> &[String] {
        self.children.get(id).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Revisions no other revision builds on, in graph order.
    pub fn heads(&self) -> Vec<&str> {
        self.order.iter().filter(|id| self.children[*id].is_empty()).map(String::as_str).collect()
    }

    /// Revisions without parents.
    pub fn bases(&self) -> Vec<&str> {
        self.revisions().filter(|r| r.parents.is_empty()).map(|r| r.id.as_str()).collect()
    }

    /// Branch points: revisions with more than one child, with their children.
    pub fn branch_points(&self) -> Vec<(&str, Vec<&str>)> {
        self.order
            .iter()
            .filter(|id| self.children[*id].len() > 1)
            .map(|id| (id.as_str(), self.children[id].iter().map(String::as_str).collect()))
            .collect()
    }

    /// The parents a new revision takes: the single head, or none in an empty graph. Several
    /// heads are an error that names them (merge them first).
    pub fn next_parents(&self) -> Result<Vec<String>, RevisionError> {
        if self.is_empty() {
            return Ok(Vec::new());
        }
        Ok(vec![self.single_head()?.to_string()])
    }

    /// The parents of a merge revision: each spec resolved (`heads` stands for every head),
    /// duplicates dropped, and an error unless they are at least two revisions none of which
    /// already builds on another.
    pub fn merge_parents(&self, specs: &[String]) -> Result<Vec<String>, RevisionError> {
        let mut parents: Vec<String> = Vec::new();
        for spec in specs {
            let ids = if spec == "heads" { self.heads().into_iter().map(str::to_string).collect() } else { vec![self.resolve(spec)?] };
            for id in ids {
                if !parents.contains(&id) {
                    parents.push(id);
                }
            }
        }
        if parents.len() < 2 {
            return Err(RevisionError::NothingToMerge { ids: parents });
        }
        for p in &parents {
            if let Some(o) = parents.iter().find(|o| *o != p && self.ancestors(o).contains(p)) {
                return Err(RevisionError::AlreadyMerged { ancestor: p.clone(), of: o.clone() });
            }
        }
        Ok(parents)
    }

    /// The one head, or an error naming every head and how to merge them.
    pub fn single_head(&self) -> Result<&str, RevisionError> {
        match self.heads().as_slice() {
            [] => Err(RevisionError::NoRevisions),
            [one] => Ok(one),
            many => Err(RevisionError::MultipleHeads { heads: many.iter().map(|s| s.to_string()).collect() }),
        }
    }

    /// `id` and everything it builds on.
    pub fn ancestors(&self, id: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![id.to_string()];
        while let Some(x) = stack.pop() {
            if let Some(r) = self.revs.get(&x) {
                if seen.insert(x.clone()) {
                    stack.extend(r.parents.iter().cloned());
                }
            }
        }
        seen
    }

    /// `id` and everything that builds on it.
    pub fn descendants(&self, id: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![id.to_string()];
        while let Some(x) = stack.pop() {
            if self.revs.contains_key(&x) && seen.insert(x.clone()) {
                stack.extend(self.children[&x].iter().cloned());
            }
        }
        seen
    }

    /// An id, a unique prefix of one, `head` (the single head) or `heads`/`head` when only one.
    pub fn resolve(&self, spec: &str) -> Result<String, RevisionError> {
        if spec == "head" {
            return self.single_head().map(str::to_string);
        }
        if self.revs.contains_key(spec) {
            return Ok(spec.to_string());
        }
        let matches: Vec<String> = self.revs.keys().filter(|k| k.starts_with(spec)).cloned().collect();
        match matches.len() {
            0 => Err(RevisionError::UnknownRevision { spec: spec.into() }),
            1 => Ok(matches.into_iter().next().unwrap()),
            _ => Err(RevisionError::Ambiguous { spec: spec.into(), matches }),
        }
    }

    /// Applied revisions nothing applied builds on: what the database is "at".
    pub fn current(&self, applied: &BTreeSet<String>) -> Vec<String> {
        self.order
            .iter()
            .filter(|id| applied.contains(*id) && !self.children[*id].iter().any(|c| applied.contains(c)))
            .cloned()
            .collect()
    }

    /// Revisions not applied yet, in the order they would run to reach every head.
    pub fn pending(&self, applied: &BTreeSet<String>) -> Vec<&Revision> {
        self.revisions().filter(|r| !applied.contains(&r.id)).collect()
    }

    /// The revisions to apply, in order, to reach `target` from `applied`.
    pub fn upgrade_path(&self, applied: &BTreeSet<String>, target: &Target) -> Result<Vec<&Revision>, RevisionError> {
        let goal: BTreeSet<String> = match target {
            Target::Head => self.ancestors(self.single_head()?),
            Target::Heads => self.revs.keys().cloned().collect(),
            Target::Base => BTreeSet::new(),
            Target::Revision(s) => self.ancestors(&self.resolve(s)?),
            Target::Relative(n) if *n >= 0 => {
                let head = self.single_head()?;
                let goal = self.ancestors(head);
                let todo: Vec<&Revision> = self.revisions().filter(|r| goal.contains(&r.id) && !applied.contains(&r.id)).collect();
                let n = *n as usize;
                if n > todo.len() {
                    return Err(RevisionError::OutOfRange { spec: format!("+{n}"), wanted: n, available: todo.len(), verb: "applied" });
                }
                return Ok(todo.into_iter().take(n).collect());
            }
            Target::Relative(_) => return Err(RevisionError::BadTarget { spec: target.to_string(), verb: "upgrade (use downgrade)" }),
        };
        Ok(self.revisions().filter(|r| goal.contains(&r.id) && !applied.contains(&r.id)).collect())
    }

    /// The revisions to revert, in order (children before parents), to reach `target`.
    pub fn downgrade_path(&self, applied: &BTreeSet<String>, target: &Target) -> Result<Vec<&Revision>, RevisionError> {
        let applied_rev: Vec<&Revision> = self.revisions().rev().filter(|r| applied.contains(&r.id)).collect();
        match target {
            Target::Base => Ok(applied_rev),
            Target::Relative(n) if *n <= 0 => {
                let n = n.unsigned_abs() as usize;
                if n > applied_rev.len() {
                    return Err(RevisionError::OutOfRange { spec: format!("-{n}"), wanted: n, available: applied_rev.len(), verb: "reverted" });
                }
                Ok(applied_rev.into_iter().take(n).collect())
            }
            Target::Revision(s) => {
                let id = self.resolve(s)?;
                if !applied.contains(&id) {
                    return Err(RevisionError::NotApplied { id });
                }
                let keep = self.ancestors(&id);
                Ok(applied_rev.into_iter().filter(|r| !keep.contains(&r.id)).collect())
            }
            other => Err(RevisionError::BadTarget { spec: other.to_string(), verb: "downgrade (use -N, a revision or base)" }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rev(id: &str, parents: &[&str], created: &str) -> Revision {
        Revision::new(id, parents.iter().map(|s| s.to_string()).collect(), &format!("make {id}"), created, &format!("CREATE TABLE {id} (x);"), &format!("DROP TABLE {id};"))
    }

    fn set(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    fn ids(v: Vec<&Revision>) -> Vec<&str> {
        v.into_iter().map(|r| r.id.as_str()).collect()
    }

    #[test]
    fn render_and_parse_round_trip() {
        let r = Revision::new("abc123", vec!["p1".into(), "p2".into()], "join heads", "2026-01-02T03:04:05Z", "\n\nCREATE TABLE t (x);\n\n", "DROP TABLE t;")
            .with_foreign_keys_off(false, true);
        let text = r.render();
        expect_test::expect![[r#"
            -- strata revision
            -- id: abc123
            -- parents: p1, p2
            -- message: join heads
            -- created: 2026-01-02T03:04:05Z

            -- +up
            CREATE TABLE t (x);

            -- +down foreign_keys=off
            DROP TABLE t;
        "#]]
        .assert_eq(&text);
        let back = Revision::parse(&text).unwrap();
        assert_eq!(back, r);
        let base = Revision::new("b", vec![], "", "", "", "");
        assert_eq!(Revision::parse(&base.render()).unwrap(), base);
        let every = SectionOptions { foreign_keys_off: true, no_transaction: true, accepts_data_loss: true };
        let batched = base.with_options(Direction::Up, every);
        assert!(batched.render().contains("-- +up foreign_keys=off no-transaction data-loss=accepted\n"), "{}", batched.render());
        assert_eq!(Revision::parse(&batched.render()).unwrap(), batched);
        assert!(matches!(Revision::parse("-- id: a\n-- +up no-transactions\n"), Err(RevisionError::Format { line: 2, .. })));
    }

    #[test]
    fn generated_sql_is_marked_and_any_edit_makes_it_hand_written() {
        let r = Revision::new("g1", vec![], "add t", "t", "CREATE TABLE t (x);", "DROP TABLE t;");
        assert!(!r.is_generated() && !r.render().contains("-- generated:"));
        let g = r.mark_generated();
        assert!(g.is_generated());
        let text = g.render();
        assert!(text.contains(&format!("-- created: t\n-- generated: {}\n\n-- +up\n", sql_digest("CREATE TABLE t (x);\n", "DROP TABLE t;\n"))), "{text}");
        let back = Revision::parse(&text).unwrap();
        assert_eq!(back, g);
        assert!(back.is_generated());
        // CRLF line endings are not an edit; a changed statement, in either section, is.
        assert!(Revision::parse(&text.replace('\n', "\r\n")).unwrap().is_generated());
        assert!(!Revision::parse(&text.replace("(x)", "(x, y)")).unwrap().is_generated());
        assert!(!Revision::parse(&text.replace("DROP TABLE t;", "DROP TABLE IF EXISTS t;")).unwrap().is_generated());
        assert!(!Revision::parse(&text.replace("-- generated: ", "-- generated: 0")).unwrap().is_generated());
        // Options are not SQL: accepting data loss at `revision` time keeps it generated.
        let accepted = g.clone().with_options(Direction::Down, SectionOptions { accepts_data_loss: true, ..SectionOptions::default() });
        assert!(accepted.is_generated());
    }

    #[test]
    fn sections_know_their_lines_and_repeat_annotations() {
        let text = "-- strata revision\n-- id: b1\n-- parents:\n-- note\n-- +up no-transaction\n\nALTER TABLE t ADD c;\n-- backfill in batches\n-- @repeat\nUPDATE t SET c = 0\n WHERE rowid IN (SELECT rowid FROM t WHERE c IS NULL LIMIT 2);\n-- +down\nALTER TABLE t DROP c;\n";
        let r = Revision::parse(text).unwrap();
        let up = r.section(Direction::Up);
        assert_eq!(up.iter().map(|s| (s.line, s.repeat, s.label.as_str())).collect::<Vec<_>>(), [(7, false, "ALTER TABLE t ADD c"), (10, true, "backfill in batches")]);
        assert_eq!(r.section(Direction::Down)[0].line, 13);
        assert_eq!((r.marker_line(Direction::Up), r.marker_line(Direction::Down)), (5, 12));
        assert!(!r.is_atomic());
        // Made in memory, the lines are those of the rendered file.
        let m = Revision::new("m", vec![], "x", "t", &r.up, &r.down).mark_generated();
        let rendered = m.render();
        for dir in [Direction::Up, Direction::Down] {
            for s in m.section(dir) {
                let line = rendered.lines().nth(s.line - 1).unwrap();
                assert!(s.sql.starts_with(line.trim().trim_end_matches(';')), "line {}: {line:?} vs {:?}", s.line, s.sql);
            }
            assert!(rendered.lines().nth(m.marker_line(dir) - 1).unwrap().starts_with("-- +"));
        }
    }

    #[test]
    fn checksum_ignores_line_endings_only() {
        let r = rev("a", &[], "1");
        let crlf = r.render().replace('\n', "\r\n");
        let parsed = Revision::parse(&crlf).unwrap();
        assert_eq!(parsed.checksum, r.checksum);
        assert_eq!(parsed.up, r.up);
        let edited = r.render().replace("(x)", "(x, y)");
        assert_ne!(Revision::parse(&edited).unwrap().checksum, r.checksum);
    }

    #[test]
    fn format_errors_name_the_line() {
        let e = Revision::parse("-- id: a\nCREATE TABLE t (x);\n-- +up\n").unwrap_err();
        assert_eq!(e, RevisionError::Format { line: 2, message: "SQL before the `-- +up` marker; put statements in the `-- +up` or `-- +down` section".into() });
        assert!(matches!(Revision::parse("-- +up\nx;\n"), Err(RevisionError::Format { line: 1, .. })));
        assert!(matches!(Revision::parse("-- id: a\n-- +sideways\n"), Err(RevisionError::Format { line: 2, .. })));
        assert!(matches!(Revision::parse("-- id: a b\n-- +up\n"), Err(RevisionError::Format { line: 1, .. })));
        assert!(matches!(Revision::parse("-- id: head\n-- +up\n"), Err(RevisionError::Format { line: 1, .. })));
        assert!(matches!(Revision::parse("-- id: a\n-- +down\n-- +up\n"), Err(RevisionError::Format { line: 3, .. })));
    }

    #[test]
    fn graph_heads_branches_and_paths() {
        // a <- b <- c, a <- d (a branch), m merges c and d.
        let g = Graph::new(vec![rev("c", &["b"], "3"), rev("a", &[], "1"), rev("b", &["a"], "2"), rev("d", &["a"], "4")]).unwrap();
        assert_eq!(ids(g.revisions().collect()), ["a", "b", "c", "d"]);
        assert_eq!(g.heads(), ["c", "d"]);
        assert_eq!(g.branch_points(), vec![("a", vec!["b", "d"])]);
        let e = g.upgrade_path(&set(&[]), &Target::Head).unwrap_err();
        assert_eq!(e.to_string(), "there are 2 heads (c, d); join them with a merge revision first");
        assert_eq!(ids(g.upgrade_path(&set(&["a"]), &Target::Heads).unwrap()), ["b", "c", "d"]);
        assert_eq!(ids(g.upgrade_path(&set(&[]), &Target::Revision("c".into())).unwrap()), ["a", "b", "c"]);

        let g = Graph::new(g.revisions().cloned().chain([rev("m", &["c", "d"], "5")]).collect()).unwrap();
        assert_eq!(g.single_head().unwrap(), "m");
        assert_eq!(ids(g.upgrade_path(&set(&["a", "b"]), &Target::Head).unwrap()), ["c", "d", "m"]);
        assert_eq!(ids(g.upgrade_path(&set(&["a"]), &Target::Relative(2)).unwrap()), ["b", "c"]);
        assert!(matches!(g.upgrade_path(&set(&["a"]), &Target::Relative(9)), Err(RevisionError::OutOfRange { available: 4, .. })));
        let all = set(&["a", "b", "c", "d", "m"]);
        assert_eq!(g.current(&all), ["m"]);
        assert_eq!(g.current(&set(&["a", "b", "d"])), ["b", "d"]);
        assert_eq!(ids(g.downgrade_path(&all, &Target::Relative(-2)).unwrap()), ["m", "d"]);
        assert_eq!(ids(g.downgrade_path(&all, &Target::Revision("b".into())).unwrap()), ["m", "d", "c"]);
        assert_eq!(ids(g.downgrade_path(&all, &Target::Base).unwrap()), ["m", "d", "c", "b", "a"]);
        assert_eq!(g.downgrade_path(&set(&["a"]), &Target::Revision("b".into())).unwrap_err(), RevisionError::NotApplied { id: "b".into() });
        assert_eq!(g.ancestors("d"), set(&["a", "d"]));
        assert_eq!(g.descendants("c"), set(&["c", "m"]));
    }

    #[test]
    fn resolve_prefixes_and_targets() {
        let g = Graph::new(vec![rev("abc1", &[], "1"), rev("abd2", &["abc1"], "2")]).unwrap();
        assert_eq!(g.resolve("abd").unwrap(), "abd2");
        assert_eq!(g.resolve("head").unwrap(), "abd2");
        assert!(matches!(g.resolve("ab"), Err(RevisionError::Ambiguous { .. })));
        assert!(matches!(g.resolve("zz"), Err(RevisionError::UnknownRevision { .. })));
        assert_eq!(Target::parse("+2"), Target::Relative(2));
        assert_eq!(Target::parse("-1"), Target::Relative(-1));
        assert_eq!(Target::parse("base"), Target::Base);
        assert_eq!(Target::parse("abd"), Target::Revision("abd".into()));
    }

    #[test]
    fn a_comment_that_looks_like_a_marker_stays_in_its_section() {
        let view = "CREATE VIEW v AS\nSELECT 1\n-- +1 day grace period\n-- + note\nWHERE 1;";
        let r = Revision::new("r1", vec![], "view", "t", view, "DROP VIEW v;");
        let back = Revision::parse(&r.render()).unwrap();
        assert_eq!((back.up.as_str(), back.down.as_str()), (r.up.as_str(), r.down.as_str()));
        assert!(matches!(Revision::parse("-- id: r1\n-- +upp\nSELECT 1;"), Err(RevisionError::Format { line: 2, .. })));
    }

    #[test]
    fn a_marker_line_inside_a_string_literal_reads_back_as_sql() {
        let up = "INSERT INTO notes (body) VALUES ('first line\n-- +down\n  -- +up  \nlast');\nCREATE TABLE \"odd\n-- +down\" (x);\n/*\n-- +down\n*/\nSELECT 1;";
        let r = Revision::new("r1", vec![], "markers in values", "t", up, "DELETE FROM notes;");
        let text = r.to_file().unwrap();
        let back = Revision::parse(&text).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.statements(Direction::Up).len(), 3, "{}", back.up);
        assert_eq!(back.down, "DELETE FROM notes;\n");
    }

    #[test]
    fn trailing_spaces_inside_a_string_are_kept() {
        let r = Revision::new("r1", vec![], "spaces", "t", "INSERT INTO t VALUES ('a  \nb');   \n", "");
        assert_eq!(r.up, "INSERT INTO t VALUES ('a  \nb');\n");
        assert_eq!(Revision::parse(&r.render()).unwrap(), r);
    }

    #[test]
    fn a_revision_that_would_not_read_back_is_refused_with_the_line() {
        let r = Revision::new("r1", vec![], "comment marker", "t", "SELECT 1;\n-- +down\nSELECT 2;", "SELECT 3;");
        let e = r.to_file().unwrap_err();
        assert!(matches!(&e, RevisionError::Unreadable { id, problem } if id == "r1" && problem.contains("`-- +down`")), "{e}");
        let multi_line_created = Revision::new("r2", vec![], "m", "2026\n-- +up", "SELECT 1;", "");
        assert!(matches!(multi_line_created.to_file(), Err(RevisionError::Unreadable { .. })));
        // A well-formed revision passes.
        Revision::new("r3", vec!["r1".into()], "ok", "t", "SELECT 1;", "SELECT 2;").to_file().unwrap();
    }

    #[test]
    fn an_unclosed_string_that_swallows_a_marker_names_where_it_opens() {
        let text = "-- id: r1\n\n-- +up\nINSERT INTO t VALUES ('oops);\n\n-- +down\nDELETE FROM t;\n";
        let e = Revision::parse(text).unwrap_err();
        assert!(matches!(&e, RevisionError::Format { line: 4, message } if message.contains("`-- +down` marker on line 6")), "{e}");
    }

    #[test]
    fn targets_print_as_the_user_writes_them() {
        for spec in ["head", "heads", "base", "+2", "-1", "3f2a"] {
            assert_eq!(Target::parse(spec).to_string(), spec);
        }
        let g = Graph::new(vec![rev("a", &[], "1")]).unwrap();
        assert_eq!(g.upgrade_path(&set(&[]), &Target::Relative(-1)).unwrap_err().to_string(), "`-1` is not a target for upgrade (use downgrade)");
        assert_eq!(g.downgrade_path(&set(&["a"]), &Target::Head).unwrap_err().to_string(), "`head` is not a target for downgrade (use -N, a revision or base)");
    }

    #[test]
    fn merge_parents_join_branches_and_refuse_a_line() {
        let g = Graph::new(vec![rev("a", &[], "1"), rev("b", &["a"], "2"), rev("c", &["a"], "3")]).unwrap();
        assert_eq!(g.merge_parents(&["heads".into()]).unwrap(), vec!["b", "c"]);
        assert_eq!(g.merge_parents(&["c".into(), "b".into(), "c".into()]).unwrap(), vec!["c", "b"]);
        assert_eq!(g.merge_parents(&["b".into()]).unwrap_err(), RevisionError::NothingToMerge { ids: vec!["b".into()] });
        assert_eq!(g.merge_parents(&["a".into(), "b".into()]).unwrap_err(), RevisionError::AlreadyMerged { ancestor: "a".into(), of: "b".into() });
        let line = Graph::new(vec![rev("a", &[], "1")]).unwrap();
        assert!(matches!(line.merge_parents(&["heads".into()]), Err(RevisionError::NothingToMerge { .. })));
    }

    #[test]
    fn graph_refuses_bad_shapes() {
        assert_eq!(Graph::new(vec![rev("a", &[], "1"), rev("a", &[], "2")]).unwrap_err(), RevisionError::DuplicateId { id: "a".into() });
        assert!(matches!(Graph::new(vec![rev("a", &["zz"], "1")]), Err(RevisionError::UnknownParent { .. })));
        assert!(matches!(Graph::new(vec![rev("a", &["b"], "1"), rev("b", &["a"], "1")]), Err(RevisionError::Cycle { .. })));
    }

    #[test]
    fn data_loss_is_read_from_the_sql_not_from_notes() {
        use crate::loss::Risk;
        let mut r = rev("a", &[], "1");
        r.down = "DROP TABLE a;\nALTER TABLE t DROP COLUMN c;\nCREATE TABLE \"_n\" (x);\nDROP TABLE \"k\";\nALTER TABLE \"_n\" RENAME TO \"k\";\n".into();
        let risks: Vec<String> = r.data_loss(Direction::Down).iter().map(Risk::describe).collect();
        assert_eq!(risks, ["drops table a and its rows", "drops column t.c and its values", "drops table k and its rows"]);
        // A note alone is not a statement; the statement below it is what counts.
        r.down = "-- drop column phone\n-- data loss: drops column users.phone\nALTER TABLE users DROP COLUMN phone;\n".into();
        assert_eq!(r.data_loss(Direction::Down), [Risk::DropColumn { table: "users".into(), column: "phone".into() }]);
        assert_eq!(r.statements(Direction::Down), vec![("ALTER TABLE users DROP COLUMN phone".to_string(), "drop column phone".to_string())]);
        assert!(r.data_loss(Direction::Up).is_empty());
    }
}
