//! git-issue: issues as Markdown files with YAML front matter on a branch of
//! the repository they describe.
//!
//! Data flows one way: [`cli`] (one file per command) turns arguments into
//! calls on [`tracker`], the operations; the tracker reads and writes the
//! branch through [`store`] (git2, and nothing else touches git) and reads and
//! writes files through [`format`] (pure text in, values out). What people
//! read goes through [`ui`]; the library itself never prints. [`site`] renders
//! the branch as a static HTML site.

// Only the binary makes an unsafe call (`main.rs`, libgit2's pack
// windows); the library makes none.
#![forbid(unsafe_code)]

pub mod board;
pub mod bridge;
pub mod cli;
pub mod format;
pub mod hooks;
pub mod index;
pub mod mcp;
pub mod query;
pub mod release_notes;
pub mod serve;
pub mod site;
pub mod store;
pub mod tracker;
pub mod ui;
