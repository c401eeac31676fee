//! The user's own repository, as hooks, `scan` and release notes read it:
//! its commits, branches, tags and hooks folder. Like the rest of the
//! store, nothing here writes to HEAD, the index or the working tree.

use std::path::PathBuf;

use git2::{ErrorCode, ObjectType, Oid};
use jiff::Timestamp;

use super::{Result, Store, StoreError};

/// A commit of the user's repository, as shown beside an issue.
#[derive(Debug, Clone)]
pub struct CommitInfo {
    pub id: String,
    pub summary: String,
    pub author: String,
    pub time: Timestamp,
}

/// A commit of the user's repository and what its message says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitMessage {
    pub id: String,
    pub message: String,
}

impl Store {
    /// The folder git runs hooks from: `core.hooksPath` when set (relative to
    /// the top of the working tree, as git takes it), else the `hooks` folder
    /// of the common git dir, which every worktree of the repository shares.
    pub fn hooks_dir(&self) -> PathBuf {
        match self.settings.get_path("core.hooksPath") {
            Some(p) if p.is_absolute() => p,
            Some(p) => self.repo.workdir().unwrap_or(self.repo.path()).join(p),
            None => self.repo.commondir().join("hooks"),
        }
    }

    /// Whether `name` is a local branch, or a branch of a remote (a fresh
    /// clone has `origin/main` before it has `main`).
    pub fn has_branch(&self, name: &str) -> bool {
        if self.repo.find_branch(name, git2::BranchType::Local).is_ok() {
            return true;
        }
        self.remotes().iter().any(|r| {
            self.repo
                .find_reference(&format!("refs/remotes/{r}/{name}"))
                .is_ok()
        })
    }

    /// The project's main branch, as a new tracker should assume it: the
    /// branch `origin/HEAD` names (what the clone's remote calls its main
    /// line), else the branch HEAD is on, else `init.defaultBranch`, else
    /// `main`.
    pub fn main_branch_guess(&self) -> String {
        let remote_head = self
            .repo
            .find_reference("refs/remotes/origin/HEAD")
            .ok()
            .and_then(|r| r.symbolic_target().ok().flatten().map(str::to_owned))
            .and_then(|t| t.strip_prefix("refs/remotes/origin/").map(str::to_owned));
        remote_head
            .or_else(|| self.head_branch().filter(|b| b != self.branch_name()))
            .or_else(|| self.config_string("init.defaultBranch"))
            .unwrap_or_else(|| "main".to_owned())
    }

    /// Whether a rebase is under way in this worktree: its commits are
    /// copies that `post-rewrite` relinks all at once when it ends.
    pub fn rebase_in_progress(&self) -> bool {
        let dir = self.repo.path();
        dir.join("rebase-merge").exists() || dir.join("rebase-apply").exists()
    }

    /// The branch HEAD is on (even before its first commit), `None` when
    /// HEAD is detached.
    pub fn head_branch(&self) -> Option<String> {
        let head = self.repo.find_reference("HEAD").ok()?;
        let target = head.symbolic_target().ok()??;
        target.strip_prefix("refs/heads/").map(str::to_owned)
    }

    /// A commit (any revision git understands) with its message.
    pub fn commit_message(&self, rev: &str) -> Result<CommitMessage> {
        let id = self.resolve_commit(rev)?;
        let commit = self.repo.find_commit(Oid::from_str(&id)?)?;
        Ok(CommitMessage {
            id,
            message: String::from_utf8_lossy(commit.message_bytes()).into_owned(),
        })
    }

