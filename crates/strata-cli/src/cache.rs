//! The schema store in `.strata/cache/` beside strata.toml: what a history of revisions builds
//! (each object's stored SQL and the tables holding rows), kept as JSON under the history's key,
//! so `revision --autogenerate`, `check` and the exports replay an unchanged history not at all
//! and a grown one only from its last kept revision. The folder ignores itself for git and may
//! be deleted at any time; a file that cannot be read or written only costs a replay, and a key
//! never names a different history, so nothing in it can be stale.

use std::path::{Path, PathBuf};

use strata_engine::migrate::{KeptSchema, SchemaStore};

/// The most recent histories kept; older ones are removed when a new one is saved.
const KEEP: usize = 8;

pub struct DiskStore {
    dir: PathBuf,
}

/// Installs the store of the project whose strata.toml is in `root`.
pub fn install(root: &Path) {
    strata_engine::migrate::use_schema_store(Box::new(DiskStore { dir: root.join(".strata").join("cache") }));
}

impl DiskStore {
    fn file(&self, key: &str) -> PathBuf {
        self.dir.join(format!("head-{key}.json"))
    }

    fn try_save(&self, key: &str, kept: &KeptSchema) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        if let Some(top) = self.dir.parent() {
            let ignore = top.join(".gitignore");
            if !ignore.exists() {
                std::fs::write(ignore, "# strata's cache of built schemas; safe to delete.\n*\n")?;
            }
        }
        // Written aside and renamed, so another process never reads half a file.
        let tmp = self.dir.join(format!(".head-{key}.{}.tmp", std::process::id()));
        std::fs::write(&tmp, serde_json::to_vec(kept)?)?;
        std::fs::rename(&tmp, self.file(key))?;
        let mut kept: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(&self.dir)?
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with("head-"))
            .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
            .collect();
        kept.sort_by_key(|k| std::cmp::Reverse(k.0));
        for (_, old) in kept.into_iter().skip(KEEP) {
            let _ = std::fs::remove_file(old);
        }
        Ok(())
    }
}

impl SchemaStore for DiskStore {
    fn load(&self, key: &str) -> Option<KeptSchema> {
        let text = std::fs::read(self.file(key)).ok()?;
        serde_json::from_slice(&text).ok()
    }

    fn save(&self, key: &str, kept: &KeptSchema) {
        let _ = self.try_save(key, kept);
    }
}
