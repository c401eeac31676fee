//! GitLab: the REST API v4's project issues and issue notes, read from what
//! `glab api --paginate` prints; requests made through the user's own
//! `glab`. System notes ("assigned to @x", "changed the description") are
//! events, not comments, and are left out.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::json::{id, list, need, text, time};
use super::{Fetched, Person, RemoteComment, RemoteIssue};

/// Reads issues and notes, in any mix. Returns the project's path.
pub fn read(items: Vec<Value>) -> Result<(Option<String>, Fetched), String> {
    let mut fetched = Fetched::default();
    let mut project: Option<String> = None;
    let mut issues: BTreeMap<u64, RemoteIssue> = BTreeMap::new();
    let mut notes = Vec::new();
    for item in &items {
        if item.get("noteable_type").is_some() {
            notes.push(item);
            continue;
        }
        if item.get("iid").is_none() || item.get("title").is_none() {
            return Err(
                "an item is neither a GitLab issue (with `iid` and `title`) nor a note (with `noteable_type`)"
                    .to_owned(),
            );
        }
        let here = project_of(item);
        match (&project, here) {
            (Some(p), Some(h)) if *p != h => {
                return Err(format!(
                    "issues of two projects, {p} and {h}: import one at a time"
                ));
            }
            (None, Some(h)) => project = Some(h),
            _ => {}
        }
        let issue = read_issue(item)?;
        issues.insert(issue.number, issue);
    }
    for note in notes {
        if note.get("system").and_then(Value::as_bool) == Some(true) {
            fetched.skipped_system_notes += 1;
            continue;
        }
        if text(note, "noteable_type").as_deref() != Some("Issue") {
            fetched.skipped_comments += 1;
            continue;
        }
        let iid = need(
            note.get("noteable_iid").and_then(Value::as_u64),
            "a GitLab note",
            "noteable_iid",
        )?;
        let url = issues.get(&iid).map(|i| i.url.clone()).unwrap_or_default();
        let c = read_note(note, &url)?;
        match issues.get_mut(&iid) {
            Some(issue) => issue.comments.push(c),
            None => fetched.loose_comments.push((format!("#{iid}"), c)),
        }
    }
    fetched.issues = issues.into_values().collect();
    for i in &mut fetched.issues {
        // GitLab lists notes newest first.
        i.comments
            .sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
    }
    Ok((project, fetched))
}

/// The project's path, from `references.full` or the issue's page.
fn project_of(item: &Value) -> Option<String> {
    if let Some(full) = item.get("references").and_then(|r| text(r, "full"))
        && let Some((path, _)) = full.rsplit_once('#')
    {
        return Some(path.to_owned());
    }
    let url = text(item, "web_url")?;
    let path = url.split_once("://")?.1.split_once('/')?.1;
    Some(path.split_once("/-/")?.0.to_owned())
}

fn person(v: Option<&Value>) -> Option<Person> {
    let v = v.filter(|v| v.is_object())?;
    Some(Person {
        login: text(v, "username")?,
        name: text(v, "name"),
        email: text(v, "public_email"),
    })
}

