//! A project handed out as a playground link (`strata share`): the model, every revision file
//! as stored and where the database stands always, and the database's rows while the link with
//! them stays within [`ROWS_LINK_LIMIT`] characters. The link is the one the playground's own
//! Share link makes for the same project (`Project::share_url`), so it opens the same way.

use rusqlite::Connection;
use strata_core::project::{ModelLanguage, Project, SHARE_LIMIT};

use super::project::parts_of;
use super::rows::row_count;
use super::strata_tables;
use crate::error::sqlite_message;

/// The longest link that carries the database's rows: 64 KiB. A link is pasted into chats,
/// issues and address bars, and past this length some of them cut it or refuse it; a project
/// whose rows make it longer is shared without them (its schema and revisions still open).
pub const ROWS_LINK_LIMIT: usize = 64 * 1024;

/// What [`share`] made.
pub struct Shared {
    /// The whole link: the base address and `#project=...`.
    pub link: String,
    /// The project the link carries.
    pub project: Project,
    /// The rows of the database's own tables, and how many tables hold them.
    pub rows: u64,
    pub tables: usize,
    /// When the rows were left out: the length the link would have had with them.
    pub rows_left_out: Option<usize>,
    /// Whether the database's schema differs from what its revisions build, so the link's data
    /// starts with the SQL of that difference.
    pub drift: bool,
}

/// The link that opens `files` (revision files, parents first, each exactly as stored), the
/// model and the database `conn` in the playground at `base`. Nothing is written.
pub fn share(
    conn: &Connection,
    files: &[String],
    model: &str,
    language: ModelLanguage,
    version_table: &str,
    base: &str,
) -> Result<Shared, String> {
    let parts = parts_of(conn, files, model, language, version_table)?;
    let (rows, tables) = row_count(conn, &strata_tables(version_table))
        .map_err(|e| format!("cannot read the database: {}", sqlite_message(&e)))?;
    let drift = !parts.drift.is_empty();
    let mut project = parts.project;
    // The SQL of what was changed outside revisions stays in either case: without it the
    // playground would build another schema than the database's.
    project.data = format!("{}{}", parts.drift, parts.rows);
    let mut rows_left_out = None;
    if project.share_url(base).len() > ROWS_LINK_LIMIT && !parts.rows.is_empty() {
        rows_left_out = Some(project.share_url(base).len());
        project.data = parts.drift;
    }
    // The playground refuses a link that inflates past this, so such a link is never handed out.
    let size = project.to_json().len();
    if size > SHARE_LIMIT {
        return Err(format!(
            "the project is {} MiB even without its rows, more than the {} MiB a share link may carry; nothing was shared",
            size >> 20,
            SHARE_LIMIT >> 20
        ));
    }
    Ok(Shared {
        link: project.share_url(base),
        project,
        rows,
        tables,
        rows_left_out,
        drift,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::{self, Options};
    use strata_core::revision::{Graph, Revision, Target};

    const BASE: &str = "http://127.0.0.1:8080/";

    struct Fixed;
    impl strata_core::time::Clock for Fixed {
        fn now(&self) -> strata_core::time::Timestamp {
            strata_core::time::Timestamp(1_767_225_600_000)
        }
        fn millis(&self) -> f64 {
            0.0
        }
    }

    /// A database at its one revision (a file laid out by hand), with `rows` rows.
    fn database(rows: usize) -> (Connection, Vec<String>) {
        let rev = Revision::new(
            "a1",
            vec![],
            "notes",
            "2026-01-01T00:00:00Z",
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);",
            "DROP TABLE notes;",
        );
        let file = rev.render().replace("\n-- +down", "\n\n-- +down");
        let rev = Revision::parse(&file).unwrap();
        let mut conn = Connection::open_in_memory().unwrap();
        let graph = Graph::new(vec![rev]).unwrap();
        migrate::upgrade(
            &mut conn,
            &graph,
            &Target::Head,
            &Options::default(),
            &Fixed,
            &mut |_| {},
        )
        .unwrap();
        for i in 0..rows {
            // Text that does not compress away, as real rows do not.
            let body = format!("{:x}", (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
            conn.execute("INSERT INTO notes (body) VALUES (?1)", [body])
                .unwrap();
        }
        (conn, vec![file])
    }

    #[test]
    fn a_small_database_is_shared_with_its_rows_and_files_as_stored() {
        let (conn, files) = database(3);
        let shared = share(
            &conn,
            &files,
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);",
            ModelLanguage::Sql,
            "schema_version",
            BASE,
        )
        .unwrap();
        assert!(
            shared.link.starts_with("http://127.0.0.1:8080/#project="),
            "{}",
            shared.link
        );
        assert_eq!(
            (shared.rows, shared.tables, shared.rows_left_out),
            (3, 1, None)
        );
        let back = Project::from_share_fragment(&shared.link).unwrap();
        assert_eq!(back, shared.project);
        assert_eq!(back.revisions, files);
        assert_eq!(back.applied, "a1");
        assert_eq!(back.data.matches("INSERT INTO \"notes\"").count(), 3);
    }

    #[test]
    fn rows_that_make_the_link_too_long_are_left_out_and_the_schema_is_kept() {
        let (conn, files) = database(20_000);
        conn.execute_batch("CREATE TABLE console_made (x);")
            .unwrap();
        let shared = share(
            &conn,
            &files,
            "",
            ModelLanguage::Sql,
            "schema_version",
            BASE,
        )
        .unwrap();
        let would_be = shared.rows_left_out.expect("rows left out");
        assert!(
            would_be > ROWS_LINK_LIMIT && shared.link.len() <= ROWS_LINK_LIMIT,
            "{would_be} {}",
            shared.link.len()
        );
        assert_eq!(shared.rows, 20_000);
        assert!(
            !shared.project.data.contains("INSERT"),
            "{}",
            shared.project.data
        );
        assert!(
            shared.drift
                && shared
                    .project
                    .data
                    .contains("CREATE TABLE \"console_made\""),
            "{}",
            shared.project.data
        );
        // A few rows stay.
        let (conn, files) = database(50);
        assert_eq!(
            share(
                &conn,
                &files,
                "",
                ModelLanguage::Sql,
                "schema_version",
                BASE
            )
            .unwrap()
            .rows_left_out,
            None
        );
    }
}
