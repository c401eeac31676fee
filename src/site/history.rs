//! The branch's history with the paths each commit changed, kept between
//! exports so that an export after one change walks one commit, not the
//! whole history, and reads the history of the issues it renders, not of
//! every issue.
//!
//! It lives in `<git common dir>/git-issue/site-history/` (beside the
//! search index, never in the published folder), in postcard:
//!
//! - `head.bin`: the commit it is up to date with, and a stamp for each
//!   bucket file;
//! - `<b>.bin`: the commits that changed issues numbered `b * 1000` to
//!   `b * 1000 + 999`, newest first, each with the paths of those issues
//!   only (an import names every issue; each bucket keeps its thousand).
//!
//! A bucket file is written before the head that names its stamp. A bucket
//! whose stamp the head does not name (an export stopped between the two
//! writes, or two exports saving at once) makes the whole cache read again
//! from the branch: it is a cache, and one walk mends it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::format::layout::{self, BranchPath};
use crate::store::{Revision, Store, StoreError};

const VERSION: u32 = 4;

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Head {
    version: u32,
    tip: Option<String>,
    /// Each bucket file there is, by its stamp.
    buckets: BTreeMap<u64, u64>,
}

impl Default for Head {
    fn default() -> Head {
        Head {
            version: VERSION,
            tip: None,
            buckets: BTreeMap::new(),
        }
    }
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct BucketFile {
    stamp: u64,
    commits: Vec<Revision>,
}

/// A [`BucketFile`] to write, without copying its commits.
#[derive(serde::Serialize)]
struct BucketRef<'a> {
    stamp: u64,
    commits: &'a [Revision],
}

#[derive(Debug, Default)]
pub struct HistoryCache {
    head: Head,
    /// The buckets read so far (or made by a walk), newest commit first.
    loaded: BTreeMap<u64, Vec<Revision>>,
    /// Buckets changed since they were read.
    dirty: BTreeSet<u64>,
    /// Where it is kept; `None`: nowhere (a cache for one run).
    dir: Option<PathBuf>,
    /// The head changed.
    head_dirty: bool,
    /// The whole branch was walked, not only new commits.
    walked_all: bool,
    /// A walk started by [`HistoryCache::prefetch`], with the cache's tip
    /// when it was started.
    pending: Option<(Option<String>, crate::store::PendingChanges)>,
}

impl HistoryCache {
    /// The cache of this clone; empty when missing or unreadable.
    pub fn load(store: &Store) -> HistoryCache {
        HistoryCache::load_from(HistoryCache::path(store))
    }

    /// Where the cache of this clone is: a folder.
    pub fn path(store: &Store) -> PathBuf {
        store.local_dir().join("site-history")
    }

    /// The cache kept in `dir`; empty when missing or unreadable. Only its
    /// head is read here; a bucket is read when an issue of it is asked for.
    /// A clone with only the one-file cache of versions before 4 (beside
    /// `dir`) has it split into buckets, not walked again.
    pub fn load_from(dir: PathBuf) -> HistoryCache {
        let head = std::fs::read(dir.join("head.bin"))
            .ok()
            .and_then(|b| postcard::from_bytes::<Head>(&b).ok())
            .filter(|h| h.version == VERSION);
        if head.is_none()
            && let Some(old) = dir
                .parent()
                .and_then(|p| read_old(&p.join("site-history.bin")))
        {
            let loaded = by_bucket(old.commits);
            return HistoryCache {
                head: Head {
                    tip: old.tip,
                    ..Head::default()
                },
                dirty: loaded.keys().copied().collect(),
                loaded,
                dir: Some(dir),
                head_dirty: true,
                // Written whole, and the old file removed.
                walked_all: true,
                pending: None,
            };
        }
        HistoryCache {
            head: head.unwrap_or_default(),
            dir: Some(dir),
            ..HistoryCache::default()
        }
    }

