//! What the core's errors share: where in a text a problem is. Model errors of both front-ends
//! (`sqlmodel::SqlModelError` here, the SQL front-end's in strata-engine) carry a [`Position`],
//! so an editor marks the line from the error value instead of reading it back out of the
//! message.

use serde::{Deserialize, Serialize};

/// A place in a text: 1-based line and column, the column counted in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// The position of byte `offset` of `text` (clamped to the text, and moved back to the start
    /// of a character it falls inside).
    pub fn of_offset(text: &str, offset: usize) -> Position {
        let mut upto = offset.min(text.len());
        while !text.is_char_boundary(upto) {
            upto -= 1;
        }
        let before = &text[..upto];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Position { line: before.matches('\n').count() + 1, column: before[line_start..].chars().count() + 1 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns_in_characters() {
        let text = "ab\ncé d\n";
        assert_eq!(Position::of_offset(text, 0), Position { line: 1, column: 1 });
        assert_eq!(Position::of_offset(text, 3), Position { line: 2, column: 1 });
        assert_eq!(Position::of_offset(text, 6), Position { line: 2, column: 3 }, "after the two-byte é");
        assert_eq!(Position::of_offset(text, 5), Position { line: 2, column: 2 }, "inside é: its start");
        assert_eq!(Position::of_offset(text, 99), Position { line: 3, column: 1 });
    }
}
