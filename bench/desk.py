"""Times the support-desk commands next to baselines; see bench/desk.sh.

Each row is one of our commands and the command it is measured against,
both run in the same repository in the same run:

- show (with its attachments and duplicates listed) against `git cat-file -p`
  of the file, also right after a write (the search index, which show reads
  for the duplicates, is then behind the branch);
- vote, attach (1 MB) and merge against `label`, an ordinary one-field write;
- events over the last 150 commits against `git log --name-only` of them;
- stats (every issue and comment read) against `export jsonl` (the same read).
"""

import os
import shutil
import statistics
import subprocess
import sys
import time

from conditions import conditions

release = sys.argv[1]
sizes = [int(s) for s in sys.argv[2:]] or [10000, 100000]
gi = os.path.join(os.path.abspath(release), "git-issue")
corpus = os.path.join(os.path.abspath(release), "examples", "corpus")
work = os.environ.get("BENCH_DIR", "/tmp/git-issue-bench")

env = dict(os.environ)
for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
    env.pop(var, None)
env.update({
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "NO_COLOR": "1",
})


def run(args, cwd, extra=None):
    e = dict(env, **(extra or {}))
    subprocess.run(args, cwd=cwd, env=e, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def timed(make_args, cwd, reps, extra=None, prep=None):
    """Median wall time in milliseconds; `make_args(i)` gives run i's command,
    `prep(i)` one run untimed before it."""
    times = []
    for i in range(reps):
        if prep:
            run(prep(i), cwd)
        args = make_args(i)
        start = time.perf_counter()
        run(args, cwd, extra(i) if extra else None)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def fmt(ms):
    return f"{ms:.1f} ms" if ms < 10000 else f"{ms / 1000:.1f} s"


started = conditions()

print("| n | ours | median | baseline | median | ours/baseline |")
print("|---|---|---|---|---|---|")
for n in sizes:
    repo = os.path.join(work, f"desk-{n}")
    shutil.rmtree(repo, ignore_errors=True)
    os.makedirs(repo)
    data = os.path.join(work, f"corpus-{n}.jsonl")
    if not os.path.exists(data):
        with open(data, "w") as out:
            subprocess.run([corpus, str(n)], stdout=out, check=True)
    run(["git", "init", "-q", "-b", "main"], repo)
    run(["git", "commit", "-q", "--allow-empty", "-m", "init"], repo)
    run([gi, "init", "--key", "BC"], repo)
    run([gi, "import", data], repo)
    run(["git", "gc", "-q"], repo)
    run([gi, "list", "--limit", "1"], repo)
    blob = os.path.join(work, "attachment.bin")
    with open(blob, "wb") as f:
        f.write(os.urandom(1_000_000))

    k = n // 2 + 1
    path = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", "issues", "issues"], cwd=repo, env=env,
        check=True, capture_output=True, text=True).stdout
    path = next(p for p in path.splitlines() if p.endswith(f"/BC-{k}.md"))
    run([gi, "attach", f"BC-{k}", blob], repo)
    reps = 21
    who = lambda i: {"GIT_AUTHOR_EMAIL": f"voter{i}@example.com"}
    rows = [
        ("show", timed(lambda i: [gi, "show", f"BC-{k}"], repo, reps),
         "cat-file", timed(lambda i: ["git", "cat-file", "-p", f"issues:{path}"], repo, reps)),
        ("show after a write",
         timed(lambda i: [gi, "show", f"BC-{k}"], repo, reps,
               prep=lambda i: [gi, "label", f"BC-{k - 1}", f"+fresh{i}"]),
         "cat-file", timed(lambda i: ["git", "cat-file", "-p", f"issues:{path}"], repo, reps,
                           prep=lambda i: [gi, "label", f"BC-{k - 1}", f"+stale{i}"])),
        ("vote", timed(lambda i: [gi, "vote", f"BC-{k}"], repo, reps, who),
         "label", timed(lambda i: [gi, "label", f"BC-{k}", f"+bench{i}"], repo, reps)),
        ("attach 1 MB", timed(lambda i: [gi, "attach", f"BC-{k + 1 + i}", blob], repo, reps),
         "label", timed(lambda i: [gi, "label", f"BC-{k + 1 + i}", f"+bench{i}"], repo, reps)),
        ("merge", timed(lambda i: [gi, "merge", f"BC-{k + 100 + i}", "--into", f"BC-{k}"], repo, reps),
         "label", timed(lambda i: [gi, "label", f"BC-{k + 100 + i}", f"+other{i}"], repo, reps)),
    ]
    # The writes above made about 170 commits; events reads the last 150.
    depth = min(150, int(subprocess.run(["git", "rev-list", "--count", "issues"], cwd=repo, env=env,
                                        check=True, capture_output=True, text=True).stdout) - 1)
    span = f"issues~{depth}..issues"
    rows.append(
        (f"events ({depth} commits)", timed(lambda i: [gi, "events", span, "--json"], repo, 5),
         "git log --name-only", timed(lambda i: ["git", "log", "--name-only", span], repo, 5)))
    rows.append(
        ("stats", timed(lambda i: [gi, "stats"], repo, 3),
         "export jsonl", timed(lambda i: [gi, "export", "jsonl"], repo, 3)))
    for ours, a, base, b in rows:
        print(f"| {n:,} | {ours} | {fmt(a)} | {base} | {fmt(b)} | {a / b:.2f}x |")
    print(f"done {n}", file=sys.stderr)
print("\nMedians of whole commands (process start included); each baseline ran"
      " in the same repository in the same run.")
ended = conditions()
print(f"\nRun {started[0]} to {ended[0]} at commit {started[1]}, {started[3]} cores;"
      f" load average (1, 5, 15 min) {started[2]} at the start, {ended[2]} at the end.")
