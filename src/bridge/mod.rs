//! Bridges to GitHub, GitLab and Jira: bring their issues in (from the JSON
//! their APIs return, saved to a file or fetched live), keep them in step,
//! and send local changes back.
//!
//! Each service has a module that reads its JSON into [`RemoteIssue`]s and
//! knows its API ([`github`] and [`gitlab`] through the user's own `gh` and
//! `glab`, [`jira`] over HTTPS); [`adf`] turns Jira's document format into
//! Markdown and back. What is common to all three is here and in
//! [`apply`] (mapping a remote issue to ours with `tracker.yml`'s tables,
//! merging it with the local copy, one commit for a whole batch), [`push`]
//! (sending local changes) and [`state`] (this clone's record of what each
//! remote issue looked like at the last sync, the base of three-way merges).
//!
//! Writes go through the tracker's store ([`crate::store::Store::commit`]);
//! this module never touches git or a file of the branch by itself, and
//! never prints: it returns [`Report`]s.

pub mod adf;
mod apply;
mod error;
pub mod github;
pub mod gitlab;
pub mod jira;
pub(crate) mod json;
mod push;
mod state;
mod stream;
mod transport;

use std::collections::BTreeSet;
use std::fmt;

use jiff::Timestamp;
use serde::Serialize;

pub use apply::{Batch, import_batch};
pub use error::Error;
pub use push::{Fields, PushPlan, PushReport, Step};
pub use transport::Tool;

use crate::tracker;

/// A service a bridge talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    Github,
    Gitlab,
    Jira,
}

impl Service {
    pub fn name(self) -> &'static str {
        match self {
            Service::Github => "github",
            Service::Gitlab => "gitlab",
            Service::Jira => "jira",
        }
    }

    /// How people write the name.
    pub fn title(self) -> &'static str {
        match self {
            Service::Github => "GitHub",
            Service::Gitlab => "GitLab",
            Service::Jira => "Jira",
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Service {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "github" => Ok(Service::Github),
            "gitlab" => Ok(Service::Gitlab),
            "jira" => Ok(Service::Jira),
            _ => Err(format!(
                "{s:?} is not a service: use github, gitlab or jira"
            )),
        }
    }
}

/// A person as a service shows them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Person {
    /// The login (GitHub, GitLab) or account id (Jira): what `people` in
    /// `tracker.yml` is keyed by.
    pub login: String,
    pub name: Option<String>,
    pub email: Option<String>,
}

impl Person {
    /// How the person reads when `people` does not name them: `Name
    /// <email>` when the service gives both, else the name or the login.
    pub fn fallback(&self) -> String {
        match (&self.name, &self.email) {
            (Some(n), Some(e)) if !e.is_empty() => format!("{n} <{e}>"),
            (Some(n), _) if !n.is_empty() => n.clone(),
            _ => self.login.clone(),
        }
    }
}

/// One issue of a service, in the terms every bridge shares.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteIssue {
    /// The service's own id, which never changes.
    pub id: String,
    /// What people call it there: `#12`, `PROJ-101`.
    pub key: String,
    /// For ordering new issues as the service numbered them.
    pub number: u64,
    pub url: String,
    pub title: String,
    /// Markdown.
    pub body: String,
    /// Names for the status, most specific first (`not_planned`, `closed`).
    pub states: Vec<String>,
    pub closed: bool,
    /// Names for the type, the service's own field first, then labels.
    pub kinds: Vec<String>,
    /// Names for the priority.
    pub priorities: Vec<String>,
    pub severity: Option<String>,
    pub labels: Vec<String>,
    pub milestone: Option<String>,
    pub assignee: Option<Person>,
    pub reporter: Option<Person>,
    pub component: Option<String>,
    /// Values beyond the first of a field we keep one of (Jira's second
    /// fix version or component): the field's name there and the values.
    pub extra_values: Vec<(&'static str, Vec<String>)>,
    /// `None`: the service has no confidential issues.
    pub confidential: Option<bool>,
    pub created: Timestamp,
    pub updated: Timestamp,
    pub resolved: Option<Timestamp>,
    pub comments: Vec<RemoteComment>,
}

/// A comment of a service.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteComment {
    pub id: String,
    pub url: String,
    pub author: Person,
    pub created: Timestamp,
    pub updated: Timestamp,
    /// Markdown.
    pub body: String,
    /// For the team only (GitLab's internal notes, Jira's restricted
    /// comments).
    pub internal: bool,
}

