//! The history of the issues branch: which commits changed which paths, and
//! how two trees differ. One diff ([`Store::tree_diff`]) compares trees by
//! ids and opens only folders whose ids differ, so a commit that changed one
//! issue costs the one bucket it touched, not the size of the tracker.

use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use git2::{ErrorCode, ObjectType, Oid, Repository};
use jiff::Timestamp;

use super::{Result, Store, oid};

/// A file that differs between two trees of the branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: String,
    /// There in the older tree.
    pub before: bool,
    /// There in the newer tree.
    pub after: bool,
}

/// A commit of the branch with the paths it changed.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Revision {
    pub commit: String,
    pub author: String,
    pub email: String,
    /// When the author dated it.
    pub time: Timestamp,
    /// The whole message, without its final newline.
    pub message: String,
    /// The files it changed (a merge: those that differ from every parent).
    pub paths: Vec<String>,
    /// How many parents it has (2 or more: a merge).
    #[serde(default)]
    pub parents: usize,
}

impl Revision {
    /// The same commit with `paths` in place of the paths it changed,
    /// without copying those (an import's are every file of the branch).
    pub fn with_paths(&self, paths: Vec<String>) -> Revision {
        Revision {
            commit: self.commit.clone(),
            author: self.author.clone(),
            email: self.email.clone(),
            time: self.time,
            message: self.message.clone(),
            paths,
            parents: self.parents,
        }
    }
}

impl Store {
    /// The commits reachable from `tip` and not from `since`, newest first,
    /// each with the paths under the folder `prefix` it changed; commits
    /// that changed nothing there are left out. A merge counts a path when
    /// it differs from every parent, as `git log -- path` does.
    pub fn changes(&self, tip: &str, since: Option<&str>, prefix: &str) -> Result<Vec<Revision>> {
        walk(&self.repo, oid(tip)?, since.map(oid).transpose()?, prefix)
    }

    /// [`Store::changes`] on a thread of its own, to be waited for when
    /// needed: a long walk then runs beside whatever comes first.
    pub fn changes_later(&self, tip: &str, since: Option<&str>, prefix: &str) -> PendingChanges {
        let git_dir = self.repo.path().to_path_buf();
        let args = (tip.to_owned(), since.map(str::to_owned), prefix.to_owned());
        let (t, s, p) = args.clone();
        let running = std::thread::Builder::new()
            .name("git-issue-walk".to_owned())
            .spawn(move || {
                let repo = Repository::open(&git_dir)?;
                walk(&repo, oid(&t)?, s.as_deref().map(oid).transpose()?, &p)
            })
            .ok();
        PendingChanges { args, running }
    }

    /// The commits of the branch that changed a file at one of `paths` or
    /// anything under it, newest first.
    pub fn history(&self, paths: &[String]) -> Result<Vec<Revision>> {
        let Some(tip) = self.tip()? else {
            return Ok(Vec::new());
        };
        // Walk only the folder the paths share.
        let mut prefix: &str = paths.first().map_or("", String::as_str);
        while !paths
            .iter()
            .all(|p| prefix.is_empty() || p.starts_with(&format!("{prefix}/")))
        {
            prefix = prefix.rsplit_once('/').map_or("", |(dir, _)| dir);
        }
        let touches = |p: &String| {
            paths.iter().any(|q| {
                p == q
                    || p.strip_prefix(q.as_str())
                        .is_some_and(|r| r.starts_with('/'))
            })
        };
        let mut out = self.changes(&tip.to_string(), None, prefix)?;
        out.retain(|r| r.paths.iter().any(touches));
        Ok(out)
    }

    /// The files under the folder `prefix` (`""` for everything) that
    /// differ between two trees of the branch (added, changed or removed; a
    /// missing tree is an empty one).
    pub fn tree_diff(
        &self,
        old_tree: Option<&str>,
        new_tree: Option<&str>,
        prefix: &str,
    ) -> Result<Vec<String>> {
        let prefix = prefix.trim_end_matches('/');
        let mut memo = TreeMemo::new(&self.repo)?;
        let mut folder = |tree: Option<&str>| -> Result<Option<Oid>> {
            match tree {
                Some(tree) => memo.folder(oid(tree)?, prefix),
                None => Ok(None),
            }
        };
        let (old, new) = (folder(old_tree)?, folder(new_tree)?);
        let mut out = Vec::new();
        diff(&mut memo, old, new, prefix, &mut |path, _, _| {
            out.push(path)
        })?;
        Ok(out)
    }

