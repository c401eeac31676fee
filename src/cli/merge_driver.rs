use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::tracker::merge::merge_file;
use crate::ui::Ui;

/// Merge one file of the issues branch as git's merge driver
///
/// `git issue init` registers it (`merge.git-issue.driver`) and the branch's
/// .gitattributes routes issue files to it, so `git merge` and `git pull` in
/// a worktree of the branch merge issues field by field. Writes the result
/// over OURS; exits non-zero when conflict markers are left.
#[derive(Debug, Args)]
pub struct MergeDriverArgs {
    /// The merge base (%O)
    base: PathBuf,
    /// Our version, replaced by the result (%A)
    ours: PathBuf,
    /// Their version (%B)
    theirs: PathBuf,
    /// The file's path on the branch (%P)
    path: String,
}

pub fn run(ui: &Ui, args: MergeDriverArgs) -> Result<()> {
    let read =
        |p: &PathBuf| std::fs::read(p).with_context(|| format!("cannot read {}", p.display()));
    let (base, ours, theirs) = (read(&args.base)?, read(&args.ours)?, read(&args.theirs)?);
    // git gives an empty base when both sides added the file.
    let base = (!base.is_empty()).then_some(base);
    let m = merge_file(&args.path, base.as_deref(), Some(&ours), Some(&theirs));
    let content = m.content.unwrap_or_default();
    std::fs::write(&args.ours, content)
        .with_context(|| format!("cannot write {}", args.ours.display()))?;
    for n in &m.notes {
        ui.warn(n);
    }
    if m.conflict {
        bail!(
            "{}: conflicting changes are left between conflict markers",
            args.path
        );
    }
    Ok(())
}
