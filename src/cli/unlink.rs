use anyhow::Result;
use clap::Args;

use crate::tracker::Error;
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
}

pub fn run(ui: &Ui, args: UnlinkArgs) -> Result<()> {
    let tracker = super::open()?;
    let key = super::key(&tracker, &args.key)?;
    let outcome = tracker.update(&key, |issue, _, _| {
        match (&args.commit, &args.pr) {
            (Some(c), _) => {
                let c = c.trim().to_ascii_lowercase();
                let hits: Vec<String> = issue
                    .commits
                    .iter()
                    .filter(|x| c.len() >= 4 && x.starts_with(&c))
                    .cloned()
                    .collect();
                match hits.len() {
                    0 => return Err(Error::Invalid(format!("{key} has no linked commit {c}"))),
                    1 => issue.commits.retain(|x| x != &hits[0]),
                    _ => {
                        return Err(Error::Invalid(format!(
                            "{c} names several linked commits of {key}; give more digits"
                        )));
                    }
                }
            }
            (None, Some(pr)) => {
                if !issue.prs.iter().any(|x| x == pr.trim()) {
                    return Err(Error::Invalid(format!(
                        "{key} has no linked pull request {pr}"
                    )));
                }
                issue.prs.retain(|x| x != pr.trim());
            }
            (None, None) => {}
        }
        Ok(())
    })?;
    super::report(ui, &outcome);
    Ok(())
}
