//! The worker's engine on a real OPFS database in headless Chromium: what the page relies on
//! to keep the database across a reload.
//!
//! Run: `cargo test -p strata-web --target wasm32-unknown-unknown` (the runner is set in
//! .cargo/config.toml; scripts/tools.sh installs it and Chromium).

#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use sqlite_wasm_rs::WasmOsCallback;
use sqlite_wasm_vfs::sahpool::{install, OpfsSAHPoolCfgBuilder};
use strata_core::time::{Clock, Timestamp};
use strata_engine::workspace::Workspace;
use strata_web::services::project::ModelLanguage;
use strata_web::services::protocol::{Outcome, Request, Storage};
use wasm_bindgen_test::wasm_bindgen_test;

// Sync access handles, which the sahpool VFS needs, exist only in dedicated workers.
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_dedicated_worker);

/// The browser's wall clock; durations do not matter here.
struct DateClock;

impl Clock for DateClock {
    fn now(&self) -> Timestamp {
        Timestamp(js_sys::Date::now() as i64)
    }

    fn millis(&self) -> f64 {
        js_sys::Date::now()
    }
}

/// The worker's engine on the OPFS database at `path`.
fn open(path: &str) -> Workspace {
    Workspace::open_path(path, Storage::Opfs, Rc::new(DateClock)).unwrap()
}

fn users(engine: &Workspace) -> u64 {
    let snapshot = engine.snapshot(None).unwrap();
    snapshot
        .tables
        .iter()
        .find(|t| t.name == "users")
        .map_or(0, |t| t.rows)
}

#[wasm_bindgen_test]
async fn a_write_and_a_migration_survive_reopening_the_database() {
    let config = OpfsSAHPoolCfgBuilder::new()
        .directory("strata-web-tests")
        .clear_on_init(true)
        .build();
    install::<WasmOsCallback>(&config, true).await.unwrap();

    let mut engine = open("/demo.sqlite3");
    assert_eq!(users(&engine), 4);
    let reply = engine.handle(Request::Execute {
        sql: "INSERT INTO users (email, display_name) VALUES ('w@example.com', 'W')".into(),
        browse: None,
    });
    assert_eq!(
        reply.outcome,
        Ok(Outcome::Changed {
            statements: 1,
            rows: 1
        })
    );
    let failed = engine.handle(Request::Execute {
        sql: "DELETE FROM users; SELEC".into(),
        browse: None,
    });
    assert!(failed.outcome.is_err());
    drop(engine);

    // A new connection reads the file back from OPFS, as the worker does after a reload.
    let mut engine = open("/demo.sqlite3");
    assert_eq!(users(&engine), 5);
    assert!(matches!(
        engine.handle(Request::Reset).outcome,
        Ok(Outcome::Loaded { ref notes, .. }) if notes.len() == 1
    ));
    assert_eq!(users(&engine), 4);
    drop(engine);
    a_saved_and_applied_revision_survives_reopening_the_database();
}

/// Runs inside the test above, on the pool it installed: the pool can be installed once per
/// worker.
fn a_saved_and_applied_revision_survives_reopening_the_database() {
    let model = strata_web::services::demo::MODEL_SQL.replace(
        "display_name TEXT NOT NULL,",
        "display_name TEXT NOT NULL,\n    phone TEXT,",
    );
    let mut engine = open("/migrate.sqlite3");
    let saved = engine.handle(Request::SaveRevision {
        model,
        renames: vec![],
        declined: vec![],
        message: "add phone".into(),
        browse: None,
        language: ModelLanguage::Sql,
        parent: None,
    });
    let Ok(Outcome::Saved { id }) = saved.outcome else {
        panic!("{:?}", saved.outcome)
    };
    let upgraded = engine.handle(Request::Upgrade {
        target: "head".into(),
        browse: None,
        confirmed: false,
    });
    assert!(upgraded.outcome.is_ok(), "{:?}", upgraded.outcome);
    drop(engine);

    let engine = open("/migrate.sqlite3");
    let snapshot = engine.snapshot(None).unwrap();
    let last = snapshot.revisions.last().unwrap();
    assert_eq!((last.id.as_str(), last.applied), (id.as_str(), true));
    assert_eq!(snapshot.schema_version.unwrap().rows.len(), 3);
}
