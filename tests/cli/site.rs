//! `git issue export site`: the pages, what they leave out, and what a
//! second export rewrites.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::Env;

/// Every file of a folder, by path relative to it.
pub fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn text(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(
        files
            .get(path)
            .unwrap_or_else(|| panic!("no {path}"))
            .clone(),
    )
    .unwrap()
}

/// An issue file as `issue-format.md` writes it.
fn issue_file(id: u32, fields: &str, body: &str) -> String {
    format!("---\nid: 01JFIXTURE{id:016}\n{fields}---\n\n{body}")
}

/// A small tracker with every kind of page, built by hand (fixed ids, fixed
/// dates) so that the site is the same bytes on every run.
pub fn fixture() -> Env {
    let env = Env::with_tracker();
    let main_commit = env.git(&["rev-parse", "main"]).trim().to_owned();
    let issue = |n: u32, fields: String, body: &str| {
        env.commit_by_hand(
            &format!("issues/0/BC-{n}.md"),
            &issue_file(n, &fields, body),
        );
    };
    issue(
        1,
        format!(
            "title: \"Login fails: colon in password\"\ntype: bug\nstatus: open\npriority: p1\nseverity: high\nlabels:\n  - auth\n  - ui\nmilestone: v0.7.0\nassignee: bob\nreporter: Alice Example <alice@example.com>\ncomponent: login\ncommits:\n  - {main_commit}\nprs:\n  - https://example.com/pulls/7\nrelated:\n  - BC-2\nvotes: 3\ncreated: 2025-12-01T10:00:00Z\nupdated: 2025-12-20T10:00:00Z\n"
        ),
        "Logging in fails when the password has a `:`.\n\n## Steps\n\n1. Set a password with a colon\n2. Log in\n\n| expected | actual |\n|---|---|\n| welcome | 500 |\n\n```\nerror: bad credentials\n```\n\nSee [the guide](https://example.com/guide).\n",
    );
    issue(
        2,
        "title: Dark mode for the dashboard\ntype: feature\nstatus: in_progress\npriority: p2\nlabels:\n  - ui\nmilestone: v0.7.0\nassignee: alice\ncomponent: dashboard\ncreated: 2025-12-08T09:00:00Z\nupdated: 2025-12-09T09:00:00Z\n".to_owned(),
        "Follow the system setting.\n",
    );
    issue(
        3,
        "title: Search is slow on large trackers\ntype: optimization\nstatus: resolved\npriority: p1\nseverity: medium\nlabels:\n  - perf\nmilestone: v0.7.0\ncomponent: search\ncreated: 2025-12-02T08:00:00Z\nupdated: 2025-12-12T08:00:00Z\nresolved: 2025-12-12T08:00:00Z\n".to_owned(),
        "Queries take seconds.\n",
    );
    issue(
        4,
        "title: Document the merge driver\ntype: docs\nstatus: closed\npriority: p3\nmilestone: v0.8.0\ncreated: 2025-12-03T08:00:00Z\nupdated: 2025-12-05T08:00:00Z\nresolved: 2025-12-05T20:00:00Z\n".to_owned(),
        "",
    );
    issue(
        5,
        "title: Slow search again\ntype: bug\nstatus: duplicate\npriority: p2\nlabels:\n  - perf\nduplicate_of: BC-3\ncreated: 2025-12-10T08:00:00Z\nupdated: 2025-12-11T08:00:00Z\nresolved: 2025-12-11T08:00:00Z\n".to_owned(),
        "Same as the other one.\n",
    );
    env.commit_by_hand(
        "issues/0/BC-1/comments/01JFIXTURE0000000000000001.md",
        "---\nauthor: Bob <bob@example.com>\ncreated: 2025-12-02T11:00:00Z\n---\n\nI can reproduce it with **any** colon.\n",
    );
    env
}

/// Exports the site of `env` into a fresh folder under its root.
pub fn export(env: &Env, name: &str, extra: &[&str]) -> PathBuf {
    let dir = env.root.join(name);
    let dir_s = dir.to_str().unwrap().to_owned();
    let mut args = vec!["export", "site", dir_s.as_str()];
    args.extend_from_slice(extra);
    env.ok(&args);
    dir
}

/// The expected site of `fixture()`: every page is an insta snapshot in
/// `tests/cli/snapshots/` (`INSTA_UPDATE=always` writes them anew; review the
/// diff before committing it).
#[test]
fn the_site_of_a_small_tracker_matches_the_snapshots() {
    let env = fixture();
    let out = files(&export(&env, "site", &[]));
    // The style sheet and scripts are shipped as they are in src/site/assets.
    let pages: BTreeMap<&String, &Vec<u8>> = out
        .iter()
        .filter(|(p, _)| {
            p.ends_with(".html")
                || ["data/meta.js", "data/rows/0.js", "data/s/co.js"].contains(&p.as_str())
        })
        .collect();
    let names: Vec<&str> = pages.keys().map(|p| p.as_str()).collect();
    insta::assert_debug_snapshot!("site_files", names);
    for (path, bytes) in pages {
        let name = format!("site_{}", path.replace(['/', '.'], "_"));
        insta::assert_snapshot!(name, String::from_utf8_lossy(bytes));
    }
    for asset in [
        "style.css",
        "data.js",
        "list.js",
        "search.js",
        "favicon.svg",
    ] {
        assert!(out.contains_key(asset), "{asset} missing");
    }
}

#[test]
fn the_same_branch_gives_the_same_bytes() {
    let env = fixture();
    let a = files(&export(&env, "a", &[]));
    // A second export elsewhere, with the history cache now warm.
    let b = files(&export(&env, "b", &[]));
    assert_eq!(a, b);
}

