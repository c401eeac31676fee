//! Issue files: front matter with the fields of `issue-format.md`, then the
//! Markdown description.

use jiff::Timestamp;
use serde_json::Value;

use super::yaml::{self, Field, Writer};
use super::{ParseError, format_timestamp, parse_timestamp};

/// The fields an issue file may carry, in canonical order.
pub const FIELDS: &[&str] = &[
    "id",
    "title",
    "type",
    "status",
    "priority",
    "severity",
    "labels",
    "milestone",
    "assignee",
    "reporter",
    "component",
    "commits",
    "prs",
    "duplicate_of",
    "related",
    "aliases",
    "confidential",
    "votes",
    "created",
    "updated",
    "resolved",
];

/// A field this version does not know, kept as it was read and written back
/// after the known field it followed (`after`), so a file written by a newer
/// version survives an older one.
#[derive(Debug, Clone, PartialEq)]
pub struct Extra {
    pub after: Option<&'static str>,
    pub name: String,
    pub value: Value,
}

/// One issue, as its file holds it. The key is the file name, not a field.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub status: String,
    pub priority: String,
    pub severity: Option<String>,
    pub labels: Vec<String>,
    pub milestone: Option<String>,
    pub assignee: Option<String>,
    pub reporter: Option<String>,
    pub component: Option<String>,
    pub commits: Vec<String>,
    pub prs: Vec<String>,
    pub duplicate_of: Option<String>,
    pub related: Vec<String>,
    pub aliases: Vec<String>,
    pub confidential: bool,
    pub votes: u64,
    pub created: Timestamp,
    pub updated: Timestamp,
    pub resolved: Option<Timestamp>,
    pub extra: Vec<Extra>,
    pub body: String,
}

impl Issue {
    /// A new issue with every optional field empty.
    pub fn new(
        id: String,
        title: String,
        kind: String,
        status: String,
        priority: String,
        now: Timestamp,
    ) -> Self {
        Issue {
            id,
            title,
            kind,
            status,
            priority,
            severity: None,
            labels: Vec::new(),
            milestone: None,
            assignee: None,
            reporter: None,
            component: None,
            commits: Vec::new(),
            prs: Vec::new(),
            duplicate_of: None,
            related: Vec::new(),
            aliases: Vec::new(),
            confidential: false,
            votes: 0,
            created: now,
            updated: now,
            resolved: None,
            extra: Vec::new(),
            body: String::new(),
        }
    }

    /// Reads an issue file.
    pub fn parse(text: &str) -> Result<Issue, ParseError> {
        let doc = yaml::parse_document(text)?;
        let mut b = Builder::default();
        let mut last_known: Option<&'static str> = None;
        for field in doc.fields {
            match FIELDS.iter().find(|f| **f == field.name) {
                Some(name) => {
                    b.set(name, &field)?;
                    last_known = Some(name);
                }
                None => b.extra.push(Extra {
                    after: last_known,
                    name: field.name,
                    value: field.value,
                }),
            }
        }
        b.finish(doc.body)
    }

    /// Writes the issue in canonical form: known fields in `FIELDS` order,
    /// optional fields only when set, unknown fields where they were.
    pub fn print(&self) -> String {
        let mut w = Writer::new();
        self.print_extras(&mut w, None);
        for &name in FIELDS {
            match name {
                "id" => w.scalar(name, &self.id),
                "title" => w.scalar(name, &self.title),
                "type" => w.scalar(name, &self.kind),
                "status" => w.scalar(name, &self.status),
                "priority" => w.scalar(name, &self.priority),
                "severity" => opt(&mut w, name, &self.severity),
                "labels" => list(&mut w, name, &self.labels),
                "milestone" => opt(&mut w, name, &self.milestone),
                "assignee" => opt(&mut w, name, &self.assignee),
                "reporter" => opt(&mut w, name, &self.reporter),
                "component" => opt(&mut w, name, &self.component),
                "commits" => list(&mut w, name, &self.commits),
                "prs" => list(&mut w, name, &self.prs),
                "duplicate_of" => opt(&mut w, name, &self.duplicate_of),
                "related" => list(&mut w, name, &self.related),
                "aliases" => list(&mut w, name, &self.aliases),
                "confidential" if self.confidential => w.raw(name, "true"),
                "votes" if self.votes != 0 => w.raw(name, &self.votes.to_string()),
                "created" => w.raw(name, &format_timestamp(self.created)),
                "updated" => w.raw(name, &format_timestamp(self.updated)),
                "resolved" => {
                    if let Some(ts) = self.resolved {
                        w.raw(name, &format_timestamp(ts));
                    }
                }
                _ => {}
            }
            self.print_extras(&mut w, Some(name));
        }
        w.finish(&self.body)
    }

