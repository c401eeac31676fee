//! What `sync --json` says came in and went out: issues added, changed
//! (the file or only its comments) and deleted, counted once each.

use crate::common::json;
use crate::sync::Net;

/// `sync --json`'s counts on one side: added, changed, deleted.
fn assert_counts(v: &serde_json::Value, side: &str, [added, changed, deleted]: [u64; 3]) {
    assert_eq!(
        v[side],
        serde_json::json!({"added": added, "changed": changed, "deleted": deleted}),
        "{v}"
    );
}

#[test]
fn sync_counts_each_issue_added_changed_or_deleted_once() {
    let net = Net::new();
    let a = &net.first;
    for title in ["Login fails", "Crash on start", "Slow list", "Typo"] {
        a.new_issue(title, &[]);
    }
    a.ok(&["sync"]);
    let b = net.clone("bob");
    b.ok(&["init"]);

    a.new_issue("Added", &[]);
    // A field and a comment of one issue: one issue changed.
    a.ok(&["set", "BC-1", "priority=p0"]);
    a.ok(&["comment", "BC-1", "-m", "Seen on 1.2 too"]);
    // Only a comment: changed as well.
    a.ok(&["comment", "BC-2", "-m", "Also here"]);
    a.ok(&["delete", "BC-3", "--yes"]);
    let v = json(&a.ok(&["sync", "--json"]));
    assert_eq!(v["pushed"], true);
    assert_counts(&v, "outgoing", [1, 2, 1]);

    // Bob changed one issue of his own: his sync merges, and counts what
    // came in and what went out separately.
    b.ok(&["label", "BC-4", "docs"]);
    let v = json(&b.ok(&["sync", "--json"]));
    assert_eq!(v["local"], "merged", "{v}");
    assert_counts(&v, "incoming", [1, 2, 1]);
    assert_counts(&v, "outgoing", [0, 1, 0]);
}

#[test]
fn a_merge_of_hundreds_of_incoming_issues_keeps_every_one() {
    // Enough issues that the merge reads them on more than one core.
    let net = Net::new();
    let a = &net.first;
    a.new_issue("Login fails", &[]);
    a.ok(&["sync"]);
    let b = net.clone("bob");
    b.ok(&["init"]);
    let lines: String = (2..=301)
        .map(|n| {
            format!(
                "{}\n",
                serde_json::json!({
                    "key": format!("BC-{n}"),
                    "title": format!("Imported issue {n}"),
                    "body": format!("Body of {n}."),
                })
            )
        })
        .collect();
    let r = a.run_with_stdin(&["import", "-"], &lines);
    assert_eq!(r.code, 0, "{}", r.stderr);
    a.ok(&["set", "BC-1", "priority=p3"]);
    a.ok(&["sync"]);

    b.ok(&["set", "BC-1", "assignee=bob"]);
    let v = json(&b.ok(&["sync", "--json"]));
    assert_eq!(v["local"], "merged", "{v}");
    assert_counts(&v, "incoming", [300, 1, 0]);
    let list = json(&b.ok(&["list", "--all", "--json"]));
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 301);
    for n in [2, 150, 301] {
        let shown = json(&b.ok(&["show", &format!("BC-{n}"), "--json"]));
        assert_eq!(shown["title"], format!("Imported issue {n}"));
    }
    let one = json(&b.ok(&["show", "BC-1", "--json"]));
    assert_eq!(one["priority"], "p3");
    assert_eq!(one["assignee"], "bob");
    a.ok(&["sync"]);
    assert_eq!(
        a.git(&["rev-parse", "issues^{tree}"]),
        b.git(&["rev-parse", "issues^{tree}"])
    );
}
