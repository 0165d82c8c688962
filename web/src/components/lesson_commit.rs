//! Inside a lesson: the newest revision as the learner would commit it in their own
//! repository, strata's up and down SQL beside the Alembic script (`alembic/versions/….py`)
//! that strata-core's exporter makes of it. The worker makes both; this only draws them.

use yew::prelude::*;

use crate::lessons::progress::LessonCommit;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub commit: LessonCommit,
}

#[function_component(LessonCommitView)]
pub fn lesson_commit_view(props: &Props) -> Html {
    if let Some(error) = &props.commit.error {
        return html! { <p class="error small" data-testid="lesson-commit-error">{ error }</p> };
    }
    let Some(commit) = props.commit.commit.as_deref() else {
        return html! {};
    };
    let state = if commit.applied { "applied" } else { "pending" };
    html! {
        <details class="commit" data-testid="lesson-commit" data-revision={commit.id.clone()} open=true>
            <summary class="small">
                { "What you would commit for " }
                <q>{ &commit.message }</q>
                { format!(" ({state}): ") }
                <code data-testid="lesson-commit-path">{ &commit.path }</code>
            </summary>
            <div class="commit-sides">
                <div class="commit-side">
                    <h5>{ "strata's SQL" }</h5>
                    <pre class="code sql" data-testid="lesson-commit-up">{ format!("-- up\n{}", commit.up.trim_end()) }</pre>
                    <pre class="code sql" data-testid="lesson-commit-down">{ format!("-- down\n{}", commit.down.trim_end()) }</pre>
                </div>
                <div class="commit-side">
                    <h5>{ "Alembic script" }</h5>
                    <pre class="code" data-testid="lesson-commit-alembic">{ commit.alembic.trim_end() }</pre>
                </div>
            </div>
            if !commit.faithful {
                <p class="muted small">{ "Written or edited by hand, so the script runs this SQLite SQL as written (op.execute)." }</p>
            }
        </details>
    }
}
