//! `git issue bridge pull|push jira` against a small HTTP server on
//! 127.0.0.1 that answers from the fixtures: the token in the
//! Authorization header, pages chained by `nextPageToken`, a 429 with
//! Retry-After waited out, a 500 half-way that leaves the branch as it was
//! and a second run that brings everything in.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::bridge::fixture;
use crate::common::{Env, json as parse};

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub auth: String,
    pub body: String,
}

pub struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn json(v: &Value) -> Answer {
        Answer {
            status: 200,
            headers: Vec::new(),
            body: v.to_string(),
        }
    }

    fn status(status: u16, body: &str) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: body.to_owned(),
        }
    }
}

type Handler = Box<dyn Fn(&Request, usize) -> Answer + Send + Sync>;

/// An HTTP/1.1 server on 127.0.0.1 that records every request and answers
/// with `handler` (given the request and how many came before it). It
/// stops when dropped, after 500 requests, or after a minute.
pub struct Server {
    pub url: String,
    pub requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
}

impl Server {
    pub fn start(handler: Handler) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen, stopped) = (requests.clone(), stop.clone());
        std::thread::spawn(move || {
            let started = Instant::now();
            let mut served = 0;
            while !stopped.load(Ordering::Relaxed)
                && served < 500
                && started.elapsed() < Duration::from_secs(60)
            {
                let Ok((stream, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                };
                served += 1;
                stream.set_nonblocking(false).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(10)))
                    .unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let mut parts = line.split_whitespace();
                let method = parts.next().unwrap_or("").to_owned();
                let path = parts.next().unwrap_or("").to_owned();
                let (mut length, mut auth) = (0, String::new());
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = h.split_once(':') {
                        match k.trim().to_ascii_lowercase().as_str() {
                            "content-length" => length = v.trim().parse().unwrap_or(0),
                            "authorization" => auth = v.trim().to_owned(),
                            _ => {}
                        }
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                let request = Request {
                    method,
                    path,
                    auth,
                    body: String::from_utf8_lossy(&body).into_owned(),
                };
                let n = {
                    let mut all = seen.lock().unwrap();
                    all.push(request.clone());
                    all.len() - 1
                };
                let answer = handler(&request, n);
                let reason = match answer.status {
                    200 => "OK",
                    201 => "Created",
                    204 => "No Content",
                    429 => "Too Many Requests",
                    _ => "Error",
                };
                let mut out = format!(
                    "HTTP/1.1 {} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
                    answer.status,
                    answer.body.len()
                );
                for (k, v) in &answer.headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str("\r\n");
                out.push_str(&answer.body);
                let mut stream = stream;
                let _ = stream.write_all(out.as_bytes());
            }
        });
        Server {
            url,
            requests,
            stop,
        }
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn page(n: usize) -> Value {
    parse(&std::fs::read_to_string(fixture(&format!("jira/search-page{n}.json"))).unwrap())
}

fn configure(env: &Env) {
    env.git(&["config", "issue.jira.token", "s3cret-token"]);
    env.git(&["config", "issue.jira.user", "alice@example.com"]);
}

/// Basic base64("alice@example.com:s3cret-token").
const AUTH: &str = "Basic YWxpY2VAZXhhbXBsZS5jb206czNjcmV0LXRva2Vu";

