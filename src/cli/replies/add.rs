use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use crate::tracker::replies::ReplyChange;
use crate::ui::Ui;

/// Add a canned reply (from -m, --body-file, or your editor)
#[derive(Debug, Args)]
pub struct AddArgs {
    /// Its name: letters, digits, - _ and .
    name: String,
    /// The reply's text
    #[arg(
        long = "message",
        short = 'm',
        value_name = "TEXT",
        conflicts_with = "body_file"
    )]
    text: Option<String>,
    /// Read the text from a file (- for stdin)
    #[arg(long, short = 'F', value_name = "FILE")]
    body_file: Option<PathBuf>,
}

pub fn run(ui: &Ui, args: AddArgs) -> Result<()> {
    let tracker = super::super::open()?;
    crate::tracker::replies::check_name(&args.name)?;
    let text = match super::super::body_from(args.text, args.body_file)? {
        Some(t) => t,
        None if ui.interactive() => super::edit_text(ui, &tracker, &args.name, "")?,
        None => bail!(
            "a reply needs text: git issue replies add {} -m \"…\"",
            args.name
        ),
    };
    tracker.save_reply(&args.name, &text, ReplyChange::Add)?;
    ui.status(&format!("Added the reply {}", args.name));
    Ok(())
}
