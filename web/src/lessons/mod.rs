//! The guided lessons: markdown files in `web/lessons/`, each with a TOML front matter that
//! says how to set the lesson up, what to check, the hint and what "show me" does.
//!
//! A lesson file looks like this:
//!
//! ```text
//! +++
//! title = "…"
//! task = "…"            # markdown, shown under the text
//! hint = "…"
//! [[setup]]             # protocol::Step values, in order
//! clear = {}
//! [[checks]]            # each a read-only query whose first value must be truthy
//! what = "…"
//! sql = "SELECT …"
//! [[show_me]]
//! upgrade = "head"
//! [[tools]]             # optional buttons that run steps (a backfill, a hand-run script)
//! label = "…"
//! steps = [{ sql = "…" }, { app_write = {} }]   # app_write: one write of [app], now
//! [app]                 # optional simulated app that writes while the lesson is open
//! deployed = "SELECT version FROM app_deploy"
//! writes = ["INSERT …", "INSERT …"]
//! +++
//! The lesson's text, in markdown.
//! ```
//!
//! `build.rs` compiles the files in (the front matter turned into JSON there), so a lesson
//! whose TOML does not parse fails the build, and one that does not fit [`Lesson`] fails the
//! native tests, never a visitor's page.

pub mod markdown;
pub mod progress;

use serde::Deserialize;

use crate::services::protocol::Step;

/// The lesson files, in file-name order, as `build.rs` embeds them.
mod files {
    include!(concat!(env!("OUT_DIR"), "/lessons.rs"));
}
use files::FILES;

/// One lesson, parsed.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Lesson {
    /// The file name without its number and extension; the page's test ids use it.
    #[serde(skip)]
    pub slug: String,
    #[serde(skip)]
    pub number: usize,
    /// The markdown after the front matter.
    #[serde(skip)]
    pub body: String,
    pub title: String,
    pub task: String,
    pub hint: String,
    pub setup: Vec<Step>,
    pub checks: Vec<Check>,
    pub show_me: Vec<Step>,
    #[serde(default)]
    pub tools: Vec<Tool>,
    #[serde(default)]
    pub app: Option<App>,
}

/// One condition of "done": a query over the project and the database.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Check {
    /// What the check means, as the checklist shows it.
    pub what: String,
    pub sql: String,
}

/// A button in the lesson panel that runs steps, for actions the playground has no control
/// for (running a hand-written SQL file, a batched backfill, deploying the simulated app).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Tool {
    pub label: String,
    pub steps: Vec<Step>,
}

/// A simulated application that keeps writing while the lesson is open.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct App {
    /// A query answering which version of the app is deployed (1 for the first of `writes`).
    pub deployed: String,
    /// One write per version of the app.
    pub writes: Vec<String>,
}

impl Lesson {
    /// The queries of its checks, as the worker evaluates them.
    pub fn check_queries(&self) -> Vec<String> {
        self.checks.iter().map(|c| c.sql.clone()).collect()
    }
}

/// Every lesson, in order. Panics only if a compiled-in file is broken, which the tests
/// rule out.
pub fn all() -> Vec<Lesson> {
    FILES
        .iter()
        .enumerate()
        .map(|(i, (name, front, body))| {
            let mut lesson =
                parse(name, front, body).unwrap_or_else(|e| panic!("lesson {name}: {e}"));
            lesson.number = i + 1;
            lesson
        })
        .collect()
}

/// Builds one lesson from its file name without `.md` (`03-autogenerate`), its front matter
/// (as JSON, which `build.rs` made from the TOML) and its markdown.
pub fn parse(name: &str, front: &str, body: &str) -> Result<Lesson, String> {
    let mut lesson: Lesson = serde_json::from_str(front).map_err(|e| e.to_string())?;
    lesson.body = body.to_owned();
    lesson.slug = name
        .split_once('-')
        .map_or(name, |(_, slug)| slug)
        .to_owned();
    if lesson.checks.is_empty() {
        return Err("a lesson needs at least one check".into());
    }
    lesson.fill_app_writes()?;
    Ok(lesson)
}

