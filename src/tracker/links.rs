//! Links between the user's commits and issues: what the git hooks and
//! `scan` record, how links follow commits that were rewritten, and which
//! keys a commit message may name. Every write here is one commit of the
//! issues branch, however many issues it touches.
//!
//! Reading a message is [`super::mentions`]; walking history and patch ids
//! are the store's; this module decides what changes.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;

use super::doctor::check_values;
use super::mentions::{branch_key, has_key_shaped_word, mentions, names_a_key, prefill};
use super::read::{issue_files, load_at, locate, read_config};
use super::{Error, Outcome, Problem, Result, Tracker, describe_changes, set_status};
use crate::format::{Config, Issue, Key};
use crate::store::{Change, Edit};

/// Read by `hooks/commit-msg`: see [`Tracker::remember_commit_msg_leniency`].
const LENIENT: &str = "commit-msg-lenient";

/// What one commit of several issues did.
#[derive(Debug, Default)]
pub struct Batch {
    /// The commit on the issues branch, `None` when nothing changed.
    pub commit: Option<String>,
    /// The issues that changed, and how.
    pub changed: Vec<Outcome>,
    /// Keys that name no issue; skipped.
    pub missing: Vec<Key>,
    /// Issue files that do not parse; skipped, the others still change.
    pub problems: Vec<Problem>,
}

/// One commit to record against the issues its message names.
#[derive(Debug, Clone)]
struct Arrival {
    id: String,
    message: String,
    /// Whether its closing words count: it is on the main branch.
    on_main: bool,
}

/// What happens to one issue.
#[derive(Debug, Default)]
struct Plan {
    key: Option<Key>,
    /// Commits to link, with their message and whether they close.
    links: Vec<(String, String, bool)>,
}

