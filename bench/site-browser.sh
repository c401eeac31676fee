#!/usr/bin/env bash
# The exported site at N issues (default: 10000, then 100000), in headless
# Chromium: a release build exports the generated tracker (its time and
# peak memory), then the browser test `the_site_at_scale_for_the_benchmark`
# (tests/cli/browser.rs) opens it over HTTP on 127.0.0.1 and prints the
# first page's time to interactive and to its filters being ready, a filter
# by label and a search (time in the page, bytes fetched), the number and
# size of the files and the biggest one. The baseline, measured in the same
# browser in the same go, is a small page (labels.html) becoming
# interactive; the export's baseline is `git archive issues | tar -x`.
#
#   bench/site-browser.sh            bench/site-browser.sh 100000
#
# Needs /usr/bin/chromium and /usr/bin/chromedriver (Debian's chromium and
# chromium-driver).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
# GIT_ISSUE=path/to/git-issue measures that binary instead of building one;
# SITE_CORPUS=path/to/site_corpus (examples/site_corpus.rs, built) likewise.
if [ -z "${GIT_ISSUE:-}" ]; then cargo build --release --quiet --bin git-issue; fi
GEN=${SITE_CORPUS:-$PWD/target/release/examples/site_corpus}
[ -x "$GEN" ] || cargo build --release --quiet --example site_corpus
cargo test --quiet --test cli --no-run 2>/dev/null
BIN=${GIT_ISSUE:-$PWD/target/release/git-issue}
ROOT=$PWD
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com

for n in "${sizes[@]}"; do
  rm -rf "$WORK/repo" "$WORK/site" "$WORK/archive"
  git init -q -b main "$WORK/repo"
  (
    cd "$WORK/repo"
    git commit -q --allow-empty -m init
    "$GEN" "$n" | git fast-import --quiet
    # Packed as `git gc` packs a tracker that grew commit by commit (see
    # bench/site.sh); FAST_IMPORT_PACK=1 keeps fast-import's pack.
    if [ -z "${FAST_IMPORT_PACK:-}" ]; then
      git repack -a -d -f -q
      git commit-graph write --reachable
    fi
    t0=$(date +%s%N)
    mkdir "$WORK/archive" && git archive issues | tar -x -C "$WORK/archive"
    t1=$(date +%s%N)
    /usr/bin/time -f '%e %M' -o "$WORK/time" "$BIN" export site "$WORK/site" >/dev/null 2>&1
    read -r secs kb <"$WORK/time"
    printf 'export of %d issues: %s s, peak %d MB (baseline git archive | tar -x: %.2f s)\n' \
      "$n" "$secs" $((kb / 1024)) "$(echo "($t1 - $t0) / 1000000000" | bc -l)"
    "$BIN" label "BC-$((n / 2))" +bench >/dev/null 2>&1
    /usr/bin/time -f '%e %M' -o "$WORK/time" "$BIN" export site "$WORK/site" >/dev/null 2>&1
    read -r secs kb <"$WORK/time"
    printf 'export after one change: %s s, peak %d MB\n' "$secs" $((kb / 1024))
  )
  (cd "$ROOT" && SITE_ISSUES=$n SITE_DIR=$WORK/site cargo test --quiet --test cli \
    browser::the_site_at_scale_for_the_benchmark -- --ignored --nocapture 2>&1 |
    sed -n '/^site at /,/search .* fetched/p')
done
