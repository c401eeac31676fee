//! The static site: `git issue export site DIR`.
//!
//! Data flows one way: [`corpus`] reads one snapshot of the issues branch
//! (dropping what is confidential), [`views`] turns it into `Serialize`
//! structs, one a page, [`html`] and [`charts`] render those to HTML, and
//! [`output`] writes the files whose bytes changed into the folder and
//! nowhere else. [`watch`] does it again whenever the branch moves.
//!
//! Same branch, same options: same bytes. Nothing here reads the clock.

pub mod catalog;
pub mod charts;
pub mod corpus;
mod dashboard;
pub mod data;
pub mod escape;
pub mod history;
pub mod html;
mod listing;
pub mod output;
mod plan;
mod records;
pub mod views;
pub mod watch;
mod writer;

use std::path::Path;

use rayon::prelude::*;

use crate::format::Key;
use crate::tracker::{Problem, Tracker};
use catalog::{Catalog, Entry};
use corpus::Corpus;
use history::HistoryCache;
use output::{File, Output};
use plan::{Plan, changes_since};
use views::{Frame, Pages};

/// How to export.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Put confidential issues and internal comments on the site too.
    pub include_confidential: bool,
    /// Where the site will be published, for canonical links; links between
    /// pages stay relative either way.
    pub base_url: Option<String>,
    /// Read a whole export this many issue numbers at a time (`None`:
    /// [`SLICE`]): memory holds one slice's parsed issues at a time. The
    /// site is the same bytes whatever the slice.
    pub slice: Option<u64>,
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
        let planned: Vec<(V, String, u128)> = (start..count.min(start + BATCH))
            .into_par_iter()
            .map(|i| {
                let v = view(i);
                let mut bytes = FORMAT.as_bytes().to_vec();
                // A view always serializes; an empty input only means "render".
                let _ = serde_json::to_writer(&mut bytes, &v);
                let p = path(&v);
                (v, p, output::hash128(&bytes))
            })
            .collect();
        let mut stale = Vec::with_capacity(planned.len());
        for (v, p, input) in planned {
            if out.is_fresh(&p, input) {
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

/// The site's own files that are not pages.
fn assets() -> Vec<File> {
    ASSETS
        .iter()
        .map(|(name, bytes, _)| page(*name, (*bytes).to_owned()))
        .collect()
}

/// Issue numbers a whole export reads at a time, by default. The branch's
/// files are listed once for all slices, so a slice costs little more than
/// its own files: at 100,000 issues, slices of 10,000 held 40 MB less than
/// slices of 20,000 and were no slower.
pub const SLICE: u64 = 10_000;

/// Issue pages rendered, and parsed issues dropped, at a time.
const ISSUE_BATCH: usize = 4096;

/// What the folder's pages depend on besides the branch: the program, the
/// options, the project's name.
fn stamp(options: &Options, project: &str) -> String {
    format!(
        "{FORMAT}\n{}\n{:?}\n{project}",
        options.include_confidential, options.base_url
    )
}

/// Copies the attached files of `e` beside its page.
fn attachments(
    tracker: &Tracker,
    out: &mut Output,
    key: &Key,
    names: &[String],
) -> Result<(), SiteError> {
    let k = key.to_string();
    let mut files = Vec::with_capacity(names.len());
    for name in names {
        let bytes = match tracker.attachment(key, name) {
            Ok((_, bytes)) => bytes,
            // Gone since the corpus was read: the next export catches up.
            Err(
                crate::tracker::Error::NoAttachment { .. } | crate::tracker::Error::NoSuchIssue(_),
            ) => continue,
            Err(err) => return Err(corpus::CorpusError::from(err).into()),
        };
        files.push(File {
            path: views::attachment_path(&k, name),
            bytes,
            input: None,
        });
    }
    out.put_all(files)?;
    Ok(())
}

/// Writes the site of the branch as it is now into `dir`: after an export
/// into the same folder, only what the branch changed since (see
/// [`catalog`]); the files are the same either way.
pub fn export(tracker: &Tracker, dir: &Path, options: &Options) -> Result<Report, SiteError> {
    if let Some(url) = &options.base_url {
        check_base_url(url)?;
    }
    let store = tracker.store();
    let include = options.include_confidential;
    // The history cache and the folder's manifest, read at once.
    let history_at = HistoryCache::path(store);
    let now = store
        .tip()
        .map_err(|e| SiteError::Corpus(e.into()))?
        .map(|o| o.to_string());
    // The catalog too, on a thread of its own (100,000 rows take longer to
    // read than the manifest), unless it is of the branch as it is: then
    // the export likely has nothing to do, and reads it only if it has.
    let catalog_at = Catalog::path(store, include);
    let at = now.clone();
    let catalog = std::thread::spawn(move || {
        (Catalog::tip_at(&catalog_at) != at).then(|| Catalog::load_from(&catalog_at))
    });
    let (history, out) = std::thread::scope(|s| {
        let history = s.spawn(|| HistoryCache::load_from(history_at));
        let out = Output::open(dir);
        (history.join(), out)
    });
    let mut history = history.unwrap_or_default();
    // No thread is left reading the catalog for nothing, below either.
    let mut out = match out {
        Ok(out) => out,
        Err(e) => {
            let _ = catalog.join();
            return Err(e.into());
        }
    };
    let frame = Frame {
        project: store.repository_name(),
        base_url: options
            .base_url
            .as_deref()
            .map(|u| u.trim_end_matches('/').to_owned()),
        live: None,
    };
    let stamp = stamp(options, &frame.project);
    // The folder shows the branch as it is: nothing to read or render when
    // its files are all there and no commit an issue names has arrived.
    if let Some(e) = out.exported_with(&stamp).cloned()
        && now.as_deref() == Some(e.tip.as_str())
        && e.problems == 0
        && e.missing.iter().all(|c| store.commit_info(c).is_none())
        && out.keep_all_if_present()
    {
        out.put_all(assets())?;
        let report = Report {
            tip: e.tip.clone(),
            issues: e.issues,
            written: Vec::new(),
            unchanged: 0,
            removed: Vec::new(),
            problems: Vec::new(),
        };
        out.exporting(e);
        let written = out.finish()?;
        let _ = catalog.join();
        return Ok(Report {
            written: written.written,
            unchanged: written.unchanged,
            removed: written.removed,
            ..report
        });
    }
    let catalog = match catalog.join() {
        Ok(Some(read)) => read,
        _ => Catalog::load(store, include),
    };
    let plan = match catalog {
        Some(c) if out.exported_with(&stamp).map(|e| e.tip.as_str()) == Some(c.tip.as_str()) => {
            changes_since(tracker, c, include, &mut history)?
        }
        _ => None,
    };
    let mut early = None;
    let plan = match plan {
        Some(p) => p,
        None => {
            // Every issue's files and trees are read once: libgit2's cache
            // would keep them all (40 MB more at 100,000 issues).
            let _uncached = crate::store::ObjectCacheOff::new();
            // A big branch: the pages of each slice as it is read.
            let streamed = plan::stream(
                tracker,
                include,
                options.slice.unwrap_or(SLICE).max(1),
                &mut history,
                |part, issues| {
                    let empty = Pages::assemble_touched(
                        &[],
                        &part.config,
                        0,
                        frame.clone(),
                        Some(&views::Touched {
                            buckets: Some(Default::default()),
                            ..Default::default()
                        }),
                    );
                    cached(
                        &mut out,
                        issues.len(),
                        |i| {
                            let (e, entry) = issues[i];
                            views::issue_page_of(part, &empty, e, &entry.row, &frame)
                        },
                        |v| format!("issues/{}.html", v.row.key),
                        html::issue_page,
                    )?;
                    for (e, _) in issues.iter().filter(|(e, _)| !e.attachments.is_empty()) {
                        attachments(tracker, &mut out, &e.key, &e.attachments)?;
                    }
                    Ok(())
                },
            )?;
            match streamed {
                Some(s) => {
                    early = Some(s.early);
                    s.plan
                }
                None => {
                    let corpus = Corpus::read(tracker, include, &mut history)?;
                    Plan {
                        catalog: Catalog::of(&corpus),
                        corpus,
                        before: None,
                    }
                }
            }
        }
    };
    history.save();
    let Plan {
        mut catalog,
        mut corpus,
        before,
    } = plan;
    out.exporting(output::Exported {
        tip: catalog.tip.clone(),
        stamp: stamp.clone(),
        issues: catalog.entries.len(),
        problems: corpus.problems.len(),
        missing: catalog.missing.clone(),
    });
    let touches = before.as_ref().map(|b| b.touches(&catalog));
    // Issue pages first, a batch at a time, each issue's parsed files
    // dropped once its page is written: the pages over many issues and the
    // data files are made after, from the catalog alone, so that memory
    // never holds both every parsed issue and every listing.
    let config = corpus.config.clone();
    let problems = corpus.problems.len();
    let all_pages = || {
        Pages::assemble_touched(
            &catalog.entries,
            &config,
            problems,
            frame.clone(),
            touches.as_ref().map(|t| &t.listings),
        )
    };
    // After changes there are few issues to render and few listings to
    // make: the pages are made once. The pages of the other issues are as
    // the last export wrote them, where they are still there: looking (a
    // listing of 100,000 names) takes as long as making those pages, so
    // both at once.
    let (pages, others, gone) = match before {
        Some(_) => {
            let rendered: std::collections::HashSet<u64> =
                corpus.entries.iter().map(|e| e.key.number).collect();
            let others: Vec<&Entry> = catalog
                .entries
                .iter()
                .filter(|e| !rendered.contains(&e.row.number))
                .collect();
            let paths = others
                .iter()
                .map(|e| format!("issues/{}.html", e.row.key))
                .collect();
            let (pages, gone) = rayon::join(all_pages, || out.keep_present(paths));
            (Some(pages), others, gone)
        }
        None => (None, Vec::new(), Vec::new()),
    };
    let light = pages.is_none().then(|| {
        Pages::assemble_touched(
            &catalog.entries,
            &config,
            problems,
            frame.clone(),
            Some(&views::Touched {
                buckets: Some(Default::default()),
                ..Default::default()
            }),
        )
    });
    let Some(parts) = pages.as_ref().or(light.as_ref()) else {
        unreachable!("one of them is made")
    };
    let issue_pages = |out: &mut Output, corpus: &Corpus, entries: &[corpus::SiteIssue]| {
        cached(
            out,
            entries.len(),
            |i| {
                let e = &entries[i];
                let at = parts
                    .rows
                    .binary_search_by_key(&e.key.number, |r| r.number)
                    .unwrap_or_default();
                views::issue_page_of(corpus, parts, e, &parts.rows[at], &parts.frame)
            },
            |v| format!("issues/{}.html", v.row.key),
            html::issue_page,
        )
    };
    let mut rest = std::mem::take(&mut corpus.entries);
    rest.reverse();
    while !rest.is_empty() {
        let mut batch = rest.split_off(rest.len().saturating_sub(ISSUE_BATCH));
        batch.reverse();
        issue_pages(&mut out, &corpus, &batch)?;
        // Attached files, copied beside their issue's page. Confidential
        // issues are not in the corpus, so neither are their files.
        for e in batch.iter().filter(|e| !e.attachments.is_empty()) {
            attachments(tracker, &mut out, &e.key, &e.attachments)?;
        }
    }
    drop(rest);
    // A big branch read in slices: the pages made before every issue was
    // read did not know the duplicates of their issue.
    if let Some(early) = &early {
        let mut originals: Vec<Key> = parts
            .duplicates
            .keys()
            .filter_map(|k| k.parse::<Key>().ok())
            .filter(|k| early.contains(&k.number))
            .collect();
        if !originals.is_empty() {
            originals.sort_by_key(|k| k.number);
            let more = Corpus::read_keys(tracker, &catalog.tip, &originals, include, &mut history)?;
            issue_pages(&mut out, &more, &more.entries)?;
        }
    }
    if before.is_some() {
        // Those of the other issues' pages that are not there are made
        // again.
        let mut again: Vec<Key> = gone
            .iter()
            .filter_map(|p| {
                p.strip_prefix("issues/")?
                    .strip_suffix(".html")?
                    .parse()
                    .ok()
            })
            .collect();
        for e in others.iter().filter(|e| !e.attachments.is_empty()) {
            let missing = out.keep_present(
                e.attachments
                    .iter()
                    .map(|a| views::attachment_path(&e.row.key, a))
                    .collect(),
            );
            if !missing.is_empty()
                && let Ok(k) = e.row.key.parse::<Key>()
            {
                attachments(tracker, &mut out, &k, &e.attachments)?;
            }
        }
        if !again.is_empty() {
            again.sort_by_key(|k| k.number);
            let more = Corpus::read_keys(tracker, &catalog.tip, &again, include, &mut history)?;
            issue_pages(&mut out, &more, &more.entries)?;
        }
    }
    // A whole export makes the listings a group at a time, below.
    let pages = match (pages, light) {
        (Some(p), _) | (None, Some(p)) => p,
        (None, None) => unreachable!("one of them is made"),
    };

    let mut files = assets();
    files.extend([
        page("board.html", html::board_page(&pages.board)),
        page("milestones.html", html::milestones_page(&pages.milestones)),
        page("labels.html", html::labels_page(&pages.labels)),
        page("dashboard.html", html::dashboard_page(&pages.dashboard)),
        page("search.html", html::search_page(&pages.search)),
        page("known.html", html::known_page(&pages.known)),
    ]);
    out.put_all(files)?;

    // Data files: after changes, those they touch; the others are kept
    // where they are still there, or all are made again.
    let since = touches.as_ref().map(|t| data::Since {
        numbers: &t.numbers,
        groups: (catalog.max == data::bound(&pages.rows)).then_some(&t.groups),
        search: &catalog.search,
        rows: t
            .numbers
            .iter()
            .map(|n| {
                let old = before.as_ref().and_then(|b| b.entries.get(n));
                let new = catalog.position(*n).ok().map(|i| &catalog.entries[i]);
                (old.map(|e| &e.row), new.map(|e| &e.row))
            })
            .collect(),
    });
    let to_files = |files: Vec<data::DataFile>| {
        files
            .into_iter()
            .map(|d| File {
                path: d.path,
                bytes: d.bytes,
                input: None,
            })
            .collect::<Vec<_>>()
    };
    let mut made = data::write_files_of(
        &corpus.config,
        &catalog.entries,
        &pages.rows,
        &pages.statuses,
        since,
        |files| out.put_all(to_files(files)),
    )?;
    if !out.keep_present(std::mem::take(&mut made.kept)).is_empty() {
        all_words(tracker, &mut catalog, include, &mut history)?;
        made = data::write_files_of(
            &corpus.config,
            &catalog.entries,
            &pages.rows,
            &pages.statuses,
            None,
            |files| out.put_all(to_files(files)),
        )?;
    }
    catalog.search = made.search;
    catalog.max = made.max;

    let listings =
        |out: &mut Output, listings: &[views::ListingPage], notes: &[views::NotesPage]| {
            cached(
                out,
                listings.len(),
                |i| &listings[i],
                |v| v.path.clone(),
                |v| html::listing_page(v),
            )?;
            cached(
                out,
                notes.len(),
                |i| &notes[i],
                |v| format!("release-notes/{}.html", v.milestone_slug),
                |v| html::notes_page(v),
            )
        };
    // Every listing, a group at a time, each dropped once written.
    let every_listing = |out: &mut Output| {
        views::each_group(&pages.rows, problems, &pages.frame, None, |g| {
            listings(out, &g.listings, g.notes.as_slice())
        })
    };
    match &touches {
        None => every_listing(&mut out)?,
        Some(t) => {
            listings(&mut out, &pages.listings, &pages.notes)?;
            // The listings and release notes the changes did not touch are
            // kept, where they are still there; else all are made again.
            let untouched = untouched_listings(&t.listings);
            let old = out.old_paths(|p| untouched(p));
            if !out.keep_present(old).is_empty() {
                every_listing(&mut out)?;
            }
        }
    }
    let written = out.finish()?;
    if corpus.problems.is_empty() {
        catalog.save(store, include);
    } else {
        // Files that do not parse are found by reading everything: so is
        // the next export.
        Catalog::forget(store, include);
    }
    let report = Report {
        tip: catalog.tip.clone(),
        issues: catalog.entries.len(),
        written: written.written,
        unchanged: written.unchanged,
        removed: written.removed,
        problems: std::mem::take(&mut corpus.problems),
    };
    output::drop_later((catalog, pages, history));
    Ok(report)
}

/// Gives every entry of `catalog` its words: from the catalog's files, or,
/// when those changed meanwhile, from the branch at the catalog's commit.
fn all_words(
    tracker: &Tracker,
    catalog: &mut Catalog,
    include: bool,
    history: &mut HistoryCache,
) -> Result<(), SiteError> {
    if catalog.load_words(None) {
        return Ok(());
    }
    let listed = tracker
        .issue_files(&catalog.tip)
        .map_err(|e| SiteError::Corpus(e.into()))?;
    let corpus = Corpus::read_in(
        tracker,
        &catalog.tip,
        0..u64::MAX,
        &listed,
        include,
        history,
    )?;
    for e in &corpus.entries {
        if let Ok(i) = catalog.position(e.key.number) {
            let words = Entry::of(e, &corpus.config);
            catalog.entries[i].title_words = words.title_words;
            catalog.entries[i].text_words = words.text_words;
        }
    }
    catalog.worded_all();
    Ok(())
}

/// Whether a page of the last export is one of the listings or release
/// notes that `touched` leaves as they were.
fn untouched_listings(touched: &views::Touched) -> impl Fn(&str) -> bool + '_ {
    let slugs = |names: &std::collections::BTreeSet<String>| -> Vec<String> {
        names.iter().map(|n| views::slug(n)).collect()
    };
    let labels = slugs(&touched.labels);
    let milestones = slugs(&touched.milestones);
    // `<slug>.html` or `<slug>-<n>.html`, of one of `slugs`.
    let of = |name: &str, slugs: &[String]| {
        let Some(stem) = name.strip_suffix(".html") else {
            return false;
        };
        slugs.iter().any(|s| {
            stem.strip_prefix(s.as_str()).is_some_and(|rest| {
                rest.is_empty()
                    || rest
                        .strip_prefix('-')
                        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            })
        })
    };
    move |path: &str| {
        if let Some(name) = path.strip_prefix("list/") {
            let bucket = name
                .strip_suffix(".html")
                .and_then(|b| b.parse::<u64>().ok());
            match (&touched.buckets, bucket) {
                (Some(only), Some(b)) => !only.contains(&b),
                _ => false,
            }
        } else if let Some(name) = path.strip_prefix("labels/") {
            !of(name, &labels)
        } else if let Some(name) = path.strip_prefix("milestones/") {
            !of(name, &milestones)
        } else if let Some(name) = path.strip_prefix("release-notes/") {
            !of(name, &milestones)
        } else {
            false
        }
    }
}
