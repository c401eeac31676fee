//! What an export does: a whole export, or one after changes, and what
//! those changes touch (the catalog before them, the pages and data files
//! they reach).

use super::catalog::{Catalog, Entry};
use super::corpus::{Corpus, SiteIssue};
use super::history::HistoryCache;
use super::{SiteError, data, listing, views};
use crate::format::Key;
use crate::format::layout::BranchPath;
use crate::tracker::Tracker;

/// What an export renders the issue pages from.
pub(super) struct Plan {
    /// Every issue on the site.
    pub(super) catalog: Catalog,
    /// The issues whose pages and attachments are made again: every issue
    /// (a whole export), or those the branch changed since the folder's
    /// commit and those whose pages show them.
    pub(super) corpus: Corpus,
    /// After changes: what the catalog held before them. `None` for a
    /// whole export.
    pub(super) before: Option<Before>,
}

/// The catalog before the changes of an export after changes.
pub(super) struct Before {
    /// How the whole list was cut into pages.
    pub(super) layout: listing::Layout,
    /// The entries of the changed issues that were on the site.
    pub(super) entries: std::collections::BTreeMap<u64, Entry>,
    /// The numbers of the changed issues.
    pub(super) numbers: Vec<u64>,
}

/// What changes touch of the pages over many issues and of the data files.
pub(super) struct Touches {
    /// The numbers of the issues whose entries changed.
    pub(super) numbers: std::collections::BTreeSet<u64>,
    /// The search groups of the words that came or went.
    pub(super) groups: std::collections::BTreeSet<String>,
    pub(super) listings: views::Touched,
}

impl Before {
    /// What the changes did, the catalog being as they left it.
    pub(super) fn touches(&self, catalog: &Catalog) -> Touches {
        use std::collections::BTreeSet;
        let mut t = Touches {
            numbers: BTreeSet::new(),
            groups: BTreeSet::new(),
            listings: views::Touched::default(),
        };
        for n in &self.numbers {
            let old = self.entries.get(n);
            let new = catalog.position(*n).ok().map(|i| &catalog.entries[i]);
            if old == new {
                continue;
            }
            t.numbers.insert(*n);
            for e in [old, new].into_iter().flatten() {
                t.listings.labels.extend(e.row.labels.iter().cloned());
                t.listings
                    .milestones
                    .extend(e.row.milestone.iter().cloned());
            }
            // Words that came or went: their groups' files change.
            for title in [true, false] {
                let set = |e: Option<&Entry>| -> BTreeSet<String> {
                    let Some(e) = e else {
                        return BTreeSet::new();
                    };
                    let words = if title { &e.title_words } else { &e.text_words };
                    words
                        .split(' ')
                        .filter(|w| !w.is_empty())
                        .map(str::to_owned)
                        .collect()
                };
                let (a, b) = (set(old), set(new));
                let moved: Vec<&str> = a.symmetric_difference(&b).map(String::as_str).collect();
                data::groups_of(&moved.join(" "), &mut t.groups);
            }
        }
        let layout = listing::Layout::of(catalog.entries.iter().map(|e| e.row.number));
        t.listings.buckets = (layout == self.layout)
            .then(|| t.numbers.iter().map(|n| n / views::PAGE as u64).collect());
        t
    }
}

/// Beyond this many changed issues, reading the whole branch is as quick.
const CHANGED_MAX: usize = 2000;

