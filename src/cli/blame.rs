use anyhow::Result;
use clap::Args;

use super::JsonArg;
use crate::ui::Ui;

/// List the issues whose linked commits touched a file, newest first
///
/// Walks the file's history from HEAD (as `git log -- FILE` does) and
/// names, once each, the issues that link one of those commits: why the
/// file is the way it is. A folder works too.
#[derive(Debug, Args)]
pub struct BlameArgs {
    /// A file or folder of the repository (relative to where you are)
    file: String,
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ui: &Ui, args: BlameArgs) -> Result<()> {
    let tracker = super::open()?;
    let cwd = std::env::current_dir()?;
    let found = tracker.blame(&cwd, &args.file)?;
    if args.json.json {
        ui.json(&found)?;
        return Ok(());
    }
    if found.is_empty() {
        ui.status(&format!(
            "No issue links a commit that touched {}.",
            args.file
        ));
        return Ok(());
    }
    let rows: Vec<Vec<String>> = found
        .iter()
        .map(|b| {
            vec![
                ui.bold(&b.key),
                ui.status_word(&b.status, b.closed),
                b.commit.chars().take(12).collect(),
                b.time.get(..10).unwrap_or(&b.time).to_owned(),
                crate::bridge::plain(&b.title),
            ]
        })
        .collect();
    ui.data(&crate::ui::table(&rows))?;
    Ok(())
}
