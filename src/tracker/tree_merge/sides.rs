//! What each side of a merge did since the merge base, read from its own
//! commits: when it last changed each field of an issue, and the last
//! version of an issue it deleted.

use std::collections::{BTreeSet, HashMap};

use jiff::Timestamp;

use super::{Version, folder_files};
use crate::format::Issue;
use crate::format::fields::FIELDS;
use crate::format::layout::{self, BranchPath};
use crate::store::Store;
use crate::tracker::Result;
use crate::tracker::read::{folders_of, may_hold};

/// When one field of an issue last changed on one side.
pub(super) type Times = HashMap<&'static str, Timestamp>;

/// For each issue (by id), when one side last changed each of its fields
/// since the merge base: from that side's own commits (merges are skipped:
/// a merge brings changes, it does not make them), newest first, at the
/// `updated` time each change wrote.
#[derive(Default)]
pub(super) struct FieldTimes {
    by_id: HashMap<String, Times>,
}

impl FieldTimes {
    /// The times of the issues with these ids (lowercase): the files of
    /// other issues are not parsed.
    /// With `only`, just the files at those paths are read.
    pub(super) fn of(
        store: &Store,
        base: Option<&str>,
        tip: &str,
        ids: &[&str],
        only: Option<&BTreeSet<String>>,
    ) -> Result<FieldTimes> {
        let mut out = FieldTimes::default();
        for r in store.changes(tip, base, layout::ISSUES)? {
            if r.parents > 1 {
                continue;
            }
            for path in &r.paths {
                if only.is_some_and(|only| !only.contains(path))
                    || !matches!(BranchPath::parse(path), BranchPath::Issue(_))
                {
                    continue;
                }
                let text = |before| store.read_at(&r.commit, path, before).ok().flatten();
                let Some(after) = text(false).filter(|t| may_hold(t, ids)) else {
                    continue;
                };
                let parsed = |t: String| Issue::parse(&t).ok();
                let (Some(after), Some(before)) = (parsed(after), text(true).and_then(parsed))
                else {
                    continue;
                };
                let times = out.by_id.entry(after.id.clone()).or_default();
                for f in FIELDS {
                    if after.get(f) != before.get(f) {
                        times.entry(f.name).or_insert(after.updated);
                    }
                }
                if after.extra != before.extra {
                    times.entry("extra").or_insert(after.updated);
                }
            }
        }
        Ok(out)
    }

    pub(super) fn of_issue(&self, id: &str) -> Option<&Times> {
        self.by_id.get(id)
    }
}

/// The last version of an issue one side had before it deleted it: the
/// issue file and folder at the parent of the newest commit (since the
/// merge base) that removed the file, `None` when no such commit is found.
pub(super) fn last_version(
    store: &Store,
    base: Option<&str>,
    tip: &str,
    b: &Version,
) -> Result<Option<Version>> {
    let path = b.path.clone();
    for r in store.changes(tip, base, layout::ISSUES)? {
        if r.parents > 1 || !r.paths.contains(&path) {
            continue;
        }
        if store.read_at(&r.commit, &path, false)?.is_some() {
            continue;
        }
        let Some(parent) = store.first_parent(&r.commit)? else {
            continue;
        };
        let snap = store.snapshot_of(Some(&parent))?;
        let Some(text) = snap.read(&path)? else {
            continue;
        };
        let Ok(issue) = Issue::parse(&text) else {
            continue;
        };
        if issue.id != b.issue.id {
            continue;
        }
        let (folder, folder_paths) = folder_files(&snap, &folders_of(&b.key, &path))?;
        return Ok(Some(Version {
            key: b.key.clone(),
            path: path.clone(),
            folder,
            folder_paths,
            text,
            issue,
        }));
    }
    Ok(None)
}
