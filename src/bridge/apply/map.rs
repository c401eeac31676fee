//! A remote issue in our terms: its values through `tracker.yml`'s tables.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::bridge::{Person, Project, RemoteComment, RemoteIssue, Unmapped};
use crate::format::config::{BridgeTable, Vocabulary};
use crate::format::{Comment, Config, Issue, fields, yaml};

/// A remote issue in our terms: the fields the service holds. `None` in an
/// outer `Option` means the service says nothing about that field (GitHub
/// has no component), so ours stays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mapped {
    pub title: String,
    pub body: String,
    pub status: String,
    pub resolved: Option<Timestamp>,
    pub kind: Option<String>,
    pub priority: Option<String>,
    pub severity: Option<Option<String>>,
    pub labels: Vec<String>,
    pub milestone: Option<String>,
    pub assignee: Option<String>,
    pub component: Option<Option<String>>,
    pub confidential: Option<bool>,
    /// Only for an issue filed here for the first time: these never change
    /// there.
    pub reporter: Option<String>,
    pub created: Timestamp,
    pub updated: Timestamp,
    pub bridge: BTreeMap<String, String>,
}

impl Mapped {
    /// `issue` with the fields the service holds set from this.
    pub fn carry(&self, mut issue: Issue) -> Issue {
        issue.title.clone_from(&self.title);
        issue.body = yaml::normalize_body(&self.body);
        issue.status.clone_from(&self.status);
        issue.resolved = self.resolved;
        if let Some(k) = &self.kind {
            issue.kind.clone_from(k);
        }
        if let Some(p) = &self.priority {
            issue.priority.clone_from(p);
        }
        if let Some(s) = &self.severity {
            issue.severity.clone_from(s);
        }
        issue.labels.clone_from(&self.labels);
        issue.milestone.clone_from(&self.milestone);
        issue.assignee.clone_from(&self.assignee);
        if let Some(c) = &self.component {
            issue.component.clone_from(c);
        }
        if let Some(c) = self.confidential {
            issue.confidential = c;
        }
        issue.put(
            fields::named("bridge"),
            fields::Value::Map(self.bridge.clone()),
        );
        issue
    }

    /// A new issue of this tracker for it.
    pub(super) fn new_issue(&self, id: String, config: &Config) -> Issue {
        let mut issue = Issue::new(
            id,
            String::new(),
            config.default_type().to_owned(),
            config.initial_status().to_owned(),
            config.default_priority().to_owned(),
            self.created,
        );
        issue.severity = config.defaults.severity.clone();
        issue.reporter.clone_from(&self.reporter);
        issue.updated = self.updated.max(self.created);
        self.carry(issue)
    }
}

/// Maps a remote issue's values with the tables; what no table names is
/// reported once, and the issue gets what a new one would.
pub struct Mapper<'a> {
    pub config: &'a Config,
    pub project: &'a Project,
    pub unmapped: Unmapped,
}

