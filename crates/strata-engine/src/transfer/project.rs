//! Projects in and out of databases: a database built from a `strata-project/1` value
//! ([`build`]: its revisions stored and applied, its model kept, its rows added, all in a scratch
//! connection; [`database_of`] the same without strata's own tables, for a CLI folder), the
//! value read back from a database and its revision files ([`project_of`], with the SQL of what
//! was changed outside revisions and every row), and the checks a scratch database passes
//! before it may replace a live one ([`check`]).

use std::collections::BTreeSet;

use rusqlite::{Connection, OptionalExtension};
use strata_core::project::{ModelLanguage, Project, FORMAT};
use strata_core::revision::{Graph, Revision};
use strata_core::sql::quote as quote_ident;
use strata_core::time::Clock;

use super::rows::{add_data, data_sql};
use super::{applying, scratch, strata_tables, META_DDL, META_TABLE};
use crate::error::sqlite_message;
use crate::migrate;
use crate::store::{TableStore, PROJECT_DDL};

/// What a checked scratch database holds, read before it replaces the live one so that
/// nothing needs reading (or can fail) afterwards.
pub struct Checked {
    pub revisions: Vec<Revision>,
    pub model: Option<(String, ModelLanguage)>,
}

/// A scratch database built from a project: revisions stored and applied up to the project's
/// targets, the model kept, the rows added. Nothing live is touched. The revision files are
/// kept as the project has them, byte for byte, so the checksums the version rows record are
/// those of the files an export gives back.
pub fn build(
    project: &Project,
    clock: &dyn Clock,
    version_table: &str,
) -> Result<Connection, String> {
    build_with(project, clock, version_table, true)
}

/// The database of a project alone, as a CLI project keeps it beside its migrations folder
/// (`strata open`): the revisions applied up to the project's targets and the rows added, in a
/// scratch connection, without strata's project and model tables (the folder holds those as
/// files). Refused when the version rows do not match the revisions (the project's data wrote
/// to the version table), since `strata verify` would then refuse every command.
pub fn database_of(
    project: &Project,
    clock: &dyn Clock,
    version_table: &str,
) -> Result<Connection, String> {
    let scratch = build_with(project, clock, version_table, false)?;
    let graph = project.graph().map_err(|e| e.to_string())?;
    let rows = migrate::applied(&scratch, version_table).map_err(|e| {
        format!("the project's {version_table} table cannot be read ({e}); nothing was changed")
    })?;
    let problems: Vec<String> = strata_core::history::validate(&rows, &graph)
        .iter()
        .filter(|f| f.is_error())
        .map(|f| f.describe())
        .collect();
    if !problems.is_empty() {
        return Err(format!(
            "the project's database does not match its revisions ({}); nothing was changed",
            problems.join("; ")
        ));
    }
    Ok(scratch)
}

fn build_with(
    project: &Project,
    clock: &dyn Clock,
    version_table: &str,
    keep_project: bool,
) -> Result<Connection, String> {
    let (graph, targets) = project.graph_and_targets().map_err(|e| e.to_string())?;
    let revisions = project.parsed_revisions().map_err(|e| e.to_string())?;
    let scratch_failed = |e: rusqlite::Error| {
        format!(
            "cannot build the project ({}); nothing was changed",
            sqlite_message(&e)
        )
    };
    let mut scratch = scratch::scratch().map_err(scratch_failed)?;
    if keep_project {
        store_files(
            &scratch,
            &revisions,
            &project.revisions,
            &project.model,
            project.language,
        )
        .map_err(scratch_failed)?;
    }
    if !graph.is_empty() {
        for target in &targets {
            migrate::upgrade(
                &mut scratch,
                &graph,
                target,
                &applying(version_table),
                clock,
                &mut |_| {},
            )
            .map_err(|e| {
                format!("the project's revisions cannot be applied: {e}; nothing was changed")
            })?;
        }
    }
    add_data(&scratch, &project.data)?;
    Ok(scratch)
}

