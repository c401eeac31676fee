//! What the site keeps of each issue between exports: the row lists show,
//! the words search looks through, the links between issues, and the few
//! facts the dashboard and the known-issues page sum. Every page over many
//! issues and every data file is made from these alone, so that an export
//! after one change reads that issue's files, not 100,000.
//!
//! Kept in `<git common dir>/git-issue/site-catalog/` (one for the public
//! site, `site-catalog-confidential/` with confidential issues), beside the
//! search index and never in the published folder: a file of entries per
//! bucket of 1,000 numbers, in postcard, so that an export after one change
//! writes one bucket, not the whole catalog, and reads the buckets on every
//! core. It says which commit of the branch it
//! was read at; an export uses it only when the folder was last exported
//! from that same commit, and then reads again every issue the branch
//! changed since. A catalog that is missing, unreadable or of another
//! version only costs one full read: delete it at will.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::corpus::{Corpus, SiteIssue};
use super::views::{Row, row, words};
use crate::format::Config;
use crate::format::fields::{self, Val};
use crate::store::{CommitInfo, Store};
use crate::tracker::stats::SupportFacts;

/// What the pages over many issues need of one issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub row: Row,
    /// The distinct words of its title (see [`words`]). Kept in a file of
    /// their own beside the entries and read only when search needs them
    /// (see [`Catalog::load_words`]): empty until then.
    #[serde(skip)]
    pub title_words: String,
    /// Of its description and the comments the site shows.
    #[serde(skip)]
    pub text_words: String,
    pub duplicate_of: Option<String>,
    pub related: Vec<String>,
    pub support: SupportFacts,
    /// Flagged `known`.
    pub known: bool,
    pub votes: u64,
    /// The `Workaround` section of its description, for the known page.
    pub workaround: Option<String>,
    pub occurrences: u64,
    pub last_seen: Option<i64>,
    /// Names of its attached files.
    pub attachments: Vec<String>,
    /// Commits of the project it names.
    pub commits: Vec<String>,
}

impl Entry {
    pub fn of(e: &SiteIssue, config: &Config) -> Entry {
        let i = &e.issue;
        Entry {
            row: row(e, config),
            title_words: words(std::iter::once(i.title.as_str())),
            text_words: words(
                std::iter::once(i.body.as_str())
                    .chain(e.comments.iter().map(|c| c.comment.body.as_str())),
            ),
            duplicate_of: i.duplicate_of.clone(),
            related: i.related.clone(),
            support: SupportFacts::of(i, &e.comments, config),
            known: i.get(fields::named("known")) == Val::Flag(true),
            votes: fields::vote_count(i),
            workaround: super::escape::workaround(&i.body),
            occurrences: e.occurrences.occurrences,
            last_seen: e.occurrences.last_seen.map(|t| t.as_second()),
            attachments: e.attachments.clone(),
            commits: i.commits.clone(),
        }
    }
}

/// An entry's words as their file holds them: of its title, of its text.
type Words = (String, String);

/// The entries of every issue on the site, by number, and what says when
/// they may be used again.
#[derive(Debug, Default)]
pub struct Catalog {
    /// The commit of the issues branch its entries were read at.
    pub tip: String,
    /// Keys that have named more than one issue (confidential ones too):
    /// their history is told apart by reading everything again.
    pub shared: Vec<String>,
    /// Commits issues name that this clone did not have when it was read:
    /// one that arrives since changes those issues' pages.
    pub missing: Vec<String>,
    /// What the search files were cut into when last written, by the
    /// first two letters of their terms (see [`super::data`]): the names
    /// of their files. Empty until the data files are made.
    pub search: BTreeMap<String, Vec<String>>,
    /// The bound on numbers the data files' bitmaps were made for.
    pub max: u64,
    /// By number.
    pub entries: Vec<Entry>,
    /// The hash of each bucket's files (entries, words) as read or written.
    buckets: BTreeMap<u64, (u128, u128)>,
    /// The buckets whose entries hold their words: all of a catalog made
    /// from a corpus, those asked for of one loaded.
    worded: BTreeSet<u64>,
    /// Where it was loaded from, to read words from later.
    dir: Option<PathBuf>,
    /// Buckets whose entries changed since: written again by `save`.
    dirty: BTreeSet<u64>,
    /// Made from a whole corpus: every bucket is written.
    whole: bool,
}

