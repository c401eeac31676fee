//! Who an answer is for. Confidential issues and internal comments are for
//! the team; a reader outside it (an agent that was not given
//! `--include-confidential`) gets every answer as if they did not exist: in
//! results and their counts, in snippets, in release notes, and in what full
//! text matches at all, so no query can probe an internal comment's words.
//!
//! The index holds every issue and every comment. Confidential issues are
//! kept out by a condition the index answers itself (`confidential` is empty
//! on the others); a full-text match is checked again against the public
//! text of each issue that has internal comments. A query that negates text
//! (`-word`) could match an issue *because* an internal comment was dropped,
//! which the index cannot say, so it is answered by reading the files.

use super::read::{comments_of, load, read_config, scan};
use super::{Details, Error, Found, Page, Progress, Quiet, Record, ReleaseNotes, Result, Tracker};
use crate::format::Key;
use crate::format::fields;
use crate::query::{Expr, TextFields};
use crate::store::Snapshot;

/// Who is reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Everything, as the command line shows it.
    Team,
    /// Neither confidential issues nor internal comments.
    Public,
}

/// The condition that leaves confidential issues out.
fn not_confidential() -> Expr {
    Expr::Missing(fields::named("confidential"))
}

/// Whether some text in `expr` is negated.
fn negates_text(expr: &Expr) -> bool {
    match expr {
        Expr::Not(inner) => inner.reads_text(),
        Expr::And(v) | Expr::Or(v) => v.iter().any(negates_text),
        _ => false,
    }
}

/// The comment bodies of an issue that `audience` may read, joined as
/// full-text search reads them, and whether any comment was left out.
fn comments_for(snap: &Snapshot<'_>, key: &Key, audience: Audience) -> Result<(String, bool)> {
    let (comments, _) = comments_of(snap, key)?;
    let total = comments.len();
    let shown: Vec<String> = comments
        .into_iter()
        .filter(|c| audience == Audience::Team || !c.comment.internal)
        .map(|c| c.comment.body)
        .collect();
    let hidden = shown.len() < total;
    Ok((shown.join("\n"), hidden))
}

impl Tracker {
    /// [`Tracker::find`] for `audience`.
    pub fn find_for(
        &self,
        audience: Audience,
        expr: &Expr,
        page: Page,
        progress: &dyn Progress,
    ) -> Result<Found> {
        match audience {
            Audience::Team => self.find(expr, page, progress),
            Audience::Public => self.find_public(expr, page, false, progress),
        }
    }

    /// [`Tracker::search`] for `audience`: snippets come from the text it
    /// may read.
    pub fn search_for(
        &self,
        audience: Audience,
        expr: &Expr,
        page: Page,
        progress: &dyn Progress,
    ) -> Result<Found> {
        match audience {
            Audience::Team => self.search(expr, page, progress),
            Audience::Public => self.find_public(expr, page, true, progress),
        }
    }

    fn find_public(
        &self,
        expr: &Expr,
        page: Page,
        snippets: bool,
        progress: &dyn Progress,
    ) -> Result<Found> {
        let expr = expr.clone().and(not_confidential());
        if !expr.reads_text() {
            return self.find(&expr, page, progress);
        }
        let (snap, mut found) = if negates_text(&expr) {
            let snap = self.snapshot()?;
            let found = self.scan_public(&snap, &expr, page)?;
            (snap, found)
        } else {
            // Public text is a part of all the text, so what matches it is
            // among what the index finds in all of it.
            let all = Page {
                offset: 0,
                limit: None,
                ..page
            };
            let candidates = self.find(&expr, all, progress)?;
            // Read after the index caught up, so the files are at least as
            // new as what it found.
            let snap = self.snapshot()?;
            let config = read_config(&snap)?;
            let mut kept = Found {
                problems: candidates.problems,
                fallback: candidates.fallback,
                ..Found::default()
            };
            for (r, score) in candidates.records.into_iter().zip(candidates.scores) {
                let (public, hidden) = comments_for(&snap, &r.key, Audience::Public)?;
                if hidden {
                    let issue = match load(&snap, &r.key) {
                        Ok(record) => record.issue,
                        // Deleted since the index was brought up to date.
                        Err(Error::NoSuchIssue(_)) => continue,
                        Err(e) => return Err(e),
                    };
                    let text = TextFields::new(&issue, &public);
                    if !expr.matches(&r.key.to_string(), &issue, &text, &config) {
                        continue;
                    }
                }
                kept.records.push(r);
                kept.scores.push(score);
            }
            kept.total = kept.records.len();
            kept.records = kept.records.split_off(page.offset.min(kept.total));
            kept.scores = kept.scores.split_off(page.offset.min(kept.scores.len()));
            if let Some(limit) = page.limit {
                kept.records.truncate(limit);
                kept.scores.truncate(limit);
            }
            (snap, kept)
        };
        if snippets && expr.has_text() {
            found.snippets = self.public_snippets(&snap, &expr, &found.records)?;
        }
        Ok(found)
    }

