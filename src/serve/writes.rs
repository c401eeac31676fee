//! Changes: each form posts to one handler that checks the token, calls the
//! same tracker operation as the command line (one commit, authored by the
//! user's git identity), brings the view up to date and answers with the
//! page to go to. A form posted by a script (`Accept: application/json`)
//! gets `{"ok": …}` instead. A change from a stale page whose fields were
//! changed meanwhile is refused with the values as they are now.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Form;
use axum::Json;
use axum::extract::multipart::{Field, Multipart};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde_json::json;

use super::guard::token_ok;
use super::pages::{new_form_again, render};
use super::state::Shared;
use crate::format::Key;
use crate::format::config::ByteSize;
use crate::tracker::attachments::{Source, Upload};
use crate::tracker::{Assignment, Closing, Draft, Error, ErrorKind, Tracker};

type Fields = HashMap<String, String>;

/// The fields of the issue form, in the field table's names.
const EDITABLE: &[&str] = &[
    "status",
    "type",
    "priority",
    "severity",
    "labels",
    "milestone",
    "assignee",
    "component",
];

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

/// A path of this site to go back to; anything else goes to the list.
fn back(fields: &Fields, default: String) -> String {
    match fields.get("back") {
        Some(b)
            if b.starts_with('/')
                && !b.starts_with("//")
                && !b.contains('\\')
                && b.chars().all(|c| c.is_ascii_graphic()) =>
        {
            b.clone()
        }
        _ => default,
    }
}

