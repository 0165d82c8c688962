//! The dialog that makes an exercise of the project as it is: the teacher writes the goal in
//! the model editor (without applying it), leaves the database where the learner starts, and
//! gives a title, a short markdown text and optional row checks here; the worker checks the
//! exercise as a learner's page will, and the dialog shows its link.
//!
//! Test ids: `exercise-dialog`, `exercise-title`, `exercise-text`, `exercise-checks`,
//! `exercise-make`, `exercise-url`, `exercise-copy`, `exercise-error`, `exercise-close`.

use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

/// What the teacher typed: title, text and row-check lines.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Draft {
    pub title: String,
    pub text: String,
    pub checks: String,
}

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The whole link, once made.
    pub link: Option<AttrValue>,
    pub error: Option<AttrValue>,
    pub busy: bool,
    pub on_make: Callback<Draft>,
    pub on_close: Callback<()>,
}

#[function_component(ExerciseDialog)]
pub fn exercise_dialog(props: &Props) -> Html {
    let draft = use_state(Draft::default);
    let link_field = use_node_ref();
    let edit = |set: fn(&mut Draft, String)| {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            let target = e.target();
            let value = target
                .clone()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<HtmlInputElement>(t).ok())
                .map(|i| i.value())
                .or_else(|| {
                    target
                        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<HtmlTextAreaElement>(t).ok())
                        .map(|t| t.value())
                })
                .unwrap_or_default();
            let mut next = (*draft).clone();
            set(&mut next, value);
            draft.set(next);
        })
    };
    let on_make = {
        let draft = draft.clone();
        props.on_make.reform(move |_: MouseEvent| (*draft).clone())
    };
    let on_copy = {
        let link_field = link_field.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(field) = link_field.cast::<HtmlInputElement>() {
                field.select();
                if let Some(window) = web_sys::window() {
                    let _ = window.navigator().clipboard().write_text(&field.value());
                }
            }
        })
    };
    html! {
        <div class="overlay">
            <div class="dialog wide exercise-dialog" role="dialog" aria-labelledby="exercise-heading" data-testid="exercise-dialog">
                <h3 id="exercise-heading">{ "Make an exercise of this project" }</h3>
                <p class="small">{ "The learner starts from the database as it is now (its revisions, what is applied, its rows), and must reach the model in the editor as the goal, through a revision. So write the goal in the model editor and do not apply it; the checks also hold the rows you name here." }</p>
                <label class="field">{ "Title" }
                    <input data-testid="exercise-title" value={draft.title.clone()} maxlength="120"
                        oninput={edit(|d, v| d.title = v)} />
                </label>
                <label class="field">{ "Text (markdown: text, code and http(s) links; no HTML or images)" }
                    <textarea data-testid="exercise-text" rows="4" value={draft.text.clone()}
                        oninput={edit(|d, v| d.text = v)} />
                </label>
                <label class="field">{ "Row checks, one per line: a SELECT, then => and the rows it must give (values separated by commas, rows by semicolons); without =>, what it gives now must be kept" }
                    <textarea class="mono" data-testid="exercise-checks" rows="3" value={draft.checks.clone()}
                        placeholder={strata_core::exercise::CHECK_EXAMPLE}
                        oninput={edit(|d, v| d.checks = v)} />
                </label>
                if let Some(error) = &props.error {
                    <p class="error" role="alert" data-testid="exercise-error">{ error }</p>
                }
                if let Some(link) = &props.link {
                    <div class="share-row">
                        <input ref={link_field} class="share-url" data-testid="exercise-url" readonly=true
                            aria-label="Exercise link" value={link.clone()}
                            onfocus={Callback::from(|e: FocusEvent| e.target_unchecked_into::<HtmlInputElement>().select())} />
                        <button class="button small" data-testid="exercise-copy" onclick={on_copy}>{ "Copy" }</button>
                    </div>
                }
                <div class="dialog-buttons">
                    <button class="button" data-testid="exercise-close"
                        onclick={props.on_close.reform(|_: MouseEvent| ())}>{ "Close" }</button>
                    <button class="button primary" data-testid="exercise-make" disabled={props.busy}
                        onclick={on_make}>{ "Make link" }</button>
                </div>
            </div>
        </div>
    }
}
