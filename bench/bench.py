"""Times git-issue commands next to git baselines; see bench/run.sh."""

import os
import shutil
import statistics
import subprocess
import sys
import time

release = sys.argv[1]
sizes = [int(s) for s in sys.argv[2:]] or [1000, 10000, 100000]
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


def run(args, cwd, stdout=subprocess.DEVNULL):
    subprocess.run(args, cwd=cwd, env=env, check=True, stdout=stdout, stderr=subprocess.DEVNULL)


def timed(args, cwd, reps, before=None):
    """Median wall time in milliseconds of `reps` runs of `args`."""
    times = []
    for i in range(reps):
        if before:
            before(i)
        start = time.perf_counter()
        run(args, cwd)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def du(path):
    total = 0
    for dirpath, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(dirpath, f))
    return total


rows = []
for n in sizes:
    repo = os.path.join(work, f"repo-{n}")
    shutil.rmtree(repo, ignore_errors=True)
    os.makedirs(repo)
    data = os.path.join(work, f"corpus-{n}.jsonl")
    with open(data, "w") as out:
        subprocess.run([corpus, str(n)], stdout=out, check=True)
    run(["git", "init", "-q", "-b", "main"], repo)
    run(["git", "commit", "-q", "--allow-empty", "-m", "init"], repo)
    run([gi, "init", "--key", "BC"], repo)
    start = time.perf_counter()
    run([gi, "import", data], repo)
    import_ms = (time.perf_counter() - start) * 1000
    # The baseline: git fast-import of the very files the import wrote,
    # into an empty repository (the stream is written first, not timed).
    stream = os.path.join(work, f"stream-{n}")
    with open(stream, "wb") as out:
        subprocess.run(["git", "fast-export", "issues"], cwd=repo, stdout=out, check=True)
    fast = os.path.join(work, f"fast-{n}")
    shutil.rmtree(fast, ignore_errors=True)
    run(["git", "init", "-q", "--bare", fast], work)
    start = time.perf_counter()
    with open(stream, "rb") as inp:
        subprocess.run(["git", "fast-import", "--quiet"], cwd=fast, stdin=inp, check=True)
    fast_import_ms = (time.perf_counter() - start) * 1000
    shutil.rmtree(fast, ignore_errors=True)
    os.remove(stream)
    run(["git", "gc", "-q"], repo)
    start = time.perf_counter()
    run([gi, "list", "--limit", "1"], repo)
    first_index_ms = (time.perf_counter() - start) * 1000

    k = n // 2 + 1
    # Wherever the layout puts it (issue-format.md: three folders deep).
    path = "issues:" + next(
        line for line in subprocess.run(
            ["git", "ls-tree", "-r", "--name-only", "issues", "--", "issues"],
            cwd=repo, capture_output=True, text=True, check=True).stdout.splitlines()
        if line.endswith(f"/BC-{k}.md"))
    reps = 21
    r = {"n": n, "import": import_ms, "fast-import": fast_import_ms,
         "first index": first_index_ms}
    r["cat-file"] = timed(["git", "cat-file", "-p", path], repo, reps)
    r["show"] = timed([gi, "show", f"BC-{k}"], repo, reps)
    r["git grep"] = timed(["git", "grep", "-l", "zeppelin", "issues", "--", "issues"], repo, 5)
    r["search"] = timed([gi, "search", "zeppelin"], repo, reps)
    r["list open"] = timed([gi, "list"], repo, 5)
    r["list label"] = timed([gi, "list", "label:regression", "--limit", "50"], repo, reps)
    r["new"] = timed([gi, "new", "Benchmark issue", "-m", "Body"], repo, reps)
    run([gi, "list", "--limit", "1"], repo)

    def change_100(i):
        for j in range(100):
            run([gi, "label", f"BC-{1 + (i * 100 + j) * 7 % n}", f"+bench{i}"], repo)

    r["update 100"] = timed([gi, "search", "zeppelin"], repo, 5, before=change_100)
    r["reindex"] = timed([gi, "reindex"], repo, 3)
    # Peak memory (maximum resident set) of one run each.
    for name, args in [("list", [gi, "list"]), ("search", [gi, "search", "zeppelin"]),
                       ("reindex", [gi, "reindex"])]:
        out = subprocess.run(["/usr/bin/time", "-f", "%M", *args], cwd=repo,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        r[f"RSS {name} MB"] = int(out.stderr.strip().splitlines()[-1]) / 1024
    r["index MB"] = du(os.path.join(repo, ".git", "git-issue", "index")) / 1e6
    pack = du(os.path.join(repo, ".git", "objects", "pack"))
    r["pack MB"] = pack / 1e6
    rows.append(r)
    print(f"done {n}", file=sys.stderr)

cols = ["n", "cat-file", "show", "show/cat", "git grep", "search", "grep/search", "list open",
        "list label", "new", "update 100", "reindex", "first index", "import", "fast-import",
        "import/fast", "index MB", "pack MB", "RSS list MB", "RSS search MB", "RSS reindex MB"]
print("| " + " | ".join(cols) + " |")
print("|" + "---|" * len(cols))
for r in rows:
    r["show/cat"] = r["show"] / r["cat-file"]
    r["grep/search"] = r["git grep"] / r["search"]
    r["import/fast"] = r["import"] / r["fast-import"]
    cells = []
    for c in cols:
        v = r[c]
        if c == "n":
            cells.append(f"{v:,}")
        elif c.endswith("MB"):
            cells.append(f"{v:.1f}")
        elif "/" in c:
            cells.append(f"{v:.2f}x")
        else:
            cells.append(f"{v:.1f} ms" if v < 10000 else f"{v / 1000:.1f} s")
    print("| " + " | ".join(cells) + " |")
print("\nTimes are medians of whole commands (process start included);"
      " `update 100` is a search right after 100 issues changed on the branch.")
