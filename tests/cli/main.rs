//! The one integration test binary: the real `git-issue` against real
//! temporary repositories, one module per area.

mod common;

mod browser;
mod commands;
mod concurrency;
mod robustness;
mod site;
mod webdriver;