/// The catalog's head: what says whether its buckets may be used.
#[derive(Debug, Serialize, Deserialize)]
struct Head {
    version: u32,
    /// The program and the site's format that wrote it.
    format: String,
    tip: String,
    shared: Vec<String>,
    missing: Vec<String>,
    search: BTreeMap<String, Vec<String>>,
    max: u64,
    /// Each bucket's number and the xxh3-128 of its two files' bytes
    /// (entries, words): a bucket written by another export meanwhile does
    /// not match, and the catalog is not used.
    buckets: Vec<(u64, u128, u128)>,
}

const CATALOG_VERSION: u32 = 3;

/// Issues per bucket file, as the branch buckets them.
const BUCKET: u64 = 1000;

const HEAD: &str = "head.bin";

/// The catalog's folder: per bucket of 1,000 numbers a file of entries
/// (`<b>.bin`) and one of their words (`<b>.w.bin`, two thirds of the
/// bytes, which an export after a change that leaves search alone never
/// reads), in postcard (compact binary, read and written an order of
/// magnitude quicker than JSON), and a head written last.
fn dir_of(store: &Store, include_confidential: bool) -> PathBuf {
    store.local_dir().join(if include_confidential {
        "site-catalog-confidential"
    } else {
        "site-catalog"
    })
}

/// Where versions before 2 kept the whole catalog, in one JSON file.
fn old_path(store: &Store, include_confidential: bool) -> PathBuf {
    store.local_dir().join(if include_confidential {
        "site-catalog-confidential.json"
    } else {
        "site-catalog.json"
    })
}

fn hash(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

/// Writes through a temporary file, so a reader never sees half of it.
fn write_file(path: &Path, bytes: &[u8]) -> bool {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, path).is_ok() {
        return true;
    }
    let _ = std::fs::remove_file(&tmp);
    false
}

impl Catalog {
    /// The catalog of a whole corpus.
    pub fn of(corpus: &Corpus) -> Catalog {
        use rayon::prelude::*;
        let entries: Vec<Entry> = corpus
            .entries
            .par_iter()
            .map(|e| Entry::of(e, &corpus.config))
            .collect();
        let mut catalog = Catalog {
            tip: corpus.tip.clone(),
            shared: corpus.shared_keys().iter().map(|k| k.to_string()).collect(),
            worded: entries.iter().map(|e| e.row.number / BUCKET).collect(),
            entries,
            whole: true,
            ..Catalog::default()
        };
        catalog.shared.sort();
        catalog.note_missing(&corpus.commits);
        catalog
    }

    /// The catalog of `entries` (by number) read at `tip`, where no key
    /// named more than one issue; `commits` are those this clone has.
    pub fn of_entries(
        tip: String,
        entries: Vec<Entry>,
        commits: &HashMap<String, CommitInfo>,
    ) -> Catalog {
        let mut catalog = Catalog {
            tip,
            worded: entries.iter().map(|e| e.row.number / BUCKET).collect(),
            entries,
            whole: true,
            ..Catalog::default()
        };
        catalog.note_missing(commits);
        catalog
    }

    /// Remembers which named commits `commits` lacks.
    pub fn note_missing(&mut self, commits: &HashMap<String, CommitInfo>) {
        let mut missing: Vec<String> = self
            .entries
            .iter()
            .flat_map(|e| e.commits.iter())
            .filter(|c| !commits.contains_key(*c))
            .cloned()
            .collect();
        missing.sort();
        missing.dedup();
        self.missing = missing;
    }

    /// The catalog this clone kept, when it was written by this version
    /// and all of it is there as its head says.
    pub fn load(store: &Store, include_confidential: bool) -> Option<Catalog> {
        Catalog::load_from(&dir_of(store, include_confidential))
    }

    /// Where [`Catalog::load`] reads from.
    pub fn path(store: &Store, include_confidential: bool) -> PathBuf {
        dir_of(store, include_confidential)
    }

    /// The commit the catalog kept in `dir` was made at, reading its head
    /// only.
    pub fn tip_at(dir: &Path) -> Option<String> {
        let head: Head = postcard::from_bytes(&std::fs::read(dir.join(HEAD)).ok()?).ok()?;
        Some(head.tip)
    }

