//! What the Database column shows when the saved database cannot be used (its file does not
//! read as a database, or reading it stopped the worker): what is wrong, and the ways out, each
//! the visitor's choice: download the file as it is stored, Reset to the demo, or restore one of
//! the backups listed below it (which the project panel shows).

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The engine's sentence: what is wrong and what can be done.
    pub message: AttrValue,
    pub busy: bool,
    pub on_download: Callback<()>,
    pub on_reset: Callback<()>,
}

#[function_component(DamagedPanel)]
pub fn damaged_panel(props: &Props) -> Html {
    html! {
        <section class="panel damaged" data-testid="damaged">
            <div class="panel-head"><h3>{ "The saved database cannot be opened" }</h3></div>
            <p class="error" role="alert" data-testid="error">{ props.message.clone() }</p>
            <div class="damaged-actions">
                <button class="button" data-testid="damaged-download" disabled={props.busy}
                    onclick={props.on_download.reform(|_: MouseEvent| ())}
                    title="Download the database file exactly as it is stored, to keep it or look at it with other tools">
                    { "Download the saved file" }
                </button>
                <button class="button danger" data-testid="damaged-reset" disabled={props.busy}
                    onclick={props.on_reset.reform(|_: MouseEvent| ())}
                    title="Replace the saved file with the demo project">
                    { "Reset to the demo" }
                </button>
            </div>
            <p class="muted">{ "Or restore one of the backups below: they are kept apart from the database." }</p>
        </section>
    }
}