/// The plan of an export into a folder last exported from `catalog.tip`:
/// `None` when only a whole export will do (settings changed, keys
/// renumbered, files that do not parse, too much changed).
pub(super) fn changes_since(
    tracker: &Tracker,
    mut catalog: Catalog,
    include_confidential: bool,
    history: &mut HistoryCache,
) -> Result<Option<Plan>, SiteError> {
    let store = tracker.store();
    let from = |e: crate::store::StoreError| SiteError::Corpus(e.into());
    let Some(tip) = store.tip().map_err(from)?.map(|o| o.to_string()) else {
        return Ok(None);
    };
    let mut changed: std::collections::BTreeSet<Key> = Default::default();
    for path in store
        .changed_files(Some(&catalog.tip), Some(&tip))
        .map_err(from)?
    {
        match BranchPath::parse(&path).key() {
            Some(k) => changed.insert(k.clone()),
            None => return Ok(None),
        };
    }
    if changed.len() > CHANGED_MAX
        || catalog
            .shared
            .iter()
            .any(|k| k.parse::<Key>().is_ok_and(|k| changed.contains(&k)))
    {
        return Ok(None);
    }
    let keys: Vec<Key> = changed.iter().cloned().collect();
    // The words of the changed issues as they were, and of their buckets,
    // which are written again.
    if !catalog.load_words(Some(&Catalog::buckets_of(keys.iter().map(|k| k.number)))) {
        return Ok(None);
    }
    let mut corpus = Corpus::read_keys(tracker, &tip, &keys, include_confidential, history)?;
    if !corpus.problems.is_empty() || !corpus.shared_keys().is_empty() {
        return Ok(None);
    }
    let config = corpus.config.clone();
    let names = |text: &str| Key::parse_with_default(text, &config.key);

    // Pages that show a changed issue: the originals of its duplicates
    // (before and after), and those that link to it.
    let mut shown: std::collections::BTreeSet<Key> = Default::default();
    let mut before = Before {
        layout: listing::Layout::of(catalog.entries.iter().map(|e| e.row.number)),
        entries: Default::default(),
        numbers: keys.iter().map(|k| k.number).collect(),
    };
    for k in &keys {
        if let Some(old) = catalog.remove(k.number) {
            if let Some(d) = old.duplicate_of.as_deref().and_then(names) {
                shown.insert(d);
            }
            before.entries.insert(k.number, old);
        }
    }
    let mut commits_now = std::mem::take(&mut catalog.missing);
    for e in &corpus.entries {
        let entry = Entry::of(e, &config);
        if let Some(d) = entry.duplicate_of.as_deref().and_then(names) {
            shown.insert(d);
        }
        commits_now.extend(entry.commits.iter().cloned());
        catalog.put(entry);
    }
    // Commits named before that this clone has now.
    let arrived: std::collections::HashSet<String> = commits_now
        .iter()
        .filter(|c| !corpus.commits.contains_key(*c) && store.commit_info(c).is_some())
        .cloned()
        .collect();
    for e in &catalog.entries {
        let key_of = || e.row.key.parse::<Key>().ok();
        let links = e
            .duplicate_of
            .iter()
            .chain(&e.related)
            .filter_map(|t| names(t))
            .any(|k| changed.contains(&k));
        if links || e.commits.iter().any(|c| arrived.contains(c)) {
            shown.extend(key_of());
        }
    }
    let extra: Vec<Key> = shown
        .into_iter()
        .filter(|k| !changed.contains(k) && catalog.position(k.number).is_ok())
        .collect();
    if !extra.is_empty() {
        let more = Corpus::read_keys(tracker, &tip, &extra, include_confidential, history)?;
        if !more.problems.is_empty() || !more.shared_keys().is_empty() {
            return Ok(None);
        }
        corpus.entries.extend(more.entries);
        corpus.entries.sort_by_key(|e| e.key.number);
        corpus.commits.extend(more.commits);
    }
    // Words that came or went, or a new bound for the bitmaps: the search
    // files are made again from the words of every issue.
    let words_moved = before.numbers.iter().any(|n| {
        let old = before.entries.get(n);
        let new = catalog.position(*n).ok().map(|i| &catalog.entries[i]);
        old.map(|e| (&e.title_words, &e.text_words)) != new.map(|e| (&e.title_words, &e.text_words))
    });
    let bound = catalog.entries.last().map_or(0, |e| e.row.number) | 1023;
    if (words_moved || bound != catalog.max) && !catalog.load_words(None) {
        return Ok(None);
    }
    commits_now.retain(|c| store.commit_info(c).is_none());
    commits_now.sort();
    commits_now.dedup();
    catalog.missing = commits_now;
    catalog.tip = tip;
    Ok(Some(Plan {
        catalog,
        corpus,
        before: Some(before),
    }))
}

/// The issues of a whole export read a slice of numbers at a time (see
/// [`stream`]).
pub(super) struct Streamed {
    /// The plan: the catalog of every issue, and a corpus of the issues
    /// whose pages are still to make (those that show other issues).
    pub(super) plan: Plan,
    /// The issues whose pages were made before every issue was read: an
    /// original of duplicates among them is made again.
    pub(super) early: std::collections::HashSet<u64>,
}

