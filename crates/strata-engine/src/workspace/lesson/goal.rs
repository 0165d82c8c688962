//! A lesson's goal beside the live database, as Learn Git Branching draws the goal tree: the
//! schema the lesson's goal model describes, each table and column marked by how the live
//! database still differs from it, so a learner sees what is left to do.
//!
//! The comparison is the playground's own: the goal model goes through the same front-end as
//! the model editor, the live schema is introspected as the diagram's is, and `snapshot::diagram`
//! marks the differences. Nothing is written.

use super::super::snapshot::diagram;
use super::super::workbench::parse_model;
use super::super::{Workspace, STRATA_TABLES, VERSION_TABLE};
use crate::workspace::protocol::{Diagram, GoalVersion, Mark, Outcome};
use strata_core::project::ModelLanguage;

impl Workspace {
    /// The goal `model` (SQL) drawn against the live database. A goal that does not parse, or
    /// a database that cannot be read, answers with the reason and an empty diagram: this is
    /// a background request, and it never answers `Err`.
    pub(in crate::workspace) fn lesson_goal(
        &self,
        lesson: String,
        model: &str,
        versions: &[String],
    ) -> Outcome {
        let drawn = parse_model(model, ModelLanguage::Sql)
            .map_err(|e| format!("the lesson's goal does not parse: {}", e.message))
            .and_then(|goal| {
                let live = crate::introspect_excluding(&self.conn, &STRATA_TABLES)
                    .map_err(|e| format!("cannot read the database: {e}"))?;
                Ok(diagram(&live, &goal.schema))
            })
            .and_then(|diagram| Ok((diagram, self.goal_versions(versions)?)));
        match drawn {
            Ok((diagram, versions)) => Outcome::LessonGoal {
                lesson,
                differs: differs(&diagram)
                    + versions.iter().filter(|v| v.mark != Mark::Same).count(),
                diagram,
                error: None,
                versions,
            },
            Err(error) => Outcome::LessonGoal {
                lesson,
                diagram: Diagram::default(),
                differs: 0,
                error: Some(error),
                versions: Vec::new(),
            },
        }
    }

    /// The goal's `schema_version` rows (revisions named by id or message) marked against the
    /// applied ones, then the applied rows the goal does not want; nothing when the lesson
    /// names no rows.
    fn goal_versions(&self, wanted: &[String]) -> Result<Vec<GoalVersion>, String> {
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let applied = crate::migrate::applied(&self.conn, VERSION_TABLE)
            .map_err(|e| format!("cannot read {VERSION_TABLE}: {e}"))?;
        let ids: Vec<String> = wanted.iter().map(|w| self.revision_named(w)).collect();
        let mut rows: Vec<GoalVersion> = ids
            .iter()
            .zip(wanted)
            .map(|(id, name)| {
                let description = self
                    .revisions
                    .iter()
                    .find(|r| &r.id == id)
                    .map_or_else(|| name.clone(), |r| r.message.clone());
                let mark = if applied.iter().any(|row| &row.version == id) {
                    Mark::Same
                } else {
                    Mark::Added
                };
                GoalVersion {
                    version: id.clone(),
                    description,
                    mark,
                }
            })
            .collect();
        rows.extend(
            applied
                .iter()
                .filter(|row| !ids.contains(&row.version))
                .map(|row| GoalVersion {
                    version: row.version.clone(),
                    description: row.description.clone(),
                    mark: Mark::Removed,
                }),
        );
        Ok(rows)
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
