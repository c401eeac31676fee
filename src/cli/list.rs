use anyhow::Result;
use clap::Args;

use super::JsonArg;
use crate::query::Expr;
use crate::query::Sort;
use crate::tracker::Page;
use crate::ui::{Ui, one_line, table};

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
    if !args.all && !expr.mentions_state() {
        expr = Expr::Open(true).and(expr);
    }
    let page = Page {
        sort: args.sort.or(query.sort).unwrap_or_default(),
        by_score: false,
        offset: args.offset,
        limit: args.limit,
    };
    let found = tracker.find(&expr, page, &ui.progress())?;
    ui.page(tracker.store().config_string("core.pager"));
    if let Some(why) = &found.fallback {
        ui.warn(&format!("{why}; answered by reading the files"));
    }
    for p in &found.problems {
        ui.warn(&format!("{p} (skipped)"));
    }
    if args.json.json {
        let items: Vec<_> = found.records.iter().map(super::view::record_json).collect();
        return Ok(ui.json(&items)?);
    }
    if found.records.is_empty() {
        ui.status("No issues match.");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = found
        .records
        .iter()
        .map(|r| {
            let i = &r.issue;
            let mut title = one_line(&i.title).into_owned();
            if !i.labels.is_empty() {
                title.push_str(&ui.dim(&one_line(&format!("  [{}]", i.labels.join(", ")))));
            }
            vec![
                ui.bold(&r.key.to_string()),
                ui.status_word(&one_line(&i.status), config.is_closed(&i.status)),
                one_line(&i.priority).into_owned(),
                one_line(&i.kind).into_owned(),
                one_line(i.assignee.as_deref().unwrap_or("-")).into_owned(),
                title,
            ]
        })
        .collect();
    ui.data(&table(&rows))?;
    Ok(())
}
