//! What the site is made of, read from one snapshot of the issues branch
//! through the tracker's reader: every issue with its comments, attachments
//! and history, and `tracker.yml`. One snapshot, so the pages agree with
//! each other even when the branch moves during an export.
//!
//! Confidential issues and internal comments are dropped here, before any
//! page, list, count or index sees them, unless the export asks for them.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::format::layout::{self, BranchPath};
use crate::format::{Config, Issue, Key};
use crate::store::{CommitInfo, Revision};
use crate::tracker::{CommentRecord, Problem, Tracker};

use super::history::HistoryCache;

/// One issue and everything its page shows.
#[derive(Debug, Clone)]
pub struct SiteIssue {
    pub key: Key,
    pub issue: Issue,
    /// In the order they were written.
    pub comments: Vec<CommentRecord>,
    pub attachments: Vec<String>,
    /// The sum of its occurrence files, when it is a recorded error.
    pub occurrences: crate::format::occurrence::Tally,
    /// Commits of the issues branch that changed the issue, newest first.
    pub history: Vec<Revision>,
}

pub struct Corpus {
    /// The commit of the issues branch the site shows.
    pub tip: String,
    pub project: String,
    pub config: Config,
    /// By key number.
    pub entries: Vec<SiteIssue>,
    /// The project's commits the issues name, when this clone has them.
    pub commits: HashMap<String, CommitInfo>,
    /// Files that did not parse; the site leaves them out.
    pub problems: Vec<Problem>,
    /// Keys that have named more than one issue (a sync renumbered one
    /// away), confidential issues included: their history is told apart by
    /// `id`, as `git issue log` does, so one issue never shows another's
    /// commits.
    shared_keys: HashSet<Key>,
}

