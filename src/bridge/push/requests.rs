//! The requests a push makes, for each service: create, update, comment,
//! read back, Jira's transitions, and the ids GitHub and GitLab want
//! instead of names.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Fields, sent_text};
use crate::bridge::transport::{Http, Tool};
use crate::bridge::{Error, Project, RemoteIssue, Result, Service, github, gitlab, jira};
use crate::format::Comment;
use crate::format::config::{BridgeTable, Config};

/// The service a push talks to.
pub enum Client {
    Tool(Tool),
    Jira(Http),
}

/// What the service holds of one issue after a request.
pub(super) struct Sent {
    pub(super) remote: RemoteIssue,
}

/// What the service answered to a create: the new issue's identity, and
/// the whole issue when the answer holds it (GitHub, GitLab; Jira answers
/// with the key alone).
pub(super) struct Created {
    pub(super) id: String,
    pub(super) key: String,
    pub(super) url: String,
    pub(super) issue: Option<RemoteIssue>,
}

/// Ids the services want instead of names, looked up once a run.
#[derive(Default)]
pub(super) struct Lookups {
    milestones: Option<BTreeMap<String, String>>,
    users: BTreeMap<String, Option<String>>,
}

/// Turns names into the ids a service wants (GitHub's milestone numbers,
/// GitLab's milestone and user ids); a name the service does not know is
/// left out, with a note.
pub(super) fn resolve(
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
                    let items =
                        crate::bridge::stream::items(&tool.get_all(&path)?).map_err(|m| {
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
                                Some((
                                    crate::bridge::json::text(m, "title")?,
                                    crate::bridge::json::id(m, id_key)?,
                                ))
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
                    let items =
                        crate::bridge::stream::items(&tool.get_all(&path)?).unwrap_or_default();
                    let id = items.first().and_then(|u| crate::bridge::json::id(u, "id"));
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
pub(super) fn create(client: &Client, project: &Project, f: &Fields) -> Result<Created> {
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
            let key = crate::bridge::json::text(&v, "key")
                .ok_or_else(|| bad("Jira's answer", "no `key`".to_owned()))?;
            Ok(Created {
                id: crate::bridge::json::id(&v, "id").unwrap_or_else(|| key.clone()),
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
pub(super) fn finish_create(
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

pub(super) fn update(
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
            let items =
                crate::bridge::stream::items(&tool.get_all(&path)?).map_err(|m| bad(&path, m))?;
            github::read_issue(items.first().unwrap_or(&Value::Null)).map_err(|m| bad(&path, m))
        }
        (Client::Tool(tool), Service::Gitlab) => {
            let path = format!("projects/{}/issues/{n}", gitlab::project_id(&project.name));
            let items =
                crate::bridge::stream::items(&tool.get_all(&path)?).map_err(|m| bad(&path, m))?;
            gitlab::read_issue(items.first().unwrap_or(&Value::Null)).map_err(|m| bad(&path, m))
        }
        (Client::Jira(http), _) => jira_issue(http, rkey),
        _ => Err(Error::Usage(format!("no push for {}", project.service))),
    }
}

/// Adds a comment; returns its remote id and address, and the issue as it
/// is after (when the service says).
pub(super) fn add_comment(
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
                crate::bridge::json::id(&v, "id").unwrap_or_default(),
                crate::bridge::json::text(&v, "html_url").unwrap_or_default(),
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
            let id = crate::bridge::json::id(&v, "id").unwrap_or_default();
            (id.clone(), format!("{issue_url}#note_{id}"))
        }
        (Client::Jira(http), _) => {
            let v = http.send(
                "POST",
                &format!("/rest/api/3/issue/{rkey}/comment"),
                &json!({"body": crate::bridge::adf::from_markdown(&c.body)}),
            )?;
            let id = crate::bridge::json::id(&v, "id").unwrap_or_default();
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
                .and_then(|x| crate::bridge::json::text(x, "name"))
                .unwrap_or_default();
            let category = to
                .and_then(|x| x.get("statusCategory"))
                .and_then(|c| crate::bridge::json::text(c, "key"))
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
    match pick.and_then(|t| crate::bridge::json::id(t, "id")) {
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
