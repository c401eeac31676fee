//! `doctor`: every file on the branch checked, each problem with its path,
//! line and column; and the checks of values against `tracker.yml` that
//! writes share.

use std::collections::HashMap;

use super::{Problem, Result, Tracker};
use crate::format::config::Vocabulary;
use crate::format::fields::{FIELDS, FieldSpec};
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
                BranchPath::Issue(_)
                    | BranchPath::InIssue(_, Part::Comment(_) | Part::Occurrence(_))
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
                BranchPath::InIssue(_, Part::Occurrence(_)) => {
                    if let Err(e) = crate::format::occurrence::Occurrences::parse(&text) {
                        problems.push(Problem::new(&path, e));
                    }
                }
                _ => {}
            }
        }
        Ok(problems)
    }
}

/// The values of the fields whose values `tracker.yml` lists.
fn listed_values(issue: &Issue) -> impl Iterator<Item = (&'static FieldSpec, Vocabulary, &str)> {
    FIELDS.iter().filter_map(move |f| {
        let vocab = f.vocabulary?;
        let value = issue.get(f).texts().into_iter().next()?;
        Some((f, vocab, value))
    })
}

/// Checks the values `tracker.yml` lists. With `old`, only fields that
/// changed are checked, so an issue whose status a newer `tracker.yml` no
/// longer lists can still get a comment or a label.
pub(super) fn check_values(
    issue: &Issue,
    config: &Config,
    old: Option<&Issue>,
) -> Result<(), String> {
    for (f, vocab, value) in listed_values(issue) {
        let before = old.map(|o| o.get(f));
        if before.is_none_or(|b| b != issue.get(f)) {
            config.check(vocab, value)?;
        }
    }
    Ok(())
}

/// What `doctor` says of an issue's values, at their lines in `text`.
pub(super) fn value_problems(
    issue: &Issue,
    text: &str,
    config: &Config,
    path: &str,
) -> Vec<Problem> {
    let mut out = Vec::new();
    for (f, vocab, value) in listed_values(issue) {
        if let Err(msg) = config.check(vocab, value) {
            let (line, column) = field_position(text, f.name).unwrap_or((1, 1));
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
