#!/usr/bin/env bash
# Benchmarks git-issue against git itself on generated trackers.
#
#   bench/run.sh                 # 1,000, 10,000 and 100,000 issues
#   bench/run.sh 1000 10000      # chosen sizes
#
# Builds the release binary and the corpus generator, makes one repository
# per size under ${BENCH_DIR:-/tmp/git-issue-bench}, and prints a table of
# medians with the ratios to the git baselines measured in the same run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --quiet --release --manifest-path "$root/Cargo.toml" --bin git-issue --example corpus
exec python3 "$root/bench/bench.py" "$root/target/release" "$@"
