//! The index against the query language's own evaluation, on issues made
//! in memory and an index in a temporary folder.

use jiff::Timestamp;

use super::*;
use crate::format::{Config, fields};
use crate::query::{Query, Sort, TextFields};

fn issue(n: u64, title: &str, status: &str, priority: &str, labels: &[&str]) -> (Key, Issue) {
    let t = Timestamp::from_second(1_700_000_000 + n as i64 * 3600).unwrap();
    let mut i = Issue::new(
        format!("01ID{n:022}"),
        title.to_owned(),
        "bug".to_owned(),
        status.to_owned(),
        priority.to_owned(),
        t,
    );
    i.labels = labels.iter().map(|l| (*l).to_owned()).collect();
    (Key::new("BC", n), i)
}

fn corpus() -> Vec<(Key, Issue)> {
    let mut v = vec![
        issue(1, "Login fails on Safari", "open", "p1", &["auth", "ui"]),
        issue(2, "Export is slow", "resolved", "p2", &["perf"]),
        issue(3, "Crash on login", "open", "p0", &["auth"]),
        issue(4, "Typo", "open", "p3", &[]),
    ];
    v[3].1.assignee = Some("Bob".into());
    v[1].1.votes = 7;
    v
}

fn built(config: &Config) -> (tempfile::TempDir, Index) {
    built_with(config, |_| ("", ""))
}

/// An index of [`corpus`], with the (public, internal) comments of each key.
fn built_with(
    config: &Config,
    comments: impl Fn(&Key) -> (&'static str, &'static str),
) -> (tempfile::TempDir, Index) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index");
    let (index, state) = Index::open_or_create(&path).unwrap();
    assert!(state.is_none());
    let updater = index.writer(1, 15_000_000).unwrap();
    for (key, issue) in &corpus() {
        let doc = IssueDoc {
            key,
            issue,
            comments: comments(key).0,
            internal: comments(key).1,
            days: &Default::default(),
        };
        updater.apply(Update::Issue(doc), config).unwrap();
    }
    let problem = Problem::whole("issues/0/BC-5.md", "broken");
    updater
        .apply(Update::Problem(Key::new("BC", 5), problem), config)
        .unwrap();
    let state = State {
        version: SCHEMA_VERSION,
        tree: "t".into(),
        settings: "s".into(),
    };
    updater.commit(&state).unwrap();
    index.reload().unwrap();
    (dir, index)
}

fn keys(hits: &[Hit]) -> Vec<u64> {
    hits.iter().map(|h| h.key.number).collect()
}

#[test]
fn the_index_answers_as_the_query_language_does() {
    let config = Config::default();
    let (_dir, index) = built(&config);
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    for q in [
        "",
        "is:open",
        "is:closed",
        "label:auth",
        "-label:auth",
        "label:auth,perf",
        "priority:p0..p1",
        "priority:>p2",
        "no:label",
        "no:assignee",
        "assignee:bob",
        "login",
        "login -crash",
        "votes:>5",
        "key:bc-3",
        "label:auth (priority:p0 OR priority:p3)",
        "created:<2023-11-14T23:00:00Z",
    ] {
        let expr = Query::parse(q, &config, now).unwrap().expr;
        let mut want: Vec<u64> = corpus()
            .iter()
            .filter(|(k, i)| {
                expr.matches(&k.to_string(), i, &TextFields::new(i, "", &config), &config)
            })
            .map(|(k, _)| k.number)
            .collect();
        want.reverse();
        let (hits, total) = index
            .search(&expr, Words::All, Sort::default(), false, 0, None)
            .unwrap();
        assert_eq!(keys(&hits), want, "{q}");
        assert_eq!(total, want.len(), "{q}");
    }
}

#[test]
fn sorts_and_pages_follow_the_fields_order() {
    let config = Config::default();
    let (_dir, index) = built(&config);
    let sort = |s: &str| s.parse::<Sort>().unwrap();
    let (hits, _) = index
        .search(&Expr::All, Words::All, sort("priority"), false, 0, None)
        .unwrap();
    assert_eq!(keys(&hits), [3, 1, 2, 4]);
    let (hits, _) = index
        .search(&Expr::All, Words::All, sort("title"), false, 0, None)
        .unwrap();
    assert_eq!(keys(&hits), [3, 2, 1, 4]);
    let (hits, total) = index
        .search(&Expr::All, Words::All, sort("votes"), false, 1, Some(2))
        .unwrap();
    assert_eq!((keys(&hits), total), (vec![4, 3], 4));
}

