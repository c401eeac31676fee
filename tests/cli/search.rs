//! The index and the query language: the index answers as a scan of the
//! files does, sees changes made behind its back, and rebuilds itself.

use std::process::Stdio;

use proptest::prelude::*;

use git_issue::format::Summary;
use git_issue::query::Query;
use git_issue::query::Sort;
use git_issue::tracker::{Page, Quiet, Tracker};

use crate::common::{Env, json};

/// A small corpus with every field varied, imported in one commit.
fn corpus(env: &Env, n: usize) {
    let labels = ["ui", "backend", "perf", "Docs"];
    let statuses = [
        "open",
        "triaged",
        "in_progress",
        "resolved",
        "closed",
        "wont_fix",
    ];
    let words = [
        "timeout", "crash", "login", "upload", "cache", "render", "zeppelin",
    ];
    let mut lines = String::new();
    for i in 1..=n {
        let pick =
            |list: &[&'static str], salt: usize| list[(i * 7 + salt * 3 + i / 3) % list.len()];
        let labels: Vec<&str> = (0..i % 3).map(|j| pick(&labels, j + 1)).collect();
        let issue = serde_json::json!({
            "key": format!("BC-{i}"),
            "title": format!("{} {} in {}", pick(&words, 0), pick(&words, 1), pick(&["web", "api"], 2)),
            "type": pick(&["bug", "feature", "docs"], 3),
            "status": pick(&statuses, 4),
            "priority": pick(&["p0", "p1", "p2", "p3"], 5),
            "severity": if i % 4 == 0 { serde_json::Value::Null } else { pick(&["critical", "high", "low"], 6).into() },
            "labels": labels,
            "milestone": if i % 5 == 0 { serde_json::Value::Null } else { pick(&["v1", "v2"], 7).into() },
            "assignee": if i % 3 == 0 { serde_json::Value::Null } else { pick(&["alice", "Bob"], 8).into() },
            "component": pick(&["web", "api", "cli"], 9),
            "created": format!("2026-01-{:02}T10:00:00Z", 1 + i % 28),
            "updated": format!("2026-02-{:02}T10:00:00Z", 1 + (i * 5) % 28),
            "body": format!("The {} happens after the {} step.\n\nSee also {}.", pick(&words, 10), pick(&words, 11), pick(&words, 12)),
            "comments": if i % 4 == 1 { serde_json::json!([{"author": "Carol <c@example.com>", "created": "2026-02-01T00:00:00Z", "body": format!("Seen with {} too", pick(&words, 13))}]) } else { serde_json::json!([]) },
        });
        lines.push_str(&issue.to_string());
        lines.push('\n');
    }
    let file = env.root.join("corpus.jsonl");
    std::fs::write(&file, lines).unwrap();
    env.ok(&["import", file.to_str().unwrap()]);
}

fn term() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("is:open".to_owned()),
        Just("is:closed".to_owned()),
        prop::sample::select(vec!["open", "triaged", "resolved", "closed"])
            .prop_map(|s| format!("status:{s}")),
        prop::sample::select(vec!["bug", "feature", "docs"]).prop_map(|s| format!("type:{s}")),
        prop::sample::select(vec!["ui", "backend", "perf", "docs", "DOCS"])
            .prop_map(|s| format!("label:{s}")),
        prop::sample::select(vec!["v1", "v2"]).prop_map(|s| format!("milestone:{s}")),
        prop::sample::select(vec!["alice", "bob"]).prop_map(|s| format!("assignee:{s}")),
        prop::sample::select(vec!["web", "api", "cli"]).prop_map(|s| format!("component:{s}")),
        prop::sample::select(vec!["p0..p1", "p2", ">p2", "<=p1"])
            .prop_map(|s| format!("priority:{s}")),
        prop::sample::select(vec!["critical", "high..low"]).prop_map(|s| format!("severity:{s}")),
        prop::sample::select(vec!["assignee", "milestone", "label", "severity"])
            .prop_map(|s| format!("no:{s}")),
        prop::sample::select(vec![
            ">2026-01-15",
            "<2026-01-10",
            "2026-01-07",
            "2026-01-03..2026-01-20"
        ])
        .prop_map(|s| format!("created:{s}")),
        prop::sample::select(vec![">2026-02-14", "<=2026-02-03"])
            .prop_map(|s| format!("updated:{s}")),
        prop::sample::select(vec!["BC-3", "bc-17"]).prop_map(|s| format!("key:{s}")),
        prop::sample::select(vec![
            "timeout",
            "crash",
            "zeppelin",
            "Login",
            "nothing",
            "\"after the crash\"",
            "\"crash in\"",
            "seen"
        ])
        .prop_map(str::to_owned),
    ]
}

