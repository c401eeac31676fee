//! Support metrics: how a support queue is doing, from the issues and
//! their comments alone: open and unassigned counts, the median time to a
//! first response (the first public comment by someone other than the
//! reporter), and issues opened and resolved per week. Pure over its
//! input and the end of its window, so the site (which never reads the
//! clock) and `git issue stats` compute the same numbers.

use jiff::Timestamp;
use serde::Serialize;

use super::people::{Person, reporter_of};
use super::{CommentRecord, Result, Tracker};
use crate::format::{Config, Issue};

const WEEK: i64 = 7 * 24 * 3600;

/// One week of the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupportWeek {
    /// Its Monday, `2026-01-05`.
    pub start: String,
    pub opened: usize,
    pub resolved: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupportMetrics {
    pub open: usize,
    /// Open and assigned to nobody.
    pub unassigned: usize,
    /// Open, and nobody but the reporter has answered yet.
    pub awaiting_response: usize,
    /// Over the issues filed in the window that have had a response: the
    /// median of the time to the first, in seconds.
    pub median_first_response: Option<i64>,
    pub responded: usize,
    /// The weeks of the window, oldest first, the last one holding its end.
    pub weeks: Vec<SupportWeek>,
    /// Issues resolved per week, on average over the window.
    pub resolved_per_week: f64,
}

/// Monday 00:00 UTC of the week holding `t` (1970-01-01 was a Thursday).
fn week_start(t: i64) -> i64 {
    let shifted = t + 3 * 24 * 3600;
    shifted - shifted.rem_euclid(WEEK) - 3 * 24 * 3600
}

/// When someone other than the reporter first answered, publicly.
pub fn first_response(issue: &Issue, comments: &[CommentRecord]) -> Option<Timestamp> {
    let reporter = reporter_of(issue);
    comments
        .iter()
        .filter(|c| !c.comment.internal)
        .filter(|c| {
            let author = Person::parse(&c.comment.author);
            !reporter.as_ref().is_some_and(|r| r.same(&author))
        })
        .map(|c| c.comment.created)
        .min()
}

fn median(mut values: Vec<i64>) -> Option<i64> {
    values.sort_unstable();
    match values.len() {
        0 => None,
        n if n % 2 == 1 => Some(values[n / 2]),
        n => Some((values[n / 2 - 1] + values[n / 2]) / 2),
    }
}

/// What the metrics read of one issue: kept by the site between exports,
/// so that it need not read every issue's comments again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize)]
pub struct SupportFacts {
    pub open: bool,
    pub assigned: bool,
    // Whole seconds, which is all the metrics read of them: short to keep.
    #[serde(with = "jiff::fmt::serde::timestamp::second::required")]
    pub created: Timestamp,
    #[serde(with = "jiff::fmt::serde::timestamp::second::optional")]
    pub resolved: Option<Timestamp>,
    #[serde(with = "jiff::fmt::serde::timestamp::second::optional")]
    pub first_response: Option<Timestamp>,
}

impl SupportFacts {
    pub fn of(issue: &Issue, comments: &[CommentRecord], config: &Config) -> SupportFacts {
        SupportFacts {
            open: !config.is_closed(&issue.status),
            assigned: issue.assignee.is_some(),
            created: issue.created,
            resolved: issue.resolved,
            first_response: first_response(issue, comments),
        }
    }
}

/// The metrics of `issues` over the `weeks` weeks that end with the one
/// holding `end`.
pub fn support_metrics<'a>(
    issues: impl IntoIterator<Item = (&'a Issue, &'a [CommentRecord])>,
    config: &Config,
    end: Timestamp,
    weeks: usize,
) -> SupportMetrics {
    support_metrics_of(
        issues
            .into_iter()
            .map(|(i, c)| SupportFacts::of(i, c, config)),
        end,
        weeks,
    )
}

