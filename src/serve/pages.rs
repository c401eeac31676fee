//! Reading: every page of the site at the path the export gives it, rendered
//! on request from the view in memory with the site's own HTML, the site's
//! scripts and data files, the server's own scripts, and the stream of
//! change announcements.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use tokio_stream::StreamExt as _;
use tokio_stream::wrappers::BroadcastStream;

use super::additions;
use super::state::{Shared, View};
use crate::format::fields::vote_count;
use crate::query::{Query as ParsedQuery, TextFields};
use crate::site::html;
use crate::site::views::{self, NewIssuePage};
use crate::tracker::votes::voters;

/// The server's own scripts: live updates, the board's drag and drop, the
/// new-issue form's preview.
const SCRIPTS: &[(&str, &str)] = &[
    ("live.js", include_str!("assets/live.js")),
    ("board.js", include_str!("assets/board.js")),
    ("new.js", include_str!("assets/new.js")),
];

pub async fn index(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    list_or_page(shared, "index.html", &uri).await
}

pub async fn page(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/').to_owned();
    list_or_page(shared, &path, &uri).await
}

/// The page at `path`; the list narrowed by `?query=` (the board's "and N
/// more") when it is the list and has one.
async fn list_or_page(shared: Arc<Shared>, path: &str, uri: &Uri) -> Response {
    let params = Query::<HashMap<String, String>>::try_from_uri(uri)
        .map(|q| q.0)
        .unwrap_or_default();
    if path != "index.html" || !params.contains_key("query") {
        return render(&shared, path, None);
    }
    tokio::task::spawn_blocking(move || narrowed_list(&shared, &params))
        .await
        .unwrap_or_else(|_| {
            (StatusCode::INTERNAL_SERVER_ERROR, "The list failed.\n").into_response()
        })
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "No such page.\n").into_response()
}

