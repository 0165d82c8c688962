//! One revision as a learner would commit it in their own repository: strata's up and down
//! SQL beside the Alembic script that goes in `alembic/versions/`, named as the Alembic
//! project export names it. The playground's lessons draw it next to the revision, so what
//! strata did and what the team ships are read side by side.

use serde::{Deserialize, Serialize};

use super::{alembic, ExportError, ExportInput, HeadSchema};
use crate::revision::Graph;

/// A revision and its Alembic script.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commit {
    pub id: String,
    pub message: String,
    /// Whether the database has applied it (otherwise it is pending).
    pub applied: bool,
    /// strata's SQL, both ways, as the revision file holds it.
    pub up: String,
    pub down: String,
    /// Where the script goes in an Alembic project: `alembic/versions/<id>_<slug>.py`.
    pub path: String,
    pub alembic: String,
    /// False when the revision's SQL was written or edited by hand, so the script runs it as
    /// written (`op.execute`) instead of as `op.*` calls.
    pub faithful: bool,
}

/// `id` of `graph` as a [`Commit`]; `applied` says whether the database has it.
pub fn commit(graph: &Graph, id: &str, applied: bool, schemas: &dyn HeadSchema) -> Result<Commit, ExportError> {
    let rev = graph.get(id).ok_or_else(|| ExportError::UnknownRevision { id: id.into() })?;
    let input = ExportInput::for_revision(graph, id, schemas)?;
    let stem = rev.file_name();
    Ok(Commit {
        id: rev.id.clone(),
        message: rev.message.clone(),
        applied,
        up: rev.up.clone(),
        down: rev.down.clone(),
        path: format!("alembic/versions/{}.py", stem.trim_end_matches(".sql")),
        alembic: alembic(&input),
        faithful: input.faithful,
    })
}
