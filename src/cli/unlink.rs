use anyhow::Result;
use clap::Args;

use crate::ui::Ui;

/// Remove a linked commit, pull request or path from an issue
#[derive(Debug, Args)]
pub struct UnlinkArgs {
    /// The issue, like BC-12
    key: String,
    /// The commit id as linked (a prefix of at least 4 digits will do)
    #[arg(required_unless_present_any = ["pr", "path"], conflicts_with_all = ["pr", "path"])]
    commit: Option<String>,
    /// The pull request as linked
    #[arg(long, value_name = "REF", conflicts_with = "path")]
    pr: Option<String>,
    #[command(flatten)]
    json: super::JsonArg,
    /// A file or folder of the repository, optionally FILE:SYMBOL
    /// (relative to where you are; `list 'path:src/db'` finds it)
    #[arg(long, value_name = "PATH")]
    path: Option<String>,
}

pub fn run(ui: &Ui, args: UnlinkArgs) -> Result<()> {
    let tracker = super::open()?;
    let key = super::key(&tracker, &args.key)?;
    if let Some(path) = &args.path {
        let cwd = std::env::current_dir()?;
        let outcome = tracker.unlink_path(&key, &cwd, path)?;
        super::report(ui, &outcome);
        return super::print_issue(ui, &tracker, &outcome.key, args.json);
    }
    let outcome = match (&args.commit, &args.pr) {
        (Some(c), _) => tracker.unlink_commit(&key, c)?,
        (None, Some(pr)) => tracker.unlink_pr(&key, pr)?,
        (None, None) => unreachable!("clap requires a commit, --pr or --path"),
    };
    super::report(ui, &outcome);
    super::print_issue(ui, &tracker, &outcome.key, args.json)
}
