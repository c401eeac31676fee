"""Times git-issue next to Fossil's tickets on one corpus; see bench/peers.sh.

    python3 bench/peers.py GIT_ISSUE CORPUS_BIN [N ...]

For each size N it writes the corpus, imports it into a fresh git-issue
tracker, turns the same issues into Fossil ticket artifacts and loads them
with `fossil reconstruct`, then times each everyday command against its
closest Fossil equivalent, interleaved (ours, Fossil, Fossil, ours, ...), and
prints Markdown tables of medians. REPS (default 9) sets the repetitions and
BENCH_DIR (default /tmp/git-issue-peers) the working directory.
"""

import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

gi = os.path.abspath(sys.argv[1])
corpus_bin = os.path.abspath(sys.argv[2])
sizes = [int(s) for s in sys.argv[3:]] or [10000]
reps = int(os.environ.get("REPS", "9"))
work = os.environ.get("BENCH_DIR", "/tmp/git-issue-peers")
fossil = shutil.which("fossil") or sys.exit("fossil is not installed")

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
    # Fossil takes its user from USER, and keeps per-user state in HOME.
    "USER": "bench",
    "HOME": os.path.join(work, "home"),
    "TZ": "UTC",
})
os.makedirs(env["HOME"], exist_ok=True)


def run(args, cwd, stdout=subprocess.DEVNULL, stdin=None):
    """Runs a command; returns (wall ms, cpu ms) of the whole process."""
    start = time.perf_counter()
    p = subprocess.Popen(args, cwd=cwd, env=env, stdin=subprocess.PIPE if stdin else None,
                         stdout=stdout, stderr=subprocess.PIPE)
    if stdin:
        p.stdin.write(stdin)
        p.stdin.close()
    _, status, ru = os.wait4(p.pid, 0)
    wall = (time.perf_counter() - start) * 1000
    err = p.stderr.read()
    p.stderr.close()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(args)}\n{err.decode(errors='replace')}")
    return wall, (ru.ru_utime + ru.ru_stime) * 1000


def output(args, cwd, stdin=None):
    p = subprocess.run(args, cwd=cwd, env=env, input=stdin, capture_output=True, check=True)
    return p.stdout.decode(errors="replace")


def loadavg():
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


# --- Fossil ticket artifacts ----------------------------------------------

# Fossil's default ticket table plus three columns for what it has no field
# for; adding columns is how Fossil's ticket setup page customises tickets.
TICKET_TABLE = """CREATE TABLE ticket(
  tkt_id INTEGER PRIMARY KEY,
  tkt_uuid TEXT UNIQUE,
  tkt_mtime DATE,
  tkt_ctime DATE,
  type TEXT,
  status TEXT,
  subsystem TEXT,
  priority TEXT,
  severity TEXT,
  foundin TEXT,
  private_contact TEXT,
  resolution TEXT,
  title TEXT,
  comment TEXT,
  assignee TEXT,
  labels TEXT,
  milestone TEXT
);
CREATE TABLE ticketchng(
  tkt_id INTEGER REFERENCES ticket,
  tkt_rid INTEGER REFERENCES blob,
  tkt_mtime DATE,
  tkt_user TEXT,
  login TEXT,
  username TEXT,
  mimetype TEXT,
  icomment TEXT
);
CREATE INDEX ticketchng_idx1 ON ticketchng(tkt_id, tkt_mtime);
"""

OPEN_STATUSES = "'Open','Verified','Review'"
REPORTS = {
    # Like `git issue list`: open tickets, newest first.
    "Open": f"""SELECT substr(tkt_uuid,1,10) AS '#', status, type, priority, title,
  labels, assignee FROM ticket WHERE status IN ({OPEN_STATUSES})
  ORDER BY tkt_ctime DESC""",
    # Every ticket; the command line adds a TICKETFILTER on the labels.
    "Tickets": """SELECT substr(tkt_uuid,1,10) AS '#', status, type, priority, title,
  labels, assignee FROM ticket ORDER BY tkt_ctime DESC""",
}

