//! The search index: tantivy, at `<git common dir>/git-issue/index`, one per
//! clone, never committed. The files on the branch are the truth; the index
//! is a cache of them that records (in tantivy's commit payload, so it moves
//! atomically with the documents) the branch tree it reflects, a hash of the
//! settings it was built with and its schema version.
//!
//! This module owns tantivy and nothing else does. It knows documents and
//! queries; which issues changed is the tracker's business.

mod directory;
mod keys;
mod row;
mod schema;
mod search;
mod translate;
mod update;

pub use search::{Fragment, SnippetMaker};
pub use update::Updater;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tantivy::{IndexReader, ReloadPolicy, TantivyDocument, Term};

use crate::format::{Issue, Key, Problem};
use crate::query::Expr;
use schema::{Fields, TEXT_ANALYZER, analyzer, schema};

/// Bumped whenever the schema or what goes into a document changes; an
/// index of another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 7;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("the search index at {path} cannot be used: {source}")]
    Tantivy {
        path: PathBuf,
        source: tantivy::TantivyError,
    },
    #[error("another git-issue kept the search index locked for {0:?}")]
    Busy(Duration),
    #[error("cannot prepare the search index folder {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub type Result<T, E = IndexError> = std::result::Result<T, E>;

/// What the index reflects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub version: u32,
    /// The branch tree the documents were read from.
    pub tree: String,
    /// A hash of `tracker.yml`: which statuses are open and the order of
    /// priorities are baked into documents.
    pub settings: String,
}

/// One issue as the index stores it.
pub struct IssueDoc<'a> {
    pub key: &'a Key,
    pub issue: &'a Issue,
    /// The bodies of the comments that are not internal, joined.
    pub comments: &'a str,
    /// The bodies of the internal comments, joined.
    pub internal: &'a str,
    /// Occurrences of a recorded error per day (UTC), summed from its
    /// occurrence files: what `analyze` reads.
    pub days: &'a BTreeMap<jiff::civil::Date, u64>,
}

/// Whose words full text matches: internal comments are words only for
/// the team. They are a field of their own, so a public query is answered
/// (counted, ranked, negated) by the index alone, as exactly as any other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Words {
    All,
    Public,
}

/// One change to apply: a document to (re)write or a key to drop.
pub enum Update<'a> {
    Issue(IssueDoc<'a>),
    /// A file that does not parse, kept so that `list` can warn about it
    /// without reading the branch; filed under the key of its name.
    Problem(Key, Problem),
    Remove(Key),
}

/// A result: the key, the stored issue (without its description), and a
/// relevance score when the query had text.
#[derive(Debug, Clone)]
pub struct Hit {
    pub key: Key,
    pub issue: Issue,
    pub score: f32,
}

/// An issue with its occurrences per day, as [`Index::tallies`] finds it.
#[derive(Debug, Clone)]
pub struct Tallied {
    pub key: Key,
    pub issue: Issue,
    pub days: BTreeMap<jiff::civil::Date, u64>,
}

pub struct Index {
    path: PathBuf,
    /// tantivy's index and reader, opened on first use: `show` asks the
    /// index only who names the issue in a link field, which [`Links`]
    /// mostly answers without them (opening them was a third of `show`).
    opened: OnceLock<Result<Opened, tantivy::TantivyError>>,
    /// The values of the link fields, as read when the index was opened
    /// or reloaded, or as this process wrote them.
    links: std::sync::RwLock<Option<Links>>,
}

struct Opened {
    index: tantivy::Index,
    reader: IndexReader,
}

/// The fields whose values name other issues, looked up by `show` on every
/// issue (its duplicates, the keys it had): every value any document has
/// had in them is kept in a file beside the index, [`LINKS_FILE`], so
/// that a value no document has needs no search. Values only ever join
/// it (a document rewritten or removed leaves its values), so it says
/// "no" only when no document can match; without the file, the index is
/// asked.
const LINK_FIELDS: [&str; 2] = ["duplicate_of", "aliases"];
const LINKS_FILE: &str = "links.json";
type Links = BTreeMap<String, BTreeSet<String>>;

fn read_links(path: &Path) -> Option<Links> {
    serde_json::from_slice(&std::fs::read(path.join(LINKS_FILE)).ok()?).ok()
}

/// Replaces the links file whole (a temporary file and a rename).
fn write_links(path: &Path, links: &Links) -> std::io::Result<()> {
    replace_file(
        path,
        LINKS_FILE,
        serde_json::to_string(links).unwrap_or_default().as_bytes(),
    )
}

