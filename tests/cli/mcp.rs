//! `git issue mcp` driven by a real MCP client: the official Python SDK
//! (`mcp` on PyPI) runs tests/mcp/client.py, which starts the server over
//! stdio in repositories prepared here and asserts what an agent would see.
//! Without the SDK the test is skipped, except under CI=true, where it
//! fails (.ci/run installs it).

use std::path::Path;
use std::process::Command;

use git_issue::format::fields;
use git_issue::query::{Expr, Query, Sort};
use git_issue::tracker::{Audience, Found, Page, Quiet, Tracker};

use crate::common::{Env, json, path_with_binary};

/// Whether Python and its `mcp` package (2.x) are here.
fn python_sdk() -> bool {
    let found = Command::new("python3")
        .args(["-c", "import mcp.shared.exceptions, mcp.client.stdio"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "CI=true but Python's mcp package is missing: .ci/run installs it (pip install mcp)"
        );
        eprintln!("skipped: Python's mcp package is missing (pip install mcp)");
    }
    found
}

/// Runs scenarios of tests/mcp/client.py, each in its repository, in one
/// Python process.
fn drive(first: &Env, scenarios: &[(&str, &Env)]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mcp/client.py");
    let out = first
        .command("python3")
        .arg(script)
        .args(
            scenarios
                .iter()
                .map(|(name, env)| format!("{name}={}", env.repo.display())),
        )
        .env("GIT_ISSUE", env!("CARGO_BIN_EXE_git-issue"))
        .env("PATH", path_with_binary())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "the MCP client's checks failed\n--- stdout\n{}--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Two open issues (BC-1 mentions "zeppelin" and has a comment), a tag
/// v0.1.0 and a commit after it that names BC-1.
fn two_issues() -> Env {
    let env = Env::with_tracker();
    env.git(&["tag", "v0.1.0"]);
    env.new_issue(
        "Login fails on Safari",
        &["-m", "The zeppelin banner covers the button.", "-l", "ui"],
    );
    env.ok(&["comment", "BC-1", "-m", "Seen twice."]);
    env.new_issue("Dashboard is slow", &["-p", "p1"]);
    env.git(&[
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "BC-1: move the banner",
    ]);
    env
}

/// A public issue with a public and an internal comment, a confidential
/// issue, another public one, and commits naming the first two.
fn with_secrets() -> Env {
    let env = Env::with_tracker();
    env.git(&["tag", "v0.1.0"]);
    env.new_issue("Public issue", &["-m", "Nothing to hide."]);
    env.ok(&["comment", "BC-1", "-m", "hello"]);
    env.ok(&[
        "comment",
        "BC-1",
        "-m",
        "the password is swordfish",
        "--internal",
    ]);
    env.new_issue("Acquisition of Initech", &["-m", "Codename bluebird."]);
    env.ok(&["set", "BC-2", "confidential=true"]);
    env.new_issue("Another public one", &[]);
    env.git(&["commit", "-q", "--allow-empty", "-m", "BC-1: fix"]);
    env.git(&["commit", "-q", "--allow-empty", "-m", "BC-2: prepare"]);
    env
}

/// Without the SDK too: what a reader outside the team finds is decided by
/// public text alone, the same with the index as by reading the files, so
/// neither a word nor a negated word of an internal comment can tell it is
/// there; the team finds it.
#[test]
fn public_text_alone_decides_what_matches() {
    let env = with_secrets();
    let tracker = Tracker::discover(&env.repo).unwrap();
    let config = tracker.config().unwrap();
    let now = "2026-03-01T00:00:00Z".parse().unwrap();
    let public = ["BC-1", "BC-3"];
    for (q, want) in [
        ("", &public[..]),
        ("swordfish", &[]),
        ("password", &[]),
        ("bluebird", &[]),
        ("-swordfish", &public),
        ("-password -bluebird", &public),
        ("hello -swordfish", &["BC-1"]),
        ("hello swordfish", &[]),
        ("hello OR swordfish", &["BC-1"]),
        ("is:open OR is:closed", &public),
    ] {
        let expr = Query::parse(q, &config, now).unwrap().expr;
        let expr = expr.and(Expr::Missing(fields::named("confidential")));
        let page = Page {
            sort: Sort::default(),
            by_score: q.contains("hello"),
            offset: 0,
            limit: None,
        };
        let indexed = tracker
            .search_for(Audience::Public, &expr, page, &Quiet)
            .unwrap();
        assert!(indexed.fallback.is_none(), "{:?}", indexed.fallback);
        let scanned = tracker
            .find_by_scan_for(&expr, page, Audience::Public)
            .unwrap();
        let keys = |f: &Found| -> Vec<String> {
            let mut keys: Vec<String> = f.records.iter().map(|r| r.key.to_string()).collect();
            keys.sort();
            keys
        };
        assert_eq!(keys(&indexed), want, "{q}");
        assert_eq!(indexed.total, want.len(), "{q}");
        assert_eq!(keys(&scanned), want, "scan: {q}");
        assert_eq!(scanned.total, want.len(), "scan: {q}");
        for s in indexed.snippets.iter().flatten() {
            assert!(!s.text.contains("swordfish"), "{q}: {}", s.text);
        }
    }
    let expr = Query::parse("swordfish", &config, now).unwrap().expr;
    let team = tracker.find(&expr, page_of_all(), &Quiet).unwrap();
    assert_eq!(team.records.len(), 1, "the team finds its own words");
    let expr = Query::parse("-swordfish", &config, now).unwrap().expr;
    let team = tracker.find(&expr, page_of_all(), &Quiet).unwrap();
    assert_eq!(team.total, 2, "BC-2 and BC-3");
}

fn page_of_all() -> Page {
    Page {
        sort: Sort::default(),
        by_score: false,
        offset: 0,
        limit: None,
    }
}

#[test]
fn agents_use_the_tracker_through_the_python_sdk() {
    if !python_sdk() {
        return;
    }
    let tools = two_issues();
    let fresh = two_issues();
    let reads = two_issues();
    let secrets = with_secrets();
    drive(
        &tools,
        &[
            ("tools", &tools),
            ("read_only", &reads),
            ("protocol", &reads),
            ("fresh", &fresh),
            ("confidential", &secrets),
        ],
    );

    // Every change the agent made is one commit by the user, and the log
    // says which agent it came through.
    let log = tools.ok(&["log", "BC-3"]);
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 8, "{log}"); // close with its comment is one
    for line in &lines {
        assert!(line.contains("Alice Example"), "{log}");
        assert!(line.ends_with("(via git-issue-tests)"), "{log}");
    }
    for h in json(&tools.ok(&["log", "BC-3", "--json"]))
        .as_array()
        .unwrap()
    {
        // `log --json` writes people as comments and `reporter` do (issue 17).
        assert_eq!(h["author"], "Alice Example <alice@example.com>");
        assert!(
            h["message"]
                .as_str()
                .unwrap()
                .ends_with("\n\nVia: git-issue-tests"),
            "{h}"
        );
    }
    // The user's own changes carry no trailer.
    let own = tools.ok(&["log", "BC-1"]);
    assert!(!own.contains("via"), "{own}");
}

#[test]
fn print_config_gives_each_host_its_snippet() {
    let env = Env::with_tracker();
    let out = env.ok(&["mcp", "--print-config", "--read-only"]);
    let repo = std::fs::canonicalize(&env.repo).unwrap();
    let exe = std::fs::canonicalize(env!("CARGO_BIN_EXE_git-issue")).unwrap();
    let out = out
        .replace(&*exe.to_string_lossy(), "[EXE]")
        .replace(&*repo.to_string_lossy(), "[REPO]");
    insta::assert_snapshot!("mcp_print_config", out);
}

#[test]
fn the_server_refuses_to_start_where_there_is_no_tracker() {
    let env = Env::new();
    let r = env.fail_with(3, &["mcp"]);
    assert!(r.stderr.contains("git issue init"), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "nothing but JSON-RPC may reach stdout");
    let r = env.fail(&["mcp", "--repo", "/no/such/folder"]);
    assert!(
        r.stderr
            .contains("cannot open the repository at /no/such/folder"),
        "{}",
        r.stderr
    );
}
