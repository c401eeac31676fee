//! Moving issues in and out as JSON lines, one issue a line in the shape
//! `show --json` prints: the way to migrate from another tracker, to load a
//! benchmark, and to back up. Export then import loses nothing.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::read::{comments_of, deleted_numbers, load, read_config};
use super::search::all_keys;
use super::{Error, Progress, Result, Tracker};
use crate::format::layout;
use crate::format::{Comment, Issue, Key};
use crate::store::{Change, Edit};

/// What an import filed.
#[derive(Debug)]
pub struct Imported {
    pub keys: Vec<Key>,
    /// Lines whose key was taken, and the key they got instead.
    pub renumbered: Vec<(Key, Key)>,
    pub commit: Option<String>,
}

/// One parsed line of an import.
struct Line {
    wanted: Option<Key>,
    issue: Issue,
    comments: Vec<(String, Comment)>,
}

impl Tracker {
    /// Files every issue of `jsonl` in one commit. A line's `key` is kept
    /// when its number is free, else the issue gets the next free number;
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

        let mut outcome = None;
        let commit = self.store.commit(|snap| {
            let prefix = read_config(snap)?.key;
            // Numbers in use: on the branch, deleted, or claimed by a line.
            let mut taken: BTreeSet<u64> = all_keys(snap)?.iter().map(|k| k.number).collect();
            taken.extend(deleted_numbers(snap)?);
            let mut keys: Vec<Option<Key>> = Vec::with_capacity(lines.len());
            for line in &lines {
                keys.push(match &line.wanted {
                    Some(k) if taken.insert(k.number) => Some(k.clone()),
                    _ => None,
                });
            }
            let mut next = taken.iter().next_back().copied().unwrap_or(0) + 1;
            let mut renumbered = Vec::new();
            let mut edits = Vec::new();
            let mut filed = Vec::new();
            for (line, key) in lines.iter().zip(keys) {
                let key = key.unwrap_or_else(|| {
                    let k = Key::new(prefix.clone(), next);
                    next += 1;
                    if let Some(w) = &line.wanted {
                        renumbered.push((w.clone(), k.clone()));
                    }
                    k
                });
                edits.push(Edit::Write {
                    path: layout::issue_file(&key),
                    content: line.issue.print().into_bytes(),
                });
                for (id, c) in &line.comments {
                    edits.push(Edit::Write {
                        path: layout::comment_file(&key, id),
                        content: c.print().into_bytes(),
                    });
                }
                filed.push(key);
            }
            let message = format!(
                "Import {} issue{}",
                filed.len(),
                if filed.len() == 1 { "" } else { "s" }
            );
            outcome = Some((filed, renumbered));
            Ok::<_, Error>(Some(Change { message, edits }))
        })?;
        let (keys, renumbered) = outcome.unwrap_or_default();
        Ok(Imported {
            keys,
            renumbered,
            commit,
        })
    }

    /// Every issue with its comments as JSON objects, in key order: what
    /// `export jsonl` writes, one a line.
    pub fn export(&self, progress: &dyn Progress) -> Result<Vec<Value>> {
        let snap = self.snapshot()?;
        let mut keys = all_keys(&snap)?;
        keys.sort_by_key(|k| k.number);
        progress.start("Exporting issues", keys.len() as u64);
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let record = load(&snap, &key)?;
            let mut m = Map::new();
            m.insert("key".into(), Value::String(record.key.to_string()));
            m.extend(record.issue.to_json());
            let (comments, problems) = comments_of(&snap, &record.key)?;
            if let Some(p) = problems.into_iter().next() {
                return Err(Error::BadFile(p));
            }
            let comments = comments
                .into_iter()
                .map(|c| Value::Object(c.comment.to_json(&c.id)))
                .collect();
            m.insert("comments".into(), Value::Array(comments));
            out.push(Value::Object(m));
            progress.advance(1);
        }
        progress.finish();
        Ok(out)
    }
}
