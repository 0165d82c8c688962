//! The revision graph: one node per revision, newest first, drawn on lanes so branches and
//! merges show; on each node its state, its class (additive or breaking, the reasons on hover),
//! "migrate to here", "branch from here", Discard for a pending revision nothing builds on, an
//! Export menu and its up and down SQL; under them, the whole history as an Alembic project.
//! Rehearse sits beside Upgrade head. Also the two questions the panel asks: "this upgrade (or
//! downgrade) throws data away, go on?" and the exported files.

use std::collections::BTreeSet;

use yew::prelude::*;

use super::export_dialog::ExportDialog;
use crate::graph::{layout, Row};
use crate::services::protocol::{ExportFormat, ExportView, RevisionView};
use crate::state::PendingMigration;
use strata_core::classify::{Class, Classification};

/// Horizontal room per lane of the graph, in pixels.
const LANE: usize = 14;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Parents before children, as the project keeps them.
    pub revisions: Vec<RevisionView>,
    pub busy: bool,
    /// Upgrades to the given target (an id or `head`).
    pub on_upgrade: Callback<String>,
    /// Downgrades to the given target (an id, `-1` or `base`).
    pub on_downgrade: Callback<String>,
    /// The revision the next migration builds on, when it is not the head.
    pub parent: Option<String>,
    /// Makes the next migration build on a revision (a branch).
    pub on_branch: Callback<Option<String>>,
    /// Joins the heads with a merge revision.
    pub on_merge: Callback<()>,
    pub on_export: Callback<(String, ExportFormat)>,
    /// Downloads every revision as a runnable Alembic project (a zip).
    pub on_export_alembic_project: Callback<()>,
    pub export: Option<ExportView>,
    pub on_close_export: Callback<()>,
    /// An upgrade or downgrade that waits for the visitor's yes.
    pub confirm: Option<PendingMigration>,
    /// `Some(target)`: go on with the upgrade or downgrade; `None`: keep the data.
    pub on_confirm_downgrade: Callback<Option<String>>,
    /// Rehearses the pending revisions on a copy of the database.
    pub on_rehearse: Callback<()>,
    /// Asks whether to discard a pending revision (its id and message).
    pub on_discard: Callback<(String, String)>,
}

#[function_component(RevisionsPanel)]
pub fn revisions_panel(props: &Props) -> Html {
    let with_children: BTreeSet<&str> = props
        .revisions
        .iter()
        .flat_map(|r| r.parents.iter().map(String::as_str))
        .collect();
    let heads: Vec<&str> = props
        .revisions
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| !with_children.contains(id))
        .collect();
    // The database is "at" each applied revision that no applied revision builds on.
    let applied_parents: BTreeSet<&str> = props
        .revisions
        .iter()
        .filter(|r| r.applied)
        .flat_map(|r| r.parents.iter().map(String::as_str))
        .collect();
    let rows = layout(
        props
            .revisions
            .iter()
            .map(|r| (r.id.as_str(), r.parents.as_slice())),
    );
    let width = rows.iter().map(|r| r.width).max().unwrap_or(1);
    let any_applied = props.revisions.iter().any(|r| r.applied);
    let any_pending = props.revisions.iter().any(|r| !r.applied);
    html! {
        <div class="revisions-panel">
            <div class="panel-head">
                <h3>{ "Revisions" }</h3>
                <span class="count">{ props.revisions.len() }</span>
                if heads.len() > 1 {
                    <button class="button warn-button" data-testid="merge-heads" disabled={props.busy}
                        title={format!("Join the heads {} with a merge revision", heads.join(", "))}
                        onclick={props.on_merge.reform(|_: MouseEvent| ())}>{ "Merge heads" }</button>
                }
                <button class="button primary" data-testid="upgrade-head" disabled={props.busy}
                    title="Apply every pending revision"
                    onclick={props.on_upgrade.reform(|_: MouseEvent| "head".to_owned())}>{ "Upgrade head" }</button>
                <button class="button" data-testid="rehearse" disabled={props.busy || !any_pending}
                    title="Run the pending revisions up, down and up again on a copy of the database, as strata rehearse does, and report times, rows, checks and any data lost; the database itself does not change"
                    onclick={props.on_rehearse.reform(|_: MouseEvent| ())}>{ "Rehearse" }</button>
                <button class="button" data-testid="downgrade-one" disabled={props.busy || !any_applied}
                    title="Revert the newest applied revision"
                    onclick={props.on_downgrade.reform(|_: MouseEvent| "-1".to_owned())}>{ "Downgrade one" }</button>
            </div>
            <ol class="revisions">
                { for props.revisions.iter().rev().zip(rows.iter()).map(|(r, row)| {
                    let current = r.applied && !applied_parents.contains(r.id.as_str());
                    let leaf = !with_children.contains(r.id.as_str());
                    node(r, row, width, props, current, leaf)
                }) }
            </ol>
            <div class="revisions-foot">
                <button class="button subtle small" data-testid="export-alembic-project"
                    disabled={props.busy || props.revisions.is_empty()}
                    title="Download every revision as a runnable Alembic project: alembic.ini, env.py and versions/, as a zip"
                    onclick={props.on_export_alembic_project.reform(|_: MouseEvent| ())}>
                    { "Export as Alembic project" }
                </button>
            </div>
            if let Some(confirm) = &props.confirm {
                { confirm_dialog(confirm, props) }
            }
            if let Some(export) = &props.export {
                <ExportDialog export={export.clone()} on_close={props.on_close_export.clone()} />
            }
        </div>
    }
}

