//! Tests of the two questions that stand between the visitor and lost data, run through
//! `Workspace::handle` as the worker runs them: Save revision waits for an answer to every rename
//! question, and an upgrade or downgrade asks first only when it would really throw values
//! away in this database.

use rusqlite::Connection;

use super::*;
use crate::workspace::demo;
use strata_core::answers::Decline;
use strata_core::project::ModelLanguage;
use strata_core::Rename;

fn demo_workspace() -> Workspace {
    Workspace::open(Connection::open_in_memory().unwrap(), Storage::Opfs).unwrap()
}

fn save(
    engine: &mut Workspace,
    model: &str,
    renames: Vec<Rename>,
    declined: Vec<Decline>,
) -> Result<Outcome, String> {
    engine
        .handle(Request::SaveRevision {
            model: model.into(),
            renames,
            declined,
            message: "change users".into(),
            browse: None,
            language: ModelLanguage::Sql,
            parent: None,
        })
        .outcome
        .map_err(String::from)
}

fn migrate(engine: &mut Workspace, up: bool, target: &str, confirmed: bool) -> Outcome {
    let request = if up {
        Request::Upgrade {
            target: target.into(),
            browse: None,
            confirmed,
        }
    } else {
        Request::Downgrade {
            target: target.into(),
            browse: None,
            confirmed,
        }
    };
    engine
        .handle(request)
        .outcome
        .unwrap_or_else(|e| panic!("failed: {e}"))
}

fn applied(engine: &Workspace) -> usize {
    engine
        .snapshot(None)
        .unwrap()
        .schema_version
        .map_or(0, |t| t.rows.len())
}

fn revisions(engine: &Workspace) -> Vec<Revision> {
    engine.revisions.clone()
}

/// The demo model with `display_name` renamed: the diff asks whether it was a rename.
fn renamed() -> String {
    demo::MODEL_SQL.replace("display_name TEXT NOT NULL", "full_name TEXT NOT NULL")
}

#[test]
fn save_revision_is_refused_until_every_rename_question_has_an_answer() {
    let mut engine = demo_workspace();
    let e = save(&mut engine, &renamed(), vec![], vec![]).unwrap_err();
    assert!(e.starts_with("answer the rename question first (did you rename users.display_name to users.full_name?)"), "{e}");
    assert!(e.ends_with("nothing was saved"), "{e}");
    assert_eq!(revisions(&engine).len(), 2);
    // No: the drop and the add are saved as they were shown.
    let no = Decline::parse("users.display_name").unwrap();
    assert!(matches!(
        save(&mut engine, &renamed(), vec![], vec![no]),
        Ok(Outcome::Saved { .. })
    ));
    let up = &revisions(&engine)[2].up;
    assert!(
        !up.contains("RENAME COLUMN") && up.contains("data loss"),
        "{up}"
    );
}

#[test]
fn a_yes_saves_the_rename() {
    let mut engine = demo_workspace();
    let yes = Rename::parse_hint("users.display_name=full_name").unwrap();
    assert!(matches!(
        save(&mut engine, &renamed(), vec![yes], vec![]),
        Ok(Outcome::Saved { .. })
    ));
    let up = &revisions(&engine)[2].up;
    assert!(
        up.contains("RENAME COLUMN \"display_name\" TO \"full_name\""),
        "{up}"
    );
}

#[test]
fn upgrade_and_downgrade_ask_only_when_values_would_be_lost() {
    let mut engine = demo_workspace();
    let with_phone = demo::MODEL_SQL.replace(
        "display_name TEXT NOT NULL,",
        "display_name TEXT NOT NULL,\n    phone TEXT,",
    );
    save(&mut engine, &with_phone, vec![], vec![]).unwrap();
    assert!(matches!(
        migrate(&mut engine, true, "head", false),
        Outcome::Migrated { .. }
    ));
    // Dropping phone again loses nothing: it holds only NULLs, so nothing is asked.
    save(&mut engine, demo::MODEL_SQL, vec![], vec![]).unwrap();
    let Outcome::Migrated { ids, losses, .. } = migrate(&mut engine, true, "head", false) else {
        panic!("asked about an all-NULL column")
    };
    assert_eq!((ids.len(), losses.len()), (1, 0));
    // The same both ways: the dialog used to ask about this column.
    assert!(matches!(
        migrate(&mut engine, false, "-1", false),
        Outcome::Migrated { .. }
    ));
    let Outcome::Migrated { ids, .. } = migrate(&mut engine, false, "-1", false) else {
        panic!("asked about an all-NULL column")
    };
    assert_eq!(ids.len(), 1);
    assert_eq!(applied(&engine), 2);

    // Dropping display_name throws the users' names away: asked, and nothing runs until yes.
    engine.handle(Request::Upgrade {
        target: "head".into(),
        browse: None,
        confirmed: true,
    });
    let without_names = demo::MODEL_SQL.replace("    display_name TEXT NOT NULL,\n", "");
    save(&mut engine, &without_names, vec![], vec![]).unwrap();
    let before = applied(&engine);
    let Outcome::ConfirmUpgrade {
        target,
        ids,
        losses,
    } = migrate(&mut engine, true, "head", false)
    else {
        panic!("not asked")
    };
    assert_eq!((target.as_str(), ids.len()), ("head", 1));
    assert_eq!(losses.len(), 1);
    assert!(
        losses[0].ends_with("users.display_name: 4 non-NULL values"),
        "{losses:?}"
    );
    assert_eq!(applied(&engine), before, "nothing ran before the answer");
    let Outcome::Migrated { losses, .. } = migrate(&mut engine, true, "head", true) else {
        panic!("not run when confirmed")
    };
    assert!(losses[0].contains("users.display_name"), "{losses:?}");
    assert_eq!(applied(&engine), before + 1);
}
