//! Moving whole databases in and out of the engine: loading a project, exporting it, `.sqlite`
//! files in both directions, the model text kept beside the data, and backups.
//!
//! Every request here that replaces the database follows one rule: the new database is built
//! completely in a scratch in-memory connection and checked (its project reads as a valid
//! revision graph, its version rows name known revisions, `PRAGMA quick_check` is ok); only
//! then is what it replaces kept as an automatic backup when it holds anything of the
//! visitor's, and the scratch database copied over the live one with SQLite's backup API in a
//! single step. The copy runs in one write transaction on the live database, so a failure
//! anywhere leaves it exactly as it was, and nothing that can fail runs after it.

use std::collections::BTreeSet;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rusqlite::backup::{Backup, StepResult};
use rusqlite::config::DbConfig;
use rusqlite::limits::Limit;
use rusqlite::{Connection, OptionalExtension, MAIN_DB};
use strata_core::revision::{Graph, Revision, Target};
use strata_core::schema::Schema;
use strata_core::sql;
use strata_core::Model;
use crate::migrate::{self, Clock};
use crate::store::TableStore;

use super::{
    demo, options, quote_ident, sqlite_message, Engine, PROJECT_DDL, STRATA_TABLES,
    VERSION_TABLE,
};
use strata_core::project::{ModelLanguage, Project, FORMAT};
use crate::workspace::protocol::{BackupView, Outcome, Storage};

/// The strata-owned key/value table that keeps the model editor's text beside the data, so a
/// reload, a backup and an exported `.sqlite` file all carry the model that goes with them.
pub const META_TABLE: &str = "_strata_meta";

const META_DDL: &str =
    "CREATE TABLE IF NOT EXISTS _strata_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)";

/// The table of the backup store (a database of its own, never the live one: a backup kept
/// inside the database would be copied into every later backup). `automatic` marks the
/// backups taken before a request replaced the database, the only ones ever dropped.
const BACKUP_DDL: &str = "CREATE TABLE IF NOT EXISTS backup (\n  \
    id INTEGER PRIMARY KEY AUTOINCREMENT,\n  label TEXT NOT NULL,\n  \
    created TEXT NOT NULL,\n  image BLOB NOT NULL,\n  \
    automatic INTEGER NOT NULL DEFAULT 0\n)";

/// How many automatic backups are kept: enough to step back over several replacements, few
/// enough that the store does not grow with every share link opened. Backups the visitor took
/// by hand (or a lesson took by name) are never dropped.
const AUTOMATIC_BACKUPS: i64 = 10;

/// The labels of the automatic backups, one per kind of request that replaces the database.
pub(super) const BEFORE_SHARE_LINK: &str = "before share link";
pub(super) const BEFORE_IMPORT: &str = "before import";
pub(super) const BEFORE_RESET: &str = "before reset";
pub(super) const BEFORE_RESTORE: &str = "before restore";

/// What every SQLite database file starts with.
const MAGIC: &[u8] = b"SQLite format 3\0";

/// The id of the revision an imported `.sqlite` file becomes.
pub const BASELINE_ID: &str = "baseline";

/// What a checked scratch database holds, read before it replaces the live one so that
/// nothing needs reading (or can fail) afterwards.
struct Checked {
    revisions: Vec<Revision>,
    model: Option<(String, ModelLanguage)>,
}

/// What replacing the database did besides the replacement.
struct Adopted {
    model: Option<(String, ModelLanguage)>,
    /// The automatic backup of what was replaced, when there was anything to keep.
    backup: Option<(i64, String)>,
}

impl Adopted {
    /// A sentence for the page naming the automatic backup, if one was taken.
    fn notes(&self) -> Vec<String> {
        self.backup
            .iter()
            .map(|(id, label)| {
                format!("The database it replaced is kept as backup {id} ({label}).")
            })
            .collect()
    }
}

impl Engine {
    /// Replaces the whole database with `project`, or changes nothing and says why. A project
    /// that came in a share link labels the backup of what it replaces differently from one
    /// loaded from a file, so the visitor can tell which replacement it undoes.
    pub fn load(&mut self, project: &Project, from_link: bool) -> Result<Outcome, String> {
        let label = if from_link {
            BEFORE_SHARE_LINK
        } else {
            BEFORE_IMPORT
        };
        let clock = self.clock.clone();
        self.load_with(project, &*clock, label)
    }

    /// [`Engine::load`] with the clock that stamps the version rows (the demo uses a fixed one)
    /// and the label of the automatic backup of what it replaces.
    pub(super) fn load_with(
        &mut self,
        project: &Project,
        clock: &dyn Clock,
        label: &str,
    ) -> Result<Outcome, String> {
        let scratch = build(project, clock)?;
        let adopted = self.adopt(scratch, "the project", label)?;
        Ok(Outcome::Loaded {
            model: project.model.clone(),
            language: project.language,
            notes: adopted.notes(),
        })
    }

