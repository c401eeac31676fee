#!/usr/bin/env bash
# Benchmarks of recording errors (issue 11), each next to a baseline timed
# in the same run:
#
# - `record` of a known error on a 10,000-issue tracker, against `new` on
#   the same tracker (target: within 1.5x);
# - `record --jsonl` of 1,000 records over 50 distinct errors, one commit
#   (target: under 1 s), against `new`;
# - `analyze` and `metrics` on 10,000 recorded errors with 100,000
#   occurrences (target: under 300 ms each), against `list --limit 1`, the
#   cheapest command the index serves.
#
#   bench/record.sh              RUNS=21 bench/record.sh
#   GIT_ISSUE_BIN=target/debug/git-issue bench/record.sh   (check the script)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${GIT_ISSUE_BIN:-}" ]; then
    cargo build --release --quiet --bin git-issue --example corpus
fi
BIN=${GIT_ISSUE_BIN:-$PWD/target/release/git-issue}
CORPUS=${CORPUS_BIN:-$PWD/target/release/examples/corpus}
[ -x "$CORPUS" ] || cargo build --release --quiet --example corpus
exec python3 bench/record.py "$BIN" "$CORPUS"
