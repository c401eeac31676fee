//! `git issue serve` in a real browser and over plain HTTP: filing an issue
//! through the form, moving a card by drag and drop, a change made by
//! another process showing up without a reload, a stale edit refused,
//! changes from other sites refused, hostile input inert. Screenshots at a
//! laptop's and a phone's width go to `target/site-screenshots/serve-*`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::browser::{assert_inert, no_console_errors};
use crate::common::{Env, json};
use crate::site::{PAYLOADS, fixture, hostile};
use crate::webdriver::Browser;

/// A running `git issue serve`, stopped when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    pub fn start(env: &Env, extra: &[&str]) -> Server {
        let mut child = env
            .cmd()
            .args(["serve", "--port", "0"])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start git issue serve");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let port = loop {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.kill();
                panic!("git issue serve stopped before it listened");
            };
            if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
                break rest.split('/').next().unwrap().parse().unwrap();
            }
        };
        // Keep reading what it says, so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, port }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP exchange: the status, the headers (lower case) and the body.
pub fn http(port: u16, request: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_ascii_lowercase(), body.to_owned())
}

pub fn get(port: u16, path: &str) -> (u16, String, String) {
    http(
        port,
        &format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"),
    )
}

/// A form post with the given extra headers (Origin, Host).
pub fn post(port: u16, path: &str, form: &str, headers: &[(&str, &str)]) -> (u16, String, String) {
    let mut req = format!("POST {path} HTTP/1.1\r\n");
    if !headers.iter().any(|(n, _)| *n == "Host") {
        req.push_str(&format!("Host: 127.0.0.1:{port}\r\n"));
    }
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    req.push_str(&format!(
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
        form.len()
    ));
    http(port, &req)
}

/// The server's token, as its pages carry it.
pub fn token(port: u16) -> String {
    let (_, _, body) = get(port, "/new.html");
    body.split("name=\"token\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a token in the form")
        .to_owned()
}