    fn print_extras(&self, w: &mut Writer, after: Option<&'static str>) {
        for e in self.extra.iter().filter(|e| e.after == after) {
            w.value(&e.name, &e.value);
        }
    }

    /// The value of a known field as text, for messages and filters; lists are
    /// joined with `, `.
    pub fn field_text(&self, name: &str) -> Option<String> {
        let o = |v: &Option<String>| v.clone();
        Some(match name {
            "id" => self.id.clone(),
            "title" => self.title.clone(),
            "type" => self.kind.clone(),
            "status" => self.status.clone(),
            "priority" => self.priority.clone(),
            "severity" => return o(&self.severity),
            "milestone" => return o(&self.milestone),
            "assignee" => return o(&self.assignee),
            "reporter" => return o(&self.reporter),
            "component" => return o(&self.component),
            "duplicate_of" => return o(&self.duplicate_of),
            "labels" => self.labels.join(", "),
            "commits" => self.commits.join(", "),
            "prs" => self.prs.join(", "),
            "related" => self.related.join(", "),
            "aliases" => self.aliases.join(", "),
            "confidential" => self.confidential.to_string(),
            "votes" => self.votes.to_string(),
            "created" => format_timestamp(self.created),
            "updated" => format_timestamp(self.updated),
            "resolved" => return self.resolved.map(format_timestamp),
            _ => return None,
        })
    }

    /// The issue as JSON, with the field names of `issue-format.md` in their
    /// order, unknown fields where they were, and `body` last; callers add
    /// `key` and `comments`. [`Issue::from_json`] reads it back.
    pub fn to_json(&self) -> serde_json::Map<String, Value> {
        let mut m = serde_json::Map::new();
        let s = |v: &str| Value::String(v.to_owned());
        let o = |v: &Option<String>| v.as_deref().map_or(Value::Null, s);
        let l = |v: &[String]| Value::Array(v.iter().map(|x| s(x)).collect());
        let extras = |m: &mut serde_json::Map<String, Value>, after: Option<&str>| {
            for e in self.extra.iter().filter(|e| e.after == after) {
                m.entry(e.name.clone()).or_insert_with(|| e.value.clone());
            }
        };
        extras(&mut m, None);
        for &name in FIELDS {
            let value = match name {
                "id" => s(&self.id),
                "title" => s(&self.title),
                "type" => s(&self.kind),
                "status" => s(&self.status),
                "priority" => s(&self.priority),
                "severity" => o(&self.severity),
                "labels" => l(&self.labels),
                "milestone" => o(&self.milestone),
                "assignee" => o(&self.assignee),
                "reporter" => o(&self.reporter),
                "component" => o(&self.component),
                "commits" => l(&self.commits),
                "prs" => l(&self.prs),
                "duplicate_of" => o(&self.duplicate_of),
                "related" => l(&self.related),
                "aliases" => l(&self.aliases),
                "confidential" => Value::Bool(self.confidential),
                "votes" => Value::from(self.votes),
                "created" => s(&format_timestamp(self.created)),
                "updated" => s(&format_timestamp(self.updated)),
                "resolved" => self
                    .resolved
                    .map_or(Value::Null, |t| s(&format_timestamp(t))),
                _ => continue,
            };
            m.insert(name.to_owned(), value);
            extras(&mut m, Some(name));
        }
        m.insert("body".into(), s(&self.body));
        m
    }

