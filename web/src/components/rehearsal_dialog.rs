//! The rehearsal's report over the page, as `strata rehearse` prints it: whether it passed, then
//! per revision its class and, per direction (up, down, up again), the time, the write lock,
//! the rows of every table before and after, the integrity and foreign-key checks, what it threw
//! away, and what did not come back; the failing statement when one failed. It is a dialog, so
//! the panels behind it stay where they are.

use yew::prelude::*;

use strata_core::rehearse::{Report, StepReport, TableRows};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Box<Report>,
    pub on_close: Callback<()>,
}

#[function_component(RehearsalDialog)]
pub fn rehearsal_dialog(props: &Props) -> Html {
    let report = &props.report;
    let passed = report.passed();
    let verdict = if passed {
        "Passed: every pending revision went up, back down and up again, and gave back what it should."
    } else if report.failure.is_some() {
        "Failed: a step failed on the copy, and the rehearsal stopped there."
    } else {
        "Failed: the revisions ran, but something did not come back as it should."
    };
    html! {
        <div class="overlay">
            <div class="dialog wide rehearsal" role="dialog" aria-labelledby="rehearsal-title"
                data-testid="rehearsal" data-passed={passed.to_string()}>
                <div class="panel-head">
                    <h3 id="rehearsal-title">{ "Rehearsal on a copy" }</h3>
                    <button class="button small" data-testid="rehearsal-close" title="Close"
                        onclick={props.on_close.reform(|_: MouseEvent| ())}>{ "×" }</button>
                </div>
                <p class={classes!("verdict", if passed { "ok" } else { "failed" })} data-testid="rehearsal-verdict">{ verdict }</p>
                <p class="muted small">{ format!(
                    "It ran on a scratch copy of the database in this tab ({}); the database itself did not change. The CLI's strata rehearse runs the same rehearsal on a copy of a real database.",
                    bytes(report.size_before)
                ) }</p>
                if let Some(f) = &report.failure {
                    <div class="rehearsal-failure" data-testid="rehearsal-failure">
                        <p>{ format!("Revision {} ({}) failed going {}", f.revision, f.message, f.pass.label()) }
                            { f.step.map(|n| format!(", at statement {n}")).unwrap_or_default() }
                            { f.label.as_ref().map(|l| format!(" ({l})")).unwrap_or_default() }{ ":" }</p>
                        if let Some(sql) = &f.statement {
                            <pre class="code sql">{ sql.trim_end() }</pre>
                        }
                        <p class="error">{ &f.error }</p>
                    </div>
                }
                if !report.problems.is_empty() {
                    <ul class="rehearsal-problems" data-testid="rehearsal-problems">
                        { for report.problems.iter().map(|p| html! {
                            <li data-kind={format!("{:?}", p.kind)}>{ format!("{} ({}): {}", p.revision, p.pass.label(), p.message) }</li>
                        }) }
                    </ul>
                }
                <div class="rehearsal-revisions">
                    { for report.revisions.iter().map(|r| html! {
                        <section class="rehearsal-revision" data-testid={format!("rehearsal-{}", r.id)}>
                            <h4>
                                <code>{ &r.id }</code>{ " " }{ &r.message }{ " " }
                                <span class={classes!("badge", "class", r.class.class.label())}
                                    title={r.class.summary()}>{ r.class.class.label() }</span>
                            </h4>
                            <table class="grid rehearsal-steps">
                                <thead><tr>
                                    <th>{ "direction" }</th><th>{ "time" }</th><th>{ "write lock" }</th>
                                    <th>{ "rows before → after" }</th><th>{ "checks" }</th><th>{ "findings" }</th>
                                </tr></thead>
                                <tbody>
                                    { for report.steps_of(&r.id).map(step_row) }
                                </tbody>
                            </table>
                        </section>
                    }) }
                </div>
            </div>
        </div>
    }
}

/// One direction of one revision.
fn step_row(step: &StepReport) -> Html {
    let checks = {
        let integrity = if step.integrity == ["ok"] {
            "integrity ok".to_owned()
        } else {
            format!("integrity: {}", step.integrity.join("; "))
        };
        format!(
            "{integrity}; {} rows without a parent",
            step.foreign_key_violations
        )
    };
    let mut findings: Vec<String> = step
        .losses
        .iter()
        .map(|l| format!("throws away {} (declared)", l.loss))
        .collect();
    findings.extend(step.mismatches.iter().filter(|m| !m.inherited).map(
        |m| match &m.declared_by {
            Some(by) => format!("{} (declared by {by})", m.describe()),
            None => format!("{}: a silent loss", m.describe()),
        },
    ));
    html! {
        <tr data-testid={format!("rehearsal-step-{}-{}", step.revision, step.pass.label().replace(' ', "-"))}>
            <td>{ step.pass.label() }</td>
            <td>{ millis(step.wall_ms) }</td>
            <td>{ millis(step.lock_ms) }</td>
            <td class="rows">{ rows(&step.rows) }</td>
            <td>{ checks }</td>
            <td class="findings">{ if findings.is_empty() { "none".to_owned() } else { findings.join("; ") } }</td>
        </tr>
    }
}

/// `users 4 → 4, notes – → 3`: every table, `–` where it does not exist.
fn rows(tables: &[TableRows]) -> String {
    let count = |n: Option<u64>| n.map_or_else(|| "–".to_owned(), |n| n.to_string());
    tables
        .iter()
        .map(|t| format!("{} {} → {}", t.table, count(t.before), count(t.after)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn millis(ms: f64) -> String {
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

fn bytes(n: u64) -> String {
    if n < 1024 {
        format!("{n} B")
    } else {
        format!("{:.0} KiB", n as f64 / 1024.0)
    }
}
