//! Bringing a batch of remote issues in: each mapped to our fields by
//! `tracker.yml`'s tables, matched with the local issue that has its
//! `bridge` id, merged with it field by field (three-way, against what
//! the remote had at the last sync, by the rules of `sync`), and all of it
//! written in one commit. A batch that changes nothing makes no commit.
//!
//! What a service holds, a pull takes; what it does not hold (linked
//! commits, paths, votes, …) stays as it is here. Comments are files named
//! by a ULID made from the remote comment's id, so the same comment brought
//! in twice, or on two clones, is one file.

mod map;

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use super::state::State;
use super::{Error, Fetched, Project, RemoteComment, RemoteIssue, Report, Result, Unmapped};
use crate::format::fields;
use crate::format::layout::{self, BranchPath, Part};
use crate::format::{Comment, Issue, Key};
use crate::store::{Change, Edit, Snapshot};
use crate::tracker::Tracker;
use crate::tracker::merge::merge_issue_by;
use crate::tracker::read::read_config;

/// What a service sent for one project.
#[derive(Debug, Clone)]
pub struct Batch {
    pub project: Project,
    pub fetched: Fetched,
}

pub use map::Mapped;
pub(super) use map::Mapper;

/// The `bridge` mapping of an issue.
pub(super) fn bridge_of(issue: &Issue) -> Option<&BTreeMap<String, String>> {
    match issue.get(fields::named("bridge")) {
        fields::Val::Map(m) if !m.is_empty() => Some(m),
        _ => None,
    }
}

/// The `bridge` of a comment file: the service and the remote id.
pub(super) fn comment_origin(c: &Comment) -> Option<(String, String)> {
    let (_, v) = c.extra.iter().find(|(k, _)| k == "bridge")?;
    Some((
        v.get("service")?.as_str()?.to_owned(),
        v.get("id")?.as_str()?.to_owned(),
    ))
}

/// The issues of the branch bridged to one project, by remote id, and what
/// a new issue's number must exceed.
pub(super) struct Local {
    /// By remote id: the key, the issue, and the path of its file.
    pub by_id: HashMap<String, (Key, Issue, String)>,
    pub by_remote_key: HashMap<String, String>,
    pub highest: u64,
    /// Every parsed issue with the path of its file, for push.
    pub all: Vec<(Key, Issue, String)>,
}

pub(super) fn local_issues(snap: &Snapshot<'_>, project: &Project, all: bool) -> Result<Local> {
    let files = snap.files(layout::ISSUES, |p| {
        matches!(BranchPath::parse(p), BranchPath::Issue(_))
    })?;
    let mut highest = 0;
    let mut texts = Vec::new();
    for (path, bytes) in files {
        match BranchPath::parse(&path) {
            BranchPath::Issue(k) => {
                highest = highest.max(k.number);
                if let Some(b) = bytes {
                    texts.push((k, b, path));
                }
            }
            BranchPath::InIssue(k, _) => highest = highest.max(k.number),
            _ => {}
        }
    }
    let deleted = layout::read_key_list(&snap.read(layout::DELETED)?.unwrap_or_default());
    for k in deleted {
        if let Ok(k) = k.parse::<Key>() {
            highest = highest.max(k.number);
        }
    }
    let service = project.service.name();
    let parsed: Vec<(Key, Issue, String)> = texts
        .into_par_iter()
        .filter_map(|(k, b, path)| {
            let text = String::from_utf8(b).ok()?;
            if !all && !text.contains("\nbridge:") {
                return None;
            }
            Issue::parse(&text).ok().map(|i| (k, i, path))
        })
        .collect();
    let mut by_id = HashMap::new();
    let mut by_remote_key = HashMap::new();
    for (k, i, path) in &parsed {
        if let Some(b) = bridge_of(i)
            && b.get("service").map(String::as_str) == Some(service)
            && b.get("project")
                .is_some_and(|p| p.eq_ignore_ascii_case(&project.name))
            && let Some(id) = b.get("id")
        {
            if let Some(rk) = b.get("key") {
                by_remote_key.insert(rk.clone(), id.clone());
            }
            by_id.insert(id.clone(), (k.clone(), i.clone(), path.clone()));
        }
    }
    Ok(Local {
        by_id,
        by_remote_key,
        highest,
        all: if all { parsed } else { Vec::new() },
    })
}

