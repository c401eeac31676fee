#!/usr/bin/env bash
# Benchmark: `git issue sync` bringing in 1,000 changed issues on a
# 10,000-issue tracker, next to a plain `git fetch` of the same commits and
# to `git fetch` + `git push` of the same commits (what plain git needs to
# do the same exchange).
#
#   bench/sync.sh [RUNS]        (default 5 runs of each; release build)
#   ISSUES=2000 CHANGED=50 bench/sync.sh 9     (issue 19's size)
#
# The corpus is written with git fast-import (seconds): a bare remote whose
# issues branch changed 1,000 issues since the base, and a clone that has
# the base plus a local commit changing 10 other issues, so sync does a real
# merge (fetch, issue-by-issue merge, merge commit, push). Every run starts
# from a fresh copy of that clone, so each fetch transfers the same objects.
# Prints the median of each and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${1:-5}
ISSUES=${ISSUES:-10000}
CHANGED=${CHANGED:-1000}

if [ -z "${GIT_ISSUE_BIN:-}" ]; then
    cargo build --release --quiet
fi
# GIT_ISSUE_BIN: time another build (a debug one, to check this script).
BIN=${GIT_ISSUE_BIN:-$PWD/target/release/git-issue}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com

# One fast-import stream, three commits: base (:1), the remote's change of
# every tenth issue (:2), a local change of ten others (:3). Files are laid
# out as issue-format.md says (issues/<n/1000>/<hundreds>/<tens>/), as a
# tracker made today has them: a sync moves issues of the first layout it
# merges, which is a migration, not what this measures.
corpus() {
    awk -v n="$ISSUES" -v changed="$CHANGED" '
    function issue(i, status, priority, label, updated) {
        printf "M 100644 inline issues/%d/%d/%d/BC-%d.md\ndata <<EOT\n", int(i / 1000), int(i / 100) % 10, int(i / 10) % 10, i
        printf "---\nid: 01JBENCH%018d\ntitle: Issue number %d\ntype: bug\n", i, i
        printf "status: %s\npriority: %s\n", status, priority
        if (label != "") printf "labels:\n  - %s\n", label
        printf "reporter: Bench <bench@example.com>\n"
        printf "created: 2026-01-01T00:00:00Z\nupdated: %s\n---\n\n", updated
        printf "Steps to reproduce issue %d:\n\n1. open the app\n2. click\n3. see it fail\nEOT\n", i
    }
    function header(ref, mark, time, msg) {
        printf "commit %s\nmark :%d\ncommitter Bench <bench@example.com> %d +0000\n", ref, mark, time
        printf "data <<EOT\n%s\nEOT\n", msg
    }
    BEGIN {
        header("refs/heads/base", 1, 1767225600, "Base: " n " issues")
        printf "M 100644 inline tracker.yml\ndata <<EOT\nkey: BC\nEOT\n"
        for (i = 1; i <= n; i++) issue(i, "open", "p2", "", "2026-01-01T00:00:00Z")
        header("refs/heads/issues", 2, 1767312000, "Remote: " changed " issues change")
        printf "from :1\n"
        step = int(n / changed)
        for (i = step; i <= n; i += step) issue(i, "in_progress", "p2", "triaged", "2026-01-02T00:00:00Z")
        header("refs/heads/local", 3, 1767312000, "Local: 10 issues change")
        printf "from :1\n"
        for (i = 1; i <= 10; i++) issue(i * 7 + 3, "open", "p0", "", "2026-01-02T00:00:00Z")
        print "done"
    }'
}

git init -q --bare "$WORK/remote.git"
corpus | git -C "$WORK/remote.git" fast-import --quiet --done
REMOTE_TIP=$(git -C "$WORK/remote.git" rev-parse refs/heads/issues)