    /// What Open answers: the model kept in the database, when an earlier visit saved one.
    pub(super) fn opened(&self) -> Result<Outcome, String> {
        Ok(
            match read_model(&self.conn).map_err(|e| sqlite_message(&e))? {
                Some((model, language)) => Outcome::Loaded {
                    model,
                    language,
                    notes: Vec::new(),
                },
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
    /// every applied revision that nothing applied builds on, and every row of the visitor's
    /// tables.
    pub fn export_project(&self, model: &str, language: ModelLanguage) -> Result<Project, String> {
        let read = |e: rusqlite::Error| format!("cannot read the database: {}", sqlite_message(&e));
        let graph = self.graph()?;
        let applied: BTreeSet<String> = migrate::applied(&self.conn, VERSION_TABLE)
            .map(|rows| rows.into_iter().map(|r| r.version).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .filter(|id| graph.get(id).is_some())
            .collect();
        // Two unmerged branches can both be applied; naming only the newest would lose the
        // other, so every applied revision without an applied child is named.
        let current = graph.current(&applied);
        Ok(Project {
            format: FORMAT.to_owned(),
            language,
            model: model.to_owned(),
            revisions: self.revisions.iter().map(Revision::render).collect(),
            data: format!(
                "{}{}",
                self.drift_sql(&graph, &current)?,
                data_sql(&self.conn).map_err(read)?
            ),
            applied: if current.is_empty() {
                "base".to_owned()
            } else {
                current.join(",")
            },
        })
    }

    /// The SQL that takes the schema the applied revisions (`current` and everything they build
    /// on) give to the live schema. It is empty unless the visitor changed the schema outside
    /// revisions (in the console); then the exported rows would not fit the schema the
    /// revisions rebuild, so the data starts with it.
    fn drift_sql(&self, graph: &Graph, current: &[String]) -> Result<String, String> {
        let expected = migrate::schema_at_all(graph, current, VERSION_TABLE)
            .map_err(|e| format!("cannot work out the schema the applied revisions give ({e})"))?;
        let live = crate::introspect_excluding(&self.conn, &STRATA_TABLES)
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
        let clock = self.clock.clone();
        let (scratch, model) = baseline(name, &bytes, &*clock)?;
        let adopted = self.adopt(scratch, name, BEFORE_IMPORT)?;
        Ok(Outcome::Loaded {
            model,
            language: ModelLanguage::Sql,
            notes: adopted.notes(),
        })
    }

    /// Uses `conn` (a database of its own) to keep backups, so they survive a reload when it is
    /// a file. Until this is called backups live in memory.
    pub fn keep_backups_in(&mut self, conn: Connection) -> Result<(), String> {
        prepare_store(&conn)
            .map_err(|e| format!("cannot open the backup store: {}", sqlite_message(&e)))?;
        self.backups = conn;
        Ok(())
    }

    /// Copies the whole database into the backup store, as a backup the visitor took.
    pub(super) fn backup(&mut self, label: &str) -> Result<Outcome, String> {
        let label = match label.trim() {
            "" => "backup",
            label => label,
        };
        let id = self
            .store_backup(label, false)
            .map_err(|e| format!("cannot store the backup ({e}); nothing was changed"))?;
        Ok(Outcome::BackedUp { id: id.to_string() })
    }

    /// Stores the database's image under `label` and returns its id. An automatic backup also
    /// drops the automatic ones beyond [`AUTOMATIC_BACKUPS`], in the same transaction, so the
    /// store never loses an old backup without having gained the new one.
    fn store_backup(&mut self, label: &str, automatic: bool) -> Result<i64, String> {
        let bytes = self.file_bytes()?;
        let now = self.clock.now().rfc3339();
        prepare_store(&self.backups)
            .and_then(|()| {
                let tx = self.backups.transaction()?;
                tx.execute(
                    "INSERT INTO backup (label, created, image, automatic) VALUES (?1, ?2, ?3, ?4)",
                    rusqlite::params![label, now, bytes, automatic],
                )?;
                let id = tx.last_insert_rowid();
                if automatic {
                    tx.execute(
                        "DELETE FROM backup WHERE automatic AND id NOT IN \
                         (SELECT id FROM backup WHERE automatic ORDER BY id DESC LIMIT ?1)",
                        [AUTOMATIC_BACKUPS],
                    )?;
                }
                tx.commit()?;
                Ok(id)
            })
            .map_err(|e| format!("cannot store the backup: {}", sqlite_message(&e)))
    }

    /// Keeps the live database as an automatic backup labelled `label` before a request
    /// replaces it, unless it holds nothing of the visitor's. Fails (and the request with it)
    /// when the backup cannot be stored, since replacing the database would then lose it.
    fn keep_before(&mut self, label: &str) -> Result<Option<(i64, String)>, String> {
        if !self.holds_visitors_work() {
            return Ok(None);
        }
        self.store_backup(label, true)
            .map(|id| Some((id, label.to_owned())))
            .map_err(|e| {
                format!("cannot keep what the database holds as a backup before replacing it ({e}); nothing was changed")
            })
    }

    /// Whether the live database holds anything a replacement would lose: a revision, a table
    /// or view of the visitor's, or model text, unless it is exactly the demo as a first visit
    /// or Reset leaves it (which Reset can always bring back). A database that cannot be read
    /// counts as holding something, so it is backed up rather than lost unseen.
    fn holds_visitors_work(&self) -> bool {
        let blank = (|| -> rusqlite::Result<bool> {
            // Tables, views, indexes and triggers, except strata's own tables and what
            // belongs to them.
            let owners: Vec<String> = {
                let mut stmt = self.conn.prepare(
                    "SELECT tbl_name FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
                )?;
                let rows = stmt.query_map([], |row| row.get(0))?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            let objects = owners
                .iter()
                .filter(|t| !STRATA_TABLES.contains(&t.as_str()))
                .count();
            let revisions = !project_files(&self.conn)?.is_empty();
            let model = read_model(&self.conn)?.is_some_and(|(m, _)| !m.trim().is_empty());
            Ok(objects == 0 && !revisions && !model)
        })();
        match blank {
            Ok(true) => false,
            Ok(false) => !self.is_pristine_demo(),
            Err(_) => true,
        }
    }

    /// Whether the live database is the demo exactly as loading it gives it (schema, project,
    /// applied revisions, model and rows; not the times the revisions were applied).
    fn is_pristine_demo(&self) -> bool {
        let Ok(demo) = build(&demo::project(), &*self.clock) else {
            return false;
        };
        match (contents(&self.conn), contents(&demo)) {
            (Ok(live), Ok(demo)) => live == demo,
            _ => false,
        }
    }

    /// Puts a backup back in place of the database, atomically. Revisions saved since the
    /// backup was taken are kept in the project (pending, since the restored database has not
    /// run them): they are the visitor's work, as files in a repository are, and the restore
    /// undoes what they did to the data, not the revisions themselves.
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
        let unreadable = |e: rusqlite::Error| {
            format!(
                "backup {id} cannot be read ({}); nothing was changed",
                sqlite_message(&e)
            )
        };
        let scratch = scratch_from(&image).map_err(unreadable)?;
        let kept = keep_revisions(&scratch, &self.revisions).map_err(unreadable)?;
        let adopted = self.adopt(scratch, &format!("backup {id}"), BEFORE_RESTORE)?;
        let mut notes = Vec::new();
        if !kept.is_empty() {
            notes.push(format!(
                "Kept {} newer revision{} as pending: {}.",
                kept.len(),
                if kept.len() == 1 { "" } else { "s" },
                kept.join(", ")
            ));
        }
        notes.extend(adopted.notes());
        Ok(match adopted.model {
            Some((model, language)) => Outcome::Loaded {
                model,
                language,
                notes,
            },
            None => Outcome::Replaced { notes },
        })
    }

    /// The backups, newest first, for the snapshot.
    pub(super) fn backup_views(&self) -> rusqlite::Result<Vec<BackupView>> {
        prepare_store(&self.backups)?;
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

    /// Replaces the live database with a finished scratch database (`what` names where it came
    /// from in errors). The scratch database is checked first and what it holds is read, then
    /// the live one is kept as an automatic backup labelled `label` (see
    /// [`Engine::keep_before`]), then it is replaced in one step; nothing runs after that step
    /// that could fail, so an error always means nothing was changed.
    fn adopt(&mut self, scratch: Connection, what: &str, label: &str) -> Result<Adopted, String> {
        let checked = check(&scratch).map_err(|why| {
            format!("{what} cannot replace the database ({why}); nothing was changed")
        })?;
        let failed = |e: rusqlite::Error| {
            format!(
                "cannot replace the database ({}); nothing was changed",
                sqlite_message(&e)
            )
        };
        // The scratch database ran untrusted SQL under tighter settings than the live
        // connection's; once checked it takes the live ones, since in memory it becomes the
        // live connection.
        like_live(&scratch, &self.conn).map_err(failed)?;
        let in_memory = matches!(self.storage, Storage::Memory { .. });
        let backup = self.keep_before(label)?;
        if in_memory {
            // A database in memory has no file to keep in place, and the backup API cannot
            // change an in-memory destination's page size (an imported desktop file has 4096
            // bytes, the wasm build 8192): the scratch connection simply becomes the live one.
            self.conn = scratch;
        } else {
            // A file destination takes the scratch database's page size with the pages.
            let copy = Backup::new(&scratch, &mut self.conn).map_err(failed)?;
            // All pages in one step: the copy is then a single write transaction on the live
            // database, committed whole or not at all.
            match copy.step(-1).map_err(failed)? {
                StepResult::Done => {}
                other => {
                    return Err(format!(
                        "cannot replace the database: it is in use ({other:?}); nothing was changed"
                    ))
                }
            }
        }
        self.revisions = checked.revisions;
        self.unreadable = None;
        Ok(Adopted {
            model: checked.model,
            backup,
        })
    }
}

/// Creates the backup store's table, and gives a store made by an earlier build the
/// `automatic` column (its backups were all taken by hand or by a lesson, so 0 is right).
fn prepare_store(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(BACKUP_DDL)?;
    let has_column: bool = conn.query_row(
        "SELECT count(*) > 0 FROM pragma_table_info('backup') WHERE name = 'automatic'",
        [],
        |row| row.get(0),
    )?;
    if !has_column {
        conn.execute_batch("ALTER TABLE backup ADD COLUMN automatic INTEGER NOT NULL DEFAULT 0")?;
    }
    Ok(())
}

/// Limits what the SQL run on a scratch connection (a project's revisions and data, or a file
/// or backup being read) can reach: DEFENSIVE mode refuses the features that corrupt a database
/// on purpose (`writable_schema`, `sqlite_dbpage` writes), and no database may be attached, so
/// the SQL cannot reach the live database's file or the backup store through the default VFS.
fn harden(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 0)?;
    Ok(())
}

/// Gives `scratch` the live connection's settings: the attach limit and DEFENSIVE mode that
/// [`harden`] changed, and whether foreign keys are enforced.
fn like_live(scratch: &Connection, live: &Connection) -> rusqlite::Result<()> {
    scratch.set_limit(
        Limit::SQLITE_LIMIT_ATTACHED,
        live.limit(Limit::SQLITE_LIMIT_ATTACHED)?,
    )?;
    scratch.set_db_config(
        DbConfig::SQLITE_DBCONFIG_DEFENSIVE,
        live.db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE)?,
    )?;
    let enforced: bool = live.query_row("PRAGMA foreign_keys", [], |row| row.get(0))?;
    scratch.execute_batch(&format!(
        "PRAGMA foreign_keys = {}",
        if enforced { "ON" } else { "OFF" }
    ))
}

/// Checks a scratch database before it may replace the live one, and reads what the engine
/// keeps of it: the file is sound (`PRAGMA quick_check`), its project's revisions parse and
/// form a valid graph, and every applied version is one of them. The reason is returned when
/// it is not.
fn check(scratch: &Connection) -> Result<Checked, String> {
    let sqlite = |e: rusqlite::Error| sqlite_message(&e);
    sound(scratch, "quick_check")?;
    let revisions = project_files(scratch)
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
    if table_exists(scratch, VERSION_TABLE).map_err(sqlite)? {
        let applied = migrate::applied(scratch, VERSION_TABLE)
            .map_err(|e| format!("its {VERSION_TABLE} table cannot be read ({e})"))?;
        if let Some(row) = applied.iter().find(|r| graph.get(&r.version).is_none()) {
            return Err(format!(
                "{VERSION_TABLE} says revision {} is applied, but the project has no such revision",
                row.version
            ));
        }
    }
    let model = read_model(scratch)
        .map_err(|e| format!("its model text cannot be read ({})", sqlite_message(&e)))?;
    Ok(Checked { revisions, model })
}

/// Runs SQLite's `quick_check` or `integrity_check` and says what it found first, unless the
/// database is sound.
fn sound(conn: &Connection, pragma: &str) -> Result<(), String> {
    let verdict: Vec<String> = (|| {
        let mut stmt = conn.prepare(&format!("PRAGMA {pragma}"))?;
        let rows = stmt.query_map([], |row| row.get(0))?;
        rows.collect::<rusqlite::Result<_>>()
    })()
    .map_err(|e| format!("it is damaged ({})", sqlite_message(&e)))?;
    if verdict == ["ok"] {
        return Ok(());
    }
    let first = verdict.first().cloned().unwrap_or_default();
    Err(format!(
        "it is damaged ({}: {first})",
        pragma.replace('_', " ")
    ))
}

fn table_exists(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = ?1",
        [name],
        |row| row.get(0),
    )
}

/// The revision files of `conn`'s project in order, none when it has no project table.
pub(super) fn project_files(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    TableStore::new(conn).files()
}

/// Appends to `scratch`'s project (a backup about to be restored) the revisions of `live` it
/// does not have and whose parents it has, parents first, and names them as "id (message)".
/// A revision with no parents is kept only when the backup has no revisions at all: beside
/// other revisions it would be the root of another project (one loaded after the backup was
/// taken), not newer work on the backup's own.
fn keep_revisions(scratch: &Connection, live: &[Revision]) -> rusqlite::Result<Vec<String>> {
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
            "INSERT INTO _strata_project (position, id, file) \
             VALUES ((SELECT coalesce(max(position), 0) + 1 FROM _strata_project), ?1, ?2)",
            rusqlite::params![rev.id, rev.render()],
        )?;
        known.insert(rev.id.clone());
        kept.push(format!("{} ({})", rev.id, rev.message));
    }
    Ok(kept)
}

