use anyhow::Result;
use clap::Args;

use super::JsonArg;
use crate::tracker::Vote;
use crate::ui::Ui;

/// Vote "me too" on an issue: one vote per person, by your git email
///
/// Votes from every clone count after a sync. A vote on an issue closed as
/// a duplicate goes to its original.
#[derive(Debug, Args)]
pub struct VoteArgs {
    /// The issue, like BC-12
    key: String,
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ui: &Ui, args: VoteArgs) -> Result<()> {
    let tracker = super::open()?;
    let key = super::key(&tracker, &args.key)?;
    let vote = tracker.vote(&key)?;
    say(ui, &vote, args.json.json, "voted", "you had voted already")
}

/// Says what a vote or unvote did.
pub(super) fn say(ui: &Ui, vote: &Vote, json: bool, done: &str, nothing: &str) -> Result<()> {
    let key = &vote.outcome.key;
    if let Some(dup) = &vote.redirected_from {
        ui.status(&format!(
            "{dup} is a duplicate of {key}: the vote is on {key}"
        ));
    }
    let changed = vote.outcome.commit.is_some();
    if json {
        ui.json(&serde_json::json!({
            "key": key.to_string(),
            "votes": vote.count,
            "changed": changed,
        }))?;
    } else {
        let what = if changed { done } else { nothing };
        let s = if vote.count == 1 { "" } else { "s" };
        ui.status(&format!("{key}: {what} ({} vote{s})", vote.count));
    }
    Ok(())
}
