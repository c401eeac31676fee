//! `git issue export <format>`: one sub-verb a format.

mod site;

use anyhow::Result;
use clap::{Args, Subcommand};

use crate::ui::Ui;

/// Export the issues to another form
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    format: Format,
}

#[derive(Debug, Subcommand)]
enum Format {
    Site(site::SiteArgs),
}

pub fn run(ui: &Ui, args: ExportArgs) -> Result<()> {
    match args.format {
        Format::Site(a) => site::run(ui, a),
    }
}
