use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::ui::Ui;

/// Write one attached file, byte for byte, to stdout or a file
///
///   git issue attachment BC-12 crash.log > crash.log
#[derive(Debug, Args)]
pub struct AttachmentArgs {
    /// The issue, like BC-12
    key: String,
    /// The attachment's name (git issue attachments lists them)
    name: String,
    /// Write it to this file instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(ui: &Ui, args: AttachmentArgs) -> Result<()> {
    let tracker = super::open()?;
    let key = super::key(&tracker, &args.key)?;
    let (name, bytes) = tracker.attachment(&key, &args.name)?;
    match args.output {
        Some(path) => {
            std::fs::write(&path, &bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        // A terminal would obey what it took for escape sequences.
        None if ui.stdout_is_terminal() && std::str::from_utf8(&bytes).is_err() => bail!(
            "{name} is not text; send it to a file: git issue attachment {key} {name} > {name}"
        ),
        None if ui.stdout_is_terminal() => {
            ui.data(&crate::ui::block(&String::from_utf8_lossy(&bytes)))?
        }
        None => ui.bytes(&bytes)?,
    }
    Ok(())
}
