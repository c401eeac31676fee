//! Writing the site into its folder, and only into it: a file is written
//! only when its bytes changed, files an earlier export wrote and this one
//! did not are removed, and nothing else in the folder is touched. A
//! manifest (`.git-issue-site/`) remembers what was written, with the
//! hash of each file and of the view it was rendered from, so that an export
//! after one change renders and writes only what that change affects.
//!
//! The folder may hold anything, planted or not (issue 10, item 7): a
//! symbolic link inside it is never followed (a folder that is one is
//! refused, a file that is one is replaced, not written through), files are
//! written through temporary files created exclusively with random names,
//! and a file is removed only when its path is one the site writes, the
//! manifest lists it, and its bytes are what the manifest says the last
//! export wrote. The manifest is a record, not an authority. Files are
//! written on a thread of their own ([`super::writer`]).

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::records::{Manifest, Record, Shard, shard_name, shard_of};
pub use super::records::{Quick, QuickHash, hash, hash128};
use super::writer::{Writer, write_atomically};

/// The manifest: a folder of 256 small files, cut by a hash of each path,
/// so that no file of the site grows with the number of issues (100,000
/// pages would make one manifest of 16 MB) and an export after one change
/// rewrites a few of them, not all. In postcard (`<xx>.bin`), read four
/// times quicker than the JSON of version 2 (`<xx>.json`), which is still
/// read, once, and removed.
pub const MANIFEST: &str = ".git-issue-site";
/// Where versions before 2 kept the manifest, in one file; read once and
/// removed.
const OLD_MANIFEST: &str = ".git-issue-site.json";
const MANIFEST_VERSION: u32 = 3;
/// The JSON shards that version 2 wrote.
const JSON_VERSION: u32 = 2;
/// In the manifest's folder: the commit of the issues branch the folder
/// shows and what it was made with (see [`Exported`]).
const EXPORTED: &str = "export.json";

/// Records by path, hashed quickly: 100,000 paths are looked up several
/// times an export; the order only matters in the shards, which sort.
type Files = std::collections::HashMap<String, Record, Quick>;

/// A record of the last export, and whether this one keeps it as it is
/// (kept records are not copied: 100,000 of them would be).
#[derive(Debug, Clone, Copy)]
struct Old {
    record: Record,
    kept: bool,
}

type OldFiles = std::collections::HashMap<String, Old, Quick>;

fn olds(files: impl IntoIterator<Item = (String, Record)>) -> impl Iterator<Item = (String, Old)> {
    files.into_iter().map(|(p, record)| {
        (
            p,
            Old {
                record,
                kept: false,
            },
        )
    })
}

/// The bytes of a plain file (not a link), if there is one.
fn read_plain(path: &Path) -> Option<Vec<u8>> {
    std::fs::symlink_metadata(path)
        .is_ok_and(|m| m.file_type().is_file())
        .then(|| std::fs::read(path).ok())
        .flatten()
}

/// What the folder shows, written last by an export that finished: the
/// commit of the issues branch, and a stamp of the program and options
/// that made it. An export from the same stamp renders again only what
/// the branch changed since that commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exported {
    pub tip: String,
    pub stamp: String,
    /// How many issues it shows.
    pub issues: usize,
    /// Files of the branch that did not parse, left out.
    pub problems: usize,
    /// Commits the issues name that this clone did not have: one that
    /// arrives changes those issues' pages.
    pub missing: Vec<String>,
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
    #[error(
        "refusing to write into {0}: it is a symbolic link or not a folder, inside the site folder"
    )]
    NotAFolder(PathBuf),
}

pub struct Output {
    dir: PathBuf,
    old: OldFiles,
    new: Files,
    done: Written,
    /// Folders inside `dir` already checked to be real folders.
    folders: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
    /// What the folder showed when opened, and what it will show.
    exported: Option<Exported>,
    exporting: Option<Exported>,
    unstamped: std::sync::Mutex<bool>,
    /// Writes the files on a thread of its own (see [`super::writer`]).
    writer: Writer,
}