#[test]
fn pages_link_each_other_relatively_and_show_what_the_issue_holds() {
    let env = fixture();
    let out = files(&export(
        &env,
        "site",
        &["--base-url", "https://bugs.example.com/"],
    ));
    let page = text(&out, "issues/BC-1.html");
    assert!(page.contains("<h2>Steps</h2>"), "Markdown is rendered");
    assert!(page.contains("<td>500</td>"), "tables are rendered");
    assert!(page.contains("I can reproduce it with <strong>any</strong> colon."));
    assert!(
        page.contains("href=\"BC-2.html\""),
        "related issues are links"
    );
    assert!(page.contains("https://example.com/pulls/7"));
    assert!(
        page.contains("Initial commit"),
        "linked commits show their summary"
    );
    assert!(
        page.contains("Edit issues/0/BC-1.md by hand"),
        "the history is shown"
    );
    assert!(
        page.contains(
            "<link rel=\"canonical\" href=\"https://bugs.example.com/issues/BC-1.html\">"
        )
    );
    let dup = text(&out, "issues/BC-5.html");
    assert!(
        dup.contains("href=\"BC-3.html\""),
        "duplicates link the original"
    );
    for (path, bytes) in &out {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        for attr in ["href=\"/", "src=\"/", "href=\"file:", "src=\"http"] {
            assert!(!html.contains(attr), "{path} has an absolute link {attr}");
        }
        assert!(
            html.contains("http-equiv=\"Content-Security-Policy\""),
            "{path} has no CSP"
        );
    }
    let board = text(&out, "board.html");
    let columns: Vec<&str> = board
        .match_indices("data-status=\"")
        .map(|(i, m)| board[i + m.len()..].split('"').next().unwrap())
        .collect();
    assert_eq!(columns, ["open", "triaged", "in_progress", "closed"]);
    let notes = text(&out, &find(&out, "release-notes/v0-7-0-"));
    assert!(notes.contains("<h2>Optimizations</h2>"), "{notes}");
    assert!(notes.contains("BC-3"), "resolved issues are in the notes");
    assert!(notes.contains("<h2>Known limitations</h2>"));
    let v08 = text(&out, &find(&out, "release-notes/v0-8-0-"));
    assert!(v08.contains("<h2>Documentation</h2>"), "{v08}");
    let milestones = text(&out, "milestones.html");
    assert!(
        milestones.contains("<progress max=\"3\" value=\"1\">"),
        "{milestones}"
    );
}

/// The one path of `out` starting with `prefix`.
fn find(out: &BTreeMap<String, Vec<u8>>, prefix: &str) -> String {
    let found: Vec<&String> = out.keys().filter(|p| p.starts_with(prefix)).collect();
    assert_eq!(found.len(), 1, "one file starting with {prefix}: {found:?}");
    found[0].clone()
}

#[test]
fn confidential_issues_and_internal_comments_stay_out_unless_asked_for() {
    let env = fixture();
    let key = env.new_issue(
        "Breach SECRET-TITLE-7f3a",
        &[
            "-l",
            "secret-label-7f3a",
            "--milestone",
            "secret-ms-7f3a",
            "--component",
            "secret-comp-7f3a",
            "-m",
            "SECRET-BODY-7f3a",
        ],
    );
    env.ok(&["set", &key, "confidential=true"]);
    env.ok(&["comment", "BC-1", "--internal", "-m", "SECRET-COMMENT-7f3a"]);
    let markers = [
        "SECRET-TITLE-7f3a",
        "SECRET-BODY-7f3a",
        "SECRET-COMMENT-7f3a",
        "secret-label-7f3a",
        "secret-ms-7f3a",
        "secret-comp-7f3a",
    ];

    let public = files(&export(&env, "public", &[]));
    for (path, bytes) in &public {
        let t = String::from_utf8_lossy(bytes);
        for m in markers {
            assert!(!t.contains(m), "{m} leaked into {path}");
        }
    }
    assert!(!public.contains_key("issues/BC-6.html"));
    assert!(
        text(&public, "index.html").contains("2 open, 3 closed."),
        "counts leave it out"
    );
    assert!(text(&public, "dashboard.html").contains("<span class=\"big\">2</span> open"));

    let all = files(&export(&env, "all", &["--include-confidential"]));
    let everything: String = all
        .values()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect();
    for m in markers {
        assert!(
            everything.contains(m),
            "{m} missing with --include-confidential"
        );
    }
    assert!(text(&all, "issues/BC-6.html").contains("confidential"));
    assert!(text(&all, "index.html").contains("3 open, 3 closed."));
}

/// (device, inode, modification time) of every file: what changes when a
/// file is written again.
fn stamps(dir: &Path) -> BTreeMap<String, (u64, i64, i64)> {
    use std::os::unix::fs::MetadataExt;
    files(dir)
        .into_keys()
        .map(|p| {
            let m = std::fs::metadata(dir.join(&p)).unwrap();
            (p, (m.ino(), m.mtime(), m.mtime_nsec()))
        })
        .collect()
}

fn rewritten(
    before: &BTreeMap<String, (u64, i64, i64)>,
    after: &BTreeMap<String, (u64, i64, i64)>,
) -> Vec<String> {
    after
        .iter()
        .filter(|(p, s)| before.get(*p) != Some(s))
        .map(|(p, _)| p.clone())
        .collect()
}

