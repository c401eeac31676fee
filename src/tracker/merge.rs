//! Three-way merge rules for the files of the issues branch, as values: each
//! function takes the merge base, our version and theirs, and returns one.
//! Pure: no store, no files. `sync` applies them issue by issue; the git merge
//! driver applies them file by file.
//!
//! The rules (DESIGN.md, Sync): lists merge as sets, so an addition on one
//! side and a removal on the other both survive; a scalar changed on one side
//! takes that side, and changed on both the later `updated` wins and the
//! loser is reported; the description merges by lines (diff3) and a true
//! conflict keeps both texts between conflict markers. Nothing else is
//! dropped.

use std::collections::{BTreeMap, BTreeSet};

use crate::format::fields::{FIELDS, Merge, Val, Value};
use crate::format::layout::{self, BranchPath};
use crate::format::{Issue, Key, yaml};

/// A value that lost to a newer change of the same field on the other side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    pub field: &'static str,
    pub kept: String,
    pub lost: String,
    /// When each side last changed the field, when known.
    pub kept_at: Option<jiff::Timestamp>,
    pub lost_at: Option<jiff::Timestamp>,
}

/// The merged issue and what a person should know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct IssueMerge {
    pub issue: Issue,
    pub dropped: Vec<Dropped>,
    /// The description holds conflict markers.
    pub conflict: bool,
}

/// Merges one issue. `base` is `None` when both sides added it. A field
/// changed on both sides goes to the side whose issue was updated later.
pub fn merge_issue(base: Option<&Issue>, ours: &Issue, theirs: &Issue) -> IssueMerge {
    // On a tie of times the text decides, so both clones pick the same side.
    let ours_later = (ours.updated, ours.print()) > (theirs.updated, theirs.print());
    merge_issue_by(base, ours, theirs, |_| ours_later)
}

