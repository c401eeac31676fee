//! The pages of the site as plain `Serialize` structs, built from the
//! [`Corpus`](super::corpus::Corpus) and nothing else, as zola renders from
//! its own serialized views rather than from the model. Everything the HTML
//! of a page shows is in its view, so the hash of a view says whether its
//! page needs rendering again.

use crate::tracker::release;
use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::catalog::Entry;
use super::corpus::{Corpus, SiteIssue};
use super::dashboard::dashboard;
use super::listing;
use crate::format::{Config, Key};

mod attachments;
mod groups;
mod issue;
mod pages;

pub use attachments::*;
pub use groups::{Group, each_group};
pub use issue::*;
pub use pages::*;

/// How an issue appears in lists, tables and cards.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Row {
    pub key: String,
    pub number: u64,
    pub title: String,
    pub status: String,
    pub closed: bool,
    pub kind: String,
    pub priority: String,
    /// Position in `tracker.yml`'s priorities, for sorting in the browser.
    pub priority_rank: usize,
    pub severity: Option<String>,
    pub labels: Vec<String>,
    pub milestone: Option<String>,
    pub assignee: Option<String>,
    pub component: Option<String>,
    pub created: i64,
    pub updated: i64,
    pub resolved: Option<i64>,
}

/// A link to another issue; `href` only when that issue is on the site.
#[derive(Debug, Clone, Serialize)]
pub struct IssueLink {
    pub key: String,
    pub title: Option<String>,
    pub href: Option<String>,
    pub closed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CommentView {
    pub id: String,
    pub author: String,
    pub created: i64,
    pub internal: bool,
    pub body: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CommitView {
    pub id: String,
    pub summary: Option<String>,
    pub author: Option<String>,
    pub time: Option<i64>,
}

/// Settings every page shares.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Frame {
    pub project: String,
    /// Where the site will be published, for canonical links.
    pub base_url: Option<String>,
    /// Pages served by `git issue serve`: what they add (forms, live
    /// updates). `None` in an export, whose pages are read-only.
    pub live: Option<Live>,
}

/// What `git issue serve` adds to every page.
#[derive(Debug, Clone, Serialize)]
pub struct Live {
    /// The server's secret, sent back with every change (CSRF).
    pub token: String,
    /// `--read-only`: pages without forms.
    pub read_only: bool,
    /// The values the forms offer.
    pub choices: Choices,
    /// What the last change did or why it was refused, shown atop the page.
    pub notice: Option<String>,
    /// Markup `serve` adds to this one page, made with [`super::escape::esc`]
    /// (an issue's vote and attach forms, the board's query): empty elsewhere.
    pub addition: String,
}

/// The form to file an issue, with what was typed when it comes back.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NewIssuePage {
    pub frame: Frame,
    pub title: String,
    pub kind: String,
    pub priority: String,
    pub severity: String,
    pub labels: String,
    pub milestone: String,
    pub assignee: String,
    pub component: String,
    pub template: String,
    pub body: String,
}

/// Values a form offers: `tracker.yml`'s lists, and the labels,
/// milestones, assignees and components issues use.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Choices {
    pub statuses: Vec<String>,
    pub closed_statuses: Vec<String>,
    pub types: Vec<String>,
    pub priorities: Vec<String>,
    pub severities: Vec<String>,
    pub labels: Vec<String>,
    pub milestones: Vec<String>,
    pub assignees: Vec<String>,
    pub components: Vec<String>,
    pub templates: Vec<String>,
}

/// A commit of the issues branch, as an issue's history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryView {
    pub commit: String,
    pub author: String,
    pub time: i64,
    pub message: String,
}