    /// Reads an issue from the JSON that [`Issue::to_json`] writes (and
    /// `show --json` prints). `key` and `comments` are the caller's; other
    /// unknown members become unknown fields, kept in place.
    pub fn from_json(map: &serde_json::Map<String, Value>) -> Result<Issue, String> {
        let mut b = Builder::default();
        let mut last_known: Option<&'static str> = None;
        let mut body = String::new();
        for (i, (name, value)) in map.iter().enumerate() {
            match name.as_str() {
                "key" | "comments" => continue,
                "body" => {
                    body = value.as_str().ok_or("`body` must be text")?.to_owned();
                    continue;
                }
                _ => {}
            }
            // JSON has no lines; the member's place stands in for one.
            let field = Field {
                name: name.clone(),
                value: value.clone(),
                line: i + 1,
                column: 1,
            };
            match FIELDS.iter().find(|f| **f == name) {
                Some(known) => {
                    b.set(known, &field).map_err(|e| e.message)?;
                    last_known = Some(known);
                }
                None => b.extra.push(Extra {
                    after: last_known,
                    name: name.clone(),
                    value: value.clone(),
                }),
            }
        }
        b.finish(yaml::normalize_body(&body)).map_err(|e| e.message)
    }
}

fn opt(w: &mut Writer, name: &str, v: &Option<String>) {
    if let Some(v) = v {
        w.scalar(name, v);
    }
}

fn list(w: &mut Writer, name: &str, v: &[String]) {
    if !v.is_empty() {
        w.list(name, v);
    }
}

#[derive(Default)]
struct Builder {
    id: Option<String>,
    title: Option<String>,
    kind: Option<String>,
    status: Option<String>,
    priority: Option<String>,
    severity: Option<String>,
    labels: Vec<String>,
    milestone: Option<String>,
    assignee: Option<String>,
    reporter: Option<String>,
    component: Option<String>,
    commits: Vec<String>,
    prs: Vec<String>,
    duplicate_of: Option<String>,
    related: Vec<String>,
    aliases: Vec<String>,
    confidential: bool,
    votes: u64,
    created: Option<Timestamp>,
    updated: Option<Timestamp>,
    resolved: Option<Timestamp>,
    extra: Vec<Extra>,
}

impl Builder {
    fn set(&mut self, name: &str, f: &Field) -> Result<(), ParseError> {
        match name {
            "id" => self.id = text(f)?,
            "title" => self.title = text(f)?,
            "type" => self.kind = text(f)?,
            "status" => self.status = text(f)?,
            "priority" => self.priority = text(f)?,
            "severity" => self.severity = text(f)?,
            "labels" => self.labels = strings(f)?,
            "milestone" => self.milestone = text(f)?,
            "assignee" => self.assignee = text(f)?,
            "reporter" => self.reporter = text(f)?,
            "component" => self.component = text(f)?,
            "commits" => self.commits = strings(f)?,
            "prs" => self.prs = strings(f)?,
            "duplicate_of" => self.duplicate_of = text(f)?,
            "related" => self.related = strings(f)?,
            "aliases" => self.aliases = strings(f)?,
            "confidential" => {
                self.confidential = match &f.value {
                    Value::Bool(b) => *b,
                    Value::Null => false,
                    _ => return Err(ParseError::at(f, "`confidential` must be true or false")),
                }
            }
            "votes" => {
                self.votes = match &f.value {
                    Value::Number(n) if n.as_u64().is_some() => n.as_u64().unwrap_or(0),
                    Value::Null => 0,
                    _ => return Err(ParseError::at(f, "`votes` must be a whole number")),
                }
            }
            "created" => self.created = timestamp(f)?,
            "updated" => self.updated = timestamp(f)?,
            "resolved" => self.resolved = timestamp(f)?,
            _ => {}
        }
        Ok(())
    }

    fn finish(self, body: String) -> Result<Issue, ParseError> {
        let missing = |name: &str| ParseError::new(2, 1, format!("the field `{name}` is missing"));
        let title = self.title.ok_or_else(|| missing("title"))?;
        if title.trim().is_empty() {
            return Err(missing("title"));
        }
        Ok(Issue {
            id: self.id.ok_or_else(|| missing("id"))?,
            title,
            kind: self.kind.ok_or_else(|| missing("type"))?,
            status: self.status.ok_or_else(|| missing("status"))?,
            priority: self.priority.ok_or_else(|| missing("priority"))?,
            severity: self.severity,
            labels: self.labels,
            milestone: self.milestone,
            assignee: self.assignee,
            reporter: self.reporter,
            component: self.component,
            commits: self.commits,
            prs: self.prs,
            duplicate_of: self.duplicate_of,
            related: self.related,
            aliases: self.aliases,
            confidential: self.confidential,
            votes: self.votes,
            created: self.created.ok_or_else(|| missing("created"))?,
            updated: self.updated.ok_or_else(|| missing("updated"))?,
            resolved: self.resolved,
            extra: self.extra,
            body,
        })
    }
}

