//! "Me too" votes: one per person, kept as the set `voters` of emails so
//! that votes cast on two clones at once both count after a sync (the set
//! merges by union; a count would be overwritten). The number an issue
//! shows is `vote_count`: the votes without a name an older file or an
//! import carries (`votes`), plus one per voter.

use super::read::{load, read_config};
use super::{Error, Outcome, Result, Tracker};
use crate::format::fields::{self, Val, Value};
use crate::format::{Issue, Key};

/// What a vote did.
#[derive(Debug, Clone)]
pub struct Vote {
    pub outcome: Outcome,
    /// The issue's votes in all, after the change.
    pub count: u64,
    /// The duplicate voted on, when the vote went to its original instead.
    pub redirected_from: Option<Key>,
}

/// The emails of an issue's voters.
pub fn voters(issue: &Issue) -> Vec<String> {
    match issue.get(fields::named("voters")) {
        Val::List(v) => v.to_vec(),
        _ => Vec::new(),
    }
}

/// Sets the emails of an issue's voters.
pub fn set_voters(issue: &mut Issue, voters: Vec<String>) {
    issue.put(fields::named("voters"), Value::List(voters));
}

impl Tracker {
    /// Adds the user's vote. A vote on a duplicate goes to its original.
    pub fn vote(&self, key: &Key) -> Result<Vote> {
        self.change_vote(key, true)
    }

    /// Takes the user's vote back (from the original, for a duplicate).
    pub fn unvote(&self, key: &Key) -> Result<Vote> {
        self.change_vote(key, false)
    }

    fn change_vote(&self, key: &Key, add: bool) -> Result<Vote> {
        let me = self.me()?;
        let email = me
            .email
            .ok_or(Error::Store(crate::store::StoreError::NoIdentity))?;
        let (target, redirected_from) = self.vote_target(key)?;
        let mut count = 0;
        let outcome = self.update(&target, |issue, _, _| {
            let mut list = voters(issue);
            if add && !list.contains(&email) {
                list.push(email.clone());
            } else if !add {
                list.retain(|v| v != &email);
            }
            set_voters(issue, list);
            count = fields::vote_count(issue);
            Ok(())
        })?;
        Ok(Vote {
            outcome,
            count,
            redirected_from,
        })
    }

    /// The issue a vote on `key` lands on: its original when it is a
    /// closed duplicate of one that exists.
    fn vote_target(&self, key: &Key) -> Result<(Key, Option<Key>)> {
        let snap = self.snapshot()?;
        let config = read_config(&snap)?;
        let record = load(&snap, key)?;
        let original = record
            .issue
            .duplicate_of
            .as_deref()
            .filter(|_| config.is_closed(&record.issue.status))
            .and_then(|d| d.parse::<Key>().ok())
            .and_then(|d| load(&snap, &d).ok());
        Ok(match original {
            Some(o) if o.key != record.key => (o.key, Some(record.key)),
            _ => (record.key, None),
        })
    }
}
