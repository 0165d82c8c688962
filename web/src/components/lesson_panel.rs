//! The lesson panel: the list of lessons in their worlds with what is done and seen, the open lesson's text, its task
//! and checklist (for a staged lesson, its stages with those passed and the current one's
//! task and checks), its goal schema drawn with what the database still lacks marked, and the
//! controls that start it, hint at it and show how it is done.
//!
//! The panel only dispatches lesson actions and asks for steps to run; what a step does is the
//! worker's business (strata-engine's `workspace/lesson.rs`) and what the panel shows follows from
//! `lessons::progress::LessonState`. [`use_lesson_watch`] holds the two things that happen on
//! their own while a lesson is started: evaluating its checks after every reply, and the
//! simulated app's writes.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::lesson_commit::LessonCommitView;
use super::lesson_rollback::RollbackEditorView;
use super::schema_diagram::SchemaDiagram;
use crate::lessons::markdown;
use crate::lessons::progress::{AppThrottle, LessonAction, LessonState, Progress};
use crate::lessons::{self, Lesson};
use crate::services::protocol::{GoalVersion, Mark, Request, Snapshot, Step};

/// Where the progress through the lessons is kept between visits.
const PROGRESS_KEY: &str = "strata.lessons";

/// How often the simulated app writes.
const APP_EVERY_MS: i32 = 300;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lessons: Rc<Vec<Lesson>>,
    pub state: LessonState,
    pub busy: bool,
    pub on_action: Callback<LessonAction>,
    /// Runs steps in the worker after dispatching the action that says why.
    pub on_steps: Callback<(LessonAction, Vec<Step>)>,
    /// Opens the dialog that makes an exercise of the project.
    pub on_make_exercise: Callback<()>,
}

#[function_component(LessonPanel)]
pub fn lesson_panel(props: &Props) -> Html {
    let state = &props.state;
    // The count is of the built-in lessons; an opened exercise is listed apart.
    let built_in = props.lessons.iter().filter(|l| !l.exercise);
    let total = built_in.clone().count();
    let done = built_in.filter(|l| state.is_done(&l.slug)).count();
    let current = state
        .progress
        .current
        .as_deref()
        .and_then(|slug| props.lessons.iter().find(|l| l.slug == slug));
    let chip = |lesson: &Lesson| {
        let slug = lesson.slug.clone();
        let is_current = current.is_some_and(|c| c.slug == lesson.slug);
        let is_done = state.is_done(&lesson.slug);
        let is_seen = state.is_seen(&lesson.slug);
        let title = match (is_done, is_seen) {
            (true, _) => format!("{} (done)", lesson.title),
            (false, true) => format!("{} (solution seen, not done yet)", lesson.title),
            (false, false) => lesson.title.clone(),
        };
        html! {
            <li>
                <button class={classes!("chip", is_current.then_some("current"), is_done.then_some("done"), (is_seen && !is_done).then_some("seen"))}
                    data-testid={format!("lesson-{}", lesson.slug)} data-done={is_done.to_string()}
                    data-seen={is_seen.to_string()}
                    title={title} aria-label={if lesson.exercise { format!("Exercise: {}", lesson.title) } else { format!("Lesson {}: {}", lesson.number, lesson.title) }}
                    onclick={props.on_action.reform(move |_: MouseEvent| LessonAction::Pick(slug.clone()))}>
                    { if lesson.exercise { "E".to_owned() } else { lesson.number.to_string() } }
                </button>
            </li>
        }
    };
    let worlds = lessons::by_world(&props.lessons).into_iter().map(|(world, members)| {
        let count = state.world_count(members.iter().map(|l| l.slug.as_str()));
        html! {
            <div class="world" data-testid={format!("lesson-world-{}", world.id)}
                data-done={count.done.to_string()} data-seen={count.seen.to_string()}
                data-total={count.total.to_string()}>
                <span class="world-title" title={format!("{}: {}", world.title, count.sentence())}>{ world.title }
                    <span class={classes!("world-count", (count.total > 0 && count.done == count.total).then_some("solved"))}
                        data-testid={format!("lesson-world-{}-count", world.id)}>{ count.label() }</span>
                </span>
                <ol class="lesson-chips">{ for members.into_iter().map(chip) }</ol>
            </div>
        }
    });
    html! {
        <section class="lesson-panel" data-testid="lesson-panel" aria-label="Lessons">
            <div class="lesson-top">
                <h2>{ "Lessons" }</h2>
                <span class="badge ok" data-testid="lesson-progress">
                    { format!("{done} of {total} done") }
                </span>
                <button class="close" title="Close the lessons" aria-label="Close the lessons"
                    onclick={props.on_action.reform(|_: MouseEvent| LessonAction::Toggle)}>{ "×" }</button>
            </div>
            <div class="lesson-worlds">{ for worlds }
                { for props.lessons.iter().filter(|l| l.exercise).map(|exercise| html! {
                    <div class="world" data-testid="lesson-world-exercise">
                        <span class="world-title" title={exercise.title.clone()}>{ "Exercise" }</span>
                        <ol class="lesson-chips">{ chip(exercise) }</ol>
                    </div>
                }) }
            </div>
            if let Some(preview) = &state.preview {
                <article class="lesson preview" data-testid="lesson-preview">
                    <div class="lesson-top">
                        <h3>{ "Preview of a lesson file" }</h3>
                        <button class="button small" data-testid="lesson-preview-close"
                            onclick={props.on_action.reform(|_: MouseEvent| LessonAction::Preview(None))}>{ "Close preview" }</button>
                    </div>
                    <div class="prose">{ Html::from_html_unchecked(AttrValue::from(markdown::render(preview))) }</div>
                </article>
            } else {
            { match current {
                Some(lesson) => body(lesson, props),
                None => html! {
                    <p class="muted lesson-intro">{ "Each lesson sets up a small project, explains one idea, and gives you a task. Pick one to begin; the numbers go from first steps to production habits." }</p>
                },
            } }
            }
            // Lesson authors check how a file reads before adding it; what it renders goes
            // through the same filter as the built-in lessons.
            // Both ways for authors share one line, so the lesson above keeps its room.
            <div class="lesson-authoring">
            <button class="make-exercise muted small" data-testid="make-exercise"
                title="Share this project as an exercise: the database as it is is the start, the model in the editor the goal"
                onclick={props.on_make_exercise.reform(|_: MouseEvent| ())}>{ "Make an exercise…" }</button>
            <label class="preview-file muted small" title="Render a lesson markdown file here, to check how it reads">
                { "Preview a lesson file…" }
                <input type="file" accept=".md,text/markdown,text/plain" data-testid="lesson-preview-file"
                    onchange={preview_file(props.on_action.clone())} />
            </label>
            </div>
        </section>
    }
}

