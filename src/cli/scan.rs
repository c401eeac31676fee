use anyhow::Result;
use clap::Args;

use crate::ui::Ui;

/// Link the commits that name issues, for history made without the hooks
///
/// Records each commit that names a key (in its message or a trailer) in the
/// issue's commits; "Fixes BC-12" on the main branch resolves BC-12. A link
/// to a commit that was rebased away is moved to its copy. Run twice, the
/// second run changes nothing.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The commits to read: A..B, or a revision for all it reaches
    /// [default: every local branch]
    range: Option<String>,
}

pub fn run(ui: &Ui, args: ScanArgs) -> Result<()> {
    let tracker = super::open()?;
    let batch = tracker.scan(args.range.as_deref())?;
    for o in &batch.changed {
        ui.status(&format!("{}: {}", o.key, o.summary));
    }
    // The same unknown keys come back on every run: say how many, and
    // the first few, not each one each time.
    const SHOWN: usize = 5;
    if !batch.missing.is_empty() {
        let first: Vec<String> = batch
            .missing
            .iter()
            .take(SHOWN)
            .map(ToString::to_string)
            .collect();
        let more = batch.missing.len().saturating_sub(SHOWN);
        ui.warn(&format!(
            "{} key{} named by commits but by no issue: {}{}",
            batch.missing.len(),
            if batch.missing.len() == 1 {
                " is"
            } else {
                "s are"
            },
            first.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    }
    for p in &batch.problems {
        ui.warn(&format!("{p} (skipped)"));
    }
    if batch.changed.is_empty() {
        ui.status("nothing to change");
    }
    Ok(())
}
