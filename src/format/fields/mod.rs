//! The fields of an issue file, each described once.
//!
//! A row of [`FIELDS`] says what a field is called, what kind of value it
//! holds, and how it merges, is searched, sorted, set from the command line
//! and described in a commit message. Printing, parsing, JSON, `set`, the
//! editor's merge, sync's merge, the query language and the index all walk
//! this table; none of them names a field of its own accord. Adding a field
//! is one row here, plus the member of [`Issue`] it reads and writes.

mod spec;

pub use spec::{Describe, FieldSpec, Kind, Merge, Search, Set};

use super::Issue;
use super::config::Vocabulary;
pub use super::value::{Val, Value};

/// Every field an issue file may carry, in canonical order.
pub static FIELDS: &[FieldSpec] = &[
    FieldSpec {
        search: Search::Word("id"),
        ..FieldSpec::member(
            "id",
            Kind::Text,
            "a ULID that never changes, even when the key does",
            |i| Val::Text(&i.id),
            |i, v| i.id = v.into_text(),
        )
    },
    FieldSpec {
        sort: true,
        set: Set::Yes,
        ..FieldSpec::member(
            "title",
            Kind::Text,
            "one line",
            |i| Val::Text(&i.title),
            |i, v| i.title = v.into_text(),
        )
    },
    FieldSpec {
        vocabulary: Some(Vocabulary::Type),
        search: Search::Word("type"),
        sort: true,
        set: Set::Yes,
        ..FieldSpec::member(
            "type",
            Kind::Text,
            "one of tracker.yml's types",
            |i| Val::Text(&i.kind),
            |i, v| i.kind = v.into_text(),
        )
    },
    FieldSpec {
        vocabulary: Some(Vocabulary::Status),
        search: Search::Word("status"),
        sort: true,
        set: Set::Yes,
        ..FieldSpec::member(
            "status",
            Kind::Text,
            "one of tracker.yml's statuses",
            |i| Val::Text(&i.status),
            |i, v| i.status = v.into_text(),
        )
    },
    FieldSpec {
        vocabulary: Some(Vocabulary::Priority),
        search: Search::Ranked("priority"),
        sort: true,
        set: Set::Yes,
        ..FieldSpec::member(
            "priority",
            Kind::Text,
            "one of tracker.yml's priorities, most urgent first",
            |i| Val::Text(&i.priority),
            |i, v| i.priority = v.into_text(),
        )
    },
    FieldSpec {
        vocabulary: Some(Vocabulary::Severity),
        search: Search::Ranked("severity"),
        set: Set::Yes,
        ..FieldSpec::member(
            "severity",
            Kind::Optional,
            "one of tracker.yml's severities",
            |i| Val::Optional(i.severity.as_deref()),
            |i, v| i.severity = v.into_optional(),
        )
    },
    FieldSpec {
        merge: Merge::Set,
        search: Search::Word("label"),
        counted: true,
        set: Set::Yes,
        ..FieldSpec::member(
            "labels",
            Kind::List,
            "a comma list; +label and -label add and remove one",
            |i| Val::List(&i.labels),
            |i, v| i.labels = v.into_list(),
        )
    },
    FieldSpec {
        search: Search::Word("milestone"),
        counted: true,
        set: Set::Yes,
        ..FieldSpec::member(
            "milestone",
            Kind::Optional,
            "a release name, like v0.7.0",
            |i| Val::Optional(i.milestone.as_deref()),
            |i, v| i.milestone = v.into_optional(),
        )
    },
    FieldSpec {
        search: Search::Word("assignee"),
        counted: true,
        set: Set::Yes,
        ..FieldSpec::member(
            "assignee",
            Kind::Optional,
            "who works on it",
            |i| Val::Optional(i.assignee.as_deref()),
            |i, v| i.assignee = v.into_optional(),
        )
    },
    FieldSpec {
        search: Search::Word("reporter"),
        set: Set::Yes,
        ..FieldSpec::member(
            "reporter",
            Kind::Optional,
            "who filed it",
            |i| Val::Optional(i.reporter.as_deref()),
            |i, v| i.reporter = v.into_optional(),
        )
    },
    FieldSpec {
        search: Search::Word("reporter_email"),
        set: Set::Yes,
        ..FieldSpec::stored(
            "reporter_email",
            Kind::Optional,
            "the email of who reported it, when someone filed it for them",
        )
    },
    FieldSpec {
        search: Search::Word("component"),
        counted: true,
        set: Set::Yes,
        ..FieldSpec::member(
            "component",
            Kind::Optional,
            "the part of the project it concerns",
            |i| Val::Optional(i.component.as_deref()),
            |i, v| i.component = v.into_optional(),
        )
    },
    FieldSpec {
        vocabulary: Some(Vocabulary::Category),
        search: Search::Word("category"),
        set: Set::Yes,
        ..FieldSpec::stored(
            "category",
            Kind::Optional,
            "one of tracker.yml's categories: what kind of problem it is",
        )
    },
    FieldSpec {
        merge: Merge::Entries,
        search: Search::Word("env"),
        set: Set::Yes,
        ..FieldSpec::stored(
            "env",
            Kind::Map,
            "where it happens: browser=Firefox, os=Linux, url, version (name=value pairs)",
        )
    },
    FieldSpec {
        search: Search::Word("fingerprint"),
        set: Set::Yes,
        ..FieldSpec::stored(
            "fingerprint",
            Kind::Optional,
            "what `record` matches a recurring error by (see issue-format.md)",
        )
    },
    FieldSpec {
        search: Search::Word("error_type"),
        set: Set::Yes,
        ..FieldSpec::stored(
            "error_type",
            Kind::Optional,
            "the class of a recorded error, like TimeoutError",
        )
    },
    FieldSpec {
        set: Set::Yes,
        ..FieldSpec::stored(
            "error",
            Kind::Optional,
            "the message of a recorded error, as first recorded",
        )
    },
    FieldSpec {
        merge: Merge::Set,
        set: Set::Yes,
        ..FieldSpec::stored(
            "suggested_fixes",
            Kind::List,
            "fixes suggested when the error was recorded, a comma list",
        )
    },
    FieldSpec {
        merge: Merge::Set,
        set: Set::Yes,
        ..FieldSpec::stored(
            "system_changes",
            Kind::List,
            "changes to the system the error calls for, a comma list",
        )
    },
    FieldSpec {
        merge: Merge::Set,
        describe: Describe::Abbreviated(12),
        ..FieldSpec::member(
            "commits",
            Kind::List,
            "linked commits, full ids",
            |i| Val::List(&i.commits),
            |i, v| i.commits = v.into_list(),
        )
    },
    FieldSpec {
        merge: Merge::Set,
        search: Search::Word("path"),
        set: Set::Yes,
        ..FieldSpec::stored(
            "paths",
            Kind::List,
            "files or folders of the repository it concerns, FILE or FILE:SYMBOL",
        )
    },
    FieldSpec {
        merge: Merge::Set,
        set: Set::Yes,
        ..FieldSpec::member(
            "prs",
            Kind::List,
            "linked pull requests, a comma list",
            |i| Val::List(&i.prs),
            |i, v| i.prs = v.into_list(),
        )
    },
    FieldSpec {
        search: Search::Word("duplicate_of"),
        set: Set::Keys,
        ..FieldSpec::member(
            "duplicate_of",
            Kind::Optional,
            "the key of the issue this one duplicates",
            |i| Val::Optional(i.duplicate_of.as_deref()),
            |i, v| i.duplicate_of = v.into_optional(),
        )
    },
    FieldSpec {
        merge: Merge::Set,
        set: Set::Keys,
        ..FieldSpec::member(
            "related",
            Kind::List,
            "keys of related issues, a comma list",
            |i| Val::List(&i.related),
            |i, v| i.related = v.into_list(),
        )
    },
    FieldSpec {
        merge: Merge::Set,
        search: Search::Word("alias"),
        ..FieldSpec::member(
            "aliases",
            Kind::List,
            "keys this issue had before a sync renumbered it",
            |i| Val::List(&i.aliases),
            |i, v| i.aliases = v.into_list(),
        )
    },
    FieldSpec {
        search: Search::Word("confidential"),
        set: Set::Yes,
        ..FieldSpec::member(
            "confidential",
            Kind::Flag,
            "true keeps it off the site unless asked for",
            |i| Val::Flag(i.confidential),
            |i, v| i.confidential = v.into_flag(),
        )
    },
    FieldSpec {
        set: Set::Yes,
        ..FieldSpec::stored(
            "known",
            Kind::Flag,
            "a known issue: on the site's Known issues page, with its workaround",
        )
    },
    // Votes a number one clone would overwrite: kept as read (imported
    // counts, votes from before `voters`), never changed by a vote.
    FieldSpec::member(
        "votes",
        Kind::Count,
        "votes without a name: imported, or cast before voters were kept",
        |i| Val::Count(i.votes),
        |i, v| i.votes = v.into_count(),
    ),
    FieldSpec {
        merge: Merge::Set,
        search: Search::Word("voter"),
        ..FieldSpec::stored(
            "voters",
            Kind::List,
            "emails of who voted \"me too\" (git issue vote), one vote each",
        )
    },
    FieldSpec {
        search: Search::Time("created"),
        sort: true,
        describe: Describe::Changed,
        ..FieldSpec::member(
            "created",
            Kind::Time,
            "when it was filed",
            |i| Val::Time(i.created),
            |i, v| i.created = v.into_time(),
        )
    },
    FieldSpec {
        merge: Merge::Latest,
        search: Search::Time("updated"),
        sort: true,
        describe: Describe::Silent,
        ..FieldSpec::member(
            "updated",
            Kind::Time,
            "when it last changed",
            |i| Val::Time(i.updated),
            |i, v| i.updated = v.into_time(),
        )
    },
    FieldSpec {
        search: Search::Time("resolved"),
        describe: Describe::FollowsStatus,
        ..FieldSpec::member(
            "resolved",
            Kind::OptionalTime,
            "when it entered a closed status",
            |i| Val::OptionalTime(i.resolved),
            |i, v| i.resolved = v.into_optional_time(),
        )
    },
    FieldSpec {
        merge: Merge::Entries,
        describe: Describe::Changed,
        ..FieldSpec::stored(
            "bridge",
            Kind::Map,
            "where it came from: service, project, id, key, url and when it was last synced",
        )
    },
];

