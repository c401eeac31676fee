//! The dashboard's view: counts, the support metrics of `git issue stats`
//! (from the tracker's one `support_metrics`, over the site's issues), and
//! the weeks of the created-versus-resolved chart.

use std::collections::BTreeMap;

use super::catalog::Entry;
use super::views::{DashboardPage, Frame, Row, WEEK, WEEKS, Week};
use crate::format::Config;
use crate::tracker::stats::support_metrics_of;

/// Monday 00:00 UTC of the week holding `t` (1970-01-01 was a Thursday).
pub(super) fn week_start(t: i64) -> i64 {
    let shifted = t + 3 * 24 * 3600;
    shifted - shifted.rem_euclid(WEEK) - 3 * 24 * 3600
}

/// `rows` are the entries' rows, by number.
pub(super) fn dashboard(
    frame: &Frame,
    config: &Config,
    entries: &[Entry],
    rows: &[Row],
) -> DashboardPage {
    let open: Vec<&Row> = rows.iter().filter(|r| !r.closed).collect();
    let count_by = |values: &[String], get: &dyn Fn(&Row) -> Option<String>| {
        let mut counts: Vec<(String, usize)> = values.iter().map(|v| (v.clone(), 0)).collect();
        let mut none = 0;
        for r in &open {
            match get(r) {
                Some(v) => match counts.iter_mut().find(|(n, _)| *n == v) {
                    Some(c) => c.1 += 1,
                    None => counts.push((v, 1)),
                },
                None => none += 1,
            }
        }
        if none > 0 {
            counts.push(("(none)".to_owned(), none));
        }
        counts
    };
    let by_severity = count_by(&config.severities, &|r| r.severity.clone());
    let by_priority = count_by(&config.priorities, &|r| Some(r.priority.clone()));

    // Weeks up to the latest thing that happened, not up to today, so the
    // same branch gives the same page whenever it is exported.
    let latest = rows
        .iter()
        .map(|r| r.resolved.unwrap_or(r.created).max(r.created))
        .max();
    let support = latest
        .and_then(|t| jiff::Timestamp::from_second(t).ok())
        .map(|end| support_metrics_of(entries.iter().map(|e| e.support), end, WEEKS));
    let weeks = support.as_ref().map_or_else(Vec::new, |s| {
        s.weeks
            .iter()
            .map(|w| Week {
                start: w.start.clone(),
                created: w.opened,
                resolved: w.resolved,
            })
            .collect()
    });

    let mut durations: Vec<i64> = rows
        .iter()
        .filter(|r| r.closed)
        .filter_map(|r| r.resolved.map(|t| (t - r.created).max(0)))
        .collect();
    durations.sort_unstable();
    let median_resolve = match durations.len() {
        0 => None,
        n if n % 2 == 1 => Some(durations[n / 2]),
        n => Some((durations[n / 2 - 1] + durations[n / 2]) / 2),
    };

    let mut components: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &open {
        if let Some(c) = &r.component {
            *components.entry(c).or_default() += 1;
        }
    }
    let mut components: Vec<(String, usize)> = components
        .into_iter()
        .map(|(n, c)| (n.to_owned(), c))
        .collect();
    components.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    components.truncate(10);

    DashboardPage {
        frame: frame.clone(),
        open: open.len(),
        closed: rows.len() - open.len(),
        support,
        by_severity,
        by_priority,
        weeks,
        median_resolve,
        resolved_count: durations.len(),
        components,
        recurring: Vec::new(),
    }
}
