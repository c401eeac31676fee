//! Writing the issues branch: a change is one commit built from trees in
//! memory, and the ref moves by compare-and-swap from the tip the change was
//! built on. One primitive moves the ref ([`Store::swap_tip`]); making a
//! commit ([`Store::commit`]) and adopting one made elsewhere (a merge, a
//! remote's branch) both go through it.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use git2::{ErrorCode, Oid, Repository};

use super::{Result, Role, Snapshot, Store, StoreError, oid};

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

const MAX_ATTEMPTS: usize = 200;
/// How long we wait for a ref lock before giving up.
const LOCK_PATIENCE: Duration = Duration::from_secs(10);
/// We hold a ref lock for the microseconds it takes to write 41 bytes and
/// rename them; one of ours this old was left by a writer that was killed.
const STALE_LOCK: Duration = Duration::from_secs(3);

/// Says, while it lives, that this process may hold the branch's ref lock:
/// `<local dir>/writers/<pid>`. A lock is taken from a writer only when its
/// mark names a process that is gone (killed mid-write); a lock no mark
/// explains belongs to git or another tool, and is waited for, never taken.
struct WriterMark(Option<PathBuf>);

impl WriterMark {
    fn new(store: &Store) -> WriterMark {
        let dir = store.local_dir().join("writers");
        let path = dir.join(std::process::id().to_string());
        let made = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, b""));
        WriterMark(made.ok().map(|()| path))
    }
}

