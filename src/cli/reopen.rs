use anyhow::Result;
use clap::Args;

use crate::tracker::set_status;
use crate::ui::Ui;

/// Reopen a closed issue
#[derive(Debug, Args)]
pub struct ReopenArgs {
    /// The issue, like BC-12
    key: String,
}

pub fn run(ui: &Ui, args: ReopenArgs) -> Result<()> {
    let tracker = super::open()?;
    let key = super::key(&tracker, &args.key)?;
    let outcome = tracker.update(&key, |issue, config, now| {
        if config.is_closed(&issue.status) {
            set_status(issue, config.initial_status(), config, now);
            issue.duplicate_of = None;
        }
        Ok(())
    })?;
    super::report(ui, &outcome);
    Ok(())
}
