//! `git issue serve`: the site, rendered live from the branch, with forms to
//! file, change, comment on, close and move issues. The only module that
//! knows axum and tokio.
//!
//! Pages are the static site's views and HTML ([`crate::site`]), rendered on
//! request from a [`Corpus`] kept in memory: [`state`] reads the branch once,
//! then, whenever the tip moves (a write here, a command, a hook, a sync,
//! seen by notify), reads again only the issues the new commits touched and
//! tells open pages through server-sent events. Every change is the same
//! tracker operation as the command line's, one commit authored by the
//! user's git identity ([`writes`]). [`guard`] keeps other sites out: the
//! Host must be this server (DNS rebinding), a change needs the server's
//! secret token and, when the browser names one, this server's Origin.

mod additions;
mod guard;
mod pages;
pub mod state;
mod writes;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use state::Shared;

/// How to serve.
#[derive(Debug, Clone)]
pub struct Options {
    pub bind: IpAddr,
    /// 0: any free port.
    pub port: u16,
    /// Pages without forms; every change is refused.
    pub read_only: bool,
    /// Show confidential issues and internal comments.
    pub include_confidential: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Tracker(#[from] crate::tracker::Error),
    #[error(transparent)]
    Site(#[from] crate::site::SiteError),
    #[error(transparent)]
    Corpus(#[from] crate::site::corpus::CorpusError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the web server failed: {0}")]
    Server(std::io::Error),
}

/// The largest form a change may post: a long description, not a file.
const BODY_LIMIT: usize = 512 * 1024;

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(pages::index))
        .route("/events", get(pages::events))
        .route("/new", post(writes::new_issue))
        .route("/preview", post(writes::preview))
        .route("/issues/{key}/set", post(writes::set))
        .route("/issues/{key}/comment", post(writes::comment))
        .route("/issues/{key}/close", post(writes::close))
        .route("/issues/{key}/reopen", post(writes::reopen))
        .route("/issues/{key}/vote", post(writes::vote))
        .route("/issues/{key}/unvote", post(writes::unvote))
        // Bounded by tracker.yml's attachments.max_size as it arrives.
        .route(
            "/issues/{key}/attach",
            post(writes::attach).layer(DefaultBodyLimit::disable()),
        )
        .route("/issues/{key}/attachments/{name}", get(pages::attachment))
        .route("/board.html", get(pages::board))
        .route("/board", get(pages::board))
        .fallback(get(pages::page))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            guard::guard,
        ))
        .with_state(shared)
}

/// Reads the branch, listens, calls `ready` with the address, and serves
/// until the process ends.
pub fn run(
    dir: PathBuf,
    options: Options,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Server)?;
    let addr = SocketAddr::new(options.bind, options.port);
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(addr))
        .map_err(|source| ServeError::Listen { addr, source })?;
    let addr = listener.local_addr().map_err(ServeError::Server)?;
    let shared = Arc::new(Shared::open(dir, options, addr)?);
    state::watch(shared.clone());
    ready(addr);
    runtime
        .block_on(async move { axum::serve(listener, router(shared)).await })
        .map_err(ServeError::Server)
}
