//! What the site keeps of each issue between exports: the row lists show,
//! the words search looks through, the links between issues, and the few
//! facts the dashboard and the known-issues page sum. Every page over many
//! issues and every data file is made from these alone, so that an export
//! after one change reads that issue's files, not 100,000.
//!
//! Kept in `<git common dir>/git-issue/site-catalog.json` (one for the
//! public site, one with confidential issues), beside the search index and
//! never in the published folder. It says which commit of the branch it
//! was read at; an export uses it only when the folder was last exported
//! from that same commit, and then reads again every issue the branch
//! changed since. A catalog that is missing, unreadable or of another
//! version only costs one full read: delete it at will.

use std::collections::HashMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::corpus::{Corpus, SiteIssue};
use super::views::{Row, row, words};
use crate::format::Config;
use crate::format::fields::{self, Val};
use crate::store::{CommitInfo, Store};
use crate::tracker::stats::SupportFacts;

/// What the pages over many issues need of one issue.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub row: Row,
    /// The distinct words of its title (see [`words`]).
    pub title_words: String,
    /// Of its description and the comments the site shows.
    pub text_words: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    pub support: SupportFacts,
    /// Flagged `known`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub known: bool,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub votes: u64,
    /// The `Workaround` section of its description, for the known page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workaround: Option<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub occurrences: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<i64>,
    /// Names of its attached files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
    /// Commits of the project it names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commits: Vec<String>,
}

fn is_false(b: &bool) -> bool {
    !b
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Entry {
    pub fn of(e: &SiteIssue, config: &Config) -> Entry {
        let i = &e.issue;
        Entry {
            row: row(e, config),
            title_words: words(std::iter::once(i.title.as_str())),
            text_words: words(
                std::iter::once(i.body.as_str())
                    .chain(e.comments.iter().map(|c| c.comment.body.as_str())),
            ),
            duplicate_of: i.duplicate_of.clone(),
            related: i.related.clone(),
            support: SupportFacts::of(i, &e.comments, config),
            known: i.get(fields::named("known")) == Val::Flag(true),
            votes: fields::vote_count(i),
            workaround: super::escape::workaround(&i.body),
            occurrences: e.occurrences.occurrences,
            last_seen: e.occurrences.last_seen.map(|t| t.as_second()),
            attachments: e.attachments.clone(),
            commits: i.commits.clone(),
        }
    }
}

/// The entries of every issue on the site, by number, and what says when
/// they may be used again.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Catalog {
    version: u32,
    /// The program and the site's format that wrote it.
    format: String,
    /// The commit of the issues branch its entries were read at.
    pub tip: String,
    /// Keys that have named more than one issue (confidential ones too):
    /// their history is told apart by reading everything again.
    pub shared: Vec<String>,
    /// Commits issues name that this clone did not have when it was read:
    /// one that arrives since changes those issues' pages.
    pub missing: Vec<String>,
    /// By number.
    pub entries: Vec<Entry>,
}

const CATALOG_VERSION: u32 = 1;

fn path_of(store: &Store, include_confidential: bool) -> PathBuf {
    store.local_dir().join(if include_confidential {
        "site-catalog-confidential.json"
    } else {
        "site-catalog.json"
    })
}

impl Catalog {
    /// The catalog of a whole corpus.
    pub fn of(corpus: &Corpus) -> Catalog {
        use rayon::prelude::*;
        let entries: Vec<Entry> = corpus
            .entries
            .par_iter()
            .map(|e| Entry::of(e, &corpus.config))
            .collect();
        let mut catalog = Catalog {
            version: CATALOG_VERSION,
            format: super::FORMAT.to_owned(),
            tip: corpus.tip.clone(),
            shared: corpus.shared_keys().iter().map(|k| k.to_string()).collect(),
            missing: Vec::new(),
            entries,
        };
        catalog.shared.sort();
        catalog.note_missing(&corpus.commits);
        catalog
    }

    /// Remembers which named commits `commits` lacks.
    pub fn note_missing(&mut self, commits: &HashMap<String, CommitInfo>) {
        let mut missing: Vec<String> = self
            .entries
            .iter()
            .flat_map(|e| e.commits.iter())
            .filter(|c| !commits.contains_key(*c))
            .cloned()
            .collect();
        missing.sort();
        missing.dedup();
        self.missing = missing;
    }

    /// The catalog this clone kept, when it was written by this version.
    pub fn load(store: &Store, include_confidential: bool) -> Option<Catalog> {
        let bytes = std::fs::read(path_of(store, include_confidential)).ok()?;
        serde_json::from_slice::<Catalog>(&bytes)
            .ok()
            .filter(|c| c.version == CATALOG_VERSION && c.format == super::FORMAT)
    }

    /// Keeps it for the next export. A catalog that cannot be written only
    /// costs time then.
    pub fn save(&self, store: &Store, include_confidential: bool) {
        let path = path_of(store, include_confidential);
        let Ok(bytes) = serde_json::to_vec(self) else {
            return;
        };
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }

    /// Removes the kept catalog.
    pub fn forget(store: &Store, include_confidential: bool) {
        let _ = std::fs::remove_file(path_of(store, include_confidential));
    }

    /// Where the entry of issue `number` is, or would go.
    pub fn position(&self, number: u64) -> Result<usize, usize> {
        self.entries.binary_search_by_key(&number, |e| e.row.number)
    }
}