#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error(transparent)]
    Tracker(#[from] crate::tracker::Error),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl Corpus {
    /// Reads the branch as it is now. `history` is what an earlier export
    /// remembered; the commits it already covers are not walked again.
    pub fn read(
        tracker: &Tracker,
        include_confidential: bool,
        history: &mut HistoryCache,
    ) -> Result<Corpus, CorpusError> {
        let (tip, config, contents) = tracker.contents(true)?;
        Corpus::assemble(
            tracker,
            tip,
            config,
            contents,
            include_confidential,
            history,
            None,
        )
    }

    /// Reads the issues at `keys` as they are at `tip`, as [`Corpus::read`]
    /// reads every issue: a corpus of those issues only (those that are
    /// gone or confidential left out), for an export after a few changes.
    pub fn read_keys(
        tracker: &Tracker,
        tip: &str,
        keys: &[Key],
        include_confidential: bool,
        history: &mut HistoryCache,
    ) -> Result<Corpus, CorpusError> {
        let (config, contents) = tracker.contents_at(tip, keys)?;
        let only: HashSet<Key> = keys.iter().cloned().collect();
        Corpus::assemble(
            tracker,
            tip.to_owned(),
            config,
            contents,
            include_confidential,
            history,
            Some(&only),
        )
    }

    /// Reads the issues numbered in `numbers` as they are at `tip`, as
    /// [`Corpus::read`] reads every issue: one slice of a big branch.
    pub fn read_in(
        tracker: &Tracker,
        tip: &str,
        numbers: std::ops::Range<u64>,
        listed: &crate::store::FileList,
        include_confidential: bool,
        history: &mut HistoryCache,
    ) -> Result<Corpus, CorpusError> {
        let (config, contents) = tracker.contents_in(tip, numbers, listed)?;
        let only: HashSet<Key> = contents.issues.iter().map(|c| c.key.clone()).collect();
        Corpus::assemble(
            tracker,
            tip.to_owned(),
            config,
            contents,
            include_confidential,
            history,
            Some(&only),
        )
    }

    /// A corpus of no issue that carries what the slices `parts` read
    /// of the rest: their problems and the commits their issues name.
    pub fn of_slices(tip: String, project: String, config: Config, parts: Vec<Corpus>) -> Corpus {
        let mut commits = HashMap::new();
        let mut problems = Vec::new();
        for p in parts {
            commits.extend(p.commits);
            problems.extend(p.problems);
        }
        problems.sort_by(|a, b| a.path.cmp(&b.path));
        Corpus {
            tip,
            project,
            config,
            entries: Vec::new(),
            commits,
            problems,
            shared_keys: HashSet::new(),
        }
    }

    /// Keys that have named more than one issue, confidential ones too.
    pub fn shared_keys(&self) -> &HashSet<Key> {
        &self.shared_keys
    }

    /// The corpus of `contents`, read at `tip`, with each issue's history
    /// (of the issues in `only`, when given: the others are not there).
    fn assemble(
        tracker: &Tracker,
        tip: String,
        config: Config,
        contents: crate::tracker::Contents,
        include_confidential: bool,
        history: &mut HistoryCache,
        only: Option<&HashSet<Key>>,
    ) -> Result<Corpus, CorpusError> {
        let store = tracker.store();
        let mut hidden_comments: HashSet<String> = HashSet::new();
        let mut entries: Vec<SiteIssue> = Vec::with_capacity(contents.issues.len());
        let mut shared_keys: HashSet<Key> = HashSet::new();
        for c in &contents.issues {
            if !c.issue.aliases.is_empty() {
                shared_keys.insert(c.key.clone());
                shared_keys.extend(c.issue.aliases.iter().filter_map(|a| a.parse().ok()));
            }
        }
        for c in contents.issues {
            if c.issue.confidential && !include_confidential {
                continue;
            }
            let mut comments = c.comments;
            if !include_confidential {
                for r in comments.iter().filter(|r| r.comment.internal) {
                    hidden_comments.insert(layout::comment_file(&c.key, &r.id));
                }
                comments.retain(|r| !r.comment.internal);
            }
            entries.push(SiteIssue {
                key: c.key,
                issue: c.issue,
                comments,
                attachments: c.attachments,
                occurrences: c.occurrences,
                history: Vec::new(),
            });
        }

        history.update(store, &tip)?;
        // A few keys: a path is parsed only when it may name one of them,
        // holding `-<number>` (a commit of an import names 100,000 issues;
        // a key's prefix may be written in any case).
        let names: Option<Vec<String>> = only
            .filter(|o| o.len() <= 64)
            .map(|o| o.iter().map(|k| format!("-{}", k.number)).collect());
        let may_name = |path: &str| {
            names
                .as_ref()
                .is_none_or(|ns| ns.iter().any(|n| path.contains(n.as_str())))
        };
        let buckets: Option<BTreeSet<u64>> =
            only.map(|o| o.iter().map(|k| layout::bucket(k.number)).collect());
        let mut by_key: HashMap<Key, Vec<Revision>> = HashMap::new();
        for r in history.commits_in(store, buckets.as_ref())? {
            // A commit of the whole corpus (an import) names every key:
            // a set, not a list, and one copy of the commit without its
            // paths, cloned per key.
            let mut keys: HashSet<&Key> = HashSet::new();
            let mut parsed: Vec<BranchPath> = Vec::new();
            for path in &r.paths {
                // A commit that only wrote internal comments is not part of
                // the public history.
                if !may_name(path) || hidden_comments.contains(path) {
                    continue;
                }
                parsed.push(BranchPath::parse(path));
            }
            for p in &parsed {
                if let Some(k) = p.key()
                    && only.is_none_or(|o| o.contains(k))
                {
                    keys.insert(k);
                }
            }
            if keys.is_empty() {
                continue;
            }
            // As an issue's history shows it: without the paths.
            let bare = r.with_paths(Vec::new());
            for k in keys {
                by_key.entry(k.clone()).or_default().push(bare.clone());
            }
        }
        let mut commits = HashMap::new();
        for entry in &mut entries {
            entry.history = by_key.remove(&entry.key).unwrap_or_default();
            if shared_keys.contains(&entry.key) {
                entry.history = history_of_issue(tracker, &entry.key, &hidden_comments)?;
            }
            for id in &entry.issue.commits {
                if !commits.contains_key(id)
                    && let Some(info) = store.commit_info(id)
                {
                    commits.insert(id.clone(), info);
                }
            }
        }
        Ok(Corpus {
            tip,
            project: store.repository_name(),
            config,
            entries,
            commits,
            problems: contents.problems,
            shared_keys,
        })
    }
}

/// What [`Corpus::refresh`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refreshed {
    /// The branch had not moved.
    Nothing,
    /// These issues were read again.
    Issues(Vec<String>),
    /// Everything was read again (settings changed, history rewritten, or
    /// too much changed to go issue by issue).
    Everything,
}

/// Beyond this many changed issues, reading the whole branch is as quick.
const REFRESH_MAX: usize = 500;

