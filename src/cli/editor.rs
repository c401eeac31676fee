//! Editing text in the user's editor, without ever losing it: the text lives
//! in a file under `<git dir>/git-issue/drafts/` until it has been saved to
//! the branch, and a result that does not parse is offered back for another
//! round.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::format::ParseError;
use crate::tracker::Tracker;
use crate::ui::Ui;

/// Where the draft of `name` (an issue key, or `new-issue`) is kept.
pub fn draft_path(tracker: &Tracker, name: &str) -> PathBuf {
    tracker
        .store()
        .common_dir()
        .join("git-issue")
        .join("drafts")
        .join(format!("{name}.md"))
}

/// Opens `initial` in the editor until what comes back parses. A draft left
/// by an earlier session that did not parse is reopened instead of
/// `initial`, so a user's text is never thrown away. The caller removes the
/// draft with [`discard`] once the result is saved on the branch.
pub fn edit_until_valid<T>(
    ui: &Ui,
    tracker: &Tracker,
    initial: &str,
    draft: &Path,
    parse: impl Fn(&str) -> Result<T, ParseError>,
) -> Result<T> {
    if let Some(dir) = draft.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    if draft.exists() {
        ui.status(&format!(
            "Reopening your unsaved text from {}",
            draft.display()
        ));
    } else {
        std::fs::write(draft, initial)
            .with_context(|| format!("cannot write {}", draft.display()))?;
    }
    loop {
        run_editor(tracker, draft)?;
        let text = std::fs::read_to_string(draft)
            .with_context(|| format!("cannot read {}", draft.display()))?;
        match parse(&text) {
            Ok(value) => return Ok(value),
            Err(e) => {
                ui.status(&format!("error: {}:{}", draft.display(), e));
                // A question only where someone can answer it.
                if !ui.interactive() || !ui.confirm("Re-open the editor?", true) {
                    bail!(
                        "nothing was saved; your text is kept in {} and the next edit reopens it",
                        draft.display()
                    );
                }
            }
        }
    }
}

/// The editor git would use: GIT_EDITOR, core.editor, VISUAL, EDITOR, vi.
fn editor(tracker: &Tracker) -> String {
    std::env::var("GIT_EDITOR")
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| tracker.store().config_string("core.editor"))
        .or_else(|| std::env::var("VISUAL").ok().filter(|s| !s.is_empty()))
        .or_else(|| std::env::var("EDITOR").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "vi".to_owned())
}

fn run_editor(tracker: &Tracker, file: &Path) -> Result<()> {
    let editor = editor(tracker);
    // As git does: the editor is a shell snippet, the file its argument.
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg(&editor)
        .arg(file)
        .status()
        .with_context(|| format!("cannot run the editor {editor:?}"))?;
    if !status.success() {
        bail!(
            "the editor {editor:?} failed ({status}); your text is kept in {}",
            file.display()
        );
    }
    Ok(())
}

/// The text a draft started from, kept beside it (`BC-1.base.md`): `current`
/// for a new draft, the saved one for a draft left by an earlier session.
pub fn draft_base(draft: &Path, current: &str) -> Result<String> {
    let base = base_path(draft);
    if draft.exists()
        && let Ok(text) = std::fs::read_to_string(&base)
    {
        return Ok(text);
    }
    if let Some(dir) = base.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(&base, current).with_context(|| format!("cannot write {}", base.display()))?;
    Ok(current.to_owned())
}

fn base_path(draft: &Path) -> PathBuf {
    draft.with_extension("base.md")
}

/// Whether a draft is kept for `name`.
pub fn has_draft(draft: &Path) -> bool {
    draft.exists()
}

/// Removes a draft (and the text it started from) once its text is safely
/// on the branch, or when the user drops it.
pub fn discard(draft: &Path) {
    let _ = std::fs::remove_file(draft);
    let _ = std::fs::remove_file(base_path(draft));
}

/// Puts `title` in the front matter of a kept draft, in place of the title
/// it had; the rest of the text stays as the user left it.
pub fn retitle(draft: &Path, title: &str) -> Result<()> {
    let text = std::fs::read_to_string(draft)
        .with_context(|| format!("cannot read {}", draft.display()))?;
    let line = format!("title: {}", crate::format::yaml::quote(title));
    let mut replaced = false;
    let mut in_front = false;
    let mut out = String::with_capacity(text.len() + title.len());
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if l.trim_end() == "---" {
            in_front = i == 0;
        }
        if in_front && !replaced && l.starts_with("title:") {
            out.push_str(&line);
            out.push('\n');
            replaced = true;
        } else {
            out.push_str(l);
        }
    }
    if replaced {
        std::fs::write(draft, out).with_context(|| format!("cannot write {}", draft.display()))?;
    }
    Ok(())
}
