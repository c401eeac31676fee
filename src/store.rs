//! The issues branch, read and written with git2 and nothing else.
//!
//! Every change is one commit built from trees in memory: blobs are written,
//! the branch tip's tree is updated path by path, a commit is made on the tip,
//! and the ref moves by compare-and-swap. When another writer moved the ref
//! first, the change is rebuilt on the new tip and tried again. HEAD, the
//! index and the working tree of the user's checkout are never read or
//! written. Objects are written before the ref moves, so a process killed at
//! any instant leaves the branch at the old tip or the new one.
//!
//! This module knows paths and bytes, not issues.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use git2::{ErrorCode, ObjectType, Oid, Repository, Signature, Time, TreeWalkMode, TreeWalkResult};
use jiff::Timestamp;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not in a git repository (or any parent up to the root): {0}")]
    NotARepository(PathBuf),
    #[error(
        "the issues branch is locked by {lock}; another git-issue may be writing, or one was killed: remove the file if no git process is running"
    )]
    Locked { lock: PathBuf },
    #[error("gave up after {0} attempts: other writers kept moving the issues branch")]
    TooManyRetries(usize),
    #[error("no commit {0:?} in this repository")]
    UnknownCommit(String),
    #[error(
        "git does not know who you are; set it with: git config --global user.name \"Your Name\" and git config --global user.email you@example.com"
    )]
    NoIdentity,
    #[error("{path} is not UTF-8 text")]
    NotText { path: String },
    #[error("the issues branch ref {refname} does not point at a commit")]
    BadRef { refname: String },
    #[error("{0}")]
    Git(#[from] git2::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// One change to a file on the branch.
#[derive(Debug, Clone)]
pub enum Edit {
    Write {
        path: String,
        content: Vec<u8>,
    },
    /// Removes a file or a whole folder.
    Remove {
        path: String,
    },
}

/// What one commit on the branch does.
#[derive(Debug, Clone)]
pub struct Change {
    pub message: String,
    pub edits: Vec<Edit>,
}

/// A commit of the branch's history that touched some path.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    pub commit: String,
    pub author: String,
    pub email: String,
    pub time: Timestamp,
    pub message: String,
}

/// A commit of the user's repository, as shown beside an issue.
#[derive(Debug, Clone)]
pub struct CommitInfo {
    pub id: String,
    pub summary: String,
    pub author: String,
    pub time: Timestamp,
}

/// An entry of a folder on the branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub is_dir: bool,
}

pub struct Store {
    repo: Repository,
    refname: String,
}

/// The branch as it was at one commit.
pub struct Snapshot<'r> {
    repo: &'r Repository,
    commit: Option<git2::Commit<'r>>,
    tree: Option<git2::Tree<'r>>,
    /// Folders already looked up. libgit2 does not cache trees larger than
    /// 4 KiB (a bucket of a thousand issues is ~70 KiB), so without this every
    /// read of a file in a bucket would inflate the bucket's tree again.
    folders: std::cell::RefCell<std::collections::HashMap<String, Option<git2::Tree<'r>>>>,
}

const MAX_ATTEMPTS: usize = 200;
/// How long we wait for a ref lock before giving up.
const LOCK_PATIENCE: Duration = Duration::from_secs(10);
/// A ref lock is held for the microseconds it takes to write 41 bytes and
/// rename them; one this old was left by a process that was killed.
const STALE_LOCK: Duration = Duration::from_secs(3);

impl Store {
    /// Opens the repository that contains `dir`, honouring `GIT_DIR` and the
    /// other variables git sets for the commands it runs.
    pub fn discover(dir: &Path) -> Result<Store> {
        let repo = if std::env::var_os("GIT_DIR").is_some() {
            Repository::open_from_env()
        } else {
            Repository::discover(dir)
        }
        .map_err(|e| match e.code() {
            ErrorCode::NotFound => StoreError::NotARepository(dir.to_path_buf()),
            _ => StoreError::Git(e),
        })?;
        // git itself does not re-hash objects it reads; libgit2 does by
        // default, which doubles the cost of reading thousands of issues.
        git2::opts::strict_hash_verification(false);
        let branch = repo
            .config()
            .and_then(|c| c.get_string("issue.branch"))
            .unwrap_or_else(|_| "issues".to_owned());
        Ok(Store {
            repo,
            refname: format!("refs/heads/{branch}"),
        })
    }

    /// `refs/heads/issues`, or what `issue.branch` names.
    pub fn refname(&self) -> &str {
        &self.refname
    }

    pub fn branch_name(&self) -> &str {
        self.refname.trim_start_matches("refs/heads/")
    }

    /// The folder git keeps its own files in, shared by all worktrees.
    pub fn common_dir(&self) -> &Path {
        self.repo.commondir()
    }

    /// A name for the repository: its folder, without a `.git` ending.
    pub fn repository_name(&self) -> String {
        let dir = match self.repo.workdir() {
            Some(w) => w.to_path_buf(),
            None => self.repo.path().to_path_buf(),
        };
        let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        name.strip_suffix(".git").unwrap_or(&name).to_owned()
    }

    /// A setting of the repository's git config (local, global, system).
    pub fn config_string(&self, name: &str) -> Option<String> {
        self.repo.config().ok()?.get_string(name).ok()
    }

