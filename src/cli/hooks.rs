use anyhow::Result;
use clap::{Args, Subcommand};

use crate::hooks::{self, Action};
use crate::ui::Ui;

/// Install or remove the git hooks that link commits to issues
///
/// The hooks go where git runs them: core.hooksPath when set, else the hooks
/// folder shared by every worktree. A hook already there keeps running,
/// first; uninstall puts it back as it was.
#[derive(Debug, Args)]
pub struct HooksArgs {
    #[command(subcommand)]
    action: HooksAction,
}

#[derive(Debug, Subcommand)]
enum HooksAction {
    /// Install the hooks, chaining any hook already there
    Install,
    /// Remove the hooks and put back the ones they chained
    Uninstall,
}

pub fn run(ui: &Ui, args: HooksArgs) -> Result<()> {
    let tracker = super::open()?;
    let dir = tracker.hooks_dir();
    let done = match args.action {
        HooksAction::Install => hooks::install(&dir)?,
        HooksAction::Uninstall => hooks::uninstall(&dir)?,
    };
    for (name, action) in done {
        let what = match action {
            Action::Installed => "installed",
            Action::Chained => "installed; the hook that was there runs first",
            Action::Updated => "updated",
            Action::Unchanged => "already installed",
            Action::Removed => "removed",
            Action::Restored => "removed; the hook that was there before is back",
            Action::NotOurs => "not git-issue's, left alone",
            Action::Absent => "not installed",
        };
        ui.status(&format!("{name}: {what}"));
    }
    ui.status(&format!("hooks folder: {}", dir.display()));
    Ok(())
}
