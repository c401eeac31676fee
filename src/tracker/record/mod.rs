//! `record`: errors as issues. An error is filed once, under its
//! fingerprint (`format::fingerprint`); each time it happens again an
//! occurrence is added to that issue, as a new file under its folder
//! (`format::occurrence`), never by rewriting a count, so two clones
//! recording at once both count after a sync.
//!
//! The rules: the fingerprint is found through the index, plus the issue
//! files that changed since the tree the index reflects (never a scan of
//! the branch); among several issues with one fingerprint the one filed
//! first gets the occurrence, unless it was closed as a duplicate. A
//! resolved error that recurs is reopened once, labelled `regression`,
//! with a comment saying when and how often; `wont_fix` and `duplicate`
//! issues stay closed and only count. A batch is one commit, and any bad
//! record stops it before anything is written.

mod counts;
mod input;

pub use input::{Occurrence, parse_at, parse_context, read_records};

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use jiff::Timestamp;

use super::change::{describe_changes, set_status};
use super::doctor::check_values;
use super::read::{load, load_at, may_hold, next_number, occurrences_of, read_config};
use super::{Error, Result, Tracker};
use crate::format::fields::{self, Value as FieldValue};
use crate::format::layout::{self, BranchPath};
use crate::format::occurrence::{Days, Occurrences, day_of, newest};
use crate::format::{Comment, Config, Issue, Key, yaml};
use crate::query::{Expr, Sort};
use crate::store::{Change, Edit, Snapshot, Store};
use counts::Counts;

/// An issue with this many occurrence files has them folded into one by
/// the next `record` of it. Each `record` reads them all to count: at 64
/// files, parsing them was a third of a `record` of a known error.
pub const FOLD_AT: usize = 16;

/// The label a recurring resolved error is reopened with.
pub const REGRESSION: &str = "regression";

/// Closed statuses a recurrence does not reopen: the error only counts.
const STAYS_CLOSED: &[&str] = &["wont_fix", "duplicate"];

/// What one `record` did to one issue.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub key: Key,
    /// The issue was filed by this record.
    pub new: bool,
    /// It was resolved and is open again, labelled `regression`.
    pub reopened: bool,
    /// Occurrences this record added.
    pub added: u64,
    /// Its occurrences in all, these included.
    pub occurrences: u64,
    /// The batch lines that went to it.
    pub lines: Vec<usize>,
}

/// What `record` did.
#[derive(Debug, Clone)]
pub struct RecordOutcome {
    /// One per issue, in the order the errors first appeared.
    pub recorded: Vec<Recorded>,
    pub commit: Option<String>,
    /// Set when the index could not be used and the files were read.
    pub fallback: Option<String>,
}

/// The occurrences of one fingerprint in a record.
struct Group<'a> {
    fingerprint: String,
    items: Vec<(&'a Occurrence, Timestamp)>,
}

impl Tracker {
    /// Records occurrences of errors, all in one commit: each is added to
    /// the issue with its fingerprint, or files a new issue.
    pub fn record_errors(&self, items: &[Occurrence]) -> Result<RecordOutcome> {
        let snap = self.snapshot()?;
        let config = read_config(&snap)?;
        drop(snap);
        let now = self.store.now();
        let user = self.store.user()?;
        if items.is_empty() {
            return Err(Error::Empty {
                what: "a batch of records",
                needs: "at least one record",
            });
        }
        let mut groups: Vec<Group<'_>> = Vec::new();
        let mut by_fingerprint: BTreeMap<String, usize> = BTreeMap::new();
        for o in items {
            o.check(&config).map_err(|message| match o.line {
                Some(line) => Error::BadLine { line, message },
                None => Error::Refused(message),
            })?;
            let fp = o.fingerprint();
            let at = o.at.unwrap_or(now);
            let i = *by_fingerprint.entry(fp.to_lowercase()).or_insert_with(|| {
                groups.push(Group {
                    fingerprint: fp,
                    items: Vec::new(),
                });
                groups.len() - 1
            });
            groups[i].items.push((o, at));
        }
        let mut lookup = self.lookup(by_fingerprint.keys().cloned().collect())?;
        let counts_dir = self.store.local_dir().join("counts");
        let mut recorded = Vec::new();
        let commit = self.commit(|snap| {
            lookup.catch_up(&self.store, snap)?;
            let config = read_config(snap)?;
            let mut next: Option<u64> = None;
            let mut edits = Vec::new();
            let mut lines = Vec::new();
            recorded.clear();
            for g in &groups {
                let r = match lookup.best(&g.fingerprint.to_lowercase()) {
                    Some(key) => add_to(
                        snap,
                        &config,
                        &key,
                        g,
                        (now, &user),
                        &counts_dir,
                        &mut edits,
                    )?,
                    None => {
                        let n = match next {
                            Some(n) => n,
                            None => next_number(snap)?,
                        };
                        next = Some(n + 1);
                        let key = Key::new(config.key.clone(), n);
                        file_new(&config, key, g, now, &user, &mut edits)?
                    }
                };
                lines.push(describe(&r, g));
                recorded.push(r);
            }
            let message = match lines.as_slice() {
                [one] => one.clone(),
                _ => {
                    let total: u64 = recorded.iter().map(|r| r.added).sum();
                    let new = recorded.iter().filter(|r| r.new).count();
                    let reopened = recorded.iter().filter(|r| r.reopened).count();
                    let mut m = format!(
                        "Record {total} occurrences of {} errors ({new} new, {reopened} reopened)\n\n",
                        recorded.len()
                    );
                    for l in &lines {
                        m.push_str(l);
                        m.push('\n');
                    }
                    m
                }
            };
            Ok::<_, Error>(Some(Change { message, edits }))
        })?;
        Ok(RecordOutcome {
            recorded,
            commit,
            fallback: lookup.fallback,
        })
    }