impl Lesson {
    /// Gives every `app_write = {}` step the lesson's `[app]`, so the file names the app once
    /// and a step writes exactly as the timer would. A lesson without an app cannot have one.
    fn fill_app_writes(&mut self) -> Result<(), String> {
        let app = self.app.clone();
        let steps = self
            .setup
            .iter_mut()
            .chain(self.show_me.iter_mut())
            .chain(self.tools.iter_mut().flat_map(|t| t.steps.iter_mut()));
        for step in steps {
            if let Step::AppWrite { deployed, writes } = step {
                let app = app
                    .as_ref()
                    .ok_or("an app_write step needs the lesson's [app]")?;
                deployed.clone_from(&app.deployed);
                writes.clone_from(&app.writes);
            }
        }
        Ok(())
    }
}

// The lessons run on the worker's engine, so their tests need it too.
#[cfg(all(test, feature = "worker"))]
mod tests {
    use rusqlite::Connection;

    use super::*;
    use crate::services::engine::Engine;
    use crate::services::protocol::{Outcome, Request, Storage};

    fn steps(engine: &mut Engine, steps: &[Step]) -> Vec<String> {
        let reply = engine.handle(Request::Steps {
            steps: steps.to_vec(),
            browse: None,
        });
        match reply.outcome {
            Ok(Outcome::Stepped {
                failed: None,
                notes,
                ..
            }) => notes,
            other => panic!("{other:?}"),
        }
    }

    fn check(engine: &mut Engine, lesson: &Lesson) -> Vec<bool> {
        let reply = engine.handle(Request::Check {
            lesson: lesson.slug.clone(),
            checks: lesson.check_queries(),
            browse: None,
        });
        match reply.outcome {
            Ok(Outcome::Checked { passed, .. }) => passed,
            other => panic!("{other:?}"),
        }
    }

    fn app_write(engine: &mut Engine, lesson: &Lesson) {
        if let Some(app) = &lesson.app {
            let reply = engine.handle(Request::AppWrite {
                deployed: app.deployed.clone(),
                writes: app.writes.clone(),
                browse: None,
                run: 1,
            });
            assert!(
                matches!(reply.outcome, Ok(Outcome::AppWrote { error: None, .. })),
                "{}: {:?}",
                lesson.slug,
                reply.outcome
            );
        }
    }

    #[test]
    fn every_lesson_parses_and_has_what_the_panel_needs() {
        let lessons = all();
        assert_eq!(lessons.len(), FILES.len());
        // One lesson per topic of the migration guide the issue lists.
        assert_eq!(lessons.len(), 11);
        for lesson in &lessons {
            assert!(
                !lesson.title.is_empty() && !lesson.task.trim().is_empty(),
                "{}",
                lesson.slug
            );
            assert!(
                !lesson.hint.trim().is_empty() && !lesson.show_me.is_empty(),
                "{}",
                lesson.slug
            );
            assert!(
                lesson.body.split("\n\n").count() >= 2,
                "{}: a few paragraphs",
                lesson.slug
            );
            assert!(
                matches!(lesson.setup.first(), Some(Step::Clear {})),
                "{} starts from nothing",
                lesson.slug
            );
        }
    }