    /// Brings the history up to `tip`: only the new commits when the old
    /// tip is an ancestor, else the whole branch again (history rewritten).
    pub fn update(&mut self, store: &Store, tip: &str) -> Result<(), StoreError> {
        if self.head.tip.as_deref() == Some(tip) {
            return Ok(());
        }
        let started = self
            .pending
            .take()
            .filter(|(from, p)| *from == self.head.tip && p.is_for(tip, layout::ISSUES));
        let (since, fresh) = match started {
            // Started from this same cache: where it starts was decided
            // then, and asking again would walk the branch again when
            // its history was rewritten.
            Some((_, p)) => (p.since().map(str::to_owned), p.wait(store)?),
            None => {
                let since = self.since(store, tip);
                let fresh = store.changes(tip, since.as_deref(), layout::ISSUES)?;
                (since, fresh)
            }
        };
        let mut split = by_bucket(fresh);
        if since.is_some() {
            let touched: Vec<u64> = split.keys().copied().collect();
            if !self.read(&touched) {
                return self.walk(store, tip);
            }
            for (b, mut new) in split {
                let old = self.loaded.entry(b).or_default();
                new.append(old);
                *old = new;
                self.dirty.insert(b);
            }
        } else {
            self.loaded = std::mem::take(&mut split);
            self.dirty = self.loaded.keys().copied().collect();
            self.head.buckets.clear();
            self.walked_all = true;
        }
        self.head.tip = Some(tip.to_owned());
        self.head_dirty = true;
        Ok(())
    }

    /// Starts the walk [`HistoryCache::update`] to `tip` will need, on a
    /// thread of its own: reading the branch's files meanwhile does not wait
    /// for it (the whole history of 100,000 commits takes seconds).
    pub fn prefetch(&mut self, store: &Store, tip: &str) {
        if self.head.tip.as_deref() != Some(tip) {
            let since = self.since(store, tip);
            let walk = store.changes_later(tip, since.as_deref(), layout::ISSUES);
            self.pending = Some((self.head.tip.clone(), walk));
        }
    }

    /// Where a walk up to `tip` starts: the cache's tip when it is an
    /// ancestor, else the beginning.
    fn since(&self, store: &Store, tip: &str) -> Option<String> {
        self.head
            .tip
            .clone()
            .filter(|old| store.is_ancestor(old, tip))
    }

    /// The whole branch again, up to `tip`.
    fn walk(&mut self, store: &Store, tip: &str) -> Result<(), StoreError> {
        self.head.tip = None;
        self.update(store, tip)
    }

    /// The commits that changed the issues of `buckets` (every bucket:
    /// `None`), each bucket newest first, with the paths of those issues.
    /// Call [`HistoryCache::update`] first.
    pub fn commits_in(
        &mut self,
        store: &Store,
        buckets: Option<&BTreeSet<u64>>,
    ) -> Result<Vec<&Revision>, StoreError> {
        let wanted: Vec<u64> = match buckets {
            Some(b) => b.iter().copied().collect(),
            None => self.head.buckets.keys().copied().collect(),
        };
        if !self.read(&wanted) {
            let tip = self.head.tip.clone().unwrap_or_default();
            self.walk(store, &tip)?;
        }
        Ok(match buckets {
            Some(b) => b
                .iter()
                .filter_map(|b| self.loaded.get(b))
                .flatten()
                .collect(),
            None => self.loaded.values().flatten().collect(),
        })
    }

    /// Reads the files of `buckets` not read yet, on every core. False when
    /// one does not match the head: the cache must be made again.
    fn read(&mut self, buckets: &[u64]) -> bool {
        let Some(dir) = &self.dir else {
            return true;
        };
        let missing: Vec<(u64, u64)> = buckets
            .iter()
            .filter(|b| !self.loaded.contains_key(b))
            .filter_map(|b| self.head.buckets.get(b).map(|s| (*b, *s)))
            .collect();
        let read: Vec<Option<(u64, Vec<Revision>)>> = missing
            .par_iter()
            .map(|(b, stamp)| {
                let bytes = std::fs::read(bucket_path(dir, *b)).ok()?;
                let file: BucketFile = postcard::from_bytes(&bytes).ok()?;
                (file.stamp == *stamp).then_some((*b, file.commits))
            })
            .collect();
        for r in read {
            let Some((b, commits)) = r else {
                return false;
            };
            self.loaded.insert(b, commits);
        }
        true
    }

