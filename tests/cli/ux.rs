//! Feels like git (issue 17): settings and templates from the command line,
//! completion and help, arguments that mean what they say, readable output,
//! forgiving editing, a fresh clone that knows, and the terminal board.

use crate::assert_transcript;
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
    env.ok(&["config", "statuses", "open, doing, done"]);
    env.ok(&["config", "closed_statuses", "done"]);
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
    assert_eq!(issue["description"], "New body\n");
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
