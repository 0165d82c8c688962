//! A read-only table of rows, as the data grid, the console and the version panel show them.

use yew::prelude::*;

use crate::services::protocol::{Cell, Grid};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub grid: Grid,
    /// The hook browser tests use to find this table, if any.
    #[prop_or_default]
    pub testid: Option<AttrValue>,
}

#[function_component(GridTable)]
pub fn grid_table(props: &Props) -> Html {
    let grid = &props.grid;
    let shown = grid.rows.len() as u64;
    html! {
        <div class="grid-wrap">
            <table class="grid" data-testid={props.testid.clone()}>
                <thead>
                    <tr>{ for grid.columns.iter().map(|c| html! { <th>{ c }</th> }) }</tr>
                </thead>
                <tbody>
                    { for grid.rows.iter().map(|row| html! {
                        <tr>{ for row.iter().zip(&grid.columns).map(|(value, column)| cell(value, column)) }</tr>
                    }) }
                </tbody>
            </table>
            if grid.rows.is_empty() {
                <p class="muted empty">{ "no rows" }</p>
            }
            if grid.total > shown {
                <p class="muted">{ format!("first {shown} of {} rows", grid.total) }</p>
            }
        </div>
    }
}

/// One cell, tagged with its column so styles can treat a column specially (long checksums).
fn cell(value: &Cell, column: &str) -> Html {
    let class = match value {
        Cell::Null => "null",
        Cell::Integer(_) | Cell::Real(_) => "num",
        Cell::Text(_) => "text",
        Cell::Blob(_) => "blob",
    };
    let text = value.display();
    html! { <td class={class} data-column={column.to_owned()} title={text.clone()}>{ text }</td> }
}