/// Everything that tells two databases apart for [`Engine::is_pristine_demo`]: the schema, the
/// project's revision files, the applied versions, the model and the rows.
fn contents(conn: &Connection) -> rusqlite::Result<String> {
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
    for file in project_files(conn)? {
        out.push_str(&file);
    }
    if table_exists(conn, VERSION_TABLE)? {
        let mut stmt = conn.prepare(&format!(
            "SELECT version FROM {} ORDER BY version",
            quote_ident(VERSION_TABLE)
        ))?;
        let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
        for row in rows {
            out.push_str(&row?);
            out.push('\n');
        }
    }
    out.push_str(&format!("{:?}\n", read_model(conn)?));
    out.push_str(&data_sql(conn)?);
    Ok(out)
}

/// What a statement of a project's data is, as far as loading the rows cares. Names are
/// lower-cased, as SQLite compares them ignoring ASCII case.
#[derive(Debug, PartialEq)]
enum DataStatement {
    CreateTable(String),
    CreateTrigger(String),
    DropTrigger(String),
    /// `DROP TABLE` or `DROP VIEW`, which drops the triggers on it too.
    DropTable(String),
    /// An INSERT or REPLACE into the table, when the statement names it plainly.
    Rows(Option<String>),
    Other,
}

/// Reads the start of a statement into a [`DataStatement`] with strata's tokenizer, so
/// comments, quoted names and `schema.name` are read as SQLite reads them.
fn classify(text: &str) -> DataStatement {
    let tokens: Vec<&str> = sql::tokenize(text)
        .into_iter()
        .filter(|t| !t.is_trivia())
        .take(12)
        .map(|t| t.text(text))
        .collect();
    let is = |i: usize, word: &str| tokens.get(i).is_some_and(|t| t.eq_ignore_ascii_case(word));
    // The name at `i`, or after `schema .` when it is qualified.
    let name = |mut i: usize| -> Option<String> {
        if tokens.get(i + 1) == Some(&".") {
            i += 2;
        }
        tokens.get(i).map(|t| sql::unquote(t).to_ascii_lowercase())
    };
    // The position after an optional `IF [NOT] EXISTS`.
    let after_if = |i: usize| -> usize {
        if is(i, "IF") && is(i + 1, "NOT") && is(i + 2, "EXISTS") {
            i + 3
        } else if is(i, "IF") && is(i + 1, "EXISTS") {
            i + 2
        } else {
            i
        }
    };
    if is(0, "CREATE") {
        let i = if is(1, "TEMP") || is(1, "TEMPORARY") {
            2
        } else {
            1
        };
        if is(i, "TRIGGER") {
            return name(after_if(i + 1))
                .map_or(DataStatement::Other, DataStatement::CreateTrigger);
        }
        if is(i, "TABLE") {
            return name(after_if(i + 1)).map_or(DataStatement::Other, DataStatement::CreateTable);
        }
    } else if is(0, "DROP") {
        if is(1, "TRIGGER") {
            return name(after_if(2)).map_or(DataStatement::Other, DataStatement::DropTrigger);
        }
        if is(1, "TABLE") || is(1, "VIEW") {
            return name(after_if(2)).map_or(DataStatement::Other, DataStatement::DropTable);
        }
    } else if is(0, "REPLACE") && is(1, "INTO") {
        return DataStatement::Rows(name(2));
    } else if is(0, "INSERT") {
        let i = if is(1, "OR") { 3 } else { 1 };
        return DataStatement::Rows(if is(i, "INTO") { name(i + 1) } else { None });
    } else if is(0, "WITH") {
        return DataStatement::Rows(None);
    }
    DataStatement::Other
}

