//! The git hooks, installed for real and fired by real `git commit`,
//! `rebase`, `merge`; and `scan` over history made without them.

use std::path::{Path, PathBuf};

use crate::common::{Env, Run, json, path_with_binary, run};

/// Runs git with git-issue on PATH, so the hooks do their work.
pub(crate) fn git(env: &Env, args: &[&str]) -> Run {
    run(env.git_cmd().env("PATH", path_with_binary()).args(args))
}

/// Like `git`, and asserts that git succeeded.
pub(crate) fn git_ok(env: &Env, args: &[&str]) -> Run {
    let r = git(env, args);
    assert_eq!(
        r.code, 0,
        "git {args:?} failed\nstdout: {}\nstderr: {}",
        r.stdout, r.stderr
    );
    r
}

/// Commits a change to a file with `message`, hooks and all.
pub(crate) fn commit(env: &Env, message: &str) -> Run {
    let file = env.repo.join("work.txt");
    let mut text = std::fs::read_to_string(&file).unwrap_or_default();
    text.push_str(message);
    text.push('\n');
    std::fs::write(&file, text).unwrap();
    env.git(&["add", "work.txt"]);
    git_ok(env, &["commit", "-q", "-m", message])
}

/// A tracker with BC-1 to BC-3 and the hooks installed.
pub(crate) fn installed() -> Env {
    let env = Env::with_tracker();
    for title in ["Login fails", "Crash on start", "Slow list"] {
        env.new_issue(title, &[]);
    }
    env.ok(&["hooks", "install"]);
    env
}

pub(crate) fn head(env: &Env) -> String {
    env.git(&["rev-parse", "HEAD"]).trim().to_owned()
}