fn wait_until(what: &str, ok: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ok() {
        assert!(Instant::now() < deadline, "{what} did not happen");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn shows(env: &Env, key: &str) -> Value {
    json(&env.ok(&["show", key, "--json"]))
}

/// Sets a form control as a person would.
fn fill(b: &Browser, selector: &str, value: &str) {
    b.js(&format!(
        "const c = document.querySelector({}); c.value = {}; c.dispatchEvent(new Event('input', {{bubbles: true}})); c.dispatchEvent(new Event('change', {{bubbles: true}})); return true;",
        serde_json::to_string(selector).unwrap(),
        serde_json::to_string(value).unwrap()
    ));
}

/// A screenshot at a laptop's width and at a phone's.
fn screenshots(b: &Browser, name: &str) {
    b.screenshot(&format!("serve-{name}-laptop"));
    b.resize(390, 844);
    b.screenshot(&format!("serve-{name}-phone"));
    b.resize(1280, 900);
}

#[test]
fn an_issue_filed_through_the_form_is_a_commit_on_the_branch() {
    let Some(b) = Browser::start() else { return };
    let env = fixture();
    let server = Server::start(&env, &[]);
    b.goto(&server.url("index.html"));
    b.wait_for(
        "the list",
        "return document.querySelectorAll('#issue-list tbody tr').length === 5;",
    );
    screenshots(&b, "list");
    no_console_errors(&b, "index.html");

    b.js("document.querySelector('a.new-issue').click(); return true;");
    b.wait_for(
        "the form",
        "return document.querySelector('form#new-issue') !== null;",
    );
    fill(
        &b,
        "input[name=title]",
        "Saving a draft loses the attachments",
    );
    fill(&b, "select[name=type]", "bug");
    fill(&b, "select[name=priority]", "p1");
    fill(&b, "input[name=labels]", "editor, data-loss");
    fill(&b, "input[name=milestone]", "v0.8.0");
    fill(&b, "input[name=assignee]", "alice");
    fill(
        &b,
        "textarea[name=body]",
        "Steps:\n\n1. Attach a file\n2. Save as draft\n\nThe **attachment** is gone.",
    );
    // The preview renders as the issue page will.
    b.js("document.getElementById('preview-button').click(); return true;");
    b.wait_for(
        "the preview",
        "const p = document.getElementById('preview'); return !p.hidden && p.querySelector('strong') !== null;",
    );
    screenshots(&b, "new-issue");
    b.js("document.getElementById('preview-button').click(); document.querySelector('#new-issue button[type=submit]').click(); return true;");
    b.wait_for(
        "the new issue's page",
        "return location.pathname === '/issues/BC-6.html';",
    );
    let title = b.js("return document.querySelector('h1').textContent;");
    assert_eq!(title, "BC-6 Saving a draft loses the attachments");

    // One commit by the user's identity, through the same operation as
    // `git issue new`.
    let log = env.git(&["log", "-1", "--format=%an <%ae>%n%s", "issues"]);
    assert!(
        log.starts_with("Alice Example <alice@example.com>\n"),
        "{log}"
    );
    assert!(log.contains("BC-6"), "{log}");
    let issue = shows(&env, "BC-6");
    assert_eq!(issue["priority"], "p1");
    assert_eq!(issue["labels"], serde_json::json!(["editor", "data-loss"]));
    assert_eq!(issue["milestone"], "v0.8.0");
    assert_eq!(issue["assignee"], "alice");
    assert!(
        issue["body"]
            .as_str()
            .unwrap()
            .contains("The **attachment** is gone.")
    );

    // A comment, then a field change, then closing: each one commit.
    fill(&b, "textarea[name=body]", "Seen on **Firefox** too.");
    b.js("document.querySelector('form.comment-form button[type=submit]').click(); return true;");
    b.wait_for(
        "the comment",
        "return document.querySelectorAll('.comment').length === 1;",
    );
    fill(&b, "form.edit select[name=status]", "in_progress");
    b.js("document.querySelector('form.edit button[type=submit]').click(); return true;");
    b.wait_for(
        "the status",
        "return document.querySelector('.issue-head .status').textContent === 'in_progress';",
    );
    screenshots(&b, "issue");
    assert_eq!(shows(&env, "BC-6")["status"], "in_progress");
    b.js("document.querySelector('form.state button[type=submit]').click(); return true;");
    b.wait_for(
        "closed",
        "return document.querySelector('.issue-head .status').classList.contains('closed');",
    );
    assert_eq!(shows(&env, "BC-6")["status"], "closed");
    no_console_errors(&b, "issues/BC-6.html");
}

/// Drag and drop as the browser delivers it: dragstart on the card, then
/// dragover and drop on the column, with one DataTransfer.
fn drag(b: &Browser, key: &str, status: &str) {
    b.js(&format!(
        "const card = document.querySelector('.card[data-key=\"{key}\"]'); const col = document.querySelector('.column[data-status=\"{status}\"]'); const dt = new DataTransfer(); card.dispatchEvent(new DragEvent('dragstart', {{dataTransfer: dt, bubbles: true}})); col.dispatchEvent(new DragEvent('dragover', {{dataTransfer: dt, bubbles: true, cancelable: true}})); col.dispatchEvent(new DragEvent('drop', {{dataTransfer: dt, bubbles: true, cancelable: true}})); card.dispatchEvent(new DragEvent('dragend', {{dataTransfer: dt, bubbles: true}})); return true;"
    ));
}

fn column_of(b: &Browser, key: &str) -> Value {
    b.js(&format!(
        "const c = document.querySelector('.card[data-key=\"{key}\"]'); return c ? c.closest('.column').dataset.status : null;"
    ))
}

#[test]
fn a_card_dragged_to_another_column_changes_its_status() {
    let Some(b) = Browser::start() else { return };
    let env = fixture();
    let server = Server::start(&env, &[]);
    b.goto(&server.url("board.html"));
    b.wait_for("live", "return document.body.dataset.live === 'on';");
    assert_eq!(column_of(&b, "BC-1"), "open");
    drag(&b, "BC-1", "in_progress");
    b.wait_for(
        "the card in its new column",
        "const c = document.querySelector('.card[data-key=\"BC-1\"]'); return c.closest('.column').dataset.status === 'in_progress' && !c.classList.contains('moving');",
    );
    assert_eq!(shows(&env, "BC-1")["status"], "in_progress");
    let subject = env.git(&["log", "-1", "--format=%s", "issues"]);
    assert_eq!(subject.trim(), "BC-1: status open -> in_progress");

    // Dropped on the closed column: closed, stamped resolved.
    drag(&b, "BC-2", "closed");
    wait_until("BC-2 closed", || shows(&env, "BC-2")["status"] == "closed");
    assert!(shows(&env, "BC-2")["resolved"].is_string());

    // The keyboard's way: the card's Move menu.
    fill(&b, ".card[data-key=\"BC-1\"] form.move select", "triaged");
    b.js(
        "document.querySelector('.card[data-key=\"BC-1\"] form.move button').click(); return true;",
    );
    b.wait_for(
        "back on the board",
        "return location.pathname === '/board.html' && document.querySelector('.card[data-key=\"BC-1\"]') !== null && document.querySelector('.card[data-key=\"BC-1\"]').closest('.column').dataset.status === 'triaged';",
    );
    assert_eq!(shows(&env, "BC-1")["status"], "triaged");

    // A card moved by someone else moves here without a reload.
    b.js("window.__stay = 1; return true;");
    env.ok(&["set", "BC-1", "status=in_progress"]);
    b.wait_for(
        "the other process's move",
        "const c = document.querySelector('.card[data-key=\"BC-1\"]'); return c !== null && c.closest('.column').dataset.status === 'in_progress';",
    );
    assert_eq!(
        b.js("return window.__stay;"),
        1,
        "the page was not reloaded"
    );
    screenshots(&b, "board");
    no_console_errors(&b, "board.html");
}

#[test]
fn a_change_from_another_process_appears_and_a_stale_edit_is_refused() {
    let Some(b) = Browser::start() else { return };
    let env = fixture();
    let server = Server::start(&env, &[]);
    b.goto(&server.url("issues/BC-2.html"));
    b.wait_for("live", "return document.body.dataset.live === 'on';");
    b.js("window.__stay = 1; return true;");
    let started = Instant::now();
    env.ok(&["set", "BC-2", "priority=p0", "assignee=carol"]);
    b.wait_for(
        "the change on the open page",
        "return document.querySelector('form.edit select[name=priority]').value === 'p0' && document.querySelector('.issue-side').textContent.includes('carol');",
    );
    eprintln!(
        "a change by another process showed in {} ms",
        started.elapsed().as_millis()
    );
    assert_eq!(
        b.js("return window.__stay;"),
        1,
        "the page was not reloaded"
    );

    // A stale page: the form still shows p0 when someone sets p3; changing
    // the priority from it is refused, with the newer value shown.
    b.js("document.querySelector('form.edit select[name=priority]').focus(); return true;");
    env.ok(&["set", "BC-2", "priority=p3"]);
    std::thread::sleep(Duration::from_millis(500));
    fill(&b, "form.edit select[name=priority]", "p1");
    let tip = env.tip();
    b.js("document.querySelector('form.edit button[type=submit]').click(); return true;");
    b.wait_for(
        "the refusal",
        "const n = document.querySelector('.notice'); return n !== null && n.textContent.includes('changed meanwhile');",
    );
    let notice = b.js("return document.querySelector('.notice').textContent;");
    assert!(
        notice.as_str().unwrap().contains("priority \"p3\""),
        "{notice}"
    );
    assert_eq!(
        b.js("return document.querySelector('form.edit select[name=priority]').value;"),
        "p3",
        "the form shows the newer value"
    );
    assert_eq!(env.tip(), tip, "nothing written");
    assert_eq!(shows(&env, "BC-2")["priority"], "p3");
    // A field nobody else touched still saves from the same page.
    fill(&b, "form.edit input[name=component]", "theme");
    b.js("document.querySelector('form.edit button[type=submit]').click(); return true;");
    wait_until("the component saved", || {
        shows(&env, "BC-2")["component"] == "theme"
    });
}

#[test]
fn changes_need_the_token_this_origin_and_this_host() {
    let env = fixture();
    let server = Server::start(&env, &[]);
    let port = server.port;
    let token = token(port);
    let tip = env.tip();
    let form = |t: &str| format!("token={t}&seen.priority=p1&priority=p0");
    let origin = format!("http://127.0.0.1:{port}");

    let (status, _, body) = post(port, "/issues/BC-1/set", &form(""), &[]);
    assert_eq!(status, 403, "no token: {body}");
    let (status, ..) = post(port, "/issues/BC-1/set", &form("guess"), &[]);
    assert_eq!(status, 403, "a wrong token");
    let (status, _, body) = post(
        port,
        "/issues/BC-1/set",
        &form(&token),
        &[("Origin", "http://evil.example")],
    );
    assert_eq!(status, 403, "another origin: {body}");
    let (status, ..) = post(
        port,
        "/issues/BC-1/set",
        &form(&token),
        &[("Origin", &origin), ("Sec-Fetch-Site", "cross-site")],
    );
    assert_eq!(status, 403, "a cross-site request");
    // DNS rebinding: a page of evil.example that resolves to 127.0.0.1.
    let (status, ..) = get(port, "/index.html").clone();
    assert_eq!(status, 200);
    let rebound = http(
        port,
        &format!(
            "GET /index.html HTTP/1.1\r\nHost: evil.example:{port}\r\nConnection: close\r\n\r\n"
        ),
    );
    assert_eq!(rebound.0, 421, "another host name");
    let (status, ..) = post(
        port,
        "/issues/BC-1/set",
        &form(&token),
        &[
            ("Host", &format!("evil.example:{port}")),
            ("Origin", &format!("http://evil.example:{port}")),
        ],
    );
    assert_eq!(status, 421);
    assert_eq!(env.tip(), tip, "nothing refused was written");

    // The same change from the server's own page goes through.
    let (status, head, _) = post(
        port,
        "/issues/BC-1/set",
        &form(&token),
        &[("Origin", &origin)],
    );
    assert_eq!(status, 303, "{head}");
    assert!(head.contains("location: /issues/bc-1.html"), "{head}");
    assert_eq!(shows(&env, "BC-1")["priority"], "p0");
    // Every page carries the CSP and refuses framing.
    let (_, head, _) = get(port, "/board.html");
    assert!(
        head.contains("content-security-policy: default-src 'none'; script-src 'self'"),
        "{head}"
    );
    assert!(head.contains("frame-ancestors 'none'"), "{head}");
    // A body over the limit is refused.
    let big = format!("token={token}&body={}", "x".repeat(600 * 1024));
    let (status, ..) = post(port, "/issues/BC-1/comment", &big, &[]);
    assert_eq!(status, 413, "a request body over the limit");
}

#[test]
fn read_only_serves_no_forms_and_refuses_changes() {
    let env = fixture();
    let server = Server::start(&env, &["--read-only"]);
    let (status, _, page) = get(server.port, "/issues/BC-1.html");
    assert_eq!(status, 200);
    assert!(page.contains("Login fails: colon in password"));
    assert!(!page.contains("<form class=\"edit\""), "no edit form");
    assert!(
        !page.contains("<form class=\"vote\"") && !page.contains("<form class=\"attach\""),
        "no vote or attach form"
    );
    assert!(!page.contains("New issue"), "no new-issue link");
    let tip = env.tip();
    let (status, ..) = post(server.port, "/issues/BC-1/comment", "body=hi", &[]);
    assert_eq!(status, 403);
    let (status, ..) = post(server.port, "/issues/BC-1/vote", "", &[]);
    assert_eq!(status, 403);
    // The board's query is reading: it works read-only too.
    let (status, _, board) = get(server.port, "/board.html?q=label%3Aperf");
    assert_eq!(status, 200);
    assert!(
        board.contains("href=\"issues/BC-3.html\"") && !board.contains("href=\"issues/BC-1.html\""),
        "{board}"
    );
    assert_eq!(env.tip(), tip);
}

#[test]
fn attachments_are_served_as_the_pages_link_them_and_never_a_confidential_issues() {
    let env = fixture();
    std::fs::write(env.root.join("trace.log"), "TRACE\0BYTES").unwrap();
    std::fs::write(env.root.join("x.svg"), "<svg onload=\"alert(1)\"/>").unwrap();
    let file = |n: &str| env.root.join(n).to_str().unwrap().to_owned();
    env.ok(&["attach", "BC-2", &file("trace.log"), &file("x.svg")]);
    env.ok(&["attach", "BC-4", &file("trace.log")]);
    env.ok(&["set", "BC-4", "confidential=true"]);
    let server = Server::start(&env, &["--read-only"]);
    let (_, _, page) = get(server.port, "/issues/BC-2.html");
    assert!(
        page.contains("href=\"BC-2/attachments/trace.log\""),
        "{page}"
    );
    let (status, head, body) = get(server.port, "/issues/BC-2/attachments/trace.log");
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("content-type: text/plain"), "{head}");
    assert_eq!(body, "TRACE\0BYTES");
    let svg = page
        .split("href=\"BC-2/attachments/")
        .filter_map(|s| s.split('"').next())
        .find(|f| f.starts_with('x'))
        .unwrap()
        .to_owned();
    assert!(svg.ends_with(".bin"), "{svg}");
    let (status, head, _) = get(server.port, &format!("/issues/BC-2/attachments/{svg}"));
    assert_eq!(status, 200);
    assert!(
        head.contains("content-type: application/octet-stream"),
        "{head}"
    );
    for path in [
        "/issues/BC-4/attachments/trace.log",
        "/issues/BC-2/attachments/x.svg",
        "/issues/BC-2/attachments/..%2F..%2FBC-4.md",
    ] {
        assert_eq!(get(server.port, path).0, 404, "{path}");
    }
}

#[test]
fn confidential_issues_are_served_only_when_asked_for() {
    let env = fixture();
    let key = env.new_issue("Breach SECRET-7f3a", &[]);
    env.ok(&["set", &key, "confidential=true"]);
    let server = Server::start(&env, &[]);
    let (status, ..) = get(server.port, &format!("/issues/{key}.html"));
    assert_eq!(status, 404);
    let (_, _, list) = get(server.port, "/index.html");
    assert!(!list.contains("SECRET-7f3a"));
    drop(server);
    let server = Server::start(&env, &["--include-confidential"]);
    let (status, _, page) = get(server.port, &format!("/issues/{key}.html"));
    assert_eq!(status, 200);
    assert!(page.contains("SECRET-7f3a"));
}

#[test]
fn a_hostile_corpus_is_inert_in_the_live_pages_and_forms() {
    let Some(b) = Browser::start() else { return };
    let env = hostile();
    let server = Server::start(&env, &[]);
    for page in [
        "index.html",
        "board.html",
        "issues/BC-1.html",
        "issues/BC-2.html",
        "new.html",
        "labels.html",
        "milestones.html",
    ] {
        b.goto(&server.url(page));
        assert_inert(&b, page);
    }
    b.goto(&server.url("issues/BC-2.html"));
    let title = b.js("return document.querySelector('h1').textContent;");
    assert_eq!(title, Value::from(format!("BC-2 Title 1 {}", PAYLOADS[1])));
    // Typed into the form, a payload is stored as text and shown as text.
    b.goto(&server.url("new.html"));
    fill(&b, "input[name=title]", PAYLOADS[0]);
    fill(&b, "textarea[name=body]", PAYLOADS[2]);
    b.js("document.getElementById('preview-button').click(); return true;");
    b.wait_for(
        "the preview",
        "return !document.getElementById('preview').hidden;",
    );
    assert_inert(&b, "new.html preview");
    b.js("document.getElementById('preview-button').click(); document.querySelector('#new-issue button[type=submit]').click(); return true;");
    b.wait_for(
        "the new issue",
        "return location.pathname.startsWith('/issues/BC-');",
    );
    assert_inert(&b, "the new issue");
    let title = b.js("return document.querySelector('h1').textContent;");
    assert!(title.as_str().unwrap().ends_with(PAYLOADS[0]), "{title}");
    b.screenshot("serve-hostile-issue");
}

/// A multipart form as a browser sends it: the token, then one file.
fn multipart(token: &str, file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----git-issue-test-7f3a";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn post_bytes(port: u16, path: &str, kind: &str, body: &[u8]) -> (u16, String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_ascii_lowercase(), body.to_owned())
}

#[test]
fn a_vote_from_the_page_is_one_commit_and_the_count_follows_live() {
    let Some(b) = Browser::start() else { return };
    let env = fixture();
    let server = Server::start(&env, &[]);
    b.goto(&server.url("issues/BC-2.html"));
    b.wait_for("live", "return document.body.dataset.live === 'on';");
    assert_eq!(
        b.js("return document.querySelector('form.vote .votes').dataset.votes;"),
        "0"
    );
    let tip = env.tip();
    b.js("document.querySelector('form.vote button').click(); return true;");
    b.wait_for(
        "the vote counted",
        "const f = document.querySelector('form.vote'); return f !== null && f.querySelector('.votes').dataset.votes === '1' && f.querySelector('button').getAttribute('aria-pressed') === 'true';",
    );
    // One commit, by the user's git identity, on top of the tip.
    assert_eq!(env.git(&["rev-parse", "issues^"]).trim(), tip.trim());
    let log = env.git(&["log", "-1", "--format=%an <%ae>", "issues"]);
    assert_eq!(log.trim(), "Alice Example <alice@example.com>");
    assert_eq!(
        shows(&env, "BC-2")["voters"],
        serde_json::json!(["alice@example.com"])
    );

    // Someone else's vote, from the command line, shows without a reload.
    b.js("window.__stay = 1; return true;");
    env.run_with_env(
        &["vote", "BC-2"],
        &[
            ("GIT_AUTHOR_NAME", "Bob Example"),
            ("GIT_AUTHOR_EMAIL", "bob@example.com"),
        ],
        "",
    );
    b.wait_for(
        "the other vote on the open page",
        "return document.querySelector('form.vote .votes').textContent === '2 votes';",
    );
    assert_eq!(
        b.js("return window.__stay;"),
        1,
        "the page was not reloaded"
    );

    // Taking the vote back takes back this user's only.
    b.js("document.querySelector('form.vote button').click(); return true;");
    b.wait_for(
        "the vote taken back",
        "const f = document.querySelector('form.vote'); return f !== null && f.querySelector('.votes').dataset.votes === '1' && f.querySelector('button').getAttribute('aria-pressed') === 'false';",
    );
    assert_eq!(
        shows(&env, "BC-2")["voters"],
        serde_json::json!(["bob@example.com"])
    );
    no_console_errors(&b, "issues/BC-2.html");

    // Without this server's token, no vote.
    let tip = env.tip();
    let (status, ..) = post(server.port, "/issues/BC-2/vote", "token=guess", &[]);
    assert_eq!(status, 403);
    assert_eq!(env.tip(), tip);
}

#[test]
fn a_file_attached_from_the_page_is_served_back_as_a_download() {
    let Some(b) = Browser::start() else { return };
    let env = fixture();
    crate::desk::add_settings(&env, "attachments:\n  max_size: 2 kB\n");
    let server = Server::start(&env, &[]);
    b.goto(&server.url("issues/BC-1.html"));
    b.wait_for("live", "return document.body.dataset.live === 'on';");
    // A file as a person would pick it: an HTML page with a hostile name.
    b.js(r#"const dt = new DataTransfer(); dt.items.add(new File(['<script>alert(1)</script><p id="pwned">x</p>'], '"><img src=x onerror=alert(1)>.html', {type: 'text/html'})); const i = document.querySelector('form.attach input[type=file]'); i.files = dt.files; document.querySelector('form.attach button[type=submit]').click(); return true;"#);
    b.wait_for(
        "the attachment listed",
        "return location.pathname === '/issues/BC-1.html' && document.querySelectorAll('.issue-side a[href*=\"/attachments/\"]').length === 1;",
    );
    assert_inert(&b, "the issue page with an attachment");
    let subject = env.git(&["log", "-1", "--format=%an%n%s", "issues"]);
    assert!(
        subject.starts_with("Alice Example\nBC-1: attach "),
        "{subject}"
    );
    let listed = env.ok(&["attachments", "BC-1", "--json"]);
    let name = json(&listed)[0]["name"].as_str().unwrap().to_owned();
    let text = b
        .js("return document.querySelector('.issue-side a[href*=\"/attachments/\"]').textContent;");
    assert_eq!(text, Value::from(name.clone()));
    let href = b.js("return document.querySelector('.issue-side a[href*=\"/attachments/\"]').getAttribute('href');");
    let href = href.as_str().unwrap().to_owned();
    b.screenshot("serve-attachment");

    // Served back byte for byte, as a download, never as a page.
    // Relative to the page, which is in /issues/, as on the exported site.
    let (status, head, body) = get(server.port, &format!("/issues/{href}"));
    assert_eq!(status, 200, "{head}");
    assert!(
        head.contains("content-type: application/octet-stream"),
        "{head}"
    );
    assert!(
        head.contains("content-disposition: attachment; filename=\""),
        "{head}"
    );
    assert!(head.contains("x-content-type-options: nosniff"), "{head}");
    assert!(
        head.contains("content-security-policy: default-src 'none'"),
        "{head}"
    );
    assert_eq!(body, "<script>alert(1)</script><p id=\"pwned\">x</p>");
    // An image is shown as one.
    let (kind, png) = multipart(&token(server.port), "shot.png", b"\x89PNG\r\n\x1a\nfake");
    let (status, head, _) = post_bytes(server.port, "/issues/BC-1/attach", &kind, &png);
    assert_eq!(status, 303, "{head}");
    let (status, head, _) = get(server.port, "/issues/BC-1/attachments/shot.png");
    assert_eq!(status, 200);
    assert!(head.contains("content-type: image/png"), "{head}");
    assert!(head.contains("content-disposition: inline"), "{head}");
    // Only what the issue lists: no other path of the branch.
    let (status, ..) = get(
        server.port,
        "/issues/BC-1/attachments/..%2F..%2Ftracker.yml",
    );
    assert_eq!(status, 404);

    // Over attachments.max_size: refused with the reason, nothing written.
    let tip = env.tip();
    let (kind, big) = multipart(&token(server.port), "big.bin", &[b'x'; 2001]);
    let (status, _, page) = post_bytes(server.port, "/issues/BC-1/attach", &kind, &big);
    assert_eq!(status, 413);
    assert!(
        page.contains("big.bin is more than the 2 kB an attachment may be (attachments.max_size in tracker.yml)"),
        "{page}"
    );
    // The same from the page: the browser shows the refusal.
    b.goto(&server.url("issues/BC-1.html"));
    b.js("const dt = new DataTransfer(); dt.items.add(new File(['x'.repeat(3000)], 'trace.log')); document.querySelector('form.attach input[type=file]').files = dt.files; document.querySelector('form.attach button[type=submit]').click(); return true;");
    b.wait_for(
        "the refusal",
        "const n = document.querySelector('.notice'); return n !== null && n.textContent.includes('trace.log is more than the 2 kB an attachment may be');",
    );
    // Without the token, nothing is kept.
    let (kind, small) = multipart("guess", "small.txt", b"hello");
    let (status, ..) = post_bytes(server.port, "/issues/BC-1/attach", &kind, &small);
    assert_eq!(status, 403);
    assert_eq!(env.tip(), tip, "nothing refused was written");
}

#[test]
fn the_board_filtered_by_a_query_shows_what_list_shows() {
    let Some(b) = Browser::start() else { return };
    let env = fixture();
    let server = Server::start(&env, &[]);
    let query = "label:ui";
    let listed: Vec<String> = json(&env.ok(&["list", "--all", query, "--json"]))
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap().to_owned())
        .collect();
    assert!(!listed.is_empty() && listed.len() < 5, "{listed:?}");
    b.goto(&server.url("board?q=label%3Aui"));
    b.wait_for("live", "return document.body.dataset.live === 'on';");
    let cards = |b: &Browser| -> Vec<String> {
        let mut v: Vec<String> = b
            .js("return Array.from(document.querySelectorAll('.card')).map(c => c.dataset.key);")
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    let mut want = listed.clone();
    want.sort();
    assert_eq!(cards(&b), want);
    assert_eq!(
        b.js("return document.querySelector('#board-filter input[name=q]').value;"),
        query
    );

    // Typed into the board's own filter.
    fill(&b, "#board-filter input[name=q]", "-label:ui");
    b.js("document.querySelector('#board-filter button[type=submit]').click(); return true;");
    b.wait_for(
        "the other issues",
        "return location.search === '?q=-label%3Aui' && document.querySelectorAll('.card').length > 0;",
    );
    let others = cards(&b);
    assert!(others.iter().all(|k| !listed.contains(k)), "{others:?}");
    assert_eq!(others.len() + listed.len(), 5);
    screenshots(&b, "board-filtered");
    // A card moved with its Move menu comes back to the same query.
    let moved = others[0].clone();
    let select = format!(".card[data-key=\"{moved}\"] form.move select");
    let to = b.js(&format!(
        "return Array.from(document.querySelector({}).options).filter(o => !o.disabled)[0].value;",
        serde_json::to_string(&select).unwrap()
    ));
    fill(&b, &select, to.as_str().unwrap());
    b.js(&format!(
        "document.querySelector('.card[data-key=\"{moved}\"] form.move button').click(); return true;"
    ));
    wait_until("the move", || shows(&env, &moved)["status"] == to);
    b.wait_for(
        "the filtered board again",
        "return location.pathname === '/board.html' && location.search === '?q=-label%3Aui' && document.querySelector('#board-filter input[name=q]') !== null;",
    );
    no_console_errors(&b, "board?q=");

    // A query that does not parse says why, as `list` would.
    let (status, _, page) = get(server.port, "/board.html?q=priority%3A");
    assert_eq!(status, 400);
    assert!(page.contains("Not a query the board can show"), "{page}");
    // Whatever was typed comes back as text.
    let (_, _, page) = get(
        server.port,
        "/board.html?q=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    );
    assert!(!page.contains("<script>alert"), "escaped");
}

/// The keys a served list shows, following its "Older" links to the end.
fn listed_keys(server: &Server, first: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut next = Some(first.to_owned());
    while let Some(path) = next.take() {
        let (status, _, page) = get(server.port, &format!("/{}", path.replace("&amp;", "&")));
        assert_eq!(status, 200, "{path}");
        for row in page.split("<tr data-number=").skip(1) {
            let key = row
                .split("<td class=\"key\"><a href=\"")
                .nth(1)
                .and_then(|s| s.split("issues/").nth(1))
                .and_then(|s| s.split(".html").next())
                .expect("a key in the row");
            keys.push(key.to_owned());
        }
        next = page
            .split("rel=\"next\" href=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .map(str::to_owned);
        assert!(keys.len() < 10_000, "the pages never end");
    }
    keys.sort();
    keys
}

#[test]
fn the_narrowed_boards_more_links_list_the_rest_of_the_columns_answer() {
    let env = crate::browser::generated(600);
    let server = Server::start(&env, &["--read-only"]);
    let (status, _, board) = get(server.port, "/board.html?q=-label%3Aui");
    assert_eq!(status, 200);
    let mores: Vec<(String, String)> = board
        .split("<section class=\"column")
        .skip(1)
        .filter_map(|col| {
            let status = col.split("data-status=\"").nth(1)?.split('"').next()?;
            let href = col
                .split("<p class=\"more\"><a href=\"")
                .nth(1)?
                .split('"')
                .next()?;
            Some((status.to_owned(), href.to_owned()))
        })
        .collect();
    assert!(
        mores.len() >= 2 && mores.iter().any(|(s, _)| s == "closed"),
        "columns with more than they show: {mores:?}"
    );
    for (status, href) in &mores {
        let query = if status == "closed" {
            "-label:ui is:closed".to_owned()
        } else {
            format!("-label:ui status:{status}")
        };
        let mut want: Vec<String> = json(&env.ok(&["list", "--all", "--json", "--", &query]))
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["key"].as_str().unwrap().to_owned())
            .collect();
        want.sort();
        assert!(want.len() > 100, "{query}: {}", want.len());
        assert_eq!(listed_keys(&server, href), want, "{status}: {href}");
    }
    // The page says what narrows it; what was typed stays text.
    let (_, _, page) = get(server.port, "/index.html?query=-label%3Aui&status=triaged");
    assert!(
        page.contains(
            "Issues matching <code>-label:ui</code> with status <strong>triaged</strong>"
        ),
        "{page}"
    );
    assert!(
        !page.contains("list.js"),
        "no browser filters that ignore the query"
    );
    let (_, _, page) = get(
        server.port,
        "/index.html?query=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    );
    assert!(!page.contains("<script>alert"), "escaped");
    let (status, _, page) = get(server.port, "/index.html?query=priority%3A");
    assert_eq!(status, 400);
    assert!(page.contains("Not a query the list can show"), "{page}");
    // The list without a query is the site's, with its browser filters.
    let (_, _, page) = get(server.port, "/index.html?status=triaged");
    assert!(page.contains("list.js"));
}
