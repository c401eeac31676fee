//! The operations of the tracker: create, read, change, comment, delete,
//! search, check, link, sync and move issues in and out. Each change is one
//! commit through [`Store::commit`], decided from the branch as it is at that
//! moment, so concurrent writers never lose each other's work.
//!
//! Owns the rules that sit between the files and the commands (keys are
//! never reused, values are checked against `tracker.yml`, closing stamps
//! `resolved`, a duplicate cannot be its own original); owns no I/O with
//! people. Reading the branch is [`read`]; each file below is one kind of
//! operation.

mod analyze;
pub mod attachments;
mod audience;
mod change;
mod code;
mod complete;
mod doctor;
mod duplicates;
mod edit;
mod error;
pub mod events;
mod guarded;
mod history;
mod indexing;
mod links;
mod mentions;
pub mod merge;
mod metrics;
pub mod notify;
mod parsed_settings;
pub mod people;
pub mod read;
mod record;
pub mod release;
pub mod replies;
mod search;
mod settings;
pub mod stats;
pub mod sync;
pub mod template;
mod transfer;
mod tree_merge;
pub mod votes;

use std::cell::RefCell;
use std::path::Path;

pub use analyze::{Analysis, ErrorLine, GroupLine, Priority, Suggestion};
pub use audience::Audience;
pub use change::{
    Assignment, check_label, describe_changes, merge_edit, set_status, settable_names,
};
pub use code::Blamed;
pub use complete::Completable;
pub use duplicates::Merged;
pub use edit::Closing;
pub use error::{Error, ErrorKind, Problem, Result, store_kind};
pub use links::Batch;
pub use mentions::{Mention, branch_key, has_key_shaped_word, mentions, prefill, written_part};
pub use metrics::{Family, Metrics, RESOLUTION_BUCKETS, Sample};
pub use read::{Contents, IssueContents};
pub use record::{
    FOLD_AT, Occurrence, REGRESSION, RecordOutcome, Recorded, parse_at, parse_context, read_records,
};
pub use release::{NoteItem, NoteSection, ReleaseNotes};
pub use search::{Found, Listed, Page, Progress, Quiet, Snippet};
pub use settings::{SettingChange, TemplateInfo};
pub use transfer::Imported;
pub use votes::Vote;

