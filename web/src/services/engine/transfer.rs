//! Moving whole databases in and out of the engine: loading a project, exporting it, `.sqlite`
//! files in both directions, the model text kept beside the data, and backups.
//!
//! Every request here that replaces the database follows one rule: the new database is built
//! completely in a scratch in-memory connection, and only when every step succeeded is it
//! copied over the live one with SQLite's backup API in a single step. The copy runs in one
//! write transaction on the live database, so a failure anywhere leaves it exactly as it was.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OptionalExtension, MAIN_DB};
use strata_core::migrate::{self, Clock};
use strata_core::model::Model;
use strata_core::revision::{Graph, Revision, Target};
use strata_core::schema::Schema;

use super::{
    options, quote_ident, sqlite_message, Engine, PageClock, PROJECT_DDL, STRATA_TABLES,
    VERSION_TABLE,
};
use crate::services::project::{ModelLanguage, Project, FORMAT};
use crate::services::protocol::{BackupView, Outcome};

/// The strata-owned key/value table that keeps the model editor's text beside the data, so a
/// reload, a backup and an exported `.sqlite` file all carry the model that goes with them.
pub const META_TABLE: &str = "_strata_meta";

const META_DDL: &str =
    "CREATE TABLE IF NOT EXISTS _strata_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)";

/// The table of the backup store (a database of its own, never the live one: a backup kept
/// inside the database would be copied into every later backup).
const BACKUP_DDL: &str = "CREATE TABLE IF NOT EXISTS backup (\n  \
    id INTEGER PRIMARY KEY AUTOINCREMENT,\n  label TEXT NOT NULL,\n  \
    created TEXT NOT NULL,\n  image BLOB NOT NULL\n)";

/// What every SQLite database file starts with.
const MAGIC: &[u8] = b"SQLite format 3\0";

/// The id of the revision an imported `.sqlite` file becomes.
pub const BASELINE_ID: &str = "baseline";

impl Engine {
    /// Replaces the whole database with `project`, or changes nothing and says why.
    pub fn load(&mut self, project: &Project) -> Result<Outcome, String> {
        self.load_with(project, &PageClock)
    }

    /// [`Engine::load`] with the clock that stamps the version rows (the demo uses a fixed one).
    pub(super) fn load_with(
        &mut self,
        project: &Project,
        clock: &dyn Clock,
    ) -> Result<Outcome, String> {
        let scratch = build(project, clock)?;
        self.adopt(scratch)?;
        Ok(Outcome::Loaded {
            model: project.model.clone(),
            language: project.language,
        })
    }

    /// What Open answers: the model kept in the database, when an earlier visit saved one.
    pub(super) fn opened(&self) -> Result<Outcome, String> {
        Ok(
            match read_model(&self.conn).map_err(|e| sqlite_message(&e))? {
                Some((model, language)) => Outcome::Loaded { model, language },
                None => Outcome::Done,
            },
        )
    }

    /// Keeps the model editor's text in the database.
    pub(super) fn save_model(
        &self,
        model: &str,
        language: ModelLanguage,
    ) -> Result<Outcome, String> {
        write_model(&self.conn, model, language)
            .map_err(|e| format!("cannot keep the model text: {}", sqlite_message(&e)))?;
        Ok(Outcome::ModelSaved)
    }

    /// The project as a file or a link carries it: the model as the page has it, the revisions,
    /// the newest applied revision, and every row of the visitor's tables.
    pub fn export_project(&self, model: &str, language: ModelLanguage) -> Result<Project, String> {
        let read = |e: rusqlite::Error| format!("cannot read the database: {}", sqlite_message(&e));
        let applied = migrate::applied(&self.conn, VERSION_TABLE)
            .map(|rows| rows.into_iter().map(|r| r.version).collect::<Vec<_>>())
            .unwrap_or_default();
        let applied = applied
            .iter()
            .rev()
            .find(|id| self.revisions.iter().any(|r| &&r.id == id))
            .cloned()
            .unwrap_or_else(|| "base".to_owned());
        Ok(Project {
            format: FORMAT.to_owned(),
            language,
            model: model.to_owned(),
            revisions: self.revisions.iter().map(Revision::render).collect(),
            data: format!(
                "{}{}",
                self.drift_sql(&applied)?,
                data_sql(&self.conn).map_err(read)?
            ),
            applied,
        })
    }

