//! The rename questions of `strata revision --autogenerate`. A question stops the command
//! until it has an answer: on a terminal strata asks it (`[y/N]`, as Django's makemigrations
//! does); elsewhere (CI, a script) it fails with the question and the exact flags that answer
//! it, and writes nothing. Which questions are still open is the core's decision
//! (`Autogen::unanswered`); this module only asks and prints.

use std::io::{BufRead, Write};

use anyhow::{bail, Result};
use strata_core::answers::{hint, Decline};
use strata_engine::migrate::Autogen;
use strata_core::{Rename, RenameCandidate};

/// What the user said about the rename questions, in flag form.
#[derive(Debug, Default)]
pub struct Answers {
    pub renames: Vec<Rename>,
    pub declined: Vec<Decline>,
    /// Whether any answer was given at the prompt (then the command says how to give the same
    /// answers without one).
    pub asked: bool,
}

impl Answers {
    /// The flags that give these answers without a terminal.
    pub fn flags(&self) -> String {
        let yes = self.renames.iter().filter_map(hint).map(|h| format!("--rename {h}"));
        let no = self.declined.iter().map(|d| format!("--no-rename {d}"));
        yes.chain(no).collect::<Vec<_>>().join(" ")
    }
}

/// Autogenerates until no rename question is open, asking each one through `prompt` when
/// there is a terminal (`None`: fail with the questions instead).
pub fn resolve(
    answers: &mut Answers,
    mut autogenerate: impl FnMut(&[Rename]) -> Result<Autogen>,
    mut prompt: Option<(&mut dyn BufRead, &mut dyn Write)>,
) -> Result<Autogen> {
    let mut asked: Vec<Rename> = Vec::new();
    loop {
        let auto = autogenerate(&answers.renames)?;
        let open: Vec<RenameCandidate> = auto.unanswered(&answers.declined).into_iter().cloned().collect();
        if open.is_empty() {
            return Ok(auto);
        }
        let Some((input, output)) = prompt.as_mut() else { bail!(unanswered(&open)) };
        // A "yes" that the diff did not apply would be asked forever.
        if let Some(again) = open.iter().find(|c| asked.contains(&c.rename)) {
            bail!("{} was confirmed but does not apply to these schemas; no revision was written", again.question);
        }
        for c in &open {
            // One answer settles every question about the same old name: "no" says it was
            // dropped, "yes" says where it went (and that the new name is taken).
            let settled = answers.declined.iter().any(|d| d.answers(&c.rename)) || answers.renames.iter().any(|r| same_end(r, &c.rename));
            if settled {
                continue;
            }
            asked.push(c.rename.clone());
            answers.asked = true;
            if ask(&c.question, &mut **input, &mut **output)? {
                answers.renames.push(c.rename.clone());
            } else if let Some(d) = Decline::of(&c.rename) {
                answers.declined.push(d);
            }
        }
    }
}

/// Whether two renames move the same old column (or table), or give the same new name.
fn same_end(a: &Rename, b: &Rename) -> bool {
    let same = |x: &str, y: &str| x.eq_ignore_ascii_case(y);
    match (a, b) {
        (Rename::Table { from: f, to: t }, Rename::Table { from: g, to: u }) => same(f, g) || same(t, u),
        (Rename::Column { table: a, from: f, to: t }, Rename::Column { table: b, from: g, to: u }) => same(a, b) && (same(f, g) || same(t, u)),
        _ => false,
    }
}

/// Asks one question until it gets y, yes, n, no or an empty line (which means no).
fn ask(question: &str, input: &mut dyn BufRead, output: &mut dyn Write) -> Result<bool> {
    loop {
        write!(output, "{} [y/N] ", capitalise(question))?;
        output.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            writeln!(output)?;
            bail!("no answer to \"{question}\" (the input ended); no revision was written");
        }
        match line.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" => return Ok(true),
            "" | "n" | "no" => return Ok(false),
            _ => writeln!(output, "Please answer y or n.")?,
        }
    }
}

