#!/usr/bin/env python3
"""What a one-field change would store in other layouts of the branch.

Run in a repository whose issues branch holds a tracker (for example one
made by `git issue import` of `target/release/examples/corpus 2000`) after
a one-field change (`git issue set BC-1 priority=p1`), with the keys of
some issues of it:

    python3 bench/layout-bytes.py BC-1234 BC-555 BC-1901 ...

For each issue it sums the compressed sizes (zlib at level 6, as the
objects are stored loose) of what a change of that issue's file writes:
the root tree, `issues/`, the thousands and hundreds folders, the folder
holding the file, the file and the branch's last commit. It does this for
the layout of today (`issues/<b>/<h>/<t>/<KEY>.md`, the issue's folder
beside it) and for two that were considered (docs/sync.md), building
their trees with `git mktree` (objects are written, nothing is
committed):

- folder: each issue in a folder of its own, `<t>/<KEY>/issue.md`;
- units: a level for the units digit, `<t>/<u>/<KEY>.md`.

It prints each layout's sizes, sorted, and their median.
"""
import subprocess, zlib, sys
def git(*a, inp=None):
    return subprocess.run(["git"]+list(a), input=inp, capture_output=True, check=True).stdout
def csize(kind, oid):
    raw = git("cat-file", kind, oid)
    return len(zlib.compress(f"{kind} {len(raw)}\0".encode()+raw))
def ls(tree):
    out=[]
    for line in git("ls-tree", tree).decode().splitlines():
        meta, name = line.split("\t",1); mode, kind, oid = meta.split()
        out.append((mode, kind, oid, name))
    return out
def mktree(entries):
    text = "".join(f"{m} {k} {o}\t{n}\n" for m,k,o,n in entries)
    return git("mktree", inp=text.encode()).decode().strip()
res = {"now":[], "folder":[], "units":[]}
for key in sys.argv[1:]:
    n = int(key.split("-")[1]); b, h, t = n//1000, n//100%10, n//10%10
    tpath = f"issues:issues/{b}/{h}/{t}"
    tid = git("rev-parse", tpath).decode().strip()
    ents = ls(tid)
    blob = [e for e in ents if e[3]==f"{key}.md"][0][2]
    common = csize("tree", git("rev-parse","issues^{tree}").decode().strip()) + csize("tree", git("rev-parse","issues:issues").decode().strip()) \
        + csize("tree", git("rev-parse",f"issues:issues/{b}").decode().strip()) + csize("tree", git("rev-parse",f"issues:issues/{b}/{h}").decode().strip()) \
        + csize("blob", blob) + csize("commit", git("rev-parse","issues").decode().strip())
    res["now"].append(common + csize("tree", tid))
    # each issue a folder holding issue.md (+ its comments etc.)
    new = []; mine = None
    for m,k,o,name in ents:
        if name.endswith(".md"):
            k2 = name[:-3]
            inner = [("100644","blob",o,"issue.md")]
            sub = [e for e in ents if e[3]==k2]
            if sub: inner += ls(sub[0][2])
            fid = mktree(inner); new.append(("040000","tree",fid,k2))
            if k2==key: mine = fid
    res["folder"].append(common + csize("tree", mktree(new)) + csize("tree", mine))
    # a units level: <t>/<u>/KEY.md and KEY/
    units = {}
    for m,k,o,name in ents:
        k2 = name[:-3] if name.endswith(".md") else name
        u = int(k2.split("-")[1]) % 10
        units.setdefault(u, []).append((m,k,o,name))
    uid = {u: mktree(v) for u,v in units.items()}
    tnew = mktree([("040000","tree",i,str(u)) for u,i in uid.items()])
    res["units"].append(common + csize("tree", tnew) + csize("tree", uid[n%10]))
for k,v in res.items():
    v=sorted(v); print(k, v, "median", v[len(v)//2])
