//! The static site: `git issue export site DIR`.
//!
//! Data flows one way: [`corpus`] reads one snapshot of the issues branch
//! (dropping what is confidential), [`views`] turns it into `Serialize`
//! structs, one a page, [`html`] and [`charts`] render those to HTML, and
//! [`output`] writes the files whose bytes changed into the folder and
//! nowhere else. [`watch`] does it again whenever the branch moves.
//!
//! Same branch, same options: same bytes. Nothing here reads the clock.

pub mod charts;
pub mod corpus;
mod dashboard;
pub mod data;
pub mod escape;
pub mod html;
mod listing;
pub mod output;
pub mod views;
pub mod watch;

use std::path::Path;

use rayon::prelude::*;

use crate::tracker::{Problem, Tracker};
use corpus::{Corpus, HistoryCache};
use output::{File, Output};
use views::Site;

/// How to export.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Put confidential issues and internal comments on the site too.
    pub include_confidential: bool,
    /// Where the site will be published, for canonical links; links between
    /// pages stay relative either way.
    pub base_url: Option<String>,
}

/// What an export did.
#[derive(Debug, Clone)]
pub struct Report {
    /// The commit of the issues branch the site shows.
    pub tip: String,
    pub issues: usize,
    pub written: Vec<String>,
    pub unchanged: usize,
    pub removed: Vec<String>,
    /// Files of the branch that did not parse and are not on the site.
    pub problems: Vec<Problem>,
}

#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error(transparent)]
    Corpus(#[from] corpus::CorpusError),
    #[error(transparent)]
    Output(#[from] output::OutputError),
    #[error("--base-url must be an http:// or https:// address, not {0:?}")]
    BadBaseUrl(String),
    #[error("cannot watch the issues branch: {0}")]
    Watch(#[from] notify::Error),
}

/// Bump when the HTML a view renders to changes, so that pages rendered by
/// an older version are not kept as fresh.
const FORMAT: &str = concat!("git-issue-site ", env!("CARGO_PKG_VERSION"), " 3");

const STYLE: &str = include_str!("assets/style.css");
const DATA_JS: &str = include_str!("assets/data.js");
const LIST_JS: &str = include_str!("assets/list.js");
const SEARCH_JS: &str = include_str!("assets/search.js");
const KNOWN_JS: &str = include_str!("assets/known.js");
const FAVICON: &str = include_str!("assets/favicon.svg");

/// The site's own files that are not pages: name, bytes, content type.
pub const ASSETS: &[(&str, &str, &str)] = &[
    ("style.css", STYLE, "text/css; charset=utf-8"),
    ("data.js", DATA_JS, "text/javascript; charset=utf-8"),
    ("list.js", LIST_JS, "text/javascript; charset=utf-8"),
    ("search.js", SEARCH_JS, "text/javascript; charset=utf-8"),
    ("known.js", KNOWN_JS, "text/javascript; charset=utf-8"),
    ("favicon.svg", FAVICON, "image/svg+xml"),
];

fn check_base_url(url: &str) -> Result<(), SiteError> {
    let lower = url.to_ascii_lowercase();
    let ok = (lower.starts_with("https://") || lower.starts_with("http://"))
        && !url.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\'' | '`')
        });
    if ok {
        Ok(())
    } else {
        Err(SiteError::BadBaseUrl(url.to_owned()))
    }
}

fn page(path: impl Into<String>, html: String) -> File {
    File {
        path: path.into(),
        bytes: html.into_bytes(),
        input: None,
    }
}

