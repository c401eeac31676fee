use anyhow::Result;
use clap::Args;

use super::JsonArg;
use crate::ui::{Ui, table};

/// Support metrics: open and unassigned issues, time to first response,
/// issues opened and resolved per week
///
/// The first response is the first public comment by someone other than
/// the reporter; its median is over the issues filed in the window.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// How many weeks back, this one included
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=520))]
    weeks: u16,
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ui: &Ui, args: StatsArgs) -> Result<()> {
    let tracker = super::open()?;
    let m = tracker.support_metrics(usize::from(args.weeks))?;
    if args.json.json {
        return Ok(ui.json(&m)?);
    }
    let response = match m.median_first_response {
        Some(s) => format!("{} (over {} issues)", duration(s), m.responded),
        None => "none yet".to_owned(),
    };
    let mut out = table(&[
        vec!["open".to_owned(), m.open.to_string()],
        vec!["unassigned".to_owned(), m.unassigned.to_string()],
        vec![
            "awaiting a first response".to_owned(),
            m.awaiting_response.to_string(),
        ],
        vec!["median first response".to_owned(), response],
        vec![
            "resolved per week".to_owned(),
            format!("{:.1}", m.resolved_per_week),
        ],
    ]);
    let mut rows = vec![vec![
        ui.dim("week of"),
        ui.dim("opened"),
        ui.dim("resolved"),
    ]];
    rows.extend(m.weeks.iter().map(|w| {
        vec![
            w.start.clone(),
            w.opened.to_string(),
            w.resolved.to_string(),
        ]
    }));
    out.push('\n');
    out.push_str(&table(&rows));
    ui.data(&out)?;
    Ok(())
}

/// `3h 20m`, `2d 4h`, `45m`, `30s`.
fn duration(secs: i64) -> String {
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{secs}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}
