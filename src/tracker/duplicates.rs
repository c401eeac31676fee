//! Merging a duplicate into its original, in one commit: the duplicate is
//! closed as `duplicate` with `duplicate_of`, and the original gains what
//! the duplicate gathered (voters, and its reporter as one, labels, linked
//! commits, pull requests and related issues) and a comment that says so.
//! The duplicate keeps its comments and attachments.
//!
//! The comment quotes the duplicate's title, so it is internal when either
//! issue is confidential: a support desk's merge note about a confidential
//! ticket is for staff, and a public page or export of the original must
//! not show the title (or the key, or the reason given with `-m`) of a
//! confidential duplicate. With both issues public it stays public, where
//! the reporter of the original can see what was folded into it.
//!
//! Everything the original gains is a set, so a merge that meets a
//! concurrent change of either issue in a sync loses nothing; merging the
//! same duplicate again brings over what it gathered since.

use std::cell::RefCell;

use super::change::set_status;
use super::people::reporter_of;
use super::read::{load_at, read_config};
use super::votes::{set_voters, voters};
use super::{Error, Page, Quiet, Result, Tracker, describe_changes};
use crate::format::fields;
use crate::format::{Comment, Config, Key, layout, yaml};
use crate::query::{Expr, Sort, SortField};
use crate::store::{Change, Edit, Snapshot};

/// What a merge did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Merged {
    pub duplicate: String,
    pub original: String,
    /// `None` when there was nothing left to merge.
    pub commit: Option<String>,
    /// How the original changed: `voters +a@x`, `labels +ui`.
    pub gained: Vec<String>,
}

/// The closed status a duplicate gets: `duplicate` when the workflow has
/// it, else the first closed status.
fn duplicate_status(config: &Config) -> String {
    if config.is_closed("duplicate") {
        "duplicate".to_owned()
    } else {
        config.closed_statuses.first().cloned().unwrap_or_default()
    }
}

fn union(into: &mut Vec<String>, from: &[String]) {
    for x in from {
        if !into.contains(x) {
            into.push(x.clone());
        }
    }
}

