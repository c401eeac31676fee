use anyhow::Result;
use clap::Args;

use crate::tracker::InitOutcome;
use crate::ui::Ui;

/// Create the issue tracker: an `issues` branch holding tracker.yml
///
/// Your checkout is not touched. The key prefix comes from the repository's
/// name unless given (`bug-catcher` gives BC, so issues are BC-1, BC-2, …).
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Key prefix for new issues, like BC
    #[arg(long)]
    key: Option<String>,
}

pub fn run(ui: &Ui, args: InitArgs) -> Result<()> {
    let tracker = super::open()?;
    match tracker.init(args.key.as_deref())? {
        InitOutcome::Created { key } => ui.status(&format!(
            "Created the issue tracker on branch {} with key {key}; new issues will be {key}-1, {key}-2, …",
            tracker.store().branch_name()
        )),
        InitOutcome::Adopted { key, remote } => ui.status(&format!(
            "Took the issue tracker from {remote}'s branch {} (key {key}); git issue sync keeps it in step",
            tracker.store().branch_name()
        )),
        InitOutcome::Exists { key } => ui.status(&format!(
            "The issue tracker already exists on branch {} (key {key}); nothing changed",
            tracker.store().branch_name()
        )),
    }
    Ok(())
}
