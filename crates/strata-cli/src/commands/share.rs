//! `strata share`: prints the playground link that opens this project (the engine's
//! `transfer::share`), and says on stderr what it carries and what it left out.

use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use rusqlite::Connection;
use strata_core::history;
use strata_core::project::ModelLanguage;
use strata_engine::migrate;
use strata_engine::transfer::share::{share as share_link, ROWS_LINK_LIMIT};

use crate::args::ShareArgs;
use crate::config::Project;
use crate::output::{paint, DIM, WARN};

pub fn share(project: &Project, args: &ShareArgs) -> Result<ExitCode> {
    let revs = project.revisions()?;
    // The files as they are on disk, parents first: the playground keeps them byte for byte,
    // so their checksums stay the ones the version rows record.
    let files = revs
        .graph
        .revisions()
        .map(|rev| {
            let path = &revs.files[&rev.id];
            std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
        })
        .collect::<Result<Vec<_>>>()?;
    let model_text = std::fs::read_to_string(&project.model)
        .with_context(|| format!("cannot read the model {}", project.model.display()))?;
    let model_text = model_text.strip_prefix('\u{feff}').unwrap_or(&model_text);
    let language = ModelLanguage::of_file(&project.model.to_string_lossy());
    // Without a database the link opens the revisions with nothing applied.
    let conn = match project.open_read_only()? {
        Some(conn) => conn,
        None => Connection::open_in_memory()?,
    };
    let version_table = project.version_table();
    let findings: Vec<String> =
        history::validate(&migrate::applied(&conn, version_table)?, &revs.graph)
            .iter()
            .filter(|f| f.is_error())
            .map(|f| f.describe())
            .collect();
    if !findings.is_empty() {
        bail!(
            "the database and the revision files disagree ({}), so a link would not show this project as it is; nothing was shared. Run `strata verify` and resolve that first",
            findings.join("; ")
        );
    }
    let shared = share_link(
        &conn,
        &files,
        model_text,
        language,
        version_table,
        &args.base,
    )
    .map_err(|e| anyhow!(e))?;
    anstream::println!("{}", shared.link);

    let applied = match shared.project.applied.as_str() {
        "base" => "nothing applied".to_owned(),
        ids => format!("applied up to {ids}"),
    };
    let rows = match shared.rows_left_out {
        None => format!("{} row(s) in {} table(s)", shared.rows, shared.tables),
        Some(_) => "no rows".to_owned(),
    };
    anstream::eprintln!(
        "{}",
        paint(
            DIM,
            format!(
                "the link ({} characters) carries the model, {} revision(s) ({applied}) and {rows}",
                shared.link.len(),
                files.len()
            )
        )
    );
    if let Some(would_be) = shared.rows_left_out {
        anstream::eprintln!(
            "{} the database's {} row(s) were left out: with them the link would be {would_be} characters, more than the {ROWS_LINK_LIMIT} a link carries rows in; it opens the schema and the revisions with empty tables",
            paint(WARN, "note:"),
            shared.rows
        );
    }
    if shared.drift {
        anstream::eprintln!(
            "{} the database's schema differs from what its revisions build (`strata check` reports it); the link carries that difference as SQL run after the revisions",
            paint(WARN, "note:")
        );
    }
    Ok(ExitCode::SUCCESS)
}