    /// The commits of `range`, oldest first: `A..B`, `A...B`, or one
    /// revision for everything it reaches. Without a range, every commit of
    /// the local branches. Never a commit of the issues branch.
    pub fn commits(&self, range: Option<&str>) -> Result<Vec<CommitMessage>> {
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)?;
        let unknown = |r: &str| StoreError::UnknownCommit(r.to_owned());
        match range {
            None => {
                for r in self.repo.references_glob("refs/heads/*")? {
                    let r = r?;
                    if r.name().ok() == Some(self.refname.as_str()) {
                        continue;
                    }
                    if let Ok(c) = r.peel_to_commit() {
                        walk.push(c.id())?;
                    }
                }
            }
            Some(range) => {
                let spec = self.repo.revparse(range).map_err(|_| unknown(range))?;
                let peel = |o: Option<&git2::Object<'_>>| -> Result<Oid> {
                    match o {
                        Some(o) => Ok(o.peel_to_commit().map_err(|_| unknown(range))?.id()),
                        None => Ok(self
                            .repo
                            .head()
                            .and_then(|h| h.peel_to_commit())
                            .map_err(|_| unknown(range))?
                            .id()),
                    }
                };
                let mode = spec.mode();
                if mode.contains(git2::RevparseMode::SINGLE) {
                    walk.push(peel(spec.from())?)?;
                } else {
                    let from = peel(spec.from())?;
                    let to = peel(spec.to())?;
                    walk.push(to)?;
                    if mode.contains(git2::RevparseMode::MERGE_BASE) {
                        walk.push(from)?;
                        if let Ok(base) = self.repo.merge_base(from, to) {
                            walk.hide(base)?;
                        }
                    } else {
                        walk.hide(from)?;
                    }
                }
            }
        }
        // The issues branch's own commits name keys in every message; they
        // are never commits of the project, whatever the range says (a
        // post-checkout of a worktree of that branch would give them).
        if let Some(tip) = self.tip()? {
            walk.hide(tip)?;
        }
        let mut out = Vec::new();
        for oid in walk {
            let commit = self.repo.find_commit(oid?)?;
            out.push(CommitMessage {
                id: commit.id().to_string(),
                message: String::from_utf8_lossy(commit.message_bytes()).into_owned(),
            });
        }
        Ok(out)
    }

    /// Whether commit `id` is on local branch `branch`: its tip or one of
    /// the tip's ancestors.
    pub fn on_branch(&self, branch: &str, id: &str) -> Result<bool> {
        let Ok(oid) = Oid::from_str(id) else {
            return Ok(false);
        };
        let tip = match self.repo.find_reference(&format!("refs/heads/{branch}")) {
            Ok(r) => match r.peel_to_commit() {
                Ok(c) => c.id(),
                Err(_) => return Ok(false),
            },
            Err(e) if e.code() == ErrorCode::NotFound => return Ok(false),
            Err(e) => return Err(e.into()),
        };
        Ok(tip == oid || self.repo.graph_descendant_of(tip, oid)?)
    }

    /// Whether any branch, local or remote-tracking, other than the issues
    /// branch, reaches commit `id`. A commit that was rebased away (here or
    /// on another clone that pushed) is reached by none.
    pub fn reachable(&self, id: &str) -> Result<bool> {
        let Ok(oid) = Oid::from_str(id) else {
            return Ok(false);
        };
        let issues_suffix = format!("/{}", self.branch_name());
        for glob in ["refs/heads/*", "refs/remotes/*"] {
            for r in self.repo.references_glob(glob)? {
                let r = r?;
                let name = r.name().unwrap_or_default();
                if name == self.refname
                    || (name.starts_with("refs/remotes/") && name.ends_with(&issues_suffix))
                {
                    continue;
                }
                let Ok(tip) = r.peel_to_commit() else {
                    continue;
                };
                if tip.id() == oid || self.repo.graph_descendant_of(tip.id(), oid)? {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// A stable id of the change a commit makes, the same for the commit and
    /// its rebased copy: a hash of the paths it touches and of its added and
    /// removed lines, whitespace left out, line numbers and context ignored
    /// (in the spirit of `git patch-id --stable`, not byte-compatible with
    /// it). `None` for a merge, or a commit this clone does not have.
    pub fn patch_id(&self, id: &str) -> Result<Option<String>> {
        let Ok(oid) = Oid::from_str(id) else {
            return Ok(None);
        };
        let Ok(commit) = self.repo.find_commit(oid) else {
            return Ok(None);
        };
        if commit.parent_count() > 1 {
            return Ok(None);
        }
        let tree = commit.tree()?;
        let parent = match commit.parent_count() {
            0 => None,
            _ => Some(commit.parent(0)?.tree()?),
        };
        let mut opts = git2::DiffOptions::new();
        opts.context_lines(0);
        let diff = self
            .repo
            .diff_tree_to_tree(parent.as_ref(), Some(&tree), Some(&mut opts))?;
        let text = std::cell::RefCell::new(Vec::<u8>::new());
        diff.foreach(
            &mut |delta, _| {
                let mut t = text.borrow_mut();
                for file in [delta.old_file(), delta.new_file()] {
                    t.extend_from_slice(file.path_bytes().unwrap_or_default());
                    t.push(0);
                }
                t.push(b'\n');
                true
            },
            Some(&mut |delta, _| {
                // Binary content has no lines: its blob ids stand for it.
                let mut t = text.borrow_mut();
                t.extend_from_slice(delta.new_file().id().as_bytes());
                t.push(b'\n');
                true
            }),
            None,
            Some(&mut |_, _, line| {
                if matches!(line.origin(), '+' | '-') {
                    let mut t = text.borrow_mut();
                    t.push(line.origin() as u8);
                    t.extend(line.content().iter().filter(|b| !b.is_ascii_whitespace()));
                    t.push(b'\n');
                }
                true
            }),
        )?;
        Ok(Some(
            Oid::hash_object(ObjectType::Blob, &text.into_inner())?.to_string(),
        ))
    }

    /// The names of the tags that point at `rev`, in name order.
    pub fn tags_at(&self, rev: &str) -> Result<Vec<String>> {
        let Ok(id) = self.resolve_commit(rev) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for r in self.repo.references_glob("refs/tags/*")? {
            let r = r?;
            if r.peel_to_commit().is_ok_and(|c| c.id().to_string() == id)
                && let Ok(name) = r.shorthand()
            {
                out.push(name.to_owned());
            }
        }
        out.sort();
        Ok(out)
    }

    /// The newest tag that `rev` reaches (itself included), as
    /// `git describe --tags --abbrev=0` finds it.
    pub fn nearest_tag(&self, rev: &str) -> Result<Option<String>> {
        let Ok(obj) = self.repo.revparse_single(rev) else {
            return Ok(None);
        };
        let mut opts = git2::DescribeOptions::new();
        opts.describe_tags();
        let described = match obj.describe(&opts) {
            Ok(d) => d,
            // No tag at all: libgit2 says so as a describe error.
            Err(e)
                if e.code() == ErrorCode::NotFound || e.class() == git2::ErrorClass::Describe =>
            {
                return Ok(None);
            }
            Err(e) => return Err(e.into()),
        };
        let mut format = git2::DescribeFormatOptions::new();
        format.abbreviated_size(0);
        Ok(Some(described.format(Some(&format))?))
    }

    /// The first `n` commits that `rev` reaches (itself included, newest
    /// first, as `git log` walks) carrying a tag that `keep` accepts, each
    /// with that tag (the last by name when several are kept). What
    /// `nearest_tag` does, for tags chosen by a rule.
    pub fn nearest_tags(
        &self,
        rev: &str,
        n: usize,
        keep: impl Fn(&str) -> bool,
    ) -> Result<Vec<(String, String)>> {
        let Ok(start) = self
            .repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
        else {
            return Ok(Vec::new());
        };
        let mut tagged: std::collections::HashMap<Oid, String> = Default::default();
        for r in self.repo.references_glob("refs/tags/*")? {
            let r = r?;
            let (Ok(name), Ok(commit)) = (r.shorthand(), r.peel_to_commit()) else {
                continue;
            };
            if !keep(name) {
                continue;
            }
            let slot = tagged.entry(commit.id()).or_default();
            if name > slot.as_str() {
                *slot = name.to_owned();
            }
        }
        let mut out = Vec::new();
        if tagged.is_empty() || n == 0 {
            return Ok(out);
        }
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)?;
        walk.push(start.id())?;
        for id in walk {
            let id = id?;
            if let Some(tag) = tagged.remove(&id) {
                out.push((id.to_string(), tag));
                if out.len() == n {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// Whether `name` is a tag.
    pub fn is_tag(&self, name: &str) -> bool {
        self.repo
            .find_reference(&format!("refs/tags/{name}"))
            .is_ok()
    }

    /// The full id of a commit of the user's repository.
    pub fn resolve_commit(&self, rev: &str) -> Result<String> {
        let obj = self
            .repo
            .revparse_single(rev)
            .map_err(|_| StoreError::UnknownCommit(rev.to_owned()))?;
        let commit = obj
            .peel_to_commit()
            .map_err(|_| StoreError::UnknownCommit(rev.to_owned()))?;
        Ok(commit.id().to_string())
    }

    /// A commit of the user's repository, when this clone has it.
    pub fn commit_info(&self, id: &str) -> Option<CommitInfo> {
        let oid = Oid::from_str(id).ok()?;
        let c = self.repo.find_commit(oid).ok()?;
        Some(CommitInfo {
            id: c.id().to_string(),
            summary: c.summary().ok().flatten().unwrap_or_default().to_owned(),
            author: c.author().name().unwrap_or_default().to_owned(),
            time: Timestamp::from_second(c.time().seconds()).ok()?,
        })
    }
}

impl Store {
    /// `given` (as a user typed it in `cwd`) as a path from the top of the
    /// working tree, `/`-separated; `None` when it is outside the working
    /// tree or the repository has none.
    pub fn repo_path(&self, cwd: &std::path::Path, given: &str) -> Option<String> {
        let top = std::fs::canonicalize(self.repo.workdir()?).ok()?;
        let cwd = std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf());
        let joined = cwd.join(given);
        // Normalize without touching the disk: the path may be gone from
        // the working tree and still be in history.
        let mut parts: Vec<std::ffi::OsString> = Vec::new();
        for c in joined.components() {
            match c {
                std::path::Component::ParentDir => {
                    parts.pop();
                }
                std::path::Component::Normal(p) => parts.push(p.to_owned()),
                _ => {}
            }
        }
        let mut full = PathBuf::from("/");
        full.extend(parts);
        let rel = full.strip_prefix(&top).ok()?;
        Some(
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/"),
        )
    }

    /// Whether a file or folder is at `path` in HEAD's tree or in the
    /// working tree.
    pub fn has_path(&self, path: &str) -> bool {
        if path.is_empty() {
            return false;
        }
        let in_head = self
            .repo
            .head()
            .and_then(|h| h.peel_to_tree())
            .is_ok_and(|t| t.get_path(std::path::Path::new(path)).is_ok());
        in_head || self.repo.workdir().is_some_and(|w| w.join(path).exists())
    }

    /// The id of what is at `path` (a file or folder) in a commit's tree.
    fn entry_at(&self, commit: &git2::Commit<'_>, path: &str) -> Option<Oid> {
        commit
            .tree()
            .ok()?
            .get_path(std::path::Path::new(path))
            .ok()
            .map(|e| e.id())
    }

    /// Whether commit `id` changed the file or anything under the folder at
    /// `path`, against its first parent (a root commit: whether it added
    /// it). `false` for a commit this clone does not have.
    pub fn touched(&self, id: &str, path: &str) -> bool {
        let Ok(oid) = Oid::from_str(id) else {
            return false;
        };
        let Ok(commit) = self.repo.find_commit(oid) else {
            return false;
        };
        let now = self.entry_at(&commit, path);
        let before = commit.parent(0).ok().and_then(|p| self.entry_at(&p, path));
        now != before
    }

    /// The commits reachable from HEAD that changed `path` (a file or a
    /// folder), newest first, as `git log -- PATH` lists them (a merge when
    /// it differs from every parent).
    pub fn path_history(&self, path: &str) -> Result<Vec<CommitInfo>> {
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)?;
        match self.repo.head().and_then(|h| h.peel_to_commit()) {
            Ok(c) => walk.push(c.id())?,
            Err(_) => return Ok(Vec::new()),
        }
        let mut out = Vec::new();
        for oid in walk {
            let commit = self.repo.find_commit(oid?)?;
            let now = self.entry_at(&commit, path);
            let changed = if commit.parent_count() == 0 {
                now.is_some()
            } else {
                commit.parents().all(|p| self.entry_at(&p, path) != now)
            };
            if changed {
                out.push(CommitInfo {
                    id: commit.id().to_string(),
                    summary: commit
                        .summary()
                        .ok()
                        .flatten()
                        .unwrap_or_default()
                        .to_owned(),
                    author: commit.author().name().unwrap_or_default().to_owned(),
                    time: Timestamp::from_second(commit.time().seconds())
                        .unwrap_or(Timestamp::UNIX_EPOCH),
                });
            }
        }
        Ok(out)
    }
}

impl Store {
    /// `path` as HEAD's tree spells it, matched without regard to case.
    pub fn path_as_spelled(&self, path: &str) -> Option<String> {
        let mut tree = self.repo.head().ok()?.peel_to_tree().ok()?;
        let mut out = Vec::new();
        let parts: Vec<&str> = path.split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            let (name, id) = tree
                .iter()
                .find(|e| e.name().is_ok_and(|n| n.eq_ignore_ascii_case(part)))
                .and_then(|e| Some((e.name().ok()?.to_owned(), e.id())))?;
            out.push(name);
            if i + 1 < parts.len() {
                tree = self.repo.find_tree(id).ok()?;
            }
        }
        Some(out.join("/"))
    }
}