/// The comments of an issue that came from (or went to) a service, by
/// their remote id: the local file id and the comment.
pub(super) fn bridged_comments(
    snap: &Snapshot<'_>,
    issue_path: &str,
    service: &str,
) -> Result<HashMap<String, (String, Comment)>> {
    let mut out = HashMap::new();
    for (path, bytes) in snap.files(&comments_dir_of(issue_path), |_| true)? {
        let BranchPath::InIssue(_, Part::Comment(id)) = BranchPath::parse(&path) else {
            continue;
        };
        let Some(c) = bytes
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|t| Comment::parse(&t).ok())
        else {
            continue;
        };
        if let Some((s, rid)) = comment_origin(&c)
            && s == service
        {
            out.insert(rid, (id, c));
        }
    }
    Ok(out)
}

/// What one pass over a batch would write.
struct Plan {
    edits: Vec<Edit>,
    report: Report,
    bases: Vec<(String, Mapped)>,
}

/// The folder of an issue's comments, beside its file wherever it is (the
/// branch's first layout or the current one).
pub(super) fn comments_dir_of(issue_path: &str) -> String {
    format!("{}/comments", layout::folder_of(issue_path))
}

/// The base of the merge of a bridged issue: the remote's fields at the
/// last sync, from this clone's record; without one, the issue itself when
/// it was not edited here since (the remote's changes are taken), else the
/// remote's (ours are kept where they differ, the later side's where it
/// changed too: see `later`).
fn base_of(ours: &Issue, recorded: Option<&Mapped>, theirs: &Issue, ours_later: bool) -> Issue {
    if let Some(m) = recorded {
        return m.carry(ours.clone());
    }
    let synced = bridge_of(ours)
        .and_then(|b| b.get("synced"))
        .and_then(|s| crate::format::parse_timestamp(s));
    let pristine = synced.is_some_and(|s| ours.updated <= s);
    if pristine || !ours_later {
        ours.clone()
    } else {
        theirs.clone()
    }
}

/// Whether the service's copy is older than the one this issue was last
/// synced with (an older export imported after a newer one).
fn older_than_synced(ours: &Issue, r: &RemoteIssue) -> bool {
    bridge_of(ours)
        .and_then(|b| b.get("synced"))
        .and_then(|s| crate::format::parse_timestamp(s))
        .is_some_and(|synced| r.updated < synced)
}