STATUS = {  # ours -> (Fossil status, resolution), Fossil's default vocabulary
    "open": ("Open", "Open"),
    "triaged": ("Verified", "Open"),
    "in_progress": ("Review", "Open"),
    "resolved": ("Fixed", "Fixed"),
    "closed": ("Closed", "Fixed"),
    "wont_fix": ("Closed", "Rejected"),
}
TYPE = {"bug": "Code_Defect", "feature": "Feature_Request", "optimization": "Feature_Request",
        "docs": "Documentation", "question": "Incident"}
PRIORITY = {"p0": "Immediate", "p1": "High", "p2": "Medium", "p3": "Low"}
SEVERITY = {"critical": "Critical", "high": "Severe", "medium": "Important", "low": "Minor",
            "info": "Cosmetic"}


def fossilize(s):
    """Fossil's escaping of card arguments (encode.c)."""
    s = s.replace("\\", "\\\\").replace(" ", "\\s").replace("\n", "\\n").replace("\t", "\\t")
    if any(c in s for c in "\r\f\v\0"):
        s = s.replace("\r", "\\r").replace("\f", "\\f").replace("\v", "\\v").replace("\0", "\\0")
    return s


def tkt_uuid(key):
    return hashlib.sha1(key.encode()).hexdigest()


def fossil_time(iso):
    # "2023-11-14T22:33:20Z" -> "2023-11-14T22:33:20.000"
    return iso.rstrip("Z")[:19] + ".000"


def artifact(date, fields, uuid, user):
    """A ticket change artifact: D, J (sorted by name, '+' included), K, U, Z."""
    lines = [f"D {fossil_time(date)}"]
    for name in sorted(fields):
        value = fields[name]
        lines.append(f"J {name} {fossilize(value)}" if value else f"J {name}")
    lines.append(f"K {uuid}")
    lines.append(f"U {fossilize(user)}")
    text = "\n".join(lines) + "\n"
    return text + f"Z {hashlib.md5(text.encode()).hexdigest()}\n"


def login(person):
    # "alice <bob@example.com>" -> ("alice", "bob@example.com")
    name, _, mail = person.partition(" <")
    return name, mail.rstrip(">")


def write_artifacts(data, outdir):
    """One artifact per issue, one more per comment; returns the artifact count."""
    count = 0
    dirs = set()
    with open(data) as f:
        for line in f:
            issue = json.loads(line)
            uuid = tkt_uuid(issue["key"])
            status, resolution = STATUS[issue["status"]]
            reporter, mail = login(issue["reporter"])
            fields = {
                "title": issue["title"],
                "type": TYPE.get(issue["type"], issue["type"]),
                "status": status,
                "resolution": resolution,
                "priority": PRIORITY.get(issue["priority"], issue["priority"]),
                "severity": SEVERITY.get(issue.get("severity") or "", ""),
                "subsystem": issue.get("component") or "",
                "labels": " ".join(issue.get("labels") or []),
                "assignee": issue.get("assignee") or "",
                "milestone": issue.get("milestone") or "",
                "private_contact": mail,
                "comment": issue.get("body") or "",
            }
            fields = {k: v for k, v in fields.items() if v}
            arts = [artifact(issue["created"], fields, uuid, reporter)]
            for c in issue.get("comments") or []:
                who, _ = login(c["author"])
                arts.append(artifact(c["created"], {
                    "icomment": c["body"], "login": who, "username": who,
                    "mimetype": "text/x-markdown"}, uuid, who))
            for a in arts:
                name = hashlib.sha3_256(a.encode()).hexdigest()
                sub = os.path.join(outdir, name[:2])
                if name[:2] not in dirs:
                    os.makedirs(sub, exist_ok=True)
                    dirs.add(name[:2])
                with open(os.path.join(sub, name), "w") as out:
                    out.write(a)
                count += 1
    return count


def sql_quote(s):
    return "'" + s.replace("'", "''") + "'"


