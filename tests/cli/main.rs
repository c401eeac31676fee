//! The one integration test binary: the real `git-issue` against real
//! temporary repositories, one module per area.

// Tests may tell the person running them why one was skipped.
#![allow(clippy::print_stderr)]

mod common;

mod bridge;
mod bridge_code;
mod bridge_gitlab;
mod bridge_jira;
mod bridge_live;
mod bridge_templates;
mod browser;
mod commands;
mod concurrency;
mod desk;
mod desk_events;
mod hooks;
mod hooks_strict;
mod hostile;
mod mcp;
mod output;
mod record;
mod release_notes;
mod robustness;
mod search;
mod serve;
mod site;
mod sync;
mod sync_report;
mod ux;
mod webdriver;
