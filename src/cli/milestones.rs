use anyhow::Result;
use clap::Args;

use super::JsonArg;
use crate::ui::Ui;

/// List milestones with their open and closed issue counts
#[derive(Debug, Args)]
pub struct MilestonesArgs {
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ui: &Ui, args: MilestonesArgs) -> Result<()> {
    let tracker = super::open()?;
    let (counts, problems) = tracker.milestones()?;
    super::labels::print_counts(ui, &counts, &problems, args.json.json, "milestones")
}
