//! The playground's components, one per file, each with a `Props` struct of data and callbacks.

pub mod app;
pub mod console;
pub mod damaged_panel;
pub mod data_grid;
pub mod exercise_dialog;
pub mod export_dialog;
pub mod grid_table;
pub mod header;
pub mod lesson_commit;
pub mod lesson_panel;
pub mod lesson_rollback;
pub mod migration_panel;
pub mod model_panel;
pub mod project_panel;
pub mod question_dialog;
pub mod rehearsal_dialog;
pub mod revisions_panel;
pub mod schema_diagram;
pub mod version_panel;
