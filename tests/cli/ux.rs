//! Feels like git (issue 17): settings and templates from the command line,
//! completion and help, arguments that mean what they say, readable output,
//! forgiving editing, a fresh clone that knows, and the terminal board.

use crate::common::{Env, json};

#[test]
fn config_reads_and_changes_settings_one_commit_each() {
    let env = Env::with_tracker();
    assert_eq!(env.ok(&["config", "release_notes.link"]), "\n");
    assert_eq!(env.ok(&["config", "key"]), "BC\n");
    let before = env.tip();
    let r = env.run(&[
        "config",
        "release_notes.link",
        "https://example.org/issues/{n}",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr, "tracker.yml: release_notes.link changed\n");
    assert_eq!(
        env.git(&["rev-list", "--count", &format!("{before}..issues")]),
        "1\n"
    );
    assert_eq!(
        env.git(&["log", "-1", "--format=%s", "issues"]),
        "Set release_notes.link to https://example.org/issues/{n}\n"
    );
    let file = env.branch_file("tracker.yml");
    assert!(
        file.starts_with("# git-issue settings"),
        "comments stay: {file}"
    );
    assert!(
        file.contains("  link: https://example.org/issues/{n}\n"),
        "{file}"
    );
    assert_eq!(
        env.ok(&["config", "release_notes.link"]),
        "https://example.org/issues/{n}\n"
    );
    // The same value again changes nothing, and makes no commit.
    let tip = env.tip();
    let r = env.run(&[
        "config",
        "release_notes.link",
        "https://example.org/issues/{n}",
    ]);
    assert!(r.stderr.contains("nothing to change"), "{}", r.stderr);
    assert_eq!(env.tip(), tip);

    // Lists, one item a line; --list shows everything in effect.
    // Settings that depend on each other change together, in one commit.
    let r = env.fail_with(1, &["config", "statuses", "open, doing, done"]);
    assert!(
        r.stderr
            .contains("closed status \"resolved\" is not one of `statuses`"),
        "{}",
        r.stderr
    );
    let tip = env.tip();
    env.ok(&[
        "config",
        "statuses",
        "open, doing, done",
        "closed_statuses",
        "done",
    ]);
    assert_eq!(
        env.git(&["rev-list", "--count", &format!("{tip}..issues")]),
        "1\n"
    );
    assert_eq!(env.ok(&["config", "statuses"]), "open\ndoing\ndone\n");
    let list = env.ok(&["config", "--list"]);
    assert!(list.contains("key=BC\n"), "{list}");
    assert!(list.contains("statuses=open, doing, done\n"), "{list}");
    assert!(list.contains("search.language=english\n"), "{list}");
    let all = json(&env.ok(&["config", "--list", "--json"]));
    assert_eq!(all["release_notes.link"], "https://example.org/issues/{n}");
    // The new workflow is in force.
    env.new_issue("One", &[]);
    env.ok(&["set", "BC-1", "status=doing"]);

    // --unset brings the default back.
    env.ok(&["config", "--unset", "release_notes.link"]);
    assert_eq!(env.ok(&["config", "release_notes.link"]), "\n");
    assert!(!env.branch_file("tracker.yml").contains("link:"));

    // Tables whose names are the user's (the bridges' people and values).
    env.ok(&[
        "config",
        "bridge.people.marta-k",
        "Marta Kowalczyk <marta@example.com>",
        "bridge.jira.statuses.Blocked",
        "in_progress",
    ]);
    assert_eq!(
        env.ok(&["config", "bridge.people.marta-k"]),
        "Marta Kowalczyk <marta@example.com>\n"
    );
    let list = env.ok(&["config", "--list"]);
    assert!(
        list.contains("bridge.jira.statuses.Blocked=in_progress\n"),
        "{list}"
    );
    let r = env.fail_with(1, &["config", "bridge.people", "x"]);
    assert!(r.stderr.contains("set one entry"), "{}", r.stderr);
    env.ok(&["config", "--unset", "bridge.people.marta-k"]);
    assert!(!env.branch_file("tracker.yml").contains("marta"));
}

#[test]
fn config_refuses_what_doctor_would_call_broken() {
    let env = Env::with_tracker();
    let tip = env.tip();
    for (args, says) in [
        (
            &["config", "closed_statuses", "finished"][..],
            "closed status \"finished\" is not one of `statuses`",
        ),
        (
            &["config", "statuses", ""][..],
            "`statuses` must list at least one value",
        ),
        (&["config", "key", "1X"][..], "`key` must be a letter"),
        (
            &["config", "hooks.strict", "maybe"][..],
            "hooks.strict is true or false",
        ),
        (
            &["config", "search.language", "klingon"][..],
            "search.language \"klingon\" is not one of",
        ),
        (
            &["config", "bogus.name", "x"][..],
            "\"bogus.name\" is not a setting of tracker.yml",
        ),
        (
            &["config", "release_notes", "x"][..],
            "is a group of settings",
        ),
    ] {
        let r = env.fail_with(1, args);
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
    }
    assert_eq!(env.tip(), tip, "nothing was written");
    // Doubts doctor warns about are warned about, and the change is made.
    let r = env.run(&["config", "defaults.priority", "p9"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stderr.contains("warning: tracker.yml:")
            && r.stderr
                .contains("defaults.priority \"p9\" is not one of `priorities`"),
        "{}",
        r.stderr
    );
    assert!(env.fail_with(2, &["config"]).stderr.contains("NAME"));
}

#[test]
fn templates_are_added_changed_and_removed_on_the_branch() {
    let env = Env::with_tracker();
    assert_eq!(
        env.run(&["templates"]).stderr,
        "No templates yet; git issue templates add NAME adds one.\n"
    );
    let text = "---\ntitle: Crash report\ntype: bug\nlabels: [crash]\n---\n## Stack trace\n";
    let r = env.run_with_stdin(&["templates", "add", "crash", "-F", "-"], text);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(env.branch_file("templates/crash.md"), text);
    assert_eq!(
        env.git(&["log", "-1", "--format=%s", "issues"]),
        "Add the template crash\n"
    );
    assert_eq!(env.ok(&["templates"]), "crash  Crash report\n");
    assert_eq!(env.ok(&["templates", "show", "crash"]), text);
    // Adding it again is refused; editing it is the way.
    let r = env.fail_with(1, &["templates", "add", "crash", "-m", "x"]);
    assert!(r.stderr.contains("templates edit crash"), "{}", r.stderr);
    env.ok(&[
        "templates",
        "edit",
        "crash",
        "-m",
        "---\ntype: feature\n---\nNew body\n",
    ]);
    let key = env.new_issue("From the template", &["--template", "crash"]);
    let issue = json(&env.ok(&["show", &key, "--json"]));
    assert_eq!(issue["type"], "feature");
    assert_eq!(issue["body"], "New body\n");
    // A template tracker.yml would refuse is refused before it is written.
    let r = env.fail(&["templates", "add", "bad", "-m", "---\ntype: epic\n---\nx\n"]);
    assert!(r.stderr.contains("\"epic\" is not a type"), "{}", r.stderr);
    let r = env.fail(&["templates", "add", "../escape", "-m", "x"]);
    assert!(r.stderr.contains("cannot name a template"), "{}", r.stderr);
    env.ok(&["templates", "remove", "crash"]);
    assert_eq!(
        env.git(&["ls-tree", "-r", "--name-only", "issues", "templates"]),
        ""
    );
    let r = env.fail_with(3, &["templates", "remove", "crash"]);
    assert!(r.stderr.contains("no template \"crash\""), "{}", r.stderr);
}

/// Completes `line` in a bash session that sourced git's own completion
/// script (Debian's git ships it) and ours, as a user's shell would on TAB.
fn complete_in_bash(env: &Env, line: &str) -> Vec<String> {
    let git_completion = "/usr/share/bash-completion/completions/git";
    assert!(
        std::path::Path::new(git_completion).exists(),
        "git's bash completion is missing: apt-get install git bash-completion"
    );
    let script = env.ok(&["completions", "bash"]);
    let words: Vec<String> = {
        let mut w: Vec<String> = line.split(' ').map(str::to_owned).collect();
        if line.ends_with(' ') {
            w.pop();
            w.push(String::new());
        }
        w
    };
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let entry = if words[0] == "git" {
        "__git_wrap__git_main"
    } else {
        "_git_issue_standalone"
    };
    let program = format!(
        "source {git_completion}\n{script}\nCOMP_WORDS=({})\nCOMP_CWORD={}\nCOMP_LINE='{line}'\nCOMP_POINT=${{#COMP_LINE}}\n{entry}\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        quoted.join(" "),
        words.len() - 1,
    );
    let out = std::process::Command::new("bash")
        .arg("--norc")
        .arg("-c")
        .arg(&program)
        .current_dir(&env.repo)
        .env("PATH", crate::common::path_with_binary())
        .env("HOME", &env.root)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("run bash");
    assert!(
        out.status.success(),
        "bash failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completes_git_issue_through_gits_own_completion() {
    let env = Env::with_tracker();
    env.new_issue("One", &["-l", "ui", "--milestone", "v0.7.0", "-a", "bob"]);
    env.new_issue("Two", &["-l", "backend"]);
    assert_eq!(complete_in_bash(&env, "git issue li"), ["list", "link"]);
    assert_eq!(complete_in_bash(&env, "git issue lis"), ["list"]);
    assert_eq!(
        complete_in_bash(&env, "git issue show BC-"),
        ["BC-2", "BC-1"]
    );
    assert_eq!(complete_in_bash(&env, "git-issue lis"), ["list"]);
    assert_eq!(complete_in_bash(&env, "git issue list --label u"), ["ui"]);
    assert_eq!(
        complete_in_bash(&env, "git issue list --milestone "),
        ["v0.7.0"]
    );
    assert_eq!(
        complete_in_bash(&env, "git issue new --assignee b"),
        ["bob"]
    );
    assert!(complete_in_bash(&env, "git issue list --status ").contains(&"in_progress".to_owned()));
    // Qualifiers complete after the colon, which bash splits words at.
    assert_eq!(
        complete_in_bash(&env, "git issue list label:b"),
        ["backend"]
    );
    assert_eq!(
        complete_in_bash(&env, "git issue set BC-1 status=in_"),
        ["in_progress"]
    );
    assert_eq!(
        complete_in_bash(&env, "git issue label BC-1 +b"),
        ["+backend"]
    );
    // Flags of the command at hand; hidden commands are never offered.
    assert!(complete_in_bash(&env, "git issue list --li").contains(&"--limit".to_owned()));
    assert!(
        complete_in_bash(&env, "git issue m")
            .iter()
            .all(|c| c != "merge-driver")
    );
    // New commands complete by themselves: the list comes from clap.
    assert_eq!(complete_in_bash(&env, "git issue boa"), ["board"]);
}

#[test]
fn a_typo_suggests_the_command_meant_never_a_hidden_one() {
    let env = Env::with_tracker();
    let r = env.run(&["lsit"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("'lsit'"), "{}", r.stderr);
    assert!(r.stderr.contains("'list'"), "{}", r.stderr);
    assert!(!r.stderr.contains("merge-driver"), "{}", r.stderr);
    assert!(env.run(&["shwo"]).stderr.contains("'show'"));
}

#[test]
fn man_pages_exist_for_every_command_the_top_page_names() {
    let env = Env::with_tracker();
    let top = env.ok(&["man"]);
    assert!(top.contains("git\\-issue\\-new(1)"), "{top}");
    let dir = env.root.join("man1");
    let r = env.run(&["man", "--install", "--dir", dir.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for page in [
        "git-issue.1",
        "git-issue-new.1",
        "git-issue-list.1",
        "git-issue-board.1",
        "git-issue-config.1",
    ] {
        assert!(dir.join(page).exists(), "{page} missing: {}", r.stderr);
    }
    assert!(!dir.join("git-issue-merge-driver.1").exists());
    assert!(!dir.join("git-issue-__complete.1").exists());
    let new = std::fs::read_to_string(dir.join("git-issue-new.1")).unwrap();
    assert!(new.contains("The milestone it is planned for"), "{new}");
    assert!(
        env.ok(&["man", "list"])
            .contains("Only issues with this label")
    );
    // Without --dir: where man looks, under the user's data folder.
    let r = env.run(&["man", "--install"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        env.root
            .join(".local/share/man/man1/git-issue-show.1")
            .exists(),
        "{}",
        r.stderr
    );
}

#[test]
fn help_fills_every_flag_of_new_and_list() {
    let env = Env::new();
    for (cmd, flags) in [
        ("new", &["--milestone", "--assignee", "--component"][..]),
        (
            "list",
            &[
                "--type",
                "--priority",
                "--severity",
                "--label",
                "--milestone",
                "--assignee",
                "--component",
            ][..],
        ),
    ] {
        let help = env.ok(&[cmd, "--help"]);
        for flag in flags {
            let line = help
                .lines()
                .skip_while(|l| !(l.trim_start().starts_with('-') && l.contains(flag)))
                .take(2)
                .collect::<Vec<_>>()
                .join(" ");
            let words_after = line.split_once('>').map_or("", |(_, rest)| rest.trim());
            assert!(
                !words_after.is_empty(),
                "{cmd} {flag} has no help: {line:?}"
            );
        }
    }
    let help = env.ok(&["label", "--help"]);
    assert!(help.contains("Labels to add"), "{help}");
}

#[test]
fn flags_are_flags_and_labels_are_words() {
    let env = Env::with_tracker();
    env.new_issue("One", &["-l", "ui"]);
    let tip = env.tip();
    let r = env.fail_with(2, &["label", "BC-1", "--bogus"]);
    assert!(r.stderr.contains("--bogus: no such flag"), "{}", r.stderr);
    for bad in ["+--json", "+a,b", "+with space", "+\"q\""] {
        let r = env.fail_with(1, &["label", "BC-1", bad]);
        assert!(
            r.stderr.contains("cannot be a label"),
            "{bad}: {}",
            r.stderr
        );
    }
    env.fail_with(1, &["set", "BC-1", "labels=ok,not ok"]);
    env.fail_with(1, &["new", "X", "-l", "a,b"]);
    assert_eq!(env.tip(), tip, "nothing was written");
    // --json on a write is the flag, and prints the issue as it is now.
    let v = json(&env.ok(&["set", "BC-1", "--json", "+backend"]));
    assert_eq!(v["labels"], serde_json::json!(["ui", "backend"]));
    let v = json(&env.ok(&["label", "BC-1", "-ui", "--json"]));
    assert_eq!(v["labels"], serde_json::json!(["backend"]));
    for args in [
        &["close", "BC-1", "--json"][..],
        &["reopen", "BC-1", "--json"],
        &["assign", "BC-1", "bob", "--json"],
        &["comment", "BC-1", "-m", "hi", "--json"],
        &["link", "BC-1", "HEAD", "--json"],
    ] {
        let out = env.ok(args);
        let v = json(&out);
        assert_eq!(v["key"], "BC-1", "{args:?}: {out}");
    }
    let head = env.git(&["rev-parse", "HEAD"]);
    let v = json(&env.ok(&["unlink", "BC-1", head.trim(), "--json"]));
    assert_eq!(v["commits"], serde_json::json!([]));
    let v = json(&env.ok(&["delete", "BC-1", "--json"]));
    assert_eq!(
        (v["key"].as_str(), v["deleted"].as_bool()),
        (Some("BC-1"), Some(true))
    );
    // Values a query would refuse are refused as flags too.
    env.new_issue("Two", &[]);
    for args in [
        &["list", "--priority", "p9"][..],
        &["list", "--type", "nope"],
        &["list", "--status", "bogus"],
    ] {
        let r = env.fail_with(2, args);
        assert!(
            r.stderr.contains("tracker.yml allows"),
            "{args:?}: {}",
            r.stderr
        );
    }
}

#[test]
fn release_notes_milestone_flag_and_search_json_are_one_family() {
    let env = Env::with_tracker();
    env.new_issue("Crash on start", &["-m", "It crashes when started twice."]);
    env.new_issue("Secret", &["-m", "crashing", "-l", "sec"]);
    env.ok(&["set", "BC-2", "confidential=true"]);
    // Stemming: crashes, crashing and crash are one word.
    let v = json(&env.ok(&["search", "crashes", "--json"]));
    let keys: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys.len(), 2, "{v}");
    let first = &v[0];
    for field in [
        "key", "title", "status", "labels", "score", "snippet", "created",
    ] {
        assert!(
            first.get(field).is_some(),
            "search --json lacks {field}: {first}"
        );
    }
    let list = json(&env.ok(&["list", "--json"]));
    for field in list[0].as_object().unwrap().keys() {
        assert!(
            first.get(field).is_some(),
            "list has {field}, search does not"
        );
    }
    // Snippets piped carry no *markup*.
    let out = env.ok(&["search", "crash"]);
    assert!(!out.contains('*'), "{out}");
    // confidential:true is a query term; list and show mark such issues.
    assert_eq!(
        env.ok(&["list", "confidential:true", "--json"])
            .matches("\"key\"")
            .count(),
        1
    );
    assert!(env.ok(&["list"]).contains("Secret  (confidential)"));
    assert!(
        env.ok(&["show", "BC-2"])
            .lines()
            .next()
            .unwrap()
            .ends_with("(confidential)")
    );
    env.fail_with(2, &["list", "confidential:maybe"]);
    // A search for nothing is refused, as a usage error.
    let r = env.fail_with(2, &["search", ""]);
    assert!(r.stderr.contains("git issue list"), "{}", r.stderr);
    // log --json writes people as comments and reporter do.
    let log = json(&env.ok(&["log", "BC-1", "--json"]));
    assert_eq!(log[0]["author"], "Alice Example <alice@example.com>");
    let show = json(&env.ok(&["show", "BC-1", "--json"]));
    assert_eq!(show["reporter"], log[0]["author"]);
}

#[test]
fn search_language_none_turns_stemming_off() {
    let env = Env::with_tracker();
    env.new_issue("Crash on start", &[]);
    assert_eq!(
        json(&env.ok(&["search", "crashes", "--json"]))
            .as_array()
            .unwrap()
            .len(),
        1
    );
    env.ok(&["config", "search.language", "none"]);
    assert_eq!(
        json(&env.ok(&["search", "crashes", "--json"]))
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        json(&env.ok(&["search", "crash", "--json"]))
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn an_empty_commit_message_still_aborts_with_the_hooks_installed() {
    let env = Env::with_tracker();
    env.new_issue("Login", &[]);
    let install = env
        .cmd()
        .args(["hooks", "install"])
        .env("PATH", crate::common::path_with_binary())
        .output()
        .unwrap();
    assert!(install.status.success());
    env.git(&["checkout", "-q", "-b", "bc-1-fix-login"]);
    std::fs::write(env.repo.join("f"), "x").unwrap();
    env.git(&["add", "f"]);
    let commit = |args: &[&str], editor: &str| {
        env.git_cmd()
            .env("PATH", crate::common::path_with_binary())
            .env("GIT_EDITOR", editor)
            .args(args)
            .output()
            .unwrap()
    };
    let out = commit(&["commit", "-m", ""], "true");
    assert!(!out.status.success(), "-m \"\" must abort");
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty commit message"));
    // An editor that leaves the pre-filled message as it was.
    let unchanged_aborts = || {
        let head = env.git(&["rev-parse", "HEAD"]);
        let out = commit(&["commit"], "true");
        assert!(!out.status.success(), "an unchanged message must abort");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("empty commit message"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(env.git(&["rev-parse", "HEAD"]), head);
    };
    unchanged_aborts();
    // A real message still gets its prefix.
    let out = commit(&["commit", "-m", "fix the login"], "true");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        env.git(&["log", "-1", "--format=%s"]),
        "BC-1: fix the login\n"
    );
    // That commit's post-commit left the mark that spares commit-msg its
    // process; the untouched prefix ("BC-1: ", with its space) still aborts.
    assert!(env.repo.join(".git/git-issue/commit-msg-lenient").exists());
    std::fs::write(env.repo.join("f"), "y").unwrap();
    env.git(&["add", "f"]);
    unchanged_aborts();
}

#[test]
fn editing_forgives() {
    let env = Env::with_tracker();
    env.new_issue("A", &[]);
    // A kept draft is dropped with --discard.
    let broken = env.script("broken", "sed -i 's/^status: open/status: [open/' \"$1\"");
    env.run_editor(&["edit", "BC-1"], &broken, "");
    let draft = env.repo.join(".git/git-issue/drafts/BC-1.md");
    assert!(draft.exists());
    let r = env.run(&["edit", "BC-1", "--discard"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!draft.exists());
    // An empty title is empty, at its line.
    let empty = env.script("empty", "sed -i 's/^title: .*/title: \"\"/' \"$1\"");
    let r = env.run_editor(&["edit", "BC-1"], &empty, "");
    assert!(
        r.stderr.contains("BC-1.md:3:8: the field `title` is empty")
            || r.stderr.contains("the field `title` is empty"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("missing"), "{}", r.stderr);
    env.ok(&["edit", "BC-1", "--discard"]);
    // show of a deleted key says so, and when.
    env.ok(&["delete", "BC-1", "--yes"]);
    let r = env.fail_with(3, &["show", "BC-1"]);
    assert!(
        r.stderr
            .contains("error: BC-1 was deleted on 2026-01-02T03:04:05Z by Alice Example"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("git issue log BC-1"), "{}", r.stderr);
}

#[test]
fn a_failed_init_leaves_nothing_behind() {
    let env = Env::new();
    let before = std::fs::read_to_string(env.repo.join(".git/config")).unwrap();
    // No identity: the commit cannot be made.
    let r = env
        .cmd()
        .args(["init", "--key", "BC"])
        .env_remove("GIT_AUTHOR_NAME")
        .env_remove("GIT_AUTHOR_EMAIL")
        .env_remove("GIT_COMMITTER_NAME")
        .env_remove("GIT_COMMITTER_EMAIL")
        .env("EMAIL", "")
        .output()
        .unwrap();
    assert!(
        !r.status.success(),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(env.repo.join(".git/config")).unwrap(),
        before
    );
    env.ok(&["init", "--key", "BC"]);
    assert!(
        std::fs::read_to_string(env.repo.join(".git/config"))
            .unwrap()
            .contains("git-issue")
    );
}

#[test]
fn a_fresh_clone_says_how_to_use_origins_tracker() {
    let env = Env::with_tracker();
    env.new_issue("One", &[]);
    let clone = env.sibling("clone");
    env.git_in(
        &env.root,
        &["clone", "-q", env.repo.to_str().unwrap(), "clone"],
    );
    let r = clone.fail_with(3, &["list"]);
    assert_eq!(
        r.stderr,
        "error: origin has an issue tracker (branch issues), not yet used in this clone\nhint: run git issue init to use origin's tracker here; git issue sync keeps it in step\n"
    );
    clone.ok(&["init"]);
    assert!(clone.ok(&["list"]).contains("One"));
}

/// tmux on a socket of this test's own: a real terminal for the board.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn cmd(&self) -> std::process::Command {
        let mut c = std::process::Command::new("tmux");
        c.args(["-L", &self.socket, "-f", "/dev/null"]);
        c
    }

    fn screen(&self) -> String {
        let out = self
            .cmd()
            .args(["capture-pane", "-p", "-t", "board"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen shows `text`; panics with the screen after a
    /// generous bound (a wait, not a timing assertion).
    fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("showed {text:?}"), |s| s.contains(text))
    }

    /// Waits until the screen satisfies `done`. A capture can land while the
    /// board is half drawn, so whatever a step asserts about the screen is
    /// waited for as a whole, never read from the first capture that shows
    /// one part of it.
    fn wait_until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        for _ in 0..300 {
            let s = self.screen();
            if done(&s) {
                return s;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("the board never {what}:\n{}", self.screen());
    }

    fn keys(&self, keys: &[&str]) {
        let status = self
            .cmd()
            .args(["send-keys", "-t", "board"])
            .args(keys)
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").output();
    }
}

#[test]
fn the_board_runs_in_a_real_terminal_and_follows_the_branch() {
    if std::process::Command::new("tmux")
        .arg("-V")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs tmux: apt-get install tmux"
        );
        eprintln!("skipped: no tmux");
        return;
    }
    let env = Env::with_tracker();
    env.new_issue(
        "Login fails on Safari",
        &["-l", "ui", "-a", "alice", "-p", "p1"],
    );
    env.new_issue("Export is slow", &[]);
    let tmux = Tmux {
        socket: format!("git-issue-test-{}", std::process::id()),
    };
    let mut start = env.cmd();
    start.env("PATH", crate::common::path_with_binary());
    let bin = env!("CARGO_BIN_EXE_git-issue");
    let status = tmux
        .cmd()
        .envs(start.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env_remove("TMUX")
        .args([
            "new-session",
            "-d",
            "-s",
            "board",
            "-x",
            "120",
            "-y",
            "30",
            "-c",
        ])
        .arg(&env.repo)
        .arg(format!("{bin} board"))
        .status()
        .unwrap();
    assert!(status.success());
    tmux.wait_until("showed both cards with BC-1's labels", |s| {
        s.contains("open (2)") && s.contains("BC-1 p1 @alice") && s.contains("[ui]")
    });
    // The newest first: BC-2 is selected. Move it one status on: a commit.
    tmux.keys(&["L"]);
    tmux.wait_for("triaged (1)");
    assert_eq!(
        env.git(&["log", "-1", "--format=%s", "issues"]),
        "BC-2: status open -> triaged\n"
    );
    // Open the card, and close it again.
    tmux.keys(&["Enter"]);
    tmux.wait_for("(Esc closes)");
    tmux.keys(&["Escape"]);
    // A change made elsewhere shows up by itself.
    env.new_issue("Filed in another terminal", &[]);
    tmux.wait_for("Filed in another terminal");
    // Filter with the query language.
    tmux.keys(&["/", "label:ui", "Enter"]);
    tmux.wait_until("filtered to label:ui", |s| {
        s.contains("open (1)")
            && s.contains("Login fails on Safari")
            && !s.contains("Filed in another terminal")
    });
    tmux.keys(&["q"]);
    for _ in 0..100 {
        let alive = tmux
            .cmd()
            .args(["has-session", "-t", "board"])
            .output()
            .unwrap();
        if !alive.status.success() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("q did not quit the board:\n{}", tmux.screen());
}

#[test]
fn zsh_completes_git_issue_with_the_same_answers() {
    if std::process::Command::new("zsh")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs zsh: apt-get install zsh"
        );
        eprintln!("skipped: no zsh");
        return;
    }
    let env = Env::with_tracker();
    env.new_issue("One", &["-l", "ui"]);
    let script = env.root.join("_git-issue");
    std::fs::write(&script, env.ok(&["completions", "zsh"])).unwrap();
    // Outside a completion widget compadd cannot run: it is stood in for
    // by a function that prints what it was given, so the test sees what
    // zsh would offer. `words` and `CURRENT` are what zsh's `_git` hands
    // `_git-issue` for `git issue …` (from `issue` on).
    let complete = |words: &str, current: usize| -> String {
        let program = format!(
            "compdef() {{ :; }}\ncompadd() {{ while (( $# )); do case $1 in -S) shift 2 ;; --) shift; print -rl -- \"$@\"; return ;; *) shift ;; esac; done }}\n_files() {{ print -r -- '<files>' }}\nsource {}\nwords=({words})\nCURRENT={current}\n_git-issue\n",
            script.display()
        );
        let out = std::process::Command::new("zsh")
            .args(["-f", "-c", &program])
            .current_dir(&env.repo)
            .env("PATH", crate::common::path_with_binary())
            .env("HOME", &env.root)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(complete("issue li", 2), "list\nlink\n");
    assert_eq!(complete("git-issue show BC-", 3), "BC-1\n");
    assert_eq!(complete("issue list label:u", 3), "label:ui\n");
    assert_eq!(complete("issue import ./", 3), "<files>\n");
}

#[test]
fn on_a_terminal_a_kept_draft_of_new_takes_the_title_given_now() {
    if std::process::Command::new("tmux")
        .arg("-V")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs tmux: apt-get install tmux"
        );
        eprintln!("skipped: no tmux");
        return;
    }
    let env = Env::with_tracker();
    let broken = env.script("broken", "sed -i 's/^status: open/status: [open/' \"$1\"");
    let fix = env.script("fix", "sed -i 's/^status: \\[open/status: open/' \"$1\"");
    let bin = env!("CARGO_BIN_EXE_git-issue");
    let script = env.script(
        "session",
        &format!(
            "GIT_EDITOR={} {bin} new 'First title'; echo \"first: $?\"\nGIT_EDITOR={} {bin} new 'Second title'; echo \"second: $?\"\nsleep 60",
            broken.display(),
            fix.display()
        ),
    );
    let tmux = Tmux {
        socket: format!("git-issue-draft-{}", std::process::id()),
    };
    let start = env.cmd();
    let status = tmux
        .cmd()
        .envs(start.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env_remove("TMUX")
        .args([
            "new-session",
            "-d",
            "-s",
            "board",
            "-x",
            "150",
            "-y",
            "30",
            "-c",
        ])
        .arg(&env.repo)
        .arg(script.to_str().unwrap())
        .status()
        .unwrap();
    assert!(status.success());
    // On a terminal the question is asked; no: the text is kept.
    tmux.wait_for("Re-open the editor? [Y/n]");
    tmux.keys(&["n", "Enter"]);
    let s = tmux.wait_for("second: ");
    assert!(s.contains("first: 1"), "{s}");
    assert!(s.contains("Reopening your unsaved text"), "{s}");
    assert!(s.contains("second: 0"), "{s}");
    let list = json(&env.ok(&["list", "--json"]));
    assert_eq!(list[0]["title"], "Second title", "{list}");
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[test]
fn list_on_a_terminal_has_a_header_and_fits_the_width() {
    if std::process::Command::new("tmux")
        .arg("-V")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs tmux: apt-get install tmux"
        );
        eprintln!("skipped: no tmux");
        return;
    }
    let env = Env::with_tracker();
    env.new_issue(
        &format!("A title {}end", "that goes on ".repeat(12)),
        &["-l", "ui"],
    );
    let bin = env!("CARGO_BIN_EXE_git-issue");
    let script = env.script(
        "session",
        &format!("GIT_PAGER=cat {bin} list; echo listed\nsleep 60"),
    );
    let tmux = Tmux {
        socket: format!("git-issue-list-{}", std::process::id()),
    };
    let start = env.cmd();
    let status = tmux
        .cmd()
        .envs(start.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env_remove("TMUX")
        .args([
            "new-session",
            "-d",
            "-s",
            "board",
            "-x",
            "80",
            "-y",
            "20",
            "-c",
        ])
        .arg(&env.repo)
        .arg(script.to_str().unwrap())
        .status()
        .unwrap();
    assert!(status.success());
    let s = tmux.wait_for("listed");
    let lines: Vec<&str> = s.lines().collect();
    assert!(
        lines[0].starts_with("KEY   STATUS  PRIORITY  TYPE  ASSIGNEE  TITLE"),
        "{s}"
    );
    assert!(lines[1].starts_with("BC-1  open"), "{s}");
    assert!(lines[1].ends_with('…'), "cut to the width: {s}");
    assert!(lines[1].chars().count() <= 80, "{s}");
    // Piped, the same list is whole and has no header.
    let piped = env.ok(&["list"]);
    assert!(piped.starts_with("BC-1"), "{piped}");
    assert!(piped.contains("end  [ui]"), "{piped}");
}
