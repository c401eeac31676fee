use anyhow::Result;
use clap::{Args, CommandFactory};

use crate::ui::Ui;

/// Print the man page (roff): git issue man > ~/.local/share/man/man1/git-issue.1
#[derive(Debug, Args)]
pub struct ManArgs {}

pub fn run(ui: &Ui, _args: ManArgs) -> Result<()> {
    let cmd = super::Cli::command().name("git-issue");
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut out)?;
    ui.data(&String::from_utf8_lossy(&out))?;
    Ok(())
}
