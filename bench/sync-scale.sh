#!/usr/bin/env bash
# Ten clones, a thousand changes, through a real bare remote: convergence,
# nothing lost, sync against git fetch, retries, renumberings and bytes
# stored per change. Options go to bench/sync-scale.py (--clones, --ops,
# --issues, --seed).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --quiet --release --manifest-path "$root/Cargo.toml" --bin git-issue --example corpus
exec python3 "$root/bench/sync-scale.py" "$@"