/// The issue on the tracker it was bridged with: `GitHub #12`.
#[derive(Debug, Clone, Serialize)]
pub struct BridgeView {
    pub service: String,
    pub key: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IssuePage {
    pub frame: Frame,
    pub row: Row,
    pub reporter: Option<String>,
    /// Voters plus votes without a name (an older file's number).
    pub votes: u64,
    pub confidential: bool,
    pub aliases: Vec<String>,
    /// Markdown, rendered and sanitized by the HTML renderer.
    pub body: String,
    pub comments: Vec<CommentView>,
    pub commits: Vec<CommitView>,
    pub prs: Vec<String>,
    /// Files, folders and symbols of the repository it concerns.
    pub paths: Vec<String>,
    /// Where it lives on GitHub, GitLab or Jira too.
    pub bridge: Option<BridgeView>,
    pub duplicate_of: Option<IssueLink>,
    /// Issues closed as duplicates of this one.
    pub duplicates: Vec<IssueLink>,
    pub related: Vec<IssueLink>,
    pub attachments: Vec<AttachmentView>,
    /// When it is a recorded error: how often, when and where it happened.
    pub occurrences: Option<OccurrencesView>,
    pub history: Vec<HistoryView>,
    pub milestone_slug: Option<String>,
}

/// A recorded error's occurrences, summed over its occurrence files.
#[derive(Debug, Clone, Serialize)]
pub struct OccurrencesView {
    pub count: u64,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    pub hosts: Vec<String>,
    /// Occurrences per week, oldest first (see [`occurrence_weeks`]).
    pub weeks: Vec<OccurrenceWeek>,
}

/// A row of the dashboard's most-recurring table.
#[derive(Debug, Clone, Serialize)]
pub struct Recurring {
    pub row: Row,
    pub occurrences: u64,
    pub last_seen: Option<i64>,
}

/// A file name for a milestone or label, whatever its name holds: readable letters
/// and digits, and a hash so that two names never share a file.
pub fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
        if s.len() >= 40 {
            break;
        }
    }
    let s = s.trim_end_matches('-');
    let hash = xxhash_rust::xxh3::xxh3_64(name.as_bytes()) as u32;
    if s.is_empty() {
        format!("m-{hash:08x}")
    } else {
        format!("{s}-{hash:08x}")
    }
}

fn rank(list: &[String], v: &str) -> usize {
    list.iter().position(|x| x == v).unwrap_or(list.len())
}

pub(super) fn row(e: &SiteIssue, config: &Config) -> Row {
    let i = &e.issue;
    Row {
        key: e.key.to_string(),
        number: e.key.number,
        title: i.title.clone(),
        status: i.status.clone(),
        closed: config.is_closed(&i.status),
        kind: i.kind.clone(),
        priority: i.priority.clone(),
        priority_rank: rank(&config.priorities, &i.priority),
        severity: i.severity.clone(),
        labels: i.labels.clone(),
        milestone: i.milestone.clone(),
        assignee: i.assignee.clone(),
        component: i.component.clone(),
        created: i.created.as_second(),
        updated: i.updated.as_second(),
        resolved: i.resolved.map(|t| t.as_second()),
    }
}

/// How many cards a board column shows; the rest are a "more" link.
pub const BOARD_CARDS: usize = 50;

/// How many closed issues the board's last column shows.
pub const BOARD_CLOSED: usize = 20;

/// How many issues a page of a listing holds (the first page holds up to
/// twice as many, so that it is never nearly empty).
pub const PAGE: usize = 100;

/// How many weeks the created-versus-resolved chart covers.
pub const WEEKS: usize = 12;

impl Site {
    pub fn build(corpus: &Corpus, base_url: Option<&str>) -> Site {
        let frame = Frame {
            project: corpus.project.clone(),
            base_url: base_url.map(|u| u.trim_end_matches('/').to_owned()),
            live: None,
        };
        let entries: Vec<Entry> = corpus
            .entries
            .iter()
            .map(|e| Entry::of(e, &corpus.config))
            .collect();
        Site::assemble(&entries, &corpus.config, corpus.problems.len(), frame)
    }

    /// The site of the issues of `entries` (by number).
    pub fn assemble(entries: &[Entry], config: &Config, problems: usize, frame: Frame) -> Site {
        let pages = Pages::assemble(entries, config, problems, frame);
        let data = super::data::files_of(config, entries, &pages.rows, &pages.statuses, None);
        Site {
            pages,
            data: data.files,
        }
    }
}

