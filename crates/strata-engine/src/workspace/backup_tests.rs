//! `.sqlite` files and backups through the workspace: an imported file becomes the baseline or
//! is refused with nothing changed, backups round-trip and survive reopening, every replacement
//! first keeps what it replaces, and a restore keeps the revisions saved since.

use super::tests::{demo_workspace, labels, rows, run, snapshot_versions, worked_on};
use super::*;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rusqlite::limits::Limit;
use rusqlite::MAIN_DB;
use strata_core::project::Project;

/// What every SQLite database file starts with.
const MAGIC: &[u8] = b"SQLite format 3\0";
use crate::workspace::protocol::{Request, Storage};
use strata_core::project::ModelLanguage;

fn sqlite_bytes(sql: &str) -> Vec<u8> {
    let mut conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(sql).unwrap();
    conn.serialize(MAIN_DB).unwrap().to_vec()
}

fn import(engine: &mut Workspace, name: &str, bytes: &[u8]) -> Result<Outcome, String> {
    engine
        .handle(Request::ImportSqlite {
            name: name.to_owned(),
            base64: STANDARD.encode(bytes),
            browse: None,
        })
        .outcome
        .map_err(String::from)
}

#[test]
fn an_imported_sqlite_file_becomes_the_baseline() {
    let mut engine = demo_workspace();
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
    assert_eq!(snapshot_versions(&snapshot), [BASELINE_ID]);
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
    let mut engine = demo_workspace();
    let Ok(Outcome::SqliteExported { base64 }) = engine.handle(Request::ExportSqlite).outcome
    else {
        panic!()
    };
    let bytes = STANDARD.decode(base64).unwrap();
    assert!(bytes.starts_with(MAGIC));
    let mut other = demo_workspace();
    other
        .handle(Request::Execute {
            sql: "DELETE FROM identities".into(),
            browse: None,
        })
        .outcome
        .unwrap();
    import(&mut other, "strata.sqlite", &bytes).unwrap();
    let snapshot = other.snapshot(None).unwrap();
    assert_eq!(snapshot_versions(&snapshot), [BASELINE_ID]);
    assert_eq!(rows(&other, "identities"), 5);
    assert_eq!(rows(&other, "users"), 4);
}

