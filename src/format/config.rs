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
    pub search: SearchSettings,
    pub attachments: AttachmentSettings,
    /// What to tell whom when changes arrive (`git issue notify`).
    pub notify: Vec<NotifyRule>,
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
    /// Which tags are releases, as a glob (`rel/commons-lang-*`); the part
    /// the `*` matched names the milestone. Empty: every tag that is not a
    /// pre-release.
    pub tags: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct HookSettings {
    /// Refuse commits that name a key no issue has.
    pub strict: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchSettings {
    /// The language whose word endings full-text search ignores, so
    /// `crashes` finds "crash": one of [`LANGUAGES`], or `none`.
    pub language: String,
}

impl Default for SearchSettings {
    fn default() -> Self {
        SearchSettings {
            language: "english".to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AttachmentSettings {
    /// The largest file `git issue attach` takes: `10 MB`, `512 KiB`, or
    /// a number of bytes.
    pub max_size: ByteSize,
}

impl Default for AttachmentSettings {
    fn default() -> Self {
        AttachmentSettings {
            max_size: ByteSize(10_000_000),
        }
    }
}

/// A size in bytes, written as a number of bytes or with a unit (`10 MB`,
/// `1.5 MiB`, `800 kB`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub struct ByteSize(pub u64);

impl From<ByteSize> for String {
    fn from(b: ByteSize) -> String {
        b.to_string()
    }
}

impl std::fmt::Display for ByteSize {
    /// `10 MB`, `1.5 kB`, `12 bytes`: decimal units, as people read sizes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.0;
        let (unit, size) = [("GB", 1e9), ("MB", 1e6), ("kB", 1e3)]
            .into_iter()
            .find(|(_, size)| n as f64 >= *size)
            .unwrap_or(("bytes", 1.0));
        if unit == "bytes" {
            return write!(f, "{n} {}", if n == 1 { "byte" } else { "bytes" });
        }
        let v = n as f64 / size;
        if (v - v.round()).abs() < 0.05 {
            write!(f, "{} {unit}", v.round())
        } else {
            write!(f, "{v:.1} {unit}")
        }
    }
}

impl std::str::FromStr for ByteSize {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (number, unit) = t.split_at(split);
        let number: f64 = number
            .parse()
            .map_err(|_| format!("{s:?} is not a size like 10 MB"))?;
        let factor: f64 = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" | "byte" | "bytes" => 1.0,
            "k" | "kb" => 1e3,
            "m" | "mb" => 1e6,
            "g" | "gb" => 1e9,
            "kib" => 1024.0,
            "mib" => 1024.0 * 1024.0,
            "gib" => 1024.0 * 1024.0 * 1024.0,
            _ => return Err(format!("{s:?} is not a size like 10 MB")),
        };
        let bytes = number * factor;
        if !bytes.is_finite() || bytes < 0.0 || bytes > u64::MAX as f64 {
            return Err(format!("{s:?} is not a size like 10 MB"));
        }
        Ok(ByteSize(bytes.round() as u64))
    }
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bytes(u64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Bytes(n) => Ok(ByteSize(n)),
            Raw::Text(t) => t.parse().map_err(serde::de::Error::custom),
        }
    }
}

/// The kinds of event `git issue events` reports and `notify:` rules name.
pub const EVENT_KINDS: &[&str] = &[
    "created",
    "status",
    "assigned",
    "commented",
    "voted",
    "unvoted",
    "merged",
    "attached",
    "detached",
    "edited",
    "deleted",
];

/// One rule of `notify:`: which events, of which issues, go where.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NotifyRule {
    /// A name for messages and for the record of what was sent; by default
    /// the rule's place in the list (`rule 1`).
    pub name: Option<String>,
    /// Event kinds (`created`, `commented`, …); none means every kind.
    pub events: Vec<String>,
    /// A query in the language of `list` that the issue must match, as it
    /// is after the changes (`label:billing priority:p0..p1`).
    pub filter: Option<String>,
    /// A shell command run with the event as JSON on stdin.
    pub command: Option<String>,
    /// An http(s) URL the event is POSTed to as JSON.
    pub webhook: Option<String>,
    /// Seconds a target may take (default 10).
    pub timeout: Option<u64>,
    /// Attempts after a failed one (default 1).
    pub retries: Option<u32>,
    /// Events of confidential issues and internal comments too.
    pub confidential: bool,
}

