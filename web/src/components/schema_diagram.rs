//! The schema diagram: one box per table with its columns, an arrow per foreign key, and after
//! Autogenerate the added, removed and changed parts coloured.

use yew::prelude::*;

use crate::services::protocol::Diagram;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub diagram: Diagram,
    /// Whether the diagram compares the head with the model (after Autogenerate).
    pub compared: bool,
}

const BOX_W: f64 = 128.0;
const GAP_X: f64 = 30.0;
const GAP_Y: f64 = 22.0;
const HEAD_H: f64 = 20.0;
const ROW_H: f64 = 15.0;
const PER_ROW: usize = 2;

#[function_component(SchemaDiagram)]
pub fn schema_diagram(props: &Props) -> Html {
    let tables = &props.diagram.tables;
    // Boxes in a grid, row by row; each row as tall as its tallest box.
    let heights: Vec<f64> = tables
        .iter()
        .map(|t| HEAD_H + ROW_H * t.columns.len() as f64 + 6.0)
        .collect();
    let mut positions = Vec::with_capacity(tables.len());
    let mut y = 6.0;
    for (row, chunk) in heights.chunks(PER_ROW).enumerate() {
        for col in 0..chunk.len() {
            positions.push((
                6.0 + col as f64 * (BOX_W + GAP_X),
                y,
                heights[row * PER_ROW + col],
            ));
        }
        y += chunk.iter().cloned().fold(0.0, f64::max) + GAP_Y;
    }
    let width = 12.0 + PER_ROW as f64 * BOX_W + (PER_ROW as f64 - 1.0) * GAP_X;
    let height = y.max(40.0);
    let arrows = tables.iter().enumerate().flat_map(|(i, t)| {
        t.refs.iter().filter_map(move |r| {
            let j = tables.iter().position(|o| &o.name == r)?;
            Some((i, j))
        })
    });
    html! {
        <section class="panel diagram">
            <div class="panel-head">
                <h3>{ "Diagram" }</h3>
                if props.compared {
                    <span class="legend"><i class="added"></i>{ "added" }<i class="removed"></i>{ "removed" }<i class="changed"></i>{ "changed" }</span>
                } else {
                    <span class="muted small">{ "live database" }</span>
                }
            </div>
            <div class="diagram-wrap">
                <svg data-testid="schema-diagram" viewBox={format!("0 0 {width} {height}")}
                    style={format!("width: 100%; max-width: {width}px; height: auto")} role="img"
                    aria-label="Tables, their columns and foreign keys">
                    <defs>
                        <marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                            <path d="M0,0 L8,4 L0,8 z" class="arrow-head" />
                        </marker>
                    </defs>
                    { for arrows.map(|(i, j)| {
                        let ((x1, y1, h1), (x2, y2, h2)) = (positions[i], positions[j]);
                        // Same row: side to side under the header; otherwise top or bottom edge
                        // of one box to the facing edge of the other.
                        let (ax, ay, bx, by) = if (y1 - y2).abs() < 0.5 {
                            let y = y1 + HEAD_H + 4.0;
                            if x1 < x2 { (x1 + BOX_W, y, x2, y) } else { (x1, y, x2 + BOX_W, y) }
                        } else if y1 > y2 {
                            (x1 + BOX_W / 2.0, y1, x2 + BOX_W / 2.0, y2 + h2)
                        } else {
                            (x1 + BOX_W / 2.0, y1 + h1, x2 + BOX_W / 2.0, y2)
                        };
                        html! { <line class="fk" x1={ax.to_string()} y1={ay.to_string()} x2={bx.to_string()} y2={by.to_string()} marker-end="url(#arrow)" /> }
                    }) }
                    { for tables.iter().zip(&positions).map(|(t, &(x, y, h))| html! {
                        <g class={classes!("table", t.status.label())} data-testid={format!("diagram-{}", t.name)} data-mark={t.status.label()}>
                            <rect x={x.to_string()} y={y.to_string()} width={BOX_W.to_string()} height={h.to_string()} rx="5" />
                            <text class="name" x={(x + 7.0).to_string()} y={(y + 14.0).to_string()}>{ &t.name }</text>
                            { for t.columns.iter().enumerate().map(|(k, c)| {
                                let cy = y + HEAD_H + 11.0 + k as f64 * ROW_H;
                                html! {
                                    <text class={classes!("col", c.status.label())} x={(x + 7.0).to_string()} y={cy.to_string()}>
                                        { &c.name }
                                        <tspan class="type" dx="5">{ c.decl_type.to_lowercase() }</tspan>
                                    </text>
                                }
                            }) }
                        </g>
                    }) }
                </svg>
            </div>
        </section>
    }
}
