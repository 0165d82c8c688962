//! Whether a revision message says what the revision does. The guide asks for messages like
//! "Add phone and address fields to users table" and warns against "Update schema" or "Fix
//! bug": a history of the second kind tells the next reader nothing. The lessons check the
//! messages with [`vague`].

/// Words that say that something changed without saying what. A message made only of these
/// (and of the filler words in [`FILLER`]) is vague.
const VAGUE: &[&str] = &[
    "update", "updates", "updated", "updating", "change", "changes", "changed", "fix", "fixes",
    "fixed", "bug", "bugs", "schema", "migration", "migrations", "migrate", "wip", "misc", "stuff",
    "db", "database", "table", "tables", "model", "models", "minor", "tweak", "tweaks", "temp",
    "test", "tests", "new", "more", "revision", "various", "cleanup", "things", "edit", "edits",
];

/// Words that carry no subject of their own.
const FILLER: &[&str] = &["a", "an", "the", "some", "to", "of", "for", "and", "in", "on", "with", "it", "this", "that", "again"];

/// Why `message` does not say what the revision does, or `None` when it does: it needs at
/// least three words, and at least two that are neither vague ("update", "changes", "fix")
/// nor filler ("the", "to").
pub fn vague(message: &str) -> Option<String> {
    let words: Vec<String> = message
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        return Some("the message is empty: say what the revision does, as in \"add phone to users\"".into());
    }
    let telling = words.iter().filter(|w| !VAGUE.contains(&w.as_str()) && !FILLER.contains(&w.as_str())).count();
    if words.len() < 3 || telling < 2 {
        return Some(format!(
            "\"{}\" does not say what changes where: name the change and the table, as in \"add phone to users\"",
            message.trim()
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::vague;

    #[test]
    fn messages_that_name_the_change_and_the_table_are_descriptive() {
        for message in [
            "add status to orders",
            "Add phone and address fields to users table",
            "Create user preferences table with foreign key",
            "rename email to email_address",
            "users: email required, age stored as a number",
        ] {
            assert_eq!(vague(message), None, "{message}");
        }
    }

    #[test]
    fn empty_generic_and_short_messages_are_vague() {
        for message in ["", "   ", "update", "changes", "Update schema", "Fix bug", "schema changes", "wip", "update the table", "more db changes", "orders status"] {
            assert!(vague(message).is_some(), "{message:?} passed");
        }
    }
}