fn body(lesson: &Lesson, props: &Props) -> Html {
    let state = &props.state;
    let started = state.progress.started;
    // Start and Restart both throw away what the database holds, and after a start the
    // visitor may well have gone on to other work (an import, a project of their own), which
    // `started` in the kept progress knows nothing about. So every start keeps a backup first.
    let start = {
        let mut steps = lesson.setup.clone();
        // Automatic: restarting a lesson many times keeps only its newest few. An exercise's
        // setup loads its start, which keeps its own ("before exercise").
        if !lesson.exercise {
            let label = format!("before lesson {}", lesson.number);
            steps.insert(0, Step::KeepBefore { label });
        }
        props
            .on_steps
            .reform(move |_: MouseEvent| (LessonAction::Started, steps.clone()))
    };
    // A staged lesson shows one stage at a time, and "show me" shows the stage at hand.
    let stages = lesson.stages();
    let reached = lesson.stage_reached(&state.passed);
    let stage = stages[reached];
    let staged = stages.len() > 1;
    let show_me = {
        let steps = stage.show_me.to_vec();
        props
            .on_steps
            .reform(move |_: MouseEvent| (LessonAction::ShowMe, steps.clone()))
    };
    let text = Html::from_html_unchecked(AttrValue::from(markdown::render(&lesson.body)));
    let task = Html::from_html_unchecked(AttrValue::from(markdown::render(&lesson.task)));
    let hint = Html::from_html_unchecked(AttrValue::from(markdown::render(&lesson.hint)));
    let tools = lesson.tools.iter().enumerate().map(|(i, tool)| {
        let steps = tool.steps.clone();
        html! {
            <button class="button small" data-testid={format!("lesson-tool-{}", i + 1)}
                disabled={props.busy || !started}
                onclick={props.on_steps.reform(move |_: MouseEvent| (LessonAction::StepsSent, steps.clone()))}>
                { &tool.label }
            </button>
        }
    });
    // The controls and the lesson's tools sit below the article, outside its scrolling, so they
    // are always in view however long the text, the task and the hint are.
    html! {
        <>
        <article class="lesson" data-testid="lesson">
            <h3 class="lesson-title">{ if lesson.exercise { format!("Exercise: {}", lesson.title) } else { format!("{}. {}", lesson.number, lesson.title) } }</h3>
            <div class="prose" data-testid="lesson-text">{ text }</div>
            <div class="task">
                <h4>{ "Your task" }</h4>
                <div class="prose">{ task }</div>
                if staged {
                    <ol class="stages" data-testid="lesson-stages" data-stage={(reached + 1).to_string()}
                        data-stages={stages.len().to_string()}>
                        { for stages.iter().enumerate().map(|(i, s)| {
                            let (class, mark) = match i.cmp(&reached) {
                                std::cmp::Ordering::Less => ("passed", "✓".to_owned()),
                                std::cmp::Ordering::Equal => ("current", (i + 1).to_string()),
                                std::cmp::Ordering::Greater => ("later", (i + 1).to_string()),
                            };
                            html! {
                                <li class={classes!("stage", class)} data-testid={format!("lesson-stage-{}", i + 1)}
                                    data-state={class}>
                                    <span class="mark" aria-hidden="true">{ mark }</span>
                                    <span class="stage-title">{ format!("Stage {}: {}", i + 1, s.title.unwrap_or_default()) }</span>
                                </li>
                            }
                        }) }
                    </ol>
                    <div class="prose stage-task" data-testid="lesson-stage-task">
                        { Html::from_html_unchecked(AttrValue::from(markdown::render(stage.task))) }
                    </div>
                }
                if let (true, Some(editor)) = (started, stage.rollback) {
                    { rollback_editor(editor, props) }
                }
                if started {
                    <ul class="checks" data-testid="lesson-checks"
                        data-checked={state.checked(lesson.conditions().len()).to_string()}>
                        { for stage.checks.iter().zip(lesson.stage_passed(&stage, &state.passed)).map(|(check, pass)| {
                            html! {
                                <li class={classes!(pass.then_some("pass"))} data-pass={pass.to_string()}>
                                    <span class="mark" aria-hidden="true">{ if pass { "✓" } else { "○" } }</span>
                                    { &check.what }
                                </li>
                            }
                        }) }
                    </ul>
                } else if lesson.exercise {
                    <p class="muted small">{ "Start puts the exercise's start in place of what the playground holds now, which is kept first as a backup called \u{201c}before exercise\u{201d} (Backups, in the Database column)." }</p>
                } else {
                    <p class="muted small">{ format!("Start sets up the lesson's project and database in place of what the playground holds now. Start and Restart both keep that first as a backup called \u{201c}before lesson {}\u{201d}, which you can restore (Backups, in the Database column).", lesson.number) }</p>
                }
                if state.earned() {
                    <p class="complete" data-testid="lesson-complete" role="status">{ "✓ Lesson complete. Well done!" }</p>
                } else if state.complete() {
                    <p class="shown" data-testid="lesson-shown" role="status">{ "That is how it is done. Show me does not count: Restart and do it yourself to mark the lesson done." }</p>
                } else if started && state.progress.shown && staged {
                    <p class="shown small" data-testid="lesson-shown-stage" role="status">{ "Show me did a stage of this run, so the run will not count: Restart to do it all yourself." }</p>
                }
            </div>
            if let (true, Some(_), Some(goal)) = (started, stage.goal, state.goal.as_ref().filter(|g| g.lesson == lesson.slug)) {
                <div class="goal" data-testid="lesson-goal" data-differs={goal.differs.to_string()}>
                    <p class="small goal-status">
                        if let Some(error) = &goal.error {
                            <span class="error">{ error }</span>
                        } else if goal.differs == 0 {
                            { "The database matches the goal." }
                        } else {
                            { format!("The goal{}: {} part{} of the database still differ{} from it (marked).",
                                if staged { " of this stage" } else { "" },
                                goal.differs, if goal.differs == 1 { "" } else { "s" }, if goal.differs == 1 { "s" } else { "" }) }
                        }
                    </p>
                    <SchemaDiagram diagram={goal.diagram.clone()} compared={goal.differs > 0} goal={true} />
                    if !goal.versions.is_empty() {
                        { goal_versions(&goal.versions) }
                    }
                </div>
            }
            if let (true, Some(commit)) = (started && lesson.show_commit, state.commit.as_ref().filter(|c| c.lesson == lesson.slug)) {
                <LessonCommitView commit={commit.clone()} />
            }
            if state.hint {
                <div class="prose hint-text" data-testid="lesson-hint-text">{ hint }</div>
            }
            if lesson.app.is_some() && started {
                <p class={classes!("app-status", (state.app.failures > 0).then_some("failing"))} data-testid="lesson-app"
                    data-stopped={state.app.stopped.to_string()}
                    data-writes={state.app.writes.to_string()} data-failures={state.app.failures.to_string()}>
                    { if state.app.stopped {
                        format!("App stopped: no requests ({} writes, {} failed before)", state.app.writes, state.app.failures)
                    } else {
                        format!("App v{} running: {} writes, {} failed", state.app.version.max(1), state.app.writes, state.app.failures)
                    } }
                    if let Some(error) = &state.app.last_error {
                        <span class="small">{ format!(" (last: {error})") }</span>
                    }
                </p>
            }
            if let Some(failed) = &state.failed {
                <p class="error" role="alert" data-testid="lesson-error">{ failed }</p>
            }
            if !state.notes.is_empty() {
                <ul class="notes" data-testid="lesson-notes">
                    { for state.notes.iter().map(|n| html! { <li>{ n }</li> }) }
                </ul>
            }
        </article>
        <div class="lesson-controls">
            if started {
                <button class="button" data-testid="lesson-restart" disabled={props.busy}
                    title="Set the lesson up again from the start; what the database holds now is kept as a backup first"
                    onclick={start}>{ "Restart" }</button>
            } else {
                <button class="button primary" data-testid="lesson-start" disabled={props.busy}
                    onclick={start}>{ "Start lesson" }</button>
            }
            <button class="button" data-testid="lesson-hint" disabled={!started || state.hint}
                onclick={props.on_action.reform(|_: MouseEvent| LessonAction::ShowHint)}>{ "Hint" }</button>
            <button class="button" data-testid="lesson-show-me" disabled={props.busy || !started || stage.show_me.is_empty()}
                title={if lesson.exercise { "An exercise has no Show me: its author gave the goal, not the way there" } else if staged { "Do this stage for me, step by step. A lesson solved this way is marked seen, not done: Restart and do it yourself for that" } else { "Do the task for me, step by step. A lesson solved this way is marked seen, not done: Restart and do it yourself for that" }}
                onclick={show_me}>{ if staged { "Show me this stage" } else { "Show me" } }</button>
        </div>
        if !lesson.tools.is_empty() {
            <div class="tools" data-testid="lesson-tools">{ for tools }</div>
        }
        </>
    }
}

