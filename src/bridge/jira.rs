//! Jira Cloud: the REST API v3's issue search (`/rest/api/3/search/jql`,
//! pages chained by `nextPageToken`; the older `/rest/api/3/search` with
//! `startAt` reads too), issues and comments, with descriptions and
//! comments in Atlassian Document Format ([`super::adf`]). Jira has no
//! command-line tool of the user's to go through, so requests go over
//! HTTPS ([`super::transport::Http`]) with a token from git config or the
//! environment.

use serde_json::{Value, json};

use super::adf;
use super::json::{id, list, need, text, time};
use super::{Fetched, Person, RemoteComment, RemoteIssue};

/// The fields a search asks for: `/search/jql` returns only ids unless told.
pub const FIELDS: &str = "summary,description,issuetype,priority,status,resolution,resolutiondate,created,updated,labels,components,fixVersions,assignee,reporter,project,parent,comment";

/// Reads search pages (or single issues). Returns the project, as
/// `https://SITE/KEY`.
pub fn read(items: Vec<Value>) -> Result<(Option<String>, Fetched), String> {
    let mut fetched = Fetched::default();
    let mut project: Option<String> = None;
    let mut issues = Vec::new();
    for item in items {
        if let Some(page) = item.get("issues").and_then(Value::as_array) {
            issues.extend(page.iter().cloned());
        } else if item.get("key").is_some() && item.get("fields").is_some() {
            issues.push(item);
        } else {
            return Err(
                "an item is neither a Jira search result (with `issues`) nor an issue (with `key` and `fields`)"
                    .to_owned(),
            );
        }
    }
    for item in &issues {
        let issue = read_issue(item)?;
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
        fetched.issues.push(issue);
    }
    fetched.issues.sort_by_key(|i| i.number);
    fetched.issues.dedup_by(|a, b| a.id == b.id);
    Ok((project, fetched))
}

/// `https://SITE` of an API URL.
fn site_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split('/').next()?;
    Some(format!("{scheme}://{host}"))
}

fn project_of(item: &Value) -> Option<String> {
    let site = site_of(&text(item, "self")?)?;
    let key = item
        .get("fields")
        .and_then(|f| f.get("project"))
        .and_then(|p| text(p, "key"))
        .or_else(|| {
            text(item, "key")?
                .rsplit_once('-')
                .map(|(k, _)| k.to_owned())
        })?;
    Some(format!("{site}/{key}"))
}

fn person(v: Option<&Value>) -> Option<Person> {
    let v = v.filter(|v| v.is_object())?;
    Some(Person {
        login: text(v, "accountId").or_else(|| text(v, "name"))?,
        name: text(v, "displayName"),
        email: text(v, "emailAddress"),
    })
}

fn first_name(v: &Value, key: &str) -> Option<String> {
    list(v, key).first().and_then(|x| text(x, "name"))
}

pub(super) fn read_issue(item: &Value) -> Result<RemoteIssue, String> {
    let key = need(text(item, "key"), "a Jira issue", "key")?;
    let what = format!("Jira issue {key}");
    let f = item
        .get("fields")
        .ok_or_else(|| format!("{what} has no `fields`: ask the search for fields={FIELDS}"))?;
    let status = f
        .get("status")
        .ok_or_else(|| format!("{what} has no `status`"))?;
    let category = status
        .get("statusCategory")
        .and_then(|c| text(c, "key"))
        .unwrap_or_default();
    let closed = category == "done";
    let mut states = Vec::new();
    if closed && let Some(r) = f.get("resolution").and_then(|r| text(r, "name")) {
        states.push(r);
    }
    states.extend(text(status, "name"));
    if !category.is_empty() {
        states.push(category);
    }
    let site = text(item, "self")
        .and_then(|s| site_of(&s))
        .unwrap_or_default();
    let url = format!("{site}/browse/{key}");
    let created = need(time(f, "created"), &what, "created")?;
    let comments = f
        .get("comment")
        .map(|c| list(c, "comments"))
        .unwrap_or_default()
        .iter()
        .map(|c| read_comment(c, &url))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RemoteIssue {
        id: need(id(item, "id"), &what, "id")?,
        number: key
            .rsplit_once('-')
            .and_then(|(_, n)| n.parse().ok())
            .unwrap_or(0),
        key,
        url,
        title: need(text(f, "summary"), &what, "summary")?,
        body: f
            .get("description")
            .filter(|d| d.is_object())
            .map(adf::to_markdown)
            .unwrap_or_default(),
        states,
        closed,
        kinds: f
            .get("issuetype")
            .and_then(|t| text(t, "name"))
            .into_iter()
            .collect(),
        priorities: f
            .get("priority")
            .and_then(|p| text(p, "name"))
            .into_iter()
            .collect(),
        severity: None,
        labels: list(f, "labels")
            .iter()
            .filter_map(|l| l.as_str().map(str::to_owned))
            .collect(),
        milestone: first_name(f, "fixVersions"),
        assignee: person(f.get("assignee")),
        reporter: person(f.get("reporter")),
        component: first_name(f, "components"),
        extra_values: [("fix version", "fixVersions"), ("component", "components")]
            .into_iter()
            .filter_map(|(name, field)| {
                let rest: Vec<String> = list(f, field)
                    .iter()
                    .skip(1)
                    .filter_map(|x| text(x, "name"))
                    .collect();
                (!rest.is_empty()).then_some((name, rest))
            })
            .collect(),
        confidential: None,
        created,
        updated: time(f, "updated").unwrap_or(created),
        resolved: if closed {
            time(f, "resolutiondate")
        } else {
            None
        },
        comments,
    })
}