    /// The catalog kept in `dir`, as [`Catalog::load`] reads it.
    pub fn load_from(dir: &Path) -> Option<Catalog> {
        use rayon::prelude::*;
        let head: Head = postcard::from_bytes(&std::fs::read(dir.join(HEAD)).ok()?).ok()?;
        if head.version != CATALOG_VERSION || head.format != super::FORMAT {
            return None;
        }
        let parts: Option<Vec<Vec<Entry>>> = head
            .buckets
            .par_iter()
            .map(|(b, h, _)| {
                let bytes = std::fs::read(dir.join(format!("{b}.bin"))).ok()?;
                if hash(&bytes) != *h {
                    return None;
                }
                let entries: Vec<Entry> = postcard::from_bytes(&bytes).ok()?;
                entries
                    .iter()
                    .all(|e| e.row.number / BUCKET == *b)
                    .then_some(entries)
            })
            .collect();
        let parts = parts?;
        let mut entries = Vec::with_capacity(parts.iter().map(Vec::len).sum());
        for p in parts {
            entries.extend(p);
        }
        if !entries
            .windows(2)
            .all(|w| w[0].row.number < w[1].row.number)
        {
            return None;
        }
        Some(Catalog {
            tip: head.tip,
            shared: head.shared,
            missing: head.missing,
            search: head.search,
            max: head.max,
            entries,
            buckets: head
                .buckets
                .into_iter()
                .map(|(b, e, w)| (b, (e, w)))
                .collect(),
            worded: BTreeSet::new(),
            dir: Some(dir.to_owned()),
            dirty: BTreeSet::new(),
            whole: false,
        })
    }

    /// Where the entries of bucket `b` are.
    fn range_of(&self, b: u64) -> std::ops::Range<usize> {
        let at = |n: u64| self.position(n).unwrap_or_else(|i| i);
        at(b * BUCKET)..at((b + 1) * BUCKET)
    }

    /// Reads the words of the entries of `buckets` (those of every entry
    /// when `None`), where they are not read yet. `false` when a file of
    /// words is missing or is not what the head says: the catalog is then
    /// not to be used.
    pub fn load_words(&mut self, buckets: Option<&BTreeSet<u64>>) -> bool {
        use rayon::prelude::*;
        let wanted: Vec<u64> = match buckets {
            Some(bs) => bs.iter().copied().collect(),
            None => self.buckets.keys().copied().collect(),
        };
        let mut files = Vec::new();
        for b in wanted {
            if self.worded.contains(&b) {
                continue;
            }
            match self.buckets.get(&b) {
                Some((_, h)) => files.push((b, *h)),
                // No file: a bucket of new entries only, which hold theirs.
                None if self.range_of(b).is_empty() => {
                    self.worded.insert(b);
                }
                None => return false,
            }
        }
        let wanted = files;
        if wanted.is_empty() {
            return true;
        }
        let Some(dir) = self.dir.clone() else {
            return false;
        };
        let read: Option<Vec<(u64, Vec<Words>)>> = wanted
            .par_iter()
            .map(|(b, h)| {
                let bytes = std::fs::read(dir.join(format!("{b}.w.bin"))).ok()?;
                (hash(&bytes) == *h)
                    .then(|| postcard::from_bytes(&bytes).ok())
                    .flatten()
                    .map(|w| (*b, w))
            })
            .collect();
        let Some(read) = read else {
            return false;
        };
        for (b, words) in read {
            let range = self.range_of(b);
            if range.len() != words.len() {
                return false;
            }
            for (e, (title, text)) in self.entries[range].iter_mut().zip(words) {
                e.title_words = title;
                e.text_words = text;
            }
            self.worded.insert(b);
        }
        true
    }

    /// Says that every entry holds its words.
    pub fn worded_all(&mut self) {
        self.worded = self.entries.iter().map(|e| e.row.number / BUCKET).collect();
    }

    /// The buckets of `numbers`.
    pub fn buckets_of(numbers: impl IntoIterator<Item = u64>) -> BTreeSet<u64> {
        numbers.into_iter().map(|n| n / BUCKET).collect()
    }

