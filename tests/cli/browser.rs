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

pub fn no_console_errors(b: &Browser, page: &str) {
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
    list_ready(&b);
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

/// The Known issues page in a browser: reached from the navigation, most
/// votes first, the workaround rendered and styled, the filter finds by a
/// word of a workaround, confidential issues nowhere, no CSP complaint.
#[test]
fn the_known_issues_page_works_in_a_browser() {
    let Some(b) = Browser::start() else { return };
    let env = crate::site::known_fixture();
    // A 1x1 PNG attached: shown inline on the issue's page.
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xaeB`\x82";
    let shot = env.root.join("shot.png");
    std::fs::write(&shot, png).unwrap();
    env.ok(&["attach", "BC-6", shot.to_str().unwrap()]);
    let dir = export(&env, "site", &[]);
    let port = serve(&dir);
    b.goto(&format!("http://127.0.0.1:{port}/issues/BC-2.html"));
    b.js("Array.from(document.querySelectorAll('header.top nav a')).find(a => a.textContent === 'Known issues').click(); return true;");
    b.wait_for(
        "the Known issues page",
        "return location.pathname === '/known.html' && document.readyState === 'complete';",
    );
    let visible = "return Array.from(document.querySelectorAll('#known-list > li')).filter(l => !l.hidden && l.offsetParent !== null).map(l => l.dataset.key);";
    assert_eq!(b.js(visible), serde_json::json!(["BC-1", "BC-6", "BC-7"]));
    let shown = b.js("return [document.querySelector('[data-key=BC-6] .votes strong').textContent, document.querySelector('[data-key=BC-6] .workaround code').textContent, document.querySelector('[data-key=BC-7] .workaround p').textContent, document.getElementById('known-filter').hidden, getComputedStyle(document.querySelector('.known-issue')).borderTopStyle, document.body.textContent.includes('SECRET-KNOWN-7f3a')];");
    assert_eq!(
        shown,
        serde_json::json!([
            "1",
            "upload.retries",
            "Reload the page.",
            false,
            "solid",
            false
        ])
    );
    b.js("const q = document.getElementById('known-q'); q.value = 'reload'; q.dispatchEvent(new Event('input')); return true;");
    assert_eq!(
        b.js(visible),
        serde_json::json!(["BC-7"]),
        "filtered by a word of a workaround"
    );
    b.js("const q = document.getElementById('known-q'); q.value = 'nothing-has-this'; q.dispatchEvent(new Event('input')); return true;");
    assert_eq!(b.js(visible), serde_json::json!([]));
    assert_eq!(
        b.js("return document.getElementById('known-none').hidden;"),
        false
    );
    b.goto(&format!("http://127.0.0.1:{port}/known.html?q=upload"));
    b.wait_for(
        "the filter",
        "return document.getElementById('known-filter').dataset.shown === '1';",
    );
    assert_eq!(
        b.js(visible),
        serde_json::json!(["BC-6"]),
        "?q= filters on load"
    );
    b.goto(&format!("http://127.0.0.1:{port}/issues/BC-6.html"));
    b.wait_for(
        "the attached image",
        "const i = document.querySelector('img.attachment'); return i !== null && i.complete;",
    );
    assert_eq!(
        b.js("return document.querySelector('img.attachment').naturalWidth;"),
        1,
        "the image loads from the site under its CSP"
    );
    no_console_errors(&b, "issues/BC-6.html");
    b.goto(&format!("http://127.0.0.1:{port}/known.html?q=upload"));
    b.wait_for(
        "the filter",
        "return document.getElementById('known-filter').dataset.shown === '1';",
    );
    b.screenshot("known");
    no_console_errors(&b, "known.html");
    let file = format!("file://{}/known.html?q=dark", dir.display());
    b.goto(&file);
    b.wait_for(
        "the filter from file://",
        "return document.getElementById('known-filter').dataset.shown === '1';",
    );
    assert_eq!(b.js(visible), serde_json::json!(["BC-7"]));
    no_console_errors(&b, "file:// known.html");
}

/// What a page must look like after loading hostile content: no dialog, no
/// marker set by a payload, no script beyond the site's own.
pub fn assert_inert(b: &Browser, page: &str) {
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
        scripts.iter().all(|s| [
            "data.js",
            "list.js",
            "search.js",
            "known.js",
            "live.js",
            "board.js",
            "new.js"
        ]
        .contains(&s.as_str())
            || (s.contains("/data/") && s.ends_with(".js"))),
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

#[path = "../../examples/site_corpus.rs"]
#[allow(dead_code)]
mod site_corpus;

/// A tracker of `n` generated issues (the benchmarks' corpus), written
/// straight into the branch with `git fast-import`.
pub fn generated(n: u64) -> crate::common::Env {
    use std::io::Write as _;
    let env = crate::common::Env::new();
    let mut stream = Vec::new();
    site_corpus::stream(n, &mut stream).unwrap();
    let mut child = env
        .git_cmd()
        .args(["fast-import", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&stream).unwrap();
    assert!(child.wait().unwrap().success(), "git fast-import failed");
    env
}

/// Milliseconds a page spent, as it recorded them (`data-took`).
fn took(b: &Browser, selector: &str) -> f64 {
    b.js(&format!(
        "return Number(document.querySelector('{selector}').dataset.took);"
    ))
    .as_f64()
    .unwrap_or(f64::NAN)
}

/// Bytes the page fetched since `mark` (over HTTP; `file://` counts none).
fn fetched_since(b: &Browser, mark: f64) -> u64 {
    b.js(&format!(
        "return performance.getEntriesByType('resource').filter(e => e.startTime >= {mark}).reduce((a, e) => a + (e.encodedBodySize || 0), 0);"
    ))
    .as_u64()
    .unwrap_or(0)
}

/// The site of `n` generated issues in a browser: paging, filters and
/// search across every issue agree with `git issue list` and `search`
/// (when `env` is given), no file is over 2 MB, and the times are printed
/// (never asserted; `bench/site-browser.sh` measures 10,000 and 100,000).
fn browse_at_scale(b: &Browser, dir: &std::path::Path, n: u64, env: Option<&crate::common::Env>) {
    let mut biggest = (String::new(), 0u64);
    let mut count = 0;
    let mut total = 0;
    for entry in walk(dir) {
        let len = std::fs::metadata(&entry).unwrap().len();
        count += 1;
        total += len;
        if len > biggest.1 {
            biggest = (entry.display().to_string(), len);
        }
    }
    assert!(
        biggest.1 <= 2 * 1024 * 1024,
        "no file of the site is over 2 MB: {biggest:?}"
    );
    let port = serve(dir);
    let url = |p: &str| format!("http://127.0.0.1:{port}/{p}");

    // A baseline in the same browser: a small page.
    b.goto(&url("labels.html"));
    let baseline = b.js("return performance.getEntriesByType('navigation')[0].domInteractive;");

    // The first page, interactive: the static rows, the filters ready.
    b.goto(&url("index.html"));
    list_ready(b);
    let first = b.js("const t = performance.getEntriesByType('navigation')[0]; const m = performance.getEntriesByName('git-issue-list-ready')[0]; return [t.domInteractive, m ? m.startTime : null, document.querySelectorAll('#issue-list tbody tr').length, document.querySelector('nav.pager a[rel=next]') !== null];");
    let rows_shown = first[2].as_u64().unwrap();
    assert!((100..200).contains(&rows_shown), "{first}");
    assert_eq!(first[3], true, "a link to older issues");
    let newest: Vec<String> = keys(b);
    assert_eq!(newest[0], format!("BC-{n}"));

    // Without JavaScript's filters: the older pages, by their links.
    let older = b.js("return document.querySelector('nav.pager a[rel=next]').href;");
    b.goto(older.as_str().unwrap());
    let next_page = keys(b);
    assert_eq!(
        next_page[0],
        format!(
            "BC-{}",
            newest.last().unwrap()[3..].parse::<u64>().unwrap() - 1
        ),
        "the older page goes on where the first stopped"
    );

    // A filter by label.
    b.goto(&url("index.html"));
    list_ready(b);
    let mark = b.js("return performance.now();").as_f64().unwrap();
    filter(b, "label", "ui");
    let label_ms = took(b, "#filters");
    let label_bytes = fetched_since(b, mark);
    if let Some(env) = env {
        let expected = crate::common::json(&env.ok(&["list", "-A", "--label", "ui", "--json"]));
        let expected = expected.as_array().unwrap();
        let count_text = b.js("return document.getElementById('count').textContent;");
        assert_eq!(
            count_text,
            Value::from(format!("{} of {n} issues", expected.len())),
            "the label filter counts what git issue list finds"
        );
        let shown = keys(b);
        let want: Vec<String> = expected
            .iter()
            .take(shown.len())
            .map(|i| i["key"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(shown, want, "the first page of the filter, newest first");
        // The next page of a filter, in the browser.
        b.js("document.querySelector('#issue-list + nav.pager button:last-child').click(); return true;");
        list_ready(b);
        let page_two = keys(b);
        let want: Vec<String> = expected
            .iter()
            .skip(shown.len())
            .take(page_two.len())
            .map(|i| i["key"].as_str().unwrap().to_owned())
            .collect();
        assert!(!page_two.is_empty());
        assert_eq!(page_two, want, "the second page of the filter");
        filter(b, "state", "open");
        filter(b, "assignee", "alice");
        let expected = crate::common::json(&env.ok(&[
            "list",
            "--label",
            "ui",
            "--assignee",
            "alice",
            "--json",
            "--limit",
            "1000000",
        ]));
        let count_text = b.js("return document.getElementById('count').textContent;");
        assert_eq!(
            count_text,
            Value::from(format!(
                "{} of {n} issues",
                expected.as_array().unwrap().len()
            )),
            "three filters together"
        );
    }
    b.screenshot(&format!("scale-{n}-list"));

    // Search: two words of the titles.
    b.goto(&url("search.html"));
    search_ready(b);
    b.goto(&url("search.html?q=webhook+token"));
    search_ready(b);
    let search_ms = took(b, "#results");
    // A new page starts a new timeline: everything it fetched, its scripts,
    // the list of shards, the query's shards and the rows shown.
    let search_bytes = fetched_since(b, 0.0);
    if let Some(env) = env {
        let found = b.js("return document.getElementById('search-status').textContent;");
        let expected = crate::common::json(&env.ok(&[
            "search",
            "webhook token",
            "--json",
            "--limit",
            "1000000",
        ]));
        assert_eq!(
            found,
            Value::from(format!(
                "{} issues found.",
                expected.as_array().unwrap().len()
            )),
            "search finds what git issue search finds"
        );
    }
    b.screenshot(&format!("scale-{n}-search"));
    b.goto(&url("board.html"));
    let cards = b.js("return document.querySelectorAll('.card').length;");
    assert!(
        cards.as_u64().unwrap() <= 3 * 50 + 20,
        "bounded columns: {cards}"
    );
    b.screenshot(&format!("scale-{n}-board"));
    no_console_errors(b, "board.html");

    eprintln!(
        "site at {n} issues: {count} files, {:.0} MB, biggest {} ({} kB)\n  \
         baseline page interactive {baseline} ms; list interactive {} ms, filters ready {} ms\n  \
         label filter {label_ms} ms, {} kB fetched; search {search_ms} ms, {} kB fetched",
        total as f64 / 1e6,
        biggest.0.rsplit("/site/").next().unwrap_or_default(),
        biggest.1 / 1024,
        first[0],
        first[1],
        label_bytes / 1024,
        search_bytes / 1024,
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// In CI: enough issues for many pages, label pages and bitmaps, checked
/// against the command line.
#[test]
fn the_site_of_thousands_of_issues_pages_filters_and_searches() {
    let Some(b) = Browser::start() else { return };
    let n = 1500;
    let env = generated(n);
    let dir = export(&env, "site", &[]);
    browse_at_scale(&b, &dir, n, Some(&env));
}

/// The browser half of `bench/site-browser.sh`, which exports the site of
/// `SITE_ISSUES` generated issues into `SITE_DIR` with a release build.
#[test]
#[ignore = "a benchmark: bench/site-browser.sh"]
fn the_site_at_scale_for_the_benchmark() {
    let Some(b) = Browser::start() else { return };
    let n = std::env::var("SITE_ISSUES")
        .ok()
        .and_then(|v| v.parse().ok())
        .expect("SITE_ISSUES");
    let dir = std::path::PathBuf::from(std::env::var_os("SITE_DIR").expect("SITE_DIR"));
    browse_at_scale(&b, &dir, n, None);
}
