//! Sync through any git remote: fetch the remote's issues branch with the
//! user's own git, merge it issue by issue into the local branch, commit the
//! merge, push; a push rejected because someone pushed meanwhile fetches and
//! merges again, a bounded number of times.
//!
//! The merge matches issues by `id`, not by file name, so an issue renumbered
//! on one side is still the same issue on the other; the field rules are in
//! [`super::merge`]. Two issues filed under the same key on two clones both
//! stay: the later-created one moves to the next free number, keeps its `id`
//! and lists the old key in `aliases`, and its comments move with it.
//!
//! Owns no I/O with people: it returns a [`SyncReport`] that says what came
//! in, what went out and what a person should know.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::read::{known_format, load};
use super::tree_merge::merge_commits;
use super::{Error, Result, Tracker};
use crate::format::layout::{self, BranchPath};
use crate::format::{Key, fields};
use crate::index::Words;
use crate::query::{Expr, Sort};
use crate::store::{PushOutcome, Store};

/// How many times a push rejected by a concurrent push is retried.
const PUSH_ATTEMPTS: usize = 8;
/// How many times a merge is rebuilt when a local writer moved the branch.
const LOCAL_ATTEMPTS: usize = 100;

/// Issues added, changed and deleted between two states of the branch.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub added: usize,
    pub changed: usize,
    pub deleted: usize,
}

impl Counts {
    pub fn is_empty(&self) -> bool {
        self.added + self.changed + self.deleted == 0
    }
}

/// An issue that moved to a new key because another clone used its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renumbered {
    pub from: String,
    pub to: String,
    pub id: String,
    pub title: String,
}

/// What happened to the local branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LocalChange {
    /// Nothing came in.
    UpToDate,
    /// The clone had no issues branch and took the remote's.
    Adopted,
    /// The remote was ahead: the branch moved to its tip.
    FastForward,
    /// Both had changes: a merge commit joins them.
    Merged,
}

#[derive(Debug, Clone, Serialize)]
pub struct SyncReport {
    pub remote: String,
    pub branch: String,
    pub local: LocalChange,
    /// Whether the push sent anything.
    pub pushed: bool,
    /// What the local branch gained.
    pub incoming: Counts,
    /// What the remote gained.
    pub outgoing: Counts,
    pub renumbered: Vec<Renumbered>,
    /// Values that lost to a newer change of the same field, deletions
    /// undone by an edit, settings not taken.
    pub notes: Vec<String>,
    /// Issues whose description holds conflict markers.
    pub conflicts: Vec<String>,
    /// The branch tip after the sync.
    pub tip: Option<String>,
    /// Pushes the remote refused because someone pushed meanwhile, each
    /// followed by a fetch and a merge (at most `PUSH_ATTEMPTS - 1`).
    pub retries: usize,
}

