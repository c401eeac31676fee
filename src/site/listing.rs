//! Paged listings: the whole issue list, and the issues of one label or
//! milestone, newest first, [`PAGE`] to a page.
//!
//! Pages are anchored at the oldest end so that what changes often, a new
//! issue, touches the first page only: the whole list is cut by issue number
//! (`list/<n>.html` holds the numbers `n*100` to `n*100+99`, like the
//! branch's buckets), a label's or milestone's issues by their position
//! counted from the oldest. The first page (`index.html`, `labels/<slug>.html`)
//! shows the newest pages together, at least [`PAGE`] issues. Without
//! JavaScript, newer/older links walk the pages.

use super::views::{Frame, ListingKind, ListingPage, PAGE, Row, slug};

fn page(
    frame: &Frame,
    kind: ListingKind,
    name: Option<&str>,
    path: String,
    root: &'static str,
    rows: Vec<Row>,
) -> ListingPage {
    ListingPage {
        frame: frame.clone(),
        kind,
        path,
        root,
        name: name.map(str::to_owned),
        totals: None,
        milestone: None,
        rows,
        newer: None,
        older: None,
        narrowed: false,
    }
}

/// Newest first.
fn newest_first(rows: &[&Row]) -> Vec<Row> {
    rows.iter().rev().map(|r| (*r).clone()).collect()
}

/// How the whole list is cut into pages: the buckets of [`PAGE`] numbers
/// that have issues, oldest first, with where their rows start, and which
/// of them is the first on the first page. Two lists with the same layout
/// have the same pages with the same links; only the rows differ.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Layout {
    buckets: Vec<(u64, usize)>,
    first: usize,
}

impl Layout {
    /// The layout of a list of `numbers`, increasing.
    pub fn of(numbers: impl Iterator<Item = u64>) -> Layout {
        let mut buckets: Vec<(u64, usize)> = Vec::new();
        let mut len = 0;
        for (i, n) in numbers.enumerate() {
            let b = n / PAGE as u64;
            if buckets.last().is_none_or(|(last, _)| *last != b) {
                buckets.push((b, i));
            }
            len = i + 1;
        }
        // The first page: the newest buckets, until they hold a page's worth.
        let mut first = buckets.len().saturating_sub(1);
        while first > 0 && len - buckets[first].1 < PAGE {
            first -= 1;
        }
        Layout { buckets, first }
    }

    /// The buckets of the pages after the first, newest first.
    pub fn older(&self) -> impl Iterator<Item = u64> + '_ {
        self.buckets[..self.first].iter().rev().map(|(b, _)| *b)
    }
}

/// The whole list, `rows` by number: `index.html` (when `top`), then
/// `list/<n>.html`; of those, only the pages of the buckets in `only` when
/// given.
pub fn by_number(
    frame: &Frame,
    rows: &[&Row],
    only: Option<&std::collections::BTreeSet<u64>>,
    top: bool,
) -> Vec<ListingPage> {
    let Layout { buckets, first } = Layout::of(rows.iter().map(|r| r.number));
    let mut pages = Vec::new();
    if top {
        let top_start = buckets.get(first).map_or(0, |b| b.1);
        let mut p = page(
            frame,
            ListingKind::All,
            None,
            "index.html".to_owned(),
            "",
            newest_first(&rows[top_start..]),
        );
        if first > 0 {
            p.older = Some(format!("list/{}.html", buckets[first - 1].0));
        }
        pages.push(p);
    }
    for i in (0..first).rev() {
        let (b, start) = buckets[i];
        if only.is_some_and(|o| !o.contains(&b)) {
            continue;
        }
        let end = buckets.get(i + 1).map_or(rows.len(), |n| n.1);
        let mut p = page(
            frame,
            ListingKind::All,
            None,
            format!("list/{b}.html"),
            "../",
            newest_first(&rows[start..end]),
        );
        p.newer = Some(if i + 1 >= first {
            "../index.html".to_owned()
        } else {
            format!("{}.html", buckets[i + 1].0)
        });
        p.older = (i > 0).then(|| format!("{}.html", buckets[i - 1].0));
        pages.push(p);
    }
    pages
}

