//! Queries, served from the index, which every read first brings up to date
//! with the branch tip by diffing the tree it reflects against the tip's:
//! a change made by anyone (a fetch, `git update-ref`, another process) is
//! seen by the next command and costs in proportion to what changed.
//!
//! When the index cannot be used at all (a disk error, a lock held too
//! long), the same query is answered by reading the files, so a read never
//! fails for the sake of a cache.

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::audience::Audience;
use super::read::{
    OccurrenceTexts, comments_by_audience, comments_text, issue_files, load, locate,
    occurrence_texts, parse_occurrences, read_config, scan, tally_of,
};
use super::{Count, Error, Listing, Problem, Record, Result, Tracker};
use crate::format::layout::{self, BranchPath};
use crate::format::occurrence::Tally;
use crate::format::{Config, Issue, Key, Summary};
use crate::index::{Index, IndexError, IssueDoc, SCHEMA_VERSION, State, Tallied, Update, Words};
use crate::query::{Expr, Field, Query, Sort, TextFields};
use crate::store::{Snapshot, StoreError};

/// Told how far a long job (a rebuild of the index, an import) has got.
pub trait Progress {
    fn start(&self, _what: &str, _total: u64) {}
    fn advance(&self, _n: u64) {}
    fn finish(&self) {}
}

/// No progress to show.
pub struct Quiet;

impl Progress for Quiet {}

/// What a `list` or `search` found.
#[derive(Debug, Default)]
pub struct Found {
    pub records: Vec<Record>,
    /// Relevance scores, for a search, in the order of `records`.
    pub scores: Vec<f32>,
    /// How many issues matched in all, before paging.
    pub total: usize,
    pub problems: Vec<Problem>,
    /// Set when the index could not be used and the files were read.
    pub fallback: Option<String>,
    /// For a search, a highlighted fragment per record where its text matched.
    pub snippets: Vec<Option<Snippet>>,
}

/// What `list` found: a row per issue, no more of it than a row prints.
#[derive(Debug, Default)]
pub struct Listed {
    pub rows: Vec<(Key, Summary)>,
    /// How many issues matched in all, before paging.
    pub total: usize,
    pub problems: Vec<Problem>,
    /// Set when the index could not be used and the files were read.
    pub fallback: Option<String>,
}

/// A highlighted fragment of an issue's text.
#[derive(Debug, Clone)]
pub struct Snippet {
    pub text: String,
    /// Byte ranges of the matched words in `text`.
    pub highlights: Vec<std::ops::Range<usize>>,
}

/// How a page of results is asked for.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub sort: Sort,
    /// Rank by relevance rather than by `sort`.
    pub by_score: bool,
    pub offset: usize,
    pub limit: Option<usize>,
}

impl Tracker {
    fn index_path(&self) -> PathBuf {
        self.store.local_dir().join("index")
    }

    /// Parses a query in the language of `list` and `search`.
    pub fn parse_query(&self, text: &str, config: &Config) -> Result<Query> {
        let mut query = Query::parse(text, config, self.store.now())?;
        self.resolve_paths(&mut query.expr)?;
        Ok(query)
    }

    /// The condition `--label a --label b` and the like put on a field:
    /// the same as `label:a,b` in a query, refused the same way.
    pub fn query_term(&self, qualifier: &str, values: &[String], config: &Config) -> Result<Expr> {
        let values: Vec<String> = values.iter().map(|v| v.trim().to_lowercase()).collect();
        let field = crate::format::fields::by_qualifier(qualifier)
            .ok_or_else(|| Error::Internal(format!("{qualifier:?} is not a field")))?;
        crate::query::field_term(field, &values, config, self.store.now()).map_err(|message| {
            Error::BadFlag {
                flag: qualifier.to_owned(),
                message,
            }
        })
    }

