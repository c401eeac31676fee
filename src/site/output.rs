//! Writing the site into its folder, and only into it: a file is written
//! only when its bytes changed, files an earlier export wrote and this one
//! did not are removed, and nothing else in the folder is touched. A
//! manifest (`.git-issue-site.json`) remembers what was written, with the
//! hash of each file and of the view it was rendered from, so that an export
//! after one change renders and writes only what that change affects.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub const MANIFEST: &str = ".git-issue-site.json";
const MANIFEST_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Record {
    /// xxh3-128 of the bytes, in hex.
    hash: String,
    len: u64,
    /// xxh3-128 of the view the page was rendered from, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    input: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Manifest {
    version: u32,
    files: BTreeMap<String, Record>,
}

/// What an export did to the folder.
#[derive(Debug, Default, Clone)]
pub struct Written {
    pub written: Vec<String>,
    pub unchanged: usize,
    pub removed: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("refusing to write {0:?}: not a plain path inside the site folder")]
    UnsafePath(String),
}

pub struct Output {
    dir: PathBuf,
    old: Manifest,
    new: Manifest,
    done: Written,
}

/// A page to write: its path in the site, its bytes, the hash of its view.
pub struct File {
    pub path: String,
    pub bytes: Vec<u8>,
    pub input: Option<String>,
}

pub fn hash(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

/// Paths are made by the site from keys and slugs; checking them again here
/// means no issue data can ever name a file outside the folder.
fn is_safe(path: &str) -> bool {
    !path.is_empty()
        && path.split('/').all(|part| {
            !part.is_empty()
                && !part.starts_with('.')
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        })
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl Output {
    pub fn open(dir: &Path) -> Result<Output, OutputError> {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        let old = std::fs::read(dir.join(MANIFEST))
            .ok()
            .and_then(|b| serde_json::from_slice::<Manifest>(&b).ok())
            .filter(|m| m.version == MANIFEST_VERSION)
            .unwrap_or_default();
        Ok(Output {
            dir: dir.to_path_buf(),
            old,
            new: Manifest {
                version: MANIFEST_VERSION,
                files: BTreeMap::new(),
            },
            done: Written::default(),
        })
    }

    fn on_disk(&self, path: &str, record: &Record) -> bool {
        std::fs::metadata(self.dir.join(path)).is_ok_and(|m| m.is_file() && m.len() == record.len)
    }

    /// Whether the page at `path` was rendered from the same view last time
    /// and is still there, so it need not be rendered again; it is kept.
    pub fn is_fresh(&self, path: &str, input: &str) -> bool {
        self.old
            .files
            .get(path)
            .is_some_and(|r| r.input.as_deref() == Some(input) && self.on_disk(path, r))
    }

    /// Keeps a file that `is_fresh` said need not be rendered.
    pub fn keep(&mut self, path: &str) {
        if let Some(r) = self.old.files.get(path) {
            self.new.files.insert(path.to_owned(), r.clone());
            self.done.unchanged += 1;
        }
    }

    pub fn put(&mut self, file: File) -> Result<(), OutputError> {
        self.put_all(vec![file])
    }

    /// Writes the files whose bytes differ from what is on disk, on every
    /// core.
    pub fn put_all(&mut self, files: Vec<File>) -> Result<(), OutputError> {
        if let Some(bad) = files.iter().find(|f| !is_safe(&f.path)) {
            return Err(OutputError::UnsafePath(bad.path.clone()));
        }
        let results: Vec<Result<(String, Record, bool), OutputError>> = files
            .into_par_iter()
            .map(|f| {
                let record = Record {
                    hash: hash(&f.bytes),
                    len: f.bytes.len() as u64,
                    input: f.input,
                };
                let same = self
                    .old
                    .files
                    .get(&f.path)
                    .is_some_and(|r| r.hash == record.hash && self.on_disk(&f.path, r));
                if !same {
                    write_atomically(&self.dir.join(&f.path), &f.bytes)?;
                }
                Ok((f.path, record, !same))
            })
            .collect();
        for r in results {
            let (path, record, written) = r?;
            if written {
                self.done.written.push(path.clone());
            } else {
                self.done.unchanged += 1;
            }
            self.new.files.insert(path, record);
        }
        Ok(())
    }

    /// Removes what the last export wrote and this one did not, and saves
    /// the manifest.
    pub fn finish(mut self) -> Result<Written, OutputError> {
        for path in self.old.files.keys() {
            if self.new.files.contains_key(path) || !is_safe(path) {
                continue;
            }
            let full = self.dir.join(path);
            match std::fs::remove_file(&full) {
                Ok(()) => self.done.removed.push(path.clone()),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_err(&full)(e)),
            }
        }
        let mut bytes = serde_json::to_vec_pretty(&self.new).unwrap_or_default();
        bytes.push(b'\n');
        let manifest = self.dir.join(MANIFEST);
        if std::fs::read(&manifest).ok().as_deref() != Some(&bytes[..]) {
            write_atomically(&manifest, &bytes)?;
        }
        self.done.written.sort();
        self.done.removed.sort();
        Ok(self.done)
    }
}

/// Readers of the site never see half a file: write beside, then rename.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(io_err(&tmp))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_err(path)(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_are_safe() {
        for ok in [
            "index.html",
            "issues/BC-1.html",
            "milestones/v0-7-0-1a2b3c4d.html",
        ] {
            assert!(is_safe(ok), "{ok}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../x.html",
            "issues/../../x",
            "a//b",
            ".git-issue-site.json",
            "issues/.hidden",
            "a\\b",
            "a b",
        ] {
            assert!(!is_safe(bad), "{bad}");
        }
    }
}
