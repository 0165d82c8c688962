//! The data grid: one tab per table, and the rows of the chosen one.

use yew::prelude::*;

use super::grid_table::GridTable;
use crate::services::protocol::{Browsed, TableSummary};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub tables: Vec<TableSummary>,
    pub selected: AttrValue,
    pub browsed: Option<Browsed>,
    pub on_select: Callback<String>,
}

#[function_component(DataGrid)]
pub fn data_grid(props: &Props) -> Html {
    let tab = |table: &TableSummary| {
        let name = table.name.clone();
        let onclick = props.on_select.reform(move |_: MouseEvent| name.clone());
        let class = if *table.name == *props.selected {
            "tab active"
        } else {
            "tab"
        };
        html! {
            <button class={class} onclick={onclick} data-testid={format!("table-{}", table.name)}
                title={table.name.clone()}>
                { &table.name }<span class="rows">{ table.rows }</span>
            </button>
        }
    };
    html! {
        <section class="panel data">
            <div class="panel-head tabs" role="tablist">
                { for props.tables.iter().map(tab) }
            </div>
            { match &props.browsed {
                Some(browsed) => html! { <GridTable grid={browsed.grid.clone()} testid="data-grid" /> },
                None => html! { <p class="muted empty">{ "no tables yet: create one with the model or the console" }</p> },
            } }
        </section>
    }
}
