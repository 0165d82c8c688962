//! The lesson panel's state under test: progress saved and read back, show me marking a lesson
//! seen and never done, stages, worlds and goals kept for the open lesson.

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
fn show_me_marks_the_lesson_seen_and_its_run_does_not_count() {
    let mut state = run([
        LessonAction::Pick("rename".into()),
        LessonAction::Started,
        stepped(),
        LessonAction::ShowMe,
        stepped(),
        checked("rename", &[true, true]),
    ]);
    assert!(state.complete() && !state.earned());
    assert!(
        state.progress.completed.is_empty(),
        "show me does not count"
    );
    assert_eq!(state.progress.seen, ["rename"]);
    // Doing it by hand afterwards in the same run does not count either.
    state.reduce(checked("rename", &[false, true]));
    state.reduce(checked("rename", &[true, true]));
    assert!(state.progress.completed.is_empty());
    // A reload keeps that the solution was shown in this run.
    let text = serde_json::to_string(&state.progress).unwrap();
    let mut state = LessonState::resume(serde_json::from_str(&text).unwrap());
    state.reduce(checked("rename", &[true, true]));
    assert!(state.progress.completed.is_empty(), "not after a reload");
    // A restart and a run without show me: done, and still seen.
    state.reduce(LessonAction::Started);
    state.reduce(stepped());
    state.reduce(checked("rename", &[true, true]));
    assert!(state.earned());
    assert_eq!(state.progress.completed, ["rename"]);
    assert_eq!(state.progress.seen, ["rename"]);
}

#[test]
fn a_world_counts_its_lessons_done_and_those_only_seen() {
    let world = ["create-all", "rename", "backups"];
    let mut state = LessonState::default();
    assert_eq!(
        state.world_count(world),
        WorldCount {
            done: 0,
            seen: 0,
            total: 3
        }
    );
    assert_eq!(state.world_count(world).label(), "0/3");
    assert_eq!(state.world_count(world).sentence(), "0 of 3 done");
    // Rename shown, then done by hand; backups only shown; a lesson of another world done.
    for action in [
        LessonAction::Pick("rename".into()),
        LessonAction::Started,
        stepped(),
        LessonAction::ShowMe,
        stepped(),
        checked("rename", &[true]),
        LessonAction::Started,
        stepped(),
        checked("rename", &[true]),
        LessonAction::Pick("backups".into()),
        LessonAction::Started,
        stepped(),
        LessonAction::ShowMe,
        stepped(),
        checked("backups", &[true]),
        LessonAction::Pick("two-heads".into()),
        LessonAction::Started,
        stepped(),
        checked("two-heads", &[true]),
    ] {
        state.reduce(action);
    }
    let count = state.world_count(world);
    assert_eq!(
        count,
        WorldCount {
            done: 1,
            seen: 1,
            total: 3
        },
        "rename is done (not also seen), backups seen, two-heads is not in this world"
    );
    assert_eq!(count.label(), "1/3 · 1 seen");
    assert_eq!(
        count.sentence(),
        "1 of 3 done, 1 seen (shown, not done yet)"
    );
}

/// A staged lesson's answers: its first stage's two checks, the marker that begins the
/// second, and the second's two (as `Lesson::conditions` lays them out).
const FIRST: [bool; 5] = [true, true, true, false, false];
const BOTH: [bool; 5] = [true; 5];

#[test]
fn a_staged_lesson_is_done_only_when_its_last_stage_passes() {
    let mut state = run([
        LessonAction::Pick("rename".into()),
        LessonAction::Started,
        stepped(),
        checked("rename", &[true, false, false, false, false]),
    ]);
    assert!(!state.complete());
    state.reduce(checked("rename", &FIRST));
    assert!(!state.complete() && !state.earned(), "one stage of two");
    assert!(state.progress.completed.is_empty());
    // The second stage before the first (its checks pass, the marker does not): not done.
    state.reduce(checked("rename", &[false, false, false, true, true]));
    assert!(state.progress.completed.is_empty());
    state.reduce(checked("rename", &BOTH));
    assert!(state.earned());
    assert_eq!(state.progress.completed, ["rename"]);
}

#[test]
fn show_me_for_one_stage_keeps_the_whole_staged_run_from_counting() {
    let mut state = run([
        LessonAction::Pick("rename".into()),
        LessonAction::Started,
        stepped(),
        LessonAction::ShowMe,
        stepped(),
        checked("rename", &FIRST),
    ]);
    assert_eq!(state.progress.seen, ["rename"]);
    // The second stage done by hand: the run still does not count.
    state.reduce(checked("rename", &BOTH));
    assert!(state.complete() && !state.earned());
    assert!(state.progress.completed.is_empty());
    // A restart and both stages by hand: done.
    state.reduce(LessonAction::Started);
    state.reduce(stepped());
    state.reduce(checked("rename", &FIRST));
    assert!(state.progress.completed.is_empty());
    state.reduce(checked("rename", &BOTH));
    assert_eq!(state.progress.completed, ["rename"]);
}

