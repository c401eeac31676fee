use std::process::ExitCode;

use clap::Parser;
use git_issue::cli::{Cli, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            if let Some(hint) = e
                .downcast_ref::<git_issue::tracker::Error>()
                .and_then(|e| e.hint())
            {
                eprintln!("hint: {hint}");
            }
            ExitCode::from(1)
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
