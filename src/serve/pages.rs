//! Reading: every page of the site at the path the export gives it, rendered
//! on request from the view in memory with the site's own HTML, the site's
//! scripts and data files, the server's own scripts, and the stream of
//! change announcements.

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use tokio_stream::StreamExt as _;
use tokio_stream::wrappers::BroadcastStream;

use super::state::{Shared, View};
use crate::site::html;
use crate::site::views::{self, NewIssuePage};

/// The server's own scripts: live updates, the board's drag and drop, the
/// new-issue form's preview.
const SCRIPTS: &[(&str, &str)] = &[
    ("live.js", include_str!("assets/live.js")),
    ("board.js", include_str!("assets/board.js")),
    ("new.js", include_str!("assets/new.js")),
];

pub async fn index(State(shared): State<Arc<Shared>>) -> Response {
    render(&shared, "index.html", None)
}

pub async fn page(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    render(&shared, path, None)
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
    if let Some((key, file)) = path
        .strip_prefix("issues/")
        .and_then(|rest| rest.split_once("/attachments/"))
    {
        return attachment(shared, key, file).unwrap_or_else(not_found);
    }
    let view = shared.view.read().unwrap_or_else(|e| e.into_inner());
    match html_of(&view, path, notice) {
        Some(html) => Html(html).into_response(),
        None => not_found(),
    }
}

fn html_of(view: &View, path: &str, notice: Option<String>) -> Option<String> {
    let p = &view.pages;
    let mut frame = p.frame.clone();
    if let Some(live) = &mut frame.live {
        live.notice = notice;
    }
    Some(match path {
        "board.html" => html::board_page(&views::BoardPage {
            frame,
            ..p.board.clone()
        }),
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

/// The file an issue page links as `issues/KEY/attachments/FILE`, read
/// from the branch: only an attachment of an issue the pages show (never a
/// confidential issue's unless served with them), under the name and
/// content type the exported site gives it.
fn attachment(shared: &Shared, key: &str, file: &str) -> Option<Response> {
    let (key, name) = {
        let view = shared.view.read().unwrap_or_else(|e| e.into_inner());
        let e = view
            .corpus
            .entries
            .iter()
            .find(|e| e.key.to_string() == key)?;
        let name = e
            .attachments
            .iter()
            .find(|a| views::attachment_file_name(a) == file)?
            .clone();
        (e.key.clone(), name)
    };
    let (_, bytes) = shared.tracker().ok()?.attachment(&key, &name).ok()?;
    Some(
        (
            [
                (header::CONTENT_TYPE, views::attachment_content_type(file)),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            bytes,
        )
            .into_response(),
    )
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