impl Tracker {
    /// Changes several issues in one commit of the branch. `apply` sees
    /// each issue as it is on the tip (again, if another writer got there
    /// first). A key that names no issue, or whose file does not parse, is
    /// skipped and reported; any other failure changes nothing.
    pub fn update_many(
        &self,
        keys: &[Key],
        title: &str,
        mut apply: impl FnMut(&Key, &mut Issue, &Config, Timestamp) -> Result<()>,
    ) -> Result<Batch> {
        let now = self.store.now();
        let result = RefCell::new(Batch::default());
        let commit = self.commit(|snap| {
            if !snap.exists() {
                return Err(Error::NotInitialized {
                    branch: self.store.branch_name().to_owned(),
                });
            }
            let config = read_config(snap)?;
            let mut batch = Batch::default();
            let mut edits = Vec::new();
            let mut seen = Vec::new();
            for key in keys {
                if seen.contains(&key.number) {
                    continue;
                }
                seen.push(key.number);
                let (old, path) = match load_at(snap, key) {
                    Ok(found) => found,
                    Err(Error::NoSuchIssue(_)) => {
                        batch.missing.push(key.clone());
                        continue;
                    }
                    Err(Error::BadFile(p)) => {
                        batch.problems.push(p);
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                let mut issue = old.issue.clone();
                apply(&old.key, &mut issue, &config, now)?;
                let changes = describe_changes(&old.issue, &issue);
                if changes.is_empty() {
                    continue;
                }
                check_values(&issue, &config, Some(&old.issue)).map_err(Error::Refused)?;
                issue.updated = now;
                edits.push(Edit::Write {
                    path,
                    content: issue.print().into_bytes(),
                });
                batch.changed.push(Outcome {
                    key: old.key,
                    commit: None,
                    summary: changes.join(", "),
                });
            }
            let message = match batch.changed.as_slice() {
                [] => None,
                [one] => Some(format!("{}: {}", one.key, one.summary)),
                many => Some(format!(
                    "{title}\n\n{}",
                    many.iter()
                        .map(|o| format!("{}: {}", o.key, o.summary))
                        .collect::<Vec<_>>()
                        .join("\n")
                )),
            };
            *result.borrow_mut() = batch;
            Ok(message.map(|message| Change { message, edits }))
        })?;
        let mut batch = result.into_inner();
        for o in &mut batch.changed {
            o.commit.clone_from(&commit);
        }
        batch.commit = commit;
        Ok(batch)
    }

    /// The post-commit hook: links HEAD to each issue its message names;
    /// `Fixes BC-12` resolves BC-12 when the commit is on the main branch.
    /// Reads only the issues named, whatever the size of the tracker.
    pub fn record_head(&self) -> Result<Batch> {
        // During a rebase each copied commit passes through here; the
        // post-rewrite hook moves every link in one commit when it ends.
        if self.store.rebase_in_progress() {
            return Ok(Batch::default());
        }
        let head = self.store.commit_message("HEAD")?;
        let branch = self.store.head_branch();
        // A commit made by hand in a worktree of the issues branch is not
        // a commit of the project.
        if !has_key_shaped_word(&head.message)
            || branch.as_deref() == Some(self.store.branch_name())
        {
            return Ok(Batch::default());
        }
        let config = self.config()?;
        let on_main = branch.as_deref() == Some(config.main_branch.as_str());
        let short: String = head.id.chars().take(7).collect();
        self.record(
            &config,
            vec![Arrival {
                id: head.id,
                message: head.message,
                on_main,
            }],
            &HashMap::new(),
            &format!("Link commit {short}"),
        )
    }

    /// Records the commits of `range` (every local branch without one)
    /// that name issues, as the hooks would have: for history made without
    /// them, or when a hook failed. Run twice, it changes nothing.
    pub fn scan(&self, range: Option<&str>) -> Result<Batch> {
        let config = self.config()?;
        let mut arrivals = Vec::new();
        for c in self.store.commits(range)? {
            if mentions(&c.message, &config.key).is_empty() {
                continue;
            }
            let on_main = mentions(&c.message, &config.key).iter().any(|m| m.closes)
                && self.store.on_branch(&config.main_branch, &c.id)?;
            arrivals.push(Arrival {
                id: c.id,
                message: c.message,
                on_main,
            });
        }
        let title = match range {
            Some(r) => format!("Scan {r} for commits that name issues"),
            None => "Scan the local branches for commits that name issues".to_owned(),
        };
        self.record(&config, arrivals, &HashMap::new(), &title)
    }

    /// The post-rewrite hook: after `commit --amend` or a rebase, each old
    /// commit id is replaced by the new one in every issue that names it,
    /// and the new commits are recorded as post-commit would.
    pub fn rewrite(&self, pairs: &[(String, String)]) -> Result<Batch> {
        let config = self.config()?;
        let replace: HashMap<String, String> = pairs.iter().cloned().collect();
        let mut arrivals = Vec::new();
        let mut seen = Vec::new();
        for (_, new) in pairs {
            if seen.contains(new) {
                continue;
            }
            seen.push(new.clone());
            let Ok(c) = self.store.commit_message(new) else {
                continue;
            };
            if mentions(&c.message, &config.key).is_empty() {
                continue;
            }
            let on_main = self.store.on_branch(&config.main_branch, &c.id)?;
            arrivals.push(Arrival {
                id: c.id,
                message: c.message,
                on_main,
            });
        }
        let n = seen.len();
        self.record(
            &config,
            arrivals,
            &replace,
            &format!(
                "Follow {n} rewritten commit{}",
                if n == 1 { "" } else { "s" }
            ),
        )
    }

    /// The keys of the tracker a commit message names that no issue has.
    pub fn unknown_keys(&self, message: &str) -> Result<Vec<Key>> {
        let snap = self.snapshot()?;
        let config = read_config(&snap)?;
        let mut out = Vec::new();
        for m in mentions(message, &config.key) {
            if let Err(Error::NoSuchIssue(_)) = locate(&snap, &m.key) {
                out.push(m.key);
            }
        }
        Ok(out)
    }

    /// Leaves `<git dir>/git-issue/commit-msg-lenient` saying "the issues
    /// branch at this tip does not refuse commits" (`<ref> <tip>`), or
    /// removes it when the branch is strict or unreadable. The commit-msg
    /// shim reads it and the ref, and starts no process while they agree:
    /// without `hooks.strict` there is nothing to refuse, and post-commit
    /// warns about keys that name no issue. A moved tip (a changed
    /// `tracker.yml` among others) makes it stale, so the next commit asks
    /// again. Written only when it changes; a failure is no error.
    pub fn remember_commit_msg_leniency(&self) {
        let path = self.store.local_dir().join(LENIENT);
        let want = self.store.snapshot().ok().and_then(|snap| {
            let tip = snap.commit_id()?;
            let strict = read_config(&snap).map_or(true, |c| c.hooks.strict);
            (!strict).then(|| format!("{} {tip}\n", self.store.refname()))
        });
        let have = std::fs::read_to_string(&path).ok();
        match want {
            Some(want) if have.as_deref() != Some(want.as_str()) => {
                let _ = super::replace_local_file(&path, want.as_bytes());
            }
            None if have.is_some() => {
                let _ = std::fs::remove_file(&path);
            }
            _ => {}
        }
    }

    /// Links `arrivals` and replaces the ids of `replace` (old to new) in
    /// one commit of the branch.
    fn record(
        &self,
        config: &Config,
        arrivals: Vec<Arrival>,
        replace: &HashMap<String, String>,
        title: &str,
    ) -> Result<Batch> {
        let mut plans: BTreeMap<u64, Plan> = BTreeMap::new();
        for a in &arrivals {
            for m in mentions(&a.message, &config.key) {
                let plan = plans.entry(m.key.number).or_default();
                plan.key.get_or_insert(m.key);
                plan.links
                    .push((a.id.clone(), a.message.clone(), m.closes && a.on_main));
            }
        }
        if !replace.is_empty() {
            for key in self.issues_naming(replace.keys())? {
                plans.entry(key.number).or_default().key.get_or_insert(key);
            }
        }
        if plans.is_empty() {
            return Ok(Batch::default());
        }
        let keys: Vec<Key> = plans.values().filter_map(|p| p.key.clone()).collect();
        let patch_ids: RefCell<HashMap<String, Option<String>>> = RefCell::default();
        self.update_many(&keys, title, |key, issue, config, now| {
            for c in &mut issue.commits {
                if let Some(new) = replace.get(c.as_str()) {
                    c.clone_from(new);
                }
            }
            dedupe(&mut issue.commits);
            let Some(plan) = plans.get(&key.number) else {
                return Ok(());
            };
            for (id, message, closes) in &plan.links {
                if !issue.commits.contains(id) {
                    match self.stale_copy(&issue.commits, id, message, &patch_ids)? {
                        Some(i) => issue.commits[i].clone_from(id),
                        None => issue.commits.push(id.clone()),
                    }
                }
                if *closes && !config.is_closed(&issue.status) {
                    set_status(issue, resolved_status(config), config, now);
                }
            }
            Ok(())
        })
    }

    /// Which linked commit `id` is a rebased copy of: one with the same
    /// message and the same patch id that no branch reaches any more (a
    /// rebase done here without our hooks, or on another clone).
    fn stale_copy(
        &self,
        linked: &[String],
        id: &str,
        message: &str,
        cache: &RefCell<HashMap<String, Option<String>>>,
    ) -> Result<Option<usize>> {
        let patch_id = |c: &str| -> Result<Option<String>> {
            if let Some(p) = cache.borrow().get(c) {
                return Ok(p.clone());
            }
            let p = self.store.patch_id(c)?;
            cache.borrow_mut().insert(c.to_owned(), p.clone());
            Ok(p)
        };
        for (i, old) in linked.iter().enumerate() {
            // Cheapest test first: most linked commits differ in message.
            let same_message = self
                .store
                .commit_message(old)
                .is_ok_and(|c| c.message.trim_end() == message.trim_end());
            if !same_message {
                continue;
            }
            let mine = patch_id(id)?;
            if mine.is_some() && patch_id(old)? == mine && !self.store.reachable(old)? {
                return Ok(Some(i));
            }
        }
        Ok(None)
    }

    /// The issues whose file names any of `ids`. A plain text search comes
    /// before any parsing, so this reads every file once but parses few.
    fn issues_naming<'a>(&self, ids: impl Iterator<Item = &'a String>) -> Result<Vec<Key>> {
        let ids: Vec<&String> = ids.collect();
        let snap = self.snapshot()?;
        let mut out = Vec::new();
        for (key, path) in issue_files(&snap)? {
            let text = snap.read(&path)?.unwrap_or_default();
            if ids.iter().any(|id| text.contains(id.as_str())) {
                out.push(key);
            }
        }
        Ok(out)
    }

    /// The prepare-commit-msg hook: on a branch named after an issue
    /// (`bc-12-fix-login`, `feature/BC-12`), the message starts with
    /// `BC-12: ` unless it names a key already. Merges, squashes and amends
    /// (`source` `commit`) are left as they are. `None`: leave it alone.
    pub fn prepare_message(&self, message: &str, source: Option<&str>) -> Result<Option<String>> {
        if matches!(source, Some("merge" | "squash" | "commit")) {
            return Ok(None);
        }
        let Some(branch) = self.store.head_branch() else {
            return Ok(None);
        };
        if !has_key_shaped_word(&branch) {
            return Ok(None);
        }
        let config = self.config()?;
        let Some(key) = branch_key(&branch, &config.key) else {
            return Ok(None);
        };
        if names_a_key(message, &config.key) {
            return Ok(None);
        }
        Ok(Some(prefill(message, &key)))
    }

    /// The folder git runs this repository's hooks from.
    pub fn hooks_dir(&self) -> std::path::PathBuf {
        self.store.hooks_dir()
    }
}

/// The status a closing commit sets: `resolved`, or the first closed status
/// when `tracker.yml` has no `resolved`.
fn resolved_status(config: &Config) -> &str {
    if config.is_closed("resolved") {
        "resolved"
    } else {
        config
            .closed_statuses
            .first()
            .map_or("resolved", String::as_str)
    }
}

fn dedupe(list: &mut Vec<String>) {
    let mut seen = Vec::with_capacity(list.len());
    list.retain(|x| {
        if seen.contains(x) {
            false
        } else {
            seen.push(x.clone());
            true
        }
    });
}
