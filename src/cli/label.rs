use anyhow::Result;
use clap::Args;

use crate::tracker::{Assignment, Error};
use crate::ui::Ui;

/// Add and remove labels: +ui -backend (a bare name adds)
#[derive(Debug, Args)]
pub struct LabelArgs {
    /// The issue, like BC-12
    key: String,
    /// Labels to add (+ui, or just ui) and to remove (-backend)
    #[arg(
        required = true,
        allow_hyphen_values = true,
        value_name = "+LABEL|-LABEL"
    )]
    labels: Vec<String>,
    #[command(flatten)]
    json: super::JsonArg,
}

pub fn run(ui: &Ui, mut args: LabelArgs) -> Result<()> {
    let tracker = super::open()?;
    let key = super::key(&tracker, &args.key)?;
    let words = super::flags_among_changes(&mut args.labels, &mut args.json)?;
    let changes = words
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
    super::print_issue(ui, &tracker, &outcome.key, args.json)
}
