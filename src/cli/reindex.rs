use anyhow::Result;
use clap::Args;

use crate::ui::Ui;

/// Rebuild the search index from the issues branch
///
/// Never needed in normal use: every command brings the index up to date,
/// and rebuilds it when it is missing, damaged or of an older version.
#[derive(Debug, Args)]
pub struct ReindexArgs {}

pub fn run(ui: &Ui, _args: ReindexArgs) -> Result<()> {
    let tracker = super::open()?;
    let n = tracker.reindex(&ui.progress())?;
    ui.status(&format!("Indexed {n} issues."));
    Ok(())
}
