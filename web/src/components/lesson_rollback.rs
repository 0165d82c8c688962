//! Inside a lesson stage: the rollback file the learner writes, saved as the down SQL of a
//! pending revision (a `down` step). Whether it is right is for the stage's checks, which run
//! it; this only keeps the text and sends it.

use yew::prelude::*;

use crate::lessons::RollbackEditor;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub editor: RollbackEditor,
    /// What the revision's down SQL holds now, if the panel knows it (the text starts there).
    pub current: Option<String>,
    pub disabled: bool,
    pub on_save: Callback<String>,
}

#[function_component(RollbackEditorView)]
pub fn rollback_editor_view(props: &Props) -> Html {
    let file = props.editor.file.clone();
    let text = use_state(|| {
        props
            .current
            .clone()
            .filter(|down| !down.trim().is_empty())
            .unwrap_or_else(|| format!("-- {file}\n"))
    });
    let on_input = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let area: web_sys::HtmlTextAreaElement = e.target_unchecked_into();
            text.set(area.value());
        })
    };
    let on_save = {
        let (text, on_save) = (text.clone(), props.on_save.clone());
        Callback::from(move |_: MouseEvent| on_save.emit((*text).clone()))
    };
    html! {
        <div class="rollback-editor" data-testid="lesson-rollback">
            <label class="small" for="lesson-rollback-text">
                <code>{ &props.editor.file }</code>
                { format!(": the down SQL of {}", props.editor.revision) }
            </label>
            <textarea id="lesson-rollback-text" class="code" data-testid="lesson-rollback-text" rows="4"
                spellcheck="false" value={(*text).clone()} oninput={on_input} />
            <button class="button small" data-testid="lesson-rollback-save" disabled={props.disabled}
                onclick={on_save}>{ format!("Save as the down SQL of {}", props.editor.revision) }</button>
        </div>
    }
}
