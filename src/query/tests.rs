//! The query language against plain values.

use super::*;
use crate::format::fields;

fn f(name: &str) -> Field {
    fields::field(name).unwrap()
}

fn now() -> Timestamp {
    "2026-03-01T00:00:00Z".parse().unwrap()
}

fn parse(s: &str) -> Expr {
    Query::parse(s, &Config::default(), now()).unwrap().expr
}

fn err(s: &str) -> QueryError {
    Query::parse(s, &Config::default(), now()).unwrap_err()
}

#[test]
fn qualifiers_words_and_phrases() {
    assert_eq!(
        parse(r#"is:open label:UI -label:wontfix "Connection timeout" crash"#),
        Expr::And(vec![
            Expr::Open(true),
            Expr::Field(f("labels"), vec!["ui".into()]),
            Expr::Not(Box::new(Expr::Field(f("labels"), vec!["wontfix".into()]))),
            // Stemmed, as the index holds words (search.language: english).
            Expr::Text(vec!["connect".into(), "timeout".into()]),
            Expr::Text(vec!["crash".into()]),
        ])
    );
    assert_eq!(
        parse(r#"label:"good first issue""#),
        Expr::Field(f("labels"), vec!["good first issue".into()])
    );
}

#[test]
fn or_binds_looser_than_and_and_parentheses_group() {
    assert_eq!(
        parse("a b OR c"),
        Expr::Or(vec![
            Expr::And(vec![
                Expr::Text(vec!["a".into()]),
                Expr::Text(vec!["b".into()])
            ]),
            Expr::Text(vec!["c".into()]),
        ])
    );
    assert_eq!(
        parse("a (b OR c)"),
        Expr::And(vec![
            Expr::Text(vec!["a".into()]),
            Expr::Or(vec![
                Expr::Text(vec!["b".into()]),
                Expr::Text(vec!["c".into()])
            ]),
        ])
    );
}

#[test]
fn priority_ranges_expand_in_tracker_order() {
    assert_eq!(
        parse("priority:p0..p1"),
        Expr::Field(f("priority"), vec!["p0".into(), "p1".into()])
    );
    assert_eq!(
        parse("priority:<p1"),
        Expr::Field(f("priority"), vec!["p2".into(), "p3".into()])
    );
    assert_eq!(
        parse("severity:>=high"),
        Expr::Field(f("severity"), vec!["critical".into(), "high".into()])
    );
}

#[test]
fn dates_absolute_and_relative() {
    let day = |s: &str| s.parse::<Timestamp>().unwrap();
    assert_eq!(
        parse("created:>7d"),
        Expr::Date(
            f("created"),
            TimeRange {
                from: Some(day("2026-02-22T00:00:00Z")),
                until: None
            }
        )
    );
    assert_eq!(
        parse("updated:<2026-01-01"),
        Expr::Date(
            f("updated"),
            TimeRange {
                from: None,
                until: Some(day("2026-01-01T00:00:00Z"))
            }
        )
    );
    assert_eq!(
        parse("created:2026-01-05"),
        Expr::Date(
            f("created"),
            TimeRange {
                from: Some(day("2026-01-05T00:00:00Z")),
                until: Some(day("2026-01-06T00:00:00Z"))
            }
        )
    );
}

#[test]
fn sort_is_not_a_condition() {
    let q = Query::parse("is:closed sort:updated-asc", &Config::default(), now()).unwrap();
    assert_eq!(q.expr, Expr::Open(false));
    assert_eq!(q.sort, Some("updated-asc".parse().unwrap()));
}

#[test]
fn errors_point_at_the_offending_token() {
    let e = err("is:open colour:red");
    assert_eq!((e.offset, e.token.as_str()), (8, "colour:red"));
    assert!(e.message.contains("unknown qualifier"));
    assert_eq!(err("priority:p7").token, "priority:p7");
    assert_eq!(err("(a OR b").message, "this parenthesis is never closed");
    assert_eq!(err("a )").message, "unbalanced parenthesis");
    assert_eq!(err("\"open quote").message, "a quote is never closed");
    assert_eq!(err("created:>soon").token, "created:>soon");
    assert_eq!(err("a OR").message, "OR needs something on both sides");
    assert_eq!(err("created:>99999999d").token, "created:>99999999d");
    assert_eq!(err("updated:<20000y").token, "updated:<20000y");
    assert_eq!(
        err("is:maybe").to_string(),
        "is: takes open, closed, confidential or known: \"is:maybe\" (at column 1)"
    );
}

#[test]
fn is_takes_a_flag_and_sort_takes_a_qualifier() {
    let known = fields::named("known");
    assert_eq!(parse("is:known"), Expr::Not(Box::new(Expr::Missing(known))));
    let q = Query::parse("votes:>5 sort:votes-desc", &Config::default(), now()).unwrap();
    let count = fields::computed("vote_count");
    assert_eq!(
        q.expr,
        Expr::Number(
            count,
            NumberRange {
                from: Some(6),
                to: None
            }
        )
    );
    assert_eq!(q.sort.map(|s| s.field), Some(SortField::Field(count)));
}

#[test]
fn deep_parentheses_are_refused_not_a_crash() {
    let deep = format!("{}a{}", "(".repeat(20_000), ")".repeat(20_000));
    let e = err(&deep);
    assert_eq!(e.message, "parentheses nest more than 32 deep");
    assert_eq!(e.offset, 32);
    let ok = format!("{}a{}", "(".repeat(32), ")".repeat(32));
    assert_eq!(parse(&ok), Expr::Text(vec!["a".into()]));
}

#[test]
fn urls_and_colons_in_text_are_words() {
    assert_eq!(
        parse("https://example.com/x"),
        Expr::Text(vec![
            "https".into(),
            "exampl".into(),
            "com".into(),
            "x".into()
        ])
    );
}

#[test]
fn words_are_stemmed_in_the_trackers_language() {
    assert_eq!(
        tokenize_in("Crashes crashing CRASHED", "english"),
        ["crash"; 3]
    );
    assert_eq!(tokenize_in("Crashes", "none"), ["crashes"]);
    assert_eq!(
        tokenize_in("chats", "french"),
        tokenize_in("chat", "french")
    );
}

#[test]
fn tokens_match_tantivys_default_tokenizer() {
    assert_eq!(
        tokenize("Can't log-in: ÉCOLE_42"),
        ["can", "t", "log", "in", "école", "42"]
    );
    assert!(tokenize(&"x".repeat(40)).is_empty());
}

#[test]
fn path_terms_parse_normalized_and_relate_by_folders() {
    assert_eq!(
        parse("path:./src/DB/"),
        Expr::Path {
            path: "src/db".into(),
            keys: vec![]
        }
    );
    assert!(err("path:/").message.contains("file or folder"));
    // The path itself, what is under it, a symbol in it, a folder above it.
    for linked in [
        "src/db",
        "src/db/schema.sql",
        "src/db/pool.rs:connect",
        "src",
    ] {
        assert!(path_related(linked, "src/db"), "{linked}");
    }
    for linked in ["src/dbx", "src/dbx/a.rs", "tests/db", "src/db.rs"] {
        assert!(!path_related(linked, "src/db"), "{linked}");
    }
    assert!(path_related(
        "src/db/pool.rs:connect",
        "src/db/pool.rs:connect"
    ));
    assert!(path_related("src/db/pool.rs", "src/db/pool.rs:connect"));
    assert!(!path_related(
        "src/db/pool.rs:close",
        "src/db/pool.rs:connect"
    ));
    assert_eq!(
        path_ancestors("src/db/a.rs:f"),
        ["src/db/a.rs:f", "src/db/a.rs", "src/db", "src"]
    );
}