pub(super) fn read_comment(c: &Value, issue_url: &str) -> Result<RemoteComment, String> {
    let cid = need(id(c, "id"), "a Jira comment", "id")?;
    let created = need(
        time(c, "created"),
        &format!("Jira comment {cid}"),
        "created",
    )?;
    Ok(RemoteComment {
        url: format!("{issue_url}?focusedCommentId={cid}"),
        author: person(c.get("author")).unwrap_or_else(|| Person {
            login: "unknown".to_owned(),
            name: Some("Former user".to_owned()),
            email: None,
        }),
        created,
        updated: time(c, "updated").unwrap_or(created),
        body: c
            .get("body")
            .filter(|b| b.is_object())
            .map(adf::to_markdown)
            .unwrap_or_default(),
        internal: c.get("visibility").is_some_and(|v| v.is_object()),
        id: cid,
    })
}

/// Splits `https://SITE/KEY` into the site and the project key.
pub fn split_project(project: &str) -> Option<(String, String)> {
    let (site, key) = project.trim_end_matches('/').rsplit_once('/')?;
    if !site.contains("://") || key.is_empty() {
        return None;
    }
    Some((site.to_owned(), key.to_owned()))
}

/// The JQL of a pull: the project's issues updated since the last pull
/// (a day earlier: Jira reads the time in the user's own zone), oldest
/// change first.
pub fn jql(key: &str, since: Option<jiff::Timestamp>) -> String {
    let mut q = format!("project = \"{key}\"");
    if let Some(t) = since {
        let day_before = t
            .checked_sub(jiff::SignedDuration::from_hours(24))
            .unwrap_or(t);
        q.push_str(&format!(
            " AND updated >= \"{}\"",
            day_before.strftime("%Y-%m-%d %H:%M")
        ));
    }
    q.push_str(" ORDER BY updated ASC");
    q
}

/// The body of a create or an edit of an issue.
pub fn issue_body(project_key: &str, fields: &super::push::Fields, create: bool) -> Value {
    let mut m = serde_json::Map::new();
    if create {
        m.insert("project".into(), json!({"key": project_key}));
        m.insert(
            "issuetype".into(),
            json!({"name": fields.kind.clone().unwrap_or_else(|| "Task".to_owned())}),
        );
    }
    if let Some(t) = &fields.title {
        m.insert("summary".into(), json!(t));
    }
    if let Some(b) = &fields.body {
        m.insert("description".into(), adf::from_markdown(b));
    }
    if let Some(l) = &fields.labels {
        // Jira labels cannot hold spaces.
        let labels: Vec<String> = l.iter().map(|x| x.replace(' ', "_")).collect();
        m.insert("labels".into(), json!(labels));
    }
    if let Some(p) = &fields.priority {
        m.insert("priority".into(), json!({"name": p}));
    }
    if let Some(c) = &fields.component {
        m.insert(
            "components".into(),
            json!(c.iter().map(|c| json!({"name": c})).collect::<Vec<_>>()),
        );
    }
    if let Some(ms) = &fields.milestone {
        m.insert(
            "fixVersions".into(),
            json!(ms.iter().map(|v| json!({"name": v})).collect::<Vec<_>>()),
        );
    }
    if let Some(a) = &fields.assignee {
        m.insert(
            "assignee".into(),
            a.as_ref()
                .map_or(Value::Null, |id| json!({"accountId": id})),
        );
    }
    json!({"fields": Value::Object(m)})
}