/// Checks a scratch database before it may replace the live one, and reads what the engine
/// keeps of it: the file is sound (`PRAGMA quick_check`), its project's revisions parse and
/// form a valid graph, and every applied version is one of them. The reason is returned when
/// it is not.
pub fn check(scratch: &Connection, version_table: &str) -> Result<Checked, String> {
    let sqlite = |e: rusqlite::Error| sqlite_message(&e);
    scratch::sound(scratch, "quick_check")?;
    let revisions = TableStore::new(scratch)
        .files()
        .map_err(|e| format!("its project cannot be read ({})", sqlite_message(&e)))?
        .iter()
        .enumerate()
        .map(|(i, file)| {
            Revision::parse(file)
                .map_err(|e| format!("its revision {} cannot be read ({e})", i + 1))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let graph = Graph::new(revisions.clone())
        .map_err(|e| format!("its revisions do not form a valid graph ({e})"))?;
    for rev in &revisions {
        strata_core::atomicity::ensure(rev)
            .map_err(|e| format!("its revision {} cannot run ({e})", rev.id))?;
    }
    if scratch::table_exists(scratch, version_table).map_err(sqlite)? {
        let applied = migrate::applied(scratch, version_table)
            .map_err(|e| format!("its {version_table} table cannot be read ({e})"))?;
        if let Some(row) = applied.iter().find(|r| graph.get(&r.version).is_none()) {
            return Err(format!(
                "{version_table} says revision {} is applied, but the project has no such revision",
                row.version
            ));
        }
    }
    let model = read_model(scratch)
        .map_err(|e| format!("its model text cannot be read ({})", sqlite_message(&e)))?;
    Ok(Checked { revisions, model })
}

/// Appends to `scratch`'s project (a backup about to be restored) the revisions of `live` it
/// does not have and whose parents it has, parents first, and names them as "id (message)".
/// A revision with no parents is kept only when the backup has no revisions at all: beside
/// other revisions it would be the root of another project (one loaded after the backup was
/// taken), not newer work on the backup's own.
pub fn keep_revisions(scratch: &Connection, live: &[Revision]) -> rusqlite::Result<Vec<String>> {
    scratch.execute_batch(PROJECT_DDL)?;
    let mut known: BTreeSet<String> = {
        let mut stmt = scratch.prepare("SELECT id FROM _strata_project")?;
        let rows = stmt.query_map([], |row| row.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let had_revisions = !known.is_empty();
    let mut kept = Vec::new();
    for rev in live {
        let fits = if rev.parents.is_empty() {
            !had_revisions
        } else {
            rev.parents.iter().all(|p| known.contains(p))
        };
        if known.contains(&rev.id) || !fits {
            continue;
        }
        scratch.execute(
            "INSERT INTO _strata_project (position, id, file) VALUES ((SELECT coalesce(max(position), 0) + 1 FROM _strata_project), ?1, ?2)",
            rusqlite::params![rev.id, rev.render()],
        )?;
        known.insert(rev.id.clone());
        kept.push(format!("{} ({})", rev.id, rev.message));
    }
    Ok(kept)
}

/// Everything that tells two databases apart for the playground's pristine-demo check: the schema, the
/// project's revision files, the applied versions, the model and the rows.
pub fn contents(conn: &Connection, version_table: &str) -> rusqlite::Result<String> {
    let mut out = String::new();
    {
        let mut stmt = conn.prepare(
            "SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_schema ORDER BY type, name",
        )?;
        let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
        for row in rows {
            out.push_str(&row?);
            out.push('\n');
        }
    }
    for file in TableStore::new(conn).files()? {
        out.push_str(&file);
    }
    if scratch::table_exists(conn, version_table)? {
        let mut stmt = conn.prepare(&format!(
            "SELECT version FROM {} ORDER BY version",
            quote_ident(version_table)
        ))?;
        let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
        for row in rows {
            out.push_str(&row?);
            out.push('\n');
        }
    }
    out.push_str(&format!("{:?}\n", read_model(conn)?));
    out.push_str(&data_sql(conn, &strata_tables(version_table))?);
    Ok(out)
}

/// The revisions (in the given order) and the model, in strata's own tables of `conn`.
pub fn store_project(
    conn: &Connection,
    revisions: &[Revision],
    model: &str,
    language: ModelLanguage,
) -> rusqlite::Result<()> {
    let files: Vec<String> = revisions.iter().map(Revision::render).collect();
    store_files(conn, revisions, &files, model, language)
}

/// [`store_project`] with each revision's file text as given (`files[i]` is the file
/// `revisions[i]` was read from).
fn store_files(
    conn: &Connection,
    revisions: &[Revision],
    files: &[String],
    model: &str,
    language: ModelLanguage,
) -> rusqlite::Result<()> {
    conn.execute_batch(PROJECT_DDL)?;
    for (position, (rev, file)) in revisions.iter().zip(files).enumerate() {
        conn.execute(
            "INSERT INTO _strata_project (position, id, file) VALUES (?1, ?2, ?3)",
            rusqlite::params![position as i64 + 1, rev.id, file],
        )?;
    }
    write_model(conn, model, language)
}

pub fn write_model(
    conn: &Connection,
    model: &str,
    language: ModelLanguage,
) -> rusqlite::Result<()> {
    conn.execute_batch(META_DDL)?;
    conn.execute(
        "INSERT INTO _strata_meta (key, value) VALUES ('model', ?1), ('language', ?2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [model, language_word(language)],
    )?;
    Ok(())
}

/// The model and its language, when the database has them (a database made by an earlier
/// build, or by another tool, has not).
pub fn read_model(conn: &Connection) -> rusqlite::Result<Option<(String, ModelLanguage)>> {
    if !scratch::table_exists(conn, META_TABLE)? {
        return Ok(None);
    }
    let value = |key: &str| -> rusqlite::Result<Option<String>> {
        conn.query_row(
            "SELECT value FROM _strata_meta WHERE key = ?1",
            [key],
            |row| row.get(0),
        )
        .optional()
    };
    let Some(model) = value("model")? else {
        return Ok(None);
    };
    let language = match value("language")?.as_deref() {
        Some("sqlmodel") => ModelLanguage::Sqlmodel,
        _ => ModelLanguage::Sql,
    };
    Ok(Some((model, language)))
}

pub fn language_word(language: ModelLanguage) -> &'static str {
    match language {
        ModelLanguage::Sql => "sql",
        ModelLanguage::Sqlmodel => "sqlmodel",
    }
}

/// The project as a file or a link carries it: `model` in `language`, the revision `files`
/// (parents first, each exactly as stored), every applied revision that nothing applied builds
/// on, and as data the SQL of what was changed outside revisions ([`drift_sql`]) followed by
/// every row of the database's own tables (strata's left out).
pub fn project_of(
    conn: &Connection,
    files: &[String],
    model: &str,
    language: ModelLanguage,
    version_table: &str,
) -> Result<Project, String> {
    let parts = parts_of(conn, files, model, language, version_table)?;
    let mut project = parts.project;
    project.data = format!("{}{}", parts.drift, parts.rows);
    Ok(project)
}

/// A project read from a database with its data in two parts, for callers that may leave the
/// rows out (a share link that would be too long).
pub struct Parts {
    /// The project with no data.
    pub project: Project,
    /// [`drift_sql`]: what was changed outside revisions, which the schema needs.
    pub drift: String,
    /// Every row, as `INSERT` statements, then the AUTOINCREMENT counters.
    pub rows: String,
}

/// [`project_of`] with the data left in its two parts.
pub fn parts_of(
    conn: &Connection,
    files: &[String],
    model: &str,
    language: ModelLanguage,
    version_table: &str,
) -> Result<Parts, String> {
    let read = |e: rusqlite::Error| format!("cannot read the database: {}", sqlite_message(&e));
    let revisions = files
        .iter()
        .enumerate()
        .map(|(i, file)| {
            Revision::parse(file).map_err(|e| format!("revision {} cannot be read ({e})", i + 1))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let graph = Graph::new(revisions).map_err(|e| e.to_string())?;
    let applied: BTreeSet<String> = migrate::applied(conn, version_table)
        .map(|rows| rows.into_iter().map(|r| r.version).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|id| graph.get(id).is_some())
        .collect();
    // Two unmerged branches can both be applied; naming only the newest would lose the other,
    // so every applied revision without an applied child is named.
    let current = graph.current(&applied);
    Ok(Parts {
        project: Project {
            format: FORMAT.to_owned(),
            language,
            model: model.to_owned(),
            revisions: files.to_vec(),
            data: String::new(),
            applied: if current.is_empty() {
                "base".to_owned()
            } else {
                current.join(",")
            },
        },
        drift: drift_sql(conn, &graph, &current, version_table)?,
        rows: data_sql(conn, &strata_tables(version_table)).map_err(read)?,
    })
}

/// The SQL that takes the schema the applied revisions (`current` and everything they build on)
/// give to the live schema (`migrate::drift`, the same comparison `strata check` makes). It is
/// empty unless the schema was changed outside revisions (in the playground's console); then
/// exported rows would not fit the schema the revisions rebuild, so the data starts with it.
pub fn drift_sql(
    conn: &Connection,
    graph: &Graph,
    current: &[String],
    version_table: &str,
) -> Result<String, String> {
    let drift = migrate::drift(
        conn,
        graph,
        current,
        version_table,
        &strata_tables(version_table),
    )
    .map_err(|e| format!("cannot compare the database with its revisions ({e})"))?;
    Ok(if drift.is_empty() {
        String::new()
    } else {
        format!("-- changed outside revisions\n{}\n", drift.up.body_sql())
    })
}