git init -q -b main "$WORK/pristine"
git -C "$WORK/pristine" remote add origin ../remote.git
git -C "$WORK/pristine" fetch -q --no-tags origin refs/heads/local:refs/heads/issues
git -C "$WORK/pristine" gc -q
# A clone with no local change: its sync is a fetch and a fast-forward.
git init -q -b main "$WORK/pristine-ff"
git -C "$WORK/pristine-ff" remote add origin ../remote.git
git -C "$WORK/pristine-ff" fetch -q --no-tags origin refs/heads/base:refs/heads/issues
git -C "$WORK/pristine-ff" gc -q
# Clones in use have a search index (any read makes one); a clone's first
# command builds it, once, and that is not what this measures.
(cd "$WORK/pristine" && "$BIN" list --limit 1 > /dev/null)
(cd "$WORK/pristine-ff" && "$BIN" list --limit 1 > /dev/null)
git -C "$WORK/remote.git" update-ref -d refs/heads/local
git -C "$WORK/remote.git" gc -q

# The merge commit a sync makes, kept in a clone of its own, so that
# plain `git push` can send the same commits.
cp -a "$WORK/pristine" "$WORK/merged"
(cd "$WORK/merged" && "$BIN" sync --json > /dev/null 2>&1)
git -C "$WORK/merged" update-ref refs/remotes/origin/issues "$REMOTE_TIP"

now() { date +%s%N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

fresh() {
    rm -rf "$WORK/clone"
    cp -a "$WORK/${1:-pristine}" "$WORK/clone"
    git -C "$WORK/remote.git" update-ref refs/heads/issues "$REMOTE_TIP"
}

: > "$WORK/sync.ms"
: > "$WORK/fetch.ms"
: > "$WORK/ff.ms"
: > "$WORK/push.ms"
for run in $(seq "$RUNS"); do
    fresh
    t0=$(now)
    git -C "$WORK/clone" -c core.fsmonitor=false fetch --quiet --no-tags origin \
        "+refs/heads/issues:refs/remotes/origin/issues"
    t1=$(now)
    echo $(( (t1 - t0) / 1000000 )) >> "$WORK/fetch.ms"

    fresh merged
    t0=$(now)
    git -C "$WORK/clone" -c core.fsmonitor=false push --quiet origin \
        "refs/heads/issues:refs/heads/issues"
    t1=$(now)
    echo $(( (t1 - t0) / 1000000 )) >> "$WORK/push.ms"

    fresh
    t0=$(now)
    (cd "$WORK/clone" && "$BIN" sync --json > "$WORK/report.json" 2> /dev/null)
    t1=$(now)
    echo $(( (t1 - t0) / 1000000 )) >> "$WORK/sync.ms"
    grep -q '"merged"' "$WORK/report.json" || {
        echo "sync did not merge:" >&2
        cat "$WORK/report.json" >&2
        exit 1
    }

    fresh pristine-ff
    t0=$(now)
    (cd "$WORK/clone" && "$BIN" sync --json > "$WORK/report.json" 2> /dev/null)
    t1=$(now)
    echo $(( (t1 - t0) / 1000000 )) >> "$WORK/ff.ms"
    grep -q '"fast-forward"' "$WORK/report.json" || {
        echo "sync of an unchanged clone did not fast-forward:" >&2
        cat "$WORK/report.json" >&2
        exit 1
    }
done

SYNC=$(median < "$WORK/sync.ms")
FETCH=$(median < "$WORK/fetch.ms")
FF=$(median < "$WORK/ff.ms")
PUSH=$(median < "$WORK/push.ms")
echo "corpus: $ISSUES issues, $CHANGED changed on the remote, 10 changed locally; $RUNS runs each; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "git fetch (same commits):        median ${FETCH} ms   [$(paste -sd' ' "$WORK/fetch.ms")]"
echo "git push (same merge commit):    median ${PUSH} ms   [$(paste -sd' ' "$WORK/push.ms")]"
echo "git issue sync (merge + push):   median ${SYNC} ms   [$(paste -sd' ' "$WORK/sync.ms")]"
echo "git issue sync (fast-forward):   median ${FF} ms   [$(paste -sd' ' "$WORK/ff.ms")]"
awk -v s="$SYNC" -v f="$FETCH" -v ff="$FF" -v p="$PUSH" 'BEGIN {
    printf "ratio sync / fetch: %.2f (merge + push), %.2f (fast-forward)\n", s / f, ff / f
    printf "ratio sync (merge + push) / (fetch + push): %.2f\n", s / (f + p)
}'
