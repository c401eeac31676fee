use anyhow::Result;
use clap::Args;

use super::JsonArg;
use crate::tracker::{Count, Problem};
use crate::ui::{Ui, one_line, table};

/// List labels with their open and closed issue counts
#[derive(Debug, Args)]
pub struct LabelsArgs {
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ui: &Ui, args: LabelsArgs) -> Result<()> {
    let tracker = super::open()?;
    let (counts, problems) = tracker.labels()?;
    print_counts(ui, &counts, &problems, args.json.json, "labels")
}

/// The table (or JSON) that `labels` and `milestones` share.
pub fn print_counts(
    ui: &Ui,
    counts: &[Count],
    problems: &[Problem],
    json: bool,
    what: &str,
) -> Result<()> {
    for p in problems {
        ui.warn(&format!("{p} (not counted)"));
    }
    if json {
        return Ok(ui.json(&counts)?);
    }
    if counts.is_empty() {
        ui.status(&format!("No {what} yet."));
        return Ok(());
    }
    let mut rows = vec![vec![ui.dim("NAME"), ui.dim("OPEN"), ui.dim("CLOSED")]];
    rows.extend(counts.iter().map(|c| {
        vec![
            one_line(&c.name).into_owned(),
            c.open.to_string(),
            c.closed.to_string(),
        ]
    }));
    ui.data(&table(&rows))?;
    Ok(())
}
