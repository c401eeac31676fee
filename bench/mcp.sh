#!/usr/bin/env bash
# Benchmark: `search` through the MCP server (`git issue mcp`, driven by the
# official Python SDK) against the command line's `search`, in the same run,
# on a generated tracker (default 10,000 issues). Target: within 2x.
#
#   bench/mcp.sh [N]          RUNS=31 bench/mcp.sh 10000
#
# Needs Python's `mcp` package (pip install mcp). The repository is kept
# under ${BENCH_DIR:-/tmp/git-issue-bench} between runs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --quiet --release --manifest-path "$root/Cargo.toml" --bin git-issue --example corpus
exec python3 "$root/bench/mcp_bench.py" "$root/target/release" "$@"
