//! Moving issues in and out as JSON lines, one issue a line in the shape
//! `show --json` prints: the way to migrate from another tracker, to load a
//! benchmark, and to back up. Export then import loses nothing.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value};

use super::indexing::all_keys;
use super::read::{self, deleted_numbers, number_after, read_config};
use super::{Error, Problem, Progress, Result, Tracker};
use crate::format::layout;
use crate::format::{Comment, Issue, Key};
use crate::store::{Change, Edit};

/// What an import filed.
#[derive(Debug, Default)]
pub struct Imported {
    pub keys: Vec<Key>,
    /// Lines whose key was taken or of another tracker's prefix, and the key
    /// they got instead.
    pub renumbered: Vec<(Key, Key)>,
    /// Issues whose id is already on the branch: not filed again.
    pub skipped: Vec<Key>,
    pub commit: Option<String>,
}

/// One parsed line of an import.
struct Line {
    /// Its line number in the file, for messages.
    number: usize,
    wanted: Option<Key>,
    issue: Issue,
    comments: Vec<(String, Comment)>,
}

impl Tracker {
    /// Files every issue of `jsonl` in one commit. A line's `key` is kept
    /// when it has the tracker's prefix and its number is free, else the
    /// issue gets the next free number (a key of another prefix is kept in
    /// `aliases`); an issue whose `id` is already on the branch is skipped;
    /// missing `id`, times and fields get what `new` would give. Any bad line
    /// stops the import before anything is written.
    pub fn import(&self, jsonl: &str, progress: &dyn Progress) -> Result<Imported> {
        let config = self.config()?;
        let now = self.store.now();
        let reporter = self.store.user().ok();
        let mut lines = Vec::new();
        let total = jsonl.lines().filter(|l| !l.trim().is_empty()).count();
        progress.start("Reading issues", total as u64);
        for (i, text) in jsonl.lines().enumerate() {
            if text.trim().is_empty() {
                continue;
            }
            let bad = |message: String| Error::BadLine {
                line: i + 1,
                message,
            };
            let mut map: Map<String, Value> =
                serde_json::from_str(text).map_err(|e| bad(format!("not a JSON object: {e}")))?;
            let wanted = match map.get("key").and_then(Value::as_str) {
                Some(k) => Some(k.parse::<Key>().map_err(|e| bad(e.to_string()))?),
                None => None,
            };
            let fill = |map: &mut Map<String, Value>, name: &str, value: String| {
                if map.get(name).is_none_or(Value::is_null) {
                    map.insert(name.to_owned(), Value::String(value));
                }
            };
            fill(&mut map, "id", ulid::Ulid::new().to_string());
            fill(&mut map, "type", config.default_type().to_owned());
            fill(&mut map, "status", config.initial_status().to_owned());
            fill(&mut map, "priority", config.default_priority().to_owned());
            fill(&mut map, "created", crate::format::format_timestamp(now));
            let created = map.get("created").cloned().unwrap_or(Value::Null);
            if map.get("updated").is_none_or(Value::is_null) {
                map.insert("updated".into(), created);
            }
            if let Some(r) = &reporter {
                fill(&mut map, "reporter", r.clone());
            }
            let issue = Issue::from_json(&map).map_err(bad)?;
            super::doctor::check_values(&issue, &config, None).map_err(bad)?;
            let mut comments = Vec::new();
            for c in map
                .get("comments")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let obj = c
                    .as_object()
                    .ok_or_else(|| bad("a comment must be an object".into()))?;
                let (id, comment) = Comment::from_json(obj).map_err(bad)?;
                let id = match id {
                    Some(id) if id.parse::<ulid::Ulid>().is_ok() => id,
                    _ => ulid::Ulid::new().to_string(),
                };
                comments.push((id, comment));
            }
            lines.push(Line {
                number: i + 1,
                wanted,
                issue,
                comments,
            });
            progress.advance(1);
        }
        progress.finish();
        if lines.is_empty() {
            return Err(Error::Empty {
                what: "an import",
                needs: "at least one issue",
            });
        }

