#!/usr/bin/env bash
# Times `git issue export site` on a tracker of N issues (default 10000): a
# whole export into an empty folder with no caches, an export after one
# change (a label added to one issue), and an export after no change, each
# RUNS times (default 5); medians and peak memory printed next to baselines
# measured in the same go:
#   - `git archive issues | tar -x`: merely writing the branch's files out;
#   - `git ls-tree -r issues`: merely listing them;
#   - OLD_BIN, when given: another git-issue (the previous release), run
#     interleaved with this one on the same changes, from a clone of its
#     own into a folder of its own.
# The machine's load (uptime) is printed before and after.
#
#   bench/site.sh [N]                 RUNS=7 bench/site.sh 10000
#   SITE_REPO=/tmp/l100k RUNS=3 OLD_BIN=/tmp/git-issue-old bench/site.sh
#
# SITE_REPO copies an existing repository (cp -r, never written into)
# instead of generating N issues with examples/site_corpus.rs.
#
# OUT_DIR puts the exported sites and the baseline's files in a folder of
# their own there (removed at the end), e.g. OUT_DIR=/dev/shm: on a tmpfs
# the times are the exporter's own cost, on a nearly full disk they are
# mostly the file system's (creating 100,000 files took 10 s of system
# time in one run and 77 s a minute later on this machine's /tmp). Run it
# both ways; the baseline moves with it.
set -euo pipefail
N=${1:-10000}
RUNS=${RUNS:-5}
cd "$(dirname "$0")/.."
# GIT_ISSUE=path/to/git-issue measures that binary instead of building one;
# SITE_CORPUS=path/to/site_corpus (examples/site_corpus.rs, built) likewise.
# FIRST_LAYOUT=1 generates the history in the first layout's folders;
# FAST_IMPORT_PACK=1 measures it as fast-import packed it (see below).
if [ -z "${GIT_ISSUE:-}" ]; then cargo build --release --quiet --bin git-issue; fi
BIN=${GIT_ISSUE:-$PWD/target/release/git-issue}
OLD=${OLD_BIN:-}
WORK=$(mktemp -d)
OUT=$WORK
[ -n "${OUT_DIR:-}" ] && OUT=$(mktemp -d "$OUT_DIR/git-issue-site-bench.XXXXXX")
trap 'rm -rf "$WORK" "$OUT"' EXIT

export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com

if [ -n "${SITE_REPO:-}" ]; then
  cp -r "$SITE_REPO" "$WORK/repo"
  cd "$WORK/repo"
else
  GEN=${SITE_CORPUS:-$PWD/target/release/examples/site_corpus}
  [ -x "$GEN" ] || cargo build --release --quiet --example site_corpus
  git init -q -b main "$WORK/repo"
  cd "$WORK/repo"
  git commit -q --allow-empty -m init
  "$GEN" "$N" ${FIRST_LAYOUT:+--first-layout} | git fast-import --quiet
  # fast-import stores each file as a delta of the file imported just
  # before it (another issue), in chains of up to 50: reading one issue
  # then means undoing dozens of unrelated deltas. A tracker that grew
  # commit by commit is packed by `git gc`, which deltas each file against
  # files like it and writes a commit-graph: pack it that way (about 40 s
  # at 100,000 issues). FAST_IMPORT_PACK=1 keeps fast-import's pack.
  if [ -z "${FAST_IMPORT_PACK:-}" ]; then
    git repack -a -d -f -q
    git commit-graph write --reachable
  fi
fi
N=$(git ls-tree -r --name-only issues | grep -cE '/[A-Z]+-[0-9]+\.md$' || true)
echo "corpus: $N issues, $(git rev-list --count issues) commits on the issues branch"
echo "load before: $(uptime)"
echo "output folder: $OUT ($(df -h --output=fstype,pcent "$OUT" | tail -1 | xargs))"

