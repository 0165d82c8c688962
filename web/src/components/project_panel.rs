//! The Database column's project box: the share link once made, what the last import, export
//! or restore said, and the backups (label, number, automatic or not, time, size) with a
//! button to take one and one to restore each, which asks first.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::services::protocol::BackupView;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub backups: Vec<BackupView>,
    /// The whole share link, once the visitor asked for one.
    pub share_link: Option<AttrValue>,
    pub error: Option<AttrValue>,
    pub notice: Option<AttrValue>,
    pub busy: bool,
    pub on_backup: Callback<()>,
    pub on_restore: Callback<String>,
}

#[function_component(ProjectPanel)]
pub fn project_panel(props: &Props) -> Html {
    let link_field = use_node_ref();
    let on_copy = {
        let link_field = link_field.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(field) = link_field.cast::<HtmlInputElement>() else {
                return;
            };
            // Selecting the text first means a refused clipboard still leaves the link ready
            // for Ctrl+C.
            field.select();
            if let Some(window) = web_sys::window() {
                let _ = window.navigator().clipboard().write_text(&field.value());
            }
        })
    };
    let on_backup = props.on_backup.reform(|_: MouseEvent| ());
    let share = props.share_link.as_ref().map(|link| {
        html! {
            <div class="share-row">
                <input ref={link_field} class="share-url" data-testid="share-url" readonly=true
                    aria-label="Share link" value={link.clone()}
                    onfocus={Callback::from(|e: FocusEvent| e.target_unchecked_into::<HtmlInputElement>().select())} />
                <button class="button small" data-testid="share-copy" onclick={on_copy}>{ "Copy" }</button>
            </div>
        }
    });
    html! {
        <section class="panel project-panel">
            <div class="panel-head">
                <h3>{ "Backups" }</h3>
                <span class="muted">{ "kept beside the database, not in it" }</span>
                <button class="button small" data-testid="backup-now" onclick={on_backup}
                    disabled={props.busy} title="Copy the whole database into a backup you can restore">
                    { "Back up now" }
                </button>
            </div>
            { for share }
            if let Some(error) = &props.error {
                <p class="error" role="alert" data-testid="error">{ error }</p>
            }
            if let Some(notice) = &props.notice {
                <p class="notice" data-testid="project-notice">{ notice }</p>
            }
            if props.backups.is_empty() {
                <p class="muted empty">{ "no backups yet" }</p>
            } else {
                <ul class="backup-list">
                    { for props.backups.iter().map(|b| {
                        let on_restore = {
                            let id = b.id.clone();
                            props.on_restore.reform(move |_: MouseEvent| id.clone())
                        };
                        html! {
                            <li data-testid={format!("backup-{}", b.id)} data-automatic={b.automatic.to_string()}>
                                <span class="label" title={b.label.clone()}>{ &b.label }</span>
                                <span class="muted" title={kind(b.automatic)}>
                                    { format!("backup {}{} · {} · {}", b.id, if b.automatic { " (automatic)" } else { "" }, b.created, size(b.bytes)) }
                                </span>
                                <button class="button small" data-testid={format!("restore-{}", b.id)}
                                    onclick={on_restore} disabled={props.busy}
                                    title="Replace the database with this backup (you are asked first; what it holds now is kept as a backup)">{ "Restore" }</button>
                            </li>
                        }
                    }) }
                </ul>
            }
        </section>
    }
}

/// What kind of backup it is, for the hover text.
fn kind(automatic: bool) -> &'static str {
    if automatic {
        "Taken automatically before the database was replaced; only the newest three of each label are kept"
    } else {
        "Taken by hand or by a lesson; kept until the site's data is cleared"
    }
}

/// A file size as people read it.
fn size(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else {
        format!("{:.0} KiB", bytes as f64 / 1024.0)
    }
}