impl Tracker {
    /// Fetches `remote`'s issues branch, merges it into ours, pushes.
    pub fn sync(&self, remote: &str) -> Result<SyncReport> {
        let store = &self.store;
        let start = store.tip()?.map(|o| o.to_string());
        let mut report = SyncReport {
            remote: remote.to_owned(),
            branch: store.branch_name().to_owned(),
            local: LocalChange::UpToDate,
            pushed: false,
            incoming: Counts::default(),
            outgoing: Counts::default(),
            renumbered: Vec::new(),
            notes: Vec::new(),
            conflicts: Vec::new(),
            tip: start.clone(),
            retries: 0,
        };
        let mut done = false;
        // What locked the remote's branch, for each push it refused.
        let mut locks: Vec<Option<String>> = Vec::new();
        for attempt in 0..PUSH_ATTEMPTS {
            if attempt > 0 {
                report.retries += 1;
                // Clones that collided would collide again at once: wait a
                // little, longer each time, by a different amount each.
                backoff(attempt);
            }
            let theirs = store.fetch_branch(remote)?;
            // A branch of a format this build does not know is neither
            // merged here nor sent on.
            if let Some(t) = theirs.as_deref() {
                self.takeable(remote, t)?;
            }
            known_format(&store.snapshot()?, layout::CONFIG)?;
            let tip = self.integrate(remote, theirs.as_deref(), &mut report)?;
            report.tip = Some(tip.clone());
            if theirs.as_deref() == Some(tip.as_str()) {
                done = true;
                break;
            }
            self.refuse_duplicate_ids(theirs.as_deref(), &tip)?;
            match store.push_branch(remote)? {
                PushOutcome::Pushed => {
                    report.pushed = true;
                    report.outgoing = count_changes(store, theirs.as_deref(), Some(&tip))?;
                    done = true;
                    break;
                }
                // Someone pushed meanwhile: fetch and merge again.
                PushOutcome::Behind { lock } => locks.push(lock),
            }
        }
        if !done {
            return Err(Error::RemoteKeptMoving {
                remote: remote.to_owned(),
                attempts: PUSH_ATTEMPTS,
                // Named only when the lock refused every push.
                locked: locks
                    .into_iter()
                    .collect::<Option<Vec<_>>>()
                    .and_then(|mut all| all.pop()),
            });
        }
        if report.local == LocalChange::Adopted {
            // A clone that never ran init: plain git merges in a worktree of
            // the branch should merge issue files as sync does.
            self.register_merge_driver()?;
        }
        report.incoming = count_changes(store, start.as_deref(), report.tip.as_deref())?;
        if let Some(tip) = &report.tip {
            self.record_arrival(&super::events::Range {
                from: start.clone(),
                to: tip.clone(),
            });
        }
        if report.local == LocalChange::UpToDate && start != report.tip {
            report.local = LocalChange::FastForward;
        }
        Ok(report)
    }

    /// Refuses to send issues that share their id with another issue: the
    /// merge matches issues by id, so a tracker `doctor` calls broken this
    /// way must be repaired before it spreads. Checks the issues that `to`
    /// changed since `from`, through the index as it stands plus the issue
    /// files changed since the tree it reflects: updating the index here
    /// cost more than the rest of a merging sync.
    fn refuse_duplicate_ids(&self, from: Option<&str>, to: &str) -> Result<()> {
        let store = &self.store;
        let keys: BTreeSet<Key> = store
            .changed_files(from, Some(to))?
            .iter()
            .filter_map(|p| BranchPath::parse(p).key().cloned())
            .collect();
        if keys.is_empty() {
            return Ok(());
        }
        let snap = store.snapshot_of(Some(to))?;
        let mut ids = BTreeSet::new();
        for key in &keys {
            // A deleted issue or an unreadable file has no id to send.
            if let Ok(record) = load(&snap, key) {
                ids.insert(record.issue.id.to_lowercase());
            }
        }
        if ids.is_empty() {
            return Ok(());
        }
        let expr = Expr::Field(fields::named("id"), ids.iter().cloned().collect());
        let words: Vec<&str> = ids.iter().map(String::as_str).collect();
        let holders = match self.keys_from_index_as_is(&snap, &expr, &words, |issue| {
            ids.contains(&issue.id.to_lowercase())
        })? {
            Some(keys) => keys,
            None => {
                let index = self.fresh_index(&super::Quiet)?;
                let (hits, _) = index.search(&expr, Words::All, Sort::default(), false, 0, None)?;
                hits.into_iter().map(|h| h.key).collect()
            }
        };
        // Each id is held by the issue it was read from: more holders
        // than ids means two issues share one.
        if holders.len() <= ids.len() {
            return Ok(());
        }
        let mut by_id: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
        for key in holders {
            if let Ok(record) = load(&snap, &key) {
                let id = record.issue.id;
                by_id
                    .entry(id.to_lowercase())
                    .or_insert_with(|| (id, Vec::new()))
                    .1
                    .push(record.key.to_string());
            }
        }
        match by_id.into_values().find(|(_, keys)| keys.len() > 1) {
            Some((id, mut keys)) => {
                keys.sort();
                Err(Error::DuplicateId { id, keys })
            }
            None => Ok(()),
        }
    }

