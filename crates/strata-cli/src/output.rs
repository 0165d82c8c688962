//! Terminal output: colour only when stdout is a terminal and NO_COLOR is unset (anstream
//! decides), JSON for `--json`, and errors on stderr.

use anstyle::{AnsiColor, Style};
use serde::Serialize;

pub const OK: Style = AnsiColor::Green.on_default();
pub const WARN: Style = AnsiColor::Yellow.on_default();
pub const BAD: Style = AnsiColor::Red.on_default().bold();
pub const BOLD: Style = Style::new().bold();
pub const DIM: Style = Style::new().dimmed();

/// `text` in `style`; anstream strips the codes where colour is not wanted.
pub fn paint(style: Style, text: impl std::fmt::Display) -> String {
    format!("{}{text}{}", style.render(), style.render_reset())
}

pub fn json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    anstream::println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Prints an error with its chain of causes, each once. The core's errors hold their causes in
/// their own message (see strata-core's `error.rs`); rusqlite's repeat SQLite's message with its
/// code ("Error code 5: database is locked"), so the chain stops at a rusqlite error; and a
/// cause whose text is already printed is skipped, whoever wraps whom. `then` are lines that
/// follow it: the commands and flags that do what the message asks for (`failure::cli_words`).
pub fn error(e: &anyhow::Error, then: &[String]) {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(text.as_str())) {
            parts.push(text);
        }
        if cause.is::<rusqlite::Error>() {
            break;
        }
    }
    anstream::eprintln!("{} {}", paint(BAD, "error:"), parts.join(": "));
    for words in then {
        anstream::eprintln!("  {words}");
    }
}
