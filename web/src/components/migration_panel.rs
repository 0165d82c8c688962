//! Autogenerate and save: the change list with lint badges, rename prompts, the up and down SQL
//! side by side, and the message and button that record it as a revision.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::services::protocol::{CreateAllReport, Migration};
use strata_core::answers::Decline;
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
    /// The visitor answered no to a rename prompt.
    pub on_decline: Callback<Rename>,
    /// The prompts answered no so far.
    pub declined: Vec<Decline>,
    /// Whether there is something to save and every prompt has an answer.
    pub can_save: bool,
    pub on_message: Callback<String>,
    pub on_save: Callback<()>,
    /// The revision the next migration builds on, when it is not the head.
    pub parent: Option<AttrValue>,
    /// Goes back to building on the head.
    pub on_cancel_branch: Callback<()>,
    /// The last create_all() simulation.
    pub create_all: Option<CreateAllReport>,
    /// Simulates create_all() (`false`) or runs it (`true`).
    pub on_create_all: Callback<bool>,
    pub on_close_create_all: Callback<()>,
}

#[function_component(MigrationPanel)]
pub fn migration_panel(props: &Props) -> Html {
    let on_input = props
        .on_message
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
    let can_save = props.can_save;
    let on_save = props.on_save.clone();
    let busy = props.busy;
    let on_keydown = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" && can_save && !busy {
            on_save.emit(());
        }
    });
    html! {
        <div class="migration-panel">
            <div class="panel-head">
                <button class="button primary" data-testid="autogenerate" disabled={props.busy}
                    title="Diff the head revision's schema against the model"
                    onclick={props.on_autogenerate.reform(|_: MouseEvent| ())}>{ "Autogenerate" }</button>
                <button class="button" data-testid="create-all" disabled={props.busy}
                    title="What would SQLModel.metadata.create_all() do to this database?"
                    onclick={props.on_create_all.reform(|_: MouseEvent| false)}>{ "create_all()?" }</button>
                <span class="muted small">{ match &props.parent {
                    Some(p) => format!("revision {p} → model"),
                    None => "head revision → model".to_owned(),
                } }</span>
            </div>
            if let Some(parent) = &props.parent {
                <p class="branch-note" data-testid="branch-note">
                    { format!("The next revision starts a branch from {parent}.") }
                    <button class="button small" data-testid="cancel-branch"
                        onclick={props.on_cancel_branch.reform(|_: MouseEvent| ())}>{ "Build on the head" }</button>
                </p>
            }
            if let Some(report) = &props.create_all {
                { create_all(report, props) }
            }
            if let Some(error) = &props.error {
                <p class="error" role="alert" data-testid="error">{ error }</p>
            }
            if let Some(notice) = &props.notice {
                <p class="ok notice" data-testid="notice">{ notice }</p>
            }
            { match &props.migration {
                Some(m) if !m.changes.is_empty() || !m.candidates.is_empty() => details(m, props),
                Some(_) => html! {},
                None if props.error.is_none() && props.notice.is_none() => html! {
                    <p class="muted">{ "Edit the model, then Autogenerate: strata diffs the head revision's schema against it." }</p>
                },
                None => html! {},
            } }
            <div class="save-row">
                <input class="message-input" data-testid="revision-message" type="text"
                    placeholder="Message, e.g. add phone to users" aria-label="Revision message"
                    value={props.message.clone()} oninput={on_input} onkeydown={on_keydown} />
                <button class="button" data-testid="save-revision" disabled={props.busy || !can_save}
                    title={if can_save || props.migration.as_ref().is_none_or(|m| m.candidates.is_empty()) {
                        "Record this migration as a revision on top of the head"
                    } else {
                        "Answer every rename question first: yes keeps the values, no drops them"
                    }}
                    onclick={props.on_save.reform(|_: MouseEvent| ())}>{ "Save revision" }</button>
            </div>
        </div>
    }
}

fn details(m: &Migration, props: &Props) -> Html {
    html! {
        <>
            <p class="muted timing" data-testid="autogen-ms">
                { format!("{} change{} · autogenerated in {:.1} ms", m.changes.len(), if m.changes.len() == 1 { "" } else { "s" }, m.millis) }
            </p>
            <ul class="changes" data-testid="changes">
                { for m.changes.iter().enumerate().map(|(i, change)| html! {
                    <li>
                        <span>{ change }</span>
                        { for m.findings.iter().filter(|f| f.change == i).map(|f| {
                            let counted = f.rows.map(|n| format!(" · {n} row{}", if n == 1 { "" } else { "s" }));
                            html! {
                                <span class={classes!("lint", f.kind.clone(), counted.is_some().then_some("counted"))}
                                    data-testid={format!("lint-{}", f.kind)}
                                    title={format!("{} {}", f.message, f.advice)}>{ &f.kind }{ counted.unwrap_or_default() }</span>
                            }
                        }) }
                    </li>
                }) }
            </ul>
            { for m.candidates.iter().map(|c| {
                let (yes, no) = (c.rename.clone(), c.rename.clone());
                // A "no" stays on the prompt (the drop and the add shown are what it means); a
                // "yes" autogenerates again, and the question is gone.
                let declined = props.declined.iter().any(|d| d.answers(&c.rename));
                html! {
                    <p class="prompt" data-testid="rename-prompt" data-answer={if declined { "no" } else { "" }}>
                        <span>{ capitalise(&c.question) }</span>
                        <button class="button small" data-testid="confirm-rename"
                            onclick={props.on_confirm.reform(move |_: MouseEvent| yes.clone())}>{ "Yes, a rename" }</button>
                        <button class={classes!("button", "small", declined.then_some("chosen"))} data-testid="decline-rename"
                            aria-pressed={if declined { "true" } else { "false" }}
                            title="No: the old column is dropped with its values, and the new one starts empty"
                            onclick={props.on_decline.reform(move |_: MouseEvent| no.clone())}>{ "No, drop and add" }</button>
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

/// The create_all() report: what it creates, and every difference it passes over in silence.
fn create_all(report: &CreateAllReport, props: &Props) -> Html {
    html! {
        <div class="create-all" data-testid="create-all-report">
            <div class="panel-head">
                <h3>{ if report.applied { "create_all() ran" } else { "What create_all() would do" } }</h3>
                <button class="button small" data-testid="create-all-close" title="Close"
                    onclick={props.on_close_create_all.reform(|_: MouseEvent| ())}>{ "×" }</button>
            </div>
            if report.statements.is_empty() {
                <p class="muted" data-testid="create-all-creates">{ "It creates nothing: every table of the model exists already." }</p>
            } else {
                <p data-testid="create-all-creates">{ format!("It creates {}:", report.created.join(", ")) }</p>
                <pre class="code sql">{ report.statements.join(";\n") }{ ";" }</pre>
            }
            if !report.skipped.is_empty() {
                <p class="warn">{ "…and silently leaves alone:" }</p>
                <ul class="skipped" data-testid="create-all-skipped">
                    { for report.skipped.iter().map(|s| html! { <li>{ s }</li> }) }
                </ul>
                <p class="muted small">{ "create_all() only creates missing tables. Changes to existing ones need a migration: Autogenerate." }</p>
            }
            if !report.applied && !report.statements.is_empty() {
                <button class="button small" data-testid="create-all-run" disabled={props.busy}
                    onclick={props.on_create_all.reform(|_: MouseEvent| true)}>{ "Run create_all()" }</button>
            }
        </div>
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
