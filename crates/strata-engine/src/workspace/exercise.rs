//! Exercises a teacher makes of the current project and a learner opens from a link
//! (strata-core's `exercise`): the checks that need SQLite, and the two conditions of "done"
//! only an exercise has (the goal schema reached, and a row check's rows).
//!
//! **An exercise is checked whole before anything is replaced.** Beside what the core checks
//! without SQLite (`Exercise::check_data`; the page also checks the text), opening one
//! parses the goal with the model editor's front-end, builds the start in a scratch database
//! as a share link's project is built, and refuses a start that was changed outside its
//! revisions (the learner's revisions could never account for it), a start that already has
//! the goal schema (nothing to do), and a row check that SQLite itself says would write. Only
//! then is the start loaded, what it replaces kept as an automatic backup.

use rusqlite::Connection;
use strata_core::exercise::{parse_check_lines, CheckLine, Exercise, RowCheck, FORMAT};
use strata_core::project::{ModelLanguage, Project};
use strata_core::render::schema_sql;
use strata_core::Schema;

use super::console::cell;
use super::protocol::Outcome;
use super::workbench::parse_model;
use super::{Workspace, STRATA_TABLES, VERSION_TABLE};
use crate::error::sqlite_message;
use crate::migrate;
use crate::transfer::build;

/// The label of the automatic backup an exercise's start takes of what it replaces.
pub(super) const BEFORE_EXERCISE: &str = "before exercise";

/// The most rows a row check reads; a check with more rows than it expects fails anyway.
const ROWS_READ_LIMIT: usize = 1_000;

impl Workspace {
    /// Opens an exercise: checked whole, then its start loaded in place of the database.
    pub(super) fn open_exercise(&mut self, exercise: &Exercise) -> Result<Outcome, String> {
        self.vet_exercise(exercise)?;
        match self.load_start(&exercise.start)? {
            Outcome::Loaded { notes, .. } => Ok(Outcome::ExerciseOpened {
                exercise: Box::new(exercise.clone()),
                notes,
            }),
            other => Ok(other),
        }
    }

    /// Loads an exercise's start (its link, or its Start and Restart), keeping what it
    /// replaces as an automatic backup labelled "before exercise".
    pub(super) fn load_start(&mut self, start: &Project) -> Result<Outcome, String> {
        let clock = self.clock.clone();
        self.load_with(start, &*clock, BEFORE_EXERCISE)
    }

    /// Makes an exercise of the project as it is: the start is the database (revisions, what is
    /// applied, rows) with the live schema as its model, the goal is `model` as SQL, and a
    /// row check written without `=>` expects what it gives now. Nothing is written.
    pub(super) fn make_exercise(
        &mut self,
        model: &str,
        language: ModelLanguage,
        title: &str,
        text: &str,
        checks: &str,
    ) -> Result<Outcome, String> {
        let lines = parse_check_lines(checks).map_err(|e| e.to_string())?;
        let goal = parse_model(model, language).map_err(|e| {
            format!(
                "the goal (the model in the editor) does not read: {}; nothing was made",
                e.message
            )
        })?;
        let live = crate::introspect_excluding(&self.conn, &STRATA_TABLES)
            .map_err(|e| format!("cannot read the database: {e}"))?;
        let start = self.export_project(&schema_sql(&live), ModelLanguage::Sql)?;
        let checks = lines
            .into_iter()
            .enumerate()
            .map(|(i, line)| self.expected(i + 1, line))
            .collect::<Result<Vec<_>, _>>()?;
        let exercise = Exercise {
            format: FORMAT.to_owned(),
            title: title.trim().to_owned(),
            text: text.to_owned(),
            goal: schema_sql(&goal.schema),
            checks,
            start,
        };
        self.vet_exercise(&exercise)?;
        Ok(Outcome::ExerciseMade {
            exercise: Box::new(exercise),
        })
    }

    /// A teacher's check line with its expected rows: as written, or what the query gives on
    /// the database now.
    fn expected(&self, number: usize, line: CheckLine) -> Result<RowCheck, String> {
        let expect = match line.expect {
            Some(expect) => expect,
            None => rows_of(&self.conn, &line.sql).map_err(|e| {
                format!("row check {number} does not run on the database as it is now ({e}): write the rows it must give after =>; nothing was made")
            })?,
        };
        Ok(RowCheck {
            sql: line.sql,
            expect,
        })
    }

