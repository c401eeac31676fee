//! `analyze`: what the recorded errors (the issues with a fingerprint) say
//! over a window of days, against the window before: totals, the trend, the
//! most common errors, the most affected components, categories, recurring
//! and regressed errors, and suggestions from explicit rules. Read from the
//! index (occurrences per day are stored with each issue), never from the
//! branch, so it costs the same whatever the number of occurrence files.
//!
//! The rules of the suggestions, each with its priority:
//!
//! - high, `critical-component`: a component has two or more open critical
//!   errors.
//! - high, `regression`: an open error labelled `regression` (it recurred
//!   after it was resolved) happened in the window.
//! - medium, `rising-category`: a category had at least 10 occurrences in
//!   the window and at least twice as many as in the window before.
//! - medium, `unassigned`: an open error happened 50 times or more in the
//!   window and nobody is assigned to it.
//! - low, `common-fix`: two or more open errors list the same suggested fix
//!   or system change; the most listed first.
//!
//! Suggestions are ordered by priority, then by the occurrences behind
//! them. Pure once the issues are read: [`analysis`] takes values.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde::Serialize;

use super::{Progress, Result, Tracker};
use crate::format::Config;
use crate::format::fields;
use crate::format::occurrence::day_of;
use crate::index::Tallied;
use crate::query::Expr;

/// How many errors the lists of the report hold at most.
const TOP: usize = 10;

#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// The first and last day of the window (UTC), and how many days.
    pub from: Date,
    pub to: Date,
    pub days: i64,
    pub totals: Totals,
    pub trend: Trend,
    /// Occurrences on each day of the window, oldest first.
    pub daily: Vec<DayCount>,
    /// The most common errors in the window.
    pub top_errors: Vec<ErrorLine>,
    pub components: Vec<GroupLine>,
    pub categories: Vec<GroupLine>,
    /// Open errors that happened in the window and before it.
    pub recurring: Vec<ErrorLine>,
    /// Open errors that came back after they were resolved.
    pub regressed: Vec<ErrorLine>,
    pub suggestions: Vec<Suggestion>,
    /// Set when the index could not be used and the files were read.
    #[serde(skip)]
    pub fallback: Option<String>,
}

/// Every recorded error, whatever the window.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    pub errors: usize,
    pub open: usize,
    /// Errors of severity `critical` and `high`, open or not.
    pub critical: usize,
    pub high: usize,
    pub occurrences: u64,
}

/// The window against the window before it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Trend {
    pub occurrences: Pair,
    /// Errors first seen in the window.
    pub new_errors: Pair,
    /// Errors resolved in the window.
    pub resolved: Pair,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Pair {
    pub window: u64,
    pub before: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DayCount {
    pub day: Date,
    pub occurrences: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ErrorLine {
    pub key: String,
    pub title: String,
    pub status: String,
    pub severity: Option<String>,
    pub component: Option<String>,
    pub category: Option<String>,
    pub occurrences: u64,
    pub in_window: u64,
    pub last_seen: Option<Timestamp>,
}

/// The errors of one component or category.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GroupLine {
    pub name: String,
    pub errors: usize,
    pub open: usize,
    pub open_critical: usize,
    pub occurrences: u64,
    pub in_window: u64,
    pub before: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    High,
    Medium,
    Low,
}

#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub priority: Priority,
    /// Which rule made it (see the module's documentation).
    pub rule: &'static str,
    pub message: String,
    pub keys: Vec<String>,
    /// The occurrences behind it, which orders suggestions of one priority.
    #[serde(skip)]
    weight: u64,
}

impl Tracker {
    /// Reads `--since`: an age (`7d`) or a date, as the query language does.
    pub fn parse_since(&self, text: &str) -> Result<Timestamp> {
        crate::query::since(text, self.store.now()).map_err(|message| super::Error::BadFlag {
            flag: "since".to_owned(),
            message,
        })
    }