/// Replaces the file `name` in the index folder `path` whole, by a
/// temporary file renamed into place, so a reader never sees half of it.
fn replace_file(path: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = tempfile::NamedTempFile::new_in(path)?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.persist(path.join(name)).map_err(|e| e.error)?;
    Ok(())
}

/// What the index at `path` reflects, from its `meta.json`, without the
/// rest (tantivy's own reading of it builds the whole schema again):
/// `None` when the file cannot be read, `Some(None)` when it has no state.
fn read_payload(path: &Path) -> Option<Option<State>> {
    #[derive(serde::Deserialize)]
    struct Meta {
        payload: Option<String>,
    }
    let bytes = std::fs::read(path.join("meta.json")).ok()?;
    let payload = match last_payload(&bytes) {
        Some(payload) => payload,
        None => serde_json::from_slice::<Meta>(&bytes).ok()?.payload,
    };
    Some(payload.and_then(|p| serde_json::from_str(&p).ok()))
}

/// The payload of a `meta.json` whose last member it is, as tantivy writes
/// it, read without the 8 KB of schema before it (scanning those was half
/// of opening the index): `None` when the file does not end that way.
/// Inside a JSON string a quote is escaped, so `"payload":` can only be
/// the member's name.
fn last_payload(bytes: &[u8]) -> Option<Option<String>> {
    const NAME: &[u8] = b"\"payload\":";
    let at = bytes.windows(NAME.len()).rposition(|w| w == NAME)?;
    let rest = std::str::from_utf8(&bytes[at + NAME.len()..]).ok()?;
    let value = rest.trim_end().strip_suffix('}')?;
    serde_json::from_str(value).ok()
}

/// How long to wait for another process's writer before giving up.
const WRITER_PATIENCE: Duration = Duration::from_secs(30);

impl Index {
    /// Opens the index at `path`; `None` when there is none, or it is of
    /// another schema version, or it cannot be read (then it is rebuilt).
    ///
    /// tantivy itself opens the index on first use; an index that cannot
    /// be read then answers with an error ([`Index::open_or_create`]
    /// checks at once, and rebuilds).
    pub fn open(path: &Path) -> Option<(Index, Option<State>)> {
        let state = read_payload(path)?;
        if state.as_ref().is_some_and(|s| s.version != SCHEMA_VERSION) {
            return None;
        }
        // Read after the state: a writer adds to it before it commits, so
        // it holds at least every value of the documents of that state.
        let links = read_links(path);
        Some((
            Index {
                path: path.to_owned(),
                opened: OnceLock::new(),
                links: std::sync::RwLock::new(links),
            },
            state,
        ))
    }