def load_fossil(data, n, repo, cwd):
    """Loads the corpus as Fossil tickets; returns {step: ms}."""
    t = {}
    # Stage the artifacts in memory when possible: creating 10^5 small files
    # on disk takes minutes on some machines, and staging is not Fossil's work.
    arts = tempfile.mkdtemp(prefix="fossil-artifacts-",
                            dir="/dev/shm" if os.path.isdir("/dev/shm") else cwd)
    start = time.perf_counter()
    t["artifacts"] = write_artifacts(data, arts)
    t["write artifacts"] = (time.perf_counter() - start) * 1000
    t["reconstruct"] = run([fossil, "reconstruct", repo, arts], cwd)[0]
    shutil.rmtree(arts)
    stmts = [f"REPLACE INTO config(name,value,mtime) VALUES('ticket-table',{sql_quote(TICKET_TABLE)},now())",
             # /srchsetup's "maximum number of results" (default 100): print every hit, as ours does.
             f"REPLACE INTO config(name,value,mtime) VALUES('search-limit','{n}',now())"]
    for title, sql in REPORTS.items():
        stmts.append("INSERT INTO reportfmt(owner,title,mtime,cols,sqlcode) VALUES("
                     f"'bench',{sql_quote(title)},now(),'',{sql_quote(sql)})")
    run([fossil, "sql", "-R", repo, ";\n".join(stmts) + ";"], cwd)
    # What the ticket setup page does after the schema changes.
    t["ticket rebuild"] = run([fossil, "test-ticket-rebuild", "-R", repo, "all"], cwd)[0]
    # Every artifact must have become a ticket change: Fossil drops unparsable ones silently.
    counts = output([fossil, "sql", "--readonly", "-R", repo, ".mode list",
                     "SELECT (SELECT count(*) FROM ticket) || ' ' || (SELECT count(*) FROM ticketchng);"],
                    cwd).split()
    if counts != [str(n), str(t["artifacts"])]:
        sys.exit(f"fossil loaded {counts} tickets and changes, expected {n} and {t['artifacts']}")
    run([fossil, "fts-config", "-R", repo, "enable", "t"], cwd)
    t["fts index"] = run([fossil, "fts-config", "-R", repo, "index", "on"], cwd)[0]
    return t


# --- timing ------------------------------------------------------------------

def timed_pair(ours, theirs, before=None):
    """Interleaved medians: (ours wall, ours cpu, theirs wall, theirs cpu)."""
    a, b = [], []
    for i in range(reps):
        if before:
            before(i)
        pair = [(ours(i), a), (theirs(i), b)]
        for (args, cwd, stdin), into in (pair if i % 2 == 0 else pair[::-1]):
            into.append(run(args, cwd, stdin=stdin))
    med = lambda xs, j: statistics.median(x[j] for x in xs)
    return med(a, 0), med(a, 1), med(b, 0), med(b, 1)


def timed_one(args, cwd):
    xs = [run(args, cwd) for _ in range(reps)]
    return statistics.median(x[0] for x in xs), statistics.median(x[1] for x in xs)


def ms(v):
    return f"{v:.1f} ms" if v < 10000 else f"{v / 1000:.1f} s"