# Runs a command; appends "seconds peak-MB cpu-seconds system-seconds"
# (CPU = user + system: what a busy machine inflates least; system alone
# is mostly the file system's) to the file $1.
measure() {
  local into=$1
  shift
  /usr/bin/time -f '%e %M %U %S' -o "$WORK/t" "$@" >/dev/null 2>&1
  awk '{ printf "%s %d %.2f %.2f\n", $1, $2 / 1024, $3 + $4, $4 }' "$WORK/t" >>"$into"
}
median() { sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.3f", m }'; }
# A command, not a function: /usr/bin/time runs it.
archive=(bash -c 'rm -rf "$0/archive" && mkdir "$0/archive" && git archive issues | tar -x -C "$0/archive"' "$OUT")
bins=(new)
[ -n "$OLD" ] && bins+=(old)
binary() { if [ "$1" = new ]; then echo "$BIN"; else echo "$OLD"; fi; }
# Each binary exports from a clone of its own: both keep their catalog in
# the same place, in formats of their own, and would throw the other's
# away on every export.
cd "$WORK"
for b in "${bins[@]}"; do cp -a "$WORK/repo" "$WORK/repo-$b"; done
rm -rf "$WORK/repo"

for r in $(seq "$RUNS"); do
  (cd "$WORK/repo-new" && measure "$WORK/archive.t" "${archive[@]}")
  (cd "$WORK/repo-new" && measure "$WORK/lstree.t" git ls-tree -r issues)
  for b in "${bins[@]}"; do
    # No folder, no caches: each binary's own (the old one's in JSON, the
    # new one's in postcard), so neither slows the other's next export.
    rm -rf "$OUT/site-$b" "$WORK/repo-$b/.git/git-issue"/site-*
    (cd "$WORK/repo-$b" && measure "$WORK/full-$b.t" "$(binary "$b")" export site "$OUT/site-$b")
  done
  for b in "${bins[@]}"; do
    (cd "$WORK/repo-$b" && "$BIN" label "BC-$((N / 2))" "+bench-$r" >/dev/null 2>&1)
    (cd "$WORK/repo-$b" && measure "$WORK/one-$b.t" "$(binary "$b")" export site "$OUT/site-$b")
  done
  for b in "${bins[@]}"; do
    (cd "$WORK/repo-$b" && measure "$WORK/none-$b.t" "$(binary "$b")" export site "$OUT/site-$b")
  done
done
echo "load after: $(uptime)"
(cd "$WORK/repo-new" && "$BIN" export site "$OUT/site-new" 2>&1 | sed 's/^/last export: /')
echo "site: $(find "$OUT/site-new" -type f | wc -l) files, $(du -sh "$OUT/site-new" | cut -f1)," \
  "biggest $(find "$OUT/site-new" -type f -printf '%s %P\n' | sort -n | tail -1 | awk '{ printf "%s (%.0f kB)", $2, $1 / 1024 }')"

secs() { cut -d' ' -f1 "$WORK/$1.t" | median; }
cpu() { cut -d' ' -f3 "$WORK/$1.t" | median; }
sys() { cut -d' ' -f4 "$WORK/$1.t" | median; }
peak() { cut -d' ' -f2 "$WORK/$1.t" | sort -n | tail -1; }
a=$(secs archive)
l=$(secs lstree)
printf 'median of %d runs, seconds (peak memory, CPU seconds of which system)\n' "$RUNS"
printf '  baseline: git archive | tar -x     %8s  (%s MB, %s CPU, %s sys)\n' "$a" "$(peak archive)" "$(cpu archive)" "$(sys archive)"
printf '  baseline: git ls-tree -r issues    %8s  (%s MB)\n' "$l" "$(peak lstree)"
for what in full one none; do
  case $what in
    full) label='whole export' base=$a bname='archive' ;;
    one) label='export after one change' base=$l bname='ls-tree' ;;
    none) label='export after no change' base=$l bname='ls-tree' ;;
  esac
  for b in "${bins[@]}"; do
    s=$(secs "$what-$b")
    printf '  %-27s %-3s %8s  (%s MB, %s CPU, %s sys)  %.2fx %s\n' "$label" "$b" "$s" "$(peak "$what-$b")" \
      "$(cpu "$what-$b")" "$(sys "$what-$b")" "$(echo "$s / $base" | bc -l)" "$bname"
  done
  if [ -n "$OLD" ]; then
    printf '  %-31s %.2fx the old binary (CPU %.2fx)\n' '' "$(echo "$(secs "$what-new") / $(secs "$what-old")" | bc -l)" \
      "$(echo "$(cpu "$what-new") / $(cpu "$what-old")" | bc -l)"
  fi
done