impl NotifyRule {
    /// What is wrong with the rule, in words; `None` when it can be used.
    /// The filter's query is checked where the query language lives.
    pub fn problem(&self) -> Option<String> {
        match (&self.command, &self.webhook) {
            (None, None) => return Some("needs a command or a webhook".to_owned()),
            (Some(_), Some(_)) => {
                return Some("has both a command and a webhook; give one".to_owned());
            }
            (Some(c), None) if c.trim().is_empty() => {
                return Some("has an empty command".to_owned());
            }
            (None, Some(url)) => {
                let lower = url.to_ascii_lowercase();
                if !(lower.starts_with("http://") || lower.starts_with("https://"))
                    || url.chars().any(|c| c.is_whitespace() || c.is_control())
                {
                    return Some(format!(
                        "webhook {url:?} is not an http:// or https:// address"
                    ));
                }
            }
            _ => {}
        }
        if let Some(k) = self
            .events
            .iter()
            .find(|k| !EVENT_KINDS.contains(&k.as_str()))
        {
            return Some(format!(
                "event {k:?} is not one of {}",
                EVENT_KINDS.join(", ")
            ));
        }
        None
    }
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

/// The languages full-text search can stem (`search.language`), as the
/// index and the query language both know them; `none` stems nothing.
pub const LANGUAGES: [&str; 19] = [
    "none",
    "arabic",
    "danish",
    "dutch",
    "english",
    "finnish",
    "french",
    "german",
    "greek",
    "hungarian",
    "italian",
    "norwegian",
    "portuguese",
    "romanian",
    "russian",
    "spanish",
    "swedish",
    "tamil",
    "turkish",
];
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
            search: SearchSettings::default(),
            attachments: AttachmentSettings::default(),
            notify: Vec::new(),
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
            serde_saphyr::from_str(text).map_err(|e| super::yaml::error_in(text, &e, 0))?
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
        if !LANGUAGES.contains(&self.search.language.as_str()) {
            return Err(at(
                "search",
                format!(
                    "search.language {:?} is not one of {}",
                    self.search.language,
                    LANGUAGES.join(", ")
                ),
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
             release_notes:\n  link: \"\"\n  tags: \"\"\n\
             hooks:\n  strict: false\n\
             search:\n  language: english\n",
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

/// A setting of `tracker.yml` by its dotted name (`release_notes.link`), as
/// `git issue config` reads and writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    pub name: String,
    pub value: serde_json::Value,
}

impl Config {
    /// Every setting, with its value in effect (the default where the file
    /// says nothing), in the order of the file `init` writes.
    pub fn settings(&self) -> Vec<Setting> {
        let mut out = Vec::new();
        if let Ok(value) = serde_json::to_value(self) {
            flatten("", &value, &mut out);
        }
        out
    }

    /// The value in effect of one setting, or of a group (`release_notes`).
    pub fn setting(&self, name: &str) -> Option<serde_json::Value> {
        let mut value = serde_json::to_value(self).ok()?;
        for part in name.split('.') {
            value = value.get(part)?.clone();
        }
        Some(value)
    }
}

fn flatten(prefix: &str, value: &serde_json::Value, out: &mut Vec<Setting>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let name = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&name, v, out);
            }
        }
        v => out.push(Setting {
            name: prefix.to_owned(),
            value: v.clone(),
        }),
    }
}

/// A setting's value as one line of text: lists as `a, b, c`, an unset
/// optional value as nothing.
pub fn setting_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        serde_json::Value::Array(items) => items
            .iter()
            .map(setting_text)
            .collect::<Vec<_>>()
            .join(", "),
        v => v.to_string(),
    }
}

