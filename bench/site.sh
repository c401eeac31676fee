#!/usr/bin/env bash
# Times `git issue export site` on a generated tracker of N issues (default
# 10000): a full export into an empty folder with no history cache, an
# export after one change, and an export after no change, each RUNS times
# (default 5), medians printed next to a baseline measured in the same go:
# `git archive issues | tar -x`, the cost of merely writing the branch's
# files into a folder.
#
#   bench/site.sh [N]        RUNS=7 bench/site.sh 10000
set -euo pipefail
N=${1:-10000}
RUNS=${RUNS:-5}
cd "$(dirname "$0")/.."
# GIT_ISSUE=path/to/git-issue measures that binary instead of building one;
# SITE_CORPUS=path/to/site_corpus (examples/site_corpus.rs, built) likewise.
if [ -z "${GIT_ISSUE:-}" ]; then cargo build --release --quiet --bin git-issue; fi
GEN=${SITE_CORPUS:-$PWD/target/release/examples/site_corpus}
[ -x "$GEN" ] || cargo build --release --quiet --example site_corpus
BIN=${GIT_ISSUE:-$PWD/target/release/git-issue}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com

git init -q -b main "$WORK/repo"
cd "$WORK/repo"
git commit -q --allow-empty -m init
"$GEN" "$N" | git fast-import --quiet
echo "corpus: $N issues, $(git rev-list --count issues) commits on the issues branch"

# Seconds taken by a command, to the millisecond.
seconds() {
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1
  t1=$(date +%s%N)
  echo "scale=3; ($t1 - $t0) / 1000000000" | bc
}
median() { sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.3f", m }'; }
baseline() { rm -rf "$WORK/archive" && mkdir "$WORK/archive" && git archive issues | tar -x -C "$WORK/archive"; }

base=() full=() incr=() none=()
for r in $(seq "$RUNS"); do
  base+=("$(seconds baseline)")
  rm -rf "$WORK/site" "$(git rev-parse --git-common-dir)/git-issue/site-history.json"
  full+=("$(seconds "$BIN" export site "$WORK/site")")
  "$BIN" label "BC-$((N / 2))" "+bench-$r" >/dev/null 2>&1
  incr+=("$(seconds "$BIN" export site "$WORK/site")")
  none+=("$(seconds "$BIN" export site "$WORK/site")")
done
"$BIN" export site "$WORK/site" 2>&1 | sed 's/^/last export: /'
echo "site: $(find "$WORK/site" -type f | wc -l) files, $(du -sh "$WORK/site" | cut -f1)," \
  "biggest $(find "$WORK/site" -type f -printf '%s %P\n' | sort -n | tail -1 | awk '{ printf "%s (%.0f kB)", $2, $1 / 1024 }')"
# Peak memory of a full export (no history cache, empty folder).
if [ -x /usr/bin/time ]; then
  rm -rf "$WORK/site" "$(git rev-parse --git-common-dir)/git-issue/site-history.json"
  /usr/bin/time -f '%M' -o "$WORK/rss" "$BIN" export site "$WORK/site" >/dev/null 2>&1
  echo "full export peak memory: $(( $(cat "$WORK/rss") / 1024 )) MB"
fi

b=$(printf '%s\n' "${base[@]}" | median)
f=$(printf '%s\n' "${full[@]}" | median)
i=$(printf '%s\n' "${incr[@]}" | median)
n=$(printf '%s\n' "${none[@]}" | median)
printf 'median of %d runs (seconds)\n' "$RUNS"
printf '  baseline: git archive | tar -x   %s\n' "$b"
printf '  full export                      %s  (%.1fx baseline)\n' "$f" "$(echo "$f / $b" | bc -l)"
printf '  export after one change          %s  (%.1fx baseline)\n' "$i" "$(echo "$i / $b" | bc -l)"
printf '  export after no change           %s  (%.1fx baseline)\n' "$n" "$(echo "$n / $b" | bc -l)"