fn query_text() -> impl Strategy<Value = String> {
    let atom = (any::<bool>(), term()).prop_map(|(neg, t)| {
        if neg && !t.starts_with('"') {
            format!("-{t}")
        } else {
            t
        }
    });
    let group = prop::collection::vec(atom, 1..4).prop_map(|v| v.join(" "));
    (prop::collection::vec(group, 1..3), any::<bool>()).prop_map(|(groups, paren)| {
        if paren && groups.len() > 1 {
            format!("({}) {}", groups.join(" OR "), "-label:perf")
        } else {
            groups.join(" OR ")
        }
    })
}

fn sort() -> impl Strategy<Value = Sort> {
    prop::sample::select(vec![
        "key",
        "key-asc",
        "created",
        "updated-asc",
        "priority",
        "priority-desc",
        "status",
        "title",
        "title-desc",
        "type",
    ])
    .prop_map(|s| s.parse().unwrap())
}

#[test]
fn the_index_answers_as_a_scan_of_the_files() {
    let env = Env::with_tracker();
    corpus(&env, 80);
    env.git(&["config", "user.name", "Test"]);
    env.git(&["config", "user.email", "test@example.com"]);
    let tracker = Tracker::discover(&env.repo).unwrap();
    let config = tracker.config().unwrap();
    let now = "2026-03-01T00:00:00Z".parse().unwrap();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(200));
    runner
        .run(
            &(
                query_text(),
                sort(),
                0usize..5,
                prop::option::of(1usize..30),
            ),
            |(text, sort, offset, limit)| {
                let query = Query::parse(&text, &config, now)
                    .map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
                let page = Page {
                    sort,
                    by_score: false,
                    offset,
                    limit,
                };
                let indexed = tracker.find(&query.expr, page, &Quiet).unwrap();
                prop_assert!(indexed.fallback.is_none(), "{:?}", indexed.fallback);
                let scanned = tracker.find_by_scan(&query.expr, page).unwrap();
                let keys = |f: &git_issue::tracker::Found| {
                    f.records
                        .iter()
                        .map(|r| r.key.to_string())
                        .collect::<Vec<_>>()
                };
                prop_assert_eq!(indexed.total, scanned.total, "total for {}", text);
                prop_assert_eq!(
                    keys(&indexed),
                    keys(&scanned),
                    "order for {} sorted {:?}",
                    text,
                    sort
                );
                // `list` prints rows the index keeps for it: the same rows,
                // in the same order, as the files give.
                let listed = tracker.list(&query.expr, page, &Quiet).unwrap();
                prop_assert!(listed.fallback.is_none(), "{:?}", listed.fallback);
                prop_assert_eq!(listed.total, scanned.total, "total for {}", text);
                let rows: Vec<(String, Summary)> = scanned
                    .records
                    .iter()
                    .map(|r| (r.key.to_string(), Summary::of(&r.issue)))
                    .collect();
                let listed: Vec<(String, Summary)> = listed
                    .rows
                    .into_iter()
                    .map(|(k, s)| (k.to_string(), s))
                    .collect();
                prop_assert_eq!(listed, rows, "rows for {} sorted {:?}", text, sort);
                Ok(())
            },
        )
        .unwrap();
    // The corpus must make the comparison worth something.
    let open = tracker
        .find(
            &Query::parse("is:open", &config, now).unwrap().expr,
            Page {
                sort: Sort::default(),
                by_score: false,
                offset: 0,
                limit: None,
            },
            &Quiet,
        )
        .unwrap();
    assert!(open.total > 20 && open.total < 70, "{}", open.total);
}

fn keys(out: &str) -> Vec<String> {
    out.lines()
        .filter(|l| l.starts_with("BC-"))
        .map(|l| l.split_whitespace().next().unwrap().to_owned())
        .collect()
}

