#!/usr/bin/env bash
# The exported site in headless Chromium at N issues (default: 10000, then
# 100000), through the browser test `the_site_at_scale_for_the_benchmark`
# (tests/cli/browser.rs) built in release: the export, the first page's
# time to interactive and to its filters being ready, a filter by label and
# a search (time in the page and bytes fetched), the number and size of the
# files, the biggest one. The baseline, measured in the same browser in the
# same go, is a small page (labels.html) becoming interactive.
#
#   bench/site-browser.sh            bench/site-browser.sh 100000
#
# Needs /usr/bin/chromium and /usr/bin/chromedriver (Debian's chromium and
# chromium-driver).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
for n in "${sizes[@]}"; do
  SITE_ISSUES=$n cargo test --release --quiet --test cli \
    browser::the_site_at_scale_for_the_benchmark -- --ignored --nocapture 2>&1 |
    sed -n '/^site at /,/search .* fetched/p'
done
