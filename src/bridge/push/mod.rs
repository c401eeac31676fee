//! Sending local changes: issues filed here that the service does not have
//! yet are created there; bridged issues whose fields changed here since
//! the last sync are updated, field by field (what changed there meanwhile
//! and not here is left alone); comments written here are added. Each
//! create is recorded on the branch (the issue's `bridge`, the comment's
//! origin) as soon as the service confirms it, so a push that stops
//! half-way is resumed by running it again, never doubled.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use super::apply::{Mapped, Mapper, bridge_of, comment_origin, comments_dir_of, local_issues};
use super::state::State;
use super::transport::{Http, Tool};
use super::{Error, Project, RemoteIssue, Result, Service, Unmapped, github, gitlab, jira};
use crate::format::config::{BridgeTable, Config};
use crate::format::layout::{self, BranchPath, Part};
use crate::format::{Comment, Issue, Key, fields};
use crate::store::{Change, Edit};
use crate::tracker::Tracker;
use crate::tracker::read::read_config;

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
                    && b.get("project") == Some(&project.name) =>
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

/// The service a push talks to.
pub enum Client {
    Tool(Tool),
    Jira(Http),
}

/// What the service holds of one issue after a request.
struct Sent {
    remote: RemoteIssue,
}

/// What the service answered to a create: the new issue's identity, and
/// the whole issue when the answer holds it (GitHub, GitLab; Jira answers
/// with the key alone).
struct Created {
    id: String,
    key: String,
    url: String,
    issue: Option<RemoteIssue>,
}

/// Sends what [`plan`] lists. Every create and every comment is recorded
/// on the branch (one commit each) as soon as the service confirms it, so
/// a run that stops half-way is resumed by running it again and nothing is
/// sent twice; updates are recorded together at the end, also after a
/// failure.
pub fn push(tracker: &Tracker, project: &Project, client: &Client) -> Result<PushReport> {
    let store = tracker.store();
    let mut state = State::load(&store.local_dir(), project);
    let (config, work, notes) = work_list(tracker, project, &state)?;
    let mut report = PushReport {
        service: project.service.name().to_owned(),
        project: project.name.clone(),
        notes,
        plan: steps_of(&work),
        ..PushReport::default()
    };
    let mut lookups = Lookups::default();
    // What was sent and recorded, for the message when a request fails.
    let mut done: Vec<String> = Vec::new();
    let mut pending: Vec<(Key, Mapped)> = Vec::new();
    let result = (|| -> Result<()> {
        for w in work {
            let mut mapper = Mapper {
                config: &config,
                project,
                unmapped: Unmapped::default(),
            };
            let (rkey, rid, url) = match &w.remote {
                None => {
                    let mut fields = w.fields.clone();
                    resolve(
                        client,
                        project,
                        &mut fields,
                        &mut lookups,
                        &mut report.notes,
                    )?;
                    let created = create(client, project, &fields)?;
                    // Closing (and, for Jira, reading the issue back) is
                    // another request: until it is done, the record holds
                    // no sync time, so a rerun sends the fields again as an
                    // update instead of creating the issue again.
                    let follow_up = fields.closed == Some(true) || created.issue.is_none();
                    let mut bridge = identity(project, &created);
                    if let Some(r) = &created.issue {
                        let mapped = mapper.map(r);
                        if !follow_up {
                            bridge = mapped.bridge.clone();
                        }
                        state.bases.insert(r.id.clone(), mapped);
                    }
                    record(
                        tracker,
                        &w.key,
                        Some(&bridge),
                        &[],
                        &format!(
                            "{}: sent to {} {} as {}",
                            w.key, project.service, project.name, created.key
                        ),
                    )?;
                    state.save()?;
                    done.push(format!("{} created as {}", w.key, created.key));
                    report
                        .created
                        .push((w.key.to_string(), created.key.clone()));
                    if follow_up {
                        let after = finish_create(client, project, &config, &created, &fields)?;
                        let mapped = mapper.map(&after);
                        record(
                            tracker,
                            &w.key,
                            Some(&mapped.bridge),
                            &[],
                            &format!(
                                "{}: {} {} {} as sent",
                                w.key, project.service, project.name, created.key
                            ),
                        )?;
                        state.bases.insert(after.id.clone(), mapped);
                        state.save()?;
                    }
                    let url = created
                        .issue
                        .as_ref()
                        .map_or(created.url.clone(), |r| r.url.clone());
                    (created.key, created.id, url)
                }
                Some((rkey, rid)) => {
                    if w.fields != Fields::default() {
                        let mut fields = w.fields.clone();
                        resolve(
                            client,
                            project,
                            &mut fields,
                            &mut lookups,
                            &mut report.notes,
                        )?;
                        let after = update(client, project, &config, rkey, &fields)?.remote;
                        let mapped = mapper.map(&after);
                        state.bases.insert(after.id.clone(), mapped.clone());
                        pending.push((w.key.clone(), mapped));
                        done.push(format!("{} ({rkey}) updated", w.key));
                        report.updated.push((w.key.to_string(), rkey.clone()));
                    }
                    (rkey.clone(), rid.clone(), w.url.clone())
                }
            };
            for (id, c) in &w.comments {
                let (posted, after) = add_comment(client, project, &rkey, &rid, &url, c)?;
                let mapped = after.map(|r| mapper.map(&r));
                record(
                    tracker,
                    &w.key,
                    mapped.as_ref().map(|m| &m.bridge),
                    &[(id.clone(), with_origin(c, project, &posted))],
                    &format!(
                        "{}: comment {id} sent to {} {} {rkey}",
                        w.key, project.service, project.name
                    ),
                )?;
                if let Some(m) = mapped {
                    // This commit holds the issue's newest record.
                    pending.retain(|(k, _)| k != &w.key);
                    state.bases.insert(rid.clone(), m);
                }
                state.save()?;
                done.push(format!("comment {id} on {} ({rkey})", w.key));
                report.comments += 1;
            }
        }
        Ok(())
    })();
    // Updates are recorded together, also when a later request failed.
    if !pending.is_empty() {
        record_many(tracker, &pending, project)?;
    }
    state.save()?;
    match result {
        Ok(()) => Ok(report),
        Err(e) if !done.is_empty() => Err(Error::Stopped {
            message: e.to_string(),
            sent: done,
            cause: Box::new(e),
        }),
        Err(e) => Err(e),
    }
}