/// Values computed from an issue's fields or its other files, never written
/// in its file: the votes in all, and the sum of its occurrence files
/// (`issue-format.md`, "Occurrence files"). They are searched, sorted,
/// indexed and printed in JSON like the fields above; reading and writing
/// issue files, merging and `set` leave them alone. A row with a `get`
/// computes its value from the issue; the others are kept in
/// [`Issue::more`] by name when the issue is read with its other files.
pub static COMPUTED: &[FieldSpec] = &[
    FieldSpec {
        search: Search::Number("votes"),
        sort: true,
        describe: Describe::Silent,
        ..FieldSpec::member(
            "vote_count",
            Kind::Count,
            "every vote: `votes` plus one for each of `voters`",
            |i| Val::Count(vote_count(i)),
            |_, _| {},
        )
    },
    FieldSpec {
        search: Search::Number("occurrences"),
        sort: true,
        describe: Describe::Silent,
        ..FieldSpec::stored(
            "occurrences",
            Kind::Count,
            "how many times a recorded error happened, summed over its occurrence files",
        )
    },
    FieldSpec {
        search: Search::Time("first_seen"),
        sort: true,
        describe: Describe::Silent,
        ..FieldSpec::stored(
            "first_seen",
            Kind::OptionalTime,
            "when a recorded error first happened",
        )
    },
    FieldSpec {
        search: Search::Time("last_seen"),
        sort: true,
        describe: Describe::Silent,
        ..FieldSpec::stored(
            "last_seen",
            Kind::OptionalTime,
            "when a recorded error last happened",
        )
    },
];

