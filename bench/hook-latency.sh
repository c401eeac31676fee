#!/usr/bin/env bash
# What the hooks add to `git commit` at 10,000 issues.
#
# Builds release binaries, makes a throwaway repository with a tracker of
# ISSUES generated issues (examples/corpus.rs, imported), installs the hooks, then
# times N commits with the hooks and N without them, interleaved so that
# both see the same machine, and prints the medians and their difference.
# Every commit is on main and names an existing issue: prepare-commit-msg
# stops in the shell, commit-msg finds the tracker's mark (not strict, the
# branch where git-issue left it) and stops in the shell too, post-commit
# links the commit (one commit of the issues branch each time).
#
#   bench/hook-latency.sh            # N=50 ISSUES=10000
#   N=200 ISSUES=20000 bench/hook-latency.sh
#   GIT_ISSUE_BIN=/path/to/git-issue bench/hook-latency.sh   # another build
set -euo pipefail
N=${N:-50}
ISSUES=${ISSUES:-10000}
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin git-issue --example corpus
bin="$PWD/target/release"
corpus="$bin/examples/corpus"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# GIT_ISSUE_BIN: time another build's hooks (the corpus generator stays
# this tree's).
if [ -n "${GIT_ISSUE_BIN:-}" ]; then
    mkdir "$tmp/bin"
    ln -s "$(realpath "$GIT_ISSUE_BIN")" "$tmp/bin/git-issue"
    bin="$tmp/bin"
fi
export PATH="$bin:$PATH" HOME="$tmp" GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com
unset GIT_DIR GIT_WORK_TREE
repo="$tmp/bench-repo"
git init -q -b main "$repo"
cd "$repo"
git commit -q --allow-empty -m "Initial commit"
git-issue init --key BC 2>/dev/null
start=$(date +%s%N)
"$corpus" "$ISSUES" > "$tmp/corpus.jsonl"
git-issue import "$tmp/corpus.jsonl" 2>/dev/null
echo "generated $ISSUES issues in $(( ($(date +%s%N) - start) / 1000000 )) ms"
git-issue hooks install 2>/dev/null
# Pack the generated objects as a real repository would have them, and keep
# git's automatic maintenance from repacking in the background mid-run: it
# would time the neighbours, not the hooks.
git gc -q
git config gc.auto 0
git config maintenance.auto false

ms() { echo "scale=2; $1 / 1000000" | bc; }
# CPU time (user + sys) that a command's children used, from `times`
# before and after it (in this shell: a subshell has no children of its
# own). Unlike wall time, it does not grow when other work shares the
# machine.
cpu_us() {
    tail -1 "$1" | tr 'ms' '  ' | awk '{print int(($1*60+$2+$3*60+$4)*1000000)}'
}
with=() without=() cpu_with=() cpu_without=()
for i in $(seq 1 "$N"); do
    key="BC-$(( (i * 7919) % ISSUES + 1 ))"
    echo "$i" >> work.txt && git add work.txt
    t0=$(date +%s%N); times > "$tmp/a"
    git commit -q -m "$key: change $i" 2>/dev/null
    times > "$tmp/b"; t1=$(date +%s%N)
    with+=($(( t1 - t0 ))); cpu_with+=($(( ($(cpu_us "$tmp/b") - $(cpu_us "$tmp/a")) * 1000 )))
    echo "$i" >> work.txt && git add work.txt
    t0=$(date +%s%N); times > "$tmp/a"
    git -c core.hooksPath=/nonexistent commit -q -m "$key: change $i again"
    times > "$tmp/b"; t1=$(date +%s%N)
    without+=($(( t1 - t0 ))); cpu_without+=($(( ($(cpu_us "$tmp/b") - $(cpu_us "$tmp/a")) * 1000 )))
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
mw=$(median "${with[@]}")
mo=$(median "${without[@]}")
linked=$(git-issue show "BC-$(( 7919 % ISSUES + 1 ))" --json | grep -c '"[0-9a-f]\{40\}"' || true)
echo "issues:                $ISSUES"
echo "commits timed:         $N with hooks, $N without"
echo "median without hooks:  $(ms "$mo") ms"
echo "median with hooks:     $(ms "$mw") ms"
echo "added by the hooks:    $(ms $(( mw - mo ))) ms"
echo "ratio:                 $(echo "scale=2; $mw / $mo" | bc)x"
cw=$(median "${cpu_with[@]}")
co=$(median "${cpu_without[@]}")
echo "median CPU time (user+sys) without hooks: $(ms "$co") ms, with hooks: $(ms "$cw") ms, added: $(ms $(( cw - co ))) ms"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo "(check: BC-$(( 7919 % ISSUES + 1 )) has $linked linked commit(s))"