#[test]
fn a_second_export_rewrites_only_what_changed() {
    let env = fixture();
    let dir = export(&env, "site", &[]);
    let first = stamps(&dir);

    let r = env.run(&["export", "site", dir.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains(" 0 files written"), "{}", r.stderr);
    assert_eq!(
        rewritten(&first, &stamps(&dir)),
        Vec::<String>::new(),
        "nothing changed, nothing written"
    );

    env.ok(&["label", "BC-2", "+accessibility"]);
    let before = stamps(&dir);
    env.ok(&["export", "site", dir.to_str().unwrap()]);
    let changed = rewritten(&before, &stamps(&dir));
    for must in [
        "issues/BC-2.html",
        "index.html",
        "labels.html",
        "board.html",
    ] {
        assert!(
            changed.contains(&must.to_owned()),
            "{must} not rewritten: {changed:?}"
        );
    }
    for other in [
        "issues/BC-1.html",
        "issues/BC-3.html",
        "issues/BC-4.html",
        "issues/BC-5.html",
        "style.css",
        "list.js",
    ] {
        assert!(
            !changed.contains(&other.to_owned()),
            "{other} rewritten for a change to BC-2: {changed:?}"
        );
    }
    assert!(text(&files(&dir), "issues/BC-2.html").contains("accessibility"));
}

#[test]
fn pages_of_deleted_issues_go_and_files_the_export_did_not_write_stay() {
    let env = fixture();
    let dir = export(&env, "site", &[]);
    std::fs::write(dir.join("CNAME"), "bugs.example.com\n").unwrap();
    assert!(dir.join("issues/BC-4.html").exists());
    // Deleted by hand in a worktree of the branch, as anyone may.
    let wt = env.root.join("by-hand");
    env.git_in(&wt, &["checkout", "-q", "--detach"]);
    env.git_in(&wt, &["checkout", "-q", "issues"]);
    env.git_in(&wt, &["rm", "-q", "issues/0/BC-4.md"]);
    env.git_in(&wt, &["commit", "-q", "-m", "Drop BC-4"]);
    let r = env.run(&["export", "site", dir.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !dir.join("issues/BC-4.html").exists(),
        "the page of a deleted issue stays"
    );
    assert!(
        !dir.join("release-notes").read_dir().unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("v0-8-0")),
        "notes of a milestone with no issue left stay"
    );
    assert!(r.stderr.contains("removed"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.join("CNAME")).unwrap(),
        "bugs.example.com\n"
    );
}

#[test]
fn export_rejects_a_base_url_that_is_not_a_web_address() {
    let env = fixture();
    let r = env.fail(&["export", "site", "out", "--base-url", "javascript:alert(1)"]);
    assert!(
        r.stderr.contains("--base-url must be an http"),
        "{}",
        r.stderr
    );
    assert!(!env.repo.join("out").exists(), "nothing written");
}

/// The fixture with known issues: BC-1 (3 votes, no workaround), BC-6 (one
/// vote, a workaround followed by another section), BC-7 (no vote, a
/// workaround); BC-3 is known but resolved; BC-8 is known, voted for and
/// confidential (every text of it holds `SECRET-KNOWN-7f3a`).
pub fn known_fixture() -> Env {
    let env = fixture();
    env.new_issue(
        "Upload stalls on slow networks",
        &[
            "-m",
            "Retries never stop.\n\n## Workaround\n\nSet `upload.retries` to **3**.\n\n## Notes\n\nNOTES-NOT-WORKAROUND\n",
        ],
    );
    env.new_issue(
        "Dark theme flickers",
        &["-m", "Sometimes.\n\n### workaround\n\nReload the page.\n"],
    );
    env.new_issue(
        "Export SECRET-KNOWN-7f3a",
        &["-m", "## Workaround\n\nSECRET-KNOWN-7f3a workaround\n"],
    );
    for key in ["BC-1", "BC-3", "BC-6", "BC-7", "BC-8"] {
        env.ok(&["set", key, "known=true"]);
    }
    env.ok(&["set", "BC-8", "confidential=true"]);
    env.ok(&["vote", "BC-6"]);
    env.ok(&["vote", "BC-8"]);
    env
}

/// The keys of the Known issues page, in its order.
pub fn known_keys(html: &str) -> Vec<String> {
    html.match_indices("<li class=\"known-issue\" data-key=\"")
        .map(|(i, m)| html[i + m.len()..].split('"').next().unwrap().to_owned())
        .collect()
}

#[test]
fn the_known_issues_page_lists_open_known_issues_by_votes_with_their_workaround() {
    let env = known_fixture();
    let dir = export(&env, "site", &[]);
    let out = files(&dir);
    let known = text(&out, "known.html");
    assert_eq!(
        known_keys(&known),
        ["BC-1", "BC-6", "BC-7"],
        "open known issues, most votes first; resolved BC-3 and confidential BC-8 left out"
    );
    assert!(known.contains("<strong>3</strong> me too"), "{known}");
    assert!(
        known.contains("Set <code>upload.retries</code> to <strong>3</strong>."),
        "the workaround is rendered Markdown: {known}"
    );
    assert!(known.contains("<p>Reload the page.</p>"), "{known}");
    assert!(
        !known.contains("NOTES-NOT-WORKAROUND") && !known.contains("Retries never stop"),
        "only the Workaround section is shown"
    );
    assert!(known.contains("No workaround yet."), "BC-1 has none");
    assert!(known.contains("<script src=\"known.js\"></script>"));
    for (path, bytes) in &out {
        assert!(
            !String::from_utf8_lossy(bytes).contains("SECRET-KNOWN-7f3a"),
            "a confidential known issue leaked into {path}"
        );
    }
    // Every page links it from the navigation.
    assert!(text(&out, "index.html").contains("<a href=\"known.html\">Known issues</a>"));
    assert!(text(&out, "issues/BC-1.html").contains("<a href=\"../known.html\">Known issues</a>"));
    assert!(known.contains("<a href=\"known.html\" aria-current=\"page\">Known issues</a>"));

    // Votes change the order; the page is written again, issue pages that
    // did not change are not.
    // Votes counted before voters were kept (or imported): by hand.
    let path = git_issue::format::layout::issue_file(&"BC-7".parse().unwrap());
    let edited = env
        .branch_file(&path)
        .replacen("\ncreated:", "\nvotes: 5\ncreated:", 1);
    env.commit_by_hand(&path, &edited);
    let before = stamps(&dir);
    env.ok(&["export", "site", dir.to_str().unwrap()]);
    let changed = rewritten(&before, &stamps(&dir));
    assert!(changed.contains(&"known.html".to_owned()), "{changed:?}");
    assert!(
        !changed.contains(&"issues/BC-1.html".to_owned()),
        "{changed:?}"
    );
    assert_eq!(
        known_keys(&text(&files(&dir), "known.html")),
        ["BC-7", "BC-1", "BC-6"]
    );
    env.ok(&["close", "BC-7"]);
    env.ok(&["export", "site", dir.to_str().unwrap()]);
    assert_eq!(
        known_keys(&text(&files(&dir), "known.html")),
        ["BC-1", "BC-6"],
        "a closed known issue leaves the page"
    );
}

#[test]
fn an_issue_page_lists_its_duplicates_on_the_site_only() {
    let env = fixture();
    let secret = env.new_issue("SECRET-DUP-7f3a", &[]);
    env.ok(&[
        "set",
        &secret,
        "status=duplicate",
        "duplicate_of=BC-3",
        "confidential=true",
    ]);
    let out = files(&export(&env, "site", &[]));
    let page = text(&out, "issues/BC-3.html");
    assert!(
        page.contains(
            "<dt>Duplicates</dt><dd><ul class=\"duplicates\"><li><a href=\"BC-5.html\" class=\"closed\">BC-5</a> Slow search again</li></ul></dd>"
        ),
        "{page}"
    );
    assert!(
        !page.contains("SECRET-DUP-7f3a") && !page.contains(&format!("{secret}.html")),
        "a confidential duplicate is not listed"
    );
    let all = files(&export(&env, "all", &["--include-confidential"]));
    assert!(
        text(&all, "issues/BC-3.html").contains(&format!(
            "<a href=\"{secret}.html\" class=\"closed\">{secret}</a> SECRET-DUP-7f3a"
        )),
        "listed when confidential issues are exported"
    );
}

#[test]
fn attachments_are_copied_into_the_site_images_inline_and_never_a_confidential_issues() {
    let env = fixture();
    // A 1x1 PNG, a binary with NULs, a page that would run as the site's.
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xaeB`\x82";
    let blob: Vec<u8> = (0u8..=255).chain([0, 0, 7]).collect();
    let page = b"<script>window.__pwned=1</script>";
    for (name, bytes) in [
        ("screen.png", png),
        ("core.dump", &blob[..]),
        ("report.html", &page[..]),
    ] {
        std::fs::write(env.root.join(name), bytes).unwrap();
    }
    let path = |n: &str| env.root.join(n).to_str().unwrap().to_owned();
    env.ok(&[
        "attach",
        "BC-2",
        &path("screen.png"),
        &path("core.dump"),
        &path("report.html"),
    ]);
    let secret = env.new_issue("Secret crash", &[]);
    std::fs::write(env.root.join("secret-7f3a.txt"), "SECRET-ATTACHMENT-7f3a").unwrap();
    env.ok(&["attach", &secret, &path("secret-7f3a.txt")]);
    env.ok(&["set", &secret, "confidential=true"]);
    // An issue whose attachment is exported, then made confidential.
    std::fs::write(env.root.join("later.txt"), "LATER-CONFIDENTIAL-7f3a").unwrap();
    env.ok(&["attach", "BC-4", &path("later.txt")]);

    let dir = export(&env, "site", &[]);
    let out = files(&dir);
    assert_eq!(out["issues/BC-2/attachments/screen.png"], png);
    let under = |prefix: &str| -> Vec<String> {
        out.keys()
            .filter(|p| p.starts_with(prefix))
            .cloned()
            .collect()
    };
    let copies = under("issues/BC-2/attachments/");
    assert_eq!(copies.len(), 3, "{copies:?}");
    let dump = copies.iter().find(|p| p.contains("core")).unwrap();
    assert_eq!(out[dump], blob, "bytes exactly, NULs included");
    let html = copies.iter().find(|p| p.contains("report")).unwrap();
    assert!(
        html.ends_with(".bin"),
        "a page is never served as a page: {html}"
    );
    let issue = text(&out, "issues/BC-2.html");
    assert!(
        issue.contains("<a href=\"BC-2/attachments/screen.png\">screen.png<img class=\"attachment\" src=\"BC-2/attachments/screen.png\" alt=\"screen.png\" loading=\"lazy\"></a>"),
        "{issue}"
    );
    let rel = dump.strip_prefix("issues/").unwrap();
    assert!(
        issue.contains(&format!("<a href=\"{rel}\" download>core.dump</a>")),
        "{issue}"
    );
    for (p, bytes) in &out {
        assert!(
            !String::from_utf8_lossy(bytes).contains("SECRET-ATTACHMENT-7f3a"),
            "a confidential issue's attachment leaked into {p}"
        );
    }
    assert!(under(&format!("issues/{secret}/")).is_empty());
    assert_eq!(
        out["issues/BC-4/attachments/later.txt"],
        b"LATER-CONFIDENTIAL-7f3a"
    );

    // Made confidential, detached: their copies go with the next export.
    env.ok(&["set", "BC-4", "confidential=true"]);
    env.ok(&["detach", "BC-2", "core.dump"]);
    env.ok(&["export", "site", dir.to_str().unwrap()]);
    let after = files(&dir);
    assert!(
        !after.keys().any(|p| p.starts_with("issues/BC-4")),
        "{:?}",
        after.keys()
    );
    assert!(!after.contains_key(dump.as_str()));
    assert_eq!(after["issues/BC-2/attachments/screen.png"], png);
    let all = files(&export(&env, "all", &["--include-confidential"]));
    assert_eq!(
        all[&format!("issues/{secret}/attachments/secret-7f3a.txt")],
        b"SECRET-ATTACHMENT-7f3a",
        "exported when confidential issues are asked for"
    );
}

#[test]
fn a_recorded_errors_page_shows_its_occurrences_and_the_dashboard_the_most_recurring() {
    let env = fixture();
    let record = |title: &str, component: &str, host: &str, at: &str| {
        env.ok(&[
            "record",
            title,
            "--component",
            component,
            "--error-type",
            "TimeoutError",
            "--error",
            "Connection timed out after 30s",
            "--host",
            host,
            "--at",
            at,
        ])
    };
    record("Database timeout", "db", "ci-1", "2026-01-05T10:00:00Z");
    record(
        "Database timeout",
        "db",
        "<b>web-2</b>",
        "2026-01-07T12:00:00Z",
    );
    record("Database timeout", "db", "ci-1", "2026-01-06T08:00:00Z");
    record("Cache timeout", "cache", "ci-3", "2026-01-06T09:00:00Z");
    for day in 1..=5 {
        record(
            "Vault SECRET-ERR-7f3a",
            "vault",
            "SECRET-HOST-7f3a",
            &format!("2026-01-0{day}T07:00:00Z"),
        );
    }
    env.ok(&["set", "BC-8", "confidential=true"]);
    let dir = export(&env, "site", &[]);
    let out = files(&dir);
    let page = text(&out, "issues/BC-6.html");
    for want in [
        "<dt>Occurrences</dt><dd><span class=\"occurrences\">3</span></dd>",
        "<dt>First seen</dt><dd><time datetime=\"2026-01-05T10:00:00Z\">2026-01-05 10:00 UTC</time></dd>",
        "<dt>Last seen</dt><dd><time datetime=\"2026-01-07T12:00:00Z\">2026-01-07 12:00 UTC</time></dd>",
        "<ul class=\"hosts\"><li><code>&lt;b&gt;web-2&lt;/b&gt;</code></li><li><code>ci-1</code></li></ul>",
    ] {
        assert!(page.contains(want), "{want} not in {page}");
    }
    assert!(
        !text(&out, "issues/BC-1.html").contains("Occurrences"),
        "not an error"
    );
    let dashboard = text(&out, "dashboard.html");
    let recurring: Vec<&str> = dashboard
        .split("<table class=\"issues\" id=\"recurring\">")
        .nth(1)
        .expect("a most-recurring table")
        .split("<td class=\"key\"><a href=\"issues/")
        .skip(1)
        .map(|s| s.split('.').next().unwrap())
        .collect();
    assert_eq!(
        recurring,
        ["BC-6", "BC-7"],
        "most first; the confidential one left out"
    );
    assert!(dashboard.contains("<td class=\"count\">3</td>"));
    for (path, bytes) in &out {
        let t = String::from_utf8_lossy(bytes);
        assert!(
            !t.contains("SECRET-ERR-7f3a") && !t.contains("SECRET-HOST-7f3a"),
            "a confidential error leaked into {path}"
        );
    }

    // Another occurrence rewrites its page and the dashboard, not the others.
    let before = stamps(&dir);
    record("Database timeout", "db", "ci-4", "2026-01-08T08:00:00Z");
    env.ok(&["export", "site", dir.to_str().unwrap()]);
    let changed = rewritten(&before, &stamps(&dir));
    for must in ["issues/BC-6.html", "dashboard.html"] {
        assert!(changed.contains(&must.to_owned()), "{must}: {changed:?}");
    }
    assert!(
        !changed.contains(&"issues/BC-7.html".to_owned()),
        "{changed:?}"
    );
    assert!(
        text(&files(&dir), "issues/BC-6.html").contains("<span class=\"occurrences\">4</span>")
    );
}

/// Every payload a user could type, in every field a user types.
pub const PAYLOADS: &[&str] = &[
    "<script>window.__pwned=1;alert(1)</script>",
    "<img src=x onerror=\"window.__pwned=1;alert(1)\">",
    "<svg onload=\"window.__pwned=1;alert(1)\"><script>alert(1)</script></svg>",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<style>body{display:none}</style>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
];

/// A tracker whose every user-typed field carries hostile HTML.
pub fn hostile() -> Env {
    let env = Env::with_tracker();
    for (i, p) in PAYLOADS.iter().enumerate() {
        let body = format!(
            "{p}\n\n[link](javascript:alert(1)) [data](data:text/html,<script>alert(1)</script>)\n\n<details open ontoggle=alert(1)>x</details>\n\n![img](x \"{p}\")\n\n{p}"
        );
        let key = env.new_issue(
            &format!("Title {i} {p}"),
            &[
                "--milestone",
                p,
                "--assignee",
                p,
                "--component",
                p,
                "-m",
                &body,
            ],
        );
        // `new` refuses such labels (issue-format.md, labels are one
        // word); a hand edit, an import or an older version can still put
        // them on the branch, and the site must show them harmlessly.
        let path = git_issue::format::layout::issue_file(&key.parse().unwrap());
        let labels = format!(
            "labels:\n  - {}\n  - {}\n",
            serde_json::to_string(p).unwrap(),
            serde_json::to_string(&format!("l{i}\"><b>")).unwrap()
        );
        let text =
            env.branch_file(&path)
                .replacen("\nmilestone:", &format!("\n{labels}milestone:"), 1);
        env.commit_by_hand(&path, &text);
        env.ok(&[
            "comment",
            &key,
            "-m",
            &format!("Comment {p} [x](javascript:alert(1))"),
        ]);
        env.ok(&[
            "set",
            &key,
            &format!("prs=javascript:alert(1),{p}"),
            "related=BC-1",
        ]);
    }
    env.ok(&["close", "BC-2"]);
    // Attachment names are typed by people too.
    env.commit_by_hand(
        &format!(
            "{}/attachments/\"><img src=x onerror=\"window.__pwned=1\">.svg",
            git_issue::format::layout::issue_dir(&"BC-1".parse().unwrap())
        ),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
    );
    env
}

/// Where a tag of the page is, what it is called and its attributes: every
/// `<` in an exported page must open a tag the site meant to write, since
/// user text is always escaped.
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    let b = html.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        let mut quote = None;
        while j < b.len() {
            match (quote, b[j]) {
                (None, b'"' | b'\'') => quote = Some(b[j]),
                (Some(q), c) if c == q => quote = None,
                (None, b'>') => break,
                _ => {}
            }
            j += 1;
        }
        let inner = &html[i + 1..j.min(html.len())];
        i = j + 1;
        if inner.starts_with('/') || inner.starts_with('!') {
            continue;
        }
        let name: String = inner
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '/')
            .collect();
        let mut attrs = Vec::new();
        let mut rest = &inner[name.len()..];
        loop {
            rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
            if rest.is_empty() {
                break;
            }
            let an: String = rest
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '=' && *c != '/')
                .collect();
            rest = &rest[an.len()..];
            let mut value = String::new();
            if let Some(r) = rest.strip_prefix('=') {
                if let Some(q) = r.chars().next().filter(|c| *c == '"' || *c == '\'') {
                    let end = r[1..].find(q).map_or(r.len(), |e| e + 1);
                    value = r[1..end].to_owned();
                    rest = r.get(end + 1..).unwrap_or("");
                } else {
                    value = r.chars().take_while(|c| !c.is_whitespace()).collect();
                    rest = &r[value.len()..];
                }
            }
            if an.is_empty() {
                break;
            }
            attrs.push((an.to_ascii_lowercase(), value));
        }
        out.push((name.to_ascii_lowercase(), attrs));
    }
    out
}

#[test]
fn nothing_a_user_typed_becomes_markup_that_runs() {
    let env = hostile();
    let dir = export(&env, "site", &[]);
    let out = files(&dir);
    let ours = ["data.js", "list.js", "search.js", "known.js"];
    let mut pages = 0;
    for (path, bytes) in &out {
        if !path.ends_with(".html") {
            continue;
        }
        pages += 1;
        let html = String::from_utf8_lossy(bytes);
        for (name, attrs) in tags(&html) {
            assert!(
                !["iframe", "object", "embed", "style", "base", "link"].contains(&name.as_str())
                    || (name == "link"
                        && attrs.iter().any(|(n, v)| {
                            n == "href" && (v.ends_with("style.css") || v.ends_with("favicon.svg"))
                        })),
                "{path}: a <{name}> tag {attrs:?}"
            );
            if name == "meta" {
                let first = attrs
                    .first()
                    .map(|(n, v)| format!("{n}={v}"))
                    .unwrap_or_default();
                assert!(
                    [
                        "charset=utf-8",
                        "http-equiv=Content-Security-Policy",
                        "name=referrer",
                        "name=viewport"
                    ]
                    .contains(&first.as_str()),
                    "{path}: a <meta> the site did not write: {attrs:?}"
                );
            }
            if name == "form" {
                let action = attrs
                    .iter()
                    .find(|(n, _)| n == "action")
                    .map(|(_, v)| v.as_str());
                assert!(
                    action.is_none_or(|a| a.ends_with("search.html")),
                    "{path}: a form {attrs:?}"
                );
            }
            if name == "script" {
                let src = attrs
                    .iter()
                    .find(|(n, _)| n == "src")
                    .map(|(_, v)| v.trim_start_matches("../").to_owned());
                assert!(
                    src.as_deref().is_some_and(|s| ours.contains(&s)),
                    "{path}: a script that is not the site's own: {attrs:?}"
                );
            }
            for (n, v) in &attrs {
                assert!(
                    !n.starts_with("on"),
                    "{path}: an event handler <{name} {n}={v:?}>"
                );
                assert!(n != "style", "{path}: an inline style <{name} {n}={v:?}>");
                let v = v.trim().to_ascii_lowercase();
                if ["href", "src", "action", "formaction", "xlink:href"].contains(&n.as_str()) {
                    assert!(
                        !v.starts_with("javascript:") && !v.starts_with("data:"),
                        "{path}: <{name} {n}={v:?}>"
                    );
                }
            }
        }
    }
    assert!(pages > PAYLOADS.len(), "every issue has a page");
    // The text survives, escaped: the reader sees what was typed.
    let page = text(&out, "issues/BC-1.html");
    assert!(
        page.contains("Title 0 &lt;script&gt;window.__pwned=1;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(
        page.contains("&quot;&gt;&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;.svg"),
        "attachment names are shown, escaped"
    );
    let copies: Vec<&String> = out.keys().filter(|p| p.contains("attachments")).collect();
    assert_eq!(copies.len(), 1, "{copies:?}");
    assert!(
        copies[0].starts_with("issues/BC-1/attachments/") && copies[0].ends_with(".bin"),
        "a hostile attachment name stays inside the issue's folder, as a download: {copies:?}"
    );
    for (path, bytes) in out.iter().filter(|(p, _)| p.starts_with("data/")) {
        assert!(
            !bytes.contains(&b'<'),
            "{path}: a data file never holds a raw <"
        );
    }
}

#[test]
fn watch_exports_again_when_the_branch_moves() {
    let env = fixture();
    let dir = env.root.join("watched");
    /// Stops the watcher even when an assertion fails first.
    struct Watcher(std::process::Child);
    impl Drop for Watcher {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let child = Watcher(
        env.cmd()
            .args(["export", "site", dir.to_str().unwrap(), "--watch"])
            .stderr(std::fs::File::create(env.root.join("watch.log")).unwrap())
            .spawn()
            .unwrap(),
    );
    let wait_for = |what: &str, ok: &dyn Fn() -> bool| {
        // Generous: a slow machine is not a failure; only never is.
        for _ in 0..600 {
            if ok() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let log = std::fs::read_to_string(env.root.join("watch.log")).unwrap_or_default();
        panic!("{what} did not happen within a minute:\n{log}");
    };
    wait_for("the first export", &|| {
        dir.join("issues/BC-5.html").exists()
    });
    // Another process moves the branch; the watcher follows.
    let key = env.new_issue("Filed while watching", &[]);
    // The issue's page is written before the list: wait for both, or a
    // busy machine catches the export half-way.
    wait_for("the export after the move", &|| {
        dir.join(format!("issues/{key}.html")).exists()
            && std::fs::read_to_string(dir.join("index.html"))
                .is_ok_and(|t| t.contains("Filed while watching"))
    });
    drop(child);
    assert!(
        std::fs::read_to_string(dir.join("index.html"))
            .unwrap()
            .contains("Filed while watching")
    );
}

/// The short commit ids `git issue log` gives for `key`, newest first.
fn logged(env: &Env, key: &str) -> Vec<String> {
    let log = crate::common::json(&env.ok(&["log", key, "--json"]));
    log.as_array()
        .unwrap()
        .iter()
        .map(|e| e["commit"].as_str().unwrap()[..10].to_owned())
        .collect()
}

/// The short commit ids an issue page lists under History.
fn history_on_page(page: &str) -> Vec<String> {
    let Some(start) = page.find("<section class=\"history\">") else {
        return Vec::new();
    };
    let section = &page[start
        ..page[start..]
            .find("</section>")
            .map_or(page.len(), |e| start + e)];
    section
        .match_indices("<code class=\"sha\">")
        .map(|(i, m)| section[i + m.len()..].split('<').next().unwrap().to_owned())
        .collect()
}

#[test]
fn issue_histories_agree_with_git_issue_log_before_and_after_a_change() {
    let env = fixture();
    env.ok(&["comment", "BC-3", "-m", "Fixed by the new index."]);
    let dir = export(&env, "site", &[]);
    let check = |dir: &Path| {
        for n in 1..=5 {
            let key = format!("BC-{n}");
            let expected = logged(&env, &key);
            let page = std::fs::read_to_string(dir.join(format!("issues/{key}.html"))).unwrap();
            assert_eq!(history_on_page(&page), expected, "history of {key}");
        }
    };
    check(&dir);
    // The history is remembered between exports; new commits must join it.
    env.ok(&["close", "BC-1"]);
    env.ok(&["label", "BC-2", "+later"]);
    env.ok(&["export", "site", dir.to_str().unwrap()]);
    check(&dir);
}

/// The history cache is a file per thousand issues and a head naming them:
/// exports running at once in one clone each save it, and whatever they
/// leave, every later export's histories agree with `git issue log`.
#[test]
fn exports_at_once_leave_histories_that_agree_with_git_issue_log() {
    let env = fixture();
    // Issues in two more buckets than the fixture's.
    for n in [1500_u32, 2042] {
        env.commit_by_hand(
            &format!("issues/{}/{}/{}/BC-{n}.md", n / 1000, n / 100 % 10, n / 10 % 10),
            &issue_file(
                n,
                &format!("title: Far issue {n}\ntype: bug\nstatus: open\npriority: p2\ncreated: 2026-01-01T10:00:00Z\nupdated: 2026-01-01T10:00:00Z\n"),
                "Far away.\n",
            ),
        );
    }
    let dir = export(&env, "site", &[]);
    let keys = ["BC-1", "BC-3", "BC-1500", "BC-2042"];
    let check = |dir: &Path, what: &str| {
        for key in keys {
            let expected = logged(&env, key);
            let page = std::fs::read_to_string(dir.join(format!("issues/{key}.html"))).unwrap();
            assert_eq!(history_on_page(&page), expected, "{what}: history of {key}");
        }
    };
    for round in 0..3 {
        env.ok(&["comment", "BC-1", "-m", &format!("Round {round}.")]);
        env.ok(&["label", "BC-1500", &format!("+r{round}")]);
        env.ok(&["set", "BC-2042", &format!("priority=p{}", round % 3)]);
        let children: Vec<_> = (0..3)
            .map(|i| {
                let out = env.root.join(format!("at-once-{round}-{i}"));
                env.cmd()
                    .args(["export", "site", out.to_str().unwrap()])
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for (i, child) in children.into_iter().enumerate() {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            check(
                &env.root.join(format!("at-once-{round}-{i}")),
                &format!("round {round}, export {i}"),
            );
        }
        env.ok(&["export", "site", dir.to_str().unwrap()]);
        check(&dir, &format!("round {round}, the export after"));
    }
}

/// Issue 10, item 6: after a sync gives BC-2 to another issue, the site's
/// History of each issue is its own (as `git issue log` says), so the
/// public BC-2 never shows the confidential title that held the key first.
#[test]
fn a_history_follows_its_issue_across_a_renumbering_sync() {
    let a = Env::new();
    a.git(&["init", "-q", "--bare", "../remote.git"]);
    a.git(&["remote", "add", "origin", "../remote.git"]);
    a.ok(&["init", "--key", "BC"]);
    a.new_issue("Public one", &[]);
    a.ok(&["sync"]);
    a.git(&["clone", "-q", "../remote.git", "../b"]);
    let b = a.sibling("b");
    b.ok(&["init"]);
    // Offline, both file BC-2; b's is confidential and filed later.
    let day = |d: u32| format!("2026-01-0{d}T00:00:00Z");
    a.run_with_env(
        &["new", "Public two"],
        &[("GIT_COMMITTER_DATE", &day(2))],
        "",
    );
    b.run_with_env(
        &["new", "Secret plan", "-m", "hush"],
        &[("GIT_COMMITTER_DATE", &day(3))],
        "",
    );
    b.ok(&["set", "BC-2", "confidential=true"]);
    let before = export(&b, "before", &[]);
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    for (env, dir) in [
        (&a, export(&a, "site", &[])),
        (&b, export(&b, "site", &["--include-confidential"])),
        // An export that had BC-2 as the secret one, brought up to date.
        (&b, {
            b.ok(&["export", "site", before.to_str().unwrap()]);
            before.clone()
        }),
    ] {
        let page = std::fs::read_to_string(dir.join("issues/BC-2.html")).unwrap();
        assert!(page.contains("Public two"), "{page}");
        assert!(
            !page.contains("Secret") && !page.contains("confidential"),
            "BC-2's page shows another issue's history:\n{page}"
        );
        for key in ["BC-2", "BC-3"] {
            let Ok(page) = std::fs::read_to_string(dir.join(format!("issues/{key}.html"))) else {
                continue;
            };
            let expected = logged(env, key);
            assert_eq!(history_on_page(&page), expected, "history of {key}");
        }
    }
}

/// Issue 10, item 7: a folder inside the site folder replaced by a link to
/// elsewhere is refused, never written through, and nothing outside is
/// removed through it.
#[test]
fn a_planted_folder_link_inside_the_site_is_never_followed() {
    let env = fixture();
    let dir = export(&env, "site", &[]);
    let outside = env.root.join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("BC-4.html"), "someone else's page\n").unwrap();
    std::fs::remove_dir_all(dir.join("issues")).unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("issues")).unwrap();
    // BC-4 goes: its page, listed in the manifest, would be removed.
    let wt = env.root.join("by-hand");
    env.git_in(&wt, &["checkout", "-q", "--detach"]);
    env.git_in(&wt, &["checkout", "-q", "issues"]);
    env.git_in(&wt, &["rm", "-q", "issues/0/BC-4.md"]);
    env.git_in(&wt, &["commit", "-q", "-m", "Drop BC-4"]);
    let r = env.run(&["export", "site", dir.to_str().unwrap()]);
    assert_ne!(r.code, 0, "an export through a link: {}", r.stderr);
    assert!(r.stderr.contains("symbolic link"), "{}", r.stderr);
    let mut left: Vec<String> = files(&outside).into_keys().collect();
    left.sort();
    assert_eq!(left, ["BC-4.html"], "nothing written outside the folder");
    assert_eq!(
        std::fs::read_to_string(outside.join("BC-4.html")).unwrap(),
        "someone else's page\n",
        "nothing removed or rewritten outside the folder"
    );
}

/// Issue 10, item 7: links planted under the temporary names an export
/// might use do not redirect its writes (today's names were
/// `<file>.tmp<pid>`; links for the next few thousand process ids cover
/// the export's).
#[test]
fn links_planted_under_temporary_names_do_not_redirect_a_write() {
    let env = fixture();
    let dir = export(&env, "site", &[]);
    let victim = env.root.join("victim.txt");
    std::fs::write(&victim, "precious\n").unwrap();
    env.ok(&["label", "BC-2", "+accessibility"]);
    let last: u32 = std::fs::read_to_string("/proc/sys/kernel/ns_last_pid")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1);
    for pid in last..last + 3000 {
        std::os::unix::fs::symlink(&victim, dir.join(format!("index.html.tmp{pid}"))).unwrap();
    }
    env.ok(&["export", "site", dir.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    let index = std::fs::symlink_metadata(dir.join("index.html")).unwrap();
    assert!(index.file_type().is_file(), "index.html is a file again");
    assert!(text(&files(&dir), "index.html").contains("accessibility"));
}

/// Issue 10, item 7: the manifest in the folder is not trusted for
/// deletions: a file the site never writes, or whose bytes are not what
/// the last export wrote, stays whatever the manifest lists.
#[test]
fn a_tampered_manifest_removes_nothing_the_export_did_not_write() {
    let env = fixture();
    let dir = export(&env, "site", &[]);
    std::fs::write(dir.join("CNAME"), "bugs.example.com\n").unwrap();
    // A page the user edited after the export: not what was written.
    std::fs::write(dir.join("issues/BC-4.html"), "edited by hand\n").unwrap();
    // Any shard of the manifest will do: they are read together. A shard
    // is postcard: its version, then each file's path, hash, length and
    // view hash.
    let manifest_path = std::fs::read_dir(dir.join(".git-issue-site"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "bin"))
        .unwrap();
    type Shard = (u32, Vec<(String, u128, u64, Option<u128>)>);
    let mut manifest: Shard =
        postcard::from_bytes(&std::fs::read(&manifest_path).unwrap()).unwrap();
    let cname = b"bugs.example.com\n";
    manifest.1.push((
        "CNAME".to_owned(),
        git_issue::site::output::hash128(cname),
        cname.len() as u64,
        None,
    ));
    std::fs::write(&manifest_path, postcard::to_allocvec(&manifest).unwrap()).unwrap();
    let wt = env.root.join("by-hand");
    env.git_in(&wt, &["checkout", "-q", "--detach"]);
    env.git_in(&wt, &["checkout", "-q", "issues"]);
    env.git_in(&wt, &["rm", "-q", "issues/0/BC-4.md"]);
    env.git_in(&wt, &["commit", "-q", "-m", "Drop BC-4"]);
    env.ok(&["export", "site", dir.to_str().unwrap()]);
    assert_eq!(
        std::fs::read_to_string(dir.join("CNAME")).unwrap(),
        "bugs.example.com\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("issues/BC-4.html")).unwrap(),
        "edited by hand\n",
        "a page changed since the export is not removed"
    );
}

/// The site's files without the export's own records.
fn site_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut all = files(dir);
    all.retain(|path, _| !path.starts_with(".git-issue-site"));
    all
}

/// An export after changes renders only what they touch (issue 18): the
/// folder must then hold exactly what a whole export of the same branch
/// into an empty folder holds, file for file, after every kind of change.
#[test]
fn an_export_after_changes_is_the_same_as_a_whole_export() {
    let env = known_fixture();
    let dir = export(&env, "site", &[]);
    let mut round = 0;
    let mut same_as_whole = |what: &str| {
        round += 1;
        let r = env.run(&["export", "site", dir.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{what}: {}", r.stderr);
        let whole = export(&env, &format!("whole-{round}"), &[]);
        let (got, want) = (site_files(&dir), site_files(&whole));
        let paths = |m: &BTreeMap<String, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
        assert_eq!(paths(&got), paths(&want), "{what}: the same files");
        for (path, bytes) in &want {
            assert!(
                got[path] == *bytes,
                "{what}: {path} differs from a whole export's"
            );
        }
    };
    // A title another issue's page shows (BC-1 relates to BC-2).
    env.ok(&["set", "BC-2", "title=Search is slow on big trackers"]);
    same_as_whole("a retitled related issue");
    // The original of a duplicate (BC-5 duplicates BC-3) closes, and an
    // issue becomes a duplicate of another.
    env.ok(&["set", "BC-3", "status=open"]);
    env.ok(&["set", "BC-7", "duplicate_of=BC-6", "status=duplicate"]);
    same_as_whole("duplicates");
    env.ok(&["comment", "BC-6", "-m", "Seen again with **two** uploads."]);
    env.ok(&["label", "BC-6", "+brand-new"]);
    env.new_issue("A new issue after the first export", &[]);
    same_as_whole("a comment, a new label, a new issue");
    // Deleted by hand in a worktree of the branch: its page goes.
    env.by_hand("Drop BC-4", |wt| {
        std::fs::remove_file(wt.join("issues/0/BC-4.md")).unwrap()
    });
    same_as_whole("a deleted issue");
    assert!(!dir.join("issues/BC-4.html").exists());
    // A page removed from the folder by someone else comes back.
    std::fs::remove_file(dir.join("issues/BC-6.html")).unwrap();
    same_as_whole("a page removed from the folder");
    // An issue naming a commit this clone does not have yet, then has
    // (fetched, say): its page shows the commit's summary from then on.
    let commit = env.root.join("commit.txt");
    std::fs::write(
        &commit,
        "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor Ann <ann@example.com> 1767225600 +0000\ncommitter Ann <ann@example.com> 1767225600 +0000\n\nStop retrying uploads forever\n",
    )
    .unwrap();
    let id = env.git(&["hash-object", "-t", "commit", commit.to_str().unwrap()]);
    env.commit_by_hand(
        "issues/0/BC-20.md",
        &issue_file(
            20,
            &format!("title: Names a later commit\ntype: bug\nstatus: open\npriority: p2\ncommits:\n  - {}\ncreated: 2026-01-01T10:00:00Z\nupdated: 2026-01-01T10:00:00Z\n", id.trim()),
            "Fixed soon.\n",
        ),
    );
    same_as_whole("an issue naming a missing commit");
    env.git(&[
        "hash-object",
        "-w",
        "-t",
        "commit",
        commit.to_str().unwrap(),
    ]);
    same_as_whole("the commit arrived");
    assert!(
        std::fs::read_to_string(dir.join("issues/BC-20.html"))
            .unwrap()
            .contains("Stop retrying uploads forever")
    );
    // A label and a milestone taken away: their pages change or go.
    env.ok(&["label", "BC-6", "-brand-new"]);
    env.ok(&["set", "BC-1", "milestone=v0.8.0"]);
    same_as_whole("a label and a milestone taken away");
    // Many issues at once, over several pages of the list, of the rows
    // files and of a label, then a change to one of the older ones: the
    // list's pages are cut as before, only that one's page is made again.
    env.by_hand("Add many issues", |wt| {
        for n in 150..=420u32 {
            let body = format!("Bulk issue number {n} about word{}.\n", n % 7);
            std::fs::write(
                wt.join(format!("issues/0/BC-{n}.md")),
                issue_file(
                    n,
                    &format!("title: Bulk {n} zeta{}\ntype: bug\nstatus: open\npriority: p2\nlabels: [bulk]\ncreated: 2026-01-01T10:00:00Z\nupdated: 2026-01-01T10:00:00Z\n", n % 3),
                    &body,
                ),
            )
            .unwrap();
        }
    });
    same_as_whole("many issues");
    env.ok(&[
        "set",
        "BC-160",
        "status=in_progress",
        "title=Bulk one hundred sixty",
    ]);
    same_as_whole("one of many changed");
    env.ok(&["label", "BC-300", "-bulk"]);
    same_as_whole("one of many leaves its label");
    // Files of the folder's listings and data removed by someone else.
    for gone in ["list/2.html", "data/rows/3.js", "data/s/ze.js"] {
        std::fs::remove_file(dir.join(gone)).unwrap();
    }
    let bulk = std::fs::read_dir(dir.join("labels"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("bulk-")
        })
        .unwrap();
    std::fs::remove_file(bulk).unwrap();
    same_as_whole("listings and data files removed from the folder");
    // A number past the bound of the bitmaps: every posting is made again.
    env.commit_by_hand(
        "issues/1/BC-1100.md",
        &issue_file(
            1100,
            "title: Far away zeta9\ntype: bug\nstatus: open\npriority: p1\ncreated: 2026-01-01T10:00:00Z\nupdated: 2026-01-01T10:00:00Z\n",
            "Far.\n",
        ),
    );
    same_as_whole("a number past the bound");
    // Nothing changed: nothing written.
    let r = env.run(&["export", "site", dir.to_str().unwrap()]);
    assert!(r.stderr.contains(" 0 files written"), "{}", r.stderr);
    // Settings that change every page: still the same as a whole export.
    env.commit_by_hand(
        "tracker.yml",
        "statuses: [open, in_progress, resolved, duplicate, wontfix]\nclosed_statuses: [resolved, duplicate, wontfix]\n",
    );
    same_as_whole("new settings");
}

/// A whole export read a slice of numbers at a time (issue 18, memory;
/// `GIT_ISSUE_SITE_SLICE`): the site is the same bytes as one read gives,
/// and an export after a change into that folder is too.
#[test]
fn a_whole_export_read_in_slices_is_the_same_as_one_read() {
    let env = known_fixture();
    // Numbers in several buckets, and one filed outside its bucket.
    env.by_hand("Issues far apart", |wt| {
        for (bucket, n) in [(2, 2500u32), (4, 4100), (4, 4999), (1, 3333)] {
            let dir = wt.join(format!("issues/{bucket}"));
            std::fs::create_dir_all(&dir).unwrap();
            // A duplicate of an issue read in an earlier slice: that
            // issue's page, made before, is made again with it.
            let more = if n == 4999 { "duplicate_of: BC-3\n" } else { "" };
            std::fs::write(
                dir.join(format!("BC-{n}.md")),
                issue_file(
                    n,
                    &format!("title: Far issue {n}\ntype: bug\nstatus: open\npriority: p2\nlabels: [ui]\nrelated: [BC-1]\n{more}created: 2026-01-01T10:00:00Z\nupdated: 2026-01-01T10:00:00Z\n"),
                    "Far away.\n",
                ),
            )
            .unwrap();
        }
    });
    env.ok(&["comment", "BC-4100", "-m", "A comment far away."]);
    let sliced = |name: &str| {
        let dir = env.root.join(name);
        let r = env.run_with_env(
            &["export", "site", dir.to_str().unwrap()],
            &[("GIT_ISSUE_SITE_SLICE", "1000")],
            "",
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        dir
    };
    let one = export(&env, "one-read", &[]);
    let dir = sliced("sliced");
    assert_eq!(site_files(&dir), site_files(&one), "sliced or not");
    assert!(dir.join("issues/BC-3333.html").exists());
    assert!(
        std::fs::read_to_string(dir.join("issues/BC-3.html"))
            .unwrap()
            .contains("BC-4999.html"),
        "the original lists its duplicate read in a later slice"
    );
    assert!(
        std::fs::read_to_string(dir.join("issues/BC-4100.html"))
            .unwrap()
            .contains("A comment far away.")
    );
    // The catalog a sliced read made serves the next export.
    env.ok(&["set", "BC-2500", "title=Far issue retitled"]);
    let r = env.run(&["export", "site", dir.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let whole = export(&env, "whole-after", &[]);
    assert_eq!(site_files(&dir), site_files(&whole), "after a change");
}
