//! Keeping the index in step with the branch: brought up to date by
//! diffing the tree it reflects against the tip's, read as it stands where
//! a tree diff can cover the rest, rebuilt when it is damaged.

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::read::{
    OccurrenceTexts, comments_by_audience, issue_files, load_holding, locate, occurrence_texts,
    parse_occurrences, read_config,
};
use super::search::{Progress, Quiet};
use super::{Error, Problem, Result, Tracker};
use crate::format::layout::{self, BranchPath};
use crate::format::occurrence::Tally;
use crate::format::{Config, Issue, Key};
use crate::index::{Index, IndexError, IssueDoc, SCHEMA_VERSION, State, Update, Words};
use crate::query::{Expr, Sort};
use crate::store::{Snapshot, StoreError};

impl Tracker {
    pub(super) fn index_path(&self) -> PathBuf {
        self.store.local_dir().join("index")
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
    /// costs a tree diff, never an index update; only the files that hold
    /// one of `words` (the values looked for: see `read::may_hold`) are
    /// parsed. `None` when that cannot
    /// answer (no usable index, other settings, or more than 2,000 issues
    /// changed): then ask [`Tracker::find`], which updates it.
    pub(super) fn keys_from_index_as_is(
        &self,
        snap: &Snapshot<'_>,
        expr: &Expr,
        words: &[&str],
        matches: impl Fn(&Issue) -> bool,
    ) -> Result<Option<Vec<Key>>> {
        // Each changed file is read, and parsed only when it may hold one of
        // `words`: reading 2,000 costs a fifth of indexing them, which the
        // next command that searches does anyway (a sync bringing in 1,000
        // changed issues spent half its time updating the index for this).
        const MOST_CHANGED: usize = 2_000;
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
            if let Ok(Some(record)) = load_holding(snap, &key, words)
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
        if let Some((index, Some(state))) = quietly(|| {
            // Opened in full here, where a damaged index's panic is caught,
            // unless the lookup can go without tantivy.
            Index::open(&self.index_path())
                .filter(|(index, _)| index.has_keys_file() || index.readable())
        })
        .flatten()
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
    pub(super) fn with_index<T>(
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
