//! `metrics`: the tracker as Prometheus metrics, in the text exposition
//! format (version 0.0.4), for node_exporter's textfile collector or any
//! scraper. Every family has HELP and TYPE lines; label values are escaped;
//! families come in a fixed order and samples in the order of their label
//! values, so the same branch gives the same bytes.
//!
//! Counters are computed from the branch as it is: `resolved_total` counts
//! the issues resolved now, so a reopened issue leaves it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Progress, Result, Tracker};
use crate::format::Config;
use crate::format::fields;
use crate::index::Tallied;
use crate::query::Expr;

/// The upper bounds of the resolution-time buckets, in seconds: an hour,
/// four hours, a day, three days, a week, two weeks, thirty and ninety days.
pub const RESOLUTION_BUCKETS: &[u64] = &[
    3_600, 14_400, 86_400, 259_200, 604_800, 1_209_600, 2_592_000, 7_776_000,
];

/// What a missing label value (an issue without a severity) reads as.
const NONE: &str = "none";

/// Metric families, in the order they are printed.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    pub families: Vec<Family>,
    /// Set when the index could not be used and the files were read.
    pub fallback: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Family {
    pub name: &'static str,
    pub help: &'static str,
    /// `counter`, `gauge` or `histogram`.
    pub kind: &'static str,
    pub samples: Vec<Sample>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The family's name, or it with a suffix (`_bucket`, `_sum`, `_count`).
    pub name: String,
    pub labels: Vec<(&'static str, String)>,
    pub value: u64,
}

impl Tracker {
    /// The tracker's metrics, from the index.
    pub fn metrics(&self, progress: &dyn Progress) -> Result<Metrics> {
        let config = self.config()?;
        let (issues, fallback) = self.tallies(&Expr::All, progress)?;
        let mut m = metrics(&issues, &config);
        m.fallback = fallback;
        Ok(m)
    }
}

/// Counts by label values, in their order.
type Counts = BTreeMap<Vec<String>, u64>;

fn family(
    name: &'static str,
    help: &'static str,
    kind: &'static str,
    labels: &[&'static str],
    counts: Counts,
) -> Family {
    Family {
        name,
        help,
        kind,
        samples: counts
            .into_iter()
            .map(|(values, value)| Sample {
                name: name.to_owned(),
                labels: labels.iter().copied().zip(values).collect(),
                value,
            })
            .collect(),
    }
}

/// The metrics of `issues`.
pub fn metrics(issues: &[Tallied], config: &Config) -> Metrics {
    let label = |v: Option<String>| {
        v.filter(|s| !s.is_empty())
            .unwrap_or_else(|| NONE.to_owned())
    };
    let mut created = Counts::new();
    let mut resolved = Counts::new();
    let mut active = Counts::new();
    let mut occurrences = Counts::new();
    let mut buckets = vec![0u64; RESOLUTION_BUCKETS.len()];
    let (mut sum, mut count) = (0u64, 0u64);
    for t in issues {
        let i = &t.issue;
        let severity = label(i.severity.clone());
        let category = label(i.field_text("category"));
        let component = label(i.component.clone());
        let by_all = vec![severity.clone(), category.clone(), component.clone()];
        *created.entry(by_all.clone()).or_default() += 1;
        if !config.is_closed(&i.status) {
            *active.entry(vec![severity, category]).or_default() += 1;
        }
        let n = i.get(fields::computed("occurrences")).count().unwrap_or(0);
        if n > 0 {
            *occurrences.entry(vec![component]).or_default() += n;
        }
        if let Some(r) = i.resolved {
            *resolved.entry(by_all).or_default() += 1;
            let seconds = (r.as_second() - i.created.as_second()).max(0) as u64;
            for (b, le) in buckets.iter_mut().zip(RESOLUTION_BUCKETS) {
                *b += u64::from(seconds <= *le);
            }
            sum += seconds;
            count += 1;
        }
    }
    let mut histogram = Family {
        name: "git_issue_resolution_seconds",
        help: "Time from filing an issue to resolving it, for the issues resolved now.",
        kind: "histogram",
        samples: Vec::new(),
    };
    let bucket = |le: String, value| Sample {
        name: "git_issue_resolution_seconds_bucket".to_owned(),
        labels: vec![("le", le)],
        value,
    };
    for (le, n) in RESOLUTION_BUCKETS.iter().zip(&buckets) {
        histogram.samples.push(bucket(le.to_string(), *n));
    }
    histogram.samples.push(bucket("+Inf".to_owned(), count));
    for (suffix, value) in [("sum", sum), ("count", count)] {
        histogram.samples.push(Sample {
            name: format!("git_issue_resolution_seconds_{suffix}"),
            labels: Vec::new(),
            value,
        });
    }
    Metrics {
        families: vec![
            family(
                "git_issue_issues_created_total",
                "Issues filed, by severity, category and component.",
                "counter",
                &["severity", "category", "component"],
                created,
            ),
            family(
                "git_issue_issues_resolved_total",
                "Issues resolved (in a closed status now), by severity, category and component.",
                "counter",
                &["severity", "category", "component"],
                resolved,
            ),
            family(
                "git_issue_active_issues",
                "Open issues, by severity and category.",
                "gauge",
                &["severity", "category"],
                active,
            ),
            family(
                "git_issue_occurrences_total",
                "Occurrences of recorded errors, by component.",
                "counter",
                &["component"],
                occurrences,
            ),
            histogram,
        ],
        fallback: None,
    }
}

impl Metrics {
    /// The text exposition format.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for f in &self.families {
            let _ = writeln!(out, "# HELP {} {}", f.name, escape_help(f.help));
            let _ = writeln!(out, "# TYPE {} {}", f.name, f.kind);
            for s in &f.samples {
                out.push_str(&s.name);
                if !s.labels.is_empty() {
                    out.push('{');
                    for (i, (name, value)) in s.labels.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        let _ = write!(out, "{name}=\"{}\"", escape_label(value));
                    }
                    out.push('}');
                }
                let _ = writeln!(out, " {}", s.value);
            }
        }
        out
    }
}

