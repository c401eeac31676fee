#!/usr/bin/env bash
# `git issue serve` on a generated tracker of N issues (default 10000):
# the time to serve a page of the list, an issue page and the board, and a
# write's round trip (a form post that changes a field, answered once the
# page shows the change), each REQUESTS times (default 50), medians next to
# a baseline measured in the same go: serving the style sheet, the cost of
# one request on this stack with no page to render.
#
#   bench/serve.sh [N]        REQUESTS=100 bench/serve.sh 10000
set -euo pipefail
N=${1:-10000}
REQUESTS=${REQUESTS:-50}
cd "$(dirname "$0")/.."
# GIT_ISSUE=path/to/git-issue measures that binary instead of building one;
# SITE_CORPUS=path/to/site_corpus (examples/site_corpus.rs, built) likewise.
if [ -z "${GIT_ISSUE:-}" ]; then cargo build --release --quiet --bin git-issue; fi
GEN=${SITE_CORPUS:-$PWD/target/release/examples/site_corpus}
[ -x "$GEN" ] || cargo build --release --quiet --example site_corpus
BIN=${GIT_ISSUE:-$PWD/target/release/git-issue}
WORK=$(mktemp -d)
SERVER=
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT

export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com

git init -q -b main "$WORK/repo"
cd "$WORK/repo"
git commit -q --allow-empty -m init
"$GEN" "$N" | git fast-import --quiet
t0=$(date +%s%N)
"$BIN" serve --port 0 2>"$WORK/serve.log" &
SERVER=$!
until grep -q 'http://' "$WORK/serve.log"; do sleep 0.05; done
t1=$(date +%s%N)
URL=$(grep -o 'http://[0-9.:]*' "$WORK/serve.log" | head -1)
echo "corpus: $N issues; the server was ready in $(( (t1 - t0) / 1000000 )) ms"

# curl's own measure of a request, in milliseconds.
ms() { curl -s -o /dev/null -w '%{time_total}\n' "$@" | awk '{ printf "%.2f\n", $1 * 1000 }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.2f", m }'; }
times() { local path=$1; for _ in $(seq "$REQUESTS"); do ms "$URL/$path"; done | median; }

ms "$URL/index.html" >/dev/null  # warm up
base=$(times style.css)
list=$(times index.html)
page=$(times "issues/BC-$((N / 2)).html")
board=$(times board.html)
TOKEN=$(curl -s "$URL/new.html" | grep -o 'name="token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"//')
# A write: set the priority and follow the redirect to the page showing it.
writes=()
was=$(curl -s "$URL/issues/BC-7.html" | grep -o 'name="seen.priority" value="[^"]*"' | sed 's/.*value="//; s/"//')
for i in $(seq "$REQUESTS"); do
  p="p$(( i % 4 ))"
  [ "$p" = "$was" ] && p="p$(( (i + 1) % 4 ))"
  t=$(curl -s -o "$WORK/page" -L -w '%{time_total}\n' \
    -H "Origin: $URL" \
    --data-urlencode "token=$TOKEN" --data-urlencode "seen.priority=$was" --data-urlencode "priority=$p" \
    "$URL/issues/BC-7/set" | awk '{ printf "%.2f\n", $1 * 1000 }')
  grep -q "name=\"seen.priority\" value=\"$p\"" "$WORK/page" || { echo "write $i did not show on the page"; exit 1; }
  was=$p
  writes+=("$t")
done
write=$(printf '%s\n' "${writes[@]}" | median)
printf 'median of %d requests (milliseconds)\n' "$REQUESTS"
printf '  baseline: style.css                  %s\n' "$base"
printf '  a page of the list (index.html)      %s  (%.1fx baseline)\n' "$list" "$(echo "$list / $base" | bc -l)"
printf '  an issue page                        %s  (%.1fx baseline)\n' "$page" "$(echo "$page / $base" | bc -l)"
printf '  the board                            %s  (%.1fx baseline)\n' "$board" "$(echo "$board / $base" | bc -l)"
printf '  a write, post to the page showing it %s  (%.1fx baseline)\n' "$write" "$(echo "$write / $base" | bc -l)"
