use anyhow::Result;
use clap::Args;

use crate::ui::Ui;

/// Print the tracker's metrics for Prometheus
///
/// The text exposition format on stdout, for node_exporter's textfile
/// collector or any scraper: issues created and resolved by severity,
/// category and component, open issues by severity and category,
/// occurrences of recorded errors by component, and a histogram of the time
/// from filing to resolving.
///
///   git issue metrics > /var/lib/node_exporter/textfile/git_issue.prom
#[derive(Debug, Args)]
pub struct MetricsArgs {}

pub fn run(ui: &Ui, _args: MetricsArgs) -> Result<()> {
    let tracker = super::open()?;
    let metrics = tracker.metrics(&ui.progress())?;
    if let Some(why) = &metrics.fallback {
        ui.warn(&format!("{why}; answered by reading the files"));
    }
    ui.data(&metrics.to_text())?;
    Ok(())
}
