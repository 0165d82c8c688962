//! The Model column: the desired schema as SQL or as SQLModel classes, with the line an error
//! points at marked in the editor's gutter, and the schema diagram.

use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use super::schema_diagram::SchemaDiagram;
use crate::services::project::ModelLanguage;
use crate::services::protocol::Diagram;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The active tab's text.
    pub text: AttrValue,
    pub language: ModelLanguage,
    pub on_edit: Callback<String>,
    pub on_language: Callback<ModelLanguage>,
    /// The line the last model error points at, and the error.
    pub error_line: Option<usize>,
    pub error: Option<AttrValue>,
    pub diagram: Diagram,
    /// The diagram compares the head with the model (after Autogenerate).
    pub compared: bool,
}

#[function_component(ModelPanel)]
pub fn model_panel(props: &Props) -> Html {
    let gutter = use_node_ref();
    let editor = use_node_ref();
    // A new error brings its line into view (a few lines below the top), so the marked gutter
    // number is never scrolled away.
    {
        let (editor, gutter) = (editor.clone(), gutter.clone());
        use_effect_with(props.error_line, move |line| {
            if let (Some(line), Some(editor)) = (line, editor.cast::<HtmlTextAreaElement>()) {
                let height = f64::from(editor.scroll_height()) / lines_in(&editor.value()) as f64;
                let top = ((*line as f64 - 3.0) * height).max(0.0) as i32;
                editor.set_scroll_top(top);
                if let Some(gutter) = gutter.cast::<web_sys::HtmlElement>() {
                    gutter.set_scroll_top(editor.scroll_top());
                }
            }
        });
    }
    let on_input = props
        .on_edit
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlTextAreaElement>().value());
    // The gutter scrolls with the text so each number stays beside its line.
    let on_scroll = {
        let gutter = gutter.clone();
        Callback::from(move |e: Event| {
            let editor = e.target_unchecked_into::<HtmlTextAreaElement>();
            if let Some(gutter) = gutter.cast::<web_sys::HtmlElement>() {
                gutter.set_scroll_top(editor.scroll_top());
            }
        })
    };
    let lines = lines_in(&props.text);
    let tab = |language: ModelLanguage, label: &'static str, key: &'static str| {
        let active = props.language == language;
        html! {
            <button class={classes!("tab", active.then_some("active"))} role="tab"
                aria-selected={active.to_string()} data-testid={format!("model-tab-{key}")}
                onclick={props.on_language.reform(move |_: MouseEvent| language)}>{ label }</button>
        }
    };
    let (hint, label) = match props.language {
        ModelLanguage::Sql => (
            "The schema you want, as SQL. Edit it; strata works out the migration that gets the database there.",
            "Desired schema as SQL",
        ),
        ModelLanguage::Sqlmodel => (
            "The schema as SQLModel classes (table=True), read the way SQLModel maps them on SQLite.",
            "Desired schema as SQLModel classes",
        ),
    };
    html! {
        <section class="column model">
            <div class="column-head">
                <h2>{ "Model" }</h2>
                <div class="tabs" role="tablist">
                    { tab(ModelLanguage::Sql, "SQL", "sql") }
                    { tab(ModelLanguage::Sqlmodel, "SQLModel", "sqlmodel") }
                </div>
            </div>
            <p class="hint">{ hint }</p>
            <div class={classes!("editor-wrap", props.error_line.is_some().then_some("has-error"))}>
                // The numbers are text, not an element per line: a model of thousands of lines
                // would otherwise make every keystroke rebuild thousands of elements. Only the
                // line an error points at is an element of its own, to be marked.
                <pre class="gutter" ref={gutter} aria-hidden="true">
                    {
                        match props.error_line.filter(|line| *line <= lines) {
                            Some(bad) => html! {
                                <>
                                    { numbers(1, bad - 1) }
                                    <span class="bad" data-testid="model-error-line"
                                        title={props.error.clone()}>{ bad }</span>
                                    { numbers(bad + 1, lines) }
                                </>
                            },
                            None => html! { { numbers(1, lines) } },
                        }
                    }
                </pre>
                <textarea class="code editor" data-testid="model-editor" spellcheck="false" ref={editor}
                    aria-label={label} value={props.text.clone()} oninput={on_input} onscroll={on_scroll} />
            </div>
            if let (Some(_), Some(error)) = (props.error_line, &props.error) {
                <p class="model-error" data-testid="model-error">
                    <span class="line-tag">{ split(error).0 }</span>{ " " }{ split(error).1 }
                </p>
            }
            <SchemaDiagram diagram={props.diagram.clone()} compared={props.compared} />
        </section>
    }
}

/// The line numbers `from..=to`, one a line, as one text; empty when there are none. The
/// error's line sits between two such texts as a block of its own, so neither has a line break
/// at its ends.
fn numbers(from: usize, to: usize) -> String {
    let mut text = String::with_capacity(to.saturating_sub(from).saturating_add(1) * 6);
    for n in from..=to {
        if n > from {
            text.push('\n');
        }
        text.push_str(&n.to_string());
    }
    text
}

/// How many lines the editor shows for `text` (a final newline starts one more).
fn lines_in(text: &str) -> usize {
    text.lines().count().max(1) + usize::from(text.ends_with('\n'))
}

/// An error's place ("line 3" or "line 3, column 5") and its message.
fn split(error: &str) -> (String, &str) {
    error
        .strip_prefix("model ")
        .and_then(|rest| rest.split_once(": "))
        .map_or((String::new(), error), |(place, message)| {
            (place.to_owned(), message)
        })
}