/// [`support_metrics`] from what it reads of each issue.
pub fn support_metrics_of(
    issues: impl IntoIterator<Item = SupportFacts>,
    end: Timestamp,
    weeks: usize,
) -> SupportMetrics {
    let weeks = weeks.max(1);
    let last = week_start(end.as_second());
    let first = last - (weeks as i64 - 1) * WEEK;
    let mut table: Vec<SupportWeek> = (0..weeks as i64)
        .map(|i| SupportWeek {
            start: Timestamp::from_second(first + i * WEEK)
                .map(|t| t.strftime("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            opened: 0,
            resolved: 0,
        })
        .collect();
    let slot = |t: Timestamp| {
        let s = t.as_second();
        (s >= first && s < last + WEEK).then(|| ((s - first) / WEEK) as usize)
    };
    let mut m = SupportMetrics {
        open: 0,
        unassigned: 0,
        awaiting_response: 0,
        median_first_response: None,
        responded: 0,
        weeks: Vec::new(),
        resolved_per_week: 0.0,
    };
    let mut times = Vec::new();
    for issue in issues {
        let open = issue.open;
        let answered = issue.first_response;
        if open {
            m.open += 1;
            m.unassigned += usize::from(!issue.assigned);
            m.awaiting_response += usize::from(answered.is_none());
        }
        if let Some(i) = slot(issue.created) {
            table[i].opened += 1;
            if let Some(t) = answered {
                times.push((t.as_second() - issue.created.as_second()).max(0));
            }
        }
        if !open && let Some(i) = issue.resolved.and_then(slot) {
            table[i].resolved += 1;
        }
    }
    m.responded = times.len();
    m.median_first_response = median(times);
    m.resolved_per_week =
        table.iter().map(|w| w.resolved).sum::<usize>() as f64 / table.len() as f64;
    m.weeks = table;
    m
}

impl Tracker {
    /// The support metrics of the tracker over the last `weeks` weeks.
    pub fn support_metrics(&self, weeks: usize) -> Result<SupportMetrics> {
        let (_, config, contents) = self.contents(true)?;
        Ok(support_metrics(
            contents
                .issues
                .iter()
                .map(|c| (&c.issue, c.comments.as_slice())),
            &config,
            self.store.now(),
            weeks,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Comment;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn issue(created: &str, status: &str, assignee: Option<&str>) -> Issue {
        let mut i = Issue::new(
            "01".into(),
            "x".into(),
            "bug".into(),
            status.into(),
            "p2".into(),
            at(created),
        );
        i.reporter = Some("Jane <jane@customer.com>".into());
        i.assignee = assignee.map(str::to_owned);
        i
    }

    fn comment(author: &str, created: &str, internal: bool) -> CommentRecord {
        CommentRecord {
            id: created.into(),
            comment: Comment {
                author: author.into(),
                created: at(created),
                internal,
                extra: Vec::new(),
                body: "x".into(),
            },
        }
    }

    #[test]
    fn first_response_is_the_first_public_answer_of_someone_else() {
        let config = Config::default();
        let a = issue("2026-01-05T10:00:00Z", "open", None);
        let a_comments = vec![
            comment("Jane <JANE@customer.com>", "2026-01-05T10:10:00Z", false),
            comment("Alice <alice@x.com>", "2026-01-05T11:00:00Z", true),
            comment("Alice <alice@x.com>", "2026-01-05T12:00:00Z", false),
        ];
        let mut b = issue("2026-01-06T10:00:00Z", "resolved", Some("bob"));
        b.resolved = Some(at("2026-01-13T10:00:00Z"));
        let b_comments = vec![comment("Bob <bob@x.com>", "2026-01-06T14:00:00Z", false)];
        let c = issue("2026-01-07T10:00:00Z", "open", Some("bob"));
        let m = support_metrics(
            [
                (&a, a_comments.as_slice()),
                (&b, b_comments.as_slice()),
                (&c, &[][..]),
            ],
            &config,
            at("2026-01-14T00:00:00Z"),
            2,
        );
        assert_eq!((m.open, m.unassigned, m.awaiting_response), (2, 1, 1));
        // Two hours and four hours: the median is three.
        assert_eq!(m.median_first_response, Some(3 * 3600));
        assert_eq!(m.responded, 2);
        assert_eq!(
            m.weeks,
            [
                SupportWeek {
                    start: "2026-01-05".into(),
                    opened: 3,
                    resolved: 0
                },
                SupportWeek {
                    start: "2026-01-12".into(),
                    opened: 0,
                    resolved: 1
                },
            ]
        );
        assert_eq!(m.resolved_per_week, 0.5);
    }
}
