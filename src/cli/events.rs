use anyhow::Result;
use clap::Args;

use super::JsonArg;
use crate::tracker::events::Event;
use crate::ui::{Ui, one_line, table};

/// Show what happened between two states of the issues branch
///
/// By default, what the last git issue sync brought in. RANGE is A..B, A..
/// (up to the tip) or one revision (everything up to it), in any form git
/// takes: issues@{1}..issues, origin/issues.., a commit id. Kinds: created,
/// status, assigned, commented, voted, unvoted, merged, attached, detached,
/// edited, deleted.
#[derive(Debug, Args)]
pub struct EventsArgs {
    /// The states to compare (default: what the last sync brought in)
    range: Option<String>,
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ui: &Ui, args: EventsArgs) -> Result<()> {
    let tracker = super::open()?;
    let range = tracker.parse_range(args.range.as_deref())?;
    let events = tracker.events(&range)?;
    if args.json.json {
        return Ok(ui.json(&events)?);
    }
    if events.is_empty() {
        ui.status("Nothing happened in that range.");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            vec![
                ui.dim(&e.when.strftime("%Y-%m-%d %H:%M").to_string()),
                ui.bold(&e.key),
                e.kind.to_owned(),
                one_line(&who(&e.who)).into_owned(),
                one_line(&summary(e)).into_owned(),
            ]
        })
        .collect();
    ui.page(tracker.store().config_string("core.pager"));
    ui.data(&table(&rows))?;
    Ok(())
}

/// A name without its email, to keep lines short.
fn who(full: &str) -> String {
    full.split_once(" <")
        .map_or(full, |(name, _)| name)
        .to_owned()
}

/// What changed, in a few words.
pub(super) fn summary(e: &Event) -> String {
    let s = |name: &str| e.change.get(name).and_then(|v| v.as_str()).unwrap_or("");
    let or_none = |name: &str| match s(name) {
        "" => "(none)".to_owned(),
        v => v.to_owned(),
    };
    match e.kind {
        "created" => format!("{:?} ({}, {})", e.title, s("type"), s("priority")),
        "status" | "assigned" => format!("{} -> {}", or_none("from"), or_none("to")),
        "commented" => {
            let first = s("body")
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            let mut line: String = first.chars().take(60).collect();
            if line.len() < s("body").trim().len() {
                line.push('…');
            }
            let internal = e.change.get("internal").and_then(|v| v.as_bool()) == Some(true);
            if internal {
                format!("(internal) {line}")
            } else {
                line
            }
        }
        "voted" | "unvoted" => {
            let n = e.change.get("votes").and_then(|v| v.as_u64()).unwrap_or(0);
            format!("{} ({n} vote{})", s("voter"), if n == 1 { "" } else { "s" })
        }
        "merged" => format!("into {}", s("into")),
        "attached" => format!(
            "{} ({})",
            s("name"),
            crate::format::config::ByteSize(
                e.change.get("size").and_then(|v| v.as_u64()).unwrap_or(0)
            )
        ),
        "detached" => s("name").to_owned(),
        "edited" => s("summary").to_owned(),
        _ => e.title.clone(),
    }
}
