//! How many occurrences each occurrence file holds, kept by blob id in a
//! small file per issue under `<git dir>/git-issue/counts/`. A file's
//! content never changes under its id, so an entry is never stale: a
//! `record` of a known error reads one line per occurrence file instead of
//! parsing each (the YAML of up to 16 files was a third of a record), and
//! parses only the files it has not met. Safe to delete; never committed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::format::layout::{self, BranchPath, Part};
use crate::format::{Key, occurrence::Occurrences};
use crate::store::Snapshot;

use super::super::Result;

/// What one file counts for.
#[derive(Debug, Clone, PartialEq)]
enum Counted {
    /// A file of one batch (the file's name), with its count.
    One(u64),
    /// A file that folded others: its batches and their counts.
    Folded(Vec<(String, u64)>),
    /// A file that does not read: it counts for nothing.
    Unreadable,
}

pub(super) struct Counts {
    path: PathBuf,
    known: BTreeMap<String, Counted>,
    /// The blobs of the files [`Counts::total`] counted.
    listed: Vec<String>,
    changed: bool,
}

impl Counts {
    /// The counts known for `key`'s files (none when there is no file).
    pub(super) fn open(dir: PathBuf, key: &Key) -> Counts {
        let path = dir.join(format!("{key}.tsv"));
        let known = std::fs::read_to_string(&path)
            .map(|text| text.lines().filter_map(read_line).collect())
            .unwrap_or_default();
        Counts {
            path,
            known,
            listed: Vec::new(),
            changed: false,
        }
    }

    /// The occurrences of `key`'s files in `snap`, each batch counted once
    /// (a batch two clones both folded is in two files), as reading every
    /// file would count them; and how many files read.
    pub(super) fn total(&mut self, snap: &Snapshot<'_>, key: &Key) -> Result<(u64, usize)> {
        let dir = layout::occurrences_dir(key);
        let mut seen = BTreeSet::new();
        let mut total = 0;
        let mut files = 0;
        self.listed.clear();
        for (name, blob) in snap.file_ids(&dir)? {
            let path = format!("{dir}/{name}");
            let BranchPath::InIssue(_, Part::Occurrence(id)) = BranchPath::parse(&path) else {
                continue;
            };
            if !self.known.contains_key(&blob) {
                let counted = count(snap.read_bytes(&path)?);
                self.changed = true;
                self.known.insert(blob.clone(), counted);
            }
            self.listed.push(blob.clone());
            let counted = &self.known[&blob];
            if *counted != Counted::Unreadable {
                files += 1;
            }
            match counted {
                Counted::One(n) => {
                    if seen.insert(id) {
                        total += n;
                    }
                }
                Counted::Folded(batches) => {
                    for (batch, n) in batches {
                        if seen.insert(batch.clone()) {
                            total += n;
                        }
                    }
                }
                Counted::Unreadable => {}
            }
        }
        Ok((total, files))
    }

    /// Keeps what was learnt, for the files last counted (those a fold
    /// removed leave with it). A cache: failing to write it costs the next
    /// record a few parses, nothing more.
    pub(super) fn save(&self) {
        if !self.changed {
            return;
        }
        let mut text = String::new();
        let mut written = BTreeSet::new();
        for blob in &self.listed {
            if !written.insert(blob) {
                continue;
            }
            if let Some(line) = self.known.get(blob).and_then(|c| write_line(blob, c)) {
                text.push_str(&line);
                text.push('\n');
            }
        }
        let _ = crate::tracker::replace_local_file(&self.path, text.as_bytes());
    }
}

/// What a file's bytes count for, as [`super::super::read::occurrences_of`]
/// and [`crate::format::occurrence::Tally`] count them.
fn count(bytes: Option<Vec<u8>>) -> Counted {
    let Some(text) = bytes.and_then(|b| String::from_utf8(b).ok()) else {
        return Counted::Unreadable;
    };
    match Occurrences::parse(&text) {
        Ok(file) if file.batches.is_empty() => Counted::One(file.count),
        Ok(file) => Counted::Folded(
            file.batches
                .iter()
                .map(|(id, days)| (id.clone(), days.values().sum()))
                .collect(),
        ),
        Err(_) => Counted::Unreadable,
    }
}

/// `<blob>\t=\t<n>`, `<blob>\t!`, or `<blob>\t+` then a tab, a batch id,
/// a tab and its count for each batch; `None` for a batch id that a line
/// cannot hold (it is counted again from the file next time).
fn write_line(blob: &str, counted: &Counted) -> Option<String> {
    Some(match counted {
        Counted::One(n) => format!("{blob}\t=\t{n}"),
        Counted::Unreadable => format!("{blob}\t!"),
        Counted::Folded(batches) => {
            let mut line = format!("{blob}\t+");
            for (id, n) in batches {
                if id.contains(['\t', '\n', '\r']) {
                    return None;
                }
                line.push_str(&format!("\t{id}\t{n}"));
            }
            line
        }
    })
}

fn read_line(line: &str) -> Option<(String, Counted)> {
    let mut parts = line.split('\t');
    let blob = parts.next()?.to_owned();
    let counted = match parts.next()? {
        "=" => Counted::One(parts.next()?.parse().ok()?),
        "!" => Counted::Unreadable,
        "+" => {
            let rest: Vec<&str> = parts.collect();
            if !rest.len().is_multiple_of(2) {
                return None;
            }
            let mut batches = Vec::new();
            for pair in rest.chunks(2) {
                batches.push((pair[0].to_owned(), pair[1].parse().ok()?));
            }
            return Some((blob, Counted::Folded(batches)));
        }
        _ => return None,
    };
    Some((blob, counted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_entry_reads_back_as_written() {
        for counted in [
            Counted::One(37),
            Counted::Unreadable,
            Counted::Folded(vec![("01J1".into(), 3), ("a b".into(), 1)]),
            Counted::Folded(Vec::new()),
        ] {
            let line = write_line("abc123", &counted).unwrap();
            assert_eq!(read_line(&line), Some(("abc123".to_owned(), counted)));
        }
        assert_eq!(
            write_line("abc", &Counted::Folded(vec![("a\tb".into(), 1)])),
            None
        );
        assert_eq!(read_line("abc\t=\tmany"), None);
        assert_eq!(read_line("abc\t+\t01J1"), None);
    }
}
