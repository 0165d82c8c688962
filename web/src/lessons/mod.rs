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
//! [[checks]]            # each one protocol::Condition beside its text:
//! what = "…"
//! sql = "SELECT …"      # a read-only query whose first value must be truthy, or
//!                       # applied = { contains = ["…"], lacks = ["…"] }: the applied SQL,
//!                       # no_drift = {}: nothing changed outside a revision,
//!                       # happened = { event = "upgrade_failed", mentioning = "…" }
//!                       # descriptive = {}: every revision's message says what it does,
//!                       # rollback = { revision = "…", keeps = "SELECT …" }: that revision's
//!                       # down SQL, run in a savepoint, gives back the schema before it
//! [[show_me]]
//! upgrade = "head"
//! [[stages]]            # instead of checks and show_me: ordered stages, each with its own
//! title = "…"           # title, task, checks and show_me; a stage's checks count only once
//! task = "…"            # the stage before it passed, and the lesson is done with the last
//! checks = [{ what = "…", sql = "…" }]
//! show_me = [{ downgrade = "-1" }]
//! goal = "CREATE TABLE …"   # optional (per stage, or for the lesson): the schema it ends with,
//!                           # drawn beside the task with what still differs marked
//! goal_versions = ["001"]   # optional: the schema_version rows it ends with (ids or
//!                           # messages), drawn beside the live rows
//! [[tools]]             # optional buttons that run steps (a backfill, a hand-run script)
//! label = "…"
//! steps = [{ sql = "…" }, { app_write = {} }]   # app_write: one write of [app], now;
//!                       # psql = "…": a file run as `psql < file` does (an error is a note,
//!                       # the steps go on); echo = "…": a line a simulated script prints
//! model_language = "sqlmodel"  # optional: the lesson's `model` steps are SQLModel classes
//!                       # (Python), set in the editor's SQLModel tab
//! show_commit = true    # optional: the newest revision is drawn beside its Alembic script
//! [[stages]] rollback = { revision = "…", file = "…" }  # optional, per stage: an editor
//!                       # for that pending revision's down SQL, which the learner writes
//! [app]                 # optional simulated app that writes while the lesson is open
//! deployed = "SELECT version FROM app_deploy"
//! writes = ["INSERT …", "INSERT …"]
//! +++
//! The lesson's text, in markdown.
//! ```
//!
//! Which world a lesson is in, and so its place and number in the list, is not in its file
//! but in [`WORLDS`].
//!
//! `build.rs` compiles the files in (the front matter turned into JSON there), so a lesson
//! whose TOML does not parse fails the build, and one that does not fit [`Lesson`] fails the
//! native tests, never a visitor's page.

pub mod exercise;
pub mod markdown;
pub mod progress;

use serde::Deserialize;

use crate::services::project::ModelLanguage;
use crate::services::protocol::{Condition, Step};

/// The lesson files, in file-name order, as `build.rs` embeds them.
mod files {
    include!(concat!(env!("OUT_DIR"), "/lessons.rs"));
}
use files::FILES;

/// A group of lessons the list shows together, with its own count of lessons done and seen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct World {
    /// Used in the page's test ids (`lesson-world-<id>`).
    pub id: &'static str,
    pub title: &'static str,
    /// The slugs of its lessons, in the order the list shows them.
    pub lessons: &'static [&'static str],
}

/// The worlds, in order, and which lessons each holds. The grouping lives here and nowhere
/// else: moving a lesson to another world is one edit of this list, and the tests check that
/// every lesson file is in exactly one world and that no world names a lesson that is gone.
pub const WORLDS: &[World] = &[
    World {
        id: "basics",
        title: "Basics",
        lessons: &[
            "create-all",
            "version-table",
            "migrate-script",
            "autogenerate",
            "moving-around",
        ],
    },
    World {
        id: "everyday",
        title: "Everyday changes",
        lessons: &[
            "autogenerate-misses",
            "rename",
            "data-migrations",
            "sqlite-rebuild",
            "transactions",
        ],
    },
    World {
        id: "production",
        title: "Team and production",
        lessons: &[
            "backups",
            "expand-contract",
            "two-heads",
            "rollback-strategies",
            "production-runbook",
        ],
    },
];

