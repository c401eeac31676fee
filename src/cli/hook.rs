//! `git issue hook NAME …`: what the shims in `hooks/` call. A hook never
//! costs a commit: whatever fails is said in one `git-issue: …` line on
//! stderr and the hook succeeds, so `git issue scan` can repair it later.
//! The one exception is commit-msg refusing an unknown key under
//! `hooks.strict`.

use std::io::Read;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};

use crate::tracker::notify::Mode;
use crate::tracker::{Batch, Error, Tracker, has_key_shaped_word, written_part};
use crate::ui::Ui;

/// Run a git hook (git runs this through the shims of git issue hooks install)
#[derive(Debug, Args)]
pub struct HookArgs {
    /// The hook git is running
    #[arg(value_enum)]
    name: HookName,
    /// What git passes the hook
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum HookName {
    PrepareCommitMsg,
    CommitMsg,
    PostCommit,
    PostRewrite,
    PostMerge,
    PostCheckout,
}

/// Why a hook did not do its work.
enum Failure {
    /// commit-msg under `hooks.strict`: the commit must not be made.
    Refused(String),
    /// Anything else: said, and the commit goes ahead.
    Broken(anyhow::Error),
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure::Broken(e.into())
    }
}

pub fn run(ui: &Ui, args: HookArgs) -> Result<()> {
    stop_at_time_limit(args.name);
    match hook(ui, &args) {
        Ok(()) => Ok(()),
        Err(Failure::Refused(reason)) => Err(Error::CommitRefused(reason).into()),
        // post-commit meets the same failure a moment later and says it:
        // once a commit is enough.
        Err(Failure::Broken(_))
            if matches!(args.name, HookName::PrepareCommitMsg | HookName::CommitMsg) =>
        {
            Ok(())
        }
        Err(Failure::Broken(e)) => {
            let line = format!("{e:#}").replace('\n', " ");
            ui.status(&format!(
                "git-issue: {line} (the commit is fine; git issue scan links it once this is fixed)"
            ));
            Ok(())
        }
    }
}

/// The shims run git-issue without a watchdog of their own (one process
/// less for every commit), so it keeps their promise itself: past
/// `GIT_ISSUE_HOOK_TIMEOUT` seconds (10 by default) the hook stops, says
/// so, and succeeds; `git issue scan` catches up later. Stopping is what
/// the shims' watchdog did to it: every write is one atomic ref update.
fn stop_at_time_limit(name: HookName) {
    let given = std::env::var("GIT_ISSUE_HOOK_TIMEOUT").unwrap_or_default();
    let (limit, shown) = match given.trim().parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 => (s, given.trim().to_owned()),
        _ => (10.0, "10".to_owned()),
    };
    let hook = name
        .to_possible_value()
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs_f64(limit));
        Ui::new().status(&format!(
            "git-issue: the {hook} hook took over {shown}s and was stopped (the commit is fine; git issue scan links it later)"
        ));
        std::process::exit(0);
    });
}