/// Merges one issue field by field, as the field table says each merges.
/// `ours_later(field)` says which side changed a field changed on both
/// sides last.
pub fn merge_issue_by(
    base: Option<&Issue>,
    ours: &Issue,
    theirs: &Issue,
    ours_later: impl Fn(&'static str) -> bool,
) -> IssueMerge {
    let clean = |issue: &Issue| IssueMerge {
        issue: issue.clone(),
        dropped: Vec::new(),
        conflict: false,
    };
    if ours == theirs || base == Some(theirs) {
        return clean(ours);
    }
    if base == Some(ours) {
        return clean(theirs);
    }
    let mut dropped = Vec::new();
    let mut out = ours.clone();
    for spec in FIELDS {
        let b = base.map(|b| b.get(spec));
        let (o, t) = (ours.get(spec), theirs.get(spec));
        let merged = match spec.merge {
            Merge::Set | Merge::Entries => match (b, o, t) {
                (b, Val::List(o), Val::List(t)) => {
                    let b = match b {
                        Some(Val::List(b)) => b,
                        _ => &[],
                    };
                    Value::List(merge_set(b, o, t))
                }
                (b, Val::Map(o), Val::Map(t)) => {
                    let b = match b {
                        Some(Val::Map(b)) => Some(b),
                        _ => None,
                    };
                    Value::Map(merge_map(spec.name, b, o, t, &ours_later, &mut dropped))
                }
                _ => o.to_value(),
            },
            Merge::Latest => match (o.time(), t.time()) {
                (Some(x), Some(y)) if y > x => t.to_value(),
                _ => o.to_value(),
            },
            Merge::Scalar => {
                let later = ours_later(spec.name);
                match scalar(b.as_ref(), &o, &t, later) {
                    Pick::Agreed(v) => v.to_value(),
                    Pick::Contested(kept) => {
                        let lost = if later { t } else { o };
                        dropped.push(Dropped {
                            field: spec.name,
                            kept: kept.to_text().unwrap_or_else(|| "(none)".into()),
                            lost: lost.to_text().unwrap_or_else(|| "(none)".into()),
                            kept_at: None,
                            lost_at: None,
                        });
                        kept.to_value()
                    }
                }
            }
        };
        out.put(spec, merged);
    }
    // Unknown fields travel as one value: a newer version's fields are its
    // business, and kept whole they stay consistent with each other.
    out.extra = match scalar(
        base.map(|b| &b.extra),
        &ours.extra,
        &theirs.extra,
        ours_later("extra"),
    ) {
        Pick::Agreed(v) | Pick::Contested(v) => v.clone(),
    };
    let (body, conflict) = merge_text(base.map_or("", |b| &b.body), &ours.body, &theirs.body);
    out.body = yaml::normalize_body(&body);
    IssueMerge {
        issue: out,
        dropped,
        conflict,
    }
}

/// A map merged entry by entry, each entry by the scalar rule.
fn merge_map(
    field: &'static str,
    base: Option<&BTreeMap<String, String>>,
    ours: &BTreeMap<String, String>,
    theirs: &BTreeMap<String, String>,
    ours_later: &impl Fn(&'static str) -> bool,
    dropped: &mut Vec<Dropped>,
) -> BTreeMap<String, String> {
    let later = ours_later(field);
    let names: BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
    let mut out = BTreeMap::new();
    for name in names {
        let b = base.map(|b| b.get(name));
        let (o, t) = (ours.get(name), theirs.get(name));
        let kept = match scalar(b.as_ref(), &o, &t, later) {
            Pick::Agreed(v) => *v,
            Pick::Contested(v) => {
                let lost = if later { t } else { o };
                dropped.push(Dropped {
                    field,
                    kept: format!("{name}={}", v.map_or("(none)", String::as_str)),
                    lost: format!("{name}={}", lost.map_or("(none)", String::as_str)),
                    kept_at: None,
                    lost_at: None,
                });
                *v
            }
        };
        if let Some(v) = kept {
            out.insert(name.clone(), v.clone());
        }
    }
    out
}

enum Pick<'a, T> {
    Agreed(&'a T),
    /// Changed on both sides: the later side's value.
    Contested(&'a T),
}

/// The scalar rule: equal, or changed on one side only, is not a question;
/// changed on both, the later side wins.
fn scalar<'a, T: PartialEq>(
    base: Option<&T>,
    ours: &'a T,
    theirs: &'a T,
    ours_later: bool,
) -> Pick<'a, T> {
    if ours == theirs || base == Some(theirs) {
        Pick::Agreed(ours)
    } else if base == Some(ours) {
        Pick::Agreed(theirs)
    } else if ours_later {
        Pick::Contested(ours)
    } else {
        Pick::Contested(theirs)
    }
}

/// Three-way set merge that keeps our order: what either side added is in,
/// what either side removed is out.
pub fn merge_set(base: &[String], ours: &[String], theirs: &[String]) -> Vec<String> {
    let mut out: Vec<String> = ours
        .iter()
        .filter(|x| !base.contains(x) || theirs.contains(x))
        .cloned()
        .collect();
    for x in theirs {
        if !base.contains(x) && !out.contains(x) {
            out.push(x.clone());
        }
    }
    out
}

/// Merges text by lines (diff3). A true conflict keeps both texts between
/// `<<<<<<< ours` / `>>>>>>> theirs` markers and returns `true`.
pub fn merge_text(base: &str, ours: &str, theirs: &str) -> (String, bool) {
    if ours == theirs || base == theirs {
        return (ours.to_owned(), false);
    }
    if base == ours {
        return (theirs.to_owned(), false);
    }
    match diffy::merge(base, ours, theirs) {
        Ok(text) => (text, false),
        Err(text) => (text, true),
    }
}

/// What became of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMerge {
    /// `None`: the file is gone.
    pub content: Option<Vec<u8>>,
    /// The content holds conflict markers.
    pub conflict: bool,
    /// Things a person should know: values dropped, a side not taken.
    pub notes: Vec<String>,
}

