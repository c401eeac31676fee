//! How another tracker's values read here (`bridge:` in `tracker.yml`).

use super::*;

/// How the values of GitHub, GitLab and Jira map to this tracker's
/// (`git issue bridge`). Each table maps the service's name of a value,
/// compared without regard to case, to one of `tracker.yml`'s; what a
/// table in `tracker.yml` does not name, the built-in table below is asked.
/// A value no table names is reported, never guessed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BridgeSettings {
    pub github: ServiceTables,
    pub gitlab: ServiceTables,
    pub jira: ServiceTables,
    /// A login (GitHub, GitLab) or Jira account id, to a person as this
    /// tracker writes them (`Name <email>`).
    pub people: IndexMap<String, String>,
}

/// One service's tables.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceTables {
    /// GitHub's `state_reason` or `state`; GitLab's `state`; Jira's
    /// resolution, status name or status category: to a status.
    pub statuses: IndexMap<String, String>,
    /// GitHub's issue type or a label; GitLab's issue type or a label;
    /// Jira's issue type: to a type.
    pub types: IndexMap<String, String>,
    /// A label (GitHub, GitLab) or Jira's priority: to a priority.
    pub priorities: IndexMap<String, String>,
}

/// The tables of one kind of value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BridgeTable {
    Statuses,
    Types,
    Priorities,
}

fn table(pairs: &[(&str, &str)]) -> IndexMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

impl ServiceTables {
    /// The built-in tables of a service (`github`, `gitlab`, `jira`).
    pub fn builtin(service: &str) -> ServiceTables {
        let priorities = |sep: &str| {
            ["critical", "high", "medium", "low"]
                .iter()
                .zip(["p0", "p1", "p2", "p3"])
                .map(|(name, p)| (format!("priority{sep}{name}"), p.to_owned()))
                .collect()
        };
        match service {
            "github" => ServiceTables {
                statuses: table(&[
                    ("completed", "resolved"),
                    ("not_planned", "wont_fix"),
                    ("duplicate", "duplicate"),
                    ("reopened", "open"),
                    ("open", "open"),
                    ("closed", "closed"),
                ]),
                types: table(&[
                    ("Bug", "bug"),
                    ("Feature", "feature"),
                    ("Task", "feature"),
                    ("enhancement", "feature"),
                    ("documentation", "docs"),
                    ("question", "question"),
                ]),
                priorities: priorities(": "),
            },
            "gitlab" => ServiceTables {
                statuses: table(&[("opened", "open"), ("closed", "closed")]),
                types: table(&[
                    ("incident", "bug"),
                    ("task", "feature"),
                    ("bug", "bug"),
                    ("feature", "feature"),
                    ("enhancement", "feature"),
                    ("documentation", "docs"),
                    ("question", "question"),
                ]),
                priorities: priorities("::"),
            },
            "jira" => ServiceTables {
                statuses: table(&[
                    ("Won't Do", "wont_fix"),
                    ("Duplicate", "duplicate"),
                    ("To Do", "open"),
                    ("In Progress", "in_progress"),
                    ("Done", "resolved"),
                    ("new", "open"),
                    ("indeterminate", "in_progress"),
                    ("done", "resolved"),
                ]),
                types: table(&[
                    ("Bug", "bug"),
                    ("Story", "feature"),
                    ("Task", "feature"),
                    ("Sub-task", "feature"),
                    ("Subtask", "feature"),
                    ("Epic", "feature"),
                    ("New Feature", "feature"),
                    ("Improvement", "optimization"),
                ]),
                priorities: table(&[
                    ("Highest", "p0"),
                    ("High", "p1"),
                    ("Medium", "p2"),
                    ("Low", "p3"),
                    ("Lowest", "p3"),
                ]),
            },
            _ => ServiceTables::default(),
        }
    }

    pub fn table(&self, which: BridgeTable) -> &IndexMap<String, String> {
        match which {
            BridgeTable::Statuses => &self.statuses,
            BridgeTable::Types => &self.types,
            BridgeTable::Priorities => &self.priorities,
        }
    }
}

/// The built-in tables, made once (an import asks them for every issue).
fn builtin(service: &str) -> &'static ServiceTables {
    static TABLES: std::sync::OnceLock<[ServiceTables; 4]> = std::sync::OnceLock::new();
    let t = TABLES.get_or_init(|| {
        [
            ServiceTables::builtin("github"),
            ServiceTables::builtin("gitlab"),
            ServiceTables::builtin("jira"),
            ServiceTables::default(),
        ]
    });
    match service {
        "github" => &t[0],
        "gitlab" => &t[1],
        "jira" => &t[2],
        _ => &t[3],
    }
}

impl BridgeSettings {
    pub fn tables(&self, service: &str) -> Option<&ServiceTables> {
        match service {
            "github" => Some(&self.github),
            "gitlab" => Some(&self.gitlab),
            "jira" => Some(&self.jira),
            _ => None,
        }
    }

    /// What `service`'s `name` is here by a table: `tracker.yml`'s first,
    /// then the built-in one. Names compare without regard to case.
    pub fn lookup(&self, service: &str, which: BridgeTable, name: &str) -> Option<String> {
        let name = name.trim().to_lowercase();
        let find = |t: &IndexMap<String, String>| {
            t.iter()
                .find(|(k, _)| k.trim().to_lowercase() == name)
                .map(|(_, v)| v.clone())
        };
        self.tables(service)
            .and_then(|t| find(t.table(which)))
            .or_else(|| find(builtin(service).table(which)))
    }

    /// The service's name of one of our values, for sending it back: the
    /// first name that maps to it, `tracker.yml`'s tables first.
    pub fn reverse(&self, service: &str, which: BridgeTable, value: &str) -> Option<String> {
        let find = |t: &IndexMap<String, String>| {
            t.iter()
                .find(|(_, v)| v.as_str() == value)
                .map(|(k, _)| k.clone())
        };
        self.tables(service)
            .and_then(|t| find(t.table(which)))
            .or_else(|| find(builtin(service).table(which)))
    }

    /// The person a login stands for, when `people` names it.
    pub fn person(&self, login: &str) -> Option<&str> {
        self.people
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(login))
            .map(|(_, v)| v.as_str())
    }

    /// The login of one of our people, for sending an assignee back.
    pub fn login(&self, person: &str) -> Option<&str> {
        self.people
            .iter()
            .find(|(_, v)| v.as_str() == person)
            .map(|(k, _)| k.as_str())
    }
}
