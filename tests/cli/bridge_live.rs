//! `git issue bridge pull` and `push` for GitHub and GitLab, against fake
//! `gh` and `glab` on PATH that answer from the fixtures and record every
//! call (its arguments and the body it was sent): pagination, `since`,
//! create versus update, a failure half-way and the run that resumes it,
//! and the round trip (push, then pull, changes nothing).

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::bridge::{commits, fixture, fixture_str};
use crate::common::{Env, Run, json as parse};

/// A fake `gh` or `glab`: answers `api` requests by the first route whose
/// method matches and whose path starts with its prefix, from
/// `resp/NAME.K` for the K-th use of the route (else `resp/NAME`); an
/// answer starting with `FAIL ` is printed to stderr with exit status 1.
pub struct Fake {
    pub dir: PathBuf,
    bin: PathBuf,
}

impl Fake {
    pub fn new(env: &Env, program: &str) -> Fake {
        let dir = env.root.join(format!("fake-{program}"));
        let bin = dir.join("bin");
        std::fs::create_dir_all(bin.join("..").join("resp")).unwrap();
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::write(dir.join("routes"), "").unwrap();
        let script = r#"#!/bin/sh
D="$FAKE_DIR"
n=$(( $(cat "$D/count" 2>/dev/null || echo 0) + 1 )); echo "$n" > "$D/count"
printf '%s\n' "$*" >> "$D/args.log"
method=GET; path=""; input=""
shift
while [ $# -gt 0 ]; do
  case "$1" in
    --method|-X) method="$2"; shift ;;
    --input) input="$2"; shift ;;
    -*) ;;
    *) path="$1" ;;
  esac
  shift
done
echo "$method $path" >> "$D/calls.log"
if [ "$input" = "-" ]; then cat > "$D/body-$n.json"; fi
while IFS='	' read -r m prefix name; do
  [ "$m" = "$method" ] || continue
  case "$path" in "$prefix"*) ;; *) continue ;; esac
  k=$(( $(cat "$D/used-$name" 2>/dev/null || echo 0) + 1 )); echo "$k" > "$D/used-$name"
  f="$D/resp/$name.$k"; [ -e "$f" ] || f="$D/resp/$name"
  if head -c 5 "$f" | grep -q '^FAIL '; then cut -c6- "$f" >&2; exit 1; fi
  cat "$f"; exit 0
done < "$D/routes"
echo "fake: no route for $method $path" >&2; exit 1
"#;
        let path = bin.join(program);
        std::fs::write(&path, script).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        Fake { dir, bin }
    }

    /// Answers `METHOD PREFIX…` with `body` (each use, unless `answer_nth`
    /// gives one for a use).
    pub fn route(&self, method: &str, prefix: &str, name: &str, body: &str) {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(self.dir.join("routes"))
            .unwrap();
        writeln!(f, "{method}\t{prefix}\t{name}").unwrap();
        std::fs::write(self.dir.join("resp").join(name), body).unwrap();
    }

    /// The answer to the `k`-th use of route `name`.
    pub fn answer_nth(&self, name: &str, k: usize, body: &str) {
        std::fs::write(self.dir.join("resp").join(format!("{name}.{k}")), body).unwrap();
    }

    /// `METHOD PATH` of each call so far.
    pub fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.join("calls.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    pub fn args(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.join("args.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// The JSON body sent with call `n` (1-based over all calls).
    pub fn body(&self, n: usize) -> Value {
        parse(&std::fs::read_to_string(self.dir.join(format!("body-{n}.json"))).unwrap())
    }

    pub fn clear_log(&self) {
        let _ = std::fs::remove_file(self.dir.join("calls.log"));
        let _ = std::fs::remove_file(self.dir.join("args.log"));
    }

    pub fn run(&self, env: &Env, args: &[&str]) -> Run {
        let mut path = std::ffi::OsString::from(&self.bin);
        path.push(":");
        path.push(std::env::var_os("PATH").unwrap_or_default());
        env.run_with_env(
            args,
            &[
                ("PATH", path.to_str().unwrap()),
                ("FAKE_DIR", self.dir.to_str().unwrap()),
            ],
            "",
        )
    }

    pub fn ok(&self, env: &Env, args: &[&str]) -> Run {
        let r = self.run(env, args);
        assert_eq!(r.code, 0, "{args:?}\n{}", r.stderr);
        r
    }
}

