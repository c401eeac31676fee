//! The exported site in a real browser (headless Chromium through
//! chromedriver), served on 127.0.0.1 and opened from file://: the list
//! filters, search finds, the board has its columns, Markdown renders, and
//! a hostile corpus runs nothing. Screenshots go to
//! `target/site-screenshots/` for a person to look at.

use serde_json::Value;

use crate::site::{PAYLOADS, export, fixture, hostile};
use crate::webdriver::{Browser, serve};

/// The keys of the rows the list shows.
const VISIBLE_KEYS: &str = "return Array.from(document.querySelectorAll('#issue-list tbody tr')).filter(r => !r.hidden).map(r => r.querySelector('td.key').textContent);";

fn keys(b: &Browser) -> Vec<String> {
    match b.js(VISIBLE_KEYS) {
        Value::Array(v) => v
            .iter()
            .map(|k| k.as_str().unwrap_or("").to_owned())
            .collect(),
        other => panic!("not a list: {other}"),
    }
}

/// Sets a filter control as a person would, and lets the list react.
fn filter(b: &Browser, name: &str, value: &str) {
    b.js(&format!(
        "const c = document.querySelector('[data-filter={name}]'); c.value = {}; c.dispatchEvent(new Event(c.tagName === 'SELECT' ? 'change' : 'input')); return true;",
        serde_json::to_string(value).unwrap()
    ));
    list_ready(b);
}

/// Waits until the list has shown what its filters ask for.
pub fn list_ready(b: &Browser) {
    b.wait_for(
        "the list script ran",
        "const f = document.getElementById('filters'); return !f.hidden && f.dataset.busy === 'false';",
    );
}

/// Waits until search has shown its results.
pub fn search_ready(b: &Browser) {
    b.wait_for(
        "search results",
        "return document.getElementById('results').dataset.busy === 'false';",
    );
}

fn no_console_errors(b: &Browser, page: &str) {
    let errors: Vec<String> = b
        .console()
        .into_iter()
        .filter(|m| m.starts_with("SEVERE"))
        .collect();
    assert!(
        errors.is_empty(),
        "{page}: the browser reported errors (a CSP violation?): {errors:#?}"
    );
}

#[test]
fn the_site_works_in_a_browser() {
    let Some(b) = Browser::start() else { return };
    let env = fixture();
    env.new_issue(
        "Flaky upload on slow networks",
        &[
            "-l",
            "perf",
            "--milestone",
            "v0.8.0",
            "--component",
            "upload",
            "-m",
            "Retries never stop.",
        ],
    );
    env.ok(&["set", "BC-6", "status=triaged"]);
    let dir = export(&env, "site", &[]);
    let port = serve(&dir);
    let url = |p: &str| format!("http://127.0.0.1:{port}/{p}");

    // The list: every issue, then filtered by label, by text, and from a link.
    b.goto(&url("index.html"));
    list_ready(&b);
    assert_eq!(keys(&b), ["BC-6", "BC-5", "BC-4", "BC-3", "BC-2", "BC-1"]);
    filter(&b, "label", "perf");
    assert_eq!(keys(&b), ["BC-6", "BC-5", "BC-3"], "label filter");
    filter(&b, "state", "open");
    assert_eq!(keys(&b), ["BC-6"], "label and state together");
    filter(&b, "state", "");
    filter(&b, "label", "");
    filter(&b, "q", "dark mode");
    assert_eq!(keys(&b), ["BC-2"], "free text");
    filter(&b, "q", "");
    b.js("document.querySelector('th[data-sort=title]').click(); return true;");
    assert_eq!(
        keys(&b)[..2],
        ["BC-2", "BC-4"],
        "sorted by title: Dark…, Document…"
    );
    b.goto(&url("index.html?label=auth"));
    list_ready(&b);
    assert_eq!(keys(&b), ["BC-1"], "a label link opens the list filtered");
    b.goto(&url("index.html"));
    list_ready(&b);
    b.screenshot("list");
    no_console_errors(&b, "index.html");

    // Search: words of a title, of a description, of a comment.
    for (q, want) in [
        ("colon", "BC-1"),
        ("retries", "BC-6"),
        ("reproduce", "BC-1"),
    ] {
        b.goto(&url(&format!("search.html?q={q}")));
        search_ready(&b);
        let found = b.js("return Array.from(document.querySelectorAll('#results li .key')).map(k => k.textContent.trim());");
        assert_eq!(found, Value::from(vec![want]), "search for {q:?}");
    }
    b.screenshot("search");
    no_console_errors(&b, "search.html");

    // The board: the open statuses in workflow order, then the closed.
    b.goto(&url("board.html"));
    let columns =
        b.js("return Array.from(document.querySelectorAll('.column')).map(c => c.dataset.status);");
    assert_eq!(
        columns,
        Value::from(vec!["open", "triaged", "in_progress", "closed"])
    );
    let cards = b.js("return Array.from(document.querySelectorAll('.column')).map(c => Array.from(c.querySelectorAll('.card .key')).map(k => k.textContent));");
    assert_eq!(
        cards,
        serde_json::json!([["BC-1"], ["BC-6"], ["BC-2"], ["BC-3", "BC-5", "BC-4"]])
    );
    b.screenshot("board");
    no_console_errors(&b, "board.html");

    // An issue: Markdown rendered, comments, fields.
    b.goto(&url("issues/BC-1.html"));
    let rendered = b.js("return [document.querySelector('.body h2').textContent, document.querySelectorAll('.body table td').length, document.querySelector('.comment strong + time') !== null, document.querySelector('.comment .markdown strong').textContent];");
    assert_eq!(rendered, serde_json::json!(["Steps", 2, true, "any"]));
    b.screenshot("issue");
    no_console_errors(&b, "issues/BC-1.html");

    // The dashboard: its charts drawn, styled by the style sheet (a CSP
    // that blocked it would leave the bars black).
    b.goto(&url("dashboard.html"));
    let charts = b.js("return [document.querySelectorAll('svg').length, document.querySelectorAll('svg rect.bar').length, getComputedStyle(document.querySelector('svg rect.bar')).fill];");
    assert_eq!(charts[0], 4, "four charts");
    assert!(charts[1].as_u64().unwrap_or(0) >= 4, "bars drawn: {charts}");
    assert_eq!(charts[2], "rgb(9, 105, 218)", "the style sheet applies");
    b.screenshot("dashboard");
    no_console_errors(&b, "dashboard.html");
    b.goto(&url("milestones.html"));
    b.screenshot("milestones");
    no_console_errors(&b, "milestones.html");

    // From file://, no server: scripts and the search index still load.
    let file = |p: &str| format!("file://{}/{p}", dir.display());
    b.goto(&file("index.html"));
    list_ready(&b);
    filter(&b, "label", "perf");
    assert_eq!(
        keys(&b),
        ["BC-6", "BC-5", "BC-3"],
        "label filter from file://"
    );
    b.goto(&file("search.html?q=colon"));
    search_ready(&b);
    assert_eq!(
        b.js("return document.querySelectorAll('#results li').length;"),
        1
    );
    b.goto(&file("issues/BC-1.html"));
    let styled =
        b.js("return getComputedStyle(document.querySelector('header.top')).backgroundColor;");
    assert_eq!(
        styled, "rgb(36, 41, 47)",
        "the style sheet loads from file://"
    );
    no_console_errors(&b, "file://");
}