impl Corpus {
    /// Brings the corpus up to the branch as it is now, reading only the
    /// issues that the new commits changed, for `git issue serve`: a change
    /// costs one issue's files, not the whole branch's.
    pub fn refresh(
        &mut self,
        tracker: &Tracker,
        include_confidential: bool,
        history: &mut HistoryCache,
    ) -> Result<Refreshed, CorpusError> {
        let store = tracker.store();
        let Some(tip) = store.tip()?.map(|o| o.to_string()) else {
            return Ok(Refreshed::Nothing);
        };
        if tip == self.tip {
            return Ok(Refreshed::Nothing);
        }
        let config = tracker.config()?;
        let everything = |this: &mut Corpus, history: &mut HistoryCache| {
            *this = Corpus::read(tracker, include_confidential, history)?;
            Ok(Refreshed::Everything)
        };
        if format!("{config:?}") != format!("{:?}", self.config)
            || !store.is_ancestor(&self.tip, &tip)
        {
            return everything(self, history);
        }
        let new = store.changes(&tip, Some(&self.tip), layout::ISSUES)?;
        let mut keys: Vec<Key> = Vec::new();
        for r in &new {
            for path in &r.paths {
                if let Some(k) = BranchPath::parse(path).key()
                    && !keys.contains(k)
                {
                    keys.push(k.clone());
                }
            }
        }
        if keys.len() > REFRESH_MAX {
            return everything(self, history);
        }
        history.update(store, &tip)?;
        for key in &keys {
            let at = self
                .entries
                .binary_search_by_key(&key.number, |e| e.key.number);
            let details = match tracker.details(key) {
                Ok(d) if d.record.key == *key => Some(d),
                Ok(_) | Err(crate::tracker::Error::NoSuchIssue(_)) => None,
                Err(e) => return Err(e.into()),
            };
            // A key given to another issue since the last read: every
            // history that key touched is told apart again.
            if let Some(d) = &details
                && !d.record.issue.aliases.is_empty()
                && (!self.shared_keys.contains(key)
                    || d.record.issue.aliases.iter().any(|a| {
                        a.parse::<Key>()
                            .is_ok_and(|a| !self.shared_keys.contains(&a))
                    }))
            {
                return everything(self, history);
            }
            let Some(d) = details.filter(|d| include_confidential || !d.record.issue.confidential)
            else {
                if let Ok(i) = at
                    && self.entries[i].key == *key
                {
                    self.entries.remove(i);
                }
                continue;
            };
            let mut hidden: HashSet<String> = HashSet::new();
            let mut comments = d.comments;
            if !include_confidential {
                for r in comments.iter().filter(|r| r.comment.internal) {
                    hidden.insert(layout::comment_file(key, &r.id));
                }
                comments.retain(|r| !r.comment.internal);
            }
            let revisions = if self.shared_keys.contains(key) {
                history_of_issue(tracker, key, &hidden)?
            } else {
                let bucket = BTreeSet::from([layout::bucket(key.number)]);
                history
                    .commits_in(store, Some(&bucket))?
                    .into_iter()
                    .filter(|r| {
                        r.paths
                            .iter()
                            .any(|p| !hidden.contains(p) && BranchPath::parse(p).key() == Some(key))
                    })
                    .map(|r| r.with_paths(Vec::new()))
                    .collect()
            };
            for c in d.commits {
                self.commits.insert(c.id.clone(), c);
            }
            let entry = SiteIssue {
                key: key.clone(),
                issue: d.record.issue,
                comments,
                // As read now: an attach or detach changes only these.
                attachments: d.attachments.into_iter().map(|a| a.name).collect(),
                occurrences: d.occurrences,
                history: revisions,
            };
            match at {
                Ok(i) => self.entries[i] = entry,
                Err(i) => self.entries.insert(i, entry),
            }
        }
        self.tip = tip;
        Ok(Refreshed::Issues(keys.iter().map(Key::to_string).collect()))
    }
}

/// The public history of the issue now at `key` when the key has named
/// another issue too: the commits `git issue log` gives (it follows the
/// issue's `id` across renumberings), less those that only wrote comments
/// the site leaves out.
fn history_of_issue(
    tracker: &Tracker,
    key: &Key,
    hidden: &HashSet<String>,
) -> Result<Vec<Revision>, CorpusError> {
    let log = match tracker.log(key) {
        Ok(log) => log,
        Err(crate::tracker::Error::NoSuchIssue(_)) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    Ok(log
        .into_iter()
        .filter(|r| {
            r.paths
                .iter()
                .any(|p| !hidden.contains(p) && BranchPath::parse(p).key().is_some())
        })
        .map(|r| Revision {
            paths: Vec::new(),
            ..r
        })
        .collect())
}
