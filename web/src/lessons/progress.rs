//! The lesson panel's state: which lesson is open, whether it was started, which checks pass,
//! and which lessons are done. Plain data and one `reduce`, tested natively.

use serde::{Deserialize, Serialize};

/// What is kept across reloads (in localStorage): the lesson being taken and the lessons done.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// The slug of the lesson being taken.
    pub current: Option<String>,
    /// Whether the current lesson's setup has run, so its checks mean something. Before that
    /// the database is whatever the visitor had, and a check could pass by accident.
    pub started: bool,
    /// Slugs of the lessons completed, in the order they were completed.
    pub completed: Vec<String>,
    /// Whether the panel is open.
    #[serde(default)]
    pub open: bool,
}

/// What the simulated app has done since the lesson was started.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AppRun {
    pub writes: u32,
    pub failures: u32,
    /// The version that wrote last.
    pub version: usize,
    pub last_error: Option<String>,
}

/// The lesson panel's state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LessonState {
    pub progress: Progress,
    /// Which of the current lesson's checks passed at the last evaluation.
    pub passed: Vec<bool>,
    pub hint: bool,
    /// What the last steps said (a backfill's batches, a script's row count).
    pub notes: Vec<String>,
    /// Why the last steps stopped, if they failed.
    pub failed: Option<String>,
    /// Step requests sent and not answered yet; checks wait for them.
    pub running: u32,
    pub app: AppRun,
    /// Checks and app writes sent and not answered yet (they do not make the page busy).
    pub background: u32,
    /// The markdown of a lesson file the visitor opened to preview (lesson authors do this).
    pub preview: Option<String>,
}

/// A change to the lesson panel's state.
#[derive(Clone, Debug, PartialEq)]
pub enum LessonAction {
    /// Opens or closes the panel.
    Toggle,
    /// Chooses a lesson; it is not set up until it is started.
    Pick(String),
    /// The current lesson's setup was sent: its state starts over.
    Started,
    /// "Show me" or a tool's steps were sent.
    StepsSent,
    /// Steps ran (up to `failed`, if one failed).
    Stepped {
        notes: Vec<String>,
        failed: Option<String>,
    },
    ShowHint,
    /// The worker evaluated `lesson`'s checks.
    Checked {
        lesson: String,
        passed: Vec<bool>,
    },
    /// A check or an app write was sent.
    BackgroundSent,
    /// A lesson file was opened for preview; `None` closes the preview.
    Preview(Option<String>),
    /// The simulated app wrote once.
    AppWrote {
        version: usize,
        error: Option<String>,
    },
}

impl LessonState {
    /// A state that continues the kept progress.
    pub fn resume(progress: Progress) -> LessonState {
        LessonState {
            progress,
            ..LessonState::default()
        }
    }

    /// Whether the current lesson's checks all pass right now.
    pub fn complete(&self) -> bool {
        self.progress.started && !self.passed.is_empty() && self.passed.iter().all(|p| *p)
    }

    pub fn is_done(&self, slug: &str) -> bool {
        self.progress.completed.iter().any(|s| s == slug)
    }

    /// Whether checks should be evaluated now: a lesson is set up and no steps are running.
    pub fn watching(&self) -> bool {
        self.progress.started && self.progress.current.is_some() && self.running == 0
    }

    pub fn reduce(&mut self, action: LessonAction) {
        match action {
            LessonAction::Toggle => self.progress.open = !self.progress.open,
            LessonAction::Pick(slug) => {
                if self.progress.current.as_deref() != Some(slug.as_str()) {
                    self.progress.current = Some(slug);
                    self.progress.started = false;
                    self.clear_run();
                }
            }
            LessonAction::Started => {
                self.progress.started = true;
                self.clear_run();
                self.running += 1;
            }
            LessonAction::StepsSent => {
                self.notes.clear();
                self.failed = None;
                self.running += 1;
            }
            LessonAction::Stepped { notes, failed } => {
                self.running = self.running.saturating_sub(1);
                self.notes = notes;
                self.failed = failed;
            }
            LessonAction::ShowHint => self.hint = true,
            LessonAction::BackgroundSent => self.background += 1,
            LessonAction::Preview(text) => self.preview = text.map(|t| body_of(&t).to_owned()),
            LessonAction::Checked { lesson, passed } => {
                // A check sent before the latest steps describes a database that is gone.
                if self.running > 0 || self.progress.current.as_deref() != Some(lesson.as_str()) {
                    return;
                }
                self.passed = passed;
                if self.complete() && !self.is_done(&lesson) {
                    self.progress.completed.push(lesson);
                }
            }
            LessonAction::AppWrote { version, error } => {
                self.app.writes += 1;
                self.app.version = version;
                if error.is_some() {
                    self.app.failures += 1;
                    self.app.last_error = error;
                }
            }
        }
    }

