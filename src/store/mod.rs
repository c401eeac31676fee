//! The git repository, through git2 (and the user's `git` for the network
//! and for long history walks, see [`remote`] and `log`): the issues branch
//! (written with compare-and-swap, read as snapshots, walked as history),
//! its remotes, and the user's own repository (commits, tags, hooks).
//!
//! Every change is one commit built from trees in memory: blobs are written,
//! the branch tip's tree is updated path by path, a commit is made on the tip,
//! and the ref moves by compare-and-swap. When another writer moved the ref
//! first, the change is rebuilt on the new tip and tried again. HEAD, the
//! index and the working tree of the user's checkout are never read or
//! written. Objects are written before the ref moves, so a process killed at
//! any instant leaves the branch at the old tip or the new one.
//!
//! This module knows paths and bytes, not issues. Its seams:
//! [`write`] (changes and compare-and-swap), [`snapshot`] (the branch at one
//! commit), [`history`] (commits and the paths they changed; `log` reads a
//! long history through `git diff-tree`), [`remote`]
//! (fetch and push through the user's `git`), [`repo`] (the user's history,
//! tags and hooks).

mod history;
mod log;
mod remote;
mod repo;
mod settings;
mod snapshot;
mod write;

use std::path::{Path, PathBuf};

use git2::{ErrorCode, Oid, Repository, Signature, Time};
use jiff::Timestamp;

pub use history::{FileChange, PendingChanges, Revision};
pub use remote::{PushOutcome, TransportError};
pub use repo::{CommitInfo, CommitMessage};
pub use snapshot::{Entry, FileBytes, FileList, Snapshot};
pub use write::{Change, Edit};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not in a git repository (or any parent up to the root): {0}")]
    NotARepository(PathBuf),
    #[error(
        "the issues branch is locked by {lock}; another git-issue may be writing, or one was killed: remove the file if no git process is running"
    )]
    Locked { lock: PathBuf },
    #[error(
        "the {branch} branch is checked out in {}, and a commit there would undo what git issue writes; detach it (git -C {0} checkout --detach) or remove it (git worktree remove {0}), then edit issues with git issue",
        .worktree.display()
    )]
    CheckedOut { branch: String, worktree: PathBuf },
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

pub struct Store {
    repo: Repository,
    refname: String,
    settings: settings::Settings,
    /// Who the commits this store makes were made through, for a `Via:`
    /// trailer (see [`Store::set_via`]).
    via: Option<String>,
}

/// libgit2's object cache turned off while one of these lives: a walk that
/// reads each commit and tree once (a whole history, a site export) would
/// otherwise keep them all, up to 256 MB of their raw size and several times
/// that parsed. The cache is global to the process; it comes back on when
/// the last of these is dropped.
pub struct ObjectCacheOff(());

static CACHE_OFF: std::sync::Mutex<usize> = std::sync::Mutex::new(0);

impl ObjectCacheOff {
    pub fn new() -> ObjectCacheOff {
        let mut off = CACHE_OFF.lock().unwrap_or_else(|e| e.into_inner());
        if *off == 0 {
            git2::opts::enable_caching(false);
        }
        *off += 1;
        ObjectCacheOff(())
    }
}

impl Default for ObjectCacheOff {
    fn default() -> Self {
        ObjectCacheOff::new()
    }
}

impl Drop for ObjectCacheOff {
    fn drop(&mut self) {
        let mut off = CACHE_OFF.lock().unwrap_or_else(|e| e.into_inner());
        *off -= 1;
        if *off == 0 {
            git2::opts::enable_caching(true);
        }
    }
}

/// A new repository in a temporary folder, with an identity in its own
/// config: what the tests of every layer start from.
#[cfg(test)]
pub(crate) fn test_repository() -> (tempfile::TempDir, Repository) {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init(dir.path()).unwrap();
    let mut config = repo.config().unwrap();
    config.set_str("user.name", "Alice Example").unwrap();
    config.set_str("user.email", "alice@example.com").unwrap();
    (dir, repo)
}

