use anyhow::Result;
use clap::Args;

use super::JsonArg;
use crate::ui::{Ui, one_line};

/// Merge a duplicate into its original, in one commit
///
/// The duplicate is closed as duplicate of the original, which gains its
/// voters (and its reporter as one), labels, linked commits, pull requests
/// and related issues, and a comment saying so. The duplicate keeps its own
/// comments. Merging again brings over what it gathered since.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The duplicate, like BC-7
    duplicate: String,
    /// The original it duplicates, like BC-3
    #[arg(long, value_name = "KEY")]
    into: String,
    /// Why, for the comment on the original
    #[arg(long = "message", short = 'm', value_name = "TEXT")]
    why: Option<String>,
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ui: &Ui, args: MergeArgs) -> Result<()> {
    let tracker = super::open()?;
    let duplicate = super::key(&tracker, &args.duplicate)?;
    let original = super::key(&tracker, &args.into)?;
    let merged = tracker.merge_duplicate(&duplicate, &original, args.why.as_deref())?;
    if args.json.json {
        return Ok(ui.json(&merged)?);
    }
    let (d, o) = (&merged.duplicate, &merged.original);
    match &merged.commit {
        None => ui.status(&format!(
            "{d} is merged into {o} already; nothing new to bring over"
        )),
        Some(_) if merged.gained.is_empty() => {
            ui.status(&format!("{d}: merged into {o}, closed as a duplicate"))
        }
        Some(_) => ui.status(&format!(
            "{d}: merged into {o}, closed as a duplicate; {o} gained {}",
            one_line(&merged.gained.join(", "))
        )),
    }
    Ok(())
}
