//! `git issue replies`: canned replies, `replies/NAME.md` on the branch.

mod add;
mod edit;
mod remove;
mod show;

use anyhow::Result;
use clap::{Args, Subcommand};

use super::JsonArg;
use crate::ui::{Ui, one_line, table};

/// List canned replies, or add, show, change and remove one
///
/// A reply is Markdown in replies/NAME.md on the issues branch. Post one
/// with git issue comment KEY --reply NAME; its placeholders are filled
/// from the issue: {key}, {title}, {reporter}, {reporter_name},
/// {assignee}, {status}, {milestone}, {me} (you) and any other field, like
/// {priority} or {env.browser}. {{ and }} write a brace.
#[derive(Debug, Args)]
pub struct RepliesArgs {
    #[command(subcommand)]
    verb: Option<Verb>,
    #[command(flatten)]
    json: JsonArg,
}

#[derive(Debug, Subcommand)]
enum Verb {
    Show(show::ShowArgs),
    Add(add::AddArgs),
    Edit(edit::EditArgs),
    Remove(remove::RemoveArgs),
}

pub fn run(ui: &Ui, args: RepliesArgs) -> Result<()> {
    match args.verb {
        Some(Verb::Show(a)) => show::run(ui, a),
        Some(Verb::Add(a)) => add::run(ui, a),
        Some(Verb::Edit(a)) => edit::run(ui, a),
        Some(Verb::Remove(a)) => remove::run(ui, a),
        None => list(ui, args.json.json),
    }
}

fn list(ui: &Ui, json: bool) -> Result<()> {
    let tracker = super::open()?;
    let replies = tracker.replies()?;
    if json {
        return Ok(ui.json(&replies)?);
    }
    if replies.is_empty() {
        ui.status("No canned replies yet: git issue replies add NAME");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = replies
        .iter()
        .map(|r| {
            let first = r
                .text
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or_default();
            let mut first: String = one_line(first).chars().take(60).collect();
            if first.len() < r.text.trim().len() {
                first.push('…');
            }
            vec![ui.bold(&one_line(&r.name)), ui.dim(&first)]
        })
        .collect();
    ui.data(&table(&rows))?;
    Ok(())
}

/// Opens the editor on `initial` until the text's placeholders are ones a
/// reply can use; the draft survives a failed save.
fn edit_text(
    ui: &Ui,
    tracker: &crate::tracker::Tracker,
    name: &str,
    initial: &str,
) -> Result<String> {
    let draft = super::editor::draft_path(tracker, &format!("reply-{name}"));
    let text = super::editor::edit_until_valid(ui, tracker, initial, &draft, |t| {
        crate::tracker::replies::check(t)?;
        Ok(t.to_owned())
    })?;
    super::editor::discard(&draft);
    Ok(text)
}