def bench(n):
    base = os.path.join(work, str(n))
    shutil.rmtree(base, ignore_errors=True)
    repo = os.path.join(base, "git")
    fdir = os.path.join(base, "fossil")
    os.makedirs(repo)
    os.makedirs(fdir)
    frepo = os.path.join(fdir, "tickets.fossil")
    data = os.path.join(base, "corpus.jsonl")
    with open(data, "w") as out:
        subprocess.run([corpus_bin, str(n)], stdout=out, check=True)
    issues = [json.loads(line) for line in open(data)]

    load = {"load at start": loadavg()}
    run(["git", "init", "-q", "-b", "main"], repo)
    run(["git", "commit", "-q", "--allow-empty", "-m", "init"], repo)
    run([gi, "init", "--key", "BC"], repo)
    load["git-issue import"] = run([gi, "import", data], repo)[0]
    run(["git", "gc", "-q"], repo)
    load["git-issue first index"] = run([gi, "list", "--limit", "1"], repo)[0]
    fl = load_fossil(data, n, frepo, fdir)
    print(f"loaded {n}: {fl}", file=sys.stderr)
    os.sync()  # let the loads' writeback finish before anything is timed

    k = n // 2 + 1
    key = f"BC-{k}"
    uuid = tkt_uuid(key)
    label = "security"
    word = "zeppelin"
    R = lambda *a: ([fossil, *a, "-R", frepo], fdir, None)
    G = lambda *a: ([gi, *a], repo, None)

    like = f"'%{word}%'"
    search_sql = (
        "SELECT substr(tkt_uuid,1,10), title, substr(x, max(1, instr(lower(x), '" + word + "') - 60), 160)"
        " FROM (SELECT tkt_uuid, title, title || char(10) || ifnull(comment,'') || char(10) ||"
        " ifnull((SELECT group_concat(icomment, char(10)) FROM ticketchng c WHERE c.tkt_id = t.tkt_id), '') AS x"
        " FROM ticket t)"
        f" WHERE x LIKE {like} ORDER BY 1;")
    http_search = (f"GET /search?s={word}&y=t HTTP/1.0\r\nHost: localhost\r\n\r\n").encode()

    # Read commands: label, ours, Fossil's, Fossil's as shown, and how to
    # count the issues each printed (None: not counted).
    ours_keys = lambda out: len(set(re.findall(r"\bBC-\d+\b", out)))
    their_keys = lambda out: len(set(re.findall(r"^[0-9a-f]{10}\b", out, re.M)))
    their_hits = lambda out: len(set(re.findall(r"/tktview/([0-9a-f]{10})", out)))
    reads = [
        ("process start (`--version`)", G("--version"), ([fossil, "version"], fdir, None),
         "fossil version", None),
        ("show one issue (fields, description, comments)", G("show", key),
         R("ticket", "history", uuid), "fossil ticket history UUID", None),
        ("show one issue (fields, description)", G("show", key),
         R("ticket", "show", "0", f"tkt_uuid='{uuid}'"),
         "fossil ticket show 0 \"tkt_uuid='UUID'\"", None),
        ("list every open issue", G("list"), R("ticket", "show", "Open"),
         "fossil ticket show Open", their_keys),
        (f"list `--label {label} --all`", G("list", "--label", label, "--all"),
         R("ticket", "show", "Tickets", f"' '||labels||' ' LIKE '% {label} %'"),
         f"fossil ticket show Tickets \"' '||labels||' ' LIKE '% {label} %'\"", their_keys),
        (f"search `{word}`, every hit (Fossil: SQL LIKE)", G("search", word, "--limit", str(n)),
         ([fossil, "sql", "--readonly", "-R", frepo, ".mode list", search_sql], fdir, None),
         "fossil sql --readonly -R REPO \"SELECT … LIKE '%WORD%'\" over title, description and comments,"
         " with a 160-character excerpt", their_keys),
        (f"search `{word}`, every hit (Fossil: FTS5 /search)", G("search", word, "--limit", str(n)),
         ([fossil, "test-http", frepo], fdir, http_search),
         "GET /search?s=WORD&y=t piped into fossil test-http REPO (the web UI's indexed ticket search"
         " with snippets, one process per request as under CGI/inetd)", their_hits),
    ]

    rows = []
    # Warm both sides (index, page cache) and count what each prints.
    for name, ours, theirs, _, count in reads:
        o = output(ours[0], ours[1])
        t = output(theirs[0], theirs[1], theirs[2])
        rows.append({"name": name, "lines": (ours_keys(o), count(t)) if count else None})
    for row, (name, ours, theirs, _, _) in zip(rows, reads):
        row["t"] = timed_pair(lambda i: ours, lambda i: theirs)

    # Writes, each repetition a real change.
    writes = [
        ("new issue", lambda i: G("new", f"Benchmark issue {i}", "-m", "Body"),
         lambda i: R("ticket", "add", "title", f"Benchmark issue {i}", "status", "Open",
                     "type", "Code_Defect", "comment", "Body")),
        ("set priority", lambda i: G("set", key, f"priority=p{i % 2}"),
         lambda i: R("ticket", "change", uuid, "priority", ["Immediate", "High"][i % 2])),
        ("add a label", lambda i: G("label", key, f"+bench{i}"),
         lambda i: R("ticket", "change", uuid, "+labels", f" bench{i}")),
        ("comment", lambda i: G("comment", key, "-m", f"Comment {i} from the benchmark"),
         lambda i: R("ticket", "change", uuid, "icomment", f"Comment {i} from the benchmark",
                     "login", "bench", "username", "bench", "mimetype", "text/x-markdown")),
    ]
    os.sync()
    for name, ours, theirs in writes:
        rows.append({"name": name, "lines": None, "t": timed_pair(ours, theirs)})

    # Check the Fossil writes landed (an unparsable artifact would be dropped silently).
    check = output([fossil, "sql", "--readonly", "-R", frepo, ".mode list",
                    f"SELECT priority, labels, (SELECT count(*) FROM ticketchng c WHERE c.tkt_id=t.tkt_id"
                    f" AND icomment LIKE 'Comment % from the benchmark') FROM ticket t WHERE tkt_uuid='{uuid}';"
                    " SELECT count(*) FROM ticket;"], fdir)
    print(f"fossil after writes: {check.split()}", file=sys.stderr)

    # Wherever the layout puts it (issue-format.md: three folders deep).
    path = "issues:" + next(
        line for line in output(["git", "ls-tree", "-r", "--name-only", "issues", "--", "issues"],
                                repo).splitlines()
        if line.endswith(f"/{key}.md"))
    baselines = {
        "git --version": timed_one(["git", "--version"], repo),
        f"git cat-file -p {path}": timed_one(["git", "cat-file", "-p", path], repo),
        f"git grep -l {word} issues -- issues": timed_one(["git", "grep", "-l", word, "issues", "--", "issues"], repo),
    }
    load["load at end"] = loadavg()
    return {"n": n, "rows": rows, "baselines": baselines, "load": load, "fossil load": fl,
            "commands": [(name, cmd) for name, _, _, cmd, _ in reads] + [
                ("new issue", "fossil ticket add title T status Open type Code_Defect comment Body"),
                ("set priority", "fossil ticket change UUID priority High"),
                ("add a label", "fossil ticket change UUID +labels ' benchN'"),
                ("comment", "fossil ticket change UUID icomment TEXT login bench username bench"
                 " mimetype text/x-markdown (what the web UI's edit page records for a remark)")],
            "open": sum(1 for i in issues if STATUS[i["status"]][1] == "Open"),
            "labelled": sum(1 for i in issues if label in (i.get("labels") or [])),
            "word": sum(1 for i in issues if word in json.dumps(i))}


