//! The merge of two commits of the issues branch, issue by issue: the tree
//! that `sync` commits. Issues are matched by `id`, not by file name, so an
//! issue renumbered on one side is still the same issue on the other; the
//! field rules are [`super::merge`]'s. Two issues filed under the same key
//! both stay: the later-created one moves to the next free number, keeps
//! its `id` and lists the old key in `aliases`, and its folder moves with it.

mod sides;

use std::collections::{BTreeMap, BTreeSet};

use sides::{FieldTimes, Times, last_version};

use super::Result;
use super::merge::{self, dropped_note, merge_file, merge_issue_by};
use super::read::{folders_of, next_number};
use super::sync::Renumbered;
use crate::format::layout::{self, BranchPath};
use crate::format::{Issue, Key};
use crate::store::{Edit, Snapshot, Store};

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

/// One issue as one version of the branch holds it.
#[derive(Debug, Clone, PartialEq)]
struct Version {
    key: Key,
    /// Where its file is in this version (either layout).
    path: String,
    text: String,
    issue: Issue,
    /// Comments and attachments, by path under the issue's folder.
    folder: BTreeMap<String, Vec<u8>>,
    /// Where those files are in this version, in full.
    folder_paths: Vec<String>,
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
        match BranchPath::parse(p).key() {
            Some(k) => {
                keys.insert(k.clone());
            }
            None => {
                others.insert(p);
            }
        }
    }

    // Read every touched key in every version, on both cores when there
    // are many (a sync that brings a thousand issues); a key whose file
    // does not parse somewhere is merged path by path instead of by id.
    let keys: Vec<Key> = keys.into_iter().collect();
    let read = store.in_snapshots(
        &[base, Some(ours), Some(theirs)],
        &keys,
        200,
        |snaps, part| {
            part.iter()
                .map(|key| versions_of(snaps, key))
                .collect::<Result<Vec<_>>>()
        },
    )?;
    let mut by_id: BTreeMap<String, [Option<Version>; 3]> = BTreeMap::new();
    let mut by_path: BTreeSet<Key> = BTreeSet::new();
    let mut found: Vec<(usize, Version)> = Vec::new();
    for (key, versions) in keys.iter().zip(read) {
        match versions {
            Some(here) => found.extend(here),
            None => {
                by_path.insert(key.clone());
            }
        }
    }
    // Issues are matched by id. Two files with one id in the same version
    // (an old import did that) are two issues to this merge: matched by id
    // and key, so neither overwrites the other and nothing is dropped.
    let mut per_version: BTreeMap<(usize, &str), usize> = BTreeMap::new();
    for (v, f) in &found {
        *per_version.entry((*v, f.issue.id.as_str())).or_default() += 1;
    }
    let shared: BTreeSet<String> = per_version
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|((_, id), _)| id.to_owned())
        .collect();
    for (v, f) in found {
        let id = if shared.contains(&f.issue.id) {
            format!("{}\u{0}{}", f.issue.id, f.key)
        } else {
            f.issue.id.clone()
        };
        by_id.entry(id).or_default()[v] = Some(f);
    }

    let mut out = TreeMerge::default();
    let mut merged: Vec<Merged> = Vec::new();
    // When each side last changed each field: read from the commits since
    // the merge base, and only when some issue changed on both sides.
    let contested: Vec<&[Option<Version>; 3]> = by_id
        .values()
        .filter(|[b, o, t]| o.is_some() && t.is_some() && o != t && b != o && b != t)
        .collect();
    let times = if contested.is_empty() {
        None
    } else {
        let ids: Vec<String> = contested
            .iter()
            .filter_map(|[_, o, _]| o.as_ref().map(|o| o.issue.id.to_ascii_lowercase()))
            .collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        // Where a side kept each contested issue at its base path, only that
        // path can hold it in that side's commits: a renumbering or a layout
        // move never returns an issue to a path it left. So the side's other
        // files (a thousand, after a big sync) are not read at all.
        let stayed = |side: usize| -> Option<BTreeSet<String>> {
            if !shared.is_empty() {
                return None;
            }
            contested
                .iter()
                .map(|vs| match (&vs[0], &vs[side]) {
                    (Some(b), Some(v)) if b.path == v.path => Some(v.path.clone()),
                    _ => None,
                })
                .collect()
        };
        Some((
            FieldTimes::of(store, base, ours, &ids, stayed(1).as_ref())?,
            FieldTimes::of(store, base, theirs, &ids, stayed(2).as_ref())?,
        ))
    };
    let none = FieldTimes::default();
    for [b, o, t] in by_id.values() {
        let id = o
            .as_ref()
            .or(t.as_ref())
            .map(|v| v.issue.id.as_str())
            .unwrap_or_default();
        let (to, tt) = match &times {
            Some((to, tt)) => (to.of_issue(id), tt.of_issue(id)),
            None => (none.of_issue(id), none.of_issue(id)),
        };
        // Deleted on one side and changed on the other: the change keeps the
        // issue alive, and what the deleting side did to it before deleting
        // (a label, a comment) is merged in too, never dropped.
        let (mut o, mut t) = (o.clone(), t.clone());
        let mut resurrected = false;
        if let Some(b) = b
            && o.is_some() != t.is_some()
            && o.as_ref().or(t.as_ref()) != Some(b)
        {
            let deleting = if o.is_none() { ours } else { theirs };
            let last = last_version(store, base, deleting, b)?.unwrap_or_else(|| b.clone());
            if o.is_none() {
                o = Some(last);
            } else {
                t = Some(last);
            }
            resurrected = true;
        }
        if let Some(mut m) = merge_one(b.as_ref(), o.as_ref(), t.as_ref(), (to, tt)) {
            m.resurrected |= resurrected;
            merged.push(m);
        }
    }

    // deleted.yml as a set, then without the keys of issues kept alive.
    let read = |r: &Snapshot<'_>, p: &str| r.read_bytes(p);
    let deleted_merge = merge_file(
        layout::DELETED,
        read(sb, layout::DELETED)?.as_deref(),
        read(so, layout::DELETED)?.as_deref(),
        read(st, layout::DELETED)?.as_deref(),
    );
    let deleted_text = deleted_merge
        .content
        .as_deref()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    let mut deleted = layout::read_key_list(&deleted_text);

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
    // Every merged issue is written where the current layout files it (an
    // issue of the first layout moves when a merge touches it).
    for [_, o, _] in by_id.values() {
        if let Some(o) = o {
            want.insert(o.path.clone(), None);
            for full in &o.folder_paths {
                want.insert(full.clone(), None);
            }
        }
    }
    for m in &merged {
        let text = m.text.clone().unwrap_or_else(|| m.issue.print());
        want.insert(layout::issue_file(&m.key), Some(text.into_bytes()));
        for (rel, bytes) in &m.folder {
            want.insert(
                format!("{}/{rel}", layout::issue_dir(&m.key)),
                Some(bytes.clone()),
            );
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
        let what = BranchPath::parse(p);
        let by_path_key = match what.key() {
            Some(k) => by_path.contains(k),
            None if what == BranchPath::Deleted => false,
            None => others.contains(p.as_str()),
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
            && let Some(k) = what.key()
        {
            out.conflicts.push(k.to_string());
        }
        out.notes.extend(m.notes);
        want.insert(p.clone(), m.content);
    }
    if deleted_merge.content.is_some() || !deleted.is_empty() {
        want.insert(
            layout::DELETED.to_owned(),
            Some(layout::print_key_list(&deleted_header(&deleted_text), &deleted).into_bytes()),
        );
    }

    // The moves, so that `show OLD-KEY` can say where an issue went without
    // reading every issue.
    let moved = [sb, so, st].map(|r| {
        r.read_bytes(layout::MOVED)
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
        want.insert(layout::MOVED.to_owned(), Some(text.into_bytes()));
    }

    for (path, content) in want {
        if so.holds(&path, content.as_deref())? {
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

/// `key` in each of `snaps` (base, ours, theirs) where it has a file or a
/// folder, `None` when its file does not parse in one of them (or is not
/// text, or has comments without it).
fn versions_of(snaps: &[Snapshot<'_>], key: &Key) -> Result<Option<Vec<(usize, Version)>>> {
    let mut readable = true;
    let mut here = Vec::new();
    // The blob of each version read so far, beside `here`.
    let mut blobs: Vec<Option<String>> = Vec::new();
    for (v, snap) in snaps.iter().enumerate() {
        let path = layout::issue_file_candidates(key)
            .into_iter()
            .find(|p| snap.contains(p))
            .unwrap_or_else(|| layout::issue_file(key));
        let (folder, folder_paths) = folder_files(snap, &folders_of(key, &path))?;
        // A file one side left alone reads as in the base: parsed once.
        let parsed = |text: &str| match here
            .iter()
            .find(|(_, f): &&(usize, Version)| f.text == text)
        {
            Some((_, same)) => Ok(same.issue.clone()),
            None => Issue::parse(text),
        };
        // A file one side left alone is the base's blob: not read again.
        let blob = snap.object_id(&path);
        let read = match blobs.iter().position(|b| blob.is_some() && *b == blob) {
            Some(i) => Ok(Some(here[i].1.text.clone())),
            None => snap.read(&path),
        };
        match read {
            Ok(Some(text)) => match parsed(&text) {
                Ok(issue) => {
                    here.push((
                        v,
                        Version {
                            key: key.clone(),
                            path,
                            text,
                            issue,
                            folder,
                            folder_paths,
                        },
                    ));
                    blobs.push(blob);
                }
                Err(_) => readable = false,
            },
            Ok(None) if folder.is_empty() => {}
            // Comments without their issue, or a file that is not text.
            Ok(None) | Err(_) => readable = false,
        }
    }
    Ok(readable.then_some(here))
}

/// Merges one issue, with its folder, across the three versions.
fn merge_one(
    b: Option<&Version>,
    o: Option<&Version>,
    t: Option<&Version>,
    (ours_times, theirs_times): (Option<&Times>, Option<&Times>),
) -> Option<Merged> {
    let whole = |f: &Version, resurrected: bool| Merged {
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
    // A field changed on both sides goes to the side that changed it last;
    // when a time is missing, to the side whose issue changed last (and on
    // a tie, the text decides, so both clones choose alike).
    let fallback = (o.issue.updated, o.issue.print()) > (t.issue.updated, t.issue.print());
    let time = |times: Option<&Times>, field: &str| times.and_then(|t| t.get(field).copied());
    let later = |field: &'static str| match (time(ours_times, field), time(theirs_times, field)) {
        (Some(a), Some(b)) if a != b => a > b,
        _ => fallback,
    };
    let mut m = merge_issue_by(b.map(|b| &b.issue), &o.issue, &t.issue, later);
    for d in &mut m.dropped {
        let (kept, lost) = if later(d.field) {
            (ours_times, theirs_times)
        } else {
            (theirs_times, ours_times)
        };
        d.kept_at = time(kept, d.field);
        d.lost_at = time(lost, d.field);
    }
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

/// The files of an issue's folder, by path relative to it.
type Folder = BTreeMap<String, Vec<u8>>;

/// Everything in an issue's folders, by path relative to its folder, and
/// the full paths it was read from.
fn folder_files(snap: &Snapshot<'_>, dirs: &[String]) -> Result<(Folder, Vec<String>)> {
    let mut files = BTreeMap::new();
    let mut paths = Vec::new();
    for dir in dirs {
        for (path, bytes) in snap.files(dir, |_| true)? {
            let Some(rel) = path
                .strip_prefix(dir.as_str())
                .and_then(|r| r.strip_prefix('/'))
            else {
                continue;
            };
            if let Some(bytes) = bytes {
                files.insert(rel.to_owned(), bytes);
                paths.push(path.clone());
            }
        }
    }
    Ok((files, paths))
}

/// The comment lines a key-list file starts with, or the usual header.
fn deleted_header(text: &str) -> String {
    if text.starts_with('#') {
        text.to_owned()
    } else {
        layout::DELETED_HEADER.to_owned()
    }
}
