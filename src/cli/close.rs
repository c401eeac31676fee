use anyhow::Result;
use clap::Args;

use crate::tracker::Closing;
use crate::ui::Ui;

/// Close an issue (status `closed` unless another reason is given)
#[derive(Debug, Args)]
pub struct CloseArgs {
    /// The issue, like BC-12
    key: String,
    /// The closed status to set: resolved, closed, wont_fix, duplicate, or
    /// what tracker.yml's closed_statuses list
    #[arg(long, short = 'r')]
    reason: Option<String>,
    /// Close as a duplicate of this issue (implies --reason duplicate)
    #[arg(long, value_name = "KEY")]
    duplicate_of: Option<String>,
    /// Add a comment saying why
    #[arg(long, short = 'm', value_name = "TEXT")]
    comment: Option<String>,
    #[command(flatten)]
    json: super::JsonArg,
}

pub fn run(ui: &Ui, args: CloseArgs) -> Result<()> {
    let tracker = super::open()?;
    let key = super::key(&tracker, &args.key)?;
    let duplicate_of = args
        .duplicate_of
        .as_deref()
        .map(|d| super::key(&tracker, d))
        .transpose()?;
    let closing = Closing {
        reason: args.reason,
        duplicate_of,
        comment: args.comment,
    };
    let outcome = tracker.close(&key, &closing)?;
    super::report(ui, &outcome);
    super::print_issue(ui, &tracker, &outcome.key, args.json)
}
