//! `doctor`: every file on the branch checked, each problem with its path,
//! line and column; and the checks of values against `tracker.yml` that
//! writes share.

use std::collections::{HashMap, HashSet};

use super::{Error, Problem, Result, Tracker};
use crate::format::config::Vocabulary;
use crate::format::fields::{FIELDS, FieldSpec};
use crate::format::issue::field_position;
use crate::format::layout::{self, BranchPath, Part};
use crate::format::{Comment, Config, Issue, Key, ParseError, control_char};
use crate::store::{Change, Edit};

impl Tracker {
    /// Checks every file on the branch.
    pub fn doctor(&self) -> Result<Vec<Problem>> {
        let snap = self.snapshot()?;
        let mut problems = Vec::new();
        let config = match snap.read(layout::CONFIG) {
            Ok(None) => {
                problems.push(Problem::whole(
                    layout::CONFIG,
                    "the file is missing; the defaults apply",
                ));
                Config::default()
            }
            Ok(Some(text)) => match Config::parse(&text) {
                Ok(c) => {
                    problems.extend(
                        c.doubts(&text)
                            .into_iter()
                            .map(|e| Problem::new(layout::CONFIG, e)),
                    );
                    c
                }
                Err(e) => {
                    problems.push(Problem::new(layout::CONFIG, e));
                    Config::default()
                }
            },
            Err(e) => {
                problems.push(Problem::whole(layout::CONFIG, e.to_string()));
                Config::default()
            }
        };
        // The branch HEAD is on counts though it has no commit yet: the
        // first commit of a new repository makes it.
        if !self.store.has_branch(&config.main_branch)
            && self.store.head_branch().as_deref() != Some(config.main_branch.as_str())
        {
            problems.push(Problem::new(
                layout::CONFIG,
                ParseError::new(
                    field_line(&snap, "main_branch"),
                    1,
                    format!(
                        "main_branch {:?} names no branch of this repository: \"Fixes\" commits will never resolve issues",
                        config.main_branch
                    ),
                ),
            ));
        }
        for (path, what) in snap.special_entries("")? {
            problems.push(Problem::whole(
                &path,
                format!("a {what}, not a file: git-issue reads and writes only files here"),
            ));
        }
        let mut ids: HashMap<String, String> = HashMap::new();
        let mut issue_keys = HashSet::new();
        let mut file_of: HashMap<Key, String> = HashMap::new();
        let mut comments = Vec::new();
        let wanted = |p: &str| {
            !matches!(
                BranchPath::parse(p),
                BranchPath::InIssue(_, Part::Attachment(_))
            )
        };
        for (path, bytes) in snap.files("", wanted)? {
            let what = BranchPath::parse(&path);
            let Some(bytes) = bytes else {
                continue;
            };
            let Ok(text) = String::from_utf8(bytes) else {
                problems.push(Problem::whole(&path, "the file is not UTF-8 text"));
                continue;
            };
            match what {
                BranchPath::Issue(key) => {
                    let canonical = layout::issue_file(&key);
                    // Both layouts may hold a file of one key (made by
                    // hand): commands read the current one only.
                    if let Some(other) = file_of.insert(key.clone(), path.clone()) {
                        let read = if path == canonical { &path } else { &other };
                        problems.push(Problem::whole(
                            &path,
                            format!(
                                "{other} holds {key} too, and commands read only {read}: move the other to a free number or remove it, by hand"
                            ),
                        ));
                    }
                    issue_keys.insert(key.clone());
                    if !layout::is_home_of(&key, &path) {
                        problems.push(Problem::whole(
                            &path,
                            format!(
                                "the file of {key} must be {canonical}, or no command finds it (git issue doctor --fix moves it)"
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
                BranchPath::InIssue(key, Part::Comment(_)) => {
                    if let Err(e) = Comment::parse(&text) {
                        problems.push(Problem::new(&path, e));
                    }
                    comments.push((key, path));
                }
                BranchPath::InIssue(_, Part::Occurrence(_)) => {
                    if let Err(e) = crate::format::occurrence::Occurrences::parse(&text) {
                        problems.push(Problem::new(&path, e));
                    }
                }
                BranchPath::InIssue(key, Part::Other(_)) => problems.push(Problem::whole(
                    &path,
                    format!(
                        "a file git-issue does not know in {key}'s folder; it is kept and ignored"
                    ),
                )),
                BranchPath::Deleted => problems.extend(key_list_problems(&path, &text, false)),
                BranchPath::Moved => problems.extend(key_list_problems(&path, &text, true)),
                BranchPath::Other(_) if path.starts_with("issues/") && path.ends_with(".md") => {
                    problems.push(Problem::whole(
                        &path,
                        "the file name is not an issue key like BC-12.md",
                    ));
                }
                BranchPath::Other(_) => problems.push(Problem::whole(
                    &path,
                    "a file git-issue does not know; it is kept and ignored",
                )),
                BranchPath::Config
                | BranchPath::Attributes
                | BranchPath::Template(_)
                | BranchPath::Reply(_)
                | BranchPath::InIssue(_, Part::Attachment(_)) => {}
            }
        }
        for (key, path) in comments {
            if !issue_keys.contains(&key) {
                problems.push(Problem::whole(
                    &path,
                    format!("a comment of {key}, which has no issue file"),
                ));
            }
        }
        problems.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
        Ok(problems)
    }

    /// How many issues are still filed in the first layout
    /// (`issues/<bucket>/KEY.md`): they work, and `repair` moves them where
    /// a change costs less.
    pub fn first_layout_count(&self) -> Result<usize> {
        let snap = self.snapshot()?;
        Ok(super::read::issue_files(&snap)?
            .iter()
            // One whose key has a file in the current layout too cannot
            // move: doctor reports it as a problem instead.
            .filter(|(k, p)| {
                *p == layout::old_issue_file(k) && !snap.contains(&layout::issue_file(k))
            })
            .count())
    }

    /// Repairs what `doctor` can repair by itself, in one commit: an issue
    /// that shares its id with an earlier-filed one gets a new id, and an
    /// issue file under a name or in a folder no command reads, or in the
    /// first layout, is moved where the current layout files it (with its
    /// folder) when that place is free. Returns one line per repair.
    pub fn repair(&self) -> Result<(Vec<String>, Option<String>)> {
        let mut done = Vec::new();
        let commit = self.commit(|snap| {
            done.clear();
            let mut edits = Vec::new();
            let mut files: Vec<(Key, String, Issue, String)> = Vec::new();
            for (path, bytes) in snap.files(layout::ISSUES, |p| {
                matches!(BranchPath::parse(p), BranchPath::Issue(_))
            })? {
                let (BranchPath::Issue(key), Some(bytes)) = (BranchPath::parse(&path), bytes)
                else {
                    continue;
                };
                let Ok(text) = String::from_utf8(bytes) else {
                    continue;
                };
                if let Ok(issue) = Issue::parse(&text) {
                    files.push((key, path, issue, text));
                }
            }
            // The earliest-filed keeps its id.
            files.sort_by_key(|f| (f.2.created, f.0.number));
            let mut seen: HashMap<String, Key> = HashMap::new();
            for (key, path, issue, text) in &mut files {
                if let Some(first) = seen.get(&issue.id) {
                    let old = std::mem::replace(&mut issue.id, ulid::Ulid::new().to_string());
                    *text = issue.print();
                    edits.push(Edit::Write {
                        path: path.clone(),
                        content: text.clone().into_bytes(),
                    });
                    done.push(format!("{key}: new id {} ({first} keeps {old})", issue.id));
                } else {
                    seen.insert(issue.id.clone(), key.clone());
                }
            }
            let on_branch: HashSet<String> = files.iter().map(|f| f.1.clone()).collect();
            let mut migrated = 0;
            for (key, path, _, text) in &files {
                let canonical = layout::issue_file(key);
                if *path == canonical || on_branch.contains(&canonical) {
                    continue;
                }
                let first_layout = *path == layout::old_issue_file(key);
                edits.push(Edit::Remove { path: path.clone() });
                edits.push(Edit::Write {
                    path: canonical.clone(),
                    content: text.clone().into_bytes(),
                });
                let old_dir = layout::folder_of(path);
                if snap.contains(old_dir) {
                    for (inner, bytes) in snap.files(old_dir, |_| true)? {
                        let rel = &inner[old_dir.len()..];
                        edits.push(Edit::Write {
                            path: format!("{}{rel}", layout::issue_dir(key)),
                            content: bytes.unwrap_or_default(),
                        });
                    }
                    edits.push(Edit::Remove {
                        path: old_dir.to_owned(),
                    });
                }
                if first_layout {
                    migrated += 1;
                } else {
                    done.push(format!("{key}: moved {path} to {canonical}"));
                }
            }
            if migrated > 0 {
                done.push(format!(
                    "{migrated} issue{} moved from the first layout (issues/<bucket>/KEY.md) to the current one",
                    if migrated == 1 { "" } else { "s" }
                ));
            }
            Ok::<_, Error>((!edits.is_empty()).then(|| Change {
                message: format!("Repair the tracker\n\n{}", done.join("\n")),
                edits,
            }))
        })?;
        Ok((done, commit))
    }
}

/// The line of a top-level setting in `tracker.yml`, for messages.
fn field_line(snap: &crate::store::Snapshot<'_>, name: &str) -> usize {
    let text = snap.read(layout::CONFIG).ok().flatten().unwrap_or_default();
    let prefix = format!("{name}:");
    text.lines()
        .position(|l| l.starts_with(&prefix))
        .map_or(1, |i| i + 1)
}

/// What is wrong with `issues/deleted.yml` or `issues/moved.yml`.
fn key_list_problems(path: &str, text: &str, moves: bool) -> Vec<Problem> {
    let items = match layout::parse_key_list(text) {
        Ok(items) => items,
        Err(e) => return vec![Problem::new(path, e)],
    };
    let mut out = Vec::new();
    for item in items {
        let line = text
            .lines()
            .position(|l| l.contains(item.as_str()))
            .map_or(1, |i| i + 1);
        let at = |message: String| Problem::new(path, ParseError::new(line, 1, message));
        if moves {
            let Some((from, to)) = item.split_once(" -> ") else {
                out.push(at(format!("{item:?} is not a move like BC-3 -> BC-4")));
                continue;
            };
            if from.trim().parse::<Key>().is_err() || to.trim().parse::<Key>().is_err() {
                out.push(at(format!("{item:?} is not a move like BC-3 -> BC-4")));
            }
        } else if item.parse::<Key>().is_err() {
            out.push(at(format!("{item:?} is not an issue key like BC-12")));
        }
    }
    out
}

/// Why a one-line value with a control character is refused.
fn control_message(field: &str, c: char) -> String {
    format!(
        "`{field}` holds the control character U+{:04X}, which a terminal would obey; {field} is one line of plain text",
        c as u32
    )
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
    for f in FIELDS.iter().filter(|f| f.one_line()) {
        let value = issue.get(f);
        if old.is_some_and(|o| o.get(f) == value) {
            continue;
        }
        if let Some(c) = value.texts().iter().find_map(|t| control_char(t, false)) {
            return Err(control_message(f.name, c));
        }
    }
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
    for f in FIELDS.iter().filter(|f| f.one_line()) {
        if let Some(c) = issue
            .get(f)
            .texts()
            .iter()
            .find_map(|t| control_char(t, false))
        {
            let (line, column) = field_position(text, f.name).unwrap_or((1, 1));
            out.push(Problem {
                path: path.to_owned(),
                line,
                column,
                message: control_message(f.name, c),
            });
        }
    }
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