/// The twelve issues of the fixture as one array.
fn issues() -> Vec<Value> {
    parse(&std::fs::read_to_string(fixture("github/issues-single-array.json")).unwrap())
        .as_array()
        .unwrap()
        .clone()
}

fn issue(number: u64) -> Value {
    issues()
        .into_iter()
        .find(|i| i["number"] == number)
        .unwrap()
}

fn github_pull_routes(fake: &Fake) {
    fake.route(
        "GET",
        "repos/fjordsoft/ledgerline/issues/comments",
        "comments",
        &std::fs::read_to_string(fixture("github/comments.json")).unwrap(),
    );
    fake.route(
        "GET",
        "repos/fjordsoft/ledgerline/issues?",
        "issues",
        &std::fs::read_to_string(fixture("github/issues.json")).unwrap(),
    );
}

const REPO: &str = "fjordsoft/ledgerline";

#[test]
fn github_pull_asks_gh_for_every_page_then_only_what_changed_since() {
    let env = Env::with_tracker();
    let fake = Fake::new(&env, "gh");
    github_pull_routes(&fake);
    let r = fake.ok(&env, &["bridge", "pull", "github", REPO]);
    assert!(r.stderr.contains("11 new"), "{}", r.stderr);
    assert_eq!(
        fake.calls(),
        [
            "GET repos/fjordsoft/ledgerline/issues?state=all&sort=updated&direction=asc&per_page=100",
            "GET repos/fjordsoft/ledgerline/issues/comments?sort=updated&direction=asc&per_page=100",
        ]
    );
    assert!(
        fake.args().iter().all(|a| a.starts_with("api --paginate ")),
        "{:?}",
        fake.args()
    );

    // The next pull asks for what changed since the newest change seen.
    let newest = issues()
        .iter()
        .filter(|i| i.get("pull_request").is_none())
        .map(|i| i["updated_at"].as_str().unwrap().to_owned())
        .max()
        .unwrap();
    fake.clear_log();
    fake.answer_nth(
        "issues",
        2,
        &std::fs::read_to_string(fixture("github/issues-page2-updated.json")).unwrap(),
    );
    fake.answer_nth(
        "comments",
        2,
        &std::fs::read_to_string(fixture("github/comments-updated.json")).unwrap(),
    );
    let r = fake.ok(&env, &["bridge", "pull", "github", REPO]);
    assert!(r.stderr.contains("0 new, 2 updated"), "{}", r.stderr);
    let calls = fake.calls();
    assert!(calls[0].ends_with(&format!("&since={newest}")), "{calls:?}");
    assert!(calls[1].ends_with(&format!("&since={newest}")), "{calls:?}");

    // A dry run asks, says, and writes nothing.
    let tip = env.tip();
    let r = fake.ok(
        &env,
        &["bridge", "pull", "github", REPO, "--full", "--dry-run"],
    );
    assert!(r.stderr.contains("dry run"), "{}", r.stderr);
    assert_eq!(env.tip(), tip);
}

