//! What `sync --json` says came in and went out: issues added, changed
//! (the file or only its comments) and deleted, counted once each.

use crate::common::json;
use crate::sync::Net;

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
    assert_eq!(
        v["outgoing"],
        serde_json::json!({"added": 1, "changed": 2, "deleted": 1}),
        "{v}"
    );

    // Bob changed one issue of his own: his sync merges, and counts what
    // came in and what went out separately.
    b.ok(&["label", "BC-4", "docs"]);
    let v = json(&b.ok(&["sync", "--json"]));
    assert_eq!(v["local"], "merged", "{v}");
    assert_eq!(
        v["incoming"],
        serde_json::json!({"added": 1, "changed": 2, "deleted": 1}),
        "{v}"
    );
    assert_eq!(
        v["outgoing"],
        serde_json::json!({"added": 0, "changed": 1, "deleted": 0}),
        "{v}"
    );
}
