use anyhow::Result;
use clap::Args;

use super::JsonArg;
use crate::tracker::notify::Mode;
use crate::tracker::sync::{Counts, LocalChange};
use crate::ui::Ui;

/// Fetch, merge and push the issues branch through a git remote
///
/// The transport is your own git (credentials, ssh config, proxies). Issues
/// merge one by one: lists as sets, a field changed on both sides takes the
/// later change, descriptions by lines; two issues filed under one key both
/// stay and the later one gets the next free number. What came in and what
/// went out is reported on stderr (--json: on stdout).
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The remote to sync with
    #[arg(default_value = "origin")]
    remote: String,
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ui: &Ui, args: SyncArgs) -> Result<()> {
    let tracker = super::open()?;
    let report = tracker.sync(&args.remote)?;
    for r in &report.renumbered {
        ui.status(&format!(
            "{} is now {}: another clone filed a different issue as {} ({:?})",
            r.from, r.to, r.from, r.title
        ));
    }
    for n in &report.notes {
        ui.warn(n);
    }
    let remote = &report.remote;
    match report.local {
        LocalChange::Adopted => ui.status(&format!(
            "Took {remote}'s issues branch: {} issues",
            report.incoming.added
        )),
        LocalChange::UpToDate | LocalChange::FastForward | LocalChange::Merged => {
            if !report.incoming.is_empty() {
                ui.status(&format!("From {remote}: {}", counts(&report.incoming)));
            }
        }
    }
    if report.pushed {
        ui.status(&format!("To {remote}: {}", counts(&report.outgoing)));
    }
    if report.retries > 0 {
        ui.status(&format!(
            "{remote} moved while this sync pushed: fetched, merged and pushed again {} time{}",
            report.retries,
            if report.retries == 1 { "" } else { "s" }
        ));
    }
    if report.incoming.is_empty() && !report.pushed {
        ui.status(&format!("Already in step with {remote}"));
    }
    if args.json.json {
        ui.json(&report)?;
    }
    // What arrived goes to tracker.yml's notify: rules, where this clone
    // said yes; a rule that fails is told, never a failed sync.
    let notified = tracker
        .parse_range(None)
        .and_then(|range| tracker.notify(&range, Mode::Automatic));
    match notified {
        Ok(n) => super::notify::tell(ui, &n, "notify: ", true),
        Err(e) => ui.warn(&format!("notify: {e}")),
    }
    // The process ends here. Freeing the caches libgit2 kept of the packs
    // a merge read, block by block, took 12 ms of a sync of 1,000 issues;
    // the exit frees them at once. A tracker holds nothing else to close.
    std::mem::forget(tracker);
    Ok(())
}

fn counts(c: &Counts) -> String {
    let mut parts = Vec::new();
    for (n, what) in [
        (c.added, "added"),
        (c.changed, "changed"),
        (c.deleted, "deleted"),
    ] {
        if n > 0 {
            parts.push(format!(
                "{n} {} {what}",
                if n == 1 { "issue" } else { "issues" }
            ));
        }
    }
    if parts.is_empty() {
        "no issue changes".to_owned()
    } else {
        parts.join(", ")
    }
}
