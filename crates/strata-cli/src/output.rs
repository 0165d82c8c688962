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

/// Prints an error with its chain of causes.
pub fn error(e: &anyhow::Error) {
    anstream::eprintln!("{} {e:#}", paint(BAD, "error:"));
}
