//! Which issues `list` shows, and in what order.

use std::cmp::Ordering;
use std::str::FromStr;

use super::Record;
use crate::format::{Config, Issue};

/// The filters of `list`. Values of one filter are alternatives (any may
/// match); different filters must all match. Without statuses, only open
/// issues match unless `all` is set.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub all: bool,
    pub statuses: Vec<String>,
    pub types: Vec<String>,
    pub priorities: Vec<String>,
    pub severities: Vec<String>,
    pub labels: Vec<String>,
    pub milestones: Vec<String>,
    pub assignees: Vec<String>,
    pub components: Vec<String>,
    pub sort: Sort,
    pub offset: usize,
    pub limit: Option<usize>,
}

fn any_of(wanted: &[String], value: Option<&str>) -> bool {
    wanted.is_empty() || value.is_some_and(|v| wanted.iter().any(|w| w == v))
}

impl Filter {
    pub fn matches(&self, issue: &Issue, config: &Config) -> bool {
        let status_ok = if self.statuses.is_empty() {
            self.all || !config.is_closed(&issue.status)
        } else {
            // `--status closed` means every closed status, as `open` does the open ones.
            self.statuses.iter().any(|s| {
                s == &issue.status
                    || (s == "closed"
                        && !config.statuses.iter().any(|x| x == "closed")
                        && config.is_closed(&issue.status))
            })
        };
        status_ok
            && any_of(&self.types, Some(&issue.kind))
            && any_of(&self.priorities, Some(&issue.priority))
            && any_of(&self.severities, issue.severity.as_deref())
            && (self.labels.is_empty() || issue.labels.iter().any(|l| self.labels.contains(l)))
            && any_of(&self.milestones, issue.milestone.as_deref())
            && any_of(&self.assignees, issue.assignee.as_deref())
            && any_of(&self.components, issue.component.as_deref())
    }

    /// Sorts, then keeps the page `offset` and `limit` ask for.
    pub fn sort(&self, records: &mut Vec<Record>, config: &Config) {
        let rank =
            |list: &[String], v: &str| list.iter().position(|x| x == v).unwrap_or(usize::MAX);
        records.sort_by(|a, b| {
            let (x, y) = (&a.issue, &b.issue);
            let primary = match self.sort.field {
                SortField::Key => Ordering::Equal,
                SortField::Created => x.created.cmp(&y.created),
                SortField::Updated => x.updated.cmp(&y.updated),
                SortField::Priority => rank(&config.priorities, &x.priority)
                    .cmp(&rank(&config.priorities, &y.priority)),
                SortField::Status => {
                    rank(&config.statuses, &x.status).cmp(&rank(&config.statuses, &y.status))
                }
                SortField::Title => x.title.to_lowercase().cmp(&y.title.to_lowercase()),
                SortField::Type => rank(&config.types, &x.kind).cmp(&rank(&config.types, &y.kind)),
            };
            let order = primary.then_with(|| a.key.number.cmp(&b.key.number));
            if self.sort.descending {
                order.reverse()
            } else {
                order
            }
        });
        if self.offset > 0 {
            records.drain(..self.offset.min(records.len()));
        }
        if let Some(limit) = self.limit {
            records.truncate(limit);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    Key,
    Created,
    Updated,
    Priority,
    Status,
    Title,
    Type,
}

/// A sort order: `updated`, `updated-desc`, `priority-asc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub field: SortField,
    pub descending: bool,
}

impl Default for Sort {
    /// Newest first, as `gh issue list` does.
    fn default() -> Self {
        Sort {
            field: SortField::Key,
            descending: true,
        }
    }
}

impl FromStr for Sort {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, descending) = if let Some(n) = s.strip_suffix("-desc") {
            (n, Some(true))
        } else if let Some(n) = s.strip_suffix("-asc") {
            (n, Some(false))
        } else {
            (s, None)
        };
        let field = match name {
            "key" | "number" => SortField::Key,
            "created" => SortField::Created,
            "updated" => SortField::Updated,
            "priority" => SortField::Priority,
            "status" => SortField::Status,
            "title" => SortField::Title,
            "type" => SortField::Type,
            _ => {
                return Err(format!(
                    "cannot sort by {name:?}; use key, created, updated, priority, status, title or type, with -asc or -desc"
                ));
            }
        };
        // Times read newest first unless asked otherwise; the rest read in
        // their natural order (p0 before p3, A before Z).
        let descending = descending.unwrap_or(matches!(
            field,
            SortField::Key | SortField::Created | SortField::Updated
        ));
        Ok(Sort { field, descending })
    }
}
