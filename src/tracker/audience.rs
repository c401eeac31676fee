//! Who an answer is for. Confidential issues and internal comments are for
//! the team; a reader outside it (an agent that was not given
//! `--include-confidential`) gets every answer as if they did not exist: in
//! results and their counts, in snippets, in release notes, and in what full
//! text matches at all, so no query can probe an internal comment's words.
//!
//! The index holds every issue and every comment, internal comments in a
//! field of their own. Confidential issues are kept out by a condition the
//! index answers itself (`confidential` is empty on the others), and full
//! text for this reader leaves the internal field out, so counts, ranking
//! and negated words (`-word`) are answered by the index alone, exactly and
//! at the cost of any other query; without an index, the scan reads only
//! the public comments.

use super::read::load;
use super::{Details, Error, Found, Page, Progress, ReleaseNotes, Result, Tracker};
use crate::format::Key;
use crate::format::fields;
use crate::query::Expr;

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
        let snippets = snippets && expr.has_text();
        self.find_maybe_snippets(&expr, page, snippets, Audience::Public, progress)
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
            // Nor the keys of confidential issues closed as its duplicates.
            let snap = self.snapshot()?;
            details
                .duplicates
                .retain(|k| load(&snap, k).is_ok_and(|r| !r.issue.confidential));
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