/// Merges one file of the branch by what it is. A deletion on one side and
/// a change on the other keeps the change: nothing is lost.
pub fn merge_file(
    path: &str,
    base: Option<&[u8]>,
    ours: Option<&[u8]>,
    theirs: Option<&[u8]>,
) -> FileMerge {
    let take = |c: Option<&[u8]>| FileMerge {
        content: c.map(<[u8]>::to_vec),
        conflict: false,
        notes: Vec::new(),
    };
    if ours == theirs || base == theirs {
        return take(ours);
    }
    if base == ours {
        return take(theirs);
    }
    let (o, t) = match (ours, theirs) {
        (Some(o), Some(t)) => (o, t),
        (kept, _) => {
            let mut m = take(kept.or(theirs));
            m.notes.push(format!(
                "{path}: deleted on one side and changed on the other; kept the change"
            ));
            return m;
        }
    };
    let text = |b: &[u8]| std::str::from_utf8(b).map(str::to_owned).ok();
    let (Some(o_text), Some(t_text)) = (text(o), text(t)) else {
        let mut m = take(Some(o));
        m.notes.push(format!(
            "{path}: binary file changed on both sides; kept this side's"
        ));
        return m;
    };
    let b_text = base.and_then(text).unwrap_or_default();
    match BranchPath::parse(path) {
        BranchPath::Issue(key) => {
            let parsed = (
                base.map(|_| Issue::parse(&b_text)).transpose(),
                Issue::parse(&o_text),
                Issue::parse(&t_text),
            );
            if let (Ok(_), Ok(o), Ok(t)) = &parsed
                && o.id != t.id
            {
                let mut m = merge_lines(path, &b_text, &o_text, &t_text);
                m.notes.push(format!(
                    "{key}: two different issues were filed under this key; git issue sync keeps both, renumbering the later one"
                ));
                return m;
            }
            if let (Ok(b), Ok(o), Ok(t)) = parsed {
                let m = merge_issue(b.as_ref(), &o, &t);
                let mut notes: Vec<String> =
                    m.dropped.iter().map(|d| dropped_note(&key, d)).collect();
                if m.conflict {
                    notes.push(format!(
                        "{key}: the description was changed on both sides; both texts are kept between conflict markers"
                    ));
                }
                return FileMerge {
                    content: Some(m.issue.print().into_bytes()),
                    conflict: m.conflict,
                    notes,
                };
            }
        }
        BranchPath::Deleted | BranchPath::Moved => {
            return FileMerge {
                content: Some(merge_key_lists(&b_text, &o_text, &t_text).into_bytes()),
                conflict: false,
                notes: Vec::new(),
            };
        }
        BranchPath::Config => {
            let (merged, conflict) = merge_text(&b_text, &o_text, &t_text);
            if !conflict {
                return take(Some(merged.as_bytes()));
            }
            // Conflict markers would break every command: keep one side
            // whole, deterministically, and say so.
            let mut m = take(Some(o));
            m.notes.push(format!(
                "{path}: both sides changed the same settings; kept this side's, the other's is in the merged history"
            ));
            return m;
        }
        _ => {}
    }
    merge_lines(path, &b_text, &o_text, &t_text)
}

fn merge_lines(path: &str, b_text: &str, o_text: &str, t_text: &str) -> FileMerge {
    let (merged, conflict) = merge_text(b_text, o_text, t_text);
    let mut notes = Vec::new();
    if conflict {
        notes.push(format!(
            "{path}: changed on both sides; both texts are kept between conflict markers"
        ));
    }
    FileMerge {
        content: Some(merged.into_bytes()),
        conflict,
        notes,
    }
}

/// How a dropped value reads in a merge message: which value was kept, and
/// why (the times each side changed the field, when known).
pub fn dropped_note(key: &Key, d: &Dropped) -> String {
    let when = |t: Option<jiff::Timestamp>| {
        t.map(|t| format!(" (changed {})", t.strftime("%Y-%m-%d %H:%M:%S UTC")))
            .unwrap_or_default()
    };
    match (d.kept_at, d.lost_at) {
        (Some(_), Some(_)) => format!(
            "{key}: {} changed on both sides; kept {:?}{}, the later change; dropped {:?}{}",
            d.field,
            d.kept,
            when(d.kept_at),
            d.lost,
            when(d.lost_at)
        ),
        _ => format!(
            "{key}: {} changed on both sides; kept {:?} (from the issue changed later), dropped {:?}",
            d.field, d.kept, d.lost
        ),
    }
}

/// A key-list file (`issues/deleted.yml`, `issues/moved.yml`) as a set: a
/// key listed on either side stays listed. Comment lines come from our side.
pub fn merge_key_lists(base: &str, ours: &str, theirs: &str) -> String {
    let items = merge_set(
        &layout::read_key_list(base),
        &layout::read_key_list(ours),
        &layout::read_key_list(theirs),
    );
    let header = if ours.starts_with('#') { ours } else { theirs };
    let header = if header.starts_with('#') {
        header
    } else {
        layout::DELETED_HEADER
    };
    layout::print_key_list(header, &items)
}