    /// The index, up to date with the branch tip.
    pub fn fresh_index(&self, progress: &dyn Progress) -> Result<Index> {
        let snap = self.snapshot()?;
        let config = read_config(&snap)?;
        let target = State {
            version: SCHEMA_VERSION,
            tree: snap.tree_id().unwrap_or_default(),
            settings: snap.object_id(layout::CONFIG).unwrap_or_default(),
        };
        let (index, state) = Index::open_or_create(&self.index_path())?;
        index.set_language(&config.search.language);
        if state.as_ref() == Some(&target) {
            return Ok(index);
        }
        // A rebuild gets both cores and room; an update of a few issues
        // starts faster with one thread and tantivy's smallest budget.
        let rebuild = state
            .as_ref()
            .is_none_or(|s| s.version != target.version || s.settings != target.settings);
        let mut writer = if rebuild {
            index.writer(2, 100_000_000)?
        } else {
            index.writer(1, 15_000_000)?
        };
        // Another process may have brought it up to date while we waited.
        let current = writer.state();
        let keys: Option<Vec<Key>> = match &current {
            Some(s) if *s == target => {
                drop(writer);
                index.reload()?;
                return Ok(index);
            }
            Some(s)
                if s.version == target.version
                    && s.settings == target.settings
                    && self.store.has_tree(&s.tree) =>
            {
                Some(changed_keys(&self.store.tree_diff(
                    Some(&s.tree),
                    Some(&target.tree),
                    layout::ISSUES,
                )?))
            }
            _ => None,
        };
        match keys {
            Some(keys) => {
                for key in &keys {
                    index_issue(&writer, key, read_issue(&snap, key)?, &config)?;
                }
            }
            None => {
                writer.clear()?;
                let keys = all_keys(&snap)?;
                progress.start("Indexing issues", keys.len() as u64);
                index_all(&writer, &snap, &keys, &config, progress)?;
                progress.finish();
            }
        }
        writer.commit(&target)?;
        index.reload()?;
        Ok(index)
    }

    /// The keys of the issues matching `expr`, by number, read from the
    /// index as it stands, without bringing it up to date: the issues
    /// changed since the tree it reflects are read from `snap` and judged
    /// by `matches` instead, so a read such as `show` right after a write
    /// costs a tree diff, never an index update. `None` when that cannot
    /// answer (no usable index, other settings, or more than a few hundred
    /// issues changed): then ask [`Tracker::find`], which updates it.
    pub(super) fn keys_from_index_as_is(
        &self,
        snap: &Snapshot<'_>,
        expr: &Expr,
        matches: impl Fn(&Issue) -> bool,
    ) -> Result<Option<Vec<Key>>> {
        const MOST_CHANGED: usize = 500;
        let Some((index, Some(state))) = Index::open(&self.index_path()) else {
            return Ok(None);
        };
        let tree = snap.tree_id().unwrap_or_default();
        if state.version != SCHEMA_VERSION
            || state.settings != snap.object_id(layout::CONFIG).unwrap_or_default()
            || !(state.tree == tree || self.store.has_tree(&state.tree))
        {
            return Ok(None);
        }
        let changed: BTreeSet<Key> = if state.tree == tree {
            BTreeSet::new()
        } else {
            changed_keys(
                &self
                    .store
                    .tree_diff(Some(&state.tree), Some(&tree), layout::ISSUES)?,
            )
            .into_iter()
            .collect()
        };
        if changed.len() > MOST_CHANGED {
            return Ok(None);
        }
        let Ok((hits, _)) = index.search(expr, Words::All, Sort::default(), false, 0, None) else {
            return Ok(None);
        };
        let mut keys: BTreeSet<Key> = hits
            .into_iter()
            .map(|h| h.key)
            .filter(|k| !changed.contains(k))
            .collect();
        for key in changed {
            // One that does not parse is a problem for `doctor`; the
            // index would not have matched it either.
            if let Ok(record) = load(snap, &key)
                && matches(&record.issue)
            {
                keys.insert(record.key);
            }
        }
        let mut keys: Vec<Key> = keys.into_iter().collect();
        keys.sort_by_key(|k| k.number);
        Ok(Some(keys))
    }

