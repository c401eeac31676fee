//! What people read: whole transcripts of the everyday commands (exit
//! status, stdout, stderr) as insta snapshots in `tests/cli/snapshots/`.
//! `INSTA_UPDATE=always cargo test` (or `cargo insta review`) accepts a
//! deliberate change; the diff is the review.

use crate::assert_transcript;
use crate::common::Env;

/// A small tracker: three issues, a comment, a closed one.
fn tracker() -> Env {
    let env = Env::with_tracker();
    env.new_issue(
        "Login fails on Safari",
        &[
            "-l",
            "auth",
            "-l",
            "ui",
            "-p",
            "p1",
            "--milestone",
            "v0.7.0",
            "-m",
            "Steps:\n\n1. Open Safari.\n2. Log in.",
        ],
    );
    env.new_issue("Export is slow", &["-t", "optimization", "-a", "bob"]);
    env.new_issue("Typo in README", &["-t", "docs", "-l", "ui"]);
    env.ok(&["comment", "BC-1", "-m", "Reproduced on 17.2."]);
    env.ok(&["close", "BC-3"]);
    env
}

#[test]
fn list_shows_open_issues_newest_first() {
    let env = tracker();
    assert_transcript!("list", env.run(&["list"]));
    assert_transcript!(
        "list_all_by_priority",
        env.run(&["list", "--all", "--sort", "priority"])
    );
    assert_transcript!("list_nothing", env.run(&["list", "label:nope"]));
}

#[test]
fn show_prints_fields_description_and_comments() {
    let env = tracker();
    assert_transcript!("show", env.run(&["show", "BC-1"]));
}

#[test]
fn changes_say_what_they_did_on_stderr() {
    let env = tracker();
    assert_transcript!(
        "set",
        env.run(&["set", "BC-2", "status=triaged", "priority=p0", "+perf"])
    );
    assert_transcript!("set_nothing", env.run(&["set", "BC-2", "status=triaged"]));
    assert_transcript!("reopen", env.run(&["reopen", "BC-3"]));
}

#[test]
fn counts_per_label_and_milestone() {
    let env = tracker();
    assert_transcript!("labels", env.run(&["labels"]));
    assert_transcript!("milestones", env.run(&["milestones"]));
}

#[test]
fn search_ranks_and_shows_snippets() {
    let env = tracker();
    assert_transcript!("search", env.run(&["search", "safari"]));
}

#[test]
fn failures_read_as_one_sentence_and_a_hint() {
    let bare = Env::new();
    assert_transcript!("no_tracker", bare.run(&["list"]));
    let env = tracker();
    assert_transcript!("no_issue", env.run(&["show", "BC-99"]));
    assert_transcript!("bad_key", env.run(&["show", "twelve"]));
    assert_transcript!("bad_value", env.run(&["set", "BC-1", "priority=p9"]));
    assert_transcript!("bad_field", env.run(&["set", "BC-1", "colour=red"]));
    assert_transcript!("bad_query", env.run(&["list", "is:open colour:red"]));
    assert_transcript!("bad_flag_value", env.run(&["list", "--priority", "p9"]));
    assert_transcript!(
        "duplicate_of_itself",
        env.run(&["close", "BC-1", "--duplicate-of", "BC-1"])
    );
}

#[test]
fn settings_templates_and_mistakes_read_well() {
    let env = tracker();
    assert_transcript!("config_list", env.run(&["config", "--list"]));
    assert_transcript!(
        "config_set",
        env.run(&["config", "release_notes.link", "/issues/{n}"])
    );
    assert_transcript!(
        "config_refused",
        env.run(&["config", "closed_statuses", "finished"])
    );
    assert_transcript!(
        "templates_list",
        env.run_with_stdin(
            &["templates", "add", "bug", "-F", "-"],
            "---\ntitle: Bug report\n---\n## Steps\n"
        )
    );
    assert_transcript!("templates", env.run(&["templates"]));
    assert_transcript!("typo", env.run(&["lsit"]));
    assert_transcript!("label_refused", env.run(&["label", "BC-1", "+a,b"]));
    env.ok(&["delete", "BC-2", "--yes"]);
    assert_transcript!("show_deleted", env.run(&["show", "BC-2"]));
    assert_transcript!(
        "search_aligned",
        env.run(&["search", "safari OR readme OR slow"])
    );
}
