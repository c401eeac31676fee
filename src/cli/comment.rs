use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use crate::ui::Ui;

/// Add a comment to an issue
#[derive(Debug, Args)]
pub struct CommentArgs {
    /// The issue, like BC-12
    key: String,
    /// The comment's text
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
    /// For the team only: left out of the published site
    #[arg(long)]
    internal: bool,
    #[command(flatten)]
    json: super::JsonArg,
}

pub fn run(ui: &Ui, args: CommentArgs) -> Result<()> {
    let tracker = super::open()?;
    let key = super::key(&tracker, &args.key)?;
    let text = match super::body_from(args.text, args.body_file)? {
        Some(t) => t,
        None if ui.interactive() => {
            let draft = super::editor::draft_path(&tracker, &format!("{key}-comment"));
            let text =
                super::editor::edit_until_valid(ui, &tracker, "", &draft, |t| Ok(t.to_owned()))?;
            let (k, id) = tracker.comment(&key, &text, args.internal)?;
            super::editor::discard(&draft);
            ui.status(&format!("{k}: comment {id}"));
            return super::print_issue(ui, &tracker, &k, args.json);
        }
        None => bail!("a comment needs text: git issue comment {key} -m \"…\""),
    };
    let (k, id) = tracker.comment(&key, &text, args.internal)?;
    ui.status(&format!("{k}: comment {id}"));
    super::print_issue(ui, &tracker, &k, args.json)
}