    /// The tip of the issues branch, if there is one.
    pub fn tip(&self) -> Result<Option<Oid>> {
        match self.repo.find_reference(&self.refname) {
            Ok(r) => match r.target() {
                Some(oid) => Ok(Some(oid)),
                None => Err(StoreError::BadRef {
                    refname: self.refname.clone(),
                }),
            },
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The branch as it is now.
    pub fn snapshot(&self) -> Result<Snapshot<'_>> {
        let tip = self.tip()?;
        self.snapshot_at(tip)
    }

    fn snapshot_at(&self, tip: Option<Oid>) -> Result<Snapshot<'_>> {
        let commit = tip.map(|oid| self.repo.find_commit(oid)).transpose()?;
        let tree = commit.as_ref().map(|c| c.tree()).transpose()?;
        Ok(Snapshot {
            repo: &self.repo,
            commit,
            tree,
            folders: Default::default(),
        })
    }

    /// Makes one commit on the branch. `build` looks at the branch as it is
    /// and says what to change (or `None` for nothing); it runs again on the
    /// new tip whenever another writer got there first, so it must decide
    /// from the snapshot alone.
    pub fn commit<E>(
        &self,
        mut build: impl FnMut(&Snapshot<'_>) -> Result<Option<Change>, E>,
    ) -> Result<Option<String>, E>
    where
        E: From<StoreError>,
    {
        let mut locked_since: Option<Instant> = None;
        for attempt in 0..MAX_ATTEMPTS {
            let snapshot = self.snapshot()?;
            let Some(change) = build(&snapshot)? else {
                return Ok(None);
            };
            let parent = snapshot.commit.as_ref().map(|c| c.id());
            let tree = self.write_tree(snapshot.tree.as_ref(), &change.edits)?;
            let oid = self.write_commit(&change.message, tree, parent)?;
            let moved = match parent {
                Some(old) => self.repo.reference_matching(
                    &self.refname,
                    oid,
                    true,
                    old,
                    &format!("git-issue: {}", first_line(&change.message)),
                ),
                None => self.repo.reference(
                    &self.refname,
                    oid,
                    false,
                    &format!("git-issue: {}", first_line(&change.message)),
                ),
            };
            match moved {
                Ok(_) => return Ok(Some(oid.to_string())),
                Err(e) if e.code() == ErrorCode::Locked => {
                    if self.remove_stale_lock() {
                        locked_since = None;
                        continue;
                    }
                    let since = *locked_since.get_or_insert_with(Instant::now);
                    if since.elapsed() > LOCK_PATIENCE {
                        return Err(StoreError::Locked {
                            lock: self.lock_path(),
                        }
                        .into());
                    }
                }
                Err(e) if matches!(e.code(), ErrorCode::Modified | ErrorCode::Exists) => {
                    locked_since = None;
                }
                Err(e) => return Err(StoreError::Git(e).into()),
            }
            backoff(attempt);
        }
        Err(StoreError::TooManyRetries(MAX_ATTEMPTS).into())
    }

    fn lock_path(&self) -> PathBuf {
        self.repo.commondir().join(format!("{}.lock", self.refname))
    }

    /// Removes the branch's ref lock when it is older than any live writer
    /// holds one: what a writer killed at the wrong instant leaves behind.
    /// git asks a person to delete such a file; for the issues branch, which
    /// only we write, waiting that long is proof enough.
    fn remove_stale_lock(&self) -> bool {
        let lock = self.lock_path();
        let stale = std::fs::metadata(&lock)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > STALE_LOCK));
        stale && std::fs::remove_file(&lock).is_ok()
    }

    fn write_tree(&self, base: Option<&git2::Tree<'_>>, edits: &[Edit]) -> Result<Oid> {
        let empty;
        let base = match base {
            Some(t) => t,
            None => {
                let oid = self.repo.treebuilder(None)?.write()?;
                empty = self.repo.find_tree(oid)?;
                &empty
            }
        };
        let mut update = git2::build::TreeUpdateBuilder::new();
        for edit in edits {
            match edit {
                Edit::Write { path, content } => {
                    let blob = self.repo.blob(content)?;
                    update.upsert(path.as_str(), blob, git2::FileMode::Blob);
                }
                Edit::Remove { path } => {
                    update.remove(path.as_str());
                }
            }
        }
        Ok(update.create_updated(&self.repo, base)?)
    }

    fn write_commit(&self, message: &str, tree: Oid, parent: Option<Oid>) -> Result<Oid> {
        let tree = self.repo.find_tree(tree)?;
        let author = self.signature(Role::Author)?;
        let committer = self.signature(Role::Committer)?;
        let parent = parent.map(|p| self.repo.find_commit(p)).transpose()?;
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        let mut message = message.trim_end().to_owned();
        message.push('\n');
        Ok(self
            .repo
            .commit(None, &author, &committer, &message, &tree, &parents)?)
    }

    /// The user's identity as git would use it: `GIT_AUTHOR_NAME` and friends
    /// first, then `user.name` and `user.email`.
    fn signature(&self, role: Role) -> Result<Signature<'static>> {
        let (name_var, email_var, date_var) = role.vars();
        let config = self.repo.config()?;
        let name = std::env::var(name_var)
            .ok()
            .or_else(|| config.get_string("user.name").ok())
            .ok_or(StoreError::NoIdentity)?;
        let email = std::env::var(email_var)
            .ok()
            .or_else(|| config.get_string("user.email").ok())
            .ok_or(StoreError::NoIdentity)?;
        let (secs, offset) = std::env::var(date_var)
            .ok()
            .and_then(|d| parse_git_date(&d))
            .unwrap_or_else(|| (Timestamp::now().as_second(), 0));
        Ok(Signature::new(&name, &email, &Time::new(secs, offset))?)
    }

    /// `Name <email>` of the user, for `reporter` and comment authors.
    pub fn user(&self) -> Result<String> {
        let sig = self.signature(Role::Author)?;
        Ok(format!(
            "{} <{}>",
            sig.name().unwrap_or_default(),
            sig.email().unwrap_or_default()
        ))
    }

    /// The time of the change being made: the committer date git would use,
    /// so `GIT_COMMITTER_DATE` fixes it as it fixes the commit's.
    pub fn now(&self) -> Timestamp {
        std::env::var("GIT_COMMITTER_DATE")
            .ok()
            .and_then(|d| parse_git_date(&d))
            .and_then(|(secs, _)| Timestamp::from_second(secs).ok())
            .unwrap_or_else(|| {
                Timestamp::from_second(Timestamp::now().as_second())
                    .unwrap_or(Timestamp::UNIX_EPOCH)
            })
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

    /// The paths under `prefix` (`""` for everything) whose entries differ
    /// between two trees of the branch (added, changed or removed; a missing
    /// tree is an empty one). A folder whose id is the same on both sides is
    /// not opened, so the cost follows what changed, not the size of the
    /// tracker. Changed folders are named, not descended into, below `depth`
    /// levels under `prefix`.
    pub fn changed_paths(
        &self,
        old_tree: Option<&str>,
        new_tree: Option<&str>,
        prefix: &str,
        depth: usize,
    ) -> Result<Vec<String>> {
        let root = |id: Option<&str>| -> Result<Option<git2::Tree<'_>>> {
            let Some(id) = id else {
                return Ok(None);
            };
            let tree = self.repo.find_tree(Oid::from_str(id)?)?;
            if prefix.is_empty() {
                return Ok(Some(tree));
            }
            match tree.get_path(Path::new(prefix)) {
                Ok(e) if e.kind() == Some(ObjectType::Tree) => {
                    Ok(Some(self.repo.find_tree(e.id())?))
                }
                _ => Ok(None),
            }
        };
        let mut out = Vec::new();
        self.diff_trees(root(old_tree)?, root(new_tree)?, prefix, depth, &mut out)?;
        Ok(out)
    }

    fn diff_trees(
        &self,
        old: Option<git2::Tree<'_>>,
        new: Option<git2::Tree<'_>>,
        dir: &str,
        depth: usize,
        out: &mut Vec<String>,
    ) -> Result<()> {
        let entries = |t: &Option<git2::Tree<'_>>| -> Vec<(String, Oid, bool)> {
            t.iter()
                .flat_map(|t| t.iter())
                .map(|e| {
                    (
                        e.name().unwrap_or_default().to_owned(),
                        e.id(),
                        e.kind() == Some(ObjectType::Tree),
                    )
                })
                .collect()
        };
        let (a, b) = (entries(&old), entries(&new));
        let by_name = |v: &[(String, Oid, bool)]| -> std::collections::HashMap<String, usize> {
            v.iter()
                .enumerate()
                .map(|(i, e)| (e.0.clone(), i))
                .collect()
        };
        let (ia, ib) = (by_name(&a), by_name(&b));
        let mut names: Vec<&String> = a.iter().chain(&b).map(|(n, _, _)| n).collect();
        names.sort();
        names.dedup();
        for name in names {
            let x = ia.get(name).map(|&i| &a[i]);
            let y = ib.get(name).map(|&i| &b[i]);
            if x.map(|e| e.1) == y.map(|e| e.1) {
                continue;
            }
            let path = if dir.is_empty() {
                name.clone()
            } else {
                format!("{dir}/{name}")
            };
            let is_dir = |e: Option<&(String, Oid, bool)>| e.is_some_and(|e| e.2);
            let is_file = |e: Option<&(String, Oid, bool)>| e.is_some_and(|e| !e.2);
            if depth > 0 && (is_dir(x) || is_dir(y)) {
                // A file replaced by a folder (or back) changed too.
                if is_file(x) || is_file(y) {
                    out.push(path.clone());
                }
                let tree = |e: Option<&(String, Oid, bool)>| -> Result<Option<git2::Tree<'_>>> {
                    match e {
                        Some((_, id, true)) => Ok(Some(self.repo.find_tree(*id)?)),
                        _ => Ok(None),
                    }
                };
                self.diff_trees(tree(x)?, tree(y)?, &path, depth - 1, out)?;
            } else {
                out.push(path);
            }
        }
        Ok(())
    }

    /// Whether `tree` is a tree object this repository has.
    pub fn has_tree(&self, tree: &str) -> bool {
        Oid::from_str(tree).is_ok_and(|oid| self.repo.find_tree(oid).is_ok())
    }

    /// The commits of the branch that changed anything under `paths`,
    /// newest first.
    pub fn history(&self, paths: &[String]) -> Result<Vec<HistoryEntry>> {
        let Some(tip) = self.tip()? else {
            return Ok(Vec::new());
        };
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)?;
        walk.push(tip)?;
        let mut out = Vec::new();
        for oid in walk {
            let commit = self.repo.find_commit(oid?)?;
            let tree = commit.tree()?;
            let ids: Vec<Option<Oid>> = paths.iter().map(|p| entry_id(&tree, p)).collect();
            let changed = if commit.parent_count() == 0 {
                ids.iter().any(Option::is_some)
            } else {
                commit.parents().all(|parent| {
                    parent.tree().is_ok_and(|pt| {
                        paths
                            .iter()
                            .zip(&ids)
                            .any(|(p, id)| entry_id(&pt, p) != *id)
                    })
                })
            };
            if changed {
                let author = commit.author();
                out.push(HistoryEntry {
                    commit: commit.id().to_string(),
                    author: author.name().unwrap_or_default().to_owned(),
                    email: author.email().unwrap_or_default().to_owned(),
                    time: Timestamp::from_second(author.when().seconds())
                        .unwrap_or(Timestamp::UNIX_EPOCH),
                    message: commit.message().unwrap_or_default().trim_end().to_owned(),
                });
            }
        }
        Ok(out)
    }
}