#[test]
fn list_takes_a_query_and_flags_together() {
    let env = Env::with_tracker();
    env.new_issue("Button misaligned", &["-l", "ui", "-p", "p1"]);
    env.new_issue("Slow query", &["-l", "backend", "-p", "p0"]);
    env.new_issue("Tooltip typo", &["-l", "ui", "-l", "wontfix", "-p", "p3"]);
    env.ok(&["close", "BC-2"]);
    assert_eq!(
        keys(&env.ok(&["list", "label:ui -label:wontfix"])),
        ["BC-1"]
    );
    assert_eq!(keys(&env.ok(&["list", "is:closed"])), ["BC-2"]);
    assert_eq!(
        keys(&env.ok(&["list", "priority:p0..p1", "--all"])),
        ["BC-2", "BC-1"]
    );
    assert_eq!(
        keys(&env.ok(&["list", "label:ui", "--priority", "p3"])),
        ["BC-3"]
    );
    assert_eq!(
        keys(&env.ok(&["list", "sort:priority-asc"])),
        ["BC-1", "BC-3"]
    );
    assert_eq!(
        keys(&env.ok(&["list", "misaligned OR typo", "--sort", "key-asc"])),
        ["BC-1", "BC-3"]
    );
    let r = env.fail(&["list", "is:open colour:red"]);
    assert!(
        r.stderr.contains("\"colour:red\" (at column 9)"),
        "{}",
        r.stderr
    );
    let r = env.fail(&["list", "(label:ui"]);
    assert!(r.stderr.contains("never closed"), "{}", r.stderr);
}

#[test]
fn search_ranks_and_highlights() {
    let env = Env::with_tracker();
    env.new_issue(
        "Upload fails",
        &[
            "-m",
            "A connection timeout after 30 seconds, then another timeout.",
        ],
    );
    env.new_issue(
        "Dashboard slow",
        &["-m", "Rendering takes long; no timeout."],
    );
    env.new_issue("Unrelated", &["-m", "Nothing to see."]);
    env.ok(&["comment", "BC-3", "-m", "Saw a connection timeout here too"]);
    let out = env.ok(&["search", "timeout"]);
    let found = keys(&out);
    assert_eq!(found.len(), 3, "{out}");
    assert_eq!(found[0], "BC-1", "two mentions rank first: {out}");
    // Piped, the snippet is plain text: no *markup* for a script to strip.
    assert!(out.contains("then another timeout"), "{out}");
    assert!(!out.contains('*'), "{out}");
    let v = json(&env.ok(&["search", "\"connection timeout\"", "--json"]));
    let hits: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["key"].as_str().unwrap())
        .collect();
    assert_eq!(hits.len(), 2);
    assert!(hits.contains(&"BC-1") && hits.contains(&"BC-3"), "{v}");
    assert!(v[0]["score"].as_f64().unwrap() > 0.0);
    assert!(
        !v[0]["snippet"].as_str().unwrap().contains('*'),
        "plain snippets in JSON"
    );
}

#[test]
fn a_change_behind_the_tools_back_is_seen_by_the_next_search() {
    let env = Env::with_tracker();
    env.new_issue("First", &[]);
    env.new_issue("Second", &[]);
    assert!(env.ok(&["search", "zebra"]).is_empty());
    let before = env.tip();

    // Someone edits a file with plain git on a worktree of the branch.
    let text = env
        .branch_file("issues/0/0/0/BC-2.md")
        .replace("title: Second", "title: Second zebra crossing");
    env.commit_by_hand("issues/0/0/0/BC-2.md", &text);
    assert_eq!(keys(&env.ok(&["search", "zebra"])), ["BC-2"]);

    // And moves the branch back with update-ref.
    env.git(&["update-ref", "refs/heads/issues", &before]);
    assert!(env.ok(&["search", "zebra"]).is_empty());
    assert_eq!(keys(&env.ok(&["list"])), ["BC-2", "BC-1"]);
}