/// The `bridge` of an issue just created there, before its fields are
/// known: no sync time.
fn identity(project: &Project, c: &Created) -> BTreeMap<String, String> {
    let mut b = BTreeMap::new();
    b.insert("service".to_owned(), project.service.name().to_owned());
    b.insert("project".to_owned(), project.name.clone());
    b.insert("id".to_owned(), c.id.clone());
    b.insert("key".to_owned(), c.key.clone());
    if !c.url.is_empty() {
        b.insert("url".to_owned(), c.url.clone());
    }
    b
}

/// A comment as sent: its file with the remote's id and address.
fn with_origin(c: &Comment, project: &Project, posted: &(String, String)) -> Comment {
    let mut c = c.clone();
    let mut origin = serde_json::Map::new();
    origin.insert("service".into(), json!(project.service.name()));
    origin.insert("id".into(), json!(posted.0));
    if !posted.1.is_empty() {
        origin.insert("url".into(), json!(posted.1));
    }
    c.extra.retain(|(k, _)| k != "bridge");
    c.extra.push(("bridge".to_owned(), Value::Object(origin)));
    c
}

/// Where an issue's file is: the current layout's path, or the first
/// layout's for an issue filed before it.
fn issue_path(snap: &crate::store::Snapshot<'_>, key: &Key) -> String {
    layout::issue_file_candidates(key)
        .into_iter()
        .find(|p| snap.contains(p))
        .unwrap_or_else(|| layout::issue_file(key))
}

/// Writes the `bridge` of an issue (and comment origins) in one commit.
fn record(
    tracker: &Tracker,
    key: &Key,
    bridge: Option<&BTreeMap<String, String>>,
    comments: &[(String, Comment)],
    message: &str,
) -> Result<()> {
    tracker.store().commit(|snap| {
        let mut edits = Vec::new();
        let path = issue_path(snap, key);
        if let Some(b) = bridge {
            let path = path.clone();
            let text = snap.read(&path)?.unwrap_or_default();
            let mut issue = Issue::parse(&text).map_err(|e| {
                Error::Tracker(crate::tracker::Error::BadFile(crate::format::Problem::new(
                    &path, e,
                )))
            })?;
            issue.put(fields::named("bridge"), fields::Value::Map(b.clone()));
            let new = issue.print();
            if new != text {
                edits.push(Edit::Write {
                    path,
                    content: new.into_bytes(),
                });
            }
        }
        for (id, c) in comments {
            edits.push(Edit::Write {
                path: format!("{}/{id}.md", comments_dir_of(&path)),
                content: c.print().into_bytes(),
            });
        }
        Ok::<_, Error>((!edits.is_empty()).then(|| Change {
            message: message.to_owned(),
            edits,
        }))
    })?;
    Ok(())
}