    /// The files that differ between two commits of the branch (every file
    /// of `to` when `from` is `None`).
    pub fn changed_files(&self, from: Option<&str>, to: Option<&str>) -> Result<Vec<String>> {
        Ok(self
            .file_changes(from, to)?
            .into_iter()
            .map(|c| c.path)
            .collect())
    }

    /// Like [`Store::changed_files`], with whether each file was there in
    /// `from` and is there in `to`.
    pub fn file_changes(&self, from: Option<&str>, to: Option<&str>) -> Result<Vec<FileChange>> {
        let mut memo = TreeMemo::new(&self.repo)?;
        let tree = |c: Option<&str>| -> Result<Option<Oid>> {
            c.map(|c| Ok(self.repo.find_commit(oid(c)?)?.tree_id()))
                .transpose()
        };
        let mut out = Vec::new();
        diff(
            &mut memo,
            tree(from)?,
            tree(to)?,
            "",
            &mut |path, before, after| {
                out.push(FileChange {
                    path,
                    before,
                    after,
                });
            },
        )?;
        Ok(out)
    }

    /// A file's text at commit `commit` of the branch, or at its first
    /// parent when `before`; `None` when there was no such file (or no
    /// parent).
    pub fn read_at(&self, commit: &str, path: &str, before: bool) -> Result<Option<String>> {
        let mut c = self.repo.find_commit(oid(commit)?)?;
        if before {
            match c.parent(0) {
                Ok(p) => c = p,
                Err(_) => return Ok(None),
            }
        }
        let Ok(entry) = c.tree()?.get_path(Path::new(path)) else {
            return Ok(None);
        };
        let Ok(blob) = self.repo.find_blob(entry.id()) else {
            return Ok(None);
        };
        Ok(std::str::from_utf8(blob.content()).ok().map(str::to_owned))
    }

    /// The parents of a commit of the branch, first parent first.
    pub fn parents(&self, commit: &str) -> Result<Vec<String>> {
        let c = self.repo.find_commit(oid(commit)?)?;
        Ok(c.parent_ids().map(|p| p.to_string()).collect())
    }

    /// The first parent of a commit, `None` for a root commit.
    pub fn first_parent(&self, commit: &str) -> Result<Option<String>> {
        let c = self.repo.find_commit(oid(commit)?)?;
        Ok(c.parent_id(0).ok().map(|p| p.to_string()))
    }

    /// Whether `tree` is a tree object this repository has.
    pub fn has_tree(&self, tree: &str) -> bool {
        Oid::from_str(tree).is_ok_and(|oid| self.repo.find_tree(oid).is_ok())
    }

    /// Whether `ancestor` is `descendant` or one of its ancestors. Ids this
    /// repository does not have are no ancestors.
    pub fn is_ancestor(&self, ancestor: &str, descendant: &str) -> bool {
        let (Ok(a), Ok(d)) = (Oid::from_str(ancestor), Oid::from_str(descendant)) else {
            return false;
        };
        a == d || self.repo.graph_descendant_of(d, a).unwrap_or(false)
    }

