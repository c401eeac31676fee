//! Every command, as a user runs it.

use crate::common::{DATE, Env, json};

#[test]
fn init_creates_the_branch_once_and_names_the_key_after_the_repository() {
    let env = Env::new();
    let r = env.run(&["init"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("key BC"), "{}", r.stderr);
    let config = env.branch_file("tracker.yml");
    assert!(config.contains("key: BC\n"), "{config}");
    let tip = env.tip();

    let again = env.run(&["init"]);
    assert_eq!(again.code, 0);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    assert_eq!(env.tip(), tip, "a second init must not commit");
}

#[test]
fn init_rejects_a_key_that_cannot_prefix_issues() {
    let env = Env::new();
    let r = env.fail(&["init", "--key", "9x!"]);
    assert!(r.stderr.contains("cannot be a key"), "{}", r.stderr);
    assert!(
        env.git_cmd()
            .args(["rev-parse", "--verify", "-q", "issues"])
            .output()
            .unwrap()
            .stdout
            .is_empty()
    );
}

#[test]
fn commands_before_init_say_how_to_start() {
    let env = Env::new();
    let r = env.fail(&["list"]);
    assert!(r.stderr.contains("no issue tracker yet"), "{}", r.stderr);
    assert!(
        r.stderr.contains("hint: run git issue init"),
        "{}",
        r.stderr
    );
}

#[test]
fn new_prints_only_the_key_and_writes_the_canonical_file() {
    let env = Env::with_tracker();
    let out = env.ok(&[
        "new",
        "Login fails: colon in password",
        "--type",
        "bug",
        "-p",
        "p1",
        "--severity",
        "high",
        "-l",
        "auth",
        "-l",
        "ui",
        "--milestone",
        "v0.7.0",
        "--assignee",
        "bob",
        "--component",
        "login",
        "-m",
        "Steps:\n\n1. Use a `:`",
    ]);
    assert_eq!(out, "BC-1\n");
    assert_eq!(env.new_issue("Second", &[]), "BC-2");
    let file = env.branch_file("issues/0/0/0/BC-1.md");
    let id = file.lines().nth(1).unwrap().to_owned();
    assert!(id.starts_with("id: ") && id.len() == 30, "{id}");
    let expected = format!(
        "---\n{id}\ntitle: \"Login fails: colon in password\"\ntype: bug\nstatus: open\npriority: p1\nseverity: high\nlabels:\n  - auth\n  - ui\nmilestone: v0.7.0\nassignee: bob\nreporter: Alice Example <alice@example.com>\ncomponent: login\ncreated: {DATE}\nupdated: {DATE}\n---\n\nSteps:\n\n1. Use a `:`\n"
    );
    assert_eq!(file, expected);
    let log = env.git(&["log", "-1", "--format=%an <%ae>|%s", "issues"]);
    assert_eq!(
        log.trim(),
        "Alice Example <alice@example.com>|BC-2: new bug \"Second\""
    );
}

#[test]
fn new_reads_the_body_from_a_file_or_stdin() {
    let env = Env::with_tracker();
    let body = env.root.join("body.md");
    std::fs::write(&body, "From a file\n").unwrap();
    env.ok(&["new", "One", "--body-file", body.to_str().unwrap()]);
    let r = env.run_with_stdin(&["new", "Two", "-F", "-"], "From stdin\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        env.branch_file("issues/0/0/0/BC-1.md")
            .ends_with("\nFrom a file\n")
    );
    assert!(
        env.branch_file("issues/0/0/0/BC-2.md")
            .ends_with("\nFrom stdin\n")
    );
}

#[test]
fn new_from_a_template_takes_its_fields_and_body() {
    let env = Env::with_tracker();
    env.commit_by_hand(
        "templates/crash.md",
        "---\ntype: bug\nlabels: [crash]\npriority: p0\n---\n\n## Stack trace\n",
    );
    env.ok(&["new", "Segfault", "--template", "crash", "-l", "core"]);
    let v = json(&env.ok(&["show", "BC-1", "--json"]));
    assert_eq!(v["priority"], "p0");
    assert_eq!(v["labels"], serde_json::json!(["crash", "core"]));
    assert_eq!(v["body"], "## Stack trace\n");
    let r = env.fail(&["new", "X", "--template", "nope"]);
    assert!(r.stderr.contains("there are: crash"), "{}", r.stderr);
}

#[test]
fn wrong_values_get_one_line_listing_the_allowed_ones() {
    let env = Env::with_tracker();
    let r = env.fail(&["new", "Bad", "--type", "epic"]);
    assert_eq!(
        r.stderr,
        "error: \"epic\" is not a type; tracker.yml allows: bug, feature, optimization, docs, question\n"
    );
    env.new_issue("Good", &[]);
    let r = env.fail(&["set", "BC-1", "status=done"]);
    assert!(
        r.stderr
            .starts_with("error: \"done\" is not a status; tracker.yml allows: open, triaged"),
        "{}",
        r.stderr
    );
    let r = env.fail(&["set", "BC-1", "colour=red"]);
    assert!(
        r.stderr
            .contains("\"colour\" is not a field set can change"),
        "{}",
        r.stderr
    );
    let r = env.fail(&["set", "BC-1", "priority=p9"]);
    assert!(r.stderr.contains("p0, p1, p2, p3"), "{}", r.stderr);
}

#[test]
fn unknown_keys_are_errors_with_a_hint() {
    let env = Env::with_tracker();
    let r = env.fail(&["show", "BC-99"]);
    assert_eq!(
        r.stderr,
        "error: no issue BC-99\nhint: git issue list --all shows the keys in use\n"
    );
    let r = env.fail(&["show", "not-a-key"]);
    assert!(
        r.stderr.contains("is not an issue key like BC-12"),
        "{}",
        r.stderr
    );
    let r = env.fail(&["set", "BC-7", "+x"]);
    assert!(r.stderr.contains("no issue BC-7"), "{}", r.stderr);
    env.new_issue("One", &[]);
    let r = env.fail(&["show", "XY-1"]);
    assert!(
        r.stderr.contains("no issue XY-1"),
        "another prefix is another issue: {}",
        r.stderr
    );
}

fn keys(out: &str) -> Vec<String> {
    out.lines()
        .map(|l| l.split_whitespace().next().unwrap_or("").to_owned())
        .collect()
}

#[test]
fn list_filters_sorts_and_pages() {
    let env = Env::with_tracker();
    env.new_issue(
        "Crash on start",
        &["-l", "core", "-p", "p0", "--milestone", "v1"],
    );
    env.new_issue("Dark mode", &["--type", "feature", "-l", "ui", "-a", "bob"]);
    env.new_issue(
        "Typo in docs",
        &[
            "--type",
            "docs",
            "-l",
            "ui",
            "-p",
            "p3",
            "--milestone",
            "v1",
        ],
    );
    env.new_issue("Old bug", &["-l", "core"]);
    env.ok(&["close", "BC-4"]);

    assert_eq!(keys(&env.ok(&["list"])), ["BC-3", "BC-2", "BC-1"]);
    assert_eq!(
        keys(&env.ok(&["list", "--all"])),
        ["BC-4", "BC-3", "BC-2", "BC-1"]
    );
    assert_eq!(keys(&env.ok(&["list", "--status", "closed"])), ["BC-4"]);
    assert_eq!(
        keys(&env.ok(&["list", "--label", "core", "--label", "ui"])),
        ["BC-3", "BC-2", "BC-1"]
    );
    assert_eq!(
        keys(&env.ok(&["list", "--label", "ui", "--type", "docs"])),
        ["BC-3"]
    );
    assert_eq!(
        keys(&env.ok(&["list", "--milestone", "v1"])),
        ["BC-3", "BC-1"]
    );
    assert_eq!(keys(&env.ok(&["list", "--assignee", "bob"])), ["BC-2"]);
    assert_eq!(keys(&env.ok(&["list", "--priority", "p0"])), ["BC-1"]);
    assert_eq!(
        keys(&env.ok(&["list", "--sort", "priority"])),
        ["BC-1", "BC-2", "BC-3"]
    );
    assert_eq!(
        keys(&env.ok(&["list", "--sort", "title"])),
        ["BC-1", "BC-2", "BC-3"]
    );
    assert_eq!(
        keys(&env.ok(&["list", "--sort", "key-asc", "--limit", "2"])),
        ["BC-1", "BC-2"]
    );
    assert_eq!(
        keys(&env.ok(&["list", "--sort", "key-asc", "--offset", "1", "--limit", "1"])),
        ["BC-2"]
    );

    let table = env.ok(&["list"]);
    assert!(
        table.contains("BC-2  open  p2  feature  bob  Dark mode  [ui]"),
        "{table}"
    );

    let v = json(&env.ok(&["list", "--json", "--label", "ui"]));
    let items = v.as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["key"], "BC-3");
    assert_eq!(items[0]["type"], "docs");
    assert_eq!(items[0]["milestone"], "v1");
    assert!(
        items[0].get("body").is_none(),
        "lists carry no descriptions"
    );

    let r = env.run(&["list", "--label", "nothing"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
    let r = env.run(&["list", "--sort", "colour"]);
    assert_eq!(r.code, 2, "bad usage exits 2: {}", r.stderr);
}

#[test]
fn show_prints_fields_body_comments_and_commits() {
    let env = Env::with_tracker();
    env.new_issue("Crash on start", &["-m", "It crashes.", "-l", "core"]);
    env.ok(&["comment", "BC-1", "-m", "Seen on Linux too."]);
    env.ok(&["comment", "BC-1", "-m", "Probably the cache.", "--internal"]);
    env.ok(&["link", "BC-1", "HEAD"]);
    let head = env.git(&["rev-parse", "HEAD"]).trim().to_owned();

    let text = env.ok(&["show", "BC-1"]);
    assert!(
        text.starts_with("BC-1  Crash on start\nstatus: open   type: bug   priority: p2\n"),
        "{text}"
    );
    assert!(text.contains("\nIt crashes.\n"), "{text}");
    assert!(
        text.contains(&format!(
            "  {}  Initial commit  (Alice Example, 2026-01-02)",
            &head[..12]
        )),
        "{text}"
    );
    assert!(text.contains("Seen on Linux too."), "{text}");
    assert!(text.contains("(internal)\nProbably the cache."), "{text}");

    let v = json(&env.ok(&["show", "1", "--json"]));
    assert_eq!(v["key"], "BC-1");
    assert_eq!(v["title"], "Crash on start");
    assert_eq!(v["body"], "It crashes.\n");
    assert_eq!(v["commits"], serde_json::json!([head]));
    let comments = v["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[0]["body"], "Seen on Linux too.\n");
    assert_eq!(comments[0]["author"], "Alice Example <alice@example.com>");
    assert_eq!(comments[1]["internal"], true);
    for field in [
        "id",
        "type",
        "status",
        "priority",
        "severity",
        "labels",
        "milestone",
        "assignee",
        "reporter",
        "component",
        "prs",
        "duplicate_of",
        "related",
        "aliases",
        "confidential",
        "votes",
        "created",
        "updated",
        "resolved",
    ] {
        assert!(v.get(field).is_some(), "show --json lacks {field}");
    }
}

#[test]
fn set_changes_fields_in_one_commit_that_says_what_changed() {
    let env = Env::with_tracker();
    env.new_issue("Crash", &["-l", "core"]);
    let before = env.tip();
    env.ok(&[
        "set",
        "BC-1",
        "status=in_progress",
        "priority=p1",
        "+ui",
        "-core",
        "milestone=v2",
        "known=true",
    ]);
    let msg = env.git(&["log", "-1", "--format=%s", "issues"]);
    assert_eq!(
        msg.trim(),
        "BC-1: status open -> in_progress, priority p2 -> p1, labels +ui -core, milestone (none) -> v2, known true"
    );
    assert_eq!(env.git(&["rev-parse", "issues~1"]).trim(), before);
    let v = json(&env.ok(&["show", "BC-1", "--json"]));
    assert_eq!(v["status"], "in_progress");
    assert_eq!(v["labels"], serde_json::json!(["ui"]));
    assert_eq!(v["known"], true);

    env.ok(&["set", "BC-1", "milestone="]);
    assert_eq!(
        json(&env.ok(&["show", "BC-1", "--json"]))["milestone"],
        serde_json::Value::Null
    );

    let tip = env.tip();
    let r = env.run(&["set", "BC-1", "status=in_progress"]);
    assert!(r.stderr.contains("nothing to change"), "{}", r.stderr);
    assert_eq!(
        env.tip(),
        tip,
        "a change that changes nothing makes no commit"
    );
}

#[test]
fn close_and_reopen_stamp_and_clear_resolved() {
    let env = Env::with_tracker();
    env.new_issue("A", &[]);
    env.new_issue("B", &[]);
    env.ok(&["close", "BC-1"]);
    let v = json(&env.ok(&["show", "BC-1", "--json"]));
    assert_eq!(
        (v["status"].as_str(), v["resolved"].as_str()),
        (Some("closed"), Some(DATE))
    );

    env.ok(&[
        "close",
        "BC-2",
        "--duplicate-of",
        "BC-1",
        "-m",
        "Same crash.",
    ]);
    let v = json(&env.ok(&["show", "BC-2", "--json"]));
    assert_eq!(v["status"], "duplicate");
    assert_eq!(v["duplicate_of"], "BC-1");
    assert_eq!(v["comments"][0]["body"], "Same crash.\n");

    env.ok(&["reopen", "BC-1"]);
    let v = json(&env.ok(&["show", "BC-1", "--json"]));
    assert_eq!(
        (v["status"].as_str(), v["resolved"].as_str()),
        (Some("open"), None)
    );

    env.ok(&["close", "BC-1", "--reason", "wont_fix"]);
    assert_eq!(
        json(&env.ok(&["show", "BC-1", "--json"]))["status"],
        "wont_fix"
    );
    let r = env.fail(&["close", "BC-1", "--reason", "triaged"]);
    assert!(r.stderr.contains("not a closed status"), "{}", r.stderr);
    let r = env.fail(&["close", "BC-1", "--duplicate-of", "BC-1"]);
    assert!(r.stderr.contains("duplicate of itself"), "{}", r.stderr);
}

#[test]
fn assign_label_link_unlink() {
    let env = Env::with_tracker();
    env.new_issue("A", &[]);
    env.ok(&["assign", "BC-1", "carol"]);
    env.ok(&["label", "BC-1", "+ui", "backend", "+perf"]);
    env.ok(&["label", "BC-1", "-perf"]);
    env.ok(&["link", "BC-1", "HEAD"]);
    env.ok(&["link", "BC-1", "--pr", "#42"]);
    let v = json(&env.ok(&["show", "BC-1", "--json"]));
    assert_eq!(v["assignee"], "carol");
    assert_eq!(v["labels"], serde_json::json!(["ui", "backend"]));
    assert_eq!(v["prs"], serde_json::json!(["#42"]));
    let head = env.git(&["rev-parse", "HEAD"]).trim().to_owned();
    assert_eq!(v["commits"], serde_json::json!([head]));

    let r = env.fail(&["link", "BC-1", "no-such-rev"]);
    assert!(
        r.stderr.contains("no commit \"no-such-rev\""),
        "{}",
        r.stderr
    );

    env.ok(&["unlink", "BC-1", &head[..7]]);
    env.ok(&["unlink", "BC-1", "--pr", "#42"]);
    env.ok(&["assign", "BC-1", ""]);
    let v = json(&env.ok(&["show", "BC-1", "--json"]));
    assert_eq!(v["commits"], serde_json::json!([]));
    assert_eq!(v["prs"], serde_json::json!([]));
    assert_eq!(v["assignee"], serde_json::Value::Null);
}

#[test]
fn delete_never_gives_the_key_out_again() {
    let env = Env::with_tracker();
    env.new_issue("A", &[]);
    env.new_issue("B", &[]);
    env.ok(&["comment", "BC-2", "-m", "hi"]);
    env.ok(&["delete", "BC-2"]);
    env.fail(&["show", "BC-2"]);
    let tree = env.git(&["ls-tree", "-r", "--name-only", "issues"]);
    assert!(!tree.contains("BC-2"), "{tree}");
    assert_eq!(env.new_issue("C", &[]), "BC-3");
    let log = env.ok(&["log", "BC-2"]);
    assert!(log.contains("BC-2: delete"), "{log}");
    assert!(log.contains("BC-2: new bug \"B\""), "{log}");
}

#[test]
fn log_lists_the_changes_of_one_issue_newest_first() {
    let env = Env::with_tracker();
    env.new_issue("A", &[]);
    env.new_issue("B", &[]);
    env.ok(&["set", "BC-1", "+ui"]);
    env.ok(&["comment", "BC-1", "-m", "x"]);
    let log = env.ok(&["log", "BC-1"]);
    let subjects: Vec<&str> = log
        .lines()
        .map(|l| l.splitn(4, "  ").nth(3).unwrap_or(""))
        .collect();
    assert_eq!(subjects.len(), 3, "{log}");
    assert!(subjects[0].starts_with("BC-1: comment "), "{log}");
    assert_eq!(subjects[1], "BC-1: labels +ui");
    assert_eq!(subjects[2], "BC-1: new bug \"A\"");
    let v = json(&env.ok(&["log", "BC-1", "--json"]));
    assert_eq!(v[2]["author"], "Alice Example <alice@example.com>");
}

#[test]
fn milestones_and_labels_count_open_and_closed() {
    let env = Env::with_tracker();
    env.new_issue("A", &["--milestone", "v1", "-l", "ui"]);
    env.new_issue("B", &["--milestone", "v1", "-l", "ui", "-l", "core"]);
    env.new_issue("C", &["--milestone", "v2"]);
    env.ok(&["close", "BC-2"]);
    assert_eq!(
        env.ok(&["milestones"]),
        "NAME  OPEN  CLOSED\nv1    1     1\nv2    1     0\n"
    );
    assert_eq!(
        env.ok(&["labels"]),
        "NAME  OPEN  CLOSED\ncore  0     1\nui    1     1\n"
    );
    let v = json(&env.ok(&["labels", "--json"]));
    assert_eq!(
        v,
        serde_json::json!([
            {"name": "core", "open": 0, "closed": 1},
            {"name": "ui", "open": 1, "closed": 1},
        ])
    );
}

#[test]
fn edit_applies_what_the_editor_changed() {
    let env = Env::with_tracker();
    env.new_issue("A", &["-m", "old text"]);
    let editor = env.script(
        "editor",
        "sed -i -e 's/^status: open/status: triaged/' -e 's/old text/new text/' \"$1\"",
    );
    let r = env.run_editor(&["edit", "BC-1"], &editor, "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("BC-1: status open -> triaged, description edited"),
        "{}",
        r.stderr
    );
    let v = json(&env.ok(&["show", "BC-1", "--json"]));
    assert_eq!(
        (v["status"].as_str(), v["body"].as_str()),
        (Some("triaged"), Some("new text\n"))
    );
}

#[test]
fn edit_uses_core_editor_when_git_editor_is_unset() {
    let env = Env::with_tracker();
    env.new_issue("A", &[]);
    let editor = env.script("editor", "sed -i 's/^title: A/title: B/' \"$1\"");
    env.git(&["config", "core.editor", editor.to_str().unwrap()]);
    env.ok(&["edit", "BC-1"]);
    assert_eq!(json(&env.ok(&["show", "BC-1", "--json"]))["title"], "B");
}

#[test]
fn an_editor_session_with_broken_yaml_is_kept_and_reopened() {
    let env = Env::with_tracker();
    env.new_issue("A", &[]);
    let tip = env.tip();
    let broken = env.script(
        "broken",
        "sed -i 's/^status: open/status: [open/' \"$1\"; echo 'my precious notes' >> \"$1\"",
    );
    let r = env.run_editor(&["edit", "BC-1"], &broken, "n\n");
    assert_eq!(r.code, 1, "{}", r.stderr);
    // The unclosed `[` on line 5 is named where it opened, in plain words
    // (the parser itself stumbles on line 6: "did not find expected ','").
    assert!(
        r.stderr.contains("BC-1.md:5:9: this `[` is never closed"),
        "names the line of the bad YAML: {}",
        r.stderr
    );
    assert!(!r.stderr.contains("did not find expected"), "{}", r.stderr);
    // Not a terminal: nobody to ask.
    assert!(!r.stderr.contains("Re-open the editor?"), "{}", r.stderr);
    assert!(r.stderr.contains("your text is kept in"), "{}", r.stderr);
    assert_eq!(env.tip(), tip, "nothing was written");
    let draft = env.repo.join(".git/git-issue/drafts/BC-1.md");
    assert!(
        std::fs::read_to_string(&draft)
            .unwrap()
            .contains("my precious notes")
    );

    // The next edit starts from the kept text; this editor repairs it.
    let fix = env.script("fix", "sed -i 's/^status: \\[open/status: open/' \"$1\"");
    let r = env.run_editor(&["edit", "BC-1"], &fix, "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("Reopening your unsaved text"),
        "{}",
        r.stderr
    );
    assert_eq!(
        json(&env.ok(&["show", "BC-1", "--json"]))["body"],
        "my precious notes\n"
    );
    assert!(!draft.exists(), "the draft is removed once saved");
}

#[test]
fn a_wrong_value_in_the_editor_can_be_fixed_in_a_second_round() {
    let env = Env::with_tracker();
    env.new_issue("A", &[]);
    // First round writes an unknown status; the second round fixes it.
    let editor = env.script(
        "twice",
        "if grep -q 'status: bogus' \"$1\"; then sed -i 's/status: bogus/status: triaged/' \"$1\"; else sed -i 's/^status: open/status: bogus/' \"$1\"; fi",
    );
    // Not on a terminal, nobody is asked to re-open the editor: the text
    // is kept, and the next edit reopens it.
    let r = env.run_editor(&["edit", "BC-1"], &editor, "y\n");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!r.stderr.contains("Re-open the editor?"), "{}", r.stderr);
    assert!(
        r.stderr.contains("\"bogus\" is not a status"),
        "{}",
        r.stderr
    );
    let r = env.run_editor(&["edit", "BC-1"], &editor, "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        json(&env.ok(&["show", "BC-1", "--json"]))["status"],
        "triaged"
    );
}

#[test]
fn doctor_lists_each_problem_with_path_line_and_column() {
    let env = Env::with_tracker();
    env.new_issue("A", &[]);
    env.ok(&["doctor"]);
    env.new_issue("B", &[]);
    let b = env
        .branch_file("issues/0/0/0/BC-2.md")
        .replace("status: open", "status: finished");
    env.commit_by_hand("issues/0/0/0/BC-2.md", &b);
    env.commit_by_hand("issues/0/0/0/BC-3.md", "---\ntitle: [broken\n---\n");
    let r = env.fail(&["doctor"]);
    assert_eq!(
        r.stdout.lines().next().unwrap(),
        "issues/0/0/0/BC-2.md:5:9: \"finished\" is not a status; tracker.yml allows: open, triaged, in_progress, resolved, closed, wont_fix, duplicate"
    );
    assert!(
        r.stdout
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("issues/0/0/0/BC-3.md:2:"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("2 problems found"), "{}", r.stderr);
}

#[test]
fn completions_and_man_page_come_from_the_command_definitions() {
    let env = Env::new();
    // The scripts ask the binary, which reads the clap definitions.
    let bash = env.ok(&["completions", "bash"]);
    assert!(bash.contains("__complete"), "{bash}");
    let words = env.ok(&["__complete", "--", "close", "BC-1", "--dup"]);
    assert_eq!(words, "--duplicate-of\n");
    assert!(env.ok(&["__complete", "--", "mi"]).contains("milestones"));
    let man = env.ok(&["man"]);
    assert!(
        man.starts_with(".ie") || man.contains(".TH git-issue"),
        "{}",
        &man[..200.min(man.len())]
    );
    assert!(man.contains("release") || man.contains("doctor"));
}

#[test]
fn issues_filed_before_the_key_changed_are_found_by_number() {
    let env = Env::with_tracker();
    env.new_issue("Old prefix", &[]);
    let config = env.branch_file("tracker.yml").replace("key: BC", "key: NK");
    env.commit_by_hand("tracker.yml", &config);
    assert_eq!(json(&env.ok(&["show", "1", "--json"]))["key"], "BC-1");
    assert_eq!(
        json(&env.ok(&["show", "NK-1", "--json"]))["title"],
        "Old prefix"
    );
    assert_eq!(env.new_issue("New prefix", &[]), "NK-2");
}

#[test]
fn a_kept_draft_does_not_undo_changes_made_since_it_was_opened() {
    let env = Env::with_tracker();
    env.new_issue("A", &[]);
    let broken = env.script("broken", "sed -i 's/^status: open/status: [open/' \"$1\"");
    let r = env.run_editor(&["edit", "BC-1"], &broken, "n\n");
    assert_eq!(r.code, 1, "{}", r.stderr);
    // Meanwhile someone raises the priority.
    env.ok(&["set", "BC-1", "priority=p0"]);
    let fix = env.script("fix", "sed -i 's/^status: \\[open/status: triaged/' \"$1\"");
    let r = env.run_editor(&["edit", "BC-1"], &fix, "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("Reopening your unsaved text"),
        "{}",
        r.stderr
    );
    let v = json(&env.ok(&["show", "BC-1", "--json"]));
    assert_eq!(v["status"], "triaged", "the user's edit lands");
    assert_eq!(v["priority"], "p0", "the change made meanwhile stays");
}

/// Scripts tell failures apart by the exit status (documented in
/// `src/ui/report.rs` and the README): usage 2, not found 3, broken data 5,
/// refused 1.
#[test]
fn exit_statuses_say_what_kind_of_failure() {
    let bare = Env::new();
    bare.fail_with(3, &["list"]);
    let env = Env::with_tracker();
    env.new_issue("One", &[]);
    env.fail_with(2, &["list", "colour:red"]);
    env.fail_with(2, &["show", "not-a-key"]);
    env.fail_with(3, &["show", "BC-99"]);
    env.fail_with(3, &["sync", "nowhere"]);
    env.fail_with(1, &["set", "BC-1", "priority=p9"]);
    env.fail_with(1, &["new", ""]);
    // A hand-broken file: every other issue keeps working, this one is
    // broken data.
    env.new_issue("Two", &[]);
    let broken = "---\nid: 01\ntitle: [unclosed\n---\n";
    env.git(&["worktree", "add", "-q", "../wt", "issues"]);
    let wt = env.root.join("wt");
    std::fs::write(wt.join("issues/0/0/0/BC-2.md"), broken).unwrap();
    let git = |args: &[&str]| {
        let out = env.git_cmd().current_dir(&wt).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["commit", "-qam", "break BC-2"]);
    env.fail_with(5, &["show", "BC-2"]);
    env.ok(&["show", "BC-1"]);
}

/// `category` was added as one row of the field table (and its list in
/// tracker.yml): every command knows it without naming it.
#[test]
fn a_field_added_as_one_row_works_in_every_command() {
    let env = Env::with_tracker();
    env.new_issue("Token leak", &[]);
    env.new_issue("Slow page", &[]);
    env.ok(&["set", "BC-1", "category=security"]);
    assert!(
        env.branch_file("issues/0/0/0/BC-1.md")
            .contains("\ncategory: security\n")
    );
    assert_eq!(
        env.git(&["log", "-1", "--format=%s", "issues"]).trim(),
        "BC-1: category (none) -> security"
    );
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["show", "BC-1", "--json"])).unwrap();
    assert_eq!(json["category"], "security");
    let listed = env.ok(&["list", "category:security", "--json"]);
    let keys: Vec<String> = serde_json::from_str::<Vec<serde_json::Value>>(&listed)
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(keys, ["BC-1"]);
    assert!(env.ok(&["list", "no:category"]).contains("BC-2"));
    let r = env.fail(&["set", "BC-2", "category=cosmic-rays"]);
    assert!(
        r.stderr
            .contains("\"cosmic-rays\" is not a category; tracker.yml allows: security,"),
        "{}",
        r.stderr
    );
    let r = env.fail(&["list", "category:cosmic-rays"]);
    assert!(r.stderr.contains("is not a category"), "{}", r.stderr);
    // Exported and imported back, it survives.
    let exported = env.ok(&["export", "jsonl"]);
    let other = env.sibling("other");
    other.git(&["init", "-q", "-b", "main"]);
    other.ok(&["init", "--key", "BC"]);
    other.run_with_stdin(&["import", "-"], &exported);
    assert!(
        other
            .branch_file("issues/0/0/0/BC-1.md")
            .contains("\ncategory: security\n")
    );
}
