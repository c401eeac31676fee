//! Issue files: front matter with the fields of `issue-format.md`, then the
//! Markdown description. Which fields there are, and how each is read and
//! written, is [`super::fields`]'s table; this module walks it.

mod json;

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde_json::Value;

use super::fields::{self, FIELDS, FieldSpec, Kind, Val, Value as FieldValue};
use super::yaml::{self, Pair, Printer};
use super::{ParseError, format_timestamp, parse_timestamp};

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
/// Each member is described by its row of [`FIELDS`], which every reader and
/// writer walks.
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
    /// The fields of the table that have no member of their own, by name,
    /// and the computed values (`fields::COMPUTED`) when they were read with
    /// the issue; an empty value is never kept.
    pub more: BTreeMap<&'static str, FieldValue>,
    pub extra: Vec<Extra>,
    pub body: String,
}

impl Issue {
    /// An issue with every field empty, to be filled field by field (a
    /// stored issue read back, a copy made through the field table).
    pub(crate) fn blank() -> Self {
        Issue::new(
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            Timestamp::UNIX_EPOCH,
        )
    }

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
            more: BTreeMap::new(),
            extra: Vec::new(),
            body: String::new(),
        }
    }

    /// The value of a field by its row.
    pub fn get(&self, field: &FieldSpec) -> Val<'_> {
        match field.get {
            Some(get) => get(self),
            None => self
                .more
                .get(field.name)
                .map_or(Val::empty(field.kind), FieldValue::as_val),
        }
    }

    /// Sets a field by its row.
    pub fn put(&mut self, field: &'static FieldSpec, value: FieldValue) {
        match field.put {
            Some(put) => put(self, value),
            None if value.as_val().is_empty() => {
                self.more.remove(field.name);
            }
            None => {
                self.more.insert(field.name, value);
            }
        }
    }

    /// The `id` an issue file's text holds, read without parsing the rest:
    /// enough to tell which issue a version of a file was.
    pub fn id_in(text: &str) -> Option<&str> {
        let mut lines = text.lines();
        if lines.next()?.trim_end() != "---" {
            return None;
        }
        for line in lines {
            if line.trim_end() == "---" {
                return None;
            }
            if let Some(value) = line.strip_prefix("id:") {
                return Some(value.trim().trim_matches(['"', '\'']));
            }
        }
        None
    }

    /// Reads an issue file.
    pub fn parse(text: &str) -> Result<Issue, ParseError> {
        let doc = yaml::parse_document(text)?;
        let mut b = Builder::default();
        for field in doc.fields {
            b.take(&field)?;
        }
        b.finish(doc.body)
    }

    /// Writes the issue in canonical form: known fields in table order,
    /// empty ones left out, unknown fields where they were.
    pub fn print(&self) -> String {
        let mut w = Printer::new();
        self.print_extras(&mut w, None);
        for spec in FIELDS {
            let v = self.get(spec);
            if !v.is_empty() {
                match v {
                    Val::Text(s) | Val::Optional(Some(s)) => w.scalar(spec.name, s),
                    Val::List(items) => w.list(spec.name, items),
                    Val::Flag(b) => w.raw(spec.name, &b.to_string()),
                    Val::Count(n) => w.raw(spec.name, &n.to_string()),
                    Val::Time(t) | Val::OptionalTime(Some(t)) => {
                        w.raw(spec.name, &format_timestamp(t))
                    }
                    Val::Map(_) => w.value(spec.name, &v.to_json()),
                    Val::Optional(None) | Val::OptionalTime(None) => {}
                }
            }
            self.print_extras(&mut w, Some(spec.name));
        }
        w.finish(&self.body)
    }

    fn print_extras(&self, w: &mut Printer, after: Option<&'static str>) {
        for e in self.extra.iter().filter(|e| e.after == after) {
            w.value(&e.name, &e.value);
        }
    }

    /// The value of a known field as text, for messages and filters; lists are
    /// joined with `, `.
    pub fn field_text(&self, name: &str) -> Option<String> {
        self.get(fields::field(name)?).to_text()
    }
}

/// Collects fields as they are read, in file order.
struct Builder {
    issue: Issue,
    seen: Vec<bool>,
    last_known: Option<&'static str>,
}

impl Default for Builder {
    fn default() -> Self {
        let blank = Issue::blank();
        Builder {
            issue: blank,
            seen: vec![false; FIELDS.len()],
            last_known: None,
        }
    }
}

impl Builder {
    fn take(&mut self, f: &Pair) -> Result<(), ParseError> {
        let Some(i) = FIELDS.iter().position(|s| s.name == f.name) else {
            self.issue.extra.push(Extra {
                after: self.last_known,
                name: f.name.clone(),
                value: f.value.clone(),
            });
            return Ok(());
        };
        let spec = &FIELDS[i];
        match Issue::read_value(spec, f)? {
            Some(value) => {
                self.issue.put(spec, value);
                self.seen[i] = true;
            }
            // Given, but empty: say so where it is, not "missing".
            None if spec.required() => {
                return Err(ParseError::new(
                    f.line,
                    f.column.max(1),
                    format!("the field `{}` is empty", spec.name),
                ));
            }
            None => {}
        }
        self.last_known = Some(spec.name);
        Ok(())
    }

