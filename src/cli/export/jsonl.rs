use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use crate::ui::Ui;

/// Write every issue with its comments as JSON lines (what `import` reads)
///
/// A file that does not parse is left out and named on stderr with its
/// line and column; every other issue is written, and the exit status is 5.
#[derive(Debug, Args)]
pub struct JsonlArgs {
    /// Write to this file instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(ui: &Ui, args: JsonlArgs) -> Result<()> {
    let tracker = super::super::open()?;
    let (issues, problems) = tracker.export(&ui.progress())?;
    let mut text = String::new();
    for issue in &issues {
        text.push_str(&serde_json::to_string(issue)?);
        text.push('\n');
    }
    match args.output {
        Some(path) => {
            let mut f = std::fs::File::create(&path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            f.write_all(text.as_bytes())?;
            ui.status(&format!(
                "Exported {} issues to {}.",
                issues.len(),
                path.display()
            ));
        }
        None => ui.data(&text)?,
    }
    for p in &problems {
        ui.warn(&format!("{p} (not exported)"));
    }
    if !problems.is_empty() {
        return Err(crate::tracker::Error::Problems(problems.len()).into());
    }
    Ok(())
}
