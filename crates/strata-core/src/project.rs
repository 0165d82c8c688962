//! A whole playground project as one value: what a project file, a share link and a lesson's
//! starting point carry (the model, the revisions, where the database stands and its rows).
//!
//! Nothing here touches a connection: the playground's engine builds a database from a
//! [`Project`] and makes one from a database, and the page only moves the value between files,
//! links and the worker. It lives in the core so that every reader of these files (the
//! playground, the tests, and the CLI's `open` and `share`) reads them the same way;
//! [`folder`] lays a project out as the files of a CLI project.

pub mod folder;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use miniz_oxide::inflate::TINFLStatus;

use crate::revision::{Graph, Revision, Target};

/// The only format this playground writes and reads.
pub const FORMAT: &str = "strata-project/1";

/// What a share link's fragment starts with.
pub const SHARE_PREFIX: &str = "#project=";

/// The most a share link may inflate to. A link is typed or pasted by a person, so anything
/// bigger is a mistake or a trick, and refusing it keeps the tab's memory safe. `strata open`
/// reads no larger project file either.
pub const SHARE_LIMIT: usize = 16 << 20;

/// The most lines a model may have. Real models, SQL or SQLModel, run to hundreds of lines;
/// a model past this is a mistake or a trick (a few kilobytes of link can inflate to a million
/// blank lines), and every keystroke, autogenerate and reload would pay for it.
pub const MODEL_LINE_LIMIT: usize = 10_000;

/// The most bytes a model may have, for the same reason as [`MODEL_LINE_LIMIT`].
pub const MODEL_BYTE_LIMIT: usize = 512 << 10;

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

/// Everything needed to rebuild a playground database elsewhere.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Project {
    /// Always [`FORMAT`]; anything else is refused.
    pub format: String,
    #[serde(default)]
    pub language: ModelLanguage,
    /// The model editor's text.
    pub model: String,
    /// Parents before children, each a strata revision file.
    pub revisions: Vec<String>,
    /// What is applied after loading: `head`, `heads`, `base`, a revision id, or several ids
    /// separated by commas (the applied revisions that nothing applied builds on, so a
    /// database with two unmerged branches applied keeps both). A string rather than a list,
    /// so files written before several ids were possible still read the same way.
    pub applied: String,
    /// SQL run after the upgrade to fill rows (INSERT statements).
    #[serde(default)]
    pub data: String,
}

/// Why a project file or a share link was refused. Every message says that nothing changed,
/// because the engine checks a project completely before it touches the database.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ProjectError {
    #[error("the project file is not valid JSON at line {line}, column {column} ({message}); nothing was changed")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("the project file has no \"format\" field, so it is not a strata project; nothing was changed")]
    NoFormat,
    #[error("the project file has format {found:?}, but this playground reads only {FORMAT:?}; nothing was changed")]
    Format { found: String },
    #[error("the project file does not have the expected fields ({message}); nothing was changed")]
    Shape { message: String },
    #[error("revision {number} of the project cannot be read ({message}); nothing was changed")]
    Revision { number: usize, message: String },
    #[error("the project's revisions do not form a valid graph ({message}); nothing was changed")]
    Graph { message: String },
    #[error("the project says it is applied up to {applied:?}, which is not head, heads, base, one of its revisions or a comma-separated list of them; nothing was changed")]
    Applied { applied: String },
    #[error("the share link is damaged or cut short ({message}); nothing was changed")]
    Link { message: String },
    /// A model past [`MODEL_LINE_LIMIT`] or [`MODEL_BYTE_LIMIT`] (`check_model_size`).
    #[error("the model is too large ({} lines, {} KiB; the playground takes at most {} lines and {} KiB): shorten it; nothing was changed", thousands(*lines), thousands(bytes.div_ceil(1024)), thousands(MODEL_LINE_LIMIT), MODEL_BYTE_LIMIT >> 10)]
    ModelTooLarge { lines: usize, bytes: usize },
    /// A link that unpacks to more than [`SHARE_LIMIT`] bytes: intact, perhaps, but more than a
    /// project link may hold (a decompression bomb is one), so it is not unpacked further.
    #[error("the share link is too large: it unpacks to more than {} MiB, more than a project link may hold; nothing was changed", limit >> 20)]
    TooLarge { limit: usize },
    /// A revision whose file name (`Revision::file_name`) would not be a plain name inside the
    /// migrations folder. Ids cannot hold a path today; this keeps it so.
    #[error("revision {id} would be written as {file:?}, which is not a plain file name; nothing was changed")]
    FileName { id: String, file: String },
    /// Two revisions whose files would have the same name (or names that differ only in case,
    /// which one file on a case-insensitive file system).
    #[error("revisions {first} and {second} would both be written as {file}; nothing was changed")]
    SameFile {
        first: String,
        second: String,
        file: String,
    },
}

