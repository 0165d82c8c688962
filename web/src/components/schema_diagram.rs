//! The schema diagram: one box per table with its columns, an arrow per foreign key, and after
//! Autogenerate the added, removed and changed parts coloured.

use yew::prelude::*;

use crate::services::protocol::{Diagram, DiagramTable};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub diagram: Diagram,
    /// Whether the diagram compares the head with the model (after Autogenerate).
    pub compared: bool,
    /// Whether this draws a lesson's goal (marked where the live database differs) rather
    /// than the live database: its test ids and heading say so, so both can be on the page.
    #[prop_or_default]
    pub goal: bool,
}

/// The narrowest and the widest a table's box may be.
const BOX_MIN_W: f64 = 128.0;
const BOX_MAX_W: f64 = 240.0;
/// How wide a row of boxes may grow before the next box starts a new row: two boxes of the
/// narrowest kind, so the diagram fits the Model column of a 1024 px window.
const ROW_MAX_W: f64 = 12.0 + 2.0 * BOX_MIN_W + GAP_X;
const GAP_X: f64 = 30.0;
const GAP_Y: f64 = 22.0;
const HEAD_H: f64 = 20.0;
const ROW_H: f64 = 15.0;
/// Room between a box's edge and its text.
const PAD: f64 = 7.0;
/// The space between a column's name and its type (the `dx` of the type).
const TYPE_DX: f64 = 5.0;
/// The width of one character of the names (11 px) and of the columns (10.5 px). Both are
/// set in a monospaced font (app.css), whose characters are 0.6 em wide in the fonts it names;
/// 0.61 leaves a little to spare, so the text always ends inside its box.
const NAME_CH: f64 = 11.0 * 0.61;
const COL_CH: f64 = 10.5 * 0.61;

/// A table's box as drawn: where it is, how big, and its texts, shortened to fit.
#[derive(Debug, PartialEq)]
struct Placed {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    name: Fitted,
    /// Each column's name and type.
    columns: Vec<(Fitted, Fitted)>,
}

/// A text that fits its box, and the whole text when it had to be shortened.
#[derive(Debug, PartialEq)]
struct Fitted {
    shown: String,
    full: Option<String>,
}

