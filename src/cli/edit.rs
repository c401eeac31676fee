use anyhow::Result;
use clap::Args;

use crate::format::Issue;
use crate::ui::Ui;

/// Edit an issue's file in your editor
///
/// Uses GIT_EDITOR, core.editor, VISUAL or EDITOR, as git does. If the result
/// does not parse, says why and offers to reopen it; the text is kept until
/// it is saved. A file that does not parse on the branch can be repaired
/// this way too. --discard drops text kept from an edit that was not saved.
#[derive(Debug, Args)]
pub struct EditArgs {
    /// The issue, like BC-12
    key: String,
    /// Drop the unsaved text kept from an earlier edit, and open nothing
    #[arg(long)]
    discard: bool,
}

pub fn run(ui: &Ui, args: EditArgs) -> Result<()> {
    let tracker = super::open()?;
    let key = super::key(&tracker, &args.key)?;
    if args.discard {
        let draft = super::editor::draft_path(&tracker, &tracker.resolve(&key)?.to_string());
        if super::editor::has_draft(&draft) {
            super::editor::discard(&draft);
            ui.status(&format!(
                "{key}: dropped the unsaved text of an earlier edit"
            ));
        } else {
            ui.status(&format!("{key}: no unsaved text to drop"));
        }
        return Ok(());
    }
    let source = tracker.source(&key)?;
    if let Err(e) = &source.issue {
        ui.warn(&format!(
            "{}:{e}; opening it so you can repair it",
            source.path
        ));
    }
    let draft = super::editor::draft_path(&tracker, &source.key.to_string());
    // The issue as the draft started from: what the user's changes are
    // measured against, even when the draft was left by an earlier session
    // and the issue has moved on since.
    let base = super::editor::draft_base(&draft, &source.text)?;
    let edited = super::editor::edit_until_valid(ui, &tracker, &source.text, &draft, |text| {
        let issue = Issue::parse(text)?;
        tracker.check_edit(&issue, text)?;
        Ok(issue)
    })?;
    let outcome = tracker.save_edit(&source.key, Issue::parse(&base).ok().as_ref(), &edited)?;
    super::editor::discard(&draft);
    super::report(ui, &outcome);
    Ok(())
}
