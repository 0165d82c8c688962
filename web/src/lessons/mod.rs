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

#[cfg(test)]
mod tests;