    /// The SQL that takes the schema the revisions give at `applied` to the live schema. It is
    /// empty unless the visitor changed the schema outside revisions (in the console); then the
    /// exported rows would not fit the schema the revisions rebuild, so the data starts with it.
    fn drift_sql(&self, applied: &str) -> Result<String, String> {
        let graph = self.graph()?;
        let expected = match applied {
            "base" => Schema::default(),
            id => migrate::schema_at(&graph, id, VERSION_TABLE).map_err(|e| e.to_string())?,
        };
        let live = strata_core::introspect_excluding(&self.conn, &STRATA_TABLES)
            .map_err(|e| format!("cannot read the database's schema: {e}"))?;
        let drift = migrate::between(
            &expected,
            &Model {
                schema: live,
                renames: Vec::new(),
            },
            &[],
        );
        Ok(if drift.is_empty() {
            String::new()
        } else {
            format!("-- changed outside revisions\n{}\n", drift.up.body_sql())
        })
    }

    /// The live database file, base64-encoded for the JSON channel to the page.
    pub(super) fn export_sqlite(&mut self) -> Result<Outcome, String> {
        let bytes = self.file_bytes()?;
        Ok(Outcome::SqliteExported {
            base64: STANDARD.encode(bytes),
        })
    }

    fn file_bytes(&mut self) -> Result<Vec<u8>, String> {
        // sqlite3_serialize reads a database on any VFS page by page through its pager, so it
        // also works on the OPFS file of the sahpool VFS.
        let data = self
            .conn
            .serialize(MAIN_DB)
            .map_err(|e| format!("cannot read the database file: {}", sqlite_message(&e)))?;
        Ok(data.to_vec())
    }

    /// Makes a SQLite file the database, and its schema the project's baseline revision.
    pub(super) fn import_sqlite(&mut self, name: &str, base64: &str) -> Result<Outcome, String> {
        let bytes = STANDARD
            .decode(base64)
            .map_err(|e| format!("the file did not arrive intact ({e}); nothing was changed"))?;
        let (scratch, model) = baseline(name, &bytes, &PageClock)?;
        self.adopt(scratch)?;
        Ok(Outcome::Loaded {
            model,
            language: ModelLanguage::Sql,
        })
    }

    /// Uses `conn` (a database of its own) to keep backups, so they survive a reload when it is
    /// a file. Until this is called backups live in memory.
    pub fn keep_backups_in(&mut self, conn: Connection) -> Result<(), String> {
        conn.execute_batch(BACKUP_DDL)
            .map_err(|e| format!("cannot open the backup store: {}", sqlite_message(&e)))?;
        self.backups = conn;
        Ok(())
    }

    /// Copies the whole database into the backup store.
    pub(super) fn backup(&mut self, label: &str) -> Result<Outcome, String> {
        let bytes = self.file_bytes()?;
        let label = match label.trim() {
            "" => "backup",
            label => label,
        };
        self.backups
            .execute_batch(BACKUP_DDL)
            .and_then(|()| {
                self.backups.execute(
                    "INSERT INTO backup (label, created, image) VALUES (?1, ?2, ?3)",
                    rusqlite::params![label, PageClock.now_utc(), bytes],
                )
            })
            .map_err(|e| format!("cannot store the backup: {}", sqlite_message(&e)))?;
        Ok(Outcome::BackedUp {
            id: self.backups.last_insert_rowid().to_string(),
        })
    }

    /// Puts a backup back in place of the database, atomically.
    pub(super) fn restore(&mut self, id: &str) -> Result<Outcome, String> {
        let image: Option<Vec<u8>> = self
            .backups
            .query_row(
                "SELECT image FROM backup WHERE id = ?1",
                [id.trim().parse::<i64>().unwrap_or(-1)],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| format!("cannot read the backup store: {}", sqlite_message(&e)))?;
        let image = image.ok_or_else(|| format!("there is no backup {id}; nothing was changed"))?;
        let scratch = scratch_from(&image).map_err(|e| {
            format!(
                "backup {id} cannot be read ({}); nothing was changed",
                sqlite_message(&e)
            )
        })?;
        self.adopt(scratch)?;
        Ok(
            match read_model(&self.conn).map_err(|e| sqlite_message(&e))? {
                Some((model, language)) => Outcome::Loaded { model, language },
                None => Outcome::Done,
            },
        )
    }

    /// The backups, newest first, for the snapshot.
    pub(super) fn backup_views(&self) -> rusqlite::Result<Vec<BackupView>> {
        self.backups.execute_batch(BACKUP_DDL)?;
        let mut stmt = self
            .backups
            .prepare("SELECT id, label, created, length(image) FROM backup ORDER BY id DESC")?;
        let rows = stmt.query_map([], |row| {
            Ok(BackupView {
                id: row.get::<_, i64>(0)?.to_string(),
                label: row.get(1)?,
                created: row.get(2)?,
                bytes: row.get::<_, i64>(3)?.unsigned_abs(),
            })
        })?;
        rows.collect()
    }

