//! GitHub: the REST API's issues and issue comments (version 2022-11-28),
//! read from what `gh api --paginate` prints; requests made through the
//! user's own `gh`, so their login, SSO and proxies apply.
//!
//! Pull requests are in GitHub's list of issues (they have a
//! `pull_request` member) and are left out, with the comments on them.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::json::{id, list, need, text, time};
use super::{Fetched, Person, RemoteComment, RemoteIssue, Result};

/// Reads issues and comments, in any mix and in any of the forms `gh`
/// prints. Returns the project (`OWNER/REPO`) the items belong to.
pub fn read(items: Vec<Value>) -> Result<(Option<String>, Fetched), String> {
    let mut fetched = Fetched::default();
    let mut project: Option<String> = None;
    let mut pulls: BTreeSet<u64> = BTreeSet::new();
    let mut issues: BTreeMap<u64, RemoteIssue> = BTreeMap::new();
    let mut comments: Vec<(u64, bool, RemoteComment)> = Vec::new();
    for item in &items {
        if item.get("issue_url").is_some() {
            let (number, on_pull, comment) = read_comment(item)?;
            comments.push((number, on_pull, comment));
            continue;
        }
        if item.get("number").is_none() || item.get("title").is_none() {
            return Err(
                "an item is neither a GitHub issue (with `number` and `title`) nor a comment (with `issue_url`)"
                    .to_owned(),
            );
        }
        let number = need(
            item.get("number").and_then(Value::as_u64),
            "an issue",
            "number",
        )?;
        let here = repo_of(item);
        match (&project, here) {
            (Some(p), Some(h)) if *p != h => {
                return Err(format!(
                    "issues of two repositories, {p} and {h}: import one at a time"
                ));
            }
            (None, Some(h)) => project = Some(h),
            _ => {}
        }
        if item.get("pull_request").is_some() {
            pulls.insert(number);
            fetched.skipped_pulls += 1;
            continue;
        }
        issues.insert(number, read_issue(item)?);
    }
    for (number, on_pull, c) in comments {
        if on_pull || pulls.contains(&number) {
            fetched.skipped_comments += 1;
            continue;
        }
        match issues.get_mut(&number) {
            Some(issue) => issue.comments.push(c),
            None => fetched.loose_comments.push((format!("#{number}"), c)),
        }
    }
    fetched.issues = issues.into_values().collect();
    for i in &mut fetched.issues {
        i.comments
            .sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
    }
    Ok((project, fetched))
}

/// `OWNER/REPO` from an issue's `repository_url` or `html_url`.
fn repo_of(item: &Value) -> Option<String> {
    if let Some(u) = text(item, "repository_url")
        && let Some((_, rest)) = u.split_once("/repos/")
    {
        return Some(rest.trim_end_matches('/').to_owned());
    }
    let url = text(item, "html_url")?;
    let path = url.split_once("://")?.1.split_once('/')?.1;
    let mut parts = path.split('/');
    Some(format!("{}/{}", parts.next()?, parts.next()?))
}

fn person(v: Option<&Value>) -> Option<Person> {
    let v = v.filter(|v| v.is_object())?;
    Some(Person {
        login: text(v, "login")?,
        name: text(v, "name"),
        email: text(v, "email"),
    })
}

pub(super) fn read_issue(item: &Value) -> Result<RemoteIssue, String> {
    let number = need(
        item.get("number").and_then(Value::as_u64),
        "an issue",
        "number",
    )?;
    let what = format!("GitHub issue #{number}");
    let state = need(text(item, "state"), &what, "state")?;
    let closed = state == "closed";
    let mut states = Vec::new();
    if let Some(reason) = text(item, "state_reason") {
        states.push(reason);
    }
    states.push(state);
    let labels: Vec<String> = list(item, "labels")
        .iter()
        .filter_map(|l| match l {
            Value::String(s) => Some(s.clone()),
            l => text(l, "name"),
        })
        .collect();
    let mut kinds = Vec::new();
    if let Some(t) = item.get("type").filter(|t| t.is_object()) {
        kinds.extend(text(t, "name"));
    }
    kinds.extend(labels.iter().cloned());
    let assignee = person(list(item, "assignees").first()).or_else(|| person(item.get("assignee")));
    let created = need(time(item, "created_at"), &what, "created_at")?;
    Ok(RemoteIssue {
        id: need(id(item, "id"), &what, "id")?,
        key: format!("#{number}"),
        number,
        url: text(item, "html_url").unwrap_or_default(),
        title: need(text(item, "title"), &what, "title")?,
        body: text(item, "body").unwrap_or_default(),
        states,
        closed,
        kinds,
        priorities: labels.clone(),
        severity: None,
        labels,
        milestone: item.get("milestone").and_then(|m| text(m, "title")),
        assignee,
        reporter: person(item.get("user")),
        component: None,
        extra_values: Vec::new(),
        confidential: None,
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

/// A comment, the number of its issue, and whether it is on a pull request.
pub(super) fn read_comment(item: &Value) -> Result<(u64, bool, RemoteComment), String> {
    let cid = need(id(item, "id"), "a GitHub comment", "id")?;
    let what = format!("GitHub comment {cid}");
    let issue_url = need(text(item, "issue_url"), &what, "issue_url")?;
    let number = issue_url
        .rsplit('/')
        .next()
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("{what}: `issue_url` does not end in an issue number"))?;
    let url = text(item, "html_url").unwrap_or_default();
    let on_pull = url.contains("/pull/");
    let created = need(time(item, "created_at"), &what, "created_at")?;
    Ok((
        number,
        on_pull,
        RemoteComment {
            id: cid,
            url,
            author: person(item.get("user")).unwrap_or_else(|| Person {
                login: "ghost".to_owned(),
                ..Person::default()
            }),
            created,
            updated: time(item, "updated_at").unwrap_or(created),
            body: text(item, "body").unwrap_or_default(),
            internal: false,
        },
    ))
}

/// The requests of a pull: every issue (and pull request, which GitHub
/// lists too) updated since the last pull, oldest change first, and every
/// comment updated since.
pub fn pull_requests(repo: &str, since: Option<&str>) -> [String; 2] {
    let since = since.map(|s| format!("&since={s}")).unwrap_or_default();
    [
        format!("repos/{repo}/issues?state=all&sort=updated&direction=asc&per_page=100{since}"),
        format!("repos/{repo}/issues/comments?sort=updated&direction=asc&per_page=100{since}"),
    ]
}

/// The body of a create or an update of an issue: the fields given.
pub fn issue_body(fields: &super::push::Fields) -> Value {
    let mut m = serde_json::Map::new();
    if let Some(t) = &fields.title {
        m.insert("title".into(), json!(t));
    }
    if let Some(b) = &fields.body {
        m.insert("body".into(), json!(b));
    }
    if let Some(closed) = fields.closed {
        m.insert(
            "state".into(),
            json!(if closed { "closed" } else { "open" }),
        );
        if closed && let Some(r) = &fields.state_reason {
            m.insert("state_reason".into(), json!(r));
        }
    }
    if let Some(l) = &fields.labels {
        m.insert("labels".into(), json!(l));
    }
    if let Some(a) = &fields.assignee {
        m.insert(
            "assignees".into(),
            json!(a.iter().cloned().collect::<Vec<String>>()),
        );
    }
    if let Some(ms) = &fields.milestone_id {
        m.insert(
            "milestone".into(),
            ms.as_ref().map_or(Value::Null, |n| {
                n.parse::<u64>().map_or(json!(n), |n| json!(n))
            }),
        );
    }
    Value::Object(m)
}
