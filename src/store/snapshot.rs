//! The issues branch as it was at one commit: files read by path, folders
//! listed, and one walk over a folder's files.

use std::cell::RefCell;
use std::collections::HashMap;

use git2::{ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};

use super::{Result, Store, StoreError, oid};

/// An entry of a folder on the branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub is_dir: bool,
    /// A regular file (not a folder, symbolic link or submodule).
    pub is_file: bool,
}

/// A path of the branch and the bytes of the file there, when asked for.
pub type FileBytes = (String, Option<Vec<u8>>);

/// The branch as it was at one commit.
pub struct Snapshot<'r> {
    repo: &'r Repository,
    commit: Option<git2::Commit<'r>>,
    tree: Option<git2::Tree<'r>>,
    /// Folders already looked up. libgit2 does not cache trees larger than
    /// 4 KiB (a bucket of a thousand issues is ~70 KiB), so without this every
    /// read of a file in a bucket would inflate the bucket's tree again.
    folders: RefCell<HashMap<String, Option<git2::Tree<'r>>>>,
}

/// Below this many files a walk reads them on the calling thread; above,
/// the blobs are inflated on every core.
const PARALLEL_FROM: usize = 256;

impl Store {
    /// The branch as it is now.
    pub fn snapshot(&self) -> Result<Snapshot<'_>> {
        let tip = self.tip()?;
        self.snapshot_at(tip)
    }

    /// The branch as it was at a commit; `None` is the empty branch.
    pub fn snapshot_of(&self, commit: Option<&str>) -> Result<Snapshot<'_>> {
        self.snapshot_at(commit.map(oid).transpose()?)
    }

    fn snapshot_at(&self, tip: Option<Oid>) -> Result<Snapshot<'_>> {
        Snapshot::at(&self.repo, tip)
    }

    /// `each` over `items`, on every core from `from` items on: each run
    /// reads through snapshots of `commits` of its own (`None`: the empty
    /// branch), and the results are joined in the items' order.
    pub fn in_snapshots<T: Sync, R: Send, E: From<StoreError> + Send>(
        &self,
        commits: &[Option<&str>],
        items: &[T],
        from: usize,
        each: impl Fn(&[Snapshot<'_>], &[T]) -> Result<Vec<R>, E> + Sync,
    ) -> Result<Vec<R>, E> {
        let tips = commits
            .iter()
            .map(|c| c.map(oid).transpose())
            .collect::<Result<Vec<Option<Oid>>>>()?;
        super::in_runs(&self.repo, items, from, |repo, part| {
            let snaps = tips
                .iter()
                .map(|&tip| Snapshot::at(repo, tip))
                .collect::<Result<Vec<_>>>()?;
            each(&snaps, part)
        })
    }
}

impl<'r> Snapshot<'r> {
    fn at(repo: &'r Repository, tip: Option<Oid>) -> Result<Snapshot<'r>> {
        let commit = tip.map(|oid| repo.find_commit(oid)).transpose()?;
        let tree = commit.as_ref().map(|c| c.tree()).transpose()?;
        Ok(Snapshot {
            repo,
            commit,
            tree,
            folders: Default::default(),
        })
    }

    /// `<git common dir>/git-issue`, as [`Store::local_dir`] says.
    pub fn local_dir(&self) -> std::path::PathBuf {
        self.repo.commondir().join("git-issue")
    }

    /// The commit this snapshot is, `None` before the branch exists.
    pub fn commit_id(&self) -> Option<String> {
        self.commit.as_ref().map(|c| c.id().to_string())
    }

    pub(super) fn commit_oid(&self) -> Option<Oid> {
        self.commit.as_ref().map(|c| c.id())
    }

    pub(super) fn tree(&self) -> Option<&git2::Tree<'r>> {
        self.tree.as_ref()
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
        self.entry(path)
            .ok()
            .flatten()
            .map(|(id, _)| id.to_string())
    }

    /// Whether the file at `path` holds exactly `content` (`None`: there
    /// is no file there), as `read_bytes` would say. A blob is compared by
    /// its id, so it is not read.
    pub fn holds(&self, path: &str, content: Option<&[u8]>) -> Result<bool> {
        match (self.entry(path)?, content) {
            (Some((id, Some(ObjectType::Blob))), Some(bytes)) => {
                Ok(Oid::hash_object(ObjectType::Blob, bytes)? == id)
            }
            _ => Ok(self.read_bytes(path)?.as_deref() == content),
        }
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

    /// The id and kind of the entry at `path`; a symbolic link is of no
    /// kind the tracker reads.
    fn entry(&self, path: &str) -> Result<Option<(Oid, Option<ObjectType>)>> {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        Ok(self.tree_at(dir)?.and_then(|t| {
            t.get_name(name).map(|e| {
                let link = e.filemode() == i32::from(git2::FileMode::Link);
                (e.id(), if link { None } else { e.kind() })
            })
        }))
    }

    /// A file's bytes, `None` when there is no such file.
    pub fn read_bytes(&self, path: &str) -> Result<Option<Vec<u8>>> {
        match self.entry(path)? {
            Some((id, Some(ObjectType::Blob))) => {
                Ok(Some(self.repo.find_blob(id)?.content().to_vec()))
            }
            _ => Ok(None),
        }
    }

    /// A file's size in bytes, read from the object's header rather than
    /// its content; `None` when there is no such file.
    pub fn size(&self, path: &str) -> Result<Option<u64>> {
        match self.entry(path)? {
            Some((id, Some(ObjectType::Blob))) => {
                Ok(Some(self.repo.odb()?.read_header(id)?.0 as u64))
            }
            _ => Ok(None),
        }
    }

    /// A file's text, `None` when there is no such file.
    pub fn read(&self, path: &str) -> Result<Option<String>> {
        match self.read_bytes(path)? {
            None => Ok(None),
            Some(bytes) => String::from_utf8(bytes)
                .map(Some)
                .map_err(|_| StoreError::NotText {
                    path: path.to_owned(),
                }),
        }
    }

    /// Whether a file or folder is at `path`.
    pub fn contains(&self, path: &str) -> bool {
        self.entry(path)
            .is_ok_and(|e| e.is_some_and(|(_, kind)| kind.is_some()))
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
                        is_file: e.kind() == Some(ObjectType::Blob)
                            && e.filemode() != i32::from(git2::FileMode::Link),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The regular files directly under `dir`, by name, with their blob
    /// ids: what a cache keyed by content needs, without reading a file.
    pub fn file_ids(&self, dir: &str) -> Result<Vec<(String, String)>> {
        Ok(self
            .tree_at(dir)?
            .map(|tree| {
                tree.iter()
                    .filter(|e| {
                        e.kind() == Some(ObjectType::Blob)
                            && e.filemode() != i32::from(git2::FileMode::Link)
                    })
                    .map(|e| (e.name().unwrap_or_default().to_owned(), e.id().to_string()))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Entries under `dir` that are neither files nor folders: symbolic links
    /// and submodules, with what they are.
    pub fn special_entries(&self, dir: &str) -> Result<Vec<(String, &'static str)>> {
        let Some(tree) = self.tree_at(dir)? else {
            return Ok(Vec::new());
        };
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let mut out = Vec::new();
        tree.walk(TreeWalkMode::PreOrder, |parent, entry| {
            let what = match entry.kind() {
                Some(ObjectType::Commit) => Some("submodule"),
                Some(ObjectType::Blob) if entry.filemode() == i32::from(git2::FileMode::Link) => {
                    Some("symbolic link")
                }
                _ => None,
            };
            if let Some(what) = what {
                let name = entry.name().unwrap_or_default();
                out.push((format!("{prefix}{parent}{name}"), what));
            }
            TreeWalkResult::Ok
        })?;
        Ok(out)
    }

    /// Every file under the folder `dir` (`""` for the whole branch), in tree
    /// order, by its full path, with its bytes when `wanted` says so for its
    /// path (an attachment need not be read to be listed). Symbolic links
    /// and submodules are left out (see [`Snapshot::special_entries`]).
    pub fn files(&self, dir: &str, wanted: impl Fn(&str) -> bool + Sync) -> Result<Vec<FileBytes>> {
        let listed = self.list_files(dir)?;
        self.listed_files(&listed, |_| true, wanted)
    }

    /// The files under the folder `dir`, listed once for several
    /// [`Snapshot::listed_files`]: a site export reads a big branch a slice
    /// at a time, and listing 100,000 issues' files took as long as reading
    /// a slice's.
    pub fn list_files(&self, dir: &str) -> Result<FileList> {
        let Some(tree) = self.tree_at(dir)? else {
            return Ok(FileList {
                dir: dir.to_owned(),
                tree: None,
                files: Vec::new(),
            });
        };
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let mut files = Vec::new();
        tree.walk(TreeWalkMode::PreOrder, |parent, entry| {
            if entry.kind() == Some(ObjectType::Blob)
                && entry.filemode() != i32::from(git2::FileMode::Link)
            {
                let path = format!("{prefix}{parent}{}", entry.name().unwrap_or_default());
                files.push((path, entry.id()));
            }
            TreeWalkResult::Ok
        })?;
        Ok(FileList {
            dir: dir.to_owned(),
            tree: Some(tree.id()),
            files,
        })
    }

    /// As [`Snapshot::files`], of the files `listed` names for which
    /// `include` says so: listed from this snapshot's tree, or they are
    /// listed again.
    pub fn listed_files(
        &self,
        listed: &FileList,
        include: impl Fn(&str) -> bool,
        wanted: impl Fn(&str) -> bool + Sync,
    ) -> Result<Vec<FileBytes>> {
        let here = self.tree_at(&listed.dir)?.map(|t| t.id());
        if here != listed.tree {
            return self.listed_files(&self.list_files(&listed.dir)?, include, wanted);
        }
        let ids: Vec<&(String, Oid)> = listed.files.iter().filter(|f| include(&f.0)).collect();
        // The files to read, by their place in `ids`: chunks are cut from
        // these, not from every path, or a caller that wants one part of
        // the branch (a site export reads a slice at a time) would find it
        // all in one chunk, on one core.
        let want: Vec<usize> = (0..ids.len()).filter(|&i| wanted(&ids[i].0)).collect();
        // Inflating the blobs is most of the cost: spread over the cores.
        let read = super::in_runs(self.repo, &want, PARALLEL_FROM, |repo, part| {
            part.iter()
                .map(|&i| Ok(repo.find_blob(ids[i].1)?.content().to_vec()))
                .collect::<Result<Vec<_>>>()
        })?;
        let mut bytes: Vec<Option<Vec<u8>>> = vec![None; ids.len()];
        for (&i, b) in want.iter().zip(read) {
            bytes[i] = Some(b);
        }
        Ok(ids
            .iter()
            .zip(bytes)
            .map(|((path, _), bytes)| (path.clone(), bytes))
            .collect())
    }
}

/// The files under one folder of one tree, by full path, as
/// [`Snapshot::list_files`] found them.
pub struct FileList {
    dir: String,
    tree: Option<Oid>,
    files: Vec<(String, Oid)>,
}