    /// Copies a finished scratch database over the live one in one step, then reads the
    /// project back from what is now live.
    fn adopt(&mut self, scratch: Connection) -> Result<(), String> {
        let failed = |e: rusqlite::Error| {
            format!(
                "cannot replace the database ({}); nothing was changed",
                sqlite_message(&e)
            )
        };
        // An in-memory destination cannot change its page size, and an imported file may
        // have another one, so the scratch copy is rewritten to the live page size first.
        let page_size = |conn: &Connection| -> rusqlite::Result<i64> {
            conn.query_row("PRAGMA page_size", [], |row| row.get(0))
        };
        let live = page_size(&self.conn).map_err(failed)?;
        if page_size(&scratch).map_err(failed)? != live {
            scratch
                .execute_batch(&format!("PRAGMA page_size = {live}; VACUUM;"))
                .map_err(failed)?;
        }
        {
            let backup = Backup::new(&scratch, &mut self.conn).map_err(failed)?;
            // All pages in one step: the copy is then a single write transaction on the live
            // database, committed whole or not at all.
            match backup.step(-1).map_err(failed)? {
                StepResult::Done => {}
                other => {
                    return Err(format!(
                        "cannot replace the database: it is in use ({other:?}); nothing was changed"
                    ))
                }
            }
        }
        self.revisions = self.load_project()?;
        Ok(())
    }
}

/// Whether a statement is `CREATE [TEMP] TRIGGER ...` (comments before it allowed).
fn creates_trigger(text: &str) -> bool {
    let code: Vec<String> = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("--"))
        .flat_map(|line| line.split_whitespace().map(str::to_ascii_uppercase))
        .take(3)
        .collect();
    matches!(
        code.iter().map(String::as_str).collect::<Vec<_>>().as_slice(),
        ["CREATE", "TRIGGER", ..] | ["CREATE", "TEMP" | "TEMPORARY", "TRIGGER"]
    )
}

/// A scratch database built from a project: revisions stored and applied up to the project's
/// target, the model kept, the rows added. Nothing live is touched.
fn build(project: &Project, clock: &dyn Clock) -> Result<Connection, String> {
    let graph = project.graph().map_err(|e| e.to_string())?;
    let revisions = project.parsed_revisions().map_err(|e| e.to_string())?;
    let scratch_failed = |e: rusqlite::Error| {
        format!(
            "cannot build the project ({}); nothing was changed",
            sqlite_message(&e)
        )
    };
    let mut scratch = Connection::open_in_memory().map_err(scratch_failed)?;
    store_project(&scratch, &revisions, &project.model, project.language)
        .map_err(scratch_failed)?;
    let target = Target::parse(&project.applied);
    if !graph.is_empty() && target != Target::Base {
        migrate::upgrade(
            &mut scratch,
            &graph,
            &target,
            &options(),
            clock,
            &mut |_| {},
        )
        .map_err(|e| {
            format!("the project's revisions cannot be applied: {e}; nothing was changed")
        })?;
    }
    if !project.data.trim().is_empty() {
        let tx = scratch.unchecked_transaction().map_err(scratch_failed)?;
        // Rows are exported table by table in name order, so a child may come before its
        // parent; foreign keys (when enforced) are checked once, at commit.
        tx.execute_batch("PRAGMA defer_foreign_keys = ON")
            .map_err(scratch_failed)?;
        // The data already holds what the triggers wrote when the rows were first made (an
        // audit log, a counter); firing them again while loading would write it twice, so
        // they are set aside until the rows are in.
        let triggers: Vec<(String, String)> = {
            let mut stmt = tx
                .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND sql IS NOT NULL")
                .map_err(scratch_failed)?;
            let rows = stmt
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
                .map_err(scratch_failed)?;
            rows.collect::<rusqlite::Result<_>>().map_err(scratch_failed)?
        };
        for (name, _) in &triggers {
            tx.execute_batch(&format!("DROP TRIGGER {}", quote_ident(name)))
                .map_err(scratch_failed)?;
        }
        // The data may create triggers of its own (made in the console, outside revisions):
        // those wait for the rows too.
        let (created, statements): (Vec<_>, Vec<_>) =
            strata_core::sql::split_statements(&project.data)
                .into_iter()
                .partition(|statement| creates_trigger(&statement.text));
        for statement in &statements {
            tx.execute_batch(&statement.text).map_err(|e| {
                format!(
                    "the project's data cannot be added (line {}: {}); nothing was changed",
                    statement.line,
                    sqlite_message(&e)
                )
            })?;
        }
        for sql in triggers.iter().map(|(_, sql)| sql).chain(created.iter().map(|c| &c.text)) {
            tx.execute_batch(sql).map_err(scratch_failed)?;
        }
        tx.commit().map_err(scratch_failed)?;
    }
    Ok(scratch)
}

