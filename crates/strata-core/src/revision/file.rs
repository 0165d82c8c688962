//! The revision file format: a revision written as its file (`render`, and `to_file`, which
//! refuses text that would not read back as the same revision), read back (`parse`), and its
//! sections read statement by statement with their labels, lines and `-- @repeat` marks. A line
//! that starts inside a string, a quoted name or a block comment is SQL, never a marker.

use std::collections::BTreeSet;

use crate::sql::{self, TokenKind};

use super::{checksum, valid_id, Direction, Revision, RevisionError, SectionOptions, SectionStatement, SourceLines, REPEAT};

impl Revision {
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
pub(super) fn tidy(s: &str) -> String {
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
pub(super) fn is_marker(line: &str) -> bool {
    line.trim().strip_prefix("-- +").is_some_and(|rest| matches!(rest.split_whitespace().next(), Some("up" | "down")))
}

/// Which lines of a text start inside a string, quoted name, blob or block comment that began on
/// an earlier line, read with the SQL tokenizer.
pub(super) struct Within {
    /// 1-based line numbers.
    pub(super) lines: BTreeSet<usize>,
    /// The token that runs to the end of the text unclosed, with the line it opens on.
    pub(super) open_at_end: Option<(usize, usize, usize)>,
}

impl Within {
    pub(super) fn of(text: &str) -> Within {
        let mut lines = BTreeSet::new();
        let mut open_at_end = None;
        for t in sql::tokens_of(text) {
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

    pub(super) fn starts_inside(&self, line: usize) -> bool {
        self.lines.contains(&line)
    }

    /// The line an unclosed token opens on and the first marker it swallows, if it swallows one.
    pub(super) fn swallowed_marker<'a>(&self, text: &'a str) -> Option<(usize, &'a str)> {
        let (line, start, end) = self.open_at_end?;
        text[start..end].lines().skip(1).find(|l| is_marker(l)).map(|l| (line, l.trim()))
    }

    /// The line number of the first line inside a token that reads `marker`.
    pub(super) fn line_of_marker(&self, text: &str, marker: &str) -> usize {
        text.lines().enumerate().find(|(i, l)| self.starts_inside(i + 1) && l.trim() == marker).map_or(0, |(i, _)| i + 1)
    }
}

/// Whether a string, quoted name, blob or block comment token is closed (the tokenizer lets an
/// unclosed one run to the end of the text).
pub(super) fn closed(kind: TokenKind, text: &str) -> bool {
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