    /// The property that makes a lesson a lesson: its setup leaves something to do, and its
    /// "show me" does it, on the very engine the worker runs, starting from the demo.
    #[test]
    fn show_me_completes_every_lesson_and_setup_does_not() {
        for lesson in all() {
            let mut engine =
                Engine::open(Connection::open_in_memory().unwrap(), Storage::Opfs).unwrap();
            steps(&mut engine, &lesson.setup);
            app_write(&mut engine, &lesson);
            let passed = check(&mut engine, &lesson);
            assert_eq!(passed.len(), lesson.checks.len());
            assert!(
                passed.iter().any(|p| !p),
                "{}: every check passes right after setup",
                lesson.slug
            );
            steps(&mut engine, &lesson.show_me);
            app_write(&mut engine, &lesson);
            let passed = check(&mut engine, &lesson);
            let failing: Vec<_> = lesson
                .checks
                .iter()
                .zip(&passed)
                .filter(|(_, p)| !**p)
                .map(|(c, _)| c.what.as_str())
                .collect();
            assert!(
                failing.is_empty(),
                "{}: after show me, {failing:?} fail",
                lesson.slug
            );
            // Starting again puts the lesson back where it began.
            steps(&mut engine, &lesson.setup);
            assert!(
                check(&mut engine, &lesson).iter().any(|p| !p),
                "{}: restart",
                lesson.slug
            );
        }
    }

    fn lesson(slug: &str) -> Lesson {
        all().into_iter().find(|l| l.slug == slug).unwrap()
    }

    /// Whether the check whose description starts with `what` passes now.
    fn passes(engine: &mut Engine, lesson: &Lesson, what: &str) -> bool {
        let index = lesson
            .checks
            .iter()
            .position(|c| c.what.starts_with(what))
            .unwrap_or_else(|| panic!("{}: no check {what:?}", lesson.slug));
        check(engine, lesson)[index]
    }

    fn tool(lesson: &Lesson, label: &str) -> Vec<Step> {
        let tool = lesson.tools.iter().find(|t| t.label.starts_with(label));
        tool.unwrap_or_else(|| panic!("{}: no tool {label:?}", lesson.slug))
            .steps
            .clone()
    }

    fn fresh() -> Engine {
        Engine::open(Connection::open_in_memory().unwrap(), Storage::Opfs).unwrap()
    }

    #[test]
    fn an_app_write_that_cannot_run_is_still_answered_as_an_app_write() {
        // The page counts only AppWrote answers off its background requests, so an Err here
        // would be taken off `pending` instead and leave the simulated app held back.
        let lesson = lesson("expand-contract");
        let app = lesson.app.clone().unwrap();
        let mut engine = fresh();
        steps(&mut engine, &lesson.setup);
        steps(
            &mut engine,
            &[Step::Sql("UPDATE app_deploy SET version = 4;".into())],
        );
        let reply = engine.handle(Request::AppWrite {
            deployed: app.deployed.clone(),
            writes: app.writes.clone(),
            browse: None,
            run: 1,
        });
        assert_eq!(
            reply.outcome,
            Ok(Outcome::AppWrote {
                run: 1,
                version: 4,
                error: Some("the app has no version 4".into())
            })
        );
        // v2 before the expand: the write fails, is recorded, and is still an AppWrote.
        steps(
            &mut engine,
            &[Step::Sql("UPDATE app_deploy SET version = 2;".into())],
        );
        let reply = engine.handle(Request::AppWrite {
            deployed: app.deployed,
            writes: app.writes,
            browse: None,
            run: 1,
        });
        assert!(
            matches!(&reply.outcome, Ok(Outcome::AppWrote { version: 2, error: Some(e), run: 1 }) if e.contains("phone")),
            "{:?}",
            reply.outcome
        );
        assert!(!passes(&mut engine, &lesson, "the app never failed"));
    }

