//! Autogenerate and save: the change list with lint badges, rename prompts, the up and down SQL
//! side by side, and the message and button that record it as a revision.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::services::protocol::Migration;
use strata_core::Rename;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub migration: Option<Migration>,
    pub message: AttrValue,
    pub error: Option<AttrValue>,
    pub notice: Option<AttrValue>,
    pub busy: bool,
    pub on_autogenerate: Callback<()>,
    /// The visitor answered yes to a rename prompt.
    pub on_confirm: Callback<Rename>,
    pub on_message: Callback<String>,
    pub on_save: Callback<()>,
}

#[function_component(MigrationPanel)]
pub fn migration_panel(props: &Props) -> Html {
    let on_input = props
        .on_message
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
    let can_save = props
        .migration
        .as_ref()
        .is_some_and(|m| !m.changes.is_empty());
    let on_save = props.on_save.clone();
    let on_keydown = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" && can_save {
            on_save.emit(());
        }
    });
    html! {
        <div class="migration-panel">
            <div class="panel-head">
                <button class="button primary" data-testid="autogenerate" disabled={props.busy}
                    title="Diff the head revision's schema against the model"
                    onclick={props.on_autogenerate.reform(|_: MouseEvent| ())}>{ "Autogenerate" }</button>
                <input class="message-input" data-testid="revision-message" type="text"
                    placeholder="Revision message, e.g. add phone to users" aria-label="Revision message"
                    value={props.message.clone()} oninput={on_input} onkeydown={on_keydown} />
                <button class="button" data-testid="save-revision" disabled={props.busy || !can_save}
                    onclick={props.on_save.reform(|_: MouseEvent| ())}>{ "Save revision" }</button>
            </div>
            if let Some(error) = &props.error {
                <p class="error" role="alert" data-testid="error">{ error }</p>
            }
            if let Some(notice) = &props.notice {
                <p class="ok notice" data-testid="notice">{ notice }</p>
            }
            { match &props.migration {
                Some(m) if !m.changes.is_empty() => details(m, &props.on_confirm),
                Some(m) if !m.candidates.is_empty() => details(m, &props.on_confirm),
                Some(_) => html! {},
                None if props.error.is_none() && props.notice.is_none() => html! {
                    <p class="muted">{ "Edit the model, then Autogenerate: strata diffs the head revision's schema against it." }</p>
                },
                None => html! {},
            } }
        </div>
    }
}

fn details(m: &Migration, on_confirm: &Callback<Rename>) -> Html {
    html! {
        <>
            <ul class="changes" data-testid="changes">
                { for m.changes.iter().enumerate().map(|(i, change)| html! {
                    <li>
                        <span>{ change }</span>
                        { for m.findings.iter().filter(|f| f.change == i).map(|f| html! {
                            <span class={classes!("lint", f.kind.clone())} data-testid={format!("lint-{}", f.kind)}
                                title={format!("{} {}", f.message, f.advice)}>{ &f.kind }</span>
                        }) }
                    </li>
                }) }
            </ul>
            { for m.candidates.iter().map(|c| {
                let rename = c.rename.clone();
                html! {
                    <p class="prompt" data-testid="rename-prompt">
                        <span>{ capitalise(&c.question) }</span>
                        <button class="button small" data-testid="confirm-rename"
                            onclick={on_confirm.reform(move |_: MouseEvent| rename.clone())}>{ "Yes, a rename" }</button>
                    </p>
                }
            }) }
            <div class="sides">
                <div>
                    <h3>{ "up" }</h3>
                    <pre class="code sql" data-testid="migration-up-sql">{ m.up_sql.trim_end() }</pre>
                </div>
                <div>
                    <h3>{ "down" }</h3>
                    <pre class="code sql" data-testid="migration-down-sql">{ m.down_sql.trim_end() }</pre>
                </div>
            </div>
        </>
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
