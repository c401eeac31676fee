//! Tried as an attacker and as a careless user would: each test here failed
//! on an earlier version (issue 10 of the tracker), and says what a user
//! would have lost or seen.

use std::path::Path;

use crate::common::{Env, json};

/// Keys of `list --all --json`, in its order.
fn keys(env: &Env) -> Vec<String> {
    let listed: Vec<serde_json::Value> =
        serde_json::from_str(&env.ok(&["list", "--all", "--json"])).unwrap();
    listed
        .iter()
        .map(|i| i["key"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn importing_a_backup_into_its_own_tracker_files_nothing_twice() {
    let env = Env::with_tracker();
    env.new_issue("One", &["-l", "x"]);
    env.new_issue("Two", &[]);
    let backup = env.ok(&["export", "jsonl"]);
    let r = env.run_with_stdin(&["import", "-"], &backup);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("2 issues are already here (same id)"),
        "{}",
        r.stderr
    );
    assert_eq!(keys(&env), ["BC-2", "BC-1"]);
    env.ok(&["doctor"]);
    // The same id twice in one file is a mistake in the file: refused, whole.
    let line = backup.lines().next().unwrap();
    let twice = format!(
        "{line}\n{}\n",
        line.replace("\"key\":\"BC-1\"", "\"key\":\"BC-9\"")
    );
    let r = env.run_with_stdin(&["import", "-"], &twice);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("line 2: the id"), "{}", r.stderr);
}

#[test]
fn sync_never_drops_an_edit_whatever_the_ids_and_never_sends_a_duplicate_id() {
    let env = Env::new();
    env.git(&["init", "-q", "--bare", "../remote.git"]);
    env.git(&["remote", "add", "origin", "../remote.git"]);
    env.ok(&["init", "--key", "BC"]);
    env.new_issue("Original", &[]);
    env.ok(&["sync"]);
    env.git(&["clone", "-q", "../remote.git", "../b"]);
    let b = env.sibling("b");
    b.ok(&["init"]);
    // An older version's import made a second file with BC-1's id.
    let copy = env
        .branch_file("issues/0/0/0/BC-1.md")
        .replace("Original", "Copy");
    env.commit_by_hand("issues/0/0/0/BC-2.md", &copy);
    // A label and a comment on BC-1 in the other clone, meanwhile.
    b.ok(&["label", "BC-1", "+urgent"]);
    b.ok(&["comment", "BC-1", "-m", "seen in production"]);
    b.ok(&["sync"]);
    let r = env.fail(&["sync"]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(
        r.stderr.contains("BC-1 and BC-2 have the same id")
            && r.stderr.contains("git issue doctor --fix"),
        "{}",
        r.stderr
    );
    // Merged here, nothing lost.
    let one = json(&env.ok(&["show", "BC-1", "--json"]));
    assert_eq!(one["labels"], serde_json::json!(["urgent"]));
    assert_eq!(one["comments"][0]["body"], "seen in production\n");
    let fixed = env.run(&["doctor", "--fix"]);
    assert_eq!(fixed.code, 0, "{}", fixed.stderr);
    assert!(fixed.stderr.contains("BC-2: new id"), "{}", fixed.stderr);
    env.ok(&["sync"]);
    b.ok(&["sync"]);
    assert_eq!(keys(&b), ["BC-2", "BC-1"]);
    assert_eq!(
        json(&b.ok(&["show", "BC-1", "--json"]))["labels"],
        serde_json::json!(["urgent"])
    );
}

#[test]
fn numbers_stay_below_a_billion_wherever_they_come_from() {
    let env = Env::with_tracker();
    let r = env.run_with_stdin(
        &["import", "-"],
        "{\"key\":\"BC-999999999999999999\",\"title\":\"big\"}\n",
    );
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("line 1:") && r.stderr.contains("999999999"),
        "{}",
        r.stderr
    );
    env.run_with_stdin(
        &["import", "-"],
        "{\"key\":\"BC-999999999\",\"title\":\"last\"}\n",
    );
    let r = env.fail(&["new", "first"]);
    assert!(
        r.stderr.contains("issue numbers stop at 999999999"),
        "{}",
        r.stderr
    );
    assert_eq!(keys(&env), ["BC-999999999"]);
    env.fail(&["show", "BC-1000000000"]);
}

#[test]
fn keys_of_another_tracker_are_re_keyed_not_filed_as_ours() {
    let env = Env::with_tracker();
    let r = env.run_with_stdin(
        &["import", "-"],
        "{\"key\":\"BEANUTILS-381\",\"title\":\"From Jira\"}\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("BEANUTILS-381 is another tracker's key; filed as BC-1"),
        "{}",
        r.stderr
    );
    assert_eq!(keys(&env), ["BC-1"]);
    env.fail(&["show", "BC-381"]);
    assert_eq!(
        json(&env.ok(&["show", "BC-1", "--json"]))["aliases"],
        serde_json::json!(["BEANUTILS-381"])
    );
    assert!(
        !env.git(&["ls-tree", "-r", "--name-only", "issues"])
            .contains("BEANUTILS")
    );
}

#[test]
fn export_writes_every_issue_that_parses_and_names_the_rest() {
    let env = Env::with_tracker();
    env.new_issue("Fine", &[]);
    env.new_issue("Broken", &[]);
    env.commit_by_hand("issues/0/0/0/BC-2.md", "---\nid: [unclosed\n---\n");
    let r = env.run(&["export", "jsonl"]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 1);
    assert!(r.stdout.contains("\"key\":\"BC-1\""));
    assert!(
        r.stderr.contains("warning: issues/0/0/0/BC-2.md:2:"),
        "{}",
        r.stderr
    );
}

#[test]
fn what_people_typed_is_shown_on_a_terminal_never_obeyed() {
    let env = Env::with_tracker();
    // From the command line: refused.
    let r = env.fail(&["new", "evil\x1b]0;owned\x07title"]);
    assert!(
        r.stderr.contains("control character U+001B"),
        "{}",
        r.stderr
    );
    env.new_issue("Fine", &[]);
    env.fail(&["set", "BC-1", "assignee=a\rb"]);
    env.fail(&["label", "BC-1", "+x\u{202e}y"]);
    // From another clone or a hand edit: kept, reported, and shown inert.
    let text = env.branch_file("issues/0/0/0/BC-1.md").replace(
        "title: Fine",
        "title: \"Fine\\e[2J\\nBC-9  open  fake row\\u202E\"",
    );
    env.commit_by_hand("issues/0/0/0/BC-1.md", &text);
    for args in [
        &["list"][..],
        &["show", "BC-1"],
        &["search", "fine"],
        &["log", "BC-1"],
    ] {
        let r = env.run(args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        let all = format!("{}{}", r.stdout, r.stderr);
        assert!(
            !all.contains('\x1b') && !all.contains('\u{202e}') && !all.contains("\nBC-9"),
            "{args:?} printed a control character or a fake row: {all:?}"
        );
    }
    assert!(
        env.ok(&["list"])
            .contains("Fine^[[2J^JBC-9  open  fake row<U+202E>")
    );
    let r = env.run(&["doctor"]);
    assert_eq!(r.code, 5);
    assert!(
        r.stdout
            .contains("issues/0/0/0/BC-1.md:3:8: `title` holds the control character U+001B"),
        "{}",
        r.stdout
    );
}

#[test]
fn one_file_that_is_not_text_stops_nothing_else() {
    let env = Env::with_tracker();
    env.new_issue("Fine", &["-l", "ui", "--milestone", "v1"]);
    env.new_issue("Binary", &[]);
    env.ok(&["comment", "BC-1", "-m", "ok"]);
    env.by_hand("binary junk", |wt| {
        std::fs::write(
            wt.join("issues/0/0/0/BC-2.md"),
            b"---\ntitle: \xff\xfe\n---\n",
        )
        .unwrap();
    });
    for args in [
        &["list"][..],
        &["search", "fine"],
        &["labels"],
        &["milestones"],
        &["reindex"],
        &["show", "BC-1"],
    ] {
        let r = env.run(args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    }
    assert!(env.ok(&["list"]).contains("BC-1"));
    let r = env.run(&["list"]);
    assert!(
        r.stderr
            .contains("issues/0/0/0/BC-2.md:1:1: the file is not UTF-8 text"),
        "{}",
        r.stderr
    );
    let r = env.run(&["doctor"]);
    assert!(
        r.stdout
            .contains("issues/0/0/0/BC-2.md:1:1: the file is not UTF-8 text"),
        "{}",
        r.stdout
    );
    let r = env.run(&["export", "jsonl"]);
    assert_eq!(r.code, 5);
    assert!(r.stdout.contains("\"key\":\"BC-1\""));
}

#[test]
fn doctor_sees_what_hides_issues_and_fix_moves_them_back() {
    let env = Env::with_tracker();
    env.new_issue("One", &[]);
    env.new_issue("Two", &[]);
    env.new_issue("Three", &[]);
    env.ok(&["comment", "BC-3", "-m", "keep me"]);
    let two = env.branch_file("issues/0/0/0/BC-2.md");
    env.by_hand("misplace files", |wt: &Path| {
        let dir = wt.join("issues/0/0/0");
        std::fs::rename(dir.join("BC-3.md"), dir.join("bc-3.md")).unwrap();
        std::fs::rename(dir.join("BC-3"), dir.join("bc-3")).unwrap();
        std::fs::create_dir_all(wt.join("issues/7")).unwrap();
        std::fs::rename(dir.join("BC-2.md"), wt.join("issues/7/BC-2.md")).unwrap();
        std::fs::write(wt.join("issues/0/notes.txt"), "stray\n").unwrap();
        std::os::unix::fs::symlink("BC-1.md", dir.join("BC-5.md")).unwrap();
        std::fs::write(wt.join("issues/deleted.yml"), "- [unclosed\n").unwrap();
        std::fs::write(
            wt.join("tracker.yml"),
            "key: BC\ndefaults:\n  status: nope\n",
        )
        .unwrap();
    });
    let r = env.run(&["doctor"]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    for expected in [
        "issues/0/0/0/bc-3.md:1:1: the file of BC-3 must be issues/0/0/0/BC-3.md",
        "issues/7/BC-2.md:1:1: the file of BC-2 must be issues/0/0/0/BC-2.md",
        "issues/0/notes.txt:1:1: a file git-issue does not know",
        "issues/0/0/0/BC-5.md:1:1: a symbolic link, not a file",
        "issues/deleted.yml:1:",
        "tracker.yml:3:1: defaults.status \"nope\" is not one of `statuses`",
    ] {
        assert!(
            r.stdout.contains(expected),
            "missing {expected:?} in\n{}",
            r.stdout
        );
    }
    // The misplaced one is still an issue to every command.
    assert!(env.ok(&["show", "BC-3"]).contains("keep me"));
    env.ok(&["set", "BC-3", "+ui"]);
    // Never a number in use, even by a file doctor would correct (the
    // symbolic link BC-5.md holds 5).
    assert_eq!(env.new_issue("Six", &[]), "BC-6");
    let r = env.run(&["doctor", "--fix"]);
    assert!(
        r.stderr
            .contains("BC-3: moved issues/0/0/0/bc-3.md to issues/0/0/0/BC-3.md"),
        "{}",
        r.stderr
    );
    let tree = env.git(&["ls-tree", "-r", "--name-only", "issues"]);
    assert!(
        tree.contains("issues/0/0/0/BC-3.md\n") && tree.contains("issues/0/0/0/BC-3/comments/"),
        "{tree}"
    );
    assert!(!tree.contains("bc-3"), "{tree}");
    assert_eq!(env.branch_file("issues/0/0/0/BC-2.md"), two);
    assert!(env.ok(&["show", "BC-3"]).contains("keep me"));
}

#[test]
fn an_unclosed_front_matter_is_reported_where_it_should_have_closed() {
    let env = Env::with_tracker();
    env.new_issue("One", &[]);
    env.commit_by_hand(
        "issues/0/0/0/BC-1.md",
        "---\nid: 01\ntitle: x\nstatus: open\n",
    );
    let r = env.run(&["doctor"]);
    assert!(
        r.stdout.contains(
            "issues/0/0/0/BC-1.md:4:1: the front matter opened on line 1 is never closed"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn a_worktree_of_the_issues_branch_never_reverts_a_write() {
    let env = Env::with_tracker();
    env.new_issue("One", &[]);
    env.git(&["worktree", "add", "-q", "../issues-wt", "issues"]);
    let r = env.fail(&["new", "Two"]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(
        r.stderr.contains("checked out in") && r.stderr.contains("checkout --detach"),
        "{}",
        r.stderr
    );
    // A commit in that worktree reverts nothing, because nothing moved.
    let wt = env.root.join("issues-wt");
    std::fs::write(wt.join("notes.txt"), "hand\n").unwrap();
    env.git_in(&wt, &["add", "notes.txt"]);
    env.git_in(&wt, &["commit", "-q", "-m", "notes by hand"]);
    env.git_in(&wt, &["checkout", "-q", "--detach"]);
    assert_eq!(env.new_issue("Two", &[]), "BC-2");
    assert_eq!(keys(&env), ["BC-2", "BC-1"]);
    assert!(
        env.git(&["ls-tree", "--name-only", "issues"])
            .contains("notes.txt")
    );
}

#[test]
fn release_notes_leave_confidential_issues_out_unless_asked() {
    let env = Env::with_tracker();
    env.new_issue("Public fix", &["--milestone", "v1"]);
    env.new_issue("Secret fix", &["--milestone", "v1"]);
    env.ok(&["set", "BC-2", "confidential=true"]);
    env.ok(&["close", "BC-1"]);
    env.ok(&["close", "BC-2"]);
    for format in ["md", "html", "json"] {
        let notes = env.ok(&[
            "release-notes",
            "HEAD",
            "--milestone",
            "v1",
            "--format",
            format,
        ]);
        assert!(
            notes.contains("Public fix") && !notes.contains("Secret fix"),
            "{format}: {notes}"
        );
    }
    let all = env.ok(&[
        "release-notes",
        "HEAD",
        "--milestone",
        "v1",
        "--include-confidential",
    ]);
    assert!(all.contains("Secret fix"), "{all}");
}

/// Runs `git issue …` through git itself, as a user does, with extra
/// environment.
fn via_git(env: &Env, unset: &[&str], args: &[&str]) -> crate::common::Run {
    let mut cmd = env.git_cmd();
    cmd.env("PATH", crate::common::path_with_binary());
    for k in unset {
        cmd.env_remove(k);
    }
    crate::common::run(cmd.args(args))
}

#[test]
fn settings_resolve_as_git_resolves_them() {
    let env = Env::with_tracker();
    let global = env.root.join("global.gitconfig");
    std::fs::write(
        &global,
        "[user]\n\tname = Global Person\n\temail = global@example.com\n[core]\n\thooksPath = my-hooks\n",
    )
    .unwrap();
    let global = global.to_str().unwrap();
    // Identity only in $GIT_CONFIG_GLOBAL, none in the environment.
    let mut cmd = env.cmd();
    cmd.env("GIT_CONFIG_GLOBAL", global);
    for var in [
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
    ] {
        cmd.env_remove(var);
    }
    let r = crate::common::run(cmd.args(["new", "From global"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        json(&env.ok(&["show", "BC-1", "--json"]))["reporter"],
        "Global Person <global@example.com>"
    );
    // `git -c` reaches git-issue through git, and wins.
    let r = via_git(
        &env,
        &["GIT_AUTHOR_NAME"],
        &["-c", "author.name=Dash C", "issue", "new", "From -c"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        json(&env.ok(&["show", "BC-2", "--json"]))["reporter"]
            .as_str()
            .unwrap()
            .starts_with("Dash C <"),
    );
    let r = via_git(
        &env,
        &[],
        &["-c", "issue.branch=elsewhere", "issue", "list"],
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("no elsewhere branch"), "{}", r.stderr);
    // core.hooksPath from the global file: the hooks go where git looks.
    let mut cmd = env.cmd();
    cmd.env("GIT_CONFIG_GLOBAL", global);
    let r = crate::common::run(cmd.args(["hooks", "install"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(env.repo.join("my-hooks/post-commit").exists());
}

#[test]
fn a_new_tracker_takes_the_projects_main_branch_not_main() {
    let env = Env::new();
    env.git(&["branch", "-m", "main", "master"]);
    env.ok(&["init", "--key", "BC"]);
    assert!(
        env.branch_file("tracker.yml")
            .contains("\nmain_branch: master\n")
    );
    env.ok(&["doctor"]);
    env.git(&["branch", "-m", "master", "trunk"]);
    let r = env.run(&["doctor"]);
    assert_eq!(r.code, 5);
    assert!(
        r.stdout.contains("main_branch \"master\" names no branch"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_tracker_in_a_repository_with_no_commit_yet_is_healthy() {
    let env = Env::new();
    let empty = env.sibling("empty");
    empty.git(&["init", "-q", "-b", "trunk"]);
    empty.ok(&["init", "--key", "BC"]);
    // HEAD's branch has no commit yet; the first one makes it.
    assert!(
        empty
            .branch_file("tracker.yml")
            .contains("\nmain_branch: trunk\n")
    );
    empty.ok(&["doctor"]);
}

#[test]
fn a_lock_held_by_a_live_git_is_waited_for_not_taken() {
    use std::io::Write;
    let env = Env::with_tracker();
    env.new_issue("One", &[]);
    let tip = env.git(&["rev-parse", "issues"]).trim().to_owned();
    let parent = env.git(&["rev-parse", "issues~1"]).trim().to_owned();
    // git holds the ref lock in a prepared transaction for five seconds.
    let mut git = env
        .git_cmd()
        .args(["update-ref", "--stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut input = git.stdin.take().unwrap();
    writeln!(
        input,
        "start\nupdate refs/heads/issues {parent} {tip}\nprepare"
    )
    .unwrap();
    input.flush().unwrap();
    let lock = env.repo.join(".git/refs/heads/issues.lock");
    while !lock.exists() {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let writer = env.cmd().args(["new", "Two"]).output().unwrap();
    // The writer gave up (the lock outlived its patience) or waited; either
    // way git's transaction is still whole.
    writeln!(input, "commit").unwrap();
    drop(input);
    assert!(
        git.wait().unwrap().success(),
        "git's own update must not fail"
    );
    assert_eq!(env.git(&["rev-parse", "issues"]).trim(), parent);
    let stderr = String::from_utf8_lossy(&writer.stderr);
    assert!(
        !writer.status.success() && stderr.contains("locked"),
        "the lock is git's: wait, never take it: {stderr}"
    );
}

#[test]
fn a_query_nested_twenty_thousand_deep_is_refused_not_a_crash() {
    let env = Env::with_tracker();
    let deep = format!("{}a{}", "(".repeat(20_000), ")".repeat(20_000));
    let r = env.fail(&["list", &deep]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("parentheses nest more than 32 deep"),
        "{}",
        r.stderr
    );
}

#[test]
fn scan_says_how_many_keys_name_no_issue_not_each_one_each_time() {
    let env = Env::with_tracker();
    env.new_issue("One", &[]);
    for n in 10..20 {
        env.git(&[
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            &format!("BC-{n}: typo"),
        ]);
    }
    let r = env.run(&["scan"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("warning:").count(),
        1,
        "one line, not ten: {}",
        r.stderr
    );
    assert!(
        r.stderr.contains("10 keys are named by commits but by no issue: BC-10, BC-11, BC-12, BC-13, BC-14 and 5 more"),
        "{}",
        r.stderr
    );
}

#[test]
fn history_follows_the_issue_not_the_key_a_sync_moved() {
    let a = Env::new();
    a.git(&["init", "-q", "--bare", "../remote.git"]);
    a.git(&["remote", "add", "origin", "../remote.git"]);
    a.ok(&["init", "--key", "BC"]);
    a.new_issue("Public one", &[]);
    a.ok(&["sync"]);
    a.git(&["clone", "-q", "../remote.git", "../b"]);
    let b = a.sibling("b");
    b.ok(&["init"]);
    let at = |day: &str| format!("2026-01-0{day}T00:00:00Z");
    // Offline, both file BC-2; b's is confidential and filed later.
    let d2 = at("2");
    a.run_with_env(&["new", "Public two"], &[("GIT_COMMITTER_DATE", &d2)], "");
    let d3 = at("3");
    b.run_with_env(
        &["new", "Secret plan", "-m", "hush"],
        &[("GIT_COMMITTER_DATE", &d3)],
        "",
    );
    b.ok(&["set", "BC-2", "confidential=true"]);
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    assert_eq!(
        json(&b.ok(&["show", "BC-3", "--json"]))["title"],
        "Secret plan"
    );
    for env in [&a, &b] {
        let log = env.ok(&["log", "BC-2"]);
        assert!(
            !log.contains("Secret") && !log.contains("confidential"),
            "BC-2's history shows another issue's commits:\n{log}"
        );
        assert!(log.contains("Public two"), "{log}");
        let moved = env.ok(&["log", "BC-3"]);
        assert!(
            moved.contains("Secret plan") && moved.contains("confidential"),
            "{moved}"
        );
    }
}
