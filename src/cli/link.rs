use anyhow::Result;
use clap::Args;

use crate::ui::Ui;

/// Link a commit, a pull request or a path of the repository to an issue
#[derive(Debug, Args)]
pub struct LinkArgs {
    /// The issue, like BC-12
    key: String,
    /// A commit of this repository (any revision git understands)
    #[arg(required_unless_present_any = ["pr", "path"], conflicts_with_all = ["pr", "path"])]
    commit: Option<String>,
    /// A pull request: a number like 42, or its URL
    #[arg(long, value_name = "REF", conflicts_with = "path")]
    pr: Option<String>,
    #[command(flatten)]
    json: super::JsonArg,
    /// A file or folder of the repository, optionally FILE:SYMBOL
    /// (relative to where you are; `list 'path:src/db'` finds it)
    #[arg(long, value_name = "PATH")]
    path: Option<String>,
}

pub fn run(ui: &Ui, args: LinkArgs) -> Result<()> {
    let tracker = super::open()?;
    let key = super::key(&tracker, &args.key)?;
    if let Some(path) = &args.path {
        let cwd = std::env::current_dir()?;
        let outcome = tracker.link_path(&key, &cwd, path)?;
        super::report(ui, &outcome);
        return super::print_issue(ui, &tracker, &outcome.key, args.json);
    }
    let outcome = match (&args.commit, &args.pr) {
        (Some(rev), _) => tracker.link_commit(&key, rev)?,
        (None, Some(pr)) => tracker.link_pr(&key, pr)?,
        (None, None) => unreachable!("clap requires a commit, --pr or --path"),
    };
    super::report(ui, &outcome);
    super::print_issue(ui, &tracker, &outcome.key, args.json)
}