/// A scalar as text. Numbers and booleans are read as the text they were
/// written as, so `milestone: 2` is milestone "2"; null and `""` mean unset.
fn text(f: &Field) -> Result<Option<String>, ParseError> {
    match &f.value {
        Value::Null => Ok(None),
        Value::String(s) if s.is_empty() => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        _ => Err(ParseError::at(
            f,
            format!("`{}` must be a single value, not a list or mapping", f.name),
        )),
    }
}

fn strings(f: &Field) -> Result<Vec<String>, ParseError> {
    match &f.value {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                Value::Number(n) => Ok(n.to_string()),
                Value::Bool(b) => Ok(b.to_string()),
                _ => Err(ParseError::at(
                    f,
                    format!("`{}` must be a list of plain values", f.name),
                )),
            })
            .collect(),
        Value::String(s) => Ok(vec![s.clone()]),
        _ => Err(ParseError::at(f, format!("`{}` must be a list", f.name))),
    }
}

fn timestamp(f: &Field) -> Result<Option<Timestamp>, ParseError> {
    match &f.value {
        Value::Null => Ok(None),
        Value::String(s) => parse_timestamp(s).map(Some).ok_or_else(|| {
            ParseError::at(
                f,
                format!(
                    "`{}` is not an RFC 3339 time like 2026-01-31T09:30:00Z: {s:?}",
                    f.name
                ),
            )
        }),
        _ => Err(ParseError::at(
            f,
            format!("`{}` must be a time like 2026-01-31T09:30:00Z", f.name),
        )),
    }
}

