//! `tracker.yml`: the settings every clone shares. Every setting has a
//! built-in default, so an empty file is a valid one.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::{Listing, ParseError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// The key prefix of new issues: `BC` gives `BC-1`, `BC-2`, …
    pub key: String,
    /// The workflow, in board order.
    pub statuses: Vec<String>,
    /// The statuses that count as closed.
    pub closed_statuses: Vec<String>,
    pub types: Vec<String>,
    pub priorities: Vec<String>,
    pub severities: Vec<String>,
    /// What kind of problem an issue is (`record` files errors by it).
    pub categories: Vec<String>,
    pub defaults: Defaults,
    /// The branch where `Fixes BC-12` resolves an issue.
    pub main_branch: String,
    pub release_notes: ReleaseNotesSettings,
    pub hooks: HookSettings,
    /// How another tracker's values read here (`git issue bridge`).
    pub bridge: BridgeSettings,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Defaults {
    pub status: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub priority: String,
    pub severity: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ReleaseNotesSettings {
    /// The link of each issue in release notes; `{n}` is the number and
    /// `{key}` the whole key. Empty: no links.
    pub link: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct HookSettings {
    /// Refuse commits that name a key no issue has.
    pub strict: bool,
}

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

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

impl Default for Config {
    fn default() -> Self {
        Config {
            key: "ISSUE".to_owned(),
            statuses: strings(&[
                "open",
                "triaged",
                "in_progress",
                "resolved",
                "closed",
                "wont_fix",
                "duplicate",
            ]),
            closed_statuses: strings(&["resolved", "closed", "wont_fix", "duplicate"]),
            types: strings(&["bug", "feature", "optimization", "docs", "question"]),
            priorities: strings(&["p0", "p1", "p2", "p3"]),
            severities: strings(&["critical", "high", "medium", "low", "info"]),
            categories: strings(&[
                "security",
                "performance",
                "reliability",
                "data_integrity",
                "configuration",
                "deployment",
                "integration",
                "validation",
                "monitoring",
                "other",
            ]),
            defaults: Defaults::default(),
            main_branch: "main".to_owned(),
            release_notes: ReleaseNotesSettings::default(),
            hooks: HookSettings::default(),
            bridge: BridgeSettings::default(),
        }
    }
}

impl Default for Defaults {
    fn default() -> Self {
        Defaults {
            status: "open".to_owned(),
            kind: "bug".to_owned(),
            priority: "p2".to_owned(),
            severity: None,
        }
    }
}

/// A field whose values `tracker.yml` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vocabulary {
    Status,
    Type,
    Priority,
    Severity,
    Category,
}

impl Defaults {
    fn status_is_closed(&self, config: &Config) -> bool {
        config.is_closed(&self.status)
    }
}

impl Vocabulary {
    /// The name of its list in `tracker.yml`.
    pub fn list_name(self) -> &'static str {
        match self {
            Vocabulary::Status => "statuses",
            Vocabulary::Type => "types",
            Vocabulary::Priority => "priorities",
            Vocabulary::Severity => "severities",
            Vocabulary::Category => "categories",
        }
    }

    pub fn field(self) -> &'static str {
        match self {
            Vocabulary::Status => "status",
            Vocabulary::Type => "type",
            Vocabulary::Priority => "priority",
            Vocabulary::Severity => "severity",
            Vocabulary::Category => "category",
        }
    }
}

impl Config {
    /// Reads `tracker.yml`; positions are in that file.
    pub fn parse(text: &str) -> Result<Config, ParseError> {
        let config: Config = if text.trim().is_empty() {
            Config::default()
        } else {
            serde_saphyr::from_str(text).map_err(|e| super::yaml::error_at(&e, 0))?
        };
        config.validate(text)?;
        Ok(config)
    }

    fn validate(&self, text: &str) -> Result<(), ParseError> {
        let at = |name: &str, msg: String| ParseError::new(find_line(text, name), 1, msg);
        if !super::key::is_valid_prefix(&self.key) {
            return Err(at(
                "key",
                format!(
                    "`key` must be a letter followed by up to nine letters or digits, not {:?}",
                    self.key
                ),
            ));
        }
        for (name, list) in [
            ("statuses", &self.statuses),
            ("types", &self.types),
            ("priorities", &self.priorities),
        ] {
            if list.is_empty() {
                return Err(at(name, format!("`{name}` must list at least one value")));
            }
        }
        if let Some(s) = self
            .closed_statuses
            .iter()
            .find(|s| !self.statuses.contains(s))
        {
            return Err(at(
                "closed_statuses",
                format!("closed status {s:?} is not one of `statuses`"),
            ));
        }
        if self.open_statuses().next().is_none() {
            return Err(at(
                "closed_statuses",
                "at least one status must count as open".to_owned(),
            ));
        }
        Ok(())
    }