#[function_component(SchemaDiagram)]
pub fn schema_diagram(props: &Props) -> Html {
    let tables = &props.diagram.tables;
    let boxes = place(tables);
    let width = boxes
        .iter()
        .map(|b| b.x + b.w + 6.0)
        .fold(12.0 + 2.0 * BOX_MIN_W + GAP_X, f64::max);
    let height = boxes.iter().map(|b| b.y + b.h + GAP_Y).fold(40.0, f64::max);
    let arrows = tables.iter().enumerate().flat_map(|(i, t)| {
        t.refs.iter().filter_map(move |r| {
            let j = tables.iter().position(|o| &o.name == r)?;
            Some((i, j))
        })
    });
    // Two diagrams on one page (the live one and a lesson's goal) need their own marker ids.
    let marker = if props.goal { "goal-arrow" } else { "arrow" }.to_owned();
    html! {
        <section class={classes!("panel", "diagram", props.goal.then_some("goal-diagram"))}>
            <div class="panel-head">
                <h3>{ if props.goal { "Goal" } else { "Diagram" } }</h3>
                if props.goal && props.compared {
                    <span class="legend"><i class="added"></i>{ "to add" }<i class="removed"></i>{ "to remove" }<i class="changed"></i>{ "to change" }</span>
                } else if props.goal {
                    <span class="muted small">{ "reached" }</span>
                } else if props.compared {
                    <span class="legend"><i class="added"></i>{ "added" }<i class="removed"></i>{ "removed" }<i class="changed"></i>{ "changed" }</span>
                } else {
                    <span class="muted small">{ "live database" }</span>
                }
            </div>
            <div class="diagram-wrap">
                <svg data-testid={if props.goal { "goal-diagram" } else { "schema-diagram" }} viewBox={format!("0 0 {width} {height}")}
                    style={format!("width: 100%; max-width: {width}px; height: auto")} role="img"
                    aria-label="Tables, their columns and foreign keys">
                    <defs>
                        <marker id={marker.clone()} viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                            <path d="M0,0 L8,4 L0,8 z" class="arrow-head" />
                        </marker>
                    </defs>
                    { for arrows.map(|(i, j)| {
                        let (a, b) = (&boxes[i], &boxes[j]);
                        // Same row: side to side under the header; otherwise top or bottom edge
                        // of one box to the facing edge of the other.
                        let (ax, ay, bx, by) = if (a.y - b.y).abs() < 0.5 {
                            let y = a.y + HEAD_H + 4.0;
                            if a.x < b.x { (a.x + a.w, y, b.x, y) } else { (a.x, y, b.x + b.w, y) }
                        } else if a.y > b.y {
                            (a.x + a.w / 2.0, a.y, b.x + b.w / 2.0, b.y + b.h)
                        } else {
                            (a.x + a.w / 2.0, a.y + a.h, b.x + b.w / 2.0, b.y)
                        };
                        html! { <line class="fk" x1={ax.to_string()} y1={ay.to_string()} x2={bx.to_string()} y2={by.to_string()} marker-end={format!("url(#{marker})")} /> }
                    }) }
                    { for tables.iter().zip(&boxes).map(|(t, b)| html! {
                        <g class={classes!("table", t.status.label())} data-testid={format!("{}-{}", if props.goal { "goal" } else { "diagram" }, t.name)} data-mark={t.status.label()}>
                            <rect x={b.x.to_string()} y={b.y.to_string()} width={b.w.to_string()} height={b.h.to_string()} rx="5" />
                            <text class="name" x={(b.x + PAD).to_string()} y={(b.y + 14.0).to_string()}>
                                { title(&b.name) }{ &b.name.shown }
                            </text>
                            { for t.columns.iter().zip(&b.columns).enumerate().map(|(k, (c, (name, kind)))| {
                                let cy = b.y + HEAD_H + 11.0 + k as f64 * ROW_H;
                                // Hovering a shortened column shows its whole name and type.
                                let whole = (name.full.is_some() || kind.full.is_some())
                                    .then(|| format!("{} {}", c.name, c.decl_type.to_lowercase()));
                                html! {
                                    <text class={classes!("col", c.status.label())} x={(b.x + PAD).to_string()} y={cy.to_string()}>
                                        if let Some(whole) = whole { <title>{ whole }</title> }
                                        { &name.shown }
                                        <tspan class="type" dx={TYPE_DX.to_string()}>{ &kind.shown }</tspan>
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

fn title(text: &Fitted) -> Html {
    match &text.full {
        Some(full) => html! { <title>{ full }</title> },
        None => html! {},
    }
}

/// Sizes each table's box to its longest text (shortening what would pass the widest box) and
/// places the boxes in rows, a new row whenever the next box would pass `ROW_MAX_W`.
fn place(tables: &[DiagramTable]) -> Vec<Placed> {
    let room = BOX_MAX_W - 2.0 * PAD;
    let mut placed = Vec::with_capacity(tables.len());
    let (mut x, mut y, mut row_h) = (6.0, 6.0, 0.0_f64);
    for table in tables {
        let name = fit(&table.name, (room / NAME_CH).floor() as usize);
        let columns: Vec<(Fitted, Fitted)> = table
            .columns
            .iter()
            .map(|c| fit_column(&c.name, &c.decl_type.to_lowercase(), room))
            .collect();
        let widest = columns
            .iter()
            .map(|(n, t)| column_width(n, t))
            .fold(chars(&name.shown) as f64 * NAME_CH, f64::max);
        let w = (widest + 2.0 * PAD).ceil().clamp(BOX_MIN_W, BOX_MAX_W);
        let h = HEAD_H + ROW_H * table.columns.len() as f64 + 6.0;
        if x > 6.0 && x + w + 6.0 > ROW_MAX_W {
            (x, y, row_h) = (6.0, y + row_h + GAP_Y, 0.0);
        }
        placed.push(Placed {
            x,
            y,
            w,
            h,
            name,
            columns,
        });
        x += w + GAP_X;
        row_h = row_h.max(h);
    }
    placed
}

/// How wide a column's name and type are drawn.
fn column_width(name: &Fitted, kind: &Fitted) -> f64 {
    chars(&name.shown) as f64 * COL_CH + TYPE_DX + chars(&kind.shown) as f64 * COL_CH
}

/// A column's name and type within `room` pixels: the name gives way first (it keeps at least
/// a few characters), then the type.
fn fit_column(name: &str, kind: &str, room: f64) -> (Fitted, Fitted) {
    let fits = ((room - TYPE_DX) / COL_CH).floor() as usize;
    let name_fits = fits.saturating_sub(chars(kind)).max(6);
    let name = fit(name, name_fits);
    let kind = fit(kind, fits.saturating_sub(chars(&name.shown)));
    (name, kind)
}

/// `text` as is when it has at most `fits` characters, otherwise its first characters and an
/// ellipsis, `fits` characters in all.
fn fit(text: &str, fits: usize) -> Fitted {
    if chars(text) <= fits {
        return Fitted {
            shown: text.to_owned(),
            full: None,
        };
    }
    let kept: String = text.chars().take(fits.saturating_sub(1)).collect();
    Fitted {
        shown: format!("{kept}…"),
        full: Some(text.to_owned()),
    }
}

fn chars(text: &str) -> usize {
    text.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::protocol::{DiagramColumn, Mark};

    fn table(name: &str, columns: &[(&str, &str)]) -> DiagramTable {
        DiagramTable {
            name: name.to_owned(),
            status: Mark::Same,
            columns: columns
                .iter()
                .map(|(n, t)| DiagramColumn {
                    name: (*n).to_owned(),
                    decl_type: (*t).to_owned(),
                    status: Mark::Same,
                })
                .collect(),
            refs: vec![],
        }
    }

    /// How wide a box's texts are drawn, by the same measure the boxes are sized with.
    fn text_width(b: &Placed) -> f64 {
        b.columns
            .iter()
            .map(|(n, t)| column_width(n, t))
            .fold(chars(&b.name.shown) as f64 * NAME_CH, f64::max)
    }

    #[test]
    fn long_names_widen_the_box_or_shorten_with_the_whole_name_kept() {
        let boxes = place(&[
            table("users", &[("id", "INTEGER"), ("email", "TEXT")]),
            table(
                "customer_notification_preferences",
                &[
                    ("id", "INTEGER"),
                    ("preferred_notification_channel_identifier", "TEXT"),
                ],
            ),
        ]);
        // A short table keeps the narrowest box; its texts are not touched.
        assert_eq!(boxes[0].w, BOX_MIN_W);
        assert_eq!(boxes[0].name.full, None);
        // The long table name fits by widening its box.
        let wide = &boxes[1];
        assert!(wide.w > BOX_MIN_W && wide.w <= BOX_MAX_W, "{}", wide.w);
        assert_eq!(wide.name.shown, "customer_notification_preferences");
        // The column that fits no box is shortened, and says its whole name on hover.
        let (name, kind) = &wide.columns[1];
        assert!(name.shown.ends_with('…'), "{}", name.shown);
        assert_eq!(
            name.full.as_deref(),
            Some("preferred_notification_channel_identifier")
        );
        assert_eq!(kind.shown, "text");
        for b in &boxes {
            assert!(text_width(b) + 2.0 * PAD <= b.w, "{b:?}");
        }
    }

    #[test]
    fn boxes_never_overlap_and_a_row_stays_within_its_width() {
        let boxes = place(&[
            table("a", &[("id", "INTEGER")]),
            table("a_table_with_a_rather_long_name", &[("id", "INTEGER")]),
            table("b", &[("id", "INTEGER"), ("x", "TEXT"), ("y", "TEXT")]),
            table("c", &[("id", "INTEGER")]),
        ]);
        for (i, a) in boxes.iter().enumerate() {
            assert!(
                a.x + a.w + 6.0 <= ROW_MAX_W || a.x == 6.0,
                "{a:?} passes the row"
            );
            for b in &boxes[i + 1..] {
                let apart =
                    a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
                assert!(apart, "{a:?} overlaps {b:?}");
            }
        }
    }

    #[test]
    fn a_shortened_text_keeps_its_length_in_characters() {
        let fitted = fit("éééééééééé", 5);
        assert_eq!(fitted.shown, "éééé…");
        assert_eq!(fit("short", 5).full, None);
    }
}
