//! Where to migrate to: [`Target`] as the user writes it (`head`, `heads`, `base`, `+N`, `-N`,
//! an id or a prefix of one), resolved against a [`Graph`] into the ordered path of revisions
//! an upgrade or a downgrade runs.

use std::collections::BTreeSet;

use super::graph::Graph;
use super::{Revision, RevisionError};

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

impl Graph {
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