fn plan(snap: &Snapshot<'_>, batch: &Batch, state: &State) -> Result<Plan> {
    let config = read_config(snap)?;
    let project = &batch.project;
    let local = local_issues(snap, project, false)?;
    let mut mapper = Mapper {
        config: &config,
        project,
        unmapped: Unmapped::default(),
    };
    let prefix = config.key.clone();
    let mut next = local.highest + 1;
    let mut report = Report {
        service: project.service.name().to_owned(),
        project: project.name.clone(),
        skipped_pulls: batch.fetched.skipped_pulls,
        skipped_comments: batch.fetched.skipped_comments,
        skipped_system_notes: batch.fetched.skipped_system_notes,
        ..Report::default()
    };
    let mut edits = Vec::new();
    let mut bases = Vec::new();
    let service = project.service.name();

    let mut remote: Vec<&RemoteIssue> = batch.fetched.issues.iter().collect();
    remote.sort_by_key(|r| (r.number, r.created));
    // Comments not in their issue's entry: by the issue's remote id.
    let mut loose: HashMap<String, Vec<&RemoteComment>> = HashMap::new();
    for (rkey, c) in &batch.fetched.loose_comments {
        match local.by_remote_key.get(rkey) {
            Some(id) => loose.entry(id.clone()).or_default().push(c),
            None => {
                let n = format!(
                    "a comment on {} {rkey} was left out: that issue is not here yet (a pull without --since brings it)",
                    project.service.title()
                );
                if !report.notes.contains(&n) {
                    report.notes.push(n);
                }
            }
        }
    }
    let loose_only: Vec<String> = loose
        .keys()
        .filter(|id| !remote.iter().any(|r| &r.id == *id))
        .cloned()
        .collect();

    for r in &remote {
        let mapped = mapper.map(r);
        let (key, path, changed_issue, is_new) = match local.by_id.get(&r.id) {
            None => {
                let key = Key::new(prefix.clone(), next);
                next += 1;
                let id =
                    super::stable_ulid(r.created, &format!("{service} {} {}", project.name, r.id));
                let issue = mapped.new_issue(id, &config);
                let path = layout::issue_file(&key);
                edits.push(Edit::Write {
                    path: path.clone(),
                    content: issue.print().into_bytes(),
                });
                report.created.push((key.to_string(), r.key.clone()));
                (key, path, true, true)
            }
            Some((key, _, _)) if older_than_synced(&local.by_id[&r.id].1, r) => {
                // An export older than what this branch last took from
                // the service: taking it would undo newer changes.
                report.stale.push((key.to_string(), r.key.clone()));
                continue;
            }
            Some((key, ours, path)) => {
                let theirs = mapped.carry(ours.clone());
                let ours_later = ours.updated > r.updated;
                let base = base_of(ours, state.bases.get(&r.id), &theirs, ours_later);
                let merged = merge_issue_by(Some(&base), ours, &theirs, |_| ours_later);
                let mut issue = merged.issue;
                let mut same = issue.clone();
                same.updated = ours.updated;
                issue.updated = if same == *ours {
                    ours.updated
                } else {
                    ours.updated.max(r.updated)
                };
                for d in &merged.dropped {
                    let (winner, loser) = if ours_later {
                        ("here", "there")
                    } else {
                        ("there", "here")
                    };
                    report.dropped.push(format!(
                        "{key}: {} kept {} (changed later {winner}), the value {loser} was {}",
                        d.field, d.kept, d.lost
                    ));
                }
                if merged.conflict {
                    report.notes.push(format!(
                        "{key}: the description was changed here and there; both texts are kept between conflict markers (git issue doctor lists it)"
                    ));
                }
                let changed = issue != *ours;
                if changed {
                    edits.push(Edit::Write {
                        path: path.clone(),
                        content: issue.print().into_bytes(),
                    });
                }
                (key.clone(), path.clone(), changed, false)
            }
        };
        let mut comments: Vec<&RemoteComment> = r.comments.iter().collect();
        comments.extend(loose.get(&r.id).into_iter().flatten());
        let comments_changed = write_comments(
            snap,
            &path,
            is_new,
            &comments,
            &mut mapper,
            project,
            &mut edits,
            &mut report,
        )?;
        if !is_new {
            if changed_issue || comments_changed {
                report.updated.push((key.to_string(), r.key.clone()));
            } else {
                report.unchanged += 1;
            }
        }
        bases.push((r.id.clone(), mapped));
    }
    for id in loose_only {
        let Some((key, _, path)) = local.by_id.get(&id) else {
            continue;
        };
        let comments = loose.get(&id).cloned().unwrap_or_default();
        if write_comments(
            snap,
            path,
            false,
            &comments,
            &mut mapper,
            project,
            &mut edits,
            &mut report,
        )? {
            let rk = bridge_of(&local.by_id[&id].1)
                .and_then(|b| b.get("key").cloned())
                .unwrap_or_default();
            report.updated.push((key.to_string(), rk));
        }
    }
    report
        .notes
        .extend(mapper.unmapped.notes.into_iter().map(|n| n.message));
    Ok(Plan {
        edits,
        report,
        bases,
    })
}

#[allow(clippy::too_many_arguments)]
fn write_comments(
    snap: &Snapshot<'_>,
    issue_path: &str,
    is_new: bool,
    comments: &[&RemoteComment],
    mapper: &mut Mapper<'_>,
    project: &Project,
    edits: &mut Vec<Edit>,
    report: &mut Report,
) -> Result<bool> {
    if comments.is_empty() {
        return Ok(false);
    }
    let service = project.service.name();
    let existing = if is_new {
        HashMap::new()
    } else {
        bridged_comments(snap, issue_path, service)?
    };
    let mut changed = false;
    for c in comments {
        let comment = mapper.comment(c);
        let text = comment.print();
        match existing.get(&c.id) {
            Some((id, old)) => {
                // Who wrote it and when never change there; a comment sent
                // from here keeps its author here (the service shows the
                // sender's login).
                let mut kept = old.clone();
                kept.body.clone_from(&comment.body);
                kept.internal = comment.internal;
                kept.extra.clone_from(&comment.extra);
                let text = kept.print();
                if old.print() != text {
                    edits.push(Edit::Write {
                        path: format!("{}/{id}.md", comments_dir_of(issue_path)),
                        content: text.into_bytes(),
                    });
                    report.comments_updated += 1;
                    changed = true;
                }
            }
            None => {
                let id = super::stable_ulid(
                    c.created,
                    &format!("{service} {} comment {}", project.name, c.id),
                );
                let path = format!("{}/{id}.md", comments_dir_of(issue_path));
                if !is_new && snap.read(&path)?.as_deref() == Some(text.as_str()) {
                    continue;
                }
                edits.push(Edit::Write {
                    path,
                    content: text.into_bytes(),
                });
                report.comments_added += 1;
                changed = true;
            }
        }
    }
    Ok(changed)
}

