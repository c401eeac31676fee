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

/// The section of issues that commits of the range name but that are still
/// open: worked on, not shipped.
pub const IN_PROGRESS: &str = "In progress";

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
            None => self.default_range(&config)?,
        };
        let end = range_end(&range);
        let end_tag = (!end.is_empty() && self.store.is_tag(end)).then(|| end.to_owned());
        let glob = config.release_notes.tags.trim();
        // The release a tag names: the part the glob matched
        // (`rel/proj-1.2.0` → `1.2.0`), or the whole tag.
        let release = end_tag
            .as_deref()
            .map(|tag| release_name(glob, tag).unwrap_or(tag).to_owned());
        let milestone = match milestone {
            Some(m) => Some(m.to_owned()),
            None => release.as_deref().and_then(|name| {
                listing
                    .records
                    .iter()
                    .filter_map(|r| r.issue.milestone.as_deref())
                    .find(|m| same_release(m, name))
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
        let mut in_progress: Vec<&Record> = Vec::new();
        let mut limitations: Vec<&Record> = Vec::new();
        for r in &listing.records {
            let closed = config.is_closed(&r.issue.status);
            if in_milestone(r) && !closed {
                limitations.push(r);
            } else if referenced.contains(&r.key.number) && !closed {
                // Worked on, not done: not a fix to announce.
                in_progress.push(r);
            } else if referenced.contains(&r.key.number)
                || (in_milestone(r) && r.issue.commits.is_empty() && is_shipped(&r.issue.status))
            {
                shipped.push(r);
            }
        }
        shipped.sort_by_key(|r| r.key.number);
        in_progress.sort_by_key(|r| r.key.number);
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
        sections.push(NoteSection {
            title: IN_PROGRESS.to_owned(),
            items: in_progress.into_iter().map(|r| item(r, &config)).collect(),
        });
        sections.retain(|s| !s.items.is_empty());
        Ok(ReleaseNotes {
            title: milestone
                .clone()
                .or(release)
                .unwrap_or_else(|| "Unreleased".to_owned()),
            range,
            milestone,
            sections,
            known_limitations: limitations.into_iter().map(|r| item(r, &config)).collect(),
        })
    }

    /// From the newest release tag before HEAD to HEAD; when HEAD is
    /// tagged itself, the range ends at that tag (so its milestone is found)
    /// and starts at the release tag before it. Release tags are those
    /// `release_notes.tags` matches (every tag when it is empty), less
    /// pre-releases (`-RC1`, `beta`, `1.0.0-alpha.2`, …).
    fn default_range(&self, config: &Config) -> Result<String> {
        let glob = config.release_notes.tags.trim();
        let is_release = |tag: &str| match release_name(glob, tag) {
            Some(name) => !is_prerelease(name),
            None => glob.is_empty() && !is_prerelease(tag),
        };
        let head = self.store.resolve_commit("HEAD").ok();
        let found = self.store.nearest_tags("HEAD", 2, is_release)?;
        let mut found = found.into_iter();
        Ok(match (found.next(), found.next()) {
            (Some((at, tag)), before) if Some(&at) == head.as_ref() => match before {
                Some((_, start)) => format!("{start}..{tag}"),
                None => tag,
            },
            (Some((_, start)), _) => format!("{start}..HEAD"),
            (None, _) => "HEAD".to_owned(),
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

/// The part of `tag` that `glob` matched with its `*`s (`rel/proj-*` and
/// `rel/proj-1.2.0` give `1.2.0`): the release a tag names. `None` when the
/// glob is empty or does not match. `*` matches any run of characters,
/// `?` one; when a glob has several `*`, the last one names the release.
pub fn release_name<'t>(glob: &str, tag: &'t str) -> Option<&'t str> {
    if glob.is_empty() {
        return None;
    }
    let mut capture = None;
    glob_match(glob.as_bytes(), tag.as_bytes(), 0, &mut capture).then(|| match capture {
        Some((start, end)) => &tag[start..end],
        None => tag,
    })
}

/// Matches `glob` against `text[at..]`, recording where the last `*`
/// matched. Backtracking over bytes: tags and globs are short.
fn glob_match(glob: &[u8], text: &[u8], at: usize, capture: &mut Option<(usize, usize)>) -> bool {
    match glob.split_first() {
        None => at == text.len(),
        Some((b'*', rest)) => {
            let last_star = !rest.contains(&b'*');
            // Shortest first for the earlier stars, longest first for the
            // last one, so `rel/*-*` gives the whole version.
            let ends: Vec<usize> = if last_star {
                (at..=text.len()).rev().collect()
            } else {
                (at..=text.len()).collect()
            };
            for end in ends {
                if glob_match(rest, text, end, capture) {
                    if last_star {
                        *capture = Some((at, end));
                    }
                    return true;
                }
            }
            false
        }
        Some((b'?', rest)) => at < text.len() && glob_match(rest, text, at + 1, capture),
        Some((c, rest)) => text.get(at) == Some(c) && glob_match(rest, text, at + 1, capture),
    }
}

/// Whether a tag (or the release part of one) names a pre-release:
/// `-RC1`, `.rc2`, `1.0rc1`, `alpha`, `beta`, `-M3`, `-SNAPSHOT`, `-dev`,
/// `-pre`, `-preview`, or a semver pre-release (`1.2.3-anything`). Build
/// metadata (`1.2.3+build`) is not one.
pub fn is_prerelease(name: &str) -> bool {
    const WORDS: [&str; 13] = [
        "rc", "alpha", "beta", "a", "b", "pre", "preview", "dev", "snapshot", "m", "cr", "ea",
        "nightly",
    ];
    let lower = name.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    // The version: the first run of digits and dots that starts the name or
    // follows `v` or a separator (`log4j-2.0` is version 2.0).
    let start = (0..bytes.len()).find(|&i| {
        bytes[i].is_ascii_digit()
            && (i == 0 || matches!(bytes[i - 1], b'-' | b'_' | b'/' | b'.' | b'v'))
    });
    let (core, suffix) = match start {
        Some(s) => {
            let end = (s..bytes.len())
                .find(|&i| !(bytes[i].is_ascii_digit() || bytes[i] == b'.'))
                .unwrap_or(bytes.len());
            let core = lower[s..end].trim_end_matches('.');
            (core, &lower[s + core.len()..])
        }
        None => ("", lower.as_str()),
    };
    let suffix = suffix.split('+').next().unwrap_or_default();
    if suffix.is_empty() {
        return false;
    }
    // Words of the suffix, split at separators and between letters and
    // digits: `-RC1` is `rc`, `1`.
    let mut words = Vec::new();
    let mut word = String::new();
    for c in suffix.chars() {
        let boundary = !c.is_ascii_alphanumeric()
            || word
                .chars()
                .last()
                .is_some_and(|p| p.is_ascii_digit() != c.is_ascii_digit());
        if boundary && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        if c.is_ascii_alphanumeric() {
            word.push(c);
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    let named = words.iter().enumerate().any(|(i, w)| {
        WORDS.contains(&w.as_str())
            // A lone `a`, `b` or `m` counts only before a number (`1.0b2`).
            && (w.len() > 1 || words.get(i + 1).is_some_and(|n| n.chars().all(|c| c.is_ascii_digit())))
    });
    named || (core.split('.').count() == 3 && suffix.starts_with('-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pre_releases_are_told_from_releases() {
        for pre in [
            "v1.0.0-rc1",
            "commons-lang-3.13.0-RC1",
            "1.0rc1",
            "v2.0.0-alpha.2",
            "v2.0.0-beta",
            "3.0.0-M3",
            "1.0b2",
            "1.2.3-SNAPSHOT",
            "v1.2.3-0.3.7",
            "release-1.4.0.RC2",
        ] {
            assert!(is_prerelease(pre), "{pre}");
        }
        for release in [
            "v1.0.0",
            "rel/commons-lang-3.13.0",
            "1.2.3+build.5",
            "log4j-2.0",
            "v0.7.0",
            "beta-tools-1.0",
            "2024.05",
        ] {
            assert!(!is_prerelease(release), "{release}");
        }
    }

    #[test]
    fn the_glob_names_the_release() {
        assert_eq!(
            release_name("rel/commons-lang-*", "rel/commons-lang-3.13.0"),
            Some("3.13.0")
        );
        assert_eq!(
            release_name("rel/commons-lang-*", "commons-lang-3.13.0-RC1"),
            None
        );
        assert_eq!(release_name("v*", "v1.2"), Some("1.2"));
        assert_eq!(
            release_name("rel/*-*", "rel/proj-1.2.0-rc1"),
            Some("1.2.0-rc1")
        );
        assert_eq!(release_name("v?.*", "v1.2"), Some("2"));
        assert_eq!(release_name("", "v1.2"), None);
        assert_eq!(release_name("exact", "exact"), Some("exact"));
    }

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
