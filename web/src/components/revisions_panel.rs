//! The Migration column: the project's revisions with their up and down SQL, and which of them
//! the database has applied.

use yew::prelude::*;

use crate::services::demo::DemoRevision;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub revisions: Vec<DemoRevision>,
    /// The versions the database's `schema_version` table lists.
    pub applied: Vec<String>,
}

#[function_component(RevisionsPanel)]
pub fn revisions_panel(props: &Props) -> Html {
    html! {
        <section class="column migration">
            <div class="column-head">
                <h2>{ "Migration" }</h2>
                <span class="count">{ format!("{} revisions", props.revisions.len()) }</span>
            </div>
            <ol class="revisions">
                { for props.revisions.iter().rev().map(|r| revision(r, props.applied.iter().any(|v| v == r.version))) }
            </ol>
        </section>
    }
}

fn revision(revision: &DemoRevision, applied: bool) -> Html {
    let (state, class) = if applied {
        ("applied", "badge ok")
    } else {
        ("pending", "badge")
    };
    html! {
        <li class="revision" data-testid={format!("revision-{}", revision.version)}>
            <div class="revision-head">
                <span class="node" aria-hidden="true"></span>
                <code class="version">{ revision.version }</code>
                <span class="message">{ revision.message }</span>
                <span class={class}>{ state }</span>
            </div>
            <div class="updown">
                <div>
                    <h3>{ "up" }</h3>
                    <pre class="code sql">{ revision.up.trim_end() }</pre>
                </div>
                <div>
                    <h3>{ "down" }</h3>
                    <pre class="code sql">{ revision.down.trim_end() }</pre>
                </div>
            </div>
        </li>
    }
}
