//! The views of the listing, board, milestone, label, notes, dashboard,
//! search and known-issues pages, and the set of every page.

use super::*;

/// Which issues a listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ListingKind {
    /// Every issue: `index.html` and `list/<n>.html`.
    All,
    Label,
    Milestone,
}

/// One page of a paged issue listing, newest first. Pages are anchored at
/// the oldest issue (by number for the whole list, by position for a label
/// or milestone), so a new issue changes the first page only, not every
/// page after it; the first page shows at least [`PAGE`] issues.
#[derive(Debug, Clone, Serialize)]
pub struct ListingPage {
    pub frame: Frame,
    pub kind: ListingKind,
    /// Its path in the site, `labels/ui-1a2b3c4d-2.html`.
    pub path: String,
    /// `""` at the top of the site, `"../"` one folder down.
    pub root: &'static str,
    /// What the listing is of: the label or milestone name.
    pub name: Option<String>,
    /// On the first page: the counts over the whole listing.
    pub totals: Option<Totals>,
    /// On a milestone's first page: its progress.
    pub milestone: Option<MilestoneSummary>,
    pub rows: Vec<Row>,
    /// Links to the neighbouring pages, relative to this one.
    pub newer: Option<String>,
    pub older: Option<String>,
    /// Served narrowed by a query (the board's "and N more"): the rows are
    /// the answer, [`Live::addition`] says to what; no browser filters,
    /// which know no query language.
    pub narrowed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    pub open: usize,
    pub closed: usize,
    /// Issue files that did not parse (the whole list only).
    pub problems: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub status: String,
    pub cards: Vec<Row>,
    /// Cards left out (the closed column shows the latest only).
    pub more: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct BoardPage {
    pub frame: Frame,
    pub columns: Vec<Column>,
    /// The query narrowing it (`git issue serve`'s `?q=`), empty when none:
    /// a column's "and N more" links to the list of its answer.
    pub query: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MilestoneSummary {
    pub name: String,
    pub slug: String,
    pub open: usize,
    pub closed: usize,
    pub has_notes: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct MilestonesPage {
    pub frame: Frame,
    pub milestones: Vec<MilestoneSummary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LabelCount {
    pub name: String,
    pub slug: String,
    pub open: usize,
    pub closed: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct LabelsPage {
    pub frame: Frame,
    pub labels: Vec<LabelCount>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NotesSection {
    pub heading: String,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NotesPage {
    pub frame: Frame,
    pub milestone: String,
    pub milestone_slug: String,
    pub sections: Vec<NotesSection>,
    /// Issues of the milestone still open: its known limitations.
    pub open: Vec<Row>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Week {
    /// The Monday that starts it, `2026-01-05`.
    pub start: String,
    pub created: usize,
    pub resolved: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct DashboardPage {
    pub frame: Frame,
    pub open: usize,
    pub closed: usize,
    pub by_severity: Vec<(String, usize)>,
    pub by_priority: Vec<(String, usize)>,
    pub weeks: Vec<Week>,
    /// Seconds, over the issues that have a `resolved` time.
    pub median_resolve: Option<i64>,
    pub resolved_count: usize,
    pub components: Vec<(String, usize)>,
    /// Recorded errors with the most occurrences, most first.
    pub recurring: Vec<Recurring>,
    /// What `git issue stats` says of the site's issues, over the chart's
    /// weeks; `None` without issues.
    pub support: Option<crate::tracker::stats::SupportMetrics>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchPage {
    pub frame: Frame,
}

/// An open known issue, as the Known issues page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct KnownIssue {
    pub row: Row,
    /// "Me too": voters plus votes without a name.
    pub votes: u64,
    /// Markdown: the `Workaround` section of its description.
    pub workaround: Option<String>,
}

/// The open issues flagged `known`, most votes first.
#[derive(Debug, Clone, Serialize)]
pub struct KnownPage {
    pub frame: Frame,
    pub issues: Vec<KnownIssue>,
}

/// Every page of the site; issue pages are made one by one with
/// [`issue_page`] as they are written.
pub struct Site {
    pub pages: Pages,
    /// The data files the scripts fetch (see [`super::data`]).
    pub data: Vec<crate::site::data::DataFile>,
}

/// The pages over many issues, and the rows they are made of.
pub struct Pages {
    pub frame: Frame,
    /// Every issue as lists show it, by number.
    pub rows: Vec<Row>,
    /// `tracker.yml`'s statuses, then the others issues have.
    pub statuses: Vec<String>,
    pub listings: Vec<ListingPage>,
    pub board: BoardPage,
    pub milestones: MilestonesPage,
    pub labels: LabelsPage,
    pub notes: Vec<NotesPage>,
    pub dashboard: DashboardPage,
    pub search: SearchPage,
    pub known: KnownPage,
    /// The issues closed as duplicates of each issue, by the original's
    /// key, each list by number.
    pub duplicates: HashMap<String, Vec<IssueLink>>,
}
