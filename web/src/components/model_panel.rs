//! The Model column: the desired schema, as SQL the visitor edits, and its diagram.

use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use super::schema_diagram::SchemaDiagram;
use crate::services::protocol::Diagram;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub text: AttrValue,
    pub on_edit: Callback<String>,
    pub diagram: Diagram,
    /// The diagram compares the head with the model (after Autogenerate).
    pub compared: bool,
}

#[function_component(ModelPanel)]
pub fn model_panel(props: &Props) -> Html {
    let on_input = props
        .on_edit
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlTextAreaElement>().value());
    html! {
        <section class="column model">
            <div class="column-head">
                <h2>{ "Model" }</h2>
                <span class="lang" title="The model is written as SQL DDL">{ "SQL" }</span>
            </div>
            <p class="hint">{ "The schema you want. Edit it; strata works out the migration that gets the database there." }</p>
            <textarea class="code editor" data-testid="model-editor" spellcheck="false"
                aria-label="Desired schema as SQL" value={props.text.clone()} oninput={on_input} />
            <SchemaDiagram diagram={props.diagram.clone()} compared={props.compared} />
        </section>
    }
}
