use anyhow::Result;
use clap::Args;

use super::JsonArg;
use crate::tracker::{Analysis, ErrorLine, GroupLine, Priority};
use crate::ui::{Ui, table};

/// Analyse the recorded errors: trends, hot spots and what to do first
///
/// Looks at the issues `record` filed (those with a fingerprint) over the
/// last days (--since), against as many days before: totals, the trend,
/// the most common errors, the most affected components, categories,
/// recurring and regressed errors, and suggestions ranked high, medium and
/// low by the rules the README lists. A query narrows the errors looked at.
///
///   git issue analyze --since 30d component:api
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Only errors matching this query (component:api, label:ui, …)
    #[arg(value_name = "QUERY")]
    query: Vec<String>,
    /// The window: an age like 7d, 2w, 24h, or a date like 2026-01-31
    #[arg(long, default_value = "7d")]
    since: String,
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ui: &Ui, args: AnalyzeArgs) -> Result<()> {
    let tracker = super::open()?;
    let config = tracker.config()?;
    let query = tracker.parse_query(&args.query.join(" "), &config)?;
    let since = tracker.parse_since(&args.since)?;
    let a = tracker.analyze(since, &query.expr, &ui.progress())?;
    if let Some(why) = &a.fallback {
        ui.warn(&format!("{why}; answered by reading the files"));
    }
    if args.json.json {
        return Ok(ui.json(&a)?);
    }
    ui.page(tracker.store().config_string("core.pager"));
    ui.data(&report(ui, &a))?;
    Ok(())
}

/// `+102%`, `-29%`, `new` when there was nothing before.
fn change(now: u64, before: u64) -> String {
    match (now, before) {
        (0, 0) => "=".to_owned(),
        (_, 0) => "new".to_owned(),
        _ => {
            let pct = (now as f64 - before as f64) * 100.0 / before as f64;
            format!("{pct:+.0}%")
        }
    }
}

/// A bar of `width` cells at most for `n` of `max`, in eighths of a cell.
fn bar(n: u64, max: u64, width: usize) -> String {
    if max == 0 || n == 0 {
        return String::new();
    }
    const PARTS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
    let eighths = ((n as f64 / max as f64) * (width * 8) as f64)
        .round()
        .max(1.0) as usize;
    let mut s = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push(PARTS[eighths % 8 - 1]);
    }
    s
}

/// `▁▂▅█`: one cell a value.
fn sparkline(values: &[u64]) -> String {
    const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = values.iter().copied().max().unwrap_or(0);
    values
        .iter()
        .map(|&v| {
            if max == 0 || v == 0 {
                ' '
            } else {
                LEVELS[((v * 7).div_ceil(max)) as usize]
            }
        })
        .collect()
}

/// How many recurring or regressed errors the terminal report lists: a
/// tracker of thousands of errors may have thousands of each, which
/// `--json` gives whole.
const LISTED: usize = 10;

/// The first [`LISTED`] of `lines`, and how many more there are.
fn first_errors(ui: &Ui, lines: &[ErrorLine]) -> String {
    let mut out = errors_table(ui, &lines[..lines.len().min(LISTED)]);
    if lines.len() > LISTED {
        let more = format!(
            "  and {} more (--json lists them all)",
            lines.len() - LISTED
        );
        out.push_str(&format!("{}\n", ui.dim(&more)));
    }
    out
}

fn errors_table(ui: &Ui, lines: &[ErrorLine]) -> String {
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|e| {
            vec![
                format!("  {}", ui.bold(&e.key)),
                e.in_window.to_string(),
                ui.dim(&format!("of {}", e.occurrences)),
                ui.plain(e.component.as_deref().unwrap_or("-")),
                e.severity.clone().unwrap_or_else(|| "-".to_owned()),
                ui.plain(&e.title),
            ]
        })
        .collect();
    table(&rows)
}

fn groups_table(ui: &Ui, groups: &[GroupLine], critical: bool) -> String {
    let max = groups.iter().map(|g| g.in_window).max().unwrap_or(0);
    let rows: Vec<Vec<String>> = groups
        .iter()
        .map(|g| {
            let mut what = format!("{} open of {}", g.open, g.errors);
            if critical && g.open_critical > 0 {
                what.push_str(&format!(", {} critical", g.open_critical));
            }
            vec![
                format!("  {}", ui.plain(&g.name)),
                g.in_window.to_string(),
                ui.dim(&format!("before {}", g.before)),
                what,
                bar(g.in_window, max, 20),
            ]
        })
        .collect();
    table(&rows)
}