/// A trigger taken away while rows are loaded: its name, its table and its SQL.
struct SetAside {
    name: String,
    table: String,
    sql: String,
}

/// A scratch database built from a project: revisions stored and applied up to the project's
/// targets, the model kept, the rows added. Nothing live is touched.
fn build(project: &Project, clock: &dyn Clock) -> Result<Connection, String> {
    let (graph, targets) = project.graph_and_targets().map_err(|e| e.to_string())?;
    let revisions = project.parsed_revisions().map_err(|e| e.to_string())?;
    let scratch_failed = |e: rusqlite::Error| {
        format!(
            "cannot build the project ({}); nothing was changed",
            sqlite_message(&e)
        )
    };
    let mut scratch = Connection::open_in_memory().map_err(scratch_failed)?;
    harden(&scratch).map_err(scratch_failed)?;
    store_project(&scratch, &revisions, &project.model, project.language)
        .map_err(scratch_failed)?;
    if !graph.is_empty() {
        for target in &targets {
            migrate::upgrade(&mut scratch, &graph, target, &options(), clock, &mut |_| {})
                .map_err(|e| {
                    format!("the project's revisions cannot be applied: {e}; nothing was changed")
                })?;
        }
    }
    add_data(&scratch, &project.data)?;
    Ok(scratch)
}

/// Runs a project's data (the drift SQL, then the rows, then the AUTOINCREMENT counters) on
/// the scratch database in statement order, in one transaction.
///
/// The rows already hold what triggers wrote when they were first made (an audit log, a
/// counter); firing the triggers again would write it twice. So before the first statement
/// that writes rows into a table the data did not create itself (only such a table can have a
/// trigger at that point), the triggers that exist then are set aside, and put back after the
/// last statement. Until then the data's statements see the triggers the revisions made, so
/// its drift can drop or change them. A set-aside trigger that a later statement drops, or
/// whose table it drops, is forgotten, as SQLite would drop it. `CREATE TRIGGER` statements
/// (made in the console, outside revisions) wait until after the rows too, and one of them
/// replaces a set-aside trigger of the same name.
fn add_data(scratch: &Connection, data: &str) -> Result<(), String> {
    if data.trim().is_empty() {
        return Ok(());
    }
    let scratch_failed = |e: rusqlite::Error| {
        format!(
            "cannot build the project ({}); nothing was changed",
            sqlite_message(&e)
        )
    };
    let tx = scratch.unchecked_transaction().map_err(scratch_failed)?;
    // Rows are exported table by table in name order, so a child may come before its
    // parent; foreign keys (when enforced) are checked once, at commit.
    tx.execute_batch("PRAGMA defer_foreign_keys = ON")
        .map_err(scratch_failed)?;
    let mut set_aside: Option<Vec<SetAside>> = None;
    let mut created_tables: BTreeSet<String> = BTreeSet::new();
    let mut created_triggers: Vec<(String, String)> = Vec::new();
    for statement in sql::split_statements(data) {
        match classify(&statement.text) {
            DataStatement::CreateTrigger(name) => {
                created_triggers.push((name, statement.text.clone()));
                continue;
            }
            DataStatement::DropTrigger(name) => {
                // A trigger that is set aside or still waiting does not exist at this point,
                // so dropping it means forgetting it rather than running the DROP.
                let waiting = |triggers: &Vec<SetAside>| triggers.iter().any(|t| t.name == name);
                if set_aside.as_ref().is_some_and(waiting)
                    || created_triggers.iter().any(|(n, _)| *n == name)
                {
                    if let Some(aside) = set_aside.as_mut() {
                        aside.retain(|t| t.name != name);
                    }
                    created_triggers.retain(|(n, _)| *n != name);
                    continue;
                }
            }
            DataStatement::DropTable(name) => {
                if let Some(aside) = set_aside.as_mut() {
                    aside.retain(|t| t.table != name);
                }
            }
            DataStatement::CreateTable(name) => {
                created_tables.insert(name);
            }
            DataStatement::Rows(table) => {
                let own = table.is_some_and(|t| created_tables.contains(&t));
                if set_aside.is_none() && !own {
                    set_aside = Some(set_triggers_aside(&tx).map_err(scratch_failed)?);
                }
            }
            DataStatement::Other => {}
        }
        tx.execute_batch(&statement.text).map_err(|e| {
            format!(
                "the project's data cannot be added (line {}: {}); nothing was changed",
                statement.line,
                sqlite_message(&e)
            )
        })?;
    }
    for trigger in set_aside.unwrap_or_default() {
        if created_triggers.iter().any(|(n, _)| *n == trigger.name) {
            continue;
        }
        tx.execute_batch(&trigger.sql).map_err(scratch_failed)?;
    }
    for (_, sql) in &created_triggers {
        tx.execute_batch(sql).map_err(scratch_failed)?;
    }
    tx.commit().map_err(scratch_failed)
}