impl Project {
    /// A project with only a model: no revisions, nothing applied, no rows.
    pub fn empty(model: impl Into<String>) -> Project {
        Project {
            format: FORMAT.to_owned(),
            language: ModelLanguage::Sql,
            model: model.into(),
            revisions: Vec::new(),
            applied: "base".to_owned(),
            data: String::new(),
        }
    }

    /// The project file's text, indented so it reads well in a diff.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a project is plain data and always serializes")
    }

    /// Reads and checks a project file: JSON, format, every revision, the graph and the target.
    pub fn from_json(text: &str) -> Result<Project, ProjectError> {
        // The format is checked before the fields, so a file of another kind is named as such
        // rather than reported as a missing field.
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ProjectError::Json {
                line: e.line(),
                column: e.column(),
                message: without_position(&e),
            })?;
        match value.get("format") {
            None => return Err(ProjectError::NoFormat),
            Some(serde_json::Value::String(found)) if found == FORMAT => {}
            Some(other) => {
                return Err(ProjectError::Format {
                    found: other
                        .as_str()
                        .map_or_else(|| other.to_string(), str::to_owned),
                })
            }
        }
        let project: Project = serde_json::from_value(value).map_err(|e| ProjectError::Shape {
            message: e.to_string(),
        })?;
        check_model_size(&project.model)?;
        project.graph()?;
        Ok(project)
    }

    /// The revisions, parsed, in the project's order.
    pub fn parsed_revisions(&self) -> Result<Vec<Revision>, ProjectError> {
        if self.format != FORMAT {
            return Err(ProjectError::Format {
                found: self.format.clone(),
            });
        }
        self.revisions
            .iter()
            .enumerate()
            .map(|(i, file)| {
                Revision::parse(file).map_err(|e| ProjectError::Revision {
                    number: i + 1,
                    message: e.to_string(),
                })
            })
            .collect()
    }

    /// The revision graph, checked, with `applied` known to name a place in it.
    pub fn graph(&self) -> Result<Graph, ProjectError> {
        Ok(self.graph_and_targets()?.0)
    }

    /// The revision graph and the targets `applied` names, each checked: loading upgrades to
    /// every target in turn. `base` names none.
    pub fn graph_and_targets(&self) -> Result<(Graph, Vec<Target>), ProjectError> {
        let graph = Graph::new(self.parsed_revisions()?).map_err(|e| ProjectError::Graph {
            message: e.to_string(),
        })?;
        let unknown = || ProjectError::Applied {
            applied: self.applied.clone(),
        };
        let targets = if self.applied.contains(',') {
            // A list holds revision ids only: "head" or "base" beside other targets would
            // say two different things about where the database stands.
            self.applied
                .split(',')
                .map(|id| match Target::parse(id) {
                    Target::Revision(id) if graph.get(&id).is_some() => Ok(Target::Revision(id)),
                    _ => Err(unknown()),
                })
                .collect::<Result<Vec<_>, _>>()?
        } else {
            match Target::parse(&self.applied) {
                Target::Base => Vec::new(),
                target @ (Target::Head | Target::Heads) => vec![target],
                Target::Revision(id) if graph.get(&id).is_some() => vec![Target::Revision(id)],
                _ => return Err(unknown()),
            }
        };
        Ok((graph, targets))
    }

    /// The URL fragment that carries this project: `#project=` and the zlib-compressed JSON in
    /// URL-safe base64. zlib rather than raw deflate, because its checksum catches a link that
    /// was changed in a way that still decompresses.
    pub fn share_fragment(&self) -> String {
        let json = serde_json::to_vec(self).expect("a project is plain data and always serializes");
        let packed = miniz_oxide::deflate::compress_to_vec_zlib(&json, 9);
        format!("{SHARE_PREFIX}{}", URL_SAFE_NO_PAD.encode(packed))
    }

    /// The whole link: `base` (the playground's address; a fragment it has is dropped) followed
    /// by [`Project::share_fragment`], as the playground's own Share link makes it.
    pub fn share_url(&self, base: &str) -> String {
        let base = base.split('#').next().unwrap_or_default();
        format!("{base}{}", self.share_fragment())
    }

    /// Reads what a person hands over as a project: a project file's JSON (its first character
    /// other than white space is `{`), or else a share link or its fragment.
    pub fn from_file_or_link(text: &str) -> Result<Project, ProjectError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.trim_start().starts_with('{') {
            Project::from_json(text)
        } else {
            Project::from_share_fragment(text)
        }
    }

    /// Reads a share link's fragment (with or without the leading `#`), or a whole link.
    pub fn from_share_fragment(fragment: &str) -> Result<Project, ProjectError> {
        let link = |message: String| ProjectError::Link { message };
        let encoded = fragment
            .find("project=")
            .map(|at| &fragment[at + "project=".len()..])
            .ok_or_else(|| link("it has no project= part".to_owned()))?;
        let packed = URL_SAFE_NO_PAD
            .decode(encoded.trim().trim_end_matches('='))
            .map_err(|e| link(format!("not base64: {e}")))?;
        let json = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&packed, SHARE_LIMIT)
            .map_err(|e| match e.status {
                TINFLStatus::HasMoreOutput => ProjectError::TooLarge { limit: SHARE_LIMIT },
                TINFLStatus::FailedCannotMakeProgress => {
                    link("its compressed data ends too early".to_owned())
                }
                TINFLStatus::Adler32Mismatch => {
                    link("its checksum does not match what it unpacks to".to_owned())
                }
                _ => link("its compressed data is not valid".to_owned()),
            })?;
        let text = String::from_utf8(json).map_err(|_| link("not UTF-8 text".to_owned()))?;
        Project::from_json(&text)
    }
}

