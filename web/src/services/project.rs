//! The playground's project files and share links. The value and its readers live in the core
//! (`strata_core::project`), so every reader of these files reads them the same way; the web
//! crate keeps this path for its components and services.

pub use strata_core::project::*;
