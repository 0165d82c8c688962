//! A whole playground project as one value: what a project file, a share link and a lesson's
//! starting point carry.

use serde::{Deserialize, Serialize};

/// The language the model editor's text is written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelLanguage {
    /// SQL DDL, executed into a scratch database and introspected.
    #[default]
    Sql,
    /// SQLModel classes (the Python subset strata reads).
    Sqlmodel,
}