    /// Writes back what changed: the buckets first, then the head that
    /// names them. A cache that cannot be written only costs time on the
    /// next export.
    pub fn save(&mut self) {
        let Some(dir) = self.dir.clone() else {
            return;
        };
        if !self.head_dirty && self.dirty.is_empty() {
            return;
        }
        let dirty: Vec<u64> = self.dirty.iter().copied().collect();
        if !self.write(&dirty) {
            // A head naming what is not written would hide those issues'
            // history: without one, the next export makes it again.
            let _ = std::fs::remove_file(dir.join("head.bin"));
            return;
        }
        if let Ok(bytes) = postcard::to_allocvec(&self.head) {
            replace(&dir.join("head.bin"), &bytes);
        }
        self.head_dirty = false;
    }

    /// Writes the buckets of every number below `end` that changed and
    /// lets go of them, for a whole export that is done with those issues:
    /// read again from their files if asked for. A bucket that cannot be
    /// written is kept in memory.
    pub fn release_below(&mut self, end: u64) {
        if self.dir.is_none() {
            return;
        }
        // Bucket `b` holds numbers below `(b + 1) * BUCKET_SIZE`.
        let done = end / layout::BUCKET_SIZE;
        let these: Vec<u64> = self.loaded.range(..done).map(|(b, _)| *b).collect();
        let dirty: Vec<u64> = these
            .iter()
            .copied()
            .filter(|b| self.dirty.contains(b))
            .collect();
        self.write(&dirty);
        for b in these {
            if !self.dirty.contains(&b) {
                self.loaded.remove(&b);
            }
        }
    }

    /// Writes the files of `buckets`, each with a new stamp that the head
    /// (in memory) now names. False when one could not be written.
    fn write(&mut self, buckets: &[u64]) -> bool {
        let Some(dir) = self.dir.clone() else {
            return false;
        };
        if buckets.is_empty() {
            return true;
        }
        if self.walked_all {
            // Versions before 4 kept one file for every issue.
            if let Some(parent) = dir.parent() {
                let _ = std::fs::remove_file(parent.join("site-history.bin"));
                let _ = std::fs::remove_file(parent.join("site-history.json"));
            }
        }
        let base = stamp_base(self.head.tip.as_deref().unwrap_or(""));
        let written: Vec<(u64, Option<u64>)> = buckets
            .par_iter()
            .map(|b| {
                let stamp = base ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15);
                let file = BucketRef {
                    stamp,
                    commits: self.loaded.get(b).map_or(&[], Vec::as_slice),
                };
                let ok = postcard::to_allocvec(&file)
                    .ok()
                    .is_some_and(|bytes| replace(&bucket_path(&dir, *b), &bytes));
                (*b, ok.then_some(stamp))
            })
            .collect();
        let mut all = true;
        for (b, stamp) in written {
            match stamp {
                Some(s) => {
                    self.head.buckets.insert(b, s);
                    self.dirty.remove(&b);
                }
                None => all = false,
            }
        }
        self.head_dirty = true;
        all
    }
}

/// The one-file cache of versions before 4: every commit with every path.
#[derive(serde::Serialize, serde::Deserialize)]
struct OldCache {
    version: u32,
    tip: Option<String>,
    commits: Vec<Revision>,
}

/// The version the one-file cache had last.
const OLD_VERSION: u32 = 3;

fn read_old(path: &Path) -> Option<OldCache> {
    let old: OldCache = postcard::from_bytes(&std::fs::read(path).ok()?).ok()?;
    (old.version == OLD_VERSION).then_some(old)
}

