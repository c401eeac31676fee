use anyhow::Result;
use clap::Args;

use crate::ui::Ui;

/// Delete an issue and its comments
///
/// The key is never given to another issue, and the issue stays in the
/// branch's history (git issue log KEY).
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The issue, like BC-12
    key: String,
    /// Do not ask for confirmation on a terminal
    #[arg(long, short = 'y')]
    yes: bool,
    #[command(flatten)]
    json: super::JsonArg,
}

pub fn run(ui: &Ui, args: DeleteArgs) -> Result<()> {
    let tracker = super::open()?;
    let key = super::key(&tracker, &args.key)?;
    if !args.yes && ui.interactive() && !ui.confirm(&format!("Delete {key}?"), false) {
        ui.status("Nothing deleted.");
        return Ok(());
    }
    // What was deleted, for a script: the issue as it last was.
    let last = args.json.json.then(|| tracker.details(&key)).transpose()?;
    let key = tracker.delete(&key)?;
    ui.status(&format!("{key}: deleted"));
    if let Some(details) = last {
        let mut v = crate::ui::view::details_json(&details);
        v["deleted"] = serde_json::Value::Bool(true);
        ui.json(&v)?;
    }
    Ok(())
}
