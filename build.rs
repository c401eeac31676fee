//! Links the `git-issue` executable as a fixed-address (non-PIE) program on
//! Linux. Every command is a short process, and a position-independent
//! executable of this size spends a third of `git issue --version` applying
//! 57,000 relocations at start (each dirtying its page of `.data.rel.ro`);
//! without PIE the linker resolves them once. Only the final link changes
//! (no dependency is rebuilt), and it holds for `cargo install --path .`.
//! The cost is ASLR of the executable's own code, as for any non-PIE
//! program; libraries and the stack are still randomised.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && (env == "gnu" || env == "musl") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
