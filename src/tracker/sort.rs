//! The orders `list` and `search` can sort issues in.

use std::cmp::Ordering;
use std::str::FromStr;

use super::Record;
use crate::format::Config;

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

impl Sort {
    /// Sorts records as the index does: by the field, then by number, the
    /// whole order reversed for descending.
    pub fn apply(&self, records: &mut [Record], config: &Config) {
        let rank = Config::rank;
        records.sort_by(|a, b| {
            let (x, y) = (&a.issue, &b.issue);
            let primary = match self.field {
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
            if self.descending {
                order.reverse()
            } else {
                order
            }
        });
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