    /// Analyses the recorded errors that match `expr` over the window from
    /// `since` to now.
    pub fn analyze(
        &self,
        since: Timestamp,
        expr: &Expr,
        progress: &dyn Progress,
    ) -> Result<Analysis> {
        let config = self.config()?;
        let errors = Expr::Not(Box::new(Expr::Missing(fields::named("fingerprint"))));
        let (found, fallback) = self.tallies(&errors.and(expr.clone()), progress)?;
        let mut a = analysis(&found, &config, self.store.now(), since);
        a.fallback = fallback;
        Ok(a)
    }
}

/// The analysis of `errors` over the days from `since` to `now` (whole UTC
/// days, today included) against as many days before.
pub fn analysis(errors: &[Tallied], config: &Config, now: Timestamp, since: Timestamp) -> Analysis {
    let to = day_of(now);
    let hours = (now.as_second() - since.as_second()).max(0) / 3600;
    let days = ((hours + 23) / 24).max(1);
    let from = to.checked_sub(((days - 1) as i32).days()).unwrap_or(to);
    let before_from = from.checked_sub((days as i32).days()).unwrap_or(from);
    let start = |d: Date| {
        d.to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::UNIX_EPOCH)
    };
    let (window_start, before_start) = (start(from), start(before_from));
    let in_window = |t: &Tallied| t.days.range(from..).map(|(_, n)| n).sum::<u64>();
    let in_before = |t: &Tallied| t.days.range(before_from..from).map(|(_, n)| n).sum::<u64>();
    let count = |t: &Tallied| {
        t.issue
            .get(fields::computed("occurrences"))
            .count()
            .unwrap_or(0)
    };
    let open = |t: &Tallied| !config.is_closed(&t.issue.status);
    let text = |t: &Tallied, name: &str| t.issue.field_text(name);
    let line = |t: &Tallied| ErrorLine {
        key: t.key.to_string(),
        title: t.issue.title.clone(),
        status: t.issue.status.clone(),
        severity: t.issue.severity.clone(),
        component: t.issue.component.clone(),
        category: text(t, "category"),
        occurrences: count(t),
        in_window: in_window(t),
        last_seen: t.issue.get(fields::computed("last_seen")).time(),
    };

    let mut totals = Totals::default();
    let mut trend = Trend::default();
    let mut daily: BTreeMap<Date, u64> = BTreeMap::new();
    let mut d = from;
    loop {
        daily.insert(d, 0);
        match d.tomorrow() {
            Ok(next) if next <= to => d = next,
            _ => break,
        }
    }
    let mut components: BTreeMap<String, GroupLine> = BTreeMap::new();
    let mut categories: BTreeMap<String, GroupLine> = BTreeMap::new();
    for t in errors {
        let severity = t.issue.severity.as_deref();
        totals.errors += 1;
        totals.open += usize::from(open(t));
        totals.critical += usize::from(severity == Some("critical"));
        totals.high += usize::from(severity == Some("high"));
        totals.occurrences += count(t);
        trend.occurrences.window += in_window(t);
        trend.occurrences.before += in_before(t);
        if let Some(first) = t.issue.get(fields::computed("first_seen")).time() {
            trend.new_errors.window += u64::from(first >= window_start);
            trend.new_errors.before += u64::from(first >= before_start && first < window_start);
        }
        if let Some(r) = t.issue.resolved {
            trend.resolved.window += u64::from(r >= window_start);
            trend.resolved.before += u64::from(r >= before_start && r < window_start);
        }
        for (day, n) in t.days.range(from..) {
            if let Some(slot) = daily.get_mut(day) {
                *slot += n;
            }
        }
        let groups = [
            (&mut components, t.issue.component.clone()),
            (&mut categories, text(t, "category")),
        ];
        for (map, name) in groups {
            let name = name.unwrap_or_else(|| "(none)".to_owned());
            let g = map.entry(name.clone()).or_insert_with(|| GroupLine {
                name,
                ..GroupLine::default()
            });
            g.errors += 1;
            g.open += usize::from(open(t));
            g.open_critical += usize::from(open(t) && severity == Some("critical"));
            g.occurrences += count(t);
            g.in_window += in_window(t);
            g.before += in_before(t);
        }
    }

    // Most occurrences in the window first, then most in all, then by key;
    // ranked before their lines are made (there may be thousands).
    let ranked = |chosen: Vec<&Tallied>, most: usize| -> Vec<ErrorLine> {
        let mut keyed: Vec<(u64, u64, String, &Tallied)> = chosen
            .into_iter()
            .map(|t| (in_window(t), count(t), t.key.to_string(), t))
            .collect();
        keyed.sort_by(|a, b| (b.0, b.1).cmp(&(a.0, a.1)).then_with(|| a.2.cmp(&b.2)));
        keyed.into_iter().take(most).map(|k| line(k.3)).collect()
    };
    let top_errors = ranked(errors.iter().filter(|t| in_window(t) > 0).collect(), TOP);
    let recurring = ranked(
        errors
            .iter()
            .filter(|t| open(t) && in_window(t) > 0)
            .filter(|t| {
                t.issue
                    .get(fields::computed("first_seen"))
                    .time()
                    .is_some_and(|f| f < window_start)
            })
            .collect(),
        usize::MAX,
    );
    let regressed = ranked(
        errors
            .iter()
            .filter(|t| open(t) && t.issue.labels.iter().any(|l| l == super::REGRESSION))
            .collect(),
        usize::MAX,
    );
    let mut components: Vec<GroupLine> = components.into_values().collect();
    components.sort_by(|a, b| {
        (b.in_window, b.occurrences, b.open)
            .cmp(&(a.in_window, a.occurrences, a.open))
            .then_with(|| a.name.cmp(&b.name))
    });
    let mut categories: Vec<GroupLine> = categories.into_values().collect();
    categories.sort_by(|a, b| {
        (b.in_window, b.occurrences)
            .cmp(&(a.in_window, a.occurrences))
            .then_with(|| a.name.cmp(&b.name))
    });
    let suggestions = suggestions(errors, config, &components, &categories, days, &in_window);
    Analysis {
        from,
        to,
        days,
        totals,
        trend,
        daily: daily
            .into_iter()
            .map(|(day, occurrences)| DayCount { day, occurrences })
            .collect(),
        top_errors,
        components,
        categories,
        recurring,
        regressed,
        suggestions,
        fallback: None,
    }
}