/// `each` over `items` cut into one run of consecutive items per core, each
/// run read through a repository handle of its own (a git2 Repository is
/// not shared between threads), the results joined in the items' order.
/// Fewer than `from` items: one run on `repo`, on this thread.
fn in_runs<T: Sync, R: Send, E: From<StoreError> + Send>(
    repo: &Repository,
    items: &[T],
    from: usize,
    each: impl Fn(&Repository, &[T]) -> Result<Vec<R>, E> + Sync,
) -> Result<Vec<R>, E> {
    if items.len() < from {
        return each(repo, items);
    }
    use rayon::prelude::*;
    let git_dir = repo.path().to_path_buf();
    let run = items
        .len()
        .div_ceil(rayon::current_num_threads().max(1))
        .max(from);
    let runs: Vec<Result<Vec<R>, E>> = items
        .par_chunks(run)
        .map(|part| {
            let repo = Repository::open(&git_dir).map_err(StoreError::from)?;
            each(&repo, part)
        })
        .collect();
    let mut out = Vec::with_capacity(items.len());
    for part in runs {
        out.append(&mut part?);
    }
    Ok(out)
}

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
        let settings = settings::Settings::of(&repo)?;
        let branch = settings
            .get("issue.branch")
            .unwrap_or_else(|| "issues".to_owned());
        Ok(Store {
            repo,
            refname: format!("refs/heads/{branch}"),
            settings,
            via: None,
        })
    }

    /// Names the program this store's changes are made through on the
    /// user's behalf (an agent, through `git issue mcp`): every commit it
    /// makes from now on ends with a `Via: <name>` trailer, so `git log`
    /// tells an agent's changes from the user's own. The author is still the
    /// user. The name is made one line of printable text; an empty one
    /// removes the trailer.
    pub fn set_via(&mut self, name: &str) {
        let name: String = name
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(100)
            .collect();
        self.via = (!name.is_empty()).then_some(name);
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

    /// `<git common dir>/git-issue`: this clone's own state (the search
    /// index, drafts, caches), shared by its worktrees and never committed.
    pub fn local_dir(&self) -> PathBuf {
        self.repo.commondir().join("git-issue")
    }

    /// The working tree of the repository, `None` for a bare one.
    pub fn work_dir(&self) -> Option<&Path> {
        self.repo.workdir()
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

    /// A setting, as `git config NAME` would give it: the files git reads
    /// and the variables it honours (`git -c`, `GIT_CONFIG_GLOBAL`, …).
    pub fn config_string(&self, name: &str) -> Option<String> {
        self.settings.get(name)
    }

    /// Sets a value in the repository's own config (`.git/config`).
    pub fn set_local_config(&self, name: &str, value: &str) -> Result<()> {
        let mut config = self.repo.config()?.open_level(git2::ConfigLevel::Local)?;
        config.set_str(name, value)?;
        Ok(())
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

    /// The files git reads to know where the issues branch is: the loose ref
    /// and `packed-refs`, in the common git folder, for watching.
    pub fn ref_files(&self) -> Vec<PathBuf> {
        let dir = self.repo.commondir();
        vec![dir.join(&self.refname), dir.join("packed-refs")]
    }

    /// The user's identity as git would use it (`git var GIT_AUTHOR_IDENT`):
    /// `GIT_AUTHOR_NAME` and friends first, then `author.name` (or
    /// `committer.name`), then `user.name`; the email likewise, then `EMAIL`.
    fn signature(&self, role: Role) -> Result<Signature<'static>> {
        let (name_var, email_var, date_var) = role.vars();
        let section = role.section();
        // As git: an identity variable set but empty is no identity.
        let name = std::env::var(name_var)
            .ok()
            .or_else(|| self.settings.get(&format!("{section}.name")))
            .or_else(|| self.settings.get("user.name"))
            .filter(|n| !n.trim().is_empty())
            .ok_or(StoreError::NoIdentity)?;
        let email = std::env::var(email_var)
            .ok()
            .or_else(|| self.settings.get(&format!("{section}.email")))
            .or_else(|| self.settings.get("user.email"))
            .or_else(|| std::env::var("EMAIL").ok())
            .filter(|e| !e.trim().is_empty())
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
}

#[derive(Clone, Copy)]
enum Role {
    Author,
    Committer,
}

impl Role {
    /// The config section of its own (`author.name`).
    fn section(self) -> &'static str {
        match self {
            Role::Author => "author",
            Role::Committer => "committer",
        }
    }

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

/// An object id of this repository, from its hex form.
fn oid(id: &str) -> Result<Oid> {
    Ok(Oid::from_str(id)?)
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
mod tests;

#[cfg(test)]
mod dates {
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