    /// The best common ancestor of two commits, `None` for unrelated ones.
    pub fn merge_base(&self, a: &str, b: &str) -> Result<Option<String>> {
        match self.repo.merge_base(oid(a)?, oid(b)?) {
            Ok(id) => Ok(Some(id.to_string())),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

/// A walk started by [`Store::changes_later`].
#[derive(Debug)]
pub struct PendingChanges {
    /// Its tip, since and prefix.
    args: (String, Option<String>, String),
    running: Option<std::thread::JoinHandle<Result<Vec<Revision>>>>,
}

impl PendingChanges {
    /// Whether it walks up to `tip` under `prefix`.
    pub fn is_for(&self, tip: &str, prefix: &str) -> bool {
        let (t, _, p) = &self.args;
        t == tip && p == prefix
    }

    /// The commit it starts after, as it was given.
    pub fn since(&self) -> Option<&str> {
        self.args.1.as_deref()
    }

    /// Its result, once it is done (made here when its thread could not be
    /// started or panicked).
    pub fn wait(self, store: &Store) -> Result<Vec<Revision>> {
        // A failure there (its repository handle opened without the
        // variables this store honours, say) is retried here.
        match self.running.map(std::thread::JoinHandle::join) {
            Some(Ok(Ok(done))) => Ok(done),
            _ => {
                let (t, s, p) = &self.args;
                store.changes(t, s.as_deref(), p)
            }
        }
    }
}

/// The commits reachable from `tip` and not from `since`, newest first,
/// that changed something under `prefix` (see [`Store::changes`]).
fn walk(repo: &Repository, tip: Oid, since: Option<Oid>, prefix: &str) -> Result<Vec<Revision>> {
    let line = match since {
        Some(since) => line_since(repo, tip, since)?,
        None => None,
    };
    let ids: Vec<Oid> = match line {
        Some(ids) => ids,
        None => listed(repo, tip, since)?,
    };
    let prefix = prefix.trim_end_matches('/');
    // A long walk is `git`'s (see `log.rs`), when it can be run.
    if ids.len() >= LONG_WALK
        && let Some(out) = super::log::diff_tree(repo.path(), &ids, prefix)
    {
        return Ok(out);
    }
    // Each commit is read once or twice and each tree once: libgit2's
    // cache would keep them all (256 MB of their raw size, several times
    // that parsed: 1.2 GB for a walk of 100,000 commits).
    let _uncached = super::ObjectCacheOff::new();
    // Commits are diffed against their parents independently: one run of
    // consecutive commits per core.
    super::in_runs(repo, &ids, LONG_WALK, |repo, run| {
        revisions(repo, run, prefix)
    })
}

/// The commits reachable from `tip` and not from `since`, children before
/// parents and otherwise newest first: the order every walk keeps.
pub(super) fn listed(repo: &Repository, tip: Oid, since: Option<Oid>) -> Result<Vec<Oid>> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)?;
    walk.push(tip)?;
    if let Some(since) = since {
        walk.hide(since)?;
    }
    Ok(walk.collect::<std::result::Result<_, _>>()?)
}

/// The files that differ between two folders, by comparing ids and going
/// down only into folders whose ids differ.
/// Says each file that differs between the trees `old` and `new` (under
/// `path`) to `out`, with whether it was there before and is there after.
fn diff(
    memo: &mut TreeMemo<'_>,
    old: Option<Oid>,
    new: Option<Oid>,
    path: &str,
    out: &mut impl FnMut(String, bool, bool),
) -> Result<()> {
    use std::cmp::Ordering;
    if old == new {
        return Ok(());
    }
    let a = old.map(|id| memo.get(id)).transpose()?;
    let b = new.map(|id| memo.get(id)).transpose()?;
    let (mut i, mut j) = (0, 0);
    loop {
        let x = a.as_deref().and_then(|t| t.entry(i));
        let y = b.as_deref().and_then(|t| t.entry(j));
        let order = match (&x, &y) {
            (None, None) => break,
            (Some(x), Some(y)) => git_order(x, y),
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
        if x.map(|e| e.id) == y.map(|e| e.id) {
            continue;
        }
        let Some(e) = x.or(y) else {
            break;
        };
        let name = String::from_utf8_lossy(e.name);
        let full = if path.is_empty() {
            name.into_owned()
        } else {
            format!("{path}/{name}")
        };
        let folder = |e: Option<Entry<'_>>| e.and_then(|e| e.folder.then(|| e.oid()));
        match (x.is_some_and(|e| e.folder), y.is_some_and(|e| e.folder)) {
            (false, false) => out(full, x.is_some(), y.is_some()),
            (true, true) => diff(memo, folder(x), folder(y), &full, out)?,
            // A file replaced by a folder, or back: both changed.
            (true, false) => {
                if y.is_some() {
                    out(full.clone(), false, true);
                }
                diff(memo, folder(x), None, &full, out)?;
            }
            (false, true) => {
                if x.is_some() {
                    out(full.clone(), true, false);
                }
                diff(memo, None, folder(y), &full, out)?;
            }
        }
    }
    Ok(())
}

/// The commits from `tip` back to `since` (left out), newest first, when
/// they are a line of one-parent commits no longer than 10,000: what the
/// branch usually gained since a cache was written. `None` otherwise, for
/// a revision walk. libgit2's walk finds where to stop by commit dates (as
/// git does), so one commit dated in the future, by a clock set wrong, had
/// every later update read the whole history: half a second at 100,000.
fn line_since(repo: &Repository, tip: Oid, since: Oid) -> Result<Option<Vec<Oid>>> {
    let mut ids = Vec::new();
    let mut at = tip;
    while at != since {
        let commit = repo.find_commit(at)?;
        if commit.parent_count() != 1 || ids.len() >= 10_000 {
            return Ok(None);
        }
        ids.push(at);
        at = commit.parent_id(0)?;
    }
    Ok(Some(ids))
}

/// From a walk of this many commits on, [`walk`] asks `git` (see
/// `log.rs`), or without it reads them on every core ([`super::in_runs`]):
/// below, starting processes or threads costs more than it saves.
const LONG_WALK: usize = if cfg!(test) { 16 } else { 2_000 };

/// The revisions of the commits `ids` (in that order) that changed
/// something under the folder `prefix`, each diffed against its parents.
pub(super) fn revisions(repo: &Repository, ids: &[Oid], prefix: &str) -> Result<Vec<Revision>> {
    let mut memo = TreeMemo::new(repo)?;
    // The folder's tree in recent commits: in a walk newest first, a
    // commit's parent is usually the next commit walked, so each commit
    // and its root tree are read once, not once as a parent again.
    let mut folders: HashMap<Oid, Option<Oid>> = HashMap::new();
    let mut folder_of = |memo: &mut TreeMemo<'_>,
                         id: Oid,
                         commit: Option<&git2::Commit<'_>>|
     -> Result<Option<Oid>> {
        if let Some(f) = folders.get(&id) {
            return Ok(*f);
        }
        let tree = match commit {
            Some(c) => c.tree_id(),
            None => repo.find_commit(id)?.tree_id(),
        };
        let f = memo.folder(tree, prefix)?;
        if folders.len() > 256 {
            folders.clear();
        }
        folders.insert(id, f);
        Ok(f)
    };
    let mut out = Vec::new();
    for &id in ids {
        let commit = repo.find_commit(id)?;
        let new = folder_of(&mut memo, id, Some(&commit))?;
        let parents: Vec<Option<Oid>> = if commit.parent_count() == 0 {
            vec![None]
        } else {
            commit
                .parent_ids()
                .map(|p| folder_of(&mut memo, p, None))
                .collect::<Result<_>>()?
        };
        let mut paths: Option<Vec<String>> = None;
        for old in parents {
            let mut changed = Vec::new();
            diff(&mut memo, old, new, prefix, &mut |path, _, _| {
                changed.push(path);
            })?;
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
        out.push(Revision {
            commit: commit.id().to_string(),
            author: String::from_utf8_lossy(author.name_bytes()).into_owned(),
            email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
            time: Timestamp::from_second(author.when().seconds()).unwrap_or(Timestamp::UNIX_EPOCH),
            message: String::from_utf8_lossy(commit.message_bytes())
                .trim_end()
                .to_owned(),
            paths,
            parents: commit.parent_count(),
        });
    }
    Ok(out)
}

/// Trees read during one walk. Consecutive commits share most of their
/// trees, and libgit2 does not cache trees larger than 4 KiB (a bucket of a
/// thousand issues in the first layout is 40 KiB), so the walk keeps the
/// recent ones. They are kept as git stores them and their entries read in
/// place: libgit2's parse of a tree (an allocation and a number parsed per
/// entry) and a call into it per entry were half of a walk's time.
struct TreeMemo<'r> {
    odb: git2::Odb<'r>,
    trees: HashMap<Oid, Rc<RawTree>>,
}

impl<'r> TreeMemo<'r> {
    fn new(repo: &'r Repository) -> Result<Self> {
        Ok(TreeMemo {
            odb: repo.odb()?,
            trees: HashMap::new(),
        })
    }

    /// The folder at `path` (`""` for `tree` itself) in `tree`, `None`
    /// when there is none there.
    fn folder(&mut self, tree: Oid, path: &str) -> Result<Option<Oid>> {
        // `tree` is read even for `""`: an id that is not a tree here is an
        // error, whatever the path.
        let mut t = self.get(tree)?;
        let mut at = tree;
        let mut names = path.split('/').filter(|n| !n.is_empty()).peekable();
        while let Some(name) = names.next() {
            // Entries are in git's order: found by halving, not by
            // comparing every name (`issues/` holds a hundred buckets).
            let wanted = Entry {
                name: name.as_bytes(),
                id: &[],
                folder: true,
            };
            let at_or_after = t
                .entries
                .partition_point(|&entry| git_order(&t.entry_of(entry), &wanted).is_lt());
            match t
                .entry(at_or_after)
                .filter(|e| e.folder && e.name == name.as_bytes())
            {
                Some(e) => at = e.oid(),
                None => return Ok(None),
            }
            if names.peek().is_some() {
                t = self.get(at)?;
            }
        }
        Ok(Some(at))
    }

    fn get(&mut self, id: Oid) -> Result<Rc<RawTree>> {
        if let Some(t) = self.trees.get(&id) {
            return Ok(t.clone());
        }
        if self.trees.len() > 256 {
            self.trees.clear();
        }
        let object = self.odb.read(id)?;
        let tree = (object.kind() == ObjectType::Tree)
            .then(|| RawTree::parse(object.data().to_vec()))
            .flatten()
            .ok_or_else(|| {
                git2::Error::from_str(&format!("object {id} is not a well-formed tree"))
            })?;
        let tree = Rc::new(tree);
        self.trees.insert(id, Rc::clone(&tree));
        Ok(tree)
    }
}

/// A tree object's bytes, each entry `<mode> <name>\0<20-byte id>`, with
/// where each entry's name lies (start, end: the id follows the NUL) and
/// whether it is a folder.
struct RawTree {
    data: Vec<u8>,
    entries: Vec<(u32, u32, bool)>,
}

/// One entry of a [`RawTree`].
#[derive(Clone, Copy)]
struct Entry<'t> {
    name: &'t [u8],
    id: &'t [u8],
    folder: bool,
}

impl Entry<'_> {
    fn oid(&self) -> Oid {
        // 20 bytes, cut so by `RawTree::parse`.
        Oid::from_bytes(self.id).unwrap_or(Oid::ZERO_SHA1)
    }
}

