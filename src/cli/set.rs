use anyhow::Result;
use clap::Args;

use crate::tracker::{Assignment, Error};
use crate::ui::Ui;

/// Change fields of an issue: field=value, +label, -label
///
/// Fields: title, type, status, priority, severity, labels (comma list),
/// milestone, assignee, reporter, component, duplicate_of, related (comma
/// list), prs (comma list), confidential, votes. An empty value clears an
/// optional field: `git issue set BC-12 milestone=`.
#[derive(Debug, Args)]
pub struct SetArgs {
    /// The issue, like BC-12
    key: String,
    /// What to change: status=triaged priority=p1 +ui -backend
    #[arg(required = true, allow_hyphen_values = true, value_name = "CHANGE")]
    changes: Vec<String>,
    #[command(flatten)]
    json: super::JsonArg,
}

pub fn run(ui: &Ui, mut args: SetArgs) -> Result<()> {
    let tracker = super::open()?;
    let key = super::key(&tracker, &args.key)?;
    let words = super::flags_among_changes(&mut args.changes, &mut args.json)?;
    let changes = words
        .iter()
        .map(|c| c.parse::<Assignment>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(Error::Refused)?;
    let outcome = tracker.set(&key, &changes)?;
    super::report(ui, &outcome);
    super::print_issue(ui, &tracker, &outcome.key, args.json)
}
