//! Release notes against snapshots: `history` builds the same repository
//! every time (fixed identity and dates), and the expected output of each
//! format is an insta snapshot in `tests/cli/snapshots/`. To accept a
//! deliberate change of output, run with `INSTA_UPDATE=always` (or `cargo
//! insta review`) and review the diff.

use crate::common::{Env, json};

fn commit(env: &Env, message: &str) {
    env.git(&["commit", "-q", "--allow-empty", "-m", message]);
}

/// v0.6.0 fixed BC-7; v0.7.0 shipped BC-1, BC-2, BC-3 (each closed by a
/// commit, BC-1 named twice) and BC-4 (resolved without a commit); BC-6 (a
/// question in no milestone, still open) is in progress: a commit names it,
/// but it is not done; BC-5 is still open in
/// v0.7.0 though a commit names it, and BC-8 was not done.
fn history() -> Env {
    let env = Env::with_tracker();
    let config = env
        .branch_file("tracker.yml")
        .replace("link: \"\"", "link: /issues/{n}");
    env.commit_by_hand("tracker.yml", &config);
    let m7 = ["--milestone", "v0.7.0"];
    let new = |title: &str, kind: &str, milestone: &[&str]| {
        let mut args = vec!["--type", kind];
        args.extend_from_slice(milestone);
        env.new_issue(title, &args);
    };
    new("Export issues as CSV", "feature", &m7);
    new("Login fails when the password has a colon", "bug", &m7);
    new("Faster list on large trackers", "optimization", &m7);
    new("Document the hooks", "docs", &m7);
    new("Search misses <accents> & \"umlauts\"", "bug", &m7);
    new("Can sync use SSH?", "question", &[]);
    new(
        "Crash on an empty tracker.yml",
        "bug",
        &["--milestone", "v0.6.0"],
    );
    new("Rewrite in Haskell", "feature", &m7);

    commit(&env, "BC-7: accept an empty tracker.yml\n\nFixes: BC-7");
    env.git(&["tag", "v0.6.0"]);
    commit(&env, "BC-1: export issues as CSV");
    commit(&env, "Fixes BC-2: split on the first colon only");
    commit(&env, "Cache the listing\n\nResolves: BC-3");
    commit(&env, "BC-5: first try at accents");
    commit(&env, "CSV headers (squashed from BC-1: wip)\n\nCloses BC-1");
    commit(&env, "BC-6: document SSH remotes");
    commit(&env, "Refactor the store");
    env.git(&["tag", "v0.7.0"]);
    // What the hooks would have recorded.
    env.ok(&["scan"]);
    env.ok(&["close", "BC-4", "--reason", "resolved"]);
    env.ok(&["close", "BC-8", "--reason", "wont_fix"]);
    env
}

#[test]
fn release_notes_match_the_golden_files_in_every_format() {
    let env = history();
    // HEAD is tagged v0.7.0: the default range is v0.6.0..v0.7.0 and the
    // tag names the milestone.
    insta::assert_snapshot!("release_notes_md", env.ok(&["release-notes"]));
    insta::assert_snapshot!(
        "release_notes_html",
        env.ok(&["release-notes", "--format", "html"])
    );
    insta::assert_snapshot!(
        "release_notes_json",
        env.ok(&["release-notes", "--format", "json"])
    );
    assert_eq!(
        env.ok(&["release-notes", "v0.6.0..v0.7.0", "--format", "json"]),
        env.ok(&["release-notes", "--format", "json"]),
        "the explicit range reads the same as the default"
    );
}

#[test]
fn without_a_link_setting_the_key_stands_alone() {
    let env = Env::with_tracker();
    env.new_issue("Export issues as CSV", &["--type", "feature"]);
    // Named by a commit, still open: in progress, not shipped.
    commit(&env, "BC-1: export");
    let out = env.ok(&["release-notes"]);
    assert_eq!(
        out,
        "# Unreleased\n\n## In progress\n\n- Export issues as CSV BC-1\n"
    );
}

#[test]
fn the_default_range_starts_at_the_last_tag() {
    let env = history();
    env.new_issue("After the release", &["--type", "feature"]);
    commit(&env, "BC-9: after the release");
    let v = json(&env.ok(&["release-notes", "--format", "json"]));
    assert_eq!(v["range"], "v0.7.0..HEAD");
    assert_eq!(v["title"], "Unreleased");
    let keys: Vec<&str> = v["sections"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["BC-9"]);
    assert_eq!(v["known_limitations"], serde_json::json!([]));

    // An explicit milestone brings its open issues back.
    let v = json(&env.ok(&["release-notes", "--milestone", "v0.7.0", "--format", "json"]));
    assert_eq!(v["known_limitations"][0]["key"], "BC-5");
}