/// The goal's `schema_version` rows beside the live ones: each row the goal wants, marked
/// applied or not yet, and each applied row it does not want, marked to revert.
fn goal_versions(rows: &[GoalVersion]) -> Html {
    html! {
        <table class="goal-versions" data-testid="goal-versions">
            <caption class="small">{ "schema_version: the goal's rows" }</caption>
            { for rows.iter().map(|row| {
                let state = match row.mark {
                    // The diagram's legend words: what is still to do to reach the goal.
                    Mark::Same => "applied",
                    Mark::Added => "to apply",
                    Mark::Removed => "to revert",
                    Mark::Changed => "to change",
                };
                html! {
                    <tr class={row.mark.label()} data-testid={format!("goal-version-{}", row.version)}
                        data-mark={row.mark.label()}>
                        <td class="version">{ &row.version }</td>
                        <td class="description">{ &row.description }</td>
                        <td class="state">{ state }</td>
                    </tr>
                }
            }) }
        </table>
    }
}

/// The stage's rollback editor, starting from the revision's down SQL when the panel has it
/// and started afresh by every run of the lesson.
fn rollback_editor(editor: &lessons::RollbackEditor, props: &Props) -> Html {
    let state = &props.state;
    let current = state
        .commit
        .as_ref()
        .and_then(|c| c.commit.as_deref())
        .filter(|c| c.id == editor.revision || c.message == editor.revision)
        .map(|c| c.down.clone());
    let on_save = {
        let revision = editor.revision.clone();
        props.on_steps.reform(move |sql: String| {
            let step = Step::Down {
                revision: revision.clone(),
                sql,
            };
            (LessonAction::StepsSent, vec![step])
        })
    };
    html! {
        <RollbackEditorView key={format!("rollback-{}", state.run)} editor={editor.clone()} {current}
            disabled={props.busy || !state.progress.started} {on_save} />
    }
}