/// The listings an export after a few changes renders again (see
/// [`Pages::assemble_touched`]); the others are kept as they are.
#[derive(Debug, Clone, Default)]
pub struct Touched {
    /// The buckets of [`PAGE`] numbers whose pages of the whole list are
    /// made (`index.html` always is); `None` for all of them.
    pub buckets: Option<std::collections::BTreeSet<u64>>,
    /// The labels and milestones whose listings (and release notes) are
    /// made, every page of each.
    pub labels: std::collections::BTreeSet<String>,
    pub milestones: std::collections::BTreeSet<String>,
}

impl Pages {
    pub fn build(corpus: &Corpus, frame: Frame) -> Pages {
        let entries: Vec<Entry> = corpus
            .entries
            .iter()
            .map(|e| Entry::of(e, &corpus.config))
            .collect();
        Pages::assemble(&entries, &corpus.config, corpus.problems.len(), frame)
    }

    /// The pages over the issues of `entries` (by number); `problems` is
    /// how many files did not parse.
    pub fn assemble(entries: &[Entry], config: &Config, problems: usize, frame: Frame) -> Pages {
        Pages::assemble_touched(entries, config, problems, frame, None)
    }

    /// As [`Pages::assemble`], with only the listings and release notes
    /// `touched` names when given: the other pages over many issues are
    /// made whole, being quick.
    pub fn assemble_touched(
        entries: &[Entry],
        config: &Config,
        problems: usize,
        frame: Frame,
        touched: Option<&Touched>,
    ) -> Pages {
        use rayon::prelude::*;
        // At 100,000 issues each part below is tens of milliseconds, and
        // an export after one change makes them all: on every core.
        let rows: Vec<Row> = entries.par_iter().map(|e| e.row.clone()).collect();
        let mut statuses: Vec<String> = config.statuses.clone();
        for r in &rows {
            if !statuses.contains(&r.status) {
                statuses.push(r.status.clone());
            }
        }
        let groups = || {
            let mut listings = Vec::new();
            let mut notes = Vec::new();
            let _ = each_group::<()>(&rows, problems, &frame, touched, |g| {
                listings.extend(g.listings);
                notes.extend(g.notes);
                Ok(())
            });
            (listings, notes)
        };
        let overviews = || {
            let board = board(&frame, &rows, &statuses, config);
            let (labels, milestones) = groups::by_name(&rows);
            let summaries: Vec<_> = milestones
                .iter()
                .map(|(name, ms)| groups::summary(name, ms))
                .collect();
            let labels: Vec<LabelCount> = labels
                .iter()
                .map(|(name, rs)| LabelCount {
                    name: (*name).to_owned(),
                    slug: slug(name),
                    open: rs.iter().filter(|r| !r.closed).count(),
                    closed: rs.iter().filter(|r| r.closed).count(),
                })
                .collect();
            (board, summaries, labels)
        };
        let issues = || {
            let mut dashboard = dashboard(&frame, config, entries, &rows);
            dashboard.recurring = recurring(entries);
            let known = known(&frame, entries);
            let duplicates = duplicates(
                entries.iter().map(|e| (e.duplicate_of.as_deref(), &e.row)),
                &rows,
                config,
            );
            (dashboard, known, duplicates)
        };
        let ((listings, notes), ((board, summaries, labels), (dashboard, known, duplicates))) =
            rayon::join(groups, || rayon::join(overviews, issues));
        Pages {
            listings,
            board,
            milestones: MilestonesPage {
                frame: frame.clone(),
                milestones: summaries,
            },
            labels: LabelsPage {
                frame: frame.clone(),
                labels,
            },
            notes,
            dashboard,
            search: SearchPage {
                frame: frame.clone(),
            },
            known,
            duplicates,
            frame,
            rows,
            statuses,
        }
    }
}

