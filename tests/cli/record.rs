//! Errors as issues: `record` files an error once and counts it after,
//! across clones and concurrent writers; `analyze` and `metrics` read what
//! was recorded; queries reach the occurrence values.

use std::collections::BTreeMap;
use std::process::Stdio;

use proptest::prelude::*;
use serde_json::Value;

use git_issue::query::{Query, Sort};
use git_issue::tracker::{Page, Quiet, Tracker};

use crate::common::{Env, Run, json, run};

const TIMEOUT: &[&str] = &[
    "record",
    "Database timeout",
    "--component",
    "db",
    "--error-type",
    "TimeoutError",
    "--severity",
    "high",
    "--category",
    "reliability",
];

/// `record` of the timeout with a message, and more flags.
fn timeout(env: &Env, message: &str, extra: &[&str]) -> Run {
    let mut args: Vec<&str> = TIMEOUT.to_vec();
    args.extend(["--error", message]);
    args.extend_from_slice(extra);
    env.run(&args)
}

fn ok_stdin(env: &Env, args: &[&str], stdin: &str) -> String {
    let r = env.run_with_stdin(args, stdin);
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    r.stdout
}

fn show(env: &Env, key: &str) -> Value {
    json(&env.ok(&["show", key, "--json"]))
}

fn commits(env: &Env) -> usize {
    env.git(&["rev-list", "--count", "issues"])
        .trim()
        .parse()
        .unwrap()
}

/// `issues/0/0/1/BC-12`: an issue's folder on the branch.
fn issue_dir(key: &str) -> String {
    let n: u64 = key.split_once('-').unwrap().1.parse().unwrap();
    format!("issues/{}/{}/{}/{key}", n / 1000, n / 100 % 10, n / 10 % 10)
}

fn occurrence_files(env: &Env, key: &str) -> Vec<String> {
    env.git(&[
        "ls-tree",
        "--name-only",
        &format!("issues:{}/occurrences", issue_dir(key)),
    ])
    .lines()
    .map(str::to_owned)
    .collect()
}

#[test]
fn an_error_is_filed_once_and_counted_after() {
    let env = Env::with_tracker();
    let first = timeout(
        &env,
        "Connection to 10.0.0.7:5432 timed out after 30s at 2026-01-02T03:00:00Z",
        &[
            "--host",
            "ci-1",
            "--context",
            r#"{"job": "build-41"}"#,
            "--fix",
            "Raise the pool size",
        ],
    );
    crate::assert_transcript!("record_new", first);
    let again = timeout(
        &env,
        "Connection to 10.0.3.12:6543 timed out after 5s at 2026-01-02T03:01:59.5+01:00",
        &["--host", "ci-2", "--change", "Alert on pool exhaustion"],
    );
    crate::assert_transcript!("record_known", again);
    // Another component or another type is another error.
    let other_component = env.run(&[
        "record",
        "Cache timeout",
        "--component",
        "cache",
        "--error-type",
        "TimeoutError",
        "--error",
        "Connection to 10.0.0.7:5432 timed out after 30s",
    ]);
    assert_eq!(
        other_component.stdout, "BC-2 (new)\n",
        "{}",
        other_component.stderr
    );
    let other_type = env.run(&[
        "record",
        "DB refused",
        "--component",
        "db",
        "--error-type",
        "ConnectionRefused",
        "--error",
        "Connection to 10.0.0.7:5432 timed out after 30s",
    ]);
    assert_eq!(other_type.stdout, "BC-3 (new)\n");

    let v = show(&env, "BC-1");
    assert_eq!(v["occurrences"], 2);
    assert_eq!(v["fingerprint"].as_str().unwrap().len(), 16);
    assert_eq!(v["error_type"], "TimeoutError");
    assert_eq!(v["category"], "reliability");
    assert_eq!(
        v["suggested_fixes"],
        serde_json::json!(["Raise the pool size"])
    );
    assert_eq!(
        v["system_changes"],
        serde_json::json!(["Alert on pool exhaustion"])
    );
    assert_eq!(v["hosts"], serde_json::json!(["ci-1", "ci-2"]));
    // Newest first: at the same time, the later record.
    assert_eq!(v["recent_occurrences"][0]["host"], "ci-2");
    assert_eq!(v["recent_occurrences"][1]["context"]["job"], "build-41");
    assert_eq!(occurrence_files(&env, "BC-1").len(), 2);
    // Nothing of the count is in the issue file: it is the files' sum.
    assert!(
        !env.branch_file(&format!("{}.md", issue_dir("BC-1")))
            .contains("occurrences")
    );
    crate::assert_transcript!("show_recorded", env.run(&["show", "BC-1"]));
    // list and search know the values.
    let listed = json(&env.ok(&["list", "occurrences:>1", "--json"]));
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["key"], "BC-1");
    assert_eq!(listed[0]["occurrences"], 2);
}