/// Which project of a service: `OWNER/REPO` on GitHub, the project's path
/// on GitLab, `https://SITE/KEY` on Jira.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Project {
    pub service: Service,
    pub name: String,
}

impl fmt::Display for Project {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.service, self.name)
    }
}

/// What a service sent, read: its issues (with their comments) and what
/// was left out.
#[derive(Debug, Default, Clone)]
pub struct Fetched {
    pub issues: Vec<RemoteIssue>,
    /// Comments on issues that are not among `issues` (they changed, their
    /// issue did not), by the issue's key there (`#12`).
    pub loose_comments: Vec<(String, RemoteComment)>,
    /// Pull requests in GitHub's issue list, and comments on them.
    pub skipped_pulls: usize,
    pub skipped_comments: usize,
    /// GitLab's system notes ("assigned to @x"): events, not comments.
    pub skipped_system_notes: usize,
}

/// Something a person should know about a run: a value no table maps, a
/// field a service cannot hold.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Note {
    pub message: String,
}

/// Values no table maps, each reported once.
#[derive(Debug, Default, Clone)]
pub struct Unmapped {
    seen: BTreeSet<(String, String)>,
    pub notes: Vec<Note>,
}

impl Unmapped {
    /// Records that `what` (`status`, `type`, a person) `name` is not in
    /// the tables; `then` says what was done instead.
    pub fn report(&mut self, what: &str, name: &str, then: impl FnOnce() -> String) {
        if self.seen.insert((what.to_owned(), name.to_owned())) {
            self.notes.push(Note { message: then() });
        }
    }
}

/// What a bridge run did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Report {
    pub service: String,
    pub project: String,
    /// Issues filed here for the first time, with their keys and the
    /// service's keys.
    pub created: Vec<(String, String)>,
    /// Issues whose fields or comments changed here.
    pub updated: Vec<(String, String)>,
    pub unchanged: usize,
    /// Issues left alone because what came is older than what they were
    /// last synced with: keys here and there.
    pub stale: Vec<(String, String)>,
    pub comments_added: usize,
    pub comments_updated: usize,
    pub skipped_pulls: usize,
    pub skipped_comments: usize,
    pub skipped_system_notes: usize,
    /// Local values that lost to a later change there, and the reverse.
    pub dropped: Vec<String>,
    /// Unmapped values and the like, once each.
    pub notes: Vec<String>,
    /// The commit on the issues branch, when one was made.
    pub commit: Option<String>,
    /// Nothing was written: what would happen.
    pub dry_run: bool,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A time as the services write them: RFC 3339 with `Z` or an offset, or
/// Jira's `+0100` without a colon.
pub fn parse_time(s: &str) -> Option<Timestamp> {
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(t);
    }
    // Jira: 2024-01-16T14:37:00.000+0100
    let (head, tail) = s.split_at(s.len().checked_sub(5)?);
    if (tail.starts_with('+') || tail.starts_with('-'))
        && tail[1..].bytes().all(|b| b.is_ascii_digit())
    {
        let fixed = format!("{head}{}:{}", &tail[..3], &tail[3..]);
        return fixed.parse().ok();
    }
    None
}

/// A ULID made from a time and a name, the same on every clone: an issue or
/// comment brought in twice, on two clones, gets the same id and file name,
/// so a sync merges it instead of doubling it.
pub fn stable_ulid(time: Timestamp, name: &str) -> String {
    let ms = u64::try_from(time.as_millisecond()).unwrap_or(0);
    let random = xxhash_rust::xxh3::xxh3_128(name.as_bytes()) & ((1u128 << 80) - 1);
    ulid::Ulid::from_parts(ms, random).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_times_read() {
        let t = parse_time("2024-01-16T14:37:00.000+0100").unwrap();
        assert_eq!(t.to_string(), "2024-01-16T13:37:00Z");
        assert_eq!(
            parse_time("2024-03-06T10:15:02.344Z")
                .unwrap()
                .as_millisecond(),
            1_709_720_102_344
        );
        assert!(parse_time("yesterday").is_none());
    }

    #[test]
    fn stable_ids_are_stable_and_distinct() {
        let t = Timestamp::from_second(1_700_000_000).unwrap();
        let a = stable_ulid(t, "github fjordsoft/ledgerline 1");
        assert_eq!(a, stable_ulid(t, "github fjordsoft/ledgerline 1"));
        assert_ne!(a, stable_ulid(t, "github fjordsoft/ledgerline 2"));
        assert_eq!(a.len(), 26);
    }
}

