use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use crate::ui::Ui;

/// Add a comment to an issue, or post a canned reply
#[derive(Debug, Args)]
pub struct CommentArgs {
    /// The issue, like BC-12
    key: String,
    /// The comment's text
    #[arg(
        long = "message",
        short = 'm',
        value_name = "TEXT",
        conflicts_with_all = ["body_file", "reply"]
    )]
    text: Option<String>,
    /// Read the text from a file (- for stdin)
    #[arg(long, short = 'F', value_name = "FILE", conflicts_with = "reply")]
    body_file: Option<PathBuf>,
    /// Post the canned reply replies/NAME.md, its placeholders filled from
    /// the issue (git issue replies lists them)
    #[arg(long, value_name = "NAME")]
    reply: Option<String>,
    /// Open the text (a filled reply, or -m's) in your editor before posting
    #[arg(long, short = 'e')]
    edit: bool,
    /// For the team only: left out of the published site
    #[arg(long)]
    internal: bool,
    #[command(flatten)]
    json: super::JsonArg,
}

pub fn run(ui: &Ui, args: CommentArgs) -> Result<()> {
    let tracker = super::open()?;
    let key = super::key(&tracker, &args.key)?;
    // A reply as it is: filled and posted from the same state of the issue.
    if let (Some(name), false) = (&args.reply, args.edit) {
        let (k, id) = tracker.post_reply(&key, name, args.internal)?;
        ui.status(&format!("{k}: comment {id} (reply {name})"));
        return Ok(());
    }
    let text = match &args.reply {
        Some(name) => Some(tracker.fill_reply(&key, name)?),
        None => super::body_from(args.text, args.body_file)?,
    };
    let text = match text {
        Some(t) if !args.edit => t,
        initial if args.edit || ui.interactive() => {
            let draft = super::editor::draft_path(&tracker, &format!("{key}-comment"));
            let text = super::editor::edit_until_valid(
                ui,
                &tracker,
                initial.as_deref().unwrap_or_default(),
                &draft,
                |t| Ok(t.to_owned()),
            )?;
            let (k, id) = tracker.comment(&key, &text, args.internal)?;
            super::editor::discard(&draft);
            ui.status(&format!("{k}: comment {id}"));
            return super::print_issue(ui, &tracker, &k, args.json);
        }
        _ => bail!("a comment needs text: git issue comment {key} -m \"…\""),
    };
    let (k, id) = tracker.comment(&key, &text, args.internal)?;
    ui.status(&format!("{k}: comment {id}"));
    super::print_issue(ui, &tracker, &k, args.json)
}
