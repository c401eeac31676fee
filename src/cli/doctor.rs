use anyhow::{Result, bail};
use clap::Args;
use serde_json::json;

use super::JsonArg;
use crate::ui::Ui;

/// Check every file on the issues branch; list each problem as path:line:col
#[derive(Debug, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ui: &Ui, args: DoctorArgs) -> Result<()> {
    let tracker = super::open()?;
    let problems = tracker.doctor()?;
    if args.json.json {
        let items: Vec<_> = problems
            .iter()
            .map(|p| json!({"path": p.path, "line": p.line, "column": p.column, "message": p.message}))
            .collect();
        ui.json(&items)?;
    } else {
        let text: String = problems.iter().map(|p| format!("{p}\n")).collect();
        ui.data(&text)?;
    }
    match problems.len() {
        0 => {
            ui.status("No problems found.");
            Ok(())
        }
        1 => bail!("1 problem found"),
        n => bail!("{n} problems found"),
    }
}
