# --- shared by every git-issue hook ------------------------------------------
# The hook that was here before ours keeps its folder: it is renamed to
# "<hook>.git-issue-chained" beside this file, and run with this file's path
# as its $0, as git would have run it, so a hook that finds its siblings
# through $0 (husky's `. "$(dirname "$0")/h"`) still finds them.
chained="$0.git-issue-chained"
[ -e "$chained" ] || chained="${0%/*}/git-issue-chained/${0##*/}"
run_chained() {
    [ -x "$chained" ] || return 0
    first=
    IFS= read -r first < "$chained" 2>/dev/null
    case "$first" in
        '#!'*bash*) shell=bash ;;
        '#!'*zsh*) shell=zsh ;;
        '#!'*ksh*) shell=ksh ;;
        '#!'*dash*) shell=dash ;;
        '#!'*sh | '#!'*'sh '* | '') shell=sh ;;
        *) "$chained" "$@"; return $? ;;
    esac
    case "$first" in *' -e'*) shell="$shell -e" ;; esac
    $shell -c "$(cat "$chained")" "$0" "$@"
}
# git-issue itself, bounded in time: a hook never holds a commit for more
# than GIT_ISSUE_HOOK_TIMEOUT seconds (10 by default); past that it stops
# and says so, and `git issue scan` catches up later. The git-issue that
# installed this hook (its path is below) keeps that limit itself and runs
# as it is, or in place of the shell when `last` is set, since the fewer
# processes a commit starts the sooner it is done; any other git-issue on
# PATH runs under a watchdog.
ours=@GIT_ISSUE@
run_git_issue() {
    # PATH's git-issue, found without starting a process.
    tool= rest="$PATH:"
    while [ -n "$rest" ]; do
        dir=${rest%%:*} rest=${rest#*:}
        [ -f "${dir:-.}/git-issue" ] && [ -x "${dir:-.}/git-issue" ] &&
            { tool="${dir:-.}/git-issue"; break; }
    done
    [ -n "$tool" ] || return 0
    if [ -n "$ours" ] && [ "$tool" -ef "$ours" ]; then
        [ -n "${last:-}" ] && exec "$tool" hook "$@"
        "$tool" hook "$@"
        return $?
    fi
    # A job in the background reads /dev/null unless told otherwise: hand
    # it this hook's stdin (post-rewrite's "old new" lines) through fd 3.
    exec 3<&0
    "$tool" hook "$@" <&3 3<&- &
    tool=$!
    exec 3<&-
    limit="${GIT_ISSUE_HOOK_TIMEOUT:-10}"
    (
        sleep "$limit" </dev/null >/dev/null 2>&1 &
        nap=$!
        trap 'kill $nap 2>/dev/null; exit 0' TERM
        wait $nap
        # Said before the kill: once it is dead, this shell is stopped too.
        if kill -0 $tool 2>/dev/null; then
            echo "git-issue: the $1 hook took over ${limit}s and was stopped (the commit is fine; git issue scan links it later)" >&2
            kill $tool 2>/dev/null
        fi
    ) &
    watchdog=$!
    wait $tool
    status=$?
    kill $watchdog 2>/dev/null
    wait $watchdog 2>/dev/null
    return $status
}
# Exit status 9 is git-issue's refusal of a commit (hooks.strict); any
# other failure, a crash or a stranger's git-issue on PATH never costs one.
REFUSED=9
# -----------------------------------------------------------------------------