fn record_many(tracker: &Tracker, pending: &[(Key, Mapped)], project: &Project) -> Result<()> {
    tracker.store().commit(|snap| {
        let mut edits = Vec::new();
        for (key, m) in pending {
            let path = issue_path(snap, key);
            let Some(text) = snap.read(&path)? else {
                continue;
            };
            let Ok(mut issue) = Issue::parse(&text) else {
                continue;
            };
            issue.put(
                fields::named("bridge"),
                fields::Value::Map(m.bridge.clone()),
            );
            let new = issue.print();
            if new != text {
                edits.push(Edit::Write {
                    path,
                    content: new.into_bytes(),
                });
            }
        }
        Ok::<_, Error>((!edits.is_empty()).then(|| Change {
            message: format!(
                "Bridge {} {}: {} issue(s) sent",
                project.service,
                project.name,
                pending.len()
            ),
            edits,
        }))
    })?;
    Ok(())
}

/// Ids the services want instead of names, looked up once a run.
#[derive(Default)]
struct Lookups {
    milestones: Option<BTreeMap<String, String>>,
    users: BTreeMap<String, Option<String>>,
}

/// Turns names into the ids a service wants (GitHub's milestone numbers,
/// GitLab's milestone and user ids); a name the service does not know is
/// left out, with a note.
fn resolve(
    client: &Client,
    project: &Project,
    f: &mut Fields,
    lookups: &mut Lookups,
    notes: &mut Vec<String>,
) -> Result<()> {
    let Client::Tool(tool) = client else {
        return Ok(());
    };
    if let Some(ms) = f.milestone.clone() {
        match ms {
            None => f.milestone_id = Some(None),
            Some(title) => {
                if lookups.milestones.is_none() {
                    let path = match project.service {
                        Service::Github => {
                            format!("repos/{}/milestones?state=all&per_page=100", project.name)
                        }
                        _ => format!(
                            "projects/{}/milestones?per_page=100",
                            gitlab::project_id(&project.name)
                        ),
                    };
                    let items = super::stream::items(&tool.get_all(&path)?).map_err(|m| {
                        Error::BadInput {
                            what: format!("{} {path}", tool.program),
                            message: m,
                        }
                    })?;
                    let id_key = if project.service == Service::Github {
                        "number"
                    } else {
                        "id"
                    };
                    lookups.milestones = Some(
                        items
                            .iter()
                            .filter_map(|m| {
                                Some((super::json::text(m, "title")?, super::json::id(m, id_key)?))
                            })
                            .collect(),
                    );
                }
                match lookups.milestones.as_ref().and_then(|m| m.get(&title)) {
                    Some(id) => f.milestone_id = Some(Some(id.clone())),
                    None => notes.push(format!(
                        "{} has no milestone {title:?}; create it there to send it",
                        project.service.title()
                    )),
                }
            }
        }
        f.milestone = None;
    }
    if project.service == Service::Gitlab
        && let Some(a) = f.assignee.clone()
    {
        match a {
            None => f.assignee_id = Some(None),
            Some(login) => {
                if !lookups.users.contains_key(&login) {
                    let path = format!("users?username={login}");
                    let items = super::stream::items(&tool.get_all(&path)?).unwrap_or_default();
                    let id = items.first().and_then(|u| super::json::id(u, "id"));
                    lookups.users.insert(login.clone(), id);
                }
                match lookups.users.get(&login).cloned().flatten() {
                    Some(id) => f.assignee_id = Some(Some(id)),
                    None => notes.push(format!("GitLab has no user {login:?}; not assigned there")),
                }
            }
        }
        f.assignee = None;
    }
    Ok(())
}

fn bad(what: &str, message: String) -> Error {
    Error::BadInput {
        what: what.to_owned(),
        message,
    }
}

