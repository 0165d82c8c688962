//! A lesson's goal beside the live database, as Learn Git Branching draws the goal tree: the
//! schema the lesson's goal model describes, each table and column marked by how the live
//! database still differs from it, so a learner sees what is left to do.
//!
//! The comparison is the playground's own: the goal model goes through the same front-end as
//! the model editor, the live schema is introspected as the diagram's is, and `snapshot::diagram`
//! marks the differences. Nothing is written.

use super::super::snapshot::diagram;
use super::super::workbench::parse_model;
use super::super::{Workspace, STRATA_TABLES};
use crate::workspace::protocol::{Diagram, Mark, Outcome};
use strata_core::project::ModelLanguage;

impl Workspace {
    /// The goal `model` (SQL) drawn against the live database. A goal that does not parse, or
    /// a database that cannot be read, answers with the reason and an empty diagram: this is
    /// a background request, and it never answers `Err`.
    pub(in crate::workspace) fn lesson_goal(&self, lesson: String, model: &str) -> Outcome {
        let drawn = parse_model(model, ModelLanguage::Sql)
            .map_err(|e| format!("the lesson's goal does not parse: {}", e.message))
            .and_then(|goal| {
                let live = crate::introspect_excluding(&self.conn, &STRATA_TABLES)
                    .map_err(|e| format!("cannot read the database: {e}"))?;
                Ok(diagram(&live, &goal.schema))
            });
        match drawn {
            Ok(diagram) => Outcome::LessonGoal {
                lesson,
                differs: differs(&diagram),
                diagram,
                error: None,
            },
            Err(error) => Outcome::LessonGoal {
                lesson,
                diagram: Diagram::default(),
                differs: 0,
                error: Some(error),
            },
        }
    }
}

/// How many tables and columns are marked, that is, still differ from the goal.
pub(in crate::workspace) fn differs(diagram: &Diagram) -> usize {
    diagram
        .tables
        .iter()
        .map(|t| {
            usize::from(t.status != Mark::Same)
                + t.columns.iter().filter(|c| c.status != Mark::Same).count()
        })
        .sum()
}