fn report(ui: &Ui, a: &Analysis) -> String {
    let mut out = String::new();
    let days = if a.days == 1 {
        "1 day".to_owned()
    } else {
        format!("{} days", a.days)
    };
    out.push_str(&format!(
        "{}\n",
        ui.bold(&format!(
            "Recorded errors from {} to {} ({days})",
            a.from, a.to
        ))
    ));
    let t = &a.totals;
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    out.push_str(&format!(
        "  {}, {} open, {} critical, {} high; {} in all\n",
        plural(t.errors as u64, "error", "errors"),
        t.open,
        t.critical,
        t.high,
        plural(t.occurrences, "occurrence", "occurrences")
    ));

    out.push_str(&format!(
        "\n{}\n",
        ui.bold(&format!("Against the {days} before"))
    ));
    let tr = &a.trend;
    let rows: Vec<Vec<String>> = [
        ("occurrences", tr.occurrences),
        ("new errors", tr.new_errors),
        ("resolved", tr.resolved),
    ]
    .iter()
    .map(|(name, p)| {
        vec![
            format!("  {name}"),
            p.window.to_string(),
            ui.dim(&format!("before {}", p.before)),
            change(p.window, p.before),
        ]
    })
    .collect();
    out.push_str(&table(&rows));

    out.push_str(&format!("\n{}\n", ui.bold("Occurrences per day")));
    let values: Vec<u64> = a.daily.iter().map(|d| d.occurrences).collect();
    let max = values.iter().copied().max().unwrap_or(0);
    if a.daily.len() <= 14 {
        let rows: Vec<Vec<String>> = a
            .daily
            .iter()
            .map(|d| {
                vec![
                    format!("  {}", d.day),
                    d.occurrences.to_string(),
                    bar(d.occurrences, max, 40),
                ]
            })
            .collect();
        out.push_str(&table(&rows));
    } else {
        out.push_str(&format!(
            "  {} |{}| {}, most {max} a day\n",
            a.from,
            sparkline(&values),
            a.to
        ));
    }

    if !a.top_errors.is_empty() {
        out.push_str(&format!("\n{}\n", ui.bold("Most common errors")));
        out.push_str(&errors_table(ui, &a.top_errors));
    }
    if !a.components.is_empty() {
        out.push_str(&format!("\n{}\n", ui.bold("Most affected components")));
        out.push_str(&groups_table(ui, &a.components, true));
    }
    if !a.categories.is_empty() {
        out.push_str(&format!("\n{}\n", ui.bold("Categories")));
        out.push_str(&groups_table(ui, &a.categories, false));
    }
    if !a.recurring.is_empty() {
        out.push_str(&format!(
            "\n{}\n",
            ui.bold("Recurring (open, seen before and during the window)")
        ));
        out.push_str(&first_errors(ui, &a.recurring));
    }
    if !a.regressed.is_empty() {
        out.push_str(&format!(
            "\n{}\n",
            ui.bold("Regressed (back after they were resolved)")
        ));
        out.push_str(&first_errors(ui, &a.regressed));
    }
    out.push_str(&format!("\n{}\n", ui.bold("Suggestions")));
    if a.suggestions.is_empty() {
        out.push_str("  none: no rule matched\n");
    }
    for s in &a.suggestions {
        let priority = match s.priority {
            Priority::High => "high  ",
            Priority::Medium => "medium",
            Priority::Low => "low   ",
        };
        out.push_str(&format!("  {priority}  {}", ui.plain(&s.message)));
        if !s.keys.is_empty() && !s.keys.iter().all(|k| s.message.contains(k.as_str())) {
            out.push_str(&ui.dim(&format!(" ({})", s.keys.join(", "))));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_and_sparklines_scale_to_the_largest() {
        assert_eq!(bar(10, 10, 4), "████");
        assert_eq!(bar(5, 10, 4), "██");
        assert_eq!(bar(1, 1000, 4), "▏");
        assert_eq!(bar(0, 10, 4), "");
        assert_eq!(sparkline(&[0, 1, 8]), " ▂█");
        assert_eq!(change(20, 10), "+100%");
        assert_eq!(change(5, 0), "new");
    }

    #[test]
    fn a_long_list_of_errors_shows_its_first_ten_and_counts_the_rest() {
        let line = |n: u64| ErrorLine {
            key: format!("BC-{n}"),
            title: "Timeout".to_owned(),
            status: "open".to_owned(),
            severity: None,
            component: None,
            category: None,
            occurrences: n,
            in_window: n,
            last_seen: None,
        };
        let ui = Ui::colorless();
        let many: Vec<ErrorLine> = (1..=12).map(line).collect();
        let text = first_errors(&ui, &many);
        assert_eq!(text.lines().count(), 11, "{text}");
        assert!(
            text.contains("BC-10 ") && !text.contains("BC-11 "),
            "{text}"
        );
        assert!(
            text.ends_with("  and 2 more (--json lists them all)\n"),
            "{text}"
        );
        let ten: Vec<ErrorLine> = (1..=10).map(line).collect();
        assert!(!first_errors(&ui, &ten).contains("more"));
    }
}
