//! The view of one issue's page.

use super::*;
use crate::site::dashboard::week_start;

/// The page of the issue at `index` of the corpus (`rows` are the
/// corpus's rows, by number): the one place that decides what an issue page
/// shows (add a field to [`IssuePage`] and fill it here).
pub fn issue_page(corpus: &Corpus, pages: &Pages, index: usize, frame: &Frame) -> IssuePage {
    issue_page_of(
        corpus,
        pages,
        &corpus.entries[index],
        &pages.rows[index],
        frame,
    )
}

/// The page of `e`, an issue of `corpus` (which may hold only some
/// issues), whose row is `r`; `pages` are over every issue.
pub fn issue_page_of(
    corpus: &Corpus,
    pages: &Pages,
    e: &SiteIssue,
    r: &Row,
    frame: &Frame,
) -> IssuePage {
    let config = &corpus.config;
    let rows = &pages.rows;
    let link = |text: &str| -> IssueLink {
        match row_of(rows, text, config) {
            Some(r) => link_to(r),
            None => IssueLink {
                key: Key::parse_with_default(text, &config.key)
                    .map_or_else(|| text.to_owned(), |k| k.to_string()),
                title: None,
                href: None,
                closed: false,
            },
        }
    };
    {
        let i = &e.issue;
        IssuePage {
            frame: frame.clone(),
            row: r.clone(),
            reporter: i.reporter.clone(),
            votes: crate::format::fields::vote_count(i),
            confidential: i.confidential,
            aliases: i.aliases.clone(),
            body: i.body.clone(),
            comments: e
                .comments
                .iter()
                .map(|r| (&r.id, &r.comment))
                .map(|(id, c)| CommentView {
                    id: id.clone(),
                    author: c.author.clone(),
                    created: c.created.as_second(),
                    internal: c.internal,
                    body: c.body.clone(),
                })
                .collect(),
            commits: i
                .commits
                .iter()
                .map(|id| match corpus.commits.get(id) {
                    Some(c) => CommitView {
                        id: c.id.clone(),
                        summary: Some(c.summary.clone()),
                        author: Some(c.author.clone()),
                        time: Some(c.time.as_second()),
                    },
                    None => CommitView {
                        id: id.clone(),
                        summary: None,
                        author: None,
                        time: None,
                    },
                })
                .collect(),
            prs: i.prs.clone(),
            paths: i
                .get(crate::format::fields::named("paths"))
                .texts()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            bridge: match i.get(crate::format::fields::named("bridge")) {
                crate::format::fields::Val::Map(b) => b.get("key").map(|k| BridgeView {
                    service: match b.get("service").map(String::as_str) {
                        Some("github") => "GitHub".to_owned(),
                        Some("gitlab") => "GitLab".to_owned(),
                        Some("jira") => "Jira".to_owned(),
                        other => other.unwrap_or_default().to_owned(),
                    },
                    key: k.clone(),
                    url: b.get("url").cloned(),
                }),
                _ => None,
            },
            duplicate_of: i.duplicate_of.as_deref().map(link),
            duplicates: pages.duplicates.get(&r.key).cloned().unwrap_or_default(),
            related: i.related.iter().map(|r| link(r)).collect(),
            attachments: e
                .attachments
                .iter()
                .map(|a| AttachmentView {
                    name: a.clone(),
                    path: attachment_path(&r.key, a),
                    image: extension(a).is_some_and(|e| IMAGES.contains(&e.as_str())),
                })
                .collect(),
            occurrences: (e.occurrences.occurrences > 0).then(|| OccurrencesView {
                count: e.occurrences.occurrences,
                first_seen: e.occurrences.first_seen.map(|t| t.as_second()),
                last_seen: e.occurrences.last_seen.map(|t| t.as_second()),
                hosts: e.occurrences.hosts.iter().cloned().collect(),
                weeks: occurrence_weeks(&e.occurrences.days),
            }),
            history: e
                .history
                .iter()
                .map(|r| HistoryView {
                    commit: r.commit.clone(),
                    author: r.author.clone(),
                    time: r.time.as_second(),
                    message: r.message.clone(),
                })
                .collect(),
            milestone_slug: i.milestone.as_deref().map(slug),
        }
    }
}

/// How many weeks an error's occurrences-per-week chart covers at most.
pub const OCCURRENCE_WEEKS: usize = 26;

/// One week of a recorded error's chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OccurrenceWeek {
    /// The Monday that starts it, `2026-01-05`.
    pub start: String,
    pub count: u64,
}

