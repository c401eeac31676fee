//! Changes to issues: filing one, setting fields, editing, commenting,
//! closing and reopening, linking commits, deleting. Each is one commit,
//! decided from the branch as it is, and rebuilt when another writer got
//! there first.

use std::cell::RefCell;

use jiff::Timestamp;

use super::doctor::{check_values, value_problems};
use super::read::{load_at, locate, next_number, read_config};
use super::template::apply_template;
use super::{
    Assignment, Draft, Error, Outcome, Result, Tracker, describe_changes, merge_edit, set_status,
};
use crate::format::layout;
use crate::format::{Comment, Config, Issue, Key, ParseError, yaml};
use crate::store::{Change, Edit};

impl Tracker {
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
            apply_template(&snap, name, &mut issue, &draft.vars)?;
        }
        super::people::apply_reporter(&mut issue, &draft)?;
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
            return Err(Error::Empty {
                what: "an issue",
                needs: "a title",
            });
        }
        let key = RefCell::new(None);
        self.commit(|snap| {
            let config = read_config(snap)?;
            check_values(&issue, &config, None).map_err(Error::Refused)?;
            let k = Key::new(config.key.clone(), next_number(snap)?);
            let change = Change {
                message: format!("{k}: new {} {:?}", issue.kind, issue.title),
                edits: vec![Edit::Write {
                    path: layout::issue_file(&k),
                    content: issue.print().into_bytes(),
                }],
            };
            *key.borrow_mut() = Some(k);
            Ok::<_, Error>(Some(change))
        })?;
        key.into_inner()
            .ok_or_else(|| Error::Internal("the issue was not filed".to_owned()))
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
        apply: impl FnMut(&mut Issue, &Config, Timestamp) -> Result<()>,
    ) -> Result<Outcome> {
        self.update_with_comment(key, apply, None)
    }

    /// Like [`Tracker::update`], and adds `comment` (with its id) in the
    /// same commit: a change and the words saying why land together.
    fn update_with_comment(
        &self,
        key: &Key,
        mut apply: impl FnMut(&mut Issue, &Config, Timestamp) -> Result<()>,
        comment: Option<(&str, &Comment)>,
    ) -> Result<Outcome> {
        let now = self.store.now();
        let result = RefCell::new((key.clone(), String::new()));
        let commit = self.commit(|snap| {
            let config = read_config(snap)?;
            let (old, path) = load_at(snap, key)?;
            let mut issue = old.issue.clone();
            apply(&mut issue, &config, now)?;
            let mut changes = describe_changes(&old.issue, &issue);
            if changes.is_empty() && comment.is_none() {
                *result.borrow_mut() = (old.key, "unchanged".to_owned());
                return Ok::<_, Error>(None);
            }
            let mut edits = Vec::new();
            if !changes.is_empty() {
                check_values(&issue, &config, Some(&old.issue)).map_err(Error::Refused)?;
                issue.updated = now;
                edits.push(Edit::Write {
                    path: path.clone(),
                    content: issue.print().into_bytes(),
                });
            }
            if let Some((id, c)) = comment {
                changes.push(format!(
                    "{}comment {id}",
                    if c.internal { "internal " } else { "" }
                ));
                edits.push(Edit::Write {
                    // Beside the issue's file, in whichever layout it is.
                    path: format!("{}/comments/{id}.md", layout::folder_of(&path)),
                    content: c.print().into_bytes(),
                });
            }
            let summary = changes.join(", ");
            let change = Change {
                message: format!("{}: {summary}", old.key),
                edits,
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
    pub fn set(&self, key: &Key, changes: &[Assignment]) -> Result<Outcome> {
        self.update(key, |issue, config, now| {
            for c in changes {
                c.apply(issue, config, now).map_err(Error::Refused)?;
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
                let commit = self.commit(|snap| {
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

    /// A comment by the user, now; refused when it says nothing.
    fn new_comment(&self, body: &str, internal: bool) -> Result<Comment> {
        let body = yaml::normalize_body(body);
        if body.is_empty() {
            return Err(Error::Empty {
                what: "a comment",
                needs: "some text",
            });
        }
        Ok(Comment {
            author: self.store.user()?,
            created: self.store.now(),
            internal,
            extra: Vec::new(),
            body,
        })
    }

    /// Adds a comment; returns its id.
    pub fn comment(&self, key: &Key, body: &str, internal: bool) -> Result<(Key, String)> {
        let comment = self.new_comment(body, internal)?;
        let id = ulid::Ulid::new().to_string();
        let found = RefCell::new(key.clone());
        self.commit(|snap| {
            let (k, path) = locate(snap, key)?;
            let change = Change {
                message: format!(
                    "{k}: {}comment {id}",
                    if internal { "internal " } else { "" }
                ),
                edits: vec![Edit::Write {
                    // Beside the issue's file, in whichever layout it is.
                    path: format!("{}/comments/{id}.md", layout::folder_of(&path)),
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
        self.commit(|snap| {
            let (k, path) = locate(snap, key)?;
            let mut deleted = super::read::deleted_keys(snap)?;
            deleted.push(k.to_string());
            let folders = super::read::folders_of(&k, &path);
            let mut edits = vec![
                Edit::Remove { path },
                Edit::Write {
                    path: layout::DELETED.to_owned(),
                    content: layout::print_key_list(layout::DELETED_HEADER, &deleted).into_bytes(),
                },
            ];
            // libgit2 refuses to remove a folder that is not there: an issue
            // without comments has none.
            for dir in folders {
                if snap.contains(&dir) {
                    edits.push(Edit::Remove { path: dir });
                }
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
}

/// What `close` is asked for.
#[derive(Debug, Clone, Default)]
pub struct Closing {
    /// A closed status; by default `closed` (or the first closed status).
    pub reason: Option<String>,
    /// The original this issue duplicates (implies the status `duplicate`).
    pub duplicate_of: Option<Key>,
    /// A comment saying why, written in the same commit.
    pub comment: Option<String>,
}

impl Tracker {
    /// Closes an issue with a closed status `tracker.yml` lists.
    pub fn close(&self, key: &Key, closing: &Closing) -> Result<Outcome> {
        let config = self.config()?;
        let duplicate_of = match &closing.duplicate_of {
            Some(d) => {
                // The original must exist; its key as filed is what we record.
                let original = self.resolve(d)?;
                if original.number == key.number {
                    return Err(Error::Refused(format!(
                        "{key} cannot be a duplicate of itself"
                    )));
                }
                Some(original.to_string())
            }
            None => None,
        };
        let reason = match (&closing.reason, &duplicate_of) {
            (Some(r), _) => r.clone(),
            (None, Some(_)) if config.statuses.iter().any(|s| s == "duplicate") => {
                "duplicate".to_owned()
            }
            (None, _) if config.is_closed("closed") => "closed".to_owned(),
            (None, _) => config.closed_statuses.first().cloned().unwrap_or_default(),
        };
        config
            .check(crate::format::config::Vocabulary::Status, &reason)
            .map_err(Error::Refused)?;
        if !config.is_closed(&reason) {
            return Err(Error::Refused(format!(
                "{reason:?} is not a closed status; tracker.yml counts these as closed: {}",
                config.closed_statuses.join(", ")
            )));
        }
        let comment = match &closing.comment {
            Some(text) => Some(self.new_comment(text, false)?),
            None => None,
        };
        let id = ulid::Ulid::new().to_string();
        self.update_with_comment(
            key,
            |issue, config, now| {
                set_status(issue, &reason, config, now);
                if duplicate_of.is_some() {
                    issue.duplicate_of.clone_from(&duplicate_of);
                }
                Ok(())
            },
            comment.as_ref().map(|c| (id.as_str(), c)),
        )
    }

    /// Reopens a closed issue with the status new issues get; an open one is
    /// left as it is.
    pub fn reopen(&self, key: &Key) -> Result<Outcome> {
        self.update(key, |issue, config, now| {
            if config.is_closed(&issue.status) {
                set_status(issue, config.initial_status(), config, now);
                issue.duplicate_of = None;
            }
            Ok(())
        })
    }

    /// Assigns an issue to someone; an empty name unassigns it.
    pub fn assign(&self, key: &Key, who: &str) -> Result<Outcome> {
        let who = who.trim();
        self.update(key, |issue, _, _| {
            issue.assignee = (!who.is_empty()).then(|| who.to_owned());
            Ok(())
        })
    }

    /// Links a commit (any revision git understands) to an issue.
    pub fn link_commit(&self, key: &Key, rev: &str) -> Result<Outcome> {
        let id = self.resolve_commit(rev)?;
        self.update(key, |issue, _, _| {
            add_once(&mut issue.commits, &id);
            Ok(())
        })
    }

    /// Links a pull request (a number or a URL) to an issue.
    pub fn link_pr(&self, key: &Key, pr: &str) -> Result<Outcome> {
        let pr = pr.trim();
        self.update(key, |issue, _, _| {
            add_once(&mut issue.prs, pr);
            Ok(())
        })
    }

    /// Unlinks a commit, named by its id or a prefix of at least 4 digits
    /// that names one linked commit only.
    pub fn unlink_commit(&self, key: &Key, prefix: &str) -> Result<Outcome> {
        let prefix = prefix.trim().to_ascii_lowercase();
        self.update(key, |issue, _, _| {
            let hits: Vec<String> = issue
                .commits
                .iter()
                .filter(|x| prefix.len() >= 4 && x.starts_with(&prefix))
                .cloned()
                .collect();
            match hits.as_slice() {
                [] => Err(Error::NoLink {
                    key: key.to_string(),
                    what: "commit",
                    value: prefix.clone(),
                }),
                [one] => {
                    issue.commits.retain(|x| x != one);
                    Ok(())
                }
                _ => Err(Error::Refused(format!(
                    "{prefix} names several linked commits of {key}; give more digits"
                ))),
            }
        })
    }

    /// Unlinks a pull request, as it was linked.
    pub fn unlink_pr(&self, key: &Key, pr: &str) -> Result<Outcome> {
        let pr = pr.trim();
        self.update(key, |issue, _, _| {
            if !issue.prs.iter().any(|x| x == pr) {
                return Err(Error::NoLink {
                    key: key.to_string(),
                    what: "pull request",
                    value: pr.to_owned(),
                });
            }
            issue.prs.retain(|x| x != pr);
            Ok(())
        })
    }
}

fn add_once(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|x| x == item) {
        list.push(item.to_owned());
    }
}
