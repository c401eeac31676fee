//! `GIT_ISSUE_BUILD` names the sources the binary was built from (a hash of
//! `src/` and the version), for caches whose content depends on the code
//! that wrote them: the parsed `tracker.yml`
//! (`src/tracker/parsed_settings.rs`).
//!
//! The binary stays position-independent: linking it at a fixed address
//! would save 1.4 ms at every start (the loader rewrites 57,000 pointers),
//! but `git-issue` reads what other clones push and links libgit2 and zlib,
//! which are C; where its code lives should stay random (bench/results.md,
//! issue 16).

use std::hash::{Hash, Hasher};
use std::path::Path;

fn main() {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    hash_tree(Path::new("src"), &mut hasher);
    println!("cargo:rustc-env=GIT_ISSUE_BUILD={:016x}", hasher.finish());
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src");
}

/// Hashes every file's path and content under `dir`, in name order.
fn hash_tree(dir: &Path, hasher: &mut impl Hasher) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            hash_tree(&path, hasher);
        } else if let Ok(bytes) = std::fs::read(&path) {
            path.hash(hasher);
            bytes.hash(hasher);
        }
    }
}