    fn finish(mut self, body: String) -> Result<Issue, ParseError> {
        for (spec, seen) in FIELDS.iter().zip(&self.seen) {
            if spec.required() && !seen {
                return Err(ParseError::new(
                    2,
                    1,
                    format!("the field `{}` is missing", spec.name),
                ));
            }
        }
        if self.issue.title.trim().is_empty() {
            return Err(ParseError::new(2, 1, "the field `title` is empty"));
        }
        self.issue.body = body;
        Ok(self.issue)
    }
}

impl Issue {
    /// A field's value as its kind reads it from YAML. `None` is "not
    /// given" (null, or empty text), which a required field reports as
    /// missing.
    pub fn read_value(spec: &FieldSpec, f: &Pair) -> Result<Option<FieldValue>, ParseError> {
        let name = spec.name;
        Ok(match spec.kind {
            Kind::Text => text(f)?.map(FieldValue::Text),
            Kind::Optional => Some(FieldValue::Optional(text(f)?)),
            Kind::List => Some(FieldValue::List(strings(f)?)),
            Kind::Flag => Some(FieldValue::Flag(match &f.value {
                Value::Bool(b) => *b,
                Value::Null => false,
                _ => return Err(ParseError::at(f, format!("`{name}` must be true or false"))),
            })),
            Kind::Count => Some(FieldValue::Count(match &f.value {
                Value::Number(n) if n.as_u64().is_some() => n.as_u64().unwrap_or(0),
                Value::Null => 0,
                _ => {
                    return Err(ParseError::at(
                        f,
                        format!("`{name}` must be a whole number"),
                    ));
                }
            })),
            Kind::Time => timestamp(f)?.map(FieldValue::Time),
            Kind::OptionalTime => Some(FieldValue::OptionalTime(timestamp(f)?)),
            Kind::Map => Some(FieldValue::Map(map(f)?)),
        })
    }
}

/// A scalar as text. Numbers and booleans are read as the text they were
/// written as, so `milestone: 2` is milestone "2"; null and `""` mean unset.
fn text(f: &Pair) -> Result<Option<String>, ParseError> {
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

fn plain(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn strings(f: &Pair) -> Result<Vec<String>, ParseError> {
    match &f.value {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .iter()
            .map(|v| {
                plain(v).ok_or_else(|| {
                    ParseError::at(f, format!("`{}` must be a list of plain values", f.name))
                })
            })
            .collect(),
        Value::String(s) => Ok(vec![s.clone()]),
        _ => Err(ParseError::at(f, format!("`{}` must be a list", f.name))),
    }
}

fn map(f: &Pair) -> Result<BTreeMap<String, String>, ParseError> {
    match &f.value {
        Value::Null => Ok(BTreeMap::new()),
        Value::Object(entries) => entries
            .iter()
            .map(|(k, v)| {
                plain(v).map(|v| (k.clone(), v)).ok_or_else(|| {
                    ParseError::at(
                        f,
                        format!(
                            "`{}.{k}` must be a single value, not a list or mapping",
                            f.name
                        ),
                    )
                })
            })
            .collect(),
        _ => Err(ParseError::at(
            f,
            format!("`{}` must be a mapping of names to values", f.name),
        )),
    }
}

fn timestamp(f: &Pair) -> Result<Option<Timestamp>, ParseError> {
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
            category in proptest::option::of(word()),
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
            if let Some(c) = category {
                i.put(fields::named("category"), FieldValue::Optional(Some(c)));
            }
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
            i.extra.sort_by_key(|e| FIELDS.iter().position(|f| Some(f.name) == e.after));
            i.body = yaml::normalize_body(&body);
            i
        }
    }

    #[test]
    fn json_text_that_is_no_issue_is_refused_as_the_map_is() {
        for text in [
            r#"{"title": "", "status": "open"}"#,
            r#"{"title": "A", "body": 3}"#,
            r#"[1, 2]"#,
            r#"{"title": "A""#,
            r#"{"title": "A"} trailing"#,
        ] {
            let by_map = serde_json::from_str::<serde_json::Map<String, Value>>(text)
                .map_err(|e| e.to_string())
                .and_then(Issue::from_json_owned);
            assert!(by_map.is_err(), "{text}");
            assert!(Issue::from_json_str(text).is_err(), "{text}");
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
            prop_assert_eq!(Issue::from_json(&issue.to_json()), Ok(issue.clone()));
            let text = Value::Object(issue.to_json()).to_string();
            prop_assert_eq!(Issue::from_json_str(&text), Ok(issue));
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
