//! Rename annotations in SQL model text: `-- @renamed from=old` and `/* @renamed from=old */`
//! attached to the table, column or index definition they sit beside. Pure: read with the
//! tokenizer, so the engine's SQL front-end and any other reader of model text agree.

use crate::diff::Rename;
use crate::sql::{self, TokenKind};
use crate::statement::{self, Object, Verb};

/// What an annotation may be attached to.
enum Owner {
    Table(String),
    Column(String, String),
    Index(String),
}

/// Finds `@renamed from=NAME` comments and the definition each belongs to: the last table,
/// column or index definition that starts on the comment's line before it, or else the last one
/// before it at all.
pub fn annotations(text: &str) -> Vec<Rename> {
    let mut out = Vec::new();
    for stmt in sql::split_statements(text) {
        let src = stmt.text.as_str();
        let toks = sql::tokenize(src);
        let sig: Vec<_> = toks.iter().filter(|t| !t.is_trivia()).copied().collect();
        let mut owners: Vec<(usize, usize, Owner)> = Vec::new(); // (offset, line, owner)
        let c = statement::classify(src);
        let named = c.name.as_ref().zip(c.name_at).and_then(|(n, at)| Some((n.name.clone(), sig.iter().position(|t| t.start == at)?)));
        if let (Verb::Create, Some((name, i))) = (c.verb, named) {
            let name_tok = sig[i];
            match c.object {
                Some(Object::Table) => {
                    owners.push((name_tok.start, name_tok.line, Owner::Table(name.clone())));
                    let mut depth = 0;
                    for (j, t) in sig.iter().enumerate().skip(i + 1) {
                        if t.is_punct(src, "(") {
                            depth += 1;
                            if depth == 1 {
                                push_column(src, &sig, j + 1, &name, &mut owners);
                            }
                        } else if t.is_punct(src, ")") {
                            depth -= 1;
                        } else if depth == 1 && t.is_punct(src, ",") {
                            push_column(src, &sig, j + 1, &name, &mut owners);
                        }
                    }
                }
                Some(Object::Index) => owners.push((name_tok.start, name_tok.line, Owner::Index(name))),
                _ => {}
            }
        }
        for t in toks.iter().filter(|t| matches!(t.kind, TokenKind::LineComment | TokenKind::BlockComment)) {
            let Some(from) = renamed_from(t.text(src)) else { continue };
            let same_line = owners.iter().rev().find(|(off, line, _)| *line == t.line && *off < t.start);
            let before = owners.iter().rev().find(|(off, _, _)| *off < t.start);
            let Some((_, _, owner)) = same_line.or(before) else { continue };
            out.push(match owner {
                Owner::Table(to) => Rename::Table { from, to: to.clone() },
                Owner::Column(table, to) => Rename::Column { table: table.clone(), from, to: to.clone() },
                Owner::Index(to) => Rename::Index { from, to: to.clone() },
            });
        }
        // Lines are relative to the statement; owners only compare with comments of the same
        // statement, so no offsetting is needed.
    }
    out
}

fn push_column(src: &str, sig: &[sql::Token], j: usize, table: &str, owners: &mut Vec<(usize, usize, Owner)>) {
    let Some(t) = sig.get(j) else { return };
    if !t.is_name() {
        return;
    }
    let next_is = |w: &str| sig.get(j + 1).is_some_and(|n| n.is_word(src, w) || n.is_punct(src, w));
    let constraint_start = t.kind == TokenKind::Word
        && (t.is_word(src, "constraint")
            || t.is_word(src, "check") && next_is("(")
            || t.is_word(src, "unique") && next_is("(")
            || t.is_word(src, "primary") && next_is("key")
            || t.is_word(src, "foreign") && next_is("key"));
    if !constraint_start {
        owners.push((t.start, t.line, Owner::Column(table.to_string(), sql::unquote(t.text(src)))));
    }
}

/// The name in `@renamed from=NAME` (NAME may be quoted), if the comment is such an annotation.
fn renamed_from(comment: &str) -> Option<String> {
    let body = comment.trim_start_matches("--").trim_start_matches("/*").trim_end_matches("*/").trim();
    let rest = body.strip_prefix("@renamed")?.trim_start();
    let value = rest.strip_prefix("from")?.trim_start().strip_prefix('=')?.trim();
    let tok = sql::tokenize(value).into_iter().find(|t| !t.is_trivia())?;
    Some(sql::unquote(tok.text(value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_attach_to_the_definition_on_their_line() {
        let text = "CREATE TABLE users ( -- @renamed from=accounts\n  id int,\n  user_name text, -- @renamed from=username\n  age int\n);\nCREATE TABLE \"b\" /* @renamed from=\"a x\" */ (x int);\nCREATE INDEX new_idx /* @renamed from=old_idx */ ON users (age);";
        assert_eq!(
            annotations(text),
            vec![
                Rename::Table { from: "accounts".into(), to: "users".into() },
                Rename::Column { table: "users".into(), from: "username".into(), to: "user_name".into() },
                Rename::Table { from: "a x".into(), to: "b".into() },
                Rename::Index { from: "old_idx".into(), to: "new_idx".into() },
            ]
        );
    }
}
