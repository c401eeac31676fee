//! Changes to one issue as values: what `set` assigns, how a change reads in a
//! commit message, and how an editor's result lands on an issue that may have
//! moved on meanwhile. Pure: no store, no files. Which fields there are and
//! how each is set and described is the field table's
//! ([`crate::format::fields`]).

use std::str::FromStr;

use jiff::Timestamp;

use crate::format::fields::{self, Describe, FIELDS, FieldSpec, Kind, Set, Val, Value};
use crate::format::{Config, Issue, Key};

/// One word of `git issue set`: `field=value`, `+label` or `-label`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assignment {
    Set { field: String, value: String },
    AddLabel(String),
    RemoveLabel(String),
}

/// The names of the fields `set` can change, in table order.
pub fn settable_names() -> Vec<&'static str> {
    fields::settable().map(|f| f.name).collect()
}

impl FromStr for Assignment {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(label) = s.strip_prefix('+') {
            let label = non_empty(label)?;
            check_label(&label)?;
            return Ok(Assignment::AddLabel(label));
        }
        if let Some(label) = s.strip_prefix('-') {
            return non_empty(label).map(Assignment::RemoveLabel);
        }
        let Some((field, value)) = s.split_once('=') else {
            return Err(format!("{s:?} is not field=value, +label or -label"));
        };
        let field = field.trim();
        if fields::field(field).is_none_or(|f| f.set == Set::No) {
            return Err(format!(
                "{field:?} is not a field set can change; these can: {}",
                settable_names().join(", ")
            ));
        }
        Ok(Assignment::Set {
            field: field.to_owned(),
            value: value.trim().to_owned(),
        })
    }
}

/// The rule for a label's name (issue-format.md, "Labels"): one word that
/// starts with a letter or a digit; no spaces, commas or controls, so that
/// `label:NAME` and `labels=a,b` can always name it. `Err` says why not.
pub fn check_label(name: &str) -> Result<(), String> {
    let first_ok = name.chars().next().is_some_and(char::is_alphanumeric);
    let bad = name
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || matches!(c, ',' | '"' | '\''));
    if !first_ok || bad.is_some() || name.chars().count() > 50 {
        return Err(format!(
            "{name:?} cannot be a label: a label is one word of at most 50 characters that starts with a letter or a digit, without spaces, commas or quotes"
        ));
    }
    Ok(())
}

fn non_empty(label: &str) -> Result<String, String> {
    let label = label.trim();
    if label.is_empty() {
        Err("a label needs a name".to_owned())
    } else {
        Ok(label.to_owned())
    }
}

impl Assignment {
    /// Applies the assignment; the value is checked against `tracker.yml` by
    /// the tracker before anything is written.
    pub fn apply(&self, issue: &mut Issue, config: &Config, now: Timestamp) -> Result<(), String> {
        match self {
            Assignment::AddLabel(l) => add(&mut issue.labels, l),
            Assignment::RemoveLabel(l) => issue.labels.retain(|x| x != l),
            Assignment::Set { field, value } => {
                let spec = fields::field(field)
                    .filter(|f| f.set != Set::No)
                    .ok_or_else(|| format!("{field:?} cannot be set"))?;
                let parsed = parse_setting(spec, value)?;
                // Entering or leaving a closed status stamps `resolved`: a
                // rule of the workflow, not of the field.
                if spec.name == "status" {
                    set_status(issue, value, config, now);
                } else {
                    issue.put(spec, parsed);
                }
            }
        }
        Ok(())
    }
}

/// What `set NAME=VALUE` means for a field of each kind. An empty value
/// clears an optional field.
fn parse_setting(spec: &FieldSpec, value: &str) -> Result<Value, String> {
    let name = spec.name;
    let item = |s: &str| match spec.set {
        Set::Keys => normal_key(s),
        _ => s.to_owned(),
    };
    Ok(match spec.kind {
        Kind::Text if value.is_empty() => return Err(format!("the {name} cannot be empty")),
        Kind::Text => Value::Text(item(value)),
        Kind::Optional => Value::Optional((!value.is_empty()).then(|| item(value))),
        Kind::List => {
            let mut out = Vec::new();
            for x in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                if name == "labels" {
                    check_label(x)?;
                }
                add(&mut out, &item(x));
            }
            Value::List(out)
        }
        Kind::Flag => Value::Flag(match value {
            "true" | "yes" => true,
            "false" | "no" | "" => false,
            _ => return Err(format!("{name} is true or false, not {value:?}")),
        }),
        Kind::Count => Value::Count(
            value
                .parse()
                .map_err(|_| format!("{name} is a whole number, not {value:?}"))?,
        ),
        Kind::Time | Kind::OptionalTime => {
            let t = crate::format::parse_timestamp(value);
            match (spec.kind, t) {
                (Kind::OptionalTime, _) if value.is_empty() => Value::OptionalTime(None),
                (_, Some(t)) if spec.kind == Kind::Time => Value::Time(t),
                (_, Some(t)) => Value::OptionalTime(Some(t)),
                _ => {
                    return Err(format!(
                        "{name} is a time like 2026-01-31T09:30:00Z, not {value:?}"
                    ));
                }
            }
        }
        Kind::Map => {
            let mut map = std::collections::BTreeMap::new();
            for pair in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let (k, v) = pair
                    .split_once('=')
                    .ok_or_else(|| format!("{name} takes name=value pairs, not {pair:?}"))?;
                map.insert(k.trim().to_owned(), v.trim().to_owned());
            }
            Value::Map(map)
        }
    })
}

fn normal_key(s: &str) -> String {
    s.parse::<Key>()
        .map_or_else(|_| s.to_owned(), |k| k.to_string())
}