/// Revisions split by the bucket of the issues they changed: each keeps
/// the paths of its bucket's issues only. Paths of no issue are dropped.
fn by_bucket(revisions: Vec<Revision>) -> BTreeMap<u64, Vec<Revision>> {
    let mut out: BTreeMap<u64, Vec<Revision>> = BTreeMap::new();
    for r in revisions {
        let mut paths: BTreeMap<u64, Vec<String>> = BTreeMap::new();
        for p in &r.paths {
            if let Some(k) = BranchPath::parse(p).key() {
                paths
                    .entry(layout::bucket(k.number))
                    .or_default()
                    .push(p.clone());
            }
        }
        for (b, paths) in paths {
            out.entry(b).or_default().push(r.with_paths(paths));
        }
    }
    out
}

fn bucket_path(dir: &Path, bucket: u64) -> PathBuf {
    dir.join(format!("{bucket}.bin"))
}

/// A stamp no other save is likely to give: of the tip, the process and
/// the time.
fn stamp_base(tip: &str) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let seed = format!("{tip} {} {nanos}", std::process::id());
    xxhash_rust::xxh3::xxh3_64(seed.as_bytes())
}

/// Writes `path` whole or not at all (and its folder if missing).
fn replace(path: &Path, bytes: &[u8]) -> bool {
    crate::tracker::replace_local_file(path, bytes).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Key;
    use crate::store::{Change, Edit};

    fn store() -> (tempfile::TempDir, Store) {
        let (dir, _repo) = crate::store::test_repository();
        let store = Store::discover(dir.path()).unwrap();
        (dir, store)
    }

    fn commit(store: &Store, message: &str, paths: &[&str]) -> String {
        let edits: Vec<Edit> = paths
            .iter()
            .map(|p| Edit::Write {
                path: (*p).to_owned(),
                content: format!("{message}\n").into_bytes(),
            })
            .collect();
        store
            .commit(|_| {
                Ok::<_, StoreError>(Some(Change {
                    message: message.to_owned(),
                    edits: edits.clone(),
                }))
            })
            .unwrap()
            .unwrap()
    }

    /// An issue in bucket 0 and one in bucket 1.
    const SMALL: &str = "issues/0/0/1/BC-12.md";
    const BIG: &str = "issues/1/2/3/BC-1234.md";

    /// A repository whose first commit (`both`) writes both.
    fn with_both() -> (tempfile::TempDir, Store) {
        let (dir, store) = store();
        commit(&store, "both", &[SMALL, BIG]);
        (dir, store)
    }

    /// The cache kept at `at`, brought up to the branch's tip.
    fn fresh(at: &Path, store: &Store) -> HistoryCache {
        let mut cache = HistoryCache::load_from(at.to_owned());
        let tip = store.tip().unwrap().unwrap().to_string();
        cache.update(store, &tip).unwrap();
        cache
    }

    /// The messages of the commits that changed the issue at `key`.
    fn of(cache: &mut HistoryCache, store: &Store, key: &str) -> Vec<String> {
        let key: Key = key.parse().unwrap();
        let bucket = BTreeSet::from([layout::bucket(key.number)]);
        let commits = cache.commits_in(store, Some(&bucket)).unwrap();
        commits
            .iter()
            .filter(|r| {
                r.paths
                    .iter()
                    .any(|p| BranchPath::parse(p).key() == Some(&key))
            })
            .map(|r| r.message.clone())
            .collect()
    }

    #[test]
    fn each_bucket_keeps_its_own_issues_and_is_read_only_when_asked_for() {
        let (dir, store) = with_both();
        commit(&store, "small", &[SMALL]);
        commit(&store, "big", &["issues/1/2/3/BC-1234/comments/01J.md"]);
        let at = dir.path().join("cache");
        let mut cache = fresh(&at, &store);
        assert_eq!(of(&mut cache, &store, "BC-12"), ["small", "both"]);
        assert_eq!(of(&mut cache, &store, "BC-1234"), ["big", "both"]);
        // The import-like commit keeps, in each bucket, that bucket's paths.
        let zero = &cache.loaded[&0];
        assert_eq!(zero.last().unwrap().paths, [SMALL]);
        cache.save();

        // One more change to BC-12: the next export reads bucket 0 only.
        commit(&store, "small again", &[SMALL]);
        let mut cache = HistoryCache::load_from(at.clone());
        assert!(cache.loaded.is_empty());
        let tip = store.tip().unwrap().unwrap().to_string();
        cache.update(&store, &tip).unwrap();
        assert_eq!(
            of(&mut cache, &store, "BC-12"),
            ["small again", "small", "both"]
        );
        assert_eq!(cache.loaded.keys().collect::<Vec<_>>(), [&0]);
        // A whole export lets go of a slice's buckets once it has read them.
        cache.release_below(1000);
        assert_eq!(cache.loaded.keys().collect::<Vec<_>>(), Vec::<&u64>::new());
        assert_eq!(
            of(&mut cache, &store, "BC-12"),
            ["small again", "small", "both"]
        );
        cache.save();
        let mut cache = HistoryCache::load_from(at.clone());
        assert_eq!(of(&mut cache, &store, "BC-1234"), ["big", "both"]);
        assert_eq!(
            of(&mut cache, &store, "BC-12"),
            ["small again", "small", "both"]
        );
    }

    #[test]
    fn the_one_file_cache_of_before_is_split_not_walked_again() {
        let (dir, store) = with_both();
        let tip = store.tip().unwrap().unwrap().to_string();
        // What an export of version 3 left: its own reading of the branch,
        // told apart here by its messages.
        let revision = |message: &str, paths: &[&str]| Revision {
            commit: tip.clone(),
            author: "Alice Example".into(),
            email: "alice@example.com".into(),
            time: jiff::Timestamp::UNIX_EPOCH,
            message: message.into(),
            paths: paths.iter().map(|p| (*p).to_owned()).collect(),
            parents: 0,
        };
        let old = OldCache {
            version: OLD_VERSION,
            tip: Some(tip.clone()),
            commits: vec![revision("remembered", &[SMALL, BIG, "issues/deleted.yml"])],
        };
        let file = dir.path().join("site-history.bin");
        std::fs::write(&file, postcard::to_allocvec(&old).unwrap()).unwrap();
        let at = dir.path().join("site-history");
        let mut cache = fresh(&at, &store);
        assert_eq!(of(&mut cache, &store, "BC-12"), ["remembered"]);
        assert_eq!(of(&mut cache, &store, "BC-1234"), ["remembered"]);
        assert_eq!(cache.loaded[&1][0].paths, [BIG]);
        cache.save();
        assert!(!file.exists(), "the old file is removed once split");
        // New commits join it as they would any cache.
        commit(&store, "small", &[SMALL]);
        let mut cache = fresh(&at, &store);
        assert_eq!(of(&mut cache, &store, "BC-12"), ["small", "remembered"]);
    }

    #[test]
    fn a_bucket_the_head_does_not_name_makes_the_cache_again() {
        let (dir, store) = with_both();
        let at = dir.path().join("cache");
        fresh(&at, &store).save();
        // An export stopped after writing bucket 1 and before the head: the
        // bucket holds a commit the head's tip does not have.
        commit(&store, "big", &[BIG]);
        let head = std::fs::read(at.join("head.bin")).unwrap();
        fresh(&at, &store).save();
        std::fs::write(at.join("head.bin"), head).unwrap();

        let mut cache = fresh(&at, &store);
        assert_eq!(of(&mut cache, &store, "BC-1234"), ["big", "both"]);
        assert_eq!(of(&mut cache, &store, "BC-12"), ["both"]);
        // A bucket file that is not postcard at all: the same.
        cache.save();
        std::fs::write(at.join("1.bin"), b"not a cache").unwrap();
        commit(&store, "big again", &[BIG]);
        let mut cache = fresh(&at, &store);
        assert_eq!(
            of(&mut cache, &store, "BC-1234"),
            ["big again", "big", "both"]
        );
    }
}