/// How `git issue config NAME VALUE` reads VALUE for a setting: by the kind
/// of the setting's default. `Err` says what is wrong, in a sentence.
pub fn setting_yaml(name: &str, value: &str) -> Result<String, String> {
    let Some(default) = Config::default()
        .setting(name)
        .or_else(|| table_entry(name))
    else {
        let names: Vec<String> = Config::default()
            .settings()
            .into_iter()
            .map(|s| s.name)
            .collect();
        return Err(format!(
            "{name:?} is not a setting of tracker.yml; there are: {}",
            names.join(", ")
        ));
    };
    Ok(match default {
        serde_json::Value::Object(m) if m.is_empty() => {
            return Err(format!(
                "{name:?} is a table of names to values; set one entry, like {name}.NAME"
            ));
        }
        serde_json::Value::Object(_) => {
            return Err(format!(
                "{name:?} is a group of settings; set one of them, like {name}.{}",
                default
                    .as_object()
                    .and_then(|m| m.keys().next().cloned())
                    .unwrap_or_default()
            ));
        }
        serde_json::Value::Array(_) => {
            // `a, b, c` or YAML's own `[a, b, c]`.
            let inner = value.trim();
            let inner = inner
                .strip_prefix('[')
                .and_then(|v| v.strip_suffix(']'))
                .unwrap_or(inner);
            let items: Vec<String> = inner
                .split(',')
                .map(|v| v.trim().trim_matches(|c| c == '"' || c == '\''))
                .filter(|v| !v.is_empty())
                .map(super::yaml::quote)
                .collect();
            format!("[{}]", items.join(", "))
        }
        serde_json::Value::Bool(_) => match value.trim() {
            "true" | "yes" | "on" | "1" => "true".to_owned(),
            "false" | "no" | "off" | "0" => "false".to_owned(),
            v => return Err(format!("{name} is true or false, not {v:?}")),
        },
        serde_json::Value::Number(_) => match value.trim().parse::<u64>() {
            Ok(n) => n.to_string(),
            Err(_) => return Err(format!("{name} is a number, not {value:?}")),
        },
        _ => super::yaml::quote(value),
    })
}

/// An entry of a table whose names are the user's (`bridge.people.LOGIN`,
/// `bridge.jira.statuses.NAME`): a table is empty by default, where a group
/// of settings never is. Its value is text.
fn table_entry(name: &str) -> Option<serde_json::Value> {
    let (table, entry) = name.rsplit_once('.')?;
    let is_table = Config::default()
        .setting(table)
        .is_some_and(|t| t.as_object().is_some_and(serde_json::Map::is_empty));
    (is_table && !entry.trim().is_empty()).then(|| serde_json::Value::String(String::new()))
}

/// `text` (a `tracker.yml`) with the setting at `path` (`["release_notes",
/// "link"]`) given `value` (YAML), in place: every other line, comments
/// included, stays as it was. A missing setting is added at the end of its
/// group (the group at the end of the file).
pub fn set_in_text(text: &str, path: &[&str], value: &str) -> Result<String, String> {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut parent_end = lines.len();
    let mut indent = 0;
    let mut found: Option<(usize, usize)> = None;
    let mut start = 0;
    for (depth, part) in path.iter().enumerate() {
        match find_entry(&lines[start..parent_end], part, indent) {
            Some((at, end)) => {
                let (at, end) = (start + at, start + end);
                if depth + 1 == path.len() {
                    found = Some((at, end));
                } else {
                    if !entry_value(&lines[at]).is_empty() {
                        return Err(format!(
                            "{} is written on one line in tracker.yml; change it there by hand",
                            path[..=depth].join(".")
                        ));
                    }
                    start = at + 1;
                    parent_end = end;
                    indent = child_indent(&lines[start..parent_end]).unwrap_or(indent + 2);
                }
            }
            None => {
                // Add what is missing from here down, at the end of the group.
                let at = trim_blank_end(&lines[..parent_end], start);
                for (insert, (d, p)) in (at..).zip(path.iter().enumerate().skip(depth)) {
                    let pad = " ".repeat(indent + 2 * (d - depth));
                    let line = if d + 1 == path.len() {
                        format!("{pad}{p}: {value}")
                    } else {
                        format!("{pad}{p}:")
                    };
                    lines.insert(insert, line);
                }
                return Ok(join(&lines));
            }
        }
    }
    let (at, end) = found.ok_or_else(|| "an empty setting name".to_owned())?;
    let pad = " ".repeat(indent);
    lines.splice(at..end, [format!("{pad}{}: {value}", path[path.len() - 1])]);
    Ok(join(&lines))
}