/// The page at `path`, with `notice` atop it (what a change did, or why it
/// was refused).
pub fn render(shared: &Shared, path: &str, notice: Option<String>) -> Response {
    if let Some((_, bytes, kind)) = crate::site::ASSETS.iter().find(|(n, ..)| *n == path) {
        return ([(header::CONTENT_TYPE, *kind)], *bytes).into_response();
    }
    if let Some((_, bytes)) = SCRIPTS.iter().find(|(n, _)| *n == path) {
        return (
            [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
            *bytes,
        )
            .into_response();
    }
    if path.starts_with("data/") {
        return match shared.data_file(path) {
            Some(bytes) => (
                [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                bytes,
            )
                .into_response(),
            None => not_found(),
        };
    }
    // An issue page reads only what a change keeps up to date.
    let view = if path.starts_with("issues/") {
        shared.view.read().unwrap_or_else(|e| e.into_inner())
    } else {
        shared.fresh()
    };
    match html_of(&view, path, notice, shared.me.as_deref()) {
        Some(html) => Html(html).into_response(),
        None => not_found(),
    }
}

fn html_of(view: &View, path: &str, notice: Option<String>, me: Option<&str>) -> Option<String> {
    let p = &view.pages;
    let mut frame = p.frame.clone();
    if let Some(live) = &mut frame.live {
        live.notice = notice;
    }
    Some(match path {
        "milestones.html" => html::milestones_page(&views::MilestonesPage {
            frame,
            ..p.milestones.clone()
        }),
        "labels.html" => html::labels_page(&views::LabelsPage {
            frame,
            ..p.labels.clone()
        }),
        "dashboard.html" => html::dashboard_page(&views::DashboardPage {
            frame,
            ..p.dashboard.clone()
        }),
        "search.html" => html::search_page(&views::SearchPage { frame }),
        "known.html" => html::known_page(&views::KnownPage {
            frame,
            ..p.known.clone()
        }),
        "new.html" => html::edit::new_issue_page(&NewIssuePage {
            frame,
            ..NewIssuePage::default()
        }),
        _ => {
            if let Some(file) = path.strip_prefix("issues/") {
                let key = file.strip_suffix(".html")?;
                let number: u64 = key.rsplit_once('-')?.1.parse().ok()?;
                let i = view
                    .corpus
                    .entries
                    .binary_search_by_key(&number, |e| e.key.number)
                    .ok()
                    .filter(|i| view.corpus.entries[*i].key.to_string() == key)?;
                let entry = &view.corpus.entries[i];
                if let Some(live) = frame.live.as_mut().filter(|l| !l.read_only) {
                    let voted = me.is_some_and(|me| {
                        voters(&entry.issue)
                            .iter()
                            .any(|v| v.eq_ignore_ascii_case(me))
                    });
                    live.addition = additions::issue(
                        live,
                        key,
                        vote_count(&entry.issue),
                        voted,
                        view.corpus.config.attachments.max_size,
                    );
                }
                let v = views::issue_page(&view.corpus, p, i, &frame);
                return Some(html::issue_page(&v));
            }
            if let Some(file) = path.strip_prefix("release-notes/") {
                let slug = file.strip_suffix(".html")?;
                let v = p.notes.iter().find(|n| n.milestone_slug == slug)?;
                return Some(html::notes_page(&views::NotesPage { frame, ..v.clone() }));
            }
            let v = p.listings.iter().find(|l| l.path == path)?;
            html::listing_page(&views::ListingPage { frame, ..v.clone() })
        }
    })
}

/// The new-issue form again, with what was typed and why it was refused.
pub fn new_form_again(shared: &Shared, typed: NewIssuePage, notice: String) -> String {
    let view = shared.view.read().unwrap_or_else(|e| e.into_inner());
    let mut frame = view.pages.frame.clone();
    if let Some(live) = &mut frame.live {
        live.notice = Some(notice);
    }
    html::edit::new_issue_page(&NewIssuePage { frame, ..typed })
}

/// Server-sent events: one `change` event each time the branch moves, with
/// the new tip and the keys of the issues that changed (`null`: all).
pub async fn events(
    State(shared): State<Arc<Shared>>,
) -> Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>> {
    let stream = BroadcastStream::new(shared.events.subscribe())
        .filter_map(|m| m.ok())
        .map(|data| Ok(Event::default().event("change").data(data)));
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// The board, narrowed by `?q=` to the issues a query in the language of
/// `git issue list` matches (the same parser; open and closed columns both
/// follow it, as the board shows both).
pub async fn board(
    State(shared): State<Arc<Shared>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let q = params
        .get("q")
        .map(|q| q.trim().to_owned())
        .unwrap_or_default();
    tokio::task::spawn_blocking(move || board_page(&shared, &q))
        .await
        .unwrap_or_else(|_| {
            (StatusCode::INTERNAL_SERVER_ERROR, "The board failed.\n").into_response()
        })
}

/// The issues `query` matches, in the order of the corpus (by number).
fn matching(view: &View, query: &ParsedQuery) -> Vec<views::Row> {
    let config = &view.corpus.config;
    let reads_text = query.expr.reads_text();
    view.corpus
        .entries
        .iter()
        .zip(&view.pages.rows)
        .filter(|(e, _)| {
            let comments = if reads_text {
                e.comments
                    .iter()
                    .map(|c| c.comment.body.as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            } else {
                String::new()
            };
            let text = TextFields::new(&e.issue, &comments, config);
            query
                .expr
                .matches(&e.key.to_string(), &e.issue, &text, config)
        })
        .map(|(_, r)| r.clone())
        .collect()
}

/// The list narrowed by `?query=` (the board's language) and, as a board
/// column narrows it, `status=` or `state=closed`: newest first,
/// [`views::PAGE`] a page, `page=` counted from 1.
fn narrowed_list(shared: &Shared, params: &HashMap<String, String>) -> Response {
    let q = params.get("query").map_or("", |q| q.trim());
    let status = params.get("status").filter(|s| !s.is_empty());
    let state = params
        .get("state")
        .filter(|s| matches!(s.as_str(), "open" | "closed"));
    let config = {
        let view = shared.view.read().unwrap_or_else(|e| e.into_inner());
        view.corpus.config.clone()
    };
    let parsed = shared.tracker().and_then(|t| t.parse_query(q, &config));
    let view = shared.view.read().unwrap_or_else(|e| e.into_inner());
    let mut frame = view.pages.frame.clone();
    let (code, mut rows) = match parsed {
        Ok(query) => (StatusCode::OK, matching(&view, &query)),
        Err(e) => {
            if let Some(live) = &mut frame.live {
                live.notice = Some(format!("Not a query the list can show: {e}."));
            }
            (StatusCode::BAD_REQUEST, Vec::new())
        }
    };
    rows.retain(|r| {
        status.is_none_or(|s| r.status == *s) && state.is_none_or(|s| r.closed == (s == "closed"))
    });
    rows.reverse();
    let totals = views::Totals {
        open: rows.iter().filter(|r| !r.closed).count(),
        closed: rows.iter().filter(|r| r.closed).count(),
        problems: 0,
    };
    let pages = rows.len().div_ceil(views::PAGE).max(1);
    let page = params
        .get("page")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, pages);
    let mut link = format!("index.html?query={}", html::query_value(q));
    if let Some(s) = status {
        link.push_str(&format!("&status={}", html::query_value(s)));
    }
    if let Some(s) = state {
        link.push_str(&format!("&state={s}"));
    }
    let href = |n: usize| format!("{link}&page={n}");
    if let Some(live) = &mut frame.live {
        live.addition = additions::list(q, status.map(String::as_str), state.map(String::as_str));
    }
    let rows: Vec<views::Row> = rows
        .into_iter()
        .skip((page - 1) * views::PAGE)
        .take(views::PAGE)
        .collect();
    let v = views::ListingPage {
        frame,
        kind: views::ListingKind::All,
        path: "index.html".to_owned(),
        root: "",
        name: None,
        totals: Some(totals),
        milestone: None,
        rows,
        newer: (page > 1).then(|| href(page - 1)),
        older: (page < pages).then(|| href(page + 1)),
        narrowed: true,
    };
    (code, Html(html::listing_page(&v))).into_response()
}

fn board_page(shared: &Shared, q: &str) -> Response {
    let config = {
        let view = shared.view.read().unwrap_or_else(|e| e.into_inner());
        view.corpus.config.clone()
    };
    let parsed = if q.is_empty() {
        None
    } else {
        Some(shared.tracker().and_then(|t| t.parse_query(q, &config)))
    };
    let view = shared.fresh();
    let p = &view.pages;
    let mut frame = p.frame.clone();
    let mut status = StatusCode::OK;
    if let Some(live) = &mut frame.live {
        live.addition = additions::board(q);
    }
    let page = match parsed {
        None => views::BoardPage {
            frame,
            ..p.board.clone()
        },
        Some(Err(e)) => {
            status = StatusCode::BAD_REQUEST;
            if let Some(live) = &mut frame.live {
                live.notice = Some(format!("Not a query the board can show: {e}."));
            }
            views::board(&frame, &[], &p.statuses, &view.corpus.config)
        }
        Some(Ok(query)) => views::BoardPage {
            query: q.to_owned(),
            ..views::board(
                &frame,
                &matching(&view, &query),
                &p.statuses,
                &view.corpus.config,
            )
        },
    };
    (status, Html(html::board_page(&page))).into_response()
}

/// The bytes of an attachment of an issue this server shows. Images are
/// shown as images; anything else is a download, never a page: an upload
/// is not rendered as HTML, whatever its name or content says (the
/// answer's CSP and `nosniff` hold too).
pub async fn attachment(
    State(shared): State<Arc<Shared>>,
    Path((key, name)): Path<(String, String)>,
) -> Response {
    // The page links an attachment by the file name the exported site
    // gives it (risky kinds renamed to `.bin`); only a listed one is served.
    let file = name;
    let listed = {
        let view = shared.view.read().unwrap_or_else(|e| e.into_inner());
        view.corpus
            .entries
            .iter()
            .find(|e| e.key.to_string() == key)
            .and_then(|e| {
                e.attachments
                    .iter()
                    .find(|a| views::attachment_file_name(a) == file)
                    .cloned()
            })
    };
    let Some(name) = listed else {
        return not_found();
    };
    let read = tokio::task::spawn_blocking(move || {
        let tracker = shared.tracker()?;
        let key = tracker.parse_key(&key)?;
        tracker.attachment(&key, &name)
    })
    .await;
    let Ok(Ok((name, bytes))) = read else {
        return not_found();
    };
    // The content type the exported site gives the file; shown in place
    // only when it is an image, else a download, never a page.
    let kind = views::attachment_content_type(&file);
    let disposition = if kind.starts_with("image/") {
        "inline"
    } else {
        "attachment"
    };
    (
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                content_disposition(disposition, &name),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266): a plain
/// ASCII name for old clients, the exact one, percent-encoded, for the rest.
fn content_disposition(disposition: &str, name: &str) -> String {
    let plain: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '%' | ';') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "{disposition}; filename=\"{plain}\"; filename*=UTF-8''{}",
        html::query_value(name)
    )
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn a_download_name_cannot_break_out_of_its_header() {
        assert_eq!(
            content_disposition("attachment", "a\"b;c\\d.txt"),
            "attachment; filename=\"a_b_c_d.txt\"; filename*=UTF-8''a%22b%3Bc%5Cd.txt"
        );
        assert_eq!(
            content_disposition("attachment", "Résumé.pdf"),
            "attachment; filename=\"R_sum_.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf"
        );
    }
}
