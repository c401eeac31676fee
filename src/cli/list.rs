use anyhow::Result;
use clap::Args;

use super::JsonArg;
use crate::tracker::{Filter, Sort};
use crate::ui::{Ui, table};

/// List issues: the open ones, newest first
///
/// Filters of one kind are alternatives (--label a --label b: either
/// label); different filters must all match.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only these statuses; repeat for more (`closed` means every closed status)
    #[arg(long = "status", short = 'S', value_name = "STATUS")]
    statuses: Vec<String>,
    /// Closed issues too
    #[arg(long, short = 'A')]
    all: bool,
    #[arg(long = "type", short = 't', value_name = "TYPE")]
    types: Vec<String>,
    #[arg(long = "priority", short = 'p', value_name = "PRIORITY")]
    priorities: Vec<String>,
    #[arg(long = "severity", short = 's', value_name = "SEVERITY")]
    severities: Vec<String>,
    #[arg(long = "label", short = 'l', value_name = "LABEL")]
    labels: Vec<String>,
    #[arg(long = "milestone", value_name = "MILESTONE")]
    milestones: Vec<String>,
    #[arg(long = "assignee", short = 'a', value_name = "WHO")]
    assignees: Vec<String>,
    #[arg(long = "component", value_name = "COMPONENT")]
    components: Vec<String>,
    /// key, created, updated, priority, status, title or type; add -asc or -desc
    #[arg(long, default_value = "key-desc")]
    sort: Sort,
    /// At most this many issues
    #[arg(long, short = 'L')]
    limit: Option<usize>,
    /// Skip this many issues first
    #[arg(long, default_value_t = 0)]
    offset: usize,
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ui: &Ui, args: ListArgs) -> Result<()> {
    let tracker = super::open()?;
    let config = tracker.config()?;
    let filter = Filter {
        all: args.all,
        statuses: args.statuses,
        types: args.types,
        priorities: args.priorities,
        severities: args.severities,
        labels: args.labels,
        milestones: args.milestones,
        assignees: args.assignees,
        components: args.components,
        sort: args.sort,
        offset: args.offset,
        limit: args.limit,
    };
    let listing = tracker.list(&filter)?;
    for p in &listing.problems {
        ui.warn(&format!("{p} (skipped)"));
    }
    if args.json.json {
        let items: Vec<_> = listing
            .records
            .iter()
            .map(super::view::record_json)
            .collect();
        return Ok(ui.json(&items)?);
    }
    let rows: Vec<Vec<String>> = listing
        .records
        .iter()
        .map(|r| {
            let i = &r.issue;
            let mut title = i.title.clone();
            if !i.labels.is_empty() {
                title.push_str(&ui.dim(&format!("  [{}]", i.labels.join(", "))));
            }
            vec![
                ui.bold(&r.key.to_string()),
                ui.status_word(&i.status, config.is_closed(&i.status)),
                i.priority.clone(),
                i.kind.clone(),
                i.assignee.clone().unwrap_or_else(|| "-".to_owned()),
                title,
            ]
        })
        .collect();
    if rows.is_empty() {
        ui.status("No issues match.");
        return Ok(());
    }
    ui.data(&table(&rows))?;
    Ok(())
}
