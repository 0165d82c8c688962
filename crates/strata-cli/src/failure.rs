//! How a failed command ends: a usage error (the command line itself is wrong, whatever the
//! project holds) exits 2 as clap's own do, every other failure exits 1; and a lock wait that
//! ran out is told as such, naming who holds the lock, instead of as whatever statement met it.

use std::path::Path;
use std::process::ExitCode;

use rusqlite::ErrorCode;
use strata_core::export::ExportError;
use strata_core::history::Finding;
use strata_core::revision::RevisionError;
use strata_engine::migrate::MigrateError;
use strata_engine::store::CreateError;

/// The command line asks for something that cannot be done in any project (a malformed
/// `--rename`, `upgrade -1`, `--database ""`): exit code 2.
#[derive(Debug)]
pub struct Usage(pub String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// A usage error with this message.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    Usage(message.into()).into()
}

/// 2 for usage errors, 1 for the rest.
pub fn exit_code(e: &anyhow::Error) -> ExitCode {
    if is_usage(e) {
        ExitCode::from(2)
    } else {
        ExitCode::FAILURE
    }
}

fn is_usage(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.is::<Usage>()
            || matches!(c.downcast_ref::<RevisionError>(), Some(RevisionError::BadTarget { .. }))
            || matches!(c.downcast_ref::<MigrateError>(), Some(MigrateError::Revision(RevisionError::BadTarget { .. })))
    })
}

/// SQLite's result code of the first SQLite error in the chain, looking inside the core's errors.
pub fn sqlite_code(e: &anyhow::Error) -> Option<ErrorCode> {
    e.chain().find_map(|c| {
        if let Some(m) = c.downcast_ref::<MigrateError>() {
            return m.sqlite_code();
        }
        if let Some(core) = c.downcast_ref::<strata_engine::Error>() {
            return core.sqlite_code();
        }
        c.downcast_ref::<rusqlite::Error>().and_then(rusqlite::Error::sqlite_error_code)
    })
}

/// Whether the command failed because another process held the database locked for longer
/// than the busy timeout.
pub fn is_locked(e: &anyhow::Error) -> bool {
    matches!(sqlite_code(e), Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked))
}

/// The message for a lock wait that ran out, for commands that did not change anything.
pub fn locked(database: &Path, timeout_ms: u64) -> anyhow::Error {
    anyhow::anyhow!(
        "database {} {} and it was still locked after {}; nothing was changed. {}",
        database.display(),
        crate::lock::held_by(database),
        wait(timeout_ms),
        WHAT_TO_DO
    )
}

/// What to do about a lock that did not go away in time.
pub const WHAT_TO_DO: &str = "Wait for that process to finish (or stop it), then run the command again; to wait longer, raise busy_timeout_ms in strata.toml";

/// "0.2 s (busy_timeout_ms = 200)".
pub fn wait(timeout_ms: u64) -> String {
    format!("{} s (busy_timeout_ms = {timeout_ms})", timeout_ms as f64 / 1000.0)
}

/// What the CLI adds to an error: the command or flag that does what the message asks for.
/// The engine's messages say what to do in words both front-ends share ("join them with a merge
/// revision first", "allow the data loss"); only the CLI has `strata merge` and
/// `--allow-data-loss`, so it names them here, once per error.
pub fn cli_words(e: &anyhow::Error) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |words: String| {
        if !out.contains(&words) {
            out.push(words);
        }
    };
    for cause in e.chain() {
        let revision = cause
            .downcast_ref::<RevisionError>()
            .or_else(|| match cause.downcast_ref::<MigrateError>() {
                Some(MigrateError::Revision(r)) => Some(r),
                _ => None,
            })
            .or_else(|| match cause.downcast_ref::<CreateError>() {
                Some(CreateError::Parents { cause }) => Some(cause),
                _ => None,
            })
            .or_else(|| match cause.downcast_ref::<ExportError>() {
                Some(ExportError::Graph(r)) => Some(r),
                _ => None,
            });
        match revision {
            Some(RevisionError::MultipleHeads { heads }) => add(merge_heads(heads)),
            Some(RevisionError::NoRevisions) => add("write the first with `strata revision -m MESSAGE`".into()),
            Some(RevisionError::UnknownRevision { .. }) => add("`strata history` lists the revisions".into()),
            _ => {}
        }
        match cause.downcast_ref::<MigrateError>() {
            Some(MigrateError::DataLoss { .. } | MigrateError::DataLossInPath(_)) => add(
                "run it again with --allow-data-loss to go ahead; `strata revision --accept-data-loss` writes a revision whose author accepts its loss".into(),
            ),
            Some(MigrateError::ForeignVersionTable { .. }) => {
                add("`strata stamp REVISION` records the revision the database is at".into());
                add("or set version_table in strata.toml to use another version table".into());
            }
            Some(MigrateError::History { findings } | MigrateError::UnsafeSql { findings }) => {
                for f in findings {
                    match f {
                        Finding::MultipleHeads { heads } => add(merge_heads(heads)),
                        Finding::Unknown { .. } => add("`strata stamp REVISION` records the revision the database is at".into()),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        if let Some(ExportError::UnknownRevision { .. }) = cause.downcast_ref::<ExportError>() {
            add("`strata history` lists the revisions".into());
        }
        let engine = cause.downcast_ref::<strata_engine::Error>().or_else(|| match cause.downcast_ref::<MigrateError>() {
            Some(MigrateError::Failed { cause, .. } | MigrateError::FailedPartly { cause, .. } | MigrateError::Core(cause)) => Some(&**cause),
            _ => None,
        });
        if let Some(strata_engine::Error::TransactionEnded { .. }) = engine {
            add("`strata check` compares the database with its revisions".into());
        }
    }
    out
}

fn merge_heads(heads: &[String]) -> String {
    format!("join them with: strata merge -m \"merge heads\" {}", heads.join(" "))
}