    /// Finds the issues that carry these (lowercase) fingerprints: through
    /// the index as it is when it is close to the tip (the rest is caught
    /// up from the files that changed since), else brought up to date.
    fn lookup(&self, wanted: BTreeSet<String>) -> Result<Lookup> {
        let mut lookup = Lookup {
            wanted,
            tree: None,
            found: BTreeMap::new(),
            fallback: None,
        };
        match self.index_for_lookup()? {
            Ok((index, tree)) => {
                if let Some(found) = index.keys_having("fingerprint", &lookup.wanted) {
                    // Read at the tip: what changed since `tree` is read
                    // again by the catch-up, the rest is the same there.
                    let snap = self.snapshot()?;
                    for key in found.into_values().flatten() {
                        if let Ok(record) = load(&snap, &key) {
                            lookup.consider(record.key, &record.issue);
                        }
                    }
                    lookup.tree = Some(tree);
                    return Ok(lookup);
                }
                let values: Vec<String> = lookup.wanted.iter().cloned().collect();
                let expr = Expr::Field(fields::named("fingerprint"), values);
                let (hits, _) = index.search(
                    &expr,
                    crate::index::Words::All,
                    Sort::default(),
                    false,
                    0,
                    None,
                )?;
                for h in hits {
                    lookup.consider(h.key, &h.issue);
                }
                lookup.tree = Some(tree);
            }
            // Without an index, catching up from the empty tree reads
            // every issue file once.
            Err(why) => lookup.fallback = Some(why),
        }
        Ok(lookup)
    }
}

/// The issues of each fingerprint, as of one tree of the branch.
struct Lookup {
    wanted: BTreeSet<String>,
    tree: Option<String>,
    found: BTreeMap<String, BTreeMap<Key, Candidate>>,
    fallback: Option<String>,
}

/// What decides which of several issues with a fingerprint gets an
/// occurrence: not a duplicate, then filed first, then the lower number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Candidate {
    duplicate: bool,
    created: Timestamp,
}

impl Lookup {
    fn consider(&mut self, key: Key, issue: &Issue) {
        let Some(fp) = issue.field_text("fingerprint").map(|f| f.to_lowercase()) else {
            return;
        };
        if self.wanted.contains(&fp) {
            let candidate = Candidate {
                duplicate: issue.status == "duplicate" || issue.duplicate_of.is_some(),
                created: issue.created,
            };
            self.found.entry(fp).or_default().insert(key, candidate);
        }
    }