    /// The index and the tree it reflects, for a lookup that catches up
    /// from that tree itself: as it is when it is a few changes behind the
    /// tip (so a `record` does not pay for re-indexing what the last one
    /// wrote), else brought up to date. `Err` says why there is none.
    pub(super) fn index_for_lookup(&self) -> Result<std::result::Result<(Index, String), String>> {
        /// Behind by more changed issues than this, the index is updated
        /// first: reading that many files costs more than indexing them.
        const CATCH_UP: usize = 256;
        let snap = self.snapshot()?;
        let settings = snap.object_id(layout::CONFIG).unwrap_or_default();
        if let Some((index, Some(state))) = quietly(|| Index::open(&self.index_path())).flatten()
            && state.version == SCHEMA_VERSION
            && state.settings == settings
            && self.store.has_tree(&state.tree)
        {
            let behind = self.store.tree_diff(
                Some(&state.tree),
                snap.tree_id().as_deref(),
                layout::ISSUES,
            )?;
            if changed_keys(&behind).len() <= CATCH_UP {
                return Ok(Ok((index, state.tree)));
            }
        }
        drop(snap);
        let fresh = quietly(|| {
            let index = self.fresh_index(&Quiet)?;
            let tree = index.state().map(|s| s.tree).unwrap_or_default();
            Ok::<_, Error>((index, tree))
        });
        match fresh {
            Some(Ok(found)) => Ok(Ok(found)),
            Some(Err(Error::Index(e))) => Ok(Err(e.to_string())),
            Some(Err(e)) => Err(e),
            None => Ok(Err("the search index is damaged".to_owned())),
        }
    }

    /// Rebuilds the index from scratch; returns how many issues it holds.
    pub fn reindex(&self, progress: &dyn Progress) -> Result<usize> {
        Index::discard(&self.index_path())?;
        let index = self.fresh_index(progress)?;
        let (_, total) =
            index.search(&Expr::All, Words::All, Sort::default(), false, 0, Some(0))?;
        Ok(total)
    }

    /// Runs `f` on the index brought up to date. A damaged index (an error,
    /// or a panic inside tantivy) is rebuilt once and `f` tried again; the
    /// inner `Err` says why the index could not be used at all.
    fn with_index<T>(
        &self,
        progress: &dyn Progress,
        f: impl Fn(&Index) -> Result<T>,
    ) -> Result<std::result::Result<T, String>> {
        let attempt = |rebuild: bool| {
            quietly(|| {
                if rebuild {
                    Index::discard(&self.index_path())?;
                }
                f(&self.fresh_index(progress)?)
            })
        };
        match attempt(false) {
            Some(Ok(v)) => return Ok(Ok(v)),
            Some(Err(Error::Index(e @ IndexError::Busy(_)))) => return Ok(Err(e.to_string())),
            Some(Err(Error::Index(_))) | None => {}
            Some(Err(e)) => return Err(e),
        }
        match attempt(true) {
            Some(Ok(v)) => Ok(Ok(v)),
            Some(Err(Error::Index(e))) => Ok(Err(e.to_string())),
            Some(Err(e)) => Err(e),
            None => Ok(Err(
                "the search index is damaged and could not be rebuilt".to_owned()
            )),
        }
    }

    /// The issues matching `expr`, a page of them in order.
    pub fn find(&self, expr: &Expr, page: Page, progress: &dyn Progress) -> Result<Found> {
        self.find_maybe_snippets(expr, page, false, Audience::Team, progress)
    }

    /// Like [`Tracker::find`] in `page.sort` order, with a row's worth of
    /// each issue: what `list` prints, at the cost of printing it.
    pub fn list(&self, expr: &Expr, page: Page, progress: &dyn Progress) -> Result<Listed> {
        let listed = self.with_index(progress, |index| {
            let (rows, total) =
                index.summaries(expr, Words::All, page.sort, page.offset, page.limit)?;
            Ok(Listed {
                rows,
                total,
                problems: index.problems()?.into_iter().collect(),
                fallback: None,
            })
        })?;
        match listed {
            Ok(listed) => Ok(listed),
            Err(why) => {
                let found = self.find_by_scan_for(expr, page, Audience::Team)?;
                Ok(Listed {
                    rows: (found.records.iter())
                        .map(|r| (r.key.clone(), Summary::of(&r.issue)))
                        .collect(),
                    total: found.total,
                    problems: found.problems,
                    fallback: Some(why),
                })
            }
        }
    }

