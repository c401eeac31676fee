use anyhow::Result;
use clap::Args;
use serde_json::json;

use super::JsonArg;
use crate::tracker::Error;
use crate::ui::Ui;

/// Check every file on the issues branch; list each problem as path:line:col
///
/// Exits 5 when there is a problem. With --fix, first repairs what needs no
/// decision: an issue sharing its id with an earlier-filed one gets a new
/// id, and an issue file under a name or in a folder no command reads is
/// moved where it belongs (one commit); what is left is listed.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Repair what can be repaired without a decision, then check
    #[arg(long)]
    fix: bool,
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ui: &Ui, args: DoctorArgs) -> Result<()> {
    let tracker = super::open()?;
    if args.fix {
        let (done, _) = tracker.repair()?;
        for line in &done {
            ui.status(&format!("fixed {line}"));
        }
    }
    let problems = tracker.doctor()?;
    if args.json.json {
        let items: Vec<_> = problems
            .iter()
            .map(|p| json!({"path": p.path, "line": p.line, "column": p.column, "message": p.message}))
            .collect();
        ui.json(&items)?;
    } else {
        let text: String = problems
            .iter()
            .map(|p| format!("{}\n", crate::ui::one_line(&p.to_string())))
            .collect();
        ui.data(&text)?;
    }
    let old = tracker.first_layout_count()?;
    if old > 0 && !args.fix {
        ui.status(&format!(
            "note: {old} issue{} in the first layout (issues/<bucket>/KEY.md): they work as they are; git issue doctor --fix moves them where a change costs less",
            if old == 1 { " is" } else { "s are" }
        ));
    }
    if problems.is_empty() {
        ui.status("No problems found.");
        Ok(())
    } else {
        Err(Error::Problems(problems.len()).into())
    }
}
