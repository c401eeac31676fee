use anyhow::Result;
use clap::Args;

use crate::ui::Ui;

/// Link a commit or a pull request to an issue
#[derive(Debug, Args)]
pub struct LinkArgs {
    /// The issue, like BC-12
    key: String,
    /// A commit of this repository (any revision git understands)
    #[arg(required_unless_present = "pr", conflicts_with = "pr")]
    commit: Option<String>,
    /// A pull request: a number like 42, or its URL
    #[arg(long, value_name = "REF")]
    pr: Option<String>,
    #[command(flatten)]
    json: super::JsonArg,
}

pub fn run(ui: &Ui, args: LinkArgs) -> Result<()> {
    let tracker = super::open()?;
    let key = super::key(&tracker, &args.key)?;
    let outcome = match (&args.commit, &args.pr) {
        (Some(rev), _) => tracker.link_commit(&key, rev)?,
        (None, Some(pr)) => tracker.link_pr(&key, pr)?,
        (None, None) => unreachable!("clap requires a commit or --pr"),
    };
    super::report(ui, &outcome);
    super::print_issue(ui, &tracker, &outcome.key, args.json)
}
