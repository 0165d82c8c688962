//! The live `schema_version` table: which revisions the database says it has applied.

use yew::prelude::*;

use super::grid_table::GridTable;
use crate::services::protocol::Grid;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub grid: Option<Grid>,
}

#[function_component(VersionPanel)]
pub fn version_panel(props: &Props) -> Html {
    html! {
        <section class="panel versions">
            <div class="panel-head">
                <h3>{ "schema_version" }</h3>
                <span class="muted">{ "applied revisions" }</span>
            </div>
            { match &props.grid {
                Some(grid) => html! { <GridTable grid={grid.clone()} testid="schema-version-table" /> },
                None => html! { <p class="muted empty">{ "no schema_version table: nothing has been applied" }</p> },
            } }
        </section>
    }
}