/// `issue` as GitHub answers after a change: `changes` merged in.
fn answered(number: u64, changes: Value) -> Value {
    let mut v = issue(number);
    for (k, x) in changes.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

fn new_issue_answer(number: u64, title: &str, body: &str, updated: &str) -> Value {
    answered(
        12,
        json!({
            "id": 9_000_000_000u64 + number,
            "number": number,
            "title": title,
            "body": body,
            "html_url": format!("https://github.com/{REPO}/issues/{number}"),
            "url": format!("https://api.github.com/repos/{REPO}/issues/{number}"),
            "labels": [], "assignee": null, "assignees": [], "milestone": null, "type": null,
            "state": "open", "state_reason": null, "comments": 0,
            "created_at": updated, "updated_at": updated, "closed_at": null,
        }),
    )
}

#[test]
fn github_push_creates_updates_and_comments_then_a_pull_changes_nothing() {
    let env = Env::with_tracker();
    let fake = Fake::new(&env, "gh");
    github_pull_routes(&fake);
    fake.ok(&env, &["bridge", "pull", "github", REPO]);

    // Here: a new issue, a new title for #12 (BC-11), a comment on #1.
    let key = env.new_issue("Filed here", &["-m", "Found while testing the bridge."]);
    assert_eq!(key, "BC-12");
    env.ok(&[
        "set",
        "BC-11",
        "title=Balance report rounds negatives toward zero",
    ]);
    env.ok(&["comment", "BC-1", "-m", "Confirmed fixed here."]);

    // A dry run lists the three requests and makes none.
    fake.clear_log();
    let r = fake.ok(&env, &["bridge", "push", "github", REPO, "--dry-run"]);
    assert!(fake.calls().is_empty(), "{:?}", fake.calls());
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", r.stdout);
    assert_eq!(
        lines[0],
        "comment on BC-1 (#1): ".to_owned() + lines[0].rsplit(' ').next().unwrap()
    );
    assert_eq!(lines[1], "update BC-11 (#12): title");
    assert_eq!(lines[2], "create BC-12: title, description, status, labels");

    let created = new_issue_answer(
        13,
        "Filed here",
        "Found while testing the bridge.\n",
        "2026-01-02T03:04:10Z",
    );
    let patched = answered(
        12,
        json!({"title": "Balance report rounds negatives toward zero", "updated_at": "2026-01-02T03:04:09Z"}),
    );
    let one = answered(
        1,
        json!({"updated_at": "2026-01-02T03:04:08Z", "comments": 3}),
    );
    let comment = json!({
        "url": format!("https://api.github.com/repos/{REPO}/issues/comments/3000000001"),
        "html_url": format!("https://github.com/{REPO}/issues/1#issuecomment-3000000001"),
        "issue_url": format!("https://api.github.com/repos/{REPO}/issues/1"),
        "id": 3000000001u64,
        "user": issue(1)["user"].clone(),
        "created_at": "2026-01-02T03:04:08Z", "updated_at": "2026-01-02T03:04:08Z",
        "body": "Confirmed fixed here.",
    });
    fake.route(
        "POST",
        "repos/fjordsoft/ledgerline/issues/1/comments",
        "comment",
        &comment.to_string(),
    );
    fake.route(
        "GET",
        "repos/fjordsoft/ledgerline/issues/1",
        "one",
        &one.to_string(),
    );
    fake.route(
        "PATCH",
        "repos/fjordsoft/ledgerline/issues/12",
        "patch",
        &patched.to_string(),
    );
    fake.route(
        "POST",
        "repos/fjordsoft/ledgerline/issues",
        "create",
        &created.to_string(),
    );
    fake.clear_log();
    let r = fake.ok(&env, &["bridge", "push", "github", REPO]);
    assert!(
        r.stderr.contains("1 created, 1 updated, 1 comment(s) sent"),
        "{}",
        r.stderr
    );
    assert_eq!(
        fake.calls(),
        [
            "POST repos/fjordsoft/ledgerline/issues/1/comments",
            "GET repos/fjordsoft/ledgerline/issues/1",
            "PATCH repos/fjordsoft/ledgerline/issues/12",
            "POST repos/fjordsoft/ledgerline/issues",
        ]
    );
    let count = std::fs::read_to_string(fake.dir.join("count")).unwrap();
    let first = count.trim().parse::<usize>().unwrap() - 3;
    assert_eq!(fake.body(first), json!({"body": "Confirmed fixed here."}));
    assert_eq!(
        fake.body(first + 2),
        json!({"title": "Balance report rounds negatives toward zero"}),
        "an update sends only what changed here"
    );
    assert_eq!(
        fake.body(first + 3),
        json!({"title": "Filed here", "body": "Found while testing the bridge.", "labels": []})
    );
    let twelve = parse(&env.ok(&["show", "BC-12", "--json"]));
    assert_eq!(twelve["bridge"]["key"], "#13");
    let one_comments = parse(&env.ok(&["show", "BC-1", "--json"]))["comments"].clone();
    let mine = one_comments.as_array().unwrap().last().unwrap().clone();
    assert_eq!(mine["bridge"]["id"], "3000000001");

    // Pushing again sends nothing.
    fake.clear_log();
    fake.ok(&env, &["bridge", "push", "github", REPO]);
    assert!(fake.calls().is_empty(), "{:?}", fake.calls());

    // GitHub now lists what was sent: a pull brings nothing new.
    let mut list: Vec<Value> = issues()
        .into_iter()
        .map(|i| {
            if i["number"] == 12 {
                patched.clone()
            } else if i["number"] == 1 {
                one.clone()
            } else {
                i
            }
        })
        .collect();
    list.push(created);
    fake.answer_nth("issues", 2, &Value::Array(list).to_string());
    let mut comments = crate::bridge::stream_items(
        &std::fs::read_to_string(fixture("github/comments.json")).unwrap(),
    );
    comments.push(comment);
    fake.answer_nth("comments", 2, &Value::Array(comments).to_string());
    let (tip, n) = (env.tip(), commits(&env));
    let r = fake.ok(&env, &["bridge", "pull", "github", REPO, "--full"]);
    assert!(
        r.stderr.contains("0 new, 0 updated, 12 unchanged"),
        "{}",
        r.stderr
    );
    assert_eq!((env.tip(), commits(&env)), (tip, n));
}

#[test]
fn a_push_that_fails_half_way_keeps_what_was_created_and_the_next_run_resumes() {
    let env = Env::with_tracker();
    let fake = Fake::new(&env, "gh");
    github_pull_routes(&fake);
    fake.ok(&env, &["bridge", "pull", "github", REPO]);
    env.new_issue("First here", &["-m", "one"]);
    env.new_issue("Second here", &["-m", "two"]);
    fake.route("POST", "repos/fjordsoft/ledgerline/issues", "create", "");
    fake.answer_nth(
        "create",
        1,
        &new_issue_answer(13, "First here", "one\n", "2026-01-02T03:04:05Z").to_string(),
    );
    fake.answer_nth(
        "create",
        2,
        "FAIL HTTP 500: Internal Server Error (HTTP 500)",
    );
    fake.answer_nth(
        "create",
        3,
        &new_issue_answer(14, "Second here", "two\n", "2026-01-02T03:04:06Z").to_string(),
    );
    fake.clear_log();
    let r = fake.run(&env, &["bridge", "push", "github", REPO]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("HTTP 500"), "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "sent and recorded before it: BC-12 created as #13; run the same command again"
        ),
        "{}",
        r.stderr
    );
    // The first create is recorded; the second issue is as it was.
    assert_eq!(
        parse(&env.ok(&["show", "BC-12", "--json"]))["bridge"]["key"],
        "#13"
    );
    assert!(parse(&env.ok(&["show", "BC-13", "--json"]))["bridge"]["key"].is_null());
    fake.clear_log();
    fake.ok(&env, &["bridge", "push", "github", REPO]);
    assert_eq!(fake.calls(), ["POST repos/fjordsoft/ledgerline/issues"]);
    assert_eq!(
        parse(&env.ok(&["show", "BC-13", "--json"]))["bridge"]["key"],
        "#14"
    );
}