/// The votes of an issue in all: the votes without a name (`votes`) and
/// one for each voter.
pub fn vote_count(issue: &Issue) -> u64 {
    let voters = match issue.get(named("voters")) {
        Val::List(v) => v.len() as u64,
        _ => 0,
    };
    issue.votes.saturating_add(voters)
}

/// Every field a query reaches: the file's, then the computed ones.
pub fn every() -> impl Iterator<Item = &'static FieldSpec> {
    FIELDS.iter().chain(COMPUTED)
}

/// The row of a computed value the program relies on.
pub fn computed(name: &str) -> &'static FieldSpec {
    match COMPUTED.iter().find(|f| f.name == name) {
        Some(f) => f,
        None => panic!("the computed fields have no row {name:?}"),
    }
}

/// The row of a field, by its name in the file.
pub fn field(name: &str) -> Option<&'static FieldSpec> {
    FIELDS.iter().find(|f| f.name == name)
}

/// The row of a field the program itself relies on (`status`, `labels`).
/// The table is static, so a missing row is a bug a test catches.
pub fn named(name: &str) -> &'static FieldSpec {
    match field(name) {
        Some(f) => f,
        None => panic!("the field table has no row {name:?}"),
    }
}

/// The row a query qualifier reaches.
pub fn by_qualifier(qualifier: &str) -> Option<&'static FieldSpec> {
    every().find(|f| f.qualifier() == Some(qualifier))
}

