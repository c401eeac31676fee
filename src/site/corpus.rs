//! What the site is made of, read from one snapshot of the issues branch:
//! every issue with its comments, attachments and history, and
//! `tracker.yml`. One snapshot, so the pages agree with each other even when
//! the branch moves during an export.
//!
//! Confidential issues and internal comments are dropped here, before any
//! page, list, count or index sees them, unless the export asks for them.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use rayon::prelude::*;

use crate::format::{Comment, Config, Issue, Key};
use crate::store::{PathsChanged, Store};
use crate::tracker::{Problem, Tracker};

/// One issue and everything its page shows.
#[derive(Debug, Clone)]
pub struct Entry {
    pub key: Key,
    pub issue: Issue,
    /// In the order they were written.
    pub comments: Vec<(String, Comment)>,
    pub attachments: Vec<String>,
    /// Commits of the issues branch that changed the issue, newest first.
    pub history: Vec<Change>,
}

/// A commit of the issues branch, as an issue's history shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    pub commit: String,
    pub author: String,
    pub time: i64,
    pub message: String,
}

/// A commit of the project that an issue names, when this clone has it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LinkedCommit {
    pub id: String,
    pub summary: String,
    pub author: String,
    pub time: i64,
}

pub struct Corpus {
    /// The commit of the issues branch the site shows.
    pub tip: String,
    pub project: String,
    pub config: Config,
    /// By key number.
    pub entries: Vec<Entry>,
    pub commits: HashMap<String, LinkedCommit>,
    /// Files that did not parse; the site leaves them out.
    pub problems: Vec<Problem>,
}

#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error(transparent)]
    Tracker(#[from] crate::tracker::Error),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("this repository has no issue tracker yet (no {0} branch)")]
    NotInitialized(String),
}

enum File {
    Issue(Key),
    Comment(Key, String),
    Attachment(Key, String),
}

/// Where a path of the branch belongs, by the layout of `issue-format.md`.
fn classify(path: &str) -> Option<File> {
    let rest = path.strip_prefix("issues/")?;
    let parts: Vec<&str> = rest.split('/').collect();
    match parts.as_slice() {
        [_, file] => Key::from_file_name(file).map(File::Issue),
        [_, dir, "comments", file] => {
            let id = file.strip_suffix(".md")?;
            Some(File::Comment(dir.parse().ok()?, id.to_owned()))
        }
        [_, dir, "attachments", name] => {
            Some(File::Attachment(dir.parse().ok()?, (*name).to_owned()))
        }
        _ => None,
    }
}

/// The key an issue file or anything in its folder belongs to.
fn key_of(path: &str) -> Option<Key> {
    match classify(path)? {
        File::Issue(k) | File::Comment(k, _) | File::Attachment(k, _) => Some(k),
    }
}

