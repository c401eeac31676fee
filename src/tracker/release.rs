//! Release notes: which issues a range of commits and a milestone shipped,
//! grouped by type, and the milestone's open issues as known limitations.
//! The answer is a view made to be rendered ([`ReleaseNotes`]), not the
//! model; rendering it is `crate::release_notes`.

use serde::Serialize;

use super::mentions::mentions;
use super::read::{read_config, scan};
use super::{Record, Result, Tracker};
use crate::format::Config;

/// Release notes, ready to render: what Markdown, HTML, JSON and a user's
/// own template all see.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleaseNotes {
    /// The milestone, else the tag the range ends at, else `Unreleased`.
    pub title: String,
    /// The commits read, as git takes a range (`v0.6.0..v0.7.0`).
    pub range: String,
    pub milestone: Option<String>,
    /// Features, Bug fixes, Optimizations, Documentation, Other: in that
    /// order, the empty ones left out.
    pub sections: Vec<NoteSection>,
    /// The milestone's issues that are still open.
    pub known_limitations: Vec<NoteItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoteSection {
    pub title: String,
    pub items: Vec<NoteItem>,
}

/// One line of the notes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoteItem {
    pub key: String,
    pub number: u64,
    pub title: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub status: String,
    /// From `release_notes.link` in tracker.yml; `None` when that is empty.
    pub link: Option<String>,
}

/// The sections of release notes, in order.
pub const SECTIONS: [&str; 5] = [
    "Features",
    "Bug fixes",
    "Optimizations",
    "Documentation",
    "Other",
];

/// The section an issue of type `kind` goes in (an index into
/// [`SECTIONS`]); types the defaults do not name go in "Other". The release
/// notes command and the site's release-notes pages share this rule.
pub fn section_of(kind: &str) -> usize {
    match kind {
        "feature" | "enhancement" => 0,
        "bug" | "fix" => 1,
        "optimization" | "performance" => 2,
        "docs" | "documentation" => 3,
        _ => 4,
    }
}

/// Whether a closed status means the work shipped; `wont_fix`, `duplicate`
/// and `invalid` issues of a milestone are left out of its notes.
pub fn is_shipped(status: &str) -> bool {
    !matches!(status, "wont_fix" | "duplicate" | "invalid")
}

impl Tracker {
    /// The notes for `range` (default: from the newest tag before HEAD to
    /// HEAD, or HEAD's whole history without a tag) and `milestone` (default:
    /// the milestone named like the tag the range ends at, if any issue
    /// has it).
    ///
    /// Confidential issues are left out: notes are for publishing.
    pub fn release_notes(
        &self,
        range: Option<&str>,
        milestone: Option<&str>,
    ) -> Result<ReleaseNotes> {
        self.release_notes_with(range, milestone, false)
    }

