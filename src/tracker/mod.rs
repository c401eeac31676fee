//! The operations of the tracker: create, read, change, comment, delete and
//! check issues. Each change is one commit through [`Store::commit`], decided
//! from the branch as it is at that moment, so concurrent writers never lose
//! each other's work.
//!
//! Owns the rules that sit between the files and the commands (keys are
//! never reused, values are checked against `tracker.yml`, closing stamps
//! `resolved`); owns no I/O with people.

mod change;
mod links;
mod mentions;
pub mod merge;
pub mod release;
mod search;
pub mod sync;
mod transfer;

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use jiff::Timestamp;

pub use change::{Assignment, describe_changes, merge_edit, set_status};
pub use links::Batch;
pub use mentions::{Mention, branch_key, has_key_shaped_word, mentions, prefill, written_part};
pub use release::{NoteItem, NoteSection, ReleaseNotes};
pub use search::{Found, Page, Progress, Quiet, Snippet};
pub use transfer::Imported;

use crate::format::config::Vocabulary;
use crate::format::issue::field_position;
use crate::format::yaml;
use crate::format::{Comment, Config, Issue, Key, ParseError};
use crate::store::{Change, Edit, HistoryEntry, Snapshot, Store, StoreError};

pub const CONFIG_PATH: &str = "tracker.yml";
/// Keys of deleted issues, so that a key is never given out twice.
pub const DELETED_PATH: &str = "issues/deleted.yml";
/// Keys a sync moved (`BC-13 -> BC-14`), so the old key can be explained.
pub const MOVED_PATH: &str = "issues/moved.yml";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Transport(#[from] crate::store::TransportError),
    #[error("this repository has no issue tracker yet (no {0} branch)")]
    NotInitialized(String),
    #[error("no issue {0}")]
    NoSuchIssue(String),
    #[error("{0}")]
    BadFile(Problem),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Index(#[from] crate::index::IndexError),
}

impl Error {
    /// A second line that tells the user what to do next.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::NotInitialized(_) => Some("run git issue init to create it".to_owned()),
            Error::NoSuchIssue(_) => Some("git issue list --all shows the keys in use".to_owned()),
            Error::Transport(crate::store::TransportError::NoSuchRemote(_)) => {
                Some("git remote -v lists the remotes of this repository".to_owned())
            }
            Error::BadFile(p) if p.path.starts_with("issues/") => Some(format!(
                "fix the file with git issue edit {}, or see git issue doctor",
                p.path
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .trim_end_matches(".md")
            )),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Something wrong with one file on the branch: `path:line:col: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Problem {
    fn new(path: &str, e: ParseError) -> Self {
        Problem {
            path: path.to_owned(),
            line: e.line,
            column: e.column,
            message: e.message,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path, self.line, self.column, self.message
        )
    }
}

/// An issue with the key it is filed under.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub key: Key,
    pub issue: Issue,
}

#[derive(Debug, Clone)]
pub struct CommentRecord {
    /// The ULID of the file name.
    pub id: String,
    pub comment: Comment,
}

/// Everything `show` needs about one issue.
#[derive(Debug, Clone)]
pub struct Details {
    pub record: Record,
    pub comments: Vec<CommentRecord>,
    /// Comment files that do not parse; the others are still shown.
    pub problems: Vec<Problem>,
    pub commits: Vec<crate::store::CommitInfo>,
    /// The key asked for, when a sync renumbered this issue away from it.
    pub asked_as: Option<Key>,
}

/// Every issue that parsed, and a problem for each file that did not.
#[derive(Debug, Default)]
pub struct Listing {
    pub records: Vec<Record>,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InitOutcome {
    Created {
        key: String,
    },
    Exists {
        key: String,
    },
    /// The clone's remote already had an issues branch; it is now ours.
    Adopted {
        key: String,
        remote: String,
    },
}

/// What a change did: the commit, or nothing when it changed nothing.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub key: Key,
    pub commit: Option<String>,
    pub summary: String,
}

/// The raw text of an issue for an editor, and what it parsed to.
pub struct Source {
    pub key: Key,
    pub path: String,
    pub text: String,
    pub issue: std::result::Result<Issue, ParseError>,
}

/// What a new issue starts from, before the command line and the template
/// fill it in.
#[derive(Debug, Default, Clone)]
pub struct Draft {
    pub title: String,
    pub kind: Option<String>,
    pub priority: Option<String>,
    pub severity: Option<String>,
    pub labels: Vec<String>,
    pub milestone: Option<String>,
    pub assignee: Option<String>,
    pub component: Option<String>,
    pub body: Option<String>,
    pub template: Option<String>,
}

/// Open and closed counts of one milestone or label.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Count {
    pub name: String,
    pub open: usize,
    pub closed: usize,
}

pub struct Tracker {
    store: Store,
}

impl Tracker {
    pub fn discover(dir: &Path) -> Result<Tracker> {
        Ok(Tracker {
            store: Store::discover(dir)?,
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Creates the branch with `tracker.yml`. Run twice, it changes nothing.
    pub fn init(&self, key: Option<&str>) -> Result<InitOutcome> {
        let key = match key {
            Some(k) => {
                let k = k.to_ascii_uppercase();
                if !crate::format::key::is_valid_prefix(&k) {
                    return Err(Error::Invalid(format!(
                        "{k:?} cannot be a key: use a letter followed by up to nine letters or digits, like BC"
                    )));
                }
                k
            }
            None => crate::format::key::prefix_from_name(&self.store.repository_name()),
        };
        self.register_merge_driver()?;
        if let Some(remote) = self.adopt_remote_branch()? {
            let key = self.config().map_or_else(|_| "?".to_owned(), |c| c.key);
            return Ok(InitOutcome::Adopted { key, remote });
        }
        let existing = RefCell::new(None);
        self.store.commit(|snap| {
            if snap.exists() {
                let k = read_config(snap).map_or_else(|_| "?".to_owned(), |c| c.key);
                *existing.borrow_mut() = Some(k);
                return Ok::<_, Error>(None);
            }
            Ok(Some(Change {
                message: format!("Create the issue tracker with key {key}"),
                edits: vec![
                    Edit::Write {
                        path: CONFIG_PATH.to_owned(),
                        content: Config::initial_text(&key).into_bytes(),
                    },
                    Edit::Write {
                        path: sync::GITATTRIBUTES_PATH.to_owned(),
                        content: sync::GITATTRIBUTES.as_bytes().to_vec(),
                    },
                ],
            }))
        })?;
        Ok(match existing.into_inner() {
            Some(key) => InitOutcome::Exists { key },
            None => InitOutcome::Created { key },
        })
    }

    /// `tracker.yml` as it is on the branch now.
    pub fn config(&self) -> Result<Config> {
        read_config(&self.snapshot()?)
    }

    fn snapshot(&self) -> Result<Snapshot<'_>> {
        let snap = self.store.snapshot()?;
        if !snap.exists() {
            return Err(Error::NotInitialized(self.store.branch_name().to_owned()));
        }
        Ok(snap)
    }

    /// The key an issue is filed under, or `NoSuchIssue`: for checking that
    /// an issue exists without reading it.
    pub fn resolve(&self, key: &Key) -> Result<Key> {
        Ok(locate(&self.snapshot()?, key)?.0)
    }

    /// Reads a key as the user typed it (`BC-12`, `bc-12`, `12`).
    pub fn parse_key(&self, s: &str) -> Result<Key> {
        let config = self.config()?;
        Key::parse_with_default(s, &config.key).ok_or_else(|| {
            Error::Invalid(format!("{s:?} is not an issue key like {}-12", config.key))
        })
    }

    /// A new issue as the command line and template describe it, not yet
    /// filed: the text an editor starts from, or what `create` files.
    pub fn draft(&self, draft: Draft) -> Result<Issue> {
        let snap = self.snapshot()?;
        let config = read_config(&snap)?;
        let now = self.store.now();
        let mut issue = Issue::new(
            ulid::Ulid::new().to_string(),
            draft.title.trim().to_owned(),
            config.default_type().to_owned(),
            config.initial_status().to_owned(),
            config.default_priority().to_owned(),
            now,
        );
        issue.severity = config.defaults.severity.clone();
        issue.reporter = Some(self.store.user()?);
        if let Some(name) = &draft.template {
            apply_template(&snap, name, &mut issue)?;
        }
        let set = |slot: &mut String, v: &Option<String>| {
            if let Some(v) = v {
                *slot = v.clone();
            }
        };
        set(&mut issue.kind, &draft.kind);
        set(&mut issue.priority, &draft.priority);
        for (slot, v) in [
            (&mut issue.severity, &draft.severity),
            (&mut issue.milestone, &draft.milestone),
            (&mut issue.assignee, &draft.assignee),
            (&mut issue.component, &draft.component),
        ] {
            if v.is_some() {
                slot.clone_from(v);
            }
        }
        for l in draft.labels {
            if !issue.labels.contains(&l) {
                issue.labels.push(l);
            }
        }
        if let Some(body) = draft.body {
            issue.body = yaml::normalize_body(&body);
        }
        Ok(issue)
    }

    /// Files a new issue under the next free key.
    pub fn create(&self, issue: Issue) -> Result<Key> {
        if issue.title.trim().is_empty() {
            return Err(Error::Invalid("an issue needs a title".to_owned()));
        }
        let key = RefCell::new(None);
        self.store.commit(|snap| {
            let config = read_config(snap)?;
            check_values(&issue, &config, None).map_err(Error::Invalid)?;
            let k = Key::new(config.key.clone(), next_number(snap)?);
            let change = Change {
                message: format!("{k}: new {} {:?}", issue.kind, issue.title),
                edits: vec![Edit::Write {
                    path: k.path(),
                    content: issue.print().into_bytes(),
                }],
            };
            *key.borrow_mut() = Some(k);
            Ok::<_, Error>(Some(change))
        })?;
        key.into_inner()
            .ok_or_else(|| Error::Invalid("the issue was not filed".to_owned()))
    }

    /// One issue with its comments and linked commits.
    pub fn details(&self, key: &Key) -> Result<Details> {
        let snap = self.snapshot()?;
        let (record, asked_as) = match load(&snap, key) {
            Ok(r) => (r, None),
            // A key a sync renumbered away leads to the issue that had it.
            Err(Error::NoSuchIssue(k)) => match sync::moves_from(&snap, key)?.first() {
                Some(to) => (load(&snap, to)?, Some(key.clone())),
                None => return Err(Error::NoSuchIssue(k)),
            },
            Err(e) => return Err(e),
        };
        let (comments, problems) = comments_of(&snap, &record.key)?;
        let commits = record
            .issue
            .commits
            .iter()
            .filter_map(|c| self.store.commit_info(c))
            .collect();
        Ok(Details {
            record,
            comments,
            problems,
            commits,
            asked_as,
        })
    }

    /// The file of an issue as text, whether or not it parses.
    pub fn source(&self, key: &Key) -> Result<Source> {
        let snap = self.snapshot()?;
        let (key, path) = locate(&snap, key)?;
        let text = snap.read(&path)?.unwrap_or_default();
        Ok(Source {
            key,
            path,
            issue: Issue::parse(&text),
            text,
        })
    }

    /// Checks an edited issue against `tracker.yml`, pointing at the line of
    /// the offending field in `text`.
    pub fn check_edit(&self, issue: &Issue, text: &str) -> Result<(), ParseError> {
        let config = self
            .config()
            .map_err(|e| ParseError::new(1, 1, e.to_string()))?;
        let mut problems = value_problems(issue, text, &config, "");
        match problems.drain(..).next() {
            Some(p) => Err(ParseError::new(p.line, p.column, p.message)),
            None => Ok(()),
        }
    }

    /// Changes one issue. `apply` sees the issue as it is on the tip (again,
    /// if another writer got there first) and the settings.
    pub fn update(
        &self,
        key: &Key,
        mut apply: impl FnMut(&mut Issue, &Config, Timestamp) -> Result<()>,
    ) -> Result<Outcome> {
        let now = self.store.now();
        let result = RefCell::new((key.clone(), String::new()));
        let commit = self.store.commit(|snap| {
            let config = read_config(snap)?;
            let old = load(snap, key)?;
            let mut issue = old.issue.clone();
            apply(&mut issue, &config, now)?;
            let changes = describe_changes(&old.issue, &issue);
            if changes.is_empty() {
                *result.borrow_mut() = (old.key, "unchanged".to_owned());
                return Ok::<_, Error>(None);
            }
            check_values(&issue, &config, Some(&old.issue)).map_err(Error::Invalid)?;
            issue.updated = now;
            let summary = changes.join(", ");
            let change = Change {
                message: format!("{}: {summary}", old.key),
                edits: vec![Edit::Write {
                    path: old.key.path(),
                    content: issue.print().into_bytes(),
                }],
            };
            *result.borrow_mut() = (old.key, summary);
            Ok(Some(change))
        })?;
        let (key, summary) = result.into_inner();
        Ok(Outcome {
            key,
            commit,
            summary,
        })
    }

    /// Applies the words of `set` (or `label`) to one issue in one commit.
    pub fn assign(&self, key: &Key, changes: &[Assignment]) -> Result<Outcome> {
        self.update(key, |issue, config, now| {
            for c in changes {
                c.apply(issue, config, now).map_err(Error::Invalid)?;
            }
            Ok(())
        })
    }

    /// Writes what an editor produced. With the issue as it was opened
    /// (`base`), only the fields the user changed are applied to the issue as
    /// it is now, so a change made meanwhile by someone else survives; a file
    /// that did not parse when opened is replaced whole.
    pub fn save_edit(&self, key: &Key, base: Option<&Issue>, edited: &Issue) -> Result<Outcome> {
        match base {
            Some(base) => self.update(key, |issue, _, _| {
                merge_edit(base, edited, issue);
                Ok(())
            }),
            None => {
                let now = self.store.now();
                let commit = self.store.commit(|snap| {
                    let (k, path) = locate(snap, key)?;
                    let mut issue = edited.clone();
                    issue.updated = now;
                    Ok::<_, Error>(Some(Change {
                        message: format!("{k}: repair the file by hand"),
                        edits: vec![Edit::Write {
                            path,
                            content: issue.print().into_bytes(),
                        }],
                    }))
                })?;
                Ok(Outcome {
                    key: key.clone(),
                    commit,
                    summary: "file replaced".to_owned(),
                })
            }
        }
    }

    /// Adds a comment; returns its id.
    pub fn comment(&self, key: &Key, body: &str, internal: bool) -> Result<(Key, String)> {
        let body = yaml::normalize_body(body);
        if body.is_empty() {
            return Err(Error::Invalid("a comment needs some text".to_owned()));
        }
        let comment = Comment {
            author: self.store.user()?,
            created: self.store.now(),
            internal,
            extra: Vec::new(),
            body,
        };
        let id = ulid::Ulid::new().to_string();
        let found = RefCell::new(key.clone());
        self.store.commit(|snap| {
            let (k, _) = locate(snap, key)?;
            let change = Change {
                message: format!(
                    "{k}: {}comment {id}",
                    if internal { "internal " } else { "" }
                ),
                edits: vec![Edit::Write {
                    path: format!("{}/{id}.md", k.comments_dir()),
                    content: comment.print().into_bytes(),
                }],
            };
            *found.borrow_mut() = k;
            Ok::<_, Error>(Some(change))
        })?;
        Ok((found.into_inner(), id))
    }

    /// Removes an issue and its comments. Its key is recorded so that it is
    /// never given to another issue; the issue stays in the branch's history.
    pub fn delete(&self, key: &Key) -> Result<Key> {
        let found = RefCell::new(key.clone());
        self.store.commit(|snap| {
            let (k, path) = locate(snap, key)?;
            let mut deleted = snap.read(DELETED_PATH)?.unwrap_or_else(|| {
                "# Keys of deleted issues: git-issue never gives them out again.\n".to_owned()
            });
            deleted.push_str(&format!("- {k}\n"));
            let mut edits = vec![
                Edit::Remove { path },
                Edit::Write {
                    path: DELETED_PATH.to_owned(),
                    content: deleted.into_bytes(),
                },
            ];
            // libgit2 refuses to remove a folder that is not there: an issue
            // without comments has none.
            if snap.contains(&k.dir()) {
                edits.push(Edit::Remove { path: k.dir() });
            }
            let change = Change {
                message: format!("{k}: delete"),
                edits,
            };
            *found.borrow_mut() = k;
            Ok::<_, Error>(Some(change))
        })?;
        Ok(found.into_inner())
    }

    /// The commits of the branch that changed the issue or its comments.
    pub fn log(&self, key: &Key) -> Result<Vec<HistoryEntry>> {
        let snap = self.snapshot()?;
        let key = match locate(&snap, key) {
            Ok((k, _)) => k,
            // A deleted issue still has a history.
            Err(Error::NoSuchIssue(_)) => key.clone(),
            Err(e) => return Err(e),
        };
        let history = self.store.history(&[key.path(), key.dir()])?;
        if history.is_empty() {
            return Err(Error::NoSuchIssue(key.to_string()));
        }
        Ok(history)
    }

    /// Milestones with open and closed counts, in name order.
    pub fn milestones(&self) -> Result<(Vec<Count>, Vec<Problem>)> {
        self.counts(crate::format::fields::named("milestone"))
    }

    /// Labels with open and closed counts, in name order.
    pub fn labels(&self) -> Result<(Vec<Count>, Vec<Problem>)> {
        self.counts(crate::format::fields::named("labels"))
    }

    /// Checks every file on the branch.
    pub fn doctor(&self) -> Result<Vec<Problem>> {
        let snap = self.snapshot()?;
        let mut problems = Vec::new();
        let config = match snap.read(CONFIG_PATH)? {
            None => {
                problems.push(Problem::new(
                    CONFIG_PATH,
                    ParseError::new(1, 1, "the file is missing; the defaults apply"),
                ));
                Config::default()
            }
            Some(text) => Config::parse(&text).unwrap_or_else(|e| {
                problems.push(Problem::new(CONFIG_PATH, e));
                Config::default()
            }),
        };
        let mut ids: HashMap<String, String> = HashMap::new();
        for path in snap.all_files()? {
            let Some(rest) = path.strip_prefix("issues/") else {
                continue;
            };
            let text = match snap.read(&path) {
                Ok(t) => t.unwrap_or_default(),
                Err(e) => {
                    problems.push(Problem::new(&path, ParseError::new(1, 1, e.to_string())));
                    continue;
                }
            };
            let parts: Vec<&str> = rest.split('/').collect();
            match parts.as_slice() {
                [bucket, file] if file.ends_with(".md") => {
                    let Some(key) = Key::from_file_name(file) else {
                        problems.push(Problem::new(
                            &path,
                            ParseError::new(
                                1,
                                1,
                                "the file name is not an issue key like BC-12.md",
                            ),
                        ));
                        continue;
                    };
                    if bucket.parse::<u64>().ok() != Some(key.bucket()) {
                        problems.push(Problem::new(
                            &path,
                            ParseError::new(
                                1,
                                1,
                                format!("{key} belongs in issues/{}/", key.bucket()),
                            ),
                        ));
                    }
                    match Issue::parse(&text) {
                        Ok(issue) => {
                            problems.extend(value_problems(&issue, &text, &config, &path));
                            if let Some(other) = ids.insert(issue.id.clone(), path.clone()) {
                                problems.push(Problem::new(
                                    &path,
                                    ParseError::new(
                                        field_position(&text, "id").map_or(2, |p| p.0),
                                        1,
                                        format!("the id {} is also the id of {other}", issue.id),
                                    ),
                                ));
                            }
                        }
                        Err(e) => problems.push(Problem::new(&path, e)),
                    }
                }
                [_, _, "comments", file] if file.ends_with(".md") => {
                    if let Err(e) = Comment::parse(&text) {
                        problems.push(Problem::new(&path, e));
                    }
                }
                _ => {}
            }
        }
        Ok(problems)
    }

    /// Resolves a revision of the user's repository to a full commit id.
    pub fn resolve_commit(&self, rev: &str) -> Result<String> {
        Ok(self.store.resolve_commit(rev)?)
    }
}

pub(crate) fn read_config(snap: &Snapshot<'_>) -> Result<Config> {
    match snap.read(CONFIG_PATH)? {
        None => Ok(Config::default()),
        Some(text) => {
            Config::parse(&text).map_err(|e| Error::BadFile(Problem::new(CONFIG_PATH, e)))
        }
    }
}

/// Finds the file of an issue: at its path, or by number in its bucket when
/// the prefix differs (`tracker.yml`'s key was changed after it was filed).
fn locate(snap: &Snapshot<'_>, key: &Key) -> Result<(Key, String)> {
    let path = key.path();
    if snap.contains(&path) {
        return Ok((key.clone(), path));
    }
    // Only the tracker's own prefix finds an issue filed under an older one;
    // a mistyped prefix (`XY-1` for `BC-1`) must not show another issue.
    if read_config(snap).is_ok_and(|c| c.key != key.prefix) {
        return Err(Error::NoSuchIssue(key.to_string()));
    }
    let dir = format!("issues/{}", key.bucket());
    for entry in snap.list(&dir)? {
        if entry.is_dir {
            continue;
        }
        if let Some(k) = Key::from_file_name(&entry.name)
            && k.number == key.number
        {
            return Ok((k.clone(), k.path()));
        }
    }
    Err(Error::NoSuchIssue(key.to_string()))
}

/// The comments of an issue, oldest first; files that do not parse become
/// problems.
fn comments_of(snap: &Snapshot<'_>, key: &Key) -> Result<(Vec<CommentRecord>, Vec<Problem>)> {
    let mut comments = Vec::new();
    let mut problems = Vec::new();
    let dir = key.comments_dir();
    for entry in snap.list(&dir)? {
        let Some(id) = entry.name.strip_suffix(".md") else {
            continue;
        };
        let path = format!("{dir}/{}", entry.name);
        let text = snap.read(&path)?.unwrap_or_default();
        match Comment::parse(&text) {
            Ok(comment) => comments.push(CommentRecord {
                id: id.to_owned(),
                comment,
            }),
            Err(e) => problems.push(Problem::new(&path, e)),
        }
    }
    comments.sort_by(|a, b| (a.comment.created, &a.id).cmp(&(b.comment.created, &b.id)));
    Ok((comments, problems))
}

fn load(snap: &Snapshot<'_>, key: &Key) -> Result<Record> {
    let (key, path) = locate(snap, key)?;
    let text = snap.read(&path)?.unwrap_or_default();
    let issue = Issue::parse(&text).map_err(|e| Error::BadFile(Problem::new(&path, e)))?;
    Ok(Record { key, issue })
}

/// Reads every issue file; one that does not parse becomes a problem and the
/// others are read as usual.
fn scan(snap: &Snapshot<'_>) -> Result<Listing> {
    let mut listing = Listing::default();
    for (key, path) in issue_files(snap)? {
        let text = match snap.read(&path) {
            Ok(t) => t.unwrap_or_default(),
            Err(e) => {
                listing
                    .problems
                    .push(Problem::new(&path, ParseError::new(1, 1, e.to_string())));
                continue;
            }
        };
        match Issue::parse(&text) {
            Ok(issue) => listing.records.push(Record { key, issue }),
            Err(e) => listing.problems.push(Problem::new(&path, e)),
        }
    }
    Ok(listing)
}

/// Every issue file on the branch, with its key and where it is (a file in
/// the wrong bucket is still found; `doctor` reports it).
fn issue_files(snap: &Snapshot<'_>) -> Result<Vec<(Key, String)>> {
    let mut files = Vec::new();
    for bucket in snap.list("issues")? {
        if !bucket.is_dir {
            continue;
        }
        let dir = format!("issues/{}", bucket.name);
        for entry in snap.list(&dir)? {
            if !entry.is_dir
                && let Some(key) = Key::from_file_name(&entry.name)
            {
                files.push((key, format!("{dir}/{}", entry.name)));
            }
        }
    }
    Ok(files)
}

/// The number after the highest one ever used: the highest issue on the
/// branch or in the list of deleted keys.
fn next_number(snap: &Snapshot<'_>) -> Result<u64> {
    let mut buckets: Vec<u64> = snap
        .list("issues")?
        .into_iter()
        .filter(|e| e.is_dir)
        .filter_map(|e| e.name.parse().ok())
        .collect();
    buckets.sort_unstable_by(|a, b| b.cmp(a));
    let mut highest = 0;
    for bucket in buckets {
        highest = snap
            .list(&format!("issues/{bucket}"))?
            .iter()
            .filter_map(|e| {
                let name = e.name.strip_suffix(".md").unwrap_or(&e.name);
                name.parse::<Key>().ok()
            })
            .map(|k| k.number)
            .max()
            .unwrap_or(0);
        if highest > 0 {
            break;
        }
    }
    let deleted = deleted_numbers(snap)?.into_iter().max().unwrap_or(0);
    Ok(highest.max(deleted) + 1)
}

/// The numbers of deleted issues, which are never given out again.
fn deleted_numbers(snap: &Snapshot<'_>) -> Result<Vec<u64>> {
    let text = snap.read(DELETED_PATH)?.unwrap_or_default();
    Ok(merge::deleted_keys(&text)
        .iter()
        .filter_map(|k| k.parse::<Key>().ok())
        .map(|k| k.number)
        .collect())
}

fn apply_template(snap: &Snapshot<'_>, name: &str, issue: &mut Issue) -> Result<()> {
    let path = format!("templates/{name}.md");
    let Some(text) = snap.read(&path)? else {
        let names: Vec<String> = snap
            .list("templates")?
            .into_iter()
            .filter_map(|e| e.name.strip_suffix(".md").map(str::to_owned))
            .collect();
        return Err(Error::Invalid(if names.is_empty() {
            format!("no template {name:?}: the branch has no templates/ folder")
        } else {
            format!("no template {name:?}; there are: {}", names.join(", "))
        }));
    };
    // A template is a body, optionally with front matter giving defaults.
    let doc = if text.starts_with("---") {
        yaml::parse_document(&text).map_err(|e| Error::BadFile(Problem::new(&path, e)))?
    } else {
        yaml::Document {
            fields: Vec::new(),
            body: yaml::normalize_body(&text),
        }
    };
    for f in doc.fields {
        let text = || f.value.as_str().map(str::to_owned);
        match f.name.as_str() {
            "type" => issue.kind = text().unwrap_or_else(|| issue.kind.clone()),
            "priority" => issue.priority = text().unwrap_or_else(|| issue.priority.clone()),
            "severity" => issue.severity = text(),
            "milestone" => issue.milestone = text(),
            "assignee" => issue.assignee = text(),
            "component" => issue.component = text(),
            "title" if issue.title.is_empty() => issue.title = text().unwrap_or_default(),
            "labels" => {
                if let Some(items) = f.value.as_array() {
                    issue.labels = items
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect();
                }
            }
            _ => {}
        }
    }
    issue.body = doc.body;
    Ok(())
}

/// Checks the values `tracker.yml` lists. With `old`, only fields that
/// changed are checked, so an issue whose status a newer `tracker.yml` no
/// longer lists can still get a comment or a label.
fn check_values(issue: &Issue, config: &Config, old: Option<&Issue>) -> Result<(), String> {
    let checks = [
        (
            Vocabulary::Status,
            Some(&issue.status),
            old.map(|o| &o.status),
        ),
        (Vocabulary::Type, Some(&issue.kind), old.map(|o| &o.kind)),
        (
            Vocabulary::Priority,
            Some(&issue.priority),
            old.map(|o| &o.priority),
        ),
        (
            Vocabulary::Severity,
            issue.severity.as_ref(),
            old.and_then(|o| o.severity.as_ref()),
        ),
    ];
    for (vocab, value, before) in checks {
        if let Some(v) = value
            && (old.is_none() || before != Some(v))
        {
            config.check(vocab, v)?;
        }
    }
    Ok(())
}

fn value_problems(issue: &Issue, text: &str, config: &Config, path: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    let fields = [
        (Vocabulary::Status, Some(&issue.status)),
        (Vocabulary::Type, Some(&issue.kind)),
        (Vocabulary::Priority, Some(&issue.priority)),
        (Vocabulary::Severity, issue.severity.as_ref()),
    ];
    for (vocab, value) in fields {
        if let Some(v) = value
            && let Err(msg) = config.check(vocab, v)
        {
            let (line, column) = field_position(text, vocab.field()).unwrap_or((1, 1));
            out.push(Problem {
                path: path.to_owned(),
                line,
                column,
                message: msg,
            });
        }
    }
    if issue.body.lines().any(|l| l.starts_with("<<<<<<< ")) {
        let line = text
            .lines()
            .position(|l| l.starts_with("<<<<<<< "))
            .map_or(1, |i| i + 1);
        out.push(Problem {
            path: path.to_owned(),
            line,
            column: 1,
            message: "the description has unresolved conflict markers".to_owned(),
        });
    }
    out
}