    /// The query answered from the files, with public text only.
    fn scan_public(&self, snap: &Snapshot<'_>, expr: &Expr, page: Page) -> Result<Found> {
        let config = &read_config(snap)?;
        let listing = scan(snap)?;
        let mut matched = Vec::new();
        for r in listing.records {
            let (public, _) = comments_for(snap, &r.key, Audience::Public)?;
            let text = TextFields::new(&r.issue, &public);
            if expr.matches(&r.key.to_string(), &r.issue, &text, config) {
                matched.push(r);
            }
        }
        matched.sort_by(|a, b| {
            page.sort
                .compare((&a.key, &a.issue), (&b.key, &b.issue), config)
        });
        let total = matched.len();
        let mut records: Vec<Record> = matched.into_iter().skip(page.offset).collect();
        if let Some(limit) = page.limit {
            records.truncate(limit);
        }
        for r in &mut records {
            // Lists carry no description, as the index answers them.
            r.issue.body.clear();
        }
        Ok(Found {
            scores: vec![0.0; records.len()],
            records,
            total,
            problems: listing.problems,
            fallback: None,
            snippets: Vec::new(),
        })
    }

    /// Highlighted fragments of the description and public comments.
    fn public_snippets(
        &self,
        snap: &Snapshot<'_>,
        expr: &Expr,
        records: &[Record],
    ) -> Result<Vec<Option<super::Snippet>>> {
        let mut texts = Vec::with_capacity(records.len());
        for r in records {
            let body = match load(snap, &r.key) {
                Ok(record) => record.issue.body,
                Err(Error::NoSuchIssue(_)) => String::new(),
                Err(e) => return Err(e),
            };
            texts.push((body, comments_for(snap, &r.key, Audience::Public)?.0));
        }
        // Snippets are a nicety: an index that cannot be opened now leaves
        // them out rather than failing an answer already found.
        let Ok(index) = self.fresh_index(&Quiet) else {
            return Ok(vec![None; records.len()]);
        };
        Ok(index
            .snippets(expr, &texts)
            .into_iter()
            .map(|s| s.map(|(text, highlights)| super::Snippet { text, highlights }))
            .collect())
    }

    /// [`Tracker::details`] for `audience`: a confidential issue is not
    /// found, internal comments are left out.
    pub fn details_for(&self, key: &Key, audience: Audience) -> Result<Details> {
        let mut details = self.details(key)?;
        if audience == Audience::Public {
            if details.record.issue.confidential {
                return Err(Error::NoSuchIssue(key.to_string()));
            }
            details.comments.retain(|c| !c.comment.internal);
        }
        Ok(details)
    }

    /// The key an issue is filed under, if `audience` may see it: what a
    /// change asked for by that audience checks first, so that it cannot
    /// touch, or learn of, an issue it cannot read.
    pub fn resolve_for(&self, key: &Key, audience: Audience) -> Result<Key> {
        let snap = self.snapshot()?;
        let record = load(&snap, key)?;
        if audience == Audience::Public && record.issue.confidential {
            return Err(Error::NoSuchIssue(key.to_string()));
        }
        Ok(record.key)
    }

    /// [`Tracker::release_notes`] for `audience`: confidential issues only
    /// for the team.
    pub fn release_notes_for(
        &self,
        range: Option<&str>,
        milestone: Option<&str>,
        audience: Audience,
    ) -> Result<ReleaseNotes> {
        self.release_notes_with(range, milestone, audience == Audience::Team)
    }
}
