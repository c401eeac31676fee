//! Sending local changes: issues filed here that the service does not have
//! yet are created there; bridged issues whose fields changed here since
//! the last sync are updated, field by field (what changed there meanwhile
//! and not here is left alone); comments written here are added. Each
//! create is recorded on the branch (the issue's `bridge`, the comment's
//! origin) as soon as the service confirms it, so a push that stops
//! half-way is resumed by running it again, never doubled.
//!
//! Here: what to send ([`plan`]); [`send`] sends it and records each step;
//! [`requests`] are the requests of each service.

mod requests;
mod send;

use serde::Serialize;

use super::apply::{Mapped, bridge_of, comment_origin, comments_dir_of, local_issues};
use super::state::State;
use super::{Project, Result, Service};
use crate::format::config::{BridgeTable, Config};
use crate::format::layout::{BranchPath, Part};
use crate::format::{Comment, Issue, Key};
use crate::tracker::Tracker;
use crate::tracker::read::read_config;

pub use requests::Client;
pub use send::push;

/// The fields one request sets; `None`: not sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Fields {
    pub title: Option<String>,
    pub body: Option<String>,
    pub closed: Option<bool>,
    /// GitHub's reason for closing.
    pub state_reason: Option<String>,
    /// Our status, for Jira's transitions.
    pub status: Option<String>,
    pub labels: Option<Vec<String>>,
    /// The login (GitHub), username (GitLab) or account id (Jira);
    /// `Some(None)` unassigns.
    pub assignee: Option<Option<String>>,
    /// GitLab's user id for `assignee`, looked up before sending.
    pub assignee_id: Option<Option<String>>,
    pub milestone: Option<Option<String>>,
    /// GitHub's milestone number or GitLab's milestone id for `milestone`.
    pub milestone_id: Option<Option<String>>,
    /// Jira's priority name.
    pub priority: Option<String>,
    /// Jira's issue type name (on create).
    pub kind: Option<String>,
    pub component: Option<Option<String>>,
    pub confidential: Option<bool>,
}

impl Fields {
    /// The names of what is sent, for messages.
    pub fn names(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mut add = |on: bool, name| {
            if on {
                out.push(name);
            }
        };
        add(self.title.is_some(), "title");
        add(self.body.is_some(), "description");
        add(self.closed.is_some() || self.status.is_some(), "status");
        add(self.labels.is_some(), "labels");
        add(self.assignee.is_some(), "assignee");
        add(self.milestone.is_some(), "milestone");
        add(self.priority.is_some(), "priority");
        add(self.component.is_some(), "component");
        add(self.confidential.is_some(), "confidential");
        out
    }
}

/// One request a push makes.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Step {
    /// A local issue the service does not have: created, with its comments.
    Create {
        key: String,
        fields: Fields,
        comments: usize,
    },
    /// A bridged issue changed here.
    Update {
        key: String,
        remote: String,
        fields: Fields,
    },
    /// A comment written here on a bridged issue.
    Comment {
        key: String,
        remote: String,
        comment: String,
    },
}

/// What a push would send.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PushPlan {
    pub steps: Vec<Step>,
    /// Issues left out, and why.
    pub notes: Vec<String>,
}

/// What a push sent.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PushReport {
    pub service: String,
    pub project: String,
    pub created: Vec<(String, String)>,
    pub updated: Vec<(String, String)>,
    pub comments: usize,
    pub notes: Vec<String>,
    pub dry_run: bool,
    pub plan: Vec<Step>,
}

/// A local issue's part in a push.
struct Work {
    key: Key,
    /// The remote key and id, for a bridged issue.
    remote: Option<(String, String)>,
    /// Its page there.
    url: String,
    fields: Fields,
    /// Comment files not yet on the service: id and comment.
    comments: Vec<(String, Comment)>,
}