/// The lessons of each world, in the world's order, looked up in `lessons` by slug.
pub fn by_world(lessons: &[Lesson]) -> Vec<(World, Vec<&Lesson>)> {
    WORLDS
        .iter()
        .map(|world| {
            let members = world
                .lessons
                .iter()
                .filter_map(|slug| lessons.iter().find(|l| l.slug == *slug))
                .collect();
            (*world, members)
        })
        .collect()
}

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
    /// A lesson of one stage: its checks and "show me". A staged lesson has `stages` instead.
    #[serde(default)]
    pub checks: Vec<Check>,
    #[serde(default)]
    pub show_me: Vec<Step>,
    /// Ordered stages, each checked only once the one before it passed.
    #[serde(default)]
    pub stages: Vec<Stage>,
    #[serde(default)]
    pub tools: Vec<Tool>,
    #[serde(default)]
    pub app: Option<App>,
    /// The schema the lesson ends with (SQL), drawn beside the task with what the live
    /// database still lacks marked. A staged lesson gives each stage its own.
    #[serde(default)]
    pub goal: Option<String>,
    /// The `schema_version` rows the lesson ends with (revision ids or messages, in order),
    /// drawn beside the live ones where the lesson is about them.
    #[serde(default)]
    pub goal_versions: Vec<String>,
    /// The language of the lesson's `model` steps: a SQLModel lesson works in the editor's
    /// SQLModel tab, as a team shipping SQLModel classes would.
    #[serde(default)]
    pub model_language: ModelLanguage,
    /// Whether the panel shows the newest revision beside its Alembic script, the file the
    /// learner would commit in their own repository.
    #[serde(default)]
    pub show_commit: bool,
    /// A teacher's exercise opened from a link (`exercise::lesson`), not a lesson file: it is
    /// listed apart from the worlds, and its Start loads its own start.
    #[serde(skip)]
    pub exercise: bool,
}

/// One condition of "done", evaluated by the worker over the project, the database and the
/// lesson's journal.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Check {
    /// What the check means, as the checklist shows it.
    pub what: String,
    #[serde(flatten)]
    pub condition: Condition,
}

/// One stage of a staged lesson: what to do, how it is checked, and how "show me" does it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Stage {
    pub title: String,
    /// Markdown, shown while the stage is the current one.
    pub task: String,
    pub checks: Vec<Check>,
    pub show_me: Vec<Step>,
    #[serde(default)]
    pub goal: Option<String>,
    #[serde(default)]
    pub goal_versions: Vec<String>,
    /// An editor for the down SQL of a pending revision, which the learner writes.
    #[serde(default)]
    pub rollback: Option<RollbackEditor>,
}

/// Where a learner writes the down SQL of a hand-written revision: its rollback file.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct RollbackEditor {
    /// The revision (its id or message) whose down SQL the editor saves.
    pub revision: String,
    /// The file name the team would give it (`002_add_user_phone_rollback.sql`).
    pub file: String,
}

/// A stage as the panel and the tests see it, whether the lesson has stages or is one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StageView<'a> {
    /// `None` for a lesson of one stage, which has no stage title.
    pub title: Option<&'a str>,
    pub task: &'a str,
    pub checks: &'a [Check],
    pub show_me: &'a [Step],
    /// Where its checks' answers start in the lesson's [`Lesson::conditions`].
    pub offset: usize,
    /// The schema the stage ends with, if the lesson draws it.
    pub goal: Option<&'a str>,
    /// The `schema_version` rows it ends with, if the lesson draws them.
    pub goal_versions: &'a [String],
    /// The down SQL the learner writes in this stage, if any.
    pub rollback: Option<&'a RollbackEditor>,
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
    /// Its stages, in order: the lesson itself when it has none.
    pub fn stages(&self) -> Vec<StageView<'_>> {
        if self.stages.is_empty() {
            return vec![StageView {
                title: None,
                task: &self.task,
                checks: &self.checks,
                show_me: &self.show_me,
                offset: 0,
                goal: self.goal.as_deref(),
                goal_versions: &self.goal_versions,
                rollback: None,
            }];
        }
        let mut offset = 0;
        self.stages
            .iter()
            .map(|stage| {
                let view = StageView {
                    title: Some(&stage.title),
                    task: &stage.task,
                    checks: &stage.checks,
                    show_me: &stage.show_me,
                    offset,
                    goal: stage.goal.as_deref(),
                    goal_versions: &stage.goal_versions,
                    rollback: stage.rollback.as_ref(),
                };
                // Each stage's checks, then the marker that begins the next one.
                offset += stage.checks.len() + 1;
                view
            })
            .collect()
    }

    /// The conditions the worker evaluates: every stage's checks in order, with a
    /// `Condition::Stage` between two stages, so the worker knows where each begins.
    pub fn conditions(&self) -> Vec<Condition> {
        let mut conditions = Vec::new();
        for (i, stage) in self.stages().iter().enumerate() {
            if i > 0 {
                conditions.push(Condition::Stage {});
            }
            conditions.extend(stage.checks.iter().map(|c| c.condition.clone()));
        }
        conditions
    }

    /// Which stage is the current one (0 for the first), given the answers to
    /// [`Lesson::conditions`]: the number of stage markers that hold.
    pub fn stage_reached(&self, passed: &[bool]) -> usize {
        let stages = self.stages();
        let reached = stages
            .iter()
            .skip(1)
            .take_while(|stage| passed.get(stage.offset - 1).copied().unwrap_or(false))
            .count();
        reached.min(stages.len() - 1)
    }

    /// The answers for one stage's checks, in order (false where there is no answer yet).
    pub fn stage_passed(&self, stage: &StageView<'_>, passed: &[bool]) -> Vec<bool> {
        (0..stage.checks.len())
            .map(|i| passed.get(stage.offset + i).copied().unwrap_or(false))
            .collect()
    }
}