/// The request that creates an issue there; nothing more, so that what it
/// answers is recorded before anything else can fail.
fn create(client: &Client, project: &Project, f: &Fields) -> Result<Created> {
    let whole = |r: RemoteIssue| Created {
        id: r.id.clone(),
        key: r.key.clone(),
        url: r.url.clone(),
        issue: Some(r),
    };
    match (client, project.service) {
        (Client::Tool(tool), Service::Github) => {
            let path = format!("repos/{}/issues", project.name);
            let mut body = github::issue_body(f);
            // A new issue is open; closing is a second request.
            if let Value::Object(m) = &mut body {
                m.remove("state");
                m.remove("state_reason");
            }
            let v = tool.send("POST", &path, &body)?;
            Ok(whole(
                github::read_issue(&v).map_err(|m| bad("GitHub's answer", m))?,
            ))
        }
        (Client::Tool(tool), Service::Gitlab) => {
            let path = format!("projects/{}/issues", gitlab::project_id(&project.name));
            let mut body = gitlab::issue_body(f);
            if let Value::Object(m) = &mut body {
                m.remove("state_event");
            }
            let v = tool.send("POST", &path, &body)?;
            Ok(whole(
                gitlab::read_issue(&v).map_err(|m| bad("GitLab's answer", m))?,
            ))
        }
        (Client::Jira(http), _) => {
            let (_, pkey) = jira::split_project(&project.name).unwrap_or_default();
            let v = http.send(
                "POST",
                "/rest/api/3/issue",
                &jira::issue_body(&pkey, f, true),
            )?;
            let key = super::json::text(&v, "key")
                .ok_or_else(|| bad("Jira's answer", "no `key`".to_owned()))?;
            Ok(Created {
                id: super::json::id(&v, "id").unwrap_or_else(|| key.clone()),
                url: format!("{}/browse/{key}", http.site()),
                key,
                issue: None,
            })
        }
        _ => Err(Error::Usage(format!("no push for {}", project.service))),
    }
}

/// What follows a create: closing the new issue when ours is closed, and
/// (Jira) reading it back; the issue as the service then holds it.
fn finish_create(
    client: &Client,
    project: &Project,
    config: &Config,
    created: &Created,
    f: &Fields,
) -> Result<RemoteIssue> {
    match (client, project.service) {
        (Client::Tool(_), Service::Github | Service::Gitlab) => {
            let close = Fields {
                closed: Some(true),
                state_reason: f.state_reason.clone(),
                ..Fields::default()
            };
            if f.closed == Some(true) {
                Ok(update(client, project, config, &created.key, &close)?.remote)
            } else {
                fetch_one(client, project, &created.key, &created.id)
            }
        }
        (Client::Jira(http), _) => {
            // A new issue starts in the workflow's first status.
            if f.closed == Some(true)
                && let Some(status) = &f.status
            {
                transition(http, &created.key, status, config)?;
            }
            jira_issue(http, &created.key)
        }
        _ => Err(Error::Usage(format!("no push for {}", project.service))),
    }
}

fn update(
    client: &Client,
    project: &Project,
    config: &Config,
    rkey: &str,
    f: &Fields,
) -> Result<Sent> {
    match (client, project.service) {
        (Client::Tool(tool), Service::Github) => {
            let n = rkey.trim_start_matches('#');
            let v = tool.send(
                "PATCH",
                &format!("repos/{}/issues/{n}", project.name),
                &github::issue_body(f),
            )?;
            Ok(Sent {
                remote: github::read_issue(&v).map_err(|m| bad("GitHub's answer", m))?,
            })
        }
        (Client::Tool(tool), Service::Gitlab) => {
            let n = rkey.trim_start_matches('#');
            let v = tool.send(
                "PUT",
                &format!("projects/{}/issues/{n}", gitlab::project_id(&project.name)),
                &gitlab::issue_body(f),
            )?;
            Ok(Sent {
                remote: gitlab::read_issue(&v).map_err(|m| bad("GitLab's answer", m))?,
            })
        }
        (Client::Jira(http), _) => {
            let (_, pkey) = jira::split_project(&project.name).unwrap_or_default();
            let body = jira::issue_body(&pkey, f, false);
            if body["fields"].as_object().is_some_and(|m| !m.is_empty()) {
                http.send("PUT", &format!("/rest/api/3/issue/{rkey}"), &body)?;
            }
            if let Some(status) = &f.status {
                transition(http, rkey, status, config)?;
            }
            Ok(Sent {
                remote: jira_issue(http, rkey)?,
            })
        }
        _ => Err(Error::Usage(format!("no push for {}", project.service))),
    }
}

