use anyhow::Result;
use clap::Args;

use super::JsonArg;
use crate::format::config::ByteSize;
use crate::ui::{Ui, one_line, table};

/// List the files attached to an issue, with their sizes
#[derive(Debug, Args)]
pub struct AttachmentsArgs {
    /// The issue, like BC-12
    key: String,
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ui: &Ui, args: AttachmentsArgs) -> Result<()> {
    let tracker = super::open()?;
    let key = super::key(&tracker, &args.key)?;
    let (key, list) = tracker.attachments(&key)?;
    if args.json.json {
        return Ok(ui.json(&list)?);
    }
    if list.is_empty() {
        ui.status(&format!("{key} has no attachments"));
        return Ok(());
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|a| vec![one_line(&a.name).into_owned(), ByteSize(a.size).to_string()])
        .collect();
    ui.data(&table(&rows))?;
    Ok(())
}
