//! What a row of the field table says: the kinds of value, merge rules,
//! search qualifiers, `set` syntax and descriptions a field can have.

use std::fmt;

use crate::format::Issue;
use crate::format::config::Vocabulary;
use crate::format::value::{Val, Value};

/// What a field holds, which decides how it is written and read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text every issue has; empty counts as missing.
    Text,
    /// Text that may be absent; written only when set.
    Optional,
    /// Texts without repeats, one a line; written only when not empty.
    List,
    /// true or false; written only when true.
    Flag,
    /// A whole number; written only when not zero.
    Count,
    /// A time every issue has.
    Time,
    /// A time that may be absent.
    OptionalTime,
    /// Names to texts (`env: {browser: Firefox}`); written only when not
    /// empty, in name order.
    Map,
}

/// How two clones' changes to the field meet (see `tracker::merge`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Merge {
    /// Changed on one side: that side. On both: the later change wins and
    /// the loser is recorded.
    Scalar,
    /// Three-way, as a set: every addition and every removal counts.
    Set,
    /// Entry by entry, each entry as a scalar.
    Entries,
    /// The later of the two (the time of the last change).
    Latest,
}

/// How the query language reaches the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Search {
    /// Not a qualifier.
    None,
    /// `qualifier:value`, whole and case-insensitive; `no:qualifier` when
    /// the field may be empty.
    Word(&'static str),
    /// Like `Word`, and ranges in `tracker.yml`'s order: `priority:p0..p1`,
    /// `priority:>p2` (more urgent than p2).
    Ranked(&'static str),
    /// `created:>7d`, `resolved:2026-01-01..2026-02-01`.
    Time(&'static str),
    /// `votes:>5`, `votes:2..10`.
    Number(&'static str),
}

/// Whether and how `git issue set NAME=VALUE` changes the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Set {
    /// Kept by the tool (ids, times, linked commits): not settable.
    No,
    /// Any value of the field's kind (a comma list for lists).
    Yes,
    /// Issue keys, written canonical (`bc-3` becomes `BC-3`).
    Keys,
}

/// How a change of the field reads in a commit message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Describe {
    /// `status open -> resolved`, `labels +ui -auth`, `confidential true`.
    Value,
    /// Like `Value`, list items cut to this many characters (commit ids).
    Abbreviated(usize),
    /// `created changed`.
    Changed,
    /// `resolved changed`, unless the status changed too (which says it).
    FollowsStatus,
    /// Not mentioned (`updated` changes with every change).
    Silent,
}

/// One row of the table.
pub struct FieldSpec {
    /// The name in the file and in JSON.
    pub name: &'static str,
    pub kind: Kind,
    /// The values `tracker.yml` allows, when it lists them.
    pub vocabulary: Option<Vocabulary>,
    pub merge: Merge,
    pub search: Search,
    /// `sort:NAME` orders by this field (`tracker.yml`'s order for a field
    /// with a vocabulary, else the natural order of its kind).
    pub sort: bool,
    /// `labels` and `milestones` count issues by the values of the field.
    pub counted: bool,
    pub set: Set,
    pub describe: Describe,
    /// A one-line description, for `set --help` and the docs.
    pub help: &'static str,
    /// Reads the field from its member of [`Issue`]; `None` for a field
    /// kept in [`Issue::more`], by name.
    pub get: Option<for<'a> fn(&'a Issue) -> Val<'a>>,
    /// Writes the field to its member; `None` for a field in `more`.
    pub put: Option<fn(&mut Issue, Value)>,
}

impl FieldSpec {
    /// A field kept in a member of [`Issue`] (the fields every part of the
    /// program reads), with every rule at its plainest: scalar merge, not
    /// searched, not sorted, not settable, described by value.
    pub(super) const fn member(
        name: &'static str,
        kind: Kind,
        help: &'static str,
        get: for<'a> fn(&'a Issue) -> Val<'a>,
        put: fn(&mut Issue, Value),
    ) -> FieldSpec {
        FieldSpec {
            get: Some(get),
            put: Some(put),
            ..FieldSpec::stored(name, kind, help)
        }
    }

    /// A field kept by name in [`Issue::more`]: adding one needs nothing but
    /// its row.
    pub(super) const fn stored(name: &'static str, kind: Kind, help: &'static str) -> FieldSpec {
        FieldSpec {
            name,
            kind,
            vocabulary: None,
            merge: Merge::Scalar,
            search: Search::None,
            sort: false,
            counted: false,
            set: Set::No,
            describe: Describe::Value,
            help,
            get: None,
            put: None,
        }
    }

    /// The qualifier of the query language, if any.
    pub fn qualifier(&self) -> Option<&'static str> {
        match self.search {
            Search::None => None,
            Search::Word(q) | Search::Ranked(q) | Search::Time(q) | Search::Number(q) => Some(q),
        }
    }

    /// Whether the field may be empty (so `no:qualifier` means something).
    pub fn may_be_empty(&self) -> bool {
        matches!(
            self.kind,
            Kind::Optional | Kind::List | Kind::OptionalTime | Kind::Map
        )
    }

    /// Whether its values are one line of text each (a title, a label, a
    /// name), where a newline or a control character has no place.
    pub fn one_line(&self) -> bool {
        matches!(
            self.kind,
            Kind::Text | Kind::Optional | Kind::List | Kind::Map
        )
    }

    /// Whether every issue file must have it.
    pub fn required(&self) -> bool {
        matches!(self.kind, Kind::Text | Kind::Time)
    }
}

impl fmt::Debug for FieldSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl PartialEq for FieldSpec {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for FieldSpec {}

impl std::hash::Hash for FieldSpec {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}