/// A card moved from a board narrowed by a query goes back to that board:
/// the Move form names `/board.html`, the page it was on says the query.
fn board_again(headers: &HeaderMap, to: String) -> String {
    if to != "/board.html" {
        return to;
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let referer = headers.get(header::REFERER).and_then(|r| r.to_str().ok());
    let (Some(host), Some(referer)) = (host, referer) else {
        return to;
    };
    match referer.strip_prefix(&format!("http://{host}")) {
        Some(p)
            if (p.starts_with("/board.html?") || p.starts_with("/board?"))
                && p.chars().all(|c| c.is_ascii_graphic()) =>
        {
            p.to_owned()
        }
        _ => to,
    }
}

fn forbidden(json: bool) -> Response {
    let msg = "This change did not carry this server's token; reload the page and try again.";
    if json {
        (
            StatusCode::FORBIDDEN,
            Json(json!({"ok": false, "error": msg})),
        )
            .into_response()
    } else {
        (StatusCode::FORBIDDEN, format!("{msg}\n")).into_response()
    }
}

fn status_of(e: &Error) -> StatusCode {
    match e.kind() {
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Refused | ErrorKind::Usage | ErrorKind::Broken | ErrorKind::CommitRefused => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        ErrorKind::Environment => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Runs a change on a blocking thread with a tracker of its own, then
/// brings the view up to date, so the page answered shows the change.
async fn change<T: Send + 'static>(
    shared: &Arc<Shared>,
    op: impl FnOnce(&Tracker) -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    let s = shared.clone();
    tokio::task::spawn_blocking(move || {
        let tracker = s.tracker()?;
        let out = op(&tracker);
        let _ = s.refresh();
        out
    })
    .await
    .map_err(|e| Error::Internal(format!("a worker stopped: {e}")))?
}

/// The answer to a change of an issue: the page to go back to, or the
/// issue's page again with why the change was refused.
fn answer(
    shared: &Shared,
    json: bool,
    key: &str,
    result: Result<String, Error>,
    to: String,
) -> Response {
    match (result, json) {
        (Ok(summary), true) => {
            Json(json!({"ok": true, "key": key, "summary": summary})).into_response()
        }
        (Ok(_), false) => Redirect::to(&to).into_response(),
        (Err(e), true) => {
            let now = match &e {
                Error::Stale { now, .. } => json!(now),
                _ => json!(null),
            };
            (
                status_of(&e),
                Json(json!({"ok": false, "error": e.to_string(), "now": now})),
            )
                .into_response()
        }
        (Err(e), false) => {
            let mut page = render(
                shared,
                &format!("issues/{key}.html"),
                Some(format!("Not saved: {e}.")),
            );
            *page.status_mut() = status_of(&e);
            page
        }
    }
}

fn parse_key(tracker: &Tracker, key: &str) -> Result<Key, Error> {
    tracker.parse_key(key)
}

pub async fn set(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let json = wants_json(&headers);
    if !token_ok(&shared, fields.get("token").map(String::as_str)) {
        return forbidden(json);
    }
    // Only what the person changed: a field whose value differs from the
    // one the page showed. Each of those must still be as the page showed.
    let mut seen = Vec::new();
    let mut changes = Vec::new();
    for name in EDITABLE {
        let (Some(value), Some(was)) = (fields.get(*name), fields.get(&format!("seen.{name}")))
        else {
            continue;
        };
        let value = value.trim();
        if normal(value) == normal(was) {
            continue;
        }
        seen.push(((*name).to_owned(), was.clone()));
        changes.push(Assignment::Set {
            field: (*name).to_owned(),
            value: value.to_owned(),
        });
    }
    let to = board_again(&headers, back(&fields, format!("/issues/{key}.html")));
    if changes.is_empty() {
        return answer(&shared, json, &key, Ok("unchanged".to_owned()), to);
    }
    let k = key.clone();
    let result = change(&shared, move |t| {
        let key = parse_key(t, &k)?;
        Ok(t.set_if_unchanged(&key, &seen, &changes)?.summary)
    })
    .await;
    answer(&shared, json, &key, result, to)
}

/// A list typed as `a, b` compares equal to `a,b`.
fn normal(v: &str) -> String {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn comment(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let body = fields.get("body").cloned().unwrap_or_default();
    let internal = fields.get("internal").is_some_and(|v| v == "true");
    on_issue(shared, key, &headers, &fields, move |t, key| {
        let (_, id) = t.comment(key, &body, internal)?;
        Ok(id)
    })
    .await
}

pub async fn close(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let reason = fields
        .get("reason")
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    on_issue(shared, key, &headers, &fields, move |t, key| {
        let closing = Closing {
            reason,
            ..Closing::default()
        };
        Ok(t.close(key, &closing)?.summary)
    })
    .await
}

pub async fn reopen(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    on_issue(shared, key, &headers, &fields, |t, key| {
        Ok(t.reopen(key)?.summary)
    })
    .await
}

/// What a form on an issue's page does: the token checked, one tracker
/// operation on the issue (one commit), then the answer: JSON, or back to
/// the page it came from.
async fn on_issue(
    shared: Arc<Shared>,
    key: String,
    headers: &HeaderMap,
    fields: &Fields,
    op: impl FnOnce(&Tracker, &Key) -> Result<String, Error> + Send + 'static,
) -> Response {
    let json = wants_json(headers);
    if !token_ok(&shared, fields.get("token").map(String::as_str)) {
        return forbidden(json);
    }
    let k = key.clone();
    let result = change(&shared, move |t| op(t, &parse_key(t, &k)?)).await;
    let to = back(fields, format!("/issues/{key}.html"));
    answer(&shared, json, &key, result, to)
}

fn given(fields: &Fields, name: &str) -> Option<String> {
    fields
        .get(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

pub async fn new_issue(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let json = wants_json(&headers);
    if !token_ok(&shared, fields.get("token").map(String::as_str)) {
        return forbidden(json);
    }
    let draft = Draft {
        title: fields.get("title").cloned().unwrap_or_default(),
        kind: given(&fields, "type"),
        priority: given(&fields, "priority"),
        severity: given(&fields, "severity"),
        labels: fields
            .get("labels")
            .map(|l| {
                l.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        milestone: given(&fields, "milestone"),
        assignee: given(&fields, "assignee"),
        component: given(&fields, "component"),
        body: given(&fields, "body"),
        template: given(&fields, "template"),
        // The form offers no template variables: a template that needs
        // some is refused with the names it uses.
        vars: Vec::new(),
        ..Draft::default()
    };
    let result = change(&shared, move |t| {
        if draft.title.trim().is_empty() {
            return Err(Error::Empty {
                what: "a new issue",
                needs: "a title",
            });
        }
        let issue = t.draft(draft)?;
        t.create(issue)
    })
    .await;
    match (result, json) {
        (Ok(key), true) => Json(json!({"ok": true, "key": key.to_string()})).into_response(),
        (Ok(key), false) => Redirect::to(&format!("/issues/{key}.html")).into_response(),
        (Err(e), true) => (
            status_of(&e),
            Json(json!({"ok": false, "error": e.to_string()})),
        )
            .into_response(),
        (Err(e), false) => {
            let typed = |n: &str| fields.get(n).cloned().unwrap_or_default();
            let page = new_form_again(
                &shared,
                crate::site::views::NewIssuePage {
                    title: typed("title"),
                    kind: typed("type"),
                    priority: typed("priority"),
                    severity: typed("severity"),
                    labels: typed("labels"),
                    milestone: typed("milestone"),
                    assignee: typed("assignee"),
                    component: typed("component"),
                    template: typed("template"),
                    body: typed("body"),
                    ..Default::default()
                },
                format!("Not filed: {e}."),
            );
            (status_of(&e), Html(page)).into_response()
        }
    }
}

/// The description as the issue page will show it: Markdown, sanitized.
pub async fn preview(State(shared): State<Arc<Shared>>, Form(fields): Form<Fields>) -> Response {
    if !token_ok(&shared, fields.get("token").map(String::as_str)) {
        return forbidden(false);
    }
    let body = fields.get("body").cloned().unwrap_or_default();
    Html(crate::site::escape::markdown(&body)).into_response()
}

/// "Me too": the user's vote, by their git identity, one commit.
pub async fn vote(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    voting(shared, key, headers, fields, true).await
}

/// Takes the user's vote back, one commit.
pub async fn unvote(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    voting(shared, key, headers, fields, false).await
}

async fn voting(
    shared: Arc<Shared>,
    key: String,
    headers: HeaderMap,
    fields: Fields,
    add: bool,
) -> Response {
    on_issue(shared, key, &headers, &fields, move |t, key| {
        let vote = if add { t.vote(key)? } else { t.unvote(key)? };
        Ok(vote.count.to_string())
    })
    .await
}

/// The most a text field of the attach form may hold (the token, the page
/// to go back to).
const FIELD_LIMIT: usize = 4096;

/// How much of a refused upload is still read, so that the browser gets
/// the refusal rather than a reset connection.
const DRAIN_LIMIT: u64 = 256 * 1024 * 1024;

/// Why an upload stopped before the tracker saw it.
enum Stop {
    Forbidden,
    TooBig { name: String, max: ByteSize },
    Bad(String),
}

/// Attaches the file of a multipart form to an issue, one commit. The
/// token must come before the file (the form puts it first), so no byte of
/// an upload without it is kept; a file over `attachments.max_size` is
/// refused as it arrives, before it is all in memory.
pub async fn attach(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    let json = wants_json(&headers);
    let max = {
        let view = shared.view.read().unwrap_or_else(|e| e.into_inner());
        view.corpus.config.attachments.max_size
    };
    let mut fields = Fields::new();
    let mut upload: Option<Upload> = None;
    let read: Result<(), Stop> = async {
        while let Some(mut field) = form
            .next_field()
            .await
            .map_err(|e| Stop::Bad(e.body_text()))?
        {
            let name = field.name().unwrap_or_default().to_owned();
            if name == "file" {
                if !token_ok(&shared, fields.get("token").map(String::as_str)) {
                    return Err(Stop::Forbidden);
                }
                let file_name = field.file_name().unwrap_or_default().to_owned();
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|e| Stop::Bad(e.body_text()))? {
                    if (bytes.len() + chunk.len()) as u64 > max.0 {
                        let seen = (bytes.len() + chunk.len()) as u64;
                        let seen = drain_field(&mut field, seen).await;
                        drop(field);
                        drain_rest(&mut form, seen).await;
                        return Err(Stop::TooBig {
                            name: file_name,
                            max,
                        });
                    }
                    bytes.extend_from_slice(&chunk);
                }
                if file_name.is_empty() && bytes.is_empty() {
                    continue;
                }
                upload = Some(Upload {
                    name: file_name,
                    source: Source::Bytes(bytes),
                });
            } else {
                let mut value = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|e| Stop::Bad(e.body_text()))? {
                    value.extend_from_slice(&chunk);
                    if value.len() > FIELD_LIMIT {
                        return Err(Stop::Bad(format!("the field {name} is too long")));
                    }
                }
                fields.insert(name, String::from_utf8_lossy(&value).into_owned());
            }
        }
        Ok(())
    }
    .await;
    let to = back(&fields, format!("/issues/{key}.html"));
    let result = match read {
        Err(Stop::Forbidden) => return forbidden(json),
        Err(Stop::TooBig { name, max }) => {
            let e = Error::Refused(format!(
                "{} is more than the {max} an attachment may be (attachments.max_size in tracker.yml)",
                if name.is_empty() { "the file" } else { &name }
            ));
            let mut page = answer(&shared, json, &key, Err(e), to);
            *page.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
            return page;
        }
        Err(Stop::Bad(why)) => Err(Error::Refused(format!(
            "the upload did not arrive whole: {why}"
        ))),
        Ok(()) if !token_ok(&shared, fields.get("token").map(String::as_str)) => {
            return forbidden(json);
        }
        Ok(()) => match upload {
            None => Err(Error::Empty {
                what: "attach",
                needs: "a file",
            }),
            Some(upload) => {
                let k = key.clone();
                change(&shared, move |t| {
                    let key = parse_key(t, &k)?;
                    let done = t.attach(&key, vec![upload])?;
                    Ok(done
                        .files
                        .iter()
                        .map(|f| f.name.clone())
                        .collect::<Vec<_>>()
                        .join(", "))
                })
                .await
            }
        },
    };
    answer(&shared, json, &key, result, to)
}

/// Reads what is left of a refused file, up to [`DRAIN_LIMIT`] in all.
async fn drain_field(field: &mut Field<'_>, mut read: u64) -> u64 {
    while read < DRAIN_LIMIT {
        match field.chunk().await {
            Ok(Some(c)) => read += c.len() as u64,
            _ => break,
        }
    }
    read
}

/// Reads the fields after a refused file, up to [`DRAIN_LIMIT`] in all.
async fn drain_rest(form: &mut Multipart, mut read: u64) {
    while read < DRAIN_LIMIT {
        let Ok(Some(mut f)) = form.next_field().await else {
            break;
        };
        read = drain_field(&mut f, read).await;
    }
}