    /// Refuses `tip`, `remote`'s branch, where this build must not merge or
    /// adopt it: a branch of a format it does not know, or one of the same
    /// name that holds no tracker at all (someone's work on a branch called
    /// `issues`), which a merge would fill with issue files and push back.
    fn takeable(&self, remote: &str, tip: &str) -> Result<()> {
        let snap = self.store.snapshot_of(Some(tip))?;
        if !snap.contains(layout::CONFIG) && !snap.contains(layout::ISSUES) {
            let branch = self.store.branch_name();
            return Err(Error::Refused(format!(
                "{remote}'s branch {branch} holds no issue tracker (no {}, no {}/ folder), so nothing was merged or sent; git config issue.branch NAME keeps the issues on a branch of another name",
                layout::CONFIG,
                layout::ISSUES
            )));
        }
        known_format(&snap, &format!("{remote}'s {}", layout::CONFIG))
    }

    /// Brings the remote's tip into the local branch; returns the new tip.
    fn integrate(
        &self,
        remote: &str,
        theirs: Option<&str>,
        report: &mut SyncReport,
    ) -> Result<String> {
        let store = &self.store;
        for _ in 0..LOCAL_ATTEMPTS {
            let ours = store.tip()?.map(|o| o.to_string());
            let (ours, theirs) = match (ours, theirs) {
                (None, None) => {
                    return Err(Error::NotInitialized {
                        branch: store.branch_name().to_owned(),
                    });
                }
                (None, Some(t)) => {
                    if store.swap_tip(None, t, &format!("sync: adopt {remote}'s issues"))? {
                        report.local = LocalChange::Adopted;
                        return Ok(t.to_owned());
                    }
                    continue;
                }
                (Some(o), None) => return Ok(o),
                (Some(o), Some(t)) => (o, t.to_owned()),
            };
            if store.is_ancestor(&theirs, &ours) {
                return Ok(ours);
            }
            if store.is_ancestor(&ours, &theirs) {
                if store.swap_tip(
                    Some(&ours),
                    &theirs,
                    &format!("sync: fast-forward to {remote}"),
                )? {
                    if report.local == LocalChange::UpToDate {
                        report.local = LocalChange::FastForward;
                    }
                    return Ok(theirs);
                }
                continue;
            }
            let base = store.merge_base(&ours, &theirs)?;
            let merged = merge_commits(store, base.as_deref(), &ours, &theirs)?;
            let message = merged.message(remote, store.branch_name());
            let commit = store.write_merge(&ours, &theirs, &message, &merged.edits)?;
            if store.swap_tip(Some(&ours), &commit, &format!("sync: merge {remote}"))? {
                report.local = LocalChange::Merged;
                report.renumbered.extend(merged.renumbered);
                report.notes.extend(merged.notes);
                report.conflicts.extend(merged.conflicts);
                return Ok(commit);
            }
        }
        Err(Error::Store(crate::store::StoreError::TooManyRetries(
            LOCAL_ATTEMPTS,
        )))
    }
}

/// Sleeps before retrying a push: 50 ms doubling with each attempt, up to
/// 1.6 s, times a random factor between 0.5 and 1.5.
fn backoff(attempt: usize) {
    let base = 50u64 << attempt.min(5);
    let jitter = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| {
            u64::from(d.subsec_nanos()) ^ u64::from(std::process::id())
        });
    let ms = base / 2 + jitter % (base + 1);
    std::thread::sleep(std::time::Duration::from_millis(ms));
}