#[test]
fn counts_and_problems_come_back_as_stored() {
    let config = Config::default();
    let (_dir, index) = built(&config);
    let counts = index.counts(fields::named("labels")).unwrap();
    assert_eq!(
        counts,
        [
            ("auth".to_owned(), 2, 0),
            ("perf".to_owned(), 0, 1),
            ("ui".to_owned(), 1, 0)
        ]
    );
    let problems = index.problems().unwrap();
    assert_eq!(problems, [Problem::whole("issues/0/BC-5.md", "broken")]);
}

#[test]
fn internal_comments_are_words_only_for_the_team() {
    let config = Config::default();
    let (_dir, index) = built_with(&config, |k| match k.number {
        1 => ("works for me", "customer acme sees a crash"),
        2 => ("acme asked again", ""),
        _ => ("", ""),
    });
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    let numbers = |q: &str, words: Words| {
        let expr = Query::parse(q, &config, now).unwrap().expr;
        let (hits, total) = index
            .search(&expr, words, Sort::default(), false, 0, None)
            .unwrap();
        let mut found = keys(&hits);
        found.sort();
        assert_eq!(total, found.len(), "{q}");
        found
    };
    for (q, team, public) in [
        ("acme", vec![1, 2], vec![2]),
        ("customer", vec![1], vec![]),
        ("works", vec![1], vec![1]),
        ("login -crash", vec![], vec![1]),
        ("login -customer", vec![3], vec![1, 3]),
        ("-acme", vec![3, 4], vec![1, 3, 4]),
        ("customer OR export", vec![1, 2], vec![2]),
    ] {
        assert_eq!(numbers(q, Words::All), team, "team: {q}");
        assert_eq!(numbers(q, Words::Public), public, "public: {q}");
    }
}

#[test]
fn internal_comments_are_tokenized_as_comments_are() {
    // A public query must find in `comments` what a team query finds there
    // and in `internal`: both fields are read the same way (a tokenizer
    // change, such as stemming, must change both).
    let (schema, f) = schema();
    assert_eq!(
        schema.get_field_entry(f.internal).field_type(),
        schema.get_field_entry(f.comments).field_type()
    );
}

#[test]
fn the_state_is_read_from_the_end_of_meta_json_as_a_whole_parse_reads_it() {
    let (dir, _index) = built(&Config::default());
    let path = dir.path().join("index");
    let meta = std::fs::read(path.join("meta.json")).unwrap();
    // tantivy writes the payload last, so the short way answers…
    let quick = last_payload(&meta).expect("the payload is the last member");
    let whole: serde_json::Value = serde_json::from_slice(&meta).unwrap();
    assert_eq!(quick.as_deref(), whole["payload"].as_str());
    let state = read_payload(&path).unwrap().unwrap();
    assert_eq!((state.tree.as_str(), state.settings.as_str()), ("t", "s"));
    // …and a file laid out otherwise is read whole, not misread.
    let moved =
        br#"{"payload": "{\"version\":1,\"tree\":\"a\",\"settings\":\"b\"}", "opstamp": 3}"#;
    assert_eq!(last_payload(moved), None);
    std::fs::write(path.join("meta.json"), moved).unwrap();
    let state = read_payload(&path).unwrap().unwrap();
    assert_eq!((state.version, state.tree.as_str()), (1, "a"));
    assert_eq!(
        last_payload(br#"{"opstamp": 3, "payload": null}"#),
        Some(None)
    );
}

#[test]
fn a_row_too_long_for_the_column_is_listed_all_the_same() {
    let config = Config::default();
    let dir = tempfile::tempdir().unwrap();
    let (index, _) = Index::open_or_create(&dir.path().join("index")).unwrap();
    let updater = index.writer(1, 15_000_000).unwrap();
    let long = format!("Long {}", "x".repeat(70_000));
    let mut issues = corpus();
    issues.push(issue(5, &long, "open", "p2", &["big"]));
    for (key, issue) in &issues {
        let doc = IssueDoc {
            key,
            issue,
            comments: "",
            internal: "",
            days: &Default::default(),
        };
        updater.apply(Update::Issue(doc), &config).unwrap();
    }
    updater
        .commit(&State {
            version: SCHEMA_VERSION,
            tree: "t".into(),
            settings: "s".into(),
        })
        .unwrap();
    index.reload().unwrap();
    let (rows, total) = index
        .summaries(&Expr::Open(true), Words::All, Sort::default(), 0, None)
        .unwrap();
    assert_eq!(total, 4);
    let five = rows
        .iter()
        .find(|(k, _)| k.number == 5)
        .expect("BC-5 listed");
    assert_eq!(five.1.title, long);
    assert_eq!(five.1.labels, ["big"]);
    assert_eq!(rows.len(), 4);
}
