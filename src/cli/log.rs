use anyhow::Result;
use clap::Args;
use serde_json::json;

use super::JsonArg;
use crate::ui::{Ui, one_line, table};

/// Show an issue's history: the commits of the issues branch that changed it
#[derive(Debug, Args)]
pub struct LogArgs {
    /// The issue, like BC-12
    key: String,
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ui: &Ui, args: LogArgs) -> Result<()> {
    let tracker = super::open()?;
    let key = super::key(&tracker, &args.key)?;
    let history = tracker.log(&key)?;
    ui.page(tracker.store().config_string("core.pager"));
    if args.json.json {
        let items: Vec<_> = history
            .iter()
            .map(|h| {
                json!({
                    "commit": h.commit,
                    // People as comments and `reporter` write them.
                    "author": format!("{} <{}>", h.author, h.email),
                    "time": crate::format::format_timestamp(h.time),
                    "message": h.message,
                })
            })
            .collect();
        return Ok(ui.json(&items)?);
    }
    let rows: Vec<Vec<String>> = history
        .iter()
        .map(|h| {
            vec![
                ui.dim(&h.commit[..12.min(h.commit.len())]),
                h.time.strftime("%Y-%m-%d %H:%M").to_string(),
                one_line(&h.author).into_owned(),
                one_line(&summary_line(&h.message)).into_owned(),
            ]
        })
        .collect();
    ui.data(&table(&rows))?;
    Ok(())
}

/// The first line of a message, and the agent it came through when its
/// last paragraph has a `Via:` trailer (see `git issue mcp`).
fn summary_line(message: &str) -> String {
    let first = message.lines().next().unwrap_or_default();
    let via = message
        .rsplit("\n\n")
        .next()
        .filter(|_| message.contains("\n\n"))
        .and_then(|last| last.lines().find_map(|l| l.strip_prefix("Via: ")));
    match via {
        Some(agent) => format!("{first} (via {})", agent.trim()),
        None => first.to_owned(),
    }
}
