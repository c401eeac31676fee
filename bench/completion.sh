#!/usr/bin/env bash
# How long a TAB takes: `git issue __complete` (what the bash and zsh
# scripts of `git issue completions` call) at 10,000 issues, against the
# cost of starting the binary at all (`git-issue --version`), measured
# interleaved in the same run.
#
#   bench/completion.sh              # N=30 ISSUES=10000
#   N=100 ISSUES=20000 bench/completion.sh
set -euo pipefail
N=${N:-30}
ISSUES=${ISSUES:-10000}
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin git-issue --example corpus
bin="$PWD/target/release"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PATH="$bin:$PATH" HOME="$tmp" GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com
unset GIT_DIR GIT_WORK_TREE
repo="$tmp/bench-repo"
git init -q -b main "$repo"
cd "$repo"
git commit -q --allow-empty -m "Initial commit"
git-issue init --key BC 2>/dev/null
"$bin/examples/corpus" "$ISSUES" > "$tmp/corpus.jsonl"
git-issue import "$tmp/corpus.jsonl" 2>/dev/null
git-issue list --limit 1 >/dev/null 2>&1   # build the index once
git gc -q

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
ms() { echo "scale=2; $1 / 1000000" | bc; }
declare -A times
cases=(
  "start|git-issue --version"
  "commands|git-issue __complete -- li"
  "keys|git-issue __complete -- show BC-1"
  "labels|git-issue __complete -- list --label ''"
  "qualifier|git-issue __complete -- list label:"
  "statuses|git-issue __complete -- set BC-1 status="
)
for i in $(seq 1 "$N"); do
  for c in "${cases[@]}"; do
    name=${c%%|*}; cmd=${c#*|}
    t0=$(date +%s%N); eval "$cmd" >/dev/null 2>&1; t1=$(date +%s%N)
    times[$name]+="$(( t1 - t0 )) "
  done
done
base=$(median ${times[start]})
echo "issues: $ISSUES, runs: $N each, interleaved"
printf '%-10s %10s %8s\n' what "median ms" "x start"
for c in "${cases[@]}"; do
  name=${c%%|*}
  m=$(median ${times[$name]})
  printf '%-10s %10s %8s\n' "$name" "$(ms "$m")" "$(echo "scale=2; $m / $base" | bc)"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
