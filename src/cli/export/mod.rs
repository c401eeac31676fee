//! `git issue export <format>`: one sub-verb a format.

mod jsonl;
mod site;

use anyhow::Result;
use clap::{Args, Subcommand};

use crate::ui::Ui;

/// Export the issues to another form: JSON lines or a static web site
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    format: Format,
}

#[derive(Debug, Subcommand)]
enum Format {
    Jsonl(jsonl::JsonlArgs),
    Site(site::SiteArgs),
}

pub fn run(ui: &Ui, args: ExportArgs) -> Result<()> {
    match args.format {
        Format::Jsonl(a) => jsonl::run(ui, a),
        Format::Site(a) => site::run(ui, a),
    }
}