/// A whole export's plan read a slice of numbers at a time, each slice
/// parsed once: the pages of the issues that show no other issue are
/// rendered (by `pages`) as their slice is read and their parsed files
/// dropped, so that memory holds the catalog and one slice, never every
/// parsed issue. `None` when one read will do: a branch of one slice, or
/// keys that named more than one issue (whose histories need every issue).
pub(super) fn stream(
    tracker: &Tracker,
    include: bool,
    slice: u64,
    history: &mut HistoryCache,
    mut pages: impl FnMut(&Corpus, &[(&SiteIssue, &Entry)]) -> Result<(), SiteError>,
) -> Result<Option<Streamed>, SiteError> {
    use rayon::prelude::*;
    let from = |e: crate::store::StoreError| SiteError::Corpus(e.into());
    let Some(tip) = tracker.store().tip().map_err(from)?.map(|o| o.to_string()) else {
        return Ok(None);
    };
    let bound = tracker
        .bucket_bound(&tip)
        .map_err(|e| SiteError::Corpus(e.into()))?;
    if bound <= slice {
        return Ok(None);
    }
    // Files lying outside their number's bucket fall in the last slice.
    let mut ranges: Vec<std::ops::Range<u64>> = (0..bound)
        .step_by(slice as usize)
        .map(|s| s..(s + slice).min(bound))
        .collect();
    ranges.push(bound..u64::MAX);
    let mut entries: Vec<Entry> = Vec::new();
    let mut parts = Vec::new();
    let mut later: Vec<SiteIssue> = Vec::new();
    let mut early = std::collections::HashSet::new();
    let mut first: Option<(String, crate::format::Config)> = None;
    // The history, walked meanwhile by `git` (see `store::log`).
    history.prefetch(tracker.store(), &tip);
    // The branch's files are listed once, not once a slice (0.7 s each at
    // 100,000 issues, on one core while the other waited).
    let listed = tracker
        .issue_files(&tip)
        .map_err(|e| SiteError::Corpus(e.into()))?;
    // One slice after the other, on this thread: a thread of its own
    // reading the next slice while this one made the pages of the last
    // held two slices at once (760 to 820 MB at 100,000 issues against
    // 650 to 680 MB) and, on 2 cores already busy making pages, was no
    // quicker.
    for numbers in ranges {
        let end = numbers.end;
        let mut part = Corpus::read_in(tracker, &tip, numbers, &listed, include, history)?;
        // The slice's issues have their history: the next slices do not
        // need it in memory (a tenth of the heap at 100,000 issues). An
        // original whose page is made again at the end reads its bucket
        // back from the file (from the branch, should another export have
        // rewritten the cache meanwhile).
        history.release_below(end);
        if !part.shared_keys().is_empty() {
            return Ok(None);
        }
        let made: Vec<Entry> = part
            .entries
            .par_iter()
            .map(|e| Entry::of(e, &part.config))
            .collect();
        // A page that shows another issue waits for every issue's row.
        let (now, wait): (Vec<usize>, Vec<usize>) = (0..made.len())
            .partition(|i| made[*i].duplicate_of.is_none() && made[*i].related.is_empty());
        let shown: Vec<(&SiteIssue, &Entry)> =
            now.iter().map(|i| (&part.entries[*i], &made[*i])).collect();
        pages(&part, &shown)?;
        early.extend(shown.iter().map(|(_, e)| e.row.number));
        drop(shown);
        let mut keep: Vec<bool> = vec![false; made.len()];
        for i in wait {
            keep[i] = true;
        }
        for (at, e) in std::mem::take(&mut part.entries).into_iter().enumerate() {
            if keep[at] {
                later.push(e);
            }
        }
        entries.extend(made);
        if first.is_none() {
            first = Some((part.project.clone(), part.config.clone()));
        }
        parts.push(part);
    }
    let Some((project, config)) = first else {
        return Ok(None);
    };
    let mut corpus = Corpus::of_slices(tip.clone(), project, config, parts);
    let catalog = Catalog::of_entries(tip, entries, &corpus.commits);
    corpus.entries = later;
    Ok(Some(Streamed {
        plan: Plan {
            catalog,
            corpus,
            before: None,
        },
        early,
    }))
}