#[test]
fn a_commit_from_another_clone_is_seen_after_a_fetch() {
    let env = Env::with_tracker();
    env.new_issue("Here", &[]);
    env.ok(&["list"]);
    let other = env.root.join("other");
    env.git(&[
        "clone",
        "-q",
        "--no-checkout",
        env.repo.to_str().unwrap(),
        other.to_str().unwrap(),
    ]);
    env.git_in(&other, &["branch", "-q", "issues", "origin/issues"]);
    let r = crate::common::run(
        env.cmd()
            .current_dir(&other)
            .args(["new", "From elsewhere about giraffes"]),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    env.git(&["fetch", "-q", other.to_str().unwrap(), "issues:issues"]);
    assert_eq!(keys(&env.ok(&["search", "giraffes"])), ["BC-2"]);
}

#[test]
fn a_missing_or_damaged_index_is_rebuilt() {
    let env = Env::with_tracker();
    env.new_issue("Alpha", &[]);
    env.new_issue("Beta", &[]);
    env.ok(&["list"]);
    let index = env.repo.join(".git/git-issue/index");
    assert!(index.join("meta.json").exists());

    std::fs::remove_dir_all(&index).unwrap();
    assert_eq!(keys(&env.ok(&["list"])), ["BC-2", "BC-1"]);
    assert!(index.join("meta.json").exists(), "rebuilt");

    std::fs::write(index.join("meta.json"), "{ not json").unwrap();
    assert_eq!(keys(&env.ok(&["search", "beta"])), ["BC-2"]);

    for entry in std::fs::read_dir(&index).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "store" || e == "idx") {
            std::fs::write(&path, b"garbage").unwrap();
        }
    }
    let r = env.run(&["list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(keys(&r.stdout), ["BC-2", "BC-1"]);

    let r = env.run(&["reindex"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("Indexed 2 issues."), "{}", r.stderr);
}

#[test]
fn concurrent_searches_and_a_new_all_succeed() {
    let env = Env::with_tracker();
    for i in 0..5 {
        env.new_issue(&format!("Issue {i} about parrots"), &[]);
    }
    // No index yet: both searches want to build it at once.
    let spawn = |args: &[&str]| {
        env.cmd()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let children = vec![
        spawn(&["search", "parrots"]),
        spawn(&["search", "parrots"]),
        spawn(&["new", "Issue 5 about parrots"]),
        spawn(&["list"]),
    ];
    let outs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    for out in &outs {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("answered by reading the files"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let first = keys(&String::from_utf8_lossy(&outs[0].stdout));
    assert!(first.len() >= 5, "{first:?}");
    assert_eq!(keys(&env.ok(&["search", "parrots"])).len(), 6);
}

#[test]
fn export_then_import_loses_nothing() {
    let env = Env::with_tracker();
    corpus(&env, 12);
    env.ok(&["comment", "BC-2", "-m", "An internal note", "--internal"]);
    let text = env
        .branch_file("issues/0/0/0/BC-3.md")
        .replace("priority: ", "x-custom: kept\npriority: ");
    env.commit_by_hand("issues/0/0/0/BC-3.md", &text);
    let exported = env.ok(&["export", "jsonl"]);
    assert_eq!(exported.lines().count(), 12);

    let other = Env::with_tracker();
    let file = other.root.join("in.jsonl");
    std::fs::write(&file, &exported).unwrap();
    let before = other.git(&["rev-list", "--count", "issues"]);
    other.ok(&["import", file.to_str().unwrap()]);
    let after = other.git(&["rev-list", "--count", "issues"]);
    assert_eq!(
        after.trim().parse::<u32>().unwrap(),
        before.trim().parse::<u32>().unwrap() + 1,
        "one commit"
    );
    assert_eq!(other.ok(&["export", "jsonl"]), exported);
    assert_eq!(
        other.branch_file("issues/0/0/0/BC-3.md"),
        env.branch_file("issues/0/0/0/BC-3.md")
    );
}

#[test]
fn import_keeps_free_keys_renumbers_taken_ones_and_refuses_bad_lines_whole() {
    let env = Env::with_tracker();
    env.new_issue("Existing", &[]);
    let file = env.root.join("in.jsonl");
    std::fs::write(
        &file,
        "{\"key\": \"BC-1\", \"title\": \"Clashes\"}\n{\"key\": \"BC-7\", \"title\": \"Keeps its key\"}\n{\"title\": \"No key\"}\n",
    )
    .unwrap();
    let r = env.run(&["import", file.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("BC-1 was taken; filed as BC-8"),
        "{}",
        r.stderr
    );
    let titles: Vec<(String, String)> = json(&env.ok(&["list", "--json", "--sort", "key-asc"]))
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["key"].as_str().unwrap().to_owned(),
                v["title"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("BC-1", "Existing"),
        ("BC-7", "Keeps its key"),
        ("BC-8", "Clashes"),
        ("BC-9", "No key"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(titles, expected);

    let tip = env.tip();
    std::fs::write(
        &file,
        "{\"title\": \"Fine\"}\n{\"title\": \"Bad\", \"status\": \"done\"}\n",
    )
    .unwrap();
    let r = env.fail(&["import", file.to_str().unwrap()]);
    assert!(
        r.stderr.contains("line 2: \"done\" is not a status"),
        "{}",
        r.stderr
    );
    assert_eq!(env.tip(), tip, "nothing written");
}
