use anyhow::Result;
use clap::Args;

use super::JsonArg;
use crate::tracker::Page;
use crate::ui::{Ui, one_line, table};

/// Search issues by relevance: title, description and comments
///
/// The query language is the one of `list`: words and "quoted phrases" for
/// full text, qualifiers (is:open, label:ui, priority:p0..p1, created:>7d,
/// no:assignee, key:BC-12, …), -negation, OR and parentheses.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to look for
    #[arg(required = true, value_name = "QUERY")]
    query: Vec<String>,
    /// At most this many results
    #[arg(long, short = 'L', default_value_t = 20)]
    limit: usize,
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ui: &Ui, args: SearchArgs) -> Result<()> {
    let tracker = super::open()?;
    let config = tracker.config()?;
    let text = args.query.join(" ");
    if text.trim().is_empty() {
        // `list` without a query lists the open issues; a search for
        // nothing is a mistake, not every issue there is.
        return Err(crate::tracker::Error::BadFlag {
            flag: "query".to_owned(),
            message:
                "search needs words or qualifiers to look for; git issue list shows the open issues"
                    .to_owned(),
        }
        .into());
    }
    let query = tracker.parse_query(&text, &config)?;
    let by_score = query.sort.is_none() && query.expr.has_text();
    let page = Page {
        sort: query.sort.unwrap_or_default(),
        by_score,
        offset: 0,
        limit: Some(args.limit),
    };
    let found = tracker.search(&query.expr, page, &ui.progress())?;
    ui.page(tracker.store().config_string("core.pager"));
    if let Some(why) = &found.fallback {
        ui.warn(&format!("{why}; answered by reading the files"));
    }
    for p in &found.problems {
        ui.warn(&format!("{p} (skipped)"));
    }
    let mut snippets = found.snippets.clone();
    snippets.resize(found.records.len(), None);
    if args.json.json {
        let items: Vec<_> = found
            .records
            .iter()
            .zip(&found.scores)
            .zip(&snippets)
            .map(|((r, score), snippet)| {
                crate::ui::view::search_hit_json(r, *score, snippet.as_ref())
            })
            .collect();
        return Ok(ui.json(&items)?);
    }
    if found.records.is_empty() {
        ui.status("No issues match.");
        return Ok(());
    }
    // One table, so the columns line up; each snippet under its row.
    let rows: Vec<Vec<String>> = found
        .records
        .iter()
        .map(|r| {
            vec![
                ui.bold(&r.key.to_string()),
                ui.status_word(
                    &one_line(&r.issue.status),
                    config.is_closed(&r.issue.status),
                ),
                one_line(&r.issue.title).into_owned(),
            ]
        })
        .collect();
    let lines = table(&rows);
    let mut out = String::new();
    for (line, snippet) in lines.lines().zip(&snippets) {
        out.push_str(line);
        out.push('\n');
        if let Some(s) = snippet {
            out.push_str("    ");
            // One line: a newline is one byte, like the space, so the
            // highlighted ranges stay where they were.
            let flat = s.text.replace(['\n', '\r', '\t'], " ");
            out.push_str(&ui.highlight(&flat, &s.highlights));
            out.push('\n');
        }
    }
    ui.data(&out)?;
    if found.total > found.records.len() {
        ui.status(&format!(
            "{} of {} matches; --limit shows more",
            found.records.len(),
            found.total
        ));
    }
    Ok(())
}