/// Counts issues added, changed (the file or its comments) and deleted.
/// The diff says whether each issue file was there before and after; the
/// branch is looked at only for the issues whose file is not on both sides
/// of it (a comment added to an unchanged issue, an issue added or
/// deleted), since its file may have another home in either layout.
fn count_changes(store: &Store, from: Option<&str>, to: Option<&str>) -> Result<Counts> {
    let mut counts = Counts::default();
    if from == to {
        return Ok(counts);
    }
    // Per issue: its file there before, there after.
    let mut keys: BTreeMap<Key, (bool, bool)> = BTreeMap::new();
    for c in store.file_changes(from, to)? {
        match BranchPath::parse(&c.path) {
            // Only the file's homes count as the issue's file, as the
            // branch is read below; a copy filed elsewhere changes it too.
            BranchPath::Issue(k) if layout::is_home_of(&k, &c.path) => {
                let seen = keys.entry(k).or_default();
                seen.0 |= c.before;
                seen.1 |= c.after;
            }
            BranchPath::Issue(k) | BranchPath::InIssue(k, _) => {
                keys.entry(k).or_default();
            }
            _ => {}
        }
    }
    let mut snapshots = None;
    for (k, seen) in keys {
        let (before, after) = if seen == (true, true) {
            seen
        } else {
            let (a, b) = match &snapshots {
                Some(s) => s,
                None => snapshots.insert((store.snapshot_of(from)?, store.snapshot_of(to)?)),
            };
            let has = |s: &crate::store::Snapshot<'_>| {
                layout::issue_file_candidates(&k)
                    .iter()
                    .any(|p| s.contains(p))
            };
            (has(a), has(b))
        };
        match (before, after) {
            (false, true) => counts.added += 1,
            (true, false) => counts.deleted += 1,
            (true, true) => counts.changed += 1,
            (false, false) => {}
        }
    }
    Ok(counts)
}

/// Routes the branch's files to `git issue merge-driver`, so a plain
/// `git merge` or `git pull` in a worktree of the branch merges them as
/// `sync` does (one file at a time: renumbering stays `sync`'s job).
pub const GITATTRIBUTES: &str = "\
# Issue files merge field by field with `git issue merge-driver`, which
# `git issue init` registers in .git/config as merge driver git-issue.
issues/**/*.md merge=git-issue
issues/deleted.yml merge=git-issue
issues/moved.yml merge=git-issue
tracker.yml merge=git-issue
";
pub const MERGE_DRIVER: &str = "git-issue merge-driver %O %A %B %P";

impl Tracker {
    /// Registers the merge driver in the repository's own config.
    pub fn register_merge_driver(&self) -> Result<()> {
        let store = &self.store;
        if store.config_string("merge.git-issue.driver").as_deref() != Some(MERGE_DRIVER) {
            store.set_local_config(
                "merge.git-issue.name",
                "git-issue: merge issue files field by field",
            )?;
            store.set_local_config("merge.git-issue.driver", MERGE_DRIVER)?;
        }
        Ok(())
    }

    /// In a clone whose remote already has an issues branch, takes it as
    /// ours instead of starting a second tracker: from a remote-tracking ref
    /// a clone or fetch left, else by fetching from the first remote
    /// (`origin` first). Returns the remote it came from.
    pub(super) fn adopt_remote_branch(&self) -> Result<Option<String>> {
        let store = &self.store;
        if store.tip()?.is_some() {
            return Ok(None);
        }
        let remotes = store.remotes();
        let mut found = None;
        for r in &remotes {
            if let Some(tip) = store.ref_target(&store.tracking_refname(r))? {
                found = Some((r.clone(), tip));
                break;
            }
        }
        if found.is_none()
            && let Some(r) = remotes.first()
            // Offline or no such branch: a new tracker it is.
            && let Ok(Some(tip)) = store.fetch_branch(r)
        {
            found = Some((r.clone(), tip));
        }
        let Some((remote, tip)) = found else {
            return Ok(None);
        };
        self.takeable(&remote, &tip)?;
        let adopted = store.swap_tip(None, &tip, &format!("init: adopt {remote}'s issues"))?;
        Ok(adopted.then_some(remote))
    }
}
