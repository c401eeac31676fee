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
}

const MAX_ATTEMPTS: usize = 200;
/// How long a ref lock may stay before we call it stale rather than busy.
const LOCK_PATIENCE: Duration = Duration::from_secs(10);

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

impl Snapshot<'_> {
    /// The commit this snapshot is, `None` before the branch exists.
    pub fn commit_id(&self) -> Option<String> {
        self.commit.as_ref().map(|c| c.id().to_string())
    }

    pub fn exists(&self) -> bool {
        self.tree.is_some()
    }

    /// A file's text, `None` when there is no such file.
    pub fn read(&self, path: &str) -> Result<Option<String>> {
        let Some(tree) = &self.tree else {
            return Ok(None);
        };
        let entry = match tree.get_path(Path::new(path)) {
            Ok(e) => e,
            Err(e) if e.code() == ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        if entry.kind() != Some(ObjectType::Blob) {
            return Ok(None);
        }
        let blob = self.repo.find_blob(entry.id())?;
        String::from_utf8(blob.content().to_vec())
            .map(Some)
            .map_err(|_| StoreError::NotText {
                path: path.to_owned(),
            })
    }

    /// Whether a file or folder is at `path`.
    pub fn contains(&self, path: &str) -> bool {
        self.tree
            .as_ref()
            .is_some_and(|t| t.get_path(Path::new(path)).is_ok())
    }

    /// The entries of a folder, in git's order; empty when there is none.
    pub fn list(&self, dir: &str) -> Result<Vec<Entry>> {
        let Some(root) = &self.tree else {
            return Ok(Vec::new());
        };
        let sub;
        let tree = if dir.is_empty() {
            root
        } else {
            match root.get_path(Path::new(dir)) {
                Ok(e) if e.kind() == Some(ObjectType::Tree) => {
                    sub = self.repo.find_tree(e.id())?;
                    &sub
                }
                Ok(_) => return Ok(Vec::new()),
                Err(e) if e.code() == ErrorCode::NotFound => return Ok(Vec::new()),
                Err(e) => return Err(e.into()),
            }
        };
        Ok(tree
            .iter()
            .map(|e| Entry {
                name: e.name().unwrap_or_default().to_owned(),
                is_dir: e.kind() == Some(ObjectType::Tree),
            })
            .collect())
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
    pub fn is_ancestor(&self, ancestor: &str, descendant: &str) -> bool {
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
    pub fn files_under(
        &self,
        prefix: &str,
        wanted: impl Fn(&str) -> bool + Sync,
    ) -> Result<Vec<FileBytes>> {
        let Some(root) = &self.tree else {
            return Ok(Vec::new());
        };
        let tree = match root.get_path(Path::new(prefix)) {
            Ok(e) if e.kind() == Some(ObjectType::Tree) => self.repo.find_tree(e.id())?,
            Ok(_) => return Ok(Vec::new()),
            Err(e) if e.code() == ErrorCode::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
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