/// `text` without the setting at `path`; `None` when it has none. A group
/// left empty goes too.
pub fn unset_in_text(text: &str, path: &[&str]) -> Option<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut ranges = Vec::new();
    let (mut start, mut end, mut indent) = (0, lines.len(), 0);
    for part in path {
        let (at, stop) = find_entry(&lines[start..end], part, indent)?;
        ranges.push((start + at, start + stop));
        start += at + 1;
        end = ranges.last()?.1;
        indent = child_indent(&lines[start..end]).unwrap_or(indent + 2);
    }
    let (at, stop) = ranges.pop()?;
    lines.drain(at..stop);
    // Groups left with nothing but blank lines and comments go as well;
    // each ends as many lines earlier as were taken out inside it.
    let mut removed = stop - at;
    while let Some((gat, gend)) = ranges.pop() {
        let gend = gend - removed;
        let empty = lines[gat + 1..gend]
            .iter()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
        if !empty {
            break;
        }
        lines.drain(gat..gend);
        removed += gend - gat;
    }
    Some(join(&lines))
}

/// The entry `name:` at `indent` among `lines`: its first line and the
/// line after its last (its block: the lines indented deeper).
fn find_entry(lines: &[String], name: &str, indent: usize) -> Option<(usize, usize)> {
    let at = lines.iter().position(|l| {
        indent_of(l) == indent
            && l.trim_start()
                .strip_prefix(name)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
    })?;
    let mut end = at + 1;
    while end < lines.len() {
        let l = &lines[end];
        let blank = l.trim().is_empty();
        if !blank && indent_of(l) <= indent {
            break;
        }
        end += 1;
    }
    // Blank lines and comments before the next entry are not part of this one.
    while end > at + 1 && {
        let t = lines[end - 1].trim();
        t.is_empty() || t.starts_with('#')
    } {
        end -= 1;
    }
    Some((at, end))
}

fn entry_value(line: &str) -> &str {
    line.split_once(':').map_or("", |(_, v)| {
        let v = v.trim();
        if v.starts_with('#') { "" } else { v }
    })
}

fn child_indent(lines: &[String]) -> Option<usize> {
    lines
        .iter()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| indent_of(l))
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn trim_blank_end(lines: &[String], start: usize) -> usize {
    let mut end = lines.len();
    while end > start && lines[end - 1].trim().is_empty() {
        end -= 1;
    }
    end
}