    /// Keeps it for the next export: the buckets that changed, then the
    /// head. A catalog that cannot be written only costs time then.
    pub fn save(&mut self, store: &Store, include_confidential: bool) {
        let dir = dir_of(store, include_confidential);
        if self.whole {
            let _ = std::fs::remove_file(old_path(store, include_confidential));
            let _ = std::fs::remove_dir_all(&dir);
            self.buckets.clear();
        }
        if std::fs::create_dir_all(&dir).is_err() {
            return;
        }
        // Until the head is written again, the buckets are not used.
        let head_path = dir.join(HEAD);
        if std::fs::remove_file(&head_path).is_err_and(|e| e.kind() != std::io::ErrorKind::NotFound)
        {
            return;
        }
        // A bucket that changed is written with its words: they were read
        // before it changed (see `load_words`); if not, the catalog is not
        // kept, whole exports cost time only.
        if self.dirty.iter().any(|b| !self.worded.contains(b)) {
            debug_assert!(false, "a changed bucket of the catalog without its words");
            return;
        }
        let mut present: BTreeSet<u64> = BTreeSet::new();
        let mut start = 0;
        while start < self.entries.len() {
            let b = self.entries[start].row.number / BUCKET;
            let end = self.entries[start..]
                .iter()
                .position(|e| e.row.number / BUCKET != b)
                .map_or(self.entries.len(), |p| start + p);
            present.insert(b);
            if self.whole || self.dirty.contains(&b) || !self.buckets.contains_key(&b) {
                let part = &self.entries[start..end];
                let words: Vec<(&str, &str)> = part
                    .iter()
                    .map(|e| (e.title_words.as_str(), e.text_words.as_str()))
                    .collect();
                let (Ok(bytes), Ok(wbytes)) =
                    (postcard::to_allocvec(part), postcard::to_allocvec(&words))
                else {
                    return;
                };
                if !write_file(&dir.join(format!("{b}.bin")), &bytes)
                    || !write_file(&dir.join(format!("{b}.w.bin")), &wbytes)
                {
                    return;
                }
                self.buckets.insert(b, (hash(&bytes), hash(&wbytes)));
            }
            start = end;
        }
        let gone: Vec<u64> = self
            .buckets
            .keys()
            .filter(|b| !present.contains(b))
            .copied()
            .collect();
        for b in gone {
            let _ = std::fs::remove_file(dir.join(format!("{b}.bin")));
            let _ = std::fs::remove_file(dir.join(format!("{b}.w.bin")));
            self.buckets.remove(&b);
        }
        let head = Head {
            version: CATALOG_VERSION,
            format: super::FORMAT.to_owned(),
            tip: self.tip.clone(),
            shared: self.shared.clone(),
            missing: self.missing.clone(),
            search: self.search.clone(),
            max: self.max,
            buckets: self
                .buckets
                .iter()
                .map(|(b, (e, w))| (*b, *e, *w))
                .collect(),
        };
        if let Ok(bytes) = postcard::to_allocvec(&head) {
            write_file(&head_path, &bytes);
        }
        self.dirty.clear();
        self.whole = false;
    }

    /// Removes the kept catalog.
    pub fn forget(store: &Store, include_confidential: bool) {
        let _ = std::fs::remove_file(old_path(store, include_confidential));
        let _ = std::fs::remove_dir_all(dir_of(store, include_confidential));
    }

    /// Where the entry of issue `number` is, or would go.
    pub fn position(&self, number: u64) -> Result<usize, usize> {
        self.entries.binary_search_by_key(&number, |e| e.row.number)
    }

    /// Puts `entry` in its place; returns the one it replaces.
    pub fn put(&mut self, entry: Entry) -> Option<Entry> {
        self.dirty.insert(entry.row.number / BUCKET);
        match self.position(entry.row.number) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i], entry)),
            Err(i) => {
                self.entries.insert(i, entry);
                None
            }
        }
    }

    /// Takes out the entry of issue `number`, if there is one.
    pub fn remove(&mut self, number: u64) -> Option<Entry> {
        let i = self.position(number).ok()?;
        self.dirty.insert(number / BUCKET);
        Some(self.entries.remove(i))
    }
}
