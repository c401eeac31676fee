"""Writes a GitHub export of N issues and 3N comments, shaped like the
fixtures in tests/fixtures/bridges/github (every member the API returns),
as `gh api --paginate` prints it: pages of 100, back to back.

    python3 bench/bridge_corpus.py N OUT_DIR
"""

import copy
import json
import os
import random
import sys

n = int(sys.argv[1])
out = sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))
fixtures = os.path.join(here, "..", "tests", "fixtures", "bridges", "github")


def stream(path):
    text, dec, i, items = open(path, encoding="utf-8").read(), json.JSONDecoder(), 0, []
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i == len(text):
            return items
        v, i = dec.raw_decode(text, i)
        items.extend(v)


issues = [i for i in stream(os.path.join(fixtures, "issues.json")) if "pull_request" not in i]
comments = stream(os.path.join(fixtures, "comments.json"))
rng = random.Random(7)
people = [i["user"] for i in issues]
labels = [l for i in issues for l in i["labels"]]
bodies = [i["body"] or "" for i in issues]
comment_bodies = [c["body"] for c in comments]
repo = "https://api.github.com/repos/fjordsoft/ledgerline"
web = "https://github.com/fjordsoft/ledgerline"


def pages(items, path):
    with open(path, "w", encoding="utf-8") as f:
        for start in range(0, len(items), 100):
            json.dump(items[start:start + 100], f, ensure_ascii=False, separators=(",", ":"))
            f.write("\n")


made = []
for k in range(1, n + 1):
    base = copy.deepcopy(issues[k % len(issues)])
    base["number"] = k
    base["id"] = 3_000_000_000 + k
    base["title"] = f"{base['title']} ({k})"
    base["body"] = bodies[rng.randrange(len(bodies))] + f"\r\n\r\nSeen in run {k}."
    base["user"] = people[rng.randrange(len(people))]
    base["labels"] = rng.sample(labels, rng.randrange(0, 4))
    for key in ("url", "comments_url", "events_url", "labels_url", "timeline_url"):
        if key in base:
            base[key] = base[key].replace(f"/issues/{issues[k % len(issues)]['number']}", f"/issues/{k}")
    base["html_url"] = f"{web}/issues/{k}"
    base["comments"] = 3
    made.append(base)
pages(made, os.path.join(out, "issues.json"))

made = []
cid = 4_000_000_000
for k in range(1, n + 1):
    for j in range(3):
        cid += 1
        c = copy.deepcopy(comments[(k + j) % len(comments)])
        c["id"] = cid
        c["issue_url"] = f"{repo}/issues/{k}"
        c["html_url"] = f"{web}/issues/{k}#issuecomment-{cid}"
        c["url"] = f"{repo}/issues/comments/{cid}"
        c["user"] = people[rng.randrange(len(people))]
        c["body"] = comment_bodies[rng.randrange(len(comment_bodies))] + f" ({k}.{j})"
        made.append(c)
pages(made, os.path.join(out, "comments.json"))
