//! The bar across the top: the product name, where the database lives, Reset, and the
//! project's ways in and out (project file, `.sqlite` file, share link).

use web_sys::{File, HtmlInputElement};
use yew::prelude::*;

use crate::services::protocol::Storage;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub storage: Storage,
    pub busy: bool,
    pub on_reset: Callback<()>,
    pub on_export_project: Callback<()>,
    pub on_import_project: Callback<File>,
    pub on_export_sqlite: Callback<()>,
    pub on_import_sqlite: Callback<File>,
    pub on_share: Callback<()>,
    /// Opens or closes the lesson panel.
    #[prop_or_default]
    pub on_lessons: Callback<()>,
    #[prop_or_default]
    pub lessons_open: bool,
}

/// The chosen file of a file input, which is then cleared so choosing the same file again
/// still counts as a change.
fn chosen(e: Event) -> Option<File> {
    let input: HtmlInputElement = e.target_unchecked_into();
    let file = input.files()?.get(0);
    input.set_value("");
    file
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
            // What a reload finds depends on why (the saved database, another tab's, the
            // demo); what is done in memory is lost either way.
            format!("{reason}; what is done here is lost when this tab is closed or reloaded."),
        ),
        Storage::Unknown => (
            "opening…",
            "badge",
            "The database is being opened.".to_owned(),
        ),
    };
    let on_reset = props.on_reset.reform(|_: MouseEvent| ());
    let on_export_project = props.on_export_project.reform(|_: MouseEvent| ());
    let on_export_sqlite = props.on_export_sqlite.reform(|_: MouseEvent| ());
    let on_share = props.on_share.reform(|_: MouseEvent| ());
    let on_import_project = {
        let emit = props.on_import_project.clone();
        Callback::from(move |e: Event| {
            if let Some(file) = chosen(e) {
                emit.emit(file);
            }
        })
    };
    let on_import_sqlite = {
        let emit = props.on_import_sqlite.clone();
        Callback::from(move |e: Event| {
            if let Some(file) = chosen(e) {
                emit.emit(file);
            }
        })
    };
    html! {
        <header class="topbar">
            <div class="brand">
                <span class="logo" aria-hidden="true">{ "≡" }</span>
                <span class="name">{ "strata" }</span>
                <span class="tagline">{ "schema-migration playground for SQLite" }</span>
            </div>
            <div class="actions">
                <button class={classes!("button", "subtle", props.lessons_open.then_some("active"))} data-testid="lessons"
                    aria-pressed={props.lessons_open.to_string()} title="Guided lessons: one migration idea at a time"
                    onclick={props.on_lessons.reform(|_: MouseEvent| ())}>
                    { "Lessons" }
                </button>
                <span class={class} title={title} data-testid="storage">{ badge }</span>
                <div class="transfer" role="group" aria-label="Project import and export">
                    <button class="button subtle small" data-testid="export-project" onclick={on_export_project}
                        disabled={props.busy} title="Download the model, the revisions and the rows as strata-project.json">
                        { "Export project" }
                    </button>
                    // A label styled as a button opens the hidden file input, which keeps the
                    // input itself reachable for keyboard users and for tests.
                    <label class={classes!("button", "subtle", "small", "file", props.busy.then_some("disabled"))}
                        title="Replace everything with a strata-project.json file">
                        { "Import project" }
                        <input type="file" accept=".json,application/json" data-testid="import-project"
                            disabled={props.busy} onchange={on_import_project} />
                    </label>
                    <button class="button subtle small" data-testid="export-sqlite" onclick={on_export_sqlite}
                        disabled={props.busy} title="Download the database file itself">
                        { "Export .sqlite" }
                    </button>
                    <label class={classes!("button", "subtle", "small", "file", props.busy.then_some("disabled"))}
                        title="Make a SQLite file the database; its schema becomes the baseline revision">
                        { "Import .sqlite" }
                        <input type="file" accept=".sqlite,.sqlite3,.db,application/vnd.sqlite3,application/x-sqlite3"
                            data-testid="import-sqlite" disabled={props.busy} onchange={on_import_sqlite} />
                    </label>
                    <button class="button subtle small" data-testid="share-link" onclick={on_share}
                        disabled={props.busy} title="Make a link that carries the models, the revisions and the rows">
                        { "Share link" }
                    </button>
                </div>
                <button class="button subtle" data-testid="reset" onclick={on_reset} disabled={props.busy}
                    title="Throw the database away and start again from the demo project">
                    { "Reset demo" }
                </button>
            </div>
        </header>
    }
}