pub(crate) fn commits_of(env: &Env, key: &str) -> Vec<String> {
    let v = json(&env.ok(&["show", key, "--json"]));
    v["commits"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| c.as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn status_of(env: &Env, key: &str) -> String {
    json(&env.ok(&["show", key, "--json"]))["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn branch_commits(env: &Env) -> usize {
    env.git(&["rev-list", "--count", "issues"])
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn a_commit_naming_a_key_is_linked_to_the_issue() {
    let env = installed();
    commit(&env, "BC-1: handle a colon in the password");
    assert_eq!(commits_of(&env, "BC-1"), [head(&env)]);
    assert!(commits_of(&env, "BC-2").is_empty());
    assert_eq!(status_of(&env, "BC-1"), "open");
}

#[test]
fn one_commit_naming_two_issues_is_one_change_of_the_issues_branch() {
    let env = installed();
    let before = branch_commits(&env);
    commit(&env, "BC-1, BC-2: share the session code");
    assert_eq!(branch_commits(&env), before + 1);
    assert_eq!(commits_of(&env, "BC-1"), [head(&env)]);
    assert_eq!(commits_of(&env, "BC-2"), [head(&env)]);
    let message = env.git(&["log", "-1", "--format=%B", "issues"]);
    assert!(message.contains("BC-1: commits +"), "{message}");
    assert!(message.contains("BC-2: commits +"), "{message}");
}

#[test]
fn fixes_resolves_on_the_main_branch_and_only_links_elsewhere() {
    let env = installed();
    env.git(&["checkout", "-q", "-b", "topic"]);
    commit(&env, "Fixes BC-2");
    assert_eq!(status_of(&env, "BC-2"), "open");
    assert_eq!(commits_of(&env, "BC-2"), [head(&env)]);

    env.git(&["checkout", "-q", "main"]);
    commit(&env, "Handle empty config\n\nCloses: bc-3");
    assert_eq!(status_of(&env, "BC-3"), "resolved");
    let v = json(&env.ok(&["show", "BC-3", "--json"]));
    assert_eq!(v["resolved"], crate::common::DATE);

    commit(&env, "Filed rather than fixed: BC-1");
    assert_eq!(status_of(&env, "BC-1"), "open");
    assert_eq!(commits_of(&env, "BC-1"), [head(&env)]);
}

#[test]
fn a_fast_forward_merge_into_main_resolves_what_the_branch_fixed() {
    let env = installed();
    env.git(&["checkout", "-q", "-b", "topic"]);
    commit(&env, "Fixes BC-1");
    let fix = head(&env);
    assert_eq!(status_of(&env, "BC-1"), "open");
    env.git(&["checkout", "-q", "main"]);
    git_ok(&env, &["merge", "-q", "--ff-only", "topic"]);
    assert_eq!(status_of(&env, "BC-1"), "resolved");
    assert_eq!(commits_of(&env, "BC-1"), [fix]);
}

#[test]
fn amend_moves_the_link_to_the_new_commit() {
    let env = installed();
    commit(&env, "BC-1: first try");
    let old = head(&env);
    std::fs::write(env.repo.join("more.txt"), "more\n").unwrap();
    env.git(&["add", "more.txt"]);
    git_ok(&env, &["commit", "-q", "--amend", "-m", "BC-1: second try"]);
    let new = head(&env);
    assert_ne!(old, new);
    assert_eq!(commits_of(&env, "BC-1"), [new]);
}

#[test]
fn rebase_moves_every_link_to_the_rewritten_commits() {
    let env = installed();
    env.git(&["checkout", "-q", "-b", "topic"]);
    commit(&env, "BC-1: part one");
    let one = head(&env);
    commit(&env, "BC-2: part two");
    let two = head(&env);
    env.git(&["checkout", "-q", "main"]);
    std::fs::write(env.repo.join("other.txt"), "x\n").unwrap();
    env.git(&["add", "other.txt"]);
    git_ok(&env, &["commit", "-q", "-m", "Unrelated"]);
    env.git(&["checkout", "-q", "topic"]);

    let r = run(env
        .git_cmd()
        .env("PATH", path_with_binary())
        .env("GIT_SEQUENCE_EDITOR", "true")
        .args(["rebase", "-q", "-i", "main"]));
    assert_eq!(r.code, 0, "{}", r.stderr);

    let new_one = env.git(&["rev-parse", "HEAD~1"]).trim().to_owned();
    let new_two = head(&env);
    assert_ne!(new_one, one);
    assert_ne!(new_two, two);
    assert_eq!(commits_of(&env, "BC-1"), [new_one]);
    assert_eq!(commits_of(&env, "BC-2"), [new_two]);
}

#[test]
fn a_hook_that_was_there_still_runs_first_and_survives_uninstall() {
    let env = Env::with_tracker();
    env.new_issue("Login fails", &[]);
    let hooks = env.repo.join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let mine = hooks.join("commit-msg");
    let log = env.root.join("my-hook.log");
    let text = format!(
        "#!/bin/sh\necho ran >> {}\nif grep -q WIP \"$1\"; then echo 'no WIP commits' >&2; exit 1; fi\n",
        log.display()
    );
    std::fs::write(&mine, &text).unwrap();
    make_executable(&mine);

    env.ok(&["hooks", "install"]);
    let installed = listing(&hooks);
    let again = env.run(&["hooks", "install"]);
    assert_eq!(again.code, 0);
    assert_eq!(
        listing(&hooks),
        installed,
        "installing twice changes nothing"
    );

    commit(&env, "BC-1: fix the login");
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "ran\n");
    assert_eq!(commits_of(&env, "BC-1"), [head(&env)]);

    let refused = git(&env, &["commit", "-q", "--allow-empty", "-m", "WIP BC-1"]);
    assert_ne!(refused.code, 0, "the user's hook refused the commit");
    assert!(
        refused.stderr.contains("no WIP commits"),
        "{}",
        refused.stderr
    );
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "ran\nran\n");

    env.ok(&["hooks", "uninstall"]);
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), text);
    let names: Vec<String> = listing(&hooks)
        .into_iter()
        .map(|(n, _)| n)
        .filter(|n| !n.ends_with(".sample"))
        .collect();
    assert_eq!(names, ["commit-msg"]);
    commit(&env, "BC-1: after uninstall");
    assert_eq!(
        commits_of(&env, "BC-1").len(),
        1,
        "no hooks of ours run now"
    );
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "ran\nran\nran\n");
}

