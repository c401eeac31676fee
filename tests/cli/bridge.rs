//! `git issue bridge import`: the fixtures of tests/fixtures/bridges (GitHub,
//! GitLab and Jira as their APIs answer) brought in, as golden files;
//! twice is a no-op; a newer export changes what changed and nothing else;
//! local edits win field by field when they are later.

use std::path::{Path, PathBuf};

use crate::common::{Env, json};

pub fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/bridges")
        .join(path)
}

pub fn fixture_str(path: &str) -> String {
    fixture(path).to_str().unwrap().to_owned()
}

/// Every file under `issues/` on the branch, path then content: what a
/// golden snapshot compares.
pub fn branch_files(env: &Env) -> String {
    let mut out = String::new();
    for path in env
        .git(&["ls-tree", "-r", "--name-only", "issues", "issues/"])
        .lines()
    {
        out.push_str(&format!("==> {path}\n"));
        out.push_str(&env.branch_file(path));
    }
    out
}

pub fn commits(env: &Env) -> usize {
    env.git(&["rev-list", "--count", "issues"])
        .trim()
        .parse()
        .unwrap()
}

fn import(env: &Env, service: &str, files: &[&str]) -> crate::common::Run {
    let mut args = vec!["bridge", "import", service];
    let paths: Vec<String> = files.iter().map(|f| fixture_str(f)).collect();
    args.extend(paths.iter().map(String::as_str));
    let r = env.run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r
}

#[test]
fn github_issues_and_comments_come_in_as_golden_files() {
    let env = Env::with_tracker();
    let r = import(
        &env,
        "github",
        &["github/issues.json", "github/comments.json"],
    );
    crate::assert_transcript!("bridge_github_import", r);
    insta::assert_snapshot!("bridge_github_files", branch_files(&env));
    // The pull request (#5) and the comment on it stay out; the ghost
    // (deleted) user's issue is in.
    let list = json(&env.ok(&["list", "--all", "--json"]));
    let titles: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 11, "{titles:?}");
    assert!(
        !titles.iter().any(|t| t.contains("BOM handling")),
        "{titles:?}"
    );
    let shown = json(&env.ok(&["show", "BC-3", "--json"]));
    assert_eq!(shown["reporter"], "ghost");
    assert_eq!(shown["bridge"]["key"], "#3");
    assert_eq!(shown["bridge"]["service"], "github");
}

#[test]
fn importing_twice_and_every_gh_output_form_change_nothing() {
    let env = Env::with_tracker();
    import(
        &env,
        "github",
        &["github/issues.json", "github/comments.json"],
    );
    let (tip, count) = (env.tip(), commits(&env));
    let r = import(
        &env,
        "github",
        &["github/issues.json", "github/comments.json"],
    );
    assert!(
        r.stderr.contains("0 new, 0 updated, 11 unchanged"),
        "{}",
        r.stderr
    );
    // One merged array (gh >= 2.31 into a file), and comments first.
    import(
        &env,
        "github",
        &["github/comments.json", "github/issues-single-array.json"],
    );
    assert_eq!(env.tip(), tip);
    assert_eq!(commits(&env), count);
}