    #[test]
    fn an_app_write_step_writes_once_and_fails_the_steps_when_the_write_fails() {
        let lesson = lesson("expand-contract");
        let mut engine = fresh();
        steps(&mut engine, &lesson.setup);
        // Deploying v2 before the expand: the deploy's own write fails and stops the tool.
        let reply = engine.handle(Request::Steps {
            steps: tool(&lesson, "Deploy app v2"),
            browse: None,
        });
        let Ok(Outcome::Stepped {
            failed: Some(failed),
            ..
        }) = reply.outcome
        else {
            panic!("{:?}", reply.outcome)
        };
        assert!(
            failed.starts_with("step 2 (app write) failed: app v2 failed: "),
            "{failed}"
        );
        // The step is filled in from the lesson's [app]; a lesson without one cannot use it.
        let front = r#"{"title":"t","task":"t","hint":"h","setup":[{"app_write":{}}],
            "checks":[{"what":"w","sql":"SELECT 1"}],"show_me":[]}"#;
        assert!(parse("99-x", front, "").is_err());
    }

    #[test]
    fn lesson_9_cannot_skip_the_dual_write_phase_and_waits_for_v3_to_write() {
        let lesson = lesson("expand-contract");
        let mut engine = fresh();
        steps(&mut engine, &lesson.setup);
        app_write(&mut engine, &lesson);
        // Expand, then straight to v3: deployed, but it has not written yet.
        steps(&mut engine, &lesson.show_me[..3]);
        steps(
            &mut engine,
            &[Step::Sql("UPDATE app_deploy SET version = 3;".into())],
        );
        assert!(!passes(&mut engine, &lesson, "app v3 is deployed"));
        app_write(&mut engine, &lesson);
        assert!(passes(&mut engine, &lesson, "app v3 is deployed"));
        // Backfill and contract: no write ever failed, and still the lesson is not done,
        // because no row shows that v2 ran.
        steps(&mut engine, &tool(&lesson, "Backfill"));
        steps(&mut engine, &lesson.show_me[lesson.show_me.len() - 3..]);
        app_write(&mut engine, &lesson);
        let passed = check(&mut engine, &lesson);
        let failing: Vec<_> = lesson
            .checks
            .iter()
            .zip(&passed)
            .filter(|(_, p)| !**p)
            .map(|(c, _)| c.what.as_str())
            .collect();
        assert_eq!(failing.len(), 1, "{failing:?}");
        assert!(failing[0].starts_with("app v2 ran"), "{failing:?}");
    }

    #[test]
    fn lesson_1_wants_phone_from_an_applied_revision_not_the_console() {
        let lesson = lesson("create-all");
        let mut engine = fresh();
        steps(&mut engine, &lesson.setup);
        // The column added by hand, and some other revision applied.
        steps(
            &mut engine,
            &[
                Step::Sql("ALTER TABLE users ADD COLUMN phone TEXT;".into()),
                Step::Model(
                    "CREATE TABLE users (\n    id INTEGER PRIMARY KEY,\n    email TEXT NOT NULL\n);\n\
                     CREATE TABLE notes (id INTEGER PRIMARY KEY);\n"
                        .into(),
                ),
                Step::Save {
                    message: "add notes".into(),
                    renames: vec![],
                    parent: None,
                },
                Step::Upgrade("head".into()),
            ],
        );
        assert!(passes(&mut engine, &lesson, "users has a phone column"));
        assert!(!passes(
            &mut engine,
            &lesson,
            "an applied revision adds phone"
        ));
    }

    #[test]
    fn lesson_8_wants_the_original_notes_not_just_some_notes() {
        let lesson = lesson("backups");
        let mut engine = fresh();
        steps(&mut engine, &lesson.setup);
        steps(
            &mut engine,
            &[
                Step::Downgrade("-1".into()),
                Step::Sql("UPDATE orders SET note = 'x';".into()),
            ],
        );
        assert!(passes(&mut engine, &lesson, "orders.note is back"));
        assert!(!passes(&mut engine, &lesson, "the three original notes"));
    }

    /// Restore keeps the revisions saved after the backup as pending; lesson 8 is built on
    /// that, and on the next upgrade running the harmful one again.
    #[test]
    fn lesson_8_restore_leaves_the_harmful_revision_pending_and_upgrade_runs_it_again() {
        let lesson = lesson("backups");
        let mut engine = fresh();
        steps(&mut engine, &lesson.setup);
        steps(&mut engine, &lesson.show_me);
        assert!(check(&mut engine, &lesson).iter().all(|p| *p));
        let snapshot = engine.snapshot(None).unwrap();
        assert!(
            snapshot
                .revisions
                .iter()
                .any(|r| r.message == "drop note from orders" && !r.applied),
            "{:?}",
            snapshot.revisions
        );
        steps(&mut engine, &[Step::Upgrade("head".into())]);
        assert!(!passes(&mut engine, &lesson, "orders.note is back"));
        assert!(!passes(
            &mut engine,
            &lesson,
            "drop note from orders is still"
        ));
    }

    #[test]
    fn every_tool_of_every_lesson_parses_into_steps() {
        for lesson in all() {
            for tool in &lesson.tools {
                assert!(
                    !tool.label.is_empty() && !tool.steps.is_empty(),
                    "{}",
                    lesson.slug
                );
            }
        }
    }

    #[test]
    fn a_failing_step_stops_the_rest_and_says_which() {
        let mut engine =
            Engine::open(Connection::open_in_memory().unwrap(), Storage::Opfs).unwrap();
        let reply = engine.handle(Request::Steps {
            steps: vec![
                Step::Sql("CREATE TABLE t (x);".into()),
                Step::Upgrade("nope".into()),
                Step::Sql("CREATE TABLE u (x);".into()),
            ],
            browse: None,
        });
        let Ok(Outcome::Stepped {
            failed: Some(failed),
            ..
        }) = reply.outcome
        else {
            panic!("{:?}", reply.outcome)
        };
        assert!(
            failed.starts_with("step 2 (upgrade nope) failed: "),
            "{failed}"
        );
        let names: Vec<_> = reply
            .snapshot
            .tables
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        assert!(names.contains(&"t") && !names.contains(&"u"), "{names:?}");
    }

    #[test]
    fn a_cleared_database_is_not_reseeded_on_reopen() {
        let dir = std::env::temp_dir().join(format!("strata-lessons-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("lesson.sqlite3");
        let _ = std::fs::remove_file(&path);
        {
            let mut engine = Engine::open(Connection::open(&path).unwrap(), Storage::Opfs).unwrap();
            steps(&mut engine, &[Step::Clear {}]);
        }
        let engine = Engine::open(Connection::open(&path).unwrap(), Storage::Opfs).unwrap();
        let snapshot = engine.snapshot(None).unwrap();
        assert!(
            snapshot.tables.is_empty() && snapshot.revisions.is_empty(),
            "{snapshot:?}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_backfill_goes_batch_by_batch_and_says_so() {
        let mut engine =
            Engine::open(Connection::open_in_memory().unwrap(), Storage::Opfs).unwrap();
        let notes = steps(
            &mut engine,
            &[
                Step::Clear {},
                Step::Sql(
                    "CREATE TABLE t (n INTEGER, twice INTEGER); \
                     WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 25) \
                     INSERT INTO t (n) SELECT n FROM c;"
                        .into(),
                ),
                Step::Backfill {
                    table: "t".into(),
                    set: "twice = n * 2".into(),
                    filter: "twice IS NULL".into(),
                    batch: 10,
                },
            ],
        );
        assert_eq!(
            &notes[1..],
            [
                "batch 1: 10 rows, 10 of 25 done",
                "batch 2: 10 rows, 20 of 25 done",
                "batch 3: 5 rows, 25 of 25 done",
                "backfill finished: 25 rows updated"
            ]
        );
    }

    #[test]
    fn checks_never_write_and_a_broken_check_just_fails() {
        let mut engine =
            Engine::open(Connection::open_in_memory().unwrap(), Storage::Opfs).unwrap();
        let reply = engine.handle(Request::Check {
            lesson: "x".into(),
            checks: vec![
                "SELECT 1".into(),
                "SELECT count(*) FROM no_such_table".into(),
                "DELETE FROM users".into(),
                "SELECT NULL".into(),
            ],
            browse: None,
        });
        assert_eq!(
            reply.outcome,
            Ok(Outcome::Checked {
                lesson: "x".into(),
                passed: vec![true, false, false, false]
            })
        );
        assert!(reply
            .snapshot
            .tables
            .iter()
            .any(|t| t.name == "users" && t.rows > 0));
    }
}