    /// Everything about an exercise that needs SQLite, on a scratch build of its start; the
    /// live database is not touched. Returns the goal's schema.
    pub(super) fn vet_exercise(&self, exercise: &Exercise) -> Result<Schema, String> {
        exercise.check_data().map_err(|e| e.to_string())?;
        let goal = parse_model(&exercise.goal, ModelLanguage::Sql).map_err(|e| {
            format!(
                "the exercise's goal schema does not read ({}); nothing was changed",
                e.message
            )
        })?;
        let scratch = build(&exercise.start, &*self.clock, VERSION_TABLE)
            .map_err(|e| format!("the exercise's start cannot be built: {e}"))?;
        let start = crate::introspect_excluding(&scratch, &STRATA_TABLES).map_err(|e| {
            format!("the exercise's start cannot be read: {e}; nothing was changed")
        })?;
        let (graph, _) = exercise
            .start
            .graph_and_targets()
            .map_err(|e| e.to_string())?;
        let applied: std::collections::BTreeSet<String> = migrate::applied(&scratch, VERSION_TABLE)
            .map(|rows| rows.into_iter().map(|r| r.version).collect())
            .map_err(|e| e.to_string())?;
        let drift = migrate::drift(
            &scratch,
            &graph,
            &graph.current(&applied),
            VERSION_TABLE,
            &STRATA_TABLES,
        )
        .map_err(|e| e.to_string())?;
        if !drift.is_empty() {
            let changes: Vec<String> = drift.up.changes.iter().map(|c| c.describe()).collect();
            return Err(format!(
                "the exercise's start was changed outside its revisions ({}), which no revision of the learner's could account for: save that change as a revision first; nothing was changed",
                changes.join("; ")
            ));
        }
        if start == goal.schema {
            return Err("the exercise's start already has the goal schema, so there is nothing to do: write the goal in the model editor and leave the database where the learner starts; nothing was changed".to_owned());
        }
        for (i, check) in exercise.checks.iter().enumerate() {
            // A query over columns the goal adds does not prepare on the start; one that does
            // prepare must be one SQLite itself calls read-only.
            if let Ok(stmt) = scratch.prepare(&check.sql) {
                if !stmt.readonly() {
                    return Err(format!(
                        "row check {} would write to the database, and a row check may only read (one SELECT); nothing was changed",
                        i + 1
                    ));
                }
            }
        }
        Ok(goal.schema)
    }

    /// Whether the live schema is exactly the one `model` (SQL) describes.
    pub(super) fn has_schema(&self, model: &str) -> bool {
        let Ok(goal) = parse_model(model, ModelLanguage::Sql) else {
            return false;
        };
        crate::introspect_excluding(&self.conn, &STRATA_TABLES)
            .is_ok_and(|live| live == goal.schema)
    }

    /// Whether the read-only query `sql` gives exactly `expect`.
    pub(super) fn gives_rows(&self, sql: &str, expect: &[Vec<String>]) -> bool {
        rows_of(&self.conn, sql).is_ok_and(|rows| rows == expect)
    }
}

/// The rows a query gives, each value as the grids show it; refused unless SQLite calls the
/// statement read-only and it is the only one (`sqlite3_stmt_readonly`, not the words).
pub(super) fn rows_of(conn: &Connection, sql: &str) -> Result<Vec<Vec<String>>, String> {
    let mut stmt = prepare_one(conn, sql)?;
    if !stmt.readonly() {
        return Err("it would write to the database".to_owned());
    }
    let width = stmt.column_count();
    let mut rows = stmt.query([]).map_err(|e| sqlite_message(&e))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(|e| sqlite_message(&e))? {
        if out.len() == ROWS_READ_LIMIT {
            break;
        }
        let cells = (0..width)
            .map(|i| row.get_ref(i).map(|v| cell(v).display()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| sqlite_message(&e))?;
        out.push(cells);
    }
    Ok(out)
}

/// `sql` prepared, refused unless it is exactly one statement.
fn prepare_one<'c>(conn: &'c Connection, sql: &str) -> Result<rusqlite::Statement<'c>, String> {
    let statements = strata_core::sql::split_statements(sql);
    let [only] = statements.as_slice() else {
        return Err(format!("it holds {} statements, not one", statements.len()));
    };
    conn.prepare(&only.text).map_err(|e| sqlite_message(&e))
}
