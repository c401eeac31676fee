use anyhow::Result;
use clap::Args;

use super::JsonArg;
use crate::ui::Ui;

/// Take back your "me too" vote on an issue
#[derive(Debug, Args)]
pub struct UnvoteArgs {
    /// The issue, like BC-12
    key: String,
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ui: &Ui, args: UnvoteArgs) -> Result<()> {
    let tracker = super::open()?;
    let key = super::key(&tracker, &args.key)?;
    let vote = tracker.unvote(&key)?;
    super::vote::say(
        ui,
        &vote,
        args.json.json,
        "vote taken back",
        "you had not voted",
    )
}