fn hook(ui: &Ui, args: &HookArgs) -> Result<(), Failure> {
    let arg = |i: usize| args.args.get(i).map(String::as_str);
    match args.name {
        HookName::PrepareCommitMsg => {
            let file = arg(0).context("git gave no message file")?;
            let text =
                std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))?;
            // `-m ""` stays empty, so git aborts as it would without us.
            if arg(1) == Some("message") && written_part(&text).trim().is_empty() {
                return Ok(());
            }
            let tracker = super::open()?;
            if let Some(new) = tracker.prepare_message(&text, arg(1))? {
                std::fs::write(file, new).with_context(|| format!("cannot write {file}"))?;
            }
        }
        HookName::CommitMsg => {
            let file = arg(0).context("git gave no message file")?;
            let text =
                std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))?;
            let written = written_part(&text);
            if !has_key_shaped_word(&written) {
                return Ok(());
            }
            // The prefix prepare-commit-msg filled in, left as it was: the
            // message is empty, and git would have aborted without us.
            if let Some(key) = written.trim().strip_suffix(':')
                && !key.contains(char::is_whitespace)
                && has_key_shaped_word(key)
            {
                return Err(Failure::Refused(format!(
                    "Aborting commit due to empty commit message (only the {key}: git-issue filled in)"
                )));
            }
            let tracker = super::open()?;
            // Without hooks.strict nothing is refused here: post-commit
            // warns about keys that name no issue once the commit is made.
            // The shim asks again only when the branch has moved.
            tracker.remember_commit_msg_leniency();
            if !tracker.config()?.hooks.strict {
                return Ok(());
            }
            let unknown = tracker.unknown_keys(&written)?;
            if !unknown.is_empty() {
                return Err(Failure::Refused(format!(
                    "{}, and hooks.strict in tracker.yml refuses such commits",
                    names_no_issue(&unknown)
                )));
            }
        }
        HookName::PostCommit => {
            let tracker = super::open()?;
            let batch = tracker.record_head();
            tracker.remember_commit_msg_leniency();
            let batch = batch?;
            if !batch.missing.is_empty() {
                ui.status(&format!(
                    "git-issue: warning: {}",
                    names_no_issue(&batch.missing)
                ));
            }
            report(ui, batch);
        }
        HookName::PostRewrite => {
            let mut input = String::new();
            std::io::stdin()
                .read_to_string(&mut input)
                .context("cannot read the rewritten commits from stdin")?;
            let pairs: Vec<(String, String)> = input
                .lines()
                .filter_map(|l| {
                    let mut w = l.split_whitespace();
                    Some((w.next()?.to_owned(), w.next()?.to_owned()))
                })
                .collect();
            if !pairs.is_empty() {
                let tracker = super::open()?;
                report(ui, tracker.rewrite(&pairs)?);
            }
        }
        HookName::PostMerge => {
            // A pull in a worktree of the issues branch brought issues, not
            // code: what arrived goes to the notify: rules.
            let tracker = super::open()?;
            if let Some(range) = tracker.arrived_by_merge()? {
                let report = tracker.notify(&range, Mode::Automatic)?;
                super::notify::tell(ui, &report, "git-issue: notify: ", true);
                return Ok(());
            }
            // A squash merge makes no commit, so this range is empty then.
            scan(ui, "ORIG_HEAD..HEAD")?;
        }
        HookName::PostCheckout => {
            let (Some(old), Some(new), Some(flag)) = (arg(0), arg(1), arg(2)) else {
                return Ok(());
            };
            // Files checked out, or the same commit: nothing arrived.
            if flag != "1" || old == new {
                return Ok(());
            }
            if old.bytes().all(|b| b == b'0') {
                scan(ui, new)?;
            } else {
                scan(ui, &format!("{old}..{new}"))?;
            }
        }
    }
    Ok(())
}

fn scan(ui: &Ui, range: &str) -> Result<(), Failure> {
    let tracker: Tracker = super::open()?;
    match tracker.scan(Some(range)) {
        // A repository without a tracker has nothing to catch up on.
        Err(Error::NotInitialized { .. } | Error::RemoteTracker { .. }) => Ok(()),
        r => {
            report(ui, r?);
            Ok(())
        }
    }
}

/// "BC-99 names no issue", "BC-98, BC-99 name no issue".
fn names_no_issue(keys: &[crate::format::Key]) -> String {
    let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
    format!(
        "{} {} no issue",
        keys.join(", "),
        if keys.len() == 1 { "names" } else { "name" }
    )
}

/// One line per issue changed, and one per issue file that could not be
/// read (the others were still changed).
fn report(ui: &Ui, batch: Batch) {
    for o in &batch.changed {
        ui.status(&format!("git-issue: {}: {}", o.key, o.summary));
    }
    for p in &batch.problems {
        ui.status(&format!(
            "git-issue: {p} (not linked; git issue scan links it once the file is fixed)"
        ));
    }
}