fn node(
    revision: &RevisionView,
    row: &Row,
    width: usize,
    props: &Props,
    current: bool,
    leaf: bool,
) -> Html {
    let (state, class) = if revision.applied {
        ("applied", "badge ok")
    } else {
        ("pending", "badge")
    };
    let id = revision.id.clone();
    let action = if !revision.applied {
        let id = id.clone();
        html! {
            <button class="button small" data-testid={format!("upgrade-to-{id}")} disabled={props.busy}
                title="Apply this revision and the pending revisions before it"
                onclick={props.on_upgrade.reform(move |_: MouseEvent| id.clone())}>{ "Upgrade to here" }</button>
        }
    } else if !current {
        let id = id.clone();
        html! {
            <button class="button small" data-testid={format!("downgrade-to-{id}")} disabled={props.busy}
                title="Revert the revisions applied after this one"
                onclick={props.on_downgrade.reform(move |_: MouseEvent| id.clone())}>{ "Downgrade to here" }</button>
        }
    } else {
        html! { <span class="muted small here">{ "database is here" }</span> }
    };
    let building_here = props.parent.as_deref() == Some(revision.id.as_str());
    let branch = {
        let id = id.clone();
        html! {
            <button class={classes!("button", "small", building_here.then_some("active"))}
                data-testid={format!("branch-from-{id}")} disabled={props.busy}
                title="Make the next revision build on this one (a branch beside the others)"
                onclick={props.on_branch.reform(move |_: MouseEvent| (!building_here).then(|| id.clone()))}>
                { if building_here { "building here" } else { "branch" } }
            </button>
        }
    };
    // A pending revision nothing builds on can be forgotten: one that fails to apply is then
    // no dead end.
    let discard = (!revision.applied && leaf).then(|| {
        let asked = (id.clone(), revision.message.clone());
        html! {
            <button class="button small subtle" data-testid={format!("discard-{id}")} disabled={props.busy}
                title="Forget this pending revision (the database has not run it), to save a better one"
                onclick={props.on_discard.reform(move |_: MouseEvent| asked.clone())}>{ "discard" }</button>
        }
    });
    let parents = if revision.parents.is_empty() {
        "base revision".to_owned()
    } else {
        format!("parent {}", revision.parents.join(" + "))
    };
    html! {
        <li class={classes!("revision", revision.applied.then_some("applied"), building_here.then_some("building"))}
            data-testid={format!("revision-{}", revision.id)} data-state={state}
            data-lane={row.lane.to_string()}>
            { lanes(row, width, revision.applied) }
            <div class="revision-body">
                <div class="revision-head">
                    <code class="version" title={parents}>{ &revision.id }</code>
                    <span class="message" title={revision.message.clone()}>{ &revision.message }</span>
                    if revision.parents.len() > 1 {
                        <span class="badge merge">{ "merge" }</span>
                    }
                    if !revision.atomic {
                        <span class="badge warn" data-testid={format!("not-atomic-{id}")}
                            title="no-transaction: its statements commit one by one, and it is recorded only after the last">{ "not atomic" }</span>
                    }
                    if let Some(c) = &revision.class {
                        <span class={classes!("badge", "class", c.class.label())}
                            data-testid={format!("class-{id}")} data-class={c.class.label()}
                            title={why(c)}>{ c.class.label() }</span>
                    }
                    <span class={class}>{ state }</span>
                </div>
                <div class="revision-tools">
                    <details class="updown">
                        <summary title="The revision's up and down SQL">{ "SQL" }</summary>
                        <h3>{ "up" }</h3>
                        <pre class="code sql">{ revision.up.trim_end() }</pre>
                        <h3>{ "down" }</h3>
                        <pre class="code sql">{ revision.down.trim_end() }</pre>
                    </details>
                    <details class="export-menu" data-testid={format!("export-{id}")}>
                        <summary>{ "export" }</summary>
                        <div class="menu">
                            { for ExportFormat::ALL.iter().map(|&format| {
                                let id = id.clone();
                                html! {
                                    <button class="button small" data-testid={format!("export-{}-{id}", format.key())}
                                        disabled={props.busy}
                                        onclick={props.on_export.reform(move |e: MouseEvent| {
                                            close_menu(&e);
                                            (id.clone(), format)
                                        })}>{ format.label() }</button>
                                }
                            }) }
                        </div>
                    </details>
                    <span class="tool-buttons">{ action }{ branch }{ discard }</span>
                </div>
            </div>
        </li>
    }
}