    /// What is allowed but doubtful in `tracker.yml`: defaults its own lists
    /// do not name (the first value of the list is used instead). `doctor`
    /// reports them; every command keeps working.
    pub fn doubts(&self, text: &str) -> Vec<ParseError> {
        let d = &self.defaults;
        let mut out = Vec::new();
        let checks = [
            ("status", Some(&d.status), Vocabulary::Status),
            ("type", Some(&d.kind), Vocabulary::Type),
            ("priority", Some(&d.priority), Vocabulary::Priority),
            ("severity", d.severity.as_ref(), Vocabulary::Severity),
        ];
        for (name, value, vocab) in checks {
            let Some(value) = value else { continue };
            if self.check(vocab, value).is_err() {
                let line = text
                    .lines()
                    .position(|l| {
                        l.trim_start().starts_with(&format!("{name}:")) && l.starts_with(' ')
                    })
                    .map_or_else(|| find_line(text, "defaults"), |i| i + 1);
                out.push(ParseError::new(
                    line,
                    1,
                    format!(
                        "defaults.{name} {value:?} is not one of `{}`; {:?} is used instead",
                        vocab.list_name(),
                        match vocab {
                            Vocabulary::Status => self.initial_status(),
                            Vocabulary::Type => self.default_type(),
                            Vocabulary::Priority => self.default_priority(),
                            _ => "none",
                        }
                    ),
                ));
            }
        }
        if d.status_is_closed(self) {
            out.push(ParseError::new(
                find_line(text, "defaults"),
                1,
                format!(
                    "defaults.status {:?} is a closed status; new issues start open",
                    d.status
                ),
            ));
        }
        out
    }

    pub fn values(&self, v: Vocabulary) -> &[String] {
        match v {
            Vocabulary::Status => &self.statuses,
            Vocabulary::Type => &self.types,
            Vocabulary::Priority => &self.priorities,
            Vocabulary::Severity => &self.severities,
            Vocabulary::Category => &self.categories,
        }
    }

    /// `Err` carries the one-line message a user sees.
    pub fn check(&self, v: Vocabulary, value: &str) -> Result<(), String> {
        let allowed = self.values(v);
        if allowed.iter().any(|a| a == value) {
            Ok(())
        } else {
            Err(format!(
                "{value:?} is not a {}; tracker.yml allows: {}",
                v.field(),
                Listing(allowed)
            ))
        }
    }

    /// Where `value` stands in one of the lists (priorities most urgent
    /// first, statuses in board order): what sorting by that field uses.
    /// Values the list does not name sort last.
    pub fn rank(list: &[String], value: &str) -> u64 {
        list.iter()
            .position(|x| x == value)
            .map_or(0xFFFF, |i| i as u64)
    }

    pub fn is_closed(&self, status: &str) -> bool {
        self.closed_statuses.iter().any(|s| s == status)
    }

    pub fn open_statuses(&self) -> impl Iterator<Item = &String> {
        self.statuses.iter().filter(|s| !self.is_closed(s))
    }

    /// The status a new or reopened issue gets.
    pub fn initial_status(&self) -> &str {
        if self.statuses.contains(&self.defaults.status) && !self.is_closed(&self.defaults.status) {
            &self.defaults.status
        } else {
            self.open_statuses().next().map_or("open", String::as_str)
        }
    }

    pub fn default_type(&self) -> &str {
        if self.types.contains(&self.defaults.kind) {
            &self.defaults.kind
        } else {
            &self.types[0]
        }
    }

    pub fn default_priority(&self) -> &str {
        if self.priorities.contains(&self.defaults.priority) {
            &self.defaults.priority
        } else {
            &self.priorities[self.priorities.len() / 2]
        }
    }

    /// The text `init` writes: the key, and every default spelled out so a
    /// user sees what can be changed.
    pub fn initial_text(key: &str, main_branch: &str) -> String {
        let d = Config::default();
        format!(
            "# git-issue settings, shared by every clone. See issue-format.md.\n\
             key: {key}\n\
             statuses: [{}]\n\
             closed_statuses: [{}]\n\
             types: [{}]\n\
             priorities: [{}]\n\
             severities: [{}]\n\
             categories: [{}]\n\
             defaults:\n  status: open\n  type: bug\n  priority: p2\n\
             main_branch: {}\n\
             release_notes:\n  link: \"\"\n\
             hooks:\n  strict: false\n",
            Listing(&d.statuses),
            Listing(&d.closed_statuses),
            Listing(&d.types),
            Listing(&d.priorities),
            Listing(&d.severities),
            Listing(&d.categories),
            super::yaml::quote(main_branch),
        )
    }
}

/// Validation runs on the parsed value, which has no positions; the line of
/// the top-level setting is what a user needs to find it.
fn find_line(text: &str, name: &str) -> usize {
    let prefix = format!("{name}:");
    text.lines()
        .position(|l| l.starts_with(&prefix))
        .map_or(1, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_is_the_defaults() {
        assert_eq!(Config::parse("").unwrap(), Config::default());
        assert_eq!(Config::parse("# nothing\n").unwrap(), Config::default());
    }

    #[test]
    fn initial_text_reads_back_as_defaults_with_its_key() {
        let c = Config::parse(&Config::initial_text("BC", "main")).unwrap();
        assert_eq!(
            c,
            Config {
                key: "BC".into(),
                ..Config::default()
            }
        );
    }

    #[test]
    fn wrong_values_list_the_allowed_ones() {
        let c = Config::default();
        let e = c.check(Vocabulary::Status, "bogus").unwrap_err();
        assert_eq!(
            e,
            "\"bogus\" is not a status; tracker.yml allows: open, triaged, in_progress, resolved, closed, wont_fix, duplicate"
        );
    }

    #[test]
    fn closed_statuses_must_be_statuses() {
        let e = Config::parse("statuses: [todo, done]\nclosed_statuses: [finished]\n").unwrap_err();
        assert!(e.message.contains("finished"), "{}", e.message);
        assert_eq!(e.line, 2);
    }
}
