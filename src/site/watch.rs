//! `export site --watch`: export again whenever the issues branch moves,
//! whoever moved it (a command, a hook, a fetch, `git update-ref`). Git moves
//! a ref by renaming a lock file over it, or rewrites `packed-refs`, so the
//! folders holding those files are watched, not the files themselves.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};

use super::{Options, Report, SiteError, export};
use crate::store::Store;
use crate::tracker::Tracker;

/// Exports now, then after every move of the branch, calling `done` with
/// each result. Returns only when watching fails.
pub fn watch(
    tracker: &Tracker,
    dir: &Path,
    options: &Options,
    mut done: impl FnMut(Result<Report, SiteError>),
) -> Result<(), SiteError> {
    // The first export is `on_move`'s first call, made once the branch is
    // watched, so a move during it is not missed. A move is several events
    // (lock created, renamed, reflog); let them settle, then look at where
    // the branch is.
    on_move(tracker.store(), Duration::from_millis(100), || {
        done(export(tracker, dir, options))
    })
}

/// Calls `moved` once as soon as the branch is watched (so nothing that
/// moved it before is missed), then each time the branch's tip changes,
/// after events have been quiet for `settle`. Returns only when watching
/// fails.
pub fn on_move(store: &Store, settle: Duration, mut moved: impl FnMut()) -> Result<(), SiteError> {
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    })?;
    let mut watched = Vec::new();
    for file in store.ref_files() {
        // The folder of a ref may not exist yet (a branch name with a
        // slash); watch the nearest one that does.
        let mut folder = file.parent().map(Path::to_path_buf);
        while let Some(f) = &folder {
            if f.is_dir() {
                break;
            }
            folder = f.parent().map(Path::to_path_buf);
        }
        if let Some(f) = folder
            && !watched.contains(&f)
        {
            watcher.watch(&f, RecursiveMode::NonRecursive)?;
            watched.push(f);
        }
    }
    let mut last = store.tip().ok().flatten();
    moved();
    loop {
        match rx.recv() {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return Err(e.into()),
            Err(_) => return Ok(()),
        }
        while rx.recv_timeout(settle).is_ok() {}
        let tip = store.tip().ok().flatten();
        if tip != last {
            last = tip;
            moved();
        }
    }
}
