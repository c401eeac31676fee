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
}

pub fn run(ui: &Ui, args: LinkArgs) -> Result<()> {
    let tracker = super::open()?;
    let key = super::key(&tracker, &args.key)?;
    let (field, value) = match (&args.commit, &args.pr) {
        (Some(rev), _) => ("commits", tracker.resolve_commit(rev)?),
        (None, Some(pr)) => ("prs", pr.trim().to_owned()),
        (None, None) => unreachable!("clap requires a commit or --pr"),
    };
    let outcome = tracker.update(&key, |issue, _, _| {
        let list = if field == "commits" {
            &mut issue.commits
        } else {
            &mut issue.prs
        };
        if !list.contains(&value) {
            list.push(value.clone());
        }
        Ok(())
    })?;
    super::report(ui, &outcome);
    Ok(())
}