    /// [`Tracker::release_notes`], with confidential issues too when asked.
    pub fn release_notes_with(
        &self,
        range: Option<&str>,
        milestone: Option<&str>,
        include_confidential: bool,
    ) -> Result<ReleaseNotes> {
        let snap = self.snapshot()?;
        let config = read_config(&snap)?;
        let mut listing = scan(&snap)?;
        if !include_confidential {
            listing.records.retain(|r| !r.issue.confidential);
        }
        let range = match range {
            Some(r) => r.to_owned(),
            None => self.default_range()?,
        };
        let end = range_end(&range);
        let end_tag = (!end.is_empty() && self.store.is_tag(end)).then(|| end.to_owned());
        let milestone = match milestone {
            Some(m) => Some(m.to_owned()),
            None => end_tag.as_deref().and_then(|tag| {
                listing
                    .records
                    .iter()
                    .filter_map(|r| r.issue.milestone.as_deref())
                    .find(|m| same_release(m, tag))
                    .map(str::to_owned)
            }),
        };

        let mut referenced: Vec<u64> = Vec::new();
        for c in self.store.commits(Some(&range))? {
            for m in mentions(&c.message, &config.key) {
                if !referenced.contains(&m.key.number) {
                    referenced.push(m.key.number);
                }
            }
        }
        let in_milestone = |r: &Record| {
            milestone.is_some() && r.issue.milestone.as_deref() == milestone.as_deref()
        };
        let mut shipped: Vec<&Record> = Vec::new();
        let mut limitations: Vec<&Record> = Vec::new();
        for r in &listing.records {
            let closed = config.is_closed(&r.issue.status);
            if in_milestone(r) && !closed {
                limitations.push(r);
            } else if referenced.contains(&r.key.number)
                || (in_milestone(r) && r.issue.commits.is_empty() && is_shipped(&r.issue.status))
            {
                shipped.push(r);
            }
        }
        shipped.sort_by_key(|r| r.key.number);
        limitations.sort_by_key(|r| r.key.number);

        let mut sections: Vec<NoteSection> = SECTIONS
            .iter()
            .map(|title| (*title).to_owned())
            .map(|title| NoteSection {
                title,
                items: Vec::new(),
            })
            .collect();
        for r in shipped {
            let i = section_of(&r.issue.kind);
            sections[i].items.push(item(r, &config));
        }
        sections.retain(|s| !s.items.is_empty());
        Ok(ReleaseNotes {
            title: milestone
                .clone()
                .or(end_tag)
                .unwrap_or_else(|| "Unreleased".to_owned()),
            range,
            milestone,
            sections,
            known_limitations: limitations.into_iter().map(|r| item(r, &config)).collect(),
        })
    }

    /// From the newest tag before HEAD to HEAD; when HEAD is tagged itself,
    /// the range ends at that tag (so its milestone is found) and starts at
    /// the tag before it.
    fn default_range(&self) -> Result<String> {
        let (end, before) = match self.store.tags_at("HEAD")?.into_iter().next() {
            Some(tag) => (tag, self.store.nearest_tag("HEAD^")?),
            None => ("HEAD".to_owned(), self.store.nearest_tag("HEAD")?),
        };
        Ok(match before {
            Some(start) => format!("{start}..{end}"),
            None => end,
        })
    }
}

fn item(r: &Record, config: &Config) -> NoteItem {
    let key = r.key.to_string();
    let template = config.release_notes.link.trim();
    NoteItem {
        link: (!template.is_empty()).then(|| {
            template
                .replace("{n}", &r.key.number.to_string())
                .replace("{key}", &key)
        }),
        key,
        number: r.key.number,
        title: r.issue.title.clone(),
        kind: r.issue.kind.clone(),
        status: r.issue.status.clone(),
    }
}

/// The revision a range ends at: `B` of `A..B` and `A...B`, the range
/// itself when it is one revision.
fn range_end(range: &str) -> &str {
    match range.rfind("..") {
        Some(i) => range[i + 2..].trim_start_matches('.'),
        None => range,
    }
}

/// A tag and a milestone name the same release: `v0.7.0` and `0.7.0`.
fn same_release(milestone: &str, tag: &str) -> bool {
    milestone == tag
        || milestone.strip_prefix('v') == Some(tag)
        || tag.strip_prefix('v') == Some(milestone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_end_where_git_says() {
        assert_eq!(range_end("v0.6.0..v0.7.0"), "v0.7.0");
        assert_eq!(range_end("v0.6.0...main"), "main");
        assert_eq!(range_end("v0.7.0"), "v0.7.0");
        assert_eq!(range_end("v0.6.0.."), "");
    }

    #[test]
    fn tags_name_milestones_with_or_without_v() {
        assert!(same_release("v0.7.0", "v0.7.0"));
        assert!(same_release("0.7.0", "v0.7.0"));
        assert!(same_release("v0.7.0", "0.7.0"));
        assert!(!same_release("v0.7.1", "v0.7.0"));
    }
}