fn add(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|x| x == item) {
        list.push(item.to_owned());
    }
}

/// Sets the status; entering a closed status stamps `resolved`, leaving the
/// closed ones clears it.
pub fn set_status(issue: &mut Issue, status: &str, config: &Config, now: Timestamp) {
    let was_closed = config.is_closed(&issue.status);
    issue.status = status.to_owned();
    match (was_closed, config.is_closed(status)) {
        (false, true) => issue.resolved = Some(now),
        (_, false) => issue.resolved = None,
        (true, true) => {}
    }
}

/// How a change reads in a commit message: `status open -> resolved`,
/// `labels +ui -auth`. Empty when nothing a person would notice changed.
pub fn describe_changes(old: &Issue, new: &Issue) -> Vec<String> {
    let mut out = Vec::new();
    let status_changed = old.status != new.status;
    for spec in FIELDS {
        let (a, b) = (old.get(spec), new.get(spec));
        if a == b {
            continue;
        }
        let name = spec.name;
        match spec.describe {
            Describe::Silent => {}
            Describe::Changed => out.push(format!("{name} changed")),
            Describe::FollowsStatus if status_changed => {}
            Describe::FollowsStatus => out.push(format!("{name} changed")),
            Describe::Value | Describe::Abbreviated(_) => {
                let width = match spec.describe {
                    Describe::Abbreviated(n) => n,
                    _ => usize::MAX,
                };
                out.push(format!("{name} {}", describe_value(a, b, width)));
            }
        }
    }
    if old.body != new.body {
        out.push("description edited".to_owned());
    }
    if old.extra != new.extra {
        out.push("other fields edited".to_owned());
    }
    out
}

/// `open -> resolved`, `+ui -auth`, `true`.
fn describe_value(a: Val<'_>, b: Val<'_>, width: usize) -> String {
    let show = |v: Val<'_>| match v.to_text() {
        None => "(none)".to_owned(),
        Some(v) if v.contains(' ') || v.is_empty() => format!("{v:?}"),
        Some(v) => v,
    };
    match (a, b) {
        (Val::List(a), Val::List(b)) => {
            let short = |s: &str| -> String { s.chars().take(width).collect() };
            let mut parts: Vec<String> = b
                .iter()
                .filter(|x| !a.contains(x))
                .map(|x| format!("+{}", short(x)))
                .collect();
            parts.extend(
                a.iter()
                    .filter(|x| !b.contains(x))
                    .map(|x| format!("-{}", short(x))),
            );
            if parts.is_empty() {
                parts.push("reordered".to_owned());
            }
            parts.join(" ")
        }
        (_, Val::Flag(b)) => b.to_string(),
        (a, b) => format!("{} -> {}", show(a), show(b)),
    }
}

/// Lands an editor's result on the issue as it is now: each field the user
/// changed (from `base`, the issue as it was opened, to `edited`) is set on
/// `current`; lists take the user's additions and removals, so an entry
/// added meanwhile by someone else (a commit linked by a hook) stays.
pub fn merge_edit(base: &Issue, edited: &Issue, current: &mut Issue) {
    for spec in FIELDS {
        let (b, e) = (base.get(spec), edited.get(spec));
        match (b, e, current.get(spec)) {
            (Val::List(b), Val::List(e), Val::List(c)) => {
                let mut merged: Vec<String> = c
                    .iter()
                    .filter(|x| !b.contains(x) || e.contains(x))
                    .cloned()
                    .collect();
                for x in e {
                    if !b.contains(x) && !merged.contains(x) {
                        merged.push(x.clone());
                    }
                }
                current.put(spec, Value::List(merged));
            }
            _ if b != e => current.put(spec, e.to_value()),
            _ => {}
        }
    }
    if edited.body != base.body {
        current.body.clone_from(&edited.body);
    }
    if edited.extra != base.extra {
        current.extra.clone_from(&edited.extra);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue() -> Issue {
        let t = Timestamp::from_second(1_700_000_000).unwrap();
        Issue::new(
            "01".into(),
            "Crash".into(),
            "bug".into(),
            "open".into(),
            "p2".into(),
            t,
        )
    }

    #[test]
    fn set_words_parse() {
        assert_eq!(
            "status=resolved".parse(),
            Ok(Assignment::Set {
                field: "status".into(),
                value: "resolved".into()
            })
        );
        assert_eq!("+ui".parse(), Ok(Assignment::AddLabel("ui".into())));
        assert!(
            "colour=red"
                .parse::<Assignment>()
                .unwrap_err()
                .contains("these can")
        );
    }

    #[test]
    fn closing_stamps_resolved_and_reopening_clears_it() {
        let config = Config::default();
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let mut i = issue();
        set_status(&mut i, "wont_fix", &config, now);
        assert_eq!(i.resolved, Some(now));
        set_status(&mut i, "open", &config, now);
        assert_eq!(i.resolved, None);
    }

    #[test]
    fn changes_read_as_a_message() {
        let old = issue();
        let mut new = old.clone();
        new.status = "resolved".into();
        new.labels = vec!["ui".into()];
        assert_eq!(
            describe_changes(&old, &new),
            ["status open -> resolved", "labels +ui"]
        );
    }

    #[test]
    fn an_edit_keeps_what_others_added_meanwhile() {
        let base = issue();
        let mut edited = base.clone();
        edited.title = "Crash on start".into();
        edited.labels.push("ui".into());
        let mut current = base.clone();
        current.commits.push("abc".into());
        current.priority = "p0".into();
        merge_edit(&base, &edited, &mut current);
        assert_eq!(current.title, "Crash on start");
        assert_eq!(current.labels, ["ui"]);
        assert_eq!(current.commits, ["abc"]);
        assert_eq!(current.priority, "p0");
    }
}
