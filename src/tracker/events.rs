//! Events: what happened between two states of the issues branch, read
//! from its commits: an issue created, its status changed, assigned,
//! commented on, voted for, merged into another, files attached. Each
//! event says which issue (by its key at the end of the range), who, when,
//! in which commit, and what changed; its `id` is the same every time the
//! same change is read, which is what `notify` remembers it by.
//!
//! Merge commits are skipped: what a sync merged in is told by the commits
//! it merged. The states are commits of the branch; by default, what the
//! last `sync` (or a `git pull` in a worktree of the branch) brought in,
//! which this clone records under its local folder.

use std::collections::{BTreeSet, HashMap};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::read::moves_from;
use super::votes::voters;
use super::{Error, Result, Tracker, describe_changes};
use crate::format::fields::{self, FIELDS};
use crate::format::layout::{self, BranchPath, Part};
use crate::format::{Comment, Issue, Key};
use crate::store::Snapshot;

/// One thing that happened to one issue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// The same for the same change, whenever it is read.
    pub id: String,
    /// One of `tracker.yml`'s event kinds (`format::config::EVENT_KINDS`).
    pub kind: &'static str,
    /// The issue's key at the end of the range (a sync may renumber it).
    pub key: String,
    pub title: String,
    pub who: String,
    pub when: Timestamp,
    /// The commit of the issues branch that made the change.
    pub commit: String,
    /// What changed; its members depend on the kind.
    pub change: Map<String, Value>,
    /// The issue is confidential, or the comment internal: left out of
    /// notifications unless a rule asks for them.
    #[serde(skip)]
    pub confidential: bool,
}

/// Two states of the branch: the events are those of the commits that
/// reach `to` and not `from` (every commit up to `to` without one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    pub from: Option<String>,
    pub to: String,
}

impl Range {
    pub fn is_empty(&self) -> bool {
        self.from.as_deref() == Some(self.to.as_str())
    }
}

/// Where this clone records what the last sync brought in.
const ARRIVED: &str = "arrived.json";

impl Tracker {
    /// Reads a range as `events` and `notify` take it: `A..B`, `A..` (up
    /// to the tip) or one revision (everything up to it); `None` is what
    /// the last sync brought in.
    pub fn parse_range(&self, text: Option<&str>) -> Result<Range> {
        let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
            return self.last_arrival();
        };
        let tip = || -> Result<String> {
            self.store
                .tip()?
                .map(|o| o.to_string())
                .ok_or_else(|| Error::NotInitialized {
                    branch: self.store.branch_name().to_owned(),
                })
        };
        match text.split_once("..") {
            Some((a, b)) if !a.is_empty() => Ok(Range {
                from: Some(self.resolve_commit(a)?),
                to: if b.is_empty() {
                    tip()?
                } else {
                    self.resolve_commit(b)?
                },
            }),
            Some(_) => Err(Error::Refused(format!(
                "{text:?} is not a range: give A..B, A.. or one revision"
            ))),
            None => Ok(Range {
                from: None,
                to: self.resolve_commit(text)?,
            }),
        }
    }

    /// What the last sync brought in, as recorded.
    fn last_arrival(&self) -> Result<Range> {
        let path = self.store.local_dir().join(ARRIVED);
        std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Range>(&b).ok())
            .ok_or_else(|| {
                Error::Refused(
                    "no sync has brought anything into this clone yet; give a range, like issues@{1}..issues"
                        .to_owned(),
                )
            })
    }

    /// Records what a sync or a pull brought in, for `events` and `notify`
    /// to default to. A record that cannot be written costs only the
    /// default.
    pub(crate) fn record_arrival(&self, range: &Range) {
        let dir = self.store.local_dir();
        let path = dir.join(ARRIVED);
        let tmp = dir.join(format!("{ARRIVED}.tmp{}", std::process::id()));
        let Ok(bytes) = serde_json::to_vec(range) else {
            return;
        };
        if std::fs::create_dir_all(&dir).is_ok()
            && std::fs::write(&tmp, bytes).is_ok()
            && std::fs::rename(&tmp, &path).is_err()
        {
            let _ = std::fs::remove_file(&tmp);
        }
    }

    /// What a `git pull` (or merge) in a worktree of the issues branch
    /// brought in, for the post-merge hook: `ORIG_HEAD..HEAD` when HEAD is
    /// the issues branch, recorded as the last arrival; `None` elsewhere.
    pub fn arrived_by_merge(&self) -> Result<Option<Range>> {
        if self.store.head_branch().as_deref() != Some(self.store.branch_name()) {
            return Ok(None);
        }
        let range = Range {
            from: Some(self.resolve_commit("ORIG_HEAD")?),
            to: self.resolve_commit("HEAD")?,
        };
        self.record_arrival(&range);
        Ok(Some(range))
    }

    /// The events of the commits in `range`, oldest first.
    pub fn events(&self, range: &Range) -> Result<Vec<Event>> {
        let store = &self.store;
        if range.is_empty() {
            return Ok(Vec::new());
        }
        let end = store.snapshot_of(Some(&range.to))?;
        let mut keys = KeyAtEnd::new(&end);
        let mut out = Vec::new();
        let revisions = store.changes(&range.to, range.from.as_deref(), "")?;
        for rev in revisions.iter().rev() {
            let parents = store.parents(&rev.commit)?;
            if parents.len() > 1 {
                continue;
            }
            let after = store.snapshot_of(Some(&rev.commit))?;
            let before = store.snapshot_of(parents.first().map(String::as_str))?;
            let commit = Commit {
                id: &rev.commit,
                who: format!("{} <{}>", rev.author, rev.email),
                when: rev.time,
            };
            let mut found = Vec::new();
            for path in &rev.paths {
                changes_of(path, &before, &after, &commit, &mut found)?;
            }
            for e in drop_moves(found) {
                out.push(e.finish(&mut keys));
            }
        }
        Ok(out)
    }
}