#[test]
fn bad_input_is_refused_before_anything_is_written() {
    let env = Env::with_tracker();
    let tip = env.tip();
    let r = env.fail_with(2, &["record", "No component"]);
    assert!(r.stderr.contains("--component"), "{}", r.stderr);
    let r = env.fail_with(
        1,
        &["record", "x", "--component", "db", "--severity", "huge"],
    );
    assert!(
        r.stderr
            .contains("\"huge\" is not a severity; tracker.yml allows: critical"),
        "{}",
        r.stderr
    );
    let r = env.fail_with(
        1,
        &["record", "x", "--component", "db", "--category", "gremlins"],
    );
    assert!(r.stderr.contains("not a category"), "{}", r.stderr);
    let r = env.fail_with(2, &["record", "x", "--component", "db", "--context", "[1]"]);
    assert!(r.stderr.contains("JSON object"), "{}", r.stderr);
    let r = env.fail_with(
        2,
        &["record", "x", "--component", "db", "--at", "yesterday"],
    );
    assert!(r.stderr.contains("not a time"), "{}", r.stderr);
    assert_eq!(env.tip(), tip, "nothing was written");
}

#[test]
fn a_resolved_error_that_recurs_is_reopened_once() {
    let env = Env::with_tracker();
    timeout(&env, "timed out after 30s", &[]);
    env.ok(&["close", "BC-1", "--reason", "resolved"]);
    let r = timeout(
        &env,
        "timed out after 31s",
        &["--at", "2026-01-05T10:00:00Z"],
    );
    assert_eq!(
        r.stdout, "BC-1 (occurrence 2, reopened as a regression)\n",
        "{}",
        r.stderr
    );
    let r = timeout(&env, "timed out after 32s", &[]);
    assert_eq!(r.stdout, "BC-1 (occurrence 3)\n");
    let v = show(&env, "BC-1");
    assert_eq!(v["status"], "open");
    assert_eq!(v["resolved"], Value::Null);
    assert_eq!(v["labels"], serde_json::json!(["regression"]));
    let comments = v["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 1, "reopened once: {comments:?}");
    let body = comments[0]["body"].as_str().unwrap();
    assert!(
        body.contains("happened again after it was resolved on 2026-01-02T03:04:05Z")
            && body.contains("1 occurrence at 2026-01-05T10:00:00Z, 2 in all"),
        "{body}"
    );

    // wont_fix and duplicate stay closed and only count.
    for (n, reason) in [(2, "wont_fix"), (3, "duplicate")] {
        let msg = format!("disk {reason} full");
        let rec = [
            "record",
            "Disk full",
            "--component",
            "storage",
            "--error",
            &msg,
        ];
        env.ok(&rec);
        env.ok(&["close", &format!("BC-{n}"), "--reason", reason]);
        let r = env.run(&rec);
        assert_eq!(r.stdout, format!("BC-{n} (occurrence 2)\n"), "{}", r.stderr);
        let v = show(&env, &format!("BC-{n}"));
        assert_eq!(v["status"], reason);
        assert_eq!(v["occurrences"], 2);
        assert!(v["comments"].as_array().unwrap().is_empty());
    }
}

#[test]
fn a_batch_is_one_commit_and_a_bad_line_stops_it_whole() {
    let env = Env::with_tracker();
    timeout(&env, "timed out after 1s", &[]);
    let before = commits(&env);
    let mut lines = String::new();
    for i in 0..30 {
        let record = match i % 3 {
            0 => {
                serde_json::json!({"title": "Database timeout", "component": "db", "error-type": "TimeoutError",
                 "error": format!("timed out after {i}s"), "host": format!("ci-{i}"), "at": format!("2026-01-0{}T10:00:00Z", 1 + i % 2)})
            }
            1 => {
                serde_json::json!({"title": "Upload rejected", "component": "upload", "error": format!("file /tmp/up-{i}/x.bin too large"),
                 "tag": ["uploads", "limits"], "fix": "Raise the limit", "severity": "low"})
            }
            _ => {
                serde_json::json!({"title": "Bad token", "component": "auth", "category": "security",
                 "error": format!("token 'abc{i}' expired"), "context": {"user": i}, "change": ["Rotate keys"]})
            }
        };
        lines.push_str(&record.to_string());
        lines.push('\n');
    }
    let file = env.root.join("batch.jsonl");
    std::fs::write(&file, &lines).unwrap();
    let r = env.run(&["record", "--jsonl", file.to_str().unwrap()]);
    assert_eq!(
        r.stdout,
        "BC-1 (occurrences 2-11)\nBC-2 (new, occurrences 1-10)\nBC-3 (new, occurrences 1-10)\n",
        "{}",
        r.stderr
    );
    assert_eq!(commits(&env), before + 1, "one commit");
    let message = env.git(&["log", "-1", "--format=%B", "issues"]);
    assert!(
        message.starts_with(
            "Record 30 occurrences of 3 errors (2 new, 0 reopened)\n\nBC-1: occurrences 2-11\n"
        ),
        "{message}"
    );
    // One file per issue and batch, whatever days it spans.
    assert_eq!(occurrence_files(&env, "BC-1").len(), 2);
    assert_eq!(occurrence_files(&env, "BC-2").len(), 1);
    let v = show(&env, "BC-2");
    assert_eq!(v["labels"], serde_json::json!(["uploads", "limits"]));
    assert_eq!(v["severity"], "low");
    assert_eq!(
        show(&env, "BC-3")["system_changes"],
        serde_json::json!(["Rotate keys"])
    );

    // The same from stdin, as JSON.
    let r = env.run_with_stdin(&["record", "--jsonl", "-", "--json"], &lines);
    let v = json(&r.stdout);
    assert_eq!(v[0]["key"], "BC-1");
    assert_eq!(v[0]["added"], 10);
    assert_eq!(v[0]["occurrences"], 21);
    assert_eq!(v[1]["lines"].as_array().unwrap().len(), 10);

    // A bad line anywhere: nothing at all is written, and the line is named.
    let tip = env.tip();
    for (bad, says) in [
        (
            r#"{"title": "x", "component": "db", "severity": "huge"}"#,
            "line 3: \"huge\" is not a severity",
        ),
        (
            r#"{"title": "x"}"#,
            "line 3: a recorded error needs a component",
        ),
        (
            r#"{"title": "x", "component": "db", "colour": "red"}"#,
            "line 3: unknown field \"colour\"",
        ),
        (r#"not json"#, "line 3: not a JSON object"),
        (
            r#"{"title": "x", "component": "db", "at": "soon"}"#,
            "line 3: \"soon\" is not a time",
        ),
    ] {
        let text = format!(
            "{}\n\n{bad}\n{}\n",
            lines.lines().next().unwrap(),
            lines.lines().nth(1).unwrap()
        );
        let r = env.run_with_stdin(&["record", "--jsonl", "-"], &text);
        assert_eq!(r.code, 1, "{bad}: {}", r.stderr);
        assert!(
            r.stderr.starts_with(&format!("error: {says}")),
            "{bad}: {}",
            r.stderr
        );
        assert_eq!(env.tip(), tip, "{bad}: nothing written");
    }
}

#[test]
fn concurrent_records_of_a_new_error_file_one_issue() {
    let env = Env::with_tracker();
    let children: Vec<_> = (0..6)
        .map(|i| {
            env.cmd()
                .args([
                    "record",
                    "Flaky",
                    "--component",
                    "ci",
                    "--error",
                    &format!("test {i} failed"),
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut lines = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        lines.push(String::from_utf8(out.stdout).unwrap());
    }
    lines.sort();
    assert_eq!(lines[0], "BC-1 (new)\n", "{lines:?}");
    let counted: Vec<&str> = lines[1..].iter().map(String::as_str).collect();
    assert_eq!(
        counted,
        [
            "BC-1 (occurrence 2)\n",
            "BC-1 (occurrence 3)\n",
            "BC-1 (occurrence 4)\n",
            "BC-1 (occurrence 5)\n",
            "BC-1 (occurrence 6)\n"
        ]
    );
    assert_eq!(
        json(&env.ok(&["list", "--all", "--json"]))
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// A `record` of the nightly failure.
const NIGHTLY: [&str; 6] = [
    "record",
    "Nightly failure",
    "--component",
    "ci",
    "--error",
    "nightly failed",
];

/// `record`s of the nightly failure, one each on the days from
/// 2026-01-01 on: one occurrence file each.
fn nightly_on_days(env: &Env, days: std::ops::Range<i64>) {
    for d in days {
        let at = jiff::Timestamp::from_second(1_767_225_600 + d * 86_400).unwrap();
        env.ok(&[&NIGHTLY[..], &["--at", &at.to_string()]].concat());
    }
}

#[test]
fn a_damaged_index_is_rebuilt_and_the_error_still_counts_once() {
    for keys_file in [true, false] {
        a_damaged_index_counts_once(keys_file);
    }
}

/// With the keys file beside the index, `record` does not open the index
/// at all; without it (an index from before it), the damage is found and
/// the index rebuilt.
fn a_damaged_index_counts_once(keys_file: bool) {
    let env = Env::with_tracker();
    let record = || env.run(&NIGHTLY);
    assert_eq!(record().stdout, "BC-1 (new)\n");
    env.ok(&["list"]);
    let index = env.repo.join(".git/git-issue/index");
    if !keys_file {
        std::fs::remove_file(index.join("keys.tsv")).unwrap();
    }
    // Its state reads well; its segments do not.
    for entry in std::fs::read_dir(&index).unwrap() {
        let path = entry.unwrap().path();
        if path
            .extension()
            .is_some_and(|e| e == "store" || e == "idx" || e == "term")
        {
            std::fs::write(&path, b"garbage").unwrap();
        }
    }
    let r = record();
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "BC-1 (occurrence 2)\n"),
        "{}",
        r.stderr
    );
    assert_eq!(show(&env, "BC-1")["occurrences"], 2);
}

#[test]
fn the_issue_of_a_fingerprint_is_read_not_remembered() {
    let env = Env::with_tracker();
    assert_eq!(env.run(&NIGHTLY).stdout, "BC-1 (new)\n");
    env.ok(&["list"]);
    // The index (and the file of fingerprints beside it) still says BC-1
    // has this fingerprint; the branch says it no longer does.
    env.ok(&["set", "BC-1", "fingerprint=0123456789abcdef"]);
    assert_eq!(env.run(&NIGHTLY).stdout, "BC-2 (new)\n");
    assert_eq!(env.run(&NIGHTLY).stdout, "BC-2 (occurrence 2)\n");
    env.ok(&["list"]);
    assert_eq!(env.run(&NIGHTLY).stdout, "BC-2 (occurrence 3)\n");
    env.ok(&["delete", "BC-2", "--yes"]);
    assert_eq!(env.run(&NIGHTLY).stdout, "BC-3 (new)\n");
    assert_eq!(show(&env, "BC-1")["occurrences"], 1);
}

#[test]
fn a_fingerprint_is_matched_whatever_its_case_or_quotes() {
    let env = Env::with_tracker();
    // The index is there and behind: what `record` wrote is read back
    // from the files that changed since.
    env.ok(&["list"]);
    for (n, fp) in ["ABCDEF0123", "it's \"db: quoted\" \\ 2"]
        .iter()
        .enumerate()
    {
        let with = |fp: &str| env.run(&[&NIGHTLY[..], &["--fingerprint", fp]].concat());
        assert_eq!(with(fp).stdout, format!("BC-{} (new)\n", n + 1));
        assert_eq!(
            with(&fp.to_lowercase()).stdout,
            format!("BC-{} (occurrence 2)\n", n + 1)
        );
    }
}

#[test]
fn an_index_from_before_the_fingerprints_file_learns_them_when_next_updated() {
    let env = Env::with_tracker();
    assert_eq!(env.run(&NIGHTLY).stdout, "BC-1 (new)\n");
    env.ok(&["list"]);
    let keys = env.repo.join(".git/git-issue/index/keys.tsv");
    std::fs::remove_file(&keys).unwrap();
    // An update that does not touch BC-1 still writes it into the file.
    env.ok(&["new", "Unrelated", "-m", "x"]);
    env.ok(&["list"]);
    assert!(keys.is_file(), "the index's next update writes the file");
    assert_eq!(env.run(&NIGHTLY).stdout, "BC-1 (occurrence 2)\n");
    std::fs::remove_file(&keys).unwrap();
    assert_eq!(env.run(&NIGHTLY).stdout, "BC-1 (occurrence 3)\n");
}

#[test]
fn many_occurrence_files_are_folded_and_still_sum() {
    let env = Env::with_tracker();
    // A batch over three days is one file, counted per day.
    let lines: String = (0..3)
        .map(|d| {
            let at = jiff::Timestamp::from_second(1_767_225_600 + d * 86_400).unwrap();
            serde_json::json!({"title": "Nightly failure", "component": "ci", "error": "nightly failed", "at": at.to_string()}).to_string() + "\n"
        })
        .collect();
    ok_stdin(&env, &["record", "--jsonl", "-"], &lines);
    let files = occurrence_files(&env, "BC-1");
    assert_eq!(files.len(), 1);
    let batch = env.branch_file(&format!("{}/occurrences/{}", issue_dir("BC-1"), files[0]));
    assert!(
        batch.contains("days:\n  2026-01-01: 1\n  2026-01-02: 1\n  2026-01-03: 1\n"),
        "{batch}"
    );
    // 15 more, one a day: 16 files.
    nightly_on_days(&env, 3..18);
    assert_eq!(occurrence_files(&env, "BC-1").len(), 16);
    let r = env.run(&NIGHTLY);
    assert_eq!(r.stdout, "BC-1 (occurrence 19)\n", "{}", r.stderr);
    let files = occurrence_files(&env, "BC-1");
    assert_eq!(files.len(), 1, "folded: {files:?}");
    let folded = env.branch_file(&format!("{}/occurrences/{}", issue_dir("BC-1"), files[0]));
    assert!(
        folded.starts_with("count: 19\nfirst_seen: 2026-01-01T00:00:00Z\n"),
        "{folded}"
    );
    let batches: Vec<&str> = folded
        .lines()
        .skip_while(|l| *l != "batches:")
        .skip(1)
        .collect();
    assert_eq!(batches.len(), 17, "{folded}");
    assert!(
        batches
            .iter()
            .any(|l| l.ends_with(": {2026-01-01: 1, 2026-01-02: 1, 2026-01-03: 1}")),
        "{folded}"
    );
    assert_eq!(show(&env, "BC-1")["occurrences"], 19);
    let r = env.run(&NIGHTLY);
    assert_eq!(r.stdout, "BC-1 (occurrence 20)\n");
    assert_eq!(occurrence_files(&env, "BC-1").len(), 2);
    assert!(
        env.run(&["doctor"]).code == 0,
        "{}",
        env.run(&["doctor"]).stderr
    );
}

/// A bare remote and clones of it, as sync's tests make them.
struct Net {
    first: Env,
}

impl Net {
    fn new() -> Net {
        let first = Env::new();
        first.git_in(
            &first.root,
            &["init", "-q", "--bare", "-b", "main", "remote.git"],
        );
        first.git(&["remote", "add", "origin", "../remote.git"]);
        first.git(&["push", "-q", "origin", "main"]);
        first.ok(&["init", "--key", "BC"]);
        Net { first }
    }

    fn clone(&self, name: &str) -> Env {
        let env = self.first.sibling(name);
        env.git_in(&self.first.root, &["clone", "-q", "remote.git", name]);
        env.ok(&["init"]);
        env
    }
}

fn record_n(env: &Env, n: usize, host: &str) {
    let lines: String = (0..n)
        .map(|i| {
            serde_json::json!({"title": "Database timeout", "component": "db", "error-type": "TimeoutError",
                "error": format!("timed out after {i}s"), "host": host})
            .to_string()
                + "\n"
        })
        .collect();
    ok_stdin(env, &["record", "--jsonl", "-"], &lines);
}

fn occurrences_of(env: &Env, key: &str) -> u64 {
    show(env, key)["occurrences"].as_u64().unwrap()
}

#[test]
fn two_clones_recording_offline_sum_after_sync_in_either_order() {
    for bob_first in [true, false] {
        let net = Net::new();
        let a = &net.first;
        timeout(a, "timed out after 1s", &[]);
        a.ok(&["sync"]);
        let bob = net.clone("bob");
        let carol = net.clone("carol");
        // Offline, both record the known error (and fold nothing).
        record_n(&bob, 3, "bob-runner");
        record_n(&carol, 5, "carol-runner");
        let order: [&Env; 2] = if bob_first {
            [&bob, &carol]
        } else {
            [&carol, &bob]
        };
        for _ in 0..2 {
            for c in order {
                c.ok(&["sync"]);
            }
        }
        a.ok(&["sync"]);
        for c in [a, &bob, &carol] {
            assert_eq!(occurrences_of(c, "BC-1"), 9, "bob first: {bob_first}");
            let listed = json(&c.ok(&["list", "occurrences:9", "--json"]));
            assert_eq!(
                listed.as_array().unwrap().len(),
                1,
                "the index has the sum too"
            );
        }
        assert_eq!(
            show(&carol, "BC-1")["hosts"],
            serde_json::json!(["bob-runner", "carol-runner"])
        );
    }
}

#[test]
fn two_clones_folding_at_once_count_nothing_twice() {
    let net = Net::new();
    let a = &net.first;
    nightly_on_days(a, 0..16);
    a.ok(&["sync"]);
    let bob = net.clone("bob");
    let carol = net.clone("carol");
    // Each has 16 files: each record folds them, offline.
    for c in [&bob, &carol] {
        let r = c.run(&NIGHTLY);
        assert_eq!(r.stdout, "BC-1 (occurrence 17)\n", "{}", r.stderr);
        assert_eq!(occurrence_files(c, "BC-1").len(), 1);
    }
    for c in [&bob, &carol, &bob] {
        c.ok(&["sync"]);
    }
    assert_eq!(
        occurrence_files(&bob, "BC-1").len(),
        2,
        "both folded files stay"
    );
    assert_eq!(
        occurrences_of(&bob, "BC-1"),
        18,
        "16 batches counted once, plus one each"
    );
    assert_eq!(occurrences_of(&carol, "BC-1"), 18);
    // `record` counts the same, from what it keeps of each file.
    assert_eq!(bob.run(&NIGHTLY).stdout, "BC-1 (occurrence 19)\n");
}

#[test]
fn a_new_error_filed_on_two_clones_then_counts_on_the_first() {
    let net = Net::new();
    net.first.ok(&["sync"]);
    let bob = net.clone("bob");
    let carol = net.clone("carol");
    let at = |env: &Env, date: &str| run(env.cmd().args(NIGHTLY).env("GIT_COMMITTER_DATE", date));
    assert_eq!(at(&bob, "2026-01-03T00:00:00Z").stdout, "BC-1 (new)\n");
    assert_eq!(at(&carol, "2026-01-04T00:00:00Z").stdout, "BC-1 (new)\n");
    for c in [&bob, &carol, &bob] {
        c.ok(&["sync"]);
    }
    // Carol's was renumbered; the next occurrence goes to the one filed first.
    let r = at(&carol, "2026-01-05T00:00:00Z");
    assert_eq!(r.stdout, "BC-1 (occurrence 2)\n", "{}", r.stderr);
}

/// Values of the recorded errors to query, varied, with fixed times.
fn corpus(env: &Env) {
    let mut lines = String::new();
    for i in 0..40u64 {
        for j in 0..(i % 7) {
            let at = jiff::Timestamp::from_second(
                1_767_225_600 + ((i * 13 + j * 5) % 40) as i64 * 86_400,
            )
            .unwrap();
            let component = ["db", "api", "web"][(i % 3) as usize];
            let category = ["reliability", "security", "performance"][(i % 4 % 3) as usize];
            lines.push_str(
                &serde_json::json!({"title": format!("Error {i}"), "component": component,
                    "category": category,
                    "error": format!("failure in module m{i}"), "at": at.to_string()})
                .to_string(),
            );
            lines.push('\n');
        }
    }
    ok_stdin(env, &["record", "--jsonl", "-"], &lines);
    env.new_issue("A plain issue", &[]);
}

#[test]
fn the_index_answers_occurrence_queries_as_the_files_do() {
    let env = Env::with_tracker();
    corpus(&env);
    let tracker = Tracker::discover(&env.repo).unwrap();
    let config = tracker.config().unwrap();
    let now = "2026-02-15T00:00:00Z".parse().unwrap();
    let fp = show(&env, "BC-4")["fingerprint"]
        .as_str()
        .unwrap()
        .to_owned();
    let terms = vec![
        "occurrences:>3".to_owned(),
        "occurrences:2..4".to_owned(),
        "occurrences:0".to_owned(),
        "last_seen:<2026-01-20".to_owned(),
        "last_seen:>30d".to_owned(),
        "first_seen:2026-01-01..2026-01-10".to_owned(),
        "category:security".to_owned(),
        "component:db".to_owned(),
        format!("fingerprint:{fp}"),
        "no:fingerprint".to_owned(),
    ];
    let sorts = vec![
        "occurrences",
        "occurrences-asc",
        "last_seen",
        "first_seen-asc",
        "key",
    ];
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(60));
    runner
        .run(
            &(
                prop::collection::vec((any::<bool>(), prop::sample::select(terms.clone())), 1..3),
                prop::sample::select(sorts),
            ),
            |(parts, sort)| {
                let text: Vec<String> = parts
                    .iter()
                    .map(|(neg, t)| if *neg { format!("-{t}") } else { t.clone() })
                    .collect();
                let text = text.join(" ");
                let query = Query::parse(&text, &config, now).unwrap();
                let page = Page {
                    sort: sort.parse::<Sort>().unwrap(),
                    by_score: false,
                    offset: 0,
                    limit: None,
                };
                let indexed = tracker.find(&query.expr, page, &Quiet).unwrap();
                let scanned = tracker.find_by_scan(&query.expr, page).unwrap();
                let keys = |f: &git_issue::tracker::Found| {
                    f.records
                        .iter()
                        .map(|r| r.key.to_string())
                        .collect::<Vec<_>>()
                };
                prop_assert_eq!(keys(&indexed), keys(&scanned), "{} sorted {}", text, sort);
                Ok(())
            },
        )
        .unwrap();
    // And the words a user types give what they say.
    let keys = |q: &str| -> Vec<String> {
        json(&env.ok(&["list", "--all", q, "--json"]))
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["key"].as_str().unwrap().to_owned())
            .collect()
    };
    let top = keys("sort:occurrences-desc");
    let counts: Vec<u64> = top
        .iter()
        .map(|k| show(&env, k)["occurrences"].as_u64().unwrap_or(0))
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    assert_eq!(counts[0], 6);
    assert_eq!(keys(&format!("fingerprint:{fp}")), ["BC-4"]);
    assert!(
        keys("occurrences:>5")
            .iter()
            .all(|k| counts[top.iter().position(|t| t == k).unwrap()] > 5)
    );
    assert!(!keys("category:security").is_empty());
}

fn prometheus_parse(text: &str) -> Option<Vec<Value>> {
    let script = r#"
import json, sys
try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    sys.exit(3)
out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        out.append({"family": family.name, "type": family.type, "name": s.name, "labels": s.labels, "value": s.value})
print(json.dumps(out))
"#;
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    if out.status.code() == Some(3) {
        return None;
    }
    assert!(
        out.status.success(),
        "the parser refused the metrics: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(
        json(&String::from_utf8_lossy(&out.stdout))
            .as_array()
            .unwrap()
            .clone(),
    )
}

#[test]
fn metrics_are_read_by_prometheus_and_match_the_tracker() {
    let env = Env::with_tracker();
    corpus(&env);
    // A label value that needs escaping, and resolved issues.
    env.ok(&[
        "record",
        "Odd",
        "--component",
        "we\"ird\\comp",
        "--severity",
        "critical",
        "--error",
        "odd",
    ]);
    run(env
        .cmd()
        .args(["close", "BC-2", "--reason", "resolved"])
        .env("GIT_COMMITTER_DATE", "2026-01-02T09:04:05Z"));
    run(env
        .cmd()
        .args(["close", "BC-3", "--reason", "wont_fix"])
        .env("GIT_COMMITTER_DATE", "2026-01-12T03:04:05Z"));
    let text = env.ok(&["metrics"]);
    assert_eq!(
        env.ok(&["metrics"]),
        text,
        "the same tracker, the same bytes"
    );
    let Some(samples) = prometheus_parse(&text) else {
        assert!(
            std::env::var("CI").is_err(),
            "CI needs Python's prometheus_client (.ci/run installs it)"
        );
        eprintln!("skipped: Python's prometheus_client is not installed");
        return;
    };
    let value = |name: &str, labels: &[(&str, &str)]| -> f64 {
        samples
            .iter()
            .filter(|s| s["name"] == name)
            .filter(|s| labels.iter().all(|(k, v)| s["labels"][k] == *v))
            .map(|s| s["value"].as_f64().unwrap())
            .sum()
    };
    let families: std::collections::BTreeSet<(String, String)> = samples
        .iter()
        .map(|s| {
            (
                s["family"].as_str().unwrap().to_owned(),
                s["type"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for f in [
        ("git_issue_issues_created", "counter"),
        ("git_issue_issues_resolved", "counter"),
        ("git_issue_active_issues", "gauge"),
        ("git_issue_occurrences", "counter"),
        ("git_issue_resolution_seconds", "histogram"),
    ] {
        assert!(
            families.contains(&(f.0.to_owned(), f.1.to_owned())),
            "{f:?} in {families:?}"
        );
    }
    // Against the tracker's own answers.
    let all = json(&env.ok(&["list", "--all", "--json"]));
    let all = all.as_array().unwrap();
    assert_eq!(
        value("git_issue_issues_created_total", &[]) as usize,
        all.len()
    );
    let mut by_component: BTreeMap<String, f64> = BTreeMap::new();
    for i in all {
        if let Some(n) = i["occurrences"].as_u64() {
            *by_component
                .entry(i["component"].as_str().unwrap().to_owned())
                .or_default() += n as f64;
        }
    }
    for (component, n) in &by_component {
        assert_eq!(
            value("git_issue_occurrences_total", &[("component", component)]),
            *n,
            "{component}"
        );
    }
    assert_eq!(
        value(
            "git_issue_occurrences_total",
            &[("component", "we\"ird\\comp")]
        ),
        1.0
    );
    let open = all.iter().filter(|i| i["status"] == "open").count();
    assert_eq!(value("git_issue_active_issues", &[]) as usize, open);
    assert_eq!(
        value(
            "git_issue_active_issues",
            &[("severity", "critical"), ("category", "none")]
        ),
        1.0
    );
    assert_eq!(value("git_issue_issues_resolved_total", &[]), 2.0);
    assert_eq!(value("git_issue_resolution_seconds_count", &[]), 2.0);
    assert_eq!(
        value("git_issue_resolution_seconds_sum", &[]),
        (6 * 3600 + 10 * 86400) as f64
    );
    assert_eq!(
        value("git_issue_resolution_seconds_bucket", &[("le", "86400")]),
        1.0
    );
    assert_eq!(
        value("git_issue_resolution_seconds_bucket", &[("le", "+Inf")]),
        2.0
    );
}

#[test]
fn analyze_reports_the_window_against_the_one_before() {
    let env = Env::with_tracker();
    let rec = |date: &str, args: &[&str]| {
        let r = run(env
            .cmd()
            .args(["record"])
            .args(args)
            .args(["--at", date])
            .env("GIT_COMMITTER_DATE", date));
        assert_eq!(r.code, 0, "{}", r.stderr);
    };
    let db = [
        "Pool exhausted",
        "--component",
        "db",
        "--severity",
        "critical",
        "--category",
        "reliability",
        "--error",
        "pool exhausted",
        "--fix",
        "Raise the pool size",
    ];
    let db2 = [
        "Deadlock",
        "--component",
        "db",
        "--severity",
        "critical",
        "--category",
        "reliability",
        "--error",
        "deadlock detected",
        "--fix",
        "Raise the pool size",
    ];
    let api = [
        "Bad token",
        "--component",
        "api",
        "--severity",
        "high",
        "--category",
        "security",
        "--error",
        "token expired",
    ];
    rec("2025-12-28T10:00:00Z", &api);
    rec("2026-01-01T10:00:00Z", &db);
    run(env
        .cmd()
        .args(["close", "BC-1", "--reason", "resolved"])
        .env("GIT_COMMITTER_DATE", "2026-01-03T00:00:00Z"));
    // BC-1 was resolved: it comes back.
    for d in 5..=9 {
        for _ in 0..d {
            rec(&format!("2026-01-0{d}T10:00:00Z"), &api);
        }
    }
    rec("2026-01-09T11:00:00Z", &db2);
    let r = run(env
        .cmd()
        .args(["analyze", "--since", "7d"])
        .env("GIT_COMMITTER_DATE", "2026-01-09T12:00:00Z"));
    crate::assert_transcript!("analyze", r);
    let r = run(env
        .cmd()
        .args(["analyze", "--since", "7d", "--json"])
        .env("GIT_COMMITTER_DATE", "2026-01-09T12:00:00Z"));
    let v = json(&r.stdout);
    assert_eq!(v["trend"]["occurrences"]["window"], 36);
    assert_eq!(v["trend"]["occurrences"]["before"], 2);
    assert_eq!(v["totals"]["errors"], 3);
    assert_eq!(v["top_errors"][0]["key"], "BC-1");
    assert_eq!(v["regressed"][0]["key"], "BC-1");
    let rules: Vec<&str> = v["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "regression",
            "critical-component",
            "rising-category",
            "common-fix"
        ]
    );
    // A query narrows it.
    let r = run(env
        .cmd()
        .args(["analyze", "component:db", "--json"])
        .env("GIT_COMMITTER_DATE", "2026-01-09T12:00:00Z"));
    assert_eq!(json(&r.stdout)["totals"]["errors"], 2);
    let r = env.fail_with(2, &["analyze", "--since", "soon"]);
    assert!(r.stderr.contains("--since"), "{}", r.stderr);
}

// ---------------------------------------------------------------- the site

/// `(title text, height)` of each week's column of the chart on `page`.
fn chart_columns(page: &str) -> Vec<(String, u64)> {
    let chart = page
        .split("<section class=\"chart occurrences\" id=\"occurrences-per-week\">")
        .nth(1)
        .expect("an occurrences-per-week chart")
        .split("</section>")
        .next()
        .unwrap();
    chart
        .split("<rect class=\"occurrences\" ")
        .skip(1)
        .map(|r| {
            let height = r
                .split("height=\"")
                .nth(1)
                .and_then(|h| h.split('"').next())
                .unwrap()
                .parse()
                .unwrap();
            let title = r
                .split("<title>")
                .nth(1)
                .and_then(|t| t.split("</title>").next())
                .unwrap()
                .to_owned();
            (title, height)
        })
        .collect()
}

/// Records of the timeout: a batch over three days of two weeks, then one
/// more two weeks later, and a confidential error recorded alongside.
fn charted() -> Env {
    let env = Env::with_tracker();
    let line = |at: &str| {
        serde_json::json!({"title": "Database timeout", "component": "db",
            "error_type": "TimeoutError", "error": "Connection timed out after 30s",
            "host": "<b>web-2</b>", "at": at})
        .to_string()
    };
    let batch: Vec<String> = [
        "2026-01-05T08:00:00Z",
        "2026-01-05T09:00:00Z",
        "2026-01-07T10:00:00Z",
        "2026-01-11T23:59:00Z",
        "2026-01-12T00:00:00Z",
    ]
    .iter()
    .map(|at| line(at))
    .collect();
    ok_stdin(
        &env,
        &["record", "--jsonl", "-"],
        &(batch.join("\n") + "\n"),
    );
    ok_stdin(
        &env,
        &["record", "--jsonl", "-"],
        &format!(
            "{}\n{}\n",
            line("2026-01-26T12:00:00Z"),
            line("2026-01-27T12:00:00Z")
        ),
    );
    env.ok(&[
        "record",
        "Vault SECRET-ERR-5d1e",
        "--component",
        "vault",
        "--at",
        "2026-01-06T07:00:00Z",
    ]);
    env.ok(&["set", "BC-2", "confidential=true"]);
    env
}

#[test]
fn an_errors_page_charts_its_occurrences_per_week() {
    let env = charted();
    assert_eq!(show(&env, "BC-1")["occurrences"], 7);
    let out = crate::site::files(&crate::site::export(&env, "site", &[]));
    let page = String::from_utf8_lossy(&out["issues/BC-1.html"]).into_owned();
    // Weeks start on Monday: Sunday the 11th counts with the 5th, Monday
    // the 12th starts a week; the empty weeks between are drawn as empty.
    assert_eq!(
        chart_columns(&page),
        [
            ("week of 2026-01-05: 4".to_owned(), 138),
            ("week of 2026-01-12: 1".to_owned(), 34),
            ("week of 2026-01-19: 0".to_owned(), 0),
            ("week of 2026-01-26: 2".to_owned(), 69),
        ]
    );
    assert!(page.contains("aria-label=\"Occurrences per week\""));
    // Nothing the CSP blocks, and the host name stays text.
    assert!(!page.contains(" style=") && !page.contains("<script>"));
    assert!(page.contains("<code>&lt;b&gt;web-2&lt;/b&gt;</code>"));
    assert!(!page.contains("<b>web-2"));
    assert!(!out.contains_key("issues/BC-2.html"));
    for (path, bytes) in &out {
        assert!(
            !String::from_utf8_lossy(bytes).contains("SECRET-ERR-5d1e"),
            "a confidential error leaked into {path}"
        );
    }

    // An issue that is not an error has no chart.
    env.new_issue("Plain bug", &[]);
    let out = crate::site::files(&crate::site::export(&env, "again", &[]));
    assert!(!String::from_utf8_lossy(&out["issues/BC-3.html"]).contains("occurrences-per-week"));
}

#[test]
fn the_occurrences_chart_shows_in_a_browser() {
    let Some(b) = crate::webdriver::Browser::start() else {
        return;
    };
    let env = charted();
    let dir = crate::site::export(&env, "site", &[]);
    let port = crate::webdriver::serve(&dir);
    b.goto(&format!("http://127.0.0.1:{port}/issues/BC-1.html"));
    b.wait_for("the page", "return document.readyState === 'complete';");
    let seen = b.js(
        "const svg = document.querySelector('#occurrences-per-week svg');
         const box = svg.getBoundingClientRect();
         const bars = Array.from(svg.querySelectorAll('rect.occurrences'));
         return [box.width > 200, box.height > 50,
                 bars.map(r => Math.round(r.getBBox().height)),
                 getComputedStyle(bars[0]).fill,
                 bars.map(r => r.querySelector('title').textContent)];",
    );
    assert_eq!(
        seen,
        serde_json::json!([
            true,
            true,
            [138, 34, 0, 69],
            "rgb(9, 105, 218)",
            [
                "week of 2026-01-05: 4",
                "week of 2026-01-12: 1",
                "week of 2026-01-19: 0",
                "week of 2026-01-26: 2"
            ]
        ]),
        "drawn, styled by the site's style sheet"
    );
    b.screenshot("occurrences-chart");
    crate::browser::no_console_errors(&b, "issues/BC-1.html");
}