fn fetch_one(client: &Client, project: &Project, rkey: &str, _rid: &str) -> Result<RemoteIssue> {
    let n = rkey.trim_start_matches('#');
    match (client, project.service) {
        (Client::Tool(tool), Service::Github) => {
            let path = format!("repos/{}/issues/{n}", project.name);
            let items = super::stream::items(&tool.get_all(&path)?).map_err(|m| bad(&path, m))?;
            github::read_issue(items.first().unwrap_or(&Value::Null)).map_err(|m| bad(&path, m))
        }
        (Client::Tool(tool), Service::Gitlab) => {
            let path = format!("projects/{}/issues/{n}", gitlab::project_id(&project.name));
            let items = super::stream::items(&tool.get_all(&path)?).map_err(|m| bad(&path, m))?;
            gitlab::read_issue(items.first().unwrap_or(&Value::Null)).map_err(|m| bad(&path, m))
        }
        (Client::Jira(http), _) => jira_issue(http, rkey),
        _ => Err(Error::Usage(format!("no push for {}", project.service))),
    }
}

/// Adds a comment; returns its remote id and address, and the issue as it
/// is after (when the service says).
fn add_comment(
    client: &Client,
    project: &Project,
    rkey: &str,
    rid: &str,
    issue_url: &str,
    c: &Comment,
) -> Result<((String, String), Option<RemoteIssue>)> {
    let n = rkey.trim_start_matches('#');
    let posted = match (client, project.service) {
        (Client::Tool(tool), Service::Github) => {
            let v = tool.send(
                "POST",
                &format!("repos/{}/issues/{n}/comments", project.name),
                &json!({"body": sent_text(&c.body)}),
            )?;
            (
                super::json::id(&v, "id").unwrap_or_default(),
                super::json::text(&v, "html_url").unwrap_or_default(),
            )
        }
        (Client::Tool(tool), Service::Gitlab) => {
            let v = tool.send(
                "POST",
                &format!(
                    "projects/{}/issues/{n}/notes",
                    gitlab::project_id(&project.name)
                ),
                &json!({"body": sent_text(&c.body), "internal": c.internal}),
            )?;
            let id = super::json::id(&v, "id").unwrap_or_default();
            (id.clone(), format!("{issue_url}#note_{id}"))
        }
        (Client::Jira(http), _) => {
            let v = http.send(
                "POST",
                &format!("/rest/api/3/issue/{rkey}/comment"),
                &json!({"body": super::adf::from_markdown(&c.body)}),
            )?;
            let id = super::json::id(&v, "id").unwrap_or_default();
            (id.clone(), format!("{issue_url}?focusedCommentId={id}"))
        }
        _ => return Err(Error::Usage(format!("no push for {}", project.service))),
    };
    // A comment moves the issue's update time: read it again so the
    // record matches what a pull will see.
    let after = fetch_one(client, project, rkey, rid).ok();
    Ok((posted, after))
}

fn jira_issue(http: &Http, key: &str) -> Result<RemoteIssue> {
    let v = http.get(&format!("/rest/api/3/issue/{key}?fields={}", jira::FIELDS))?;
    jira::read_issue(&v).map_err(|m| bad("Jira's answer", m))
}

/// Moves a Jira issue to the status that maps to ours, through the
/// workflow's transitions.
fn transition(http: &Http, key: &str, status: &str, config: &Config) -> Result<()> {
    let v = http.get(&format!("/rest/api/3/issue/{key}/transitions"))?;
    let settings = &config.bridge;
    let pick = v
        .get("transitions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|t| {
            let to = t.get("to");
            let name = to
                .and_then(|x| super::json::text(x, "name"))
                .unwrap_or_default();
            let category = to
                .and_then(|x| x.get("statusCategory"))
                .and_then(|c| super::json::text(c, "key"))
                .unwrap_or_default();
            settings
                .lookup("jira", BridgeTable::Statuses, &name)
                .as_deref()
                == Some(status)
                || settings
                    .lookup("jira", BridgeTable::Statuses, &category)
                    .as_deref()
                    == Some(status)
        });
    match pick.and_then(|t| super::json::id(t, "id")) {
        Some(id) => {
            http.send(
                "POST",
                &format!("/rest/api/3/issue/{key}/transitions"),
                &json!({"transition": {"id": id}}),
            )?;
            Ok(())
        }
        None => Ok(()),
    }
}