fn goal(lesson: &str, differs: usize) -> LessonAction {
    LessonAction::Goal(Goal {
        lesson: lesson.into(),
        diagram: Diagram::default(),
        differs,
        error: None,
    })
}

#[test]
fn a_goal_is_kept_for_the_open_lesson_and_cleared_by_a_restart() {
    let mut state = run([
        LessonAction::Pick("rename".into()),
        LessonAction::Started,
        goal("rename", 3),
    ]);
    assert_eq!(state.goal, None, "drawn while the setup still ran");
    state.reduce(stepped());
    state.reduce(goal("rename", 3));
    assert_eq!(state.goal.as_ref().map(|g| g.differs), Some(3));
    state.reduce(goal("backups", 0));
    assert_eq!(
        state.goal.as_ref().map(|g| g.differs),
        Some(3),
        "another lesson's"
    );
    state.reduce(LessonAction::Started);
    assert_eq!(state.goal, None);
}

#[test]
fn show_me_on_one_lesson_does_not_hold_back_the_next() {
    let state = run([
        LessonAction::Pick("rename".into()),
        LessonAction::Started,
        stepped(),
        LessonAction::ShowMe,
        stepped(),
        LessonAction::Pick("backups".into()),
        LessonAction::Started,
        stepped(),
        checked("backups", &[true]),
    ]);
    assert_eq!(state.progress.completed, ["backups"]);
    assert_eq!(state.progress.seen, ["rename"]);
}

#[test]
fn progress_kept_by_an_earlier_build_still_loads() {
    let old = r#"{"current":"rename","started":true,"completed":["autogenerate"],"open":true}"#;
    let progress: Progress = serde_json::from_str(old).unwrap();
    assert!(progress.seen.is_empty() && !progress.shown);
    assert_eq!(progress.completed, ["autogenerate"]);
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
            run: 2,
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
            run: 0,
            version: 1,
            error: None,
        },
        LessonAction::AppWrote {
            run: 0,
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
fn a_write_sent_before_a_restart_does_not_count_in_the_new_run() {
    let state = run([
        LessonAction::Pick("expand-contract".into()),
        LessonAction::Started,
        stepped(),
    ]);
    let before = state.run;
    let mut state = state;
    state.reduce(LessonAction::Started);
    // The failing write of the first run answers after the restart.
    state.reduce(LessonAction::AppWrote {
        run: before,
        version: 3,
        error: Some("no such column: phone".into()),
    });
    assert_eq!(state.app, AppRun::default());
    state.reduce(LessonAction::AppWrote {
        run: state.run,
        version: 1,
        error: None,
    });
    assert_eq!((state.app.writes, state.app.failures), (1, 0));
}

#[test]
fn the_app_waits_for_answers_but_never_for_ever() {
    let mut throttle = AppThrottle::default();
    assert!(throttle.tick(0) && throttle.tick(2));
    // At the limit it holds back, until the worker has been silent for too long.
    for _ in 1..APP_STALLED_TICKS {
        assert!(!throttle.tick(APP_IN_FLIGHT));
    }
    assert!(throttle.tick(APP_IN_FLIGHT), "the stuck count is set aside");
    // The three it gave up on no longer count; new writes do.
    assert!(throttle.tick(APP_IN_FLIGHT + 1));
    assert!(throttle.tick(APP_IN_FLIGHT + 2));
    assert!(!throttle.tick(APP_IN_FLIGHT * 2));
    // The count going down to one means at most one of the set-aside writes is still
    // lost; the limit applies to the rest again.
    assert!(throttle.tick(1));
    assert!(!throttle.tick(APP_IN_FLIGHT + 1));
    // An answer arriving resets the patience: a slow worker is not a stuck count.
    assert!(throttle.tick(APP_IN_FLIGHT));
    for _ in 1..APP_STALLED_TICKS {
        assert!(!throttle.tick(APP_IN_FLIGHT + 1));
    }
}

#[test]
fn progress_survives_a_round_trip_through_json() {
    let progress = Progress {
        current: Some("rename".into()),
        started: true,
        completed: vec!["autogenerate".into()],
        open: true,
        seen: vec!["rename".into()],
        shown: true,
    };
    let text = serde_json::to_string(&progress).unwrap();
    assert_eq!(serde_json::from_str::<Progress>(&text).unwrap(), progress);
}
