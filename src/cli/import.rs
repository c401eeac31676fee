use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use crate::ui::Ui;

/// Import issues from JSON lines, one issue a line, in one commit
///
/// Each line has the shape `show --json` prints (and `export jsonl` writes).
/// A line's key is kept when its number is free, else the issue gets the
/// next free one; missing ids, times and fields get what `new` would give.
/// A bad line stops the import before anything is written.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file (- for stdin)
    file: PathBuf,
}

pub fn run(ui: &Ui, args: ImportArgs) -> Result<()> {
    let tracker = super::open()?;
    let text = if args.file.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).context("cannot read stdin")?
    } else {
        std::fs::read_to_string(&args.file)
            .with_context(|| format!("cannot read {}", args.file.display()))?
    };
    let imported = tracker.import(&text, &ui.progress())?;
    for (from, to) in &imported.renumbered {
        ui.status(&format!("{from} was taken; filed as {to}"));
    }
    ui.status(&format!("Imported {} issues.", imported.keys.len()));
    Ok(())
}