/// Brings a batch in: one commit, or none when nothing changed. With
/// `dry_run`, says what it would do and writes nothing.
pub fn import_batch(tracker: &Tracker, batch: &Batch, dry_run: bool) -> Result<Report> {
    let store = tracker.store();
    let mut state = State::load(&store.local_dir(), &batch.project);
    if dry_run {
        let snap = store.snapshot()?;
        if !snap.exists() {
            return Err(Error::Tracker(crate::tracker::Error::NotInitialized {
                branch: store.branch_name().to_owned(),
            }));
        }
        let mut p = plan(&snap, batch, &state)?;
        p.report.dry_run = true;
        return Ok(p.report);
    }
    let mut outcome = None;
    let commit = store.commit(|snap| {
        crate::tracker::read::known_format(snap, layout::CONFIG)?;
        if !snap.exists() {
            return Err(Error::Tracker(crate::tracker::Error::NotInitialized {
                branch: store.branch_name().to_owned(),
            }));
        }
        let p = plan(snap, batch, &state)?;
        let change = (!p.edits.is_empty()).then(|| Change {
            message: message(&p.report),
            edits: p.edits.clone(),
        });
        outcome = Some(p);
        Ok::<_, Error>(change)
    })?;
    let Some(p) = outcome else {
        return Err(Error::Tracker(crate::tracker::Error::Internal(
            "the bridge made no plan".to_owned(),
        )));
    };
    let mut report = p.report;
    report.commit = commit;
    for (id, m) in p.bases {
        state.bases.insert(id, m);
    }
    if let Some(newest) = batch
        .fetched
        .issues
        .iter()
        .map(|i| i.updated)
        .chain(batch.fetched.loose_comments.iter().map(|(_, c)| c.updated))
        .max()
    {
        state.since = Some(state.since.map_or(newest, |s| s.max(newest)));
    }
    state.save()?;
    Ok(report)
}

/// The commit message: what came in, then every value that lost.
fn message(r: &Report) -> String {
    let mut m = format!(
        "Bridge {} {}: {} new, {} updated, {} comment{}",
        r.service,
        r.project,
        r.created.len(),
        r.updated.len(),
        r.comments_added + r.comments_updated,
        if r.comments_added + r.comments_updated == 1 {
            ""
        } else {
            "s"
        }
    );
    if !r.dropped.is_empty() {
        m.push_str("\n\n");
        for d in &r.dropped {
            m.push_str(d);
            m.push('\n');
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::format::Issue;
    use crate::format::fields::{self, Val, Value};
    use crate::tracker::merge::merge_issue;

    fn issue() -> Issue {
        let t = jiff::Timestamp::from_second(1_700_000_000).unwrap();
        Issue::new(
            "01".into(),
            "Crash".into(),
            "bug".into(),
            "open".into(),
            "p2".into(),
            t,
        )
    }

    fn with(mut i: Issue, paths: &[&str], bridge: &[(&str, &str)], later: i64) -> Issue {
        i.put(
            fields::named("paths"),
            Value::List(paths.iter().map(|p| (*p).to_owned()).collect()),
        );
        let map: BTreeMap<String, String> = bridge
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        i.put(fields::named("bridge"), Value::Map(map));
        i.updated = jiff::Timestamp::from_second(1_700_000_000 + later).unwrap();
        i
    }

    /// Two clones linking paths and syncing a bridge at once lose nothing:
    /// paths merge as a set, `bridge` entry by entry.
    #[test]
    fn two_clones_adding_paths_and_bridge_entries_at_once_lose_nothing() {
        let base = with(issue(), &["src/a.rs"], &[("id", "1"), ("synced", "t1")], 0);
        let ours = with(
            issue(),
            &["src/a.rs", "src/b.rs"],
            &[("id", "1"), ("synced", "t2")],
            10,
        );
        let theirs = with(
            issue(),
            &["src/c.rs"],
            &[("id", "1"), ("synced", "t1"), ("url", "u")],
            5,
        );
        let m = merge_issue(Some(&base), &ours, &theirs);
        assert_eq!(
            m.issue.get(fields::named("paths")),
            Val::List(&["src/b.rs".to_owned(), "src/c.rs".to_owned()])
        );
        let Val::Map(b) = m.issue.get(fields::named("bridge")) else {
            panic!("no bridge");
        };
        assert_eq!(b.get("synced").map(String::as_str), Some("t2"));
        assert_eq!(b.get("url").map(String::as_str), Some("u"));
        assert!(m.dropped.is_empty());
    }
}
