use anyhow::Result;
use clap::Args;

use super::JsonArg;
use crate::tracker::notify::{Mode, NotifyReport};
use crate::ui::{Ui, one_line};

/// Run tracker.yml's notify: rules for the events of a range
///
/// By default for what the last git issue sync brought in. Each event goes
/// to a rule once: this clone remembers what it sent, and tries again what
/// failed. git issue sync and the post-merge hook run the rules by
/// themselves only where git config issue.notify is true.
#[derive(Debug, Args)]
pub struct NotifyArgs {
    /// The states to compare, as git issue events takes them
    range: Option<String>,
    /// Say what would be sent; send nothing
    #[arg(long, short = 'n')]
    dry_run: bool,
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ui: &Ui, args: NotifyArgs) -> Result<()> {
    let tracker = super::open()?;
    let range = tracker.parse_range(args.range.as_deref())?;
    let mode = if args.dry_run {
        Mode::DryRun
    } else {
        Mode::Send
    };
    let report = tracker.notify(&range, mode)?;
    if args.json.json {
        return Ok(ui.json(&report)?);
    }
    if tracker.config()?.notify.is_empty() {
        ui.status("tracker.yml has no notify: rules");
        return Ok(());
    }
    if args.dry_run {
        for d in &report.sent {
            let e = &d.event;
            let text = |name: &str| e[name].as_str().unwrap_or_default().to_owned();
            ui.data(&one_line(&format!(
                "{}  {}  {}: {} {}",
                d.rule,
                d.target,
                text("key"),
                text("kind"),
                text("id")
            )))?;
        }
        if report.sent.is_empty() {
            ui.status("Nothing to send.");
        }
        if !tracker.notify_enabled() {
            ui.status(
                "(git issue sync sends them by itself only once git config issue.notify is true)",
            );
        }
    }
    tell(ui, &report, "", !args.dry_run);
    Ok(())
}

/// Says what a run of the rules did, on stderr, each line after `prefix`:
/// what went, what failed, rules that cannot be used.
pub(super) fn tell(ui: &Ui, report: &NotifyReport, prefix: &str, sent: bool) {
    for p in &report.problems {
        ui.warn(&format!("{prefix}{p}"));
    }
    if sent && !report.sent.is_empty() {
        let n = report.sent.len();
        ui.status(&format!(
            "{prefix}notified: {n} event{}",
            if n == 1 { "" } else { "s" }
        ));
    }
    for f in &report.failed {
        let e = &f.delivery.event;
        let what = format!(
            "{} {}",
            e["key"].as_str().unwrap_or_default(),
            e["kind"].as_str().unwrap_or_default()
        );
        let then = if f.given_up {
            "given up"
        } else {
            "tried again at the next sync"
        };
        ui.warn(&format!(
            "{prefix}{} ({}) failed for {what}: {}; {then}",
            f.delivery.rule, f.delivery.target, f.error
        ));
    }
}