    /// Like [`Tracker::find`], with a snippet of each issue's text where the
    /// query's words matched.
    pub fn search(&self, expr: &Expr, page: Page, progress: &dyn Progress) -> Result<Found> {
        self.find_maybe_snippets(expr, page, expr.has_text(), Audience::Team, progress)
    }

    /// The issues matching `expr` in the text `audience` may read.
    pub(super) fn find_maybe_snippets(
        &self,
        expr: &Expr,
        page: Page,
        snippets: bool,
        audience: Audience,
        progress: &dyn Progress,
    ) -> Result<Found> {
        let found = self.with_index(progress, |index| {
            let mut found = self.find_in(index, expr, page, audience)?;
            if snippets {
                found.snippets = self.snippets_in(index, expr, &found.records, audience)?;
            }
            Ok(found)
        })?;
        match found {
            Ok(found) => Ok(found),
            Err(why) => {
                let mut found = self.find_by_scan_for(expr, page, audience)?;
                found.fallback = Some(why);
                Ok(found)
            }
        }
    }

    fn find_in(&self, index: &Index, expr: &Expr, page: Page, audience: Audience) -> Result<Found> {
        let words = match audience {
            Audience::Team => Words::All,
            Audience::Public => Words::Public,
        };
        let (hits, total) = index.search(
            expr,
            words,
            page.sort,
            page.by_score,
            page.offset,
            page.limit,
        )?;
        let problems = index.problems()?.into_iter().collect();
        let scores = hits.iter().map(|h| h.score).collect();
        Ok(Found {
            records: hits
                .into_iter()
                .map(|h| Record {
                    key: h.key,
                    issue: h.issue,
                })
                .collect(),
            scores,
            total,
            problems,
            fallback: None,
            snippets: Vec::new(),
        })
    }

    /// The same query answered by reading every file: what the index is
    /// checked against, and the way out when the index is unusable.
    pub fn find_by_scan(&self, expr: &Expr, page: Page) -> Result<Found> {
        self.find_by_scan_for(expr, page, Audience::Team)
    }

    /// [`Tracker::find_by_scan`] in the text `audience` may read (the
    /// caller leaves out what else it may not see).
    pub fn find_by_scan_for(&self, expr: &Expr, page: Page, audience: Audience) -> Result<Found> {
        let snap = self.snapshot()?;
        let config = read_config(&snap)?;
        let Listing { records, problems } = scan(&snap)?;
        let mut matched = Vec::new();
        for mut r in records {
            tally_of(&snap, &r.key)?.apply(&mut r.issue);
            let comments = if expr.reads_text() {
                audience_text(&snap, &r.key, audience)?
            } else {
                String::new()
            };
            let text = TextFields::new(&r.issue, &comments, &config);
            if expr.matches(&r.key.to_string(), &r.issue, &text, &config) {
                matched.push(r);
            }
        }
        matched.sort_by(|a, b| {
            page.sort
                .compare((&a.key, &a.issue), (&b.key, &b.issue), &config)
        });
        let total = matched.len();
        let mut records: Vec<Record> = matched.into_iter().skip(page.offset).collect();
        if let Some(limit) = page.limit {
            records.truncate(limit);
        }
        Ok(Found {
            scores: vec![0.0; records.len()],
            records,
            total,
            problems,
            fallback: None,
            snippets: Vec::new(),
        })
    }

    fn snippets_in(
        &self,
        index: &Index,
        expr: &Expr,
        records: &[Record],
        audience: Audience,
    ) -> Result<Vec<Option<Snippet>>> {
        let snap = self.snapshot()?;
        let maker = index.snippet_maker(expr);
        let mut out = Vec::with_capacity(records.len());
        for r in records {
            // The description, cut from the file without reading its fields;
            // the comments only when the description has none of the words.
            let body = match locate(&snap, &r.key) {
                Ok((_, path)) => snap
                    .read(&path)?
                    .and_then(|text| crate::format::yaml::body_of(&text))
                    .unwrap_or_default(),
                // Deleted since the index was brought up to date.
                Err(Error::NoSuchIssue(_)) => String::new(),
                Err(e) => return Err(e),
            };
            let fragment = match maker.of_body(&body) {
                Some(f) => Some(f),
                None => maker.of_comments(&audience_text(&snap, &r.key, audience)?),
            };
            out.push(fragment.map(|(text, highlights)| Snippet { text, highlights }));
        }
        Ok(out)
    }