/// The commit an event comes from.
struct Commit<'a> {
    id: &'a str,
    who: String,
    when: Timestamp,
}

/// An event before its key at the end of the range is known.
struct Raw {
    kind: &'static str,
    key: Key,
    issue_id: String,
    title: String,
    who: String,
    when: Timestamp,
    commit: String,
    detail: String,
    change: Map<String, Value>,
    confidential: bool,
}

impl Raw {
    fn finish(self, keys: &mut KeyAtEnd<'_, '_>) -> Event {
        let key = keys.of(&self.key, &self.issue_id);
        Event {
            id: format!(
                "{}/{}/{}{}",
                self.commit, self.issue_id, self.kind, self.detail
            ),
            kind: self.kind,
            key,
            title: self.title,
            who: self.who,
            when: self.when,
            commit: self.commit,
            change: self.change,
            confidential: self.confidential,
        }
    }
}

/// An issue file moved within one commit (`doctor --fix`) is neither
/// created nor deleted.
fn drop_moves(found: Vec<Raw>) -> Vec<Raw> {
    let ids = |kind: &str| -> BTreeSet<String> {
        found
            .iter()
            .filter(|e| e.kind == kind)
            .map(|e| e.issue_id.clone())
            .collect()
    };
    let moved: BTreeSet<String> = ids("created")
        .intersection(&ids("deleted"))
        .cloned()
        .collect();
    found
        .into_iter()
        .filter(|e| !(matches!(e.kind, "created" | "deleted") && moved.contains(&e.issue_id)))
        .collect()
}

/// Where the file of the issue a path belongs to may be: the path itself,
/// or the file beside the folder it is in, then the layouts' places.
fn issue_of(path: &str, key: &Key) -> Vec<String> {
    let mut out = Vec::new();
    let folder = format!("/{key}/");
    if path.ends_with(".md") && !path.contains(&folder) {
        out.push(path.to_owned());
    } else if let Some(i) = path.find(&folder) {
        out.push(format!("{}.md", &path[..i + folder.len() - 1]));
    }
    out.extend(layout::issue_file_candidates(key));
    out
}

fn issue_at(snap: &Snapshot<'_>, path: &str) -> Option<Issue> {
    Issue::parse(&snap.read(path).ok()??).ok()
}

