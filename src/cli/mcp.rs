use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use crate::mcp::{self, Options};
use crate::tracker::Tracker;
use crate::ui::Ui;

/// Serve the tracker to coding agents (an MCP server on stdin/stdout)
///
/// An agent host (Claude Code, Claude Desktop, Cursor, VS Code, Codex, …)
/// starts it like any MCP server: tools to search, list, show, file,
/// comment on, change, close, reopen and link issues and to draft release
/// notes; each issue as a resource (issue://BC-12), with tracker.yml and the
/// query language; two prompts (triage, release_notes). Every change is one
/// commit by your git identity with a `Via: <agent>` trailer, so
/// `git issue log` shows what an agent did. Confidential issues and internal
/// comments stay hidden unless --include-confidential.
///
///   git issue mcp --print-config    # what to paste into your agent host
#[derive(Debug, Args)]
pub struct McpArgs {
    /// Offer only the tools that read; refuse every change
    #[arg(long)]
    read_only: bool,
    /// Show confidential issues and internal comments too
    #[arg(long)]
    include_confidential: bool,
    /// Serve the repository at DIR instead of the current directory
    #[arg(long, value_name = "DIR")]
    repo: Option<PathBuf>,
    /// Print the configuration to paste into agent hosts, and exit
    #[arg(long)]
    print_config: bool,
}

pub fn run(ui: &Ui, args: McpArgs) -> Result<()> {
    let dir = match args.repo {
        Some(dir) => dir,
        None => std::env::current_dir()?,
    };
    let dir = std::fs::canonicalize(&dir)
        .with_context(|| format!("cannot open the repository at {}", dir.display()))?;
    let options = Options {
        read_only: args.read_only,
        include_confidential: args.include_confidential,
    };
    if args.print_config {
        let mut flags = Vec::new();
        if options.read_only {
            flags.push("--read-only");
        }
        if options.include_confidential {
            flags.push("--include-confidential");
        }
        let exe = std::env::current_exe().context("cannot tell where git-issue is installed")?;
        ui.data(&mcp::host_config(&exe, &dir, &flags))?;
        return Ok(());
    }
    // Refuse at once, with the command line's message, to serve a folder
    // that is no repository or has no tracker: the host shows it.
    Tracker::discover(&dir)?.config()?;
    mcp::serve(dir, options)
}
