//! The lesson panel's state: which lesson is open, whether it was started, which checks pass,
//! and which lessons are done. Plain data and one `reduce`, tested natively.
//!
//! A lesson is *done* only when the learner did it: "show me" solves it in front of them and
//! marks it *seen*, and the run it solved does not count. Done then takes a Restart and a run
//! without "show me", as in Learn Git Branching.
//!
//! A staged lesson's answers come as one list (`Lesson::conditions`: each stage's checks, with
//! a marker between stages that holds once the stages before it passed), so done is still
//! "every answer is yes": the last stage passed, after every stage before it.

use serde::{Deserialize, Serialize};

use strata_core::exercise::Exercise;

use crate::services::protocol::{Diagram, GoalVersion};

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
    /// Slugs of the lessons whose solution "show me" showed, in the order it was shown.
    #[serde(default)]
    pub seen: Vec<String>,
    /// Whether "show me" ran since the current lesson was last started: that run cannot
    /// complete it. Kept across reloads, so a reload does not wipe it.
    #[serde(default)]
    pub shown: bool,
}

/// What the simulated app has done since the lesson was started.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AppRun {
    pub writes: u32,
    pub failures: u32,
    /// The version that wrote last.
    pub version: usize,
    pub last_error: Option<String>,
    /// The app was stopped (version 0) at its last tick: it sends nothing, so it neither
    /// writes nor fails.
    pub stopped: bool,
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
    /// Which run of the simulated app is current: every Start, Restart or new lesson begins
    /// one, and an answer to a write sent by an earlier run is not counted.
    pub run: u32,
    /// Checks and app writes sent and not answered yet (they do not make the page busy). Their
    /// answers are always `Checked` or `AppWrote`, failures included, so only those count down.
    pub background: u32,
    /// The markdown of a lesson file the visitor opened to preview (lesson authors do this).
    pub preview: Option<String>,
    /// The current lesson's goal as the worker last drew it against the database.
    pub goal: Option<Goal>,
    /// The current lesson's newest revision beside its Alembic script, as the worker made it.
    pub commit: Option<LessonCommit>,
    /// The exercise last opened from a link, kept across reloads beside the progress: the
    /// panel lists it after the worlds, and its slug keeps its "done" apart from every other.
    pub exercise: Option<Box<Exercise>>,
}

/// A lesson's newest revision as the learner would commit it (see `components/lesson_commit.rs`).
#[derive(Clone, Debug, PartialEq)]
pub struct LessonCommit {
    pub lesson: String,
    pub commit: Option<Box<strata_core::export::lesson::Commit>>,
    pub error: Option<String>,
}

/// A lesson's goal, drawn by the worker: its schema with what the database still lacks (or
/// has in excess) marked, and how many parts are marked.
#[derive(Clone, Debug, PartialEq)]
pub struct Goal {
    pub lesson: String,
    pub diagram: Diagram,
    pub differs: usize,
    pub error: Option<String>,
    /// The target `schema_version` rows beside the live ones, when the lesson draws them.
    pub versions: Vec<GoalVersion>,
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
    /// A tool's steps were sent.
    StepsSent,
    /// "Show me"'s steps were sent: the lesson is seen, and this run no longer counts.
    ShowMe,
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
    /// The simulated app wrote once; `run` is the run that sent the write.
    AppWrote {
        run: u32,
        version: usize,
        error: Option<String>,
    },
    /// The database was replaced (a project load, an import, a restore, Reset): the page
    /// starts counting its background requests afresh.
    Replaced,
    /// The worker drew a lesson's goal against the database.
    Goal(Goal),
    /// The worker exported the lesson's newest revision.
    Commit(LessonCommit),
    /// An exercise link was opened and its start loaded: the exercise becomes the open,
    /// started lesson (a new run, nothing shown yet).
    Exercise(Box<Exercise>),
}

/// How far the learner is through one world of lessons.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WorldCount {
    /// Lessons done by the learner's own hand.
    pub done: usize,
    /// Lessons whose solution "show me" showed and that are not done yet.
    pub seen: usize,
    pub total: usize,
}

impl WorldCount {
    /// What the world's heading says beside its title, short enough to sit over its chips:
    /// "2/4", or "2/4 · 1 seen".
    pub fn label(&self) -> String {
        let mut label = format!("{}/{}", self.done, self.total);
        if self.seen > 0 {
            label.push_str(&format!(" · {} seen", self.seen));
        }
        label
    }

    /// The same as a sentence, for the heading's tooltip: "2 of 4 done, 1 seen (shown, not
    /// done yet)".
    pub fn sentence(&self) -> String {
        let mut sentence = format!("{} of {} done", self.done, self.total);
        if self.seen > 0 {
            sentence.push_str(&format!(", {} seen (shown, not done yet)", self.seen));
        }
        sentence
    }
}

impl LessonState {
    /// A state that continues the kept progress.
    pub fn resume(progress: Progress) -> LessonState {
        LessonState {
            progress,
            ..LessonState::default()
        }
    }

