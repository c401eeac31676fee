"""Times record, record --jsonl, analyze and metrics; see bench/record.sh."""

import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from conditions import conditions

gi, corpus = sys.argv[1], sys.argv[2]
runs = int(os.environ.get("RUNS", "11"))
work = tempfile.mkdtemp(prefix="git-issue-record-bench-")

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


def run(args, cwd, stdin=None):
    subprocess.run(args, cwd=cwd, env=env, check=True, input=stdin,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


cpu = {}


def timed(args, cwd, reps=runs, stdin=None, before=None):
    """Median wall time in milliseconds of `reps` runs; the median CPU time
    (user + sys of the child), which a loaded machine inflates less, goes
    to `cpu` under the command's name."""
    times, cpus = [], []
    for i in range(reps):
        if before:
            before(i)
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        run(args, cwd, stdin)
        times.append((time.perf_counter() - start) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime) * 1000)
    cpu[" ".join(args[1:])] = statistics.median(cpus)
    return statistics.median(times)


def interleaved(a, b, cwd, reps=runs):
    """`timed` for two commands run in turn, `reps` times each: their median
    wall times, in milliseconds."""
    walls = {0: [], 1: []}
    cpus = {0: [], 1: []}
    for _ in range(reps):
        for i, args in enumerate((a, b)):
            used = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            run(args, cwd)
            walls[i].append((time.perf_counter() - start) * 1000)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus[i].append((after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime) * 1000)
    for i, args in enumerate((a, b)):
        cpu[" ".join(args[1:])] = statistics.median(cpus[i])
    return statistics.median(walls[0]), statistics.median(walls[1])


def tracker(name):
    repo = os.path.join(work, name)
    os.makedirs(repo)
    run(["git", "init", "-q", "-b", "main"], repo)
    run(["git", "commit", "-q", "--allow-empty", "-m", "init"], repo)
    run([gi, "init", "--key", "BC"], repo)
    return repo


def record_line(rng, error, at):
    components = ["db", "api", "web", "auth", "billing", "search", "upload", "cache"]
    categories = ["reliability", "performance", "security", "integration", "validation"]
    return json.dumps({
        "title": f"Error number e{error}",
        "component": components[error % len(components)],
        "category": categories[error % len(categories)],
        "severity": ["critical", "high", "medium", "low"][error % 4],
        "error-type": f"Kind{error % 17}",
        "error": f"failure in module m{error} after {rng.randrange(1000)} ms at 10.0.{rng.randrange(256)}.{rng.randrange(256)}:5432",
        "host": f"runner-{rng.randrange(20)}",
        "at": at,
    })


started = conditions()

rng = random.Random(11)
rows = []

# 1. A 10,000-issue tracker: new against record of a known error.
n = 10000
repo = tracker("issues-10000")
data = os.path.join(work, "corpus.jsonl")
with open(data, "w") as out:
    subprocess.run([corpus, str(n)], stdout=out, check=True)
run([gi, "import", data], repo)
run(["git", "gc", "-q"], repo)
known = ["record", "Database timeout", "--component", "db", "--error-type", "TimeoutError",
         "--error", "Connection to 10.0.0.7:5432 timed out after 30s", "--host", "ci-1"]
run([gi] + known, repo)
run([gi, "list", "--limit", "1"], repo)
# Interleaved, one of each in turn, so that both see the same machine.
new_ms, record_ms = interleaved([gi, "new", "Benchmark issue", "-m", "Body"], [gi] + known, repo)
rows.append(("record, known error", n, record_ms, "new", new_ms, "within 1.5x"))

# 2. 1,000 records over 50 errors, one commit: first with 50 new errors,
# then the same errors again (all known).
batch = "\n".join(record_line(rng, 100000 + i % 50, f"2026-01-{1 + i % 28:02d}T10:00:00Z")
                  for i in range(1000)) + "\n"
before = int(subprocess.run(["git", "rev-list", "--count", "issues"], cwd=repo, env=env,
                            capture_output=True, text=True, check=True).stdout)
start = time.perf_counter()
run([gi, "record", "--jsonl", "-"], repo, stdin=batch.encode())
first_batch_ms = (time.perf_counter() - start) * 1000
after = int(subprocess.run(["git", "rev-list", "--count", "issues"], cwd=repo, env=env,
                           capture_output=True, text=True, check=True).stdout)
assert after == before + 1, "one commit"
batch_ms = timed([gi, "record", "--jsonl", "-"], repo, reps=5, stdin=batch.encode())
rows.append(("record --jsonl 1,000 / 50 new errors", n, first_batch_ms, "new", new_ms, "under 1 s"))
rows.append(("record --jsonl 1,000 / 50 known errors", n, batch_ms, "new", new_ms, "under 1 s"))

# 3. 10,000 recorded errors with 100,000 occurrences over 90 days, in ten
# batches: analyze and metrics against list --limit 1.
repo = tracker("errors-10000")
for b in range(10):
    lines = []
    for i in range(10000):
        error = (i * 7919 + b * 104729) % 10000
        day = rng.randrange(90)
        at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1764547200 + day * 86400 + rng.randrange(86400)))
        lines.append(record_line(rng, error, at))
    run([gi, "record", "--jsonl", "-"], repo, stdin=("\n".join(lines) + "\n").encode())
run(["git", "gc", "-q"], repo)
start = time.perf_counter()
run([gi, "list", "--limit", "1"], repo)
first_index_ms = (time.perf_counter() - start) * 1000
list_ms = timed([gi, "list", "--limit", "1"], repo)
out = subprocess.run([gi, "metrics"], cwd=repo, env=env, capture_output=True, text=True, check=True).stdout
total = sum(int(l.rsplit(" ", 1)[1]) for l in out.splitlines() if l.startswith("git_issue_occurrences_total{"))
assert total == 100000, total
env_now = dict(env, GIT_COMMITTER_DATE="2026-03-01T00:00:00Z")
saved = env
env = env_now
analyze_ms = timed([gi, "analyze", "--since", "30d"], repo)
analyze_json_ms = timed([gi, "analyze", "--since", "30d", "--json"], repo)
env = saved
metrics_ms = timed([gi, "metrics"], repo)
m = 10000
rows.append(("analyze --since 30d", m, analyze_ms, "list --limit 1", list_ms, "under 300 ms"))
rows.append(("analyze --json", m, analyze_json_ms, "list --limit 1", list_ms, "under 300 ms"))
rows.append(("metrics", m, metrics_ms, "list --limit 1", list_ms, "under 300 ms"))

print(f"| command | issues | median | baseline | baseline median | ratio | target |")
print("|---|---|---|---|---|---|---|")
for name, issues, ms, base, base_ms, target in rows:
    print(f"| {name} | {issues:,} | {ms:.1f} ms | {base} | {base_ms:.1f} ms | {ms / base_ms:.2f}x | {target} |")
print("\nCPU (user + sys, median):")
for name, ms in cpu.items():
    print(f"- `{name[:60]}`: {ms:.1f} ms")
print(f"\nIndexing 10,000 errors with 100,000 occurrences (first list): {first_index_ms:.0f} ms."
      f" Medians of {runs} runs (batches: 5), process start included.")
shutil.rmtree(work, ignore_errors=True)
ended = conditions()
print(f"\nRun {started[0]} to {ended[0]} at commit {started[1]}, {started[3]} cores;"
      f" load average (1, 5, 15 min) {started[2]} at the start, {ended[2]} at the end.")
