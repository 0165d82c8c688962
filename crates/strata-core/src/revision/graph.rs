//! The revision graph: revisions joined by their parents, checked to have unique ids, known
//! parents and no cycles; heads, bases, branch points, ancestry, and the parents of the next
//! revision or of a merge.

use std::collections::{BTreeMap, BTreeSet};

use super::{valid_id, Revision, RevisionError};

/// Revisions joined by their parents: checked to have unique ids, known parents and no cycles.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    pub(super) revs: BTreeMap<String, Revision>,
    pub(super) children: BTreeMap<String, Vec<String>>,
    /// Parents before children; among revisions free to go, the older (then smaller id) first.
    pub(super) order: Vec<String>,
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
}
