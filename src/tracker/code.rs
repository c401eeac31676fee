//! Issues linked to code: the files, folders and symbols an issue concerns
//! (its `paths`), which issues concern a path (`path:` in a query: linked to
//! it, or by a commit that touched it), and `blame`: the issues whose
//! commits touched a file, newest first. The repository is read through the
//! store; which commits an issue links is the issue's `commits`.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use serde::Serialize;

use super::read::{contents, read_config};
use super::{Error, Outcome, Result, Tracker};
use crate::format::fields::{self, Value};
use crate::format::{Issue, Key};
use crate::query::{Expr, normal_path};

/// An issue whose linked commit touched a file.
#[derive(Debug, Clone, Serialize)]
pub struct Blamed {
    pub key: String,
    pub title: String,
    pub status: String,
    pub closed: bool,
    /// The newest of its commits that touched the file.
    pub commit: String,
    pub time: String,
    pub summary: String,
}

fn paths_of(issue: &Issue) -> Vec<String> {
    issue
        .get(fields::named("paths"))
        .texts()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

impl Tracker {
    /// A path as a link holds it: from the top of the repository, checked
    /// to be a file or folder of it (HEAD or the working tree), with
    /// `:SYMBOL` kept.
    fn linkable(&self, cwd: &Path, given: &str) -> Result<String> {
        let (file, symbol) = match given.rsplit_once(':') {
            Some((f, s)) if !s.is_empty() && !s.contains('/') && !f.is_empty() => (f, Some(s)),
            _ => (given, None),
        };
        let path = self
            .store
            .repo_path(cwd, file)
            .map(|p| normal_path(&p))
            .filter(|p| !p.is_empty())
            .ok_or_else(|| {
                Error::Refused(format!(
                    "{given} is not inside this repository's working tree"
                ))
            })?;
        if !self.store.has_path(&path) {
            return Err(Error::Refused(format!(
                "{path} is not a file or folder of this repository (at HEAD or in the working tree)"
            )));
        }
        Ok(match symbol {
            Some(s) => format!("{path}:{}", s.trim()),
            None => path,
        })
    }

    /// Links a file or folder (optionally `:SYMBOL`) to an issue; `cwd` is
    /// where a relative path starts.
    pub fn link_path(&self, key: &Key, cwd: &Path, given: &str) -> Result<Outcome> {
        let path = self.linkable(cwd, given)?;
        self.update(key, |issue, _, _| {
            let mut paths = paths_of(issue);
            if !paths.contains(&path) {
                paths.push(path.clone());
            }
            issue.put(fields::named("paths"), Value::List(paths));
            Ok(())
        })
    }

    /// Unlinks a path, as it was linked (relative to `cwd` like `link`).
    pub fn unlink_path(&self, key: &Key, cwd: &Path, given: &str) -> Result<Outcome> {
        let wanted: Vec<String> = [
            given.trim().to_owned(),
            self.store
                .repo_path(cwd, given.split(':').next().unwrap_or(given))
                .map(|p| {
                    let p = normal_path(&p);
                    match given.rsplit_once(':') {
                        Some((_, s)) if !s.contains('/') => format!("{p}:{s}"),
                        _ => p,
                    }
                })
                .unwrap_or_default(),
        ]
        .into();
        self.update(key, |issue, _, _| {
            let mut paths = paths_of(issue);
            let before = paths.len();
            paths.retain(|p| !wanted.contains(p));
            if paths.len() == before {
                return Err(Error::NoLink {
                    key: key.to_string(),
                    what: "path",
                    value: given.to_owned(),
                });
            }
            issue.put(fields::named("paths"), Value::List(paths));
            Ok(())
        })
    }

    /// Fills in each `path:` term of a query with the issues whose linked
    /// commits touched its path.
    pub(super) fn resolve_paths(&self, expr: &mut Expr) -> Result<()> {
        let mut terms = expr.paths_mut();
        if terms.is_empty() {
            return Ok(());
        }
        let commits = self.linked_commits()?;
        for term in terms.iter_mut() {
            if let Expr::Path { path, keys } = &mut **term {
                let file = path.split_once(':').map_or(path.as_str(), |(f, _)| f);
                let mut found = BTreeSet::new();
                for (commit, linked) in &commits {
                    if linked.iter().any(|k| !found.contains(k))
                        && self.store.touched(commit, &self.repo_case(file))
                    {
                        found.extend(linked.iter().cloned());
                    }
                }
                *keys = found.into_iter().collect();
            }
        }
        Ok(())
    }

    /// Queries are lowercase; the repository's paths are not. The path as
    /// HEAD spells it, when one differs only in case.
    fn repo_case(&self, path: &str) -> String {
        self.store
            .path_as_spelled(path)
            .unwrap_or_else(|| path.to_owned())
    }

    /// Every linked commit and the issues (lowercase keys) that link it.
    fn linked_commits(&self) -> Result<HashMap<String, Vec<String>>> {
        let snap = self.snapshot()?;
        let all = contents(&snap, false)?;
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        for i in all.issues {
            for c in &i.issue.commits {
                out.entry(c.clone())
                    .or_default()
                    .push(i.key.to_string().to_lowercase());
            }
        }
        Ok(out)
    }

    /// The issues whose linked commits touched `file` (a file or folder of
    /// the repository, relative to `cwd`), newest commit first, each once.
    pub fn blame(&self, cwd: &Path, file: &str) -> Result<Vec<Blamed>> {
        let path = self
            .store
            .repo_path(cwd, file)
            .map(|p| normal_path(&p))
            .filter(|p| !p.is_empty())
            .ok_or_else(|| {
                Error::Refused(format!(
                    "{file} is not inside this repository's working tree"
                ))
            })?;
        let snap = self.snapshot()?;
        let config = read_config(&snap)?;
        let all = contents(&snap, false)?;
        let mut by_commit: HashMap<&str, Vec<(&Key, &Issue)>> = HashMap::new();
        for i in &all.issues {
            for c in &i.issue.commits {
                by_commit
                    .entry(c.as_str())
                    .or_default()
                    .push((&i.key, &i.issue));
            }
        }
        let history = self.store.path_history(&path)?;
        if history.is_empty() && !self.store.has_path(&path) {
            return Err(Error::Refused(format!(
                "{path} is not a file or folder of this repository (at HEAD or in the working tree)"
            )));
        }
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for c in history {
            for (key, issue) in by_commit.get(c.id.as_str()).into_iter().flatten() {
                if seen.insert((*key).clone()) {
                    out.push(Blamed {
                        key: key.to_string(),
                        title: issue.title.clone(),
                        status: issue.status.clone(),
                        closed: config.is_closed(&issue.status),
                        commit: c.id.clone(),
                        time: crate::format::format_timestamp(c.time),
                        summary: c.summary.clone(),
                    });
                }
            }
        }
        Ok(out)
    }
}
