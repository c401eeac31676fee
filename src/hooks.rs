//! The git hook shims of `hooks/`, built into the binary, and putting them
//! in (and taking them out of) the folder where git runs hooks.
//!
//! A hook already there is never replaced or lost: it stays in its folder,
//! renamed `<hook>.git-issue-chained`, and the shim runs it first with the
//! hook's own path as its `$0` (so a hook that finds its siblings through
//! `$0`, as husky's do, still works); its refusal stands for hooks that can
//! refuse. Installing twice changes nothing; uninstalling puts back exactly
//! what was there. Which folder git uses is the store's business; this
//! module only knows files.

use std::io;
use std::path::{Path, PathBuf};

/// The hooks git-issue installs, with the body of the shim each gets.
const BODIES: &[(&str, &str)] = &[
    (
        "prepare-commit-msg",
        include_str!("../hooks/prepare-commit-msg"),
    ),
    ("commit-msg", include_str!("../hooks/commit-msg")),
    ("post-commit", include_str!("../hooks/post-commit")),
    ("post-rewrite", include_str!("../hooks/post-rewrite")),
    ("post-merge", include_str!("../hooks/post-merge")),
    ("post-checkout", include_str!("../hooks/post-checkout")),
];

/// What every shim shares: running the chained hook, running git-issue
/// with a time limit, the refusal's exit status.
const LIB: &str = include_str!("../hooks/lib.sh");

/// The names of the hooks git-issue installs.
pub fn names() -> impl Iterator<Item = &'static str> {
    BODIES.iter().map(|(name, _)| *name)
}

/// The whole shim of one hook, as installed by the git-issue at `exe`:
/// that one, found on PATH, runs without a watchdog (it keeps the time
/// limit itself).
pub fn shim(name: &str, exe: Option<&Path>) -> Option<String> {
    let (_, body) = BODIES.iter().find(|(n, _)| *n == name)?;
    let exe = exe.and_then(Path::to_str).unwrap_or_default();
    let lib = LIB.replace("@GIT_ISSUE@", &format!("'{}'", exe.replace('\'', r"'\''")));
    Some(format!(
        "#!/bin/sh\n# git-issue {name} hook, {MARKER}.\n{lib}{body}"
    ))
}

/// The suffix of a hook that was there before ours, beside it.
pub const CHAINED_SUFFIX: &str = ".git-issue-chained";

/// Where earlier versions kept chained hooks (a folder beside the shims);
/// moved back beside the hook on install, and read on uninstall.
const OLD_CHAINED_DIR: &str = "git-issue-chained";

/// Every shim says this; a hook file without it is someone else's.
const MARKER: &str = "installed by `git issue hooks install`";

#[derive(Debug, thiserror::Error)]
pub enum HooksError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error(
        "{hook} is not git-issue's, and {chained} holds an earlier hook already; move one of them away and install again"
    )]
    Crowded { hook: PathBuf, chained: PathBuf },
}

/// What happened to one hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Ours is there now, and there was none before.
    Installed,
    /// Ours is there now and runs the hook that was there first.
    Chained,
    /// An older shim of ours was brought up to date.
    Updated,
    /// Ours was there already, as it is.
    Unchanged,
    /// Ours is gone; there was nothing before it.
    Removed,
    /// Ours is gone and the hook that was there before is back.
    Restored,
    /// Not ours: left alone.
    NotOurs,
    /// Nothing of ours to remove.
    Absent,
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> HooksError + '_ {
    move |source| HooksError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Whether a file is present, even as a dangling link.
fn present(path: &Path) -> bool {
    path.symlink_metadata().is_ok()
}

fn is_ours(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| t.contains(MARKER))
}

fn chained_path(hook: &Path) -> PathBuf {
    let mut name = hook.file_name().unwrap_or_default().to_os_string();
    name.push(CHAINED_SUFFIX);
    hook.with_file_name(name)
}