/// Reads the chosen file and hands its text to the panel.
fn preview_file(on_action: Callback<LessonAction>) -> Callback<Event> {
    Callback::from(move |e: Event| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        input.set_value("");
        let on_action = on_action.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
                on_action.emit(LessonAction::Preview(text.as_string()));
            }
        });
    })
}

/// The lessons' side effects while one is started: its checks are evaluated after every reply
/// (the snapshot changed, so the answer may have), and its simulated app writes on a timer.
#[hook]
pub fn use_lesson_watch(
    lessons: Rc<Vec<Lesson>>,
    state: &LessonState,
    snapshot: &Snapshot,
    browse: &str,
    send: Callback<Request>,
) {
    let current = state
        .progress
        .current
        .as_deref()
        .and_then(|slug| lessons.iter().find(|l| l.slug == slug))
        .cloned();

    {
        let send = send.clone();
        let lesson = current.clone();
        let watching = state.watching();
        let browse = browse.to_owned();
        // Keyed on the snapshot: a check's own reply carries an equal snapshot, so checking
        // settles instead of repeating.
        use_effect_with(
            (
                snapshot.clone(),
                lesson.as_ref().map(|l| l.slug.clone()),
                watching,
            ),
            move |_| {
                if let (true, Some(lesson)) = (watching, lesson) {
                    send.emit(Request::Check {
                        lesson: lesson.slug.clone(),
                        checks: lesson.conditions(),
                        browse: Some(browse),
                    });
                }
            },
        );
    }

    // The goal of the stage at hand, drawn again whenever the database or the stage changes.
    {
        let send = send.clone();
        let watching = state.watching();
        let goal = current.as_ref().and_then(|lesson| {
            let stages = lesson.stages();
            let stage = stages[lesson.stage_reached(&state.passed)];
            stage.goal.map(|goal| {
                (
                    lesson.slug.clone(),
                    goal.to_owned(),
                    stage.goal_versions.to_vec(),
                )
            })
        });
        let browse = browse.to_owned();
        use_effect_with(
            (snapshot.clone(), goal, watching),
            move |(_, goal, watching)| {
                if let (true, Some((lesson, model, versions))) = (*watching, goal.clone()) {
                    send.emit(Request::LessonGoal {
                        lesson,
                        model,
                        versions,
                        browse: Some(browse),
                    });
                }
            },
        );
    }

    // The newest revision beside its Alembic script, made again whenever the revisions change.
    {
        let send = send.clone();
        let watching = state.watching();
        let slug = current
            .as_ref()
            .filter(|lesson| lesson.show_commit)
            .map(|lesson| lesson.slug.clone());
        let browse = browse.to_owned();
        use_effect_with(
            (snapshot.revisions.clone(), slug, watching),
            move |(_, slug, watching)| {
                if let (true, Some(lesson)) = (*watching, slug.clone()) {
                    send.emit(Request::LessonCommit {
                        lesson,
                        browse: Some(browse),
                    });
                }
            },
        );
    }

    // The interval reads how many background requests are waiting through this cell; its
    // throttle holds the app back while the worker is behind.
    let waiting = use_mut_ref(|| Rc::new(Cell::new(0u32)));
    waiting.borrow().set(state.background);
    {
        let app = current
            .as_ref()
            .filter(|_| state.progress.started)
            .and_then(|l| l.app.clone().map(|app| (l.slug.clone(), app, state.run)));
        let waiting = waiting.borrow().clone();
        let browse = browse.to_owned();
        use_effect_with(app, move |app| {
            // A new run (a restart) starts a new timer, whose writes carry its id.
            let timer = app.clone().and_then(|(_, app, run)| {
                let mut throttle = AppThrottle::default();
                let tick = Closure::<dyn FnMut()>::new(move || {
                    if throttle.tick(waiting.get()) {
                        send.emit(Request::AppWrite {
                            deployed: app.deployed.clone(),
                            writes: app.writes.clone(),
                            browse: Some(browse.clone()),
                            run,
                        });
                    }
                });
                let window = web_sys::window()?;
                let handle = window
                    .set_interval_with_callback_and_timeout_and_arguments_0(
                        tick.as_ref().unchecked_ref(),
                        APP_EVERY_MS,
                    )
                    .ok()?;
                Some((window, handle, tick))
            });
            move || {
                if let Some((window, handle, tick)) = timer {
                    window.clear_interval_with_handle(handle);
                    drop(tick);
                }
            }
        });
    }

    {
        let progress = state.progress.clone();
        use_effect_with(progress, save_progress);
    }
}

/// The progress kept from an earlier visit, or a fresh start.
pub fn load_progress() -> LessonState {
    let progress = local_storage()
        .and_then(|s| s.get_item(PROGRESS_KEY).ok().flatten())
        .and_then(|text| serde_json::from_str::<Progress>(&text).ok())
        .unwrap_or_default();
    LessonState::resume(progress)
}

fn save_progress(progress: &Progress) {
    // Storage can be full or disabled; progress then lasts as long as the page.
    if let (Some(storage), Ok(text)) = (local_storage(), serde_json::to_string(progress)) {
        let _ = storage.set_item(PROGRESS_KEY, &text);
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}