fn join(lines: &[String]) -> String {
    let mut s = lines.join("\n");
    s.push('\n');
    s
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
    fn settings_change_in_place_and_keep_comments() {
        let text = Config::initial_text("BC", "main");
        let set = set_in_text(&text, &["release_notes", "link"], "/issues/{n}").unwrap();
        assert!(
            set.contains("release_notes:\n  link: /issues/{n}\n  tags: \"\"\n"),
            "{set}"
        );
        assert!(set.starts_with("# git-issue settings"));
        assert_eq!(
            Config::parse(&set).unwrap().release_notes.link,
            "/issues/{n}"
        );
        let added = set_in_text("key: BC\n", &["release_notes", "tags"], "rel/*").unwrap();
        assert_eq!(added, "key: BC\nrelease_notes:\n  tags: rel/*\n");
        let top = set_in_text(&text, &["statuses"], "[todo, done]").unwrap();
        assert!(
            top.contains("\nstatuses: [todo, done]\nclosed_statuses"),
            "{top}"
        );
        let block = "key: BC\nstatuses:\n  - a\n  - b\n# after\ntypes: [x]\n";
        assert_eq!(
            set_in_text(block, &["statuses"], "[c]").unwrap(),
            "key: BC\nstatuses: [c]\n# after\ntypes: [x]\n"
        );
        let gone = unset_in_text(&added, &["release_notes", "tags"]).unwrap();
        assert_eq!(gone, "key: BC\n");
        assert_eq!(unset_in_text("key: BC\n", &["hooks", "strict"]), None);
        // Three deep: every group left empty goes.
        let deep = "key: BC\nbridge:\n  people:\n    m: M <m@x>\n";
        assert_eq!(
            unset_in_text(deep, &["bridge", "people", "m"]).unwrap(),
            "key: BC\n"
        );
    }

    #[test]
    fn values_are_read_by_the_kind_of_setting() {
        assert_eq!(
            setting_yaml("statuses", "todo, doing ,done").unwrap(),
            "[todo, doing, done]"
        );
        assert_eq!(
            setting_yaml("statuses", "[todo, done]").unwrap(),
            "[todo, done]"
        );
        assert_eq!(setting_yaml("hooks.strict", "yes").unwrap(), "true");
        assert!(setting_yaml("hooks.strict", "maybe").is_err());
        assert_eq!(setting_yaml("release_notes.link", "no").unwrap(), "\"no\"");
        assert!(
            setting_yaml("release_notes", "x")
                .unwrap_err()
                .contains("group")
        );
        assert!(
            setting_yaml("bogus", "x")
                .unwrap_err()
                .contains("not a setting")
        );
        // Tables take names of the user's; groups do not.
        assert!(setting_yaml("bridge.people.marta", "Marta K <m@example.com>").is_ok());
        assert!(setting_yaml("bridge.jira.statuses.Blocked", "open").is_ok());
        assert!(
            setting_yaml("bridge.people", "x")
                .unwrap_err()
                .contains("table")
        );
        assert!(setting_yaml("hooks.bogus", "x").is_err());
        let text = set_in_text(
            &Config::initial_text("BC", "main"),
            &["bridge", "people", "marta"],
            &setting_yaml("bridge.people.marta", "Marta K <m@example.com>").unwrap(),
        )
        .unwrap();
        let config = Config::parse(&text).unwrap();
        assert_eq!(
            config.bridge.person("marta"),
            Some("Marta K <m@example.com>")
        );
    }

    #[test]
    fn sizes_read_with_or_without_a_unit() {
        let c = Config::parse("attachments:\n  max_size: 2 MB\n").unwrap();
        assert_eq!(c.attachments.max_size, ByteSize(2_000_000));
        let c = Config::parse("attachments:\n  max_size: 1024\n").unwrap();
        assert_eq!(c.attachments.max_size, ByteSize(1024));
        assert_eq!("1 MiB".parse(), Ok(ByteSize(1_048_576)));
        assert!(Config::parse("attachments:\n  max_size: lots\n").is_err());
        assert_eq!(ByteSize(10_000_000).to_string(), "10 MB");
        assert_eq!(ByteSize(1_500).to_string(), "1.5 kB");
        assert_eq!(ByteSize(12).to_string(), "12 bytes");
    }

    #[test]
    fn notify_rules_say_what_is_wrong_with_them() {
        let c = Config::parse(
            "notify:\n  - events: [created]\n    command: ./tell\n  - webhook: ftp://x\n  - events: [born]\n    command: x\n  - {}\n",
        )
        .unwrap();
        let problems: Vec<Option<String>> = c.notify.iter().map(NotifyRule::problem).collect();
        assert_eq!(problems[0], None);
        assert!(problems[1].as_deref().unwrap().contains("not an http"));
        assert!(problems[2].as_deref().unwrap().contains("\"born\""));
        assert!(problems[3].as_deref().unwrap().contains("needs a command"));
    }

    #[test]
    fn closed_statuses_must_be_statuses() {
        let e = Config::parse("statuses: [todo, done]\nclosed_statuses: [finished]\n").unwrap_err();
        assert!(e.message.contains("finished"), "{}", e.message);
        assert_eq!(e.line, 2);
    }
}
