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

use super::merge::{self, FileKind, dropped_note, file_kind, merge_file, merge_issue};
use super::{DELETED_PATH, Error, MOVED_PATH, Result, Tracker, next_number};
use crate::format::{Issue, Key};
use crate::store::{Edit, PushOutcome, Snapshot, Store};

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
}

/// A merge of two commits of the branch, as edits to our tree.
#[derive(Debug, Default)]
pub struct TreeMerge {
    pub edits: Vec<Edit>,
    pub renumbered: Vec<Renumbered>,
    pub notes: Vec<String>,
    pub conflicts: Vec<String>,
}

impl TreeMerge {
    /// The merge commit's message: the summary, then every renumbering and
    /// every dropped value, so `git log issues` keeps them.
    pub fn message(&self, remote: &str, branch: &str) -> String {
        let mut m = format!("Merge {remote}/{branch} into {branch}\n");
        let mut lines: Vec<String> = self
            .renumbered
            .iter()
            .map(|r| {
                format!(
                    "{}: renumbered from {}: another clone filed a different issue as {} ({:?})",
                    r.to, r.from, r.from, r.title
                )
            })
            .collect();
        lines.extend(self.notes.iter().cloned());
        if !lines.is_empty() {
            m.push('\n');
            for l in lines {
                m.push_str(&l);
                m.push('\n');
            }
        }
        m
    }
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
        };
        let mut done = false;
        for _ in 0..PUSH_ATTEMPTS {
            let theirs = store.fetch_branch(remote)?;
            let tip = self.integrate(remote, theirs.as_deref(), &mut report)?;
            report.tip = Some(tip.clone());
            if theirs.as_deref() == Some(tip.as_str()) {
                done = true;
                break;
            }
            match store.push_branch(remote)? {
                PushOutcome::Pushed => {
                    report.pushed = true;
                    report.outgoing = count_changes(store, theirs.as_deref(), Some(&tip))?;
                    done = true;
                    break;
                }
                // Someone pushed meanwhile: fetch and merge again.
                PushOutcome::Behind(_) => {}
            }
        }
        if !done {
            return Err(Error::Invalid(format!(
                "gave up after {PUSH_ATTEMPTS} attempts: others kept pushing to {remote} meanwhile; what came in is merged here, run git issue sync again to send yours"
            )));
        }
        if report.local == LocalChange::Adopted {
            // A clone that never ran init: plain git merges in a worktree of
            // the branch should merge issue files as sync does.
            self.register_merge_driver()?;
        }
        report.incoming = count_changes(store, start.as_deref(), report.tip.as_deref())?;
        if report.local == LocalChange::UpToDate && start != report.tip {
            report.local = LocalChange::FastForward;
        }
        Ok(report)
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
                    return Err(Error::NotInitialized(store.branch_name().to_owned()));
                }
                (None, Some(t)) => {
                    if store.move_tip(None, t, &format!("sync: adopt {remote}'s issues"))? {
                        report.local = LocalChange::Adopted;
                        return Ok(t.to_owned());
                    }
                    continue;
                }
                (Some(o), None) => return Ok(o),
                (Some(o), Some(t)) => (o, t.to_owned()),
            };
            if store.is_ancestor(&theirs, &ours)? {
                return Ok(ours);
            }
            if store.is_ancestor(&ours, &theirs)? {
                if store.move_tip(
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
            if store.move_tip(Some(&ours), &commit, &format!("sync: merge {remote}"))? {
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

/// Counts issues added, changed (the file or its comments) and deleted.
fn count_changes(store: &Store, from: Option<&str>, to: Option<&str>) -> Result<Counts> {
    let mut counts = Counts::default();
    if from == to {
        return Ok(counts);
    }
    let keys: BTreeSet<Key> = store
        .changed_files(from, to)?
        .iter()
        .filter_map(|p| match file_kind(p) {
            FileKind::Issue(k) | FileKind::IssueFolder(k) => Some(k),
            _ => None,
        })
        .collect();
    let (a, b) = (store.snapshot_of(from)?, store.snapshot_of(to)?);
    for k in keys {
        match (a.contains(&k.path()), b.contains(&k.path())) {
            (false, true) => counts.added += 1,
            (true, false) => counts.deleted += 1,
            (true, true) => counts.changed += 1,
            (false, false) => {}
        }
    }
    Ok(counts)
}

/// One issue as one version of the branch holds it.
#[derive(Debug, Clone, PartialEq)]
struct Found {
    key: Key,
    text: String,
    issue: Issue,
    /// Comments and attachments, by path under the issue's folder.
    folder: BTreeMap<String, Vec<u8>>,
}

/// An issue as the merge leaves it.
struct Merged {
    key: Key,
    issue: Issue,
    /// The exact text to write when the issue was taken whole from one side.
    text: Option<String>,
    folder: BTreeMap<String, Vec<u8>>,
    dropped: Vec<merge::Dropped>,
    conflict: bool,
    resurrected: bool,
    /// The merge base had it under the same key.
    existed: bool,
}

/// Merges commit `theirs` into `ours`, issue by issue, against `base`.
pub fn merge_commits(
    store: &Store,
    base: Option<&str>,
    ours: &str,
    theirs: &str,
) -> Result<TreeMerge> {
    let changed_ours = store.changed_files(base, Some(ours))?;
    let changed_theirs = store.changed_files(base, Some(theirs))?;
    let snaps = [
        store.snapshot_of(base)?,
        store.snapshot_of(Some(ours))?,
        store.snapshot_of(Some(theirs))?,
    ];
    let [sb, so, st] = &snaps;

    let mut keys: BTreeSet<Key> = BTreeSet::new();
    let mut others: BTreeSet<&str> = BTreeSet::new();
    for p in changed_ours.iter().chain(&changed_theirs) {
        match file_kind(p) {
            FileKind::Issue(k) | FileKind::IssueFolder(k) => {
                keys.insert(k);
            }
            _ => {
                others.insert(p);
            }
        }
    }

    // Read every touched key in every version; a key whose file does not
    // parse somewhere is merged path by path instead of by id.
    let mut by_id: BTreeMap<String, [Option<Found>; 3]> = BTreeMap::new();
    let mut by_path: BTreeSet<Key> = BTreeSet::new();
    let mut found: Vec<(usize, Found)> = Vec::new();
    for key in &keys {
        let mut readable = true;
        let mut here = Vec::new();
        for (v, snap) in snaps.iter().enumerate() {
            let folder: BTreeMap<String, Vec<u8>> =
                snap.files_under(&key.dir())?.into_iter().collect();
            match snap.read(&key.path()) {
                Ok(Some(text)) => match Issue::parse(&text) {
                    Ok(issue) => here.push((
                        v,
                        Found {
                            key: key.clone(),
                            text,
                            issue,
                            folder,
                        },
                    )),
                    Err(_) => readable = false,
                },
                Ok(None) if folder.is_empty() => {}
                // Comments without their issue, or a file that is not text.
                Ok(None) | Err(_) => readable = false,
            }
        }
        if readable {
            found.extend(here);
        } else {
            by_path.insert(key.clone());
        }
    }
    for (v, f) in found {
        let id = f.issue.id.clone();
        by_id.entry(id).or_default()[v] = Some(f);
    }

    let mut out = TreeMerge::default();
    let mut merged: Vec<Merged> = Vec::new();
    for [b, o, t] in by_id.values() {
        if let Some(m) = merge_one(b.as_ref(), o.as_ref(), t.as_ref()) {
            merged.push(m);
        }
    }

    // deleted.yml as a set, then without the keys of issues kept alive.
    let read = |r: &Snapshot<'_>, p: &str| r.read_bytes(p);
    let deleted_merge = merge_file(
        DELETED_PATH,
        read(sb, DELETED_PATH)?.as_deref(),
        read(so, DELETED_PATH)?.as_deref(),
        read(st, DELETED_PATH)?.as_deref(),
    );
    let deleted_text = deleted_merge
        .content
        .as_deref()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    let mut deleted = merge::deleted_keys(&deleted_text);

    // Keys: one issue a key; the later-created of two moves up.
    let mut highest = [&snaps[1], &snaps[2]]
        .iter()
        .map(|s| next_number(s).map(|n| n - 1))
        .collect::<Result<Vec<u64>>>()?
        .into_iter()
        .max()
        .unwrap_or(0);
    for k in &deleted {
        if let Ok(k) = k.parse::<Key>() {
            highest = highest.max(k.number);
        }
    }
    for m in &merged {
        highest = highest.max(m.key.number);
    }
    let mut claims: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for (i, m) in merged.iter().enumerate() {
        claims.entry(m.key.number).or_default().push(i);
    }
    // A deleted key is never given out again, so a new issue filed under a
    // key the other side deleted moves too.
    let deleted_numbers: BTreeSet<u64> = deleted
        .iter()
        .filter_map(|k| k.parse::<Key>().ok().map(|k| k.number))
        .collect();
    let mut movers: Vec<usize> = Vec::new();
    for (number, ids) in claims.iter_mut() {
        ids.sort_by(|&a, &b| {
            let (a, b) = (&merged[a].issue, &merged[b].issue);
            (a.created, &a.id).cmp(&(b.created, &b.id))
        });
        let keeps = if deleted_numbers.contains(number) {
            ids.iter()
                .position(|&i| merged[i].resurrected || merged[i].existed)
        } else {
            Some(0)
        };
        movers.extend(
            ids.iter()
                .enumerate()
                .filter(|(n, _)| Some(*n) != keeps)
                .map(|(_, &i)| i),
        );
    }
    movers.sort_by(|&a, &b| {
        let (a, b) = (&merged[a].issue, &merged[b].issue);
        (a.created, &a.id).cmp(&(b.created, &b.id))
    });
    let mut moves = Vec::new();
    for i in movers {
        highest += 1;
        let m = &mut merged[i];
        let old = m.key.clone();
        let new = Key::new(old.prefix.clone(), highest);
        if !m.issue.aliases.contains(&old.to_string()) {
            m.issue.aliases.push(old.to_string());
        }
        m.text = None;
        m.key = new.clone();
        moves.push(format!("{old} -> {new}"));
        out.renumbered.push(Renumbered {
            from: old.to_string(),
            to: new.to_string(),
            id: m.issue.id.clone(),
            title: m.issue.title.clone(),
        });
    }

    // What every affected path should hold; then the edits to our tree.
    let mut want: BTreeMap<String, Option<Vec<u8>>> = BTreeMap::new();
    for [_, o, _] in by_id.values() {
        if let Some(o) = o {
            want.insert(o.key.path(), None);
            for rel in o.folder.keys() {
                want.insert(format!("{}/{rel}", o.key.dir()), None);
            }
        }
    }
    for m in &merged {
        let text = m.text.clone().unwrap_or_else(|| m.issue.print());
        want.insert(m.key.path(), Some(text.into_bytes()));
        for (rel, bytes) in &m.folder {
            want.insert(format!("{}/{rel}", m.key.dir()), Some(bytes.clone()));
        }
        for d in &m.dropped {
            out.notes.push(dropped_note(&m.key, d));
        }
        if m.conflict {
            out.conflicts.push(m.key.to_string());
            out.notes.push(format!(
                "{}: the description was changed on both sides; both texts are kept between conflict markers until someone edits it (git issue doctor lists it)",
                m.key
            ));
        }
        if m.resurrected {
            out.notes.push(format!(
                "{}: deleted on one side and changed on the other; kept, with the change",
                m.key
            ));
            deleted.retain(|k| k.parse::<Key>().ok().as_ref() != Some(&m.key));
        }
    }
    let changed_paths: BTreeSet<&String> = changed_ours.iter().chain(&changed_theirs).collect();
    for p in changed_paths {
        let by_path_key = match file_kind(p) {
            FileKind::Issue(k) | FileKind::IssueFolder(k) => by_path.contains(&k),
            FileKind::Deleted => false,
            _ => others.contains(p.as_str()),
        };
        if !by_path_key {
            continue;
        }
        let m = merge_file(
            p,
            read(sb, p)?.as_deref(),
            read(so, p)?.as_deref(),
            read(st, p)?.as_deref(),
        );
        if m.conflict
            && let FileKind::Issue(k) | FileKind::IssueFolder(k) = file_kind(p)
        {
            out.conflicts.push(k.to_string());
        }
        out.notes.extend(m.notes);
        want.insert(p.clone(), m.content);
    }
    if deleted_merge.content.is_some() || !deleted.is_empty() {
        want.insert(
            DELETED_PATH.to_owned(),
            Some(merge::deleted_text(&deleted_text, &deleted).into_bytes()),
        );
    }

    // The moves, so that `show OLD-KEY` can say where an issue went without
    // reading every issue.
    let moved = [sb, so, st].map(|r| {
        r.read_bytes(MOVED_PATH)
            .map(|b| b.map(|b| String::from_utf8_lossy(&b).into_owned()))
    });
    let [mb, mo, mt] = moved;
    let (mb, mo, mt) = (mb?, mo?, mt?);
    if !moves.is_empty() || mo.is_some() || mt.is_some() {
        let text = merge::moved_text(
            mb.as_deref().unwrap_or_default(),
            mo.as_deref().unwrap_or_default(),
            mt.as_deref().unwrap_or_default(),
            &moves,
        );
        want.insert(MOVED_PATH.to_owned(), Some(text.into_bytes()));
    }

    for (path, content) in want {
        let have = so.read_bytes(&path)?;
        if have == content {
            continue;
        }
        match content {
            Some(content) => out.edits.push(Edit::Write { path, content }),
            None => out.edits.push(Edit::Remove { path }),
        }
    }
    out.conflicts.sort();
    out.conflicts.dedup();
    Ok(out)
}

/// Merges one issue, with its folder, across the three versions.
fn merge_one(b: Option<&Found>, o: Option<&Found>, t: Option<&Found>) -> Option<Merged> {
    let whole = |f: &Found, resurrected: bool| Merged {
        key: f.key.clone(),
        issue: f.issue.clone(),
        text: Some(f.text.clone()),
        folder: f.folder.clone(),
        dropped: Vec::new(),
        conflict: false,
        resurrected,
        existed: b.is_some_and(|b| b.key == f.key),
    };
    if o == t || b == t {
        return o.map(|o| whole(o, false));
    }
    if b == o {
        return t.map(|t| whole(t, false));
    }
    // Changed on both sides.
    let (o, t) = match (o, t) {
        (Some(o), Some(t)) => (o, t),
        // Deleted on one side, changed on the other: the change is kept.
        (Some(kept), None) | (None, Some(kept)) => return Some(whole(kept, true)),
        (None, None) => return None,
    };
    let m = merge_issue(b.map(|b| &b.issue), &o.issue, &t.issue);
    // Taken whole from one side, the file keeps that side's exact text.
    let mut text = [o, t]
        .into_iter()
        .find(|f| f.issue == m.issue)
        .map(|f| f.text.clone());
    let mut issue = m.issue;
    let key = if o.key == t.key {
        o.key.clone()
    } else if b.is_some_and(|b| b.key == o.key) {
        t.key.clone()
    } else if b.is_some_and(|b| b.key == t.key) {
        o.key.clone()
    } else {
        // Renumbered differently on both sides: the lower number stays,
        // the other is remembered.
        let (keep, other) = if o.key.number <= t.key.number {
            (&o.key, &t.key)
        } else {
            (&t.key, &o.key)
        };
        if !issue.aliases.contains(&other.to_string()) {
            issue.aliases.push(other.to_string());
            text = None;
        }
        keep.clone()
    };
    let empty = BTreeMap::new();
    let bf = b.map_or(&empty, |b| &b.folder);
    let mut folder = BTreeMap::new();
    let mut conflict = m.conflict;
    let names: BTreeSet<&String> = bf
        .keys()
        .chain(o.folder.keys())
        .chain(t.folder.keys())
        .collect();
    for name in names {
        let f = merge_file(
            name,
            bf.get(name).map(Vec::as_slice),
            o.folder.get(name).map(Vec::as_slice),
            t.folder.get(name).map(Vec::as_slice),
        );
        conflict |= f.conflict;
        if let Some(c) = f.content {
            folder.insert(name.clone(), c);
        }
    }
    Some(Merged {
        existed: b.is_some_and(|b| b.key == key),
        key,
        issue,
        text,
        folder,
        dropped: m.dropped,
        conflict,
        resurrected: false,
    })
}

/// Routes the branch's files to `git issue merge-driver`, so a plain
/// `git merge` or `git pull` in a worktree of the branch merges them as
/// `sync` does (one file at a time: renumbering stays `sync`'s job).
pub const GITATTRIBUTES_PATH: &str = ".gitattributes";
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

    /// The keys issues filed under `key` were moved to by a sync, from
    /// `issues/moved.yml`: one small file, whatever the size of the tracker.
    pub fn moved_from(&self, key: &Key) -> Result<Vec<Key>> {
        moves_from(&self.snapshot()?, key)
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
        let adopted = store.move_tip(None, &tip, &format!("init: adopt {remote}'s issues"))?;
        Ok(adopted.then_some(remote))
    }
}

/// The keys issues filed under `key` were moved to by a sync, as
/// `issues/moved.yml` records them.
pub(super) fn moves_from(snap: &Snapshot<'_>, key: &Key) -> Result<Vec<Key>> {
    let text = snap.read(MOVED_PATH)?.unwrap_or_default();
    let key = key.to_string();
    Ok(merge::deleted_keys(&text)
        .iter()
        .filter_map(|m| m.split_once(" -> "))
        .filter(|(from, _)| from.trim() == key)
        .filter_map(|(_, to)| to.trim().parse().ok())
        .collect())
}
