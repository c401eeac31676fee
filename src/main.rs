use std::process::ExitCode;

use git_issue::cli::{Cli, run};
use git_issue::ui::report;

// The library never prints (`print_stdout`/`print_stderr` are lints); the
// one thing the binary itself says is why it failed.
#[allow(clippy::print_stderr)]
fn main() -> ExitCode {
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

/// `git issue list | head` is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
