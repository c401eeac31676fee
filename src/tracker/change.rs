//! Changes to one issue as values: what `set` assigns, how a change reads in a
//! commit message, and how an editor's result lands on an issue that may have
//! moved on meanwhile. Pure: no store, no files.

use std::str::FromStr;

use jiff::Timestamp;

use crate::format::{Config, Issue, Key};

/// One word of `git issue set`: `field=value`, `+label` or `-label`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assignment {
    Set { field: String, value: String },
    AddLabel(String),
    RemoveLabel(String),
}

/// The fields `set` can change, in the order help lists them.
pub const SETTABLE: &[&str] = &[
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
    "duplicate_of",
    "related",
    "prs",
    "confidential",
    "votes",
];

impl FromStr for Assignment {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(label) = s.strip_prefix('+') {
            return non_empty(label).map(Assignment::AddLabel);
        }
        if let Some(label) = s.strip_prefix('-') {
            return non_empty(label).map(Assignment::RemoveLabel);
        }
        let Some((field, value)) = s.split_once('=') else {
            return Err(format!("{s:?} is not field=value, +label or -label"));
        };
        let field = field.trim();
        if !SETTABLE.contains(&field) {
            return Err(format!(
                "{field:?} is not a field set can change; these can: {}",
                SETTABLE.join(", ")
            ));
        }
        Ok(Assignment::Set {
            field: field.to_owned(),
            value: value.trim().to_owned(),
        })
    }
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
                let opt = || (!value.is_empty()).then(|| value.clone());
                let list = || -> Vec<String> {
                    let mut out = Vec::new();
                    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                        add(&mut out, item);
                    }
                    out
                };
                match field.as_str() {
                    "title" if value.is_empty() => return Err("the title cannot be empty".into()),
                    "title" => issue.title = value.clone(),
                    "type" => issue.kind = value.clone(),
                    "status" => set_status(issue, value, config, now),
                    "priority" => issue.priority = value.clone(),
                    "severity" => issue.severity = opt(),
                    "labels" => issue.labels = list(),
                    "milestone" => issue.milestone = opt(),
                    "assignee" => issue.assignee = opt(),
                    "reporter" => issue.reporter = opt(),
                    "component" => issue.component = opt(),
                    "duplicate_of" => issue.duplicate_of = opt().map(|k| normal_key(&k)),
                    "related" => issue.related = list().iter().map(|k| normal_key(k)).collect(),
                    "prs" => issue.prs = list(),
                    "confidential" => {
                        issue.confidential = match value.as_str() {
                            "true" | "yes" => true,
                            "false" | "no" | "" => false,
                            _ => {
                                return Err(format!(
                                    "confidential is true or false, not {value:?}"
                                ));
                            }
                        }
                    }
                    "votes" => {
                        issue.votes = value
                            .parse()
                            .map_err(|_| format!("votes is a whole number, not {value:?}"))?
                    }
                    other => return Err(format!("{other:?} cannot be set")),
                }
            }
        }
        Ok(())
    }
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
    let scalars: [(&str, Option<&str>, Option<&str>); 11] = [
        ("title", Some(&old.title), Some(&new.title)),
        ("type", Some(&old.kind), Some(&new.kind)),
        ("status", Some(&old.status), Some(&new.status)),
        ("priority", Some(&old.priority), Some(&new.priority)),
        ("severity", old.severity.as_deref(), new.severity.as_deref()),
        (
            "milestone",
            old.milestone.as_deref(),
            new.milestone.as_deref(),
        ),
        ("assignee", old.assignee.as_deref(), new.assignee.as_deref()),
        ("reporter", old.reporter.as_deref(), new.reporter.as_deref()),
        (
            "component",
            old.component.as_deref(),
            new.component.as_deref(),
        ),
        (
            "duplicate_of",
            old.duplicate_of.as_deref(),
            new.duplicate_of.as_deref(),
        ),
        ("id", Some(&old.id), Some(&new.id)),
    ];
    for (name, a, b) in scalars {
        if a != b {
            let show = |v: Option<&str>| match v {
                None => "(none)".to_owned(),
                Some(v) if v.contains(' ') || v.is_empty() => format!("{v:?}"),
                Some(v) => v.to_owned(),
            };
            out.push(format!("{name} {} -> {}", show(a), show(b)));
        }
    }
    let lists = [
        ("labels", &old.labels, &new.labels),
        ("commits", &old.commits, &new.commits),
        ("prs", &old.prs, &new.prs),
        ("related", &old.related, &new.related),
        ("aliases", &old.aliases, &new.aliases),
    ];
    for (name, a, b) in lists {
        if a == b {
            continue;
        }
        let short = |s: &str| -> String {
            if name == "commits" {
                s.chars().take(12).collect()
            } else {
                s.to_owned()
            }
        };
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
        out.push(format!("{name} {}", parts.join(" ")));
    }
    if old.confidential != new.confidential {
        out.push(format!("confidential {}", new.confidential));
    }
    if old.votes != new.votes {
        out.push(format!("votes {} -> {}", old.votes, new.votes));
    }
    if old.created != new.created {
        out.push("created changed".to_owned());
    }
    if old.resolved != new.resolved && old.status == new.status {
        out.push("resolved changed".to_owned());
    }
    if old.body != new.body {
        out.push("description edited".to_owned());
    }
    if old.extra != new.extra {
        out.push("other fields edited".to_owned());
    }
    out
}

/// Lands an editor's result on the issue as it is now: each field the user
/// changed (from `base`, the issue as it was opened, to `edited`) is set on
/// `current`; lists take the user's additions and removals, so an entry
/// added meanwhile by someone else (a commit linked by a hook) stays.
pub fn merge_edit(base: &Issue, edited: &Issue, current: &mut Issue) {
    macro_rules! field {
        ($f:ident) => {
            if edited.$f != base.$f {
                current.$f = edited.$f.clone();
            }
        };
    }
    field!(id);
    field!(title);
    field!(kind);
    field!(status);
    field!(priority);
    field!(severity);
    field!(milestone);
    field!(assignee);
    field!(reporter);
    field!(component);
    field!(duplicate_of);
    field!(confidential);
    field!(votes);
    field!(created);
    field!(resolved);
    field!(body);
    field!(extra);
    for (b, e, c) in [
        (&base.labels, &edited.labels, &mut current.labels),
        (&base.commits, &edited.commits, &mut current.commits),
        (&base.prs, &edited.prs, &mut current.prs),
        (&base.related, &edited.related, &mut current.related),
        (&base.aliases, &edited.aliases, &mut current.aliases),
    ] {
        c.retain(|x| !b.contains(x) || e.contains(x));
        for x in e {
            if !b.contains(x) && !c.contains(x) {
                c.push(x.clone());
            }
        }
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