impl Mapper<'_> {
    fn service(&self) -> &'static str {
        self.project.service.name()
    }

    /// The first name a table maps to a value `tracker.yml` allows.
    fn first(&mut self, table: BridgeTable, vocab: Vocabulary, names: &[String]) -> Option<String> {
        for n in names {
            if let Some(v) = self.config.bridge.lookup(self.service(), table, n) {
                if self.config.values(vocab).contains(&v) {
                    return Some(v);
                }
                let what = vocab.field();
                let service = self.project.service.title();
                self.unmapped.report(what, n, || {
                    format!(
                        "{service} {what} {n:?} maps to {v:?}, which is not one of tracker.yml's {}",
                        table_name(vocab)
                    )
                });
            }
        }
        None
    }

    pub fn person(&mut self, p: &Person) -> String {
        if let Some(v) = self.config.bridge.person(&p.login) {
            return v.to_owned();
        }
        let shown = p.fallback();
        let service = self.project.service.title();
        self.unmapped.report("person", &p.login, || {
            format!(
                "{service} user {} is not in tracker.yml's bridge.people; written as {shown:?}",
                p.login
            )
        });
        shown
    }

    pub fn map(&mut self, r: &RemoteIssue) -> Mapped {
        let service = self.project.service.title();
        let tables = format!("bridge.{}", self.service());
        let status = match self.first(BridgeTable::Statuses, Vocabulary::Status, &r.states) {
            Some(s) => s,
            None => {
                let fallback = if r.closed {
                    if self.config.is_closed("closed") {
                        "closed".to_owned()
                    } else {
                        self.config
                            .closed_statuses
                            .first()
                            .cloned()
                            .unwrap_or_default()
                    }
                } else {
                    self.config.initial_status().to_owned()
                };
                let name = r.states.first().cloned().unwrap_or_default();
                self.unmapped.report("status", &name, || {
                    format!("{service} status {name:?} is not in tracker.yml's {tables}.statuses; filed as {fallback}")
                });
                fallback
            }
        };
        // A status the service calls open but that we count as closed, or
        // the reverse, follows the service.
        let resolved = if self.config.is_closed(&status) {
            Some(r.resolved.unwrap_or(r.updated))
        } else {
            None
        };
        let kind = self.first(BridgeTable::Types, Vocabulary::Type, &r.kinds);
        if kind.is_none()
            && let Some(k) = r.kinds.first().filter(|k| !r.labels.contains(k))
        {
            let default = self.config.default_type().to_owned();
            self.unmapped.report("type", k, || {
                format!("{service} type {k:?} is not in tracker.yml's {tables}.types; new issues get {default}")
            });
        }
        let priority = self.first(BridgeTable::Priorities, Vocabulary::Priority, &r.priorities);
        if priority.is_none()
            && let Some(p) = r.priorities.first().filter(|p| !r.labels.contains(p))
        {
            let default = self.config.default_priority().to_owned();
            self.unmapped.report("priority", p, || {
                format!("{service} priority {p:?} is not in tracker.yml's {tables}.priorities; new issues get {default}")
            });
        }
        let severity = match (&r.severity, r.confidential) {
            (Some(s), _) if self.config.severities.contains(s) => Some(Some(s.clone())),
            (Some(s), _) => {
                self.unmapped.report("severity", s, || {
                    format!("{service} severity {s:?} is not one of tracker.yml's severities; left as it is")
                });
                None
            }
            // GitLab says "unknown": no severity.
            (None, Some(_)) => Some(None),
            (None, None) => None,
        };
        for (field, rest) in &r.extra_values {
            let ours = if *field == "fix version" {
                "milestone"
            } else {
                "component"
            };
            let key = &r.key;
            let rest = rest.join(", ");
            self.unmapped.report("extra value", field, || {
                format!("{service} issues can have several {field}s and ours one {ours}: the first is kept ({key} also has {rest}, left out)")
            });
        }
        let mut bridge = BTreeMap::new();
        bridge.insert("service".to_owned(), self.service().to_owned());
        bridge.insert("project".to_owned(), self.project.name.clone());
        bridge.insert("id".to_owned(), r.id.clone());
        bridge.insert("key".to_owned(), r.key.clone());
        if !r.url.is_empty() {
            bridge.insert("url".to_owned(), r.url.clone());
        }
        bridge.insert(
            "synced".to_owned(),
            crate::format::format_timestamp(r.updated),
        );
        let title = match r.title.trim() {
            "" => "(no title)".to_owned(),
            t => t.to_owned(),
        };
        Mapped {
            title,
            body: r.body.clone(),
            status,
            resolved,
            kind,
            priority,
            severity,
            labels: dedup(&r.labels),
            milestone: r.milestone.clone(),
            assignee: r.assignee.as_ref().map(|p| self.person(p)),
            component: (self.project.service == crate::bridge::Service::Jira)
                .then(|| r.component.clone()),
            confidential: r.confidential,
            reporter: r.reporter.as_ref().map(|p| self.person(p)),
            created: r.created,
            updated: r.updated,
            bridge,
        }
    }

    pub fn comment(&mut self, c: &RemoteComment) -> Comment {
        let mut origin = serde_json::Map::new();
        origin.insert("service".into(), Value::String(self.service().to_owned()));
        origin.insert("id".into(), Value::String(c.id.clone()));
        if !c.url.is_empty() {
            origin.insert("url".into(), Value::String(c.url.clone()));
        }
        Comment {
            author: self.person(&c.author),
            created: c.created,
            internal: c.internal,
            extra: vec![("bridge".to_owned(), Value::Object(origin))],
            body: yaml::normalize_body(&c.body),
        }
    }
}

fn table_name(v: Vocabulary) -> &'static str {
    match v {
        Vocabulary::Status => "statuses",
        Vocabulary::Type => "types",
        Vocabulary::Priority => "priorities",
        Vocabulary::Severity => "severities",
        Vocabulary::Category => "categories",
    }
}

fn dedup(items: &[String]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    items
        .iter()
        .filter(|x| seen.insert(x.as_str()))
        .cloned()
        .collect()
}