/// `issues/moved.yml` after a merge: the moves either side knew, as a set,
/// and the moves this merge made.
pub fn moved_text(base: &str, ours: &str, theirs: &str, new: &[String]) -> String {
    let mut moves = merge_set(
        &layout::read_key_list(base),
        &layout::read_key_list(ours),
        &layout::read_key_list(theirs),
    );
    for m in new {
        if !moves.contains(m) {
            moves.push(m.clone());
        }
    }
    layout::print_key_list(layout::MOVED_HEADER, &moves)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;
    use proptest::prelude::*;

    fn ts(s: i64) -> Timestamp {
        Timestamp::from_second(1_700_000_000 + s).unwrap()
    }

    fn issue() -> Issue {
        let mut i = Issue::new(
            "01JABCDEFGHJKMNPQRSTVWXYZ0".into(),
            "Crash".into(),
            "bug".into(),
            "open".into(),
            "p2".into(),
            ts(0),
        );
        i.body = "one\ntwo\nthree\nfour\nfive\n".into();
        i
    }

    #[test]
    fn fields_changed_on_different_sides_both_land() {
        let base = issue();
        let mut ours = base.clone();
        ours.status = "in_progress".into();
        ours.updated = ts(10);
        let mut theirs = base.clone();
        theirs.priority = "p0".into();
        theirs.updated = ts(5);
        let m = merge_issue(Some(&base), &ours, &theirs);
        assert_eq!(m.issue.status, "in_progress");
        assert_eq!(m.issue.priority, "p0");
        assert_eq!(m.issue.updated, ts(10));
        assert!(m.dropped.is_empty());
    }

    #[test]
    fn the_later_change_of_one_field_wins_and_the_loser_is_named() {
        let base = issue();
        let mut ours = base.clone();
        ours.title = "Crash on start".into();
        ours.updated = ts(10);
        let mut theirs = base.clone();
        theirs.title = "Crash at launch".into();
        theirs.updated = ts(20);
        let m = merge_issue(Some(&base), &ours, &theirs);
        assert_eq!(m.issue.title, "Crash at launch");
        assert_eq!(
            m.dropped,
            [Dropped {
                field: "title",
                kept: "Crash at launch".into(),
                lost: "Crash on start".into(),
                kept_at: None,
                lost_at: None,
            }]
        );
    }

    #[test]
    fn a_label_added_here_and_another_removed_there_both_count() {
        let mut base = issue();
        base.labels = vec!["ui".into(), "auth".into()];
        let mut ours = base.clone();
        ours.labels.push("db".into());
        let mut theirs = base.clone();
        theirs.labels.retain(|l| l != "auth");
        let m = merge_issue(Some(&base), &ours, &theirs);
        assert_eq!(m.issue.labels, ["ui", "db"]);
    }

    #[test]
    fn descriptions_merge_by_lines_and_conflicts_keep_both_texts() {
        let base = issue();
        let mut ours = base.clone();
        ours.body = "ONE\ntwo\nthree\nfour\nfive\n".into();
        let mut theirs = base.clone();
        theirs.body = "one\ntwo\nthree\nfour\nFIVE\n".into();
        let m = merge_issue(Some(&base), &ours, &theirs);
        assert_eq!(m.issue.body, "ONE\ntwo\nthree\nfour\nFIVE\n");
        assert!(!m.conflict);

        theirs.body = "Uno\ntwo\nthree\nfour\nfive\n".into();
        let m = merge_issue(Some(&base), &ours, &theirs);
        assert!(m.conflict);
        assert!(
            m.issue.body.contains("<<<<<<< ours\nONE\n"),
            "{}",
            m.issue.body
        );
        assert!(m.issue.body.contains("Uno\n"));
        // The file still parses, so every command keeps working.
        assert_eq!(Issue::parse(&m.issue.print()).unwrap(), m.issue);
    }

    #[test]
    fn deleted_keys_merge_as_a_set() {
        let h = "# header\n";
        let base = format!("{h}- BC-1\n");
        let ours = format!("{h}- BC-1\n- BC-4\n");
        let theirs = format!("{h}- BC-1\n- BC-7\n");
        assert_eq!(
            merge_key_lists(&base, &ours, &theirs),
            format!("{h}- BC-1\n- BC-4\n- BC-7\n")
        );
    }

    #[test]
    fn a_change_beats_a_deletion() {
        let m = merge_file("templates/x.md", Some(b"a\n"), None, Some(b"b\n"));
        assert_eq!(m.content.as_deref(), Some(&b"b\n"[..]));
        assert_eq!(m.notes.len(), 1);
    }

    #[test]
    fn settings_never_get_conflict_markers() {
        let m = merge_file(
            "tracker.yml",
            Some(b"key: BC\n"),
            Some(b"key: AB\n"),
            Some(b"key: XY\n"),
        );
        assert_eq!(m.content.as_deref(), Some(&b"key: AB\n"[..]));
        assert!(!m.conflict);
        assert!(m.notes[0].contains("kept this side's"), "{:?}", m.notes);
    }

    #[test]
    fn two_issues_under_one_key_are_not_blended_by_the_driver() {
        let a = issue();
        let mut b = issue();
        b.id = "01JZZZZZZZZZZZZZZZZZZZZZZZ".into();
        b.title = "Another".into();
        let m = merge_file(
            "issues/0/BC-3.md",
            None,
            Some(a.print().as_bytes()),
            Some(b.print().as_bytes()),
        );
        assert!(m.conflict);
        let text = String::from_utf8(m.content.unwrap()).unwrap();
        assert!(text.contains(&a.id) && text.contains(&b.id), "{text}");
        assert!(
            m.notes.iter().any(|n| n.contains("git issue sync")),
            "{:?}",
            m.notes
        );
    }

    fn word() -> impl Strategy<Value = String> {
        "[a-z]{1,3}"
    }

    fn set() -> impl Strategy<Value = Vec<String>> {
        prop::collection::btree_set(word(), 0..4).prop_map(|s| s.into_iter().collect())
    }

    fn body() -> impl Strategy<Value = String> {
        prop::collection::vec(prop_oneof!["[a-c]", Just("same".to_owned())], 0..6).prop_map(
            |lines| {
                yaml::normalize_body(&lines.iter().map(|l| format!("{l}\n")).collect::<String>())
            },
        )
    }

    prop_compose! {
        fn arb_issue()(
            title in "[A-Z][a-z]{0,5}",
            status in prop::sample::select(vec!["open", "in_progress", "resolved"]),
            priority in prop::sample::select(vec!["p0", "p1", "p2"]),
            assignee in proptest::option::of(word()),
            labels in set(),
            commits in set(),
            votes in 0u64..3,
            updated in 0i64..4,
            body in body(),
        ) -> Issue {
            let mut i = issue();
            i.title = title;
            i.status = status.into();
            i.priority = priority.into();
            i.assignee = assignee;
            i.labels = labels;
            i.commits = commits;
            i.votes = votes;
            i.updated = ts(updated);
            i.body = body;
            i
        }
    }

    fn as_set(v: &[String]) -> BTreeSet<&String> {
        v.iter().collect()
    }

    proptest! {
        #[test]
        fn merging_an_issue_with_itself_changes_nothing(a in arb_issue()) {
            let m = merge_issue(Some(&a), &a, &a);
            prop_assert_eq!(m.issue, a);
            prop_assert!(m.dropped.is_empty() && !m.conflict);
        }

        #[test]
        fn a_change_on_one_side_only_is_taken_whole(base in arb_issue(), x in arb_issue()) {
            prop_assert_eq!(&merge_issue(Some(&base), &x, &base).issue, &x);
            prop_assert_eq!(&merge_issue(Some(&base), &base, &x).issue, &x);
        }

        #[test]
        fn the_merge_is_symmetric(base in arb_issue(), a in arb_issue(), b in arb_issue()) {
            let ab = merge_issue(Some(&base), &a, &b);
            let ba = merge_issue(Some(&base), &b, &a);
            // Scalars, dates and dropped values do not depend on which side
            // is ours; lists agree as sets; a clean description agrees.
            let mut x = ab.issue.clone();
            let mut y = ba.issue.clone();
            prop_assert_eq!(as_set(&x.labels), as_set(&y.labels));
            prop_assert_eq!(as_set(&x.commits), as_set(&y.commits));
            prop_assert_eq!(ab.conflict, ba.conflict);
            if ab.conflict {
                x.body.clear();
                y.body.clear();
            }
            x.labels.clear(); y.labels.clear();
            x.commits.clear(); y.commits.clear();
            prop_assert_eq!(x, y);
            prop_assert_eq!(ab.dropped, ba.dropped);
        }

        #[test]
        fn set_merges_keep_every_addition_and_every_removal(
            base in set(), ours in set(), theirs in set()
        ) {
            let m = merge_set(&base, &ours, &theirs);
            for x in ours.iter().chain(&theirs) {
                let added = !base.contains(x);
                let removed = base.contains(x) && (!ours.contains(x) || !theirs.contains(x));
                prop_assert_eq!(m.contains(x), added || !removed, "{}", x);
            }
            for x in &m {
                prop_assert!(ours.contains(x) || theirs.contains(x));
            }
        }

        #[test]
        fn text_merges_follow_the_same_laws(base in body(), x in body()) {
            prop_assert_eq!(merge_text(&x, &x, &x), (x.clone(), false));
            prop_assert_eq!(merge_text(&base, &x, &base), (x.clone(), false));
            prop_assert_eq!(merge_text(&base, &base, &x), (x.clone(), false));
        }
    }
}
