use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use crate::ui::Ui;

/// Write every issue with its comments as JSON lines (what `import` reads)
#[derive(Debug, Args)]
pub struct JsonlArgs {
    /// Write to this file instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(ui: &Ui, args: JsonlArgs) -> Result<()> {
    let tracker = super::super::open()?;
    let issues = tracker.export(&ui.progress())?;
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
    Ok(())
}