/// A label value: backslash, double quote and line feed escaped.
fn escape_label(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// HELP text: backslash and line feed escaped.
fn escape_help(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::fields::Value;
    use crate::format::{Issue, Key};

    fn issue(
        n: u64,
        severity: Option<&str>,
        component: &str,
        status: &str,
        hours: Option<i64>,
    ) -> Tallied {
        let created: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let mut i = Issue::new(
            format!("{n}"),
            format!("t{n}"),
            "bug".into(),
            status.into(),
            "p2".into(),
            created,
        );
        i.severity = severity.map(str::to_owned);
        i.component = Some(component.to_owned());
        i.resolved =
            hours.map(|h| jiff::Timestamp::from_second(created.as_second() + h * 3600).unwrap());
        i.put(fields::computed("occurrences"), Value::Count(n));
        Tallied {
            key: Key::new("BC", n),
            issue: i,
            days: Default::default(),
        }
    }

    #[test]
    fn the_exposition_escapes_and_orders() {
        let issues = vec![
            issue(1, Some("high"), "db", "open", None),
            issue(2, None, "we\"ird\\comp\nonent", "resolved", Some(2)),
            issue(3, Some("high"), "db", "closed", Some(48)),
        ];
        let text = metrics(&issues, &Config::default()).to_text();
        assert!(
            text.contains("# TYPE git_issue_issues_created_total counter\n"),
            "{text}"
        );
        assert!(text.contains("git_issue_issues_created_total{severity=\"high\",category=\"none\",component=\"db\"} 2\n"), "{text}");
        assert!(
            text.contains("component=\"we\\\"ird\\\\comp\\nonent\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("git_issue_active_issues{severity=\"high\",category=\"none\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("git_issue_occurrences_total{component=\"db\"} 4\n"),
            "{text}"
        );
        assert!(
            text.contains("git_issue_resolution_seconds_bucket{le=\"3600\"} 0\n"),
            "{text}"
        );
        assert!(
            text.contains("git_issue_resolution_seconds_bucket{le=\"14400\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("git_issue_resolution_seconds_bucket{le=\"259200\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("git_issue_resolution_seconds_bucket{le=\"+Inf\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("git_issue_resolution_seconds_sum 180000\n"),
            "{text}"
        );
        assert!(
            text.contains("git_issue_resolution_seconds_count 2\n"),
            "{text}"
        );
        // The same issues in another order: the same bytes.
        let mut reversed = issues.clone();
        reversed.reverse();
        assert_eq!(metrics(&reversed, &Config::default()).to_text(), text);
    }
}
