use anyhow::Result;
use clap::Args;

use crate::ui::{Ui, block};

/// Print a canned reply as it is written, placeholders and all
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The reply's name
    name: String,
}

pub fn run(ui: &Ui, args: ShowArgs) -> Result<()> {
    let tracker = super::super::open()?;
    let reply = tracker.reply(&args.name)?;
    ui.data(&block(&reply.text))?;
    Ok(())
}
