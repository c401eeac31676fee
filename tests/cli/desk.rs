//! The support desk: "me too" votes, canned replies, attachments, merging
//! duplicates, known issues, reporters and their environment, support
//! metrics. Syncs go through a real bare remote.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::common::{Env, Run, json};

/// A bare remote with a tracker on it, and clones of it.
pub struct Net {
    pub first: Env,
}

impl Net {
    pub fn new() -> Net {
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

    /// A clone with the remote's tracker.
    pub fn clone(&self, name: &str) -> Env {
        let env = self.first.sibling(name);
        env.git_in(&self.first.root, &["clone", "-q", "remote.git", name]);
        env.ok(&["init"]);
        env
    }
}

/// Runs git-issue as someone else (another git identity).
pub fn as_who(env: &Env, name: &str, email: &str, args: &[&str]) -> Run {
    crate::common::run(
        env.cmd()
            .args(args)
            .env("GIT_AUTHOR_NAME", name)
            .env("GIT_AUTHOR_EMAIL", email)
            .env("GIT_COMMITTER_NAME", name)
            .env("GIT_COMMITTER_EMAIL", email),
    )
}

fn ok_as(env: &Env, name: &str, email: &str, args: &[&str]) -> String {
    let r = as_who(env, name, email, args);
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    r.stdout
}

fn show(env: &Env, key: &str) -> Value {
    json(&env.ok(&["show", key, "--json"]))
}

fn strings(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|x| x.as_str().unwrap().to_owned())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn keys(env: &Env, query: &str) -> Vec<String> {
    json(&env.ok(&["list", "--json", "--", query]))
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap().to_owned())
        .collect()
}

fn commits(env: &Env) -> usize {
    env.git(&["rev-list", "--count", "issues"])
        .trim()
        .parse()
        .unwrap()
}

/// Changes tracker.yml by hand, appending `more`.
pub fn add_settings(env: &Env, more: &str) {
    let old = env.branch_file("tracker.yml");
    env.commit_by_hand("tracker.yml", &format!("{old}{more}"));
}

// ---------------------------------------------------------------- votes

#[test]
fn concurrent_votes_from_two_clones_both_count_after_sync() {
    let net = Net::new();
    let a = &net.first;
    a.new_issue("Login fails", &[]);
    a.new_issue("Export is slow", &[]);
    a.ok(&["sync"]);
    let b = net.clone("bob");

    // At the same time: Alice votes on her clone, Bob and Carol on theirs;
    // Dan had voted on BC-2 and takes it back while Erin votes for it.
    a.ok(&["vote", "BC-1"]);
    ok_as(&b, "Bob", "bob@example.com", &["vote", "BC-1"]);
    ok_as(&b, "Carol", "Carol@Example.com", &["vote", "BC-1"]);
    ok_as(a, "Dan", "dan@example.com", &["vote", "BC-2"]);
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    ok_as(a, "Dan", "dan@example.com", &["unvote", "BC-2"]);
    ok_as(&b, "Erin", "erin@example.com", &["vote", "BC-2"]);
    for _ in 0..2 {
        a.ok(&["sync"]);
        b.ok(&["sync"]);
    }
    assert_eq!(a.tip(), b.tip());
    for env in [a, &b] {
        let one = show(env, "BC-1");
        assert_eq!(
            strings(&one["voters"]),
            set(&["alice@example.com", "bob@example.com", "carol@example.com"])
        );
        assert_eq!(one["vote_count"], 3);
        let two = show(env, "BC-2");
        assert_eq!(strings(&two["voters"]), set(&["erin@example.com"]));
        assert!(
            env.ok(&["show", "BC-1"]).contains("votes: 3 ("),
            "show prints the count"
        );
    }
}

#[test]
fn one_vote_a_person_searched_and_sorted_by_count() {
    let env = Env::with_tracker();
    for t in ["One", "Two", "Three"] {
        env.new_issue(t, &[]);
    }
    let r = env.run(&["vote", "BC-2"]);
    assert!(r.stderr.contains("BC-2: voted (1 vote)"), "{}", r.stderr);
    let before = env.tip();
    let r = env.run(&["vote", "bc-2"]);
    assert_eq!(r.code, 0);
    assert!(r.stderr.contains("you had voted already"), "{}", r.stderr);
    assert_eq!(env.tip(), before, "a second vote writes nothing");
    for who in ["b", "c"] {
        ok_as(&env, who, &format!("{who}@example.com"), &["vote", "BC-3"]);
    }
    assert_eq!(keys(&env, "votes:>1"), ["BC-3"]);
    assert_eq!(keys(&env, "votes:1..5 sort:votes-desc"), ["BC-3", "BC-2"]);
    assert_eq!(keys(&env, "sort:votes-desc"), ["BC-3", "BC-2", "BC-1"]);
    assert_eq!(keys(&env, "voter:c@example.com"), ["BC-3"]);
    let v = json(&env.ok(&["unvote", "BC-2", "--json"]));
    assert_eq!(
        (v["votes"].as_u64(), v["changed"].as_bool()),
        (Some(0), Some(true))
    );
    assert!(
        env.branch_file("issues/0/0/0/BC-2.md")
            .contains("title: Two\n"),
        "the file is still there"
    );
    assert!(!env.branch_file("issues/0/0/0/BC-2.md").contains("voters"));
}