/// Drops every trigger of the database and returns what it takes to make them again.
fn set_triggers_aside(conn: &Connection) -> rusqlite::Result<Vec<SetAside>> {
    let triggers: Vec<SetAside> = {
        let mut stmt = conn.prepare(
            "SELECT name, tbl_name, sql FROM sqlite_schema WHERE type = 'trigger' AND sql IS NOT NULL",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok(SetAside {
                name: row.get::<_, String>(0)?.to_ascii_lowercase(),
                table: row.get::<_, String>(1)?.to_ascii_lowercase(),
                sql: row.get(2)?,
            })
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for trigger in &triggers {
        conn.execute_batch(&format!("DROP TRIGGER {}", quote_ident(&trigger.name)))?;
    }
    Ok(triggers)
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
    if !table_exists(conn, META_TABLE)? {
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
/// internal ones and virtual tables left out), then the AUTOINCREMENT counters of those tables.
/// Generated columns are left out: SQLite computes them again.
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
    let tables: Vec<String> = tables
        .into_iter()
        .filter(|t| !STRATA_TABLES.contains(&t.as_str()))
        .collect();
    let mut out = String::new();
    for table in &tables {
        let columns: Vec<String> = {
            let mut stmt = conn.prepare(&format!("PRAGMA table_xinfo({})", quote_ident(table)))?;
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
            quote_ident(table),
            list.join(", ")
        );
        let mut stmt = conn.prepare(&format!(
            "SELECT {} FROM {}",
            list.join(", "),
            quote_ident(table)
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
    // An AUTOINCREMENT counter can be ahead of the largest rowid (the newest row was deleted),
    // and the inserts above only bring it up to that rowid; without it, new rows would reuse
    // ids the original database never gives out again. It comes after the rows, which set it
    // too, and as DELETE + INSERT since sqlite_sequence has no key to upsert on.
    if table_exists(conn, "sqlite_sequence")? {
        let mut stmt = conn.prepare("SELECT name, seq FROM sqlite_sequence ORDER BY name")?;
        let rows = stmt.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, rusqlite::types::Value>(1)?,
            ))
        })?;
        for row in rows {
            let (name, seq) = row?;
            let rusqlite::types::Value::Integer(seq) = seq else {
                continue;
            };
            if !tables.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
                continue;
            }
            let name = strata_core::sql::quote_str(&name);
            out.push_str(&format!(
                "DELETE FROM sqlite_sequence WHERE name = {name};\n\
                 INSERT INTO sqlite_sequence (name, seq) VALUES ({name}, {seq});\n"
            ));
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
    harden(&conn)?;
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
    sound(&scratch, "integrity_check").map_err(refused)?;
    // A file exported from the playground carries strata's own tables; the baseline replaces
    // them, so a re-imported export starts a fresh history from what it holds.
    for table in STRATA_TABLES {
        scratch
            .execute_batch(&format!("DROP TABLE IF EXISTS {}", quote_ident(table)))
            .map_err(damaged)?;
    }
    let schema = crate::introspect_excluding(&scratch, &STRATA_TABLES)
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
        &options(),
        clock,
    )
    .map_err(|e| refused(e.to_string()))?;
    Ok((scratch, model_sql))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::demo;
    use crate::workspace::protocol::{Cell, Request, Snapshot, Storage};

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
        let project = engine
            .export_project(demo::MODEL_SQL, ModelLanguage::Sql)
            .unwrap();
        let mut other = demo_engine();
        other
            .handle(Request::Load {
                project,
                browse: None,
                link: false,
            })
            .outcome
            .unwrap();
        let audit: i64 = other
            .conn
            .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
            .unwrap();
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
            link: false,
        });
        assert_eq!(
            reply.outcome,
            Ok(Outcome::Loaded {
                model: demo::MODEL_SQL.to_owned(),
                language: ModelLanguage::Sql,
                notes: vec!["The database it replaced is kept as backup 1 (before import).".into()],
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
            link: false,
        });
        let message = reply.outcome.unwrap_err();
        assert!(
            message.starts_with(&format!(
                "the project's data cannot be added (line {line}: no such table: nowhere)"
            )),
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
        let message = engine.load(&project, false).unwrap_err();
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
        engine
            .load(&Project::empty("CREATE TABLE t (x);"), false)
            .unwrap();
        let snapshot = engine.snapshot(None).unwrap();
        assert!(snapshot.tables.is_empty(), "{:?}", snapshot.tables);
        assert!(snapshot.revisions.is_empty());
        assert_eq!(
            engine.opened(),
            Ok(Outcome::Loaded {
                model: "CREATE TABLE t (x);".into(),
                language: ModelLanguage::Sql,
                notes: Vec::new(),
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
            project.data.starts_with(
                "-- changed outside revisions\n-- create table odd\nCREATE TABLE \"odd\""
            ),
            "{}",
            project.data
        );

        let json = project.to_json();
        let mut other = Engine::open(Connection::open_in_memory().unwrap(), Storage::Opfs).unwrap();
        let reply = other.handle(Request::Load {
            project: Project::from_json(&json).unwrap(),
            browse: Some("odd".into()),
            link: false,
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
            .load(&Project::from_share_fragment(&fragment).unwrap(), true)
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
                language: ModelLanguage::Sqlmodel,
                notes: Vec::new(),
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
        let Outcome::Loaded {
            model, language, ..
        } = outcome
        else {
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
    fn a_backup_without_a_model_restores_and_leaves_the_editor_its_own() {
        let mut engine = demo_engine();
        // A database from before the model was kept: the meta table holds nothing.
        engine
            .conn
            .execute_batch("DELETE FROM _strata_meta")
            .unwrap();
        let reply = engine.handle(Request::Backup {
            label: "no model".into(),
        });
        assert_eq!(reply.outcome, Ok(Outcome::BackedUp { id: "1".into() }));
        engine.save_model("-- changed", ModelLanguage::Sql).unwrap();
        engine
            .handle(Request::Execute {
                sql: "DELETE FROM identities".into(),
                browse: None,
            })
            .outcome
            .unwrap();
        let reply = engine.handle(Request::Restore { id: "1".into() });
        assert_eq!(
            reply.outcome,
            Ok(Outcome::Replaced {
                notes: vec![
                    "The database it replaced is kept as backup 2 (before restore).".into()
                ],
            })
        );
        assert!(rows(&engine, "identities") > 0);
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
                language: ModelLanguage::Sql,
                notes: vec![
                    "The database it replaced is kept as backup 2 (before restore).".into()
                ],
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

    fn run(engine: &mut Engine, sql: &str) {
        let reply = engine.handle(Request::Execute {
            sql: sql.into(),
            browse: None,
        });
        assert!(reply.outcome.is_ok(), "{sql}: {:?}", reply.outcome);
    }

    /// The demo with a row of the visitor's added, so replacing it keeps a backup.
    fn worked_on() -> Engine {
        let mut engine = demo_engine();
        run(
            &mut engine,
            "INSERT INTO users (email, display_name) VALUES ('mine@example.com', 'Mine')",
        );
        engine
    }

    fn labels(engine: &Engine) -> Vec<String> {
        engine
            .backup_views()
            .unwrap()
            .into_iter()
            .map(|b| b.label)
            .collect()
    }

    fn project_with_data(data: &str) -> Project {
        let mut project = demo::project();
        project.data.push_str(data);
        project
    }

    #[test]
    fn a_project_that_attaches_a_file_is_refused_and_changes_nothing() {
        let dir = std::env::temp_dir().join(format!("strata-web-attach-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let victim = dir.join("victim.sqlite3");
        let attach = format!(
            "ATTACH '{}' AS b; CREATE TABLE b.stolen (x);",
            victim.display()
        );
        let mut engine = worked_on();
        let before = engine.snapshot(Some("users")).unwrap();
        let in_data = project_with_data(&format!("\n{attach}"));
        let mut in_revision = demo::project();
        in_revision.revisions.push(
            Revision::new(
                "r3",
                vec!["0002".into()],
                "attach",
                "2026-12-01T00:00:00Z",
                &attach,
                "",
            )
            .render(),
        );
        // Rows run with ATTACH forbidden; a revision is refused before it runs.
        for (project, why) in [
            (in_data, "too many attached databases"),
            (in_revision, "ATTACH and DETACH reach other database files"),
        ] {
            let reply = engine.handle(Request::Load {
                project,
                browse: Some("users".into()),
                link: true,
            });
            let message = reply.outcome.unwrap_err();
            assert!(message.contains(why), "{message}");
            assert!(message.ends_with("nothing was changed"), "{message}");
            assert_eq!(
                reply.snapshot, before,
                "no backup either: nothing was replaced"
            );
            assert!(!victim.exists(), "the attached file was never made");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_project_whose_data_breaks_strata_s_own_tables_is_refused_and_changes_nothing() {
        let mut engine = worked_on();
        let before = engine.snapshot(Some("users")).unwrap();
        for (data, why) in [
            (
                "UPDATE _strata_project SET file = 'x';",
                "its revision 1 cannot be read",
            ),
            (
                "DELETE FROM _strata_project WHERE id = '0001';",
                "its revisions do not form a valid graph",
            ),
            (
                "UPDATE schema_version SET version = 'ghost' WHERE version = '0002';",
                "schema_version says revision ghost is applied",
            ),
            (
                "PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = 'garbage' WHERE name = 'users';",
                "may not be modified",
            ),
        ] {
            let reply = engine.handle(Request::Load {
                project: project_with_data(&format!("\n{data}")),
                browse: Some("users".into()),
                link: true,
            });
            let message = reply.outcome.unwrap_err();
            assert!(message.contains(why), "{data}: {message}");
            assert!(message.ends_with("nothing was changed"), "{message}");
            assert_eq!(reply.snapshot, before, "{data}");
            assert_eq!(engine.revisions.len(), 2);
        }
    }

    #[test]
    fn a_backup_that_cannot_be_read_back_is_not_restored() {
        let mut engine = worked_on();
        // A backup taken while strata's own tables were damaged holds a project that does not
        // read back.
        let image = {
            let mut broken = worked_on();
            broken
                .conn
                .execute_batch("UPDATE _strata_project SET file = 'x'")
                .unwrap();
            broken.file_bytes().unwrap()
        };
        engine
            .backups
            .execute(
                "INSERT INTO backup (label, created, image) VALUES ('broken', '', ?1)",
                [image],
            )
            .unwrap();
        let before = engine.snapshot(Some("users")).unwrap();
        let reply = engine.handle(Request::Restore { id: "1".into() });
        let message = reply.outcome.unwrap_err();
        assert!(
            message
                .starts_with("backup 1 cannot replace the database (its revision 1 cannot be read"),
            "{message}"
        );
        assert!(message.ends_with("nothing was changed"), "{message}");
        assert_eq!(engine.snapshot(Some("users")).unwrap(), before);
    }

    #[test]
    fn replacing_the_database_first_keeps_what_it_held_as_a_labelled_backup() {
        let mut engine = demo_engine();
        // A brand-new demo holds nothing of the visitor's: no backup.
        engine.load(&demo::project(), true).unwrap();
        assert!(engine.handle(Request::Reset).outcome.is_ok());
        assert_eq!(labels(&engine), Vec::<String>::new());

        // Model text alone is the visitor's work.
        engine
            .save_model("-- my model", ModelLanguage::Sql)
            .unwrap();
        let Ok(Outcome::Loaded { notes, .. }) = engine.load(&demo::project(), true) else {
            panic!()
        };
        assert_eq!(
            notes,
            ["The database it replaced is kept as backup 1 (before share link)."]
        );
        let mine = "INSERT INTO users (email, display_name) VALUES ('mine@example.com', 'Mine')";
        run(&mut engine, mine);
        engine.load(&demo::project(), false).unwrap();
        run(&mut engine, mine);
        import(&mut engine, "t.sqlite", &sqlite_bytes("CREATE TABLE t (x)")).unwrap();
        run(&mut engine, "INSERT INTO t VALUES (1)");
        assert!(engine.handle(Request::Reset).outcome.is_ok());
        run(&mut engine, mine);
        engine.backup("taken by hand").unwrap();
        run(&mut engine, "DELETE FROM identities");
        let reply = engine.handle(Request::Restore { id: "5".into() });
        assert!(reply.outcome.is_ok(), "{:?}", reply.outcome);
        assert_eq!(
            labels(&engine),
            [
                "before restore",
                "taken by hand",
                "before reset",
                "before import",
                "before import",
                "before share link"
            ]
        );
        // Each backup holds what was replaced: the one before the restore lacks identities.
        let reply = engine.handle(Request::Restore { id: "6".into() });
        assert!(reply.outcome.is_ok(), "{:?}", reply.outcome);
        assert_eq!(rows(&engine, "identities"), 0);
        assert_eq!(rows(&engine, "users"), 5);
    }

    #[test]
    fn a_replacement_whose_backup_cannot_be_stored_changes_nothing() {
        let mut engine = worked_on();
        engine.backup("taken by hand").unwrap();
        run(&mut engine, "DELETE FROM identities");
        engine
            .backups
            .execute_batch("PRAGMA query_only = ON")
            .unwrap();
        let before = engine.snapshot(Some("users")).unwrap();
        let bytes = STANDARD.encode(sqlite_bytes("CREATE TABLE t (x)"));
        for request in [
            Request::Load {
                project: demo::project(),
                browse: Some("users".into()),
                link: true,
            },
            Request::ImportSqlite {
                name: "t.sqlite".into(),
                base64: bytes,
                browse: Some("users".into()),
            },
            Request::Reset,
            Request::Restore { id: "1".into() },
        ] {
            let reply = engine.handle(request.clone());
            let message = reply.outcome.unwrap_err();
            assert!(
                message.contains(
                    "cannot keep what the database holds as a backup before replacing it"
                ),
                "{request:?}: {message}"
            );
            assert!(message.ends_with("nothing was changed"), "{message}");
            assert_eq!(
                engine.snapshot(Some("users")).unwrap(),
                before,
                "{request:?}"
            );
        }
    }

    #[test]
    fn at_most_ten_automatic_backups_are_kept_and_none_taken_by_hand_is_dropped() {
        let mut engine = worked_on();
        engine.backup("taken by hand").unwrap();
        for _ in 0..12 {
            run(&mut engine, "DELETE FROM identities");
            assert!(engine.handle(Request::Reset).outcome.is_ok());
        }
        let views = engine.backup_views().unwrap();
        let automatic: Vec<_> = views
            .iter()
            .filter(|b| b.label == "before reset")
            .map(|b| b.id.as_str())
            .collect();
        assert_eq!(
            automatic,
            ["13", "12", "11", "10", "9", "8", "7", "6", "5", "4"]
        );
        assert!(views
            .iter()
            .any(|b| b.label == "taken by hand" && b.id == "1"));
        assert_eq!(views.len(), 11);
    }

    #[test]
    fn two_applied_unmerged_heads_export_and_import_both_applied() {
        let mut project = demo::project();
        project.revisions.extend([
            Revision::new(
                "alice1",
                vec!["0002".into()],
                "alice: add nickname",
                "2026-12-01T00:00:00Z",
                "ALTER TABLE users ADD COLUMN nickname TEXT;",
                "ALTER TABLE users DROP COLUMN nickname;",
            )
            .render(),
            Revision::new(
                "bob1",
                vec!["0002".into()],
                "bob: add teams",
                "2026-12-01T00:00:01Z",
                "CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT);",
                "DROP TABLE teams;",
            )
            .render(),
        ]);
        project.applied = "heads".into();
        let mut engine = demo_engine();
        engine.load(&project, false).unwrap();
        run(
            &mut engine,
            "INSERT INTO teams (name) VALUES ('blue'); UPDATE users SET nickname = 'ada' WHERE id = 1",
        );
        let exported = engine
            .export_project(demo::MODEL_SQL, ModelLanguage::Sql)
            .unwrap();
        assert_eq!(exported.applied, "alice1,bob1");
        assert!(
            !exported.data.contains("changed outside revisions"),
            "{}",
            exported.data
        );

        let mut other = demo_engine();
        let reply = other.handle(Request::Load {
            project: Project::from_json(&exported.to_json()).unwrap(),
            browse: Some("teams".into()),
            link: false,
        });
        assert!(reply.outcome.is_ok(), "{:?}", reply.outcome);
        assert!(
            reply.snapshot.revisions.iter().all(|r| r.applied),
            "{:?}",
            reply.snapshot.revisions
        );
        assert_eq!(
            versions(&reply.snapshot),
            ["0001", "0002", "alice1", "bob1"]
        );
        assert_eq!(reply.snapshot.browsed.unwrap().grid.total, 1);
        let reply = other.handle(Request::Upgrade {
            target: "heads".into(),
            confirmed: false,
            browse: None,
        });
        assert_eq!(
            reply.outcome,
            Ok(Outcome::Migrated {
                up: true,
                ids: vec![],
                losses: vec![]
            })
        );
        let nickname: String = other
            .conn
            .query_row("SELECT nickname FROM users WHERE id = 1", [], |r| r.get(0))
            .unwrap();
        assert_eq!(nickname, "ada");
    }

    fn trigger_sql(engine: &Engine, name: &str) -> Option<String> {
        engine
            .conn
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()
            .unwrap()
    }

    fn audit_rows(engine: &Engine) -> i64 {
        engine
            .conn
            .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
            .unwrap()
    }

    /// The demo plus a saved and applied revision that makes an audit table and its trigger.
    fn audited() -> Engine {
        let mut engine = demo_engine();
        let model = format!(
            "{}\nCREATE TABLE audit (what TEXT);\n\
             CREATE TRIGGER users_audit AFTER INSERT ON users BEGIN INSERT INTO audit VALUES (new.email); END;\n",
            demo::MODEL_SQL
        );
        let reply = engine.handle(Request::SaveRevision {
            model,
            renames: vec![],
            declined: Vec::new(),
            message: "audit users".into(),
            browse: None,
            language: ModelLanguage::Sql,
            parent: None,
        });
        assert!(reply.outcome.is_ok(), "{:?}", reply.outcome);
        let reply = engine.handle(Request::Upgrade {
            target: "head".into(),
            confirmed: false,
            browse: None,
        });
        assert!(reply.outcome.is_ok(), "{:?}", reply.outcome);
        run(
            &mut engine,
            "INSERT INTO users (email, display_name) VALUES ('a@example.com', 'A')",
        );
        assert_eq!(audit_rows(&engine), 1);
        engine
    }

    #[test]
    fn a_trigger_dropped_in_the_console_stays_gone_after_export_and_import() {
        let mut engine = audited();
        run(
            &mut engine,
            "DROP TRIGGER users_audit; INSERT INTO users (email, display_name) VALUES ('b@example.com', 'B')",
        );
        let project = engine
            .export_project(demo::MODEL_SQL, ModelLanguage::Sql)
            .unwrap();
        assert!(
            project.data.contains("DROP TRIGGER \"users_audit\""),
            "{}",
            project.data
        );
        let mut other = demo_engine();
        let reply = other.handle(Request::Load {
            project,
            browse: None,
            link: false,
        });
        assert!(reply.outcome.is_ok(), "{:?}", reply.outcome);
        assert_eq!(trigger_sql(&other, "users_audit"), None);
        assert_eq!(audit_rows(&other), 1);
        assert_eq!(rows(&other, "users"), 6);
    }

    #[test]
    fn a_trigger_changed_in_the_console_comes_back_changed_and_fires_only_for_new_rows() {
        let mut engine = audited();
        run(
            &mut engine,
            "DROP TRIGGER users_audit; \
             CREATE TRIGGER users_audit AFTER INSERT ON users BEGIN INSERT INTO audit VALUES ('changed ' || new.email); END; \
             INSERT INTO users (email, display_name) VALUES ('b@example.com', 'B')",
        );
        assert_eq!(audit_rows(&engine), 2);
        let project = engine
            .export_project(demo::MODEL_SQL, ModelLanguage::Sql)
            .unwrap();
        let mut other = demo_engine();
        other.load(&project, false).unwrap();
        assert_eq!(
            audit_rows(&other),
            2,
            "the rows' audit came with the data, once"
        );
        assert!(trigger_sql(&other, "users_audit")
            .unwrap()
            .contains("'changed '"));
        run(
            &mut other,
            "INSERT INTO users (email, display_name) VALUES ('c@example.com', 'C')",
        );
        assert_eq!(audit_rows(&other), 3);
    }

    #[test]
    fn data_statements_are_read_as_sqlite_reads_them() {
        use DataStatement::*;
        for (text, expected) in [
            (
                "-- note\nCREATE TRIGGER \"T\" AFTER INSERT ON t BEGIN SELECT 1; END",
                CreateTrigger("t".into()),
            ),
            (
                "CREATE TEMP TRIGGER IF NOT EXISTS main.x AFTER INSERT ON t BEGIN SELECT 1; END",
                CreateTrigger("x".into()),
            ),
            (
                "DROP TRIGGER IF EXISTS \"Users_Audit\"",
                DropTrigger("users_audit".into()),
            ),
            ("DROP VIEW v", DropTable("v".into())),
            (
                "CREATE TABLE IF NOT EXISTS \"_strata_new_t\" (x)",
                CreateTable("_strata_new_t".into()),
            ),
            (
                "INSERT OR REPLACE INTO main.\"t\" (x) VALUES (1)",
                Rows(Some("t".into())),
            ),
            ("REPLACE INTO t VALUES (1)", Rows(Some("t".into()))),
            (
                "WITH a AS (SELECT 1) INSERT INTO t SELECT * FROM a",
                Rows(None),
            ),
            ("DELETE FROM sqlite_sequence WHERE name = 't'", Other),
        ] {
            assert_eq!(classify(text), expected, "{text}");
        }
    }

    #[test]
    fn an_in_memory_database_takes_an_imported_file_with_another_page_size() {
        let mut engine = Engine::open(
            Connection::open_in_memory().unwrap(),
            Storage::Memory {
                reason: "a test".into(),
            },
        )
        .unwrap();
        // The live connection's foreign-key switch set the other way from a new connection's
        // default, so only copying it over can keep it.
        let default: bool = Connection::open_in_memory()
            .unwrap()
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        let enforced = !default;
        engine
            .conn
            .execute_batch(&format!(
                "PRAGMA foreign_keys = {}",
                if enforced { "ON" } else { "OFF" }
            ))
            .unwrap();
        let bytes = sqlite_bytes(
            "PRAGMA page_size = 1024; CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('one'), ('two');",
        );
        assert_eq!(u16::from_be_bytes([bytes[16], bytes[17]]), 1024);
        import(&mut engine, "small-pages.sqlite", &bytes).unwrap();
        let page_size: i64 = engine
            .conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap();
        assert_eq!(page_size, 1024);
        assert_eq!(rows(&engine, "t"), 2);
        assert_eq!(versions(&engine.snapshot(None).unwrap()), [BASELINE_ID]);
        // The new live connection has the old one's settings, not the scratch database's
        // tighter ones: VACUUM (which attaches) works, and foreign keys are as they were.
        let fresh = Connection::open_in_memory().unwrap();
        assert_eq!(
            engine.conn.limit(Limit::SQLITE_LIMIT_ATTACHED).unwrap(),
            fresh.limit(Limit::SQLITE_LIMIT_ATTACHED).unwrap()
        );
        engine.conn.execute_batch("VACUUM").unwrap();
        let now: bool = engine
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(now, enforced);
        // And it keeps working as the live database: a write and a reload of the project.
        run(&mut engine, "INSERT INTO t VALUES ('three')");
        assert_eq!(rows(&engine, "t"), 3);
    }

    #[test]
    fn a_restore_keeps_the_revisions_saved_since_the_backup_as_pending() {
        let mut engine = demo_engine();
        engine.backup("nightly").unwrap();
        let mut ids = Vec::new();
        for (message, table) in [("add notes", "notes"), ("add tags", "tags")] {
            let model = format!(
                "{}\nCREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n{}",
                demo::MODEL_SQL,
                if table == "tags" {
                    "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT);\n"
                } else {
                    ""
                }
            );
            let reply = engine.handle(Request::SaveRevision {
                model,
                renames: vec![],
                declined: Vec::new(),
                message: message.into(),
                browse: None,
                language: ModelLanguage::Sql,
                parent: None,
            });
            let Ok(Outcome::Saved { id }) = reply.outcome else {
                panic!("{:?}", reply.outcome)
            };
            ids.push(id);
        }
        assert!(engine
            .handle(Request::Upgrade {
                target: "head".into(),
                confirmed: false,
                browse: None
            })
            .outcome
            .is_ok());
        let Ok(Outcome::Loaded { notes, .. }) = engine.restore("1") else {
            panic!()
        };
        assert_eq!(
            notes,
            [
                format!(
                    "Kept 2 newer revisions as pending: {} (add notes), {} (add tags).",
                    ids[0], ids[1]
                ),
                "The database it replaced is kept as backup 2 (before restore).".to_owned()
            ]
        );
        let snapshot = engine.snapshot(None).unwrap();
        let revisions: Vec<_> = snapshot
            .revisions
            .iter()
            .map(|r| (r.id.as_str(), r.applied))
            .collect();
        assert_eq!(
            revisions,
            [
                ("0001", true),
                ("0002", true),
                (ids[0].as_str(), false),
                (ids[1].as_str(), false)
            ]
        );
        assert!(!snapshot.tables.iter().any(|t| t.name == "notes"));
        // They are in the restored database's project, so a reload still has them.
        let reopened = Engine::open(
            std::mem::replace(&mut engine.conn, Connection::open_in_memory().unwrap()),
            Storage::Opfs,
        )
        .unwrap();
        assert_eq!(reopened.revisions.len(), 4);
        let mut engine = reopened;
        let reply = engine.handle(Request::Upgrade {
            target: "head".into(),
            confirmed: false,
            browse: None,
        });
        assert!(
            matches!(&reply.outcome, Ok(Outcome::Migrated { ids: ran, .. }) if *ran == ids),
            "{:?}",
            reply.outcome
        );
    }

    #[test]
    fn a_restore_does_not_mix_in_the_revisions_of_a_project_loaded_since() {
        let mut engine = demo_engine();
        engine.backup("nightly").unwrap();
        let mut other = Project::empty("");
        other.revisions = vec![Revision::new(
            "x1",
            vec![],
            "another project",
            "2026-12-01T00:00:00Z",
            "CREATE TABLE x (a);",
            "DROP TABLE x;",
        )
        .render()];
        other.applied = "head".into();
        engine.load(&other, false).unwrap();
        let Ok(Outcome::Loaded { notes, .. }) = engine.restore("1") else {
            panic!()
        };
        assert!(notes.iter().all(|n| !n.contains("pending")), "{notes:?}");
        assert_eq!(engine.revisions.len(), 2);
    }

    #[test]
    fn autoincrement_counters_survive_export_and_import() {
        let mut engine = demo_engine();
        run(
            &mut engine,
            "CREATE TABLE tickets (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT); \
             CREATE TABLE gone (id INTEGER PRIMARY KEY AUTOINCREMENT); \
             INSERT INTO tickets (title) VALUES ('a'), ('b'), ('c'); DELETE FROM tickets WHERE id = 3; \
             INSERT INTO gone DEFAULT VALUES; INSERT INTO gone DEFAULT VALUES; DELETE FROM gone",
        );
        let project = engine
            .export_project(demo::MODEL_SQL, ModelLanguage::Sql)
            .unwrap();
        assert!(
            project
                .data
                .ends_with("INSERT INTO sqlite_sequence (name, seq) VALUES ('tickets', 3);\n"),
            "{}",
            project.data
        );
        let mut other = demo_engine();
        other.load(&project, false).unwrap();
        run(
            &mut other,
            "INSERT INTO tickets (title) VALUES ('d'); INSERT INTO gone DEFAULT VALUES",
        );
        let ids: (i64, i64) = other
            .conn
            .query_row(
                "SELECT (SELECT max(id) FROM tickets), (SELECT max(id) FROM gone)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(ids, (4, 3), "no id handed out before is handed out again");
    }
}
