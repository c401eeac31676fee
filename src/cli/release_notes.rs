use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};

use crate::release_notes;
use crate::ui::Ui;

/// Print release notes: the issues a range of commits and a milestone shipped
///
/// Issues named by the commits of RANGE, and the milestone's issues resolved
/// without a commit, grouped by type; the milestone's open issues close the
/// notes as known limitations. A range ending at a tag named like a
/// milestone (v0.7.0) implies that milestone.
///
/// Without a range: from the last release tag to HEAD (or to HEAD's own
/// tag). Pre-release tags (v1.0.0-rc1, 2.0-beta, -M3) are skipped;
/// `release_notes.tags` in tracker.yml, a glob like `rel/myproj-*`, says
/// which tags are releases, and the part its `*` matched names the
/// milestone (rel/myproj-1.2.0 is milestone 1.2.0).
#[derive(Debug, Args)]
pub struct ReleaseNotesArgs {
    /// The commits, like v0.6.0..v0.7.0 [default: from the last release tag
    /// to HEAD]
    range: Option<String>,
    /// The milestone whose open issues are the known limitations [default:
    /// the one the range's end tag names]
    #[arg(long)]
    milestone: Option<String>,
    /// How to print them
    #[arg(long, value_enum, default_value_t = NotesFormat::Md)]
    format: NotesFormat,
    /// Render with your own minijinja template instead (.html templates
    /// escape what they print)
    #[arg(long, value_name = "FILE", conflicts_with = "format")]
    template: Option<PathBuf>,
    /// Put confidential issues in too (left out by default: notes are for
    /// publishing)
    #[arg(long)]
    include_confidential: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum NotesFormat {
    Md,
    Html,
    Json,
}

pub fn run(ui: &Ui, args: ReleaseNotesArgs) -> Result<()> {
    let tracker = super::open()?;
    let notes = tracker.release_notes_with(
        args.range.as_deref(),
        args.milestone.as_deref(),
        args.include_confidential,
    )?;
    let text = match (&args.template, args.format) {
        (Some(path), _) => {
            let source = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the template {}", path.display()))?;
            let name = path
                .file_name()
                .map_or_else(|| "template".into(), |n| n.to_string_lossy());
            release_notes::template(&notes, &name, &source)?
        }
        (None, NotesFormat::Md) => release_notes::markdown(&notes),
        (None, NotesFormat::Html) => release_notes::html(&notes),
        (None, NotesFormat::Json) => release_notes::json(&notes)?,
    };
    ui.data(&text)?;
    Ok(())
}