fn map(pairs: &[(&str, Value)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

/// The events one changed path of one commit makes.
fn changes_of(
    path: &str,
    before: &Snapshot<'_>,
    after: &Snapshot<'_>,
    commit: &Commit<'_>,
    out: &mut Vec<Raw>,
) -> Result<()> {
    let what = BranchPath::parse(path);
    let Some(key) = what.key().cloned() else {
        return Ok(());
    };
    let owner = issue_of(path, &key)
        .into_iter()
        .find_map(|p| issue_at(after, &p).or_else(|| issue_at(before, &p)));
    let Some(owner) = owner else {
        return Ok(());
    };
    let raw = |kind: &'static str, detail: String, change: Map<String, Value>| Raw {
        kind,
        key: key.clone(),
        issue_id: owner.id.clone(),
        title: owner.title.clone(),
        who: commit.who.clone(),
        when: commit.when,
        commit: commit.id.to_owned(),
        detail,
        change,
        confidential: owner.confidential,
    };
    match what {
        BranchPath::Issue(_) => {
            let (old, new) = (issue_at(before, path), issue_at(after, path));
            match (old, new) {
                (None, Some(new)) => out.push(raw(
                    "created",
                    String::new(),
                    map(&[
                        ("type", json!(new.kind)),
                        ("priority", json!(new.priority)),
                        ("status", json!(new.status)),
                    ]),
                )),
                (Some(_), None) => out.push(raw("deleted", String::new(), Map::new())),
                (Some(old), Some(new)) => issue_changes(&old, &new, raw, out),
                (None, None) => {}
            }
        }
        BranchPath::InIssue(_, Part::Comment(id)) => {
            let Some(c) = after
                .read(path)
                .ok()
                .flatten()
                .and_then(|t| Comment::parse(&t).ok())
            else {
                return Ok(());
            };
            if before.contains(path) {
                return Ok(());
            }
            let mut e = raw(
                "commented",
                format!("/{id}"),
                map(&[
                    ("comment", json!(id)),
                    ("internal", json!(c.internal)),
                    ("body", json!(c.body)),
                ]),
            );
            e.who = c.author;
            e.when = c.created;
            e.confidential |= c.internal;
            out.push(e);
        }
        BranchPath::InIssue(_, Part::Attachment(name)) => match after.size(path)? {
            Some(size) => out.push(raw(
                "attached",
                format!("/{name}"),
                map(&[("name", json!(name)), ("size", json!(size))]),
            )),
            None => out.push(raw(
                "detached",
                format!("/{name}"),
                map(&[("name", json!(name))]),
            )),
        },
        _ => {}
    }
    Ok(())
}

/// The events of a change to an issue file: each kind of change that has
/// its own event, then the rest as one `edited`.
fn issue_changes(
    old: &Issue,
    new: &Issue,
    raw: impl Fn(&'static str, String, Map<String, Value>) -> Raw,
    out: &mut Vec<Raw>,
) {
    if old.status != new.status {
        out.push(raw(
            "status",
            String::new(),
            map(&[("from", json!(old.status)), ("to", json!(new.status))]),
        ));
    }
    if old.assignee != new.assignee {
        out.push(raw(
            "assigned",
            String::new(),
            map(&[("from", json!(old.assignee)), ("to", json!(new.assignee))]),
        ));
    }
    if old.duplicate_of != new.duplicate_of
        && let Some(into) = &new.duplicate_of
    {
        out.push(raw("merged", String::new(), map(&[("into", json!(into))])));
    }
    let (was, now) = (voters(old), voters(new));
    let count = fields::vote_count(new);
    for v in now.iter().filter(|v| !was.contains(v)) {
        out.push(raw(
            "voted",
            format!("/{v}"),
            map(&[("voter", json!(v)), ("votes", json!(count))]),
        ));
    }
    for v in was.iter().filter(|v| !now.contains(v)) {
        out.push(raw(
            "unvoted",
            format!("/{v}"),
            map(&[("voter", json!(v)), ("votes", json!(count))]),
        ));
    }
    // The rest: what changed besides what the events above told.
    let mut seen = old.clone();
    seen.status.clone_from(&new.status);
    seen.resolved = new.resolved;
    seen.assignee.clone_from(&new.assignee);
    seen.duplicate_of.clone_from(&new.duplicate_of);
    super::votes::set_voters(&mut seen, now);
    let summary = describe_changes(&seen, new);
    if summary.is_empty() {
        return;
    }
    let mut names: Vec<&str> = FIELDS
        .iter()
        .filter(|f| !matches!(f.name, "updated") && seen.get(f) != new.get(f))
        .map(|f| f.name)
        .collect();
    if seen.body != new.body {
        names.push("description");
    }
    out.push(raw(
        "edited",
        String::new(),
        map(&[
            ("fields", json!(names)),
            ("summary", json!(summary.join(", "))),
        ]),
    ));
}

/// The key each issue has at the end of the range, by its id.
struct KeyAtEnd<'s, 'r> {
    end: &'s Snapshot<'r>,
    known: HashMap<(Key, String), String>,
}

impl<'s, 'r> KeyAtEnd<'s, 'r> {
    fn new(end: &'s Snapshot<'r>) -> Self {
        KeyAtEnd {
            end,
            known: HashMap::new(),
        }
    }

    fn of(&mut self, key: &Key, id: &str) -> String {
        let end = self.end;
        self.known
            .entry((key.clone(), id.to_owned()))
            .or_insert_with(|| {
                let has = |k: &Key| {
                    layout::issue_file_candidates(k)
                        .iter()
                        .any(|p| issue_at(end, p).is_some_and(|i| i.id == id))
                };
                if has(key) {
                    return key.to_string();
                }
                moves_from(end, key)
                    .unwrap_or_default()
                    .into_iter()
                    .find(|k| has(k))
                    .unwrap_or_else(|| key.clone())
                    .to_string()
            })
            .clone()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_kind_is_one_tracker_yml_knows() {
        let src = include_str!("events.rs");
        for kind in crate::format::config::EVENT_KINDS {
            assert!(src.contains(&format!("\"{kind}\"")), "{kind}");
        }
    }
}