/// Refuses a model past [`MODEL_LINE_LIMIT`] lines or [`MODEL_BYTE_LIMIT`] bytes. Lines are
/// counted as the editor numbers them: one more than the line breaks.
pub fn check_model_size(model: &str) -> Result<(), ProjectError> {
    let bytes = model.len();
    let lines = model.bytes().filter(|&b| b == b'\n').count() + 1;
    if lines > MODEL_LINE_LIMIT || bytes > MODEL_BYTE_LIMIT {
        return Err(ProjectError::ModelTooLarge { lines, bytes });
    }
    Ok(())
}

/// A count with a comma between each group of three digits, as the messages write numbers.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// serde_json's message without its trailing "at line L column C", which the error repeats in
/// its own words. The exercise link's reader shares it, so both say a bad JSON the same way.
pub(crate) fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A few kilobytes of link can inflate to a million blank lines; such a link is refused as
    /// too large before any of it is used, and so is a project file with such a model. A model
    /// at the limit is read.
    #[test]
    fn a_million_line_model_in_a_small_link_is_refused_as_too_large() {
        let huge = Project::empty("\n".repeat(1_000_000));
        let fragment = huge.share_fragment();
        assert!(fragment.len() < 4_000, "{}", fragment.len());
        let error = Project::from_share_fragment(&fragment).unwrap_err();
        assert_eq!(error, ProjectError::ModelTooLarge { lines: 1_000_001, bytes: 1_000_000 });
        assert_eq!(
            error.to_string(),
            "the model is too large (1,000,001 lines, 977 KiB; the playground takes at most 10,000 lines and 512 KiB): shorten it; nothing was changed"
        );
        assert!(Project::from_json(&huge.to_json()).is_err());
        let wide = Project::empty("x".repeat(MODEL_BYTE_LIMIT + 1));
        assert!(matches!(Project::from_json(&wide.to_json()), Err(ProjectError::ModelTooLarge { lines: 1, .. })));
        let at_limit = Project::empty("\n".repeat(MODEL_LINE_LIMIT - 1));
        assert_eq!(Project::from_json(&at_limit.to_json()).unwrap(), at_limit);
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(12_345_678), "12,345,678");
    }

    /// Two revisions in a line, both applied, with rows: the shape of the playground's demo.
    fn sample() -> Project {
        let first = Revision::new("0001", vec![], "create users", "2026-11-02T09:14:05Z", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);", "DROP TABLE users;");
        let second = Revision::new("0002", vec!["0001".to_owned()], "add names", "2026-11-09T16:40:51Z", "ALTER TABLE users ADD COLUMN name TEXT;", "ALTER TABLE users DROP COLUMN name;");
        Project {
            format: FORMAT.to_owned(),
            language: ModelLanguage::Sql,
            model: "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT);\n".to_owned(),
            revisions: vec![first.render(), second.render()],
            applied: "head".to_owned(),
            data: "INSERT INTO users (email, name) VALUES ('ada@example.com', 'Ada');\n".to_owned(),
        }
    }

    #[test]
    fn a_project_file_round_trips() {
        let project = sample();
        assert_eq!(Project::from_json(&project.to_json()), Ok(project));
    }

    #[test]
    fn an_empty_project_has_no_revisions_and_nothing_applied() {
        let project = Project::empty("CREATE TABLE t (x);");
        assert_eq!(
            (project.revisions.len(), project.applied.as_str()),
            (0, "base")
        );
        assert!(project.graph().is_ok());
    }

    #[test]
    fn language_and_data_may_be_left_out_and_the_language_is_lowercase() {
        let text =
            r#"{"format": "strata-project/1", "model": "", "revisions": [], "applied": "base"}"#;
        let project = Project::from_json(text).unwrap();
        assert_eq!(
            (project.language, project.data.as_str()),
            (ModelLanguage::Sql, "")
        );
        let mut project = project;
        project.language = ModelLanguage::Sqlmodel;
        assert!(project.to_json().contains("\"language\": \"sqlmodel\""));
    }

    #[test]
    fn bad_json_names_the_line_and_column() {
        let error =
            Project::from_json("{\n  \"format\": \"strata-project/1\",\n  oops\n}").unwrap_err();
        let ProjectError::Json { line, column, .. } = &error else {
            panic!("{error:?}")
        };
        assert_eq!((*line, *column), (3, 3));
        let message = error.to_string();
        assert!(
            message.starts_with("the project file is not valid JSON at line 3, column 3"),
            "{message}"
        );
        assert!(message.ends_with("nothing was changed"), "{message}");
    }

    #[test]
    fn another_format_is_refused_by_name() {
        let text = sample().to_json().replace(FORMAT, "strata-project/9");
        let message = Project::from_json(&text).unwrap_err().to_string();
        assert!(message.contains("\"strata-project/9\""), "{message}");
        assert_eq!(
            Project::from_json(r#"{"name": "x"}"#),
            Err(ProjectError::NoFormat)
        );
    }

    #[test]
    fn an_unreadable_revision_is_named_by_its_number() {
        let mut project = sample();
        project.revisions[1] = "not a revision".to_owned();
        let error = Project::from_json(&project.to_json()).unwrap_err();
        assert!(
            matches!(error, ProjectError::Revision { number: 2, .. }),
            "{error:?}"
        );
    }

    #[test]
    fn a_revision_whose_parent_is_missing_is_an_invalid_graph() {
        let mut project = sample();
        project.revisions.remove(0);
        let error = Project::from_json(&project.to_json()).unwrap_err();
        assert!(matches!(error, ProjectError::Graph { .. }), "{error:?}");
        assert!(error.to_string().contains("0001"), "{error}");
    }

    #[test]
    fn an_unknown_applied_target_is_refused() {
        let mut project = sample();
        project.applied = "nope".to_owned();
        assert_eq!(
            project.graph().unwrap_err(),
            ProjectError::Applied {
                applied: "nope".to_owned()
            }
        );
    }

    #[test]
    fn applied_may_name_heads_or_several_revisions() {
        let mut project = sample();
        for (applied, targets) in [
            ("base", vec![]),
            ("heads", vec![Target::Heads]),
            ("head", vec![Target::Head]),
            ("0001", vec![Target::Revision("0001".into())]),
            (
                "0001, 0002",
                vec![
                    Target::Revision("0001".into()),
                    Target::Revision("0002".into()),
                ],
            ),
        ] {
            project.applied = applied.to_owned();
            assert_eq!(project.graph_and_targets().unwrap().1, targets, "{applied}");
            assert!(Project::from_json(&project.to_json()).is_ok(), "{applied}");
        }
        for applied in ["0001,nope", "0001,head", "0001,", ",", "base,0001"] {
            project.applied = applied.to_owned();
            let error = Project::from_json(&project.to_json()).unwrap_err();
            assert_eq!(
                error,
                ProjectError::Applied {
                    applied: applied.to_owned()
                },
                "{applied}"
            );
            assert!(error.to_string().ends_with("nothing was changed"));
        }
    }

    #[test]
    fn a_share_link_round_trips_and_is_compact() {
        let project = sample();
        let fragment = project.share_fragment();
        assert!(fragment.starts_with(SHARE_PREFIX));
        assert!(fragment[SHARE_PREFIX.len()..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert!(
            fragment.len() < project.to_json().len(),
            "{}",
            fragment.len()
        );
        assert_eq!(Project::from_share_fragment(&fragment), Ok(project.clone()));
        let url = format!("http://127.0.0.1:8080/{fragment}");
        assert_eq!(Project::from_share_fragment(&url), Ok(project));
    }

    #[test]
    fn a_link_is_the_base_address_and_the_fragment_and_either_form_reads_back() {
        let project = sample();
        let url = project.share_url("https://play.example.com/strata/?x=1#old");
        assert_eq!(url, format!("https://play.example.com/strata/?x=1{}", project.share_fragment()));
        for text in [url.clone(), format!("{url}\n"), project.to_json(), format!("\u{feff}  {}", project.to_json())] {
            assert_eq!(Project::from_file_or_link(&text), Ok(project.clone()), "{text:.40}");
        }
        // Text that is neither is read as a link, and refused as one.
        let error = Project::from_file_or_link("[1, 2]").unwrap_err();
        assert!(matches!(error, ProjectError::Link { .. }), "{error:?}");
    }

    #[test]
    fn a_cut_or_garbled_share_link_is_refused() {
        let fragment = sample().share_fragment();
        let cut = &fragment[..fragment.len() * 2 / 3];
        let garbled = fragment.replacen('A', "B", 3).replacen('x', "y", 3);
        for bad in [
            cut,
            garbled.as_str(),
            "#project=!!!",
            "#project=",
            "#nothing",
        ] {
            let error = Project::from_share_fragment(bad).unwrap_err();
            assert!(
                matches!(error, ProjectError::Link { .. } | ProjectError::Json { .. }),
                "{bad}: {error:?}"
            );
            assert!(
                error.to_string().ends_with("nothing was changed"),
                "{error}"
            );
        }
    }

    #[test]
    fn a_link_that_unpacks_past_the_limit_is_too_large_not_damaged() {
        let bomb = |bytes: usize| {
            format!(
                "#project={}",
                URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec_zlib(
                    &vec![b' '; bytes],
                    10
                ))
            )
        };
        let error = Project::from_share_fragment(&bomb(SHARE_LIMIT + 1)).unwrap_err();
        assert_eq!(error, ProjectError::TooLarge { limit: SHARE_LIMIT });
        assert_eq!(
            error.to_string(),
            "the share link is too large: it unpacks to more than 16 MiB, more than a project link may hold; nothing was changed"
        );
        // Just within the limit it unpacks, and is refused for what it holds (blank JSON).
        let within = Project::from_share_fragment(&bomb(SHARE_LIMIT)).unwrap_err();
        assert!(matches!(within, ProjectError::Json { .. }), "{within:?}");
        // A cut link says what is wrong in words, never with the decompressor's own names.
        let fragment = sample().share_fragment();
        let cut = Project::from_share_fragment(&fragment[..fragment.len() * 2 / 3]).unwrap_err();
        assert!(!cut.to_string().contains("Failed"), "{cut}");
    }
}
