use anyhow::Result;
use clap::Args;

use crate::ui::Ui;

/// Remove a canned reply (it stays in the branch's history)
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The reply's name
    name: String,
}

pub fn run(ui: &Ui, args: RemoveArgs) -> Result<()> {
    let tracker = super::super::open()?;
    tracker.remove_reply(&args.name)?;
    ui.status(&format!("Removed the reply {}", args.name));
    Ok(())
}