/// Renders the pages whose view changed since the last export, in
/// parallel. Views are made by `view(i)` for `i` in `0..count`, a batch at
/// a time, and dropped with their pages once written: memory holds a batch,
/// not 100,000 pages.
fn cached<V: serde::Serialize + Send>(
    out: &mut Output,
    count: usize,
    view: impl Fn(usize) -> V + Sync,
    path: impl Fn(&V) -> String + Sync,
    render: impl Fn(&V) -> String + Sync,
) -> Result<(), SiteError> {
    const BATCH: usize = 2048;
    for start in (0..count).step_by(BATCH) {
        let planned: Vec<(V, String, String)> = (start..count.min(start + BATCH))
            .into_par_iter()
            .map(|i| {
                let v = view(i);
                let mut bytes = FORMAT.as_bytes().to_vec();
                // A view always serializes; an empty input only means "render".
                let _ = serde_json::to_writer(&mut bytes, &v);
                let p = path(&v);
                (v, p, output::hash(&bytes))
            })
            .collect();
        let mut stale = Vec::with_capacity(planned.len());
        for (v, p, input) in planned {
            if out.is_fresh(&p, &input) {
                out.keep(&p);
            } else {
                stale.push((v, p, input));
            }
        }
        let files: Vec<File> = stale
            .into_par_iter()
            .map(|(v, path, input)| File {
                path,
                bytes: render(&v).into_bytes(),
                input: Some(input),
            })
            .collect();
        out.put_all(files)?;
    }
    Ok(())
}

/// Writes the site of the branch as it is now into `dir`.
pub fn export(tracker: &Tracker, dir: &Path, options: &Options) -> Result<Report, SiteError> {
    if let Some(url) = &options.base_url {
        check_base_url(url)?;
    }
    let mut history = HistoryCache::load(tracker.store());
    let corpus = Corpus::read(tracker, options.include_confidential, &mut history)?;
    history.save();
    let site = Site::build(&corpus, options.base_url.as_deref());

    let mut out = Output::open(dir)?;
    let mut files: Vec<File> = ASSETS
        .iter()
        .map(|(name, bytes, _)| page(*name, (*bytes).to_owned()))
        .collect();
    files.extend([
        page("board.html", html::board_page(&site.pages.board)),
        page(
            "milestones.html",
            html::milestones_page(&site.pages.milestones),
        ),
        page("labels.html", html::labels_page(&site.pages.labels)),
        page(
            "dashboard.html",
            html::dashboard_page(&site.pages.dashboard),
        ),
        page("search.html", html::search_page(&site.pages.search)),
        page("known.html", html::known_page(&site.pages.known)),
    ]);
    out.put_all(files)?;
    out.put_all(
        site.data
            .into_iter()
            .map(|d| File {
                path: d.path,
                bytes: d.bytes,
                input: None,
            })
            .collect(),
    )?;
    let pages = &site.pages;
    cached(
        &mut out,
        pages.listings.len(),
        |i| &pages.listings[i],
        |v| v.path.clone(),
        |v| html::listing_page(v),
    )?;
    cached(
        &mut out,
        corpus.entries.len(),
        |i| views::issue_page(&corpus, pages, i, &pages.frame),
        |v| format!("issues/{}.html", v.row.key),
        html::issue_page,
    )?;
    // Attached files, copied beside their issue's page. Confidential
    // issues are not in the corpus, so neither are their files.
    for e in corpus.entries.iter().filter(|e| !e.attachments.is_empty()) {
        let key = e.key.to_string();
        let mut files = Vec::with_capacity(e.attachments.len());
        for name in &e.attachments {
            let bytes = match tracker.attachment(&e.key, name) {
                Ok((_, bytes)) => bytes,
                // Gone since the corpus was read: the next export catches up.
                Err(
                    crate::tracker::Error::NoAttachment { .. }
                    | crate::tracker::Error::NoSuchIssue(_),
                ) => continue,
                Err(err) => return Err(corpus::CorpusError::from(err).into()),
            };
            files.push(File {
                path: views::attachment_path(&key, name),
                bytes,
                input: None,
            });
        }
        out.put_all(files)?;
    }
    cached(
        &mut out,
        pages.notes.len(),
        |i| &pages.notes[i],
        |v| format!("release-notes/{}.html", v.milestone_slug),
        |v| html::notes_page(v),
    )?;
    let written = out.finish()?;
    Ok(Report {
        tip: corpus.tip,
        issues: corpus.entries.len(),
        written: written.written,
        unchanged: written.unchanged,
        removed: written.removed,
        problems: corpus.problems,
    })
}