    /// Brings the answers from the tree they reflect to `snap`'s, reading
    /// only the issue files that differ.
    fn catch_up(&mut self, store: &Store, snap: &Snapshot<'_>) -> Result<()> {
        let target = snap.tree_id();
        if target == self.tree {
            return Ok(());
        }
        let paths = store.tree_diff(self.tree.as_deref(), target.as_deref(), layout::ISSUES)?;
        // Where each changed issue file is: either layout.
        let keys: BTreeSet<(Key, &String)> = paths
            .iter()
            .filter_map(|p| match BranchPath::parse(p) {
                BranchPath::Issue(k) => Some((k, p)),
                _ => None,
            })
            .collect();
        let wanted: Vec<String> = self.wanted.iter().cloned().collect();
        let wanted: Vec<&str> = wanted.iter().map(String::as_str).collect();
        for (key, path) in keys {
            for issues in self.found.values_mut() {
                issues.remove(&key);
            }
            if let Some(text) = snap.read(path)?
                && may_hold(&text, &wanted)
                && let Ok(issue) = Issue::parse(&text)
            {
                self.consider(key, &issue);
            }
        }
        self.tree = target;
        Ok(())
    }

    fn best(&self, fingerprint: &str) -> Option<Key> {
        self.found
            .get(fingerprint)?
            .iter()
            .min_by_key(|(k, c)| (**c, k.number))
            .map(|(k, _)| k.clone())
    }
}

/// Whether a recurrence reopens an issue closed with its status.
fn reopens(issue: &Issue, config: &Config) -> bool {
    config.is_closed(&issue.status)
        && !STAYS_CLOSED.contains(&issue.status.as_str())
        && issue.duplicate_of.is_none()
}

/// The occurrence file of a group: one batch, with its occurrences per
/// day when they span more than one.
fn batch(g: &Group<'_>) -> (String, Occurrences) {
    let mut hosts: Vec<String> = Vec::new();
    let mut days = Days::new();
    for (o, at) in &g.items {
        *days.entry(day_of(*at)).or_default() += 1;
        if let Some(h) = &o.host
            && !hosts.contains(h)
        {
            hosts.push(h.clone());
        }
    }
    if days.len() == 1 {
        days.clear();
    }
    let file = Occurrences {
        count: g.items.len() as u64,
        first_seen: g.items.iter().map(|i| i.1).min().unwrap_or_default(),
        last_seen: g.items.iter().map(|i| i.1).max().unwrap_or_default(),
        hosts,
        days,
        contexts: newest(
            g.items
                .iter()
                .filter_map(|(o, at)| o.context_at(*at))
                .collect(),
        ),
        batches: BTreeMap::new(),
    };
    (ulid::Ulid::new().to_string(), file)
}

fn add_once(list: &mut Vec<String>, items: &[String]) {
    for x in items.iter().map(|x| x.trim()) {
        if !x.is_empty() && !list.iter().any(|y| y == x) {
            list.push(x.to_owned());
        }
    }
}

/// Adds what every record of the group brings to the issue's lists: tags
/// as labels, suggested fixes, system changes.
fn add_lists(issue: &mut Issue, g: &Group<'_>) {
    for (o, _) in &g.items {
        add_once(&mut issue.labels, &o.tags);
        for (name, items) in [
            ("suggested_fixes", &o.fixes),
            ("system_changes", &o.changes),
        ] {
            let spec = fields::named(name);
            let mut list = issue.get(spec).to_value().into_list();
            add_once(&mut list, items);
            issue.put(spec, FieldValue::List(list));
        }
    }
}

/// Files a new issue for a group, with its occurrences.
fn file_new(
    config: &Config,
    key: Key,
    g: &Group<'_>,
    now: Timestamp,
    user: &str,
    edits: &mut Vec<Edit>,
) -> Result<Recorded> {
    let (first, _) = g.items[0];
    let mut issue = Issue::new(
        ulid::Ulid::new().to_string(),
        first.title.trim().to_owned(),
        config.default_type().to_owned(),
        config.initial_status().to_owned(),
        config.default_priority().to_owned(),
        now,
    );
    issue.severity = first
        .severity
        .clone()
        .or_else(|| config.defaults.severity.clone());
    issue.component = Some(first.component.trim().to_owned());
    issue.reporter = Some(user.to_owned());
    let optional =
        |v: &Option<String>| FieldValue::Optional(v.clone().filter(|s| !s.trim().is_empty()));
    issue.put(fields::named("category"), optional(&first.category));
    issue.put(
        fields::named("fingerprint"),
        FieldValue::Optional(Some(g.fingerprint.clone())),
    );
    issue.put(fields::named("error_type"), optional(&first.error_type));
    issue.put(fields::named("error"), optional(&first.error));
    add_lists(&mut issue, g);
    if let Some(d) = &first.description {
        issue.body = yaml::normalize_body(d);
    }
    check_values(&issue, config, None).map_err(Error::Refused)?;
    edits.push(Edit::Write {
        path: layout::issue_file(&key),
        content: issue.print().into_bytes(),
    });
    let (id, file) = batch(g);
    let added = file.count;
    edits.push(Edit::Write {
        path: layout::occurrence_file(&key, &id),
        content: file.print().into_bytes(),
    });
    Ok(Recorded {
        key,
        new: true,
        reopened: false,
        added,
        occurrences: added,
        lines: g.items.iter().filter_map(|(o, _)| o.line).collect(),
    })
}

