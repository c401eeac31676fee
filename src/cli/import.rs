use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use crate::ui::Ui;

/// Import issues from JSON lines, one issue a line, in one commit
///
/// Each line has the shape `show --json` prints (and `export jsonl` writes).
/// A line's key is kept when it has this tracker's prefix and its number is
/// free, else the issue gets the next free one (a key of another prefix is
/// kept in `aliases`; to keep another tracker's keys, create this one with
/// its prefix: git issue init --key BEANUTILS). An issue whose id is already
/// here is skipped, so importing a backup twice files nothing twice. Missing
/// ids, times and fields get what `new` would give. A bad line stops the
/// import before anything is written.
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
        if from.prefix == to.prefix {
            ui.status(&format!("{from} was taken; filed as {to}"));
        } else {
            ui.status(&format!(
                "{from} is another tracker's key; filed as {to} (git issue show {to} lists it as formerly {from})"
            ));
        }
    }
    if !imported.skipped.is_empty() {
        ui.status(&format!(
            "{} issue{} already here (same id), not filed again",
            imported.skipped.len(),
            if imported.skipped.len() == 1 {
                " is"
            } else {
                "s are"
            }
        ));
    }
    ui.status(&format!("Imported {} issues.", imported.keys.len()));
    Ok(())
}