/// Text from a service as it may be shown on a terminal: control
/// characters (escape sequences, carriage returns) replaced, so a title or
/// an error message can never drive the terminal.
pub fn plain(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

/// Reads the JSON a service's API returned (any number of texts, each a
/// stream of values) into a batch. `project` names the project when the
/// data does not (or to check that it is the one meant).
pub fn read_batch(service: Service, texts: &[String], project: Option<&str>) -> Result<Batch> {
    let mut items = Vec::new();
    for (i, t) in texts.iter().enumerate() {
        let more = stream::items(t).map_err(|message| Error::BadInput {
            what: if texts.len() == 1 {
                "the input".to_owned()
            } else {
                format!("input {}", i + 1)
            },
            message,
        })?;
        items.extend(more);
    }
    let read = match service {
        Service::Github => github::read(items),
        Service::Gitlab => gitlab::read(items),
        Service::Jira => jira::read(items),
    };
    let (found, fetched) = read.map_err(|message| Error::BadInput {
        what: format!("{} data", service.title()),
        message,
    })?;
    let name = match (found, project) {
        (Some(f), Some(p)) if !f.eq_ignore_ascii_case(p) => {
            return Err(Error::BadInput {
                what: format!("{} data", service.title()),
                message: format!("the issues are of {f}, not {p}"),
            });
        }
        (Some(f), _) => f,
        (None, Some(p)) => p.to_owned(),
        (None, None) if fetched.issues.is_empty() && fetched.loose_comments.is_empty() => {
            String::new()
        }
        (None, None) => {
            return Err(Error::BadInput {
                what: format!("{} data", service.title()),
                message: "the items do not say which project they are of; name it with --project"
                    .to_owned(),
            });
        }
    };
    Ok(Batch {
        project: Project { service, name },
        fetched,
    })
}

/// `git issue bridge import`: files saved from a service's API.
pub fn import(
    tracker: &tracker::Tracker,
    service: Service,
    texts: &[String],
    project: Option<&str>,
    dry_run: bool,
) -> Result<Report> {
    let batch = read_batch(service, texts, project)?;
    if batch.fetched.issues.is_empty() && batch.fetched.loose_comments.is_empty() {
        return Err(Error::BadInput {
            what: "the input".to_owned(),
            message: format!("it holds no {} issue or comment", service.title()),
        });
    }
    import_batch(tracker, &batch, dry_run)
}

/// What a pull or push is told.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub dry_run: bool,
    /// Ask for every issue, not only those changed since the last pull.
    pub full: bool,
}

/// The project a command line names: `OWNER/REPO`, a GitLab path, or
/// `https://SITE/KEY` for Jira.
pub fn project(service: Service, name: &str) -> Result<Project> {
    let name = name.trim().trim_end_matches('/');
    let ok = match service {
        Service::Github => name.split('/').count() == 2 && !name.contains("://"),
        Service::Gitlab => name.contains('/') && !name.contains("://"),
        Service::Jira => jira::split_project(name).is_some(),
    };
    if !ok {
        let like = match service {
            Service::Github => "OWNER/REPO, like fjordsoft/ledgerline",
            Service::Gitlab => "the project's path, like group/project",
            Service::Jira => "the site and project key, like https://example.atlassian.net/PROJ",
        };
        return Err(Error::Usage(format!(
            "{name:?} is not a {} project: give {like}",
            service.title()
        )));
    }
    Ok(Project {
        service,
        name: name.to_owned(),
    })
}

/// The Jira client for a site: the token from `issue.jira.token` or
/// `JIRA_API_TOKEN`, the user (for Jira Cloud's Basic authentication) from
/// `issue.jira.user` or `JIRA_USER`; without a user the token is a Bearer
/// personal access token (Jira Data Center).
pub fn jira_client(tracker: &tracker::Tracker, project: &Project) -> Result<transport::Http> {
    let store = tracker.store();
    let token = store
        .config_string("issue.jira.token")
        .or_else(|| std::env::var("JIRA_API_TOKEN").ok())
        .filter(|t| !t.trim().is_empty())
        .ok_or(Error::NoToken)?;
    let user = store
        .config_string("issue.jira.user")
        .or_else(|| std::env::var("JIRA_USER").ok())
        .filter(|u| !u.trim().is_empty());
    let (site, _) = jira::split_project(&project.name)
        .ok_or_else(|| Error::Usage(format!("{:?} is not a Jira project", project.name)))?;
    Ok(transport::Http::new(&site, user.as_deref(), token.trim()))
}

