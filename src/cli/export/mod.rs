//! `export`: the tracker in other forms.

mod jsonl;

use anyhow::Result;
use clap::{Args, Subcommand};

use crate::ui::Ui;

/// Export the issues: as JSON lines
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    format: Format,
}

#[derive(Debug, Subcommand)]
enum Format {
    Jsonl(jsonl::JsonlArgs),
}

pub fn run(ui: &Ui, args: ExportArgs) -> Result<()> {
    match args.format {
        Format::Jsonl(a) => jsonl::run(ui, a),
    }
}