impl Corpus {
    /// Reads the branch as it is now. `history` is what an earlier export
    /// remembered; the commits it already covers are not walked again.
    pub fn read(
        tracker: &Tracker,
        include_confidential: bool,
        history: &mut HistoryCache,
    ) -> Result<Corpus, CorpusError> {
        let store = tracker.store();
        let snap = store.snapshot()?;
        let Some(tip) = snap.commit_id() else {
            return Err(CorpusError::NotInitialized(store.branch_name().to_owned()));
        };
        let config = crate::tracker::read_config(&snap)?;

        // git2 is not shared between threads: read the blobs in one go, then
        // parse them on every core.
        let mut texts = Vec::new();
        let mut attachments: BTreeMap<Key, Vec<String>> = BTreeMap::new();
        let wanted = |path: &str| !matches!(classify(path), Some(File::Attachment(..)) | None);
        for (path, bytes) in snap.files_matching("issues", wanted)? {
            match (classify(&path), bytes) {
                (Some(File::Attachment(k, name)), _) => {
                    attachments.entry(k).or_default().push(name)
                }
                (Some(f), Some(bytes)) => texts.push((path, f, bytes)),
                _ => {}
            }
        }
        enum Parsed {
            Issue(Key, Box<Issue>),
            Comment(Key, String, Comment),
            Bad(Problem),
        }
        let problem = |path: &str, line, column, message: String| Problem {
            path: path.to_owned(),
            line,
            column,
            message,
        };
        let parsed: Vec<Parsed> = texts
            .into_par_iter()
            .filter_map(|(path, file, bytes)| {
                let text = match String::from_utf8(bytes) {
                    Ok(t) => t,
                    Err(_) => {
                        return Some(Parsed::Bad(problem(
                            &path,
                            1,
                            1,
                            "the file is not UTF-8 text".to_owned(),
                        )));
                    }
                };
                Some(match file {
                    File::Issue(key) => match Issue::parse(&text) {
                        Ok(i) => Parsed::Issue(key, Box::new(i)),
                        Err(e) => Parsed::Bad(problem(&path, e.line, e.column, e.message)),
                    },
                    File::Comment(key, id) => match Comment::parse(&text) {
                        Ok(c) => Parsed::Comment(key, id, c),
                        Err(e) => Parsed::Bad(problem(&path, e.line, e.column, e.message)),
                    },
                    File::Attachment(..) => return None,
                })
            })
            .collect();

        let mut issues: BTreeMap<u64, Entry> = BTreeMap::new();
        let mut comments: HashMap<Key, Vec<(String, Comment)>> = HashMap::new();
        let mut problems = Vec::new();
        for p in parsed {
            match p {
                Parsed::Issue(key, issue) => {
                    issues.insert(
                        key.number,
                        Entry {
                            key,
                            issue: *issue,
                            comments: Vec::new(),
                            attachments: Vec::new(),
                            history: Vec::new(),
                        },
                    );
                }
                Parsed::Comment(key, id, c) => comments.entry(key).or_default().push((id, c)),
                Parsed::Bad(p) => problems.push(p),
            }
        }
        issues.retain(|_, e| include_confidential || !e.issue.confidential);
        let mut hidden_comments: Vec<String> = Vec::new();
        for (key, mut list) in comments {
            let Some(entry) = issues.get_mut(&key.number).filter(|e| e.key == key) else {
                continue;
            };
            list.sort_by(|a, b| (a.1.created, &a.0).cmp(&(b.1.created, &b.0)));
            if !include_confidential {
                for (id, c) in &list {
                    if c.internal {
                        hidden_comments.push(format!("{}/{id}.md", key.comments_dir()));
                    }
                }
                list.retain(|(_, c)| !c.internal);
            }
            entry.comments = list;
        }
        for (key, names) in attachments {
            if let Some(entry) = issues.get_mut(&key.number).filter(|e| e.key == key) {
                entry.attachments = names;
            }
        }

        history.update(store, &tip)?;
        let mut by_key: HashMap<Key, Vec<Change>> = HashMap::new();
        for c in &history.commits {
            let mut keys: Vec<Key> = Vec::new();
            for path in &c.paths {
                // A commit that only wrote internal comments is not part of
                // the public history.
                if hidden_comments.iter().any(|h| h == path) {
                    continue;
                }
                if let Some(k) = key_of(path)
                    && !keys.contains(&k)
                {
                    keys.push(k);
                }
            }
            for k in keys {
                by_key.entry(k).or_default().push(Change {
                    commit: c.commit.clone(),
                    author: c.author.clone(),
                    time: c.time,
                    message: c.message.clone(),
                });
            }
        }
        let mut commits = HashMap::new();
        for entry in issues.values_mut() {
            entry.history = by_key.remove(&entry.key).unwrap_or_default();
            for id in &entry.issue.commits {
                if !commits.contains_key(id)
                    && let Some(info) = store.commit_info(id)
                {
                    commits.insert(
                        id.clone(),
                        LinkedCommit {
                            id: info.id,
                            summary: info.summary,
                            author: info.author,
                            time: info.time.as_second(),
                        },
                    );
                }
            }
        }
        problems.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Corpus {
            tip,
            project: store.repository_name(),
            config,
            entries: issues.into_values().collect(),
            commits,
            problems,
        })
    }
}

/// The branch's history with the paths each commit changed, kept between
/// exports in `<git common dir>/git-issue/site-history.json` (beside the
/// search index, never in the published folder) so that an export after one
/// change walks one commit, not the whole history.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct HistoryCache {
    version: u32,
    tip: Option<String>,
    commits: Vec<PathsChanged>,
    #[serde(skip)]
    path: Option<PathBuf>,
    #[serde(skip)]
    dirty: bool,
}

const HISTORY_VERSION: u32 = 1;

impl HistoryCache {
    /// The cache of this clone; empty when missing or unreadable.
    pub fn load(store: &Store) -> HistoryCache {
        let path = store
            .common_dir()
            .join("git-issue")
            .join("site-history.json");
        let mut cache = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<HistoryCache>(&b).ok())
            .filter(|c| c.version == HISTORY_VERSION)
            .unwrap_or_default();
        cache.version = HISTORY_VERSION;
        cache.path = Some(path);
        cache
    }

    /// Brings the history up to `tip`: only the new commits when the old
    /// tip is an ancestor, else the whole branch again (history rewritten).
    fn update(&mut self, store: &Store, tip: &str) -> Result<(), crate::store::StoreError> {
        if self.tip.as_deref() == Some(tip) {
            return Ok(());
        }
        let since = self
            .tip
            .as_deref()
            .filter(|old| store.is_ancestor_or_self(old, tip));
        let mut fresh = store.changes(tip, since, "issues")?;
        if since.is_some() {
            fresh.append(&mut self.commits);
        }
        self.commits = fresh;
        self.tip = Some(tip.to_owned());
        self.dirty = true;
        Ok(())
    }

    /// Writes the cache back when it changed. A cache that cannot be written
    /// only costs time on the next export.
    pub fn save(&self) {
        let (Some(path), true) = (&self.path, self.dirty) else {
            return;
        };
        let Ok(bytes) = serde_json::to_vec(self) else {
            return;
        };
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}