/// The failure without a terminal: each open question with the flag that answers yes and the
/// one that answers no.
fn unanswered(open: &[RenameCandidate]) -> String {
    let mut text = format!(
        "{} no answer, so no revision was written:",
        if open.len() == 1 { "a rename question has".to_string() } else { format!("{} rename questions have", open.len()) }
    );
    for c in open {
        text.push_str(&format!("\n  {}", c.question));
        if let Some(h) = hint(&c.rename) {
            text.push_str(&format!("\n    yes, keep its values:          --rename {h}"));
        }
        if let Some(d) = Decline::of(&c.rename) {
            text.push_str(&format!("\n    no, drop it and add a new one: --no-rename {d}"));
        }
    }
    text.push_str("\nrun again with an answer to each question (on a terminal, strata asks them)");
    text
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_engine::migrate::between;
    use strata_core::{Schema};
    use strata_engine::from_sql;

    fn head() -> Schema {
        from_sql("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, fax TEXT);").unwrap().schema
    }

    const MODEL: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY, email_address TEXT, phone TEXT);";

    /// Runs the prompt loop on `typed` and returns the answers, what was shown, and the up SQL.
    fn run(typed: &str) -> (Result<Answers>, String, String) {
        let model = from_sql(MODEL).unwrap();
        let mut answers = Answers::default();
        let mut input = typed.as_bytes();
        let mut shown = Vec::new();
        let mut up = String::new();
        let result = resolve(
            &mut answers,
            |renames| {
                let auto = between(&head(), &model, renames);
                up = auto.up.body_sql();
                Ok(auto)
            },
            Some((&mut input, &mut shown)),
        );
        (result.map(|_| answers), String::from_utf8(shown).unwrap(), up)
    }

    #[test]
    fn each_question_is_asked_and_one_answer_settles_an_old_name() {
        // email -> email_address? yes; then fax -> phone? no. email -> phone is not asked: the
        // yes already said where email went.
        let (answers, shown, up) = run("y\nn\n");
        let answers = answers.unwrap();
        assert_eq!(shown, "Did you rename users.email to users.email_address? [y/N] Did you rename users.fax to users.phone? [y/N] ");
        assert_eq!(answers.flags(), "--rename users.email=email_address --no-rename users.fax");
        assert!(up.contains("RENAME COLUMN \"email\" TO \"email_address\"") && up.contains("DROP COLUMN \"fax\""), "{up}");
    }

    #[test]
    fn an_empty_line_means_no_and_anything_else_asks_again() {
        let (answers, shown, up) = run("maybe\n\nNO\n");
        assert!(shown.contains("Please answer y or n.\nDid you rename users.email"), "{shown}");
        assert_eq!(answers.unwrap().flags(), "--no-rename users.email --no-rename users.fax");
        assert!(up.contains("DROP COLUMN \"email\""), "{up}");
    }

    #[test]
    fn input_that_ends_before_an_answer_writes_nothing() {
        let (answers, _, _) = run("y\n");
        let e = answers.unwrap_err().to_string();
        assert_eq!(e, "no answer to \"did you rename users.fax to users.phone?\" (the input ended); no revision was written");
    }

    #[test]
    fn without_a_terminal_the_questions_come_back_with_their_flags() {
        let model = from_sql(MODEL).unwrap();
        let e = resolve(&mut Answers::default(), |r| Ok(between(&head(), &model, r)), None).unwrap_err().to_string();
        assert!(e.starts_with("4 rename questions have no answer, so no revision was written:\n  did you rename users.email to users.email_address?\n    yes, keep its values:          --rename users.email=email_address\n    no, drop it and add a new one: --no-rename users.email\n"), "{e}");
        let mut declined = Answers { declined: vec![Decline::parse("users.email").unwrap(), Decline::parse("users.fax").unwrap()], ..Answers::default() };
        assert!(resolve(&mut declined, |r| Ok(between(&head(), &model, r)), None).is_ok());
    }
}
