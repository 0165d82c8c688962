//! The revision graph: one node per revision of the project, newest first, whether the database
//! has applied it, its up and down SQL, and "migrate to here" on each node.

use yew::prelude::*;

use crate::services::protocol::RevisionView;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Parents before children, as the project keeps them.
    pub revisions: Vec<RevisionView>,
    pub busy: bool,
    /// Upgrades to the given target (an id or `head`).
    pub on_upgrade: Callback<String>,
    /// Downgrades to the given target (an id, `-1` or `base`).
    pub on_downgrade: Callback<String>,
}

#[function_component(RevisionsPanel)]
pub fn revisions_panel(props: &Props) -> Html {
    // The newest applied revision is where the database is; migrating "to" it does nothing.
    let current = props
        .revisions
        .iter()
        .rev()
        .find(|r| r.applied)
        .map(|r| r.id.clone());
    html! {
        <div class="revisions-panel">
            <div class="panel-head">
                <h3>{ "Revisions" }</h3>
                <span class="count">{ props.revisions.len() }</span>
                <button class="button primary" data-testid="upgrade-head" disabled={props.busy}
                    title="Apply every pending revision"
                    onclick={props.on_upgrade.reform(|_: MouseEvent| "head".to_owned())}>{ "Upgrade head" }</button>
                <button class="button" data-testid="downgrade-one" disabled={props.busy || current.is_none()}
                    title="Revert the newest applied revision"
                    onclick={props.on_downgrade.reform(|_: MouseEvent| "-1".to_owned())}>{ "Downgrade one" }</button>
            </div>
            <ol class="revisions">
                { for props.revisions.iter().rev().map(|r| node(r, props, current.as_deref() == Some(r.id.as_str()))) }
            </ol>
        </div>
    }
}

fn node(revision: &RevisionView, props: &Props, current: bool) -> Html {
    let (state, class) = if revision.applied {
        ("applied", "badge ok")
    } else {
        ("pending", "badge")
    };
    let id = revision.id.clone();
    let action = if !revision.applied {
        html! {
            <button class="button small" data-testid={format!("upgrade-to-{id}")} disabled={props.busy}
                title="Apply this revision and the pending revisions before it"
                onclick={props.on_upgrade.reform(move |_: MouseEvent| id.clone())}>{ "Upgrade to here" }</button>
        }
    } else if !current {
        html! {
            <button class="button small" data-testid={format!("downgrade-to-{id}")} disabled={props.busy}
                title="Revert the revisions applied after this one"
                onclick={props.on_downgrade.reform(move |_: MouseEvent| id.clone())}>{ "Downgrade to here" }</button>
        }
    } else {
        html! { <span class="muted small">{ "database is here" }</span> }
    };
    html! {
        <li class={classes!("revision", revision.applied.then_some("applied"))}
            data-testid={format!("revision-{}", revision.id)} data-state={state}>
            <div class="revision-head">
                <span class="node" aria-hidden="true"></span>
                <code class="version" title={revision.parents.first().map(|p| format!("parent {p}"))}>{ &revision.id }</code>
                <span class="message">{ &revision.message }</span>
                <span class={class}>{ state }</span>
                { action }
            </div>
            <details class="updown">
                <summary>{ "up / down SQL" }</summary>
                <h3>{ "up" }</h3>
                <pre class="code sql">{ revision.up.trim_end() }</pre>
                <h3>{ "down" }</h3>
                <pre class="code sql">{ revision.down.trim_end() }</pre>
            </details>
        </li>
    }
}
