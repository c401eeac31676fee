//! An issue's history: the commits of the branch that changed it. History
//! follows the issue (its `id`), not a file name: when a sync gives a key to
//! another issue, each issue keeps its own commits, so one issue's log never
//! shows another's title (or that it is confidential).

use super::read::{load, locate};
use super::{Error, Result, Tracker};
use crate::format::layout::{self, BranchPath};
use crate::format::{Issue, Key};
use crate::store::Revision;

impl Tracker {
    /// The commits of the branch that changed the issue or its comments,
    /// newest first, under every key the issue has had.
    pub fn log(&self, key: &Key) -> Result<Vec<Revision>> {
        let snap = self.snapshot()?;
        let (key, id, mut keys) = match load(&snap, key) {
            Ok(r) => {
                let aliases: Vec<Key> = r
                    .issue
                    .aliases
                    .iter()
                    .filter_map(|a| a.parse().ok())
                    .collect();
                (r.key, Some(r.issue.id), aliases)
            }
            // A deleted issue, or a file that does not parse, still has the
            // history of its path.
            Err(Error::NoSuchIssue(_)) => (key.clone(), None, Vec::new()),
            Err(Error::BadFile(_)) => (locate(&snap, key)?.0, None, Vec::new()),
            Err(e) => return Err(e),
        };
        keys.insert(0, key.clone());
        let paths: Vec<String> = keys
            .iter()
            .flat_map(|k| {
                let [file, old] = layout::issue_file_candidates(k);
                [
                    layout::folder_of(&file).to_owned(),
                    layout::folder_of(&old).to_owned(),
                    file,
                    old,
                ]
            })
            .collect();
        let mut history = self.store.history(&paths)?;
        if let Some(id) = id {
            history.retain(|r| self.belongs(r, &keys, &id));
        }
        if history.is_empty() {
            return Err(Error::NoSuchIssue(key.to_string()));
        }
        Ok(history)
    }

    /// Whether a commit changed the issue with `id`: one of the paths it
    /// changed belongs to a key whose file held that id just after the
    /// commit or just before it (a move, a deletion).
    fn belongs(&self, r: &Revision, keys: &[Key], id: &str) -> bool {
        r.paths.iter().any(|p| {
            let Some(k) = BranchPath::parse(p).key().cloned() else {
                return false;
            };
            if !keys.contains(&k) {
                return false;
            }
            let files = layout::issue_file_candidates(&k);
            [false, true].into_iter().any(|before| {
                files.iter().any(|file| {
                    self.store
                        .read_at(&r.commit, file, before)
                        .ok()
                        .flatten()
                        .is_some_and(|text| Issue::id_in(&text) == Some(id))
                })
            })
        })
    }
}
