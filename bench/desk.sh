#!/usr/bin/env bash
# Benchmarks the support-desk commands on generated trackers, each next to
# a baseline measured in the same run:
#
#   bench/desk.sh                # 10,000 and 100,000 issues
#   bench/desk.sh 10000          # chosen sizes
#
# Builds the release binary and the corpus generator, makes one repository
# per size under ${BENCH_DIR:-/tmp/git-issue-bench}/desk-N, and prints a
# table of medians with their ratios to the baselines.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --quiet --release --manifest-path "$root/Cargo.toml" --bin git-issue --example corpus
exec python3 "$root/bench/desk.py" "$root/target/release" "$@"
