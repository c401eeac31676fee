#!/usr/bin/env python3
"""Ten clones, a thousand changes: sync at scale, through a real bare remote.

    bench/sync-scale.sh [--clones 10] [--ops 1000] [--issues 2000] [--seed 7]

A bare remote and N clones of one tracker (ISSUES issues from
examples/corpus.rs), then OPS random operations (new, comment, label, set of
priority/assignee/status/milestone, close, reopen, description edits,
delete) at increasing times, with syncs in between, a third of them two or
three at once. Then three rounds of syncs. Prints:

- convergence: every clone and the remote hold the same tree;
- nothing lost: every acknowledged issue, comment and label, and the later
  edit of every field, on the remote's final tree;
- keys and ids unique, `git fsck` clean;
- a merging sync against a plain `git fetch` of the same commits (median
  ratio), and the retries and renumberings syncs reported;
- bytes stored per change, locally and on the remote: the compressed size
  of the objects each single-field change adds (what loose objects hold
  before the file system rounds them up, and what a pack without deltas
  would), besides the disk usage before and after `git gc`.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sh(args, cwd, env, check=True, stdin=None):
    r = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, input=stdin)
    if check and r.returncode != 0:
        sys.exit(f"{' '.join(args)} failed in {cwd}:\n{r.stderr}")
    return r


def objects_size(git_dir):
    """Sum of the sizes of loose object files and packs, and their count."""
    total, count = 0, 0
    for dirpath, _, files in os.walk(os.path.join(git_dir, "objects")):
        for f in files:
            if f.endswith(".keep") or dirpath.endswith("info"):
                continue
            total += os.path.getsize(os.path.join(dirpath, f))
            count += 1
    return total, count


def du(path):
    r = subprocess.run(["du", "-sk", path], capture_output=True, text=True)
    return int(r.stdout.split()[0]) * 1024


def change_cost(repo, env, commit):
    """Compressed bytes of the objects `commit` added to the issues branch."""
    r = sh(["git", "rev-list", "--objects", f"{commit}^!"], repo, env)
    total = 0
    for line in r.stdout.splitlines():
        oid = line.split()[0]
        kind = sh(["git", "cat-file", "-t", oid], repo, env).stdout.strip()
        raw = subprocess.run(["git", "cat-file", kind, oid], cwd=repo, env=env, capture_output=True).stdout
        header = f"{kind} {len(raw)}\0".encode()
        total += len(zlib.compress(header + raw))
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clones", type=int, default=10)
    ap.add_argument("--ops", type=int, default=1000)
    ap.add_argument("--issues", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/git-issue"))
    ap.add_argument("--corpus", default=os.path.join(ROOT, "target/release/examples/corpus"))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="git-issue-sync-scale-")
    env = dict(os.environ)
    env.update(
        GIT_CONFIG_GLOBAL="/dev/null",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Bench",
        GIT_AUTHOR_EMAIL="bench@example.com",
        GIT_COMMITTER_NAME="Bench",
        GIT_COMMITTER_EMAIL="bench@example.com",
        NO_COLOR="1",
        # No auto-gc during the run: it would hide what a change costs.
        GIT_AUTO_GC="0",
    )
    bindir = os.path.dirname(args.bin)
    env["PATH"] = bindir + os.pathsep + env["PATH"]
    gi = args.bin

    print(f"# sync at scale: {args.clones} clones, {args.ops} operations, {args.issues} issues, seed {args.seed}")
    print(f"work: {work}")
    remote = os.path.join(work, "remote.git")
    sh(["git", "init", "-q", "--bare", "-b", "main", remote], work, env)
    sh(["git", "-C", remote, "config", "gc.auto", "0"], work, env)
    first = os.path.join(work, "c0")
    sh(["git", "init", "-q", "-b", "main", first], work, env)
    sh(["git", "commit", "-q", "--allow-empty", "-m", "init"], first, env)
    sh(["git", "remote", "add", "origin", remote], first, env)
    sh(["git", "push", "-q", "origin", "main"], first, env)
    sh([gi, "init", "--key", "BC"], first, env)
    corpus = subprocess.run([args.corpus, str(args.issues)], capture_output=True, text=True).stdout
    sh([gi, "import", "-"], first, env, stdin=corpus)
    sh([gi, "sync"], first, env)
    clones = [first]
    for i in range(1, args.clones):
        c = os.path.join(work, f"c{i}")
        sh(["git", "clone", "-q", remote, c], work, env)
        sh([gi, "init"], c, env)
        clones.append(c)
    for c in clones:
        sh(["git", "config", "gc.auto", "0"], c, env)

    # Issues are followed by id: titles repeat in the corpus, and keys move
    # when a sync renumbers.
    def keys_of(c):
        out = sh([gi, "list", "--all", "--json"], c, env).stdout
        return {i["id"]: i["key"] for i in json.loads(out)}

    known = [keys_of(c) for c in clones]
    titles = set(known[0])  # ids
    comments, labels, deleted = set(), set(), set()
    latest = {}
    clock = [0]
    sync_times, fetch_times, retries, renumbered = [], [], [], []
    costs = []
    lock = threading.Lock()

    def stamp():
        clock[0] += 1
        return f"@{1_800_000_000 + clock[0] * 60} +0000"

    def run(c, argv, date):
        e = dict(env, GIT_COMMITTER_DATE=date)
        return sh([gi] + argv, c, e, check=False)

    def sync(i, date, measure):
        c = clones[i]
        e = dict(env, GIT_COMMITTER_DATE=date)
        fetch = None
        if measure:
            t0 = time.perf_counter()
            sh(["git", "fetch", "-q", "origin", "+refs/heads/issues:refs/remotes/origin/issues"], c, e)
            fetch = time.perf_counter() - t0
        t0 = time.perf_counter()
        r = sh([gi, "sync", "--json"], c, e, check=False)
        took = time.perf_counter() - t0
        if r.returncode != 0:
            sys.exit(f"sync failed in {c}:\n{r.stderr}")
        report = json.loads(r.stdout)
        with lock:
            retries.append(report.get("retries", 0))
            renumbered.extend(report.get("renumbered", []))
            if measure and report.get("local") == "merged":
                sync_times.append(took)
                fetch_times.append(fetch)
        return report

    start = time.perf_counter()
    for step in range(args.ops):
        i = rng.randrange(len(clones))
        c = clones[i]
        keys = [(t, k) for t, k in known[i].items() if t not in deleted]
        date = stamp()
        roll = rng.randrange(14)
        if roll <= 1:
            title = f"New {step}"
            r = run(c, ["new", title, "-m", "new", "--json"], date)
            made = json.loads(r.stdout)
            known[i][made["id"]] = made["key"]
            titles.add(made["id"])
        elif roll == 2:
            t, k = rng.choice(keys)
            body = f"Comment {step}"
            if run(c, ["comment", k, "-m", body], date).returncode == 0:
                comments.add((t, body))
        elif roll == 3:
            t, k = rng.choice(keys)
            label = f"l{rng.randrange(5)}"
            if run(c, ["label", k, "+" + label], date).returncode == 0:
                labels.add((t, label))
        elif roll <= 8:
            t, k = rng.choice(keys)
            field, value = rng.choice([
                ("priority", rng.choice(["p0", "p1", "p3"])),
                ("assignee", rng.choice(["ann", "bob", "cy", "dee"])),
                ("status", rng.choice(["triaged", "in_progress", "open", "closed"])),
                ("milestone", f"v{rng.randrange(4)}"),
            ])
            before = sh(["git", "rev-parse", "issues"], c, env).stdout.strip()
            r = run(c, ["set", k, f"{field}={value}"], date)
            if r.returncode == 0 and "nothing to change" not in r.stderr:
                latest[(t, field)] = value
                after = sh(["git", "rev-parse", "issues"], c, env).stdout.strip()
                if after != before and len(costs) < 200:
                    costs.append(change_cost(c, env, after))
        elif roll == 9:
            # A description edit, through the editor as a person makes it.
            t, k = rng.choice(keys)
            e = dict(env, GIT_COMMITTER_DATE=date,
                     GIT_EDITOR=f"sh -c 'echo \"Edited at step {step}.\" >> \"$1\"' --")
            sh([gi, "edit", k], c, e, check=False)
        elif roll == 10 and len(keys) > 10:
            t, k = rng.choice(keys)
            if run(c, ["delete", k], date).returncode == 0:
                deleted.add(t)
        elif roll == 11:
            chosen = rng.sample(range(len(clones)), rng.choice([2, 3]))
            threads = [threading.Thread(target=sync, args=(j, date, False)) for j in chosen]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            for j in chosen:
                known[j] = keys_of(clones[j])
        else:
            sync(i, date, True)
            known[i] = keys_of(c)
    ops_time = time.perf_counter() - start

    for _ in range(3):
        for j, c in enumerate(clones):
            sync(j, stamp(), False)
    tree = lambda d: sh(["git", "rev-parse", "issues^{tree}"], d, env).stdout.strip()
    remote_tree = tree(remote)
    converged = all(tree(c) == remote_tree for c in clones)

    final = json.loads(sh([gi, "list", "--all", "--json"], first, env).stdout)
    by_title = {}
    for i in final:
        by_title[i["id"]] = json.loads(sh([gi, "show", i["key"], "--json"], first, env).stdout)
    got_titles = set(by_title)
    kept = titles - deleted
    lost_issues = kept - got_titles
    lost_comments = {(t, b) for (t, b) in comments if t in got_titles and b + "\n" not in
                     {c["body"] for c in by_title[t]["comments"]}}
    lost_labels = {(t, l) for (t, l) in labels if t in got_titles and l not in by_title[t]["labels"]}
    wrong_fields = {(t, f): (v, by_title[t].get(f)) for (t, f), v in latest.items()
                    if t in got_titles and t not in deleted and by_title[t].get(f) != v}
    keys_unique = len({i["key"] for i in final}) == len(final)
    ids_unique = len({v["id"] for v in by_title.values()}) == len(by_title)
    fsck = sh(["git", "fsck", "--no-dangling", "--strict"], remote, env, check=False).returncode == 0
    doctor = sh([gi, "doctor"], first, env, check=False).returncode == 0

    def med(v):
        return statistics.median(v) if v else float("nan")

    ratios = [s / f for s, f in zip(sync_times, fetch_times) if f > 0]
    changes = int(sh(["git", "rev-list", "--count", "--no-merges", "issues"], remote, env).stdout)
    r_size, r_count = objects_size(remote)
    r_du = du(remote)
    l_size, l_count = objects_size(os.path.join(first, ".git"))
    print()
    print("| figure | value |")
    print("|---|---|")
    print(f"| operations (wall) | {args.ops} in {ops_time:.0f} s |")
    print(f"| converged (every clone == remote) | {'yes' if converged else 'NO'} |")
    print(f"| issues lost | {len(lost_issues)} of {len(kept)} |")
    print(f"| comments lost | {len(lost_comments)} of {len(comments)} |")
    print(f"| labels lost | {len(lost_labels)} of {len(labels)} |")
    print(f"| later field edits not kept | {len(wrong_fields)} of {len(latest)} |")
    print(f"| keys unique / ids unique | {keys_unique} / {ids_unique} |")
    print(f"| git fsck (remote) / doctor | {'clean' if fsck else 'FAILED'} / {'clean' if doctor else 'FAILED'} |")
    print(f"| merging sync vs git fetch (median of {len(ratios)}) | {med(sync_times)*1000:.0f} ms vs {med(fetch_times)*1000:.0f} ms: {med(ratios):.2f}x |")
    print(f"| syncs / retries / max retries in one sync | {len(retries)} / {sum(retries)} / {max(retries or [0])} |")
    print(f"| renumberings | {len(renumbered)} |")
    print(f"| bytes per single-field change (compressed objects, median of {len(costs)}) | {med(costs):.0f} B |")
    print(f"| remote: objects / disk (du) / changes | {r_size/1e6:.1f} MB in {r_count} files / {r_du/1e6:.1f} MB / {changes} |")
    sh(["git", "gc", "-q"], remote, env)
    print(f"| remote after git gc (du) | {du(remote)/1e6:.1f} MB |")
    print(f"| local clone objects | {l_size/1e6:.1f} MB in {l_count} files |")
    if wrong_fields:
        print("fields not kept:", list(wrong_fields.items())[:5])
    if lost_comments or lost_labels or lost_issues:
        print("lost:", list(lost_issues)[:5], list(lost_comments)[:5], list(lost_labels)[:5])
    shutil.rmtree(work, ignore_errors=True)
    ok = converged and not (lost_issues or lost_comments or lost_labels or wrong_fields) and keys_unique and ids_unique
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