/// The revisions (in the given order) and the model, in strata's own tables of `conn`.
fn store_project(
    conn: &Connection,
    revisions: &[Revision],
    model: &str,
    language: ModelLanguage,
) -> rusqlite::Result<()> {
    conn.execute_batch(PROJECT_DDL)?;
    for (position, rev) in revisions.iter().enumerate() {
        conn.execute(
            "INSERT INTO _strata_project (position, id, file) VALUES (?1, ?2, ?3)",
            rusqlite::params![position as i64 + 1, rev.id, rev.render()],
        )?;
    }
    write_model(conn, model, language)
}

fn write_model(conn: &Connection, model: &str, language: ModelLanguage) -> rusqlite::Result<()> {
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
fn read_model(conn: &Connection) -> rusqlite::Result<Option<(String, ModelLanguage)>> {
    let exists: bool = conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = ?1",
        [META_TABLE],
        |row| row.get(0),
    )?;
    if !exists {
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

fn language_word(language: ModelLanguage) -> &'static str {
    match language {
        ModelLanguage::Sql => "sql",
        ModelLanguage::Sqlmodel => "sqlmodel",
    }
}

/// One INSERT statement per row of every table of the visitor's (strata's own tables, SQLite's
/// internal ones and virtual tables left out). Generated columns are left out: SQLite computes
/// them again.
fn data_sql(conn: &Connection) -> rusqlite::Result<String> {
    let tables: Vec<String> = {
        let mut stmt = conn.prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
             AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL%' ORDER BY name",
        )?;
        let rows = stmt.query_map([], |row| row.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut out = String::new();
    for table in tables {
        if STRATA_TABLES.contains(&table.as_str()) {
            continue;
        }
        let columns: Vec<String> = {
            let mut stmt = conn.prepare(&format!("PRAGMA table_xinfo({})", quote_ident(&table)))?;
            let rows = stmt.query_map([], |row| {
                Ok((row.get::<_, String>("name")?, row.get::<_, i64>("hidden")?))
            })?;
            rows.filter_map(|r| match r {
                Ok((name, 0)) => Some(Ok(name)),
                Ok(_) => None,
                Err(e) => Some(Err(e)),
            })
            .collect::<rusqlite::Result<_>>()?
        };
        if columns.is_empty() {
            continue;
        }
        let list = columns.iter().map(|c| quote_ident(c)).collect::<Vec<_>>();
        let head = format!(
            "INSERT INTO {} ({}) VALUES (",
            quote_ident(&table),
            list.join(", ")
        );
        let mut stmt = conn.prepare(&format!(
            "SELECT {} FROM {}",
            list.join(", "),
            quote_ident(&table)
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            out.push_str(&head);
            for i in 0..columns.len() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&literal(row.get_ref(i)?));
            }
            out.push_str(");\n");
        }
    }
    Ok(out)
}

/// A value as a SQL literal that reads back as the same value and type.
fn literal(value: rusqlite::types::ValueRef<'_>) -> String {
    use rusqlite::types::ValueRef;
    match value {
        ValueRef::Null => "NULL".to_owned(),
        ValueRef::Integer(i) => i.to_string(),
        // Debug prints the shortest text that reads back as the same double; SQLite reads a
        // literal too large for a double as infinity.
        ValueRef::Real(r) if r.is_infinite() => if r > 0.0 { "9e999" } else { "-9e999" }.to_owned(),
        ValueRef::Real(r) => {
            let text = format!("{r:?}");
            if text.contains(['.', 'e']) {
                text
            } else {
                format!("{text}.0")
            }
        }
        ValueRef::Text(t) => format!("'{}'", String::from_utf8_lossy(t).replace('\'', "''")),
        ValueRef::Blob(b) => {
            let hex: String = b.iter().map(|byte| format!("{byte:02X}")).collect();
            format!("X'{hex}'")
        }
    }
}

/// A writable in-memory copy of a database file's bytes.
fn scratch_from(bytes: &[u8]) -> rusqlite::Result<Connection> {
    let mut conn = Connection::open_in_memory()?;
    conn.deserialize_read_exact(MAIN_DB, bytes, bytes.len(), false)?;
    Ok(conn)
}

/// Checks that `bytes` are a sound SQLite database and turns them into a scratch database whose
/// project is one revision, [`BASELINE_ID`], that creates the file's schema and is recorded as
/// applied. Returns the scratch database and the schema as model SQL.
fn baseline(name: &str, bytes: &[u8], clock: &dyn Clock) -> Result<(Connection, String), String> {
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
    let mut scratch = scratch_from(&bytes).map_err(damaged)?;
    let verdict: Vec<String> = {
        let mut stmt = scratch.prepare("PRAGMA integrity_check").map_err(damaged)?;
        let rows = stmt.query_map([], |row| row.get(0)).map_err(damaged)?;
        rows.collect::<rusqlite::Result<_>>().map_err(damaged)?
    };
    if verdict != ["ok"] {
        let first = verdict.first().cloned().unwrap_or_default();
        return Err(refused(format!("it is damaged (integrity check: {first})")));
    }
    // A file exported from the playground carries strata's own tables; the baseline replaces
    // them, so a re-imported export starts a fresh history from what it holds.
    for table in STRATA_TABLES {
        scratch
            .execute_batch(&format!("DROP TABLE IF EXISTS {}", quote_ident(table)))
            .map_err(damaged)?;
    }
    let schema = strata_core::introspect_excluding(&scratch, &STRATA_TABLES)
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
    let created = clock.now_utc().replace(' ', "T") + "Z";
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
        &options(),
        clock,
    )
    .map_err(|e| refused(e.to_string()))?;
    Ok((scratch, model_sql))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::demo;
    use crate::services::protocol::{Cell, Request, Snapshot, Storage};

    fn demo_engine() -> Engine {
        Engine::open(Connection::open_in_memory().unwrap(), Storage::Opfs).unwrap()
    }

    fn versions(snapshot: &Snapshot) -> Vec<String> {
        snapshot
            .schema_version
            .as_ref()
            .map_or_else(Vec::new, |grid| {
                grid.column("version")
                    .unwrap()
                    .into_iter()
                    .map(Cell::display)
                    .collect()
            })
    }

    fn rows(engine: &Engine, table: &str) -> u64 {
        let snapshot = engine.snapshot(None).unwrap();
        snapshot
            .tables
            .iter()
            .find(|t| t.name == table)
            .map_or(0, |t| t.rows)
    }

    fn sqlite_bytes(sql: &str) -> Vec<u8> {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(sql).unwrap();
        conn.serialize(MAIN_DB).unwrap().to_vec()
    }

    fn import(engine: &mut Engine, name: &str, bytes: &[u8]) -> Result<Outcome, String> {
        engine
            .handle(Request::ImportSqlite {
                name: name.to_owned(),
                base64: STANDARD.encode(bytes),
                browse: None,
            })
            .outcome
    }

    #[test]
    fn loading_rows_does_not_fire_the_triggers_that_first_wrote_them_again() {
        let mut engine = demo_engine();
        engine
            .handle(Request::Execute {
                sql: "CREATE TABLE audit (what TEXT); \
                      CREATE TRIGGER users_audit AFTER INSERT ON users BEGIN INSERT INTO audit VALUES (new.email); END; \
                      INSERT INTO users (email, display_name) VALUES ('t@example.com', 'T');"
                    .into(),
                browse: None,
            })
            .outcome
            .unwrap();
        let project = engine.export_project(demo::MODEL_SQL, ModelLanguage::Sql).unwrap();
        let mut other = demo_engine();
        other.handle(Request::Load { project, browse: None }).outcome.unwrap();
        let audit: i64 = other.conn.query_row("SELECT count(*) FROM audit", [], |r| r.get(0)).unwrap();
        assert_eq!(audit, 1, "the audit row came with the data, and only once");
        let trigger: i64 = other
            .conn
            .query_row("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name = 'users_audit'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(trigger, 1, "the trigger is back after the load");
    }

    #[test]
    fn loading_the_demo_project_gives_the_demo() {
        let mut engine = demo_engine();
        engine
            .handle(Request::Execute {
                sql: "DELETE FROM identities; DROP TABLE users".into(),
                browse: None,
            })
            .outcome
            .unwrap();
        let reply = engine.handle(Request::Load {
            project: demo::project(),
            browse: Some("users".into()),
        });
        assert_eq!(
            reply.outcome,
            Ok(Outcome::Loaded {
                model: demo::MODEL_SQL.to_owned(),
                language: ModelLanguage::Sql
            })
        );
        assert_eq!(versions(&reply.snapshot), ["0001", "0002"]);
        assert_eq!(rows(&engine, "users"), 4);
        assert_eq!(rows(&engine, "identities"), 5);
        assert!(reply.snapshot.browsed.is_some());
    }

    #[test]
    fn a_project_whose_data_fails_leaves_the_database_unchanged() {
        let mut engine = demo_engine();
        let before = engine.snapshot(Some("users")).unwrap();
        let mut project = demo::project();
        project.data.push_str("\nINSERT INTO nowhere VALUES (1);");
        let line = project.data.lines().count();
        let reply = engine.handle(Request::Load {
            project,
            browse: Some("users".into()),
        });
        let message = reply.outcome.unwrap_err();
        assert!(
            message.starts_with(&format!("the project's data cannot be added (line {line}: no such table: nowhere)")),
            "{message}"
        );
        assert!(message.ends_with("nothing was changed"), "{message}");
        assert_eq!(reply.snapshot, before);
    }

    #[test]
    fn a_project_whose_revision_fails_leaves_the_database_unchanged() {
        let mut engine = demo_engine();
        let before = engine.snapshot(None).unwrap();
        let mut project = Project::empty("");
        project.revisions = vec![Revision::new(
            "r1",
            vec![],
            "broken",
            "2026-01-01T00:00:00Z",
            "CREATE TABLE (",
            "",
        )
        .render()];
        project.applied = "head".into();
        let message = engine.load(&project).unwrap_err();
        assert!(
            message.starts_with("the project's revisions cannot be applied"),
            "{message}"
        );
        assert_eq!(engine.snapshot(None).unwrap(), before);
        assert_eq!(engine.revisions.len(), 2);
    }

    #[test]
    fn an_empty_project_empties_the_database() {
        let mut engine = demo_engine();
        engine.load(&Project::empty("CREATE TABLE t (x);")).unwrap();
        let snapshot = engine.snapshot(None).unwrap();
        assert!(snapshot.tables.is_empty(), "{:?}", snapshot.tables);
        assert!(snapshot.revisions.is_empty());
        assert_eq!(
            engine.opened(),
            Ok(Outcome::Loaded {
                model: "CREATE TABLE t (x);".into(),
                language: ModelLanguage::Sql
            })
        );
    }

    #[test]
    fn an_exported_project_loads_back_with_its_rows_and_revisions() {
        let mut engine = demo_engine();
        engine
            .handle(Request::Execute {
                sql: "INSERT INTO users (email, display_name) VALUES ('o''brien@example.com', 'O''Brien'); \
                      CREATE TABLE odd (r REAL, b BLOB, n, big REAL); \
                      INSERT INTO odd VALUES (0.1, x'00ff', NULL, 1e308), (3.0, x'', 'text', -9e999);"
                    .into(),
                browse: None,
            })
            .outcome
            .unwrap();
        engine
            .handle(Request::Downgrade {
                target: "0001".into(),
                browse: None,
                confirmed: true,
            })
            .outcome
            .unwrap();
        let project = engine
            .export_project("-- my model", ModelLanguage::Sql)
            .unwrap();
        assert_eq!(project.applied, "0001");
        assert_eq!(project.revisions.len(), 2);
        assert!(!project.data.contains("_strata"), "{}", project.data);
        assert!(!project.data.contains("schema_version"), "{}", project.data);
        assert!(
            project
                .data
                .starts_with("-- changed outside revisions\n-- create table odd\nCREATE TABLE \"odd\""),
            "{}",
            project.data
        );

        let json = project.to_json();
        let mut other = Engine::open(Connection::open_in_memory().unwrap(), Storage::Opfs).unwrap();
        let reply = other.handle(Request::Load {
            project: Project::from_json(&json).unwrap(),
            browse: Some("odd".into()),
        });
        assert!(reply.outcome.is_ok(), "{:?}", reply.outcome);
        assert_eq!(versions(&reply.snapshot), ["0001"]);
        let applied: Vec<_> = reply
            .snapshot
            .revisions
            .iter()
            .map(|r| (r.id.as_str(), r.applied))
            .collect();
        assert_eq!(applied, [("0001", true), ("0002", false)]);
        let same = |e: &Engine, table: &str| e.snapshot(Some(table)).unwrap().browsed.unwrap().grid;
        for table in ["users", "odd"] {
            assert_eq!(same(&engine, table), same(&other, table), "{table}");
        }
        let typed: Vec<String> = other
            .conn
            .prepare("SELECT typeof(r) || typeof(b) || typeof(n) || typeof(big) FROM odd")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(typed, ["realblobnullreal", "realblobtextreal"]);
    }

    #[test]
    fn a_share_link_carries_the_project_into_another_database() {
        let engine = demo_engine();
        let project = engine
            .export_project(demo::MODEL_SQL, ModelLanguage::Sql)
            .unwrap();
        let fragment = project.share_fragment();
        let mut other = Engine::open(Connection::open_in_memory().unwrap(), Storage::Opfs).unwrap();
        other
            .load(&Project::from_share_fragment(&fragment).unwrap())
            .unwrap();
        assert_eq!(
            other.snapshot(Some("identities")).unwrap().browsed,
            engine.snapshot(Some("identities")).unwrap().browsed
        );
        let garbled = format!("{}x{}", &fragment[..40], &fragment[41..]);
        let message = Project::from_share_fragment(&garbled)
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with("the share link is damaged"),
            "{message}"
        );
    }

    #[test]
    fn the_model_is_kept_in_the_database_and_read_on_open() {
        let dir = std::env::temp_dir().join(format!("strata-web-model-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("db.sqlite3");
        {
            let mut engine = Engine::open(Connection::open(&path).unwrap(), Storage::Opfs).unwrap();
            let reply = engine.handle(Request::SaveModel {
                model: "CREATE TABLE kept (x);".into(),
                language: ModelLanguage::Sqlmodel,
            });
            assert_eq!(reply.outcome, Ok(Outcome::ModelSaved));
            assert!(
                reply.snapshot.tables.is_empty(),
                "a quiet reply carries no snapshot"
            );
        }
        let mut engine = Engine::open(Connection::open(&path).unwrap(), Storage::Opfs).unwrap();
        let reply = engine.handle(Request::Open { browse: None });
        assert_eq!(
            reply.outcome,
            Ok(Outcome::Loaded {
                model: "CREATE TABLE kept (x);".into(),
                language: ModelLanguage::Sqlmodel
            })
        );
        let names: Vec<_> = reply
            .snapshot
            .tables
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(names, ["identities", "schema_version", "users"]);
        assert!(reply
            .snapshot
            .diagram
            .tables
            .iter()
            .all(|t| !t.name.starts_with("_strata")));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn databases_of_an_earlier_build_open_with_their_data() {
        // Only the visitor's tables: no project, no meta, no version table.
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('a'), ('b');").unwrap();
        let mut engine = Engine::open(conn, Storage::Opfs).unwrap();
        let reply = engine.handle(Request::Open {
            browse: Some("notes".into()),
        });
        assert_eq!(reply.outcome, Ok(Outcome::Done));
        assert!(reply.snapshot.revisions.is_empty());
        assert_eq!(reply.snapshot.browsed.unwrap().grid.total, 2);

        // The earlier build's demo: a project table and a version table, but no meta table.
        let conn = Connection::open_in_memory().unwrap();
        {
            let mut seeded = Engine::open(conn, Storage::Opfs).unwrap();
            seeded
                .conn
                .execute_batch("DROP TABLE _strata_meta")
                .unwrap();
            let mut engine = Engine::open(
                std::mem::replace(&mut seeded.conn, Connection::open_in_memory().unwrap()),
                Storage::Opfs,
            )
            .unwrap();
            let reply = engine.handle(Request::Open { browse: None });
            assert_eq!(reply.outcome, Ok(Outcome::Done));
            assert_eq!(versions(&reply.snapshot), ["0001", "0002"]);
            assert_eq!(reply.snapshot.revisions.len(), 2);
            // Saving the model then creates the meta table.
            engine.save_model("-- m", ModelLanguage::Sql).unwrap();
            assert!(matches!(engine.opened(), Ok(Outcome::Loaded { .. })));
        }
    }

    #[test]
    fn an_imported_sqlite_file_becomes_the_baseline() {
        let mut engine = demo_engine();
        let bytes = sqlite_bytes(
            "CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);\n\
             CREATE TABLE books (id INTEGER PRIMARY KEY, author_id INTEGER REFERENCES authors (id), title TEXT);\n\
             CREATE INDEX books_author ON books (author_id);\n\
             INSERT INTO authors (name) VALUES ('Le Guin'), ('Pratchett');\n\
             INSERT INTO books (author_id, title) VALUES (1, 'The Dispossessed'), (2, 'Mort'), (2, 'Small Gods');",
        );
        let outcome = import(&mut engine, "library.sqlite", &bytes).unwrap();
        let Outcome::Loaded { model, language } = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(language, ModelLanguage::Sql);
        assert!(model.contains("CREATE TABLE \"books\""), "{model}");
        let snapshot = engine.snapshot(Some("books")).unwrap();
        let names: Vec<_> = snapshot.tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["authors", "books", "schema_version"]);
        assert_eq!(versions(&snapshot), [BASELINE_ID]);
        let revisions: Vec<_> = snapshot
            .revisions
            .iter()
            .map(|r| (r.id.as_str(), r.applied))
            .collect();
        assert_eq!(revisions, [(BASELINE_ID, true)]);
        assert!(snapshot.revisions[0].message.contains("library.sqlite"));
        assert_eq!(snapshot.browsed.unwrap().grid.total, 3);
        // The model shown is the baseline's schema: nothing to autogenerate.
        let (autogen, _) = engine.autogenerate(&model, &[]).unwrap();
        assert!(autogen.is_empty(), "{}", autogen.up.body_sql());
        // And the baseline's down SQL takes the schema away again.
        engine
            .handle(Request::Downgrade {
                target: "base".into(),
                browse: None,
                confirmed: true,
            })
            .outcome
            .unwrap();
        assert_eq!(rows(&engine, "books"), 0);
        assert!(!engine
            .snapshot(None)
            .unwrap()
            .tables
            .iter()
            .any(|t| t.name == "books"));
    }

    #[test]
    fn an_exported_sqlite_file_imports_back_as_a_baseline_with_its_rows() {
        let mut engine = demo_engine();
        let Ok(Outcome::SqliteExported { base64 }) = engine.handle(Request::ExportSqlite).outcome
        else {
            panic!()
        };
        let bytes = STANDARD.decode(base64).unwrap();
        assert!(bytes.starts_with(MAGIC));
        let mut other = demo_engine();
        other
            .handle(Request::Execute {
                sql: "DELETE FROM identities".into(),
                browse: None,
            })
            .outcome
            .unwrap();
        import(&mut other, "strata.sqlite", &bytes).unwrap();
        let snapshot = other.snapshot(None).unwrap();
        assert_eq!(versions(&snapshot), [BASELINE_ID]);
        assert_eq!(rows(&other, "identities"), 5);
        assert_eq!(rows(&other, "users"), 4);
    }

    #[test]
    fn files_that_are_not_sound_sqlite_databases_are_refused_and_change_nothing() {
        let mut engine = demo_engine();
        let before = engine.snapshot(Some("users")).unwrap();
        let good = sqlite_bytes("CREATE TABLE t (x); INSERT INTO t VALUES (1);");
        let mut torn = good.clone();
        // Page 2 (the table's root page) overwritten with noise: the header still says SQLite.
        let page = u16::from_be_bytes([good[16], good[17]]) as usize;
        for (i, byte) in torn[page..page * 2].iter_mut().enumerate() {
            *byte = (i * 7 % 251) as u8;
        }
        let cases: [(&str, Vec<u8>); 4] = [
            (
                "notes.txt",
                b"hello, this is not a database at all, not even close to one".repeat(3),
            ),
            ("empty.sqlite", Vec::new()),
            ("cut.sqlite", good[..good.len() / 2].to_vec()),
            ("torn.sqlite", torn),
        ];
        for (name, bytes) in cases {
            let reply = engine.handle(Request::ImportSqlite {
                name: name.into(),
                base64: STANDARD.encode(&bytes),
                browse: Some("users".into()),
            });
            let message = reply.outcome.unwrap_err();
            assert!(
                message.starts_with(&format!("{name} cannot be imported: ")),
                "{message}"
            );
            assert!(message.ends_with("nothing was changed"), "{message}");
            assert_eq!(reply.snapshot, before, "{name}");
        }
        let message = import(&mut engine, "none.sqlite", &sqlite_bytes("")).unwrap_err();
        assert!(message.contains("no tables"), "{message}");
    }

    #[test]
    fn backup_and_restore_round_trip_and_survive_reopening() {
        let dir = std::env::temp_dir().join(format!("strata-web-backups-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = dir.join("backups.sqlite3");
        let _ = std::fs::remove_file(&store);
        let mut engine = demo_engine();
        engine
            .keep_backups_in(Connection::open(&store).unwrap())
            .unwrap();
        let before = engine.snapshot(Some("users")).unwrap();
        let reply = engine.handle(Request::Backup {
            label: "before the purge".into(),
        });
        assert_eq!(reply.outcome, Ok(Outcome::BackedUp { id: "1".into() }));
        let backup = &reply.snapshot.backups[0];
        assert_eq!(
            (backup.id.as_str(), backup.label.as_str()),
            ("1", "before the purge")
        );
        assert!(backup.bytes > 0);

        engine
            .handle(Request::Execute {
                sql: "DELETE FROM identities; DELETE FROM users".into(),
                browse: None,
            })
            .outcome
            .unwrap();
        engine.save_model("-- changed", ModelLanguage::Sql).unwrap();
        assert_eq!(rows(&engine, "users"), 0);

        // The store is a file of its own: a new engine over it still sees the backup.
        let mut engine = {
            let mut fresh = Engine::open(
                std::mem::replace(&mut engine.conn, Connection::open_in_memory().unwrap()),
                Storage::Opfs,
            )
            .unwrap();
            fresh
                .keep_backups_in(Connection::open(&store).unwrap())
                .unwrap();
            fresh
        };
        let reply = engine.handle(Request::Restore { id: "1".into() });
        assert_eq!(
            reply.outcome,
            Ok(Outcome::Loaded {
                model: demo::MODEL_SQL.into(),
                language: ModelLanguage::Sql
            })
        );
        let after = engine.snapshot(Some("users")).unwrap();
        assert_eq!(
            Snapshot {
                backups: vec![],
                ..after
            },
            Snapshot {
                backups: vec![],
                ..before
            }
        );

        let reply = engine.handle(Request::Restore { id: "7".into() });
        assert_eq!(
            reply.outcome,
            Err("there is no backup 7; nothing was changed".into())
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
