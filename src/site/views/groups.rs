//! The listings and release notes, made a group at a time: the whole list
//! in runs of its buckets, then each label's pages, then each milestone's
//! with its release notes. A whole export renders and writes each group
//! and drops it before making the next, so that memory holds one group's
//! rows, not a copy of every row in every listing it is in (at 100,000
//! issues that copy was 170 MB); [`Pages::assemble_touched`] collects them.

use super::*;

/// Buckets of the whole list made at a time: 10,000 rows.
const BUCKETS_AT_A_TIME: usize = 100;

/// One group's pages: a run of the whole list's, a label's or a
/// milestone's listing pages, and a milestone's release notes.
pub struct Group {
    pub listings: Vec<ListingPage>,
    pub notes: Option<NotesPage>,
}

fn totals(rs: &[&Row]) -> Totals {
    Totals {
        open: rs.iter().filter(|r| !r.closed).count(),
        closed: rs.iter().filter(|r| r.closed).count(),
        problems: 0,
    }
}

fn shipped(r: &Row) -> bool {
    r.closed && release::is_shipped(&r.status)
}

/// The summary of the milestone `name` of `rows`, as the milestones page
/// and its listing's first page show it.
pub fn summary(name: &str, rows: &[&Row]) -> MilestoneSummary {
    let t = totals(rows);
    MilestoneSummary {
        name: name.to_owned(),
        slug: slug(name),
        open: t.open,
        closed: t.closed,
        has_notes: rows.iter().any(|r| shipped(r)),
    }
}

/// The rows of each label and of each milestone, by name, each by number.
pub type ByName<'a> = BTreeMap<&'a str, Vec<&'a Row>>;

/// `rows` (by number) by label and by milestone.
pub fn by_name(rows: &[Row]) -> (ByName<'_>, ByName<'_>) {
    let mut labels: ByName<'_> = BTreeMap::new();
    let mut milestones: ByName<'_> = BTreeMap::new();
    for r in rows {
        for l in &r.labels {
            labels.entry(l).or_default().push(r);
        }
        if let Some(m) = &r.milestone {
            milestones.entry(m).or_default().push(r);
        }
    }
    (labels, milestones)
}

/// Hands `put` the listings and release notes of `rows` (by number) that
/// `touched` names (every one when `None`), a group at a time, in the
/// order [`Pages::assemble_touched`] lists them; `problems` is how many
/// files did not parse, which the whole list's first page counts.
pub fn each_group<E>(
    rows: &[Row],
    problems: usize,
    frame: &Frame,
    touched: Option<&Touched>,
    mut put: impl FnMut(Group) -> Result<(), E>,
) -> Result<(), E> {
    let all: Vec<&Row> = rows.iter().collect();
    let layout = listing::Layout::of(rows.iter().map(|r| r.number));
    let only = touched.and_then(|t| t.buckets.as_ref());
    // The first page, then the other buckets a run at a time.
    let mut wanted: Vec<u64> = layout
        .older()
        .filter(|b| only.is_none_or(|o| o.contains(b)))
        .collect();
    let mut first = true;
    while first || !wanted.is_empty() {
        let run: std::collections::BTreeSet<u64> = wanted
            .drain(..wanted.len().min(BUCKETS_AT_A_TIME))
            .collect();
        let mut pages = listing::by_number(frame, &all, Some(&run), first);
        if first && let Some(top) = pages.first_mut() {
            top.totals = Some(Totals {
                problems,
                ..totals(&all)
            });
        }
        first = false;
        put(Group {
            listings: pages,
            notes: None,
        })?;
    }
    drop(all);
    let (labels, milestones) = by_name(rows);
    for (name, rs) in &labels {
        if touched.is_some_and(|t| !t.labels.contains(*name)) {
            continue;
        }
        let mut pages = listing::by_position(frame, ListingKind::Label, name, rs);
        pages[0].totals = Some(totals(rs));
        put(Group {
            listings: pages,
            notes: None,
        })?;
    }
    for (name, ms) in &milestones {
        if touched.is_some_and(|t| !t.milestones.contains(*name)) {
            continue;
        }
        let summary = summary(name, ms);
        let mut sections: BTreeMap<usize, Vec<Row>> = BTreeMap::new();
        for r in ms.iter().filter(|r| shipped(r)) {
            let pos = release::section_of(&r.kind);
            sections.entry(pos).or_default().push((*r).clone());
        }
        let notes = (!sections.is_empty()).then(|| NotesPage {
            frame: frame.clone(),
            milestone: (*name).to_owned(),
            milestone_slug: summary.slug.clone(),
            sections: sections
                .into_iter()
                .map(|(pos, rows)| NotesSection {
                    heading: release::SECTIONS[pos].to_owned(),
                    rows,
                })
                .collect(),
            open: ms
                .iter()
                .filter(|r| !r.closed)
                .map(|r| (*r).clone())
                .collect(),
        });
        let mut pages = listing::by_position(frame, ListingKind::Milestone, name, ms);
        pages[0].totals = Some(totals(ms));
        pages[0].milestone = Some(summary);
        put(Group {
            listings: pages,
            notes,
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The listing tests' rows, a quarter closed, a third labelled, a
    /// fifth in a milestone.
    fn rows(numbers: impl Iterator<Item = u64>) -> Vec<Row> {
        let mut rows = listing::tests::rows(numbers);
        for r in &mut rows {
            let n = r.number;
            r.closed = n % 4 == 0;
            if n % 3 == 0 {
                r.labels = vec!["ui".into()];
            }
            r.milestone = (n % 5 == 0).then(|| "v1".into());
        }
        rows
    }

    /// A list of more buckets than are made at a time: the same pages, in
    /// the same order, as the whole list made at once.
    #[test]
    fn the_whole_list_made_a_run_at_a_time_is_the_whole_list() {
        let frame = Frame {
            project: "p".into(),
            base_url: None,
            live: None,
        };
        // Gaps too: a bucket with no issue has no page.
        let rs = rows((1..=25_050).filter(|n| !(5_000..7_000).contains(n)));
        let mut groups = 0;
        let mut pages: Vec<ListingPage> = Vec::new();
        each_group::<()>(&rs, 3, &frame, None, |g| {
            groups += 1;
            pages.extend(g.listings);
            Ok(())
        })
        .unwrap();
        let all: Vec<&Row> = rs.iter().collect();
        let whole = listing::by_number(&frame, &all, None, true);
        let list: Vec<&ListingPage> = pages
            .iter()
            .filter(|p| p.kind == ListingKind::All)
            .collect();
        assert_eq!(list.len(), whole.len());
        for (a, b) in list.iter().zip(&whole) {
            assert_eq!(a.path, b.path);
            assert_eq!((&a.newer, &a.older), (&b.newer, &b.older), "{}", a.path);
            let numbers = |p: &ListingPage| p.rows.iter().map(|r| r.number).collect::<Vec<_>>();
            assert_eq!(numbers(a), numbers(b), "{}", a.path);
        }
        assert_eq!(list[0].path, "index.html");
        assert_eq!(list[0].totals.as_ref().map(|t| t.problems), Some(3));
        // Runs of the whole list, then the label's, then the milestone's.
        assert!(groups >= 4, "{groups} groups");
        assert!(
            pages
                .iter()
                .any(|p| p.path == "labels/ui.html" || p.path.starts_with("labels/ui-"))
        );
        assert!(pages.iter().any(|p| p.milestone.is_some()));
    }
}