/// The issues of one label or milestone, `rows` by number:
/// `<folder>/<slug>.html`, then `<folder>/<slug>-<n>.html`. Never empty.
pub fn by_position(
    frame: &Frame,
    kind: ListingKind,
    name: &str,
    rows: &[&Row],
) -> Vec<ListingPage> {
    let folder = match kind {
        ListingKind::Milestone => "milestones",
        _ => "labels",
    };
    let s = slug(name);
    let chunks = rows.len().div_ceil(PAGE);
    // Chunks from `first` on go on the first page: at least a page's worth.
    let first = match rows.len() - chunks.saturating_sub(1) * PAGE {
        _ if chunks <= 1 => 0,
        last if last == PAGE => chunks - 1,
        _ => chunks - 2,
    };
    let mut pages = vec![page(
        frame,
        kind,
        Some(name),
        format!("{folder}/{s}.html"),
        "../",
        newest_first(&rows[first * PAGE..]),
    )];
    if first > 0 {
        pages[0].older = Some(format!("{s}-{}.html", first - 1));
    }
    for c in (0..first).rev() {
        let mut p = page(
            frame,
            kind,
            Some(name),
            format!("{folder}/{s}-{c}.html"),
            "../",
            newest_first(&rows[c * PAGE..(c + 1) * PAGE]),
        );
        p.newer = Some(if c + 1 >= first {
            format!("{s}.html")
        } else {
            format!("{s}-{}.html", c + 1)
        });
        p.older = (c > 0).then(|| format!("{s}-{}.html", c - 1));
        pages.push(p);
    }
    pages
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Plain open rows of these numbers (other tests of the site vary
    /// them).
    pub(crate) fn rows(numbers: impl Iterator<Item = u64>) -> Vec<Row> {
        numbers
            .map(|n| Row {
                key: format!("BC-{n}"),
                number: n,
                title: String::new(),
                status: "open".into(),
                closed: false,
                kind: "bug".into(),
                priority: "p2".into(),
                priority_rank: 2,
                severity: None,
                labels: Vec::new(),
                milestone: None,
                assignee: None,
                component: None,
                created: 0,
                updated: 0,
                resolved: None,
            })
            .collect()
    }

    fn frame() -> Frame {
        Frame {
            project: "p".into(),
            base_url: None,
            live: None,
        }
    }

    /// Every issue on exactly one page, the first page full, the links a
    /// chain from the first page to the last and back.
    fn check(pages: &[ListingPage], n: usize) {
        let mut seen: Vec<u64> = pages
            .iter()
            .flat_map(|p| p.rows.iter().map(|r| r.number))
            .collect();
        assert_eq!(seen.len(), n, "every issue once");
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), n);
        assert!(
            pages[0].rows.len() >= PAGE.min(n),
            "{}",
            pages[0].rows.len()
        );
        for w in pages.windows(2) {
            let older = w[0].older.as_deref().unwrap();
            assert!(w[1].path.ends_with(older), "{} -> {older}", w[0].path);
            let newer = w[1].newer.as_deref().unwrap();
            assert!(
                w[0].path.ends_with(newer.trim_start_matches("../")),
                "{} <- {newer}",
                w[1].path
            );
            // Newest first, across pages too.
            assert!(w[0].rows.last().unwrap().number > w[1].rows[0].number);
        }
        assert!(pages.last().unwrap().older.is_none());
    }

    #[test]
    fn the_whole_list_pages_by_number_and_a_new_issue_changes_the_first_page_only() {
        for n in [0u64, 1, 99, 100, 101, 250, 1000, 1234] {
            let rs = rows(1..=n);
            let refs: Vec<&Row> = rs.iter().collect();
            let pages = by_number(&frame(), &refs, None, true);
            check(&pages, n as usize);
            let rs2 = rows(1..=n + 1);
            let refs2: Vec<&Row> = rs2.iter().collect();
            let after = by_number(&frame(), &refs2, None, true);
            // Older pages keep their rows (their links may change).
            for p in pages.iter().skip(2) {
                let q = after.iter().find(|q| q.path == p.path).unwrap();
                let a: Vec<u64> = p.rows.iter().map(|r| r.number).collect();
                let b: Vec<u64> = q.rows.iter().map(|r| r.number).collect();
                assert_eq!(a, b, "{}", p.path);
            }
        }
        // Gaps (deleted issues) leave no empty page.
        let rs = rows((1..=1000).filter(|n| !(300..500).contains(n)));
        let refs: Vec<&Row> = rs.iter().collect();
        let pages = by_number(&frame(), &refs, None, true);
        check(&pages, 800);
        assert!(pages.iter().all(|p| !p.rows.is_empty()));
    }

    #[test]
    fn a_label_pages_by_position() {
        for n in [1u64, 99, 100, 101, 200, 201, 1234] {
            let rs = rows((1..=n).map(|i| i * 7));
            let refs: Vec<&Row> = rs.iter().collect();
            let pages = by_position(&frame(), ListingKind::Label, "ui", &refs);
            check(&pages, n as usize);
            assert!(pages[0].path.starts_with("labels/ui-"));
        }
    }
}
