use anyhow::Result;
use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::ui::Ui;

/// Print a shell completion script: bash, zsh, fish, elvish or powershell
///
/// For bash: git issue completions bash > ~/.local/share/bash-completion/completions/git-issue
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    shell: Shell,
}

pub fn run(ui: &Ui, args: CompletionsArgs) -> Result<()> {
    let mut cmd = super::Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "git-issue", &mut out);
    ui.data(&String::from_utf8_lossy(&out))?;
    Ok(())
}
