//! What shell completion offers: issue keys and the values in use, read the
//! cheapest way there is (file names for keys, the index's counts for
//! values), so a TAB answers at once.

use super::read::{issue_files, read_config};
use super::{Result, Tracker};
use crate::format::config::Vocabulary;
use crate::format::fields;

/// A kind of value the command line can complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completable {
    Key,
    Label,
    Milestone,
    Assignee,
    Component,
    Listed(Vocabulary),
}

impl Tracker {
    /// The values of `what`: keys newest first, the rest in name order.
    pub fn completions(&self, what: Completable) -> Result<Vec<String>> {
        let field = match what {
            Completable::Key => {
                let snap = self.snapshot()?;
                let mut keys: Vec<_> = issue_files(&snap)?.into_iter().map(|(k, _)| k).collect();
                keys.sort_by_key(|k| std::cmp::Reverse(k.number));
                return Ok(keys.into_iter().map(|k| k.to_string()).collect());
            }
            Completable::Listed(v) => {
                let config = read_config(&self.snapshot()?)?;
                return Ok(config.values(v).to_vec());
            }
            Completable::Label => "labels",
            Completable::Milestone => "milestone",
            Completable::Assignee => "assignee",
            Completable::Component => "component",
        };
        let (counts, _) = self.counts(fields::named(field))?;
        Ok(counts.into_iter().map(|c| c.name).collect())
    }
}