    fn fields(&self) -> &'static Fields {
        &schema().1
    }

    fn opened(&self) -> Result<&Opened> {
        self.opened
            .get_or_init(|| {
                let index = tantivy::Index::open(directory::Unsynced::open(&self.path)?)?;
                if index.schema() != schema().0 {
                    return Err(tantivy::TantivyError::SchemaError(
                        "the index was written with another schema".to_owned(),
                    ));
                }
                index
                    .tokenizers()
                    .register(TEXT_ANALYZER, analyzer("english"));
                let reader = index
                    .reader_builder()
                    .reload_policy(ReloadPolicy::Manual)
                    .try_into()?;
                Ok(Opened { index, reader })
            })
            .as_ref()
            .map_err(|e| self.err(e.clone()))
    }

    /// Whether tantivy can open the index: `open` reads only its state,
    /// so a damaged index shows here, before a search.
    pub fn readable(&self) -> bool {
        self.opened().is_ok()
    }

    fn searcher(&self) -> Result<tantivy::Searcher> {
        Ok(self.opened()?.reader.searcher())
    }

    /// Whether the links file rules out every match of `expr`.
    fn links_rule_out(&self, expr: &Expr) -> bool {
        let Expr::Field(field, values) = expr else {
            return false;
        };
        let links = self.links.read().unwrap_or_else(|e| e.into_inner());
        let Some(links) = links.as_ref() else {
            return false;
        };
        LINK_FIELDS.contains(&field.name)
            && links
                .get(field.name)
                .is_none_or(|known| !values.iter().any(|v| known.contains(v)))
    }

    /// Stems full text in `language` (`search.language`) from now on, for
    /// documents written and snippets made. Call before writing: the index
    /// must be rebuilt when the language changes, which the tracker does
    /// since `tracker.yml` is part of the index's [`State`].
    pub fn set_language(&self, language: &str) {
        if let Ok(opened) = self.opened() {
            opened
                .index
                .tokenizers()
                .register(TEXT_ANALYZER, analyzer(language));
        }
    }

    /// Opens the index at `path`, or creates an empty one there. Creation
    /// happens in a folder of its own that is then renamed into place, so a
    /// process that races us either wins the rename or uses ours.
    pub fn open_or_create(path: &Path) -> Result<(Index, Option<State>)> {
        if let Some(found) = Index::open(path)
            && found.0.opened().is_ok()
        {
            return Ok(found);
        }
        if path.join("meta.json").exists() {
            // There, but of another version or unreadable.
            Index::discard(path)?;
        }
        let io = |source| IndexError::Io {
            path: path.to_owned(),
            source,
        };
        let parent = path.parent().unwrap_or(path);
        std::fs::create_dir_all(parent).map_err(io)?;
        let tmp = tempfile::Builder::new()
            .prefix("index.new-")
            .tempdir_in(parent)
            .map_err(io)?
            .keep();
        let schema = schema().0.clone();
        let dir = directory::Unsynced::open(&tmp).map_err(|e| tantivy_error(&tmp, e))?;
        tantivy::Index::create(dir, schema, tantivy::IndexSettings::default())
            .map_err(|e| tantivy_error(&tmp, e))?;
        // No document has a link yet.
        write_links(&tmp, &Links::new()).map_err(io)?;
        keys::write(&tmp, &BTreeSet::new())?;
        if std::fs::rename(&tmp, path).is_err() {
            // Someone else put an index there first: use theirs.
            let _ = std::fs::remove_dir_all(&tmp);
        }
        let found = Index::open(path).ok_or_else(|| IndexError::Io {
            path: path.to_owned(),
            source: std::io::Error::other("the new index cannot be opened"),
        })?;
        found.0.opened()?;
        Ok(found)
    }

    /// Moves a damaged or outdated index out of the way (readers that have
    /// it open keep their files) and deletes it.
    pub fn discard(path: &Path) -> Result<()> {
        if !path.exists() {
            return Ok(());
        }
        let parent = path.parent().unwrap_or(path);
        let io = |source| IndexError::Io {
            path: path.to_owned(),
            source,
        };
        // A fresh empty folder's name, which the rename replaces.
        let old = tempfile::Builder::new()
            .prefix("index.old-")
            .tempdir_in(parent)
            .map_err(io)?
            .keep();
        match std::fs::rename(path, &old) {
            Ok(()) => {
                let _ = std::fs::remove_dir_all(&old);
                Ok(())
            }
            Err(source) => {
                let _ = std::fs::remove_dir(&old);
                // Another process moved it first.
                if path.exists() {
                    Err(io(source))
                } else {
                    Ok(())
                }
            }
        }
    }

    /// What the index reflects now, read afresh from disk (another process
    /// may have moved it).
    pub fn state(&self) -> Option<State> {
        self.opened()
            .ok()?
            .index
            .load_metas()
            .ok()?
            .payload
            .and_then(|p| serde_json::from_str(&p).ok())
    }

    /// Takes the writer lock, waiting while another process holds it.
    pub fn writer(&self, threads: usize, budget: usize) -> Result<Updater<'_>> {
        let started = Instant::now();
        loop {
            match self
                .opened()?
                .index
                .writer_with_num_threads::<TantivyDocument>(threads, budget)
            {
                Ok(w) => {
                    return Ok(Updater {
                        index: self,
                        writer: w,
                        links: Default::default(),
                        keyed: Default::default(),
                        cleared: false,
                    });
                }
                Err(tantivy::TantivyError::LockFailure(..)) => {
                    if started.elapsed() > WRITER_PATIENCE {
                        return Err(IndexError::Busy(WRITER_PATIENCE));
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => return Err(tantivy_error(&self.path, e)),
            }
        }
    }

    /// Whether any issue has a value in the field named `name` (deleted
    /// documents may still say yes: it only ever rules a field out).
    pub(super) fn anyone_has(&self, name: &str) -> bool {
        let term = Term::from_field_text(self.fields().has, name);
        self.searcher()
            .map_or(true, |s| s.doc_freq(&term).map_or(true, |n| n > 0))
    }

    fn err(&self, e: tantivy::TantivyError) -> IndexError {
        tantivy_error(&self.path, e)
    }

    /// Sees what the last commit wrote (the reader is made when the index is
    /// opened).
    pub fn reload(&self) -> Result<()> {
        self.opened()?.reader.reload().map_err(|e| self.err(e))?;
        // Read after the documents, so it holds all their values.
        *self.links.write().unwrap_or_else(|e| e.into_inner()) = read_links(&self.path);
        Ok(())
    }
}

fn tantivy_error(path: &Path, source: tantivy::TantivyError) -> IndexError {
    IndexError::Tantivy {
        path: path.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests;