impl RawTree {
    /// `None` when `data` is not a well-formed tree of SHA-1 ids.
    fn parse(data: Vec<u8>) -> Option<RawTree> {
        let mut entries = Vec::new();
        let mut at = 0;
        while at < data.len() {
            let space = at + data[at..].iter().position(|&b| b == b' ')?;
            let nul = space + 1 + data[space + 1..].iter().position(|&b| b == 0)?;
            if nul + 21 > data.len() {
                return None;
            }
            // A folder's mode is 40000; some tools wrote it zero-padded,
            // which git reads as the same.
            let mode = data[at..space].iter().try_fold(0u32, |m, &d| {
                (d.is_ascii_digit() && d < b'8').then(|| m * 8 + u32::from(d - b'0'))
            })?;
            let folder = mode & 0o170_000 == 0o040_000;
            entries.push((
                u32::try_from(space + 1).ok()?,
                u32::try_from(nul).ok()?,
                folder,
            ));
            at = nul + 21;
        }
        Some(RawTree { data, entries })
    }

    fn entry(&self, i: usize) -> Option<Entry<'_>> {
        self.entries.get(i).map(|&e| self.entry_of(e))
    }

    /// The entry one of `entries` describes.
    fn entry_of(&self, (start, end, folder): (u32, u32, bool)) -> Entry<'_> {
        let (start, end) = (start as usize, end as usize);
        Entry {
            name: &self.data[start..end],
            id: &self.data[end + 1..end + 21],
            folder,
        }
    }
}

/// Git's order of tree entries: a folder sorts as if its name ended with
/// `/` (file `a.b` before folder `a`, as `.` comes before `/`).
fn git_order(x: &Entry<'_>, y: &Entry<'_>) -> std::cmp::Ordering {
    let n = x.name.len().min(y.name.len());
    x.name[..n].cmp(&y.name[..n]).then_with(|| {
        let next = |e: &Entry<'_>| e.name.get(n).copied().or(e.folder.then_some(b'/'));
        next(x).cmp(&next(y))
    })
}
