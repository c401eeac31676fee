//! Events and notifications: the exact events of a scripted history, the
//! default range of what a sync brought in, and `notify:` rules sending to
//! a command and to a webhook served on 127.0.0.1 by the test, each event
//! once, a failing target never failing the sync.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::common::{Env, Run, json};
use crate::desk::{Net, add_settings, as_who};

/// Runs git-issue at a given time, as someone.
fn at(env: &Env, date: &str, who: (&str, &str), args: &[&str]) -> Run {
    let r = crate::common::run(
        env.cmd()
            .args(args)
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .env("GIT_AUTHOR_NAME", who.0)
            .env("GIT_AUTHOR_EMAIL", who.1)
            .env("GIT_COMMITTER_NAME", who.0)
            .env("GIT_COMMITTER_EMAIL", who.1),
    );
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    r
}

const ALICE: (&str, &str) = ("Alice Example", "alice@example.com");
const BOB: (&str, &str) = ("Bob", "bob@example.com");

macro_rules! assert_events {
    ($name:expr, $text:expr) => {
        insta::with_settings!({filters => vec![
            (r"\b[0-9A-HJKMNP-TV-Z]{26}\b", "[ULID]"),
            (r"\b[0-9a-f]{40}\b", "[COMMIT]"),
        ]}, {
            insta::assert_snapshot!($name, $text);
        })
    };
}

#[test]
fn events_over_a_scripted_history_give_the_exact_list() {
    let env = Env::with_tracker();
    let start = env.tip();
    let file = env.root.join("trace.txt");
    std::fs::write(&file, "at main.rs:12\n").unwrap();
    let file = file.to_str().unwrap();
    at(
        &env,
        "2026-02-02T09:00:00Z",
        BOB,
        &["new", "Login fails", "-l", "auth"],
    );
    at(&env, "2026-02-02T09:05:00Z", BOB, &["new", "Cannot log in"]);
    at(
        &env,
        "2026-02-02T10:00:00Z",
        ALICE,
        &["assign", "BC-1", "alice"],
    );
    at(
        &env,
        "2026-02-02T10:01:00Z",
        ALICE,
        &["comment", "BC-1", "-m", "Looking into it.\nSecond line."],
    );
    at(
        &env,
        "2026-02-02T10:02:00Z",
        ALICE,
        &["comment", "BC-1", "-m", "Session store race?", "--internal"],
    );
    at(
        &env,
        "2026-02-02T11:00:00Z",
        ("Carol", "carol@example.com"),
        &["vote", "BC-1"],
    );
    at(&env, "2026-02-02T11:30:00Z", BOB, &["attach", "BC-1", file]);
    at(
        &env,
        "2026-02-02T12:00:00Z",
        ALICE,
        &["set", "BC-1", "status=in_progress", "+ui", "priority=p1"],
    );
    at(
        &env,
        "2026-02-02T12:30:00Z",
        ALICE,
        &["merge", "BC-2", "--into", "BC-1"],
    );
    at(
        &env,
        "2026-02-02T13:00:00Z",
        ("Carol", "carol@example.com"),
        &["unvote", "BC-1"],
    );
    at(
        &env,
        "2026-02-02T14:00:00Z",
        ALICE,
        &["detach", "BC-1", "trace.txt"],
    );
    at(
        &env,
        "2026-02-02T15:00:00Z",
        ALICE,
        &["close", "BC-1", "--reason", "resolved"],
    );
    // Not an issue's business: no event.
    at(
        &env,
        "2026-02-02T16:00:00Z",
        ALICE,
        &["replies", "add", "thanks", "-m", "Thanks!"],
    );

    let range = format!("{start}..issues");
    let r = env.run(&["events", &range, "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let events = json(&r.stdout);
    let ids: std::collections::BTreeSet<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids.len(),
        events.as_array().unwrap().len(),
        "ids are unique"
    );
    assert_events!("events_json", r.stdout);
    assert_events!("events_text", env.ok(&["events", &range]));
    // The same range, read again: the same events, the same ids.
    assert_eq!(env.ok(&["events", &range, "--json"]), r.stdout);
    // A part of it.
    let tip = env.tip();
    let last = env.ok(&["events", &format!("{tip}~1..{tip}"), "--json"]);
    assert_eq!(
        json(&last).as_array().unwrap().len(),
        0,
        "the reply made none"
    );
    let closing = json(&env.ok(&["events", &format!("{tip}~2..{tip}~1"), "--json"]));
    assert_eq!(closing[0]["kind"], "status");
    assert_eq!(
        closing[0]["change"],
        serde_json::json!({"from": "in_progress", "to": "resolved"})
    );
    let r = env.fail(&["events", "nonsense..issues"]);
    assert!(r.stderr.contains("nonsense"), "{}", r.stderr);
}

#[test]
fn events_default_to_what_the_last_sync_brought_in() {
    let net = Net::new();
    let a = &net.first;
    a.new_issue("Old", &[]);
    a.ok(&["sync"]);
    let b = net.clone("bob");
    let r = b.fail_with(1, &["events"]);
    assert!(
        r.stderr
            .contains("no sync has brought anything into this clone yet"),
        "{}",
        r.stderr
    );
    as_who(
        a,
        "Alice",
        "alice@example.com",
        &["comment", "BC-1", "-m", "From Alice"],
    );
    a.new_issue("New from Alice", &[]);
    a.ok(&["sync"]);
    // Bob's own change is not something that arrived.
    as_who(
        &b,
        "Bob",
        "bob@example.com",
        &["comment", "BC-1", "-m", "From Bob"],
    );
    b.ok(&["sync"]);
    let events = json(&b.ok(&["events", "--json"]));
    let kinds: Vec<(String, String)> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().into(),
                e["key"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("commented".to_owned(), "BC-1".to_owned()),
            ("created".to_owned(), "BC-2".to_owned())
        ]
    );
    assert_eq!(events[0]["change"]["body"], "From Alice\n");
    // Nothing new: nothing arrived.
    b.ok(&["sync"]);
    assert_eq!(json(&b.ok(&["events", "--json"])), serde_json::json!([]));
}