fossil_version = output([fossil, "version"], work).strip()
print(f"date: {time.strftime('%Y-%m-%d %H:%M %Z')}  \n{fossil_version}  \n"
      f"git-issue: {output([gi, '--version'], work).strip()}, {reps} interleaved runs per command, "
      f"{os.cpu_count()} cores\n")
for n in sizes:
    r = bench(n)
    print(f"### {n:,} issues\n")
    print(f"Load average {r['load']['load at start']} at start, {r['load']['load at end']} at end. "
          f"{r['open']:,} open issues, {r['labelled']:,} labelled `security`, "
          f"{r['word']:,} mention `zeppelin`.\n")
    print("| command | ours | Fossil | ours/Fossil | CPU ours | CPU Fossil | issues printed (ours / Fossil) |")
    print("|---|---|---|---|---|---|---|")
    for row in r["rows"]:
        ow, oc, tw, tc = row["t"]
        lines = f"{row['lines'][0]:,} / {row['lines'][1]:,}" if row["lines"] else ""
        print(f"| {row['name']} | {ms(ow)} | {ms(tw)} | {ow / tw:.2f}x | {ms(oc)} | {ms(tc)} | {lines} |")
    print("\n| git baseline | wall | CPU |\n|---|---|---|")
    for name, (w, c) in r["baselines"].items():
        print(f"| `{name}` | {ms(w)} | {ms(c)} |")
    fl = r["fossil load"]
    print(f"\nLoading: `git issue import` {ms(r['load']['git-issue import'])}"
          f" (+ first index {ms(r['load']['git-issue first index'])});"
          f" Fossil: {fl['artifacts']:,} artifacts written by Python in {ms(fl['write artifacts'])},"
          f" `fossil reconstruct` {ms(fl['reconstruct'])}, `test-ticket-rebuild all` {ms(fl['ticket rebuild'])},"
          f" FTS index {ms(fl['fts index'])}.\n")
    print("Fossil commands:\n")
    for name, cmd in r["commands"]:
        print(f"- {name}: `{cmd}`")
    print()
