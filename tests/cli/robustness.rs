//! Bad input never stops the rest of the tracker, and the user's checkout is
//! never touched.

use crate::common::{Env, json};

#[test]
fn a_broken_file_is_reported_while_every_other_issue_keeps_working() {
    let env = Env::with_tracker();
    env.new_issue("Fine", &[]);
    env.new_issue("Will break", &[]);
    env.new_issue("Also fine", &[]);
    let broken = env
        .branch_file("issues/0/0/0/BC-2.md")
        .replace("priority: p2", "priority: [p2");
    env.commit_by_hand("issues/0/0/0/BC-2.md", &broken);

    let r = env.run(&["list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let keys: Vec<&str> = r
        .stdout
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(keys, ["BC-3", "BC-1"]);
    assert!(
        // Where the `[` was left open, not where the parser gave up.
        r.stderr.starts_with("warning: issues/0/0/0/BC-2.md:6:"),
        "{}",
        r.stderr
    );

    env.ok(&["show", "BC-1"]);
    env.ok(&["set", "BC-3", "+ui"]);
    env.ok(&["comment", "BC-1", "-m", "still works"]);
    assert_eq!(env.new_issue("New one", &[]), "BC-4");

    let r = env.fail(&["show", "BC-2"]);
    assert!(
        r.stderr.starts_with("error: issues/0/0/0/BC-2.md:6:"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("hint: fix the file with git issue edit BC-2"),
        "{}",
        r.stderr
    );
    let before = env.branch_file("issues/0/0/0/BC-2.md");
    env.fail(&["set", "BC-2", "+ui"]);
    assert_eq!(
        env.branch_file("issues/0/0/0/BC-2.md"),
        before,
        "nothing writes over a broken file"
    );

    // `edit` opens the broken text so it can be repaired.
    let editor = env.script("fix", "sed -i 's/priority: \\[p2/priority: p2/' \"$1\"");
    let r = env.run_editor(&["edit", "BC-2"], &editor, "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("opening it so you can repair it"),
        "{}",
        r.stderr
    );
    assert_eq!(json(&env.ok(&["show", "BC-2", "--json"]))["priority"], "p2");
}

#[test]
fn a_broken_tracker_yml_is_named() {
    let env = Env::with_tracker();
    env.commit_by_hand("tracker.yml", "key: BC\nstatuses: [open\n");
    let r = env.fail(&["list"]);
    assert!(r.stderr.starts_with("error: tracker.yml:"), "{}", r.stderr);
}

#[test]
fn unknown_fields_survive_every_rewrite_in_place() {
    let env = Env::with_tracker();
    env.new_issue("A", &[]);
    let text = env.branch_file("issues/0/0/0/BC-1.md").replace(
        "priority: p2\n",
        "priority: p2\nx-sla:\n  hours: 4\n  tier: gold\n",
    );
    env.commit_by_hand("issues/0/0/0/BC-1.md", &text);
    env.ok(&["set", "BC-1", "status=triaged", "+ui"]);
    let after = env.branch_file("issues/0/0/0/BC-1.md");
    assert!(
        after.contains("priority: p2\nx-sla:\n  hours: 4\n  tier: gold\nlabels:\n  - ui\n"),
        "{after}"
    );
    assert_eq!(
        json(&env.ok(&["show", "BC-1", "--json"]))["x-sla"]["tier"],
        "gold"
    );
}

#[test]
fn the_users_checkout_is_never_touched() {
    let env = Env::new();
    std::fs::write(env.repo.join("README"), "changed but not staged\n").unwrap();
    std::fs::write(env.repo.join("staged.txt"), "staged\n").unwrap();
    env.git(&["add", "staged.txt"]);
    std::fs::write(env.repo.join("untracked.txt"), "untracked\n").unwrap();
    let status = env.git(&["status", "--porcelain"]);
    let head = env.git(&["rev-parse", "HEAD"]);
    let index = std::fs::read(env.repo.join(".git/index")).unwrap();
    let symbolic = env.git(&["symbolic-ref", "HEAD"]);

    env.ok(&["init"]);
    env.new_issue("A", &["-l", "x"]);
    env.ok(&["set", "BC-1", "status=triaged"]);
    env.ok(&["comment", "BC-1", "-m", "c"]);
    env.ok(&["delete", "BC-1"]);

    assert_eq!(env.git(&["status", "--porcelain"]), status);
    assert_eq!(env.git(&["rev-parse", "HEAD"]), head);
    assert_eq!(env.git(&["symbolic-ref", "HEAD"]), symbolic);
    assert_eq!(std::fs::read(env.repo.join(".git/index")).unwrap(), index);
    assert_eq!(
        std::fs::read_to_string(env.repo.join("README")).unwrap(),
        "changed but not staged\n"
    );
}

#[test]
fn works_from_a_subdirectory_and_a_worktree() {
    let env = Env::with_tracker();
    std::fs::create_dir_all(env.repo.join("src/deep")).unwrap();
    let r = crate::common::run(
        env.cmd()
            .current_dir(env.repo.join("src/deep"))
            .args(["new", "From below"]),
    );
    assert_eq!((r.code, r.stdout.as_str()), (0, "BC-1\n"), "{}", r.stderr);
    let wt = env.root.join("wt");
    env.git(&[
        "worktree",
        "add",
        "-q",
        "-b",
        "feature",
        wt.to_str().unwrap(),
    ]);
    let r = crate::common::run(env.cmd().current_dir(&wt).args(["new", "From a worktree"]));
    assert_eq!((r.code, r.stdout.as_str()), (0, "BC-2\n"), "{}", r.stderr);
    assert!(env.ok(&["list"]).contains("From a worktree"));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let env = Env::with_tracker();
    for i in 0..30 {
        env.new_issue(&format!("Issue {i}"), &[]);
    }
    let mut child = env
        .cmd()
        .args(["list"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const NEWER: &str =
    "format 3 is newer than this git-issue, which reads formats 1 to 2: install a newer git-issue";

/// `tracker.yml` as a later git-issue would write it: the same settings,
/// a higher `format`.
fn newer_settings(env: &Env) -> String {
    let text = env.branch_file("tracker.yml");
    assert!(text.contains("\nformat: 2\n"), "{text}");
    text.replace("\nformat: 2\n", "\nformat: 3\n")
}

#[test]
fn a_tracker_of_a_newer_format_is_refused_whole_and_left_as_it_is() {
    let env = Env::with_tracker();
    env.new_issue("Written by this version", &[]);
    env.commit_by_hand("tracker.yml", &newer_settings(&env));
    let tip = env.tip();
    for args in [
        &["new", "Would be filed in the old layout"][..],
        &["comment", "BC-1", "-m", "hi"],
        &["set", "BC-1", "priority=p1"],
        &["config", "key", "XY"],
        &["doctor", "--fix"],
        &["list"],
        &["show", "BC-1"],
    ] {
        let r = env.fail_with(1, args);
        assert_eq!(
            r.stderr.lines().next().unwrap_or(""),
            format!("error: tracker.yml:2:1: {NEWER}"),
            "{args:?}"
        );
    }
    assert_eq!(env.tip(), tip, "nothing was written");
}

#[test]
fn sync_and_init_leave_a_remote_of_a_newer_format_alone() {
    let net = crate::sync::Net::new();
    net.first.ok(&["sync"]);
    let bob = net.clone("bob");
    bob.ok(&["init"]);
    bob.new_issue("Bob's, not yet sent", &[]);
    // Alice's newer git-issue moved the remote to a format this one does
    // not know.
    // Spelled as YAML allows, which a look for `format:` alone would miss.
    let settings = newer_settings(&net.first).replace("\nformat: 3\n", "\n\"format\" : 3\n");
    net.first.commit_by_hand("tracker.yml", &settings);
    net.first.git(&["push", "-q", "origin", "issues"]);
    let remote = |env: &Env| env.git(&["ls-remote", "origin", "issues"]);
    let (bob_tip, remote_tip) = (bob.tip(), remote(&bob));

    let r = bob.fail_with(1, &["sync"]);
    assert_eq!(
        r.stderr.trim_end(),
        format!("error: origin's tracker.yml:2:1: {NEWER}")
    );
    assert_eq!(bob.tip(), bob_tip, "nothing merged");
    assert_eq!(remote(&bob), remote_tip, "nothing sent");
    assert!(bob.ok(&["list"]).contains("Bob's, not yet sent"));

    let carol = net.clone("carol");
    let r = carol.fail_with(1, &["init"]);
    assert!(r.stderr.contains(NEWER), "{}", r.stderr);
    assert!(!has_issues_branch(&carol), "init adopted it anyway");
}

/// Whether the clone has an issues branch of its own.
fn has_issues_branch(env: &Env) -> bool {
    env.git_cmd()
        .args(["rev-parse", "-q", "--verify", "refs/heads/issues"])
        .output()
        .unwrap()
        .status
        .success()
}

#[test]
fn sync_and_init_leave_a_branch_that_holds_no_tracker_alone() {
    // Alice's tracker has never been synced: the remote has no issues.
    let net = crate::sync::Net::new();
    let alice = &net.first;
    alice.new_issue("Alice's", &[]);
    // Someone's work, on a branch that happens to be called `issues`.
    let dev = net.clone("dev");
    dev.git(&["checkout", "-q", "-b", "issues"]);
    std::fs::write(dev.repo.join("README.md"), "not a tracker\n").unwrap();
    dev.git(&["add", "README.md"]);
    dev.git(&["commit", "-q", "-m", "work"]);
    dev.git(&["push", "-q", "origin", "issues"]);
    let remote = || alice.git(&["ls-remote", "origin", "issues"]);
    let (tip, remote_tip) = (alice.tip(), remote());

    let r = alice.fail_with(1, &["sync"]);
    assert_eq!(
        r.stderr.lines().next().unwrap_or(""),
        "error: origin's branch issues holds no issue tracker (no tracker.yml, no issues/ folder), so nothing was merged or sent; git config issue.branch NAME keeps the issues on a branch of another name"
    );
    assert_eq!((alice.tip(), remote()), (tip, remote_tip));

    let carol = net.clone("carol");
    let r = carol.fail_with(1, &["init", "--key", "VV"]);
    assert!(r.stderr.contains("holds no issue tracker"), "{}", r.stderr);
    assert!(!has_issues_branch(&carol), "init took it as a tracker");
}

#[test]
fn a_remote_named_like_an_option_is_a_name_not_an_option() {
    let net = crate::sync::Net::new();
    let env = &net.first;
    let name = "--upload-pack=touch pwned";
    env.git(&["config", &format!("remote.{name}.url"), "../remote.git"]);
    env.fail(&["sync", "--", name]);
    assert!(
        !env.repo.join("pwned").exists(),
        "git ran the command in the remote's name"
    );
    // A URL or a path where a remote's name goes says what to do.
    let r = env.fail_with(3, &["sync", "../remote.git"]);
    assert!(
        r.stderr.contains(
            "hint: name a remote, not a URL or a path: git remote add NAME ../remote.git"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn a_remote_branch_locked_for_good_is_named_not_blamed_on_others() {
    let net = crate::sync::Net::new();
    let env = &net.first;
    env.ok(&["sync"]);
    env.new_issue("Waits to be sent", &[]);
    // A push that crashed on the remote left its lock behind.
    std::fs::write(env.root.join("remote.git/refs/heads/issues.lock"), "").unwrap();
    let r = env.fail_with(4, &["sync"]);
    assert!(
        r.stderr
            .contains("origin's branch stayed locked (cannot lock ref 'refs/heads/issues'"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("others kept pushing"), "{}", r.stderr);
    std::fs::remove_file(env.root.join("remote.git/refs/heads/issues.lock")).unwrap();
    env.ok(&["sync"]);
}

#[test]
fn doctor_names_a_second_file_of_one_key_in_the_first_layout() {
    let env = Env::with_tracker();
    env.new_issue("Read by every command", &[]);
    let text = env.branch_file("issues/0/0/0/BC-1.md");
    let id = text.lines().find(|l| l.starts_with("id: ")).unwrap();
    let copy = text
        .replace("Read by every command", "Hidden copy")
        .replace(id, "id: 01JHIDDENCOPY0000000000000");
    env.commit_by_hand("issues/0/BC-1.md", &copy);
    let r = env.fail_with(5, &["doctor"]);
    assert!(
        !r.stderr.contains("first layout"),
        "it cannot move: {}",
        r.stderr
    );
    assert!(
        r.stdout.contains(
            "issues/0/BC-1.md:1:1: issues/0/0/0/BC-1.md holds BC-1 too, and commands read only issues/0/0/0/BC-1.md"
        ),
        "{}",
        r.stdout
    );
}