/// A webhook served on 127.0.0.1 by the test: it records each request's
/// body and answers `status`.
struct Hook {
    url: String,
    bodies: Arc<Mutex<Vec<Value>>>,
}

impl Hook {
    fn start(status: u16) -> Hook {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://127.0.0.1:{}/hook",
            listener.local_addr().unwrap().port()
        );
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&bodies);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut length = 0;
                let mut line = String::new();
                loop {
                    line.clear();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    continue;
                }
                seen.lock()
                    .unwrap()
                    .push(serde_json::from_slice(&body).unwrap());
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} Whatever\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
            }
        });
        Hook { url, bodies }
    }

    fn received(&self) -> Vec<(String, String)> {
        self.bodies
            .lock()
            .unwrap()
            .iter()
            .map(|b| {
                (
                    b["kind"].as_str().unwrap().into(),
                    b["key"].as_str().unwrap().into(),
                )
            })
            .collect()
    }
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[test]
fn a_webhook_rule_posts_each_event_once() {
    let hook = Hook::start(200);
    let net = Net::new();
    let a = &net.first;
    add_settings(
        a,
        &format!(
            "notify:\n  - name: billing desk\n    events: [created, commented, voted]\n    filter: \"label:billing\"\n    webhook: {}\n    timeout: 5\n",
            hook.url
        ),
    );
    a.ok(&["sync"]);
    let b = net.clone("bob");
    b.git(&["config", "issue.notify", "true"]);

    a.new_issue("Refund failed", &["-l", "billing"]);
    a.new_issue("Typo", &[]);
    a.ok(&["comment", "BC-1", "-m", "Card declined"]);
    a.ok(&["comment", "BC-2", "-m", "Not billing"]);
    a.ok(&["comment", "BC-1", "-m", "Team only", "--internal"]);
    as_who(a, "Carol", "carol@example.com", &["vote", "BC-1"]);
    a.ok(&["set", "BC-1", "priority=p1"]);
    a.ok(&["sync"]);

    let r = b.run(&["sync"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("notify: notified: 3 events"),
        "{}",
        r.stderr
    );
    let want = pairs(&[
        ("created", "BC-1"),
        ("commented", "BC-1"),
        ("voted", "BC-1"),
    ]);
    assert_eq!(hook.received(), want);
    let first = hook.bodies.lock().unwrap()[1].clone();
    assert_eq!(first["change"]["body"], "Card declined\n");
    assert_eq!(first["who"], "Alice Example <alice@example.com>");

    // Never twice: not by another sync, not by asking again.
    b.ok(&["sync"]);
    let r = b.run(&["notify"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = b.run(&["notify", "--dry-run"]);
    assert!(r.stderr.contains("Nothing to send."), "{}", r.stderr);
    assert_eq!(hook.received(), want);

    // What arrives next goes, once.
    as_who(
        a,
        "Dan",
        "dan@example.com",
        &["comment", "BC-1", "-m", "Me too"],
    );
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    b.ok(&["sync"]);
    let mut want = want;
    want.push(("commented".to_owned(), "BC-1".to_owned()));
    assert_eq!(hook.received(), want);
    // Alice's clone never said yes: her syncs sent nothing.
    let sent = std::fs::read_to_string(b.repo.join(".git/git-issue/notify/sent")).unwrap();
    assert_eq!(sent.lines().count(), 4);
    assert!(!a.repo.join(".git/git-issue/notify/sent").exists());
}

#[test]
fn a_failing_target_never_fails_the_sync_and_is_tried_again() {
    let refused = Hook::start(500);
    let net = Net::new();
    let a = &net.first;
    let log = a.root.join("told.jsonl");
    let flaky = a.script(
        "flaky",
        &format!(
            "if [ ! -e {0}.once ]; then touch {0}.once; echo boom >&2; exit 3; fi\ncat >> {0}; echo >> {0}",
            log.display()
        ),
    );
    add_settings(
        a,
        &format!(
            "notify:\n  - name: flaky\n    events: [created]\n    command: {}\n    retries: 0\n  - name: slow\n    events: [created]\n    command: sleep 5\n    timeout: 1\n    retries: 0\n  - name: refused\n    events: [created]\n    webhook: {}\n    retries: 1\n  - name: broken\n    events: [born]\n    command: \"true\"\n",
            flaky.display(),
            refused.url
        ),
    );
    a.git(&["config", "issue.notify", "true"]);
    a.ok(&["sync"]);
    let b = net.clone("bob");
    b.new_issue("Printer on fire", &[]);
    b.ok(&["sync"]);

    let r = a.run(&["sync"]);
    assert_eq!(r.code, 0, "the sync succeeds: {}", r.stderr);
    assert_eq!(a.tip(), b.tip(), "and did its work");
    for said in [
        "warning: notify: tracker.yml: notify: broken event \"born\" is not one of",
        "warning: notify: flaky (command ",
        "failed for BC-1 created: exited with status 3: boom; tried again at the next sync",
        "warning: notify: slow (command sleep 5) failed for BC-1 created: took longer than 1s and was stopped",
        "failed for BC-1 created: the server answered 500 Internal Server Error (2 attempts); tried again",
    ] {
        assert!(r.stderr.contains(said), "{said:?} in {}", r.stderr);
    }
    assert_eq!(refused.received().len(), 2, "one attempt and one retry");
    assert!(!log.exists());

    // The next sync brings nothing new, and tries the failed ones again.
    let r = a.run(&["sync"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let told = std::fs::read_to_string(&log).unwrap();
    let event = json(told.trim());
    assert_eq!(
        (event["kind"].as_str(), event["key"].as_str()),
        (Some("created"), Some("BC-1"))
    );
    assert!(
        r.stderr.contains("notify: notified: 1 event"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("slow (command sleep 5) failed"),
        "{}",
        r.stderr
    );
    // And once sent, never again.
    a.ok(&["sync"]);
    assert_eq!(std::fs::read_to_string(&log).unwrap(), told);
}

#[test]
fn rules_run_by_themselves_only_where_the_clone_said_yes() {
    let net = Net::new();
    let a = &net.first;
    let log = a.root.join("told.jsonl");
    let tell = a.script("tell", &format!("cat >> {}", log.display()));
    add_settings(a, &format!("notify:\n  - command: {}\n", tell.display()));
    a.ok(&["sync"]);
    let b = net.clone("bob");
    b.new_issue("Hello", &[]);
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    assert!(!log.exists(), "tracker.yml alone runs nothing");
    let r = a.run(&["notify", "--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("rule 1  command "), "{}", r.stdout);
    assert!(r.stdout.contains("  BC-1: created "), "{}", r.stdout);
    assert!(
        r.stderr.contains("git config issue.notify is true"),
        "{}",
        r.stderr
    );
    assert!(!log.exists(), "a dry run sends nothing");
    // Asked for by its owner, it runs.
    a.ok(&["notify"]);
    assert!(
        std::fs::read_to_string(&log)
            .unwrap()
            .contains("\"kind\":\"created\"")
    );
}

#[test]
fn a_pull_in_a_worktree_of_the_branch_notifies_through_the_post_merge_hook() {
    let net = Net::new();
    let a = &net.first;
    let log = a.root.join("told.jsonl");
    let tell = a.script(
        "tell",
        &format!("cat >> {}; echo >> {}", log.display(), log.display()),
    );
    add_settings(
        a,
        &format!(
            "notify:\n  - events: [created]\n    command: {}\n",
            tell.display()
        ),
    );
    a.ok(&["sync"]);
    let b = net.clone("bob");
    b.git(&["config", "issue.notify", "true"]);
    let path = crate::common::path_with_binary();
    let r = crate::common::run(b.cmd().args(["hooks", "install"]).env("PATH", &path));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let wt = b.root.join("bob-issues");
    b.git(&["worktree", "add", "-q", wt.to_str().unwrap(), "issues"]);

    a.new_issue("Pulled by hand", &[]);
    a.ok(&["sync"]);
    let pull = b
        .git_cmd()
        .current_dir(&wt)
        .env("PATH", &path)
        .args(["pull", "-q", "--no-rebase", "origin", "issues"])
        .output()
        .unwrap();
    assert!(
        pull.status.success(),
        "{}",
        String::from_utf8_lossy(&pull.stderr)
    );
    let told = std::fs::read_to_string(&log).unwrap_or_default();
    let events: Vec<Value> = told.lines().filter(|l| !l.is_empty()).map(json).collect();
    assert_eq!(events.len(), 1, "{told}");
    assert_eq!(events[0]["title"], "Pulled by hand");
    // What the pull brought in is what `events` shows now.
    b.git_in(&wt, &["checkout", "-q", "--detach"]);
    let shown = json(&b.ok(&["events", "--json"]));
    assert_eq!(shown[0]["id"], events[0]["id"]);
}