/// The class badge's hover text: what the revision does and what that means for an app that
/// keeps running while it upgrades, and for a breaking step the expand/contract way.
fn why(class: &Classification) -> String {
    let mut lines = vec![match class.class {
        Class::Additive => "additive: old code keeps working while it upgrades, the app can stay up".to_owned(),
        Class::Breaking => "breaking: stop the app while it upgrades, or reach the same schema in expand/contract steps".to_owned(),
    }];
    for reason in &class.reasons {
        lines.push(format!(
            "• {} ({}): {}",
            reason.what,
            reason.class.label(),
            reason.why
        ));
        if let Some(instead) = &reason.instead {
            lines.push(format!("  instead: {instead}"));
        }
    }
    lines.join("\n")
}

/// Closes the `<details>` menu a click came from, so the menu does not stay open behind the
/// export it asked for.
fn close_menu(e: &MouseEvent) {
    use wasm_bindgen::JsCast;
    let details = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|el| el.closest("details").ok().flatten());
    if let Some(details) = details {
        let _ = details.remove_attribute("open");
    }
}

/// The row's slice of the graph: lines from the children above, the node, lines to the parents
/// below, and the lanes that pass by.
fn lanes(row: &Row, width: usize, applied: bool) -> Html {
    let x = |lane: usize| (lane * LANE + LANE / 2).to_string();
    let w = (width * LANE).to_string();
    html! {
        <div class="lanes" style={format!("width: {w}px")} aria-hidden="true">
            <svg viewBox={format!("0 0 {w} 100")} preserveAspectRatio="none" width={w.clone()} height="100%">
                { for row.through.iter().map(|&l| html! {
                    <line x1={x(l)} y1="0" x2={x(l)} y2="100" vector-effect="non-scaling-stroke" />
                }) }
                { for row.into.iter().map(|&l| html! {
                    <line x1={x(l)} y1="0" x2={x(row.lane)} y2="50" vector-effect="non-scaling-stroke" />
                }) }
                { for row.out.iter().map(|&l| html! {
                    <line x1={x(row.lane)} y1="50" x2={x(l)} y2="100" vector-effect="non-scaling-stroke" />
                }) }
            </svg>
            <span class={classes!("node", applied.then_some("applied"))}
                style={format!("left: {}px", row.lane * LANE + LANE / 2 - 5)}></span>
        </div>
    }
}

/// The one dialog for both directions; its test ids say which (`confirm-upgrade`,
/// `confirm-downgrade`, each with `-yes` and `-no`).
fn confirm_dialog(confirm: &PendingMigration, props: &Props) -> Html {
    let target = confirm.target.clone();
    let (verb, doing, after, go) = if confirm.up {
        ("upgrade", "Applying", "A downgrade afterwards brings the columns and tables back, but not what was in them. Take a backup first if you may want it.", "Upgrade anyway")
    } else {
        ("downgrade", "Reverting", "A later upgrade brings the columns and tables back, but not what was in them. Take a backup first if you may want it.", "Downgrade anyway")
    };
    html! {
        <div class="overlay">
            <div class="dialog" role="alertdialog" aria-labelledby="confirm-title" data-testid={format!("confirm-{verb}")}>
                <h3 id="confirm-title">{ format!("This {verb} throws data away") }</h3>
                <p>{ format!("{doing} {} loses:", confirm.ids.join(", ")) }</p>
                <ul class="losses">{ for confirm.losses.iter().map(|l| html! { <li>{ l }</li> }) }</ul>
                <p class="muted small">{ after }</p>
                <div class="dialog-buttons">
                    <button class="button" data-testid={format!("confirm-{verb}-no")}
                        onclick={props.on_confirm_downgrade.reform(|_: MouseEvent| None)}>{ "Keep my data" }</button>
                    <button class="button danger" data-testid={format!("confirm-{verb}-yes")}
                        onclick={props.on_confirm_downgrade.reform(move |_: MouseEvent| Some(target.clone()))}>{ go }</button>
                </div>
            </div>
        </div>
    }
}
