//! The orders `list` and `search` can sort issues in: by key, or by any
//! field the table marks sortable.

use std::cmp::Ordering;
use std::str::FromStr;

use crate::format::fields::{self, FieldSpec, Kind};
use crate::format::{Config, Issue, Key};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    Key,
    Field(&'static FieldSpec),
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

/// How a sortable field orders: by its place in `tracker.yml`'s list, by
/// time or number, or by text.
pub enum SortKey {
    Rank(u64),
    Number(u64),
    Text(String),
}

/// The sort key of one issue by a sortable field.
pub fn sort_key(f: &FieldSpec, issue: &Issue, config: &Config) -> SortKey {
    let v = issue.get(f);
    if let Some(vocab) = f.vocabulary {
        let text = v.texts().first().copied().unwrap_or_default();
        return SortKey::Rank(Config::rank(config.values(vocab), text));
    }
    if matches!(f.kind, Kind::Time | Kind::OptionalTime) {
        // An absent time sorts as the earliest.
        return SortKey::Number(v.time().map_or(0, |t| t.as_second().max(0) as u64));
    }
    if let Some(n) = v.count() {
        return SortKey::Number(n);
    }
    SortKey::Text(
        v.texts()
            .first()
            .copied()
            .unwrap_or_default()
            .to_lowercase(),
    )
}

impl Sort {
    /// Orders two issues as the index does: by the field, then by number,
    /// the whole order reversed for descending.
    pub fn compare(&self, a: (&Key, &Issue), b: (&Key, &Issue), config: &Config) -> Ordering {
        let primary = match self.field {
            SortField::Key => Ordering::Equal,
            SortField::Field(f) => match (sort_key(f, a.1, config), sort_key(f, b.1, config)) {
                (SortKey::Rank(x), SortKey::Rank(y)) | (SortKey::Number(x), SortKey::Number(y)) => {
                    x.cmp(&y)
                }
                (SortKey::Text(x), SortKey::Text(y)) => x.cmp(&y),
                _ => Ordering::Equal,
            },
        };
        let order = primary.then_with(|| a.0.number.cmp(&b.0.number));
        if self.descending {
            order.reverse()
        } else {
            order
        }
    }
}

/// The names `sort:` takes, for messages.
fn names() -> Vec<&'static str> {
    let mut names = vec!["key"];
    names.extend(fields::every().filter(|f| f.sort).map(|f| f.name));
    names
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
            name => match fields::by_sort_name(name) {
                Some(f) => SortField::Field(f),
                None => {
                    let names = names();
                    let (last, init) = names.split_last().unwrap_or((&"key", &[]));
                    return Err(format!(
                        "cannot sort by {name:?}; use {} or {last}, with -asc or -desc",
                        init.join(", ")
                    ));
                }
            },
        };
        // Times and counts read biggest first unless asked otherwise; the
        // rest read in their natural order (p0 before p3, A before Z).
        let descending = descending.unwrap_or(match field {
            SortField::Key => true,
            SortField::Field(f) => matches!(f.kind, Kind::Time | Kind::OptionalTime | Kind::Count),
        });
        Ok(Sort { field, descending })
    }
}