/// `git issue bridge pull`: what changed on the service since the last
/// pull, brought in as `import` would.
pub fn pull(tracker: &tracker::Tracker, project: &Project, opts: &Options) -> Result<Report> {
    let st = state::State::load(&tracker.store().local_dir(), project);
    let since = if opts.full { None } else { st.since };
    let since_text = since.map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string());
    let bad = |what: &str, message: String| Error::BadInput {
        what: what.to_owned(),
        message,
    };
    let fetched = match project.service {
        Service::Github => {
            let tool = Tool::for_service(Service::Github);
            let mut texts = Vec::new();
            for path in github::pull_requests(&project.name, since_text.as_deref()) {
                texts.push(tool.get_all(&path)?);
            }
            read_batch(Service::Github, &texts, Some(&project.name))?.fetched
        }
        Service::Gitlab => {
            let tool = Tool::for_service(Service::Gitlab);
            let path = gitlab::issues_request(&project.name, since_text.as_deref());
            let issues = stream::items(&tool.get_all(&path)?).map_err(|m| bad(&path, m))?;
            let mut items = Vec::new();
            for issue in &issues {
                let iid = issue
                    .get("iid")
                    .and_then(serde_json::Value::as_u64)
                    .unwrap_or(0);
                let notes = gitlab::notes_request(&project.name, iid);
                items.extend(stream::items(&tool.get_all(&notes)?).map_err(|m| bad(&notes, m))?);
            }
            items.extend(issues);
            let (_, fetched) = gitlab::read(items).map_err(|m| bad("GitLab's answer", m))?;
            fetched
        }
        Service::Jira => {
            let http = jira_client(tracker, project)?;
            let (_, key) = jira::split_project(&project.name).unwrap_or_default();
            let jql = jira::jql(&key, since);
            let mut items = Vec::new();
            let mut token: Option<String> = None;
            loop {
                let mut path = format!(
                    "/rest/api/3/search/jql?jql={}&maxResults=100&fields={}",
                    encode(&jql),
                    jira::FIELDS
                );
                if let Some(t) = &token {
                    path.push_str(&format!("&nextPageToken={}", encode(t)));
                }
                let page = http.get(&path)?;
                // Comments beyond the first page of those embedded.
                let mut page = page;
                if let Some(issues) = page
                    .get_mut("issues")
                    .and_then(serde_json::Value::as_array_mut)
                {
                    for issue in issues.iter_mut() {
                        complete_jira_comments(&http, issue)?;
                    }
                }
                let last = page.get("isLast").and_then(serde_json::Value::as_bool) == Some(true);
                token = json::text(&page, "nextPageToken");
                items.push(page);
                if last || token.is_none() {
                    break;
                }
            }
            let (_, fetched) = jira::read(items).map_err(|m| bad("Jira's answer", m))?;
            fetched
        }
    };
    let batch = Batch {
        project: project.clone(),
        fetched,
    };
    import_batch(tracker, &batch, opts.dry_run)
}

/// Jira embeds the first comments of an issue in a search; the rest are
/// read page by page.
fn complete_jira_comments(http: &transport::Http, issue: &mut serde_json::Value) -> Result<()> {
    let Some(key) = json::text(issue, "key") else {
        return Ok(());
    };
    let Some(comment) = issue.get_mut("fields").and_then(|f| f.get_mut("comment")) else {
        return Ok(());
    };
    let total = comment
        .get("total")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0) as usize;
    let mut have: Vec<serde_json::Value> = json::list(comment, "comments").to_vec();
    while have.len() < total {
        let page = http.get(&format!(
            "/rest/api/3/issue/{key}/comment?startAt={}&maxResults=100",
            have.len()
        ))?;
        let more = json::list(&page, "comments");
        if more.is_empty() {
            break;
        }
        have.extend(more.iter().cloned());
    }
    comment["comments"] = serde_json::Value::Array(have);
    Ok(())
}

/// Percent-encodes a query value.
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `git issue bridge push`: local changes sent to the service. With
/// `dry_run`, the requests it would make, none made.
pub fn push(tracker: &tracker::Tracker, project: &Project, opts: &Options) -> Result<PushReport> {
    if opts.dry_run {
        let plan = push::plan(tracker, project)?;
        return Ok(PushReport {
            service: project.service.name().to_owned(),
            project: project.name.clone(),
            notes: plan.notes,
            plan: plan.steps,
            dry_run: true,
            ..PushReport::default()
        });
    }
    let client = match project.service {
        Service::Jira => push::Client::Jira(jira_client(tracker, project)?),
        s => push::Client::Tool(Tool::for_service(s)),
    };
    push::push(tracker, project, &client)
}
