//! The question the page asks before a request that cannot be taken back: restoring a backup
//! (as `strata restore` does, the database it replaces is kept as a backup first) and
//! discarding a pending revision. Its test ids name the question (`confirm-restore`,
//! `confirm-discard`, each with `-yes` and `-no`).

use yew::prelude::*;

use crate::state::Question;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub question: Question,
    /// `true`: go on; `false`: leave things as they are.
    pub on_answer: Callback<bool>,
}

#[function_component(QuestionDialog)]
pub fn question_dialog(props: &Props) -> Html {
    let (key, title, text, go) = match &props.question {
        Question::Restore { id, label, created } => (
            "restore",
            format!("Restore backup {id}?"),
            format!(
                "The database, its revisions and the model become what backup {id} ({label}, {created}) holds. What the database holds now is kept first as a backup labelled \u{201c}before restore\u{201d}, so this can be undone; revisions saved since the backup stay, as pending."
            ),
            "Restore",
        ),
        Question::Discard { id, message } => (
            "discard",
            format!("Discard revision {id}?"),
            format!(
                "Revision {id} ({message}) is pending: the database has not run it, so no data changes. Its SQL is forgotten; the model stays in the editor, so you can save a better revision."
            ),
            "Discard",
        ),
    };
    html! {
        <div class="overlay">
            <div class="dialog" role="alertdialog" aria-labelledby="question-title" data-testid={format!("confirm-{key}")}>
                <h3 id="question-title">{ title }</h3>
                <p>{ text }</p>
                <div class="dialog-buttons">
                    <button class="button" data-testid={format!("confirm-{key}-no")}
                        onclick={props.on_answer.reform(|_: MouseEvent| false)}>{ "Cancel" }</button>
                    <button class="button danger" data-testid={format!("confirm-{key}-yes")}
                        onclick={props.on_answer.reform(|_: MouseEvent| true)}>{ go }</button>
                </div>
            </div>
        </div>
    }
}