/// Puts every shim in `dir`.
pub fn install(dir: &Path) -> Result<Vec<(&'static str, Action)>, HooksError> {
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let exe = std::env::current_exe().ok();
    let mut out = Vec::new();
    for name in names() {
        let text = shim(name, exe.as_deref()).unwrap_or_default();
        let hook = dir.join(name);
        let chained = chained_path(&hook);
        // A hook chained where an earlier version kept them goes back
        // beside ours.
        let old = dir.join(OLD_CHAINED_DIR).join(name);
        if present(&old) && !present(&chained) {
            std::fs::rename(&old, &chained).map_err(io_err(&old))?;
        }
        let action = if !present(&hook) {
            Action::Installed
        } else if is_ours(&hook) {
            if std::fs::read_to_string(&hook).is_ok_and(|t| t == text) {
                out.push((name, Action::Unchanged));
                continue;
            }
            Action::Updated
        } else {
            if present(&chained) {
                return Err(HooksError::Crowded { hook, chained });
            }
            std::fs::rename(&hook, &chained).map_err(io_err(&hook))?;
            Action::Chained
        };
        write_executable(&hook, &text)?;
        out.push((name, action));
    }
    let _ = std::fs::remove_dir(dir.join(OLD_CHAINED_DIR));
    Ok(out)
}

/// Takes every shim out of `dir` and puts back the hooks they chained.
pub fn uninstall(dir: &Path) -> Result<Vec<(&'static str, Action)>, HooksError> {
    let mut out = Vec::new();
    for name in names() {
        let hook = dir.join(name);
        let chained = [chained_path(&hook), dir.join(OLD_CHAINED_DIR).join(name)]
            .into_iter()
            .find(|p| present(p));
        let action = if present(&hook) && !is_ours(&hook) {
            Action::NotOurs
        } else {
            let had_ours = present(&hook);
            if had_ours {
                std::fs::remove_file(&hook).map_err(io_err(&hook))?;
            }
            if let Some(chained) = chained {
                std::fs::rename(&chained, &hook).map_err(io_err(&chained))?;
                Action::Restored
            } else if had_ours {
                Action::Removed
            } else {
                Action::Absent
            }
        };
        out.push((name, action));
    }
    // Only when empty: anything else in it is not ours to remove.
    let _ = std::fs::remove_dir(dir.join(OLD_CHAINED_DIR));
    Ok(out)
}

/// Writes through a temporary file and a rename, so git never runs half
/// a hook.
fn write_executable(path: &Path, text: &str) -> Result<(), HooksError> {
    use std::os::unix::fs::PermissionsExt;
    let tmp = path.with_extension("git-issue-tmp");
    std::fs::write(&tmp, text).map_err(io_err(&tmp))?;
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755)).map_err(io_err(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io_err(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shim_is_marked_and_names_its_hook() {
        for name in names() {
            let shim = shim(name, Some(Path::new("/opt/it's/git-issue"))).unwrap();
            assert!(shim.contains(r"ours='/opt/it'\''s/git-issue'"), "{name}");
            assert!(shim.starts_with("#!/bin/sh\n"), "{name}");
            assert!(shim.contains(MARKER), "{name}");
            assert!(
                shim.contains(&format!("run_git_issue {name} \"$@\"")),
                "{name}"
            );
            assert!(shim.contains("run_chained \"$@\""), "{name}");
        }
    }

    #[test]
    fn install_chains_and_uninstall_restores() {
        let dir = tempfile::tempdir().unwrap();
        let mine = dir.path().join("commit-msg");
        std::fs::write(&mine, "#!/bin/sh\nexit 0\n").unwrap();
        let first = install(dir.path()).unwrap();
        assert!(first.contains(&("commit-msg", Action::Chained)));
        assert!(first.contains(&("post-commit", Action::Installed)));
        let again = install(dir.path()).unwrap();
        assert!(
            again.iter().all(|(_, a)| *a == Action::Unchanged),
            "{again:?}"
        );
        let gone = uninstall(dir.path()).unwrap();
        assert!(gone.contains(&("commit-msg", Action::Restored)));
        assert_eq!(
            std::fs::read_to_string(&mine).unwrap(),
            "#!/bin/sh\nexit 0\n"
        );
        let mut left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        left.sort();
        assert_eq!(left, ["commit-msg"]);
    }
}