#[test]
fn jira_pull_follows_page_tokens_waits_out_a_429_and_survives_a_500() {
    let env = Env::with_tracker();
    configure(&env);
    let fail_page_two = Arc::new(AtomicBool::new(true));
    let fail = fail_page_two.clone();
    let server = Server::start(Box::new(move |r, n| {
        if !r.path.starts_with("/rest/api/3/search/jql?") {
            return Answer::status(404, r#"{"errorMessages":["no such resource"]}"#);
        }
        if r.path.contains("nextPageToken=") {
            if fail.load(Ordering::Relaxed) {
                return Answer::status(500, r#"{"errorMessages":["Internal server error"]}"#);
            }
            return Answer::json(&page(2));
        }
        // The very first request is told to come back in a second.
        if n == 0 {
            return Answer {
                status: 429,
                headers: vec![("Retry-After".into(), "1".into())],
                body: r#"{"errorMessages":["Rate limit exceeded"]}"#.into(),
            };
        }
        Answer::json(&page(1))
    }));
    let project = format!("{}/PROJ", server.url);
    let tip = env.tip();
    let r = env.run(&["bridge", "pull", "jira", &project]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("error: Jira answered 500 to GET /rest/api/3/search/jql?"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("Internal server error"), "{}", r.stderr);
    assert_eq!(env.tip(), tip, "a failed pull writes nothing");
    let requests = server.requests();
    assert_eq!(requests.len(), 3, "429, page 1, page 2: {requests:?}");
    assert!(requests.iter().all(|r| r.auth == AUTH), "{requests:?}");
    assert!(
        requests[0]
            .path
            .contains("jql=project%20%3D%20%22PROJ%22%20ORDER%20BY%20updated%20ASC"),
        "{}",
        requests[0].path
    );
    assert!(
        requests[0].path.contains("&fields=summary,description,"),
        "{}",
        requests[0].path
    );
    let token = page(1)["nextPageToken"]
        .as_str()
        .unwrap()
        .replace('=', "%3D");
    assert!(
        requests[2]
            .path
            .ends_with(&format!("&nextPageToken={token}")),
        "{}",
        requests[2].path
    );

    // Jira is well again: the next run brings everything in.
    fail_page_two.store(false, Ordering::Relaxed);
    let r = env.run(&["bridge", "pull", "jira", &project]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("6 new"), "{}", r.stderr);
    let first = parse(&env.ok(&["show", "BC-1", "--json"]));
    assert_eq!(first["bridge"]["key"], "PROJ-101");
    assert!(
        first["body"]
            .as_str()
            .unwrap()
            .starts_with("## Steps to reproduce\n")
    );
    // And asks for what changed since, the day before to be safe with
    // Jira's time zones.
    let before = server.requests().len();
    env.ok(&["bridge", "pull", "jira", &project]);
    let later = &server.requests()[before];
    assert!(
        later.path.contains("AND%20updated%20%3E%3D%20%222024-06-"),
        "{}",
        later.path
    );
}

#[test]
fn jira_without_a_token_says_where_to_put_one() {
    let env = Env::with_tracker();
    let r = env.run(&[
        "bridge",
        "pull",
        "jira",
        "https://example.atlassian.net/PROJ",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("git config issue.jira.token"),
        "{}",
        r.stderr
    );
}

#[test]
fn jira_push_creates_edits_transitions_and_comments_in_adf() {
    let env = Env::with_tracker();
    configure(&env);
    let issue = |key: &str| -> Value {
        [page(1), page(2)]
            .iter()
            .flat_map(|p| p["issues"].as_array().unwrap().clone())
            .find(|i| i["key"] == key)
            .unwrap()
    };
    let server = Server::start(Box::new(move |r, _| {
        let p = r.path.as_str();
        match r.method.as_str() {
            "GET" if p.starts_with("/rest/api/3/search/jql") => {
                let mut all = page(1);
                all["issues"]
                    .as_array_mut()
                    .unwrap()
                    .extend(page(2)["issues"].as_array().unwrap().clone());
                all["isLast"] = json!(true);
                all.as_object_mut().unwrap().remove("nextPageToken");
                Answer::json(&all)
            }
            "POST" if p == "/rest/api/3/issue" => Answer {
                status: 201,
                headers: Vec::new(),
                body: json!({"id": "10107", "key": "PROJ-107", "self": "x"}).to_string(),
            },
            "GET" if p.starts_with("/rest/api/3/issue/PROJ-107?") => {
                let mut v = issue("PROJ-106");
                v["id"] = json!("10107");
                v["key"] = json!("PROJ-107");
                v["fields"]["summary"] = json!("Filed here");
                Answer::json(&v)
            }
            "GET" if p.starts_with("/rest/api/3/issue/PROJ-104/transitions") => {
                Answer::json(&json!({
                    "transitions": [
                        {"id": "11", "name": "Start", "to": {"name": "In Progress", "statusCategory": {"key": "indeterminate"}}},
                        {"id": "31", "name": "Finish", "to": {"name": "Done", "statusCategory": {"key": "done"}}}
                    ]
                }))
            }
            "POST" if p == "/rest/api/3/issue/PROJ-104/transitions" => Answer::status(204, ""),
            "PUT" if p == "/rest/api/3/issue/PROJ-104" => Answer::status(204, ""),
            "GET" if p.starts_with("/rest/api/3/issue/PROJ-104?") => {
                Answer::json(&issue("PROJ-104"))
            }
            "POST" if p == "/rest/api/3/issue/PROJ-102/comment" => {
                Answer::json(&json!({"id": "10400", "body": {}}))
            }
            "GET" if p.starts_with("/rest/api/3/issue/PROJ-102?") => {
                Answer::json(&issue("PROJ-102"))
            }
            _ => Answer::status(404, r#"{"errorMessages":["unexpected"]}"#),
        }
    }));
    let project = format!("{}/PROJ", server.url);
    env.ok(&["bridge", "pull", "jira", &project]);
    // Here: a new issue, PROJ-104 (BC-4) retitled and resolved, a comment
    // on PROJ-102 (BC-2).
    env.new_issue("Filed here", &["-m", "Seen with **bold** and `code`."]);
    env.ok(&[
        "set",
        "BC-4",
        "title=Rounding rules, per currency",
        "status=resolved",
    ]);
    env.ok(&["comment", "BC-2", "-m", "Rates come from the *ECB* feed."]);
    let before = server.requests().len();
    let r = env.run(&["bridge", "push", "jira", &project]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sent: Vec<Request> = server.requests()[before..].to_vec();
    let calls: Vec<String> = sent
        .iter()
        .map(|r| format!("{} {}", r.method, r.path.split('?').next().unwrap()))
        .collect();
    assert_eq!(
        calls,
        [
            "POST /rest/api/3/issue/PROJ-102/comment",
            "GET /rest/api/3/issue/PROJ-102",
            "PUT /rest/api/3/issue/PROJ-104",
            "GET /rest/api/3/issue/PROJ-104/transitions",
            "POST /rest/api/3/issue/PROJ-104/transitions",
            "GET /rest/api/3/issue/PROJ-104",
            "POST /rest/api/3/issue",
            "GET /rest/api/3/issue/PROJ-107",
        ]
    );
    assert!(sent.iter().all(|r| r.auth == AUTH));
    let body = |i: usize| parse(&sent[i].body);
    assert_eq!(
        body(0)["body"],
        json!({"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [
            {"type": "text", "text": "Rates come from the "},
            {"type": "text", "text": "ECB", "marks": [{"type": "em"}]},
            {"type": "text", "text": " feed."}]}]})
    );
    assert_eq!(
        body(2),
        json!({"fields": {"summary": "Rounding rules, per currency"}})
    );
    assert_eq!(body(4), json!({"transition": {"id": "31"}}));
    let created = body(6);
    assert_eq!(created["fields"]["project"], json!({"key": "PROJ"}));
    assert_eq!(created["fields"]["issuetype"], json!({"name": "Bug"}));
    assert_eq!(created["fields"]["summary"], "Filed here");
    assert_eq!(
        created["fields"]["description"]["content"][0]["content"][1],
        json!({"type": "text", "text": "bold", "marks": [{"type": "strong"}]})
    );
    assert_eq!(
        parse(&env.ok(&["show", "BC-7", "--json"]))["bridge"]["key"],
        "PROJ-107"
    );
}

/// A comment of Jira's, in the fixture's shape, saying `text`.
fn jira_comment(like: &Value, id: &str, text: &str, at: &str) -> Value {
    let mut c = like.clone();
    c["id"] = json!(id);
    c["self"] = json!(format!(
        "https://your-domain.atlassian.net/rest/api/3/issue/10101/comment/{id}"
    ));
    c["body"] = json!({"type": "doc", "version": 1, "content": [
        {"type": "paragraph", "content": [{"type": "text", "text": text}]}]});
    c["created"] = json!(at);
    c["updated"] = json!(at);
    c
}

#[test]
fn jira_pull_fetches_the_comments_a_search_page_leaves_out() {
    let env = Env::with_tracker();
    configure(&env);
    // PROJ-101 has four comments; the search result embeds the first.
    let mut one = page(1);
    one["isLast"] = json!(true);
    one.as_object_mut().unwrap().remove("nextPageToken");
    let issue = &mut one["issues"][0];
    assert_eq!(issue["key"], "PROJ-101");
    let mut all = issue["fields"]["comment"]["comments"]
        .as_array()
        .unwrap()
        .clone();
    let like = all[0].clone();
    all.push(jira_comment(
        &like,
        "10390",
        "Third, on page two.",
        "2025-03-01T10:00:00.000+0100",
    ));
    all.push(jira_comment(
        &like,
        "10391",
        "Fourth, on page three.",
        "2025-03-02T10:00:00.000+0100",
    ));
    issue["fields"]["comment"] = json!({
        "comments": [all[0].clone()],
        "self": "https://your-domain.atlassian.net/rest/api/3/issue/10101/comment",
        "maxResults": 1, "total": 4, "startAt": 0,
    });
    let server = Server::start(Box::new(move |r, _| {
        let p = r.path.as_str();
        if p.starts_with("/rest/api/3/search/jql?") {
            return Answer::json(&one);
        }
        // The comment resource, two to a page as a server may choose.
        if let Some(rest) = p.strip_prefix("/rest/api/3/issue/PROJ-101/comment?startAt=") {
            let at: usize = rest.split('&').next().unwrap().parse().unwrap();
            return Answer::json(&json!({
                "startAt": at, "maxResults": 2, "total": all.len(),
                "comments": all[at..(at + 2).min(all.len())],
            }));
        }
        Answer::status(404, r#"{"errorMessages":["unexpected"]}"#)
    }));
    let project = format!("{}/PROJ", server.url);
    let r = env.run(&["bridge", "pull", "jira", &project]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let paths: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.path.split("?jql").next().unwrap().to_owned())
        .collect();
    assert_eq!(
        paths,
        [
            "/rest/api/3/search/jql",
            "/rest/api/3/issue/PROJ-101/comment?startAt=1&maxResults=100",
            "/rest/api/3/issue/PROJ-101/comment?startAt=3&maxResults=100",
        ]
    );
    assert!(server.requests().iter().all(|r| r.auth == AUTH));
    let comments = parse(&env.ok(&["show", "BC-1", "--json"]))["comments"].clone();
    let comments = comments.as_array().unwrap();
    assert_eq!(comments.len(), 4, "{comments:?}");
    let ids: Vec<&Value> = comments.iter().map(|c| &c["bridge"]["id"]).collect();
    assert_eq!(
        ids,
        ["10300", "10311", "10390", "10391"]
            .map(|s| json!(s))
            .iter()
            .collect::<Vec<_>>()
    );
    assert_eq!(
        comments[3]["body"].as_str().unwrap().trim(),
        "Fourth, on page three."
    );
}

/// `v` as served from `site`: the addresses in it (`self`) are its own.
fn served(site: &Mutex<String>, v: &Value) -> Answer {
    let mut a = Answer::json(v);
    a.body = a
        .body
        .replace("https://your-domain.atlassian.net", &site.lock().unwrap());
    a
}

/// A Jira that keeps what it is sent: searches, reads, edits, transitions,
/// comments and creates change the issues it then serves.
fn stateful_jira() -> Server {
    let issues = Arc::new(Mutex::new(
        [page(1), page(2)]
            .iter()
            .flat_map(|p| p["issues"].as_array().unwrap().clone())
            .collect::<Vec<Value>>(),
    ));
    let clock = Arc::new(Mutex::new(0u32));
    // Its own address, for the `self` of what it serves.
    let site = Arc::new(Mutex::new(String::new()));
    let own = site.clone();
    let server = Server::start(Box::new(move |r, _| {
        let mut issues = issues.lock().unwrap();
        let now = {
            let mut c = clock.lock().unwrap();
            *c += 1;
            format!("2026-01-02T04:{:02}:00.000+0100", *c)
        };
        let path = r.path.split('?').next().unwrap();
        let rest = path.strip_prefix("/rest/api/3/issue/").unwrap_or("");
        let (key, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let find = |issues: &mut Vec<Value>, key: &str| issues.iter().position(|i| i["key"] == key);
        let body: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
        match (r.method.as_str(), path, tail) {
            ("GET", "/rest/api/3/search/jql", _) => {
                served(&own, &json!({"issues": *issues, "isLast": true}))
            }
            ("POST", "/rest/api/3/issue", _) => {
                let n = 101 + issues.len();
                let mut new = issues
                    .iter()
                    .find(|i| i["key"] == "PROJ-106")
                    .unwrap()
                    .clone();
                new["id"] = json!(format!("10{n}"));
                new["key"] = json!(format!("PROJ-{n}"));
                for (k, v) in body["fields"].as_object().unwrap() {
                    if k != "project" {
                        new["fields"][k] = v.clone();
                    }
                }
                new["fields"]["parent"] = Value::Null;
                new["fields"]["fixVersions"] = json!([]);
                new["fields"]["created"] = json!(now);
                new["fields"]["updated"] = json!(now);
                let answer = json!({"id": new["id"], "key": new["key"], "self": "x"});
                issues.push(new);
                Answer {
                    status: 201,
                    ..served(&own, &answer)
                }
            }
            ("GET", _, "") => match find(&mut issues, key) {
                Some(i) => served(&own, &issues[i]),
                None => Answer::status(404, r#"{"errorMessages":["no such issue"]}"#),
            },
            ("PUT", _, "") => {
                let i = find(&mut issues, key).unwrap();
                for (k, v) in body["fields"].as_object().unwrap() {
                    issues[i]["fields"][k] = v.clone();
                }
                issues[i]["fields"]["updated"] = json!(now);
                Answer::status(204, "")
            }
            ("GET", _, "transitions") => served(
                &own,
                &json!({
                    "transitions": [
                        {"id": "11", "name": "Start", "to": {"name": "In Progress", "statusCategory": {"key": "indeterminate"}}},
                        {"id": "31", "name": "Finish", "to": {"name": "Done", "statusCategory": {"key": "done"}}}
                    ]
                }),
            ),
            ("POST", _, "transitions") => {
                let i = find(&mut issues, key).unwrap();
                let (name, category) = match body["transition"]["id"].as_str() {
                    Some("31") => ("Done", "done"),
                    _ => ("In Progress", "indeterminate"),
                };
                let f = &mut issues[i]["fields"];
                f["status"] =
                    json!({"name": name, "statusCategory": {"key": category, "name": name}});
                if category == "done" {
                    f["resolution"] = json!({"name": "Done"});
                    f["resolutiondate"] = json!(now);
                }
                f["updated"] = json!(now);
                Answer::status(204, "")
            }
            ("POST", _, "comment") => {
                let i = find(&mut issues, key).unwrap();
                let id = format!("1{:04}", 900 + *clock.lock().unwrap());
                let like = page(1)["issues"][0]["fields"]["comment"]["comments"][0].clone();
                let mut c = like;
                c["id"] = json!(id);
                c["body"] = body["body"].clone();
                c["created"] = json!(now);
                c["updated"] = json!(now);
                let f = &mut issues[i]["fields"];
                f["comment"]["comments"]
                    .as_array_mut()
                    .unwrap()
                    .push(c.clone());
                let total = f["comment"]["comments"].as_array().unwrap().len();
                f["comment"]["total"] = json!(total);
                f["comment"]["maxResults"] = json!(total);
                f["updated"] = json!(now);
                Answer {
                    status: 201,
                    ..served(&own, &c)
                }
            }
            _ => Answer::status(404, r#"{"errorMessages":["unexpected"]}"#),
        }
    }));
    *site.lock().unwrap() = server.url.clone();
    server
}

#[test]
fn jira_round_trip_push_then_a_full_pull_changes_nothing() {
    let env = Env::with_tracker();
    configure(&env);
    let server = stateful_jira();
    let project = format!("{}/PROJ", server.url);
    env.ok(&["bridge", "pull", "jira", &project]);
    // Importing what is there again: no commit.
    let (tip, n) = (env.tip(), crate::bridge::commits(&env));
    let r = env.run(&["bridge", "pull", "jira", &project, "--full"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        (env.tip(), crate::bridge::commits(&env)),
        (tip, n),
        "{}",
        r.stderr
    );

    // Here: a new issue with a comment, PROJ-104 (BC-4) retitled and
    // resolved, a comment on PROJ-102 (BC-2).
    env.new_issue("Filed here", &["-m", "Seen with **bold** and `code`."]);
    env.ok(&[
        "comment",
        "BC-7",
        "-m",
        "A first comment, with a [link](https://example.com).",
    ]);
    env.ok(&[
        "set",
        "BC-4",
        "title=Rounding rules, per currency",
        "status=resolved",
    ]);
    env.ok(&["comment", "BC-2", "-m", "Rates come from the *ECB* feed."]);
    let r = env.run(&["bridge", "push", "jira", &project]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("1 created, 1 updated, 2 comment(s) sent"),
        "{}",
        r.stderr
    );
    assert_eq!(
        parse(&env.ok(&["show", "BC-7", "--json"]))["bridge"]["key"],
        "PROJ-107"
    );

    // Pushing again sends nothing; a full pull of what Jira now holds
    // changes nothing here.
    let before = server.requests().len();
    env.ok(&["bridge", "push", "jira", &project]);
    assert_eq!(
        server.requests().len(),
        before,
        "{:?}",
        &server.requests()[before..]
    );
    let (tip, n) = (env.tip(), crate::bridge::commits(&env));
    let r = env.run(&["bridge", "pull", "jira", &project, "--full"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("0 new, 0 updated, 7 unchanged"),
        "{}\n{}",
        r.stderr,
        env.git(&["show", "issues"])
    );
    assert_eq!(
        (env.tip(), crate::bridge::commits(&env)),
        (tip, n),
        "{}",
        r.stderr
    );
}