fn comment_answer(issue: u64, id: u64, body: &str) -> String {
    json!({
        "url": format!("https://api.github.com/repos/{REPO}/issues/comments/{id}"),
        "html_url": format!("https://github.com/{REPO}/issues/{issue}#issuecomment-{id}"),
        "issue_url": format!("https://api.github.com/repos/{REPO}/issues/{issue}"),
        "id": id,
        "user": issue_user(),
        "created_at": "2026-01-02T03:04:08Z", "updated_at": "2026-01-02T03:04:08Z",
        "body": body,
    })
    .to_string()
}

fn issue_user() -> Value {
    issue(1)["user"].clone()
}

/// The bodies of the comments each posted (answered or not), in order.
fn posted_comments(fake: &Fake) -> Vec<(String, String)> {
    let n: usize = std::fs::read_to_string(fake.dir.join("count"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let args = fake.args();
    let skip = n - args.len();
    args.iter()
        .enumerate()
        .filter(|(_, a)| a.contains("/comments") && a.contains("POST"))
        .map(|(i, a)| {
            let path = a.split(' ').find(|p| p.ends_with("/comments")).unwrap();
            let body = fake.body(skip + i + 1)["body"].as_str().unwrap().to_owned();
            (path.to_owned(), body)
        })
        .collect()
}

#[test]
fn a_push_that_fails_between_comments_never_sends_anything_twice() {
    let env = Env::with_tracker();
    let fake = Fake::new(&env, "gh");
    github_pull_routes(&fake);
    fake.ok(&env, &["bridge", "pull", "github", REPO]);
    // Two comments here on #1 (BC-1), and a new issue with a comment.
    env.ok(&["comment", "BC-1", "-m", "first"]);
    env.ok(&["comment", "BC-1", "-m", "second"]);
    env.new_issue("Filed here", &["-m", "body"]);
    env.ok(&["comment", "BC-12", "-m", "on the new one"]);

    // The most specific prefixes first: the fake takes the first match.
    let one = "repos/fjordsoft/ledgerline/issues/1/comments";
    let thirteen = "repos/fjordsoft/ledgerline/issues/13/comments";
    fake.route("POST", one, "c1", "");
    fake.answer_nth("c1", 1, &comment_answer(1, 3000000001, "first"));
    fake.answer_nth("c1", 2, "FAIL HTTP 502: Bad Gateway (HTTP 502)");
    fake.answer_nth("c1", 3, &comment_answer(1, 3000000002, "second"));
    fake.route("POST", thirteen, "c13", "");
    fake.answer_nth("c13", 1, "FAIL HTTP 502: Bad Gateway (HTTP 502)");
    fake.answer_nth("c13", 2, &comment_answer(13, 3000000003, "on the new one"));
    let created = new_issue_answer(13, "Filed here", "body\n", "2026-01-02T03:04:10Z");
    fake.route(
        "GET",
        "repos/fjordsoft/ledgerline/issues/13",
        "g13",
        &created.to_string(),
    );
    fake.route(
        "GET",
        "repos/fjordsoft/ledgerline/issues/1",
        "g1",
        &answered(1, json!({"updated_at": "2026-01-02T03:04:08Z"})).to_string(),
    );
    fake.route(
        "POST",
        "repos/fjordsoft/ledgerline/issues",
        "create",
        &created.to_string(),
    );
    fake.clear_log();

    // 1: the second comment on #1 fails; the first is recorded.
    let r = fake.run(&env, &["bridge", "push", "github", REPO]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("HTTP 502"), "{}", r.stderr);
    assert!(
        r.stderr.contains("sent and recorded before it: comment "),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains(" on BC-1 (#1); run the same command again"),
        "{}",
        r.stderr
    );
    let comments = parse(&env.ok(&["show", "BC-1", "--json"]))["comments"].clone();
    let ids: Vec<&Value> = comments
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .take(2)
        .map(|c| &c["bridge"]["id"])
        .collect();
    assert_eq!(ids, [&Value::Null, &json!("3000000001")]);

    // 2: the second comment goes, the issue is created, its comment fails.
    let r = fake.run(&env, &["bridge", "push", "github", REPO]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("BC-12 created as #13"), "{}", r.stderr);
    assert_eq!(
        parse(&env.ok(&["show", "BC-12", "--json"]))["bridge"]["key"],
        "#13"
    );

    // 3: only the comment that is missing there.
    fake.ok(&env, &["bridge", "push", "github", REPO]);
    // 4: nothing left.
    let before = fake.calls().len();
    fake.ok(&env, &["bridge", "push", "github", REPO]);
    assert_eq!(fake.calls().len(), before);

    let posts: Vec<String> = fake
        .calls()
        .into_iter()
        .filter(|c| c.starts_with("POST") || c.starts_with("PATCH"))
        .collect();
    assert_eq!(
        posts,
        [
            format!("POST {one}"),
            format!("POST {one}"),
            format!("POST {one}"),
            "POST repos/fjordsoft/ledgerline/issues".to_owned(),
            format!("POST {thirteen}"),
            format!("POST {thirteen}"),
        ],
        "one create; each comment once more only where it failed"
    );
    let one_path = one.to_owned();
    let thirteen_path = thirteen.to_owned();
    assert_eq!(
        posted_comments(&fake),
        [
            (one_path.clone(), "first".to_owned()),
            (one_path.clone(), "second".to_owned()),
            (one_path, "second".to_owned()),
            (thirteen_path.clone(), "on the new one".to_owned()),
            (thirteen_path, "on the new one".to_owned()),
        ]
    );
}

#[test]
fn gitlab_pull_reads_each_issues_notes_through_glab() {
    let env = Env::with_tracker();
    let fake = Fake::new(&env, "glab");
    for i in 1..=7 {
        fake.route(
            "GET",
            &format!("projects/fjordsoft%2Fledgerline/issues/{i}/notes"),
            &format!("notes{i}"),
            &std::fs::read_to_string(fixture(&format!("gitlab/notes-{i}.json"))).unwrap(),
        );
    }
    fake.route(
        "GET",
        "projects/fjordsoft%2Fledgerline/issues?",
        "issues",
        &std::fs::read_to_string(fixture("gitlab/issues.json")).unwrap(),
    );
    let r = fake.ok(&env, &["bridge", "pull", "gitlab", REPO]);
    assert!(r.stderr.contains("7 new"), "{}", r.stderr);
    let calls = fake.calls();
    assert_eq!(
        calls[0],
        "GET projects/fjordsoft%2Fledgerline/issues?state=all&order_by=updated_at&sort=asc&per_page=100"
    );
    assert_eq!(calls.len(), 8, "{calls:?}");
    assert!(calls.contains(&"GET projects/fjordsoft%2Fledgerline/issues/3/notes?sort=asc&order_by=created_at&per_page=100".to_owned()));
    // The same as importing the files.
    let files = crate::bridge::branch_files(&env);
    let other = Env::with_tracker();
    let mut args = vec![
        "bridge".to_owned(),
        "import".to_owned(),
        "gitlab".to_owned(),
        fixture_str("gitlab/issues.json"),
    ];
    args.extend((1..=7).map(|i| fixture_str(&format!("gitlab/notes-{i}.json"))));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    other.ok(&args);
    assert_eq!(crate::bridge::branch_files(&other), files);

    // A push of a local edit: PUT with what changed.
    env.ok(&["close", "BC-7"]);
    let mut seven = issue_gitlab(7);
    seven["state"] = json!("closed");
    seven["closed_at"] = json!("2026-01-02T03:04:05.000Z");
    seven["updated_at"] = json!("2026-01-02T03:04:05.000Z");
    fake.route(
        "PUT",
        "projects/fjordsoft%2Fledgerline/issues/7",
        "put",
        &seven.to_string(),
    );
    fake.clear_log();
    fake.ok(&env, &["bridge", "push", "gitlab", REPO]);
    assert_eq!(
        fake.calls(),
        ["PUT projects/fjordsoft%2Fledgerline/issues/7"]
    );
    let n: usize = std::fs::read_to_string(fake.dir.join("count"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(fake.body(n), json!({"state_event": "close"}));
}

fn issue_gitlab(iid: u64) -> Value {
    parse(&std::fs::read_to_string(fixture("gitlab/issues.json")).unwrap())
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["iid"] == iid)
        .unwrap()
        .clone()
}

#[test]
fn without_gh_the_error_says_what_to_install() {
    let env = Env::with_tracker();
    let r = env.run_with_env(
        &["bridge", "pull", "github", REPO],
        &[("PATH", "/nonexistent")],
        "",
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("error: gh is not installed"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("hint: install gh"), "{}", r.stderr);
    let r = env.run(&["bridge", "pull", "github", "not-a-repo"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}
