use anyhow::Result;
use clap::Args;

use crate::tracker::{Assignment, Error};
use crate::ui::Ui;

/// Add and remove labels: +ui -backend (a bare name adds)
#[derive(Debug, Args)]
pub struct LabelArgs {
    /// The issue, like BC-12
    key: String,
    #[arg(
        required = true,
        allow_hyphen_values = true,
        value_name = "+LABEL|-LABEL"
    )]
    labels: Vec<String>,
}

pub fn run(ui: &Ui, args: LabelArgs) -> Result<()> {
    let tracker = super::open()?;
    let key = super::key(&tracker, &args.key)?;
    let changes = args
        .labels
        .iter()
        .map(|l| {
            if l.starts_with(['+', '-']) {
                l.parse::<Assignment>()
            } else {
                format!("+{l}").parse()
            }
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(Error::Refused)?;
    let outcome = tracker.set(&key, &changes)?;
    super::report(ui, &outcome);
    Ok(())
}