/// Adds a group's occurrences to an issue that has its fingerprint;
/// reopens it when it was resolved, and folds its files when there are
/// many.
fn add_to(
    snap: &Snapshot<'_>,
    config: &Config,
    key: &Key,
    g: &Group<'_>,
    (now, user): (Timestamp, &str),
    counts_dir: &Path,
    edits: &mut Vec<Edit>,
) -> Result<Recorded> {
    let (old, path) = load_at(snap, key)?;
    let key = old.key.clone();
    let mut issue = old.issue.clone();
    add_lists(&mut issue, g);
    let mut counts = Counts::open(counts_dir.to_owned(), &key);
    let (before, files_before) = counts.total(snap, &key)?;
    counts.save();
    let new_file = batch(g);
    let added = new_file.1.count;
    let total = before + added;
    let reopened = reopens(&issue, config);
    if reopened {
        let was = issue.status.clone();
        let since = issue.resolved;
        set_status(&mut issue, config.initial_status(), config, now);
        add_once(&mut issue.labels, &[REGRESSION.to_owned()]);
        let first = g.items.iter().map(|i| i.1).min().unwrap_or(now);
        let last = g.items.iter().map(|i| i.1).max().unwrap_or(now);
        let when = if first == last {
            format!("at {}", crate::format::format_timestamp(first))
        } else {
            format!(
                "from {} to {}",
                crate::format::format_timestamp(first),
                crate::format::format_timestamp(last)
            )
        };
        let since = since
            .map(|t| format!(" on {}", crate::format::format_timestamp(t)))
            .unwrap_or_default();
        let body = format!(
            "This error happened again after it was {was}{since}: {added} {} {when}, {total} in all. Reopened with the label `{REGRESSION}`.\n",
            if added == 1 {
                "occurrence"
            } else {
                "occurrences"
            },
        );
        let comment = Comment {
            author: user.to_owned(),
            created: now,
            internal: false,
            extra: Vec::new(),
            body,
        };
        edits.push(Edit::Write {
            path: layout::comment_file(&key, &ulid::Ulid::new().to_string()),
            content: comment.print().into_bytes(),
        });
    }
    if !describe_changes(&old.issue, &issue).is_empty() {
        check_values(&issue, config, Some(&old.issue)).map_err(Error::Refused)?;
        issue.updated = now;
        edits.push(Edit::Write {
            path,
            content: issue.print().into_bytes(),
        });
    }
    if files_before >= FOLD_AT {
        let (files, _) = occurrences_of(snap, &key)?;
        let all = files
            .iter()
            .chain(std::iter::once(&new_file))
            .map(|(id, f)| (id.as_str(), f));
        if let Some(folded) = Occurrences::fold(all) {
            for (id, _) in &files {
                edits.push(Edit::Remove {
                    path: layout::occurrence_file(&key, id),
                });
            }
            edits.push(Edit::Write {
                path: layout::occurrence_file(&key, &ulid::Ulid::new().to_string()),
                content: folded.print().into_bytes(),
            });
        }
    } else {
        edits.push(Edit::Write {
            path: layout::occurrence_file(&key, &new_file.0),
            content: new_file.1.print().into_bytes(),
        });
    }
    Ok(Recorded {
        key,
        new: false,
        reopened,
        added,
        occurrences: total,
        lines: g.items.iter().filter_map(|(o, _)| o.line).collect(),
    })
}

/// How one issue's part of a record reads in the commit message.
fn describe(r: &Recorded, g: &Group<'_>) -> String {
    let range = if r.added == 1 {
        format!("occurrence {}", r.occurrences)
    } else {
        format!(
            "occurrences {}-{}",
            r.occurrences - r.added + 1,
            r.occurrences
        )
    };
    if r.new {
        format!(
            "{}: new error {:?}, {range}",
            r.key,
            g.items[0].0.title.trim()
        )
    } else if r.reopened {
        format!("{}: {range}, reopened as a regression", r.key)
    } else {
        format!("{}: {range}", r.key)
    }
}
