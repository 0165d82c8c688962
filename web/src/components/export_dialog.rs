//! A revision exported for another tool (Alembic, PostgreSQL, plain SQL files): each file with
//! its name, its text and a Download button, and the notes the exporter left.

use yew::prelude::*;

use crate::services::download::download_text;
use crate::services::protocol::ExportView;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub export: ExportView,
    pub on_close: Callback<()>,
}

#[function_component(ExportDialog)]
pub fn export_dialog(props: &Props) -> Html {
    let download_error = use_state(|| None::<String>);
    let export = &props.export;
    html! {
        <div class="overlay">
            <div class="dialog wide" role="dialog" aria-labelledby="export-title" data-testid="export-output"
                data-format={export.format.key()}>
                <div class="panel-head">
                    <h3 id="export-title">{ format!("Revision {} as {}", export.id, export.format.label()) }</h3>
                    <button class="button small" data-testid="export-close" title="Close"
                        onclick={props.on_close.reform(|_: MouseEvent| ())}>{ "×" }</button>
                </div>
                if !export.notes.is_empty() {
                    <ul class="notes" data-testid="export-notes">
                        { for export.notes.iter().map(|n| html! { <li>{ n }</li> }) }
                    </ul>
                }
                if let Some(error) = &*download_error {
                    <p class="error" role="alert" data-testid="error">{ error }</p>
                }
                { for export.files.iter().enumerate().map(|(n, file)| {
                    let (name, text) = (file.name.clone(), file.text.clone());
                    let download_error = download_error.clone();
                    let mime = if name.ends_with(".py") { "text/x-python" } else { "application/sql" };
                    html! {
                        <div class="export-file">
                            <div class="file-head">
                                <code data-testid={format!("export-name-{n}")}>{ &file.name }</code>
                                <button class="button small" data-testid={format!("export-download-{n}")}
                                    onclick={Callback::from(move |_: MouseEvent| {
                                        download_error.set(download_text(&name, &text, mime).err());
                                    })}>{ "Download" }</button>
                            </div>
                            <pre class="code" data-testid={format!("export-file-{n}")}>{ file.text.trim_end() }</pre>
                        </div>
                    }
                }) }
            </div>
        </div>
    }
}