/// A page to write: its path in the site, its bytes, the hash of its view.
pub struct File {
    pub path: String,
    pub bytes: Vec<u8>,
    pub input: Option<u128>,
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
        let mut old = OldFiles::default();
        let parse = |bytes: Vec<u8>| serde_json::from_slice::<Manifest>(&bytes).ok();
        if let Some(m) = read_plain(&dir.join(OLD_MANIFEST)).and_then(parse) {
            old.extend(olds(m.files));
        }
        let folder = dir.join(MANIFEST);
        let mut exported = None;
        if std::fs::symlink_metadata(&folder).is_ok_and(|m| m.file_type().is_dir())
            && let Ok(entries) = std::fs::read_dir(&folder)
        {
            exported = read_plain(&folder.join(EXPORTED))
                .and_then(|b| serde_json::from_slice::<Exported>(&b).ok());
            let shards: Vec<PathBuf> = entries
                .flatten()
                .filter(|e| e.file_name() != EXPORTED)
                .map(|e| e.path())
                .collect();
            // Read on every core: 100,000 records are 5 MB.
            let parsed: Vec<Vec<(String, Record)>> = shards
                .par_iter()
                .filter_map(|p| {
                    let bytes = read_plain(p)?;
                    if p.extension().is_some_and(|e| e == "json") {
                        let m = parse(bytes).filter(|m| m.version == JSON_VERSION)?;
                        Some(m.files.into_iter().collect())
                    } else {
                        let shard = postcard::from_bytes::<Shard>(&bytes).ok()?;
                        (shard.version == MANIFEST_VERSION).then(|| shard.records().collect())
                    }
                })
                .collect();
            for m in parsed {
                old.extend(olds(m));
            }
        }
        Ok(Output {
            dir: dir.to_path_buf(),
            old,
            new: Files::default(),
            done: Written::default(),
            folders: Default::default(),
            exported,
            exporting: None,
            unstamped: std::sync::Mutex::new(false),
            writer: Writer::start(),
        })
    }

    /// What the folder was last exported from with `stamp`, if it was.
    pub fn exported_with(&self, stamp: &str) -> Option<&Exported> {
        self.exported.as_ref().filter(|e| e.stamp == stamp)
    }

    /// Says what the folder will show once [`Output::finish`] is done.
    pub fn exporting(&mut self, exported: Exported) {
        self.exporting = Some(exported);
    }

    /// Keeps every file the last export wrote, if every one is still there.
    pub fn keep_all_if_present(&mut self) -> bool {
        let all = self.old.par_iter().all(|(p, o)| self.on_disk(p, &o.record));
        if all {
            for o in self.old.values_mut() {
                o.kept = true;
            }
            self.done.unchanged += self.old.len();
        }
        all
    }

    /// Before the first file is written or removed, the folder stops
    /// saying what it shows, until [`Output::finish`] says it again: an
    /// export stopped half-way is followed by a whole one.
    fn unstamp(&self) {
        let Ok(mut done) = self.unstamped.lock() else {
            return;
        };
        if !*done {
            let file = self.dir.join(MANIFEST).join(EXPORTED);
            if read_plain(&file).is_some() {
                let _ = std::fs::remove_file(&file);
            }
            *done = true;
        }
    }

    /// The files the last export wrote whose paths `wanted` picks, that
    /// this one has not written or kept yet.
    pub fn old_paths(&self, wanted: impl Fn(&str) -> bool) -> Vec<String> {
        self.old
            .iter()
            .filter(|(p, o)| !o.kept && wanted(p) && !self.new.contains_key(*p))
            .map(|(p, _)| p.clone())
            .collect()
    }

    /// Keeps the files at `paths` that the last export wrote and that are
    /// still there; returns those that are not, to be made again.
    pub fn keep_present(&mut self, paths: Vec<String>) -> Vec<String> {
        // Many paths in one folder (100,000 issue pages): one listing of
        // it rather than a `stat` each, where a plain file by that name is
        // there; else each file is looked at, its length too.
        const LIST_FROM: usize = 256;
        fn folder(p: &str) -> &str {
            p.rsplit_once('/').map_or("", |(d, _)| d)
        }
        fn name(p: &str) -> &str {
            p.rsplit_once('/').map_or(p, |(_, n)| n)
        }
        let mut per_folder: std::collections::HashMap<&str, usize> = Default::default();
        for p in &paths {
            *per_folder.entry(folder(p)).or_default() += 1;
        }
        type Names = std::collections::HashSet<Box<str>, Quick>;
        let listed: std::collections::HashMap<&str, Names> = per_folder
            .iter()
            .filter(|(d, n)| **n >= LIST_FROM && !d.is_empty())
            .filter_map(|(d, _)| {
                let at = self.folder_of(&format!("{d}/x")).ok()?;
                let names = std::fs::read_dir(at.parent()?)
                    .ok()?
                    .flatten()
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                    .filter_map(|e| Some(e.file_name().into_string().ok()?.into_boxed_str()))
                    .collect();
                Some((*d, names))
            })
            .collect();
        // The others are looked at on every core.
        let looked: std::collections::HashSet<&str> = paths
            .par_iter()
            .filter(|p| !listed.contains_key(folder(p)))
            .filter(|p| {
                self.old
                    .get(p.as_str())
                    .is_some_and(|o| self.on_disk(p, &o.record))
            })
            .map(String::as_str)
            .collect();
        let mut missing = Vec::new();
        let mut kept = Vec::new();
        for (i, p) in paths.iter().enumerate() {
            let here = match listed.get(folder(p)) {
                Some(names) => names.contains(name(p)),
                None => looked.contains(p.as_str()),
            };
            if here {
                kept.push(i);
            } else {
                missing.push(i);
            }
        }
        drop(looked);
        drop(listed);
        let mut missing: Vec<usize> = missing;
        for i in kept {
            match self.old.get_mut(paths[i].as_str()) {
                Some(o) if !o.kept => {
                    o.kept = true;
                    self.done.unchanged += 1;
                }
                Some(_) => {}
                None => missing.push(i),
            }
        }
        missing.sort_unstable();
        let mut paths: Vec<Option<String>> = paths.into_iter().map(Some).collect();
        missing
            .into_iter()
            .filter_map(|i| paths[i].take())
            .collect()
    }

    /// A plain file (not a link) of the record's length is at `path`.
    fn on_disk(&self, path: &str, record: &Record) -> bool {
        std::fs::symlink_metadata(self.dir.join(path))
            .is_ok_and(|m| m.file_type().is_file() && m.len() == record.len)
    }

    /// Makes the folders of `path` inside the site folder, refusing any that
    /// is a symbolic link or not a folder: nothing is ever written through a
    /// link planted inside the folder. Returns the file's full path.
    fn folder_of(&self, path: &str) -> Result<PathBuf, OutputError> {
        let mut at = self.dir.clone();
        let parts: Vec<&str> = path.split('/').collect();
        for part in &parts[..parts.len() - 1] {
            at.push(part);
            if self.folders.lock().is_ok_and(|f| f.contains(&at)) {
                continue;
            }
            match std::fs::symlink_metadata(&at) {
                Ok(m) if m.file_type().is_dir() => {}
                Ok(_) => return Err(OutputError::NotAFolder(at)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => match std::fs::create_dir(&at) {
                    Ok(()) => {}
                    // Made by another thread meanwhile: check it again.
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                        if !std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_dir()) {
                            return Err(OutputError::NotAFolder(at));
                        }
                    }
                    Err(e) => return Err(io_err(&at)(e)),
                },
                Err(e) => return Err(io_err(&at)(e)),
            }
            if let Ok(mut f) = self.folders.lock() {
                f.insert(at.clone());
            }
        }
        Ok(self.dir.join(path))
    }

    /// Whether the file at `path` is what the last export wrote there: a
    /// plain file with the hash the manifest gives. Only then may it go.
    fn is_ours(&self, path: &str, record: &Record) -> bool {
        is_site_path(path)
            && self.folder_of(path).is_ok()
            && self.on_disk(path, record)
            && std::fs::read(self.dir.join(path)).is_ok_and(|b| hash128(&b) == record.hash)
    }

    /// Whether the page at `path` was rendered from the same view last time
    /// and is still there, so it need not be rendered again; it is kept.
    pub fn is_fresh(&self, path: &str, input: u128) -> bool {
        self.old
            .get(path)
            .map(|o| &o.record)
            .is_some_and(|r| r.input == Some(input) && self.on_disk(path, r))
    }

    /// Keeps a file that `is_fresh` said need not be rendered.
    pub fn keep(&mut self, path: &str) {
        if let Some(o) = self.old.get_mut(path)
            && !o.kept
        {
            o.kept = true;
            self.done.unchanged += 1;
        }
    }

    pub fn put(&mut self, file: File) -> Result<(), OutputError> {
        self.put_all(vec![file])
    }

    /// Writes the files whose bytes differ from what is on disk: their
    /// hashes on every core, their bytes on the writer's thread, in the
    /// order given (see [`Output::finish`], which waits for them).
    pub fn put_all(&mut self, files: Vec<File>) -> Result<(), OutputError> {
        if let Some(bad) = files.iter().find(|f| !is_safe(&f.path)) {
            return Err(OutputError::UnsafePath(bad.path.clone()));
        }
        type Done = (String, Record, Option<(PathBuf, Vec<u8>)>);
        let results: Vec<Result<Done, OutputError>> = files
            .into_par_iter()
            .map(|f| {
                let record = Record {
                    hash: hash128(&f.bytes),
                    len: f.bytes.len() as u64,
                    input: f.input,
                };
                let same = self
                    .old
                    .get(&f.path)
                    .map(|o| &o.record)
                    .is_some_and(|r| r.hash == record.hash && self.on_disk(&f.path, r));
                let write = if same {
                    None
                } else {
                    Some((self.folder_of(&f.path)?, f.bytes))
                };
                Ok((f.path, record, write))
            })
            .collect();
        let mut writes = Vec::new();
        for r in results {
            let (path, record, write) = r?;
            match write {
                Some(w) => {
                    writes.push(w);
                    self.done.written.push(path.clone());
                }
                None => self.done.unchanged += 1,
            }
            self.new.insert(path, record);
        }
        if !writes.is_empty() {
            self.unstamp();
        }
        self.writer.write(writes)
    }

    /// Removes what the last export wrote and this one did not, and saves
    /// the manifest.
    pub fn finish(mut self) -> Result<Written, OutputError> {
        // Every page written before the manifest says it is.
        self.writer.finish()?;
        for (path, o) in &self.old {
            if o.kept
                || self.new.contains_key(path)
                || !is_safe(path)
                || !self.is_ours(path, &o.record)
            {
                continue;
            }
            let full = self.dir.join(path);
            self.unstamp();
            match std::fs::remove_file(&full) {
                Ok(()) => self.done.removed.push(path.clone()),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_err(&full)(e)),
            }
        }
        // The shards holding a path whose record changed, was added or
        // went: only those are made and written again, with those missing
        // from the folder.
        let mut dirty = [false; 256];
        let mut used = [false; 256];
        for (p, o) in &self.old {
            let now = self.new.get(p).or(o.kept.then_some(&o.record));
            let s = shard_of(p) as usize;
            if now != Some(&o.record) {
                dirty[s] = true;
            }
            used[s] |= now.is_some();
        }
        for p in self.new.keys() {
            let s = shard_of(p) as usize;
            used[s] = true;
            if !self.old.contains_key(p) {
                dirty[s] = true;
            }
        }
        let folder = self.dir.join(MANIFEST);
        match std::fs::symlink_metadata(&folder) {
            Ok(m) if m.file_type().is_dir() => {}
            Ok(_) => return Err(OutputError::NotAFolder(folder)),
            Err(_) => std::fs::create_dir(&folder).map_err(io_err(&folder))?,
        }
        let write: Vec<bool> = (0..256)
            .map(|s| {
                used[s]
                    && (dirty[s]
                        || !std::fs::symlink_metadata(folder.join(shard_name(s as u8)))
                            .is_ok_and(|m| m.file_type().is_file()))
            })
            .collect();
        let mut shards: BTreeMap<u8, Shard> = BTreeMap::new();
        let mut add = |path: String, r: Record| {
            let s = shard_of(&path);
            if write[s as usize] {
                shards
                    .entry(s)
                    .or_insert_with(|| Shard {
                        version: MANIFEST_VERSION,
                        files: Vec::new(),
                    })
                    .files
                    .push((path, r.hash, r.len, r.input));
            }
        };
        for (path, o) in &self.old {
            if o.kept && !self.new.contains_key(path) {
                add(path.clone(), o.record);
            }
        }
        for (path, record) in std::mem::take(&mut self.new) {
            add(path, record);
        }
        let bytes: Vec<(PathBuf, Vec<u8>)> = shards
            .into_par_iter()
            .map(|(s, mut shard)| {
                shard.files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
                let bytes = postcard::to_allocvec(&shard).unwrap_or_default();
                (folder.join(shard_name(s)), bytes)
            })
            .collect();
        for (file, bytes) in bytes {
            if read_plain(&file).as_deref() != Some(&bytes[..]) {
                self.unstamp();
                write_atomically(&file, &bytes)?;
            }
        }
        // Last: only a folder whose export finished says what it shows.
        let exported = folder.join(EXPORTED);
        match &self.exporting {
            Some(e) => {
                let mut bytes = serde_json::to_vec(e).unwrap_or_default();
                bytes.push(b'\n');
                if read_plain(&exported).as_deref() != Some(&bytes[..]) {
                    write_atomically(&exported, &bytes)?;
                }
            }
            None => {
                if read_plain(&exported).is_some() {
                    let _ = std::fs::remove_file(&exported);
                }
            }
        }
        // Shards left from an export of more files, and those of version 2
        // (JSON): ours by their names.
        for e in std::fs::read_dir(&folder)
            .map_err(io_err(&folder))?
            .flatten()
        {
            let name = e.file_name().to_string_lossy().into_owned();
            let (json, bin) = (name.ends_with(".json"), name.ends_with(".bin"));
            let ours = name.len() == if json { 7 } else { 6 }
                && (json || bin)
                && name[..2].bytes().all(|b| b.is_ascii_hexdigit());
            let unused =
                || json || u8::from_str_radix(&name[..2], 16).is_ok_and(|s| !used[s as usize]);
            if ours && unused() && read_plain(&e.path()).is_some() {
                let _ = std::fs::remove_file(e.path());
            }
        }
        let old = self.dir.join(OLD_MANIFEST);
        if read_plain(&old).is_some_and(|b| serde_json::from_slice::<Manifest>(&b).is_ok()) {
            let _ = std::fs::remove_file(old);
        }
        // A page made twice (an original of duplicates read before them)
        // is written once as far as the report says.
        self.done.written.sort();
        self.done.written.dedup();
        self.done.removed.sort();
        drop_later(std::mem::take(&mut self.old));
        Ok(std::mem::take(&mut self.done))
    }
}

/// Frees `value` on a thread of its own: 100,000 records, or entries,
/// take a tenth of a second to free, which the export need not wait for
/// (and a command that exits meanwhile never pays).
pub fn drop_later<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("git-issue-free".to_owned())
        .spawn(move || drop(value));
}

/// Whether the site writes files at `path`: its own top-level files, and
/// files in its own folders. Anything else (a `CNAME`, a `.nojekyll`, a
/// user's own page) is never removed, whatever the manifest says.
fn is_site_path(path: &str) -> bool {
    const FOLDERS: &[&str] = &[
        "issues/",
        "list/",
        "labels/",
        "milestones/",
        "release-notes/",
        "data/",
    ];
    let (folder_ok, name) = match path.rsplit_once('/') {
        Some((_, name)) => (FOLDERS.iter().any(|f| path.starts_with(f)), name),
        None => (true, path),
    };
    let attachment = path.starts_with("issues/") && path.contains("/attachments/");
    attachment
        || folder_ok
            && [".html", ".js", ".css", ".svg"]
                .iter()
                .any(|ext| name.ends_with(ext))
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
