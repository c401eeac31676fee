use std::borrow::Cow;

use anyhow::Result;
use clap::Args;

use super::JsonArg;
use crate::query::Expr;
use crate::query::Sort;
use crate::tracker::{Page, Problem};
use crate::ui::{Ui, one_line, table_for};

/// List issues: the open ones, newest first
///
/// Takes a query in the language of `search` (see the README), and flags that
/// narrow it further: values of one flag are alternatives (--label a --label
/// b: either label); different flags must all match.
///
///   git issue list 'label:ui -label:wontfix priority:p0..p1 sort:updated-desc'
#[derive(Debug, Args)]
pub struct ListArgs {
    /// A query: is:closed, label:ui, priority:p0..p1, created:>7d, words, …
    #[arg(value_name = "QUERY")]
    query: Vec<String>,
    /// Only these statuses; repeat for more
    #[arg(long = "status", short = 'S', value_name = "STATUS")]
    statuses: Vec<String>,
    /// Closed issues too
    #[arg(long, short = 'A')]
    all: bool,
    /// Only this type; repeat for more (one of tracker.yml's `types`)
    #[arg(long = "type", short = 't', value_name = "TYPE")]
    types: Vec<String>,
    /// Only this priority; repeat for more (p0..p1 ranges go in the query)
    #[arg(long = "priority", short = 'p', value_name = "PRIORITY")]
    priorities: Vec<String>,
    /// Only this severity; repeat for more
    #[arg(long = "severity", short = 's', value_name = "SEVERITY")]
    severities: Vec<String>,
    /// Only issues with this label; repeat for either of several
    #[arg(long = "label", short = 'l', value_name = "LABEL")]
    labels: Vec<String>,
    /// Only this milestone; repeat for more
    #[arg(long = "milestone", value_name = "MILESTONE")]
    milestones: Vec<String>,
    /// Only issues assigned to this person; repeat for more
    #[arg(long = "assignee", short = 'a', value_name = "WHO")]
    assignees: Vec<String>,
    /// Only this component; repeat for more
    #[arg(long = "component", value_name = "COMPONENT")]
    components: Vec<String>,
    /// Only issues you reported or are assigned
    #[arg(long)]
    mine: bool,
    /// key, created, updated, priority, status, title, type or votes; add -asc or -desc
    #[arg(long)]
    sort: Option<Sort>,
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
    let query = tracker.parse_query(&args.query.join(" "), &config)?;
    let mut expr = query.expr;
    for (qualifier, values) in [
        ("status", &args.statuses),
        ("type", &args.types),
        ("priority", &args.priorities),
        ("severity", &args.severities),
        ("label", &args.labels),
        ("milestone", &args.milestones),
        ("assignee", &args.assignees),
        ("component", &args.components),
    ] {
        if !values.is_empty() {
            expr = expr.and(tracker.query_term(qualifier, values, &config)?);
        }
    }
    if args.mine {
        expr = expr.and(tracker.mine()?);
    }
    if !args.all && !expr.mentions_state() {
        expr = Expr::Open(true).and(expr);
    }
    let page = Page {
        sort: args.sort.or(query.sort).unwrap_or_default(),
        by_score: false,
        offset: args.offset,
        limit: args.limit,
    };
    if args.json.json {
        // Every field of every issue: the whole records.
        let found = tracker.find(&expr, page, &ui.progress())?;
        ui.page(tracker.store().config_string("core.pager"));
        warn_about(ui, &found.fallback, &found.problems);
        let items: Vec<_> = found
            .records
            .iter()
            .map(crate::ui::view::record_json)
            .collect();
        return Ok(ui.json(&items)?);
    }
    let listed = tracker.list(&expr, page, &ui.progress())?;
    ui.page(tracker.store().config_string("core.pager"));
    warn_about(ui, &listed.fallback, &listed.problems);
    if listed.rows.is_empty() {
        ui.status("No issues match.");
        return Ok(());
    }
    let rows: Vec<[Cow<'_, str>; 6]> = listed
        .rows
        .iter()
        .map(|(key, i)| {
            let mut title = one_line(&i.title);
            if i.confidential {
                title.to_mut().push_str(&ui.dim("  (confidential)"));
            }
            if !i.labels.is_empty() {
                let labels = format!("  [{}]", i.labels.join(", "));
                title.to_mut().push_str(&ui.dim(&one_line(&labels)));
            }
            [
                ui.bold_cell(Cow::Owned(key.to_string())),
                ui.status_cell(one_line(&i.status), config.is_closed(&i.status)),
                one_line(&i.priority),
                one_line(&i.kind),
                match i.assignee.as_deref() {
                    Some(a) => one_line(a),
                    // Open and nobody's: what a support queue looks for.
                    None if !config.is_closed(&i.status) => Cow::Owned(ui.attention("-")),
                    None => Cow::Borrowed("-"),
                },
                title,
            ]
        })
        .collect();
    ui.data(&table_for(
        ui,
        &["KEY", "STATUS", "PRIORITY", "TYPE", "ASSIGNEE", "TITLE"],
        &rows,
        ui.width(),
    ))?;
    // The process ends here: freeing tens of thousands of rows one by one
    // would cost more than printing them did.
    std::mem::forget(rows);
    std::mem::forget(listed);
    Ok(())
}

fn warn_about(ui: &Ui, fallback: &Option<String>, problems: &[Problem]) {
    if let Some(why) = fallback {
        ui.warn(&format!("{why}; answered by reading the files"));
    }
    for p in problems {
        ui.warn(&format!("{p} (skipped)"));
    }
}