    /// Every issue matching `expr` with its computed fields and its
    /// occurrences per day, from the index (the files, when the index
    /// cannot be used; the second value then says why).
    pub fn tallies(
        &self,
        expr: &Expr,
        progress: &dyn Progress,
    ) -> Result<(Vec<Tallied>, Option<String>)> {
        match self.with_index(progress, |index| Ok(index.tallies(expr)?))? {
            Ok(found) => Ok((found, None)),
            Err(why) => Ok((self.tallies_by_scan(expr)?, Some(why))),
        }
    }

    fn tallies_by_scan(&self, expr: &Expr) -> Result<Vec<Tallied>> {
        let snap = self.snapshot()?;
        let config = read_config(&snap)?;
        let mut out = Vec::new();
        for mut r in scan(&snap)?.records {
            let tally = tally_of(&snap, &r.key)?;
            tally.apply(&mut r.issue);
            let comments = if expr.reads_text() {
                comments_text(&snap, &r.key)?
            } else {
                String::new()
            };
            let text = TextFields::new(&r.issue, &comments, &config);
            if expr.matches(&r.key.to_string(), &r.issue, &text, &config) {
                out.push(Tallied {
                    key: r.key,
                    issue: r.issue,
                    days: tally.days,
                });
            }
        }
        out.sort_by_key(|t| t.key.number);
        Ok(out)
    }

    /// Open and closed counts per milestone or label.
    pub(super) fn counts(&self, of: Field) -> Result<(Vec<Count>, Vec<Problem>)> {
        let indexed = self.with_index(&Quiet, |index| {
            let counts = index.counts(of)?;
            let problems = index.problems()?;
            Ok((counts, problems))
        })?;
        let Ok((counts, problems)) = indexed else {
            return self.counts_by_scan(of);
        };
        let counts = counts
            .into_iter()
            .map(|(name, open, closed)| Count { name, open, closed })
            .collect();
        Ok((counts, problems.into_iter().collect()))
    }

    fn counts_by_scan(&self, of: Field) -> Result<(Vec<Count>, Vec<Problem>)> {
        let snap = self.snapshot()?;
        let config = read_config(&snap)?;
        let listing = scan(&snap)?;
        let mut counts: std::collections::BTreeMap<String, Count> = Default::default();
        for r in &listing.records {
            for name in r.issue.get(of).texts() {
                let c = counts.entry(name.to_owned()).or_insert_with(|| Count {
                    name: name.to_owned(),
                    ..Default::default()
                });
                if config.is_closed(&r.issue.status) {
                    c.closed += 1;
                } else {
                    c.open += 1;
                }
            }
        }
        Ok((counts.into_values().collect(), listing.problems))
    }
}

/// Runs `f`, turning a panic into `None` without printing it: a panic
/// inside tantivy means a damaged index, which we rebuild, not a crash the
/// user should see.
fn quietly<T>(f: impl FnOnce() -> T) -> Option<T> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(hook);
    result.ok()
}

/// The issues that changed paths belong to.
fn changed_keys(paths: &[String]) -> Vec<Key> {
    let keys: BTreeSet<Key> = paths
        .iter()
        .filter_map(|p| BranchPath::parse(p).key().cloned())
        .collect();
    keys.into_iter().collect()
}

/// The keys of every issue file on the branch.
pub(super) fn all_keys(snap: &Snapshot<'_>) -> Result<Vec<Key>> {
    Ok(issue_files(snap)?.into_iter().map(|(k, _)| k).collect())
}