fn suggestions(
    errors: &[Tallied],
    config: &Config,
    components: &[GroupLine],
    categories: &[GroupLine],
    days: i64,
    in_window: &dyn Fn(&Tallied) -> u64,
) -> Vec<Suggestion> {
    let open = |t: &&Tallied| !config.is_closed(&t.issue.status);
    let plural = |n: u64, one: &str, many: &str| {
        if n == 1 {
            format!("{n} {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let period = if days == 1 {
        "today".to_owned()
    } else {
        format!("in the last {days} days")
    };
    let mut out = Vec::new();
    for c in components.iter().filter(|c| c.open_critical >= 2) {
        let mine: Vec<&Tallied> = errors
            .iter()
            .filter(open)
            .filter(|t| t.issue.severity.as_deref() == Some("critical"))
            .filter(|t| t.issue.component.as_deref().unwrap_or("(none)") == c.name)
            .collect();
        let reliability = mine
            .iter()
            .filter(|t| t.issue.field_text("category").as_deref() == Some("reliability"))
            .count();
        let mut message = format!(
            "component {} has {} open critical errors",
            c.name, c.open_critical
        );
        if reliability > 0 {
            message.push_str(&format!(" ({reliability} of them reliability)"));
        }
        message.push_str(": fix it before anything else");
        out.push(Suggestion {
            priority: Priority::High,
            rule: "critical-component",
            message,
            keys: mine.iter().map(|t| t.key.to_string()).collect(),
            weight: c.in_window,
        });
    }
    for t in errors.iter().filter(open) {
        let n = in_window(t);
        if n > 0 && t.issue.labels.iter().any(|l| l == super::REGRESSION) {
            out.push(Suggestion {
                priority: Priority::High,
                rule: "regression",
                message: format!(
                    "{} came back after it was fixed: {} {period}; check the fix",
                    t.key,
                    plural(n, "occurrence", "occurrences")
                ),
                keys: vec![t.key.to_string()],
                weight: n,
            });
        }
    }
    for c in categories {
        if c.in_window >= 10 && c.in_window >= 2 * c.before {
            out.push(Suggestion {
                priority: Priority::Medium,
                rule: "rising-category",
                message: format!(
                    "{} errors are rising: {} occurrences {period} against {} in the {} days before",
                    c.name, c.in_window, c.before, days
                ),
                keys: Vec::new(),
                weight: c.in_window,
            });
        }
    }
    for t in errors.iter().filter(open) {
        let n = in_window(t);
        if n >= 50 && t.issue.assignee.is_none() {
            out.push(Suggestion {
                priority: Priority::Medium,
                rule: "unassigned",
                message: format!(
                    "{} happened {n} times {period} and nobody is assigned",
                    t.key
                ),
                keys: vec![t.key.to_string()],
                weight: n,
            });
        }
    }
    for (name, what) in [
        ("suggested_fixes", "fix"),
        ("system_changes", "system change"),
    ] {
        let mut listed: BTreeMap<&str, (Vec<String>, u64)> = BTreeMap::new();
        for t in errors.iter().filter(open) {
            for item in t.issue.get(fields::named(name)).texts() {
                let e = listed.entry(item).or_default();
                e.0.push(t.key.to_string());
                e.1 += t
                    .issue
                    .get(fields::computed("occurrences"))
                    .count()
                    .unwrap_or(0);
            }
        }
        for (item, (keys, weight)) in listed {
            if keys.len() >= 2 {
                out.push(Suggestion {
                    priority: Priority::Low,
                    rule: "common-fix",
                    message: format!("{} open errors suggest the {what} {item:?}", keys.len()),
                    keys,
                    weight,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        (a.priority, std::cmp::Reverse(a.weight))
            .cmp(&(b.priority, std::cmp::Reverse(b.weight)))
            .then_with(|| a.message.cmp(&b.message))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::fields::Value;
    use crate::format::{Issue, Key};

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[allow(clippy::too_many_arguments)]
    fn error(
        n: u64,
        component: &str,
        category: &str,
        severity: &str,
        status: &str,
        days: &[(&str, u64)],
        labels: &[&str],
        fixes: &[&str],
    ) -> Tallied {
        let mut issue = Issue::new(
            format!("id{n}"),
            format!("Error {n}"),
            "bug".into(),
            status.into(),
            "p2".into(),
            t("2026-01-01T00:00:00Z"),
        );
        issue.component = Some(component.into());
        issue.severity = Some(severity.into());
        issue.labels = labels.iter().map(|l| (*l).to_owned()).collect();
        issue.put(
            fields::named("category"),
            Value::Optional(Some(category.into())),
        );
        issue.put(
            fields::named("fingerprint"),
            Value::Optional(Some(format!("f{n}"))),
        );
        issue.put(
            fields::named("suggested_fixes"),
            Value::List(fixes.iter().map(|f| (*f).to_owned()).collect()),
        );
        if status == "resolved" {
            issue.resolved = Some(t("2026-01-08T00:00:00Z"));
        }
        let days: BTreeMap<Date, u64> =
            days.iter().map(|(d, n)| (d.parse().unwrap(), *n)).collect();
        let total: u64 = days.values().sum();
        let first = days
            .keys()
            .next()
            .map(|d| d.to_zoned(jiff::tz::TimeZone::UTC).unwrap().timestamp());
        let last = days
            .keys()
            .last()
            .map(|d| d.to_zoned(jiff::tz::TimeZone::UTC).unwrap().timestamp());
        issue.put(fields::computed("occurrences"), Value::Count(total));
        issue.put(fields::computed("first_seen"), Value::OptionalTime(first));
        issue.put(fields::computed("last_seen"), Value::OptionalTime(last));
        Tallied {
            key: Key::new("BC", n),
            issue,
            days,
        }
    }

    fn sample() -> Vec<Tallied> {
        vec![
            error(
                1,
                "db",
                "reliability",
                "critical",
                "open",
                &[("2026-01-02", 5), ("2026-01-12", 40)],
                &[],
                &["raise the pool size"],
            ),
            error(
                2,
                "db",
                "reliability",
                "critical",
                "open",
                &[("2026-01-13", 3)],
                &[],
                &["raise the pool size"],
            ),
            error(
                3,
                "api",
                "security",
                "high",
                "open",
                &[("2026-01-06", 2), ("2026-01-11", 60)],
                &["regression"],
                &[],
            ),
            error(
                4,
                "api",
                "validation",
                "low",
                "resolved",
                &[("2026-01-05", 9)],
                &[],
                &[],
            ),
        ]
    }

    #[test]
    fn the_window_is_compared_with_the_one_before() {
        let now = t("2026-01-14T12:00:00Z");
        let a = analysis(
            &sample(),
            &Config::default(),
            now,
            t("2026-01-07T12:00:00Z"),
        );
        assert_eq!(
            (a.from.to_string(), a.to.to_string(), a.days),
            ("2026-01-08".into(), "2026-01-14".into(), 7)
        );
        assert_eq!(a.daily.len(), 7);
        assert_eq!(a.trend.occurrences.window, 103);
        assert_eq!(a.trend.occurrences.before, 5 + 2 + 9);
        assert_eq!(
            (a.trend.new_errors.window, a.trend.new_errors.before),
            (1, 3)
        );
        assert_eq!((a.trend.resolved.window, a.trend.resolved.before), (1, 0));
        assert_eq!(
            (
                a.totals.errors,
                a.totals.open,
                a.totals.critical,
                a.totals.high,
                a.totals.occurrences
            ),
            (4, 3, 2, 1, 119)
        );
        let top: Vec<&str> = a.top_errors.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(top, ["BC-3", "BC-1", "BC-2"]);
        let names: Vec<&str> = a.components.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["api", "db"]);
        assert_eq!(
            (a.components[1].open_critical, a.components[1].in_window),
            (2, 43)
        );
        let recurring: Vec<&str> = a.recurring.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(recurring, ["BC-3", "BC-1"]);
        assert_eq!(a.regressed.len(), 1);
    }

    #[test]
    fn each_rule_suggests_what_it_says_in_order() {
        let now = t("2026-01-14T12:00:00Z");
        let a = analysis(
            &sample(),
            &Config::default(),
            now,
            t("2026-01-07T12:00:00Z"),
        );
        let rules: Vec<(Priority, &str)> =
            a.suggestions.iter().map(|s| (s.priority, s.rule)).collect();
        assert_eq!(
            rules,
            [
                (Priority::High, "regression"),
                (Priority::High, "critical-component"),
                (Priority::Medium, "unassigned"),
                (Priority::Medium, "rising-category"),
                (Priority::Medium, "rising-category"),
                (Priority::Low, "common-fix"),
            ]
        );
        assert!(
            a.suggestions[1]
                .message
                .contains("component db has 2 open critical errors (2 of them reliability)"),
            "{}",
            a.suggestions[1].message
        );
        assert_eq!(a.suggestions[5].keys, ["BC-1", "BC-2"]);
        // Nothing happened: nothing to suggest.
        let quiet = analysis(&[], &Config::default(), now, t("2026-01-07T12:00:00Z"));
        assert!(quiet.suggestions.is_empty() && quiet.top_errors.is_empty());
        assert_eq!(quiet.daily.len(), 7);
    }
}
