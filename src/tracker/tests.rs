//! The operations against a real repository in a temporary folder.

use super::*;
use crate::format::fields;

fn tracker() -> (tempfile::TempDir, Tracker) {
    let (dir, _repo) = crate::store::test_repository();
    let t = Tracker::discover(dir.path()).unwrap();
    t.init(Some("BC")).unwrap();
    (dir, t)
}

fn file(t: &Tracker, title: &str) -> Key {
    let issue = t
        .draft(Draft {
            title: title.to_owned(),
            ..Draft::default()
        })
        .unwrap();
    t.create(issue).unwrap()
}

fn tip(t: &Tracker) -> Option<git2::Oid> {
    t.store().tip().unwrap()
}

#[test]
fn a_key_is_never_given_out_twice() {
    let (_dir, t) = tracker();
    for title in ["one", "two", "three"] {
        file(&t, title);
    }
    t.delete(&Key::new("BC", 3)).unwrap();
    assert_eq!(file(&t, "four"), Key::new("BC", 4));
    t.delete(&Key::new("BC", 4)).unwrap();
    t.delete(&Key::new("BC", 2)).unwrap();
    assert_eq!(file(&t, "five"), Key::new("BC", 5));
}

#[test]
fn a_refused_value_writes_nothing() {
    let (_dir, t) = tracker();
    let key = file(&t, "Crash");
    let before = tip(&t);
    let e = t.set(&key, &["priority=p9".parse().unwrap()]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Refused);
    assert!(e.to_string().contains("\"p9\" is not a priority"), "{e}");
    assert_eq!(tip(&t), before);
}

#[test]
fn a_change_that_changes_nothing_is_no_commit() {
    let (_dir, t) = tracker();
    let key = file(&t, "Crash");
    let before = tip(&t);
    let o = t.set(&key, &["status=open".parse().unwrap()]).unwrap();
    assert!(o.commit.is_none());
    assert_eq!(tip(&t), before);
}

#[test]
fn closing_follows_the_workflow() {
    let (_dir, t) = tracker();
    let a = file(&t, "Original");
    let b = file(&t, "Copy");
    let itself = Closing {
        reason: None,
        duplicate_of: Some(b.clone()),
        comment: None,
    };
    assert!(
        t.close(&b, &itself)
            .unwrap_err()
            .to_string()
            .contains("itself")
    );
    let open = Closing {
        reason: Some("triaged".into()),
        duplicate_of: None,
        comment: None,
    };
    assert!(
        t.close(&b, &open)
            .unwrap_err()
            .to_string()
            .contains("not a closed status")
    );
    let dup = Closing {
        reason: None,
        duplicate_of: Some(a.clone()),
        comment: Some("Same crash as BC-1.".into()),
    };
    let before = tip(&t);
    let closed = t.close(&b, &dup).unwrap();
    // The status and the comment saying why are one commit.
    let one = closed.commit.clone().unwrap();
    let since = before.unwrap().to_string();
    assert_eq!(
        t.store().changes(&one, Some(&since), "").unwrap().len(),
        1,
        "{}",
        closed.summary
    );
    let d = t.details(&b).unwrap();
    assert_eq!(d.comments.len(), 1);
    assert_eq!(d.comments[0].comment.body, "Same crash as BC-1.\n");
    assert_eq!(d.record.issue.status, "duplicate");
    assert_eq!(d.record.issue.duplicate_of.as_deref(), Some("BC-1"));
    assert!(d.record.issue.resolved.is_some());
    t.reopen(&b).unwrap();
    let d = t.details(&b).unwrap();
    assert_eq!(
        (d.record.issue.status.as_str(), d.record.issue.resolved),
        ("open", None)
    );
    assert_eq!(d.record.issue.duplicate_of, None);
}

#[test]
fn the_contents_hold_every_issue_with_its_comments_in_order() {
    let (_dir, t) = tracker();
    let a = file(&t, "A");
    file(&t, "B");
    t.comment(&a, "first", false).unwrap();
    t.comment(&a, "second", true).unwrap();
    t.set(&a, &["category=security".parse().unwrap()]).unwrap();
    let (_, _, contents) = t.contents(true).unwrap();
    assert_eq!(contents.issues.len(), 2);
    let first = &contents.issues[0];
    let bodies: Vec<&str> = first
        .comments
        .iter()
        .map(|c| c.comment.body.as_str())
        .collect();
    assert_eq!(bodies, ["first\n", "second\n"]);
    assert!(first.comments[1].comment.internal);
    let category = first.issue.get(fields::named("category"));
    assert_eq!(category.to_text().as_deref(), Some("security"));
    assert!(contents.problems.is_empty());
}