#[test]
fn files_that_are_not_sound_sqlite_databases_are_refused_and_change_nothing() {
    let mut engine = demo_workspace();
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
        let message = reply.outcome.unwrap_err().message;
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
    let mut engine = demo_workspace();
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
            notes: vec!["The database it replaced is kept as backup 2 (before restore).".into()],
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
    let mut engine = demo_workspace();
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
        let mut fresh = Workspace::open(
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
            notes: vec!["The database it replaced is kept as backup 2 (before restore).".into()],
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
    let message = reply.outcome.unwrap_err().message;
    assert!(
        message.starts_with("backup 1 cannot replace the database (its revision 1 cannot be read"),
        "{message}"
    );
    assert!(message.ends_with("nothing was changed"), "{message}");
    assert_eq!(engine.snapshot(Some("users")).unwrap(), before);
}

#[test]
fn replacing_the_database_first_keeps_what_it_held_as_a_labelled_backup() {
    let mut engine = demo_workspace();
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
        let message = reply.outcome.unwrap_err().message;
        assert!(
            message.contains("cannot keep what the database holds as a backup before replacing it"),
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
fn the_newest_three_automatic_backups_of_each_label_are_kept_and_none_taken_by_hand_is_dropped() {
    let mut engine = worked_on();
    engine.backup("taken by hand").unwrap();
    run(&mut engine, "DELETE FROM identities");
    engine.load(&demo::project(), true).unwrap();
    for _ in 0..5 {
        run(&mut engine, "DELETE FROM identities");
        assert!(engine.handle(Request::Reset).outcome.is_ok());
    }
    // A lesson's Start keeps the database as an automatic backup of its own label.
    for _ in 0..4 {
        let reply = engine.handle(Request::Steps {
            steps: vec![super::protocol::Step::KeepBefore {
                label: "before lesson 3".into(),
            }],
            browse: None,
        });
        assert!(reply.outcome.is_ok(), "{:?}", reply.outcome);
    }
    let views = engine.backup_views().unwrap();
    let shown: Vec<(&str, &str, bool)> = views
        .iter()
        .map(|b| (b.id.as_str(), b.label.as_str(), b.automatic))
        .collect();
    assert_eq!(
        shown,
        [
            ("11", "before lesson 3", true),
            ("10", "before lesson 3", true),
            ("9", "before lesson 3", true),
            ("7", "before reset", true),
            ("6", "before reset", true),
            ("5", "before reset", true),
            // Many resets and lesson starts never push out the one backup of the share link.
            ("2", "before share link", true),
            ("1", "taken by hand", false),
        ]
    );
    // Times read as people write them.
    for b in &views {
        assert!(
            b.created.len() == "2026-11-02 09:14:05 UTC".len() && b.created.ends_with(" UTC"),
            "{}",
            b.created
        );
        assert_eq!(&b.created[10..11], " ");
    }
}

#[test]
fn a_restore_keeps_the_current_database_even_when_it_is_the_untouched_demo() {
    let mut engine = worked_on();
    engine.backup("taken by hand").unwrap();
    assert!(engine.handle(Request::Reset).outcome.is_ok());
    assert!(engine.is_pristine_demo());
    let before = labels(&engine);
    let reply = engine.handle(Request::Restore { id: "1".into() });
    assert!(reply.outcome.is_ok(), "{:?}", reply.outcome);
    let mut after = labels(&engine);
    assert_eq!(after.remove(0), "before restore");
    assert_eq!(after, before);
}

#[test]
fn a_backup_that_fails_the_integrity_check_is_not_restored() {
    let mut engine = worked_on();
    // The database with an index that no longer matches its table (it holds user ids, but now
    // says it holds providers): quick_check, which every replacement passes, does not look;
    // the whole integrity_check, which `strata restore` runs first, does.
    let image = {
        let mut copy = Connection::open_in_memory().unwrap();
        let bytes = engine.file_bytes().unwrap();
        copy.deserialize_read_exact(MAIN_DB, &bytes[..], bytes.len(), false)
            .unwrap();
        copy.execute_batch(
            "PRAGMA writable_schema = ON; \
             UPDATE sqlite_schema SET sql = 'CREATE INDEX identities_user_id ON identities (provider)' \
             WHERE name = 'identities_user_id'; PRAGMA writable_schema = OFF;",
        )
        .unwrap();
        let bytes = copy.serialize(MAIN_DB).unwrap().to_vec();
        let reread = crate::transfer::scratch::scratch_from(&bytes).unwrap();
        assert!(crate::transfer::scratch::sound(&reread, "quick_check").is_ok());
        assert!(crate::transfer::scratch::sound(&reread, "integrity_check").is_err());
        bytes
    };
    engine
        .backups
        .execute(
            "INSERT INTO backup (label, created, image) VALUES ('bad index', '', ?1)",
            [image],
        )
        .unwrap();
    let before = engine.snapshot(Some("users")).unwrap();
    let message = engine
        .handle(Request::Restore { id: "1".into() })
        .outcome
        .unwrap_err()
        .message;
    assert!(
        message.starts_with("backup 1 fails PRAGMA integrity_check")
            && message.ends_with("nothing was changed"),
        "{message}"
    );
    assert_eq!(engine.snapshot(Some("users")).unwrap(), before);
}

#[test]
fn an_in_memory_database_takes_an_imported_file_with_another_page_size() {
    let mut engine = Workspace::open(
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
    assert_eq!(
        snapshot_versions(&engine.snapshot(None).unwrap()),
        [BASELINE_ID]
    );
    // The new live connection has the old one's settings: as hardened as the old one (no
    // attached databases; strata's own VACUUM lifts that for itself), and foreign keys as they
    // were.
    assert_eq!(engine.conn.limit(Limit::SQLITE_LIMIT_ATTACHED).unwrap(), 0);
    super::live::vacuum(&engine.conn).unwrap();
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
    let mut engine = demo_workspace();
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
    let reopened = Workspace::open(
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
    let mut engine = demo_workspace();
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