#[test]
fn the_old_numeric_votes_keep_counting() {
    let env = Env::with_tracker();
    env.new_issue("Imported", &[]);
    let text = env.branch_file("issues/0/0/0/BC-1.md");
    env.commit_by_hand(
        "issues/0/0/0/BC-1.md",
        &text.replace("created:", "votes: 5\ncreated:"),
    );
    env.ok(&["vote", "BC-1"]);
    let file = env.branch_file("issues/0/0/0/BC-1.md");
    assert!(
        file.contains("votes: 5\nvoters:\n  - alice@example.com\n"),
        "{file}"
    );
    let v = show(&env, "BC-1");
    assert_eq!(
        (v["votes"].as_u64(), v["vote_count"].as_u64()),
        (Some(5), Some(6))
    );
    assert_eq!(keys(&env, "votes:6"), ["BC-1"]);
    assert!(
        env.ok(&["show", "BC-1"])
            .contains("votes: 6 (alice@example.com and 5 more)")
    );
    let site = crate::site::export(&env, "site", &[]);
    let page = std::fs::read_to_string(site.join("issues/BC-1.html")).unwrap();
    assert!(page.contains("<dt>Votes</dt><dd>6</dd>"), "{page}");
    let r = env.fail_with(1, &["set", "BC-1", "votes=100"]);
    assert!(
        r.stderr.contains("is not a field set can change"),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------- replies

const EVERY_PLACEHOLDER: &str = "Hi {reporter_name} ({reporter}),

{key} \"{title}\" is {status}, with {assignee} for {milestone}.
Priority {priority}, labels {labels}, {votes} votes, seen on {env.browser}.
Empty: [{component}] [{env.os}]. Braces: {{key}} and fn x() { 1 } stay.

— {me}
";

#[test]
fn a_reply_with_every_placeholder_renders_exactly() {
    let env = Env::with_tracker();
    env.new_issue(
        "Login fails",
        &[
            "--reporter",
            "Jane Doe",
            "--reporter-email",
            "jane@customer.com",
            "--env",
            "browser=Firefox 128",
            "-a",
            "bob",
            "--milestone",
            "v0.7.0",
            "-l",
            "auth",
            "-l",
            "ui",
        ],
    );
    env.ok(&["vote", "BC-1"]);
    env.ok(&["replies", "add", "status", "-m", EVERY_PLACEHOLDER]);
    let r = env.run(&["comment", "BC-1", "--reply", "status"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("(reply status)"), "{}", r.stderr);
    let v = show(&env, "BC-1");
    let comment = &v["comments"][0];
    assert_eq!(
        comment["body"].as_str().unwrap(),
        "Hi Jane Doe (Jane Doe),

BC-1 \"Login fails\" is open, with bob for v0.7.0.
Priority p2, labels auth, ui, 1 votes, seen on Firefox 128.
Empty: [] []. Braces: {key} and fn x() { 1 } stay.

— Alice Example
"
    );
    assert_eq!(comment["author"], "Alice Example <alice@example.com>");
    assert_eq!(comment["internal"], false);

    env.ok(&["comment", "BC-1", "--reply", "status", "--internal"]);
    assert_eq!(show(&env, "BC-1")["comments"][1]["internal"], true);
}

#[test]
fn an_unknown_placeholder_is_named_and_writes_nothing() {
    let env = Env::with_tracker();
    env.new_issue("Login fails", &[]);
    // Saving one is refused, with where it is.
    let r = env.fail_with(
        1,
        &[
            "replies",
            "add",
            "bad",
            "-m",
            "Hi {reporter_name},\n  thanks {colour}\n",
        ],
    );
    assert!(
        r.stderr
            .starts_with("error: replies/bad.md:2:10: unknown placeholder {colour};"),
        "{}",
        r.stderr
    );
    // One written by hand is refused when posted, before anything is written.
    env.commit_by_hand("replies/bad.md", "Hi {reporter_name},\n  thanks {colour}\n");
    let before = env.tip();
    let r = env.fail_with(1, &["comment", "BC-1", "--reply", "bad"]);
    assert!(
        r.stderr
            .contains("replies/bad.md:2:10: unknown placeholder {colour}"),
        "{}",
        r.stderr
    );
    assert_eq!(env.tip(), before, "nothing written");
    assert!(
        show(&env, "BC-1")["comments"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let r = env.fail_with(3, &["comment", "BC-1", "--reply", "nope"]);
    assert!(
        r.stderr.contains("no reply \"nope\"; there are: bad"),
        "{}",
        r.stderr
    );
}

#[test]
fn replies_are_listed_shown_changed_and_removed() {
    let env = Env::with_tracker();
    env.new_issue("Login fails", &[]);
    let r = env.run(&["replies"]);
    assert!(r.stderr.contains("No canned replies yet"), "{}", r.stderr);
    env.ok(&[
        "replies",
        "add",
        "needs-logs",
        "-m",
        "Could you attach the log of {key}?\n\nThanks!",
    ]);
    env.ok(&["replies", "add", "thanks", "-m", "Thanks, {reporter_name}."]);
    let r = env.fail_with(1, &["replies", "add", "thanks", "-m", "again"]);
    assert!(
        r.stderr.contains("there is a reply \"thanks\" already"),
        "{}",
        r.stderr
    );
    env.fail_with(1, &["replies", "add", "../evil", "-m", "x"]);
    let list = env.ok(&["replies"]);
    assert_eq!(
        list,
        "needs-logs  Could you attach the log of {key}?…\nthanks      Thanks, {reporter_name}.\n"
    );
    assert_eq!(
        env.branch_file("replies/needs-logs.md"),
        "Could you attach the log of {key}?\n\nThanks!\n"
    );
    assert_eq!(
        env.ok(&["replies", "show", "thanks"]),
        "Thanks, {reporter_name}.\n"
    );
    env.ok(&[
        "replies",
        "edit",
        "thanks",
        "-m",
        "Thank you, {reporter_name}!",
    ]);
    assert_eq!(
        env.branch_file("replies/thanks.md"),
        "Thank you, {reporter_name}!\n"
    );
    env.ok(&["replies", "remove", "needs-logs"]);
    let names: Vec<String> = json(&env.ok(&["replies", "--json"]))
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["thanks"]);
    env.fail_with(3, &["replies", "remove", "needs-logs"]);
    // `doctor` knows the folder.
    env.ok(&["doctor"]);
}

#[test]
fn edit_opens_the_filled_reply_first() {
    let env = Env::with_tracker();
    env.new_issue("Login fails", &[]);
    env.ok(&["replies", "add", "thanks", "-m", "Thanks for {key}."]);
    let editor = env.script("editor", "printf 'P.S. retry after 5 min.\\n' >> \"$1\"");
    let r = env.run_editor(
        &["comment", "BC-1", "--reply", "thanks", "--edit"],
        &editor,
        "",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        show(&env, "BC-1")["comments"][0]["body"],
        "Thanks for BC-1.\nP.S. retry after 5 min.\n"
    );
}

// ---------------------------------------------------------------- attachments

fn raw(env: &Env, args: &[&str]) -> Vec<u8> {
    let out = env.cmd().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn attachments_round_trip_byte_for_byte_one_commit_a_call() {
    let env = Env::with_tracker();
    env.new_issue("Crash on start", &[]);
    let mut binary: Vec<u8> = (0..=255u8).collect();
    binary.extend_from_slice(b"\0\0\r\n\x1b[31m\xff\xfe\0");
    std::fs::write(env.root.join("core.bin"), &binary).unwrap();
    std::fs::write(env.root.join("crash.log"), "line 1\nline 2\n").unwrap();
    let before = commits(&env);
    let core = env.root.join("core.bin");
    let log = env.root.join("crash.log");
    let r = env.run(&[
        "attach",
        "BC-1",
        core.to_str().unwrap(),
        log.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(commits(&env), before + 1, "one commit for both files");
    assert_eq!(
        env.git(&["log", "-1", "--format=%s", "issues"]).trim(),
        "BC-1: attach core.bin (268 bytes), crash.log (14 bytes)"
    );
    assert_eq!(raw(&env, &["attachment", "BC-1", "core.bin"]), binary);
    let out = env.root.join("back.bin");
    env.ok(&[
        "attachment",
        "BC-1",
        "core.bin",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read(&out).unwrap(), binary);
    // As git stores it: the blob is the bytes.
    let blob = env
        .git_cmd()
        .args([
            "cat-file",
            "blob",
            "issues:issues/0/0/0/BC-1/attachments/core.bin",
        ])
        .output()
        .unwrap();
    assert_eq!(blob.stdout, binary);

    let list = json(&env.ok(&["attachments", "BC-1", "--json"]));
    assert_eq!(
        list,
        serde_json::json!([{"name": "core.bin", "size": 268}, {"name": "crash.log", "size": 14}])
    );
    assert!(
        env.ok(&["show", "BC-1"])
            .contains("Attachments\n  core.bin   268 bytes\n  crash.log  14 bytes\n")
    );

    // The same bytes again: nothing to write. Other bytes: refused.
    let tip = env.tip();
    env.ok(&["attach", "BC-1", log.to_str().unwrap()]);
    assert_eq!(env.tip(), tip);
    std::fs::write(&log, "other\n").unwrap();
    let r = env.fail_with(1, &["attach", "BC-1", log.to_str().unwrap()]);
    assert!(
        r.stderr.contains("has an attachment crash.log already"),
        "{}",
        r.stderr
    );
    let r = env.run_with_stdin(&["attach", "BC-1", "-", "--name", "crash-2.log"], "other\n");
    assert_eq!(r.code, 0, "{}", r.stderr);

    env.ok(&["detach", "BC-1", "core.bin"]);
    let names: Vec<String> = json(&env.ok(&["attachments", "BC-1", "--json"]))
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["crash-2.log", "crash.log"]);
    let r = env.fail_with(3, &["attachment", "BC-1", "core.bin"]);
    assert!(
        r.stderr
            .contains("BC-1 has no attachment \"core.bin\"; it has: crash-2.log, crash.log"),
        "{}",
        r.stderr
    );
    env.fail_with(3, &["attach", "BC-9", log.to_str().unwrap()]);
}

#[test]
fn a_file_over_the_limit_is_refused_and_nothing_is_written() {
    let env = Env::with_tracker();
    env.new_issue("Crash", &[]);
    add_settings(&env, "attachments:\n  max_size: 1 kB\n");
    std::fs::write(env.root.join("small.txt"), vec![b'x'; 1000]).unwrap();
    std::fs::write(env.root.join("big.bin"), vec![0u8; 1001]).unwrap();
    let before = env.tip();
    let small = env.root.join("small.txt");
    let big = env.root.join("big.bin");
    let r = env.fail_with(
        1,
        &[
            "attach",
            "BC-1",
            small.to_str().unwrap(),
            big.to_str().unwrap(),
        ],
    );
    assert!(
        r.stderr.contains("big.bin is 1 kB, more than the 1 kB an attachment may be (attachments.max_size in tracker.yml)"),
        "{}",
        r.stderr
    );
    assert_eq!(env.tip(), before, "not even the small one");
    env.ok(&["attach", "BC-1", small.to_str().unwrap()]);
}

#[test]
fn a_hostile_name_stays_inside_the_issues_folder() {
    let env = Env::with_tracker();
    env.new_issue("Crash", &[]);
    std::fs::write(env.root.join("x"), "payload").unwrap();
    let x = env.root.join("x");
    for name in [
        "../../../tracker.yml",
        "..",
        ".git",
        "a/../../b\\c",
        "<img src=x onerror=alert(1)>.png",
        "bidi\u{202E}gnp.exe",
    ] {
        env.ok(&["attach", "BC-1", x.to_str().unwrap(), "--name", name]);
    }
    let files = env.git(&["ls-tree", "-r", "--name-only", "issues"]);
    let attached: Vec<&str> = files
        .lines()
        .filter(|p| !p.ends_with(".md") && !matches!(*p, ".gitattributes" | "tracker.yml"))
        .collect();
    assert_eq!(
        attached,
        [
            "issues/0/0/0/BC-1/attachments/attachment",
            "issues/0/0/0/BC-1/attachments/bidi_gnp.exe",
            "issues/0/0/0/BC-1/attachments/c",
            "issues/0/0/0/BC-1/attachments/git",
            "issues/0/0/0/BC-1/attachments/img_src_x_onerror_alert_1_.png",
            "issues/0/0/0/BC-1/attachments/tracker.yml",
        ]
    );
    assert!(!env.branch_file("tracker.yml").contains("payload"));
    env.ok(&["doctor"]);
}

// ---------------------------------------------------------------- merge

/// `show` lists an issue's duplicates from the search index as it stands,
/// plus the issues changed since it was written, without writing it: so it
/// stays right after writes, and stays cheap.
#[test]
fn show_lists_duplicates_right_after_writes_without_updating_the_index() {
    let env = Env::with_tracker();
    for title in ["Original", "Copy", "Another copy", "Elsewhere"] {
        env.new_issue(title, &[]);
    }
    env.ok(&["set", "BC-2", "duplicate_of=BC-1"]);
    assert_eq!(keys(&env, "duplicate_of:BC-1"), ["BC-2"]);
    let common = env.git(&["rev-parse", "--git-common-dir"]);
    let meta = env
        .repo
        .join(common.trim())
        .join("git-issue/index/meta.json");

    // Changed after the index was written: one gained, one moved away.
    env.ok(&["set", "BC-3", "duplicate_of=bc-1"]);
    env.ok(&["set", "BC-2", "duplicate_of=BC-4"]);
    let written = std::fs::read(&meta).expect("list wrote the index");
    assert_eq!(
        show(&env, "BC-1")["duplicates"],
        serde_json::json!(["BC-3"])
    );
    assert_eq!(
        show(&env, "BC-4")["duplicates"],
        serde_json::json!(["BC-2"])
    );
    assert!(env.ok(&["show", "BC-1"]).contains("Duplicates: BC-3\n"));
    assert_eq!(
        std::fs::read(&meta).unwrap(),
        written,
        "show left the index alone"
    );
    assert_eq!(keys(&env, "duplicate_of:BC-4"), ["BC-2"]);
    assert_ne!(
        std::fs::read(&meta).unwrap(),
        written,
        "list brought it up to date"
    );

    // Without an index at all, it is built, as for `list`.
    std::fs::remove_dir_all(meta.parent().unwrap()).unwrap();
    assert_eq!(
        show(&env, "BC-4")["duplicates"],
        serde_json::json!(["BC-2"])
    );
    assert_eq!(keys(&env, "duplicate_of:BC-1"), ["BC-3"]);
}

#[test]
fn merge_is_one_commit_and_the_original_gains_what_the_duplicate_had() {
    let env = Env::with_tracker();
    env.new_issue("Login fails with a colon", &["-l", "auth"]);
    env.new_issue("Other", &[]);
    ok_as(
        &env,
        "Bob",
        "bob@example.com",
        &["new", "Cannot log in", "-l", "ui", "-l", "auth"],
    );
    env.ok(&["set", "BC-3", "related=BC-2,BC-1"]);
    env.ok(&["link", "BC-3", "HEAD"]);
    ok_as(&env, "Carol", "carol@example.com", &["vote", "BC-3"]);
    env.ok(&["vote", "BC-1"]);
    env.ok(&["comment", "BC-3", "-m", "Same here on Safari."]);
    let before = env.tip();
    let r = env.run(&["merge", "BC-3", "--into", "BC-1", "-m", "Same root cause."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        env.git(&["rev-parse", "issues~1"]).trim(),
        before,
        "one commit"
    );
    assert_eq!(
        env.git(&["log", "-1", "--format=%s", "issues"]).trim(),
        "BC-3: merged into BC-1 as a duplicate"
    );
    let dup = show(&env, "BC-3");
    assert_eq!(dup["status"], "duplicate");
    assert_eq!(dup["duplicate_of"], "BC-1");
    assert!(dup["resolved"].is_string());
    assert_eq!(
        dup["comments"].as_array().unwrap().len(),
        1,
        "its comments stay"
    );
    let orig = show(&env, "BC-1");
    assert_eq!(
        strings(&orig["voters"]),
        set(&["alice@example.com", "carol@example.com", "bob@example.com"]),
        "its voters, and its reporter as one"
    );
    assert_eq!(strings(&orig["labels"]), set(&["auth", "ui"]));
    assert_eq!(strings(&orig["related"]), set(&["BC-2"]));
    assert_eq!(orig["commits"].as_array().unwrap().len(), 1);
    assert_eq!(orig["duplicates"], serde_json::json!(["BC-3"]));
    let body = orig["comments"][0]["body"].as_str().unwrap();
    assert!(
        body.starts_with("Merged BC-3 (\"Cannot log in\") into this issue: labels +ui, ")
            && body.ends_with("\n\nSame root cause.\n"),
        "{body}"
    );
    let r = env.run(&["show", "BC-3"]);
    assert!(
        r.stderr
            .contains("BC-3 is a duplicate of BC-1: git issue show BC-1"),
        "{}",
        r.stderr
    );
    assert!(env.ok(&["show", "BC-1"]).contains("Duplicates: BC-3"));

    // A vote on the duplicate lands on the original.
    let r = as_who(&env, "Dan", "dan@example.com", &["vote", "BC-3"]);
    assert!(
        r.stderr
            .contains("BC-3 is a duplicate of BC-1: the vote is on BC-1"),
        "{}",
        r.stderr
    );
    assert_eq!(show(&env, "BC-1")["vote_count"], 4);

    // Again: nothing new to bring over.
    let tip = env.tip();
    let r = env.run(&["merge", "BC-3", "--into", "BC-1"]);
    assert!(r.stderr.contains("nothing new"), "{}", r.stderr);
    assert_eq!(env.tip(), tip);
    env.fail_with(1, &["merge", "BC-1", "--into", "BC-1"]);
    let r = env.fail_with(1, &["merge", "BC-2", "--into", "BC-3"]);
    assert!(
        r.stderr
            .contains("BC-3 is itself a duplicate of BC-1; merge BC-2 into BC-1 instead"),
        "{}",
        r.stderr
    );
    let r = env.fail_with(1, &["merge", "BC-3", "--into", "BC-2"]);
    assert!(
        r.stderr.contains("already a duplicate of BC-1"),
        "{}",
        r.stderr
    );
}

#[test]
fn sync_of_a_merge_against_a_concurrent_edit_of_the_duplicate_loses_nothing() {
    let net = Net::new();
    let a = &net.first;
    a.new_issue("Login fails", &[]);
    a.new_issue("Cannot log in", &[]);
    a.ok(&["sync"]);
    let b = net.clone("bob");
    // Alice merges BC-2 into BC-1 while Bob, offline, works on BC-2.
    a.ok(&["merge", "BC-2", "--into", "BC-1"]);
    ok_as(
        &b,
        "Bob",
        "bob@example.com",
        &[
            "set",
            "BC-2",
            "title=Cannot log in on Safari",
            "+safari",
            "priority=p1",
        ],
    );
    ok_as(
        &b,
        "Bob",
        "bob@example.com",
        &["comment", "BC-2", "-m", "Only on Safari 17."],
    );
    ok_as(&b, "Bob", "bob@example.com", &["vote", "BC-2"]);
    std::fs::write(b.root.join("har.json"), "{}").unwrap();
    let har = b.root.join("har.json");
    b.ok(&["attach", "BC-2", har.to_str().unwrap()]);
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    assert_eq!(a.tip(), b.tip());
    for env in [a, &b] {
        let dup = show(env, "BC-2");
        assert_eq!(dup["status"], "duplicate");
        assert_eq!(dup["duplicate_of"], "BC-1");
        assert_eq!(dup["title"], "Cannot log in on Safari");
        assert_eq!(dup["priority"], "p1");
        assert_eq!(strings(&dup["labels"]), set(&["safari"]));
        assert_eq!(strings(&dup["voters"]), set(&["bob@example.com"]));
        assert_eq!(dup["comments"][0]["body"], "Only on Safari 17.\n");
        assert_eq!(dup["attachments"][0]["name"], "har.json");
        let orig = show(env, "BC-1");
        assert!(
            orig["comments"][0]["body"]
                .as_str()
                .unwrap()
                .starts_with("Merged BC-2")
        );
    }
    // Merging again brings over what the duplicate gathered meanwhile.
    a.ok(&["merge", "BC-2", "--into", "BC-1"]);
    let orig = show(a, "BC-1");
    assert!(strings(&orig["voters"]).contains("bob@example.com"));
    assert!(strings(&orig["labels"]).contains("safari"));
}

/// The merge note quotes the duplicate's title: when either side is
/// confidential it is internal, so neither the site nor `serve` of the
/// public original shows a confidential duplicate's title or the reason.
#[test]
fn merging_a_confidential_duplicate_leaves_its_title_off_the_public_pages() {
    let env = Env::with_tracker();
    env.new_issue("Login fails", &[]);
    env.new_issue("Acme Corp SECRET-DUP-91c2 cannot log in", &[]);
    env.new_issue("Public copy", &[]);
    env.new_issue("Internal audit", &[]);
    env.ok(&["set", "BC-2", "confidential=true"]);
    env.ok(&["set", "BC-4", "confidential=true"]);
    env.ok(&[
        "merge",
        "BC-2",
        "--into",
        "BC-1",
        "-m",
        "Their SECRET-WHY-91c2 tenant.",
    ]);
    let note = &show(&env, "BC-1")["comments"][0];
    assert!(
        note["body"]
            .as_str()
            .unwrap()
            .starts_with("Merged BC-2 (\"Acme Corp SECRET-DUP-91c2"),
        "{note}"
    );
    assert_eq!(note["internal"], true, "{note}");

    let public = crate::site::files(&crate::site::export(&env, "public", &[]));
    assert!(public.contains_key("issues/BC-1.html"));
    for (path, bytes) in &public {
        let t = String::from_utf8_lossy(bytes);
        for m in ["SECRET-DUP-91c2", "SECRET-WHY-91c2"] {
            assert!(!t.contains(m), "{m} leaked into {path}");
        }
    }
    let all = crate::site::files(&crate::site::export(
        &env,
        "all",
        &["--include-confidential"],
    ));
    let page = String::from_utf8_lossy(&all["issues/BC-1.html"]).into_owned();
    assert!(page.contains("SECRET-WHY-91c2"), "staff still see it");

    // A public duplicate into a confidential original: internal too; two
    // public issues: public, as before.
    env.ok(&["merge", "BC-3", "--into", "BC-4"]);
    assert_eq!(show(&env, "BC-4")["comments"][0]["internal"], true);
    env.new_issue("Another copy", &[]);
    env.ok(&["merge", "BC-5", "--into", "BC-1"]);
    let notes = show(&env, "BC-1")["comments"].clone();
    let last = notes.as_array().unwrap().last().unwrap().clone();
    assert!(last["body"].as_str().unwrap().starts_with("Merged BC-5"));
    assert_eq!(last["internal"], false, "{last}");
}

// ---------------------------------------------------------------- the queue

#[test]
fn reporters_environments_known_issues_and_mine() {
    let env = Env::with_tracker();
    let k = env.new_issue(
        "Blank page",
        &[
            "--reporter-email",
            "jane@customer.com",
            "--env",
            "browser=Firefox 128",
            "--env",
            "os=Linux",
            "--env",
            "url=https://app.example.com/a?b=1,c=2",
        ],
    );
    let v = show(&env, &k);
    assert_eq!(v["reporter"], "jane@customer.com");
    assert_eq!(v["reporter_email"], "jane@customer.com");
    assert_eq!(
        v["env"],
        serde_json::json!({"browser": "Firefox 128", "os": "Linux", "url": "https://app.example.com/a?b=1,c=2"})
    );
    let file = env.branch_file("issues/0/0/0/BC-1.md");
    assert!(
        file.contains("reporter_email: jane@customer.com\n"),
        "{file}"
    );
    assert!(
        file.contains("env:\n  browser: Firefox 128\n  os: Linux\n"),
        "{file}"
    );
    assert_eq!(keys(&env, "env:linux"), ["BC-1"]);
    let r = env.fail_with(2, &["new", "x", "--reporter-email", "not an email"]);
    assert!(
        r.stderr
            .contains("--reporter-email: \"not an email\" is not an email address"),
        "{}",
        r.stderr
    );
    env.fail_with(2, &["new", "x", "--env", "browser"]);

    env.new_issue("Mine, filed", &[]);
    ok_as(
        &env,
        "Bob",
        "bob@example.com",
        &["new", "Bob's, for me", "-a", "Alice Example"],
    );
    ok_as(
        &env,
        "Bob",
        "bob@example.com",
        &["new", "Bob's, by email", "-a", "alice@example.com"],
    );
    ok_as(
        &env,
        "Bob",
        "bob@example.com",
        &["new", "Bob's own", "-a", "bob"],
    );
    assert_eq!(
        json(&env.ok(&["list", "--mine", "--json", "sort:key-asc"]))
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["key"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["BC-2", "BC-3", "BC-4"]
    );

    assert!(keys(&env, "is:known").is_empty());
    env.ok(&["set", "BC-1", "known=true"]);
    env.ok(&["set", "BC-5", "known=yes"]);
    env.ok(&["close", "BC-5"]);
    assert_eq!(keys(&env, "is:known"), ["BC-1"]);
    assert_eq!(keys(&env, "is:known is:closed"), ["BC-5"]);
    assert_eq!(keys(&env, "-is:known").len(), 3);
    assert!(env.ok(&["show", "BC-1"]).contains("known issue: yes"));
}

/// Runs `args` as `who` at `date` (the branch's commit time, which is
/// what the tracker takes for now).
fn at(env: &Env, date: &str, who: (&str, &str), args: &[&str]) {
    let r = crate::common::run(
        env.cmd()
            .args(args)
            .env("GIT_COMMITTER_DATE", date)
            .env("GIT_AUTHOR_NAME", who.0)
            .env("GIT_AUTHOR_EMAIL", who.1),
    );
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
}

/// A support queue's history: BC-1 answered after two hours (after an
/// internal note and the reporter's own comment), BC-2 after four and
/// resolved the next week, BC-3 not answered yet.
fn support_history(env: &Env) {
    let at = |date: &str, who: (&str, &str), args: &[&str]| at(env, date, who, args);
    let jane = ("Jane", "jane@customer.com");
    let alice = ("Alice Example", "alice@example.com");
    at("2026-01-05T09:00:00Z", jane, &["new", "One"]);
    at(
        "2026-01-05T09:30:00Z",
        jane,
        &["comment", "BC-1", "-m", "More details"],
    );
    at(
        "2026-01-05T10:00:00Z",
        alice,
        &["comment", "BC-1", "-m", "Looking", "--internal"],
    );
    at(
        "2026-01-05T11:00:00Z",
        alice,
        &["comment", "BC-1", "-m", "Fixed soon"],
    );
    at("2026-01-06T09:00:00Z", jane, &["new", "Two", "-a", "alice"]);
    at(
        "2026-01-06T13:00:00Z",
        alice,
        &["comment", "BC-2", "-m", "On it"],
    );
    at("2026-01-13T09:00:00Z", alice, &["close", "BC-2"]);
    at("2026-01-14T09:00:00Z", jane, &["new", "Three"]);
}

#[test]
fn support_metrics_in_stats() {
    let env = Env::with_tracker();
    support_history(&env);
    let r = crate::common::run(
        env.cmd()
            .args(["stats", "--weeks", "2", "--json"])
            .env("GIT_COMMITTER_DATE", "2026-01-15T00:00:00Z"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let m = json(&r.stdout);
    assert_eq!(
        m,
        serde_json::json!({
            "open": 2,
            "unassigned": 2,
            "awaiting_response": 1,
            "median_first_response": 3 * 3600,
            "responded": 2,
            "weeks": [
                {"start": "2026-01-05", "opened": 2, "resolved": 0},
                {"start": "2026-01-12", "opened": 1, "resolved": 1}
            ],
            "resolved_per_week": 0.5
        })
    );
    let text = crate::common::run(
        env.cmd()
            .args(["stats", "--weeks", "2"])
            .env("GIT_COMMITTER_DATE", "2026-01-15T00:00:00Z"),
    );
    assert!(
        text.stdout
            .contains("median first response      3h 0m (over 2 issues)"),
        "{}",
        text.stdout
    );
}

/// The dashboard's support tiles, by id: the `data-value` of each.
fn support_tiles(html: &str) -> BTreeMap<String, String> {
    let section = html
        .split("<section class=\"support\" id=\"support\">")
        .nth(1)
        .expect("a support section")
        .split("</section>")
        .next()
        .unwrap();
    section
        .split("<div class=\"tile\" id=\"")
        .skip(1)
        .map(|t| {
            let id = t.split('"').next().unwrap().to_owned();
            let value = t
                .split("data-value=\"")
                .nth(1)
                .and_then(|v| v.split('"').next())
                .unwrap()
                .to_owned();
            (id, value)
        })
        .collect()
}

/// What `stats --weeks 12` says at the time of the last change: the
/// dashboard's window, twelve weeks up to its latest event.
fn stats_json(env: &Env) -> Value {
    let r = crate::common::run(
        env.cmd()
            .args(["stats", "--weeks", "12", "--json"])
            .env("GIT_COMMITTER_DATE", "2026-01-15T00:00:00Z"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    json(&r.stdout)
}

fn expected_tiles(m: &Value) -> BTreeMap<String, String> {
    [
        ("support-unassigned", m["unassigned"].to_string()),
        ("support-awaiting", m["awaiting_response"].to_string()),
        (
            "support-first-response",
            m["median_first_response"].to_string(),
        ),
        (
            "support-resolved-per-week",
            format!("{:.2}", m["resolved_per_week"].as_f64().unwrap()),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// The created-versus-resolved chart's columns: `week of …: n created`.
fn week_columns(html: &str) -> Vec<String> {
    html.split("<title>week of ")
        .skip(1)
        .map(|t| t.split("</title>").next().unwrap().to_owned())
        .filter(|t| !t.ends_with(": 0 created") && !t.ends_with(": 0 resolved"))
        .collect()
}

#[test]
fn the_dashboard_shows_the_support_metrics_of_stats() {
    let env = Env::with_tracker();
    support_history(&env);
    let m = stats_json(&env);
    assert_eq!(m["median_first_response"], 3 * 3600);
    let page = |name: &str, extra: &[&str]| {
        let out = crate::site::files(&crate::site::export(&env, name, extra));
        String::from_utf8_lossy(&out["dashboard.html"]).into_owned()
    };
    let public = page("before", &[]);
    assert_eq!(support_tiles(&public), expected_tiles(&m));
    assert!(
        public.contains("<span class=\"big\">3.0 hours</span> median time to a first response, over 2 answered issues opened in the last 12 weeks"),
        "{public}"
    );
    assert_eq!(
        week_columns(&public),
        [
            "2026-01-05: 2 created",
            "2026-01-12: 1 created",
            "2026-01-12: 1 resolved"
        ],
        "the chart's weeks are stats' weeks"
    );

    // A confidential issue, answered in a minute and assigned to nobody,
    // counts in `stats` and on a site that includes it, not on the public
    // one.
    let alice = ("Alice Example", "alice@example.com");
    at(&env, "2026-01-14T10:00:00Z", alice, &["new", "Breach"]);
    at(
        &env,
        "2026-01-14T10:00:30Z",
        alice,
        &["set", "BC-4", "confidential=true"],
    );
    at(
        &env,
        "2026-01-14T10:01:00Z",
        ("Bob", "bob@example.com"),
        &["comment", "BC-4", "-m", "Seen"],
    );
    let all = stats_json(&env);
    assert_eq!(all["median_first_response"], 7200);
    assert_eq!(all["unassigned"], 3);
    let with = page("with", &["--include-confidential"]);
    assert_eq!(support_tiles(&with), expected_tiles(&all));
    assert_eq!(support_tiles(&page("after", &[])), expected_tiles(&m));
}