#[test]
fn hooks_go_where_core_hooks_path_says_and_worktrees_share_them() {
    let env = Env::with_tracker();
    env.git(&["config", "core.hooksPath", ".githooks"]);
    env.ok(&["hooks", "install"]);
    assert!(env.repo.join(".githooks/post-commit").is_file());
    assert!(!env.repo.join(".git/hooks/post-commit").exists());

    let other = Env::with_tracker();
    let wt = other.root.join("wt");
    other.git(&["worktree", "add", "-q", wt.to_str().unwrap()]);
    let r = run(other.cmd().current_dir(&wt).args(["hooks", "install"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(other.repo.join(".git/hooks/post-commit").is_file());
}

#[test]
fn a_broken_tracker_never_blocks_a_commit_and_scan_repairs_later() {
    let env = installed();
    let good = env.branch_file("issues/0/0/0/BC-1.md");
    env.commit_by_hand(
        "issues/0/0/0/BC-1.md",
        &good.replace("priority: p2", "priority: [p2"),
    );
    let r = commit(&env, "BC-1, BC-2: risky change");
    let ours: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("git-issue:"))
        .collect();
    assert!(
        ours.iter()
            .any(|l| l.contains("issues/0/0/0/BC-1.md") && l.contains("git issue scan")),
        "{}",
        r.stderr
    );
    assert_eq!(
        commits_of(&env, "BC-2"),
        [head(&env)],
        "the other issue is linked"
    );

    env.commit_by_hand("issues/0/0/0/BC-1.md", &good);
    env.ok(&["scan"]);
    assert_eq!(commits_of(&env, "BC-1"), [head(&env)]);
}

#[test]
fn no_tracker_and_no_binary_cost_no_commit() {
    let env = Env::new();
    env.ok(&["hooks", "install"]);
    let r = commit(&env, "BC-1: no tracker here");
    assert!(
        r.stderr.contains("git-issue: ") && r.stderr.contains("no issue tracker"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);

    // git-issue not on PATH at all: the shims step aside.
    std::fs::write(env.repo.join("x.txt"), "x\n").unwrap();
    env.git(&["add", "x.txt"]);
    let r = run(env.git_cmd().env("PATH", "/usr/bin:/bin").args([
        "commit",
        "-q",
        "-m",
        "BC-1: still fine",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr, "");
}

#[test]
fn the_branch_name_prefills_the_key() {
    let env = installed();
    env.git(&["checkout", "-q", "-b", "bc-2-fix-crash"]);
    commit(&env, "guard against a missing file");
    let subject = |env: &Env| env.git(&["log", "-1", "--format=%s"]).trim().to_owned();
    assert_eq!(subject(&env), "BC-2: guard against a missing file");
    assert_eq!(commits_of(&env, "BC-2"), [head(&env)]);

    commit(&env, "BC-3: names its own key");
    assert_eq!(subject(&env), "BC-3: names its own key");

    // In the editor: the key is there before the user types.
    env.git(&["checkout", "-q", "-b", "feature/BC-1"]);
    let editor = env.script("editor.sh", "sed -i '1s/$/fix the login/' \"$1\"");
    std::fs::write(env.repo.join("e.txt"), "e\n").unwrap();
    env.git(&["add", "e.txt"]);
    let r = run(env
        .git_cmd()
        .env("PATH", path_with_binary())
        .env("GIT_EDITOR", &editor)
        .args(["commit", "-q"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(subject(&env), "BC-1: fix the login");

    // An amend keeps its message, even one without a key.
    env.git(&[
        "-c",
        "core.hooksPath=/dev/null",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "plain message",
    ]);
    git_ok(
        &env,
        &["commit", "-q", "--amend", "--no-edit", "--allow-empty"],
    );
    assert_eq!(subject(&env), "plain message");
}

#[test]
fn scan_records_history_made_without_hooks_and_a_second_scan_is_a_no_op() {
    let env = Env::with_tracker();
    for title in ["Login fails", "Crash on start", "Slow list"] {
        env.new_issue(title, &[]);
    }
    commit(&env, "BC-1: first part");
    let first = head(&env);
    commit(&env, "Second part\n\nFixes: BC-2\nRefs: BC-1");
    let second = head(&env);
    env.git(&["checkout", "-q", "-b", "topic"]);
    commit(&env, "Resolves BC-3");
    let third = head(&env);
    assert!(commits_of(&env, "BC-1").is_empty(), "no hooks here");

    let r = env.run(&["scan"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(commits_of(&env, "BC-1"), [first, second.clone()]);
    assert_eq!(commits_of(&env, "BC-2"), [second]);
    assert_eq!(status_of(&env, "BC-2"), "resolved");
    assert_eq!(commits_of(&env, "BC-3"), [third]);
    assert_eq!(status_of(&env, "BC-3"), "open", "not on main");

    let tip = env.tip();
    let again = env.run(&["scan"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(env.tip(), tip, "a second scan commits nothing");
    assert!(
        again.stderr.contains("nothing to change"),
        "{}",
        again.stderr
    );
}

#[test]
fn scan_follows_a_rebase_made_elsewhere_by_patch_id() {
    let env = Env::with_tracker();
    env.new_issue("Login fails", &[]);
    env.git(&["checkout", "-q", "-b", "topic"]);
    commit(&env, "BC-1: fix the login");
    let old = head(&env);
    env.ok(&["scan"]);
    assert_eq!(commits_of(&env, "BC-1"), [old.as_str()]);

    // Rebased without our hooks (as on a clone that has none), onto a main
    // that moved meanwhile.
    env.git(&["checkout", "-q", "main"]);
    std::fs::write(env.repo.join("other.txt"), "x\n").unwrap();
    env.git(&["add", "other.txt"]);
    env.git(&["commit", "-q", "-m", "Unrelated"]);
    env.git(&["rebase", "-q", "main", "topic"]);
    let new = head(&env);
    assert_ne!(new, old);

    env.ok(&["scan"]);
    assert_eq!(commits_of(&env, "BC-1"), [new]);
}

#[test]
fn scan_takes_a_range() {
    let env = Env::with_tracker();
    env.new_issue("Login fails", &[]);
    env.new_issue("Crash", &[]);
    commit(&env, "BC-1: old work");
    let base = head(&env);
    commit(&env, "BC-2: new work");
    env.ok(&["scan", &format!("{base}..HEAD")]);
    assert!(commits_of(&env, "BC-1").is_empty());
    assert_eq!(commits_of(&env, "BC-2"), [head(&env)]);
    let r = env.fail(&["scan", "no-such-branch..HEAD"]);
    assert!(r.stderr.contains("no-such-branch"), "{}", r.stderr);
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Every file under `dir` with its content, in name order.
fn listing(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let name = p.strip_prefix(dir).unwrap().display().to_string();
                out.push((name, std::fs::read_to_string(&p).unwrap_or_default()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn checking_out_the_issues_branch_links_none_of_its_commits() {
    let env = installed();
    let tip = env.tip();
    let wt = env.root.join("issues-wt");
    git_ok(
        &env,
        &["worktree", "add", "-q", wt.to_str().unwrap(), "issues"],
    );
    assert_eq!(
        env.tip(),
        tip,
        "its messages name keys, yet nothing is linked"
    );
    assert!(commits_of(&env, "BC-1").is_empty());
}

#[test]
fn a_chained_post_rewrite_hook_still_reads_what_git_gives() {
    let env = installed();
    let hooks = env.repo.join(".git/hooks");
    env.ok(&["hooks", "uninstall"]);
    let log = env.root.join("rewritten.log");
    let mine = hooks.join("post-rewrite");
    std::fs::write(
        &mine,
        format!("#!/bin/sh\necho \"$1\" >> {0}\ncat >> {0}\n", log.display()),
    )
    .unwrap();
    make_executable(&mine);
    env.ok(&["hooks", "install"]);

    commit(&env, "BC-1: first try");
    let old = head(&env);
    git_ok(
        &env,
        &[
            "commit",
            "-q",
            "--amend",
            "--allow-empty",
            "-m",
            "BC-1: again",
        ],
    );
    let new = head(&env);
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        format!("amend\n{old} {new}\n")
    );
    assert_eq!(commits_of(&env, "BC-1"), [new]);
}

#[test]
fn uninstall_leaves_a_hook_that_is_not_ours_alone() {
    let env = installed();
    let hook = env.repo.join(".git/hooks/post-merge");
    std::fs::write(&hook, "#!/bin/sh\necho someone else's\n").unwrap();
    let r = env.run(&["hooks", "uninstall"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("post-merge: not git-issue's, left alone"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        "#!/bin/sh\necho someone else's\n"
    );
    assert!(!env.repo.join(".git/hooks/post-commit").exists());
}

#[test]
fn a_merge_on_a_branch_named_after_an_issue_keeps_its_message() {
    let env = installed();
    env.git(&["checkout", "-q", "-b", "docs"]);
    std::fs::write(env.repo.join("docs.txt"), "docs\n").unwrap();
    env.git(&["add", "docs.txt"]);
    git_ok(&env, &["commit", "-q", "-m", "Write the docs"]);
    env.git(&["checkout", "-q", "main"]);
    env.git(&["checkout", "-q", "-b", "bc-2-fix-crash"]);
    commit(&env, "BC-2: guard");
    git_ok(
        &env,
        &["merge", "-q", "--no-ff", "-m", "Merge the docs", "docs"],
    );
    let subject = env.git(&["log", "-1", "--format=%s"]);
    assert_eq!(subject.trim(), "Merge the docs");
}

#[test]
fn a_rebase_of_three_commits_is_one_commit_of_the_issues_branch() {
    let env = installed();
    env.git(&["checkout", "-q", "-b", "topic"]);
    for m in ["BC-1: one", "BC-2: two", "BC-3: three"] {
        commit(&env, m);
    }
    env.git(&["checkout", "-q", "main"]);
    std::fs::write(env.repo.join("other.txt"), "x\n").unwrap();
    env.git(&["add", "other.txt"]);
    git_ok(&env, &["commit", "-q", "-m", "Unrelated"]);
    env.git(&["checkout", "-q", "topic"]);
    let count = || -> usize {
        env.git(&["rev-list", "--count", "issues"])
            .trim()
            .parse()
            .unwrap()
    };
    let before = count();
    let r = run(env
        .git_cmd()
        .env("PATH", path_with_binary())
        .env("GIT_SEQUENCE_EDITOR", "true")
        .args(["rebase", "-q", "-i", "main"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        count(),
        before + 1,
        "post-rewrite moves every link in one commit"
    );
    assert_eq!(commits_of(&env, "BC-3"), [head(&env)]);
}

/// Runs git with `dir` first on PATH (before the real git-issue).
pub(crate) fn git_with_path(env: &Env, dir: &Path, vars: &[(&str, &str)], args: &[&str]) -> Run {
    let mut paths = vec![dir.to_path_buf()];
    paths.extend(std::env::split_paths(&path_with_binary()));
    let mut cmd = env.git_cmd();
    cmd.env("PATH", std::env::join_paths(paths).unwrap());
    for (k, v) in vars {
        cmd.env(k, v);
    }
    run(cmd.args(args))
}

#[test]
fn husky_style_hooks_still_find_their_siblings_through_their_own_name() {
    let env = Env::with_tracker();
    env.new_issue("Login fails", &[]);
    // What husky v9 writes: core.hooksPath = .husky/_, a one-line hook per
    // name that sources `h`, which runs .husky/<name> found through $0.
    let husky = env.repo.join(".husky");
    let underscore = husky.join("_");
    std::fs::create_dir_all(&underscore).unwrap();
    std::fs::write(
        underscore.join("h"),
        "#!/usr/bin/env sh\nn=$(basename \"$0\")\ns=$(dirname \"$(dirname \"$0\")\")/$n\n[ ! -f \"$s\" ] && exit 0\nsh -e \"$s\" \"$@\"\nc=$?\n[ $c != 0 ] && echo \"husky - $n script failed (code $c)\"\nexit $c\n",
    )
    .unwrap();
    let log = env.root.join("husky.log");
    std::fs::write(
        husky.join("commit-msg"),
        format!(
            "echo ran >> {}\nif grep -q WIP \"$1\"; then echo 'no WIP commits' >&2; exit 1; fi\n",
            log.display()
        ),
    )
    .unwrap();
    let stub = underscore.join("commit-msg");
    std::fs::write(&stub, "#!/usr/bin/env sh\n. \"$(dirname \"$0\")/h\"\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    env.git(&["config", "core.hooksPath", ".husky/_"]);
    env.ok(&["hooks", "install"]);
    assert!(underscore.join("commit-msg.git-issue-chained").exists());

    let file = env.repo.join("work.txt");
    std::fs::write(&file, "a\n").unwrap();
    env.git(&["add", "work.txt"]);
    let refused = git(&env, &["commit", "-q", "-m", "WIP BC-1"]);
    assert_ne!(refused.code, 0, "the user's hook refuses WIP");
    assert!(
        refused.stderr.contains("no WIP commits"),
        "{}",
        refused.stderr
    );
    git_ok(&env, &["commit", "-q", "-m", "BC-1: ready"]);
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "ran\nran\n");
    assert_eq!(commits_of(&env, "BC-1"), [head(&env)]);
}

#[test]
fn only_git_issues_own_refusal_refuses_and_a_hook_never_hangs_a_commit() {
    let env = installed();
    let fake = env.root.join("fake-bin");
    std::fs::create_dir_all(&fake).unwrap();
    let tool = fake.join("git-issue");
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(&tool, "#!/bin/sh\necho 'not the real one' >&2\nexit 1\n").unwrap();
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(env.repo.join("work.txt"), "a\n").unwrap();
    env.git(&["add", "work.txt"]);
    let r = git_with_path(&env, &fake, &[], &["commit", "-q", "-m", "BC-1: one"]);
    assert_eq!(
        r.code, 0,
        "exit 1 of a stranger is no refusal: {}",
        r.stderr
    );

    let marker = env.root.join("slow-finished");
    std::fs::write(
        &tool,
        format!("#!/bin/sh\nsleep 30\ntouch {}\n", marker.display()),
    )
    .unwrap();
    std::fs::write(env.repo.join("work.txt"), "b\n").unwrap();
    env.git(&["add", "work.txt"]);
    let r = git_with_path(
        &env,
        &fake,
        &[("GIT_ISSUE_HOOK_TIMEOUT", "1")],
        &["commit", "-q", "-m", "BC-1: two"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("the commit-msg hook took over 1s and was stopped"),
        "{}",
        r.stderr
    );
    assert!(
        !marker.exists(),
        "the slow hook was stopped, not waited for"
    );
    assert_eq!(
        env.git(&["log", "-1", "--format=%s"]).trim(),
        "BC-1: two",
        "the commit landed"
    );
}
