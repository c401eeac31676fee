use anyhow::Result;
use clap::Args;

use crate::ui::Ui;

/// Remove a linked commit or pull request from an issue
#[derive(Debug, Args)]
pub struct UnlinkArgs {
    /// The issue, like BC-12
    key: String,
    /// The commit id as linked (a prefix of at least 4 digits will do)
    #[arg(required_unless_present = "pr", conflicts_with = "pr")]
    commit: Option<String>,
    /// The pull request as linked
    #[arg(long, value_name = "REF")]
    pr: Option<String>,
    #[command(flatten)]
    json: super::JsonArg,
}

pub fn run(ui: &Ui, args: UnlinkArgs) -> Result<()> {
    let tracker = super::open()?;
    let key = super::key(&tracker, &args.key)?;
    let outcome = match (&args.commit, &args.pr) {
        (Some(c), _) => tracker.unlink_commit(&key, c)?,
        (None, Some(pr)) => tracker.unlink_pr(&key, pr)?,
        (None, None) => unreachable!("clap requires a commit or --pr"),
    };
    super::report(ui, &outcome);
    super::print_issue(ui, &tracker, &outcome.key, args.json)
}