fn work_list(
    tracker: &Tracker,
    project: &Project,
    state: &State,
) -> Result<(Config, Vec<Work>, Vec<String>)> {
    let snap = tracker.store().snapshot()?;
    let config = read_config(&snap)?;
    let local = local_issues(&snap, project, true)?;
    let service = project.service;
    let mut notes = Vec::new();
    let mut out = Vec::new();
    let mut all = local.all;
    all.sort_by_key(|(k, _, _)| k.number);
    for (key, issue, path) in all {
        let bridge = bridge_of(&issue).cloned();
        let remote = match &bridge {
            Some(b)
                if b.get("service").map(String::as_str) == Some(service.name())
                    && b.get("project")
                        .is_some_and(|p| p.eq_ignore_ascii_case(&project.name)) =>
            {
                Some((
                    b.get("key").cloned().unwrap_or_default(),
                    b.get("id").cloned().unwrap_or_default(),
                ))
            }
            // Bridged elsewhere: that bridge's business.
            Some(_) => continue,
            None => None,
        };
        if remote.is_none() && issue.confidential && service != Service::Gitlab {
            notes.push(format!(
                "{key} is confidential and {} has no confidential issues; not sent",
                service.title()
            ));
            continue;
        }
        let fields = match &remote {
            None => create_fields(&issue, &config, project, &mut notes, &key),
            Some((_, id)) => changed_fields(
                &issue,
                state.bases.get(id),
                &config,
                project,
                &mut notes,
                &key,
            ),
        };
        let mut comments = Vec::new();
        for (path, bytes) in snap.files(&comments_dir_of(&path), |_| true)? {
            let BranchPath::InIssue(_, Part::Comment(id)) = BranchPath::parse(&path) else {
                continue;
            };
            let Some(c) = bytes
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|t| Comment::parse(&t).ok())
            else {
                continue;
            };
            if comment_origin(&c).is_some() {
                continue;
            }
            if c.internal && service != Service::Gitlab {
                notes.push(format!(
                    "{key}: an internal comment stays here ({} has no internal comments)",
                    service.title()
                ));
                continue;
            }
            comments.push((id, c));
        }
        comments.sort_by(|a, b| (a.1.created, &a.0).cmp(&(b.1.created, &b.0)));
        if remote.is_some() && fields == Fields::default() && comments.is_empty() {
            continue;
        }
        let url = bridge
            .as_ref()
            .and_then(|b| b.get("url").cloned())
            .unwrap_or_default();
        out.push(Work {
            key,
            url,
            remote,
            fields,
            comments,
        });
    }
    notes.sort();
    notes.dedup();
    Ok((config, out, notes))
}

/// Our assignee as the service knows them: the login `people` gives, or
/// the value itself when it is not a `Name <email>`.
fn login_of(config: &Config, person: &str) -> Option<String> {
    config
        .bridge
        .login(person)
        .map(str::to_owned)
        .or_else(|| (!person.contains('<') && !person.contains(' ')).then(|| person.to_owned()))
}

fn status_fields(issue: &Issue, config: &Config, project: &Project, f: &mut Fields) {
    let closed = config.is_closed(&issue.status);
    f.closed = Some(closed);
    f.status = Some(issue.status.clone());
    if closed && project.service == Service::Github {
        f.state_reason = config
            .bridge
            .reverse("github", BridgeTable::Statuses, &issue.status)
            .filter(|r| matches!(r.as_str(), "completed" | "not_planned" | "duplicate"));
    }
}

fn assignee_field(
    issue: &Issue,
    config: &Config,
    notes: &mut Vec<String>,
    key: &Key,
    title: &str,
) -> Option<Option<String>> {
    match &issue.assignee {
        None => Some(None),
        Some(a) => match login_of(config, a) {
            Some(l) => Some(Some(l)),
            None => {
                notes.push(format!(
                    "{key}: the assignee {a:?} is not in tracker.yml's bridge.people, so {title} does not get it"
                ));
                None
            }
        },
    }
}

