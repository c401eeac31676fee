"""Times `search` through the MCP server next to the command line's
`search` in the same run, on a generated tracker; see bench/mcp.sh.

    python3 bench/mcp_bench.py RELEASE_DIR [N]

For each query: the command (`git issue search Q --json`, process start
included, as a script or a person runs it), a call of the `search` tool on a
server that is already running (as an agent host keeps it), and a cold call
(start `git issue mcp`, handshake, one search), each through the official
Python SDK; with and without --include-confidential (without, the default,
text is matched in public text only: internal comments are a field of their
own that the query leaves out). Medians, and each one's ratio to the
command. `login -mobile` negates a word, which a public answer must not let
an internal comment decide.
"""

import os
import shutil
import statistics
import subprocess
import sys
import time

import anyio
from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client

release = os.path.abspath(sys.argv[1])
n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
gi = os.path.join(release, "git-issue")
corpus = os.path.join(release, "examples", "corpus")
work = os.environ.get("BENCH_DIR", "/tmp/git-issue-bench")
reps = int(os.environ.get("RUNS", "21"))
queries = ["zeppelin", "login", "login -mobile", "account -safari", "crash is:open label:regression"]

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


def run(args, cwd):
    subprocess.run(args, cwd=cwd, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def median_ms(times):
    return statistics.median(times) * 1000


repo = os.path.join(work, f"mcp-repo-{n}")
if not os.path.exists(os.path.join(repo, ".git", "refs", "heads", "issues")):
    shutil.rmtree(repo, ignore_errors=True)
    os.makedirs(repo)
    data = os.path.join(work, f"corpus-{n}.jsonl")
    with open(data, "w") as out:
        subprocess.run([corpus, str(n)], stdout=out, check=True)
    run(["git", "init", "-q", "-b", "main"], repo)
    run(["git", "commit", "-q", "--allow-empty", "-m", "init"], repo)
    run([gi, "init", "--key", "BC"], repo)
    run([gi, "import", data], repo)
    run(["git", "gc", "-q"], repo)
run([gi, "reindex"], repo)


def command(query):
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        run([gi, "search", "--json", "--", *query.split()], repo)
        times.append(time.perf_counter() - start)
    return median_ms(times)


def params(flags):
    return StdioServerParameters(command=gi, args=["mcp", *flags], env=env, cwd=repo)


async def warm(query, flags):
    async with stdio_client(params(flags)) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            await session.call_tool("search", {"query": query})
            times = []
            for _ in range(reps):
                start = time.perf_counter()
                result = await session.call_tool("search", {"query": query})
                times.append(time.perf_counter() - start)
                assert not result.is_error, result
            return median_ms(times), result.structured_content["total"]


async def cold(query, flags):
    times = []
    for _ in range(max(5, reps // 3)):
        start = time.perf_counter()
        async with stdio_client(params(flags)) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                await session.call_tool("search", {"query": query})
        times.append(time.perf_counter() - start)
    return median_ms(times)


rows = []
for query in queries:
    base = command(query)
    for flags in ([], ["--include-confidential"]):
        hot, total = anyio.run(warm, query, flags)
        start_up = anyio.run(cold, query, flags)
        rows.append((query, total, " ".join(flags) or "(public)", base, hot, start_up))

print(f"`search` at {n:,} issues, medians of {reps} runs, release build:\n")
print("| query | matches | server | command | MCP call | ratio | MCP cold start + call | ratio |")
print("|---|---|---|---|---|---|---|---|")
for query, total, mode, base, hot, start_up in rows:
    print(f"| `{query}` | {total} | {mode} | {base:.1f} ms | {hot:.1f} ms | {hot / base:.2f}x "
          f"| {start_up:.1f} ms | {start_up / base:.2f}x |")