/// What a page must look like after loading hostile content: no dialog, no
/// marker set by a payload, no script beyond the site's own.
fn assert_inert(b: &Browser, page: &str) {
    if let Some(text) = b.dialog() {
        panic!("{page}: a dialog opened: {text}");
    }
    let state = b.js("return [window.__pwned === undefined, Array.from(document.scripts).map(s => s.getAttribute('src')), document.querySelectorAll('iframe, object, embed, [style]').length, Array.from(document.querySelectorAll('a[href]')).filter(a => /^\\s*(javascript|data|vbscript):/i.test(a.getAttribute('href'))).length];");
    assert_eq!(state[0], true, "{page}: a payload ran: {state}");
    let scripts: Vec<String> = state[1]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s.as_str()
                .unwrap_or("<inline>")
                .trim_start_matches("../")
                .to_owned()
        })
        .collect();
    assert!(
        scripts.iter().all(
            |s| ["data.js", "list.js", "search.js"].contains(&s.as_str())
                || (s.contains("/data/") && s.ends_with(".js"))
        ),
        "{page}: scripts that are not the site's own: {scripts:?}"
    );
    assert_eq!(
        state[2], 0,
        "{page}: an iframe, object, embed or style attribute came through"
    );
    assert_eq!(
        state[3], 0,
        "{page}: a javascript: or data: link came through"
    );
}

#[test]
fn a_hostile_corpus_runs_nothing_in_a_browser() {
    let Some(b) = Browser::start() else { return };
    let env = hostile();
    let dir = export(&env, "site", &[]);
    let port = serve(&dir);
    let mut pages: Vec<String> = crate::site::files(&dir)
        .into_keys()
        .filter(|p| p.ends_with(".html"))
        .collect();
    pages.sort();
    assert!(pages.len() > PAYLOADS.len() + 5, "{pages:?}");
    // As published, and with the CSP stripped: escaping alone must hold.
    for prefix in ["", "nocsp/"] {
        for page in &pages {
            b.goto(&format!("http://127.0.0.1:{port}/{prefix}{page}"));
            assert_inert(&b, &format!("{prefix}{page}"));
        }
        // Scripts that build the page from data: the list filtered by a
        // hostile label, and search results for a hostile word.
        b.goto(&format!("http://127.0.0.1:{port}/{prefix}index.html"));
        list_ready(&b);
        filter(&b, "label", PAYLOADS[1]);
        assert_eq!(keys(&b).len(), 1, "a hostile label still filters");
        assert_inert(&b, "index.html filtered");
        b.goto(&format!(
            "http://127.0.0.1:{port}/{prefix}search.html?q=onerror"
        ));
        search_ready(&b);
        assert!(
            b.js("return document.querySelectorAll('#results li').length;")
                .as_u64()
                > Some(0)
        );
        assert_inert(&b, "search.html");
    }
    b.goto(&format!("http://127.0.0.1:{port}/issues/BC-2.html"));
    b.screenshot("hostile-issue");
    // What was typed is shown as text.
    let title = b.js("return document.querySelector('h1').textContent;");
    assert_eq!(title, Value::from(format!("BC-2 Title 1 {}", PAYLOADS[1])));
}
