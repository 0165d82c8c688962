//! A project laid out as the files of a CLI project (what `strata open` writes): the model in
//! the file `strata init` would name for its language, and one revision file per revision,
//! named as `strata revision` names it and holding exactly the project's text, so its checksum
//! is the one the project's database records. Pure: the CLI writes the files and builds the
//! database.

use std::collections::BTreeMap;

use super::{ModelLanguage, Project, ProjectError};

impl ModelLanguage {
    /// The model file a new project of this language has (`strata init`, `strata init
    /// --sqlmodel`): its extension is how the CLI knows the language.
    pub fn file_name(self) -> &'static str {
        match self {
            ModelLanguage::Sql => "schema.sql",
            ModelLanguage::Sqlmodel => "models.py",
        }
    }

    /// The language of a model file, from its extension as the CLI reads it.
    pub fn of_file(name: &str) -> ModelLanguage {
        if name.ends_with(".py") {
            ModelLanguage::Sqlmodel
        } else {
            ModelLanguage::Sql
        }
    }
}

/// The files of a project, named relative to the project's folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Folder {
    /// The model file's name ([`ModelLanguage::file_name`]) and its text.
    pub model: (&'static str, String),
    /// Each revision's file name inside the migrations folder and its text, in the project's
    /// order (parents before children).
    pub revisions: Vec<(String, String)>,
}

/// The project as files. The project is checked as a project file is (every revision reads,
/// the graph holds, `applied` names a place in it), and every file name is a plain name that no
/// other revision's file has, ignoring case, so no file can land outside its folder or over
/// another one.
pub fn folder_of(project: &Project) -> Result<Folder, ProjectError> {
    project.graph()?;
    let revisions = project.parsed_revisions()?;
    let mut taken: BTreeMap<String, String> = BTreeMap::new();
    let mut files = Vec::with_capacity(revisions.len());
    for (rev, text) in revisions.iter().zip(&project.revisions) {
        let file = rev.file_name();
        if !is_plain_name(&file) {
            return Err(ProjectError::FileName {
                id: rev.id.clone(),
                file,
            });
        }
        if let Some(first) = taken.insert(file.to_ascii_lowercase(), rev.id.clone()) {
            return Err(ProjectError::SameFile {
                first,
                second: rev.id.clone(),
                file,
            });
        }
        files.push((file, text.clone()));
    }
    Ok(Folder {
        model: (project.language.file_name(), project.model.clone()),
        revisions: files,
    })
}

/// A name that is one entry of a folder on every common file system: no separator, no `.` or
/// `..`, nothing a path would read specially, and not hidden.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name.len() <= 255
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::FORMAT;
    use crate::revision::Revision;

    fn project(revisions: Vec<String>, language: ModelLanguage) -> Project {
        Project {
            format: FORMAT.to_owned(),
            language,
            model: "class A: pass\n".to_owned(),
            revisions,
            applied: "head".to_owned(),
            data: String::new(),
        }
    }

    fn rev(id: &str, parents: &[&str], message: &str) -> Revision {
        let parents = parents.iter().map(|p| p.to_string()).collect();
        Revision::new(
            id,
            parents,
            message,
            "2026-01-01T00:00:00Z",
            "SELECT 1;",
            "",
        )
    }

    #[test]
    fn files_are_named_as_the_cli_names_them_and_keep_the_projects_text() {
        // A file written by hand keeps its own layout: the checksum is of this text.
        let hand = rev("b2", &["a1"], "add b")
            .render()
            .replace("\n-- +down", "\n\n\n-- +down");
        let p = project(
            vec![rev("a1", &[], "create a").render(), hand.clone()],
            ModelLanguage::Sqlmodel,
        );
        let folder = folder_of(&p).unwrap();
        assert_eq!(folder.model, ("models.py", p.model.clone()));
        assert_eq!(
            folder.revisions[0],
            ("a1_create_a.sql".to_owned(), p.revisions[0].clone())
        );
        assert_eq!(folder.revisions[1], ("b2_add_b.sql".to_owned(), hand));
        assert_eq!(
            folder_of(&project(vec![], ModelLanguage::Sql))
                .unwrap()
                .model
                .0,
            "schema.sql"
        );
    }

    #[test]
    fn a_revision_id_that_is_a_path_is_refused_before_any_name_is_made() {
        let text = rev("a1", &[], "x")
            .render()
            .replace("-- id: a1", "-- id: ../../etc/a1");
        let error = folder_of(&project(vec![text], ModelLanguage::Sql)).unwrap_err();
        assert!(
            matches!(error, ProjectError::Revision { number: 1, .. }),
            "{error:?}"
        );
        assert!(
            !is_plain_name("../a.sql")
                && !is_plain_name(".hidden.sql")
                && !is_plain_name("a/b.sql")
        );
        assert!(!is_plain_name("") && !is_plain_name("a\\b.sql") && is_plain_name("a1_x.sql"));
    }

    #[test]
    fn two_revisions_that_would_share_a_file_are_refused() {
        // "a" + "b c" and "a_b" + "c" both give a_b_c.sql; "X" and "x" differ only in case.
        for (first, second) in [
            (rev("a", &[], "b c"), rev("a_b", &["a"], "c")),
            (rev("X", &[], ""), rev("x", &["X"], "")),
        ] {
            let error = folder_of(&project(
                vec![first.render(), second.render()],
                ModelLanguage::Sql,
            ))
            .unwrap_err();
            assert!(
                matches!(&error, ProjectError::SameFile { first: f, second: s, .. } if *f == first.id && *s == second.id),
                "{error:?}"
            );
            assert!(
                error.to_string().ends_with("nothing was changed"),
                "{error}"
            );
        }
    }

    #[test]
    fn the_language_follows_the_model_files_extension() {
        assert_eq!(
            ModelLanguage::of_file("app/models.py"),
            ModelLanguage::Sqlmodel
        );
        assert_eq!(ModelLanguage::of_file("schema.sql"), ModelLanguage::Sql);
        for language in [ModelLanguage::Sql, ModelLanguage::Sqlmodel] {
            assert_eq!(ModelLanguage::of_file(language.file_name()), language);
        }
    }
}
