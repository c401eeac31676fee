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
    assert!(!page.contains("New issue"), "no new-issue link");
    let tip = env.tip();
    let (status, ..) = post(server.port, "/issues/BC-1/comment", "body=hi", &[]);
    assert_eq!(status, 403);
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
