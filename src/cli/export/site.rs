use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::site::{self, Options, Report};
use crate::ui::Ui;

/// Write a static HTML site of the issues into a folder
///
/// The site (issue list, a page per issue, board, milestones, labels,
/// release notes, dashboard and search) uses relative links only, so it works
/// from any static host and from file://. Files are rewritten only when their
/// content changed; files an earlier export wrote that are no longer part of
/// the site are removed, and nothing else in the folder is touched.
#[derive(Debug, Args)]
pub struct SiteArgs {
    /// The folder to write the site into; created when missing
    dir: PathBuf,
    /// Also publish confidential issues and internal comments
    #[arg(long)]
    include_confidential: bool,
    /// The address the site will be published at, for canonical links
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Keep running and export again whenever the issues branch moves
    #[arg(long)]
    watch: bool,
}

pub fn run(ui: &Ui, args: SiteArgs) -> Result<()> {
    let tracker = super::super::open()?;
    let options = Options {
        include_confidential: args.include_confidential,
        base_url: args.base_url,
        // Read a whole export this many issue numbers at a time, for less
        // memory (docs/site.md).
        slice: std::env::var("GIT_ISSUE_SITE_SLICE")
            .ok()
            .and_then(|v| v.parse().ok()),
    };
    if args.watch {
        site::watch::watch(&tracker, &args.dir, &options, |result| match result {
            Ok(report) => say(ui, &args.dir, &report),
            Err(e) => ui.warn(&format!("the export failed: {e}")),
        })?;
        return Ok(());
    }
    let report = site::export(&tracker, &args.dir, &options)?;
    say(ui, &args.dir, &report);
    Ok(())
}

fn say(ui: &Ui, dir: &std::path::Path, report: &Report) {
    for p in &report.problems {
        ui.warn(&format!("{p} (left out of the site)"));
    }
    let short = &report.tip[..report.tip.len().min(12)];
    ui.status(&format!(
        "{}: {} issue{} at {short}; {} file{} written, {} unchanged, {} removed",
        dir.display(),
        report.issues,
        if report.issues == 1 { "" } else { "s" },
        report.written.len(),
        if report.written.len() == 1 { "" } else { "s" },
        report.unchanged,
        report.removed.len()
    ));
}