/// Occurrences per week (weeks start on Monday, UTC), oldest first: every
/// week from the one it was first seen to the one it was last seen, empty
/// weeks included, the last [`OCCURRENCE_WEEKS`] of them at most. Up to
/// the last occurrence, not up to today, so the same branch gives the same
/// page whenever it is exported.
pub fn occurrence_weeks(days: &crate::format::occurrence::Days) -> Vec<OccurrenceWeek> {
    let second = |d: &jiff::civil::Date| {
        d.to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp().as_second())
            .ok()
    };
    let seconds: Vec<(i64, u64)> = days
        .iter()
        .filter(|(_, n)| **n > 0)
        .filter_map(|(d, n)| Some((second(d)?, *n)))
        .collect();
    let (Some(first), Some(last)) = (seconds.first(), seconds.last()) else {
        return Vec::new();
    };
    let last = week_start(last.0);
    let first = week_start(first.0).max(last - (OCCURRENCE_WEEKS as i64 - 1) * WEEK);
    let mut weeks: Vec<OccurrenceWeek> = (first..=last)
        .step_by(WEEK as usize)
        .map(|start| OccurrenceWeek {
            start: jiff::Timestamp::from_second(start)
                .map(|t| t.strftime("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            count: 0,
        })
        .collect();
    for (t, n) in seconds {
        let w = week_start(t);
        if w >= first {
            weeks[((w - first) / WEEK) as usize].count += n;
        }
    }
    weeks
}

/// The distinct words of some texts, lower case, in first-seen order: what
/// full-text search looks through, a fraction of the size of the texts.
pub(in crate::site) fn words<'a>(texts: impl Iterator<Item = &'a str>) -> String {
    // Each distinct word by a hash of it, with where it is in `out`: no copy
    // of each word beside `out` (a tenth of a whole export's time went to
    // hashing and copying words).
    let mut seen: HashMap<u64, (u32, u8), std::hash::BuildHasherDefault<Prehashed>> =
        Default::default();
    let mut out = String::new();
    let mut buf = [0u8; MAX_WORD];
    // `word` is lower case already.
    let mut add = |word: &str| {
        let h = xxhash_rust::xxh3::xxh3_64(word.as_bytes());
        let start = out.len() + usize::from(!out.is_empty());
        match seen.entry(h) {
            std::collections::hash_map::Entry::Occupied(e) => {
                let (at, len) = *e.get();
                let (at, len) = (at as usize, usize::from(len));
                // Two words of one hash: told apart by looking.
                if out[at..at + len] == *word || out.split(' ').any(|x| x == word) {
                    return;
                }
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert((start as u32, word.len() as u8));
            }
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    };
    for text in texts {
        // ASCII text is cut byte by byte, not decoded char by char (the
        // same words: an ASCII char is alphanumeric when its byte is), and
        // lowered into a buffer on the stack.
        if text.is_ascii() {
            let mut cut = |w: &str| {
                if !w.is_empty() && w.len() <= MAX_WORD {
                    let lowered = &mut buf[..w.len()];
                    lowered.copy_from_slice(w.as_bytes());
                    lowered.make_ascii_lowercase();
                    // ASCII letters and digits lowered are ASCII still.
                    add(std::str::from_utf8(lowered).unwrap_or_default());
                }
            };
            let mut start = 0;
            for (at, b) in text.bytes().enumerate() {
                if !b.is_ascii_alphanumeric() {
                    cut(&text[start..at]);
                    start = at + 1;
                }
            }
            cut(&text[start..]);
        } else {
            for w in text.split(|c: char| !c.is_alphanumeric()) {
                if !w.is_empty() && w.len() <= MAX_WORD {
                    add(&w.to_lowercase());
                }
            }
        }
    }
    out
}

/// The longest word searched for, in bytes.
const MAX_WORD: usize = 40;

/// A hasher for keys that are hashes already.
#[derive(Default)]
struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn write(&mut self, bytes: &[u8]) {
        self.0 = xxhash_rust::xxh3::xxh3_64_with_seed(bytes, self.0);
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(list: &[(&str, u64)]) -> crate::format::occurrence::Days {
        list.iter().map(|(d, n)| (d.parse().unwrap(), *n)).collect()
    }

    #[test]
    fn occurrence_weeks_run_monday_to_sunday_with_empty_weeks_in_between() {
        // Sunday 2026-01-11 is in the week of the 5th; Monday the 12th starts
        // the next; nothing in the week of the 19th; two on the 26th.
        let w = occurrence_weeks(&days(&[
            ("2026-01-05", 3),
            ("2026-01-11", 1),
            ("2026-01-12", 4),
            ("2026-01-26", 2),
        ]));
        let got: Vec<(&str, u64)> = w.iter().map(|w| (w.start.as_str(), w.count)).collect();
        assert_eq!(
            got,
            [
                ("2026-01-05", 4),
                ("2026-01-12", 4),
                ("2026-01-19", 0),
                ("2026-01-26", 2)
            ]
        );
        assert!(occurrence_weeks(&days(&[])).is_empty());
    }

    #[test]
    fn occurrence_weeks_keep_the_last_ones_only() {
        let w = occurrence_weeks(&days(&[("2024-01-03", 9), ("2026-01-07", 1)]));
        assert_eq!(w.len(), OCCURRENCE_WEEKS);
        assert_eq!(w.last().unwrap().start, "2026-01-05");
        assert_eq!(w.iter().map(|w| w.count).sum::<u64>(), 1);
    }
}
