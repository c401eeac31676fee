use std::process::ExitCode;

use git_issue::cli::{Cli, run};
use git_issue::ui::report;

/// mimalloc rather than the C library's `malloc`: a whole site export at
/// 100,000 issues spent a fifth of its time allocating and freeing, and
/// took a quarter less CPU with it, in no more memory. Built without
/// transparent huge pages (`no_thp`): with them, touching its first arena
/// cost every command 2 ms at start, which the hooks pay on every commit.
/// Its version 2 (`v2`): version 3 keeps freed pages for a second before
/// returning them (`purge_delay`, 10 ms in version 2), and a whole export
/// at 100,000 issues peaked at 472-510 MB with it against 441 MB, in the
/// same time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// The library never prints (`print_stdout`/`print_stderr` are lints); the
// one thing the binary itself says is why it failed.
#[allow(clippy::print_stderr)]
fn main() -> ExitCode {
    bound_pack_mapping();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let report = report::report(&e);
            eprintln!("error: {}", git_issue::ui::block(&report.message));
            if let Some(hint) = report.hint {
                eprintln!("hint: {}", git_issue::ui::block(&hint));
            }
            ExitCode::from(report.code)
        }
    }
}

/// How much of the repository's packs libgit2 keeps mapped at once. Its
/// default (8 GiB; git maps up to 32 TiB) keeps every page of a pack that
/// a whole history walk or a whole site export touched resident. The limit
/// is libgit2's soft one (a window in use stays mapped), and a pack's
/// `.idx` is mapped whole beside it.
///
/// The windows keep libgit2's size (1 GiB). With 16 MiB windows, libgit2's
/// indexer refused the pack of a 100,000-issue `import` ("unexpected data
/// at the end of the pack"), every time on ext4; packs of 80 MB without
/// deltas went through. Found by `bench/peers.sh 100000`; a CI test would
/// need that import.
const PACK_MAPPED: usize = 64 << 20;

#[allow(unsafe_code)]
fn bound_pack_mapping() {
    // SAFETY: libgit2's global options are set without synchronization;
    // this runs first in `main`, before any thread exists or any
    // repository is opened. A failure leaves libgit2's default, which is
    // correct, only larger.
    unsafe {
        let _ = git2::opts::set_mwindow_mapped_limit(PACK_MAPPED);
    }
}

/// `git issue list | head` is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