/// The row `sort:NAME` orders by: by its name, or by its qualifier
/// (`sort:votes` orders by `vote_count`, what `votes:>5` reaches).
pub fn by_sort_name(name: &str) -> Option<&'static FieldSpec> {
    every()
        .find(|f| f.sort && f.name == name)
        .or_else(|| every().find(|f| f.sort && f.qualifier() == Some(name)))
}

/// The fields `git issue set` can change, in table order.
pub fn settable() -> impl Iterator<Item = &'static FieldSpec> {
    FIELDS.iter().filter(|f| f.set != Set::No)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;

    fn sample() -> Issue {
        let t = Timestamp::from_second(1_700_000_000).unwrap();
        let mut i = Issue::new(
            "01".into(),
            "Crash".into(),
            "bug".into(),
            "open".into(),
            "p2".into(),
            t,
        );
        i.labels = vec!["ui".into()];
        i.severity = Some("high".into());
        i.votes = 3;
        i.confidential = true;
        i.resolved = Some(t);
        i
    }

    #[test]
    fn every_row_reads_back_what_it_writes() {
        let original = sample();
        let mut copy = Issue::blank();
        for f in FIELDS {
            let v = original.get(f).to_value();
            copy.put(f, v);
        }
        copy.body.clone_from(&original.body);
        assert_eq!(copy, original);
    }

    #[test]
    fn a_values_kind_is_its_rows_kind() {
        let issue = sample();
        for f in FIELDS {
            let v = issue.get(f);
            let kind = match v {
                Val::Text(_) => Kind::Text,
                Val::Optional(_) => Kind::Optional,
                Val::List(_) => Kind::List,
                Val::Flag(_) => Kind::Flag,
                Val::Count(_) => Kind::Count,
                Val::Time(_) => Kind::Time,
                Val::OptionalTime(_) => Kind::OptionalTime,
                Val::Map(_) => Kind::Map,
            };
            assert_eq!(kind, f.kind, "{}", f.name);
        }
    }

    #[test]
    fn names_and_qualifiers_are_unique() {
        let mut names = std::collections::HashSet::new();
        let mut qualifiers = std::collections::HashSet::new();
        for f in every() {
            assert!(names.insert(f.name), "{} twice", f.name);
            if let Some(q) = f.qualifier() {
                assert!(qualifiers.insert(q), "qualifier {q} twice");
            }
        }
    }
}