/// Every lesson, in the order the worlds list them, numbered in that order (a file's own
/// number only orders the files). Panics only if a compiled-in file is broken, which the
/// tests rule out.
pub fn all() -> Vec<Lesson> {
    let order: Vec<&str> = WORLDS
        .iter()
        .flat_map(|w| w.lessons.iter().copied())
        .collect();
    let mut lessons: Vec<Lesson> = FILES
        .iter()
        .map(|(name, front, body)| {
            parse(name, front, body).unwrap_or_else(|e| panic!("lesson {name}: {e}"))
        })
        .collect();
    // A lesson in no world (which the tests refuse) would come last rather than vanish.
    lessons.sort_by_key(|l| {
        order
            .iter()
            .position(|s| *s == l.slug)
            .unwrap_or(order.len())
    });
    for (i, lesson) in lessons.iter_mut().enumerate() {
        lesson.number = i + 1;
    }
    lessons
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
    if lesson.stages.is_empty() && lesson.checks.is_empty() {
        return Err("a lesson needs at least one check".into());
    }
    if !lesson.stages.is_empty() && (!lesson.checks.is_empty() || !lesson.show_me.is_empty()) {
        return Err("a staged lesson keeps its checks and show_me in its stages".into());
    }
    if lesson.stages.iter().any(|s| s.checks.is_empty()) {
        return Err("every stage needs at least one check".into());
    }
    lesson.fill_app_writes()?;
    lesson.set_model_language();
    Ok(lesson)
}

impl Lesson {
    /// In a SQLModel lesson, every `model` step (setup, show me, stages, tools) becomes a
    /// `sqlmodel` step, so the file writes `model = "…"` whatever its language.
    fn set_model_language(&mut self) {
        if self.model_language != ModelLanguage::Sqlmodel {
            return;
        }
        let steps = self
            .setup
            .iter_mut()
            .chain(self.show_me.iter_mut())
            .chain(self.stages.iter_mut().flat_map(|s| s.show_me.iter_mut()))
            .chain(self.tools.iter_mut().flat_map(|t| t.steps.iter_mut()));
        for mut step in steps {
            while let Step::Try(inner) = step {
                step = inner;
            }
            if let Step::Model(text) = step {
                *step = Step::Sqlmodel(std::mem::take(text));
            }
        }
    }

    /// Gives every `app_write = {}` step the lesson's `[app]`, so the file names the app once
    /// and a step writes exactly as the timer would. A lesson without an app cannot have one.
    fn fill_app_writes(&mut self) -> Result<(), String> {
        let app = self.app.clone();
        let steps = self
            .setup
            .iter_mut()
            .chain(self.show_me.iter_mut())
            .chain(self.stages.iter_mut().flat_map(|s| s.show_me.iter_mut()))
            .chain(self.tools.iter_mut().flat_map(|t| t.steps.iter_mut()));
        for mut step in steps {
            while let Step::Try(inner) = step {
                step = inner;
            }
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
mod tests;