#[test]
fn a_template_of_ones_own_gets_the_notes() {
    let env = history();
    let template = env.root.join("notes.html");
    std::fs::write(
        &template,
        "{{ title }} ({{ range }}){% for s in sections %}\n{{ s.title }}:{% for i in s.items %} {{ i.key }}{% endfor %}{% endfor %}\nlimits:{% for i in known_limitations %} {{ i.title }}{% endfor %}\n",
    )
    .unwrap();
    let out = env.ok(&["release-notes", "--template", template.to_str().unwrap()]);
    assert_eq!(
        out,
        "v0.7.0 (v0.6.0..v0.7.0)\nFeatures: BC-1\nBug fixes: BC-2\nOptimizations: BC-3\nDocumentation: BC-4\nIn progress: BC-6\nlimits: Search misses &lt;accents&gt; &amp; &quot;umlauts&quot;\n"
    );

    std::fs::write(&template, "{% for %}").unwrap();
    let r = env.fail(&["release-notes", "--template", template.to_str().unwrap()]);
    assert!(r.stderr.starts_with("error: notes.html: "), "{}", r.stderr);
}

/// A project that tags as Apache projects do: release candidates
/// `proj-1.1.0-RC1`, `proj-1.1.0-RC2`, and the release `rel/proj-1.1.0`
/// on the same commit as the last candidate; milestones are bare versions.
/// BC-1 shipped in 1.0.0; BC-2 and BC-3 in 1.1.0 (BC-3 between the two
/// candidates); BC-4 is named by a commit of 1.1.0 but still open and in no
/// milestone: in progress, not a fix.
fn apache_history() -> Env {
    let env = Env::with_tracker();
    env.ok(&["config", "release_notes.link", "/issues/{n}"]);
    env.ok(&["config", "release_notes.tags", "rel/proj-*"]);
    env.new_issue("Old bug", &["--milestone", "1.0.0"]);
    env.new_issue(
        "Parse dates in any zone",
        &["--type", "feature", "--milestone", "1.1.0"],
    );
    env.new_issue("Crash on an empty input", &["--milestone", "1.1.0"]);
    env.new_issue("Rewrite the parser", &["--type", "feature"]);
    env.new_issue(
        "Faster startup",
        &["--type", "optimization", "--milestone", "1.1.0"],
    );

    commit(&env, "Fixes BC-1");
    env.git(&["tag", "proj-1.0.0-RC1"]);
    env.git(&["tag", "rel/proj-1.0.0"]);
    commit(&env, "BC-2: parse zones\n\nCloses BC-2");
    commit(&env, "BC-4: first step of the new parser");
    env.git(&["tag", "proj-1.1.0-RC1"]);
    commit(&env, "Fixes BC-3");
    env.git(&["tag", "proj-1.1.0-RC2"]);
    env.git(&["tag", "rel/proj-1.1.0"]);
    // A tag that is no release of this project at all.
    env.git(&["tag", "docs-site-2"]);
    env.ok(&["scan"]);
    env
}

#[test]
fn release_tags_skip_candidates_and_name_the_milestone_by_the_glob() {
    let env = apache_history();
    let notes = env.ok(&["release-notes"]);
    insta::assert_snapshot!("release_notes_rel_tags", notes);
    let v = json(&env.ok(&["release-notes", "--format", "json"]));
    assert_eq!(v["range"], "rel/proj-1.0.0..rel/proj-1.1.0");
    assert_eq!(v["milestone"], "1.1.0");
    assert_eq!(v["known_limitations"][0]["key"], "BC-5");

    // Without the glob, the candidates are still skipped, and the tag
    // picked is one of the two on HEAD that are no pre-release.
    env.ok(&["config", "--unset", "release_notes.tags"]);
    let v = json(&env.ok(&["release-notes", "--format", "json"]));
    assert_eq!(v["range"], "rel/proj-1.0.0..rel/proj-1.1.0");

    // After the release, the range starts at it, whatever candidates follow.
    env.ok(&["config", "release_notes.tags", "rel/proj-*"]);
    commit(&env, "BC-4: the new parser is done\n\nFixes BC-4");
    env.git(&["tag", "proj-1.2.0-RC1"]);
    commit(&env, "More");
    let v = json(&env.ok(&["release-notes", "--format", "json"]));
    assert_eq!(v["range"], "rel/proj-1.1.0..HEAD");
    assert_eq!(v["title"], "Unreleased");
}

#[test]
fn milestone_has_one_spelling() {
    let env = history();
    let r = env.run(&["release-notes", "-m", "v0.7.0"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    env.ok(&["release-notes", "--milestone", "v0.7.0"]);
}