        // One issue a line: the same id twice is a mistake in the file.
        let mut seen_ids: HashMap<&str, usize> = HashMap::new();
        for line in &lines {
            if let Some(first) = seen_ids.insert(&line.issue.id, line.number) {
                return Err(Error::BadLine {
                    line: line.number,
                    message: format!(
                        "the id {} is also the id of line {first}; each issue is one line",
                        line.issue.id
                    ),
                });
            }
        }

        let mut outcome = Imported::default();
        let commit = self.commit(|snap| {
            let prefix = read_config(snap)?.key;
            // An issue whose id is already here is already here: a restore
            // into the same tracker files nothing twice.
            let present: HashMap<String, Key> = read::contents(snap, false)?
                .issues
                .into_iter()
                .map(|c| (c.issue.id, c.key))
                .collect();
            // Numbers in use: on the branch, deleted, or claimed by a line.
            let mut taken: BTreeSet<u64> = all_keys(snap)?.iter().map(|k| k.number).collect();
            taken.extend(deleted_numbers(snap)?);
            let mut result = Imported::default();
            let mut keys: Vec<Option<Key>> = Vec::with_capacity(lines.len());
            for line in &lines {
                if let Some(here) = present.get(&line.issue.id) {
                    result.skipped.push(here.clone());
                    keys.push(None);
                    continue;
                }
                // A key of another tracker's prefix is re-keyed, never filed
                // as it is: `BEANUTILS-381` is not `BC-381`.
                keys.push(match &line.wanted {
                    Some(k) if k.prefix == prefix && taken.insert(k.number) => Some(k.clone()),
                    _ => None,
                });
            }
            let mut next = taken.iter().next_back().copied().unwrap_or(0);
            let mut edits = Vec::new();
            for (line, key) in lines.iter().zip(keys) {
                if present.contains_key(&line.issue.id) {
                    continue;
                }
                let mut issue = line.issue.clone();
                let key = match key {
                    Some(k) => k,
                    None => {
                        next = number_after(next)?;
                        let k = Key::new(prefix.clone(), next);
                        if let Some(w) = &line.wanted {
                            result.renumbered.push((w.clone(), k.clone()));
                            // The key it had elsewhere stays findable.
                            if w.prefix != prefix && !issue.aliases.contains(&w.to_string()) {
                                issue.aliases.push(w.to_string());
                            }
                        }
                        k
                    }
                };
                edits.push(Edit::Write {
                    path: layout::issue_file(&key),
                    content: issue.print().into_bytes(),
                });
                for (id, c) in &line.comments {
                    edits.push(Edit::Write {
                        path: layout::comment_file(&key, id),
                        content: c.print().into_bytes(),
                    });
                }
                result.keys.push(key);
            }
            let change = (!result.keys.is_empty()).then(|| Change {
                message: format!(
                    "Import {} issue{}",
                    result.keys.len(),
                    if result.keys.len() == 1 { "" } else { "s" }
                ),
                edits,
            });
            outcome = result;
            Ok::<_, Error>(change)
        })?;
        outcome.commit = commit;
        Ok(outcome)
    }

    /// Every issue with its comments as JSON objects, in key order: what
    /// `export jsonl` writes, one a line. A file that does not parse is
    /// left out and returned as a problem; every other issue is exported.
    pub fn export(&self, progress: &dyn Progress) -> Result<(Vec<Value>, Vec<Problem>)> {
        let snap = self.snapshot()?;
        progress.start("Exporting issues", 0);
        let contents = read::contents(&snap, true)?;
        let out = contents
            .issues
            .into_iter()
            .map(|c| {
                let mut m = Map::new();
                m.insert("key".into(), Value::String(c.key.to_string()));
                m.extend(c.issue.to_json());
                let comments = c
                    .comments
                    .into_iter()
                    .map(|r| Value::Object(r.comment.to_json(&r.id)))
                    .collect();
                m.insert("comments".into(), Value::Array(comments));
                Value::Object(m)
            })
            .collect();
        progress.finish();
        Ok((out, contents.problems))
    }
}
