//! `tracker.yml`: the settings every clone shares. Every setting has a
//! built-in default, so an empty file is a valid one.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::{Listing, ParseError};

mod attachments;
mod bridge;
mod text;
mod version;

pub use attachments::*;
pub use bridge::*;
pub use text::*;
pub use version::*;

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
        if let Some(e) = format_error(text) {
            return Err(e);
        }
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
             format: {FORMAT}\n\
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