#[test]
fn a_newer_export_changes_exactly_what_changed_there() {
    let env = Env::with_tracker();
    import(
        &env,
        "github",
        &["github/issues.json", "github/comments.json"],
    );
    let before = branch_files(&env);
    let r = import(
        &env,
        "github",
        &[
            "github/issues-page2-updated.json",
            "github/comments-updated.json",
        ],
    );
    assert!(r.stderr.contains("0 new, 2 updated"), "{}", r.stderr);
    let after = branch_files(&env);
    let diff = env.git(&["diff", "--stat", "issues~1", "issues"]);
    insta::assert_snapshot!("bridge_github_update_stat", diff);
    // #4: new title, labels, closed as completed, milestone v0.4.
    let four = json(&env.ok(&["show", "BC-4", "--json"]));
    assert_eq!(
        four["title"],
        "Japanese memos are garbled (Shift_JIS input) 文字化け"
    );
    assert_eq!(four["status"], "resolved");
    assert_eq!(four["milestone"], "v0.4");
    assert_eq!(
        four["labels"],
        serde_json::json!(["bug", "i18n", "confirmed"])
    );
    // #9 (BC-8): the new Arabic comment, once.
    let eight = json(&env.ok(&["show", "BC-8", "--json"]));
    assert_eq!(eight["comments"].as_array().unwrap().len(), 2);
    assert_ne!(before, after);
    // Again: nothing.
    let tip = env.tip();
    import(
        &env,
        "github",
        &[
            "github/issues-page2-updated.json",
            "github/comments-updated.json",
        ],
    );
    assert_eq!(env.tip(), tip);

    // The older export again, after the newer one: the issues it holds in
    // an older state are left alone, and the summary says so.
    let r = import(
        &env,
        "github",
        &["github/issues.json", "github/comments.json"],
    );
    assert!(r.stderr.contains("0 new, 0 updated"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("left alone, older than what they were last synced with: BC-4 (#4)"),
        "{}",
        r.stderr
    );
    assert_eq!(env.tip(), tip);
    let four = json(&env.ok(&["show", "BC-4", "--json"]));
    assert_eq!(four["status"], "resolved");
    assert_eq!(four["milestone"], "v0.4");
}

#[test]
fn local_edits_made_later_win_field_by_field_and_the_loser_is_recorded() {
    let env = Env::with_tracker();
    import(
        &env,
        "github",
        &["github/issues.json", "github/comments.json"],
    );
    // After the import (the fixed clock is 2026, later than the export's
    // 2024 changes): retitle BC-4 here and give it a priority.
    env.ok(&["set", "BC-4", "title=Garbled Japanese memos", "priority=p0"]);
    import(
        &env,
        "github",
        &[
            "github/issues-page2-updated.json",
            "github/comments-updated.json",
        ],
    );
    let four = json(&env.ok(&["show", "BC-4", "--json"]));
    // Both changed the title: ours is later and stays.
    assert_eq!(four["title"], "Garbled Japanese memos");
    // Only ours changed the priority; only theirs the status and labels.
    assert_eq!(four["priority"], "p0");
    assert_eq!(four["status"], "resolved");
    assert_eq!(
        four["labels"],
        serde_json::json!(["bug", "i18n", "confirmed"])
    );
    let message = env.git(&["log", "-1", "--format=%B", "issues"]);
    assert!(
        message.contains("BC-4: title kept Garbled Japanese memos (changed later here)"),
        "{message}"
    );
    assert!(
        message.contains("Shift_JIS"),
        "the lost title is named: {message}"
    );
}

#[test]
fn gitlab_issues_and_notes_come_in_as_golden_files() {
    let env = Env::with_tracker();
    let files: Vec<String> = (1..=7).map(|i| format!("gitlab/notes-{i}.json")).collect();
    let mut all = vec!["gitlab/issues.json"];
    all.extend(files.iter().map(String::as_str));
    let r = import(&env, "gitlab", &all);
    crate::assert_transcript!("bridge_gitlab_import", r);
    insta::assert_snapshot!("bridge_gitlab_files", branch_files(&env));
    let three = json(&env.ok(&["show", "BC-3", "--json"]));
    assert_eq!(three["confidential"], true);
    let internal: Vec<bool> = three["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["internal"].as_bool().unwrap())
        .collect();
    assert_eq!(internal, [false, true]);
    let tip = env.tip();
    import(&env, "gitlab", &all);
    assert_eq!(env.tip(), tip, "twice is a no-op");
}

#[test]
fn jira_search_pages_come_in_with_markdown_as_golden_files() {
    let env = Env::with_tracker();
    let r = import(
        &env,
        "jira",
        &["jira/search-page1.json", "jira/search-page2.json"],
    );
    crate::assert_transcript!("bridge_jira_import", r);
    insta::assert_snapshot!("bridge_jira_files", branch_files(&env));
    let tip = env.tip();
    // The deprecated startAt search holds the second page's issues as they
    // are: nothing changes.
    import(&env, "jira", &["jira/search-legacy-startat.json"]);
    assert_eq!(env.tip(), tip);
    let first = json(&env.ok(&["show", "BC-1", "--json"]));
    assert_eq!(first["milestone"], "0.3.2");
    assert_eq!(first["component"], "Parser");
    assert_eq!(first["priority"], "p0");
    assert_eq!(first["status"], "resolved");
    let won_t = json(&env.ok(&["show", "BC-5", "--json"]));
    assert_eq!(won_t["status"], "wont_fix");
}

#[test]
fn mappings_in_tracker_yml_apply_and_unmapped_values_are_reported_once() {
    let env = Env::with_tracker();
    let config = env.branch_file("tracker.yml");
    env.commit_by_hand(
        "tracker.yml",
        &format!(
            "{config}bridge:\n  people:\n    marta-kowalczyk: Marta Kowalczyk <marta@example.com>\n  github:\n    types:\n      Bug: question\n"
        ),
    );
    let r = import(
        &env,
        "github",
        &["github/issues.json", "github/comments.json"],
    );
    let twelve = json(&env.ok(&["show", "BC-11", "--json"]));
    assert_eq!(twelve["assignee"], "Marta Kowalczyk <marta@example.com>");
    assert_eq!(twelve["type"], "question");
    // Each unmapped login once, however many issues and comments it has;
    // the mapped one not at all.
    assert_eq!(
        r.stderr.matches("jdupont-dev is not in").count(),
        1,
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("marta-kowalczyk is not in"),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_input_is_refused_in_one_sentence_and_nothing_is_written() {
    let env = Env::with_tracker();
    let tip = env.tip();
    let r = env.run_with_stdin(
        &["bridge", "import", "github", "-"],
        "[{\"number\": 1, \"title\": ",
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("error: the input: not JSON at line 1"),
        "{}",
        r.stderr
    );
    let r = env.run(&[
        "bridge",
        "import",
        "gitlab",
        &fixture_str("github/issues.json"),
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("neither a GitLab issue"), "{}", r.stderr);
    let r = env.run(&["bridge", "import", "bitbucket", "x.json"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(env.tip(), tip);
}

/// The items of concatenated JSON arrays (`gh api --paginate`'s pages).
pub fn stream_items(text: &str) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for v in serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>() {
        match v.unwrap() {
            serde_json::Value::Array(items) => out.extend(items),
            other => out.push(other),
        }
    }
    out
}
