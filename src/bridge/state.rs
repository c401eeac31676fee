//! This clone's record of each bridged project: what every remote issue
//! looked like, mapped to our fields, when it was last brought in or sent
//! (the base of the three-way merge of the next pull), and the time to ask
//! for changes since. Kept under `<git common dir>/git-issue/bridge/`, like
//! the search index: local state, never on the branch.
//!
//! Without it (a fresh clone, a deleted folder), a bridged issue that was
//! not edited here since its last sync takes the remote's changes as they
//! are, and one that was is merged with the later side winning; nothing
//! else changes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::apply::Mapped;
use super::{Error, Project, Result};

const VERSION: u32 = 1;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    #[serde(default)]
    version: u32,
    /// The newest remote update a pull brought in.
    #[serde(default)]
    pub since: Option<Timestamp>,
    /// By the remote issue's id: its fields as last synced.
    #[serde(default)]
    pub bases: BTreeMap<String, Mapped>,
    #[serde(skip)]
    path: PathBuf,
}

impl State {
    /// The record of `project`; empty when there is none (or it is of
    /// another version, or unreadable: it is only a cache of the merge
    /// base).
    pub fn load(local_dir: &Path, project: &Project) -> State {
        let path = local_dir.join("bridge").join(file_name(project));
        let mut state: State = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .filter(|s: &State| s.version == VERSION)
            .unwrap_or_default();
        state.version = VERSION;
        state.path = path;
        state
    }

    /// Writes the record in one rename, so a killed process leaves the old
    /// one or the new one.
    pub fn save(&self) -> Result<()> {
        let err = |source| Error::State {
            path: self.path.display().to_string(),
            source,
        };
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(err)?;
        // Made whole first: the record of a large project is megabytes, and
        // serde_json writing it piece by piece to the unbuffered file made
        // millions of system calls (a quarter of a 10,000-issue import).
        let bytes = serde_json::to_vec(self).map_err(|e| err(e.into()))?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
        std::io::Write::write_all(&mut tmp, &bytes).map_err(err)?;
        tmp.persist(&self.path).map_err(|e| err(e.error))?;
        Ok(())
    }
}

/// `github-fjordsoft-ledgerline-<hash>.json`: readable, and distinct for
/// projects whose names differ only in punctuation (not in case).
fn file_name(project: &Project) -> String {
    let readable: String = project
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    // Names are compared ignoring case (as pull and push do, and as the
    // services do), so `FjordSoft/Ledgerline` has the record of
    // `fjordsoft/ledgerline`.
    let hash = xxhash_rust::xxh3::xxh3_64(project.name.to_ascii_lowercase().as_bytes());
    let readable: String = readable.trim_matches('-').chars().take(60).collect();
    format!("{}-{readable}-{hash:016x}.json", project.service)
}