fn entry_id(tree: &git2::Tree<'_>, path: &str) -> Option<Oid> {
    tree.get_path(Path::new(path)).ok().map(|e| e.id())
}

impl<'r> Snapshot<'r> {
    /// The commit this snapshot is, `None` before the branch exists.
    pub fn commit_id(&self) -> Option<String> {
        self.commit.as_ref().map(|c| c.id().to_string())
    }

    pub fn exists(&self) -> bool {
        self.tree.is_some()
    }

    /// The id of the branch's tree at this commit.
    pub fn tree_id(&self) -> Option<String> {
        self.tree.as_ref().map(|t| t.id().to_string())
    }

    /// The object id of the file or folder at `path`: equal ids, equal
    /// content.
    pub fn object_id(&self, path: &str) -> Option<String> {
        let tree = self.tree.as_ref()?;
        tree.get_path(Path::new(path))
            .ok()
            .map(|e| e.id().to_string())
    }

    /// The tree of a folder (`""` for the root), `None` when there is none.
    fn tree_at(&self, dir: &str) -> Result<Option<git2::Tree<'r>>> {
        let Some(root) = &self.tree else {
            return Ok(None);
        };
        if dir.is_empty() {
            return Ok(Some(root.clone()));
        }
        if let Some(t) = self.folders.borrow().get(dir) {
            return Ok(t.clone());
        }
        let (parent, name) = dir.rsplit_once('/').unwrap_or(("", dir));
        let tree = match self.tree_at(parent)? {
            None => None,
            Some(p) => match p.get_name(name) {
                Some(e) if e.kind() == Some(ObjectType::Tree) => Some(self.repo.find_tree(e.id())?),
                _ => None,
            },
        };
        self.folders
            .borrow_mut()
            .insert(dir.to_owned(), tree.clone());
        Ok(tree)
    }

    /// The id and kind of the entry at `path`.
    fn entry(&self, path: &str) -> Result<Option<(Oid, Option<ObjectType>)>> {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        Ok(self
            .tree_at(dir)?
            .and_then(|t| t.get_name(name).map(|e| (e.id(), e.kind()))))
    }

    /// A file's text, `None` when there is no such file.
    pub fn read(&self, path: &str) -> Result<Option<String>> {
        let Some((id, kind)) = self.entry(path)? else {
            return Ok(None);
        };
        if kind != Some(ObjectType::Blob) {
            return Ok(None);
        }
        let blob = self.repo.find_blob(id)?;
        String::from_utf8(blob.content().to_vec())
            .map(Some)
            .map_err(|_| StoreError::NotText {
                path: path.to_owned(),
            })
    }

    /// Whether a file or folder is at `path`.
    pub fn contains(&self, path: &str) -> bool {
        self.entry(path).is_ok_and(|e| e.is_some())
    }

    /// The entries of a folder, in git's order; empty when there is none.
    pub fn list(&self, dir: &str) -> Result<Vec<Entry>> {
        Ok(self
            .tree_at(dir)?
            .map(|tree| {
                tree.iter()
                    .map(|e| Entry {
                        name: e.name().unwrap_or_default().to_owned(),
                        is_dir: e.kind() == Some(ObjectType::Tree),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Every file path on the branch, for checks over the whole tree.
    pub fn all_files(&self) -> Result<Vec<String>> {
        let Some(tree) = &self.tree else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() == Some(ObjectType::Blob) {
                out.push(format!("{dir}{}", entry.name().unwrap_or_default()));
            }
            TreeWalkResult::Ok
        })?;
        Ok(out)
    }
}

#[derive(Clone, Copy)]
enum Role {
    Author,
    Committer,
}

impl Role {
    fn vars(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Role::Author => ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_AUTHOR_DATE"),
            Role::Committer => (
                "GIT_COMMITTER_NAME",
                "GIT_COMMITTER_EMAIL",
                "GIT_COMMITTER_DATE",
            ),
        }
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or_default()
}

/// Spreads retries out so writers that collided do not collide again.
fn backoff(attempt: usize) {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() as u64);
    let base = 1u64 << attempt.min(5);
    std::thread::sleep(Duration::from_millis(base + nanos % (base * 4 + 1)));
}

/// The date forms git takes in `GIT_AUTHOR_DATE`: `@1700000000 +0100`,
/// `1700000000 +0100`, RFC 3339 and RFC 2822. Returns seconds and the offset
/// in minutes.
pub fn parse_git_date(s: &str) -> Option<(i64, i32)> {
    let s = s.trim();
    let raw = s.strip_prefix('@').unwrap_or(s);
    let mut parts = raw.split_whitespace();
    if let Some(Ok(secs)) = parts.next().map(str::parse::<i64>) {
        let offset = parts.next().map_or(Some(0), parse_offset)?;
        return Some((secs, offset));
    }
    if let Ok(zoned) = s.parse::<jiff::Zoned>() {
        return Some((zoned.timestamp().as_second(), zoned.offset().seconds() / 60));
    }
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Some((ts.as_second(), 0));
    }
    if let Ok(zoned) = jiff::fmt::rfc2822::parse(s) {
        return Some((zoned.timestamp().as_second(), zoned.offset().seconds() / 60));
    }
    None
}

fn parse_offset(s: &str) -> Option<i32> {
    let (sign, digits) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => (1, s),
    };
    if digits.len() != 4 {
        return None;
    }
    let h: i32 = digits[..2].parse().ok()?;
    let m: i32 = digits[2..].parse().ok()?;
    Some(sign * (h * 60 + m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_dates() {
        assert_eq!(parse_git_date("@1700000000 +0130"), Some((1700000000, 90)));
        assert_eq!(parse_git_date("1700000000 -0200"), Some((1700000000, -120)));
        assert_eq!(
            parse_git_date("2026-01-02T03:04:05Z"),
            Some((1767323045, 0))
        );
        assert_eq!(parse_git_date("yesterday"), None);
    }
}

/// What `git push` said about the issues branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    /// The remote now holds our tip (or already did).
    Pushed,
    /// Someone pushed meanwhile (or held the remote's lock): fetch, merge and
    /// try again.
    Behind(String),
}

#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("there is no git remote named {0:?}")]
    NoSuchRemote(String),
    #[error("could not run git: {0}")]
    Spawn(#[from] std::io::Error),
    #[error("git fetch from {remote} failed: {message}")]
    Fetch { remote: String, message: String },
    #[error("git push to {remote} failed: {message}")]
    Push { remote: String, message: String },
}

/// Sync: the remote's copy of the branch, merge bases, merge commits and a
/// compare-and-swap of the branch to a commit made elsewhere. The transport
/// is the user's own `git` binary, so their credentials, ssh config and
/// proxies apply; the rest is git2.
impl Store {
    /// `refs/remotes/<remote>/issues`: where a fetch leaves the remote's branch.
    pub fn tracking_refname(&self, remote: &str) -> String {
        format!("refs/remotes/{remote}/{}", self.branch_name())
    }

    pub fn has_remote(&self, remote: &str) -> bool {
        self.config_string(&format!("remote.{remote}.url"))
            .is_some()
    }

    /// The names of the configured remotes, `origin` first.
    pub fn remotes(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .repo
            .remotes()
            .map(|r| {
                (0..r.len())
                    .filter_map(|i| r.get(i).ok().flatten().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        names.sort_by_key(|n| (n != "origin", n.clone()));
        names
    }

    /// Where a ref points, `None` when there is no such ref.
    pub fn ref_target(&self, refname: &str) -> Result<Option<String>> {
        match self.repo.find_reference(refname) {
            Ok(r) => Ok(Some(r.peel_to_commit()?.id().to_string())),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    fn git(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new("git");
        // Our own output parsing needs git's words, not a translation.
        cmd.env("LC_ALL", "C")
            .arg("-c")
            .arg("core.fsmonitor=false")
            .arg("--git-dir")
            .arg(self.repo.path())
            .stdin(std::process::Stdio::null());
        cmd
    }

    /// Fetches the remote's issues branch into its remote-tracking ref and
    /// returns its tip; `None` when the remote has no such branch.
    pub fn fetch_branch(&self, remote: &str) -> Result<Option<String>, TransportError> {
        if !self.has_remote(remote) {
            return Err(TransportError::NoSuchRemote(remote.to_owned()));
        }
        let tracking = self.tracking_refname(remote);
        let out = self
            .git()
            .args(["fetch", "--quiet", "--no-tags", "--no-write-fetch-head"])
            .arg(remote)
            .arg(format!("+{}:{tracking}", self.refname))
            .output()?;
        if !out.status.success() {
            let message = String::from_utf8_lossy(&out.stderr).trim().to_owned();
            if message.contains("couldn't find remote ref") {
                return Ok(None);
            }
            return Err(TransportError::Fetch {
                remote: remote.to_owned(),
                message,
            });
        }
        self.ref_target(&tracking)
            .map_err(|e| TransportError::Fetch {
                remote: remote.to_owned(),
                message: e.to_string(),
            })
    }

    /// Pushes the issues branch to the same name on the remote, never forced.
    pub fn push_branch(&self, remote: &str) -> Result<PushOutcome, TransportError> {
        let spec = format!("{0}:{0}", self.refname);
        let out = self
            .git()
            .args(["push", "--porcelain", "--quiet"])
            .arg(remote)
            .arg(&spec)
            .output()?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        // Porcelain: `<flag>\t<from>:<to>\t<summary>`; `!` is a rejection.
        let line = stdout
            .lines()
            .find(|l| l.split('\t').nth(1) == Some(spec.as_str()));
        if let Some(line) = line {
            let mut parts = line.split('\t');
            let flag = parts.next().unwrap_or_default();
            let summary = parts.nth(1).unwrap_or_default().to_owned();
            if flag != "!" {
                return Ok(PushOutcome::Pushed);
            }
            let retry = [
                "fetch first",
                "non-fast-forward",
                "stale info",
                "lock",
                "failed to update ref",
            ];
            if retry.iter().any(|r| summary.contains(r)) {
                return Ok(PushOutcome::Behind(summary));
            }
            return Err(TransportError::Push {
                remote: remote.to_owned(),
                message: format!("{summary} {}", String::from_utf8_lossy(&out.stderr).trim())
                    .trim()
                    .to_owned(),
            });
        }
        if out.status.success() {
            return Ok(PushOutcome::Pushed);
        }
        Err(TransportError::Push {
            remote: remote.to_owned(),
            message: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        })
    }

    /// The best common ancestor of two commits, `None` for unrelated ones.
    pub fn merge_base(&self, a: &str, b: &str) -> Result<Option<String>> {
        match self.repo.merge_base(Oid::from_str(a)?, Oid::from_str(b)?) {
            Ok(oid) => Ok(Some(oid.to_string())),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether `ancestor` is `descendant` or one of its ancestors.
    pub fn is_ancestor(&self, ancestor: &str, descendant: &str) -> Result<bool> {
        let (a, d) = (Oid::from_str(ancestor)?, Oid::from_str(descendant)?);
        Ok(a == d || self.repo.graph_descendant_of(d, a)?)
    }

    /// The branch as it was at a commit; `None` is the empty branch.
    pub fn snapshot_of(&self, commit: Option<&str>) -> Result<Snapshot<'_>> {
        let oid = commit.map(Oid::from_str).transpose()?;
        self.snapshot_at(oid)
    }

    /// The files that differ between two commits of the branch (every file of
    /// `to` when `from` is `None`). Only the subtrees that differ are read, so
    /// the cost follows the size of the change, not of the tracker.
    pub fn changed_files(&self, from: Option<&str>, to: Option<&str>) -> Result<Vec<String>> {
        let tree = |c: Option<&str>| -> Result<Option<String>> {
            c.map(|c| {
                Ok(self
                    .repo
                    .find_commit(Oid::from_str(c)?)?
                    .tree_id()
                    .to_string())
            })
            .transpose()
        };
        self.changed_paths(tree(from)?.as_deref(), tree(to)?.as_deref(), "", usize::MAX)
    }

    /// Writes a merge commit: the tree of `ours` with `edits` applied, with
    /// `ours` and `theirs` as parents. The branch does not move.
    pub fn write_merge(
        &self,
        ours: &str,
        theirs: &str,
        message: &str,
        edits: &[Edit],
    ) -> Result<String> {
        let ours = self.repo.find_commit(Oid::from_str(ours)?)?;
        let theirs = self.repo.find_commit(Oid::from_str(theirs)?)?;
        let tree = self.write_tree(Some(&ours.tree()?), edits)?;
        let tree = self.repo.find_tree(tree)?;
        let author = self.signature(Role::Author)?;
        let committer = self.signature(Role::Committer)?;
        let mut message = message.trim_end().to_owned();
        message.push('\n');
        Ok(self
            .repo
            .commit(
                None,
                &author,
                &committer,
                &message,
                &tree,
                &[&ours, &theirs],
            )?
            .to_string())
    }

    /// Moves the branch to `new` if it is still at `expected` (`None`: if it
    /// does not exist yet). `false` when another writer moved it first.
    pub fn move_tip(&self, expected: Option<&str>, new: &str, why: &str) -> Result<bool> {
        let new = Oid::from_str(new)?;
        let log = format!("git-issue: {why}");
        let started = Instant::now();
        loop {
            let moved = match expected {
                Some(old) => self.repo.reference_matching(
                    &self.refname,
                    new,
                    true,
                    Oid::from_str(old)?,
                    &log,
                ),
                None => self.repo.reference(&self.refname, new, false, &log),
            };
            match moved {
                Ok(_) => return Ok(true),
                Err(e) if e.code() == ErrorCode::Locked => {
                    if self.remove_stale_lock() {
                        continue;
                    }
                    if started.elapsed() > LOCK_PATIENCE {
                        return Err(StoreError::Locked {
                            lock: self.lock_path(),
                        });
                    }
                    backoff(0);
                }
                Err(e) if matches!(e.code(), ErrorCode::Modified | ErrorCode::Exists) => {
                    return Ok(false);
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Sets a value in the repository's own config (`.git/config`).
    pub fn set_local_config(&self, name: &str, value: &str) -> Result<()> {
        let mut config = self.repo.config()?.open_level(git2::ConfigLevel::Local)?;
        config.set_str(name, value)?;
        Ok(())
    }
}

impl Snapshot<'_> {
    /// A file's bytes, `None` when there is no such file.
    pub fn read_bytes(&self, path: &str) -> Result<Option<Vec<u8>>> {
        match self.entry(path)? {
            Some((id, Some(ObjectType::Blob))) => {
                Ok(Some(self.repo.find_blob(id)?.content().to_vec()))
            }
            _ => Ok(None),
        }
    }

    /// Every file under a folder, with its path relative to the folder.
    pub fn files_under(&self, dir: &str) -> Result<Vec<(String, Vec<u8>)>> {
        let Some(tree) = self.tree_at(dir)? else {
            return Ok(Vec::new());
        };
        let mut ids = Vec::new();
        tree.walk(TreeWalkMode::PreOrder, |parent, entry| {
            if entry.kind() == Some(ObjectType::Blob) {
                ids.push((
                    format!("{parent}{}", entry.name().unwrap_or_default()),
                    entry.id(),
                ));
            }
            TreeWalkResult::Ok
        })?;
        ids.into_iter()
            .map(|(p, id)| Ok((p, self.repo.find_blob(id)?.content().to_vec())))
            .collect()
    }
}

/// A commit of the user's repository and what its message says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitMessage {
    pub id: String,
    pub message: String,
}

// The user's own history, as hooks, `scan` and release notes read it. Like
// the rest of this module, nothing here writes to HEAD, the index or the
// working tree.
impl Store {
    /// The folder git runs hooks from: `core.hooksPath` when set (relative to
    /// the top of the working tree, as git takes it), else the `hooks` folder
    /// of the common git dir, which every worktree of the repository shares.
    pub fn hooks_dir(&self) -> PathBuf {
        match self
            .repo
            .config()
            .and_then(|c| c.get_path("core.hooksPath"))
        {
            Ok(p) if p.is_absolute() => p,
            Ok(p) => self.repo.workdir().unwrap_or(self.repo.path()).join(p),
            Err(_) => self.repo.commondir().join("hooks"),
        }
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

    /// Whether `name` is a tag.
    pub fn is_tag(&self, name: &str) -> bool {
        self.repo
            .find_reference(&format!("refs/tags/{name}"))
            .is_ok()
    }
}

/// A commit of the branch with the paths it changed, for the site export's
/// single pass over the history of every issue at once.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PathsChanged {
    pub commit: String,
    pub author: String,
    pub email: String,
    /// Seconds since the epoch, as the author dated the commit.
    pub time: i64,
    pub message: String,
    pub paths: Vec<String>,
}

// Added for the site export: the history of every issue in one walk, instead
// of one walk of the whole branch per issue (`history`), which is quadratic
// in the size of the tracker.
impl Store {
    /// The commits reachable from `tip` and not from `since`, newest first,
    /// each with the paths under the folder `prefix` it changed. A merge
    /// counts a path when it differs from every parent, as `git log -- path`
    /// does.
    pub fn changes(
        &self,
        tip: &str,
        since: Option<&str>,
        prefix: &str,
    ) -> Result<Vec<PathsChanged>> {
        let tip = Oid::from_str(tip)?;
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)?;
        walk.push(tip)?;
        if let Some(since) = since {
            walk.hide(Oid::from_str(since)?)?;
        }
        let prefix = prefix.trim_end_matches('/');
        let mut memo = TreeMemo {
            repo: &self.repo,
            trees: std::collections::HashMap::new(),
        };
        let mut out = Vec::new();
        for oid in walk {
            let commit = self.repo.find_commit(oid?)?;
            let folder = |c: &git2::Commit<'_>| -> Result<Option<Oid>> {
                Ok(c.tree()?.get_path(Path::new(prefix)).ok().map(|e| e.id()))
            };
            let new = folder(&commit)?;
            let mut paths: Option<Vec<String>> = None;
            let parents: Vec<Option<Oid>> = if commit.parent_count() == 0 {
                vec![None]
            } else {
                commit
                    .parents()
                    .map(|p| folder(&p))
                    .collect::<Result<_>>()?
            };
            for old in parents {
                let mut changed = Vec::new();
                self.tree_changes(old, new, prefix, &mut memo, &mut changed)?;
                paths = Some(match paths {
                    None => changed,
                    Some(before) => before.into_iter().filter(|p| changed.contains(p)).collect(),
                });
            }
            let paths = paths.unwrap_or_default();
            if paths.is_empty() {
                continue;
            }
            let author = commit.author();
            out.push(PathsChanged {
                commit: commit.id().to_string(),
                author: author.name().unwrap_or_default().to_owned(),
                email: author.email().unwrap_or_default().to_owned(),
                time: author.when().seconds(),
                message: commit.message().unwrap_or_default().trim_end().to_owned(),
                paths,
            });
        }
        Ok(out)
    }

    /// The files that differ between two trees, by comparing ids and going
    /// down only into folders whose ids differ: a commit that changed one
    /// issue costs the one bucket it touched, not a diff of the whole tree.
    fn tree_changes(
        &self,
        old: Option<Oid>,
        new: Option<Oid>,
        path: &str,
        memo: &mut TreeMemo<'_>,
        out: &mut Vec<String>,
    ) -> Result<()> {
        use std::cmp::Ordering;
        if old == new {
            return Ok(());
        }
        let a = old.map(|id| memo.get(id)).transpose()?;
        let b = new.map(|id| memo.get(id)).transpose()?;
        let (mut i, mut j) = (0, 0);
        loop {
            let x = a.as_ref().and_then(|t| t.get(i));
            let y = b.as_ref().and_then(|t| t.get(j));
            let order = match (&x, &y) {
                (None, None) => break,
                (Some(x), Some(y)) => sort_key(x).cmp(&sort_key(y)),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
            };
            let (x, y) = match order {
                Ordering::Less => (x, None),
                Ordering::Greater => (None, y),
                Ordering::Equal => (x, y),
            };
            i += usize::from(x.is_some());
            j += usize::from(y.is_some());
            let (xid, yid) = (x.as_ref().map(|e| e.id()), y.as_ref().map(|e| e.id()));
            if xid == yid {
                continue;
            }
            let Some(e) = x.as_ref().or(y.as_ref()) else {
                break;
            };
            let full = format!("{path}/{}", String::from_utf8_lossy(e.name_bytes()));
            if e.kind() == Some(ObjectType::Tree) {
                self.tree_changes(xid, yid, &full, memo, out)?;
            } else {
                out.push(full);
            }
        }
        Ok(())
    }

    /// Whether `ancestor` is `descendant` or one of its ancestors.
    pub fn is_ancestor_or_self(&self, ancestor: &str, descendant: &str) -> bool {
        let (Ok(a), Ok(d)) = (Oid::from_str(ancestor), Oid::from_str(descendant)) else {
            return false;
        };
        a == d || self.repo.graph_descendant_of(d, a).unwrap_or(false)
    }

    /// The files git reads to know where the issues branch is: the loose ref
    /// and `packed-refs`, in the common git folder, for watching.
    pub fn ref_files(&self) -> Vec<PathBuf> {
        let dir = self.repo.commondir();
        vec![dir.join(&self.refname), dir.join("packed-refs")]
    }
}

/// A path of the branch and the bytes of the file there, when asked for.
pub type FileBytes = (String, Option<Vec<u8>>);

// Added for the site export: every file of the branch read in one walk of
// the tree. Reading each path with `read` looks up its folders again every
// time, which on a tracker of 10,000 issues re-reads (and re-hashes) a
// bucket tree of a thousand entries per file.
impl Snapshot<'_> {
    /// Every file under `prefix` (a folder, without a trailing slash), in
    /// tree order, with its bytes when `wanted` says so for its path (an
    /// attachment need not be read to be listed).
    pub fn files_matching(
        &self,
        prefix: &str,
        wanted: impl Fn(&str) -> bool + Sync,
    ) -> Result<Vec<FileBytes>> {
        let Some(tree) = self.tree_at(prefix)? else {
            return Ok(Vec::new());
        };
        let mut ids = Vec::new();
        tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() == Some(ObjectType::Blob) {
                ids.push((
                    format!("{prefix}/{dir}{}", entry.name().unwrap_or_default()),
                    entry.id(),
                ));
            }
            TreeWalkResult::Ok
        })?;
        // Inflating the blobs is most of the cost: spread it over the cores,
        // each with its own handle on the repository (a git2 Repository is
        // not shared between threads).
        use rayon::prelude::*;
        let git_dir = self.repo.path().to_path_buf();
        let chunk = ids
            .len()
            .div_ceil(rayon::current_num_threads().max(1))
            .max(256);
        let parts: Vec<Result<Vec<FileBytes>>> = ids
            .par_chunks(chunk)
            .map(|part| {
                let repo = Repository::open(&git_dir)?;
                part.iter()
                    .map(|(path, id)| {
                        let bytes = if wanted(path) {
                            Some(repo.find_blob(*id)?.content().to_vec())
                        } else {
                            None
                        };
                        Ok((path.clone(), bytes))
                    })
                    .collect()
            })
            .collect();
        let mut out = Vec::with_capacity(ids.len());
        for part in parts {
            out.extend(part?);
        }
        Ok(out)
    }
}

/// Trees read during one history walk. Consecutive commits share most of
/// their trees, and libgit2 does not cache trees larger than 4 KiB (a bucket
/// of a thousand issues is 40 KiB), so the walk keeps the recent ones.
struct TreeMemo<'r> {
    repo: &'r Repository,
    trees: std::collections::HashMap<Oid, std::rc::Rc<git2::Tree<'r>>>,
}

impl<'r> TreeMemo<'r> {
    fn get(&mut self, id: Oid) -> Result<std::rc::Rc<git2::Tree<'r>>> {
        if let Some(t) = self.trees.get(&id) {
            return Ok(t.clone());
        }
        if self.trees.len() > 256 {
            self.trees.clear();
        }
        let tree = std::rc::Rc::new(self.repo.find_tree(id)?);
        self.trees.insert(id, std::rc::Rc::clone(&tree));
        Ok(tree)
    }
}

/// Git orders a folder as if its name ended with `/`.
fn sort_key<'a>(e: &'a git2::TreeEntry<'_>) -> (&'a [u8], &'static [u8]) {
    let folder = e.kind() == Some(ObjectType::Tree);
    (e.name_bytes(), if folder { b"/" } else { b"" })
}
