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
        let aliases = |issue: &Issue| -> Vec<Key> {
            issue
                .aliases
                .iter()
                .filter_map(|a| a.parse().ok())
                .collect()
        };
        let (key, id, mut keys) = match load(&snap, key) {
            Ok(r) => {
                let aliases = aliases(&r.issue);
                (r.key, Some(r.issue.id), aliases)
            }
            Err(Error::NoSuchIssue(_)) => {
                let revisions = self.file_history(key)?;
                // An old key leads to the issue renumbered away from it, as
                // in `show`, unless it was deleted after that.
                let deleted =
                    super::read::is_deleted(&snap, key) && self.deleted_after_move(key, &revisions);
                if !deleted && let [one] = self.alias_holders(key, None)?.as_slice() {
                    return self.log(one);
                }
                // A deleted issue is the one its file held when it went: its
                // path may have held another before a sync renumbered that one.
                match self.last_held(key, &revisions) {
                    Some(issue) => {
                        let aliases = aliases(&issue);
                        (key.clone(), Some(issue.id), aliases)
                    }
                    None => (key.clone(), None, Vec::new()),
                }
            }
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

    /// The commits that changed `key`'s file (either layout), newest first.
    pub(super) fn file_history(&self, key: &Key) -> Result<Vec<Revision>> {
        Ok(self.store.history(&layout::issue_file_candidates(key))?)
    }

    /// Whether `key` was deleted when a sync had already renumbered another
    /// issue away from it (its `moved.yml` said so just before): then the
    /// key names the issue deleted. When the renumbering came after (the
    /// key was taken because of the deletion), it leads to the issue
    /// renumbered, as an old key does. `revisions` is its [`file_history`].
    ///
    /// [`file_history`]: Tracker::file_history
    pub(super) fn deleted_after_move(&self, key: &Key, revisions: &[Revision]) -> bool {
        let Some(last) = revisions.first() else {
            return false;
        };
        let gone = layout::issue_file_candidates(key).iter().all(|f| {
            self.store
                .read_at(&last.commit, f, false)
                .is_ok_and(|t| t.is_none())
        });
        gone && self
            .store
            .read_at(&last.commit, layout::MOVED, true)
            .ok()
            .flatten()
            .is_some_and(|moved| !super::read::moves_in(&moved, key).is_empty())
    }

    /// The issue `key`'s file held last, before the commit that removed it
    /// (`revisions` is its [`file_history`]): `None` when it never held one
    /// that parses.
    ///
    /// [`file_history`]: Tracker::file_history
    fn last_held(&self, key: &Key, revisions: &[Revision]) -> Option<Issue> {
        let files = layout::issue_file_candidates(key);
        revisions.iter().find_map(|r| {
            files.iter().find_map(|file| {
                self.store
                    .read_at(&r.commit, file, true)
                    .ok()
                    .flatten()
                    .and_then(|text| Issue::parse(&text).ok())
            })
        })
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
