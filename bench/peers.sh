#!/usr/bin/env bash
# Benchmarks git-issue against Fossil's tickets on the same corpus.
#
#   bench/peers.sh                     # 10,000 issues
#   bench/peers.sh 10000 100000        # chosen sizes
#   REPS=15 bench/peers.sh             # medians of 15 instead of 9
#   GIT_ISSUE=/path/to/git-issue bench/peers.sh   # time another build
#
# Installs Fossil from the distribution's packages if it is missing, builds
# the release binary and the corpus generator from this tree, loads the
# corpus into a git-issue tracker and into a Fossil repository's tickets
# under ${BENCH_DIR:-/tmp/git-issue-peers}, and prints Markdown tables of
# interleaved medians (see bench/peers.py for how each Fossil command was
# chosen).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
if ! command -v fossil >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y fossil >&2 || { apt-get update >&2 && apt-get install -y fossil >&2; }
  else
    sudo apt-get install -y fossil >&2
  fi
fi
if [ -n "${GIT_ISSUE:-}" ]; then
  cargo build --quiet --release --manifest-path "$root/Cargo.toml" --example corpus
  gi=$GIT_ISSUE
else
  cargo build --quiet --release --manifest-path "$root/Cargo.toml" --bin git-issue --example corpus
  gi=$target/release/git-issue
fi
exec python3 "$root/bench/peers.py" "$gi" "$target/release/examples/corpus" "$@"