impl Drop for WriterMark {
    fn drop(&mut self) {
        if let Some(path) = &self.0 {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Whether process `pid` is running.
fn alive(pid: u32) -> bool {
    let proc = std::path::Path::new("/proc");
    if proc.is_dir() {
        return proc.join(pid.to_string()).exists();
    }
    std::process::Command::new("kill")
        .args(["-0", &pid.to_string()])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl Store {
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
        let _mark = WriterMark::new(self);
        for attempt in 0..MAX_ATTEMPTS {
            let snapshot = self.snapshot()?;
            let Some(change) = build(&snapshot)? else {
                return Ok(None);
            };
            let parent = snapshot.commit_oid();
            let parents: Vec<Oid> = parent.into_iter().collect();
            let base = snapshot.tree().map(|t| t.id());
            let new = self.write_change(base, &change.message, &change.edits, &parents)?;
            if self.swap(parent, new, first_line(&change.message))? {
                return Ok(Some(new.to_string()));
            }
            backoff(attempt);
        }
        Err(StoreError::TooManyRetries(MAX_ATTEMPTS).into())
    }

    /// Moves the branch to commit `new` if it is still at `expected` (`None`:
    /// if it does not exist yet). `false` when another writer moved it first.
    pub fn swap_tip(&self, expected: Option<&str>, new: &str, why: &str) -> Result<bool> {
        let _mark = WriterMark::new(self);
        self.swap(expected.map(oid).transpose()?, oid(new)?, why)
    }

    /// The compare-and-swap of the ref, waiting out a held lock (and
    /// removing one a killed writer left behind). Refuses, as git does, to
    /// move the branch under a worktree that has it checked out: that
    /// worktree's index would revert the change at its next commit.
    fn swap(&self, expected: Option<Oid>, new: Oid, why: &str) -> Result<bool> {
        if let Some(worktree) = self.checked_out_in() {
            return Err(StoreError::CheckedOut {
                branch: self.branch_name().to_owned(),
                worktree,
            });
        }
        let log = format!("git-issue: {why}");
        let mut locked_since: Option<Instant> = None;
        loop {
            let moved = match expected {
                Some(old) => self
                    .repo
                    .reference_matching(&self.refname, new, true, old, &log),
                None => self.repo.reference(&self.refname, new, false, &log),
            };
            match moved {
                Ok(_) => return Ok(true),
                Err(e) if matches!(e.code(), ErrorCode::Modified | ErrorCode::Exists) => {
                    return Ok(false);
                }
                Err(e) if e.code() == ErrorCode::Locked => {
                    if self.remove_stale_lock() {
                        locked_since = None;
                        continue;
                    }
                    let since = *locked_since.get_or_insert_with(Instant::now);
                    if since.elapsed() > LOCK_PATIENCE {
                        return Err(StoreError::Locked {
                            lock: self.lock_path(),
                        });
                    }
                    backoff(0);
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// A worktree (the main one included) whose HEAD is the issues branch.
    fn checked_out_in(&self) -> Option<PathBuf> {
        let common = self.repo.commondir();
        let on_branch = |head: &std::path::Path| {
            std::fs::read_to_string(head)
                .is_ok_and(|h| h.trim() == format!("ref: {}", self.refname))
        };
        if !self.repo.is_bare() && on_branch(&common.join("HEAD")) {
            return Some(common.parent().unwrap_or(common).to_path_buf());
        }
        let linked = std::fs::read_dir(common.join("worktrees")).ok()?;
        for entry in linked.flatten() {
            if on_branch(&entry.path().join("HEAD")) {
                let gitdir =
                    std::fs::read_to_string(entry.path().join("gitdir")).unwrap_or_default();
                let path = PathBuf::from(gitdir.trim());
                return Some(path.parent().map_or(path.clone(), |p| p.to_path_buf()));
            }
        }
        None
    }

    fn lock_path(&self) -> PathBuf {
        self.repo.commondir().join(format!("{}.lock", self.refname))
    }

    /// Removes the branch's ref lock when a writer of ours that is gone
    /// left it: the lock is older than any live writer of ours holds one,
    /// and a writer's mark names a process that no longer runs. git asks a
    /// person to delete such a file; here the marks are the proof. A lock
    /// held by git itself (a long `update-ref --stdin` transaction) has no
    /// mark and is never taken.
    fn remove_stale_lock(&self) -> bool {
        let lock = self.lock_path();
        let old = std::fs::metadata(&lock)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > STALE_LOCK));
        if !old {
            return false;
        }
        let dir = self.local_dir().join("writers");
        let me = std::process::id();
        let dead: Vec<PathBuf> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let pid: u32 = e.file_name().to_str()?.parse().ok()?;
                (pid != me && !alive(pid)).then(|| e.path())
            })
            .collect();
        if dead.is_empty() {
            return false;
        }
        for mark in &dead {
            let _ = std::fs::remove_file(mark);
        }
        std::fs::remove_file(&lock).is_ok()
    }

    /// Writes the objects of one change (its blobs, the trees above them
    /// on `base`, and a commit on `parents`) and returns the commit. No ref
    /// moves. A change of many files is written as one pack, as git stores
    /// what it receives: tens of thousands of loose objects would cost a
    /// file each (and the time to make them).
    fn write_change(
        &self,
        base: Option<Oid>,
        message: &str,
        edits: &[Edit],
        parents: &[Oid],
    ) -> Result<Oid> {
        let author = self.signature(Role::Author)?;
        let committer = self.signature(Role::Committer)?;
        let mut message = message.trim_end().to_owned();
        if let Some(via) = &self.via {
            message.push_str("\n\nVia: ");
            message.push_str(via);
        }
        message.push('\n');
        let write = |repo: &Repository| -> Result<Oid> {
            let base = base.map(|t| repo.find_tree(t)).transpose()?;
            let tree = write_tree(repo, base.as_ref(), edits)?;
            let tree = repo.find_tree(tree)?;
            let parents = parents
                .iter()
                .map(|p| repo.find_commit(*p))
                .collect::<Result<Vec<_>, _>>()?;
            let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
            Ok(repo.commit(None, &author, &committer, &message, &tree, &parents)?)
        };
        if edits.len() < PACK_FROM {
            return write(&self.repo);
        }
        // Objects go to memory through a handle of their own, then into one
        // pack beside the others; the branch moves only once it is there.
        // The pack holds what the parents do not: libgit2's own dump of
        // the memory packs each commit whole, which for a merge bringing in
        // a thousand issues wrote every issue of the tracker again.
        let scratch = Repository::open(self.repo.path())?;
        let odb = scratch.odb()?;
        let _mempack = odb.add_new_mempack_backend(1000)?;
        let commit = write(&scratch)?;
        let mut walk = scratch.revwalk()?;
        walk.push(commit)?;
        for parent in parents {
            walk.hide(*parent)?;
        }
        let mut builder = scratch.packbuilder()?;
        builder.insert_walk(&mut walk)?;
        let mut pack = git2::Buf::new();
        builder.write_buf(&mut pack)?;
        let target = self.repo.odb()?;
        let mut writer = target.packwriter()?;
        std::io::Write::write_all(&mut writer, &pack)
            .map_err(|e| git2::Error::from_str(&e.to_string()))?;
        writer.commit()?;
        Ok(commit)
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
        let (ours, theirs) = (oid(ours)?, oid(theirs)?);
        let base = self.repo.find_commit(ours)?.tree_id();
        Ok(self
            .write_change(Some(base), message, edits, &[ours, theirs])?
            .to_string())
    }
}

/// Changes of this many files or more are written as one pack. Not fewer:
/// libgit2 makes the pack by looking for deltas among the new objects,
/// which for a `record --jsonl` batch of 50 errors took seconds where
/// loose objects take a tenth of one.
pub(super) const PACK_FROM: usize = 256;

/// Writes the blobs of `edits` and the trees above them, on `base`
/// (`None`: the empty tree).
fn write_tree(repo: &Repository, base: Option<&git2::Tree<'_>>, edits: &[Edit]) -> Result<Oid> {
    let empty;
    let base = match base {
        Some(t) => t,
        None => {
            let oid = repo.treebuilder(None)?.write()?;
            empty = repo.find_tree(oid)?;
            &empty
        }
    };
    let mut update = git2::build::TreeUpdateBuilder::new();
    for edit in edits {
        match edit {
            Edit::Write { path, content } => {
                let blob = repo.blob(content)?;
                update.upsert(path.as_str(), blob, git2::FileMode::Blob);
            }
            Edit::Remove { path } => {
                update.remove(path.as_str());
            }
        }
    }
    Ok(update.create_updated(repo, base)?)
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