fn create_fields(
    issue: &Issue,
    config: &Config,
    project: &Project,
    notes: &mut Vec<String>,
    key: &Key,
) -> Fields {
    let service = project.service;
    let mut f = Fields {
        title: Some(issue.title.clone()),
        body: Some(sent_text(&issue.body)),
        labels: Some(issue.labels.clone()),
        ..Fields::default()
    };
    status_fields(issue, config, project, &mut f);
    if issue.assignee.is_some() {
        f.assignee = assignee_field(issue, config, notes, key, service.title());
    }
    if issue.milestone.is_some() {
        f.milestone = Some(issue.milestone.clone());
    }
    match service {
        Service::Jira => {
            f.kind = config
                .bridge
                .reverse("jira", BridgeTable::Types, &issue.kind);
            f.priority = config
                .bridge
                .reverse("jira", BridgeTable::Priorities, &issue.priority);
            if issue.component.is_some() {
                f.component = Some(issue.component.clone());
            }
        }
        Service::Gitlab => f.confidential = issue.confidential.then_some(true),
        Service::Github => {}
    }
    f
}

/// The fields of a bridged issue that changed here since the last sync.
fn changed_fields(
    issue: &Issue,
    base: Option<&Mapped>,
    config: &Config,
    project: &Project,
    notes: &mut Vec<String>,
    key: &Key,
) -> Fields {
    let service = project.service;
    let base = match base {
        Some(m) => m.carry(issue.clone()),
        None => {
            // No record of the last sync here: an issue not edited since
            // has nothing to send; one that was sends what the service
            // holds.
            let synced = bridge_of(issue)
                .and_then(|b| b.get("synced"))
                .and_then(|s| crate::format::parse_timestamp(s));
            if synced.is_some_and(|s| issue.updated <= s) {
                return Fields::default();
            }
            let mut all = create_fields(issue, config, project, notes, key);
            all.kind = None;
            return all;
        }
    };
    let mut f = Fields::default();
    if issue.title != base.title {
        f.title = Some(issue.title.clone());
    }
    if issue.body != base.body {
        f.body = Some(sent_text(&issue.body));
    }
    if issue.status != base.status {
        status_fields(issue, config, project, &mut f);
    }
    if issue.labels != base.labels {
        f.labels = Some(issue.labels.clone());
    }
    if issue.assignee != base.assignee {
        f.assignee = assignee_field(issue, config, notes, key, service.title());
    }
    if issue.milestone != base.milestone {
        f.milestone = Some(issue.milestone.clone());
    }
    if service == Service::Jira {
        if issue.priority != base.priority {
            f.priority = config
                .bridge
                .reverse("jira", BridgeTable::Priorities, &issue.priority);
        }
        if issue.component != base.component {
            f.component = Some(issue.component.clone());
        }
    }
    if service == Service::Gitlab && issue.confidential != base.confidential {
        f.confidential = Some(issue.confidential);
    }
    f
}

/// Text as a person would have typed it there: without the final newline
/// our files end with (a pull adds it back).
fn sent_text(body: &str) -> String {
    body.trim_end_matches('\n').to_owned()
}

/// The requests of a push, without making them.
pub fn plan(tracker: &Tracker, project: &Project) -> Result<PushPlan> {
    let state = State::load(&tracker.store().local_dir(), project);
    let (_, work, notes) = work_list(tracker, project, &state)?;
    Ok(PushPlan {
        steps: steps_of(&work),
        notes,
    })
}

fn steps_of(work: &[Work]) -> Vec<Step> {
    let mut steps = Vec::new();
    for w in work {
        match &w.remote {
            None => steps.push(Step::Create {
                key: w.key.to_string(),
                fields: w.fields.clone(),
                comments: w.comments.len(),
            }),
            Some((rkey, _)) => {
                if w.fields != Fields::default() {
                    steps.push(Step::Update {
                        key: w.key.to_string(),
                        remote: rkey.clone(),
                        fields: w.fields.clone(),
                    });
                }
                for (id, _) in &w.comments {
                    steps.push(Step::Comment {
                        key: w.key.to_string(),
                        remote: rkey.clone(),
                        comment: id.clone(),
                    });
                }
            }
        }
    }
    steps
}
