//! Issues filed by tools: `new --template NAME --var k=v` fills `{k}` in the
//! template's title and body, and refuses unknown or missing variables
//! before anything is written.

use crate::common::{Env, json};

const TEMPLATE: &str = "---
title: \"Schema drift in {table}\"
labels: [db]
priority: p1
---

The table `{table}` differs from the migrations.

| | |
|---|---|
| expected | {expected} |
| actual | {actual} |

Literal braces: {{not_a_variable}}, and JSON stays: {\"a\": 1}
";

fn setup() -> Env {
    let env = Env::with_tracker();
    env.commit_by_hand("templates/schema-drift.md", TEMPLATE);
    env
}

#[test]
fn variables_fill_the_title_and_the_body_in_one_line() {
    let env = setup();
    let key = env.ok(&[
        "new",
        "--template",
        "schema-drift",
        "--var",
        "table=users",
        "--var",
        "expected=email NOT NULL",
        "--var",
        "actual=email NULL",
    ]);
    let issue = json(&env.ok(&["show", key.trim(), "--json"]));
    assert_eq!(issue["title"], "Schema drift in users");
    assert_eq!(issue["priority"], "p1");
    assert_eq!(issue["labels"], serde_json::json!(["db"]));
    assert_eq!(
        issue["body"],
        "The table `users` differs from the migrations.\n\n| | |\n|---|---|\n| expected | email NOT NULL |\n| actual | email NULL |\n\nLiteral braces: {not_a_variable}, and JSON stays: {\"a\": 1}\n"
    );
}

#[test]
fn unknown_or_missing_variables_are_refused_before_writing() {
    let env = setup();
    let tip = env.tip();
    let r = env.fail_with(
        1,
        &[
            "new",
            "--template",
            "schema-drift",
            "--var",
            "table=users",
            "--var",
            "colour=red",
        ],
    );
    assert_eq!(
        r.stderr,
        "error: the template schema-drift has no variable {colour}; it uses {table}, {expected}, {actual}\n"
    );
    let r = env.fail_with(
        1,
        &["new", "--template", "schema-drift", "--var", "table=users"],
    );
    assert!(
        r.stderr
            .starts_with("error: the template schema-drift needs --var "),
        "{}",
        r.stderr
    );
    let r = env.run(&["new", "Title", "--var", "table=users"]);
    assert_eq!(r.code, 2, "--var needs --template: {}", r.stderr);
    let r = env.run(&["new", "--template", "schema-drift", "--var", "novalue"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(env.tip(), tip, "nothing was written");
}