impl Pages {
    /// Brings what an issue page reads (the frame, the rows, the statuses,
    /// the duplicates) up to `corpus`, leaving the pages over many issues as
    /// they were: `git issue serve` answers a change with the issue's page
    /// at once and builds the others when one is next asked for.
    pub fn refresh_issue_parts(&mut self, corpus: &Corpus, frame: Frame) {
        let config = &corpus.config;
        self.rows = corpus.entries.iter().map(|e| row(e, config)).collect();
        let mut statuses = config.statuses.clone();
        for r in &self.rows {
            if !statuses.contains(&r.status) {
                statuses.push(r.status.clone());
            }
        }
        self.statuses = statuses;
        self.duplicates = duplicates(
            corpus
                .entries
                .iter()
                .map(|e| e.issue.duplicate_of.as_deref())
                .zip(&self.rows),
            &self.rows,
            config,
        );
        self.frame = frame;
    }
}

/// The Known issues page: open issues flagged `known`, most votes first,
/// then by number.
fn known(frame: &Frame, entries: &[Entry]) -> KnownPage {
    let mut issues: Vec<KnownIssue> = entries
        .iter()
        .filter(|e| !e.row.closed && e.known)
        .map(|e| KnownIssue {
            row: e.row.clone(),
            votes: e.votes,
            workaround: e.workaround.clone(),
        })
        .collect();
    issues.sort_by_key(|k| (std::cmp::Reverse(k.votes), k.row.number));
    KnownPage {
        frame: frame.clone(),
        issues,
    }
}

/// How many recorded errors the dashboard's most-recurring table shows.
pub const RECURRING: usize = 10;

/// The recorded errors with the most occurrences, most first, then by
/// number.
fn recurring(entries: &[Entry]) -> Vec<Recurring> {
    let mut out: Vec<Recurring> = entries
        .iter()
        .filter(|e| e.occurrences > 0)
        .map(|e| Recurring {
            row: e.row.clone(),
            occurrences: e.occurrences,
            last_seen: e.last_seen,
        })
        .collect();
    out.sort_by_key(|x| (std::cmp::Reverse(x.occurrences), x.row.number));
    out.truncate(RECURRING);
    out
}

/// A link to the issue at `rows[i]`, from another issue's page.
fn link_to(r: &Row) -> IssueLink {
    IssueLink {
        key: r.key.clone(),
        title: Some(r.title.clone()),
        href: Some(format!("{}.html", r.key)),
        closed: r.closed,
    }
}

/// The issue on the site a key names, among `rows` (by number).
fn row_of<'a>(rows: &'a [Row], text: &str, config: &Config) -> Option<&'a Row> {
    let key = Key::parse_with_default(text, &config.key)?;
    rows.binary_search_by_key(&key.number, |r| r.number)
        .ok()
        .map(|i| &rows[i])
        .filter(|r| r.key == key.to_string())
}

/// Every issue's duplicates on the site (those with `duplicate_of` naming
/// it), in one pass over the issues.
fn duplicates<'a>(
    issues: impl Iterator<Item = (Option<&'a str>, &'a Row)>,
    rows: &[Row],
    config: &Config,
) -> HashMap<String, Vec<IssueLink>> {
    let mut out: HashMap<String, Vec<IssueLink>> = HashMap::new();
    for (duplicate_of, r) in issues {
        if let Some(original) = duplicate_of
            .and_then(|d| row_of(rows, d, config))
            .filter(|o| o.key != r.key)
        {
            out.entry(original.key.clone())
                .or_default()
                .push(link_to(r));
        }
    }
    out
}

