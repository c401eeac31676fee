//! `doctor`: every file on the branch checked, each problem with its path,
//! line and column; and the checks of values against `tracker.yml` that
//! writes share.

use std::collections::HashMap;

use super::{Problem, Result, Tracker};
use crate::format::config::Vocabulary;
use crate::format::issue::field_position;
use crate::format::layout::{self, BranchPath, Part};
use crate::format::{Comment, Config, Issue, ParseError};

impl Tracker {
    /// Checks every file on the branch.
    pub fn doctor(&self) -> Result<Vec<Problem>> {
        let snap = self.snapshot()?;
        let mut problems = Vec::new();
        let config = match snap.read(layout::CONFIG)? {
            None => {
                problems.push(Problem::whole(
                    layout::CONFIG,
                    "the file is missing; the defaults apply",
                ));
                Config::default()
            }
            Some(text) => Config::parse(&text).unwrap_or_else(|e| {
                problems.push(Problem::new(layout::CONFIG, e));
                Config::default()
            }),
        };
        let mut ids: HashMap<String, String> = HashMap::new();
        let wanted = |p: &str| {
            matches!(
                BranchPath::parse(p),
                BranchPath::Issue(_) | BranchPath::InIssue(_, Part::Comment(_))
            )
        };
        for (path, bytes) in snap.files(layout::ISSUES, wanted)? {
            let what = BranchPath::parse(&path);
            let Some(bytes) = bytes else {
                if let BranchPath::Other(_) = what
                    && path.ends_with(".md")
                    && path.matches('/').count() == 2
                {
                    problems.push(Problem::whole(
                        &path,
                        "the file name is not an issue key like BC-12.md",
                    ));
                }
                continue;
            };
            let Ok(text) = String::from_utf8(bytes) else {
                problems.push(Problem::whole(&path, "the file is not UTF-8 text"));
                continue;
            };
            match what {
                BranchPath::Issue(key) => {
                    if layout::issue_file(&key) != path {
                        problems.push(Problem::whole(
                            &path,
                            format!(
                                "{key} belongs in {}/",
                                layout::bucket_dir(layout::bucket(key.number))
                            ),
                        ));
                    }
                    match Issue::parse(&text) {
                        Ok(issue) => {
                            problems.extend(value_problems(&issue, &text, &config, &path));
                            if let Some(other) = ids.insert(issue.id.clone(), path.clone()) {
                                problems.push(Problem::new(
                                    &path,
                                    ParseError::new(
                                        field_position(&text, "id").map_or(2, |p| p.0),
                                        1,
                                        format!("the id {} is also the id of {other}", issue.id),
                                    ),
                                ));
                            }
                        }
                        Err(e) => problems.push(Problem::new(&path, e)),
                    }
                }
                BranchPath::InIssue(_, Part::Comment(_)) => {
                    if let Err(e) = Comment::parse(&text) {
                        problems.push(Problem::new(&path, e));
                    }
                }
                _ => {}
            }
        }
        Ok(problems)
    }
}

/// Checks the values `tracker.yml` lists. With `old`, only fields that
/// changed are checked, so an issue whose status a newer `tracker.yml` no
/// longer lists can still get a comment or a label.
pub(super) fn check_values(
    issue: &Issue,
    config: &Config,
    old: Option<&Issue>,
) -> Result<(), String> {
    let checks = [
        (
            Vocabulary::Status,
            Some(&issue.status),
            old.map(|o| &o.status),
        ),
        (Vocabulary::Type, Some(&issue.kind), old.map(|o| &o.kind)),
        (
            Vocabulary::Priority,
            Some(&issue.priority),
            old.map(|o| &o.priority),
        ),
        (
            Vocabulary::Severity,
            issue.severity.as_ref(),
            old.and_then(|o| o.severity.as_ref()),
        ),
    ];
    for (vocab, value, before) in checks {
        if let Some(v) = value
            && (old.is_none() || before != Some(v))
        {
            config.check(vocab, v)?;
        }
    }
    Ok(())
}

pub(super) fn value_problems(
    issue: &Issue,
    text: &str,
    config: &Config,
    path: &str,
) -> Vec<Problem> {
    let mut out = Vec::new();
    let fields = [
        (Vocabulary::Status, Some(&issue.status)),
        (Vocabulary::Type, Some(&issue.kind)),
        (Vocabulary::Priority, Some(&issue.priority)),
        (Vocabulary::Severity, issue.severity.as_ref()),
    ];
    for (vocab, value) in fields {
        if let Some(v) = value
            && let Err(msg) = config.check(vocab, v)
        {
            let (line, column) = field_position(text, vocab.field()).unwrap_or((1, 1));
            out.push(Problem {
                path: path.to_owned(),
                line,
                column,
                message: msg,
            });
        }
    }
    if issue.body.lines().any(|l| l.starts_with("<<<<<<< ")) {
        let line = text
            .lines()
            .position(|l| l.starts_with("<<<<<<< "))
            .map_or(1, |i| i + 1);
        out.push(Problem {
            path: path.to_owned(),
            line,
            column: 1,
            message: "the description has unresolved conflict markers".to_owned(),
        });
    }
    out
}
