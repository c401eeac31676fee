//! `git issue bridge pull|push gitlab` against a fake `glab` on PATH (the
//! one of `bridge_live`): every page `glab api --paginate` prints, the next
//! pull asking only for what changed since (`updated_after`), a push that
//! creates an issue with a comment and edits another, and the round trip:
//! after the push, a full pull of what GitLab then holds changes nothing.

use serde_json::{Value, json};

use crate::bridge::{commits, fixture};
use crate::bridge_live::Fake;
use crate::common::{Env, json as parse};

const PROJECT: &str = "fjordsoft/ledgerline";
const API: &str = "projects/fjordsoft%2Fledgerline";

/// The seven issues of the fixture, as GitLab lists them (newest first).
fn issues() -> Vec<Value> {
    parse(&std::fs::read_to_string(fixture("gitlab/issues.json")).unwrap())
        .as_array()
        .unwrap()
        .clone()
}

fn issue(iid: u64) -> Value {
    issues().into_iter().find(|i| i["iid"] == iid).unwrap()
}

/// `issues` as `glab api --paginate` prints them, `per_page` to a page:
/// one JSON array after the other.
fn pages(issues: &[Value], per_page: usize) -> String {
    issues
        .chunks(per_page)
        .map(|page| serde_json::to_string_pretty(page).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Issue `iid` as GitLab answers after a change: `changes` merged in.
fn answered(iid: u64, changes: Value) -> Value {
    let mut v = issue(iid);
    for (k, x) in changes.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

/// The newest `updated_at` of the fixture, to the second, as the next pull
/// sends it.
fn newest() -> String {
    let newest = issues()
        .iter()
        .map(|i| i["updated_at"].as_str().unwrap().to_owned())
        .max()
        .unwrap();
    format!("{}Z", &newest[..19])
}

fn notes_routes(fake: &Fake) {
    for i in 1..=7 {
        fake.route(
            "GET",
            &format!("{API}/issues/{i}/notes"),
            &format!("notes{i}"),
            &std::fs::read_to_string(fixture(&format!("gitlab/notes-{i}.json"))).unwrap(),
        );
    }
}

#[test]
fn gitlab_pull_reads_every_page_then_only_what_changed_since() {
    let env = Env::with_tracker();
    let fake = Fake::new(&env, "glab");
    notes_routes(&fake);
    // Three pages of three, as GitLab with per_page=3 would serve them.
    fake.route(
        "GET",
        &format!("{API}/issues?"),
        "issues",
        &pages(&issues(), 3),
    );
    let r = fake.ok(&env, &["bridge", "pull", "gitlab", PROJECT]);
    assert!(r.stderr.contains("7 new"), "{}", r.stderr);
    let args = fake.args();
    assert_eq!(args.len(), 8, "{args:?}");
    assert!(
        args.iter().all(|a| a.starts_with("api --paginate ")),
        "every request asks glab for all pages: {args:?}"
    );
    let keys: Vec<String> = (1..=7)
        .map(|n| {
            parse(&env.ok(&["show", &format!("BC-{n}"), "--json"]))["bridge"]["key"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(keys, ["#1", "#2", "#3", "#4", "#5", "#6", "#7"]);

    // The next pull asks for what changed since the newest change seen;
    // GitLab has nothing newer: no notes asked for, no commit.
    fake.clear_log();
    fake.answer_nth("issues", 2, "[]");
    let tip = env.tip();
    let r = fake.ok(&env, &["bridge", "pull", "gitlab", PROJECT]);
    assert!(r.stderr.contains("0 new, 0 updated"), "{}", r.stderr);
    assert_eq!(
        fake.calls(),
        [format!(
            "GET {API}/issues?state=all&order_by=updated_at&sort=asc&per_page=100&updated_after={}",
            newest()
        )]
    );
    assert_eq!(env.tip(), tip);

    // One issue changed there: only it and its notes are read, and only
    // what changed comes in.
    fake.clear_log();
    let retitled = answered(
        3,
        json!({"title": "Export to CSV drops the last row", "updated_at": "2024-07-01T08:00:00.000Z"}),
    );
    fake.answer_nth("issues", 3, &pages(std::slice::from_ref(&retitled), 100));
    let r = fake.ok(&env, &["bridge", "pull", "gitlab", PROJECT]);
    assert!(r.stderr.contains("0 new, 1 updated"), "{}", r.stderr);
    assert_eq!(fake.calls().len(), 2, "{:?}", fake.calls());
    assert!(fake.calls()[1].starts_with(&format!("GET {API}/issues/3/notes?")));
    assert_eq!(
        parse(&env.ok(&["show", "BC-3", "--json"]))["title"],
        "Export to CSV drops the last row"
    );
}

/// A note as GitLab answers a POST of one.
fn note(id: u64, iid: u64, body: &str, at: &str) -> Value {
    json!({
        "id": id, "type": null, "body": body, "attachment": null,
        "author": issue(7)["author"].clone(),
        "created_at": at, "updated_at": at,
        "system": false, "noteable_id": 148220999, "noteable_type": "Issue",
        "project_id": 5172634, "resolvable": false, "confidential": false,
        "internal": false, "imported": false, "imported_from": "none",
        "noteable_iid": iid, "commands_changes": {}
    })
}

#[test]
fn gitlab_push_creates_with_a_comment_and_edits_then_a_full_pull_changes_nothing() {
    let env = Env::with_tracker();
    let fake = Fake::new(&env, "glab");
    // The most specific prefixes first: the fake takes the first match.
    fake.route("GET", &format!("{API}/issues/8/notes"), "notes8", "[]");
    notes_routes(&fake);
    fake.route(
        "GET",
        &format!("{API}/issues?"),
        "issues",
        &pages(&issues(), 3),
    );
    fake.ok(&env, &["bridge", "pull", "gitlab", PROJECT]);

    // Here: a new issue with a comment, a new title for #6 (BC-6).
    let key = env.new_issue("Filed here", &["-m", "Found while testing the bridge."]);
    assert_eq!(key, "BC-8");
    env.ok(&["comment", "BC-8", "-m", "Also with **two** currencies."]);
    env.ok(&["set", "BC-6", "title=Reconcile imported statements nightly"]);

    fake.clear_log();
    let r = fake.ok(&env, &["bridge", "push", "gitlab", PROJECT, "--dry-run"]);
    assert!(fake.calls().is_empty(), "{:?}", fake.calls());
    assert_eq!(
        r.stdout,
        "update BC-6 (#6): title\ncreate BC-8: title, description, status, labels, 1 comment(s)\n"
    );

    // The project's name in other case is the same project.
    let r = fake.ok(
        &env,
        &[
            "bridge",
            "push",
            "gitlab",
            "FjordSoft/Ledgerline",
            "--dry-run",
        ],
    );
    assert_eq!(
        r.stdout,
        "update BC-6 (#6): title\ncreate BC-8: title, description, status, labels, 1 comment(s)\n"
    );

    let at = "2026-01-02T03:04:05.000Z";
    let created = answered(
        7,
        json!({
            "id": 148220999, "iid": 8, "title": "Filed here",
            "description": "Found while testing the bridge.",
            "state": "opened", "created_at": at, "updated_at": at,
            "closed_at": null, "closed_by": null, "labels": [], "milestone": null,
            "assignees": [], "assignee": null, "user_notes_count": 0,
            "due_date": null, "discussion_locked": null, "weight": null,
            "web_url": "https://gitlab.example.com/fjordsoft/ledgerline/-/issues/8",
            "references": {"short": "#8", "relative": "#8", "full": "fjordsoft/ledgerline#8"},
        }),
    );
    let mut commented = created.clone();
    commented["updated_at"] = json!("2026-01-02T03:04:06.000Z");
    commented["user_notes_count"] = json!(1);
    let posted = note(
        1873309999,
        8,
        "Also with **two** currencies.",
        "2026-01-02T03:04:06.000Z",
    );
    let six = answered(
        6,
        json!({"title": "Reconcile imported statements nightly", "updated_at": "2026-01-02T03:04:04.000Z"}),
    );
    fake.route(
        "POST",
        &format!("{API}/issues/8/notes"),
        "post-note",
        &posted.to_string(),
    );
    fake.route(
        "GET",
        &format!("{API}/issues/8"),
        "get8",
        &commented.to_string(),
    );
    fake.route("PUT", &format!("{API}/issues/6"), "put6", &six.to_string());
    fake.route(
        "POST",
        &format!("{API}/issues"),
        "create",
        &created.to_string(),
    );
    fake.clear_log();
    let r = fake.ok(&env, &["bridge", "push", "gitlab", PROJECT]);
    assert!(
        r.stderr.contains("1 created, 1 updated, 1 comment(s) sent"),
        "{}",
        r.stderr
    );
    assert_eq!(
        fake.calls(),
        [
            format!("PUT {API}/issues/6"),
            format!("POST {API}/issues"),
            format!("POST {API}/issues/8/notes"),
            format!("GET {API}/issues/8"),
        ]
    );
    let count: usize = std::fs::read_to_string(fake.dir.join("count"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let first = count - 3;
    assert_eq!(
        fake.body(first),
        json!({"title": "Reconcile imported statements nightly"}),
        "an update sends only what changed here"
    );
    let create = fake.body(first + 1);
    assert_eq!(create["title"], "Filed here", "{create}");
    assert_eq!(
        create["description"], "Found while testing the bridge.",
        "{create}"
    );
    assert!(
        create.get("state_event").is_none(),
        "a new issue is open: {create}"
    );
    assert_eq!(
        fake.body(first + 2),
        json!({"body": "Also with **two** currencies.", "internal": false})
    );
    let eight = parse(&env.ok(&["show", "BC-8", "--json"]));
    assert_eq!(eight["bridge"]["key"], "#8");
    assert_eq!(eight["bridge"]["id"], "148220999");
    assert_eq!(
        eight["comments"][0]["bridge"]["id"], "1873309999",
        "{}",
        eight["comments"]
    );

    // Pushing again sends nothing.
    fake.clear_log();
    fake.ok(&env, &["bridge", "push", "gitlab", PROJECT]);
    assert!(fake.calls().is_empty(), "{:?}", fake.calls());

    // GitLab now lists what was sent: a full pull brings nothing new.
    let mut now: Vec<Value> = issues()
        .into_iter()
        .map(|i| if i["iid"] == 6 { six.clone() } else { i })
        .collect();
    now.insert(0, commented);
    fake.answer_nth("issues", 2, &pages(&now, 3));
    fake.answer_nth("notes8", 2, &Value::Array(vec![posted]).to_string());
    let (tip, n) = (env.tip(), commits(&env));
    fake.clear_log();
    let r = fake.ok(&env, &["bridge", "pull", "gitlab", PROJECT, "--full"]);
    assert!(
        r.stderr.contains("0 new, 0 updated, 8 unchanged"),
        "{}\n{}",
        r.stderr,
        env.git(&["show", "issues"])
    );
    assert_eq!(fake.calls().len(), 9, "{:?}", fake.calls());
    assert_eq!((env.tip(), commits(&env)), (tip, n));
}
