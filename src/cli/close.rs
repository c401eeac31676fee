use anyhow::Result;
use clap::Args;

use crate::format::config::Vocabulary;
use crate::tracker::{Error, set_status};
use crate::ui::Ui;

/// Close an issue (status `closed` unless another reason is given)
#[derive(Debug, Args)]
pub struct CloseArgs {
    /// The issue, like BC-12
    key: String,
    /// The closed status to set: resolved, closed, wont_fix, duplicate, or
    /// what tracker.yml's closed_statuses list
    #[arg(long, short = 'r')]
    reason: Option<String>,
    /// Close as a duplicate of this issue (implies --reason duplicate)
    #[arg(long, value_name = "KEY")]
    duplicate_of: Option<String>,
    /// Add a comment saying why
    #[arg(long, short = 'm', value_name = "TEXT")]
    comment: Option<String>,
}

pub fn run(ui: &Ui, args: CloseArgs) -> Result<()> {
    let tracker = super::open()?;
    let key = super::key(&tracker, &args.key)?;
    let config = tracker.config()?;
    let duplicate_of = match &args.duplicate_of {
        Some(d) => {
            let original = super::key(&tracker, d)?;
            // The original must exist; its key as filed is what we record.
            let original = tracker.resolve(&original)?;
            if original.number == key.number {
                return Err(
                    Error::Invalid(format!("{key} cannot be a duplicate of itself")).into(),
                );
            }
            Some(original.to_string())
        }
        None => None,
    };
    let reason = match (&args.reason, &duplicate_of) {
        (Some(r), _) => r.clone(),
        (None, Some(_)) if config.statuses.iter().any(|s| s == "duplicate") => {
            "duplicate".to_owned()
        }
        (None, _) if config.is_closed("closed") => "closed".to_owned(),
        (None, _) => config.closed_statuses.first().cloned().unwrap_or_default(),
    };
    config
        .check(Vocabulary::Status, &reason)
        .map_err(Error::Invalid)?;
    if !config.is_closed(&reason) {
        return Err(Error::Invalid(format!(
            "{reason:?} is not a closed status; tracker.yml counts these as closed: {}",
            config.closed_statuses.join(", ")
        ))
        .into());
    }
    let outcome = tracker.update(&key, |issue, config, now| {
        set_status(issue, &reason, config, now);
        if duplicate_of.is_some() {
            issue.duplicate_of.clone_from(&duplicate_of);
        }
        Ok(())
    })?;
    super::report(ui, &outcome);
    if let Some(text) = args.comment {
        let (k, id) = tracker.comment(&outcome.key, &text, false)?;
        ui.status(&format!("{k}: comment {id}"));
    }
    Ok(())
}
