//! `git issue mcp` driven by a real MCP client: the official Python SDK
//! (`mcp` on PyPI) runs tests/mcp/client.py, which starts the server over
//! stdio in repositories prepared here and asserts what an agent would see.
//! Without the SDK the test is skipped, except under CI=true, where it
//! fails (.ci/run installs it).

use std::path::Path;
use std::process::Command;

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
    assert_eq!(lines.len(), 9, "{log}");
    for line in &lines {
        assert!(line.contains("Alice Example"), "{log}");
        assert!(line.ends_with("(via git-issue-tests)"), "{log}");
    }
    for h in json(&tools.ok(&["log", "BC-3", "--json"]))
        .as_array()
        .unwrap()
    {
        assert_eq!(h["author"], "Alice Example");
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