/// The board: a column per open status in workflow order, statuses
/// tracker.yml does not know after them, then the latest closed; each
/// column shows its first cards and counts the rest.
pub fn board(frame: &Frame, rows: &[Row], statuses: &[String], config: &Config) -> BoardPage {
    let mut columns: Vec<Column> = statuses
        .iter()
        .filter(|s| !config.is_closed(s))
        .map(|s| Column {
            status: s.clone(),
            cards: Vec::new(),
            more: 0,
        })
        .collect();
    let mut open: Vec<Vec<&Row>> = vec![Vec::new(); columns.len()];
    let mut closed: Vec<&Row> = Vec::new();
    for r in rows {
        if r.closed {
            closed.push(r);
        } else if let Some(i) = columns.iter().position(|c| c.status == r.status) {
            open[i].push(r);
        }
    }
    for (c, mut cards) in columns.iter_mut().zip(open) {
        cards.sort_by_key(|r| (r.priority_rank, r.number));
        c.more = cards.len().saturating_sub(BOARD_CARDS);
        c.cards = cards.into_iter().take(BOARD_CARDS).cloned().collect();
    }
    closed.sort_by_key(|r| std::cmp::Reverse((r.resolved.unwrap_or(r.updated), r.number)));
    columns.push(Column {
        status: "closed".to_owned(),
        more: closed.len().saturating_sub(BOARD_CLOSED),
        cards: closed.into_iter().take(BOARD_CLOSED).cloned().collect(),
    });
    BoardPage {
        frame: frame.clone(),
        columns,
        query: String::new(),
    }
}

pub(super) const WEEK: i64 = 7 * 24 * 3600;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::dashboard::week_start;

    #[test]
    fn slugs_are_safe_file_names_and_distinct() {
        let a = slug("v0.7.0");
        assert!(a.starts_with("v0-7-0-"), "{a}");
        assert_ne!(slug("v0.7.0"), slug("v0-7-0"));
        let evil = slug("../../etc/passwd");
        assert!(evil.starts_with("etc-passwd-"), "{evil}");
        assert!(
            slug("<script>")
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        );
        assert!(slug("日本").starts_with("m-"));
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2026-01-07 is a Wednesday; its week starts on Monday 2026-01-05.
        let wed: i64 = "2026-01-07T12:00:00Z"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_second();
        let mon: i64 = "2026-01-05T00:00:00Z"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_second();
        assert_eq!(week_start(wed), mon);
        assert_eq!(week_start(mon), mon);
    }

    #[test]
    fn attachment_copies_have_plain_names_and_never_an_active_type() {
        assert_eq!(attachment_file_name("screen-1.png"), "screen-1.png");
        assert_eq!(attachment_file_name("trace_2.LOG"), "trace_2.LOG");
        let evil = attachment_file_name("\"><img src=x onerror=\"alert(1)\">.svg");
        assert!(
            evil.ends_with(".svg.bin") || evil.ends_with(".bin"),
            "{evil}"
        );
        for name in [
            "page.html",
            "x.svg",
            "../../etc/passwd",
            ".hidden.png",
            "日本.png",
            "a b.png",
        ] {
            let f = attachment_file_name(name);
            assert!(
                !f.starts_with('.')
                    && f.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')),
                "{name} -> {f}"
            );
            assert_ne!(f, name);
            assert!(!f.ends_with(".html") && !f.ends_with(".svg"), "{f}");
        }
        assert_ne!(
            attachment_file_name("a b.png"),
            attachment_file_name("a_b.png")
        );
        assert_ne!(
            attachment_file_name("a b.png"),
            attachment_file_name("a+b.png")
        );
    }

    #[test]
    fn words_are_lowercase_and_distinct() {
        assert_eq!(
            words(["Hello, hello WORLD", "world-wide"].into_iter()),
            "hello world wide"
        );
        // ASCII text is cut byte by byte, other text char by char: the same
        // words either way.
        let ascii = "Fix_it: v2.0 (x86-64) done; tabs\tand\nlines!";
        assert_eq!(
            words([ascii].into_iter()),
            "fix it v2 0 x86 64 done tabs and lines"
        );
        assert_eq!(
            words([ascii, "Ünïcode CAFÉ café"].into_iter()),
            words([format!("{ascii} Ünïcode CAFÉ café").as_str()].into_iter())
        );
    }
}
