//! The keys file beside the index: for the fields whose exact value finds
//! an issue (`record` finds the issue of a fingerprint), every pair of a
//! value and the key of a document that had it, one a line. Reading a
//! small text file costs a fraction of opening tantivy, which was a third
//! of a `record`.
//!
//! Like the links file it only grows: a writer adds its documents' pairs
//! before it commits, so the file holds at least every pair of the state
//! the index records; a key it names may since have lost the value or
//! moved, so whoever asks reads the issue to check. A rebuild in place
//! writes it anew with only what it wrote.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

use super::{Index, IndexError, Result, Words};
use crate::format::{Key, fields};
use crate::query::{Expr, Sort};

/// The fields kept in the keys file.
pub(super) const KEYED_FIELDS: [&str; 1] = ["fingerprint"];
pub(super) const KEYS_FILE: &str = "keys.tsv";

/// One line of the file, without its newline: the field, the value
/// (lowercase) and the key, separated by tabs, with tabs, newlines and
/// backslashes in the value escaped so that each pair is one line.
pub(super) fn line(field: &str, value: &str, key: &Key) -> String {
    format!("{field}\t{}\t{key}", escape(&value.to_lowercase()))
}

fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

fn read(path: &Path) -> Option<String> {
    std::fs::read_to_string(path.join(KEYS_FILE)).ok()
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> IndexError + '_ {
    move |source| IndexError::Io {
        path: path.join(KEYS_FILE),
        source,
    }
}

/// Replaces the file whole with these lines.
pub(super) fn write(path: &Path, lines: &BTreeSet<String>) -> Result<()> {
    let mut text = String::new();
    for l in lines {
        text.push_str(l);
        text.push('\n');
    }
    replace(path, &text)
}

/// Replaces the file whole (a temporary file and a rename), so a reader
/// never sees half a line.
fn replace(path: &Path, text: &str) -> Result<()> {
    super::replace_file(path, KEYS_FILE, text.as_bytes()).map_err(io(path))
}

/// Adds to the file the pairs it lacks, before the writer commits. An
/// index from before the file existed gets it here, filled from the
/// documents it holds, so that it never says less than the index would
/// (unless they are all being replaced: the file is written after that).
pub(super) fn add(index: &Index, mine: &BTreeSet<String>, cleared: bool) -> Result<()> {
    let path = &index.path;
    let Some(text) = read(path) else {
        if cleared {
            return Ok(());
        }
        let mut all = from_documents(index)?;
        all.extend(mine.iter().cloned());
        return write(path, &all);
    };
    let known: HashSet<&str> = text.lines().collect();
    let new: Vec<&String> = mine
        .iter()
        .filter(|l| !known.contains(l.as_str()))
        .collect();
    if new.is_empty() {
        return Ok(());
    }
    let mut all = text.clone();
    for l in new {
        all.push_str(l);
        all.push('\n');
    }
    replace(path, &all)
}

/// The pairs of every document the index holds now.
fn from_documents(index: &Index) -> Result<BTreeSet<String>> {
    let mut lines = BTreeSet::new();
    for field in KEYED_FIELDS {
        let spec = fields::named(field);
        let having = Expr::Not(Box::new(Expr::Missing(spec)));
        let (hits, _) = index.search(&having, Words::All, Sort::default(), false, 0, None)?;
        for hit in hits {
            for value in hit.issue.get(spec).texts() {
                lines.insert(line(field, value, &hit.key));
            }
        }
    }
    Ok(lines)
}

impl Index {
    /// Whether the keys file is there to answer [`Index::keys_having`].
    pub fn has_keys_file(&self) -> bool {
        self.path.join(KEYS_FILE).is_file()
    }

    /// The keys of the documents that have had each of `values` (compared
    /// lowercase) in `field`, from the keys file: `None` when there is
    /// none (an index from before it; ask [`Index::search`]). A key may no
    /// longer have the value: read the issue to be sure.
    pub fn keys_having(
        &self,
        field: &str,
        values: &BTreeSet<String>,
    ) -> Option<BTreeMap<String, BTreeSet<Key>>> {
        debug_assert!(KEYED_FIELDS.contains(&field));
        let text = read(&self.path)?;
        let wanted: BTreeMap<String, &String> = values
            .iter()
            .map(|v| (escape(&v.to_lowercase()), v))
            .collect();
        let mut found: BTreeMap<String, BTreeSet<Key>> = BTreeMap::new();
        for l in text.lines() {
            let Some(rest) = l.strip_prefix(field).and_then(|r| r.strip_prefix('\t')) else {
                continue;
            };
            let Some((value, key)) = rest.rsplit_once('\t') else {
                continue;
            };
            if let (Some(v), Ok(key)) = (wanted.get(value), key.parse::<Key>()) {
                found.entry((*v).clone()).or_default().insert(key);
            }
        }
        Some(found)
    }
}
