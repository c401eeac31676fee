use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::tracker::replies::ReplyChange;
use crate::ui::Ui;

/// Change a canned reply: its new text from -m or --body-file, else in
/// your editor
#[derive(Debug, Args)]
pub struct EditArgs {
    /// The reply's name
    name: String,
    /// The new text
    #[arg(
        long = "message",
        short = 'm',
        value_name = "TEXT",
        conflicts_with = "body_file"
    )]
    text: Option<String>,
    /// Read the new text from a file (- for stdin)
    #[arg(long, short = 'F', value_name = "FILE")]
    body_file: Option<PathBuf>,
}

pub fn run(ui: &Ui, args: EditArgs) -> Result<()> {
    let tracker = super::super::open()?;
    let text = match super::super::body_from(args.text, args.body_file)? {
        Some(t) => t,
        None => {
            let current = tracker.reply(&args.name)?;
            super::edit_text(ui, &tracker, &args.name, &current.text)?
        }
    };
    match tracker.save_reply(&args.name, &text, ReplyChange::Edit)? {
        Some(_) => ui.status(&format!("Changed the reply {}", args.name)),
        None => ui.status(&format!("The reply {} is unchanged", args.name)),
    }
    Ok(())
}
