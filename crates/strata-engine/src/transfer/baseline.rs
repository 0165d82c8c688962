//! An imported `.sqlite` file as a project: checked to be a sound SQLite database, its schema
//! becomes one revision ([`BASELINE_ID`]) that autogenerate writes from the empty schema, kept
//! and stamped as applied, so the file's rows stay as they are and later revisions build on it.

use strata_core::project::ModelLanguage;
use strata_core::revision::{Graph, Target};
use strata_core::schema::Schema;
use strata_core::sql::quote as quote_ident;
use strata_core::time::Clock;
use strata_core::Model;

use super::project::store_project;
use super::{applying, scratch, strata_tables};
use crate::error::sqlite_message;
use crate::migrate;

use rusqlite::Connection;

/// What every SQLite database file starts with.
const MAGIC: &[u8] = b"SQLite format 3\0";

/// The id of the revision an imported `.sqlite` file becomes.
pub const BASELINE_ID: &str = "baseline";

/// Checks that `bytes` are a sound SQLite database and turns them into a scratch database whose
/// project is one revision, [`BASELINE_ID`], that creates the file's schema and is recorded as
/// applied. Returns the scratch database and the schema as model SQL.
pub fn baseline(
    name: &str,
    bytes: &[u8],
    clock: &dyn Clock,
    version_table: &str,
) -> Result<(Connection, String), String> {
    let refused = |why: String| format!("{name} cannot be imported: {why}; nothing was changed");
    if bytes.len() < 100 || !bytes.starts_with(MAGIC) {
        return Err(refused("it is not a SQLite database".to_owned()));
    }
    // A file saved in WAL mode says so in bytes 18 and 19; an in-memory copy cannot use WAL,
    // and the file holds everything committed, so it is read in the rollback-journal mode.
    let mut bytes = bytes.to_vec();
    if bytes[18] == 2 || bytes[19] == 2 {
        bytes[18] = 1;
        bytes[19] = 1;
    }
    let damaged = |e: rusqlite::Error| refused(format!("it is damaged ({})", sqlite_message(&e)));
    let mut scratch = scratch::scratch_from(&bytes).map_err(damaged)?;
    scratch::sound(&scratch, "integrity_check").map_err(refused)?;
    // A file exported from the playground carries strata's own tables; the baseline replaces
    // them, so a re-imported export starts a fresh history from what it holds.
    for table in strata_tables(version_table) {
        scratch
            .execute_batch(&format!("DROP TABLE IF EXISTS {}", quote_ident(table)))
            .map_err(damaged)?;
    }
    let schema = crate::introspect_excluding(&scratch, &strata_tables(version_table))
        .map_err(|e| refused(format!("its schema cannot be read ({e})")))?;
    if schema.tables.is_empty() {
        return Err(refused("it holds no tables".to_owned()));
    }
    // The baseline is what autogenerate makes from an empty schema to the file's, so its up SQL
    // is strata's own rendering and its down SQL drops everything again.
    let model = Model {
        schema: schema.clone(),
        renames: Vec::new(),
    };
    let autogen = migrate::between(&Schema::default(), &model, &[]);
    let created = clock.now().rfc3339();
    let rev = autogen.revision(
        BASELINE_ID,
        Vec::new(),
        &format!("baseline from {name}"),
        &created,
    );
    let graph = Graph::new(vec![rev.clone()]).map_err(|e| refused(e.to_string()))?;
    let model_sql = strata_core::render::schema_sql(&schema);
    let failed = |e: rusqlite::Error| refused(sqlite_message(&e));
    store_project(
        &scratch,
        std::slice::from_ref(&rev),
        &model_sql,
        ModelLanguage::Sql,
    )
    .map_err(failed)?;
    migrate::stamp(
        &mut scratch,
        &graph,
        &Target::Revision(BASELINE_ID.to_owned()),
        &applying(version_table),
        clock,
    )
    .map_err(|e| refused(e.to_string()))?;
    Ok((scratch, model_sql))
}
