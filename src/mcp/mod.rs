//! `git issue mcp`: the tracker as a Model Context Protocol server on
//! stdin/stdout, so that coding agents find, read, file and change issues
//! with the same rules as people.
//!
//! Owns the protocol side only, through rmcp (the official SDK: no JSON-RPC
//! is written here; [`transport`] only answers the lines rmcp's stdio
//! transport would drop without a word). [`tools`] are adapters like the commands: arguments
//! in, one tracker operation, and the JSON shapes of `--json`
//! ([`crate::ui::view`]) out with a short summary; [`resources`] are issues
//! as Markdown, `tracker.yml` and the query language's help; [`prompts`]
//! are ready-made tasks. The rules (what a reader outside the team may see,
//! the `Via:` trailer on an agent's commits) are the tracker's and the
//! store's.
//!
//! Nothing is kept between calls: each opens the repository again, so it
//! sees the branch as it is now, whoever moved it (another `git issue`, a
//! hook, a sync).

mod hosts;
mod prompts;
mod resources;
mod server;
mod tools;
mod transport;

use std::path::PathBuf;

use anyhow::{Context, Result};
use rmcp::ServiceExt;

pub use hosts::host_config;

/// How the server was started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Offer only the tools that read, and refuse the others.
    pub read_only: bool,
    /// Show confidential issues and internal comments too.
    pub include_confidential: bool,
}

/// Serves the tracker of the repository at `dir` on stdin/stdout until the
/// client closes stdin.
pub fn serve(dir: PathBuf, options: Options) -> Result<()> {
    // One thread speaks the protocol; tracker calls (git, the index) run
    // on tokio's blocking pool.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the MCP server's runtime")?;
    runtime.block_on(async move {
        let service = server::Server::new(dir, options)
            .serve(transport::Stdio::new())
            .await
            .context("the MCP client did not complete the handshake")?;
        service.waiting().await.context("the MCP server stopped")?;
        Ok(())
    })
}