/// Where a known field's line is in `text`, for messages about its value
/// (1-based line and column of the value).
pub fn field_position(text: &str, name: &str) -> Option<(usize, usize)> {
    let prefix = format!("{name}:");
    text.lines().enumerate().skip(1).find_map(|(i, line)| {
        if line.trim_end() == "---" {
            return Some(None);
        }
        line.starts_with(&prefix).then(|| {
            let rest = &line[prefix.len()..];
            let col = prefix.len() + 1 + (rest.len() - rest.trim_start().len());
            Some((i + 1, col))
        })
    })?
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const EXAMPLE: &str = "---
id: 01JD8X3B5QZ6N2V9R4T7K1M0AA
title: Login fails when the password contains a colon
type: bug
status: open
priority: p1
severity: high
labels:
  - auth
  - ui
milestone: v0.7.0
assignee: alice
reporter: bob
x-team: identity
component: login
created: 2026-01-05T09:30:00Z
updated: 2026-01-06T10:00:00Z
---

Steps:

1. Set a password with `:` in it.
";

    #[test]
    fn example_round_trips_byte_for_byte() {
        let issue = Issue::parse(EXAMPLE).unwrap();
        assert_eq!(issue.labels, ["auth", "ui"]);
        assert_eq!(issue.extra[0].name, "x-team");
        assert_eq!(issue.extra[0].after, Some("reporter"));
        assert_eq!(issue.print(), EXAMPLE);
    }

    #[test]
    fn unknown_fields_survive_a_rewrite_in_place() {
        let mut issue = Issue::parse(EXAMPLE).unwrap();
        issue.status = "resolved".into();
        let out = issue.print();
        assert!(out.contains("reporter: bob\nx-team: identity\ncomponent: login\n"));
        assert!(out.contains("status: resolved\n"));
    }

    #[test]
    fn bad_values_name_their_line() {
        let text = EXAMPLE.replace("updated: 2026-01-06T10:00:00Z", "updated: yesterday");
        let e = Issue::parse(&text).unwrap_err();
        assert_eq!(e.line, 17);
        assert!(e.message.contains("updated"), "{}", e.message);
    }

    #[test]
    fn missing_required_fields_are_named() {
        let text = EXAMPLE.replace(
            "title: Login fails when the password contains a colon\n",
            "",
        );
        let e = Issue::parse(&text).unwrap_err();
        assert!(e.message.contains("`title`"), "{}", e.message);
    }

    #[test]
    fn field_positions_point_at_values() {
        assert_eq!(field_position(EXAMPLE, "status"), Some((5, 9)));
        assert_eq!(field_position(EXAMPLE, "votes"), None);
    }

    fn word() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z][a-z0-9_.-]{0,12}",
            "[ -~]{1,20}",
            "\\PC{1,12}",
            Just("true".to_owned()),
            Just("12".to_owned()),
            Just("- x".to_owned()),
            Just("a: b #c".to_owned()),
        ]
        .prop_filter("non-empty", |s| !s.is_empty())
    }

    fn ts() -> impl Strategy<Value = Timestamp> {
        (0i64..4_000_000_000).prop_map(|s| Timestamp::from_second(s).unwrap())
    }

    fn scalar() -> impl Strategy<Value = Value> {
        prop_oneof![
            word().prop_map(Value::String),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            Just(Value::Null),
        ]
    }

    fn extra_value() -> impl Strategy<Value = Value> {
        scalar().prop_recursive(2, 8, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                prop::collection::vec(("[a-z]{1,6}", inner), 0..3)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    /// Unknown fields are anchored to the known field printed before them; these
    /// are printed in every file, so an anchor on them reads back the same.
    const ALWAYS_PRINTED: &[&str] = &[
        "id", "title", "type", "status", "priority", "created", "updated",
    ];

    prop_compose! {
        fn arb_issue()(
            id in "[0-9A-Z]{26}",
            title in word().prop_filter("a title has text", |t| !t.trim().is_empty()),
            kind in word(),
            status in word(),
            priority in word(),
            severity in proptest::option::of(word()),
            labels in prop::collection::vec(word(), 0..4),
            milestone in proptest::option::of(word()),
            assignee in proptest::option::of(word()),
            commits in prop::collection::vec("[0-9a-f]{40}", 0..3),
            related in prop::collection::vec(word(), 0..2),
            confidential in any::<bool>(),
            votes in 0u64..1000,
            created in ts(),
            updated in ts(),
            resolved in proptest::option::of(ts()),
            extra in prop::collection::vec(
                (prop::sample::select(ALWAYS_PRINTED), "x-[a-z]{1,8}", extra_value()), 0..3),
            body in "(\\PC{0,40}\n){0,4}",
        ) -> Issue {
            let mut i = Issue::new(id, title, kind, status, priority, created);
            i.severity = severity;
            i.labels = labels;
            i.milestone = milestone;
            i.assignee = assignee;
            i.commits = commits;
            i.related = related;
            i.confidential = confidential;
            i.votes = votes;
            i.updated = updated;
            i.resolved = resolved;
            let mut seen = std::collections::HashSet::new();
            i.extra = extra
                .into_iter()
                .filter(|(_, n, _)| seen.insert(n.clone()))
                .map(|(after, name, value)| Extra { after: Some(after), name, value })
                .collect();
            // Canonical order: unknown fields in the order they are printed.
            i.extra.sort_by_key(|e| FIELDS.iter().position(|f| Some(*f) == e.after));
            i.body = yaml::normalize_body(&body);
            i
        }
    }

    proptest! {
        #[test]
        fn parse_of_print_is_identity(issue in arb_issue()) {
            let text = issue.print();
            let back = Issue::parse(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            prop_assert_eq!(back, issue);
        }

        #[test]
        fn json_round_trip_is_identity(issue in arb_issue()) {
            prop_assert_eq!(Issue::from_json(&issue.to_json()), Ok(issue));
        }

        #[test]
        fn print_of_parse_is_stable(issue in arb_issue(), noise in "[a-z]{0,3}") {
            // A hand-edited variant: fields out of order, explicit nulls.
            let text = issue.print().replacen("---\n", &format!("---\nzz-{noise}: null\n"), 1);
            let once = Issue::parse(&text).unwrap().print();
            let twice = Issue::parse(&once).unwrap().print();
            prop_assert_eq!(once, twice);
        }
    }
}
