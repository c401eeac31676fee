//! What the server shows, kept in memory and fresh: the corpus of the branch
//! and the pages over many issues, rebuilt when the tip moves, reading only
//! the issues that changed. Writers and the watcher call [`Shared::refresh`];
//! each refresh that changed something is announced to open pages.

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};
use std::time::Duration;

use tokio::sync::broadcast;

use super::{Options, ServeError};
use crate::site::corpus::{Corpus, Refreshed};
use crate::site::history::HistoryCache;
use crate::site::views::{Choices, Frame, Live, Pages};
use crate::tracker::Tracker;

/// The branch as the pages show it.
pub struct View {
    pub corpus: Corpus,
    history: HistoryCache,
    pub pages: Pages,
    /// The site's data files, made when first asked for.
    data: Option<Arc<HashMap<String, Vec<u8>>>>,
    /// The pages over many issues (lists, board, milestones, labels,
    /// dashboard…) lag the corpus: [`Shared::fresh`] builds them first. What
    /// an issue page reads is always up to date.
    stale: bool,
}

/// Everything the handlers share.
pub struct Shared {
    /// Where the repository is: each write opens its own tracker there.
    pub dir: PathBuf,
    pub options: Options,
    pub addr: SocketAddr,
    /// The secret a change must carry (CSRF).
    pub token: String,
    /// The user's email, as their votes are recorded: whether a page offers
    /// to vote or to take the vote back.
    pub me: Option<String>,
    pub view: RwLock<View>,
    /// One refresh at a time.
    refreshing: Mutex<()>,
    /// Announcements of changes, as JSON, to the open pages.
    pub events: broadcast::Sender<String>,
}

/// 160 random bits, as the `rand` behind ULIDs makes them.
fn secret() -> String {
    format!("{}{}", ulid::Ulid::new(), ulid::Ulid::new()).to_ascii_lowercase()
}

impl Shared {
    pub fn open(dir: PathBuf, options: Options, addr: SocketAddr) -> Result<Shared, ServeError> {
        let tracker = Tracker::discover(&dir)?;
        let mut history = HistoryCache::load(tracker.store());
        let corpus = Corpus::read(&tracker, options.include_confidential, &mut history)?;
        history.save();
        let token = secret();
        let me = tracker.me().ok().and_then(|p| p.email);
        let frame = frame(&tracker, &corpus, &options, &token);
        let pages = Pages::build(&corpus, frame);
        let (events, _) = broadcast::channel(64);
        Ok(Shared {
            dir,
            options,
            addr,
            token,
            me,
            view: RwLock::new(View {
                corpus,
                history,
                pages,
                data: None,
                stale: false,
            }),
            refreshing: Mutex::new(()),
            events,
        })
    }

    pub fn tracker(&self) -> Result<Tracker, crate::tracker::Error> {
        Tracker::discover(&self.dir)
    }

    /// Brings the view up to the branch as it is now and announces what
    /// changed. Called after every write here and by the watcher.
    pub fn refresh(&self) -> Result<(), ServeError> {
        let _one = self.refreshing.lock().unwrap_or_else(|e| e.into_inner());
        let tracker = self.tracker()?;
        let mut view = self.view.write().unwrap_or_else(|e| e.into_inner());
        let v = &mut *view;
        let what = v
            .corpus
            .refresh(&tracker, self.options.include_confidential, &mut v.history)?;
        let keys = match what {
            Refreshed::Nothing => return Ok(()),
            Refreshed::Issues(keys) => Some(keys),
            Refreshed::Everything => None,
        };
        // The rest waits for the next page that shows it: a change's answer
        // (its issue's page) costs the issue, not every list of the site.
        let frame = frame(&tracker, &v.corpus, &self.options, &self.token);
        v.pages.refresh_issue_parts(&v.corpus, frame);
        v.stale = true;
        v.data = None;
        let tip = v.corpus.tip.clone();
        drop(view);
        let _ = self
            .events
            .send(serde_json::json!({"tip": tip, "keys": keys}).to_string());
        Ok(())
    }

    /// The view with every page up to date: the pages over many issues are
    /// built here when a change left them behind.
    pub fn fresh(&self) -> RwLockReadGuard<'_, View> {
        {
            let view = self.view.read().unwrap_or_else(|e| e.into_inner());
            if !view.stale {
                return view;
            }
        }
        let mut view = self.view.write().unwrap_or_else(|e| e.into_inner());
        let mut old = None;
        if view.stale {
            let v = &mut *view;
            let built = Pages::build(&v.corpus, v.pages.frame.clone());
            old = Some(std::mem::replace(&mut v.pages, built));
            v.stale = false;
        }
        drop(view);
        drop(old);
        self.view.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The site's data file at `path` (`data/meta.js`), as of now.
    pub fn data_file(&self, path: &str) -> Option<Vec<u8>> {
        let files = {
            let view = self.view.read().unwrap_or_else(|e| e.into_inner());
            match &view.data {
                Some(d) => d.clone(),
                None => {
                    let made: HashMap<String, Vec<u8>> = crate::site::data::files(
                        &view.corpus,
                        &view.pages.rows,
                        &view.pages.statuses,
                    )
                    .into_iter()
                    .map(|f| (f.path, f.bytes))
                    .collect();
                    let made = Arc::new(made);
                    drop(view);
                    let mut view = self.view.write().unwrap_or_else(|e| e.into_inner());
                    view.data = Some(made.clone());
                    made
                }
            }
        };
        files.get(path).cloned()
    }
}

/// The frame of every page: the project, and what the server adds.
fn frame(tracker: &Tracker, corpus: &Corpus, options: &Options, token: &str) -> Frame {
    let config = &corpus.config;
    let mut labels = BTreeSet::new();
    let mut milestones = BTreeSet::new();
    let mut assignees = BTreeSet::new();
    let mut components = BTreeSet::new();
    for e in &corpus.entries {
        let i = &e.issue;
        labels.extend(i.labels.iter().cloned());
        milestones.extend(i.milestone.iter().cloned());
        assignees.extend(i.assignee.iter().cloned());
        components.extend(i.component.iter().cloned());
    }
    Frame {
        project: corpus.project.clone(),
        base_url: None,
        live: Some(Live {
            token: token.to_owned(),
            read_only: options.read_only,
            choices: Choices {
                statuses: config.statuses.clone(),
                closed_statuses: config.closed_statuses.clone(),
                types: config.types.clone(),
                priorities: config.priorities.clone(),
                severities: config.severities.clone(),
                labels: labels.into_iter().collect(),
                milestones: milestones.into_iter().collect(),
                assignees: assignees.into_iter().collect(),
                components: components.into_iter().collect(),
                templates: tracker.template_names().unwrap_or_default(),
            },
            notice: None,
            addition: String::new(),
        }),
    }
}

/// Watches the branch on a thread of its own: whoever moves it, the pages
/// follow within a moment (a move between the first read and the start of
/// watching too: `on_move` refreshes once when it starts).
pub fn watch(shared: Arc<Shared>) {
    std::thread::spawn(move || {
        let Ok(tracker) = shared.tracker() else {
            return;
        };
        let _ = crate::site::watch::on_move(tracker.store(), Duration::from_millis(20), || {
            let _ = shared.refresh();
        });
    });
}