pub(super) fn read_issue(item: &Value) -> Result<RemoteIssue, String> {
    let iid = need(item.get("iid").and_then(Value::as_u64), "an issue", "iid")?;
    let what = format!("GitLab issue #{iid}");
    let state = need(text(item, "state"), &what, "state")?;
    let closed = state == "closed";
    let labels: Vec<String> = list(item, "labels")
        .iter()
        .filter_map(|l| match l {
            Value::String(s) => Some(s.clone()),
            l => text(l, "name"),
        })
        .collect();
    let mut kinds = Vec::new();
    if let Some(t) = text(item, "issue_type").filter(|t| t != "issue") {
        kinds.push(t);
    }
    kinds.extend(labels.iter().cloned());
    let severity = text(item, "severity")
        .filter(|s| !s.eq_ignore_ascii_case("unknown"))
        .map(|s| s.to_lowercase());
    let created = need(time(item, "created_at"), &what, "created_at")?;
    Ok(RemoteIssue {
        id: need(id(item, "id"), &what, "id")?,
        key: format!("#{iid}"),
        number: iid,
        url: text(item, "web_url").unwrap_or_default(),
        title: need(text(item, "title"), &what, "title")?,
        body: text(item, "description").unwrap_or_default(),
        states: vec![state],
        closed,
        kinds,
        priorities: labels.clone(),
        severity,
        labels,
        milestone: item.get("milestone").and_then(|m| text(m, "title")),
        assignee: person(list(item, "assignees").first()).or_else(|| person(item.get("assignee"))),
        reporter: person(item.get("author")),
        component: None,
        extra_values: Vec::new(),
        confidential: Some(item.get("confidential").and_then(Value::as_bool) == Some(true)),
        created,
        updated: time(item, "updated_at").unwrap_or(created),
        resolved: if closed {
            time(item, "closed_at")
        } else {
            None
        },
        comments: Vec::new(),
    })
}

pub(super) fn read_note(note: &Value, issue_url: &str) -> Result<RemoteComment, String> {
    let nid = need(id(note, "id"), "a GitLab note", "id")?;
    let what = format!("GitLab note {nid}");
    let created = need(time(note, "created_at"), &what, "created_at")?;
    let flag = |k: &str| note.get(k).and_then(Value::as_bool) == Some(true);
    Ok(RemoteComment {
        url: if issue_url.is_empty() {
            String::new()
        } else {
            format!("{issue_url}#note_{nid}")
        },
        id: nid,
        author: person(note.get("author")).unwrap_or_else(|| Person {
            login: "ghost".to_owned(),
            ..Person::default()
        }),
        created,
        updated: time(note, "updated_at").unwrap_or(created),
        body: text(note, "body").unwrap_or_default(),
        internal: flag("internal") || flag("confidential"),
    })
}

/// A project path as the API takes it in a URL.
pub fn project_id(path: &str) -> String {
    path.replace('/', "%2F")
}

/// The request for the issues changed since the last pull.
pub fn issues_request(project: &str, since: Option<&str>) -> String {
    let since = since
        .map(|s| format!("&updated_after={s}"))
        .unwrap_or_default();
    format!(
        "projects/{}/issues?state=all&order_by=updated_at&sort=asc&per_page=100{since}",
        project_id(project)
    )
}

/// The request for one issue's notes, oldest first.
pub fn notes_request(project: &str, iid: u64) -> String {
    format!(
        "projects/{}/issues/{iid}/notes?sort=asc&order_by=created_at&per_page=100",
        project_id(project)
    )
}

/// The body of a create or an update of an issue.
pub fn issue_body(fields: &super::push::Fields) -> Value {
    let mut m = serde_json::Map::new();
    if let Some(t) = &fields.title {
        m.insert("title".into(), json!(t));
    }
    if let Some(b) = &fields.body {
        m.insert("description".into(), json!(b));
    }
    if let Some(closed) = fields.closed {
        m.insert(
            "state_event".into(),
            json!(if closed { "close" } else { "reopen" }),
        );
    }
    if let Some(l) = &fields.labels {
        m.insert("labels".into(), json!(l.join(",")));
    }
    if let Some(c) = fields.confidential {
        m.insert("confidential".into(), json!(c));
    }
    if let Some(a) = &fields.assignee_id {
        m.insert(
            "assignee_ids".into(),
            json!(
                a.iter()
                    .filter_map(|a| a.parse::<u64>().ok())
                    .collect::<Vec<u64>>()
            ),
        );
    }
    if let Some(ms) = &fields.milestone_id {
        m.insert(
            "milestone_id".into(),
            ms.as_ref()
                .and_then(|n| n.parse::<u64>().ok())
                .map_or(json!(0), |n| json!(n)),
        );
    }
    Value::Object(m)
}
