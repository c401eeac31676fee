use anyhow::Result;
use clap::Args;

use super::JsonArg;
use crate::ui::Ui;

/// Show an issue with its comments and linked commits
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The issue, like BC-12 (or just 12)
    key: String,
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ui: &Ui, args: ShowArgs) -> Result<()> {
    let tracker = super::open()?;
    let key = super::key(&tracker, &args.key)?;
    let details = tracker.details(&key)?;
    ui.page(tracker.store().config_string("core.pager"));
    if let Some(old) = &details.asked_as {
        ui.status(&format!(
            "{old} is now {}: renumbered by a sync, another clone had filed a different issue as {old}",
            details.record.key
        ));
    }
    for other in &details.moved_away {
        ui.status(&format!(
            "note: {} was also the key of {other}, renumbered by a sync",
            details.record.key
        ));
    }
    if let Some(original) = &details.record.issue.duplicate_of {
        ui.status(&format!(
            "{} is a duplicate of {original}: git issue show {original}",
            details.record.key
        ));
    }
    for p in &details.problems {
        ui.warn(&format!("{p} (comment skipped)"));
    }
    if args.json.json {
        return Ok(ui.json(&crate::ui::view::details_json(&details))?);
    }
    ui.data(&crate::ui::view::details_text(
        ui,
        &details,
        &details.config,
    ))?;
    Ok(())
}