    /// Whether the current lesson's checks all pass right now (by the learner's hand or by
    /// "show me").
    pub fn complete(&self) -> bool {
        self.progress.started && !self.passed.is_empty() && self.passed.iter().all(|p| *p)
    }

    /// Whether the checks pass and the learner got there without "show me" in this run.
    pub fn earned(&self) -> bool {
        self.complete() && !self.progress.shown
    }

    pub fn is_done(&self, slug: &str) -> bool {
        self.progress.completed.iter().any(|s| s == slug)
    }

    /// Whether "show me" has shown this lesson's solution at some point.
    pub fn is_seen(&self, slug: &str) -> bool {
        self.progress.seen.iter().any(|s| s == slug)
    }

    /// The counts of one world, given its lessons' slugs: a lesson done counts as done
    /// whether or not it was also seen, so done + seen never passes the total.
    pub fn world_count<'a>(&self, slugs: impl IntoIterator<Item = &'a str>) -> WorldCount {
        let mut count = WorldCount::default();
        for slug in slugs {
            count.total += 1;
            if self.is_done(slug) {
                count.done += 1;
            } else if self.is_seen(slug) {
                count.seen += 1;
            }
        }
        count
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
                    self.progress.shown = false;
                    self.clear_run();
                }
            }
            LessonAction::Started => {
                self.progress.started = true;
                self.progress.shown = false;
                self.clear_run();
                // A count that went wrong (an answer lost to a worker error) would otherwise
                // hold the simulated app back for the rest of the session.
                self.background = 0;
                self.running += 1;
            }
            LessonAction::StepsSent => {
                self.notes.clear();
                self.failed = None;
                self.running += 1;
            }
            LessonAction::ShowMe => {
                self.notes.clear();
                self.failed = None;
                self.running += 1;
                self.progress.shown = true;
                if let Some(slug) = self.progress.current.clone() {
                    if !self.is_seen(&slug) {
                        self.progress.seen.push(slug);
                    }
                }
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
                if self.earned() && !self.is_done(&lesson) {
                    self.progress.completed.push(lesson);
                }
            }
            LessonAction::Replaced => self.background = 0,
            LessonAction::Exercise(exercise) => {
                self.progress.current = Some(exercise.slug());
                self.progress.started = true;
                self.progress.shown = false;
                self.progress.open = true;
                self.exercise = Some(exercise);
                self.clear_run();
                self.background = 0;
            }
            LessonAction::Goal(goal) => {
                // A goal drawn for a lesson that is no longer open, or while steps still run
                // (for a database that is about to change), is not shown.
                if self.running == 0
                    && self.progress.current.as_deref() == Some(goal.lesson.as_str())
                {
                    self.goal = Some(goal);
                }
            }
            LessonAction::Commit(commit) => {
                // As for the goal: only for the open lesson, and not while steps still run.
                if self.running == 0
                    && self.progress.current.as_deref() == Some(commit.lesson.as_str())
                {
                    self.commit = Some(commit);
                }
            }
            LessonAction::AppWrote { run, .. } if run != self.run => {}
            LessonAction::AppWrote {
                version: 0,
                error: None,
                ..
            } => self.app.stopped = true,
            LessonAction::AppWrote { version, error, .. } => {
                self.app.stopped = false;
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
        self.goal = None;
        self.commit = None;
        self.hint = false;
        self.notes.clear();
        self.failed = None;
        self.app = AppRun::default();
        self.run = self.run.wrapping_add(1);
    }
}

/// How many app writes may wait for their answers before the app skips a tick, so a slow
/// worker is not flooded with writes it cannot keep up with.
pub const APP_IN_FLIGHT: u32 = 3;

/// How many ticks in a row the app may be held back by that limit before the writes it is
/// waiting for are taken as lost. The worker answers in order, so this long without a single
/// answer means the count is wrong, not that the worker is busy with them.
pub const APP_STALLED_TICKS: u32 = 20;

/// Decides, on each tick of the simulated app's timer, whether it writes. It works from the
/// page's count of background requests waiting, and never lets a count that stopped going down
/// stop the app for good: after [`APP_STALLED_TICKS`] held-back ticks, what is waiting then is
/// set aside as lost, and answers that do arrive later are taken back off that.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppThrottle {
    stalled: u32,
    lost: u32,
}

impl AppThrottle {
    /// Whether the app writes on this tick, given how many background requests are waiting.
    pub fn tick(&mut self, waiting: u32) -> bool {
        // Answers that came after all were not lost; the count already went down for them.
        self.lost = self.lost.min(waiting);
        if waiting - self.lost < APP_IN_FLIGHT {
            self.stalled = 0;
            return true;
        }
        self.stalled += 1;
        if self.stalled >= APP_STALLED_TICKS {
            self.lost = waiting;
            self.stalled = 0;
            return true;
        }
        false
    }
}

/// A lesson file's markdown without its front matter; text without front matter is all body.
fn body_of(text: &str) -> &str {
    text.strip_prefix("+++\n")
        .and_then(|rest| rest.find("\n+++\n").map(|end| &rest[end + 5..]))
        .unwrap_or(text)
}

#[cfg(test)]
#[path = "progress_tests.rs"]
mod tests;
