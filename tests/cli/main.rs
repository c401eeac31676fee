//! The one integration test binary: the real `git-issue` against real
//! temporary repositories, one module per area.

mod common;

mod browser;
mod commands;
mod concurrency;
mod hooks;
mod release_notes;
mod robustness;
mod search;
mod site;
mod sync;
mod webdriver;
