//! The workspace's requests that replace or copy out the whole database: loading a project
//! (from a file or a share link), Reset to the demo, `.sqlite` files in both directions, the
//! model text kept beside the data, and backups. The work itself is the crate's `transfer`
//! module; this adds the workspace's rule: **before a request replaces a database that holds
//! anything of the visitor's (not the untouched demo), what it held is kept as an automatic
//! backup labelled after the request, and the request fails if it cannot be**; a restore keeps
//! it whatever it holds, as `strata restore` does. The newest three automatic backups of each
//! label are kept, those taken by hand never dropped.

use std::cell::RefCell;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rusqlite::Connection;
use strata_core::project::{ModelLanguage, Project};
use strata_core::sql::quote as quote_ident;
use strata_core::time::{Clock, Timestamp};

use super::protocol::{Outcome, Storage};
use super::{demo, live, Workspace, STRATA_TABLES, VERSION_TABLE};
use crate::error::sqlite_message;
use crate::store::TableStore;
use crate::transfer::{backups, baseline, build, check, project, project_of, scratch};

/// The labels of the automatic backups, one per kind of request that replaces the database.
pub(super) const BEFORE_SHARE_LINK: &str = "before share link";
pub(super) const BEFORE_IMPORT: &str = "before import";
pub(super) const BEFORE_RESET: &str = "before reset";
pub(super) const BEFORE_RESTORE: &str = "before restore";

/// What replacing the database did besides the replacement.
struct Adopted {
    model: Option<(String, ModelLanguage)>,
    /// The automatic backup of what was replaced, when there was anything to keep.
    backup: Option<(i64, String)>,
}

impl Adopted {
    /// A sentence for the page naming the automatic backup, if one was taken.
    pub(super) fn notes(&self) -> Vec<String> {
        self.backup
            .iter()
            .map(|(id, label)| {
                format!("The database it replaced is kept as backup {id} ({label}).")
            })
            .collect()
    }
}

impl Workspace {
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

    /// [`Workspace::load`] with the clock that stamps the version rows (the demo uses a fixed one)
    /// and the label of the automatic backup of what it replaces.
    pub(super) fn load_with(
        &mut self,
        project: &Project,
        clock: &dyn Clock,
        label: &str,
    ) -> Result<Outcome, String> {
        let scratch = build(project, clock, VERSION_TABLE)?;
        let adopted = self.adopt(scratch, "the project", label)?;
        Ok(Outcome::Loaded {
            model: project.model.clone(),
            language: project.language,
            notes: adopted.notes(),
        })
    }

