use anyhow::Result;
use clap::Args;

use crate::ui::Ui;

/// Assign an issue to someone (an empty name unassigns)
#[derive(Debug, Args)]
pub struct AssignArgs {
    /// The issue, like BC-12
    key: String,
    /// Who: a name, a handle or an email, as your team writes it
    who: String,
    #[command(flatten)]
    json: super::JsonArg,
}

pub fn run(ui: &Ui, args: AssignArgs) -> Result<()> {
    let tracker = super::open()?;
    let key = super::key(&tracker, &args.key)?;
    let outcome = tracker.assign(&key, &args.who)?;
    super::report(ui, &outcome);
    super::print_issue(ui, &tracker, &outcome.key, args.json)
}
