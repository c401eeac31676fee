#!/usr/bin/env bash
# Benchmark: `git issue bridge import github` of 10,000 issues with 30,000
# comments (generated in the fixtures' shape by bench/bridge_corpus.py), in
# one commit, next to baselines run in the same go:
#   - git fast-import of the very files the import wrote (git's own fastest
#     way to write the same blobs and trees, into one pack);
#   - `git issue import` of the same issues as JSON lines (the tracker's
#     existing import, loose objects like the bridge);
#   - `bridge import --dry-run` (reading, mapping and planning; no writes),
#     to say where the time goes.
#
#   bench/bridge.sh [ISSUES] [RUNS]     (default 10000 issues, 3 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
RUNS=${2:-3}
if [ -z "${GIT_ISSUE_BIN:-}" ]; then
    cargo build --release --quiet --bin git-issue
fi
BIN=${GIT_ISSUE_BIN:-$PWD/target/release/git-issue}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com

python3 bench/bridge_corpus.py "$N" "$WORK"
echo "corpus: $N issues, $((N * 3)) comments, $(du -sm "$WORK" | cut -f1) MB of JSON" >&2

fresh() {
    rm -rf "$WORK/repo" && mkdir "$WORK/repo"
    git -C "$WORK/repo" init -q -b main
    git -C "$WORK/repo" commit -q --allow-empty -m init
    (cd "$WORK/repo" && "$BIN" init --key BC >/dev/null 2>&1)
}

seconds() { python3 -c 'import sys,time; print(time.time())'; }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

time_of() { # command...
    local start end
    start=$(seconds)
    "$@" >/dev/null 2>&1
    end=$(seconds)
    python3 -c "print(f'{$end - $start:.3f}')"
}

bridge=() dry=() jsonl=() fast=()
for _ in $(seq "$RUNS"); do
    fresh
    dry+=("$(cd "$WORK/repo" && time_of "$BIN" bridge import github --dry-run "$WORK/issues.json" "$WORK/comments.json")")
    bridge+=("$(cd "$WORK/repo" && time_of "$BIN" bridge import github "$WORK/issues.json" "$WORK/comments.json")")
    test "$(git -C "$WORK/repo" rev-list --count issues)" = 2 # init + one import commit
    (cd "$WORK/repo" && "$BIN" export jsonl > "$WORK/export.jsonl")
    # The files the import wrote, as a fast-import stream.
    rm -rf "$WORK/files" && mkdir "$WORK/files"
    git -C "$WORK/repo" archive issues | tar -x -C "$WORK/files"
    python3 - "$WORK/files" > "$WORK/stream" <<'PY'
import os, sys
root = sys.argv[1]
out = sys.stdout.buffer
out.write(b"commit refs/heads/issues\ncommitter Bench <bench@example.com> 1767225600 +0000\ndata 6\nfiles\n")
for d, _, files in os.walk(root):
    for f in files:
        p = os.path.join(d, f)
        data = open(p, "rb").read()
        out.write(b"M 100644 inline " + os.path.relpath(p, root).encode() + b"\ndata %d\n" % len(data) + data + b"\n")
out.write(b"done\n")
PY
    rm -rf "$WORK/fast" && git init -q --bare "$WORK/fast"
    fast+=("$(time_of sh -c "git -C '$WORK/fast' fast-import --done --quiet < '$WORK/stream'")")
    fresh
    jsonl+=("$(cd "$WORK/repo" && time_of "$BIN" import "$WORK/export.jsonl")")
done

b=$(printf '%s\n' "${bridge[@]}" | median)
d=$(printf '%s\n' "${dry[@]}" | median)
j=$(printf '%s\n' "${jsonl[@]}" | median)
f=$(printf '%s\n' "${fast[@]}" | median)
python3 - "$N" "$b" "$d" "$j" "$f" <<'PY'
import sys
n, b, d, j, f = int(sys.argv[1]), *map(float, sys.argv[2:])
print(f"| issues | comments | bridge import | of which read+map+plan (dry run) | git issue import (JSONL) | git fast-import (same files) | bridge/fast-import | bridge/JSONL import |")
print(f"|---|---|---|---|---|---|---|---|")
print(f"| {n:,} | {3*n:,} | {b:.2f} s | {d:.2f} s | {j:.2f} s | {f:.2f} s | {b/f:.1f}x | {b/j:.2f}x |")
PY