use crate::format::layout;
use crate::format::{Comment, Config, Issue, Key, ParseError};
use crate::store::{Change, CommitInfo, Edit, Snapshot, Store};
use read::{comments_of, load, locate, moves_from, read_config};

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
    pub commits: Vec<CommitInfo>,
    /// The key asked for, when a sync renumbered this issue away from it.
    pub asked_as: Option<Key>,
    /// Other issues that had this issue's key before a sync renumbered
    /// them.
    pub moved_away: Vec<Key>,
    /// The settings the issue was read with.
    pub config: Config,
    /// Its attached files, by name.
    pub attachments: Vec<attachments::Attachment>,
    /// Issues closed as duplicates of it.
    pub duplicates: Vec<Key>,
    /// The sum of its occurrence files (a recorded error), with the newest
    /// contexts; its computed fields are set on `record.issue`.
    pub occurrences: crate::format::occurrence::Tally,
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
    /// Who reported it, when not the user (a customer, by name).
    pub reporter: Option<String>,
    /// The email to answer the reporter at.
    pub reporter_email: Option<String>,
    /// Where it happens: browser, OS, URL, version.
    pub env: std::collections::BTreeMap<String, String>,
    /// `{name}` values for the template (`--var name=VALUE`).
    pub vars: Vec<(String, String)>,
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

    /// Signs every change this tracker makes from now on with a `Via:
    /// <name>` trailer: the program (an agent) it was made through on the
    /// user's behalf.
    pub fn set_via(&mut self, name: &str) {
        self.store.set_via(name);
    }

    /// Creates the branch with `tracker.yml`. Run twice, it changes nothing.
    pub fn init(&self, key: Option<&str>) -> Result<InitOutcome> {
        let key = match key {
            Some(k) => {
                let k = k.to_ascii_uppercase();
                if !crate::format::key::is_valid_prefix(&k) {
                    return Err(Error::Refused(format!(
                        "{k:?} cannot be a key: use a letter followed by up to nine letters or digits, like BC"
                    )));
                }
                k
            }
            None => crate::format::key::prefix_from_name(&self.store.repository_name()),
        };
        if let Some(remote) = self.adopt_remote_branch()? {
            self.register_merge_driver()?;
            let key = self.config().map_or_else(|_| "?".to_owned(), |c| c.key);
            return Ok(InitOutcome::Adopted { key, remote });
        }
        let existing = RefCell::new(None);
        self.commit(|snap| {
            if snap.exists() {
                let k = read_config(snap).map_or_else(|_| "?".to_owned(), |c| c.key);
                *existing.borrow_mut() = Some(k);
                return Ok::<_, Error>(None);
            }
            Ok(Some(Change {
                message: format!("Create the issue tracker with key {key}"),
                edits: vec![
                    Edit::Write {
                        path: layout::CONFIG.to_owned(),
                        content: Config::initial_text(&key, &self.store.main_branch_guess())
                            .into_bytes(),
                    },
                    Edit::Write {
                        path: layout::ATTRIBUTES.to_owned(),
                        content: sync::GITATTRIBUTES.as_bytes().to_vec(),
                    },
                ],
            }))
        })?;
        // Only once the branch is there: a failed init leaves nothing
        // behind, not even the merge driver in .git/config.
        self.register_merge_driver()?;
        Ok(match existing.into_inner() {
            Some(key) => InitOutcome::Exists { key },
            None => InitOutcome::Created { key },
        })
    }

    /// `tracker.yml` as it is on the branch now.
    pub fn config(&self) -> Result<Config> {
        read_config(&self.snapshot()?)
    }

    /// `tracker.yml` as written on the branch now (empty when there is
    /// none: every setting has its default).
    pub fn config_text(&self) -> Result<String> {
        Ok(self.snapshot()?.read(layout::CONFIG)?.unwrap_or_default())
    }

    /// One commit on the branch ([`Store::commit`]), refused on a branch
    /// whose `tracker.yml` declares a format this build does not know: an
    /// older git-issue never writes over a newer one's files.
    pub(crate) fn commit(
        &self,
        mut build: impl FnMut(&Snapshot<'_>) -> Result<Option<Change>>,
    ) -> Result<Option<String>> {
        self.store.commit(|snap| {
            read::known_format(snap, layout::CONFIG)?;
            build(snap)
        })
    }

    /// The branch as it is now; an error when there is no tracker yet.
    fn snapshot(&self) -> Result<Snapshot<'_>> {
        let snap = self.store.snapshot()?;
        if !snap.exists() {
            let branch = self.store.branch_name().to_owned();
            // A fresh clone: the remote has a tracker this clone has not
            // taken up yet. Said, not adopted behind the user's back: a
            // read command does not create branches or write .git/config.
            if let Some(remote) = self.store.remotes().into_iter().find(|r| {
                let name = self.store.tracking_refname(r);
                self.store.ref_target(&name).ok().flatten().is_some()
            }) {
                return Err(Error::RemoteTracker { remote, branch });
            }
            return Err(Error::NotInitialized { branch });
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
        Key::parse_with_default(s, &config.key)
            .ok_or_else(|| Error::BadKey(s.to_owned(), config.key.clone()))
    }

    /// Resolves a revision of the user's repository to a full commit id.
    pub fn resolve_commit(&self, rev: &str) -> Result<String> {
        Ok(self.store.resolve_commit(rev)?)
    }

    /// One issue with its comments and linked commits, all read from one
    /// snapshot of the branch.
    pub fn details(&self, key: &Key) -> Result<Details> {
        let snap = self.snapshot()?;
        let config = read_config(&snap)?;
        let (record, asked_as) = match load(&snap, key) {
            Ok(r) => (r, None),
            // An old key leads to the issue that had it: the one whose
            // aliases hold it, wherever renumberings took it since.
            // A key deleted after a sync renumbered an issue away from it
            // names the deletion: the issue renumbered is named, not shown in
            // its place. Renumbered after the deletion (the key was taken
            // because of it), the key leads to that issue.
            Err(Error::NoSuchIssue(k)) => match self.alias_holders(key, None)?.as_slice() {
                [] => return Err(self.deleted_or_missing(&snap, key, k, &[])),
                holders
                    if read::is_deleted(&snap, key)
                        && self.deleted_after_move(key, &self.file_history(key)?) =>
                {
                    return Err(self.deleted_or_missing(&snap, key, k, holders));
                }
                [one] => (load(&snap, one)?, Some(key.clone())),
                many => {
                    return Err(Error::AmbiguousKey {
                        key: key.to_string(),
                        holders: many.iter().map(ToString::to_string).collect(),
                    });
                }
            },
            Err(e) => return Err(e),
        };
        // Other issues that had this key, when a sync ever moved it.
        let moved_away = if moves_from(&snap, &record.key)?.is_empty() {
            Vec::new()
        } else {
            self.alias_holders(&record.key, Some(&record.key))?
        };
        let (comments, problems) = comments_of(&snap, &record.key)?;
        let attachments = attachments::attachments_in(&snap, &record.key)?;
        let duplicates = self.duplicates(&snap, &record.key)?;
        // An occurrence file that does not parse counts for nothing here;
        // `doctor` reports it.
        let (files, _) = read::occurrences_of(&snap, &record.key)?;
        let occurrences =
            crate::format::occurrence::Tally::of(files.iter().map(|(id, f)| (id.as_str(), f)));
        let mut record = record;
        occurrences.apply(&mut record.issue);
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
            moved_away,
            config,
            attachments,
            duplicates,
            occurrences,
        })
    }

    /// `Deleted`, with when and by whom, for a key `issues/deleted.yml`
    /// lists; `NoSuchIssue` otherwise.
    fn deleted_or_missing(
        &self,
        snap: &Snapshot<'_>,
        key: &Key,
        asked: String,
        renumbered: &[Key],
    ) -> Error {
        if !read::is_deleted(snap, key) {
            return Error::NoSuchIssue(asked);
        }
        let last = self
            .store
            .history(&[layout::issue_file(key)])
            .ok()
            .and_then(|h| h.into_iter().next());
        Error::Deleted {
            key: key.to_string(),
            when: last
                .as_ref()
                .map(|r| crate::format::format_timestamp(r.time)),
            by: last.map(|r| r.author),
            renumbered: renumbered.iter().map(ToString::to_string).collect(),
        }
    }

    /// Every key the issue has had: the issues whose `aliases` hold `key`
    /// (but `except`), found through the index.
    fn alias_holders(&self, key: &Key, except: Option<&Key>) -> Result<Vec<Key>> {
        let expr = crate::query::Expr::Field(
            crate::format::fields::named("aliases"),
            vec![key.to_string().to_lowercase()],
        );
        let page = Page {
            sort: crate::query::Sort::default(),
            by_score: false,
            offset: 0,
            limit: Some(20),
        };
        let found = self.find(&expr, page, &Quiet)?;
        Ok(found
            .records
            .into_iter()
            .map(|r| r.key)
            .filter(|k| Some(k) != except)
            .collect())
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

    /// Milestones with open and closed counts, in name order.
    pub fn milestones(&self) -> Result<(Vec<Count>, Vec<Problem>)> {
        self.counts(crate::format::fields::named("milestone"))
    }

    /// Labels with open and closed counts, in name order.
    pub fn labels(&self) -> Result<(Vec<Count>, Vec<Problem>)> {
        self.counts(crate::format::fields::named("labels"))
    }

    /// Every issue with its comments and attachments, read from one
    /// snapshot: what the site and a full export read.
    pub fn contents(&self, with_comments: bool) -> Result<(String, Config, Contents)> {
        let snap = self.snapshot()?;
        let tip = snap.commit_id().unwrap_or_default();
        let config = read_config(&snap)?;
        Ok((tip, config, read::contents(&snap, with_comments)?))
    }

    /// As [`Tracker::contents`] at `commit` (with comments), of the issues
    /// whose numbers are in `numbers` only: a slice of a big branch.
    /// `listed` is [`Tracker::issue_files`] at `commit`, listed once for
    /// every slice (listed again if it is of another commit).
    pub fn contents_in(
        &self,
        commit: &str,
        numbers: std::ops::Range<u64>,
        listed: &crate::store::FileList,
    ) -> Result<(Config, Contents)> {
        let snap = self.store.snapshot_of(Some(commit))?;
        let config = read_config(&snap)?;
        let contents = read::contents_where(&snap, listed, true, &|n| numbers.contains(&n))?;
        Ok((config, contents))
    }

    /// The files of the issues at `commit`, for [`Tracker::contents_in`].
    pub fn issue_files(&self, commit: &str) -> Result<crate::store::FileList> {
        Ok(self
            .store
            .snapshot_of(Some(commit))?
            .list_files(layout::ISSUES)?)
    }

    /// A number beyond every issue's at `commit` that lies in the bucket
    /// its number names (`issues/<n / 1000>/`), from the names of the
    /// bucket folders.
    pub fn bucket_bound(&self, commit: &str) -> Result<u64> {
        let snap = self.store.snapshot_of(Some(commit))?;
        Ok(snap
            .list(layout::ISSUES)?
            .iter()
            .filter(|e| e.is_dir)
            .filter_map(|e| e.name.parse::<u64>().ok())
            .max()
            .map_or(0, |b| (b + 1).saturating_mul(1000)))
    }

    /// The issues at `keys` with their comments and attachments, read at
    /// `commit` of the branch as [`Tracker::contents`] reads them: what an
    /// export after a few changes reads.
    pub fn contents_at(&self, commit: &str, keys: &[Key]) -> Result<(Config, Contents)> {
        let snap = self.store.snapshot_of(Some(commit))?;
        let config = read_config(&snap)?;
        Ok((config, read::contents_of(&snap, keys)?))
    }
}

/// Replaces a file of this clone's own state (`<git dir>/git-issue/…`: a
/// cache, never committed) whole: a temporary file beside it renamed into
/// place, so a reader never sees half of it. Its folder is made if missing.
pub(crate) fn replace_local_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests;