    /// What Open answers: the model kept in the database, when an earlier visit saved one. It
    /// is not [`Outcome::Loaded`]: opening replaces nothing, so there is nothing to announce.
    pub(super) fn opened(&self) -> Result<Outcome, String> {
        Ok(
            match project::read_model(&self.conn).map_err(|e| sqlite_message(&e))? {
                Some((model, language)) => Outcome::Opened { model, language },
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
        project::write_model(&self.conn, model, language)
            .map_err(|e| format!("cannot keep the model text: {}", sqlite_message(&e)))?;
        Ok(Outcome::ModelSaved)
    }

    /// The project as a file or a link carries it (`transfer::project_of`): the model as the
    /// page has it, the revisions, every applied revision that nothing applied builds on, what
    /// the console changed outside revisions, and every row of the visitor's tables.
    pub fn export_project(&self, model: &str, language: ModelLanguage) -> Result<Project, String> {
        // The files as stored, not the revisions rendered again: a file written by hand keeps
        // its own layout, and with it the checksum its version row records.
        let files = TableStore::new(&self.conn).files().map_err(|e| {
            format!(
                "cannot read the project's revisions: {}",
                sqlite_message(&e)
            )
        })?;
        project_of(&self.conn, &files, model, language, VERSION_TABLE)
    }

    /// The live database file, base64-encoded for the JSON channel to the page.
    pub(super) fn export_sqlite(&mut self) -> Result<Outcome, String> {
        let bytes = self.file_bytes()?;
        Ok(Outcome::SqliteExported {
            base64: STANDARD.encode(bytes),
        })
    }

    pub(super) fn file_bytes(&mut self) -> Result<Vec<u8>, String> {
        scratch::file_bytes(&mut self.conn)
            .map_err(|e| format!("cannot read the database file: {}", sqlite_message(&e)))
    }

    /// Makes a SQLite file the database, and its schema the project's baseline revision.
    pub(super) fn import_sqlite(&mut self, name: &str, base64: &str) -> Result<Outcome, String> {
        let bytes = STANDARD
            .decode(base64)
            .map_err(|e| format!("the file did not arrive intact ({e}); nothing was changed"))?;
        let clock = self.clock.clone();
        let (scratch, model) = baseline(name, &bytes, &*clock, VERSION_TABLE)?;
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
        backups::prepare_store(&conn)
            .map_err(|e| format!("cannot open the backup store: {}", sqlite_message(&e)))?;
        self.backups = conn;
        Ok(())
    }

    /// Keeps the whole database as an automatic backup labelled `label` (a lesson's Start): one
    /// of the newest few of its label, dropped when newer ones replace it.
    pub(super) fn keep_as_automatic(&mut self, label: &str) -> Result<Outcome, String> {
        let id = self
            .store_backup(label, true)
            .map_err(|e| format!("cannot store the backup ({e}); nothing was changed"))?;
        Ok(Outcome::BackedUp { id: id.to_string() })
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

    /// Stores the database's image under `label` (`transfer::backups::store`) and returns its
    /// id.
    pub(super) fn store_backup(&mut self, label: &str, automatic: bool) -> Result<i64, String> {
        let bytes = self.file_bytes()?;
        let now = self.clock.now().rfc3339();
        backups::store(&mut self.backups, label, &now, &bytes, automatic)
            .map_err(|e| format!("cannot store the backup: {}", sqlite_message(&e)))
    }

    /// Keeps the live database as an automatic backup labelled `label` before a request
    /// replaces it, unless it holds nothing of the visitor's. Fails (and the request with it)
    /// when the backup cannot be stored, since replacing the database would then lose it.
    pub(super) fn keep_before(&mut self, label: &str) -> Result<Option<(i64, String)>, String> {
        // A restore keeps the current database whatever it holds, as `strata restore` does: the
        // visitor chose to put an older state back, and may want this one again.
        if label != BEFORE_RESTORE && !self.holds_visitors_work() {
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
    pub(super) fn holds_visitors_work(&self) -> bool {
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
            let revisions = !TableStore::new(&self.conn).files()?.is_empty();
            let model = project::read_model(&self.conn)?.is_some_and(|(m, _)| !m.trim().is_empty());
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
    pub(super) fn is_pristine_demo(&self) -> bool {
        let Ok(demo) = build(&demo::project(), &*self.clock, VERSION_TABLE) else {
            return false;
        };
        match (
            project::contents(&self.conn, VERSION_TABLE),
            project::contents(&demo, VERSION_TABLE),
        ) {
            (Ok(live), Ok(demo)) => live == demo,
            _ => false,
        }
    }

    /// Puts a backup back in place of the database, atomically. Revisions saved since the
    /// backup was taken are kept in the project (pending, since the restored database has not
    /// run them): they are the visitor's work, as files in a repository are, and the restore
    /// undoes what they did to the data, not the revisions themselves.
    pub(super) fn restore(&mut self, id: &str) -> Result<Outcome, String> {
        let image = backups::image(&self.backups, id.trim().parse::<i64>().unwrap_or(-1))
            .map_err(|e| format!("cannot read the backup store: {}", sqlite_message(&e)))?;
        let image = image.ok_or_else(|| format!("there is no backup {id}; nothing was changed"))?;
        let unreadable = |e: rusqlite::Error| {
            format!(
                "backup {id} cannot be read ({}); nothing was changed",
                sqlite_message(&e)
            )
        };
        let scratch = scratch::scratch_from(&image).map_err(unreadable)?;
        // The check `strata restore` makes before it uses a backup: the whole of
        // integrity_check, not only the quick_check every replacement passes.
        let verdict = crate::backups::integrity(&scratch).map_err(unreadable)?;
        if verdict != ["ok"] {
            return Err(format!(
                "backup {id} fails PRAGMA integrity_check ({}), so it was not used; nothing was changed",
                verdict.join("; ")
            ));
        }
        let kept = project::keep_revisions(&scratch, &self.revisions).map_err(unreadable)?;
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

    /// Replaces the live database with a finished scratch database (`what` names where it came
    /// from in errors). The scratch database is checked first and what it holds is read, then
    /// the live one is kept as an automatic backup labelled `label` (see
    /// [`Workspace::keep_before`]), then it is replaced in one step; nothing runs after that step
    /// that could fail, so an error always means nothing was changed.
    fn adopt(&mut self, scratch: Connection, what: &str, label: &str) -> Result<Adopted, String> {
        let checked = check(&scratch, VERSION_TABLE).map_err(|why| {
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
        scratch::like_live(&scratch, &self.conn).map_err(failed)?;
        // Whatever setting the replaced database's visitor managed to leave on the connection
        // ends here: the replacement starts as the connection was opened (a fresh scratch
        // connection that takes the place of one in memory starts so anyway).
        live::restore_settings(&self.conn).map_err(failed)?;
        // In memory whatever the storage says: a damaged browser pool's database is repaired
        // in memory first (`pool.rs`), and moved into the pool only once that succeeded.
        let in_memory = matches!(self.storage, Storage::Memory { .. })
            || self.conn.path().is_none_or(str::is_empty);
        // A damaged database cannot be kept as a backup (it does not read as a database; the
        // page offered its raw file for download instead), so it is emptied for the copy.
        let backup = if self.damaged.is_some() {
            self.clear_damage()?;
            None
        } else {
            self.keep_before(label)?
        };
        if in_memory {
            // A database in memory has no file to keep in place, and the backup API cannot
            // change an in-memory destination's page size (an imported desktop file has 4096
            // bytes, the wasm build 8192): the scratch connection simply becomes the live one.
            self.conn = scratch;
        } else {
            scratch::copy_over(&scratch, &mut self.conn)?;
        }
        self.revisions = checked.revisions;
        self.unreadable = None;
        Ok(Adopted {
            model: checked.model,
            backup,
        })
    }

    /// Replaces the database with the demo again (atomically, as any project load).
    /// Returns to the demo; the answer carries the demo's model and names the backup of what
    /// was replaced.
    pub(super) fn reset(&mut self) -> Result<Outcome, String> {
        self.seed()
    }

    /// Drops every table and view. Dropping a parent before its children is refused while
    /// foreign keys are enforced (rusqlite's bundled SQLite enforces them by default, the
    /// browser's does not), so enforcement is off for the drop and put back as it was after.
    pub(super) fn drop_all(&mut self) -> rusqlite::Result<()> {
        let enforced: bool = self
            .conn
            .query_row("PRAGMA foreign_keys", [], |row| row.get(0))?;
        self.conn.execute_batch("PRAGMA foreign_keys = OFF")?;
        let dropped = self.drop_all_objects();
        if enforced {
            self.conn.execute_batch("PRAGMA foreign_keys = ON")?;
        }
        dropped
    }

    pub(super) fn drop_all_objects(&mut self) -> rusqlite::Result<()> {
        let tx = self.conn.transaction()?;
        let objects: Vec<(String, String)> = {
            let mut stmt = tx.prepare(
                "SELECT type, name FROM sqlite_schema \
                 WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
            )?;
            let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for (kind, name) in objects {
            let kind = if kind == "view" { "VIEW" } else { "TABLE" };
            tx.execute_batch(&format!("DROP {kind} IF EXISTS {}", quote_ident(&name)))?;
        }
        tx.commit()?;
        // Reclaims the pages of the dropped tables; outside the transaction, as SQLite requires.
        live::vacuum(&self.conn)
    }

    /// Loads the demo project: its revisions saved in the project table, applied by strata's
    /// runner (so `schema_version` holds real rows), then its rows. Each revision is stamped
    /// with its creation time, so a first visit and every Reset give the same database.
    pub(super) fn seed(&mut self) -> Result<Outcome, String> {
        let clock = SeedClock(RefCell::new(
            demo::revisions()
                .iter()
                .map(|r| Timestamp::parse_rfc3339(&r.created).unwrap_or_default())
                .collect(),
        ));
        self.load_with(&demo::project(), &clock, BEFORE_RESET)
    }
}

/// The clock the demo is seeded with: each revision applied at its creation time, in no time,
/// so the demo is the same on every first visit and after every reset.
struct SeedClock(RefCell<Vec<Timestamp>>);

impl Clock for SeedClock {
    fn now(&self) -> Timestamp {
        let mut times = self.0.borrow_mut();
        if times.is_empty() {
            Timestamp::default()
        } else {
            times.remove(0)
        }
    }

    fn millis(&self) -> f64 {
        0.0
    }
}
