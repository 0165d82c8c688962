//! The SQL console: any statements against the live database, run as one transaction.

use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use super::grid_table::GridTable;
use crate::services::protocol::Outcome;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub sql: AttrValue,
    pub result: Option<Outcome>,
    pub error: Option<AttrValue>,
    pub busy: bool,
    pub on_edit: Callback<String>,
    pub on_run: Callback<()>,
}

#[function_component(Console)]
pub fn console(props: &Props) -> Html {
    let on_input = props
        .on_edit
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlTextAreaElement>().value());
    let on_click = props.on_run.reform(|_: MouseEvent| ());
    let on_run = props.on_run.clone();
    let busy = props.busy;
    // Ctrl+Enter (or Cmd+Enter) runs the console, as in most SQL tools.
    let on_keydown = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
            e.prevent_default();
            if !busy {
                on_run.emit(());
            }
        }
    });
    let output = match (&props.error, &props.result) {
        (Some(error), _) => {
            html! { <p class="error" role="alert" data-testid="error">{ error }</p> }
        }
        (None, Some(Outcome::Rows(grid))) => {
            html! { <GridTable grid={grid.clone()} testid="console-result" /> }
        }
        (None, Some(Outcome::Changed { statements, rows })) => html! {
            <p class="ok" data-testid="console-result">
                { format!("{statements} statement{} ran, {rows} row{} changed", plural(*statements as u64), plural(*rows)) }
            </p>
        },
        _ => {
            html! { <p class="muted">{ "Statements run in one transaction: if one fails, none is kept." }</p> }
        }
    };
    html! {
        <section class="panel console">
            <div class="panel-head">
                <h3>{ "SQL console" }</h3>
                <span class="muted">{ "Ctrl+Enter" }</span>
                <button class="button primary" data-testid="console-run" onclick={on_click} disabled={props.busy}>{ "Run" }</button>
            </div>
            <textarea class="code console-input" data-testid="console-input" spellcheck="false"
                aria-label="SQL to run against the database" value={props.sql.clone()}
                oninput={on_input} onkeydown={on_keydown} />
            <div class="console-output">{ output }</div>
        </section>
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
