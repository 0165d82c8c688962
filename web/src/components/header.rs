//! The bar across the top: the product name, where the database lives, and Reset.

use yew::prelude::*;

use crate::services::protocol::Storage;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub storage: Storage,
    pub busy: bool,
    pub on_reset: Callback<()>,
}

#[function_component(Header)]
pub fn header(props: &Props) -> Html {
    let (badge, class, title) = match &props.storage {
        Storage::Opfs => (
            "saved in this browser",
            "badge ok",
            "The database is kept in the origin private file system and survives a reload."
                .to_owned(),
        ),
        Storage::Memory { reason } => (
            "in memory only",
            "badge warn",
            format!("{reason}; a reload starts from the demo again."),
        ),
        Storage::Unknown => (
            "opening…",
            "badge",
            "The database is being opened.".to_owned(),
        ),
    };
    let on_reset = props.on_reset.reform(|_: MouseEvent| ());
    html! {
        <header class="topbar">
            <div class="brand">
                <span class="logo" aria-hidden="true">{ "≡" }</span>
                <span class="name">{ "strata" }</span>
                <span class="tagline">{ "schema-migration playground for SQLite" }</span>
            </div>
            <div class="actions">
                <span class={class} title={title} data-testid="storage">{ badge }</span>
                <button class="button subtle" data-testid="reset" onclick={on_reset} disabled={props.busy}
                    title="Throw the database away and start again from the demo project">
                    { "Reset demo" }
                </button>
            </div>
        </header>
    }
}