impl Tracker {
    /// Merges `duplicate` into `original`, saying `why` in the comment.
    pub fn merge_duplicate(
        &self,
        duplicate: &Key,
        original: &Key,
        why: Option<&str>,
    ) -> Result<Merged> {
        let me = self.me()?;
        let now = self.store.now();
        let comment_id = ulid::Ulid::new().to_string();
        let result = RefCell::new(None);
        let commit = self.commit(|snap| {
            let config = read_config(snap)?;
            let (dup, dup_path) = load_at(snap, duplicate)?;
            let (orig, orig_path) = load_at(snap, original)?;
            let (dk, ok) = (&dup.key, &orig.key);
            if dk.number == ok.number {
                return Err(Error::Refused(format!("{dk} cannot be merged into itself")));
            }
            if let Some(d) = &orig.issue.duplicate_of {
                return Err(Error::Refused(format!(
                    "{ok} is itself a duplicate of {d}; merge {dk} into {d} instead"
                )));
            }
            let again = match dup.issue.duplicate_of.as_deref() {
                None => false,
                Some(d) if d.parse::<Key>().ok().as_ref() == Some(ok) => true,
                Some(d) => {
                    return Err(Error::Refused(format!(
                        "{dk} is already a duplicate of {d}; reopen it first to merge it elsewhere"
                    )));
                }
            };

            let mut d = dup.issue.clone();
            let status = duplicate_status(&config);
            set_status(&mut d, &status, &config, now);
            d.duplicate_of = Some(ok.to_string());

            let mut o = orig.issue.clone();
            let mut gained_voters = voters(&o);
            union(&mut gained_voters, &voters(&dup.issue));
            // Who reported the duplicate said "me too" by doing so.
            if let Some(reporter) = reporter_of(&dup.issue)
                && let Some(email) = reporter.email.clone()
                && !reporter_of(&o).is_some_and(|r| r.same(&reporter))
                && !gained_voters.contains(&email)
            {
                gained_voters.push(email);
            }
            set_voters(&mut o, gained_voters);
            // Votes without a name move once, with the first merge.
            if !again {
                o.votes = o.votes.saturating_add(dup.issue.votes);
            }
            union(&mut o.labels, &dup.issue.labels);
            union(&mut o.commits, &dup.issue.commits);
            union(&mut o.prs, &dup.issue.prs);
            let related: Vec<String> = dup
                .issue
                .related
                .iter()
                .filter(|r| r.parse::<Key>().ok().as_ref() != Some(ok))
                .cloned()
                .collect();
            union(&mut o.related, &related);

            let gained = describe_changes(&orig.issue, &o);
            let closed = describe_changes(&dup.issue, &d);
            if gained.is_empty() && closed.is_empty() {
                *result.borrow_mut() = Some((dk.clone(), ok.clone(), gained));
                return Ok(None);
            }
            o.updated = now;
            d.updated = now;
            let mut body = format!("Merged {dk} (\"{}\") into this issue", dup.issue.title);
            if gained.is_empty() {
                body.push('.');
            } else {
                body.push_str(&format!(": {}.", gained.join(", ")));
            }
            if let Some(why) = why.map(str::trim).filter(|w| !w.is_empty()) {
                body.push_str("\n\n");
                body.push_str(why);
            }
            let comment = Comment {
                author: me.full.clone(),
                created: now,
                internal: dup.issue.confidential || orig.issue.confidential,
                extra: Vec::new(),
                body: yaml::normalize_body(&body),
            };
            let mut message = format!("{dk}: merged into {ok} as a duplicate\n\n");
            message.push_str(&format!("{dk}: {}\n", closed.join(", ")));
            if !gained.is_empty() {
                message.push_str(&format!("{ok}: {}\n", gained.join(", ")));
            }
            let change = Change {
                message,
                edits: vec![
                    Edit::Write {
                        path: dup_path,
                        content: d.print().into_bytes(),
                    },
                    Edit::Write {
                        path: format!("{}/comments/{comment_id}.md", layout::folder_of(&orig_path)),
                        content: comment.print().into_bytes(),
                    },
                    Edit::Write {
                        path: orig_path,
                        content: o.print().into_bytes(),
                    },
                ],
            };
            *result.borrow_mut() = Some((dk.clone(), ok.clone(), gained));
            Ok::<_, Error>(Some(change))
        })?;
        let (d, o, gained) = result
            .into_inner()
            .ok_or_else(|| Error::Internal("the merge was not made".to_owned()))?;
        Ok(Merged {
            duplicate: d.to_string(),
            original: o.to_string(),
            commit,
            gained,
        })
    }

    /// The issues closed as duplicates of `key` (their `duplicate_of` is
    /// it), by number. Cheap enough for every `show`: the index is read as
    /// it stands and what changed since is read from the branch; only when
    /// that cannot answer is the index brought up to date.
    pub fn duplicates(&self, snap: &Snapshot<'_>, key: &Key) -> Result<Vec<Key>> {
        let expr = Expr::Field(
            fields::named("duplicate_of"),
            vec![key.to_string().to_lowercase()],
        );
        // As the index matches it: the value as one word, in any case.
        let name = key.to_string();
        let of_key = |i: &crate::format::Issue| {
            i.duplicate_of
                .as_deref()
                .is_some_and(|d| d.trim().eq_ignore_ascii_case(&name))
        };
        let word = name.to_lowercase();
        if let Some(keys) = self.keys_from_index_as_is(snap, &expr, &[&word], of_key)? {
            return Ok(keys);
        }
        let page = Page {
            sort: Sort {
                field: SortField::Key,
                descending: false,
            },
            by_score: false,
            offset: 0,
            limit: None,
        };
        Ok(self
            .find(&expr, page, &Quiet)?
            .records
            .into_iter()
            .map(|r| r.key)
            .collect())
    }
}
