use anyhow::Result;
use clap::Args;

use crate::ui::Ui;

/// Reopen a closed issue
#[derive(Debug, Args)]
pub struct ReopenArgs {
    /// The issue, like BC-12
    key: String,
    #[command(flatten)]
    json: super::JsonArg,
}

pub fn run(ui: &Ui, args: ReopenArgs) -> Result<()> {
    let tracker = super::open()?;
    let key = super::key(&tracker, &args.key)?;
    let outcome = tracker.reopen(&key)?;
    super::report(ui, &outcome);
    super::print_issue(ui, &tracker, &outcome.key, args.json)
}
