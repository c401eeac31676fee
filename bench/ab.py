#!/usr/bin/env python3
"""Interleaved A/B timing of whole commands, for comparing two builds (or a
build and git) on the same machine in the same run.

    bench/ab.py RUNS 'DIR|COMMAND' 'DIR|COMMAND' ...

Each command runs RUNS times in DIR, the commands taking turns (the order
reversed every other round, so neither always runs first). Prints the
median and the minimum of wall time and of CPU time (user + system of the
process and its children, from wait4) per command, and the load average.
On a shared machine read the CPU columns and the minimums; never compare
numbers from different runs.

    bench/ab.py 41 '/tmp/t|git cat-file -p issues:issues/5/5/5/BC-5555.md' \\
                   '/tmp/t|/tmp/old/git-issue show BC-5555' \\
                   '/tmp/t|target/release/git-issue show BC-5555'
"""
import os
import statistics
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    runs = int(sys.argv[1])
    specs = [arg.split("|", 1) for arg in sys.argv[2:]]
    env = dict(os.environ, NO_COLOR="1")
    results = [[] for _ in specs]
    for i in range(runs):
        order = list(enumerate(specs))
        if i % 2:
            order.reverse()
        for j, (cwd, command) in order:
            start = time.perf_counter()
            p = subprocess.Popen(command.split(), cwd=cwd, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, _, usage = os.wait4(p.pid, 0)
            wall = (time.perf_counter() - start) * 1000
            results[j].append((wall, (usage.ru_utime + usage.ru_stime) * 1000))
    print("| command | wall median | wall min | CPU median | CPU min |")
    print("|---|---|---|---|---|")
    for (cwd, command), r in zip(specs, results):
        walls, cpus = [x[0] for x in r], [x[1] for x in r]
        print(f"| `{command}` in {cwd} | {statistics.median(walls):.1f} ms | {min(walls):.1f} ms"
              f" | {statistics.median(cpus):.1f} ms | {min(cpus):.1f} ms |")
    print(f"\nload average {' '.join(open('/proc/loadavg').read().split()[:3])}")


if __name__ == "__main__":
    main()
