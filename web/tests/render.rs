//! Components rendered by Yew in headless Chromium, checked through the same `data-testid`
//! hooks the end-to-end tests and outside reviewers use.
//!
//! Run: `cargo test -p strata-web --target wasm32-unknown-unknown`.

#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use strata_web::components::console::{Console, Props as ConsoleProps};
use strata_web::components::version_panel::{Props as VersionProps, VersionPanel};
use strata_web::services::protocol::{Cell, Grid, Outcome};
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::Element;
use yew::{AttrValue, Callback};

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// A fresh element in the document to render into, so tests do not see each other's output.
fn root() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

/// Yew renders on the next turn of the event loop, so the test yields once before looking.
async fn rendered() {
    yew::platform::time::sleep(Duration::from_millis(0)).await;
}

fn console(result: Option<Outcome>, error: Option<&str>) -> ConsoleProps {
    ConsoleProps {
        sql: AttrValue::from("SELEC 1"),
        result,
        error: error.map(|e| AttrValue::from(e.to_owned())),
        busy: false,
        on_edit: Callback::noop(),
        on_run: Callback::noop(),
    }
}

#[wasm_bindgen_test]
async fn a_console_error_is_shown_in_the_error_hook() {
    let root = root();
    let props = console(None, Some("statement 1: near \"SELEC\": syntax error"));
    yew::Renderer::<Console>::with_root_and_props(root.clone(), props).render();
    rendered().await;
    let error = root
        .query_selector("[data-testid=error]")
        .unwrap()
        .expect("an error element");
    assert!(error.text_content().unwrap().contains("syntax error"));
    assert!(root
        .query_selector("[data-testid=console-result]")
        .unwrap()
        .is_none());
}

#[wasm_bindgen_test]
async fn a_console_write_reports_what_it_changed() {
    let root = root();
    let props = console(
        Some(Outcome::Changed {
            statements: 2,
            rows: 1,
        }),
        None,
    );
    yew::Renderer::<Console>::with_root_and_props(root.clone(), props).render();
    rendered().await;
    let result = root
        .query_selector("[data-testid=console-result]")
        .unwrap()
        .unwrap();
    assert_eq!(
        result.text_content().unwrap(),
        "2 statements ran, 1 row changed"
    );
}

#[wasm_bindgen_test]
async fn the_version_panel_lists_each_applied_revision() {
    let root = root();
    let grid = Grid {
        columns: vec!["version".into(), "description".into()],
        rows: vec![
            vec![Cell::Text("0001".into()), Cell::Text("create users".into())],
            vec![
                Cell::Text("0002".into()),
                Cell::Text("add identities".into()),
            ],
        ],
        total: 2,
    };
    yew::Renderer::<VersionPanel>::with_root_and_props(
        root.clone(),
        VersionProps { grid: Some(grid) },
    )
    .render();
    rendered().await;
    let rows = root
        .query_selector_all("[data-testid=schema-version-table] tbody tr")
        .unwrap();
    assert_eq!(rows.length(), 2);
}
