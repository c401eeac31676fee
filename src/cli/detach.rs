use anyhow::Result;
use clap::Args;

use crate::ui::{Ui, one_line};

/// Remove an attached file from an issue (it stays in the branch's history)
#[derive(Debug, Args)]
pub struct DetachArgs {
    /// The issue, like BC-12
    key: String,
    /// The attachment's name
    name: String,
}

pub fn run(ui: &Ui, args: DetachArgs) -> Result<()> {
    let tracker = super::open()?;
    let key = super::key(&tracker, &args.key)?;
    let (key, name) = tracker.detach(&key, &args.name)?;
    ui.status(&format!("{key}: detached {}", one_line(&name)));
    Ok(())
}
