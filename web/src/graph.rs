//! Where each revision of the graph is drawn: one row per revision, newest first, each on a
//! lane, with the lines that join it to its children above and its parents below.
//!
//! This is layout, not migration logic: it only reads ids and parents, as `git log --graph`
//! does, so the revision panel can draw branches and merges without knowing what they mean.

/// One row of the drawn graph.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Row {
    /// The lane the revision's node sits on.
    pub lane: usize,
    /// Lanes whose line comes down from a child and ends at this node.
    pub into: Vec<usize>,
    /// Lanes whose line leaves this node down towards a parent.
    pub out: Vec<usize>,
    /// Lanes that pass this row by, on their way to an older revision.
    pub through: Vec<usize>,
    /// How many lanes the row needs.
    pub width: usize,
}

/// Lays out revisions given oldest first (parents before children), as `(id, parents)`;
/// the rows come back newest first.
pub fn layout<'a>(revisions: impl DoubleEndedIterator<Item = (&'a str, &'a [String])>) -> Vec<Row> {
    // Each lane waits for the revision its line leads to; `None` is a free lane.
    let mut lanes: Vec<Option<&str>> = Vec::new();
    let mut rows = Vec::new();
    for (id, parents) in revisions.rev() {
        let into: Vec<usize> = (0..lanes.len()).filter(|&i| lanes[i] == Some(id)).collect();
        let through: Vec<usize> = (0..lanes.len())
            .filter(|&i| lanes[i].is_some_and(|w| w != id))
            .collect();
        for &i in &into {
            lanes[i] = None;
        }
        let lane = into.first().copied().unwrap_or_else(|| free(&mut lanes));
        let mut out = Vec::new();
        for (n, parent) in parents.iter().enumerate() {
            let to = if n == 0 {
                lane
            } else if let Some(i) = lanes.iter().position(|w| *w == Some(parent.as_str())) {
                i
            } else {
                // The first parent already holds the node's own lane, so this takes another.
                free(&mut lanes)
            };
            lanes[to] = Some(parent.as_str());
            out.push(to);
        }
        let width = [lane + 1, lanes.len()]
            .into_iter()
            .chain(into.iter().map(|i| i + 1))
            .max()
            .unwrap_or(1);
        rows.push(Row {
            lane,
            into,
            out,
            through,
            width,
        });
        while lanes.last() == Some(&None) {
            lanes.pop();
        }
    }
    rows
}

fn free(lanes: &mut Vec<Option<&str>>) -> usize {
    lanes.iter().position(Option::is_none).unwrap_or_else(|| {
        lanes.push(None);
        lanes.len() - 1
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row as (lane, into, out, through).
    type Lanes = (usize, Vec<usize>, Vec<usize>, Vec<usize>);

    fn rows(revs: &[(&str, &[&str])]) -> Vec<Lanes> {
        let owned: Vec<(String, Vec<String>)> = revs
            .iter()
            .map(|(id, ps)| (id.to_string(), ps.iter().map(|p| p.to_string()).collect()))
            .collect();
        layout(owned.iter().map(|(id, ps)| (id.as_str(), ps.as_slice())))
            .into_iter()
            .map(|r| (r.lane, r.into, r.out, r.through))
            .collect()
    }

    #[test]
    fn a_line_of_revisions_stays_on_one_lane() {
        assert_eq!(
            rows(&[("a", &[]), ("b", &["a"]), ("c", &["b"])]),
            vec![
                (0, vec![], vec![0], vec![]),
                (0, vec![0], vec![0], vec![]),
                (0, vec![0], vec![], vec![]),
            ]
        );
    }

    #[test]
    fn two_heads_fork_from_their_common_parent() {
        // Newest first: c (lane 0), b (a second lane, passing lane 0 by), then a joins both.
        assert_eq!(
            rows(&[("a", &[]), ("b", &["a"]), ("c", &["a"])]),
            vec![
                (0, vec![], vec![0], vec![]),
                (1, vec![], vec![1], vec![0]),
                (0, vec![0, 1], vec![], vec![]),
            ]
        );
    }

    #[test]
    fn a_merge_opens_a_lane_for_its_second_parent() {
        let got = rows(&[("a", &[]), ("b", &["a"]), ("c", &["a"]), ("m", &["b", "c"])]);
        assert_eq!(got[0], (0, vec![], vec![0, 1], vec![]));
        assert_eq!(got[1], (1, vec![1], vec![1], vec![0]));
        assert_eq!(got[2], (0, vec![0], vec![0], vec![1]));
        assert_eq!(got[3], (0, vec![0, 1], vec![], vec![]));
    }
}