/// What the index is told of one key.
enum Read {
    /// No issue has it (any more).
    Gone,
    /// The issue file's text, where it is, its comments' text (those that
    /// are not internal, and the internal ones), and its occurrence files'
    /// texts by id (parsed by whoever indexes it).
    Text {
        path: String,
        text: String,
        comments: String,
        internal: String,
        occurrences: OccurrenceTexts,
    },
    /// A file that cannot even be read as text.
    Unreadable(Problem),
}

/// An issue file's text, its comments' and its occurrence files' texts,
/// read where the file is (a file under a name `doctor` would correct is
/// still listed): everything under its path and its folder, so a change to
/// any of them (a new occurrence file) is a change the diff of trees sees.
fn read_issue(snap: &Snapshot<'_>, key: &Key) -> Result<Read> {
    let path = match locate(snap, key) {
        Ok((_, path)) => path,
        Err(Error::NoSuchIssue(_)) => return Ok(Read::Gone),
        Err(e) => return Err(e),
    };
    match snap.read(&path) {
        Ok(Some(text)) => {
            let (comments, internal) = comments_by_audience(snap, key)?;
            Ok(Read::Text {
                comments,
                internal,
                occurrences: occurrence_texts(snap, key)?.0,
                path,
                text,
            })
        }
        Ok(None) => Ok(Read::Gone),
        Err(StoreError::NotText { .. }) => Ok(Read::Unreadable(Problem::whole(
            &path,
            "the file is not UTF-8 text",
        ))),
        Err(e) => Err(e.into()),
    }
}

/// Puts one issue into the index: parsed, or as a problem when its file
/// does not parse, or removed when it is gone.
fn index_issue(
    writer: &crate::index::Updater<'_>,
    key: &Key,
    read: Read,
    config: &Config,
) -> Result<()> {
    let update = match read {
        Read::Gone => Update::Remove(key.clone()),
        Read::Unreadable(p) => Update::Problem(key.clone(), p),
        Read::Text {
            path,
            text,
            comments,
            internal,
            occurrences,
        } => match Issue::parse(&text) {
            Ok(mut issue) => {
                let (parsed, _) = parse_occurrences(key, &occurrences);
                let tally = Tally::of(parsed.iter().map(|(id, f)| (id.as_str(), f)));
                tally.apply(&mut issue);
                return Ok(writer.apply(
                    Update::Issue(IssueDoc {
                        key,
                        issue: &issue,
                        comments: &comments,
                        internal: &internal,
                        days: &tally.days,
                    }),
                    config,
                )?);
            }
            Err(e) => Update::Problem(key.clone(), Problem::new(&path, e)),
        },
    };
    Ok(writer.apply(update, config)?)
}

/// Reads every issue on this thread (git2 objects stay on the thread that
/// made them) while two others parse the files and build documents: reading
/// and parsing each take about half of a rebuild.
fn index_all(
    writer: &crate::index::Updater<'_>,
    snap: &Snapshot<'_>,
    keys: &[Key],
    config: &Config,
    progress: &dyn Progress,
) -> Result<()> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<(Key, Read)>(256);
    let rx = std::sync::Mutex::new(rx);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| -> Result<()> {
                    loop {
                        let next = match rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return Ok(()),
                        };
                        let Ok((key, read)) = next else {
                            return Ok(());
                        };
                        index_issue(writer, &key, read, config)?;
                    }
                })
            })
            .collect();
        let mut read = Ok(());
        for key in keys {
            match read_issue(snap, key) {
                Ok(read) => {
                    if tx.send((key.clone(), read)).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    read = Err(e);
                    break;
                }
            }
            progress.advance(1);
        }
        drop(tx);
        for w in workers {
            w.join()
                .map_err(|_| Error::Internal("indexing stopped: a worker failed".to_owned()))??;
        }
        read
    })
}

/// The comment bodies `audience` may read, joined as full text reads them.
fn audience_text(snap: &Snapshot<'_>, key: &Key, audience: Audience) -> Result<String> {
    match audience {
        Audience::Team => comments_text(snap, key),
        Audience::Public => Ok(comments_by_audience(snap, key)?.0),
    }
}