    /// Whether the checks were evaluated since the lesson was (re)started.
    pub fn checked(&self, checks: usize) -> bool {
        self.passed.len() == checks
    }

    fn clear_run(&mut self) {
        self.passed.clear();
        self.hint = false;
        self.notes.clear();
        self.failed = None;
        self.app = AppRun::default();
    }
}

/// A lesson file's markdown without its front matter; text without front matter is all body.
fn body_of(text: &str) -> &str {
    text.strip_prefix("+++\n")
        .and_then(|rest| rest.find("\n+++\n").map(|end| &rest[end + 5..]))
        .unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(actions: impl IntoIterator<Item = LessonAction>) -> LessonState {
        let mut state = LessonState::default();
        for action in actions {
            state.reduce(action);
        }
        state
    }

    fn checked(lesson: &str, passed: &[bool]) -> LessonAction {
        LessonAction::Checked {
            lesson: lesson.into(),
            passed: passed.to_vec(),
        }
    }

    fn stepped() -> LessonAction {
        LessonAction::Stepped {
            notes: vec![],
            failed: None,
        }
    }

    #[test]
    fn a_lesson_is_done_when_every_check_passes_after_it_was_started() {
        let state = run([
            LessonAction::Pick("rename".into()),
            LessonAction::Started,
            stepped(),
            checked("rename", &[true, false]),
        ]);
        assert!(!state.complete());
        assert!(!state.is_done("rename"));
        let mut state = state;
        state.reduce(checked("rename", &[true, true]));
        assert!(state.complete());
        assert_eq!(state.progress.completed, ["rename"]);
        state.reduce(checked("rename", &[true, true]));
        assert_eq!(state.progress.completed, ["rename"], "counted once");
    }

    #[test]
    fn checks_do_not_count_before_the_lesson_is_started() {
        let state = run([
            LessonAction::Pick("rename".into()),
            checked("rename", &[true]),
        ]);
        assert!(!state.complete());
        assert!(state.progress.completed.is_empty());
    }

    #[test]
    fn checks_answered_while_steps_run_or_for_another_lesson_are_ignored() {
        let state = run([
            LessonAction::Pick("rename".into()),
            LessonAction::Started,
            checked("rename", &[true]),
            stepped(),
            checked("other", &[true]),
        ]);
        assert!(state.passed.is_empty());
        assert!(state.progress.completed.is_empty());
    }

    #[test]
    fn restarting_clears_the_run_but_keeps_what_was_done() {
        let state = run([
            LessonAction::Pick("rename".into()),
            LessonAction::Started,
            stepped(),
            LessonAction::ShowHint,
            LessonAction::AppWrote {
                version: 1,
                error: Some("no such column".into()),
            },
            checked("rename", &[true]),
            LessonAction::Started,
        ]);
        assert_eq!(state.progress.completed, ["rename"]);
        assert!(!state.hint && state.passed.is_empty());
        assert_eq!(state.app, AppRun::default());
        assert_eq!(state.running, 1);
    }

    #[test]
    fn picking_another_lesson_waits_for_its_start() {
        let state = run([
            LessonAction::Pick("rename".into()),
            LessonAction::Started,
            stepped(),
            LessonAction::Pick("backups".into()),
        ]);
        assert_eq!(state.progress.current.as_deref(), Some("backups"));
        assert!(!state.progress.started);
        assert!(!state.watching());
    }

    #[test]
    fn a_preview_shows_the_body_of_a_lesson_file() {
        let state = run([LessonAction::Preview(Some(
            "+++\ntitle = \"x\"\n+++\nHello *there*".into(),
        ))]);
        assert_eq!(state.preview.as_deref(), Some("Hello *there*"));
        let state = run([
            LessonAction::Preview(Some("just text".into())),
            LessonAction::Preview(None),
        ]);
        assert_eq!(state.preview, None);
    }

    #[test]
    fn the_app_counts_writes_and_failures() {
        let state = run([
            LessonAction::AppWrote {
                version: 1,
                error: None,
            },
            LessonAction::AppWrote {
                version: 2,
                error: Some("no such column: phone".into()),
            },
        ]);
        assert_eq!(
            (state.app.writes, state.app.failures, state.app.version),
            (2, 1, 2)
        );
    }

    #[test]
    fn progress_survives_a_round_trip_through_json() {
        let progress = Progress {
            current: Some("rename".into()),
            started: true,
            completed: vec!["autogenerate".into()],
            open: true,
        };
        let text = serde_json::to_string(&progress).unwrap();
        assert_eq!(serde_json::from_str::<Progress>(&text).unwrap(), progress);
    }
}
